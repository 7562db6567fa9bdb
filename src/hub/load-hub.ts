/**
 * "Load" on the hub field: list the repo (GET {base}/api/models/{id}?blobs=true: `siblings`
 * with each file's size), choose its files as for a dropped folder (listing.ts), then hand them
 * to the folder-drop path — readChecked (size check, preferred graph, "other graphs" remembered)
 * and loadPicked (the worker's gatherFiles/buildModel) — as handles that download on read.
 * Nothing here runs before the click. The listing is cached with the files, so a second load of
 * the same id makes no request at all.
 */
import { loadPicked } from '../engine/lab';
import { EXPECTED, toLabError } from '../engine/errors';
import { readChecked } from '../lib/files';
import { bytes, duration } from '../lib/format';
import { useLab } from '../store';
import { cachedBytes, keep } from './cache';
import { fileUrl, hostOf, listingUrl } from './hub-id';
import { selectFiles, type HubSibling } from './listing';
import { httpProblem, HubProblem, networkProblem } from './problems';
import { begin, end, remote, useHub, type Session } from './session';

/** The listing, from the cache when this id was loaded before. */
async function listing(s: Session): Promise<{ siblings: HubSibling[]; cached: boolean }> {
  const url = listingUrl(s.base, s.id);
  const hit = await cachedBytes(url);
  const parse = (b: ArrayBuffer) => (JSON.parse(new TextDecoder().decode(b)) as { siblings?: HubSibling[] }).siblings ?? [];
  if (hit) return { siblings: parse(hit), cached: true };
  let r: Response;
  try {
    r = await fetch(url, { signal: s.controller.signal, credentials: 'omit' });
  } catch {
    throw s.controller.signal.aborted ? new HubProblem('Cancelled', `Listing ${s.id} cancelled`) : networkProblem(s.base, navigator.onLine);
  }
  if (!r.ok) throw httpProblem(r.status, 'the model list', s.id, s.base, r.headers.get('x-error-code'));
  const body = new Uint8Array(await r.arrayBuffer());
  let siblings: HubSibling[];
  try {
    siblings = parse(body.buffer);
  } catch (e) {
    throw new HubProblem('Http', `${hostOf(s.base)} answered the model list of ${s.id} with something that is not JSON (${(e as Error).message})`);
  }
  return { siblings, cached: false };
}

export async function loadFromHub(id: string, base: string): Promise<void> {
  const s = begin(id, base);
  const started = Date.now();
  const before = useLab.getState().model;
  try {
    const url = listingUrl(base, id);
    const list = await listing(s);
    const sel = selectFiles(id, list.siblings);
    // paths under the repo's name, as in a folder cloned from the hub: the card names the model after it
    const folder = id.slice(id.lastIndexOf('/') + 1);
    const picked = sel.files.map((f) => ({ path: `${folder}/${f.path}`, file: remote(id, base, fileUrl(base, id, f.path), f.path, f.size) }));
    const files = await readChecked(picked);
    const downloadSecs = (Date.now() - started) / 1000;
    // the listing is kept once the files it names are: a cancelled first load lists again
    if (!list.cached) await keep(url, new TextEncoder().encode(JSON.stringify({ id, siblings: list.siblings })));
    const p = s.progress;
    end(s);
    await loadPicked(() => Promise.resolve(files));
    const model = useLab.getState().model;
    const how = p.downloaded === 0
      ? `from this browser's cache, no request made (${bytes(p.done)})`
      : `from ${hostOf(base)}: ${bytes(p.downloaded)} downloaded${p.fromCache ? ` (${p.fromCache} of ${p.files} files from the cache)` : ''} in ${duration(downloadSecs)}`;
    const loaded = model !== before && model;
    useHub.getState().set({
      status: loaded ? `${id} ${how}; graph ${sel.preferred}` : `${id} downloaded ${how}, but the lab could not load it (see the message above)`,
      modelId: loaded ? model.id : undefined,
    });
  } catch (e) {
    end(s);
    const err = e instanceof HubProblem ? e : toLabError(e);
    const kept = useLab.getState().model ? ` The current model (${useLab.getState().model!.name}) stays loaded.` : '';
    const detail = e instanceof HubProblem ? '' : ` ${EXPECTED[toLabError(e).code] ?? ''}`;
    if (e instanceof HubProblem && e.kind === 'Cancelled') useHub.getState().set({ status: `${e.message}.${kept}` });
    else useHub.getState().set({ error: `Could not load ${id}: ${err.message}.${kept}${detail}`.trim() });
  }
}
