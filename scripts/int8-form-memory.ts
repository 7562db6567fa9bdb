/**
 * INT8 per channel: how much memory a session of each packed form holds (issue 6), measured from
 * outside the browser. The lab's default INT8 variant (every linear weight but the LM head) is
 * packed both ways the lab can write it,
 *   qdq    int8 weights + DequantizeLinear(axis) → MatMul
 *   nbits  8-bit MatMulNBits (each block repeats its channel's scale, zero point 128)
 * and beside the f32 source, each is loaded in a fresh Chromium (one browser per measurement, so no
 * allocator keeps an earlier model's pages) by e2e/harness/int8-memory.worker.ts step by step:
 * fetch the bytes, create a session with the lab's options, drop the bytes, one prefill run. After
 * each step the driver reads VmRSS of every browser process from /proc (scripts/bench-rss.ts, the
 * same sum the bench's "scale" key uses) and a 100 ms poller keeps the peak. Forms and backends are
 * interleaved and repeated (rep 1: f32 qdq nbits, rep 2: qdq nbits f32, …) to show the spread.
 * A second opinion from onnxruntime-node: each form in its own Node process, VmRSS after create and
 * after one run, VmHWM (the kernel's peak) at the end, at ORT's default optimization level.
 *   npx tsx --import ./scripts/raw-import.mjs scripts/int8-form-memory.ts [--model random-gpt2-small]
 *     [--webgpu-model brown-gpt2] [--reps 3] [--seq 32] [--port 5315] [--backends wasm,webgpu] [--skip-node]
 * Prints one JSON line (MiB over the idle page, per step and at the peak, median and range over reps).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launchChromium } from './launch-chromium';
import { compressTensor } from '../workers/compression/registry';
import { packedFormOf, type Int8Form } from '../workers/formats/form-of';
import { writePackedModel, type PackedForm } from '../workers/formats/packed-model';
import { readF32 } from '../workers/model/onnx-graph';
import { chooseTensors } from '../workers/variants/which-tensors';
import { loadDemoLm, loadFolder, ROOT } from '../tests/local-models';
import { browserRssByKind } from './bench-rss';
import { startVite, stopVite } from './vite-server';

const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const port = Number(arg('port', '5315'));
const reps = Number(arg('reps', '3'));
const seq = Number(arg('seq', '32'));
const backends = arg('backends', 'wasm,webgpu').split(',') as ('wasm' | 'webgpu')[];
const modelFor = { wasm: arg('model', 'random-gpt2-small'), webgpu: arg('webgpu-model', 'brown-gpt2') };
const MiB = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
const FORMS = ['f32', 'qdq', 'nbits'] as const;
type Form = (typeof FORMS)[number];

interface Packed { dir: string; urls: Record<Form, string>; files: Record<Form, string>; bytes: Record<Form, number>; ids: number[]; compressed: number; f32WeightBytes: number; int8WeightBytes: number }

/** Both INT8 forms of `name` written under .cache/int8-forms/<name>/ (the generated models live in .cache/models). */
async function pack(name: string): Promise<Packed> {
  const folder = path.join(ROOT, '.cache', 'models', name);
  const model: ReturnType<typeof loadFolder> = existsSync(folder) ? loadFolder(folder) : loadDemoLm(name);
  const src = existsSync(folder) ? path.join(folder, 'onnx', 'model.onnx') : path.join(ROOT, 'public', 'models', name, 'onnx', 'model.onnx');
  const { weights } = chooseTensors({ method: 'int8-channel', options: {} }, model.summary, model.linear);
  const dir = path.join(ROOT, '.cache', 'int8-forms', name);
  mkdirSync(dir, { recursive: true });
  const files = { f32: src } as Record<Form, string>;
  const bytes = { f32: 0 } as Record<Form, number>;
  let params = 0;
  for (const form of ['qdq', 'nbits'] as Int8Form[]) {
    const forms = new Map<string, PackedForm>();
    for (const w of weights) {
      const r = await compressTensor('int8-channel', {}, { name: w.name, data: readF32(model.parsed.tensors.get(w.name)!).slice(), shape: w.shape, layout: w.layout }, 'cpu');
      forms.set(w.name, packedFormOf('int8-channel', r.options, r, w, form));
    }
    params = weights.reduce((a, w) => a + w.shape[0] * w.shape[1], 0);
    // one inline file for every form (no external data), so the forms differ only in their weights
    const out = writePackedModel(model.parsed, model.linear, forms, Infinity);
    files[form] = path.join(dir, `${form}.onnx`);
    writeFileSync(files[form], out);
    bytes[form] = out.length;
  }
  bytes.f32 = (await import('node:fs')).statSync(src).size;
  const urls = Object.fromEntries(FORMS.map((f) => [f, `/${path.relative(ROOT, files[f]).split(path.sep).join('/')}`])) as Record<Form, string>;
  return { dir, urls, files, bytes, ids: Array.from(model.datasetIds.subarray(0, seq)), compressed: weights.length, f32WeightBytes: params * 4, int8WeightBytes: params };
}

