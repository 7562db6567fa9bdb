/**
 * Which graph an export writes as onnx/model.onnx. transformers.js (4.3.1, models/modeling_utils.js)
 * loads a causal LM's onnx/model.onnx and generates only with a cache: after the first step
 * `_update_model_kwargs_for_generation` feeds the model just the newest token with an attention mask
 * over the whole sequence, expecting past_key_values.* inputs to carry the rest; `use_cache: false`
 * is a GenerationConfig field nothing reads. A graph without a cache therefore fails at its second
 * step ("MatMul dimension mismatch" in the first attention), with or without use_cache.
 *
 * So a language model's export holds a KV-cache decoder (past_key_values.* → present.*) wherever the
 * lab has one: the variant itself when the loaded graph is one, else the same variant made again on
 * the model's KV-cache decoder (a built-in model's onnx/decoder_model_merged.onnx,
 * eval/kv-companion.ts: same spec, same kernels, checked to hold the same compressed weights). Fed an
 * empty past it computes what the prefill graph the lab evaluated computes. Without a KV graph the
 * export keeps the evaluated graph and says that generate() cannot run it.
 */
import type { ExportGraphInfo } from '../api';
import { isCancelled } from '../errors';
import type { LoadedModel } from '../model/load';
import type { VariantRecord } from './make-variant';

export interface ExportGraph extends ExportGraphInfo {
  /** the packed model written as onnx/model.onnx */
  bytes: Uint8Array;
}

/**
 * Inputs of a KV-cache decoder that transformers.js' decoder_forward does not feed as the graph
 * wants: it feeds input_ids, attention_mask, past_key_values.*, use_cache_branch, num_logits_to_keep
 * and (batch, seq) position_ids; newer exports' logits_to_keep and multimodal-RoPE's rank-3
 * position_ids it leaves out or shapes otherwise (checked: "Missing the following inputs: logits_to_keep").
 */
function unfedByTransformersJs(model: LoadedModel): string[] {
  // the lab's GraphProto type names inputs only; the decoded protobuf carries their declared types
  const inputs = (model.parsed.proto.graph?.input ?? []) as { name: string; type?: { tensorType?: { shape?: { dim?: unknown[] } } } }[];
  const rank = (name: string) => inputs.find((i) => i.name === name)?.type?.tensorType?.shape?.dim?.length;
  return model.summary.inputNames.filter((n) => n === 'logits_to_keep' || n === 'token_type_ids' || (n === 'position_ids' && rank(n) === 3));
}

const NO_CACHE =
  'transformers.js generates only with a KV cache: after the first token it feeds the model the newest token alone, which a graph without past_key_values inputs cannot take';

/**
 * The graph to export for variant `v` of `model`. `remakeOnKv`, when the model has a KV-cache
 * decoder beside it (`kvFile`), makes the same variant on that decoder; if that fails the export
 * keeps the evaluated graph and the reason is given.
 */
export async function exportGraph(
  model: LoadedModel, v: VariantRecord, remakeOnKv?: { file: string; make: () => Promise<VariantRecord> },
): Promise<ExportGraph> {
  const evaluated = { bytes: v.packedBytes, source: model.summary.onnxPath, remade: false };
  // a classifier writes no tokens: nothing to say about generating
  if (model.summary.task === 'sequence-classification') return { ...evaluated, kind: model.summary.graphKind, generates: false };
  if (model.summary.graphKind === 'kv-cache') {
    const unfed = unfedByTransformersJs(model);
    if (!unfed.length) return { ...evaluated, kind: 'kv-cache', generates: true };
    return { ...evaluated, kind: 'kv-cache', generates: false, why: `transformers.js does not feed this graph's ${unfed.join(', ')} as it declares ${unfed.length > 1 ? 'them' : 'it'} (the source model's inputs)` };
  }
  if (!remakeOnKv) {
    return { ...evaluated, kind: 'prefill', generates: false, why: `${NO_CACHE}; the lab has no KV-cache decoder of ${model.summary.name} (load the folder's KV-cache decoder, e.g. onnx/decoder_model_merged.onnx, and export from it)` };
  }
  try {
    const rec = await remakeOnKv.make();
    return { bytes: rec.packedBytes, source: remakeOnKv.file, remade: true, kind: 'kv-cache', generates: true };
  } catch (e) {
    if (isCancelled(e)) throw e;
    return { ...evaluated, kind: 'prefill', generates: false, why: `${NO_CACHE}; made again on ${remakeOnKv.file} the variant failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}
