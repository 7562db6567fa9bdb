/**
 * GPTQ and AWQ harness: the WGSL (gptq-block/gptq-lazy.wgsl; awq-quantize/awq-loss.wgsl) against their TS
 * references on deterministic awkward shapes (1×1, 7×13, 13×7, K = 300 not a multiple of the
 * group nor of GPTQ's block of 128, tall and wide), both layouts, act order on and off, every
 * bit width, symmetric and whole-row grids, a dead input, pruned weights with their mask, Hessians of correlated activations. Codes, scales and zero points are
 * compared exactly, dequantized floats bit for bit, the loss relatively, AWQ's α and search loss
 * exactly. Then one realistic shape (256 × 1024) timed on both paths in the same run. Results land in window.__gptqAwq for
 * e2e/gptq-awq-wgsl.spec.ts.
 */
import { accumulateColAbsSums, accumulateHessian } from '../../workers/calibration/accumulate';
import { getKernelGpu } from '../../workers/compression/gpu-device';
import { gptqLoopGpu } from '../../workers/compression/gptq/gpu';
import { gptqMeta } from '../../workers/compression/gptq/meta';
import { gptqLoop, gptqSetup } from '../../workers/compression/gptq/reference';
import { awqGpu } from '../../workers/compression/awq/gpu';
import { awqMeta } from '../../workers/compression/awq/meta';
import { magnitudePruneReference } from '../../workers/compression/magnitude-prune/reference';
import { compressTensor } from '../../workers/compression/registry';
import type { CompressionParts, WeightLayout, WeightTensor } from '../../workers/compression/types';
import type { MethodId } from '../../workers/api';
import { seededRandom } from '../../workers/seeded-random';

export interface LoopCase {
  name: string;
  n: number;
  codeMismatches: number;
  /** codes more than one step apart */
  farCodes: number;
  bitMismatches: number;
  gridMismatches: number;
  lossRelError: number;
  /** AWQ: the searched α and its loss differ */
  alphaMismatch?: boolean;
  error?: string;
}

export interface LoopTiming {
  shape: [number, number];
  /** U = chol(H⁻¹) and the rest of gptqSetup, TS, shared by both paths */
  setupMs: number;
  tsLoopMs: number[];
  gpuLoopMs: number[];
  codeMismatches: number;
}

export interface AwqTiming {
  shape: [number, number];
  tsMs: number;
  gpuMs: number;
}

export interface GptqAwqReport {
  done: boolean;
  adapter?: string;
  error?: string;
  cases: LoopCase[];
  timing?: LoopTiming;
  awqTiming?: AwqTiming;
}

declare global {
  interface Window {
    __gptqAwq: GptqAwqReport;
  }
}

const report: GptqAwqReport = { done: false, cases: [] };
window.__gptqAwq = report;
const log = (s: string) => (document.getElementById('log')!.textContent += `${s}\n`);

/** H = Xᵀ X of rows of correlated activations (shared factors, louder columns), maybe one input dead. */
function hessian(k: number, seed: number, deadInput: boolean, rows = 3 * k + 4): { h: Float32Array; abs: Float32Array; rows: number } {
  const r = seededRandom(seed);
  const x = new Float32Array(rows * k);
  for (let n = 0; n < rows; n++) {
    const f = [r() - 0.5, r() - 0.5, r() - 0.5];
    for (let i = 0; i < k; i++) x[n * k + i] = deadInput && i === k >> 1 ? 0 : (f[i % 3] + 0.5 * (r() - 0.5)) * (1 + (i % 4)) * (i % 29 === 3 ? 6 : 1);
  }
  const h = new Float32Array(k * k);
  accumulateHessian(h, x, rows, k);
  const abs = new Float32Array(k); // AWQ's activation size (its mean |x|)
  accumulateColAbsSums(abs, x, rows, k);
  return { h, abs, rows };
}

function weights(shape: [number, number], layout: WeightLayout, deadInput: boolean, rowsOfX?: number): WeightTensor {
  const k = layout === 'out_in' ? shape[1] : shape[0];
  const r = seededRandom(shape[0] * 131 + shape[1] * 7 + (layout === 'in_out' ? 1 : 0));
  const data = Float32Array.from({ length: shape[0] * shape[1] }, () => {
    const u = r();
    return u < 0.03 ? 0 : (r() - 0.5) * (u < 0.1 ? 6 : 1);
  });
  const { h, abs, rows } = hessian(k, k * 17 + shape[0], deadInput, rowsOfX);
  return { name: 'w', data, shape, layout, calibration: { input: 'x', rows, cols: k, hessian: h, colAbsSums: abs } };
}

