/**
 * The variant part of `npm run bench`: what the packed models are and do (issue "real compressed
 * models"). Everything runs through the lab's worker API on the engine harness page.
 *   export        INT8 per channel, INT4 g32, FP16 on the demo LM: packed and simulated (f32 twin)
 *                 perplexity on WASM, the exported folder (written to <outDir>/exports/<variant>/)
 *                 scored by onnxruntime-node, and its sizes (packed_bytes, gzip_bytes) read from the
 *                 folder's onnx/model.onnx (+ .onnx_data): the KV-cache decoder the zip holds, with
 *                 the evaluated (cache-less) graph's sizes beside as evaluated_graph_*
 *   speed_packed  prefill tokens/s of the baseline and each packed variant, timed interleaved
 *                 (A B C A B C …) after a warm-up each, on WASM and WebGPU
 *   compression   on the 124 M GPT-2 shape: time to make an INT4 g32 packed variant against the time to
 *                 copy the model's bytes once (and, stricter, its weights' f32 values in memory), WGSL and TS kernel times
 *   scale         on the same shape: peak RSS of all browser processes (read from /proc, outside the
 *                 browser) over the idle page during load + INT4 g32 variant + WASM evaluation
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import path from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, Page } from '@playwright/test';
import { ok, type Outcome } from '../e2e/harness/outcome';
import type { EvalResult, ExportGraphInfo, ModelSummary, SpeedResult, VariantSpec, VariantSummary } from '../workers/api';
import { slidingPerplexity, type WindowSettings } from '../workers/eval/windows';
import { ROOT, ort, windowRunner } from '../tests/local-models';
import { rssPoller } from './bench-rss';
import type { KernelSpeedRow } from '../e2e/harness/kernel-speed';
import { BENCH_KERNEL_ROUNDS, kernelSpeedEntry, kernelSpeedLine } from './kernel-speed-entry';


export interface VariantBenchOptions {
  browser: Browser;
  base: string;
  outDir: string;
  ids: number[];
  settings: WindowSettings;
  /** timed interleaved rounds for speed_packed */
  runs: number;
  webgpu: boolean;
  log: (s: string) => void;
}

const EXPORTS: Record<string, VariantSpec> = {
  int8_channel: { method: 'int8-channel', options: {} },
  int4_g32: { method: 'int4-group', options: { groupSize: 32 } },
  fp16: { method: 'fp16', options: {} },
};

const round = (x: number, d = 4) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);

export async function harness(browser: Browser, base: string, log: (s: string) => void, query = ''): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => log(`[page error] ${e.message}`));
  // Vite's dev client reloads the page when a source file changes (another session editing the
  // checkout): a reload mid-run destroys the page's context and the job. Its socket goes nowhere.
  await page.routeWebSocket(() => true, () => {});
  await page.goto(`${base}e2e/harness/engine.html${query}`, { timeout: 300_000 });
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 300_000 });
  return page;
}

export async function call<T>(page: Page, fn: string, ...args: unknown[]): Promise<T> {
  const o = (await page.evaluate(([f, a]) => (window as any).harness[f as string](...(a as unknown[])), [fn, args] as const)) as Outcome<T>;
  return ok(o, fn);
}

async function nodePpl(onnxPath: string, ids: number[], s: WindowSettings): Promise<number> {
  const session = await ort.InferenceSession.create(onnxPath, { executionProviders: ['cpu'] });
  try {
    return (await slidingPerplexity(ids, s, windowRunner(session))).ppl;
  } finally {
    await session.release();
  }
}

/**
 * Bytes of the model graph an exported folder holds, read back from disk: onnx/model.onnx and its
 * data file when there is one; gzip of the same bytes in the same order at zlib's default level (as
 * the lab's formats/gzip-size.ts streams them through CompressionStream('gzip')).
 */
async function writtenGraphSize(dir: string): Promise<{ bytes: number; gzipBytes: number; files: string[] }> {
  const files = ['onnx/model.onnx', 'onnx/model.onnx_data'].filter((f) => existsSync(path.join(dir, f)));
  const gz = createGzip();
  let gzipBytes = 0;
  gz.on('data', (c: Buffer) => (gzipBytes += c.length));
  const ended = new Promise<void>((res, rej) => gz.on('end', res).on('error', rej));
  for (const f of files) for await (const c of createReadStream(path.join(dir, f))) if (!gz.write(c)) await once(gz, 'drain');
  gz.end();
  await ended;
  return { bytes: files.reduce((n, f) => n + statSync(path.join(dir, f)).size, 0), gzipBytes, files };
}

