/**
 * A variant as a model folder people can take elsewhere: the Hugging Face / Optimum layout that
 * transformers.js and onnxruntime load as they load any model, zipped:
 *
 *   config.json, tokenizer.json, tokenizer_config.json   as the source model had them (config.json
 *                                                        + transformers.js_config: see exportConfig)
 *   onnx/model.onnx [+ model.onnx_data]                  the packed model: a KV-cache decoder where the
 *                                                        lab has one, so transformers.js generates
 *                                                        (export-graph.ts), else the evaluated graph
 *   MODEL_CARD.md                                        source, method, settings, format, sizes,
 *                                                        and the lab's measured results with their settings
 *   lab-variant.json                                     the same, machine-readable
 *
 * The card reports only what was measured (the caller passes the results); no result, no number.
 */
import { zipSync, strToU8 } from 'fflate';
import type { EvalResult, ExportedVariant, VariantSummary } from '../api';
import type { LoadedModel } from '../model/load';
import { dataFileBytes, exportedSize, exportLayout } from '../formats/export-layout';
import { EXTERNAL_DATA_PATH } from '../formats/external-weights';
import { calibrationCardLines } from './calibration-used';
import { f32BytesText } from './f32-bytes-text';
import { gzipSize } from '../formats/gzip-size';
import type { ExportGraph } from './export-graph';

const json = (v: unknown) => strToU8(JSON.stringify(v, null, 1) + '\n');

/**
 * The source's config.json with transformers.js_config set so transformers.js loads the files
 * written: dtype "fp32" picks onnx/model.onnx (its file-name suffix for fp32 is none; in a browser
 * its default dtype, q8, would look for model_quantized.onnx), and a data file is named when there
 * is one (the browser build fetches model.onnx_data only when told). dtype chooses the file only:
 * the weights are in the form the card states.
 */
export function exportConfig(config: Record<string, unknown>, hasData: boolean): Record<string, unknown> {
  const given = (config['transformers.js_config'] ?? {}) as Record<string, unknown>;
  const { use_external_data_format: _drop, ...rest } = given;
  return { ...config, 'transformers.js_config': { ...rest, dtype: 'fp32', ...(hasData ? { use_external_data_format: true } : {}) } };
}

/** What the card says about the graph written and about generating with it. */
function graphLines(g: ExportGraph, model: LoadedModel): string[] {
  const use = [
    '```js',
    "import { env, pipeline } from '@huggingface/transformers';",
    "env.localModelPath = '/path/to/'; // the folder holding this unzipped folder",
    "const generator = await pipeline('text-generation', '<this folder>', { local_files_only: true });",
    "console.log(await generator('The jury said', { max_new_tokens: 20, do_sample: false }));",
    '```',
  ];
  if (g.kind === 'kv-cache' && g.remade) {
    return [
      `- onnx/model.onnx is a KV-cache decoder (past_key_values.* in, present.* out): this variant made again, same method, settings and kernels, on the source's \`${g.source}\` (the same weights as its \`${model.summary.onnxPath}\`, with a cache). The lab checked it holds the same compressed weights (every tensor's error statistics equal). The measurements below were taken on the variant of \`${model.summary.onnxPath}\` (no cache); fed an empty past this graph computes the same.`,
      '- transformers.js `generate()` and `pipeline(\'text-generation\')` run it:',
      ...use,
    ];
  }
  const kvLine = '- onnx/model.onnx is a KV-cache decoder (past_key_values.* in, present.* out): the graph the lab evaluated, fed an empty past for prefill.';
  if (g.kind === 'kv-cache' && g.generates) return [kvLine, '- transformers.js `generate()` and `pipeline(\'text-generation\')` run it:', ...use];
  if (!g.why) return ['- onnx/model.onnx is the graph the lab evaluated (a sequence classifier: it writes no tokens).'];
  if (g.kind === 'kv-cache') return [kvLine, `- **transformers.js \`generate()\` and \`pipeline('text-generation')\` fail on it**: ${g.why}. onnxruntime runs it with the inputs it declares.`];
  return [
    '- onnx/model.onnx has no KV cache (no past_key_values inputs): the graph the lab evaluated. onnxruntime and transformers.js run its forward pass (logits of a whole sequence: scoring, perplexity).',
    `- **transformers.js \`generate()\` and \`pipeline('text-generation')\` fail on it** ("MatMul dimension mismatch" at the second token): ${g.why}. To generate with this file, run the whole sequence each step and take the last position's argmax.`,
  ];
}

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

