/**
 * A variant = the base model with every linear weight compressed by one method, written as the
 * packed ONNX model onnxruntime runs as it is (workers/formats/): MatMulNBits for block-quantized
 * weights, fp16 + Cast, dense f32 for pruning. Each weight goes through the kernels
 * (compress-adapter.ts) one at a time and only its packed form is kept, so memory holds the source
 * bytes plus the packed model, not a second f32 copy.
 *
 * The dequantized f32 twin ("simulated") is written only when asked for: it exists to check the
 * packed model (equal perplexity), never to stand in for it silently.
 *
 * Shared weights (also read by a non-linear node, e.g. an embedding tied to the LM head) are
 * compressed once; the packed model rewires every reader to the one packed tensor.
 */
import type { KernelDevice, TensorStats, VariantSpec, VariantStorage, VariantSummary } from '../api';
import { KERNEL_DEVICES, METHOD_IDS } from '../api';
import { labError } from '../errors';
import type { Job } from '../jobs';
import { nextTask } from '../next-task';
import type { LoadedModel } from '../model/load';
import { writeVariant } from '../model/onnx-graph';
import { readF32Ahead } from '../model/external-files';
import { formLabel, packedFormOf } from '../formats/form-of';
import { gzipSize } from '../formats/gzip-size';
import { EXTERNAL_MIN_TOTAL_BYTES, modelSize } from '../formats/external-weights';
import { releaseFloats, WeightArena } from '../formats/weight-arena';
import { writePackedModel, type PackedForm } from '../formats/packed-model';
import { compressThen, planTensors, resolveThen, storageOfForm, variantStorage } from './combine';
import { f32ModelBytes } from './f32-size';
import { compressWeight, releaseKernelMemory, resolveOptions } from './compress-adapter';
import { calibrationFor } from '../calibration/for-variant';
import type { CaptureRunner } from '../calibration/calibrate';
import { METAS_BY_ID } from '../compression/metas';
import { methodsOfWeights, overridesKey, overridesLabel, resolveOverrides } from './overrides';
import { planStructured, structuredBits, structuredFormat, writeStructuredModel } from './structured';
import { makeStructuredThen } from './structured-then';
import type { NeuronPlan, StructuredPruneOptions } from '../compression/structured-prune/meta';
import { blockCount, blocksText, resolveBlocks } from '../model/blocks';
import { planEmbeddings, tableOf, withTiedGather } from './embeddings';
import { chooseTensors, inChosenBlocks } from './which-tensors';
import { copyModelOnce, copyYardstickWanted } from './copy-yardstick';
import { dequantizedPending } from '../compression/types';

export interface VariantRecord {
  summary: VariantSummary;
  /** the packed model: what is evaluated, timed and exported */
  packedBytes: Uint8Array;
  /** the dequantized f32 twin, only when asked for (a check of the packed model) */
  simulatedBytes?: Uint8Array;
}

export interface MakeOptions {
  /** also write the dequantized f32 twin */
  simulated?: boolean;
  /** calibrated methods: how the capture model runs (default: onnxruntime-web WASM; Node tests pass onnxruntime-node) */
  captureRunner?: CaptureRunner;
}

/** Stable id: same model, spec and device → same id. */
export function variantId(modelId: string, spec: VariantSpec, device: KernelDevice): string {
  const opts = Object.entries(spec.options ?? {})
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  // a combined spec's second method joins the key: "prune(ratio=0.5)+rtn(bits=4,…)"
  const then = spec.then ? `+${variantId('', spec.then, device).split('|')[1]}` : '';
  // compressed in some blocks only: "int4-group(groupSize=32)[blocks=2]"
  const blocks = spec.blocks ? `[blocks=${spec.blocks.join(',')}]` : '';
  const embeddings = spec.embeddings ? '[embeddings]' : '';
  const head = spec.head ? '[head]' : '';
  return `${modelId}|${spec.method}(${opts})${then}${blocks}${embeddings}${head}${overridesKey(spec.overrides)}|${device}`;
}

