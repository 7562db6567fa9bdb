/**
 * Kernel harness: runs every compression method on WebGPU (WGSL) and on the CPU (TS reference)
 * on the same deterministic tensors and compares them: codes, masks, scales and zero points byte
 * for byte, dequantized floats within 1e-6 relative (they are expected to be bit-exact too).
 * Results land in window.__kernels for e2e/kernels.spec.ts; a table is printed in the page.
 * Add ?only=<substring> to run some cases by hand.
 */
import type { MethodId, MethodOptions } from '../../workers/api';
import { getKernelGpu } from '../../workers/compression/gpu-device';
import { compressTensor, METHODS } from '../../workers/compression/registry';
import { gridSettings } from '../../workers/compression/shared/gpu';
import { channelChunking } from '../../workers/compression/shared/channel-chunks';
import { accumulateHessian } from '../../workers/calibration/accumulate';
import type { CompressionResult, WeightLayout } from '../../workers/compression/types';
import { seededRandom } from '../../workers/seeded-random';
import { neuronSumSquaresGpu, unitSumSquaresBatch, unitSumSquaresBatchGpu, unitSumSquaresGpu } from '../../workers/compression/structured-prune/gpu';
import { neuronSumSquares, neuronView } from '../../workers/compression/structured-prune/reference';
import { unitSumSquares } from '../../workers/compression/structured-prune/heads';
import { kernelFaultCases } from './kernel-faults';
import { nonFiniteCases } from './kernel-nonfinite';

export interface CaseReport {
  name: string;
  n: number;
  /** element-wise integer outputs (codes or mask) that differ */
  codeMismatches: number;
  /** scales (bit patterns), zero points and clamp counts that differ, or arrays present on one side only */
  paramMismatches: number;
  /** dequantized floats whose bits differ */
  floatBitMismatches: number;
  /** max |gpu - cpu| / max(|cpu|, 1e-30) over the dequantized floats */
  maxRelError: number;
  /**
   * the tensor stats (relative Frobenius error, SQNR, max abs error, sparsity), each side's as
   * compressTensor reports them: max relative difference. The affine WGSL takes its stats in the
   * kernel (f32 sums per workgroup), the TS in double in its quantize loop.
   */
  statsRelError: number;
  /** set when a side threw: the case's other fields are then zero */
  error?: string;
  /** the outputs each side returned, e.g. "codes,scales" — must be equal */
  gpuParts: string;
  cpuParts: string;
  sparsity: number;
  /** kernel wall time; for cases of at least TIMED_MIN_WEIGHTS, the median of TIMED_RUNS interleaved runs */
  gpuMs: number;
  cpuMs: number;
  /** how many runs gpuMs and cpuMs are the median of */
  timedRuns: number;
  /** split cases: the chunks the WebGPU run took, and its differences from the unsplit WebGPU run (codes, params, float bits) */
  chunks?: number;
  unsplitMismatches?: number;
}

export interface KernelReport {
  done: boolean;
  adapter?: string;
  error?: string;
  cases: CaseReport[];
}

declare global {
  interface Window {
    __kernels: KernelReport;
  }
}

type Fill = 'mixed' | 'constant' | 'levels' | 'halves8' | 'halves4' | 'half-edges';

interface Case {
  name: string;
  method: MethodId;
  options: MethodOptions;
  shape: [number, number];
  layout: WeightLayout;
  fill: Fill;
  /** cap the grid's x dimension to force 2D dispatch (0 = device limit) */
  maxPerDim?: number;
  /**
   * methods with a pass over all tensors: plan this tensor as the first of two equal ones (true: a
   * cut inside it, or all its ties pruned), or as the second ('second': all its ties kept when the
   * cut falls in the first)
   */
  twinPlan?: boolean | 'second';
  /** a storage binding limit in bytes far below the device's, so the tensor runs in several chunks of output channels */
  split?: number;
}

