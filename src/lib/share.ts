/**
 * The experiment setup as a link: `?setup=` + the settings as base64url JSON. Opening it loads the
 * same variants, backends, tokens, context, stride and runs (through migrateSettings, so a link
 * made by an older or newer build still opens, and what this build cannot make is named).
 */
import { migrateSettings, type Migrated } from '../store/settings';
import { DEFAULT_SETTINGS, type RunSettings } from '../store/types';

export const SETUP_PARAM = 'setup';

const toBase64Url = (text: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

function fromBase64Url(s: string): string {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** The page's address with this setup (other query flags such as ?nogpu=1 are kept). */
export function setupUrl(settings: RunSettings, href: string): string {
  const url = new URL(href);
  url.searchParams.set(SETUP_PARAM, toBase64Url(JSON.stringify(settings)));
  return url.toString();
}

/** The setup in a query string; a broken one says why in `dropped`. Undefined: the query has none. */
export function readSetup(search: string): Migrated | undefined {
  const raw = new URLSearchParams(search).get(SETUP_PARAM);
  if (raw === null) return undefined;
  try {
    return migrateSettings(JSON.parse(fromBase64Url(raw)));
  } catch (e) {
    return { settings: { ...DEFAULT_SETTINGS }, dropped: [`the link's setup could not be read (${(e as Error).message}); the defaults are used`], broken: true };
  }
}