/** How the sizes were read, with the zip's own record of them (lab-variant.json, measured in the worker) beside. */
function sizesHow(written: { bytes: number; gzipBytes: number; files: string[] }, dir: string): string {
  const lab = (JSON.parse(readFileSync(path.join(dir, 'lab-variant.json'), 'utf8')) as { graph?: { bytes?: number; gzipBytes?: number } }).graph ?? {};
  return [
    `packed_bytes / gzip_bytes: ${written.files.join(' + ')} as written in the exported folder, sizes from disk, gzip by Node's zlib (level 6) over the same bytes in that order`,
    `the zip's lab-variant.json (the worker's measure of the same graph) says ${lab.bytes} bytes, gzip ${lab.gzipBytes} (Chromium's CompressionStream: another zlib build; measured under 0.1 % apart)`,
    'evaluated_graph_*: the variant the ppl figures were measured on in the browser, sized in the worker when it was made (without a KV cache when graph_remade)',
  ].join('; ');
}

export async function benchExportsAndSpeed(o: VariantBenchOptions) {
  const page = await harness(o.browser, o.base, o.log);
  const out: { export: Record<string, unknown>; speed_packed: Record<string, unknown>; notes: string[] } = { export: {}, speed_packed: {}, notes: [] };
  try {
    const model = await call<ModelSummary>(page, 'loadDemo', 'brown-gpt2');
    const ev = { backend: 'wasm' as const, ...o.settings, throughputRuns: 0 };
    const made: [string, VariantSummary][] = [];
    for (const [key, spec] of Object.entries(EXPORTS)) {
      o.log(`export ${key}`);
      const v = await call<VariantSummary>(page, 'makeVariant', model.id, spec, 'cpu');
      made.push([key, v]);
      const packed = await call<EvalResult>(page, 'evaluate', model.id, v.id, { ...ev, form: 'packed' });
      const simulated = await call<EvalResult>(page, 'evaluate', model.id, v.id, { ...ev, form: 'simulated' });
      const zip = await call<{ fileName: string; base64: string; graph: ExportGraphInfo }>(page, 'exportVariant', model.id, v.id, [packed, simulated]);
      const dir = path.join(o.outDir, 'exports', key);
      rmSync(dir, { recursive: true, force: true });
      for (const [p, b] of Object.entries(unzipSync(Buffer.from(zip.base64, 'base64')))) {
        mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
        writeFileSync(path.join(dir, p), b);
      }
      // scored and sized from the folder written: the zip's onnx/model.onnx (a KV-cache decoder fed an empty past, tests/local-models windowRunner)
      const ortNodePpl = await nodePpl(path.join(dir, 'onnx', 'model.onnx'), o.ids, o.settings);
      const written = await writtenGraphSize(dir);
      out.export[key] = {
        label: v.label,
        format: v.format,
        packed: packed.form === 'packed',
        simulated_ppl: round(simulated.perplexity.ppl, 6),
        packed_ppl: round(packed.perplexity.ppl, 6),
        ort_node_ppl: round(ortNodePpl, 6),
        // the exported model graph as written in the folder (onnx/model.onnx + its data file), not the evaluated graph
        packed_bytes: written.bytes,
        gzip_bytes: written.gzipBytes,
        packed_files: written.files,
        f32_bytes: v.f32Bytes,
        graph: zip.graph.kind,
        graph_source: zip.graph.source,
        graph_remade: zip.graph.remade,
        // the graph the ppl figures above were measured on in the browser (no cache when remade), sized when it was made
        evaluated_graph_bytes: v.packedBytes,
        evaluated_graph_gzip_bytes: v.gzipBytes,
        sizes_how: sizesHow(written, dir),
        bits_per_weight: round(v.bitsPerWeight, 4),
        tokens: o.settings.tokens,
        context: o.settings.context,
        stride: o.settings.stride,
        backend: 'wasm',
        folder: path.relative(ROOT, dir),
        // INT8 per channel: the packed form written and the measurement it rests on (docs/int8-form.md)
        ...(key === 'int8_channel' ? { int8_form: { written: v.format, measured_in: 'docs/int8-form.md (scripts/int8-form-speed.ts)' } } : {}),
      };
    }
    const ids = ['baseline', ...made.map(([, v]) => v.id)];
    const names = new Map<string, string>([['baseline', 'baseline'], ...made.map(([k, v]) => [v.id, k] as [string, string])]);
    // packed: what ran (each result's form), never assumed; the baseline reads packed: false (the source model, not a packed variant)
    const speeds: Record<string, Record<string, number | string | boolean | null>> = {};
    for (const [k] of [['baseline'], ...made]) speeds[k as string] = { wasm_prefill_tok_s: null, webgpu_prefill_tok_s: null, packed: k === 'baseline' ? false : null };
    const seqLen = o.settings.context;
    for (const backend of ['wasm', 'webgpu'] as const) {
      if (backend === 'webgpu' && !o.webgpu) {
        out.notes.push('speed_packed: no WebGPU adapter, webgpu speeds are null');
        continue;
      }
      // SwiftShader runs a window in seconds: a shorter sequence and fewer rounds keep the bench in budget
      const len = backend === 'webgpu' ? Math.min(seqLen, 64) : seqLen;
      const runs = backend === 'webgpu' ? Math.min(o.runs, 3) : Math.max(o.runs, 7);
      o.log(`speed_packed ${backend}: seq ${len}, ${runs} interleaved rounds`);
      const r = await call<SpeedResult[]>(page, 'compareSpeed', model.id, ids, { backend, seqLen: len, runs, warmup: 1 });
      for (const s of r) {
        const k = names.get(s.variantId)!;
        speeds[k][`${backend}_prefill_tok_s`] = round(s.tokensPerS, 1);
        speeds[k][`${backend}_median_ms`] = round(s.medianMs, 2);
        speeds[k][`${backend}_p10_ms`] = round(s.p10Ms, 2);
        speeds[k][`${backend}_p90_ms`] = round(s.p90Ms, 2);
        speeds[k][`${backend}_seq_len`] = len;
        speeds[k][`${backend}_runs`] = runs;
        // the form each backend ran: a variant whose packed model the EP refused ran its f32 twin (engine.ts runnable);
        // the baseline is the source f32 model ('packed' from the engine means as published), so it says 'source' beside packed: false
        speeds[k][`${backend}_form`] = k !== 'baseline' ? s.form : s.form === 'packed' ? 'source' : 'source, f32 reference';
        if (s.formReason) speeds[k][`${backend}_form_reason`] = s.formReason;
        if (k !== 'baseline') speeds[k].packed = (speeds[k].packed ?? true) !== false && s.form === 'packed';
        if (backend === 'wasm') speeds[k].wasm_threads = s.wasmThreads;
        else speeds[k].webgpu_adapter = s.adapter ?? null;
      }
    }
    out.speed_packed = speeds;
    out.notes.push('speed_packed: batch 1 prefill over the first seq_len dataset tokens; every model timed in the same interleaved rounds after one warm-up each; median with p10/p90; WebGPU on a software adapter says nothing about a GPU.');
  } finally {
    await page.close();
  }
  return out;
}

