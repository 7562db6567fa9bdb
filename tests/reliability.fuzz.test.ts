// Fuzzing the loader and the settings checks (issue 11): mutated model folders go through
// gatherFiles + buildModel (workers/model/load.ts, which parses with onnx-graph.ts), mutated
// variant specs through resolveSpec, mutated evaluation settings through validateSettings, and
// mutated run settings through the UI's check and the planner (runSettingsProblem, planJobs).
// Every case must end in a sound model / an accepted input the engine takes (checked in
// tests/fuzz-worker.ts) or a typed lab error (name in ERROR_CODES). The cases run in a worker
// thread, each with a deadline of CASE_BOUND_MS: a case that does not answer by then (a synchronous
// loop too) is a hang, its worker is terminated and a new one takes the next case. fast-check with
// a fixed seed: a failure prints its seed and path, so it replays. The counts per class are
// printed (docs/reliability.md quotes them; scripts/bench-reliability.ts reads the summary line).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { DroppedFile } from '../workers/model/load';
import { onnx } from '../workers/model/onnx-graph';
import { DEFAULT_SETTINGS, type RunSettings } from '../src/store/types';

const SEED = 20251129;
/** a case's deadline, from sending it to its answer; the slowest case measured is ~0.3 s */
const CASE_BOUND_MS = 5000;

const f32bytes = (xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);
const vi = (name: string, elemType: number) => ({ name, type: { tensorType: { elemType } } });
const enc = (o: unknown) => new TextEncoder().encode(typeof o === 'string' ? o : JSON.stringify(o));

/**
 * A small causal LM graph: Gather(emb) → MatMul(W1) → MatMul(W2, external) → Gemm(·, emb, transB=1)
 * → logits; vocab 8, hidden 4. W2 lives in model.onnx_data.
 */
function baseModel() {
  const emb = Array.from({ length: 32 }, (_, i) => (i % 7) / 10 - 0.3);
  const w1 = Array.from({ length: 16 }, (_, i) => (i % 5) / 4 - 0.5);
  const w2 = Array.from({ length: 16 }, (_, i) => (i % 3) / 3 - 0.2);
  const data = new Uint8Array(32 + 64);
  data.set(f32bytes(w2), 32);
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'fuzz-base',
      node: [
        { name: 'embed', opType: 'Gather', input: ['emb', 'input_ids'], output: ['h0'] },
        { name: 'fc1', opType: 'MatMul', input: ['h0', 'W1'], output: ['h1'] },
        { name: 'fc2', opType: 'MatMul', input: ['h1', 'W2'], output: ['h2'] },
        { name: 'head', opType: 'Gemm', input: ['h2', 'emb'], output: ['logits'], attribute: [{ name: 'transB', type: 2, i: 1 }] },
      ],
      initializer: [
        { name: 'emb', dims: [8, 4], dataType: 1, rawData: f32bytes(emb) },
        { name: 'W1', dims: [4, 4], dataType: 1, rawData: f32bytes(w1) },
        {
          name: 'W2', dims: [4, 4], dataType: 1, dataLocation: 1,
          externalData: [{ key: 'location', value: 'model.onnx_data' }, { key: 'offset', value: '32' }, { key: 'length', value: '64' }],
        },
      ],
      input: [vi('input_ids', 7), vi('attention_mask', 7)],
      output: [vi('logits', 1)],
    },
  });
  // a copy: protobufjs hands out small buffers from a shared slab that later encodes overwrite
  return { bytes: Uint8Array.from(onnx.ModelProto.encode(model).finish()), data, proto: model };
}

const BASE = baseModel();
const VOCAB = Object.fromEntries(['the', 'a', 'of', 'and', 'to', 'in', 'is', '[UNK]'].map((w, i) => [w, i]));
const TOKENIZER = { model: { type: 'WordLevel', vocab: VOCAB, unk_token: '[UNK]' }, pre_tokenizer: { type: 'Whitespace' }, normalizer: null, post_processor: null, decoder: null, added_tokens: [] };
const CONFIG = { model_type: 'gpt2', n_positions: 16, vocab_size: 8 };

interface Folder {
  onnx?: Uint8Array;
  data?: Uint8Array;
  config?: Uint8Array;
  tokenizer?: Uint8Array;
}