/** `nBlocks`: the model's block count, so that overrides counted from the end name their blocks ("blocks 0 and 3"). */
export function variantLabel(spec: VariantSpec, nBlocks?: number): string {
  if (spec.embeddings) return `${variantLabel({ ...spec, embeddings: undefined }, nBlocks)} · embedding too`;
  if (spec.head) return `${variantLabel({ ...spec, head: undefined }, nBlocks)} · LM head too`;
  if (spec.overrides?.length) return `${variantLabel({ ...spec, overrides: undefined }, nBlocks)}${overridesLabel(spec.overrides, nBlocks)}`;
  if (spec.blocks) return `${variantLabel({ ...spec, blocks: undefined })} · ${blocksText(spec.blocks)}`;
  if (spec.then) return `${variantLabel({ method: spec.method, options: spec.options })} → ${variantLabel(spec.then)}`;
  const o = spec.options ?? {};
  switch (spec.method) {
    case 'magnitude-prune':
      return `prune ${Math.round((o.ratio ?? 0.5) * 100)} %`;
    case 'int8-channel':
      return 'INT8 per channel';
    case 'int4-group':
      return `INT4 g${o.groupSize}`;
    case 'fp16' as string:
      return 'FP16';
    default:
      return METAS_BY_ID[spec.method]?.variantLabel(spec.options) ?? spec.method;
  }
}

export function validateSpec(spec: VariantSpec, device: KernelDevice): void {
  if (!spec || !(METHOD_IDS as readonly string[]).includes(spec.method)) {
    throw labError('BadOption', `method must be one of ${METHOD_IDS.join(', ')}; got "${spec?.method}"`);
  }
  if (!(KERNEL_DEVICES as readonly string[]).includes(device)) {
    throw labError('BadOption', `device must be one of ${KERNEL_DEVICES.join(', ')}; got "${device}"`);
  }
}

/** The spec with validated, defaulted options (so `{}` and the defaults name the same variant). */
export function resolveSpec(spec: VariantSpec, device: KernelDevice): VariantSpec {
  validateSpec(spec, device);
  const then = resolveThen(spec);
  const blocks = resolveBlocks(spec.blocks);
  const overrides = resolveOverrides(spec);
  return { method: spec.method, options: { ...resolveOptions(spec.method, spec.options ?? {}) }, ...(then ? { then } : {}), ...(blocks ? { blocks } : {}), ...(overrides ? { overrides } : {}), ...(spec.embeddings ? { embeddings: true } : {}), ...(spec.head ? { head: true } : {}) };
}

