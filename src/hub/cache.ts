/**
 * The browser's copy of what was downloaded from the hub: one Cache API cache, keyed by the URL
 * the file came from ({base}/{id}/resolve/main/{path}, and the listing's URL), so a second load of
 * the same id reads everything here and makes no request. Cached files are not re-validated: a repo
 * updated since is picked up after "Clear" (the field's button). Where the Cache API is missing or
 * refuses a write (quota, private mode), downloads still load, they are just not kept.
 */
const NAME = 'lab-hub-v1';

async function open(): Promise<Cache | undefined> {
  try {
    return typeof caches === 'undefined' ? undefined : await caches.open(NAME);
  } catch {
    return undefined;
  }
}

export async function cachedBytes(url: string): Promise<ArrayBuffer | undefined> {
  const r = await (await open())?.match(url);
  return r ? r.arrayBuffer() : undefined;
}

/** Keeps a copy; false when the browser refused it (the load goes on either way). */
export async function keep(url: string, data: Uint8Array<ArrayBuffer>): Promise<boolean> {
  const cache = await open();
  if (!cache) return false;
  try {
    await cache.put(url, new Response(data, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.byteLength) } }));
    return true;
  } catch {
    return false;
  }
}

/** What the cache holds: the model ids whose listing is kept, and the bytes of every entry. */
export async function cacheSummary(): Promise<{ ids: string[]; bytes: number }> {
  const cache = await open();
  if (!cache) return { ids: [], bytes: 0 };
  const ids: string[] = [];
  let bytes = 0;
  for (const req of await cache.keys()) {
    const m = /\/api\/models\/(.+)\?blobs=true$/.exec(req.url);
    if (m) ids.push(decodeURIComponent(m[1]));
    bytes += Number((await cache.match(req))?.headers.get('content-length') ?? 0);
  }
  return { ids, bytes };
}

export async function clearCache(): Promise<void> {
  if (typeof caches !== 'undefined') await caches.delete(NAME);
}