const buf = (u: Uint8Array) => u.slice().buffer as ArrayBuffer;
function files(f: Folder): DroppedFile[] {
  const out: DroppedFile[] = [];
  if (f.config) out.push({ path: 'm/config.json', data: buf(f.config) });
  if (f.tokenizer) out.push({ path: 'm/tokenizer.json', data: buf(f.tokenizer) });
  if (f.onnx) out.push({ path: 'm/onnx/model.onnx', data: buf(f.onnx) });
  if (f.data) out.push({ path: 'm/onnx/model.onnx_data', data: buf(f.data) });
  return out;
}
const goodFolder = (): Folder => ({ onnx: BASE.bytes, data: BASE.data, config: enc(CONFIG), tokenizer: enc(TOKENIZER) });

/** `import x from './k.wgsl?raw'` (the compression kernels) in the worker: the file's text, as Vite gives it. */
const WGSL_HOOK = `data:text/javascript,${encodeURIComponent(`
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
export async function load(url, context, next) {
  if (!/\\.wgsl(\\?|$)/.test(url)) return next(url, context);
  return { format: 'module', shortCircuit: true, source: 'export default ' + JSON.stringify(readFileSync(fileURLToPath(url.split('?')[0]), 'utf8')) };
}`)}`;

/** One worker thread running the cases; replaced after a case misses its deadline. */
class CaseRunner {
  private worker?: Worker;
  private next = 0;
  private pending = new Map<number, (r: { outcome: string; detail: string; ms: number }) => void>();
  restarts = 0;

  private start(): Worker {
    // tsx's API compiles the TypeScript entry inside the worker (an --import flag does not reach a worker here)
    // (the package's ESM build: its "require" entry, which createRequire finds, is the CommonJS one)
    const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    const entry = new URL('./fuzz-worker.ts', import.meta.url).href;
    const w = new Worker(`require('node:module').register(${JSON.stringify(WGSL_HOOK)});\nimport(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`, { eval: true });
    w.on('message', (r: { id: number; outcome: string; detail: string; ms: number }) => {
      this.pending.get(r.id)?.(r);
      this.pending.delete(r.id);
    });
    w.on('error', (e) => {
      for (const resolve of this.pending.values()) resolve({ outcome: `crash:worker ${e.name}`, detail: e.message, ms: 0 });
      this.pending.clear();
      this.worker = undefined;
    });
    return w;
  }

  run(kind: string, input: unknown, bound = CASE_BOUND_MS): Promise<{ outcome: string; detail: string; ms: number }> {
    const worker = (this.worker ??= this.start());
    const id = this.next++;
    const t0 = performance.now();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        void worker.terminate();
        if (this.worker === worker) this.worker = undefined;
        this.restarts++;
        resolve({ outcome: 'hang', detail: `no answer within ${bound} ms`, ms: performance.now() - t0 });
      }, bound);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      worker.postMessage({ id, kind, input });
    });
  }

  close = () => this.worker?.terminate();
}

const runner = new CaseRunner();
afterAll(() => runner.close());

const stats = new Map<string, Map<string, number>>();
const slowest = new Map<string, number>();
let hangs = 0;
let crashes = 0;

/** Runs one case in the worker, records its class and time; true when it ended acceptably. */
async function record(kind: string, runnerKind: string, input: unknown): Promise<boolean> {
  const { outcome, detail, ms } = await runner.run(runnerKind, input);
  const byKind = stats.get(kind) ?? new Map<string, number>();
  const cls = outcome.startsWith('unsound:') ? 'unsound' : outcome;
  byKind.set(cls, (byKind.get(cls) ?? 0) + 1);
  stats.set(kind, byKind);
  slowest.set(kind, Math.max(slowest.get(kind) ?? 0, ms));
  const ok = outcome === 'loaded' || outcome === 'accepted' || outcome.startsWith('typed:');
  if (outcome === 'hang') hangs++;
  else if (!ok) crashes++;
  if (!ok) console.error(`[fuzz] ${kind}: ${outcome} ${detail}`);
  return ok;
}

const load = (f: Folder) => files(f);

// ---- mutations of bytes -----------------------------------------------------------------

const bitFlips = (bytes: Uint8Array) =>
  fc.array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.nat({ max: 7 })), { minLength: 1, maxLength: 64 }).map((flips) => {
    const out = bytes.slice();
    for (const [i, b] of flips) out[i] ^= 1 << b;
    return out;
  });

