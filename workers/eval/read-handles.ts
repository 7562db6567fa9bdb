/**
 * Data files given as handles (Blobs: a dropped model's files, or the unchanged tensors a packed
 * model keeps as slices of them) read for onnxruntime-web into buffers this module owns, so their
 * memory goes back the moment the session holds the weights. Handed a Blob, onnxruntime-web reads
 * it with Blob.arrayBuffer() and drops the result after the session is made, leaving it to the
 * worker's GC, which may not run before the evaluation that follows: on the 124 M shape those
 * ~300 MiB sat beside the running session's peak (scripts/probe-memory.ts, bench "scale").
 * Each handle is streamed into a resizable ArrayBuffer; release() shrinks them to nothing.
 */
import type { ExternalFile } from './external-data';
import type { ResizableBuffer } from '../formats/weight-arena';

const Resizable = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => ResizableBuffer;

async function readInto(blob: Blob): Promise<Uint8Array> {
  const buffer = new Resizable(blob.size, { maxByteLength: blob.size });
  const out = new Uint8Array(buffer, 0, blob.size);
  const reader = blob.stream().getReader();
  let at = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out.set(value, at);
    at += value.length;
  }
  if (at !== blob.size) throw new Error(`read ${at} of a data file's ${blob.size} bytes`);
  return out;
}

export async function readHandles(files: readonly ExternalFile[]): Promise<{ files: { path: string; data: Uint8Array }[]; release(): void }> {
  const read: Uint8Array[] = [];
  const release = () => {
    for (const r of read) (r.buffer as ResizableBuffer).resize(0);
  };
  try {
    const out: { path: string; data: Uint8Array }[] = [];
    // one at a time: a file is read while the others wait as handles
    for (const f of files) {
      if (f.data instanceof Uint8Array) out.push({ path: f.path, data: f.data });
      else {
        const bytes = await readInto(f.data);
        read.push(bytes);
        out.push({ path: f.path, data: bytes });
      }
    }
    return { files: out, release };
  } catch (e) {
    release();
    throw e;
  }
}