const total = (k: Record<string, number>) => Object.values(k).reduce((a, b) => a + b, 0);

/** One form on one backend in a fresh browser: RSS over the idle page after each step, and the peak. */
async function measure(url: string, backend: 'wasm' | 'webgpu', ids: number[]) {
  const browser = await launchChromium({ extraArgs: ['--js-flags=--expose-gc'] });
  try {
    const page = await browser.newPage();
    await page.routeWebSocket(() => true, () => {});
    await page.goto(`http://localhost:${port}/e2e/harness/int8-memory.html`);
    await page.evaluate(() => {
      const w = new Worker('/e2e/harness/int8-memory.worker.ts', { type: 'module' });
      (window as unknown as { step: (m: unknown) => Promise<unknown> }).step = (m) =>
        new Promise((resolve) => {
          w.onmessage = (e) => resolve(e.data);
          w.postMessage(m);
        });
    });
    await new Promise((r) => setTimeout(r, 1500));
    const idleKinds = browserRssByKind();
    const idle = total(idleKinds);
    let peak = idle;
    let peakKinds = idleKinds;
    const timer = setInterval(() => {
      const k = browserRssByKind();
      if (total(k) > peak) [peak, peakKinds] = [total(k), k];
    }, 100);
    const after: Record<string, number> = {};
    const info: { create_ms?: number; run_ms?: number; checksum?: number; firstLogit?: number; session_kinds?: Record<string, number> } & Record<string, unknown> = {};
    const step = async (name: string, msg: unknown) => {
      const r = (await page.evaluate((m) => (window as unknown as { step: (m: unknown) => Promise<unknown> }).step(m), msg)) as { ok: boolean; error?: string; ms: number };
      if (!r.ok) throw new Error(`${backend} ${url} ${name}: ${r.error}`);
      await new Promise((res) => setTimeout(res, 500)); // let the processes settle before reading
      const k = browserRssByKind();
      if (total(k) > peak) [peak, peakKinds] = [total(k), k];
      after[name] = MiB(total(k) - idle);
      info[`${name}_ms`] = Math.round(r.ms);
      Object.assign(info, Object.fromEntries(Object.entries(r).filter(([key]) => ['checksum', 'firstLogit'].includes(key))));
      if (name === 'session') info.session_kinds = Object.fromEntries(Object.entries(k).map(([kind, v]) => [kind, MiB(v - (idleKinds[kind] ?? 0))]));
    };
    try {
      await step('fetch', { cmd: 'fetch', url });
      await step('create', { cmd: 'create', backend });
      await step('session', { cmd: 'drop' });
      await step('run', { cmd: 'run', ids });
    } finally {
      clearInterval(timer);
    }
    return {
      idle_mib: MiB(idle),
      over_idle_mib: after,
      peak_over_idle_mib: MiB(peak - idle),
      peak_kinds_mib: Object.fromEntries(Object.entries(peakKinds).map(([kind, v]) => [kind, MiB(v - (idleKinds[kind] ?? 0))])),
      ...info,
    };
  } finally {
    await browser.close();
  }
}

