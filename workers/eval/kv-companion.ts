/**
 * The KV-cache decoder beside a built-in model's prefill graph. The demo folders ship
 * onnx/model.onnx (what the page loads and evaluates) and onnx/decoder_model_merged.onnx (the same
 * weights with past_key_values → present.* for decoding). Decode speed measured on the prefill graph
 * runs the whole context again for every token, which is not how a deployed model writes; so for
 * decode the page asks for this companion: its files fetched with the demo (so it works offline
 * like the rest of the demo), built on first use (never counted among the engine's models, dropped
 * with its model), checked to hold bit-for-bit the loaded graph's linear weights,
 * and a variant is the same spec made again on it with the same kernels — checked to give the same
 * per-tensor error statistics as the variant of the loaded graph, i.e. the same compressed weights.
 * An export writes that remade variant as its onnx/model.onnx, because transformers.js generates
 * only with a cache (variants/export-graph.ts).
 */
import { labError } from '../errors';
import type { Job } from '../jobs';
import { buildModel, gatherDemo, type LoadedModel, type ModelSource } from '../model/load';
import { readF32 } from '../model/onnx-graph';
import { makeVariant, type VariantRecord } from '../variants/make-variant';
import { releaseSessions } from './ort-runtime';

/** The graph a demo folder keeps its KV-cache decoder in. */
export const KV_DECODER_PATH = 'onnx/decoder_model_merged.onnx';

interface Companion {
  model: LoadedModel;
  /** the last variant made on it (one at a time: each holds a packed model) */
  variant?: { id: string; rec: VariantRecord };
}

/** By the loaded model's id; a promise so two calls at once load it once. */
const companions = new Map<string, Promise<Companion>>();

/**
 * The decoder's files, fetched when the demo loads (prefetchCompanion), by the loaded model's id.
 * The demo is fetched whole at load and then works with the network gone; the decoder is only
 * built (parsed, weights checked) on first use, but its bytes must already be here, or an offline
 * export or decode timing fails to fetch it (an export then fell back to a graph that cannot generate).
 */
const prefetched = new Map<string, Promise<ModelSource>>();

const hasCompanion = (model: LoadedModel) =>
  model.summary.source === 'demo' && model.summary.graphKind === 'prefill' && model.summary.task !== 'sequence-classification';

/** Starts fetching a demo language model's KV-cache decoder beside it (not awaited: the load does not wait for it). */
export function prefetchCompanion(model: LoadedModel): void {
  const id = model.summary.id;
  if (!hasCompanion(model) || prefetched.has(id) || companions.has(id)) return;
  const p = gatherDemo(model.summary.name, KV_DECODER_PATH);
  // a failed prefetch is not an error yet: load() fetches again and reports it when the decoder is needed
  p.catch(() => prefetched.delete(id));
  prefetched.set(id, p);
}

/** Linear weights that differ between the two graphs (by name; missing counts as differing). */
function differingWeights(a: LoadedModel, b: LoadedModel): string[] {
  const out: string[] = [];
  for (const w of a.linear) {
    const ta = a.parsed.tensors.get(w.name);
    const tb = b.parsed.tensors.get(w.name);
    if (!ta || !tb) {
      out.push(w.name);
      continue;
    }
    const x = readF32(ta);
    const y = readF32(tb);
    if (x.length !== y.length || x.some((v, i) => !Object.is(v, y[i]))) out.push(w.name);
  }
  return out;
}

/** Throws unless `kv` is `model`'s KV-cache decoder holding bit for bit the same linear weights. */
export function checkCompanion(model: LoadedModel, kv: LoadedModel, file = KV_DECODER_PATH): void {
  if (kv.summary.graphKind !== 'kv-cache') throw labError('NotLanguageModel', `${model.summary.name}/${file} has no past_key_values inputs: it is not a KV-cache decoder`);
  const differ = differingWeights(model, kv);
  if (differ.length || kv.linear.length !== model.linear.length) {
    throw labError('BadOption', `${model.summary.name}/${file} does not hold the loaded graph's linear weights (${differ.slice(0, 3).join(', ') || `${kv.linear.length} vs ${model.linear.length} weights`} differ): it is not this model`);
  }
}

