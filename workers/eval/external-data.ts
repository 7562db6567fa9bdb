/**
 * Model bytes whose weights stay in external data files (a dropped folder's model.onnx_data, kept
 * as File handles): the bytes are the small .onnx, tagged here with the files, and the session
 * hands them to onnxruntime-web as its `externalData` option (ort-runtime.ts) instead of one
 * buffer with every weight inside. Graphs made from such bytes without decoding their weights
 * (the scored graph, the pair graph, hidden-state outputs) keep the tag: their initializers still
 * point at the same files.
 */
export interface ExternalFile {
  /** the `location` the .onnx names */
  path: string;
  /** a dropped file's handle, or bytes the lab wrote (a big packed variant's weights: formats/external-weights.ts) */
  data: Blob | Uint8Array;
}

const tags = new WeakMap<Uint8Array, readonly ExternalFile[]>();

export function withExternalData(bytes: Uint8Array, files: readonly ExternalFile[]): Uint8Array {
  if (files.length) tags.set(bytes, files);
  return bytes;
}

export const externalDataOf = (bytes: Uint8Array): readonly ExternalFile[] | undefined => tags.get(bytes);

/** `out`, made from `from` without reading their weights, reads the same external files. */
export function sameExternalData(out: Uint8Array, ...from: Uint8Array[]): Uint8Array {
  const files = from.flatMap((b) => tags.get(b) ?? []);
  return withExternalData(out, [...new Map(files.map((f) => [f.path, f])).values()]);
}