/** onnxruntime-node in its own process: RSS after create and after one run, and the peak (VmHWM). */
function nodeMemory(file: string, ids: number[], level: string) {
  const code = `
    const ort = require('onnxruntime-node');
    const fs = require('node:fs');
    const st = (k) => Number(new RegExp(k + ':\\\\s+(\\\\d+) kB').exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
    (async () => {
      const ids = ${JSON.stringify(ids)};
      const idle = st('VmRSS');
      const s = await ort.InferenceSession.create(${JSON.stringify(file)}, { executionProviders: ['cpu'], graphOptimizationLevel: ${JSON.stringify(level)} });
      const created = st('VmRSS');
      const n = ids.length;
      const feeds = { input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]) };
      if (s.inputNames.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
      if (s.inputNames.includes('position_ids')) feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), [1, n]);
      const t0 = performance.now();
      const out = (await s.run(feeds, ['logits'])).logits.data;
      const runMs = performance.now() - t0;
      let sum = 0; for (let i = 0; i < out.length; i += 97) sum += out[i];
      console.log(JSON.stringify({ idle, created, ran: st('VmRSS'), hwm: st('VmHWM'), runMs, checksum: sum }));
    })();`;
  const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`onnxruntime-node ${file}: ${r.stderr}`);
  const m = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return { created_mib: MiB(m.created - m.idle), ran_mib: MiB(m.ran - m.idle), peak_mib: MiB(m.hwm - m.idle), run_ms: Math.round(m.runMs), checksum: m.checksum };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const out: Record<string, unknown> = { seq, reps };
const packedBy = new Map<string, Packed>();
for (const b of backends) if (!packedBy.has(modelFor[b])) packedBy.set(modelFor[b], await pack(modelFor[b]));
out.models = Object.fromEntries([...packedBy].map(([name, p]) => [name, { compressed: p.compressed, file_bytes: p.bytes, compressed_f32_weight_mib: MiB(p.f32WeightBytes), compressed_int8_weight_mib: MiB(p.int8WeightBytes) }]));

if (!process.argv.includes('--skip-node')) {
  const p = packedBy.get(modelFor.wasm)!;
  const node: Record<string, unknown> = {};
  for (const level of ['all', 'disabled']) {
    for (const f of FORMS) node[`${f}|${level}`] = nodeMemory(p.files[f], p.ids, level);
  }
  out.onnxruntime_node = node;
  console.error(JSON.stringify(node));
}

const vite = await startVite(port);
try {
  for (const backend of backends) {
    const p = packedBy.get(modelFor[backend])!;
    const ids = backend === 'webgpu' ? p.ids.slice(0, Math.min(seq, 16)) : p.ids;
    const runs: Record<Form, Awaited<ReturnType<typeof measure>>[]> = { f32: [], qdq: [], nbits: [] };
    for (let r = 0; r < reps; r++) {
      // rotate the order each rep, so no form always comes first (or last) after a browser start
      for (let i = 0; i < FORMS.length; i++) {
        const f = FORMS[(i + r) % FORMS.length];
        const m = await measure(p.urls[f], backend, ids);
        runs[f].push(m);
        console.error(backend, modelFor[backend], f, JSON.stringify(m));
      }
    }
    const summary = (f: Form, pick: (m: Awaited<ReturnType<typeof measure>>) => number) => {
      const xs = runs[f].map(pick);
      return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
    };
    out[backend] = {
      model: modelFor[backend],
      seq: ids.length,
      ...Object.fromEntries(FORMS.map((f) => [f, {
        session_over_idle_mib: summary(f, (m) => m.over_idle_mib.session),
        after_run_over_idle_mib: summary(f, (m) => m.over_idle_mib.run),
        peak_over_idle_mib: summary(f, (m) => m.peak_over_idle_mib),
        create_ms: summary(f, (m) => m.create_ms as number),
        run_ms: summary(f, (m) => m.run_ms as number),
        checksum: runs[f][0].checksum,
        runs: runs[f],
      }])),
    };
  }
} finally {
  stopVite(vite);
}
console.log(JSON.stringify(out));