async function load(model: LoadedModel, datasetText: () => Promise<string>): Promise<Companion> {
  if (model.summary.source !== 'demo') {
    throw labError('BadOption', `${model.summary.name} was loaded from files: only the built-in models' KV-cache decoder (${KV_DECODER_PATH}) is loaded beside them; load your folder's decoder graph from the model card to time decode on its cache`);
  }
  if (model.summary.graphKind === 'kv-cache') throw labError('BadOption', `${model.summary.name} (${model.summary.onnxPath}) is itself a KV-cache decoder: time it without kvDecoder`);
  const early = prefetched.get(model.summary.id);
  prefetched.delete(model.summary.id);
  const src = (await early?.catch(() => undefined)) ?? (await gatherDemo(model.summary.name, KV_DECODER_PATH));
  const kv = buildModel(src, await datasetText());
  checkCompanion(model, kv);
  return { model: kv };
}

/** Same compressed weights: every tensor's error statistics equal the loaded graph's variant's. */
function checkSameVariant(kvRec: VariantRecord, mine: VariantRecord): void {
  const key = (r: VariantRecord) => JSON.stringify(r.summary.tensors.map((t) => [t.name, t.params, t.sparsity, t.relFrobeniusError, t.maxAbsError, t.bitsPerWeight]).sort());
  if (key(kvRec) !== key(mine) || kvRec.summary.format !== mine.summary.format) {
    throw labError('BadOption', `${mine.summary.label} made again on ${KV_DECODER_PATH} did not give the same compressed weights as on the loaded graph`);
  }
}

/** The variant `mine` made again on the companion `kv` with the same spec and kernels, checked to hold the same compressed weights. */
export async function remakeOnCompanion(kv: LoadedModel, mine: VariantRecord, job: Job): Promise<VariantRecord> {
  const rec = await makeVariant(kv, mine.summary.spec, mine.summary.device, job);
  checkSameVariant(rec, mine);
  return rec;
}

/** The loaded model's companion, loaded once (two calls at once share the load). */
async function companionOf(model: LoadedModel, datasetText: () => Promise<string>, job: Job): Promise<Companion> {
  const id = model.summary.id;
  let pending = companions.get(id);
  if (!pending) {
    job.progress('kv-decoder', 0, 1, `loading ${KV_DECODER_PATH}`);
    pending = load(model, datasetText);
    companions.set(id, pending);
    pending.catch(() => companions.delete(id));
  }
  const c = await pending;
  job.progress('kv-decoder', 1, 1);
  return c;
}

/**
 * The variant `vId` (the loaded graph's `mine`) made again on the model's KV-cache decoder: what
 * decode is timed on and what an export writes for generation (variants/export-graph.ts). One is
 * kept per model; its sessions are keyed `${modelId}|kv|${vId}`.
 */
export async function kvVariant(model: LoadedModel, vId: string, mine: VariantRecord, datasetText: () => Promise<string>, job: Job): Promise<VariantRecord> {
  const c = await companionOf(model, datasetText, job);
  const id = model.summary.id;
  if (c.variant?.id !== vId) {
    if (c.variant) await releaseSessions(`${id}|kv|${c.variant.id}`);
    c.variant = undefined;
    c.variant = { id: vId, rec: await remakeOnCompanion(c.model, mine, job) };
  }
  return c.variant.rec;
}

/**
 * What decodeSpeed runs for `vId` on the KV-cache decoder: the companion's baseline or the
 * variant `mine` made again on it. Session keys start with the model id, so releasing the model's
 * sessions releases these too.
 */
export async function kvRunnable(
  model: LoadedModel, vId: string, mine: VariantRecord | undefined, datasetText: () => Promise<string>, job: Job,
): Promise<{ key: string; getBytes: () => Uint8Array; ids: Int32Array; nPositions: number; graph: string }> {
  const id = model.summary.id;
  const base = { ids: model.datasetIds, nPositions: model.summary.nPositions, graph: KV_DECODER_PATH };
  if (vId === 'baseline' || !mine) {
    const c = await companionOf(model, datasetText, job);
    return { ...base, key: `${id}|kv|baseline`, getBytes: () => c.model.baselineBytes };
  }
  const rec = await kvVariant(model, vId, mine, datasetText, job);
  return { ...base, key: `${id}|kv|${vId}|packed`, getBytes: () => rec.packedBytes };
}

/** Forgets a model's companion (the model was dropped; its sessions go with the model's). */
export function forgetCompanion(modelId: string): void {
  companions.delete(modelId);
  prefetched.delete(modelId);
}
