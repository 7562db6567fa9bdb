/**
 * Fused attention: onnxruntime's com.microsoft ops that compute a whole multi-head attention in one
 * node (optimum and onnxruntime's transformer optimizer write them). Their heads are not head-
 * prunable by the lab: the head count is the node's num_heads attribute and the heads' slices live
 * inside the op (Attention: Q, K and V packed in one weight it reads itself; MultiHeadAttention and
 * the others: whole Q/K/V tensors split into heads inside), so there is no split-heads Reshape,
 * Softmax or merge-heads Reshape in the graph for variants/attention-heads.ts to find and rewrite. The model
 * card says so when such a graph is loaded (ModelSummary.fusedAttention), and structured pruning of
 * heads refuses with the same reason. MLP-neuron pruning does not depend on it.
 */
import type { ParsedModel } from './onnx-graph';

export const FUSED_ATTENTION_OPS: ReadonlySet<string> = new Set([
  'Attention', 'MultiHeadAttention', 'GroupQueryAttention', 'PackedAttention', 'PackedMultiHeadAttention', 'DecoderAttention',
  'DecoderMaskedMultiHeadAttention', 'DecoderMaskedSelfAttention', 'QAttention', 'LongformerAttention', 'SparseAttention', 'QOrderedAttention',
]);

/** Why this graph's attention heads cannot be pruned, when it computes attention in fused ops; else undefined. */
export function fusedAttentionNote(m: ParsedModel): string | undefined {
  const found = new Map<string, number>();
  for (const n of m.proto.graph!.node) if (n.domain === 'com.microsoft' && FUSED_ATTENTION_OPS.has(n.opType)) found.set(n.opType, (found.get(n.opType) ?? 0) + 1);
  if (!found.size) return undefined;
  const ops = [...found].map(([op, k]) => `${k} × ${op}`).join(', ');
  return `Attention heads cannot be pruned: this graph computes attention in fused com.microsoft ops (${ops}), which keep the heads inside one node (the head count is its num_heads attribute, the heads' slices are cut inside the op); structured pruning rewrites only attention written out as MatMul → Reshape → Softmax → MatMul. MLP neurons are pruned as usual`;
}