/** Bytes of the graph written: its .onnx + data file, and gzip (measured from those bytes). */
export interface WrittenSize {
  bytes: number;
  gzipBytes: number;
}

export function modelCard(v: VariantSummary, model: LoadedModel, results: readonly EvalResult[], graph: ExportGraph, written: WrittenSize, dataFiles: readonly string[] = []): string {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB (${b.toLocaleString('en-US')} bytes)`;
  const opts = Object.entries(v.spec.options ?? {}).map(([k, x]) => `${k} = ${x}`).join(', ') || 'defaults';
  const rows = results
    .filter((r) => r.variantId === v.id || r.variantId === 'baseline')
    .map((r) => {
      const p = r.perplexity;
      const who = r.variantId === 'baseline' ? 'source model' : 'this variant';
      // a 3-bit variant (stored f32) and a twin run where an EP refused the packed model are both f32 numbers
      const form = r.variantId === 'baseline' ? (r.form === 'simulated' ? 'source, f32 reference' : 'source, as loaded') : r.form === 'packed' ? 'packed' : 'simulated (f32)';
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
    '## The graph, and generating with it',
    ...graphLines(graph, model),
    '- config.json is the source\'s with `transformers.js_config.dtype = "fp32"`: that only makes transformers.js load onnx/model.onnx (its file name for fp32); the weights are stored as above.',
    '',
    '## Sizes (measured from the bytes written)',
    `- onnx/model.onnx${dataFiles.map((f) => ` + onnx/${f} (its weights)`).join('')}: ${mb(written.bytes)}; gzip ${mb(written.gzipBytes)}; f32: ${mb(v.f32Bytes)}, ${f32BytesText(!!model.summary.published)}.`,
    ...(graph.remade ? [`- The evaluated variant of \`${model.summary.onnxPath}\` (no cache, the same compressed weights): ${mb(v.packedBytes)}; gzip ${mb(v.gzipBytes)}.`] : []),
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

export async function exportVariant(v: VariantSummary, graph: ExportGraph, model: LoadedModel, results: readonly EvalResult[]): Promise<ExportedVariant> {
  // one .onnx and one data file, unchanged tensors read from the dropped file they stayed in (formats/export-layout.ts)
  const layout = exportLayout(graph.bytes);
  const dataBytes = await dataFileBytes(layout);
  const data = dataBytes ? [{ path: EXTERNAL_DATA_PATH, bytes: dataBytes }] : [];
  // the evaluated graph's sizes were measured when it was made; a graph made again is measured here
  const written: WrittenSize = graph.remade ? { bytes: exportedSize(graph.bytes), gzipBytes: await gzipSize(graph.bytes) } : { bytes: v.packedBytes, gzipBytes: v.gzipBytes };
  const { bytes: _b, ...graphInfo } = graph;
  const files: Record<string, Uint8Array> = {
    'config.json': json(exportConfig(model.folder.config, data.length > 0)),
    'tokenizer.json': json(model.folder.tokenizerJson),
    'tokenizer_config.json': json(model.folder.tokenizerConfig ?? {}),
    'onnx/model.onnx': layout.onnx,
    // a big model's weights beside it, as onnxruntime and transformers.js read them (formats/external-weights.ts)
    ...Object.fromEntries(data.map((f) => [`onnx/${f.path}`, f.bytes])),
    'MODEL_CARD.md': strToU8(modelCard(v, model, results, graph, written, data.map((f) => f.path))),
    'lab-variant.json': json({ variant: v, graph: { ...graphInfo, bytes: written.bytes, gzipBytes: written.gzipBytes }, results: results.filter((r) => r.variantId === v.id || r.variantId === 'baseline') }),
  };
  // the model is already dense binary: storing it uncompressed keeps the zip fast and streamable
  const zip = zipSync(
    Object.fromEntries(Object.entries(files).map(([p, b]) => [p, [b, { level: /\.onnx(_data)?$/.test(p) ? 0 : 6 }]])) as never,
  );
  return { fileName: exportFileName(v, model), zip, files: Object.entries(files).map(([path, b]) => ({ path, bytes: b.length })), graph: graphInfo };
}
