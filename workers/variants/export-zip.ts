/**
 * A variant as a model folder people can take elsewhere: the Hugging Face / Optimum layout that
 * transformers.js and onnxruntime load as they load any model, zipped:
 *
 *   config.json, tokenizer.json, tokenizer_config.json   as the source model had them
 *   onnx/model.onnx                                      the packed model the lab evaluated
 *   MODEL_CARD.md                                        source, method, settings, format, sizes,
 *                                                        and the lab's measured results with their settings
 *   lab-variant.json                                     the same, machine-readable
 *
 * The card reports only what was measured (the caller passes the results); no result, no number.
 */
import { zipSync, strToU8 } from 'fflate';
import type { EvalResult, ExportedVariant, VariantSummary } from '../api';
import type { LoadedModel } from '../model/load';
import { dataFileBytes, exportLayout } from '../formats/export-layout';
import { EXTERNAL_DATA_PATH } from '../formats/external-weights';
import { calibrationCardLines } from './calibration-used';

const json = (v: unknown) => strToU8(JSON.stringify(v, null, 1) + '\n');

export function exportFileName(v: VariantSummary, model: LoadedModel): string {
  const safe = (s: string) => s.replace(/[^\w.-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  return `${safe(model.summary.name)}-${safe(v.label.replace('%', 'pct'))}.zip`;
}

/** Which linear weights were compressed and which were left f32 (and why): the LM head stays f32 unless opted in. */
function compressedLines(v: VariantSummary): string[] {
  const params = (n: number) => n.toLocaleString('en-US');
  const left = v.leftFloat ?? [];
  const all = v.tensors.length + left.length;
  const done = v.tensors.reduce((a, t) => a + t.params, 0);
  return [
    `- Compressed: ${v.tensors.length} of ${all} linear weights (${params(done)} parameters): ${v.tensors.map((t) => `\`${t.name}\``).join(', ')}.`,
    left.length
      ? `- Left f32: ${left.map((t) => `\`${t.name}\` (${params(t.params)} parameters; ${t.why})`).join('; ')}.`
      : '- Left f32: none (every linear weight was compressed).',
    `- Mean ${v.bitsPerWeight.toFixed(3)} bits per weight over the model's linear weights, including scales and zero points${left.length ? ', the ones left f32 counted at 32 bits' : ''}.`,
  ];
}

export function modelCard(v: VariantSummary, model: LoadedModel, results: readonly EvalResult[], dataFiles: readonly string[] = []): string {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB (${b.toLocaleString('en-US')} bytes)`;
  const opts = Object.entries(v.spec.options ?? {}).map(([k, x]) => `${k} = ${x}`).join(', ') || 'defaults';
  const rows = results
    .filter((r) => r.variantId === v.id || r.variantId === 'baseline')
    .map((r) => {
      const p = r.perplexity;
      const who = r.variantId === 'baseline' ? 'source model' : 'this variant';
      const form = r.variantId === 'baseline' ? 'f32' : r.form === 'packed' ? 'packed' : 'simulated (f32 twin)';
      return `| ${who} | ${p.ppl.toFixed(3)} | ${r.settings.backend} | ${form} | ${p.dataset} | ${p.tokensScored} | ${p.context} | ${p.stride} |`;
    });
  return [
    `# ${model.summary.name} — ${v.label}`,
    '',
    `Made in the compression lab from **${model.summary.name}** (${model.summary.modelType}, ${model.summary.totalParams.toLocaleString('en-US')} parameters).`,
    '',
    '## What was done',
    `- Method: ${v.spec.method} (${opts}), kernels on ${v.device === 'webgpu' ? 'WebGPU (WGSL)' : 'the CPU (TypeScript reference)'}.`,
    ...compressedLines(v),
    ...calibrationCardLines(v),
    `- Stored as: ${v.format}. ${v.storage === 'dense' ? 'Pruned weights are stored as dense f32 zeros: the file and the compute are those of the source; only the gzip size shrinks.' : v.storage === 'simulated' ? 'Simulated: no onnxruntime op runs this format, so its dequantized weights are stored as f32; the file is as large as the source.' : 'onnxruntime runs this form as it is (com.microsoft ops need onnxruntime, not every ONNX runtime).'}`,
    '',
    '## Sizes (measured from the bytes written)',
    `- onnx/model.onnx${dataFiles.map((f) => ` + onnx/${f} (its weights)`).join('')}: ${mb(v.packedBytes)}; gzip ${mb(v.gzipBytes)}; the f32 source model: ${mb(v.f32Bytes)}.`,
    '',
    '## Measured in the lab',
    rows.length
      ? ['| model | perplexity | backend | form | dataset | tokens scored | context | stride |', '|---|---|---|---|---|---|---|---|', ...rows].join('\n')
      : 'Nothing was measured before this export.',
    '',
    `Exported ${new Date().toISOString()}.`,
    '',
  ].join('\n');
}

export async function exportVariant(v: VariantSummary, packedBytes: Uint8Array, model: LoadedModel, results: readonly EvalResult[]): Promise<ExportedVariant> {
  // one .onnx and one data file, unchanged tensors read from the dropped file they stayed in (formats/export-layout.ts)
  const layout = exportLayout(packedBytes);
  const dataBytes = await dataFileBytes(layout);
  const data = dataBytes ? [{ path: EXTERNAL_DATA_PATH, bytes: dataBytes }] : [];
  const files: Record<string, Uint8Array> = {
    'config.json': json(model.folder.config),
    'tokenizer.json': json(model.folder.tokenizerJson),
    'tokenizer_config.json': json(model.folder.tokenizerConfig ?? {}),
    'onnx/model.onnx': layout.onnx,
    // a big model's weights beside it, as onnxruntime and transformers.js read them (formats/external-weights.ts)
    ...Object.fromEntries(data.map((f) => [`onnx/${f.path}`, f.bytes])),
    'MODEL_CARD.md': strToU8(modelCard(v, model, results, data.map((f) => f.path))),
    'lab-variant.json': json({ variant: v, results: results.filter((r) => r.variantId === v.id || r.variantId === 'baseline') }),
  };
  // the model is already dense binary: storing it uncompressed keeps the zip fast and streamable
  const zip = zipSync(
    Object.fromEntries(Object.entries(files).map(([p, b]) => [p, [b, { level: /\.onnx(_data)?$/.test(p) ? 0 : 6 }]])) as never,
  );
  return { fileName: exportFileName(v, model), zip, files: Object.entries(files).map(([path, b]) => ({ path, bytes: b.length })) };
}
