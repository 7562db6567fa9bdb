/**
 * Kernel time of the WGSL kernels kernel-speed.ts does not time, WGSL against its TS path, the same
 * way (issue 6 item 7: every WGSL kernel at least as fast as its TS path): global-prune's per-tensor
 * step, Wanda (unstructured and 2:4), SparseGPT (unstructured and 2:4), GPTQ's column loop (plain
 * and on a pruned weight), AWQ, structured-prune's neuron and head norms, and the calibration
 * accumulators (hessian.wgsl with col-abs-sums.wgsl, col-norms-texture.wgsl).
 *
 * Weights are the 124 M GPT-2 shape's (c_fc 768 × 3072 stored (in, out); c_attn 768 × 2304 for the
 * head norms), seeded normal-ish values. The calibrated methods get synthetic statistics of one
 * input X of 1,024 correlated activation rows × 768 (three shared factors, louder columns, as the
 * SparseGPT harness makes them): H = Xᵀ X, ‖X_j‖², Σ|X_j|. To keep the bench's time down GPTQ
 * runs on 768 × 768 (the attention's output projection's shape: c_fc's first 768 output channels)
 * and AWQ, whose search is 20 α × every row × in² multiply-adds on both paths, on 768 × 32.
 * structured-prune's norms and the column norms are timed as the engine runs them on the whole
 * 124 M shape (every block's weights in one batch; every layer input's accumulator, then one read).
 * Each kernel runs once per path to warm up (pipelines compiled, pooled buffers made), then `runs`
 * rounds interleaved WGSL, TS, WGSL, TS …; the medians are reported. Methods are timed as
 * compressTensor reports (kernelMs: the method's TS setup such as U = chol(H⁻¹) on both paths, then
 * upload, dispatches and readback on WGSL); the norms and accumulators around their call.
 * window.__kernelSpeedCalibrated holds the result (scripts/bench-kernel-calibrated.ts reads it).
 *   ?runs=3  ?only=<substring of a row key>
 *   ?cpu=1  each timed round is bracketed by window.__cpuMark(key, 'wgsl' | 'ts', 'start' | 'end'),
 *           which the script exposes to read the browser's CPU time (scripts/browser-cpu.ts)
 */
import { accumulateColAbsSums, accumulateColNorms, accumulateHessian } from '../../workers/calibration/accumulate';
import { CpuAccumulator, GpuAccumulator, readAccumulators, type Accumulator } from '../../workers/calibration/accumulator';
import type { CalibrationNeed } from '../../workers/calibration/types';
import type { MethodId, MethodOptions } from '../../workers/api';
import { getKernelGpu } from '../../workers/compression/gpu-device';
import { compressTensor } from '../../workers/compression/registry';
import { planGlobalPrune } from '../../workers/compression/global-prune/plan';
import { unitSumSquaresBatch, unitSumSquaresBatchGpu, type NormRequest } from '../../workers/compression/structured-prune/gpu';
import type { UnitView } from '../../workers/compression/structured-prune/heads';
import { neuronView } from '../../workers/compression/structured-prune/reference';
import type { WeightTensor } from '../../workers/compression/types';
import { seededRandom } from '../../workers/seeded-random';

export interface CalibratedSpeedRow {
  /** the bench JSON key under "compression" */
  key: string;
  method: string;
  options?: MethodOptions;
  shape: [number, number];
  wgsl_kernel_ms: number;
  ts_kernel_ms: number;
  runs: number;
  /** each interleaved round's time, in order (round k's WGSL ran just before its TS) */
  wgsl_rounds_ms: number[];
  ts_rounds_ms: number[];
  /** what was timed, for the row's `how` */
  timed: string;
}

interface Case {
  key: string;
  method: string;
  options?: MethodOptions;
  shape: [number, number];
  timed: string;
  wgsl: () => Promise<number>;
  ts: () => Promise<number>;
}

const IN = 768;
const OUT = 3072;
const CALIB_ROWS = 1024;
const AWQ_OUT = 32;
const GPTQ_OUT = 768;
/** the accumulators: this many batches of one 256-token sequence each, then the read */
const ACC_BATCHES = 4;
const ACC_ROWS = 256;
/** the 124 M shape's blocks (structured-prune's norms and the column norms' pass cover all of them) */
const BLOCKS = 12;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function weights(seed: number, n: number): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (rand() + rand() + rand() - 1.5) * 0.05);
}

