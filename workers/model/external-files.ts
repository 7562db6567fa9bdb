/**
 * External data read per tensor, never whole. ONNX keeps a model past protobuf's 2 GiB as a small
 * .onnx (the graph, every initializer's name, dims, type and an external_data entry of location,
 * offset and length) beside data files (model.onnx_data, model.onnx_data_1, …). The graph is parsed
 * from the .onnx alone; the data files stay Blobs (a dropped File is one: a handle, no bytes read)
 * and a tensor's bytes are one Blob.slice of its file, read when that tensor is needed.
 *
 * So a file set of any size can be listed and checked (each tensor's range against its file's size)
 * without reading a byte of weights, one tensor can be read alone (to compress it), and the files
 * can be handed to onnxruntime-web as they are (its `externalData` session option takes Blobs).
 */
import { labError } from '../errors';
import { decodeModel, DT_FLOAT, onnx, readF32, toNum, type ModelProto, type TensorInfo, type TensorProto } from './onnx-graph';

/** A Blob (File) or anything that slices like one: Node's fs.openAsBlob gives one over a file on disk. */
export interface BlobLike {
  readonly size: number;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

export interface ExternalTensor {
  name: string;
  dims: number[];
  dataType: number;
  location: string;
  offset: number;
  length: number;
}

const isExternal = (t: TensorProto) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL;

function byteCount(t: TensorProto, key: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw labError('NotOnnx', `initializer ${t.name} declares an external ${key} of "${value}", not a byte count`);
  return n;
}

/**
 * Every external initializer with its range, checked against its file's size (no data read).
 * `sizes`: each data file's size by its location; a missing file or a range past a file's end is
 * refused, naming the tensor.
 */
export function listExternal(proto: ModelProto, sizes: ReadonlyMap<string, number>): ExternalTensor[] {
  const out: ExternalTensor[] = [];
  for (const t of proto.graph?.initializer ?? []) {
    if (!isExternal(t)) continue;
    const kv = new Map(t.externalData.map((e) => [e.key, e.value]));
    const location = kv.get('location');
    if (!location) throw labError('NotOnnx', `initializer ${t.name} is EXTERNAL but has no location entry`);
    const size = sizes.get(location);
    if (size === undefined) throw labError('MissingFile', `initializer ${t.name} lives in external file "${location}", which was not provided`);
    const offset = kv.has('offset') ? byteCount(t, 'offset', kv.get('offset')) : 0;
    const length = kv.has('length') ? byteCount(t, 'length', kv.get('length')) : size - offset;
    if (offset + length > size) throw labError('NotOnnx', `initializer ${t.name} wants bytes [${offset}, ${offset + length}) of "${location}", which has ${size}`);
    out.push({ name: t.name, dims: t.dims.map(toNum), dataType: t.dataType, location, offset, length });
  }
  return out;
}

/** One tensor's bytes: a single slice of its file. */
export async function readExternalTensor(t: ExternalTensor, files: ReadonlyMap<string, BlobLike>): Promise<Uint8Array> {
  const file = files.get(t.location);
  if (!file) throw labError('MissingFile', `initializer ${t.name} lives in external file "${t.location}", which was not provided`);
  const bytes = new Uint8Array(await file.slice(t.offset, t.offset + t.length).arrayBuffer());
  if (bytes.length !== t.length) throw labError('NotOnnx', `initializer ${t.name}: read ${bytes.length} of its ${t.length} bytes from "${t.location}"`);
  return bytes;
}

/** Reads bytes [start, end) of a Blob at once, without awaiting: FileReaderSync where there is one (a worker). */
export type SyncRead = (file: BlobLike, start: number, end: number) => Uint8Array;

/** The worker's synchronous Blob reader; undefined on a page's main thread and in Node. */
export function syncReader(): SyncRead | undefined {
  const Reader = (globalThis as { FileReaderSync?: new () => { readAsArrayBuffer(b: Blob): ArrayBuffer } }).FileReaderSync;
  if (!Reader) return undefined;
  const reader = new Reader();
  return (file, start, end) => new Uint8Array(reader.readAsArrayBuffer(file.slice(start, end) as Blob));
}

/** Tensors at least this big are left in their file when a sync reader can fetch them on demand. */
export const FILE_BACKED_MIN_BYTES = 64 * 1024;

const fileBackedSources = new WeakMap<TensorProto, { file: BlobLike; offset: number; length: number }>();

/** raw_data's length without reading a file-backed tensor's bytes. */
export const rawByteLength = (t: TensorProto): number => fileBackedSources.get(t)?.length ?? t.rawData?.length ?? 0;

/**
 * A file-backed tensor's bytes as a slice of its file (a handle, nothing read), else undefined:
 * a packed model keeps the tensors it leaves unchanged where they are (formats/external-weights.ts).
 */
export function fileSourceOf(t: TensorProto): Blob | undefined {
  const s = fileBackedSources.get(t);
  return s && (s.file.slice(s.offset, s.offset + s.length) as Blob);
}

/** The file a file-backed tensor is read from (a dropped File), else undefined: make-variant's copy yardstick reads each such file once. */
export const backingFileOf = (t: TensorProto): BlobLike | undefined => fileBackedSources.get(t)?.file;

/**
 * A float tensor's values without blocking the worker: a file-backed tensor is read with an async
 * Blob read (the file is read while the caller's GPU kernels run: make-variant reads a weight ahead),
 * any other with readF32.
 */
export async function readF32Ahead(t: TensorInfo): Promise<Float32Array> {
  const s = fileBackedSources.get(t.proto);
  if (!s || t.dataType !== DT_FLOAT) return readF32(t);
  const bytes = await s.file.slice(s.offset, s.offset + s.length).arrayBuffer();
  if (bytes.byteLength !== t.params * 4) throw labError('NotOnnx', `initializer ${t.name}: read ${bytes.byteLength} bytes for its ${t.params} floats`);
  return new Float32Array(bytes);
}

/**
 * `t.rawData` becomes a getter that reads the tensor's slice of its file each time it is asked
 * (a fresh array, garbage once the caller lets go): the model's weights are not held in memory,
 * one tensor is, while it is used. Assigning rawData makes it a plain field again.
 */
function fileBacked(t: TensorProto, e: ExternalTensor, file: BlobLike, read: SyncRead): void {
  Object.defineProperty(t, 'rawData', {
    configurable: true,
    enumerable: true,
    get: () => {
      const bytes = read(file, e.offset, e.offset + e.length);
      if (bytes.length !== e.length) throw labError('NotOnnx', `initializer ${t.name}: read ${bytes.length} of its ${e.length} bytes from "${e.location}"`);
      return bytes;
    },
    set: (value: Uint8Array) => {
      fileBackedSources.delete(t);
      Object.defineProperty(t, 'rawData', { value, writable: true, configurable: true, enumerable: true });
    },
  });
  fileBackedSources.set(t, { file, offset: e.offset, length: e.length });
}

/**
 * Puts every external tensor into its initializer (then inline, as if the .onnx had held it).
 * With `read` (a worker's FileReaderSync) the large ones are file-backed: read from their file
 * whenever their bytes are asked for, never all held (the 124 M shape: its 622 MiB of weights
 * are not in the worker's memory while variants are made and evaluated). Without it each tensor
 * is read with one slice: memory grows by one tensor at a time, and no buffer holds a whole file.
 */
export async function inlineExternalTensors(proto: ModelProto, files: ReadonlyMap<string, BlobLike>, read?: SyncRead): Promise<number> {
  const sizes = new Map([...files].map(([loc, f]) => [loc, f.size]));
  const byName = new Map((proto.graph?.initializer ?? []).map((t) => [t.name, t]));
  let fetched = 0;
  for (const e of listExternal(proto, sizes)) {
    const t = byName.get(e.name)!;
    if (read && e.length >= FILE_BACKED_MIN_BYTES) fileBacked(t, e, files.get(e.location)!, read);
    else {
      t.rawData = await readExternalTensor(e, files);
      fetched += e.length;
    }
    t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
    t.externalData = [];
  }
  return fetched;
}

/** The data files as onnxruntime-web's `externalData` session option takes them (Blobs, not read here). */
export const externalDataOption = (files: ReadonlyMap<string, Blob>): { path: string; data: Blob }[] =>
  [...files].map(([path, data]) => ({ path, data }));

/** Chromium cannot read a Blob of 2 GiB or more at once (NotReadableError); parts stay under this. */
export const PART_MAX_BYTES = 2 ** 30;

/**
 * The .onnx and its data files as onnxruntime-web gets them: each data file over `partMax` is given
 * as parts (Blob slices of whole tensors, not read here), with the .onnx's locations and offsets
 * rewritten to name them: onnxruntime-web reads each file it is given with one Blob.arrayBuffer(),
 * which Chromium refuses for a 2.28 GiB model.onnx_data ("The requested file could not be read").
 * Files under `partMax` are given as they are and the .onnx bytes are returned unchanged.
 */
export function externalDataParts(onnxBytes: Uint8Array, files: ReadonlyMap<string, Blob>, partMax = PART_MAX_BYTES): { bytes: Uint8Array; files: { path: string; data: Blob }[] } {
  if ([...files.values()].every((f) => f.size <= partMax)) return { bytes: onnxBytes, files: externalDataOption(files) };
  const proto = decodeModel(onnxBytes);
  const byName = new Map((proto.graph?.initializer ?? []).map((t) => [t.name, t]));
  const tensors = listExternal(proto, new Map([...files].map(([loc, f]) => [loc, f.size])));
  const out: { path: string; data: Blob }[] = [];
  for (const [loc, file] of files) {
    if (file.size <= partMax) {
      out.push({ path: loc, data: file });
      continue;
    }
    const mine = tensors.filter((t) => t.location === loc).sort((a, b) => a.offset - b.offset);
    let part: { path: string; start: number; end: number } | undefined;
    const close = () => part && out.push({ path: part.path, data: file.slice(part.start, part.end) });
    for (const t of mine) {
      if (!part || t.offset + t.length - part.start > partMax) {
        close();
        part = { path: `${loc}.part${out.length}`, start: t.offset, end: t.offset };
      }
      part.end = Math.max(part.end, t.offset + t.length);
      byName.get(t.name)!.externalData = [
        { key: 'location', value: part.path },
        { key: 'offset', value: String(t.offset - part.start) },
        { key: 'length', value: String(t.length) },
      ];
    }
    close();
  }
  return { bytes: onnx.ModelProto.encode(proto as never).finish(), files: out };
}
