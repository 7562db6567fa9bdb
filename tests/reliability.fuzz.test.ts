// Fuzzing the loader and the settings checks (issue 11): mutated model folders go through
// gatherFiles + buildModel (workers/model/load.ts, which parses with onnx-graph.ts), mutated
// variant specs through resolveSpec, mutated evaluation settings through validateSettings.
// Every case must end in a model or a typed lab error (name in ERROR_CODES), and no case may take
// longer than CASE_BOUND_MS. fast-check with a fixed seed: a failure prints its seed and path,
// so it replays. The counts per class are printed (docs/reliability.md quotes them).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type EvalSettings } from '../workers/api';
import { validateSettings } from '../workers/eval/evaluate';
import { buildModel, gatherFiles, type DroppedFile } from '../workers/model/load';
import { onnx } from '../workers/model/onnx-graph';

const SEED = 20251129;
const CASE_BOUND_MS = 2000;

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
const TEXT = 'the a of and to in is the of a and '.repeat(8);

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

type Outcome = 'loaded' | `typed:${string}` | `crash:${string}`;
const stats = new Map<string, Map<Outcome, number>>();
const slowest = new Map<string, number>();
let hangs = 0;

let lastError: unknown;
function classify(e: unknown): Outcome {
  lastError = e;
  const name = (e as { name?: string } | null)?.name ?? typeof e;
  return (ERROR_CODES as readonly string[]).includes(name) ? `typed:${name}` : `crash:${name}: ${String((e as Error)?.message).slice(0, 120)}`;
}

/** Runs one case, records its class and time; returns whether it ended acceptably. */
function record(kind: string, fn: () => unknown): boolean {
  const t0 = performance.now();
  let outcome: Outcome;
  try {
    fn();
    outcome = 'loaded';
  } catch (e) {
    outcome = classify(e);
  }
  const ms = performance.now() - t0;
  const byKind = stats.get(kind) ?? new Map<Outcome, number>();
  byKind.set(outcome, (byKind.get(outcome) ?? 0) + 1);
  stats.set(kind, byKind);
  slowest.set(kind, Math.max(slowest.get(kind) ?? 0, ms));
  if (ms >= CASE_BOUND_MS) {
    hangs++;
    console.error(`[fuzz] ${kind}: over the ${CASE_BOUND_MS} ms bound (${ms.toFixed(0)} ms), ${outcome}`);
  }
  if (outcome.startsWith('crash:')) console.error(`[fuzz] ${kind}: ${outcome}`, process.env.FUZZ_STACK ? lastError : '');
  return !outcome.startsWith('crash:') && ms < CASE_BOUND_MS;
}

