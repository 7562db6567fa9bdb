/**
 * INT8 per channel: which packed form to write, measured (issue 6). The demo LM's INT8 variant
 * (the lab's default: every linear weight but the LM head) is packed both ways the lab can write it,
 *   qdq    int8 weights + DequantizeLinear(axis) → MatMul
 *   nbits  8-bit MatMulNBits (each block repeats its channel's scale, zero point 128)
 * and, with the f32 source beside them, timed by the lab's own interleaved speed code (A B C A B C …
 * after a warm-up each; median, p10/p90) on the WASM EP and on WebGPU (SwiftShader here: not a GPU's
 * speed). Prints one JSON line; form-of.ts cites the result.
 *   npx tsx --import ./scripts/raw-import.mjs scripts/int8-form-speed.ts [--model brown-gpt2 | random-gpt2-small] [--port 5318] [--seq 256] [--runs 15] [--backends wasm,webgpu] [--forms f32,qdq,nbits]
 * Session memory of the same forms: scripts/int8-form-memory.ts.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launchChromium } from './launch-chromium';
import { compressTensor } from '../workers/compression/registry';
import { packedFormOf, type Int8Form } from '../workers/formats/form-of';
import { writePackedModel, type PackedForm } from '../workers/formats/packed-model';
import { readF32 } from '../workers/model/onnx-graph';
import { chooseTensors } from '../workers/variants/which-tensors';
import { loadDemoLm, loadFolder, ROOT } from '../tests/local-models';
import { startVite, stopVite } from './vite-server';

const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const MODEL = arg('model', 'brown-gpt2');
const port = Number(arg('port', '5318'));
const seq = Number(arg('seq', '256'));
const runs = Number(arg('runs', '15'));
const backends = arg('backends', 'wasm,webgpu').split(',') as ('wasm' | 'webgpu')[];
// all three sessions share one wasm32 heap: the 124 M shape's f32 session (1.6 GiB, int8-form-memory.ts) beside both INT8 ones may not fit
const timed = arg('forms', 'f32,qdq,nbits').split(',');

// a generated model (npm run models:random, e.g. random-gpt2-small: the 124 M shape) lives in .cache/models
const folder = path.join(ROOT, '.cache', 'models', MODEL);
const model = existsSync(folder) ? loadFolder(folder) : loadDemoLm(MODEL);
const sourceUrl = existsSync(folder) ? `/.cache/models/${MODEL}/onnx/model.onnx` : `/models/${MODEL}/onnx/model.onnx`;
const { weights } = chooseTensors({ method: 'int8-channel', options: {} }, model.summary, model.linear);
const dir = path.join(ROOT, '.cache', 'int8-forms', MODEL);
mkdirSync(dir, { recursive: true });
const sizes: Record<string, number> = {};
for (const form of ['qdq', 'nbits'] as Int8Form[]) {
  const forms = new Map<string, PackedForm>();
  for (const w of weights) {
    const r = await compressTensor('int8-channel', {}, { name: w.name, data: readF32(model.parsed.tensors.get(w.name)!).slice(), shape: w.shape, layout: w.layout }, 'cpu');
    forms.set(w.name, packedFormOf('int8-channel', r.options, r, w, form));
  }
  // inline (no external data file) so the worker can fetch one file, as for the f32 source
  const bytes = writePackedModel(model.parsed, model.linear, forms, Infinity);
  writeFileSync(path.join(dir, `${form}.onnx`), bytes);
  sizes[form] = bytes.length;
}

const vite = await startVite(port);
const browser = await launchChromium();
const out: Record<string, unknown> = { model: MODEL, compressed: weights.length, bytes: sizes };
try {
  const page = await browser.newPage();
  await page.routeWebSocket(() => true, () => {});
  await page.goto(`http://localhost:${port}/e2e/harness/engine.html`);
  const ids = Array.from(model.datasetIds.subarray(0, seq));
  const models = [
    { id: 'f32', url: sourceUrl },
    { id: 'qdq', url: `/.cache/int8-forms/${MODEL}/qdq.onnx` },
    { id: 'nbits', url: `/.cache/int8-forms/${MODEL}/nbits.onnx` },
  ].filter((m) => timed.includes(m.id));
  for (const backend of backends) {
    const len = backend === 'webgpu' ? Math.min(seq, 64) : seq;
    const n = backend === 'webgpu' ? 5 : runs;
    const r = await page.evaluate((msg) => new Promise<any>((resolve) => {
      const w = new Worker('/e2e/harness/int8-speed.worker.ts', { type: 'module' });
      w.onmessage = (e) => { resolve(e.data); w.terminate(); };
      w.postMessage(msg);
    }), { models, backend, ids: ids.slice(0, len), runs: n, warmup: 2 });
    if (!r.ok) throw new Error(`${backend}: ${r.error}`);
    out[backend] = Object.fromEntries((r.value as { id: string; tokensPerS: number; medianMs: number; p10Ms: number; p90Ms: number }[]).map((s) => [s.id, {
      prefill_tok_s: Number(s.tokensPerS.toFixed(1)), median_ms: Number(s.medianMs.toFixed(2)), p10_ms: Number(s.p10Ms.toFixed(2)), p90_ms: Number(s.p90Ms.toFixed(2)), seq_len: len, runs: n,
    }]));
  }
} finally {
  await browser.close();
  stopVite(vite);
}
console.log(JSON.stringify(out));
