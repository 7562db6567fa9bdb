/**
 * How big a model says it is, from the .onnx alone: inline tensors by their bytes, external ones by
 * the `length` their external_data entry declares (what ONNX writes for every model past protobuf's
 * 2 GiB). No data file is read or inlined for this.
 *
 * Past protobuf's 2 GiB the lab works as ONNX does: data files given as handles are read per tensor
 * (model/external-files.ts) and handed to onnxruntime-web as files for the baseline, and every model
 * the lab writes past 128 MiB of weights is a small .onnx plus one external data buffer
 * (formats/external-weights.ts). So only what stays inline must fit one message (checkDeclaredSize);
 * the total is held to what onnxruntime-web's WASM memory can take (checkDeviceLimits).
 */
import { labError } from '../errors';
import { onnx, type ModelProto, type TensorProto } from './onnx-graph';

/** protobuf's limit on one message (2 GiB − 1 byte). */
export const PROTOBUF_MAX = 2 ** 31 - 1;
/** The graph itself (nodes, names, shapes) needs room beside the weights. */
const GRAPH_ROOM = 16 * 2 ** 20;

export interface DeclaredSize {
  inlineBytes: number;
  externalBytes: number;
  /** the largest single tensor, by declared bytes */
  largest?: { name: string; bytes: number };
}

/** The declared external length of a tensor (undefined when the entry has none: then the rest of its file). */
function externalLength(t: TensorProto): number | undefined {
  const length = t.externalData.find((e) => e.key === 'length')?.value;
  if (length === undefined) return undefined;
  const n = Number(length);
  if (!Number.isSafeInteger(n) || n < 0) throw labError('NotOnnx', `initializer ${t.name} declares an external length of "${length}", not a byte count`);
  return n;
}

export function declaredSize(proto: ModelProto): DeclaredSize {
  const out: DeclaredSize = { inlineBytes: 0, externalBytes: 0 };
  for (const t of proto.graph?.initializer ?? []) {
    const external = t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL;
    const bytes = external ? (externalLength(t) ?? 0) : (t.rawData?.length ?? 0) + 4 * (t.floatData?.length ?? 0);
    if (external) out.externalBytes += bytes;
    else out.inlineBytes += bytes;
    if (!out.largest || bytes > out.largest.bytes) out.largest = { name: t.name, bytes };
  }
  return out;
}

const gib = (n: number) => `${(n / 2 ** 30).toFixed(2)} GiB`;

/** Throws when the weights the .onnx keeps inside it cannot fit one protobuf message with its graph. */
export function checkDeclaredSize(proto: ModelProto, file: string): void {
  const s = declaredSize(proto);
  if (s.inlineBytes + GRAPH_ROOM <= PROTOBUF_MAX) return;
  throw labError(
    'BadOption',
    `${file} keeps ${gib(s.inlineBytes)} of weights inside the .onnx itself, past protobuf's 2 GiB for one message: a model that large must come as ONNX writes it, a small .onnx with its weights in external data files (model.onnx_data); the lab reads those tensor by tensor`,
  );
}

/** What the tab can give: wasm32's memory, and the WebGPU adapter's buffer limits when there is one. */
export interface DeviceLimits {
  /** onnxruntime-web's WASM memory (wasm32: 4 GiB) */
  wasmBytes: number;
  gpu?: { maxBufferSize: number; maxStorageBufferBindingSize: number };
}

export const WASM32_BYTES = 4 * 2 ** 30;
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

/**
 * From the sizes the .onnx declares, before its weights are read: refuses a model over WebAssembly's
 * memory (onnxruntime-web's WASM backend holds every weight there); returns what WebGPU on this
 * adapter cannot hold (a tensor over maxBufferSize), for the card, or undefined.
 */
export function checkDeviceLimits(proto: ModelProto, file: string, limits: DeviceLimits): string | undefined {
  const s = declaredSize(proto);
  const total = s.inlineBytes + s.externalBytes;
  const largest = s.largest ? `, the largest tensor ${s.largest.name} ${mib(s.largest.bytes)}` : '';
  if (total >= limits.wasmBytes) {
    throw labError('BadOption', `${file} declares ${gib(total)} of weights${largest}; a browser tab gives WebAssembly at most ${gib(limits.wasmBytes)} (wasm32), and onnxruntime-web holds every weight there: refused before its weights were read; pick a smaller model or an already-quantized export of it`);
  }
  // onnxruntime-web's wasm32 build sizes a tensor in a signed 32-bit count: one of 2 GiB fails to load
  // ("SafeIntOnOverflow() Integer overflow", scripts/probe-wasm-limit.ts --chunk 2.5 2.5)
  if (s.largest && s.largest.bytes >= 2 ** 31) {
    throw labError('BadOption', `${file}: its tensor ${s.largest.name} is ${gib(s.largest.bytes)}; onnxruntime-web's WASM build refuses a single tensor of 2 GiB or more ("Integer overflow" at session creation), whatever the model's total (${gib(total)}): refused before its weights were read`);
  }
  const gpu = limits.gpu;
  if (!gpu || !s.largest) return undefined;
  if (s.largest.bytes > gpu.maxBufferSize) {
    return `WebGPU cannot hold this model on this adapter: its largest tensor, ${s.largest.name}, is ${mib(s.largest.bytes)}, over the adapter's maxBufferSize of ${mib(gpu.maxBufferSize)} (model ${gib(total)}); evaluate it on WASM`;
  }
  if (s.largest.bytes > gpu.maxStorageBufferBindingSize) {
    return `${s.largest.name} (${mib(s.largest.bytes)}) is over this adapter's maxStorageBufferBindingSize of ${mib(gpu.maxStorageBufferBindingSize)}: the compression kernels run such a tensor in chunks`;
  }
  return undefined;
}