/** rows × k activations with three shared factors and louder columns (correlated, like a layer's inputs) */
function activations(rows: number, k: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  const x = new Float32Array(rows * k);
  for (let n = 0; n < rows; n++) {
    const f = [r() - 0.5, r() - 0.5, r() - 0.5];
    for (let i = 0; i < k; i++) x[n * k + i] = (f[i % 3] + 0.5 * (r() - 0.5)) * (1 + (i % 4));
  }
  return x;
}

/** The first `out` output channels of c_fc (stored (in, out)), a smaller weight with the same inputs. */
function firstColumns(data: Float32Array, out: number, name: string, calibration: WeightTensor['calibration']): WeightTensor {
  const part = new Float32Array(IN * out);
  for (let i = 0; i < IN; i++) part.set(data.subarray(i * OUT, i * OUT + out), i * out);
  return { name, data: part, shape: [IN, out], layout: 'in_out', calibration };
}

function cases(gpu: GPUDevice): Case[] {
  const data = weights(20251129, IN * OUT);
  const x = activations(CALIB_ROWS, IN, 7);
  const hessian = new Float32Array(IN * IN);
  accumulateHessian(hessian, x, CALIB_ROWS, IN);
  const colSqNorms = new Float32Array(IN);
  accumulateColNorms(colSqNorms, x, CALIB_ROWS, IN);
  const colAbsSums = new Float32Array(IN);
  accumulateColAbsSums(colAbsSums, x, CALIB_ROWS, IN);
  const calibration = { input: 'x', rows: CALIB_ROWS, cols: IN, hessian, colSqNorms, colAbsSums };
  const cFc: WeightTensor = { name: 'c_fc', data, shape: [IN, OUT], layout: 'in_out', calibration };
  const list: Case[] = [];
  const method = (key: string, m: MethodId, options: MethodOptions, tensor: WeightTensor, timed = 'compressTensor kernelMs') => {
    const time = async (device: 'webgpu' | 'cpu') => (await compressTensor(m, options, tensor, device, device === 'webgpu' ? gpu : undefined)).kernelMs;
    list.push({ key, method: m, options, shape: [tensor.shape[0], tensor.shape[1]], timed, wgsl: () => time('webgpu'), ts: () => time('cpu') });
  };
  // the plan is the pass over all tensors (TS on both paths); the kernel is the per-tensor step
  method('global-prune', 'global-prune', { ratio: 0.5 }, { ...cFc, plan: planGlobalPrune([data], 0.5)[0] }, 'compressTensor kernelMs, the plan made beforehand');
  method('wanda', 'wanda', { ratio: 0.5 }, cFc);
  method('wanda_2of4', 'wanda', { pattern: '2:4' }, cFc);
  method('sparsegpt', 'sparsegpt', { ratio: 0.5 }, cFc);
  method('sparsegpt_2of4', 'sparsegpt', { pattern: '2:4' }, cFc);
  // GPTQ on the attention's output projection (768 × 768: a quarter of c_fc's time, the bench's budget)
  const cProj = firstColumns(data, GPTQ_OUT, 'attn.c_proj (c_fc[:, :768])', calibration);
  method('gptq', 'gptq', { bits: 4, groupSize: 128 }, cProj);
  // GPTQ on a 50 % magnitude-pruned weight (the mask: |w| above the median stays)
  const sorted = Float32Array.from(cProj.data, Math.abs).sort();
  const cut = sorted[sorted.length >> 1];
  const mask = Uint8Array.from(cProj.data, (w) => (Math.abs(w) >= cut ? 1 : 0));
  method('gptq_masked', 'gptq', { bits: 4, groupSize: 128 }, { ...cProj, data: Float32Array.from(cProj.data, (w, i) => (mask[i] ? w : 0)), mask });
  method('awq', 'awq', { bits: 4, groupSize: 128 }, firstColumns(data, AWQ_OUT, `c_fc[:, :${AWQ_OUT}]`, calibration));

  // structured-prune's norms as the graph pass computes them for the whole 124 M shape (planStructured,
  // planHeads: every weight's norms in one batch), timed around the call; no compressTensor.
  // These read each value once: with the per-call costs batched away,
  // SwiftShader's pass is about V8's loop in time and the upload comes on top, so WGSL stays behind
  // (medians at load ~4: neurons 203-220 vs 169 ms, heads 102-113 vs 73). In CPU time (--cpu) WGSL
  // does more: neurons ~226 ms a round (GPU process 185, 84 % of it SwiftShader's JIT code, 10 %
  // memcpy; renderer 41, the uploads) against TS 168; the kernels alone on resident buffers 148 ms
  // (2.6 ns a weight; V8's loop 3.0). It reads below 1 only when SwiftShader has a second core for
  // its workers (x0.7-0.8 on a quiet VM, x1.2-1.7 on a busy one). Texture kernels (a texel fetch
  // for the storage vec4 gathers) cost ~15 % less kernel time but their staging and texture copies
  // as much more: 216 vs 217 ms interleaved, 10 rounds, bit-exact (not kept)
  const norms = (key: string, shape: [number, number], requests: () => NormRequest[], timed: string) => {
    let made: NormRequest[] | undefined;
    const batch = () => (made ??= requests());
    list.push({
      key, method: 'structured-prune', shape, timed,
      wgsl: async () => { const r = batch(); const t = performance.now(); await unitSumSquaresBatchGpu(gpu, r); return performance.now() - t; },
      ts: async () => { const r = batch(); const t = performance.now(); unitSumSquaresBatch(r); return performance.now() - t; },
    });
  };
  const request = (d: Float32Array, units: UnitView[]): NormRequest => ({ data: () => d, units });
  const inOut = (rows: number, cols: number, axis: 'in' | 'out') => neuronView({ shape: [rows, cols], layout: 'in_out' }, axis);
  // the MLPs: c_fc's output channels and mlp.c_proj's input rows, each block's own weights
  norms('structured-prune_neuron_norms', [IN, OUT], () => Array.from({ length: BLOCKS }, (_, b) => [
    request(b === 0 ? data : weights(20251129 + b, IN * OUT), [{ ...inOut(IN, OUT, 'out'), width: 1, offset: 0 }]),
    request(weights(30251129 + b, OUT * IN), [{ ...inOut(OUT, IN, 'in'), width: 1, offset: 0 }]),
  ]).flat(), `unitSumSquaresBatchGpu / unitSumSquaresBatch: every MLP norm structured-prune's graph pass (planStructured) computes on the 124 M shape, one batch: ${BLOCKS} × (c_fc 768 × 3,072's output channels + mlp.c_proj 3,072 × 768's input rows), each block's own seeded weights (226 MB)`);
  // the attentions: a fused c_attn's Q, K and V thirds (one request, one upload) and attn.c_proj's rows, 12 heads of 64
  const heads = (offset: number, axis: 'in' | 'out', rows: number, cols: number): UnitView => ({ ...inOut(rows, cols, axis), count: 12, width: 64, offset });
  norms('structured-prune_head_norms', [IN, 3 * IN], () => Array.from({ length: BLOCKS }, (_, b) => [
    request(weights(77 + b, IN * 3 * IN), [0, IN, 2 * IN].map((o) => heads(o, 'out', IN, 3 * IN))),
    request(weights(177 + b, IN * IN), [heads(0, 'in', IN, IN)]),
  ]).flat(), `unitSumSquaresBatchGpu / unitSumSquaresBatch: every head norm structured-prune's graph pass (planHeads) computes on the 124 M shape, one batch: ${BLOCKS} × (c_attn 768 × 2,304's Q, K and V columns, 12 heads of 64, + attn.c_proj 768 × 768's rows), each block's own seeded weights (113 MB)`);

  // the calibration accumulators: ACC_BATCHES sequences of ACC_ROWS tokens added, then read
  const batches = Array.from({ length: ACC_BATCHES }, (_, b) => activations(ACC_ROWS, IN, 100 + b));
  const accumulate = async (acc: Accumulator) => {
    const t = performance.now();
    for (const b of batches) acc.add(b, ACC_ROWS);
    await acc.read();
    return performance.now() - t;
  };
  const accCase = (key: string, need: CalibrationNeed, timed: string) =>
    list.push({ key, method: 'calibration', shape: [ACC_BATCHES * ACC_ROWS, IN], timed, wgsl: () => accumulate(new GpuAccumulator(gpu, need, IN)), ts: () => accumulate(new CpuAccumulator(need, IN)) });
  accCase('calibration_hessian', 'hessian', `GpuAccumulator / CpuAccumulator 'hessian' (hessian.wgsl + col-abs-sums.wgsl): ${ACC_BATCHES} batches of ${ACC_ROWS} rows × ${IN} added, then read (H mirrored)`);
  // the column norms as a Wanda calibration pass gathers them on the 124 M shape (calibrate.ts): all 48
  // layer inputs in one pass (12 blocks × ln_1, attention merge, ln_2 at 768 columns and the MLP's
  // 3,072), each sequence added to every accumulator and awaited (flush), then all read (readAccumulators).
  // On WGSL a sequence's 48 inputs go up in one staging buffer and one submit (norms-batch.ts), each
  // read from a texture (col-norms-texture.wgsl): x0.88-1.49 (11 runs, median ~1.0) at load 3-8,
  // where an upload and a submit per input and storage loads read x1.45-2.42 at load 4-8. CPU time
  // (--cpu): WGSL ~320 ms a round (GPU process ~290) against TS ~185; the 192 dispatches alone on
  // resident textures ~194. One staging-to-storage copy a sequence and col-norms.wgsl instead of the
  // texture copies: GPU process 349 vs 316 ms a round, wall 237 vs 210 (interleaved, 10 rounds; not kept).
  // A read-only storage texture (texture_storage_2d<rgba32float, read>) instead of the sampled one: GPU
  // process 352 vs 295 ms a round, wall 237 vs 202 (9 rounds each, 30 Nov; not kept)
  const wide = Array.from({ length: ACC_BATCHES }, (_, b) => activations(ACC_ROWS, OUT, 200 + b));
  const widths = Array.from({ length: BLOCKS }, () => [IN, IN, IN, OUT]).flat();
  const pass = async (make: (cols: number) => Accumulator) => {
    const accs = widths.map(make);
    const t = performance.now();
    for (let b = 0; b < ACC_BATCHES; b++) {
      accs.forEach((acc) => acc.add(acc.cols === IN ? batches[b] : wide[b], ACC_ROWS));
      await Promise.all(accs.map((acc) => acc.flush()));
    }
    await readAccumulators(accs);
    return performance.now() - t;
  };
  list.push({
    key: 'calibration_col_norms', method: 'calibration', shape: [ACC_BATCHES * ACC_ROWS, IN],
    timed: `calibrate.ts's pass with GpuAccumulator / CpuAccumulator 'norms' (col-norms-texture.wgsl, all inputs of a sequence in one upload and submit): the 124 M shape's ${widths.length} layer inputs (${BLOCKS} × 768, 768, 768, 3,072 columns), ${ACC_BATCHES} sequences of ${ACC_ROWS} rows added to each and awaited, then all read in one readAccumulators`,
    wgsl: () => pass((cols) => new GpuAccumulator(gpu, 'norms', cols)),
    ts: () => pass((cols) => new CpuAccumulator('norms', cols)),
  });
  return list;
}

