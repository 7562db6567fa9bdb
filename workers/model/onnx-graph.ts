/**
 * ONNX model I/O on the protobuf schema of onnx-proto (protobufjs static code).
 *
 * parseModel decodes the ModelProto (tensor bytes stay views into the file buffer: protobufjs
 * slices with subarray), pulls external data (`.onnx_data`, data_location EXTERNAL with
 * location/offset/length) into the initializers as views of the data file, and indexes them.
 * findLinearWeights lists the MatMul/Gemm nodes whose B is a 2-D f32 initializer.
 * writeVariant clones the model with some initializers replaced and serializes it for ORT
 * (all data inline: fine below protobuf's 2 GB limit).
 */
import onnxProto from 'onnx-proto';
import type { LinearWeight } from '../api';
import { labError } from '../errors';
import { withExternalData } from '../eval/external-data';
import { EXTERNAL_DATA_PATH, externalWeights } from '../formats/external-weights';

export const onnx = onnxProto.onnx;

/*
 * What decode() gives, typed as decoded (repeated fields are arrays, strings default to ''),
 * since the generated interfaces mark every field optional.
 */
export interface TensorProto {
  name: string;
  dims: unknown[];
  dataType: number;
  rawData: Uint8Array;
  floatData: number[];
  dataLocation: number;
  externalData: { key: string; value: string }[];
}
export interface NodeProto {
  name: string;
  opType: string;
  /** '' for the default ONNX domain */
  domain: string;
  input: string[];
  output: string[];
  attribute: { name: string; i: unknown }[];
}
export interface GraphProto {
  node: NodeProto[];
  initializer: TensorProto[];
  input: { name: string }[];
  output: { name: string }[];
}
export interface ModelProto {
  graph: GraphProto | null;
}

/** TensorProto.DataType values we read. */
export const DT_FLOAT = 1;
const DT_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };
const PROTOBUF_LIMIT = 2 ** 31 - 1;

/** int64 fields decode as Long in Node (when `long` is installed) and as number in the browser. */
export function toNum(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'bigint') return Number(x);
  if (x && typeof (x as { toNumber?: unknown }).toNumber === 'function') return (x as { toNumber(): number }).toNumber();
  return Number(x);
}

export interface TensorInfo {
  name: string;
  dataType: number;
  dims: number[];
  params: number;
  proto: TensorProto;
}

export interface ParsedModel {
  proto: ModelProto;
  tensors: Map<string, TensorInfo>;
  inputNames: string[];
  outputNames: string[];
  /** true when some initializer came from an external data file */
  hadExternalData: boolean;
}

/** Finds an external data file by its `location` (relative to the .onnx file's folder). */
export type ExternalResolver = (location: string) => Uint8Array | undefined;

/** Decodes and checks that it is a ModelProto with a graph. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  let proto: ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes) as unknown as ModelProto;
  } catch (e) {
    throw labError('NotOnnx', `expected an ONNX ModelProto, the file did not decode (${(e as Error).message})`);
  }
  const graph = proto.graph;
  if (!graph || !graph.node?.length) {
    throw labError('NotOnnx', `expected an ONNX ModelProto with a graph of nodes, got ${graph ? 'an empty graph' : 'no graph'} (${bytes.length} bytes)`);
  }
  return proto;
}

/** The external data files the initializers refer to. */
export function externalLocations(proto: ModelProto): string[] {
  const out = new Set<string>();
  for (const t of proto.graph!.initializer) {
    if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
    const loc = t.externalData.find((e) => e.key === 'location')?.value;
    if (loc) out.add(loc);
  }
  return [...out];
}

/** Inlines external data (as views of the data files) and indexes the initializers. */
export function indexModel(proto: ModelProto, resolveExternal: ExternalResolver = () => undefined): ParsedModel {
  const graph = proto.graph!;
  let hadExternalData = false;
  const tensors = new Map<string, TensorInfo>();
  for (const t of graph.initializer) {
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
      inlineExternal(t, resolveExternal);
      hadExternalData = true;
    }
    const dims = t.dims.map(toNum);
    tensors.set(t.name, { name: t.name, dataType: t.dataType, dims, params: dims.reduce((a, b) => a * b, 1), proto: t });
  }
  const inits = new Set(tensors.keys());
  return {
    proto,
    tensors,
    inputNames: graph.input.map((i) => i.name).filter((n) => !inits.has(n)),
    outputNames: graph.output.map((o) => o.name),
    hadExternalData,
  };
}

function inlineExternal(t: TensorProto, resolve: ExternalResolver): void {
  const kv = new Map(t.externalData.map((e) => [e.key, e.value]));
  const location = kv.get('location');
  if (!location) throw labError('NotOnnx', `initializer ${t.name} is EXTERNAL but has no location entry`);
  const file = resolve(location);
  if (!file) throw labError('MissingFile', `initializer ${t.name} lives in external file "${location}", which was not provided`);
  const offset = Number(kv.get('offset') ?? 0);
  const length = kv.has('length') ? Number(kv.get('length')) : file.length - offset;
  if (offset + length > file.length) {
    throw labError('NotOnnx', `initializer ${t.name} wants bytes [${offset}, ${offset + length}) of "${location}", which has ${file.length}`);
  }
  t.rawData = file.subarray(offset, offset + length);
  t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
  t.externalData = [];
}

