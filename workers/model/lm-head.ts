/**
 * The LM head: the linear weight of the MatMul/Gemm that produces the logits. The one place the lab
 * decides "is this the LM head" (issue 9 "Which tensors": it is left f32 unless a variant opts in,
 * VariantSpec.head, as llama.cpp and AutoGPTQ keep the output layer unquantized by default); the
 * tie to the embedding (tied-head.ts), the variant writer, calibration and structured pruning all
 * go by this one name.
 *
 * Found from the graph, not from a name: from the `logits` output back through the ops that only
 * move, reshape, cast or bias the values (the tied fixture's Unsqueeze, a bias Add, a soft-cap
 * Div/Tanh/Mul, Optimum's Slice of the kept positions), to the first MatMul/Gemm; its B must be one
 * of the model's linear weights. A classifier's logits come from its classification head, which is
 * not an LM head: a sequence classifier has none.
 */
import type { LinearWeight } from '../api';
import type { NodeProto, ParsedModel } from './onnx-graph';

/** Ops whose data input is input 0 and that only move, reshape or cast it. */
const THROUGH_FIRST = new Set(['Identity', 'Cast', 'Reshape', 'Unsqueeze', 'Squeeze', 'Flatten', 'Transpose', 'Slice', 'Expand', 'Gather']);
/** Element-wise ops a logits path may have after the head (bias, soft-capping): followed when one input is computed, the others constants. */
const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Tanh']);

/** The name of the LM head's weight, or undefined (a classifier; no MatMul/Gemm with a linear weight ends at the logits). */
export function lmHeadOf(parsed: ParsedModel, linear: readonly LinearWeight[], task: 'causal-lm' | 'sequence-classification' = 'causal-lm'): string | undefined {
  if (task !== 'causal-lm') return undefined;
  const g = parsed.proto.graph!;
  const producer = new Map<string, NodeProto>();
  for (const n of g.node) for (const o of n.output) producer.set(o, n);
  const weights = new Set(linear.map((w) => w.name));
  const computed = (t: string) => producer.has(t) || parsed.inputNames.includes(t);
  let t = parsed.outputNames.includes('logits') ? 'logits' : parsed.outputNames[0];
  for (let hops = 0; t && hops < 16; hops++) {
    const n = producer.get(t);
    if (!n) return undefined;
    if ((n.opType === 'MatMul' || n.opType === 'Gemm') && !n.domain) return weights.has(n.input[1]) ? n.input[1] : undefined;
    if (THROUGH_FIRST.has(n.opType)) t = n.input[0];
    else if (ELEMENTWISE.has(n.opType)) {
      const live = n.input.filter((i) => i && computed(i));
      if (live.length !== 1) return undefined;
      t = live[0];
    } else return undefined;
  }
  return undefined;
}

/** Whether a linear weight is the model's LM head (ModelSummary.lmHead, found by lmHeadOf when the model loads). */
export const isLmHead = (summary: { lmHead?: string }, w: { name: string }): boolean => summary.lmHead !== undefined && w.name === summary.lmHead;