async function run(): Promise<{ adapter?: string; rows: CalibratedSpeedRow[] }> {
  const params = new URLSearchParams(location.search);
  const runs = Number(params.get('runs') ?? 3);
  const only = params.get('only');
  // the script's CPU-time reads around each timed round (outside the round's own clock)
  const cpuMark = params.get('cpu') ? (window as unknown as { __cpuMark: (key: string, path: string, phase: string) => Promise<void> }).__cpuMark : undefined;
  const gpu = await getKernelGpu();
  const log = document.getElementById('log')!;
  const rows: CalibratedSpeedRow[] = [];
  for (const c of cases(gpu.device)) {
    if (only && !c.key.includes(only)) continue;
    await c.wgsl();
    await c.ts();
    const g: number[] = [];
    const t: number[] = [];
    const timed = async (path: 'wgsl' | 'ts', round: () => Promise<number>) => {
      await cpuMark?.(c.key, path, 'start');
      const ms = await round();
      await cpuMark?.(c.key, path, 'end');
      return ms;
    };
    for (let k = 0; k < runs; k++) {
      g.push(await timed('wgsl', c.wgsl));
      t.push(await timed('ts', c.ts));
    }
    const { wgsl: _w, ts: _t, ...rest } = c;
    rows.push({ ...rest, wgsl_kernel_ms: median(g), ts_kernel_ms: median(t), runs, wgsl_rounds_ms: g, ts_rounds_ms: t });
    const line = `${c.key}: wgsl ${median(g).toFixed(1)} ms [${g.map((v) => v.toFixed(0)).join(', ')}], ts ${median(t).toFixed(1)} ms [${t.map((v) => v.toFixed(0)).join(', ')}]`;
    log.textContent += `${line}\n`;
    console.log(line); // by hand: bench-kernel-calibrated.ts --console shows the rows as they come
  }
  return { adapter: gpu.adapter, rows };
}

const w = window as unknown as { __kernelSpeedCalibrated?: { done: boolean; adapter?: string; rows?: CalibratedSpeedRow[]; error?: string } };
w.__kernelSpeedCalibrated = { done: false };
run().then(
  (r) => (w.__kernelSpeedCalibrated = { done: true, ...r }),
  (e) => (w.__kernelSpeedCalibrated = { done: true, error: String((e as Error)?.stack ?? e) }),
);
