/**
 * The gzip size of some bytes: what a download of them costs. Native CompressionStream (in
 * browsers, workers and Node 18+), streamed in chunks so a big model is never held twice.
 */
import { modelParts } from './external-weights';
import type { ResizableBuffer } from './weight-arena';

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
  // a big model's external data file counts too (formats/external-weights.ts)
  for (const part of modelParts(bytes)) {
    for (let at = 0; at < part.length; at += CHUNK) {
      // a chunk of a weight arena (a resizable buffer, which web APIs refuse) goes as a copy
      const chunk = part.subarray(at, Math.min(at + CHUNK, part.length));
      await writer.write(((part.buffer as ResizableBuffer).resizable ? chunk.slice() : chunk) as Uint8Array<ArrayBuffer>);
    }
  }
  await writer.close();
  return counting;
}
