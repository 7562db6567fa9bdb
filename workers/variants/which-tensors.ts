/**
 * Which linear weights a variant compresses (issue 9 "Which tensors: all linear weights by default;
 * embeddings / LM head opt-in"): every linear weight but the LM head (workers/model/lm-head.ts),
 * which stays f32 as llama.cpp and AutoGPTQ leave the output layer unless asked. The head is
 * compressed when
 *   - the spec opts in (VariantSpec.head, "LM head too");
 *   - the head is tied to the token embedding and the spec opts the embedding in: the head is the
 *     table then, compressed once and read by the Gather (embeddings.ts);
 *   - an override names it by its tensor name (mixed precision, e.g. the head INT8 in an INT4
 *     variant, as llama.cpp's --output-tensor-type does).
 * Blocks (VariantSpec.blocks) narrow the rest; the head has no block, so it goes by the above alone.
 */
import type { LinearWeight, ModelSummary, VariantSpec } from '../api';
import { blockOf } from '../model/blocks';
import { isLmHead } from '../model/lm-head';

/** Whether the variant compresses the model's LM head (see the header); false when the model has none. */
export function compressesHead(spec: VariantSpec, summary: Pick<ModelSummary, 'lmHead' | 'tiedHead'>): boolean {
  const head = summary.lmHead;
  if (!head) return false;
  return !!spec.head || (!!spec.embeddings && !!summary.tiedHead) || !!spec.overrides?.some((o) => o.tensors?.includes(head));
}

export interface TensorChoice {
  /** the linear weights the variant compresses, in the model's order */
  weights: LinearWeight[];
  /** the ones it leaves f32, with why (VariantSummary.leftFloat) */
  leftFloat: { name: string; params: number; why: string }[];
}

/** The model's linear weights split into those the variant compresses and the LM head it leaves f32. */
export function chooseTensors(spec: VariantSpec, summary: Pick<ModelSummary, 'lmHead' | 'tiedHead'>, linear: readonly LinearWeight[]): TensorChoice {
  if (compressesHead(spec, summary)) return { weights: [...linear], leftFloat: [] };
  const head = linear.filter((w) => isLmHead(summary, w));
  return {
    weights: linear.filter((w) => !isLmHead(summary, w)),
    leftFloat: head.map((w) => ({ name: w.name, params: w.params, why: 'the LM head: left f32 unless the variant opts in ("LM head too")' })),
  };
}

/**
 * VariantSpec.blocks as a test on a weight: inside the chosen blocks, or the LM head (it has no
 * block; it is among the weights only when the variant opts it in). Every weight without blocks.
 */
export function inChosenBlocks(spec: VariantSpec, summary: Pick<ModelSummary, 'lmHead'>): (w: LinearWeight) => boolean {
  const only = spec.blocks && new Set(spec.blocks);
  return (w) => !only || only.has(blockOf(w) ?? -1) || isLmHead(summary, w);
}
