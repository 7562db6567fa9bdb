/**
 * The "models" part of `npm run bench` (issue "Models as people publish them"): each fixture loaded
 * in Chromium through the lab's worker API (engine harness page) and scored on WASM, next to
 * onnxruntime-node on the same file and tokens (scripts/ppl-node.ts, scripts/classify-node.ts,
 * which share no code with the engine):
 *   brown-gpt2            the demo LM's prefill graph             (f32)
 *   brown-gpt2-kv         its KV-cache decoder, empty past        (f32)
 *   brown-gpt2-int4       the lab's own INT4 g32 export dropped back in (MatMulNBits 4-bit, published compressed)
 *   tiny-llama, -kv       RMSNorm, RoPE, SwiGLU, GQA, untied head (f32; e2e/fixtures/tiny-llama)
 *   brown-bert-genre      the demo classifier: accuracy instead of perplexity
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Browser } from '@playwright/test';
import { unzipSync } from 'fflate';
import { call as callHarness, harness } from './bench-variants';
import type { ClassificationResult, EvalResult, ModelSummary, VariantSummary } from '../workers/api';

const TOKENS = 1024;
const EXAMPLES = 120;
const round = (x: number, d = 4) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);
const JSON_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

function node(script: string, args: string[]): any {
  const out = execFileSync('npx', ['tsx', script, ...args], { encoding: 'utf8', timeout: 300_000 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

export async function benchModels(o: { browser: Browser; base: string; log: (s: string) => void }): Promise<{ models: Record<string, object>; notes: string[] }> {
  const page = await harness(o.browser, o.base, o.log);
  const models: Record<string, object> = {};
  const notes: string[] = [];
  try {
    const call = <T>(fn: string, ...args: unknown[]) => callHarness<T>(page, fn, ...args);
    const settings = { backend: 'wasm', tokens: TOKENS, context: 256, stride: 256, throughputRuns: 0 };
    const lm = async (name: string, folder: string, onnx: string, load: () => Promise<ModelSummary>) => {
      o.log(`models: ${name}`);
      try {
        const m = await load();
        const r = await call<EvalResult>('evaluate', m.id, 'baseline', { ...settings, context: Math.min(256, m.nPositions || 256), stride: Math.min(256, m.nPositions || 256) });
        const ref = node('scripts/ppl-node.ts', ['--model', folder, '--onnx', onnx, '--tokens', String(TOKENS), '--context', String(r.settings.context), '--stride', String(r.settings.stride)]);
        const dtype = m.published ? [...new Set(m.published.weights.map((w) => `${w.format} ${w.bits}-bit`))].join(', ') || m.published.compute : 'f32';
        models[name] = { loaded: true, graph: m.graphKind, dtype, model_type: m.modelType, linear_weights: m.linearWeights.length, tokens_scored: r.perplexity.tokensScored, ppl_lab_wasm: round(r.perplexity.ppl), ppl_ort_node: round(ref.ppl), rel_diff: Number((r.perplexity.ppl / ref.ppl - 1).toExponential(2)) };
      } catch (e) {
        models[name] = { loaded: false, error: (e as Error).message.slice(0, 300) };
      }
    };
    const folder = (url: string, onnx: string) => () => call<ModelSummary>('loadFolder', url, [...JSON_FILES, onnx]);
    await lm('brown-gpt2', 'public/models/brown-gpt2', 'onnx/model.onnx', () => call<ModelSummary>('loadDemo', 'brown-gpt2'));
    await lm('brown-gpt2-kv', 'public/models/brown-gpt2', 'onnx/decoder_model_merged.onnx', folder('/models/brown-gpt2/', 'onnx/decoder_model_merged.onnx'));
    // the lab's own INT4 export, unzipped where the dev server serves it
    const demo = await call<ModelSummary>('loadDemo', 'brown-gpt2');
    const v = await call<VariantSummary>('makeVariant', demo.id, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu');
    const zip = await call<{ base64: string }>('exportVariant', demo.id, v.id, []);
    const dir = join('test-results', 'bench-models', 'brown-gpt2-int4');
    rmSync(dir, { recursive: true, force: true });
    for (const [p, b] of Object.entries(unzipSync(Buffer.from(zip.base64, 'base64')))) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), b);
    }
    await lm('brown-gpt2-int4', dir, 'onnx/model.onnx', folder(`/${dir}/`, 'onnx/model.onnx'));
    await lm('tiny-llama', 'e2e/fixtures/tiny-llama', 'onnx/model.onnx', folder('/e2e/fixtures/tiny-llama/', 'onnx/model.onnx'));
    await lm('tiny-llama-kv', 'e2e/fixtures/tiny-llama', 'onnx/decoder_model.onnx', folder('/e2e/fixtures/tiny-llama/', 'onnx/decoder_model.onnx'));
    o.log('models: brown-bert-genre');
    try {
      const m = await call<ModelSummary>('loadDemo', 'brown-bert-genre');
      const r = await call<ClassificationResult>('classify', m.id, 'baseline', { backend: 'wasm', examples: EXAMPLES });
      const ref = node('scripts/classify-node.ts', ['--limit', String(EXAMPLES)]);
      models['brown-bert-genre'] = { loaded: true, graph: 'classifier', dtype: 'f32', model_type: m.modelType, examples: r.examples, accuracy_lab_wasm: round(r.accuracy), accuracy_ort_node: round(ref.accuracy), macro_f1_lab_wasm: round(r.macroF1) };
    } catch (e) {
      models['brown-bert-genre'] = { loaded: false, error: (e as Error).message.slice(0, 300) };
    }
    notes.push(`models: each fixture loaded through LabApi.loadDemo / loadFiles in Chromium and scored on WASM (${TOKENS} tokens of brown-test, context = stride = min(256, n_positions); the classifier on the first ${EXAMPLES} labelled examples), against onnxruntime-node on the same file (scripts/ppl-node.ts, scripts/classify-node.ts).`);
  } finally {
    await page.close();
  }
  return { models, notes };
}
