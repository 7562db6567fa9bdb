/**
 * The gzip size of some bytes: what a download of them costs. Native CompressionStream (in
 * browsers, workers and Node 18+), streamed in chunks so a big model is never held twice.
 */
const CHUNK = 4 << 20;

export async function gzipSize(bytes: Uint8Array): Promise<number> {
  const cs = new CompressionStream('gzip');
  const writer = cs.writable.getWriter();
  const counting = (async () => {
    let n = 0;
    const reader = cs.readable.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return n;
      n += value.byteLength;
    }
  })();
  for (let at = 0; at < bytes.length; at += CHUNK) {
    await writer.write(bytes.subarray(at, Math.min(at + CHUNK, bytes.length)) as Uint8Array<ArrayBuffer>);
  }
  await writer.close();
  return counting;
}