const truncation = (bytes: Uint8Array) => fc.nat({ max: bytes.length - 1 }).map((n) => bytes.slice(0, n));

/** A varint written over the bytes at a position: a length or tag that lies (huge, or just off). */
const varint = (v: bigint) => {
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
};
const lyingLength = (bytes: Uint8Array) =>
  fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.oneof(fc.bigInt({ min: 0n, max: 1n << 35n }), fc.constantFrom(0n, 1n, 127n, 128n, (1n << 31n) - 1n, (1n << 32n) + 5n, (1n << 63n) - 1n))).map(([at, v]) => {
    const out = bytes.slice();
    const b = varint(v);
    for (let k = 0; k < b.length && at + k < out.length; k++) out[at + k] = b[k];
    return out;
  });

// ---- structured mutations of the graph --------------------------------------------------

const hugeDim = fc.oneof(
  fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 32 + 1, 2 ** 53 - 1, 1e12),
  fc.integer({ min: -5, max: 100_000 }),
);
/** null (no edit) 3 times in 4 or `rare` times in `rare + 1`: each case edits a few things, not all */
const sometimes = <T,>(arb: fc.Arbitrary<T>, rare = 3) => fc.oneof({ weight: rare, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
const structural = fc.record({
  tensor: fc.constantFrom('emb', 'W1', 'W2'),
  dims: sometimes(fc.array(hugeDim, { minLength: 0, maxLength: 4 }), 1),
  dataType: sometimes(fc.integer({ min: -1, max: 25 }), 1),
  rawLength: sometimes(fc.nat({ max: 200 })),
  offset: sometimes(fc.oneof(fc.constantFrom('-8', 'NaN', '1e30', 'abc', ''), fc.nat({ max: 1 << 20 }).map(String))),
  length: sometimes(fc.oneof(fc.constantFrom('-1', 'NaN', '1e30', 'x'), fc.nat({ max: 1 << 20 }).map(String))),
  location: sometimes(fc.constantFrom('', 'missing.bin', '../../etc/passwd', 'model.onnx_data')),
  // edits that make it no language model at all: rarely, so most cases reach the tensors
  dropNodes: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  renameOutput: sometimes(fc.constantFrom('', 'logits2', 'last_hidden_state'), 15),
  extraInput: sometimes(fc.constantFrom('past_key_values.0.key', 'pixel_values', 'token_type_ids'), 15),
  opType: sometimes(fc.constantFrom('MatMulNBits', 'Conv', 'FooBar', 'Gemm', ''), 15),
});

function mutateGraph(m: fc.RecordValue<typeof structural extends fc.Arbitrary<infer T> ? T : never>): Uint8Array {
  const proto = onnx.ModelProto.decode(BASE.bytes);
  const g = proto.graph!;
  const t = g.initializer.find((x) => x.name === m.tensor)!;
  if (m.dims) t.dims = m.dims as unknown as typeof t.dims;
  if (m.dataType !== null) t.dataType = m.dataType;
  if (m.rawLength !== null && t.rawData?.length) t.rawData = new Uint8Array(m.rawLength);
  const kv = (key: string, value: string | null) => {
    if (value === null) return;
    if (!t.externalData?.length) {
      t.dataLocation = 1;
      t.externalData = [{ key: 'location', value: 'model.onnx_data' }];
    }
    const e = t.externalData.find((x) => x.key === key);
    if (e) e.value = value;
    else t.externalData.push(onnx.StringStringEntryProto.create({ key, value }));
  };
  kv('offset', m.offset);
  kv('length', m.length);
  kv('location', m.location);
  if (m.dropNodes) g.node = g.node.slice(0, 1);
  if (m.renameOutput !== null) g.output[0].name = m.renameOutput;
  if (m.extraInput !== null) g.input.push(onnx.ValueInfoProto.create(vi(m.extraInput, 1)));
  if (m.opType !== null && g.node[1]) g.node[1].opType = m.opType;
  return Uint8Array.from(onnx.ModelProto.encode(proto).finish());
}

// ---- mutated settings: config.json, tokenizer.json, missing files ----------------------

const jsonValue = fc.oneof(
  fc.constantFrom(0, -1, 1e308, Number.NaN, null, '', '16', 'abc', true, [], {}),
  fc.integer({ min: -10, max: 1 << 30 }),
  fc.double(),
  fc.string({ maxLength: 8 }),
);
const configMutation = fc.record({
  n_positions: fc.option(jsonValue),
  vocab_size: fc.option(jsonValue),
  model_type: fc.option(jsonValue),
  garbage: fc.option(fc.string({ maxLength: 40 })),
});
const tokenizerMutation = fc.oneof(
  fc.string({ maxLength: 60 }).map((s) => enc(s)),
  fc.record({ model: fc.oneof(fc.constant(null), fc.record({ type: fc.constantFrom('WordLevel', 'BPE', 'Unigram', 'Nope', ''), vocab: fc.oneof(fc.constant(VOCAB), fc.dictionary(fc.string({ maxLength: 4 }), fc.integer({ min: -3, max: 1 << 20 }), { maxKeys: 4 })), unk_token: fc.option(fc.string({ maxLength: 5 })) })) }).map((o) => enc({ ...TOKENIZER, ...o })),
  fc.uint8Array({ maxLength: 64 }),
);
const missing = fc.record({ onnx: fc.boolean(), data: fc.boolean(), config: fc.boolean(), tokenizer: fc.boolean() });

// ---- run --------------------------------------------------------------------------------

const RUNS = {
  'bit flips (1-64) in model.onnx': 250,
  'truncated model.onnx': 150,
  'lying varint (length/tag) in model.onnx': 200,
  'graph: dims, dtypes, raw lengths, external offsets/lengths, ops, I/O': 250,
  'bit flips / truncation of model.onnx_data': 60,
  'config.json values': 120,
  'tokenizer.json': 80,
  'missing files': 32,
  'variant spec (method, ratio, group size, device)': 300,
  'evaluation settings (tokens, context, stride, runs, backend)': 300,
  'run settings through the UI check and the planner': 300,
};
const GRAPH = 'graph: dims, dtypes, raw lengths, external offsets/lengths, ops, I/O';

describe('fuzzing the loader and settings (seed ' + SEED + ')', () => {
  const check = async <T,>(kind: keyof typeof RUNS, arb: fc.Arbitrary<T>, runnerKind: string, input: (x: T) => unknown, seedOffset: number) => {
    await fc.assert(fc.asyncProperty(arb, (x) => record(kind, runnerKind, input(x))), { seed: SEED + seedOffset, numRuns: RUNS[kind], endOnFailure: true });
  };

  it('the deadline catches a synchronous loop: the case is a hang, and the next case runs on a new worker', async () => {
    const before = runner.restarts;
    expect((await runner.run('hang', null, 3000)).outcome).toBe('hang');
    expect(runner.restarts).toBe(before + 1);
    expect((await runner.run('load', load(goodFolder()))).outcome).toBe('loaded');
  }, 30_000);

  it('the unmutated folder loads (the mutations start from a working model)', async () => {
    expect(await runner.run('load', load(goodFolder()))).toMatchObject({ outcome: 'loaded' });
  }, 30_000);

  it('mutated model bytes: a sound model or a typed error, never a crash or a hang', async () => {
    await check('bit flips (1-64) in model.onnx', bitFlips(BASE.bytes), 'load', (onnxBytes) => load({ ...goodFolder(), onnx: onnxBytes }), 1);
    await check('truncated model.onnx', truncation(BASE.bytes), 'load', (onnxBytes) => load({ ...goodFolder(), onnx: onnxBytes }), 2);
    await check('lying varint (length/tag) in model.onnx', lyingLength(BASE.bytes), 'load', (onnxBytes) => load({ ...goodFolder(), onnx: onnxBytes }), 3);
    await check(GRAPH, structural, 'load', (m) => load({ ...goodFolder(), onnx: mutateGraph(m) }), 4);
    await check('bit flips / truncation of model.onnx_data', fc.oneof(bitFlips(BASE.data), truncation(BASE.data)), 'load', (data) => load({ ...goodFolder(), data }), 5);
    // the graph edits reach the tensors: most are not stopped at "not a language model"
    const graph = stats.get(GRAPH)!;
    expect(graph.get('typed:NotLanguageModel') ?? 0).toBeLessThan(RUNS[GRAPH] / 4);
  });

  it('mutated folder settings: config.json, tokenizer.json, missing files', async () => {
    await check('config.json values', configMutation, 'load', (c) => {
      const cfg: Record<string, unknown> = { ...CONFIG };
      for (const [k, v] of Object.entries(c)) if (v !== null) cfg[k] = v;
      return load({ ...goodFolder(), config: c.garbage !== null && c.garbage.length > 30 ? enc(c.garbage) : enc(cfg) });
    }, 6);
    await check('tokenizer.json', tokenizerMutation, 'load', (tokenizer) => load({ ...goodFolder(), tokenizer }), 7);
    await check('missing files', missing, 'load', (keep) => {
      const g = goodFolder();
      return load({ onnx: keep.onnx ? g.onnx : undefined, data: keep.data ? g.data : undefined, config: keep.config ? g.config : undefined, tokenizer: keep.tokenizer ? g.tokenizer : undefined });
    }, 8);
  });

  const num = fc.oneof(fc.double(), fc.integer({ min: -100, max: 1 << 20 }), fc.constantFrom(Number.NaN, Infinity, -0, 0, 1, 0.5, 2, 8, 32, 33, 128, 256, 257));
  const specArb = fc.record({
    method: fc.oneof(fc.constantFrom('magnitude-prune', 'int8-channel', 'int4-group', 'fp16', '', 'gptq'), fc.string({ maxLength: 6 })),
    options: fc.record({ ratio: fc.option(num, { nil: undefined }), groupSize: fc.option(num, { nil: undefined }) }),
  });

  it('mutated variant specs and evaluation settings: accepted or BadOption', async () => {
    const device = fc.constantFrom('webgpu', 'cpu', 'tpu', '');
    await check('variant spec (method, ratio, group size, device)', fc.tuple(specArb, device), 'spec', ([s, d]) => ({ spec: { method: s.method, options: s.options }, device: d }), 9);
    const settings = fc.record({
      backend: fc.constantFrom('webgpu', 'wasm', 'cuda', ''),
      tokens: num, context: num, stride: num, throughputRuns: num,
    });
    await check('evaluation settings (tokens, context, stride, runs, backend)', settings, 'settings', (s) => s, 10);
  });

  it('mutated run settings: refused by the UI check (BadOption) or planned into jobs the engine accepts', async () => {
    const maybe = <T,>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    // mostly plausible values (near the limits), sometimes anything: so both refusals and plans are tried
    const around = (min: number, max: number) => fc.oneof({ weight: 3, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: num });
    const run = fc.record({
      backends: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(['wasm'], ['webgpu', 'wasm'], ['webgpu']) }, { weight: 1, arbitrary: fc.array(fc.constantFrom('wasm', 'webgpu', 'cuda', ''), { maxLength: 3 }) }),
      tokens: fc.record({ wasm: around(1, 5000), webgpu: around(1, 5000) }),
      context: maybe(around(0, 1100)),
      stride: maybe(around(0, 1100)),
      throughputRuns: around(0, 60),
      variants: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...DEFAULT_SETTINGS.variants) }, { weight: 1, arbitrary: specArb }), { maxLength: 3 }),
      device: fc.constantFrom('webgpu', 'cpu'),
      seqLen: maybe(around(0, 1100)),
    });
    const model = fc.record({ nPositions: fc.constantFrom(0, 8, 256, 1024), datasetTokens: fc.constantFrom(0, 1, 100, 4096) });
    await check('run settings through the UI check and the planner', fc.tuple(run, model), 'plan', ([r, m]) => {
      const { seqLen, ...rest } = r;
      const settings = { ...DEFAULT_SETTINGS, ...rest, speed: { wasm: { seqLen, runs: 3 }, webgpu: { seqLen, runs: 3 } } } as unknown as RunSettings;
      return { settings, model: m };
    }, 11);
  });

  it('report', () => {
    const lines: string[] = [];
    let total = 0;
    for (const [kind, byKind] of stats) {
      const n = [...byKind.values()].reduce((a, b) => a + b, 0);
      total += n;
      const parts = [...byKind].sort((a, b) => b[1] - a[1]).map(([o, c]) => `${o} ${c}`).join(', ');
      lines.push(`${kind}: ${n} cases, slowest ${slowest.get(kind)!.toFixed(1)} ms — ${parts}`);
    }
    console.log(`[fuzz] seed ${SEED}: ${total} cases, ${crashes} crashes, ${hangs} hangs, bound ${CASE_BOUND_MS} ms per case (in a worker thread)\n${lines.join('\n')}`);
    expect(total).toBeGreaterThanOrEqual(1000);
    expect(crashes).toBe(0);
    expect(hangs).toBe(0);
  });
});
