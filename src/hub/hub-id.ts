/**
 * Where the Hugging Face hub is and which repo the user means. Pure, so the unit tests cover it.
 *
 * The base defaults to https://huggingface.co; `?hub=<http(s) URL>` points the page at another
 * server with the hub's URL layout (the e2e serves a local folder that way). The page's
 * Content-Security-Policy (vite.config.ts) still decides which hosts a fetch may reach, so the
 * parameter cannot send requests anywhere the policy does not allow.
 */
export const DEFAULT_HUB = 'https://huggingface.co';

/** The hub base from the page's query string, or why the override is unusable (never a silent fallback to the real hub). */
export function hubBase(search: string): { base: string } | { problem: string } {
  const raw = new URLSearchParams(search).get('hub');
  if (raw === null || raw === '') return { base: DEFAULT_HUB };
  try {
    const u = new URL(raw);
    if (u.protocol === 'http:' || u.protocol === 'https:') return { base: `${u.origin}${u.pathname.replace(/\/+$/, '')}` };
  } catch {
    /* said below */
  }
  return { problem: `?hub=${raw} is not an http(s) URL; remove it to use ${DEFAULT_HUB}` };
}

const PART = /^[A-Za-z0-9][\w.-]{0,95}$/;

/**
 * The repo id in what the user typed: "org/name" or a legacy "name", also pasted as a hub URL
 * ("https://huggingface.co/org/name/tree/main/onnx"). Throws a message saying what an id looks like.
 */
export function parseModelId(text: string, base = DEFAULT_HUB): string {
  let t = text.trim();
  for (const prefix of [`${base}/`, `${DEFAULT_HUB}/`, 'huggingface.co/', 'hf.co/']) {
    if (t.startsWith(prefix)) t = t.slice(prefix.length);
  }
  t = t.replace(/^models\//, '').replace(/\/(tree|blob|resolve)\/.*$/, '').replace(/\/+$/, '');
  const parts = t.split('/');
  if (parts.length >= 1 && parts.length <= 2 && parts.every((p) => PART.test(p) && !p.includes('..'))) return t;
  throw new Error(`"${text.trim()}" is not a Hugging Face model id: expected owner/name, e.g. onnx-community/gpt2 or Xenova/distilgpt2`);
}

const segments = (path: string) => path.split('/').map(encodeURIComponent).join('/');

/** The model's metadata with its file list and sizes (`blobs=true` adds each file's size). */
export const listingUrl = (base: string, id: string) => `${base}/api/models/${segments(id)}?blobs=true`;

/** One file of the repo's main branch (the hub redirects large files to its CDN). */
export const fileUrl = (base: string, id: string, path: string) => `${base}/${segments(id)}/resolve/main/${segments(path)}`;

/** The repo's page, for messages that send the user there. */
export const repoPage = (base: string, id: string) => `${base}/${segments(id)}`;

/** The host to name in messages ("huggingface.co", "127.0.0.1:5400"). */
export const hostOf = (base: string) => new URL(base).host;