export async function makeVariant(model: LoadedModel, given: VariantSpec, device: KernelDevice, job: Job, opts: MakeOptions = {}): Promise<VariantRecord> {
  const started = performance.now();
  const spec = resolveSpec(given, device);
  // the token embedding when opted in (embeddings.ts): untied tables as weights of their own, a tied copy read through the head
  const embeddings = planEmbeddings(model, spec);
  // the LM head only when opted in (which-tensors.ts): left f32, counted at 32 bits, named in leftFloat
  const choice = chooseTensors(spec, model.summary, model.linear);
  const weights = [...choice.weights, ...embeddings.tables];
  const forms = new Map<string, PackedForm>();
  // each packed form goes into one growing buffer as it is made: a big model's external data file (formats/weight-arena.ts)
  // only address space is reserved: size it for the worst case, every weight stored f32 (a model published packed, e.g. INT4, has a
  // file far smaller than the f32 weights its float reference hands the kernels)
  const f32WeightBytes = weights.reduce((sum, w) => sum + 4 * w.shape[0] * w.shape[1], 0);
  const arena = new WeightArena(Math.max(model.summary.onnxBytes, f32WeightBytes) + f32WeightBytes + 256 * (model.parsed.tensors.size + 3 * weights.length) + 2 ** 20);
  const dequantized = new Map<string, Float32Array>();
  const formats = new Set<string>();
  const storages = new Set<VariantStorage>();
  const tensors: TensorStats[] = [];
  let kernelMs = 0;
  // the make's yardstick when asked for, timed in the same make before a weight is read: the model's bytes copied once (copy-yardstick.ts)
  const copy = copyYardstickWanted() ? await copyModelOnce(model) : undefined;
  let copyWeightsWarmMs = 0;
  let readMs = 0;
  // where the rest of makeMs goes (bench "compression": make time against the copy yardstick)
  const parts = { checks_and_stats: 0, pack: 0, kernel_release: 0, write: 0 };
  const label = variantLabel(spec, blockCount(weights));
  // structured pruning plans over the graph's MLPs and rewrites the graph (variants/structured.ts)
  const structured = spec.method === 'structured-prune' ? await planStructured(model.parsed, weights, spec.options as StructuredPruneOptions, device, spec.blocks) : undefined;
  const plans = structured ? weights.map((w) => structured.plans.get(w.name)) : planTensors(spec, model, weights);
  // mixed precision: each weight's own method (variants/overrides.ts)
  const own = methodsOfWeights(spec, weights);
  const only = spec.blocks && new Set(spec.blocks);
  const inBlocks = inChosenBlocks(spec, model.summary);
  if (only) {
    const n = blockCount(weights);
    const outside = spec.blocks!.filter((b) => b >= n);
    if (outside.length) throw labError('BadOption', `${label}: ${model.summary.name} has ${n} blocks (0 … ${n - 1}) by its weight names; no block ${outside.join(', ')}`);
  }
  // weights outside the chosen blocks stay as they are (f32, counted at 32 bits a weight)
  let untouchedParams = 0;
  const calibration = await calibrationFor(model, spec, device, job, opts.captureRunner);
  // structured pruning then another method: rewrite the graph, then compress the smaller weights, calibrated on the rewritten model (structured-then.ts)
  const st = structured && spec.then
    ? await makeStructuredThen(model.parsed, weights, structured, spec.then, device, job, inBlocks, !!opts.simulated, calibration)
    : undefined;
  if (st) {
    tensors.push(...st.tensors);
    kernelMs = st.kernelMs;
  } else job.progress('compress', 0, weights.length);
  let scratch: Float32Array | undefined;
  let ahead: { k: number; values: Promise<Float32Array> } | undefined;
  // the last compressed weight's packing and bookkeeping, still to do (done while the next weight's kernels run)
  let finishing: (() => void) | undefined;
  for (let i = 0; i < (st ? 0 : weights.length); i++) {
    await job.checkpoint();
    const w = weights[i];
    if (!inBlocks(w)) {
      untouchedParams += w.params;
      continue;
    }
    const info = model.parsed.tensors.get(w.name)!;
    // a copy: the kernels may not write into the model's own bytes (timed: a stricter yardstick than
    // the copy of the model's bytes, copyWeightsWarmMs), into one buffer reused weight after weight: a new copy each would leave ~4 bytes a weight of
    // garbage that the worker's GC may keep into the evaluation that follows (bench "scale")
    // (a plain buffer, not a resizable one: V8 reads a typed array over a resizable buffer ~3.5× slower,
    // 5.7 against 1.7 ns a float for a finiteness scan, and WebGPU will not upload from one)
    scratch ??= new Float32Array(Math.max(...weights.map((x) => x.params)));
    const data = scratch.subarray(0, w.params);
    // the weight's values: a view of the model's bytes, or a read of its slice of a dropped file
    // (model/external-files.ts), timed apart: a read is part of the make, not of the copy yardstick;
    // a file is read one weight ahead, while this weight's kernels run (readMs: only the wait)
    const readStart = performance.now();
    const values = ahead?.k === i ? await ahead.values : await readF32Ahead(info);
    const copyStart = performance.now();
    readMs += copyStart - readStart;
    data.set(values);
    copyWeightsWarmMs += performance.now() - copyStart;
    const k = weights.findIndex((x, j) => j > i && inBlocks(x));
    ahead = k > 0 ? { k, values: readF32Ahead(model.parsed.tensors.get(weights[k].name)!) } : undefined;
    // a make that stops (cancelled, failed) leaves the read ahead unread: not an unhandled rejection
    ahead?.values.catch(() => {});
    const stats = await calibration?.statsFor(w.name);
    const compressStart = performance.now();
    const compressing = (async () => {
      const first = await compressWeight(own[i].method, own[i].options, { name: w.name, data, shape: w.shape, layout: w.layout, plan: plans?.[i], calibration: stats }, device);
      // prune → GPTQ: the same layer inputs' statistics (calibrationFor takes the calibrated method of the two)
      const r = spec.then ? await compressThen(first, spec.then, { name: w.name, data, shape: w.shape, layout: w.layout, calibration: stats }, device) : first;
      return { first, r, doneAt: performance.now() };
    })();
    // a packing below that throws leaves this weight's kernels running: not an unhandled rejection
    compressing.catch(() => {});
    // the previous weight is packed while this one's kernels run: on WebGPU the GPU process works
    // on its own (SwiftShader: about one core) and the worker would only wait (after one task, so
    // the kernels' upload and submit, queued as microtasks, go first)
    if (finishing) {
      await nextTask();
      finishing();
      finishing = undefined;
    }
    const { first, r, doneAt } = await compressing;
    // a method may hand its input back as the result (nothing changed): keep a copy, the buffer is reused
    // (values still to be made from the codes, types.ts withLazyDequantized, are made only if read: never from the buffer)
    if (!dequantizedPending(r) && r.dequantized.buffer === scratch.buffer) r.dequantized = r.dequantized.slice();
    parts.checks_and_stats += doneAt - compressStart - (first.kernelMs ?? 0) - (r === first ? 0 : r.kernelMs ?? 0);
    finishing = () => {
      const packStart = performance.now();
      // a tied head the embedding's Gather will read (embeddings.ts) is packed as a shared weight: a form the Gather reads as stored (form-of.ts)
      const form = packedFormOf(spec.then?.method ?? own[i].method, r.options, r, embeddings.tie?.head.name === w.name ? { ...w, shared: true } : w);
      storages.add(storageOfForm(form));
      forms.set(w.name, arena.keepForm(form));
      parts.pack += performance.now() - packStart;
      formats.add(formLabel(form));
      // an embedding's Gather reads these bytes as GatherBlockQuantized (embeddings.ts withTiedGather, the packed writer): the format says so
      if (form.kind === 'nbits' && (embeddings.tie?.head.name === w.name || embeddings.tables.some((t) => t.name === w.name))) formats.add(`GatherBlockQuantized ${form.weight.bits}-bit (token table)`);
      if (opts.simulated) dequantized.set(w.name, r.dequantized);
      tensors.push({ ...r.stats, name: w.name, params: w.params, ...(r.clamped !== undefined ? { clamped: r.clamped } : {}), ...(structured ? { bitsPerWeight: structuredBits(plans?.[i] as NeuronPlan | undefined) } : {}) });
      kernelMs += r.kernelMs ?? 0;
      job.progress('compress', i + 1, weights.length, w.name);
    };
  }
  finishing?.();
  job.check();
  // its memory goes back now, not whenever the worker's GC runs (bench "scale")
  if (scratch) releaseFloats(scratch);
  scratch = undefined;
  // the kernels keep GPU buffers for the next tensor; the variant is done with them
  const releaseStart = performance.now();
  if (device === 'webgpu') await releaseKernelMemory();
  parts.kernel_release = performance.now() - releaseStart;
  job.progress('write', 0, 1, 'writing the packed model');
  const writeStart = performance.now();
  let packedBytes: Uint8Array;
  let removedParams = 0;
  try {
    if (st) ({ packedBytes, removedParams } = st);
    else if (structured) ({ bytes: packedBytes, removedParams } = writeStructuredModel(model.parsed, structured));
    else packedBytes = writePackedModel(withTiedGather(model.parsed, embeddings, forms), weights, forms, EXTERNAL_MIN_TOTAL_BYTES, arena);
  } catch (e) {
    throw labError('BadOption', `${label}: the packed model could not be written: ${(e as Error).message}`);
  }
  parts.write = performance.now() - writeStart;
  forms.clear();
  // the twin's tied table: the compressed head's values, laid out as the table
  if (embeddings.tie && dequantized.has(embeddings.tie.head.name)) dequantized.set(embeddings.tie.table, tableOf(dequantized.get(embeddings.tie.head.name)!, embeddings.tie));
  const simulatedBytes = st ? st.simulatedBytes : opts.simulated ? writeVariant(model.parsed, dequantized) : undefined;
  dequantized.clear();
  job.progress('write', 1, 1);
  // the yardstick's copy is timed inside the make but is no part of it
  const makeMs = performance.now() - started - (copy?.ms ?? 0);
  job.progress('gzip', 0, 1, 'measuring the download size');
  const gzipBytes = await gzipSize(packedBytes);
  job.progress('gzip', 1, 1);
  const linearParams = model.summary.linearParams + embeddings.tables.reduce((a, t) => a + t.params, 0);
  const bitsPerWeight = (tensors.reduce((a, t) => a + t.bitsPerWeight * t.params, 0) + 32 * (untouchedParams + choice.leftFloat.reduce((a, t) => a + t.params, 0))) / linearParams;
  // structured pruning: f32, but a smaller model (the removed neurons are gone, not zeros)
  const storage = st ? variantStorage(st.storages) : structured ? 'packed' : variantStorage(storages);
  const summary: VariantSummary = {
    id: variantId(model.summary.id, spec, device),
    modelId: model.summary.id,
    label,
    spec,
    device,
    tensors,
    bitsPerWeight,
    storage,
    format: st ? st.format : structured ? structuredFormat(structured) : [...formats].join('; '),
    packedBytes: modelSize(packedBytes),
    gzipBytes,
    f32Bytes: f32ModelBytes(model),
    kernelMs,
    makeMs,
    ...(copy ? { copyMs: copy.ms, copyBytes: copy.bytes, memcpyMs: copy.memcpyMs } : {}),
    copyWeightsWarmMs,
    readMs,
    makePartsMs: parts,
    ...(choice.leftFloat.length ? { leftFloat: choice.leftFloat } : {}),
    ...(structured ? { totalParams: model.summary.totalParams - removedParams } : {}),
    ...(calibration ? { calibration: { ...calibration.settings, ms: calibration.ms() } } : {}),
  };
  return { summary, packedBytes, simulatedBytes };
}
