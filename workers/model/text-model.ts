/**
 * The lab compresses text models only: a causal LM or a sequence classifier, both fed "input_ids"
 * and giving "logits". Checked on the graph's names as soon as the .onnx is decoded, before
 * config.json or tokenizer.json are asked for, so an image model is told what it is not instead of
 * being asked for a tokenizer it never had.
 */
import { labError } from '../errors';
import type { ModelProto } from './onnx-graph';

export function checkTextModel(inputs: readonly string[], outputs: readonly string[], file: string): void {
  if (inputs.includes('input_ids') && outputs.includes('logits')) return;
  throw labError(
    'NotLanguageModel',
    `${file} is neither a causal language model nor a sequence classifier: expected input "input_ids" and output "logits", got inputs [${inputs.join(', ')}] and outputs [${outputs.join(', ')}]`,
  );
}

/** The same on a decoded graph; initializers listed as graph inputs (older exporters) are not inputs. */
export function checkTextGraph(proto: ModelProto, file: string): void {
  const g = proto.graph;
  const consts = new Set((g?.initializer ?? []).map((t) => t.name));
  const inputs = (g?.input ?? []).map((v) => v.name ?? '').filter((n) => !consts.has(n));
  checkTextModel(inputs, (g?.output ?? []).map((v) => v.name ?? ''), file);
}
