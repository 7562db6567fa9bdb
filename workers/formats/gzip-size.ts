/**
 * The gzip size of some bytes: what a download of them costs. Native CompressionStream (in
 * browsers, workers and Node 18+), streamed in chunks so a big model is never held twice.
 */
import { exportLayout } from './export-layout';
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
  // the model as exported: a big model's external data file counts too, its unchanged tensors read from their file (export-layout.ts)
  const layout = exportLayout(bytes);
  for (const part of [layout.onnx, ...layout.data]) {
    const size = part instanceof Uint8Array ? part.length : part.size;
    for (let at = 0; at < size; at += CHUNK) {
      const end = Math.min(at + CHUNK, size);
      if (!(part instanceof Uint8Array)) {
        await writer.write(new Uint8Array(await part.slice(at, end).arrayBuffer()));
        continue;
      }
      // a chunk of a weight arena (a resizable buffer, which web APIs refuse) goes as a copy
      const chunk = part.subarray(at, end);
      await writer.write(((part.buffer as ResizableBuffer).resizable ? chunk.slice() : chunk) as Uint8Array<ArrayBuffer>);
    }
  }
  await writer.close();
  return counting;
}