/** deterministic test data */
const rng = seededRandom;

/**
 * 'mixed': roughly normal weights (std 0.05) with 10 % snapped to a coarse grid (ties, including
 * exact halves of typical scales), 3 % zeros, 1 % -0, 0.5 % outliers, and one all-zero output
 * channel. 'constant': every value 0.5 (ties everywhere). 'levels': 7 distinct values.
 * 'halves8' / 'halves4': grids whose scale is exactly a power of two (channel max 127u; group
 * range [-7u, 8u] per 32 inputs), with most values on exact halves of a step, so the rounding
 * rule (half away from zero) decides many codes. 'half-edges': values where f32 -> f16 is hard:
 * around half's smallest subnormal 2^-24 and its ties, f32 subnormals, the subnormal/normal
 * border, ties to even, and around 65504 / 65520 (clamped), with both signs.
 */
function makeTensor(rows: number, cols: number, layout: WeightLayout, fill: Fill, seed: number): Float32Array {
  const data = new Float32Array(rows * cols);
  const rand = rng(seed);
  for (let f = 0; f < data.length; f++) {
    if (fill === 'constant') data[f] = 0.5;
    else if (fill === 'levels') data[f] = (Math.floor(rand() * 7) - 3) * 0.125;
    else {
      const u = rand();
      const normal = (rand() + rand() + rand() + rand() - 2) * 0.05 * Math.sqrt(3);
      if (u < 0.1) data[f] = Math.round(normal * 64) / 64;
      else if (u < 0.13) data[f] = 0;
      else if (u < 0.14) data[f] = -0;
      else if (u < 0.145) data[f] = normal * 40;
      else data[f] = normal;
    }
  }
  if (fill === 'halves8' || fill === 'halves4') fillHalves(data, rows, cols, layout, fill, rand);
  if (fill === 'half-edges') fillHalfEdges(data, rand);
  if (fill === 'mixed' && rows * cols > 1) {
    // zero the second output channel
    const channel = 1 % (layout === 'out_in' ? rows : cols);
    for (let f = 0; f < data.length; f++) {
      const o = layout === 'out_in' ? Math.floor(f / cols) : f % cols;
      if (o === channel) data[f] = 0;
    }
  }
  return data;
}

function fillHalves(data: Float32Array, rows: number, cols: number, layout: WeightLayout, fill: Fill, rand: () => number): void {
  const u = 2 ** -7;
  for (let f = 0; f < data.length; f++) {
    const i = layout === 'out_in' ? f % cols : Math.floor(f / cols); // input index
    if (fill === 'halves8') data[f] = i === 0 ? 127 * u : (Math.floor(rand() * 509) - 254) * (u / 2);
    else data[f] = i % 32 === 0 ? -7 * u : i % 32 === 1 ? 8 * u : (Math.floor(rand() * 31) - 14) * (u / 2);
  }
}

const HALF_EDGES = [
  2 ** -24, 2 ** -25, 3 * 2 ** -25, 2 ** -25 + 2 ** -40, 2 ** -26, 1e-45, 2 ** -14, 2 ** -14 - 2 ** -25, 1023 * 2 ** -24,
  1 + 2 ** -11, 1 + 3 * 2 ** -11, 2047.5, 65504, 65505, 65519.99, 65520, 1e6, 3.4e38, 0, -0,
];

function fillHalfEdges(data: Float32Array, rand: () => number): void {
  for (let f = 0; f < data.length; f++) {
    const u = rand();
    const sign = rand() < 0.5 ? -1 : 1;
    if (u < 0.6) data[f] = sign * HALF_EDGES[Math.floor(rand() * HALF_EDGES.length)];
    else if (u < 0.8) data[f] = sign * Math.floor(rand() * 4096) * 2 ** -25; // subnormal halves and their ties
    else data[f] = sign * (1 + rand()) * 2 ** (Math.floor(rand() * 60) - 40); // every exponent
  }
}