export interface ScaleOptions {
  browser: Browser;
  base: string;
  webgpu: boolean;
  log: (s: string) => void;
}

/** The 124 M shape: make it when missing (tools/make_random_model.py), then time and measure. */
export async function benchScale(o: ScaleOptions) {
  const dir = path.join(ROOT, '.cache', 'models', 'random-gpt2-small');
  const notes: string[] = [];
  if (!existsSync(path.join(dir, 'onnx', 'model.onnx'))) {
    o.log('making the 124 M GPT-2 shape (tools/make_random_model.py --shape gpt2-small)');
    execFileSync('/usr/bin/python3', ['tools/make_random_model.py', '--shape', 'gpt2-small'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const f32Bytes = statSync(path.join(dir, 'onnx', 'model.onnx')).size;
  // ?copyYardstick=1: each make also times the copy of the model's bytes (workers/variants/copy-yardstick.ts)
  const page = await harness(o.browser, o.base, o.log, '?copyYardstick=1');
  const compression: Record<string, unknown> = {};
  const scale: Record<string, unknown> = { ok: false, f32_bytes: f32Bytes };
  try {
    await page.waitForTimeout(2000);
    const rss = rssPoller(200);
    const device = o.webgpu ? 'webgpu' : 'cpu';
    let model: ModelSummary;
    let wgsl: VariantSummary | undefined;
    let measured: ReturnType<typeof rss.stop>;
    try {
      o.log(`scale: loading random-gpt2-small (${(f32Bytes / 2 ** 20).toFixed(0)} MiB)`);
      rss.phase('load');
      const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].filter((f) => existsSync(path.join(dir, f)));
      // as a user's drop: Files backed by the disk, the .onnx sent as a handle and skimmed in the worker (workers/model/skim-onnx.ts)
      await page.setInputFiles('#pick', files.map((f) => path.join(dir, f)));
      model = await call<ModelSummary>(page, 'loadPicked', files);
      o.log(`scale: INT4 g32 packed variant on ${device} kernels`);
      rss.phase('make');
      const v = await call<VariantSummary>(page, 'makeVariant', model.id, { method: 'int4-group', options: { groupSize: 32 } }, device);
      if (device === 'webgpu') wgsl = v;
      o.log('scale: WASM evaluation, 1,024 tokens');
      rss.phase('evaluate');
      const ctx = Math.min(model.nPositions || 1024, 1024);
      const ev = await call<EvalResult>(page, 'evaluate', model.id, v.id, { backend: 'wasm', tokens: 1024, context: ctx, stride: ctx, throughputRuns: 0 });
      Object.assign(scale, { ppl: ev.perplexity.ppl, form: ev.form, packed_bytes: v.packedBytes });
      scale.ok = true;
    } finally {
      measured = rss.stop();
    }
    const over = measured.peak - measured.idle;
    const mib = (b: number) => Math.round(b / 2 ** 20);
    for (const [name, p] of Object.entries(measured.phases)) {
      o.log(`scale: ${name} peak +${mib(p.peak_over_idle_bytes)} MiB (${Object.entries(p.at_peak_over_idle).map(([k, b]) => `${k} ${mib(b)}`).join(', ')})`);
    }
    Object.assign(scale, {
      idle_rss_bytes: measured.idle,
      peak_rss_bytes: measured.peak,
      peak_rss_over_idle_bytes: over,
      peak_over_idle_per_f32_file: round(over / f32Bytes, 3),
      phases: measured.phases,
      kernels: device,
      how: 'sum of VmRSS of every process under the browser, polled every 200 ms from /proc during load + INT4 g32 packed variant + WASM evaluation of 1,024 tokens; phases: the peak of each step, split by process kind (renderer = page + worker + WASM heap, gpu = WebGPU buffers) at that moment, over idle',
      load: 'as a drop: the folder\'s files set on a file input (Playwright setInputFiles, Files backed by the disk) and sent by src/lib/files.ts readChecked; the .onnx goes as a handle and is skimmed in the worker (workers/model/skim-onnx.ts)',
    });
    o.log('compression: the same variant on the TS kernels, for their time');
    const ts = await call<VariantSummary>(page, 'makeVariant', model!.id, { method: 'int4-group', options: { groupSize: 32 } }, 'cpu');
    const main = wgsl ?? ts;
    compression['int4-group'] = {
      group_size: 32,
      weights: ts.tensors.length,
      params: ts.tensors.reduce((a, t) => a + t.params, 0),
      make_ms: round(main.makeMs, 1),
      make_kernels: main.device,
      copy_ms: round(main.copyMs ?? NaN, 1),
      copy_bytes: main.copyBytes ?? null,
      make_over_copy: round(main.makeMs / (main.copyMs ?? NaN), 2),
      memcpy_ms: round(main.memcpyMs ?? NaN, 1),
      make_over_memcpy: round(main.makeMs / (main.memcpyMs ?? NaN), 2),
      copy_weights_warm_ms: round(main.copyWeightsWarmMs ?? NaN, 1),
      make_over_copy_weights_warm: round(main.makeMs / (main.copyWeightsWarmMs ?? NaN), 2),
      read_ms: round(main.readMs ?? 0, 1),
      make_parts_ms: Object.fromEntries(Object.entries(main.makePartsMs ?? {}).map(([k, v]) => [k, round(v, 1)])),
      wgsl_kernel_ms: wgsl ? round(wgsl.kernelMs, 1) : null,
      ts_kernel_ms: round(ts.kernelMs, 1),
      ts_make_ms: round(ts.makeMs, 1),
      ts_copy_ms: round(ts.copyMs ?? NaN, 1),
      ts_make_over_copy: round(ts.makeMs / (ts.copyMs ?? NaN), 2),
      ts_memcpy_ms: round(ts.memcpyMs ?? NaN, 1),
      ts_make_over_memcpy: round(ts.makeMs / (ts.memcpyMs ?? NaN), 2),
      ts_copy_weights_warm_ms: round(ts.copyWeightsWarmMs ?? NaN, 1),
      ts_make_over_copy_weights_warm: round(ts.makeMs / (ts.copyWeightsWarmMs ?? NaN), 2),
      ts_read_ms: round(ts.readMs ?? 0, 1),
      ts_make_parts_ms: Object.fromEntries(Object.entries(ts.makePartsMs ?? {}).map(([k, v]) => [k, round(v, 1)])),
      how: [
        'make_ms: the whole make in the worker (its yardstick copy, timed inside it, left out): reading the weights from the dropped file, kernels, stats, packing (each weight while the next one\'s kernels run), writing the packed model (gzip measured after); the WGSL kernel\'s pipeline is compiled in the background when the model loads (workers/compression/warm-kernels.ts), not inside the make',
        "copy_ms: the issue's yardstick, timed in the same make (workers/variants/copy-yardstick.ts): the model's bytes as the lab holds them (the dropped .onnx, a File) read once into a new ArrayBuffer (copy_bytes); make_over_copy = make_ms / copy_ms, goal <= 5; for a drop this is a file read, not a memory copy",
        'memcpy_ms: beside it in the same make, the same bytes (copy_bytes) copied in memory into new buffers (slice(), in 64 MiB parts each freed before the next: the make\'s RSS is measured), nothing read from a file; make_over_memcpy = make_ms / memcpy_ms',
        "copy_weights_warm_ms: a stricter yardstick, also in the same make: a memcpy of only the compressed weights' f32 values (already read) into one scratch buffer reused weight after weight (faulted in once); make_over_copy_weights_warm = make_ms / it",
        'read_ms: waiting for the weights read from the dropped file (read one weight ahead while the kernels run), part of make_ms',
        'wgsl_kernel_ms / ts_kernel_ms: compressTensor kernel time summed over the weights (WGSL: upload, dispatch with the stats sums, readback of codes, scales, zero points and partial sums)',
      ].join('; '),
    };
  } catch (e) {
    notes.push(`scale/compression failed: ${(e as Error).message.slice(0, 300)}`);
  } finally {
    await page.close();
  }
  if (o.webgpu) {
    try {
      Object.assign(compression, await kernelSpeeds(o));
    } catch (e) {
      notes.push(`compression kernel speeds failed: ${(e as Error).message.slice(0, 300)}`);
    }
  }
  return { compression, scale: { gpt2_small: scale }, notes };
}

/**
 * Every method with a WGSL kernel, WGSL against its TS path, on one 124 M weight (768 × 3072,
 * e2e/harness/kernel-speed.ts: a warm-up each, then interleaved rounds, medians). int4-group also
 * gets its whole-model times above; this row is its per-weight kernel beside the others.
 */
async function kernelSpeeds(o: ScaleOptions): Promise<Record<string, unknown>> {
  const page = await o.browser.newPage();
  page.on('pageerror', (e) => o.log(`[page error] ${e.message}`));
  await page.routeWebSocket(() => true, () => {});
  try {
    o.log('compression: kernel times per method, WGSL vs TS, on 768 x 3072');
    await page.goto(`${o.base}e2e/harness/kernel-speed.html?runs=${BENCH_KERNEL_ROUNDS}`, { timeout: 300_000 });
    await page.waitForFunction(() => (window as any).__kernelSpeed?.done === true, null, { timeout: 900_000, polling: 1000 });
    const r = (await page.evaluate(() => (window as any).__kernelSpeed)) as { adapter?: string; rows?: KernelSpeedRow[]; error?: string };
    if (r.error) throw new Error(r.error);
    const out: Record<string, unknown> = {};
    for (const row of r.rows ?? []) {
      const key = row.method === 'int4-group' ? 'int4-group_one_weight' : row.method;
      o.log(kernelSpeedLine(row.method, row));
      out[key] = kernelSpeedEntry(row, r.adapter, 'kernel time compressTensor reports (WGSL: upload, dispatches, readback), median of interleaved WGSL/TS rounds after one warm-up each, one GPT-2-small MLP weight');
    }
    return out;
  } finally {
    await page.close();
  }
}