/** gpu: the WGSL path some other way than the registry's (a small AWQ search chunk) */
async function compare(device: GPUDevice, method: MethodId, name: string, tensor: WeightTensor, options: Record<string, unknown>, gpu?: () => Promise<CompressionParts>): Promise<LoopCase> {
  const c = await compressTensor(method, options, tensor, 'cpu');
  const g = await (gpu?.() ?? compressTensor(method, options, tensor, 'webgpu', device));
  let codeMismatches = 0;
  let farCodes = 0;
  let bitMismatches = 0;
  let gridMismatches = 0;
  for (let e = 0; e < tensor.data.length; e++) {
    const d = Math.abs(c.codes![e] - g.codes![e]);
    if (d > 0) codeMismatches++;
    if (d > 1) farCodes++;
    if (!Object.is(c.dequantized[e], g.dequantized[e])) bitMismatches++;
  }
  // a symmetric grid has no zero points (rtn's parts): both sides must lack them
  for (let i = 0; i < c.scales!.length; i++) if (!Object.is(c.scales![i], g.scales![i]) || c.zeroPoints?.[i] !== g.zeroPoints?.[i]) gridMismatches++;
  const lossRelError = c.loss === undefined ? 0 : Math.abs(c.loss - g.loss!) / Math.max(Math.abs(c.loss), 1e-30);
  const searched = (r: object) => [(r as { alpha?: number }).alpha, (r as { searchLoss?: number }).searchLoss];
  const alphaMismatch = JSON.stringify(searched(c)) !== JSON.stringify(searched(g));
  return { name, n: tensor.data.length, codeMismatches, farCodes, bitMismatches, gridMismatches, lossRelError, alphaMismatch };
}

function gptqCases(device: GPUDevice): (() => Promise<LoopCase>)[] {
  const runs: (() => Promise<LoopCase>)[] = [];
  const add = (shape: [number, number], layout: WeightLayout, o: { bits: number; groupSize: number; actOrder: boolean; symmetric?: boolean }, dead = false) => {
    const name = `gptq INT${o.bits} ${o.groupSize ? `g${o.groupSize}` : 'row'}${o.symmetric ? ' sym' : ''}${o.actOrder ? ' act-order' : ''} ${shape.join('x')} ${layout}${dead ? ' dead input' : ''}`;
    runs.push(() => compare(device, 'gptq', name, weights(shape, layout, dead), o));
  };
  add([1, 1], 'out_in', { bits: 4, groupSize: 32, actOrder: false });
  for (const layout of ['out_in', 'in_out'] as const) {
    for (const actOrder of [false, true]) {
      add([7, 13], layout, { bits: 4, groupSize: 32, actOrder });
      add([13, 7], layout, { bits: 3, groupSize: 32, actOrder });
    }
  }
  // K = 300: blocks of 128, 128, 44; groups not dividing K; a dead input; 70 rows (a ragged workgroup)
  for (const actOrder of [false, true]) {
    add([70, 300], 'out_in', { bits: 4, groupSize: 64, actOrder }, true);
    add([300, 70], 'in_out', { bits: 2, groupSize: 128, actOrder });
  }
  add([200, 20], 'out_in', { bits: 8, groupSize: 32, actOrder: true }); // tall
  add([3, 700], 'out_in', { bits: 4, groupSize: 128, actOrder: false }); // wide
  add([700, 3], 'in_out', { bits: 3, groupSize: 32, actOrder: true }); // wide, stored (in, out)
  // rtn's other grids: symmetric (signed codes) and one group per row (groupSize 0), K = 300 crossing batches
  add([7, 13], 'out_in', { bits: 4, groupSize: 0, actOrder: false, symmetric: true });
  add([13, 7], 'in_out', { bits: 3, groupSize: 32, actOrder: true, symmetric: true });
  add([70, 300], 'out_in', { bits: 8, groupSize: 64, actOrder: false, symmetric: true }, true);
  add([70, 300], 'out_in', { bits: 4, groupSize: 0, actOrder: true }, true);
  add([300, 70], 'in_out', { bits: 2, groupSize: 0, actOrder: false, symmetric: true });
  add([3, 700], 'out_in', { bits: 4, groupSize: 0, actOrder: false });
  // GPTQ on a pruned model (masked.ts): the registry's WebGPU path with the mask, pruned weights exactly 0 on both
  const pruned = (shape: [number, number], layout: WeightLayout, ratio: number, o: { bits: number; groupSize: number; actOrder: boolean; symmetric?: boolean }, dead = false) => {
    const name = `gptq INT${o.bits} ${o.groupSize ? `g${o.groupSize}` : 'row'}${o.symmetric ? ' sym' : ''}${o.actOrder ? ' act-order' : ''} ${shape.join('x')} ${layout}${dead ? ' dead input' : ''} pruned ${ratio * 100} %`;
    runs.push(() => {
      const dense = weights(shape, layout, dead);
      const p = magnitudePruneReference(dense, { ratio });
      return compare(device, 'gptq', name, { ...dense, data: p.dequantized, mask: p.mask }, o);
    });
  };
  pruned([70, 300], 'out_in', 0.5, { bits: 4, groupSize: 64, actOrder: false }, true);
  pruned([70, 300], 'out_in', 0.5, { bits: 4, groupSize: 64, actOrder: true });
  pruned([300, 70], 'in_out', 0.9, { bits: 3, groupSize: 32, actOrder: false, symmetric: true });
  pruned([13, 7], 'in_out', 0.5, { bits: 2, groupSize: 0, actOrder: false });
  pruned([200, 20], 'out_in', 0.25, { bits: 8, groupSize: 32, actOrder: true, symmetric: true });
  return runs;
}