function cases(): Case[] {
  const list: Case[] = [];
  const add = (method: MethodId, options: MethodOptions, shape: [number, number], layout: WeightLayout, fill: Fill = 'mixed', maxPerDim = 0, twinPlan: boolean | 'second' = false) => {
    const opts = Object.entries(options).map(([k, v]) => `${k}=${v}`).join(',');
    const grid = maxPerDim ? ` grid<=${maxPerDim}` : '';
    const twin = twinPlan ? ` twin-plan${twinPlan === 'second' ? ' second' : ''}` : '';
    list.push({ name: `${method}${opts ? `(${opts})` : ''} ${shape.join('x')} ${layout} ${fill}${grid}${twin}`, method, options, shape, layout, fill, maxPerDim, twinPlan });
  };
  const shapes: [number, number][] = [[1, 1], [7, 13], [33, 4097], [768, 3072]];
  for (const shape of shapes) {
    const layouts: WeightLayout[] = shape[0] === 1 ? ['out_in'] : ['out_in', 'in_out'];
    for (const layout of layouts) {
      add('int8-channel', {}, shape, layout);
      add('int4-group', { groupSize: 32 }, shape, layout);
      add('magnitude-prune', { ratio: 0.5 }, shape, layout);
      add('fp16', {}, shape, layout);
    }
  }
  for (const ratio of [0, 0.1, 0.9, 1]) add('magnitude-prune', { ratio }, [7, 13], 'out_in');
  add('int4-group', { groupSize: 16 }, [7, 13], 'in_out');
  add('int4-group', { groupSize: 128 }, [33, 4097], 'out_in');
  // ties: the cut falls inside a chunk (tie-count pass + one chunk read back)
  add('magnitude-prune', { ratio: 0.3 }, [33, 4097], 'out_in', 'constant');
  add('magnitude-prune', { ratio: 0.5 }, [33, 4097], 'in_out', 'levels');
  add('int8-channel', {}, [33, 4097], 'out_in', 'constant');
  add('int4-group', { groupSize: 32 }, [33, 4097], 'in_out', 'levels');
  add('int8-channel', {}, [33, 4097], 'in_out', 'halves8');
  add('int4-group', { groupSize: 32 }, [33, 4097], 'out_in', 'halves4');
  add('fp16', {}, [7, 13], 'out_in', 'half-edges');
  add('fp16', {}, [33, 4097], 'in_out', 'half-edges');
  // a GPT-2 vocabulary-sized weight: 38.6M values, 154 MB (above the default 128 MiB binding
  // limit) and 150k workgroups in the quantize pass (a real 2D grid). ~20 s on SwiftShader.
  add('int4-group', { groupSize: 32 }, [768, 50257], 'in_out');
  // forced 2D grids with a ragged last row, for every kernel
  add('int8-channel', {}, [33, 4097], 'in_out', 'mixed', 7);
  add('int4-group', { groupSize: 32 }, [33, 4097], 'out_in', 'mixed', 7);
  add('magnitude-prune', { ratio: 0.3 }, [33, 4097], 'out_in', 'constant', 5);
  add('fp16', {}, [33, 4097], 'out_in', 'half-edges', 7);
  newMethodCases(add);
  // the stats the affine WGSL takes in its kernel: a 4,097-long channel in one thread (compensated
  // sums), rows padded to a vec4 (masked lanes), a short last group
  add('int8-channel', {}, [4097, 33], 'in_out');
  add('int4-group', { groupSize: 32 }, [97, 5], 'out_in');
  add('rtn', { bits: 8, groupSize: 0, symmetric: false }, [5, 4097], 'out_in');
  splitCases(list);
  return list;
}

