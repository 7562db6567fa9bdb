/**
 * A big packed model as ONNX keeps one past protobuf's comfort: a small .onnx whose initializers
 * say where their bytes are (data_location EXTERNAL, location / offset / length) and one data file
 * with those bytes, written once. Why: onnxruntime-web copies a model handed as one buffer into its
 * WASM heap and parses it there (its protobuf copies every weight again) before it makes the
 * session's tensors; with the weights in an external data file (its `externalData` option) each
 * tensor is copied once, straight from the JS bytes into its place (bench "scale": the 124 M
 * shape's evaluation). The bytes are tagged with the file (eval/external-data.ts), so sessions,
 * scored graphs and exports find it.
 */
import { externalDataOf, type ExternalFile } from '../eval/external-data';
import { onnx, type TensorProto } from '../model/onnx-graph';
import type { WeightArena } from './weight-arena';
import { exportedSize } from './export-layout';
import { fileSourceOf, rawByteLength } from '../model/external-files';

export const EXTERNAL_DATA_PATH = 'model.onnx_data';
/** Models with fewer weight bytes stay one self-contained .onnx (every demo model, every test model). */
export const EXTERNAL_MIN_TOTAL_BYTES = 128 * 2 ** 20;
/** Tensors smaller than this stay inline (biases, norms, shapes). */
const EXTERNAL_MIN_TENSOR_BYTES = 4096;
/** Each tensor starts on a 64-byte boundary of the data file. */
const ALIGN = 64;

// a file-backed tensor's length without reading it (model/external-files.ts)
const rawLength = (t: TensorProto) => rawByteLength(t);

/**
 * The initializers with the big ones moved to one data buffer, or undefined below `minTotal` bytes.
 * With an arena (weight-arena.ts) the data file is the arena: tensors already in it stay where
 * they are, the others are appended; without one, a buffer is allocated and filled. With an arena,
 * a tensor still file-backed (an unchanged weight of a model dropped as files: model/external-files.ts)
 * is not copied at all: it becomes a data file of its own, `sources`, a slice of the dropped file
 * (a handle): the packed model holds only the bytes it made (export-layout.ts writes one file).
 */
export function externalWeights(initializer: readonly TensorProto[], minTotal = EXTERNAL_MIN_TOTAL_BYTES, arena?: WeightArena): { initializer: TensorProto[]; data: Uint8Array; sources: ExternalFile[] } | undefined {
  const moved = initializer.map((t) => t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL && rawLength(t) >= EXTERNAL_MIN_TENSOR_BYTES);
  const total = initializer.reduce((a, t, k) => a + (moved[k] ? rawLength(t) : 0), 0);
  if (total < minTotal) return undefined;
  let place: (raw: Uint8Array, k: number) => number;
  let data: () => Uint8Array;
  if (arena) {
    place = (raw) => (arena.offsetOf(raw) >= 0 ? arena.offsetOf(raw) : arena.offsetOf(arena.keep(raw)));
    data = () => arena.bytes();
  } else {
    let size = 0;
    const offsets = initializer.map((t, k) => {
      if (!moved[k]) return -1;
      const at = size;
      size = Math.ceil((size + rawLength(t)) / ALIGN) * ALIGN;
      return at;
    });
    const buffer = new Uint8Array(size);
    place = (raw, k) => {
      buffer.set(raw, offsets[k]);
      return offsets[k];
    };
    data = () => buffer;
  }
  const sources: ExternalFile[] = [];
  const out = initializer.map((t, k) => {
    if (!moved[k]) return t;
    const source = arena && fileSourceOf(t);
    if (source) sources.push({ path: `${EXTERNAL_DATA_PATH}.source${sources.length}`, data: source });
    return externalTensor(t, source ? sources[sources.length - 1].path : EXTERNAL_DATA_PATH, source ? 0 : place(t.rawData, k), rawLength(t));
  });
  return { initializer: out, data: data(), sources };
}

/** `t` with its bytes at [offset, offset + length) of the data file `location`. */
export function externalTensor(t: TensorProto, location: string, offset: number, length: number): TensorProto {
  return onnx.TensorProto.create({
    name: t.name,
    dims: t.dims as number[],
    dataType: t.dataType,
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(length) },
    ],
  }) as unknown as TensorProto;
}

/** The model's files as bytes: the .onnx, then each external data file the lab wrote (a dropped file's handle is not read here). */
export function modelParts(bytes: Uint8Array): Uint8Array[] {
  return [bytes, ...(externalDataOf(bytes) ?? []).flatMap((f) => (f.data instanceof Uint8Array ? [f.data] : []))];
}

/** Bytes of the model with its external data files, as exported (export-layout.ts: unchanged tensors kept as file slices count once, in the one data file). */
export function modelSize(bytes: Uint8Array): number {
  return exportedSize(bytes);
}
