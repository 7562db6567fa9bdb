/**
 * The variant maker's door to calibration: for a calibrated method (its meta names the statistic
 * it needs) a CalibrationSource over the model's linear weights, on the method's `samples`
 * sequences, on the built-in text or the dropped one its options name (texts.ts); undefined for
 * every other method; the LM head is calibrated only when the variant compresses it. On the webgpu kernel device the statistics are
 * accumulated in WGSL, on the cpu device by the TS reference. The capture model runs on
 * onnxruntime-web's WASM EP unless a runner is given (Node tests pass onnxruntime-node).
 * When a model's statistics fit one pass they are kept for the next calibrated variant of the same
 * model, statistic, sequence count and device (e.g. GPTQ 4-bit then 3-bit, or the f32 twin made
 * again for a check): the same deterministic numbers, computed once. One such entry is kept.
 * Structured pruning then a calibrated method: the statistics are of the rewritten model
 * (variants/structured-then.ts structuredModel), whose layers see the inputs the pruned model gives
 * them, and whose down layers (or output projections) have fewer inputs.
 */
import type { KernelDevice, VariantSpec } from '../api';
import { getKernelGpu } from '../compression/gpu-device';
import { METAS_BY_ID } from '../compression/metas';
import { labError } from '../errors';
import type { Job } from '../jobs';
import type { LoadedModel } from '../model/load';
import { calibrationSource, type CalibrationSource, type CaptureRunner } from './calibrate';
import { wasmCaptureRunner } from './ort-capture';
import { calibrationTextName } from './text-ref';
import { calibrationTextIds } from './texts';
import { chooseTensors, compressesHead } from '../variants/which-tensors';
import { structuredModel } from '../variants/structured-then';

export async function calibrationFor(
  model: LoadedModel,
  spec: VariantSpec,
  device: KernelDevice,
  job: Job,
  runner: CaptureRunner = wasmCaptureRunner,
): Promise<CalibrationSource | undefined> {
  // prune → GPTQ: the second method's statistic when the first needs none; two different ones cannot share a pass
  const [first, second] = [METAS_BY_ID[spec.method]?.calibration, spec.then && METAS_BY_ID[spec.then.method]?.calibration];
  if (first && second && first !== second) throw labError('BadOption', `${spec.method} then ${spec.then!.method}: they calibrate on different statistics (${first}, ${second}); pick a first method that needs none or the same`);
  const need = first ?? second;
  if (!need) return undefined;
  const calibrated = first ? spec.options : spec.then!.options;
  const sequences = calibrated.samples ?? 32;
  const ref = calibrated.calibrationText;
  const structured = spec.method === 'structured-prune' ? `|structured ${JSON.stringify(spec.options)} ${spec.blocks ?? 'all'}` : '';
  // the LM head's input only when the variant compresses the head (variants/which-tensors.ts)
  const head = compressesHead(spec, model.summary) ? '|head' : '';
  const key = `${model.summary.id}|${need}|${sequences}|${device}|${runner === wasmCaptureRunner ? 'wasm' : 'given'}|${ref ?? 'built-in'}${structured}${head}`;
  if (kept?.key === key && kept.model === model) {
    kept.source.begin(job);
    return kept.source;
  }
  kept = undefined;
  const gpu = device === 'webgpu' ? (await getKernelGpu()).device : undefined;
  const text = ref ? { name: calibrationTextName(ref), ids: calibrationTextIds(ref, model.tokenizer) } : undefined;
  const target = structured ? await structuredModel(model, spec, device) : model;
  const source = calibrationSource(target, chooseTensors(spec, target.summary, target.linear).weights, job, { need, sequences, gpu, runner, text });
  if (source.passes === 1) kept = { key, model, source };
  return source;
}

let kept: { key: string; model: LoadedModel; source: CalibrationSource } | undefined;
