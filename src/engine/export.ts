/**
 * A row's Export button: the variant as a model folder zip (config, tokenizer, onnx/model.onnx,
 * MODEL_CARD.md, lab-variant.json), built by the engine's exportVariant and downloaded.
 * The model card reports the finished evaluations of that model (baseline + this variant), sent
 * under the ids the worker knows. When the worker no longer has the variant (a restart or a page
 * reload), it is made again with the same spec and kernels; the lab's results are put in the card
 * only if the new packed model's bytes match the evaluated one (same size and gzip size), else the
 * card says nothing was measured rather than report numbers of another model.
 */
import type { EvalResult } from '../../workers/api';
import { useLab } from '../store';
import { specKey } from '../store/results';
import { modelKeyOf, type StoredVariant } from '../store/types';
import { downloadBytes } from '../lib/download';
import { bridge, ensureVariant } from './lab';
import { EXPECTED, toLabError } from './errors';

const lab = () => useLab.getState();
let seq = 0;

/** Why the variant cannot be exported now (undefined: it can). */
export function exportBlocker(v: StoredVariant): string | undefined {
  const { model, running, loading } = lab();
  if (running) return 'wait for the run to finish';
  if (loading) return 'a model is loading';
  if (!model || modelKeyOf(model) !== v.modelKey) return 'load the model this variant was made from';
  if (lab().exports.some((j) => j.status === 'running')) return 'an export is in progress';
  return undefined;
}

export async function exportVariant(v: StoredVariant): Promise<void> {
  const why = exportBlocker(v);
  if (why) {
    lab().notify({ kind: 'error', title: `Cannot export ${v.label}: ${why}.` });
    return;
  }
  const model = lab().model!;
  const jobId = `export-${Date.now().toString(36)}-${(seq++).toString(36)}`;
  lab().addExport({ id: jobId, kind: 'export', variantKey: specKey(v), label: `${v.label} · export zip`, status: 'running', startedAt: Date.now() });
  try {
    const w = await ensureVariant(specKey(v), v.spec, v.device, model.id, v.modelKey, jobId, lab().setExportProgress);
    const same = w.storedId === v.id && w.packedBytes === v.packedBytes && w.gzipBytes === v.gzipBytes;
    const results: EvalResult[] = !same ? [] : lab().evals
      .filter((e) => e.modelKey === v.modelKey && (e.variantId === v.id || e.variantId === 'baseline'))
      .map(({ modelKey: _k, variantLabel: _l, ...e }) => ({ ...e, modelId: model.id, variantId: e.variantId === v.id ? w.id : e.variantId }));
    const out = await bridge.exportVariant(model.id, w.id, { results }, jobId, lab().setExportProgress);
    downloadBytes(out.zip, out.fileName);
    // say plainly whether transformers.js can generate with the zip (workers/variants/export-graph.ts)
    const gen = out.graph.generates
      ? `; onnx/model.onnx is a KV-cache decoder${out.graph.remade ? ` (made again on ${out.graph.source}, same compressed weights)` : ''}: transformers.js generate() runs it`
      : out.graph.why ? `; transformers.js generate() will not run it (${out.graph.why})` : '';
    const note = `${out.fileName}, ${out.files.length} files${same ? '' : '; the card has no measurements (the variant was made again and differs)'}${gen}`;
    lab().patchExport(jobId, { status: 'done', endedAt: Date.now(), note });
  } catch (e) {
    const err = toLabError(e);
    lab().patchExport(jobId, { status: 'failed', endedAt: Date.now(), error: err.message });
    lab().notify({ kind: 'error', title: `Export of ${v.label} failed: ${err.message}`, detail: EXPECTED[err.code] });
  }
}