function awqCases(device: GPUDevice): (() => Promise<LoopCase>)[] {
  const runs: (() => Promise<LoopCase>)[] = [];
  const add = (shape: [number, number], layout: WeightLayout, o: { bits: number; groupSize: number }, dead = false) => {
    const name = `awq INT${o.bits} g${o.groupSize} ${shape.join('x')} ${layout}${dead ? ' dead input' : ''}`;
    runs.push(() => compare(device, 'awq', name, weights(shape, layout, dead), o));
  };
  add([1, 1], 'out_in', { bits: 4, groupSize: 32 });
  for (const layout of ['out_in', 'in_out'] as const) {
    add([7, 13], layout, { bits: 4, groupSize: 32 });
    add([13, 7], layout, { bits: 3, groupSize: 32 });
  }
  // K = 300: groups not dividing K, a dead input (s clamped at 1e-4), 70 rows (a ragged workgroup)
  add([70, 300], 'out_in', { bits: 4, groupSize: 64 }, true);
  // the same, its search in chunks of 37 (α, row) pairs: the chunks cut α's rows and the loss
  // kernel's groups of 4; the f64 sums must still be the reference's
  const chunked = weights([70, 300], 'out_in', true);
  const o = { bits: 4, groupSize: 64 };
  runs.push(() => compare(device, 'awq', 'awq INT4 g64 70x300 out_in dead input, search in chunks of 37 pairs', chunked, o, () => awqGpu(device, chunked, awqMeta.resolveOptions(o), 37 * 300 * 4)));
  add([300, 70], 'in_out', { bits: 3, groupSize: 128 });
  add([200, 20], 'out_in', { bits: 4, groupSize: 32 }); // tall
  add([3, 700], 'out_in', { bits: 4, groupSize: 128 }); // wide
  return runs;
}

/** 16 × 1024 AWQ INT4 g128 (its search: 20 α × 16 rows, the work 10 α × 32 rows of 256 × 1024 was), the whole method on each path once (after the cases: pipelines compiled). */
async function awqTiming(device: GPUDevice): Promise<AwqTiming> {
  const shape: [number, number] = [16, 1024];
  const tensor = weights(shape, 'out_in', false, 2048);
  let t = performance.now();
  await compressTensor('awq', { bits: 4, groupSize: 128 }, tensor, 'cpu');
  const tsMs = performance.now() - t;
  t = performance.now();
  await compressTensor('awq', { bits: 4, groupSize: 128 }, tensor, 'webgpu', device);
  return { shape, tsMs, gpuMs: performance.now() - t };
}

/** 256 × 1024, GPTQ INT4 g128: the loop alone on each path, five times interleaved, same setup. */
async function gptqTiming(device: GPUDevice): Promise<LoopTiming> {
  const shape: [number, number] = [256, 1024];
  const tensor = weights(shape, 'out_in', false, 2048);
  const t0 = performance.now();
  const setup = gptqSetup(tensor, gptqMeta.resolveOptions({ bits: 4, groupSize: 128 }));
  const setupMs = performance.now() - t0;
  const tsLoopMs: number[] = [];
  const gpuLoopMs: number[] = [];
  let codeMismatches = 0;
  await gptqLoopGpu(device, setup); // warm-up: the pipelines at this size, the pool's buffers
  for (let rep = 0; rep < 5; rep++) {
    let t = performance.now();
    const c = gptqLoop(setup);
    tsLoopMs.push(performance.now() - t);
    t = performance.now();
    const g = await gptqLoopGpu(device, setup);
    gpuLoopMs.push(performance.now() - t);
    codeMismatches = 0;
    for (let e = 0; e < c.codes!.length; e++) if (c.codes![e] !== g.codes![e]) codeMismatches++;
  }
  return { shape, setupMs, tsLoopMs, gpuLoopMs, codeMismatches };
}

async function main(): Promise<void> {
  const { device, adapter } = await getKernelGpu();
  report.adapter = adapter;
  const runs = [...gptqCases(device), ...awqCases(device)];
  for (const run of runs) {
    try {
      const c = await run();
      report.cases.push(c);
      log(`${c.name}: codes differ ${c.codeMismatches} (${c.farCodes} by more than one step), float bits ${c.bitMismatches}, grids ${c.gridMismatches}, loss rel ${c.lossRelError}${c.alphaMismatch ? ', α differs' : ''}`);
    } catch (e) {
      report.cases.push({ name: `case ${report.cases.length}`, n: 0, codeMismatches: 0, farCodes: 0, bitMismatches: 0, gridMismatches: 0, lossRelError: 0, error: String((e as Error).message ?? e) });
    }
  }
  report.timing = await gptqTiming(device);
  log(`timing: ${JSON.stringify(report.timing)}`);
  report.awqTiming = await awqTiming(device);
  log(`awq timing: ${JSON.stringify(report.awqTiming)}`);
}

main()
  .catch((e) => (report.error = String((e as Error).message ?? e)))
  .finally(() => (report.done = true));
