// An exported variant generates in transformers.js as any downloaded model does. The zip is built
// by the code the UI's Export button runs (export-graph.ts picks the graph, kv-companion.ts makes
// the variant again on the demo's KV-cache decoder, export-zip.ts writes the folder), unzipped, and
// loaded with AutoTokenizer + AutoModelForCausalLM from the folder, no dtype or file name given:
// greedy generate() of 8 tokens equals onnxruntime-node's argmax loop on the variant the lab
// evaluated (the cache-less graph, whole sequence per token), and the folder's perplexity in
// onnxruntime-node equals that variant's within 0.5 %. The old export (the cache-less graph as
// onnx/model.onnx) fails generate() at its second token: the export of a model without a KV graph
// still writes it, and its card and note say so (second case). A dropped KV-cache decoder (Optimum's
// merged form) exports its own variant, which generates; one whose inputs transformers.js does not
// feed (logits_to_keep) is said not to, and indeed fails (third case).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { AutoModelForCausalLM, AutoTokenizer, env, pipeline, type Tensor } from '@huggingface/transformers';
import { DATASETS, loadDemoLm, MODELS, ort, pplOfBytes, windowRunner } from '../../tests/local-models';
import { Job } from '../jobs';
import { buildModel, gatherFiles, type DroppedFile } from '../model/load';
import { slidingPerplexity } from '../eval/windows';
import { checkCompanion, KV_DECODER_PATH, remakeOnCompanion } from '../eval/kv-companion';
import { makeVariant } from './make-variant';
import { exportGraph } from './export-graph';
import { exportVariant } from './export-zip';