const load = (f: Folder) => buildModel(gatherFiles(files(f)), TEXT);

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
const structural = fc.record({
  tensor: fc.constantFrom('emb', 'W1', 'W2'),
  dims: fc.option(fc.array(hugeDim, { minLength: 0, maxLength: 4 })),
  dataType: fc.option(fc.integer({ min: -1, max: 25 })),
  rawLength: fc.option(fc.nat({ max: 200 })),
  offset: fc.option(fc.oneof(fc.constantFrom('-8', 'NaN', '1e30', 'abc', ''), fc.nat({ max: 1 << 20 }).map(String))),
  length: fc.option(fc.oneof(fc.constantFrom('-1', 'NaN', '1e30', 'x'), fc.nat({ max: 1 << 20 }).map(String))),
  location: fc.option(fc.constantFrom('', 'missing.bin', '../../etc/passwd', 'model.onnx_data')),
  dropNodes: fc.boolean(),
  renameOutput: fc.option(fc.constantFrom('', 'logits2', 'last_hidden_state')),
  extraInput: fc.option(fc.constantFrom('past_key_values.0.key', 'pixel_values', 'token_type_ids')),
  opType: fc.option(fc.constantFrom('MatMulNBits', 'Conv', 'FooBar', 'Gemm', '')),
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
};

describe('fuzzing the loader and settings (seed ' + SEED + ')', () => {
  const check = <T,>(kind: keyof typeof RUNS, arb: fc.Arbitrary<T>, fn: (x: T) => unknown, seedOffset: number) => {
    fc.assert(fc.property(arb, (x) => record(kind, () => fn(x))), { seed: SEED + seedOffset, numRuns: RUNS[kind], endOnFailure: true });
  };

  it('the unmutated folder loads (the mutations start from a working model)', () => {
    const m = load(goodFolder());
    expect(m.linear.map((w) => w.name).sort()).toEqual(['W1', 'W2', 'emb']);
  });

  it('mutated model bytes: a model or a typed error, never a crash or a hang', () => {
    check('bit flips (1-64) in model.onnx', bitFlips(BASE.bytes), (onnxBytes) => load({ ...goodFolder(), onnx: onnxBytes }), 1);
    check('truncated model.onnx', truncation(BASE.bytes), (onnxBytes) => load({ ...goodFolder(), onnx: onnxBytes }), 2);
    check('lying varint (length/tag) in model.onnx', lyingLength(BASE.bytes), (onnxBytes) => load({ ...goodFolder(), onnx: onnxBytes }), 3);
    check('graph: dims, dtypes, raw lengths, external offsets/lengths, ops, I/O', structural, (m) => load({ ...goodFolder(), onnx: mutateGraph(m) }), 4);
    check('bit flips / truncation of model.onnx_data', fc.oneof(bitFlips(BASE.data), truncation(BASE.data)), (data) => load({ ...goodFolder(), data }), 5);
  });

  it('mutated folder settings: config.json, tokenizer.json, missing files', () => {
    check('config.json values', configMutation, (c) => {
      const cfg: Record<string, unknown> = { ...CONFIG };
      for (const [k, v] of Object.entries(c)) if (v !== null) cfg[k] = v;
      return load({ ...goodFolder(), config: c.garbage !== null && c.garbage.length > 30 ? enc(c.garbage) : enc(cfg) });
    }, 6);
    check('tokenizer.json', tokenizerMutation, (tokenizer) => load({ ...goodFolder(), tokenizer }), 7);
    check('missing files', missing, (keep) => {
      const g = goodFolder();
      return load({ onnx: keep.onnx ? g.onnx : undefined, data: keep.data ? g.data : undefined, config: keep.config ? g.config : undefined, tokenizer: keep.tokenizer ? g.tokenizer : undefined });
    }, 8);
  });

  it('mutated variant specs and evaluation settings: accepted or BadOption', async () => {
    // the compression registry may read WebGPU constants at import time; Node has none
    const g = globalThis as Record<string, unknown>;
    g.GPUBufferUsage ??= { MAP_READ: 1, MAP_WRITE: 2, COPY_SRC: 4, COPY_DST: 8, INDEX: 16, VERTEX: 32, UNIFORM: 64, STORAGE: 128, INDIRECT: 256, QUERY_RESOLVE: 512 };
    g.GPUMapMode ??= { READ: 1, WRITE: 2 };
    const { resolveSpec } = await import('../workers/variants/make-variant');
    const num = fc.oneof(fc.double(), fc.integer({ min: -100, max: 1 << 20 }), fc.constantFrom(Number.NaN, Infinity, -0, 0, 1, 0.5, 32, 33, 128));
    const spec = fc.record({
      method: fc.oneof(fc.constantFrom('magnitude-prune', 'int8-channel', 'int4-group', 'fp16', '', 'gptq'), fc.string({ maxLength: 6 })),
      options: fc.record({ ratio: fc.option(num, { nil: undefined }), groupSize: fc.option(num, { nil: undefined }) }),
      device: fc.constantFrom('webgpu', 'cpu', 'tpu', ''),
    });
    check('variant spec (method, ratio, group size, device)', spec, (s) => resolveSpec({ method: s.method as never, options: s.options }, s.device as never), 9);
    const settings = fc.record({
      backend: fc.constantFrom('webgpu', 'wasm', 'cuda', ''),
      tokens: num, context: num, stride: num, throughputRuns: num,
    });
    const ids = new Int32Array(4096);
    check('evaluation settings (tokens, context, stride, runs, backend)', settings, (s) => validateSettings(s as EvalSettings, { ids, nPositions: 256 }), 10);
  });

  it('report', () => {
    const lines: string[] = [];
    let total = 0;
    let crashes = 0;
    for (const [kind, byKind] of stats) {
      const n = [...byKind.values()].reduce((a, b) => a + b, 0);
      total += n;
      for (const [o, c] of byKind) if (o.startsWith('crash:')) crashes += c;
      const parts = [...byKind].sort((a, b) => b[1] - a[1]).map(([o, c]) => `${o} ${c}`).join(', ');
      lines.push(`${kind}: ${n} cases, slowest ${slowest.get(kind)!.toFixed(1)} ms — ${parts}`);
    }
    console.log(`[fuzz] seed ${SEED}: ${total} cases, ${crashes} crashes, ${hangs} hangs, bound ${CASE_BOUND_MS} ms per case\n${lines.join('\n')}`);
    expect(total).toBeGreaterThanOrEqual(1000);
    expect(crashes).toBe(0);
    expect(hangs).toBe(0);
  });
});
