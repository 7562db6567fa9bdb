/**
 * The "models" part of `npm run bench` (issue "Models as people publish them"): each fixture loaded
 * in Chromium through the lab's worker API (engine harness page) and scored on WASM, next to
 * onnxruntime-node on the same file and tokens (scripts/ppl-node.ts, scripts/classify-node.ts,
 * which share no code with the engine):
 *   brown-gpt2            the demo LM's prefill graph             (f32)
 *   brown-gpt2-kv         its KV-cache decoder, empty past        (f32)
 *   brown-gpt2-int4       the lab's own INT4 g32 export dropped back in (MatMulNBits 4-bit, published compressed)
 *   tiny-llama, -kv       RMSNorm, RoPE, SwiGLU, GQA, untied head (f32; e2e/fixtures/tiny-llama)
 *   tiny-llama-merged     Optimum's merged decoder: one If on use_cache_branch (same weights)
 *   tiny-llama-extras     a KV-cache decoder with 3-D position_ids (mrope) and logits_to_keep
 *   tiny-llama-fp16       the prefill graph computing in fp16 (WASM runs it as published)
 *   tiny-llama-int8-dynamic  quantize_dynamic's form (DynamicQuantizeLinear + MatMulInteger)
 *   tiny-llama-bf16       the prefill graph computing in bf16, converted to f32 as it loads (onnxruntime-node
 *                         cannot load the file: it runs the lab's converted graph, written by the same loader)
 *   tiny-llama-bf16-cast  bf16 weights + Cast to float (run as published)
 *   tiny-llama-qdq        weight-only QDQ int8 + a GatherBlockQuantized embedding (onnxruntime-node with
 *                         basic optimizations: its extended ones run DQ → MatMul as 8-bit MatMulNBits on x86)
 *   random-gpt2-tiny-*    the random GPT-2 shape at its smallest (tools/make_random_model.py --shape gpt2-tiny
 *                         --forms, built into the cache when missing): KV decoder, fp16, q4, int8 QDQ
 *   random-gpt2-tiny-merged, brown-gpt2-tiny-merged / -fp16 / -int8-qdq / -gemm / -two-data-files
 *                         tools/make_lm_forms.py (tests/lm-forms.ts, into the cache when missing): Optimum's
 *                         merged decoder, fp16, QDQ int8, Gemm(transB=0) linears, weights over model.onnx_data + _1
 *   brown-bert-genre      the demo classifier: accuracy instead of perplexity
 *   tiny-gpt2-genre       a GPT-2 sequence classifier (last non-pad token)
 *   tiny-distilbert-genre a DistilBERT-style classifier, no token_type_ids (tools/make_distilbert_fixture.py, random weights)
 *   tiny-roberta-genre    a RoBERTa-style classifier: positions from pad + 1 in the graph, <s> … </s> byte-level BPE
 *                         (tools/make_roberta_fixture.py, random weights)
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser } from '@playwright/test';
import { unzipSync } from 'fflate';
import { call as callHarness, harness } from './bench-variants';
import { buildModel, gatherFiles } from '../workers/model/load';
import { ensureRandomGpt2Tiny } from '../tests/random-gpt2-tiny';
import { DEMO_EXTERNAL, DEMO_FORMS, ensureLmForms, RANDOM_MERGED } from '../tests/lm-forms';
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
    // the dev server reloads the page when a source file changes under it (another checkout user
    // editing): the engine and its models are then gone, so a fixture is tried once more from its load
    const retryOnReload = async (what: () => Promise<void>) => {
      try {
        await what();
      } catch (e) {
        if (!/Execution context was destroyed|reading 'load/.test((e as Error).message)) throw e;
        o.log('models: the page reloaded under the bench; trying that fixture again');
        await page.waitForFunction(() => 'harness' in window, null, { timeout: 300_000 });
        await what();
      }
    };
    const settings = { backend: 'wasm', tokens: TOKENS, context: 256, stride: 256, throughputRuns: 0 };
    const lm = async (name: string, folder: string, onnx: string, load: () => Promise<ModelSummary>, note?: string, nodeArgs: string[] = []) => {
      o.log(`models: ${name}`);
      try {
        let m!: ModelSummary;
        let r!: EvalResult;
        await retryOnReload(async () => {
          m = await load();
          r = await call<EvalResult>('evaluate', m.id, 'baseline', { ...settings, context: Math.min(256, m.nPositions || 256), stride: Math.min(256, m.nPositions || 256) });
        });
        const ref = node('scripts/ppl-node.ts', ['--model', folder, '--onnx', onnx, '--tokens', String(TOKENS), '--context', String(r.settings.context), '--stride', String(r.settings.stride), ...nodeArgs]);
        const dtype = m.published ? ([...new Set(m.published.weights.map((w) => `${w.format} ${w.bits}-bit`))].join(', ') || m.published.compute) + (m.published.compute === 'bf16' ? ' (computes in bf16; converted to f32 on load)' : '') : 'f32';
        models[name] = { loaded: true, graph: m.mergedDecoder ? `${m.graphKind} (merged, use_cache_branch)` : m.graphKind, dtype, model_type: m.modelType, linear_weights: m.linearWeights.length, tokens_scored: r.perplexity.tokensScored, ppl_lab_wasm: round(r.perplexity.ppl), ppl_ort_node: round(ref.ppl), rel_diff: Number((r.perplexity.ppl / ref.ppl - 1).toExponential(2)), ...(note ? { note } : {}) };
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
    // in a temporary folder for onnxruntime-node, served to the page from memory: test-results/ is
    // emptied by any Playwright run that starts meanwhile (it took the export away mid-bench once)
    const dir = mkdtempSync(join(tmpdir(), 'bench-int4-'));
    const unzipped = unzipSync(Buffer.from(zip.base64, 'base64'));
    for (const [p, b] of Object.entries(unzipped)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), b);
    }
    await page.route('**/bench-models/brown-gpt2-int4/**', (route) => {
      const file = unzipped[new URL(route.request().url()).pathname.replace('/bench-models/brown-gpt2-int4/', '')];
      return file ? route.fulfill({ body: Buffer.from(file) }) : route.fulfill({ status: 404 });
    });
    await lm('brown-gpt2-int4', dir, 'onnx/model.onnx', folder('/bench-models/brown-gpt2-int4/', 'onnx/model.onnx'));
    rmSync(dir, { recursive: true, force: true });
    await lm('tiny-llama', 'e2e/fixtures/tiny-llama', 'onnx/model.onnx', folder('/e2e/fixtures/tiny-llama/', 'onnx/model.onnx'));
    await lm('tiny-llama-kv', 'e2e/fixtures/tiny-llama', 'onnx/decoder_model.onnx', folder('/e2e/fixtures/tiny-llama/', 'onnx/decoder_model.onnx'));
    for (const [name, onnx] of [['tiny-llama-merged', 'onnx/decoder_model_merged.onnx'], ['tiny-llama-extras', 'onnx/model.onnx'], ['tiny-llama-fp16', 'onnx/model.onnx']]) {
      await lm(name, `e2e/fixtures/${name}`, onnx, folder(`/e2e/fixtures/${name}/`, onnx));
    }
    await lm('tiny-llama-int8-dynamic', 'e2e/fixtures/tiny-llama-int8-dynamic', 'onnx/model.onnx', folder('/e2e/fixtures/tiny-llama-int8-dynamic/', 'onnx/model.onnx'),
      "onnxruntime-node's u8 x s8 MatMulInteger kernel saturates on x86 without VNNI (int16 pair sums): its ppl differs; on the same weights as uint8 it equals the lab's (e2e/published-forms.spec.ts)");
    // bf16: onnxruntime-node cannot load a graph computing in bf16, so it runs the lab's conversion of it
    const bf16 = 'e2e/fixtures/tiny-llama-bf16';
    const converted = mkdtempSync(join(tmpdir(), 'bench-bf16-'));
    const dropped = [...JSON_FILES, 'onnx/model_bf16.onnx'].map((p) => {
      const b = readFileSync(join(bf16, p));
      return { path: p, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
    });
    mkdirSync(join(converted, 'onnx'));
    writeFileSync(join(converted, 'onnx/model.onnx'), buildModel(gatherFiles(dropped), 'a').baselineBytes);
    for (const f of JSON_FILES) copyFileSync(join(bf16, f), join(converted, f));
    await lm('tiny-llama-bf16', converted, 'onnx/model.onnx', folder(`/${bf16}/`, 'onnx/model_bf16.onnx'),
      "onnxruntime refuses the bf16 graph (bf16 Einsum); both sides run the graph converted to f32 as the lab loads it (onnxruntime-node on the converted bytes)");
    rmSync(converted, { recursive: true, force: true });
    await lm('tiny-llama-bf16-cast', bf16, 'onnx/model.onnx', folder(`/${bf16}/`, 'onnx/model.onnx'));
    const basic = ['--optimization', 'basic'];
    const qdqNote = "onnxruntime-node at basic optimizations: its extended ones run DequantizeLinear -> MatMul as MatMulNBits 8-bit with 8-bit activations on x86 (0.3 % off), onnxruntime-web does not";
    await lm('tiny-llama-qdq', 'e2e/fixtures/tiny-llama-qdq', 'onnx/model.onnx', folder('/e2e/fixtures/tiny-llama-qdq/', 'onnx/model.onnx'), qdqNote, basic);
    const random = ensureRandomGpt2Tiny();
    for (const [name, onnx] of [['kv', 'onnx/decoder_model_merged.onnx'], ['fp16', 'onnx/model_fp16.onnx'], ['q4', 'onnx/model_q4.onnx'], ['int8-qdq', 'onnx/model_int8_qdq.onnx']]) {
      await lm(`random-gpt2-tiny-${name}`, random, onnx, folder('/.cache/models/random-gpt2-tiny/', onnx), name === 'int8-qdq' ? qdqNote : undefined, name === 'int8-qdq' ? basic : []);
    }
    ensureLmForms();
    await lm('random-gpt2-tiny-merged', RANDOM_MERGED, 'onnx/decoder_model_merged.onnx', folder(`/${RANDOM_MERGED}/`, 'onnx/decoder_model_merged.onnx'));
    for (const [name, onnx] of [['merged', 'onnx/decoder_model_merged.onnx'], ['fp16', 'onnx/model_fp16.onnx'], ['int8-qdq', 'onnx/model_int8_qdq.onnx'], ['gemm', 'onnx/model_gemm.onnx']]) {
      await lm(`brown-gpt2-tiny-${name}`, DEMO_FORMS, onnx, folder(`/${DEMO_FORMS}/`, onnx), name === 'int8-qdq' ? qdqNote : undefined, name === 'int8-qdq' ? basic : []);
    }
    await lm('brown-gpt2-tiny-two-data-files', DEMO_EXTERNAL, 'onnx/model.onnx', () => call<ModelSummary>('loadFolder', `/${DEMO_EXTERNAL}/`, [...JSON_FILES, 'onnx/model.onnx', 'onnx/model.onnx_data', 'onnx/model.onnx_data_1']));
    const classifier = async (name: string, load: () => Promise<ModelSummary>, folderPath: string) => {
      o.log(`models: ${name}`);
      try {
        let m!: ModelSummary;
        let r!: ClassificationResult;
        await retryOnReload(async () => {
          m = await load();
          r = await call<ClassificationResult>('classify', m.id, 'baseline', { backend: 'wasm', examples: EXAMPLES });
        });
        const ref = node('scripts/classify-node.ts', ['--model', folderPath, '--limit', String(EXAMPLES)]);
        models[name] = { loaded: true, graph: 'classifier', dtype: 'f32', model_type: m.modelType, examples: r.examples, accuracy_lab_wasm: round(r.accuracy), accuracy_ort_node: round(ref.accuracy), macro_f1_lab_wasm: round(r.macroF1) };
      } catch (e) {
        models[name] = { loaded: false, error: (e as Error).message.slice(0, 300) };
      }
    };
    await classifier('brown-bert-genre', () => call<ModelSummary>('loadDemo', 'brown-bert-genre'), 'public/models/brown-bert-genre');
    await classifier('tiny-gpt2-genre', folder('/e2e/fixtures/tiny-gpt2-genre/', 'onnx/model.onnx'), 'e2e/fixtures/tiny-gpt2-genre');
    await classifier('tiny-distilbert-genre', folder('/e2e/fixtures/tiny-distilbert-genre/', 'onnx/model.onnx'), 'e2e/fixtures/tiny-distilbert-genre');
    await classifier('tiny-roberta-genre', folder('/e2e/fixtures/tiny-roberta-genre/', 'onnx/model.onnx'), 'e2e/fixtures/tiny-roberta-genre');
    notes.push(`models: each fixture loaded through LabApi.loadDemo / loadFiles in Chromium and scored on WASM (${TOKENS} tokens of brown-test, context = stride = min(256, n_positions); the classifier on the first ${EXAMPLES} labelled examples), against onnxruntime-node on the same file (scripts/ppl-node.ts, scripts/classify-node.ts).`);
  } finally {
    await page.close();
  }
  return { models, notes };
}