/** Tensors over a (forced) binding limit, 7 × 13 … 300 × 40, run in chunks of output channels ('split' in the name). */
function splitCases(list: Case[]): void {
  const split = (method: MethodId, options: MethodOptions, shape: [number, number], layout: WeightLayout, channels: number) => {
    const inDim = layout === 'out_in' ? shape[1] : shape[0];
    list.push({ name: `split ${method} ${JSON.stringify(options)} ${shape.join('x')} ${layout} by ${channels} channels`, method, options, shape, layout, fill: 'mixed', split: channels * inDim * 4 });
  };
  split('fp16', {}, [7, 13], 'out_in', 3);
  split('int8-channel', {}, [300, 40], 'in_out', 7);
  split('int4-group', { groupSize: 32 }, [300, 40], 'in_out', 9);
  split('rtn', { bits: 3, groupSize: 32, symmetric: false }, [40, 300], 'out_in', 6);
  split('nf4', {}, [40, 48], 'out_in', 5);
  split('nf4', {}, [48, 40], 'in_out', 5);
  split('nm-prune', { pattern: '2:4' }, [300, 40], 'in_out', 11);
  split('wanda', { ratio: 0.5 }, [300, 40], 'in_out', 7);
  split('sparsegpt', { ratio: 0.5 }, [40, 48], 'out_in', 6);
  split('sparsegpt', { pattern: '2:4' }, [48, 40], 'in_out', 7);
  // magnitude-prune splits in spans of 65,536 weights (its count passes' unit): one span a chunk,
  // ties cut in the second chunk (constant), in the last (levels), and a plain threshold (mixed)
  const span = 65_536 * 4;
  for (const [ratio, fill] of [[0.6, 'constant'], [0.95, 'levels'], [0.5, 'mixed']] as const) {
    list.push({ name: `split magnitude-prune ${ratio} 33x4097 out_in ${fill} by one span`, method: 'magnitude-prune', options: { ratio }, shape: [33, 4097], layout: 'out_in', fill, split: span });
  }
  list.push({ name: 'split global-prune 0.4 33x4097 in_out levels by one span', method: 'global-prune', options: { ratio: 0.4 }, shape: [33, 4097], layout: 'in_out', fill: 'levels', twinPlan: true, split: span });
}

/** Wanda's input column norms, or SparseGPT's Hessian Xᵀ X of 3·K + 4 random rows, as calibration would give them (one input in 7 dead). */
function calibrationFor(c: Case, seed: number) {
  if (c.method !== 'wanda' && c.method !== 'sparsegpt') return undefined;
  const k = c.layout === 'out_in' ? c.shape[1] : c.shape[0];
  const r = rng(seed);
  if (c.method === 'wanda') return { input: 'x', rows: 1, cols: k, colSqNorms: Float32Array.from({ length: k }, (_, i) => (i % 7 === 3 ? 0 : 1 + 100 * r())) };
  const rows = 3 * k + 4;
  const x = Float32Array.from({ length: rows * k }, (_, f) => (f % k) % 7 === 3 ? 0 : r() - 0.5);
  const hessian = new Float32Array(k * k);
  accumulateHessian(hessian, x, rows, k);
  return { input: 'x', rows, cols: k, hessian };
}

type AddCase = (method: MethodId, options: MethodOptions, shape: [number, number], layout: WeightLayout, fill?: Fill, maxPerDim?: number, twinPlan?: boolean | 'second') => void;

/**
 * rtn, nf4, nm-prune and global-prune: every bit width and grid on a tiny awkward shape (K = 13,
 * not a multiple of any group), and one 135 k-weight shape each with ties and a forced 2D grid.
 */
