/**
 * Which tensors a variant compresses (issue 9 "Which tensors"): every linear weight by default —
 * the LM head included, it is a linear layer — and the token embedding only when the spec opts in
 * (VariantSpec.embeddings). The embedding is the table a Gather reads with the input ids.
 *
 *   tied, one initializer ('shared')   already a linear weight, compressed once whether opted in
 *                                      or not (the Gather reads the compressed table, packed-model.ts);
 *   tied, stored twice (copy, transposed copy, head through Transpose)
 *                                      the Gather is pointed at the compressed head, so the model
 *                                      keeps the table once, compressed once: MatMulNBits bytes are
 *                                      rows of the table (GatherBlockQuantized reads them); other
 *                                      forms give the head back under its name (DequantizeLinear,
 *                                      Cast, f32) and the Gather reads it, through a Transpose when
 *                                      the head is stored (hidden, vocab);
 *   untied                             the table is compressed as a tensor of its own, laid out as
 *                                      (vocab, hidden) = (out, in): groups and channels run along a
 *                                      token's row, as they do for a tied head.
 */
import type onnxProto from 'onnx-proto';
import type { LinearWeight, VariantSpec } from '../api';
import { METAS_BY_ID } from '../compression/metas';
import { labError } from '../errors';
import type { PackedForm } from '../formats/packed-model';
import type { LoadedModel } from '../model/load';
import { onnx, type NodeProto, type ParsedModel } from '../model/onnx-graph';

export interface EmbeddingPlan {
  /** tables compressed as tensors of their own (untied) */
  tables: LinearWeight[];
  /** a tied copy: the Gather that will read the compressed head instead of its f32 table */
  tie?: { gather: number; table: string; head: LinearWeight; transposed: boolean };
}

/** Methods that cannot compress a table: calibrated ones (no layer input feeds a Gather's table) and those whose packed form no Gather reads. */
const NO_TABLE = new Set(['nf4', 'structured-prune', 'global-prune']);

export function planEmbeddings(model: LoadedModel, spec: VariantSpec): EmbeddingPlan {
  if (!spec.embeddings) return { tables: [] };
  const g = model.parsed.proto.graph!;
  const tied = model.summary.tiedHead;
  const methods = [spec.method, spec.then?.method, ...(spec.overrides ?? []).map((o) => o.method)].filter(Boolean) as string[];
  const refuse = methods.find((m) => NO_TABLE.has(m));
  if (refuse) throw labError('BadOption', `${refuse} does not compress the token embedding (no packed form a Gather reads, or no per-table plan); leave "embeddings" off`);
  const ids = new Set(model.parsed.inputNames);
  const gathers = g.node
    .map((n, k) => ({ n, k }))
    .filter(({ n }) => n.opType === 'Gather' && !n.domain && ids.has(n.input[1]) && model.parsed.tensors.get(n.input[0])?.dims.length === 2);
  if (!gathers.length) throw labError('BadOption', `${model.summary.name}: no token embedding (a Gather of a 2-D table by an input) to compress`);
  if (tied && tied.stored !== 'shared') {
    const head = model.linear.find((w) => w.name === tied.head)!;
    const at = gathers.find(({ n }) => n.input[0] === tied.embedding);
    if (at) return { tables: [], tie: { gather: at.k, table: tied.embedding, head, transposed: head.layout === 'in_out' } };
  }
  const linear = new Set(model.linear.map((w) => w.name));
  const tables = gathers
    .filter(({ n }) => !linear.has(n.input[0]))
    .map(({ n }): LinearWeight => {
      const t = model.parsed.tensors.get(n.input[0])!;
      return { name: t.name, node: n.name || `Gather(${n.input[0]})`, op: 'MatMul', shape: [t.dims[0], t.dims[1]], layout: 'out_in', params: t.params, shared: true };
    });
  const calibrated = methods.find((m) => METAS_BY_ID[m as keyof typeof METAS_BY_ID]?.calibration);
  if (tables.length && calibrated) throw labError('BadOption', `${calibrated} calibrates on linear layers' inputs; the embedding table ${tables[0].name} has none (only a tied head can be calibrated and then read by the Gather)`);
  return { tables: [...new Map(tables.map((t) => [t.name, t])).values()] };
}

/**
 * The model whose embedding Gather reads the compressed tied head (see the header) and without the
 * f32 table, when the plan has a tie; else the model as it is. Refuses, by name, a table whose
 * MatMulNBits blocks do not tile its rows (GatherBlockQuantized reads whole blocks only).
 */
export function withTiedGather(m: ParsedModel, plan: EmbeddingPlan, forms: ReadonlyMap<string, PackedForm>): ParsedModel {
  for (const w of [...plan.tables, ...(plan.tie ? [plan.tie.head] : [])]) {
    const f = forms.get(w.name);
    if (f?.kind === 'nbits' && f.weight.k % f.weight.blockSize) {
      throw labError('BadOption', `the token embedding ${w.name} has rows of ${f.weight.k}, not a whole number of ${f.weight.blockSize}-wide MatMulNBits blocks, which GatherBlockQuantized needs; pick a group size that divides ${f.weight.k} (or FP16), or leave the embedding out`);
    }
  }
  const tie = plan.tie;
  if (!tie) return m;
  const form = forms.get(tie.head.name);
  const g = m.proto.graph!;
  const nodes: NodeProto[] = g.node.slice();
  const gather = nodes[tie.gather];
  // MatMulNBits rows are the table's rows whatever the head's layout; a head given back as a tensor is read as stored
  const through = tie.transposed && form?.kind !== 'nbits';
  const source = through ? `${tie.head.name}_as_table` : tie.head.name;
  const input = [source, ...gather.input.slice(1)];
  nodes[tie.gather] = onnx.NodeProto.create({ ...(gather as unknown as onnxProto.onnx.INodeProto), input }) as unknown as NodeProto;
  if (through) nodes.splice(tie.gather, 0, onnx.NodeProto.create({ name: source, opType: 'Transpose', input: [tie.head.name], output: [source], attribute: [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 0] }] }) as unknown as NodeProto);
  const initializer = g.initializer.filter((t) => t.name !== tie.table);
  const tensors = new Map(m.tensors);
  tensors.delete(tie.table);
  return { ...m, proto: { ...m.proto, graph: { ...g, node: nodes, initializer, input: g.input.filter((i) => i.name !== tie.table) } as typeof g }, tensors };
}

/** The tied table's values from the head's: the head itself, or transposed when it is stored (hidden, vocab). */
export function tableOf(head: Float32Array, tie: NonNullable<EmbeddingPlan['tie']>): Float32Array {
  if (!tie.transposed) return head;
  const [rows, cols] = tie.head.shape;
  const t = new Float32Array(head.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = head[r * cols + c];
  return t;
}