const DEMO = 'brown-gpt2-tiny';
const PROMPT = 'The jury said';
const NEW_TOKENS = 8;
const WINDOWS = { tokens: 1024, context: 256, stride: 256 };
const out = mkdtempSync(join(tmpdir(), 'lab-export-generate-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** One graph of a folder (its config and tokenizer beside it) as the worker loads a dropped folder. */
function loadGraph(dir: string, onnx: string) {
  const file = (p: string): DroppedFile => {
    const b = readFileSync(join(dir, p));
    return { path: p, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  };
  return buildModel(gatherFiles(['config.json', 'tokenizer.json', 'tokenizer_config.json', onnx].map(file)), readFileSync(join(DATASETS, 'brown-test.txt'), 'utf8'));
}

function unzipTo(name: string, zip: Uint8Array): Record<string, Uint8Array> {
  const files = unzipSync(zip);
  for (const [p, b] of Object.entries(files)) {
    mkdirSync(dirname(join(out, name, p)), { recursive: true });
    writeFileSync(join(out, name, p), b);
  }
  return files;
}

/** `fn` with transformers.js reading local models from the unzipped exports. */
async function inExports<T>(fn: () => Promise<T>): Promise<T> {
  const saved = env.localModelPath;
  env.localModelPath = out + '/';
  try {
    return await fn();
  } finally {
    env.localModelPath = saved;
  }
}

/** Greedy transformers.js generate() on the unzipped folder `name`, loaded as any model (no dtype, no file name): the new token ids. */
const generateIn = (name: string) => inExports(async () => {
  const tok = await AutoTokenizer.from_pretrained(name, { local_files_only: true });
  const model = await AutoModelForCausalLM.from_pretrained(name, { local_files_only: true });
  try {
    const inputs = tok(PROMPT);
    const ids = (await model.generate({ ...inputs, max_new_tokens: NEW_TOKENS, min_new_tokens: NEW_TOKENS, do_sample: false })) as Tensor;
    return Array.from(ids.data as BigInt64Array, Number).slice(inputs.input_ids.dims[1]);
  } finally {
    await model.dispose();
  }
});

/** The text pipeline('text-generation') writes from the folder `name`, greedy. */
const pipelineText = (name: string) => inExports(async () => {
  const generator = await pipeline('text-generation', name, { local_files_only: true });
  try {
    const [r] = (await generator(PROMPT, { max_new_tokens: NEW_TOKENS, min_new_tokens: NEW_TOKENS, do_sample: false })) as { generated_text: string }[];
    return r.generated_text;
  } finally {
    await generator.dispose();
  }
});

/** onnxruntime-node's greedy loop on packed bytes: the whole sequence each step (a KV-cache decoder with an empty past), argmax of the last position. */
async function argmaxLoop(bytes: Uint8Array, prompt: number[]): Promise<number[]> {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  try {
    const run = windowRunner(s);
    const seq = [...prompt];
    for (let i = 0; i < NEW_TOKENS; i++) {
      const n = seq.length;
      const { logits, vocab } = await run(BigInt64Array.from(seq, BigInt));
      const last = logits.subarray((n - 1) * vocab, n * vocab);
      let best = 0;
      for (let v = 1; v < vocab; v++) if (last[v] > last[best]) best = v;
      seq.push(best);
    }
    return seq.slice(prompt.length);
  } finally {
    await s.release();
  }
}

describe(`the export of ${DEMO} INT4 g32`, () => {
  const model = loadDemoLm(DEMO);
  const job = new Job('export-generate');
  const made = makeVariant(model, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu', job);

  it('holds the variant made on the KV-cache decoder: transformers.js generates what onnxruntime-node argmax gives, same perplexity', async () => {
    const v = await made;
    const kv = loadGraph(join(MODELS, DEMO), KV_DECODER_PATH);
    checkCompanion(model, kv);
    const graph = await exportGraph(model, v, { file: KV_DECODER_PATH, make: () => remakeOnCompanion(kv, v, job) });
    expect(graph).toMatchObject({ kind: 'kv-cache', generates: true, remade: true, source: KV_DECODER_PATH });
    const exp = await exportVariant(v.summary, graph, model, []);
    const files = unzipTo('int4', exp.zip);
    expect(Object.keys(files).sort()).toEqual(['MODEL_CARD.md', 'config.json', 'lab-variant.json', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json']);
    const config = JSON.parse(new TextDecoder().decode(files['config.json']));
    expect(config['transformers.js_config']).toEqual({ dtype: 'fp32' });

    // the written graph: past_key_values.* in, present.* out, and MatMulNBits (the packed weights, not a float copy)
    const s = await ort.InferenceSession.create(join(out, 'int4', 'onnx', 'model.onnx'), { executionProviders: ['cpu'] });
    expect(s.inputNames).toContain('past_key_values.0.key');
    expect(s.outputNames).toContain('present.0.value');
    expect(new TextDecoder('latin1').decode(files['onnx/model.onnx'])).toContain('MatMulNBits');

    const card = new TextDecoder().decode(files['MODEL_CARD.md']);
    expect(card).toContain(`made again, same method, settings and kernels, on the source's \`${KV_DECODER_PATH}\``);
    expect(card).toContain(`${files['onnx/model.onnx'].length.toLocaleString('en-US')} bytes`);
    expect(card).toContain(`${v.summary.packedBytes.toLocaleString('en-US')} bytes`);

    const tok = await AutoTokenizer.from_pretrained(DEMO, { local_files_only: true });
    const prompt = tok.encode(PROMPT);
    const generated = await generateIn('int4');
    const reference = await argmaxLoop(v.packedBytes, prompt);
    console.log(`${DEMO} INT4 g32 export: transformers.js generate ${JSON.stringify(tok.decode(generated))} ${JSON.stringify(generated)}; onnxruntime-node argmax on the evaluated graph ${JSON.stringify(reference)}`);
    expect(generated).toHaveLength(NEW_TOKENS);
    expect(generated).toEqual(reference);
    expect(await pipelineText('int4')).toBe(PROMPT + tok.decode(generated));

    const lab = await pplOfBytes(model, v.packedBytes, WINDOWS);
    const exported = (await slidingPerplexity(model.datasetIds, WINDOWS, windowRunner(s))).ppl;
    await s.release();
    console.log(`ppl over ${WINDOWS.tokens} tokens in onnxruntime-node: evaluated graph ${lab.toFixed(6)}, exported KV graph (empty past) ${exported.toFixed(6)}`);
    expect(Math.abs(exported / lab - 1)).toBeLessThan(0.005);
  });

  it('without a KV graph keeps the cache-less graph, and the card says generate() fails on it, as it does', async () => {
    const v = await made;
    const graph = await exportGraph(model, v);
    expect(graph).toMatchObject({ kind: 'prefill', generates: false, remade: false });
    expect(graph.why).toMatch(/generates only with a KV cache/);
    const exp = await exportVariant(v.summary, graph, model, []);
    expect(exp.graph.why).toBe(graph.why);
    const files = unzipTo('int4-no-cache', exp.zip);
    expect(Buffer.from(files['onnx/model.onnx']).equals(Buffer.from(v.packedBytes))).toBe(true);
    const card = new TextDecoder().decode(files['MODEL_CARD.md']);
    expect(card).toContain("**transformers.js `generate()` and `pipeline('text-generation')` fail on it**");
    await expect(generateIn('int4-no-cache')).rejects.toThrow(/MatMul dimension mismatch/);
  });
});

describe('the export of a dropped KV-cache decoder (INT4 g32)', () => {
  const job = new Job('export-generate-kv');

  it('is the variant itself and generates; one with inputs transformers.js does not feed says so, and fails as said', async () => {
    const tok = await AutoTokenizer.from_pretrained(DEMO, { local_files_only: true });
    // Optimum's merged decoder (an If on use_cache_branch): the variant is written from its with-cache branch
    const merged = loadGraph('e2e/fixtures/tiny-llama-merged', 'onnx/decoder_model_merged.onnx');
    const v = await makeVariant(merged, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu', job);
    const graph = await exportGraph(merged, v);
    expect(graph).toMatchObject({ kind: 'kv-cache', generates: true, remade: false });
    unzipTo('llama-merged', (await exportVariant(v.summary, graph, merged, [])).zip);
    const generated = await generateIn('llama-merged');
    const reference = await argmaxLoop(v.packedBytes, tok.encode(PROMPT));
    console.log(`tiny-llama-merged INT4 g32 export: transformers.js generate ${JSON.stringify(generated)}; onnxruntime-node argmax (empty past, whole sequence) ${JSON.stringify(reference)}`);
    expect(generated).toEqual(reference);

    // logits_to_keep and rank-3 position_ids: transformers.js feeds neither as declared
    const extras = loadGraph('e2e/fixtures/tiny-llama-extras', 'onnx/model.onnx');
    const w = await makeVariant(extras, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu', job);
    const g = await exportGraph(extras, w);
    expect(g).toMatchObject({ kind: 'kv-cache', generates: false });
    expect(g.why).toMatch(/logits_to_keep/);
    const card = new TextDecoder().decode(unzipTo('llama-extras', (await exportVariant(w.summary, g, extras, [])).zip)['MODEL_CARD.md']);
    expect(card).toContain('fail on it');
    await expect(generateIn('llama-extras')).rejects.toThrow(/logits_to_keep/);
  });
});