function newMethodCases(add: AddCase): void {
  for (const bits of [8, 4, 3, 2]) {
    for (const symmetric of [false, true]) {
      add('rtn', { bits, groupSize: 32, symmetric }, [7, 13], 'in_out');
      add('rtn', { bits, groupSize: 0, symmetric }, [13, 7], 'out_in');
    }
  }
  add('rtn', { bits: 3, groupSize: 128, symmetric: false }, [33, 4097], 'out_in');
  add('rtn', { bits: 2, groupSize: 64, symmetric: true }, [33, 4097], 'in_out', 'levels');
  add('rtn', { bits: 4, groupSize: 32, symmetric: true }, [33, 4097], 'out_in', 'halves4', 7);
  add('rtn', { bits: 8, groupSize: 0, symmetric: false }, [1, 1], 'out_in');
  for (const shape of [[1, 1], [7, 13], [13, 7]] as [number, number][]) {
    add('nf4', {}, shape, 'out_in');
    if (shape[0] > 1) add('nf4', {}, shape, 'in_out');
  }
  add('nf4', {}, [33, 4097], 'in_out', 'levels');
  add('nf4', {}, [33, 4097], 'out_in', 'mixed', 7);
  for (const pattern of ['2:4', '4:8']) {
    add('nm-prune', { pattern }, [1, 1], 'out_in');
    add('nm-prune', { pattern }, [7, 13], 'out_in');
    add('nm-prune', { pattern }, [7, 13], 'in_out');
  }
  add('nm-prune', { pattern: '2:4' }, [33, 4097], 'out_in', 'constant');
  add('nm-prune', { pattern: '4:8' }, [33, 4097], 'in_out', 'levels', 7);
  // tall (in, out) 2:4: nm-prune4.wgsl's whole runs on a ragged 2D grid, then the general kernel's short last run
  add('nm-prune', { pattern: '2:4' }, [4097, 33], 'in_out', 'mixed', 5);
  add('global-prune', { ratio: 0.5 }, [1, 1], 'out_in');
  add('global-prune', { ratio: 0.5 }, [7, 13], 'out_in');
  add('global-prune', { ratio: 0.3 }, [33, 4097], 'out_in', 'constant', 0, true);
  add('global-prune', { ratio: 0.4 }, [33, 4097], 'in_out', 'levels', 5, true);
  // every tie kept (the cut in the twin before), and the 124 M shape's weight in 5 chunks of 8
  // spans, each told where it starts (the cut in one, ties pruned before it and kept after)
  add('global-prune', { ratio: 0.3 }, [33, 4097], 'out_in', 'constant', 0, 'second');
  add('global-prune', { ratio: 0.5 }, [768, 3072], 'in_out', 'levels');
}

const TINY = 1e-30;
/** Cases this large are timed TIMED_RUNS times, GPU and CPU interleaved, so that one noisy moment
 * of a shared machine does not decide; e2e/kernels.spec.ts holds their medians to each other. */
export const TIMED_MIN_WEIGHTS = 1_000_000;
const TIMED_RUNS = 3;

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function failed(name: string, n: number): CaseReport {
  const none = { codeMismatches: 0, paramMismatches: 0, floatBitMismatches: 0, maxRelError: 0, statsRelError: 0, sparsity: 0, gpuMs: 0, cpuMs: 0, timedRuns: 0 };
  return { name, n, ...none, gpuParts: '', cpuParts: '' };
}

