/**
 * The capture model: the source graph with its outputs replaced by the input activations of some
 * linear layers (the A input of each MatMul/Gemm). Nothing else changes, so the activations are
 * exactly those of the source model; nodes that feed no captured tensor (e.g. the LM head when only
 * earlier layers are captured) are pruned by onnxruntime and cost nothing.
 */
import type { LinearWeight } from '../api';
import type onnxProto from 'onnx-proto';
import { withExternalData, type ExternalFile } from '../eval/external-data';
import { externalTensor } from '../formats/external-weights';
import { fileSourceOf, rawByteLength } from '../model/external-files';
import { onnx, serializeGraph, type ParsedModel, type TensorProto } from '../model/onnx-graph';

/** Initializers at least this big go to the session as external data when asked (`external`). */
const EXTERNAL_MIN_BYTES = 64 * 1024;

/**
 * The initializers with every big one as external data of its own: a slice of the dropped file it
 * still lives in (a handle, nothing read here) or a view of the bytes the model holds (no copy).
 * Why: onnxruntime-web copies a model handed as one buffer into its WASM heap and parses it there
 * (its protobuf copies every weight again) before it makes the session's tensors, and WASM memory
 * never shrinks: the 124 M shape's first pass (the token embedding, 147 MiB, and block 0) grew it
 * to 512 MiB for the whole make, and the serialized capture model (177 MiB) was held in JS for the
 * pass (bench-gptq-124m, smaps of the renderer). As external data each tensor is copied once,
 * straight into its place, and the model bytes are the graph alone.
 */
function externalized(initializer: readonly TensorProto[]): { initializer: TensorProto[]; files: ExternalFile[] } {
  const files: ExternalFile[] = [];
  const out = initializer.map((t) => {
    const length = rawByteLength(t);
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || length < EXTERNAL_MIN_BYTES) return t;
    const path = `capture.data${files.length}`;
    files.push({ path, data: fileSourceOf(t) ?? t.rawData });
    return externalTensor(t, path, 0, length);
  });
  return { initializer: out, files };
}

/** The graph tensor that feeds each linear weight's node, by weight name. */
export function linearInputs(m: ParsedModel, weights: readonly LinearWeight[]): Map<string, string> {
  const byB = new Map<string, string>();
  for (const n of m.proto.graph!.node) {
    if ((n.opType === 'MatMul' || n.opType === 'Gemm') && !byB.has(n.input[1])) byB.set(n.input[1], n.input[0]);
  }
  const out = new Map<string, string>();
  for (const w of weights) {
    const a = byB.get(w.name);
    if (!a) throw new Error(`no MatMul/Gemm reads ${w.name}`);
    out.set(w.name, a);
  }
  return out;
}

/**
 * Serialized model whose only outputs are `tensors` (f32 activations), in that order. `external`:
 * its big weights as external data (externalized above; onnxruntime-web's `externalData` option,
 * the bytes tagged with the files: eval/external-data.ts), else inside the bytes.
 */
export function captureModel(m: ParsedModel, tensors: readonly string[], external = false): Uint8Array {
  const output = tensors.map((name) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }));
  return serialized(m, { output }, m.proto.graph!.initializer as TensorProto[], external);
}

function serialized(m: ParsedModel, fields: Record<string, unknown>, initializer: TensorProto[], external: boolean): Uint8Array {
  const ext = external ? externalized(initializer) : { initializer, files: [] };
  const bytes = serializeGraph(m, { ...fields, initializer: ext.initializer } as unknown as Partial<onnxProto.onnx.IGraphProto>);
  return withExternalData(bytes, ext.files);
}

/**
 * A capture model holding only what `tensors` need: the nodes that compute them, walking back from
 * them and stopping at `cut` (a tensor fed as an input instead of computed: the residual stream at
 * the first block of a pass, taken from the previous pass's outputs) and at the graph's inputs, and
 * only the initializers those nodes read. A pass over the middle blocks of a large model then holds
 * those blocks' weights, not the whole model's (the 124 M shape's last pass: no embedding table, no
 * head). Every graph input stays declared (the feeds builder may feed them all); `cut` is added as a
 * float input.
 */
export function captureSubgraph(m: ParsedModel, tensors: readonly string[], cut?: string, external = false): Uint8Array {
  const g = m.proto.graph!;
  const producer = new Map<string, number>();
  g.node.forEach((n, k) => n.output.forEach((o) => producer.set(o, k)));
  const keep = new Set<number>();
  const stack = [...tensors];
  const seen = new Set<string>(stack);
  while (stack.length) {
    const t = stack.pop()!;
    if (t === cut) continue;
    const k = producer.get(t);
    if (k === undefined || keep.has(k)) continue;
    keep.add(k);
    for (const i of g.node[k].input) if (i && !seen.has(i)) (seen.add(i), stack.push(i));
  }
  if (cut && !seen.has(cut)) throw new Error(`capture pass: ${cut} is not on the way to ${tensors.join(', ')}`);
  const node = g.node.filter((_, k) => keep.has(k));
  const initializer = (g.initializer as TensorProto[]).filter((t) => seen.has(t.name!));
  const float = (name: string) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } });
  const input = cut ? [...g.input, float(cut)] : g.input;
  return serialized(m, { node, input, output: tensors.map(float), valueInfo: [] }, initializer, external);
}
