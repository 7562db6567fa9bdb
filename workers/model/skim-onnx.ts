/**
 * A big .onnx given as a handle (a dropped File) is read without holding it: its protobuf is
 * walked through Blob slices, and every large initializer's raw_data is not read but recorded as
 * external data of the .onnx file itself (data_location EXTERNAL, location = a name for the file,
 * offset and length of the raw bytes inside it). What comes out is a small .onnx (graph, names,
 * dims, small tensors) plus the file as that external data file, which the lab already reads
 * tensor by tensor (external-files.ts) and hands to onnxruntime-web as its `externalData`.
 *
 * Why: a 124 M model's 622 MiB .onnx held as bytes in the worker stays there as long as the
 * model is loaded, under every variant made and evaluated from it (bench "scale").
 */
import { labError } from '../errors';
import { decodeModel, onnx, type ModelProto } from './onnx-graph';
import type { BlobLike } from './external-files';

/** Initializers at least this big are left in the file; smaller ones are read into the graph. */
export const SKIM_MIN_TENSOR_BYTES = 64 * 1024;

const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_RAW_DATA = 9;
const CHUNK = 1 << 20;

/** Reads a Blob through a window of one chunk: small reads (tags, lengths) cost one slice per chunk. */
class Cursor {
  private buf = new Uint8Array(0);
  private at = 0;
  constructor(private readonly blob: BlobLike) {}

  get size(): number {
    return this.blob.size;
  }

  /** bytes [pos, pos + n) of the blob (a view of the window when it fits in one chunk, else its own read) */
  async bytes(pos: number, n: number): Promise<Uint8Array> {
    if (pos + n > this.blob.size) throw labError('NotOnnx', `the .onnx ends at byte ${this.blob.size}, a field wants bytes up to ${pos + n}: the file is damaged`);
    if (pos >= this.at && pos + n <= this.at + this.buf.length) return this.buf.subarray(pos - this.at, pos - this.at + n);
    if (n > CHUNK) return new Uint8Array(await this.blob.slice(pos, pos + n).arrayBuffer());
    this.at = pos;
    this.buf = new Uint8Array(await this.blob.slice(pos, Math.min(this.blob.size, pos + CHUNK)).arrayBuffer());
    return this.buf.subarray(0, n);
  }

  /** a varint at `pos`: its value and the position after it */
  async varint(pos: number): Promise<[number, number]> {
    const b = await this.bytes(pos, Math.min(10, this.blob.size - pos));
    let value = 0;
    for (let i = 0, scale = 1; i < b.length; i++, scale *= 128) {
      value += (b[i] & 0x7f) * scale;
      if (b[i] < 0x80) return [value, pos + i + 1];
    }
    throw labError('NotOnnx', `a varint at byte ${pos} of the .onnx does not end: the file is damaged`);
  }
}

interface Field {
  number: number;
  wireType: number;
  /** where the field's tag starts, where its value (after a length prefix) starts, and its end */
  start: number;
  value: number;
  end: number;
}

async function fieldAt(c: Cursor, pos: number, limit: number): Promise<Field> {
  const [tag, afterTag] = await c.varint(pos);
  const wireType = tag % 8;
  const number = Math.floor(tag / 8);
  let value = afterTag;
  let end: number;
  if (wireType === 0) end = (await c.varint(afterTag))[1];
  else if (wireType === 1) end = afterTag + 8;
  else if (wireType === 5) end = afterTag + 4;
  else if (wireType === 2) {
    const [len, after] = await c.varint(afterTag);
    value = after;
    end = after + len;
  } else throw labError('NotOnnx', `the .onnx has a protobuf field of wire type ${wireType} at byte ${pos}, which ONNX does not use: the file is damaged`);
  if (end > limit) throw labError('NotOnnx', `a protobuf field at byte ${pos} of the .onnx runs past its message's end: the file is damaged`);
  return { number, wireType, start: pos, value, end };
}

function varintBytes(n: number): number[] {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** A length-delimited field of `number` holding `parts`. */
function lengthDelimited(number: number, parts: Uint8Array[]): Uint8Array[] {
  const len = parts.reduce((a, p) => a + p.length, 0);
  return [Uint8Array.from([...varintBytes(number * 8 + 2), ...varintBytes(len)]), ...parts];
}

/** Copies of the field's bytes as they are (tag included). */
const verbatim = async (c: Cursor, f: Field) => (await c.bytes(f.start, f.end - f.start)).slice();

/**
 * One initializer: its fields but raw_data, with raw_data's place in the file as external data.
 * An initializer without raw_data (typed fields, already external) is kept as it is.
 */
async function skimTensor(c: Cursor, f: Field, location: string): Promise<Uint8Array[]> {
  const kept: Uint8Array[] = [];
  let raw: Field | undefined;
  for (let pos = f.value; pos < f.end; ) {
    const g = await fieldAt(c, pos, f.end);
    if (g.number === TENSOR_RAW_DATA && g.wireType === 2) raw = g;
    else kept.push(await verbatim(c, g));
    pos = g.end;
  }
  if (!raw) return [await verbatim(c, f)];
  const small = new Uint8Array(kept.reduce((a, p) => a + p.length, 0));
  kept.reduce((at, p) => (small.set(p, at), at + p.length), 0);
  const t = onnx.TensorProto.decode(small);
  t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  t.externalData = [
    { key: 'location', value: location },
    { key: 'offset', value: String(raw.value) },
    { key: 'length', value: String(raw.end - raw.value) },
  ];
  return lengthDelimited(GRAPH_INITIALIZER, [onnx.TensorProto.encode(t).finish()]);
}

async function skimGraph(c: Cursor, f: Field, location: string): Promise<Uint8Array[]> {
  const parts: Uint8Array[] = [];
  for (let pos = f.value; pos < f.end; ) {
    const g = await fieldAt(c, pos, f.end);
    const big = g.number === GRAPH_INITIALIZER && g.wireType === 2 && g.end - g.value >= SKIM_MIN_TENSOR_BYTES;
    parts.push(...(big ? await skimTensor(c, g, location) : [await verbatim(c, g)]));
    pos = g.end;
  }
  return lengthDelimited(MODEL_GRAPH, parts);
}

/**
 * The .onnx in `file` as a small ModelProto whose large initializers are external data at
 * `location` (the same file). Reads the file's structure and small fields, never a large tensor.
 */
export async function skimOnnx(file: BlobLike, location: string): Promise<{ bytes: Uint8Array; proto: ModelProto; tensors: number }> {
  const c = new Cursor(file);
  const parts: Uint8Array[] = [];
  for (let pos = 0; pos < c.size; ) {
    const f = await fieldAt(c, pos, c.size);
    parts.push(...(f.number === MODEL_GRAPH && f.wireType === 2 ? await skimGraph(c, f, location) : [await verbatim(c, f)]));
    pos = f.end;
  }
  const bytes = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((at, p) => (bytes.set(p, at), at + p.length), 0);
  const proto = decodeModel(bytes);
  const tensors = proto.graph!.initializer.filter((t) => t.externalData.some((e) => e.key === 'location' && e.value === location)).length;
  return { bytes, proto, tensors };
}