function compare(name: string, n: number, gpu: CompressionResult, cpu: CompressionResult): CaseReport {
  const parts = (r: CompressionResult) => (['codes', 'scales', 'zeroPoints', 'mask', 'clamped'] as const).filter((k) => r[k] !== undefined).join(',');
  const diffBytes = (a?: ArrayLike<number>, b?: ArrayLike<number>) => {
    if (!a || !b) return a === b ? 0 : Math.max(a?.length ?? 0, b?.length ?? 0, 1);
    let d = Math.abs(a.length - b.length);
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) d++;
    return d;
  };
  const bits = (x?: Float32Array) => (x ? new Uint32Array(x.buffer, x.byteOffset, x.length) : undefined);
  const gd = gpu.dequantized;
  const cd = cpu.dequantized;
  let maxRelError = gd.length === cd.length ? 0 : Infinity;
  for (let f = 0; f < Math.min(gd.length, cd.length); f++) {
    const rel = Math.abs(gd[f] - cd[f]) / Math.max(Math.abs(cd[f]), TINY);
    if (!(rel <= maxRelError)) maxRelError = Number.isNaN(rel) ? Infinity : rel;
  }
  return {
    name,
    n,
    codeMismatches: diffBytes(gpu.codes, cpu.codes) + diffBytes(gpu.mask, cpu.mask),
    paramMismatches: diffBytes(bits(gpu.scales), bits(cpu.scales)) + diffBytes(gpu.zeroPoints, cpu.zeroPoints) + (gpu.clamped === cpu.clamped ? 0 : 1),
    floatBitMismatches: diffBytes(bits(gd), bits(cd)),
    maxRelError,
    statsRelError: statsDifference(gpu, cpu),
    gpuParts: parts(gpu),
    cpuParts: parts(cpu),
    sparsity: cpu.stats.sparsity,
    gpuMs: gpu.kernelMs,
    cpuMs: cpu.kernelMs,
    timedRuns: 1,
  };
}

/** The largest relative difference between two results' stats (equal values, Infinity included, count 0). */
function statsDifference(gpu: CompressionResult, cpu: CompressionResult): number {
  const keys = ['relFrobeniusError', 'sqnrDb', 'maxAbsError', 'sparsity'] as const;
  return Math.max(...keys.map((k) => {
    const [g, c] = [gpu.stats[k] ?? NaN, cpu.stats[k] ?? NaN];
    if (g === c || (Number.isNaN(g) && Number.isNaN(c))) return 0;
    const rel = Math.abs(g - c) / Math.max(Math.abs(c), TINY);
    return Number.isNaN(rel) ? Infinity : rel;
  }));
}

