/**
 * The yardsticks issue 6 holds a make to, timed in the same make, before a weight is read:
 * - ms, the "time to copy the model's bytes once": the model's bytes as the lab holds them,
 *   each into a new buffer. A dropped model's files (File handles, read tensor by tensor by the make:
 *   model/external-files.ts) are read from the File; bytes the worker holds in memory (a demo or
 *   fetched model, a small .onnx beside its data file) are copied. So for a dropped model this is
 *   a file read, not a memory copy.
 * - memcpyMs, a plain in-memory copy of the same bytes (`slice()` into new buffers), the bytes
 *   already in memory: what "a copy" costs when nothing is read. Copied in parts of MEMCPY_PART
 *   bytes, each part's buffer detached (freed) before the next is made, so the yardstick does not
 *   hold a second copy of the model in the make whose RSS the bench measures (scale block); every
 *   part is still fresh memory, its pages touched for the first time, as a copy's are.
 * Files of 2 GiB and more are read in parts (Chromium refuses a Blob read that large at once).
 *
 * It costs a read of the whole model (0.3 s or more and the model's size in transient memory for
 * the 124 M shape), so a make times it only when the worker's URL asks: `?copyYardstick=1`, which
 * the bench's harness page hands on (scripts/bench-variants.ts, e2e/harness/engine.ts).
 */
import type { LoadedModel } from '../model/load';
import { backingFileOf, PART_MAX_BYTES, type BlobLike } from '../model/external-files';

export interface CopyYardstick {
  /** the yardstick: the bytes as held (files read, memory copied) into new buffers */
  ms: number;
  bytes: number;
  /** the same bytes copied in memory into new buffers */
  memcpyMs: number;
}

/** Part size of the memory copy: small beside a model, large beside a page (64 MiB). */
export const MEMCPY_PART = 64 * 2 ** 20;

/** True in a worker started with ?copyYardstick=1. */
export function copyYardstickWanted(): boolean {
  const href = (globalThis as { location?: { href: string } }).location?.href;
  return !!href && new URL(href).searchParams.get('copyYardstick') === '1';
}

/** Gives a buffer's memory back now rather than at the next GC (ES2024 transfer; a no-op where missing). */
const free = (b: ArrayBufferLike) => (b as ArrayBuffer & { transfer?: (n: number) => ArrayBuffer }).transfer?.(0);

/** ms to copy `src` in memory, part by part, each into a new buffer freed before the next. */
export function memcpyTime(src: Uint8Array): number {
  let ms = 0;
  for (let at = 0; at < src.length; at += MEMCPY_PART) {
    const part = src.subarray(at, Math.min(src.length, at + MEMCPY_PART));
    const t0 = performance.now();
    const copy = part.slice();
    ms += performance.now() - t0;
    free(copy.buffer);
  }
  return ms;
}

export async function copyModelOnce(model: LoadedModel): Promise<CopyYardstick> {
  const files = new Set<BlobLike>();
  for (const info of model.parsed.tensors.values()) {
    const f = backingFileOf(info.proto);
    if (f) files.add(f);
  }
  const fileBytes = [...files].reduce((a, f) => a + f.size, 0);
  let ms = 0;
  let memcpyMs = 0;
  let bytes = 0;
  // the bytes the files do not hold (a skimmed .onnx is itself the file: nothing more)
  if (fileBytes < model.baselineSize) {
    const t0 = performance.now();
    const copy = model.baselineBytes.slice();
    ms += performance.now() - t0;
    bytes += copy.length;
    free(copy.buffer);
    memcpyMs += memcpyTime(model.baselineBytes);
  }
  for (const f of files) {
    for (let at = 0; at < f.size; at += PART_MAX_BYTES) {
      const t0 = performance.now();
      const read = new Uint8Array(await f.slice(at, Math.min(f.size, at + PART_MAX_BYTES)).arrayBuffer());
      ms += performance.now() - t0;
      bytes += read.length;
      memcpyMs += memcpyTime(read);
      free(read.buffer);
    }
  }
  return { ms, bytes, memcpyMs };
}
