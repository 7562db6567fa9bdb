/**
 * The yardstick issue 6 holds a make to: "the time to copy the model's bytes once", timed in the
 * same make. The model's bytes as the lab holds them: a dropped model's files (File handles, read
 * tensor by tensor by the make: model/external-files.ts) each read into a new buffer, and bytes the
 * worker holds in memory (a demo or fetched model, a small .onnx beside its data file) copied into
 * a new buffer. A new buffer each time: its pages are touched for the first time, as a copy's are.
 * Files of 2 GiB and more are read in parts (Chromium refuses a Blob read that large at once).
 *
 * It costs a read of the whole model (0.3 s or more and the model's size in transient memory for
 * the 124 M shape), so a make times it only when the worker's URL asks: `?copyYardstick=1`, which
 * the bench's harness page hands on (scripts/bench-variants.ts, e2e/harness/engine.ts).
 */
import type { LoadedModel } from '../model/load';
import { backingFileOf, PART_MAX_BYTES, type BlobLike } from '../model/external-files';

export interface CopyYardstick {
  ms: number;
  bytes: number;
}

/** True in a worker started with ?copyYardstick=1. */
export function copyYardstickWanted(): boolean {
  const href = (globalThis as { location?: { href: string } }).location?.href;
  return !!href && new URL(href).searchParams.get('copyYardstick') === '1';
}

export async function copyModelOnce(model: LoadedModel): Promise<CopyYardstick> {
  const files = new Set<BlobLike>();
  for (const info of model.parsed.tensors.values()) {
    const f = backingFileOf(info.proto);
    if (f) files.add(f);
  }
  const fileBytes = [...files].reduce((a, f) => a + f.size, 0);
  const start = performance.now();
  let bytes = 0;
  // the bytes the files do not hold (a skimmed .onnx is itself the file: nothing more)
  if (fileBytes < model.baselineSize) bytes += model.baselineBytes.slice().length;
  for (const f of files) {
    for (let at = 0; at < f.size; at += PART_MAX_BYTES) bytes += (await f.slice(at, Math.min(f.size, at + PART_MAX_BYTES)).arrayBuffer()).byteLength;
  }
  return { ms: performance.now() - start, bytes };
}