async function run(): Promise<void> {
  const log = document.getElementById('log')!;
  const report: KernelReport = { done: false, cases: [] };
  window.__kernels = report;
  try {
    const gpu = await getKernelGpu();
    report.adapter = gpu.adapter;
    log.textContent = `adapter: ${gpu.adapter}\n`;
    const only = new URLSearchParams(location.search).get('only');
    for (const [k, c] of cases().entries()) {
      if (only && !c.name.includes(only)) continue;
      const data = makeTensor(c.shape[0], c.shape[1], c.layout, c.fill, 1000 + k);
      const impl = METHODS[c.method];
      const plan = c.twinPlan ? impl.plan!([data, data], impl.meta.resolveOptions(c.options))[c.twinPlan === 'second' ? 1 : 0] : undefined;
      const tensor = { name: c.name, data, shape: c.shape, layout: c.layout, plan, calibration: calibrationFor(c, 2000 + k) };
      gridSettings.maxWorkgroupsX = c.maxPerDim ?? 0;
      // the forced-2D cases also go through the affine kernels in several small chunks
      gridSettings.chunkWeights = c.maxPerDim ? 20_000 : 0;
      channelChunking.maxBindingBytes = c.split ?? 0;
      channelChunking.chunks = 1;
      let r: CaseReport;
      try {
        const onGpu = await compressTensor(c.method, c.options, tensor, 'webgpu', gpu.device);
        const chunks = channelChunking.chunks;
        const onCpu = await compressTensor(c.method, c.options, tensor, 'cpu');
        r = compare(c.name, tensor.data.length, onGpu, onCpu);
        if (c.split) {
          channelChunking.maxBindingBytes = 0;
          const whole = compare(c.name, tensor.data.length, onGpu, await compressTensor(c.method, c.options, tensor, 'webgpu', gpu.device));
          Object.assign(r, { chunks, unsplitMismatches: whole.codeMismatches + whole.paramMismatches + whole.floatBitMismatches });
        }
        if (tensor.data.length >= TIMED_MIN_WEIGHTS) {
          const gpuMs = [onGpu.kernelMs];
          const cpuMs = [onCpu.kernelMs];
          for (let run = 1; run < TIMED_RUNS; run++) {
            gpuMs.push((await compressTensor(c.method, c.options, tensor, 'webgpu', gpu.device)).kernelMs);
            cpuMs.push((await compressTensor(c.method, c.options, tensor, 'cpu')).kernelMs);
          }
          Object.assign(r, { gpuMs: median(gpuMs), cpuMs: median(cpuMs), timedRuns: TIMED_RUNS });
        }
      } catch (e) {
        r = { ...failed(c.name, tensor.data.length), error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
      } finally {
        gridSettings.maxWorkgroupsX = 0;
        gridSettings.chunkWeights = 0;
        channelChunking.maxBindingBytes = 0;
      }
      report.cases.push(r);
      log.textContent += `${r.name}: codes ${r.codeMismatches} params ${r.paramMismatches} bits ${r.floatBitMismatches} rel ${r.maxRelError.toExponential(1)} stats ${r.statsRelError.toExponential(1)} gpu ${r.gpuMs.toFixed(0)} ms cpu ${r.cpuMs.toFixed(0)} ms\n`;
    }
    await neuronNormCases(gpu.device, report, only, log);
    await headNormCases(gpu.device, report, only, log);
    await kernelFaultCases(gpu.device, report, only, log);
    await nonFiniteCases(gpu.device, report, only, log);
  } catch (e) {
    report.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    log.textContent += `ERROR ${report.error}\n`;
  }
  report.done = true;
}

/**
 * structured-prune's kernel, the neuron norms (sum of squares per output or per input channel),
 * against its TS twin: every float bit-exact, on awkward shapes, both layouts, both axes, and a
 * GPT-2 124M MLP weight (768 x 3072).
 */
async function neuronNormCases(device: GPUDevice, report: KernelReport, only: string | null, log: HTMLElement): Promise<void> {
  // [20, 12]: runs of 12 and 20 weights, an odd number of vec4s (channel-rows4.wgsl's last load alone)
  const shapes: [number, number][] = [[1, 1], [7, 13], [13, 7], [20, 12], [33, 4097], [768, 3072]];
  let seed = 9000;
  for (const shape of shapes) {
    for (const layout of ['in_out', 'out_in'] as WeightLayout[]) {
      for (const axis of ['out', 'in'] as const) {
        const name = `structured-prune neuron norms (${axis}) ${shape.join('x')} ${layout}`;
        if (only && !name.includes(only)) continue;
        const data = makeTensor(shape[0], shape[1], layout, 'mixed', seed++);
        const view = neuronView({ shape, layout }, axis);
        await normCase(report, log, name, data.length, () => neuronSumSquaresGpu(device, data, view), () => neuronSumSquares(data, view));
      }
    }
  }
}

/**
 * structured-prune's head norms (one thread per head or KV group, its channels from an offset)
 * against the TS twin, bit-exact: 1x1, ragged 7x13 / 13x7 units, the demo's fused c_attn thirds
 * (64x192), a 124M c_attn third (768x2304, 12 heads of 64) and its output projection's rows, and a
 * batch of six weights as the graph passes send them (unitSumSquaresBatchGpu, three chunks).
 */
async function headNormCases(device: GPUDevice, report: KernelReport, only: string | null, log: HTMLElement): Promise<void> {
  // shape, layout, axis, units, channels per unit, first channel
  const cases: [[number, number], WeightLayout, 'out' | 'in', number, number, number][] = [
    [[1, 1], 'in_out', 'out', 1, 1, 0],
    [[7, 13], 'in_out', 'out', 4, 3, 1],
    [[7, 13], 'out_in', 'in', 3, 4, 1],
    [[13, 7], 'in_out', 'in', 6, 2, 1],
    [[64, 192], 'in_out', 'out', 4, 16, 64],
    [[768, 2304], 'in_out', 'out', 12, 64, 1536],
    [[768, 768], 'in_out', 'in', 12, 64, 0],
  ];
  let seed = 9500;
  for (const [shape, layout, axis, count, width, offset] of cases) {
    const name = `structured-prune head norms (${axis}) ${shape.join('x')} ${layout} ${count}x${width}@${offset}`;
    if (only && !name.includes(only)) continue;
    const data = makeTensor(shape[0], shape[1], layout, 'mixed', seed++);
    const view = { ...neuronView({ shape, layout }, axis), count, width, offset };
    await normCase(report, log, name, data.length, () => unitSumSquaresGpu(device, data, view), () => unitSumSquares(data, view));
  }
  // a model's norms in one batch (the graph passes' call): a fused weight's three segments in one
  // request, small and ragged weights beside 9.4 MB ones, 3 chunks (two 12 MB chunks in flight)
  const name = 'structured-prune norms batch: 6 weights (fused 64x192 q|k|v, 7x13, 768x3072, 3072x768, 768x2304 q|k|v, 13x7)';
  if (only && !name.includes(only)) return;
  const unitsOf = (shape: [number, number], layout: WeightLayout, axis: 'out' | 'in', segments: [number, number, number][]) => {
    const data = makeTensor(shape[0], shape[1], layout, 'mixed', seed++);
    return { data: () => data, units: segments.map(([count, width, offset]) => ({ ...neuronView({ shape, layout }, axis), count, width, offset })) };
  };
  const requests = [
    unitsOf([64, 192], 'in_out', 'out', [[4, 16, 0], [4, 16, 64], [4, 16, 128]]),
    unitsOf([7, 13], 'out_in', 'in', [[3, 2, 1]]),
    unitsOf([768, 3072], 'in_out', 'out', [[3072, 1, 0]]),
    unitsOf([3072, 768], 'in_out', 'in', [[3072, 1, 0]]),
    unitsOf([768, 2304], 'in_out', 'out', [[12, 64, 0], [12, 64, 768], [12, 64, 1536]]),
    unitsOf([13, 7], 'in_out', 'in', [[6, 2, 1]]),
  ];
  const flat = (parts: Float32Array[][]) => concatF32(parts.flat());
  const weights = requests.reduce((n, r) => n + r.data().length, 0);
  // 12 MB chunks (3 Mi weights): the batch goes in three, two in flight
  gridSettings.chunkWeights = 3 * 2 ** 20;
  try {
    await normCase(report, log, name, weights, async () => flat(await unitSumSquaresBatchGpu(device, requests)), () => flat(unitSumSquaresBatch(requests)));
  } finally {
    gridSettings.chunkWeights = 0;
  }
}

function concatF32(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One norms case: the kernel's floats against its TS twin's, bit for bit, each side timed once. */
async function normCase(report: KernelReport, log: HTMLElement, name: string, weights: number, onGpu: () => Promise<Float32Array>, onCpu: () => Float32Array): Promise<void> {
  let r: CaseReport;
  try {
    let t = performance.now();
    const gpuSums = await onGpu();
    const gpuMs = performance.now() - t;
    t = performance.now();
    const cpuSums = onCpu();
    const cpuMs = performance.now() - t;
    const asResult = (sums: Float32Array, kernelMs: number) => ({ dequantized: sums, kernelMs, stats: { sparsity: 0 } }) as unknown as CompressionResult;
    r = compare(name, weights, asResult(gpuSums, gpuMs), asResult(cpuSums, cpuMs));
  } catch (e) {
    r = { ...failed(name, weights), error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  report.cases.push(r);
  log.textContent += `${r.name}: bits ${r.floatBitMismatches} rel ${r.maxRelError.toExponential(1)} gpu ${r.gpuMs.toFixed(0)} ms cpu ${r.cpuMs.toFixed(0)} ms\n`;
}

void run();