/** Bytes of a tensor's data as stored (raw_data), or null if it uses a typed field. */
export function tensorByteLength(t: TensorInfo): number {
  return t.params * (DT_BYTES[t.dataType] ?? 4);
}

/** The f32 values of a float initializer (a view when aligned, else a copy). Treat as read-only. */
export function readF32(t: TensorInfo): Float32Array {
  if (t.dataType !== DT_FLOAT) throw new Error(`tensor ${t.name} has data type ${t.dataType}, expected FLOAT (1)`);
  const raw = t.proto.rawData;
  if (raw && raw.length) {
    if (raw.length !== t.params * 4) throw new Error(`tensor ${t.name}: ${raw.length} raw bytes for ${t.params} floats`);
    if (raw.byteOffset % 4 === 0) return new Float32Array(raw.buffer, raw.byteOffset, t.params);
    const copy = new Uint8Array(raw.length); // raw.slice() may be a view (Node Buffer)
    copy.set(raw);
    return new Float32Array(copy.buffer);
  }
  if (t.proto.floatData?.length === t.params) return Float32Array.from(t.proto.floatData);
  throw new Error(`tensor ${t.name} has neither raw_data nor float_data for ${t.params} values`);
}

/** MatMul/Gemm nodes whose B input is a 2-D f32 initializer. */
export function parseModel(bytes: Uint8Array, resolveExternal?: ExternalResolver): ParsedModel {
  return indexModel(decodeModel(bytes), resolveExternal);
}

export function findLinearWeights(m: ParsedModel): LinearWeight[] {
  const nodes = m.proto.graph!.node;
  const consumers = new Map<string, number>();
  for (const n of nodes) for (const i of n.input) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const out: LinearWeight[] = [];
  const seen = new Set<string>();
  for (const n of nodes) {
    const op = n.opType;
    if (op !== 'MatMul' && op !== 'Gemm') continue;
    const t = m.tensors.get(n.input[1]);
    if (!t || t.dataType !== DT_FLOAT || t.dims.length !== 2 || seen.has(t.name)) continue;
    let layout: LinearWeight['layout'] = 'in_out';
    if (n.opType === 'Gemm') {
      const transB = n.attribute.find((a) => a.name === 'transB');
      if (transB && toNum(transB.i) === 1) layout = 'out_in';
    }
    seen.add(t.name);
    out.push({
      name: t.name,
      node: n.name || `${n.opType}(${n.input.join(',')})`,
      op,
      shape: [t.dims[0], t.dims[1]],
      layout,
      params: t.params,
      shared: (consumers.get(t.name) ?? 0) > 1,
    });
  }
  return out;
}

/**
 * The model with some initializers replaced by f32 values, serialized. Everything else
 * (nodes, other initializers, metadata) is shared with the source proto, not copied.
 */
export function writeVariant(m: ParsedModel, replace: Map<string, Float32Array>): Uint8Array {
  const g = m.proto.graph!;
  const initializer = g.initializer.map((t) => {
    const v = replace.get(t.name);
    if (!v) return t;
    const info = m.tensors.get(t.name)!;
    if (v.length !== info.params) throw new Error(`replacement for ${t.name} has ${v.length} values, expected ${info.params}`);
    return onnx.TensorProto.create({
      name: t.name,
      dims: t.dims as number[],
      dataType: DT_FLOAT,
      rawData: new Uint8Array(v.buffer, v.byteOffset, v.byteLength),
    }) as unknown as TensorProto;
  });
  return serialize(m, initializer);
}

/** The model as ORT should load it: the original bytes if nothing changed, else re-encoded. */
export function writeBaseline(m: ParsedModel, original: Uint8Array): Uint8Array {
  return m.hadExternalData ? serialize(m, m.proto.graph!.initializer) : original;
}

function serialize(m: ParsedModel, initializer: TensorProto[]): Uint8Array {
  // weights one message cannot hold (a model past 2 GiB: its f32 twin, a rewritten baseline) go to
  // an external data buffer, as the packed writer does past 128 MiB (formats/external-weights.ts)
  const external = externalWeights(initializer, PROTOBUF_LIMIT - 64 * 2 ** 20);
  const bytes = serializeGraph(m, { initializer: external?.initializer ?? initializer } as unknown as Partial<onnxProto.onnx.IGraphProto>);
  return external ? withExternalData(bytes, [{ path: EXTERNAL_DATA_PATH, data: external.data }]) : bytes;
}

/** The model with some graph (and model) fields replaced, serialized; the rest is shared, not copied. */
export function serializeGraph(
  m: ParsedModel,
  graphFields: Partial<onnxProto.onnx.IGraphProto>,
  modelFields: Partial<onnxProto.onnx.IModelProto> = {},
  /** how the message becomes bytes (formats/room.ts leaves room after them) */
  encode: (model: onnxProto.onnx.IModelProto) => Uint8Array = (model) => onnx.ModelProto.encode(model).finish(),
): Uint8Array {
  const graph = onnx.GraphProto.create({ ...m.proto.graph!, ...graphFields } as unknown as onnxProto.onnx.IGraphProto);
  const model = onnx.ModelProto.create({ ...m.proto, ...modelFields, graph } as unknown as onnxProto.onnx.IModelProto);
  const bytes = encode(model);
  if (bytes.length > PROTOBUF_LIMIT) {
    throw labError('BadOption', `the evaluation model would be ${bytes.length} bytes, over protobuf's 2 GB limit; models that large are not supported yet`);
  }
  return bytes;
}
