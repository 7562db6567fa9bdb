/**
 * Calibration harness: the WGSL accumulators (Hessian Xᵀ X, column norms Σ X²) against their TS
 * reference over several batches, and Wanda's WGSL mask against its reference, on deterministic
 * awkward shapes (1×1, 7×13, K not a multiple of the N:M run, tall and wide), in both layouts,
 * with ties. Results land in window.__calibration for e2e/calibration.spec.ts.
 * Relative error of a Hessian entry is taken against √(H_ii H_jj), the largest it can be
 * (Cauchy–Schwarz), so entries that cancel to near zero are judged on the scale of their terms.
 */
import { CpuAccumulator, GpuAccumulator, readAccumulators } from '../../workers/calibration/accumulator';
import type { CalibrationNeed } from '../../workers/calibration/types';
import { getKernelGpu } from '../../workers/compression/gpu-device';
import { compressTensor } from '../../workers/compression/registry';
import type { WeightLayout } from '../../workers/compression/types';
import { seededRandom } from '../../workers/seeded-random';

export interface CalibrationCase {
  name: string;
  n: number;
  bitMismatches: number;
  maskMismatches: number;
  maxRelError: number;
  /** wall time of the case in the page (what a case adds to the spec) */
  ms?: number;
  error?: string;
}

export interface CalibrationReport {
  done: boolean;
  adapter?: string;
  error?: string;
  cases: CalibrationCase[];
}

declare global {
  interface Window {
    __calibration: CalibrationReport;
  }
}

const report: CalibrationReport = { done: false, cases: [] };
window.__calibration = report;
const log = (s: string) => (document.getElementById('log')!.textContent += `${s}\n`);

function batch(rows: number, cols: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  // activations with a few loud columns and some exact repeats (ties) and zeros
  return Float32Array.from({ length: rows * cols }, (_, f) => {
    const j = f % cols;
    const u = r();
    if (u < 0.05) return 0;
    if (u < 0.15) return 0.25;
    return (r() - 0.5) * (j % 5 === 0 ? 30 : 1);
  });
}

async function accumulatorCase(device: GPUDevice, need: CalibrationNeed, batches: [number, number][], cols: number): Promise<CalibrationCase> {
  const name = `${need} cols ${cols}, batches ${batches.map(([r]) => r).join('+')} rows`;
  const cpu = new CpuAccumulator(need, cols);
  const gpu = new GpuAccumulator(device, need, cols);
  batches.forEach(([rows, seed]) => {
    const x = batch(rows, cols, seed);
    cpu.add(x, rows);
    gpu.add(x, rows);
  });
  const [c, g] = [await cpu.read(), await gpu.read()];
  const scale = (e: number) => (need === 'hessian' ? Math.sqrt(c[Math.floor(e / cols) * (cols + 1)] * c[(e % cols) * (cols + 1)]) : Math.abs(c[e]));
  let bitMismatches = 0;
  let maxRelError = 0;
  for (let e = 0; e < c.length; e++) {
    if (!Object.is(c[e], g[e])) bitMismatches++;
    const d = Math.abs(c[e] - g[e]);
    if (d > 0) maxRelError = Math.max(maxRelError, d / Math.max(scale(e), 1e-30));
  }
  // beside a Hessian, the column |x| sums (col-abs-sums.wgsl, AWQ's statistic): the same check
  const [ca, ga] = [cpu.absSums ?? new Float32Array(), gpu.absSums ?? new Float32Array()];
  if (ca.length !== ga.length) bitMismatches++;
  for (let j = 0; j < ca.length; j++) {
    if (!Object.is(ca[j], ga[j])) bitMismatches++;
    const d = Math.abs(ca[j] - ga[j]);
    if (d > 0) maxRelError = Math.max(maxRelError, d / Math.max(Math.abs(ca[j]), 1e-30));
  }
  return { name, n: c.length + ca.length, bitMismatches, maskMismatches: 0, maxRelError };
}

/**
 * Determinism: the WGSL Hessian accumulated twice over the same sequences (fresh accumulators,
 * same batches in the same order) must be the same bit for bit; bitMismatches counts the entries
 * of the second run that differ from the first. maxRelError is the first run against the TS
 * reference, as in accumulatorCase.
 */
async function twiceCase(device: GPUDevice, sequences: number, rows: number, cols: number): Promise<CalibrationCase> {
  const name = `twice: hessian cols ${cols}, ${sequences} sequences of ${rows} rows`;
  const xs = Array.from({ length: sequences }, (_, s) => batch(rows, cols, 100 + s));
  const run = async () => {
    const gpu = new GpuAccumulator(device, 'hessian', cols);
    for (const x of xs) gpu.add(x, rows);
    return gpu.read();
  };
  const [a, b] = [await run(), await run()];
  const cpu = new CpuAccumulator('hessian', cols);
  for (const x of xs) cpu.add(x, rows);
  const c = await cpu.read();
  let bitMismatches = 0;
  let maxRelError = 0;
  for (let e = 0; e < a.length; e++) {
    if (!Object.is(a[e], b[e])) bitMismatches++;
    const d = Math.abs(c[e] - a[e]);
    if (d > 0) maxRelError = Math.max(maxRelError, d / Math.max(Math.sqrt(c[Math.floor(e / cols) * (cols + 1)] * c[(e % cols) * (cols + 1)]), 1e-30));
  }
  return { name, n: a.length, bitMismatches, maskMismatches: 0, maxRelError };
}

/**
 * A pass's read (calibrate.ts): accumulators of mixed needs and widths, one of them the TS
 * reference, read together by readAccumulators (7 Hessians of 768 columns put the concatenation
 * over the 16 MB readback chunk, so a Hessian is split between two maps). bitMismatches counts
 * entries (and |x| sums) that differ from the same GPU accumulator read alone; maxRelError is
 * each statistic against its TS reference, as in accumulatorCase.
 */
async function togetherCase(device: GPUDevice): Promise<CalibrationCase> {
  const shapes: [CalibrationNeed, number, boolean][] = [
    ...Array.from({ length: 7 }, () => ['hessian', 768, true] as [CalibrationNeed, number, boolean]),
    ['norms', 13, true], ['hessian', 13, false], ['norms', 3072, true], ['hessian', 70, true],
  ];
  const name = `together: ${shapes.length} accumulators (7 hessian 768, norms 13, TS hessian 13, norms 3072, hessian 70) read in one readAccumulators`;
  const make = () => shapes.map(([need, cols, gpu]) => (gpu ? new GpuAccumulator(device, need, cols) : new CpuAccumulator(need, cols)));
  const [together, alone, reference] = [make(), make(), shapes.map(([need, cols]) => new CpuAccumulator(need, cols))];
  shapes.forEach(([, cols], j) => {
    for (const [rows, seed] of [[5, 300 + j], [3, 400 + j]]) {
      const x = batch(rows, cols, seed);
      for (const accs of [together, alone, reference]) accs[j].add(x, rows);
    }
  });
  const read = await readAccumulators(together);
  let bitMismatches = 0;
  let maxRelError = 0;
  let n = 0;
  for (let j = 0; j < shapes.length; j++) {
    const [a, c] = [await alone[j].read(), await reference[j].read()];
    const pairs: [Float32Array, Float32Array, Float32Array][] = [[read[j], a, c]];
    if (shapes[j][0] === 'hessian') pairs.push([together[j].absSums!, alone[j].absSums!, reference[j].absSums!]);
    for (const [t, s, r] of pairs) {
      n += t.length;
      if (t.length !== s.length) bitMismatches++;
      for (let e = 0; e < t.length; e++) {
        if (!Object.is(t[e], s[e])) bitMismatches++;
        const d = Math.abs(t[e] - r[e]);
        // a Hessian's entries against the largest they can be (√(H_ii H_jj)), as accumulatorCase
        const cols = shapes[j][1];
        const scale = t === read[j] && shapes[j][0] === 'hessian' ? Math.sqrt(r[Math.floor(e / cols) * (cols + 1)] * r[(e % cols) * (cols + 1)]) : Math.abs(r[e]);
        if (d > 0) maxRelError = Math.max(maxRelError, d / Math.max(scale, 1e-30));
      }
    }
  }
  return { name, n, bitMismatches, maskMismatches: 0, maxRelError };
}

async function wandaCase(device: GPUDevice, shape: [number, number], layout: WeightLayout, options: { ratio?: number; pattern?: string }, fill: 'mixed' | 'constant'): Promise<CalibrationCase> {
  const k = layout === 'out_in' ? shape[1] : shape[0];
  const r = seededRandom(shape[0] * 131 + shape[1]);
  const data = Float32Array.from({ length: shape[0] * shape[1] }, () => (fill === 'constant' ? 0.5 : (r() - 0.5) * (r() < 0.1 ? 8 : 1)));
  const colSqNorms = Float32Array.from({ length: k }, (_, i) => (fill === 'constant' ? 1 : i % 7 === 3 ? 0 : 1 + 100 * r()));
  const tensor = { name: 'w', data, shape, layout, calibration: { input: 'x', rows: 1, cols: k, colSqNorms } };
  const opts = Object.entries(options).map(([a, b]) => `${a}=${b}`).join(',');
  const name = `wanda(${opts}) ${shape.join('x')} ${layout} ${fill}`;
  const c = await compressTensor('wanda', options, tensor, 'cpu');
  const g = await compressTensor('wanda', options, tensor, 'webgpu', device);
  let bitMismatches = 0;
  let maskMismatches = 0;
  for (let e = 0; e < data.length; e++) {
    if (!Object.is(c.dequantized[e], g.dequantized[e])) bitMismatches++;
    if (c.mask![e] !== g.mask![e]) maskMismatches++;
  }
  // the calibration loss (½ Σ ΔW² ‖X_j‖², wandaLoss) each path reports: equal within 1e-6 relative (the spec's bound); absent on either side fails
  const lossRel = Math.abs(g.stats.calibrationLoss! - c.stats.calibrationLoss!) / Math.max(Math.abs(c.stats.calibrationLoss!), 1e-30);
  return { name, n: data.length, bitMismatches, maskMismatches, maxRelError: bitMismatches || !Number.isFinite(lossRel) ? Infinity : lossRel };
}

async function main(): Promise<void> {
  const { device, adapter } = await getKernelGpu();
  report.adapter = adapter;
  const runs: (() => Promise<CalibrationCase>)[] = [];
  for (const need of ['hessian', 'norms'] as const) {
    runs.push(() => accumulatorCase(device, need, [[1, 1]], 1));
    // the second batch taller than the first: a GPU 'norms' accumulator's texture is replaced between two batches of one send (norms-batch.ts)
    runs.push(() => accumulatorCase(device, need, [[5, 3], [7, 2]], 13));
    runs.push(() => accumulatorCase(device, need, [[64, 4], [64, 5], [3, 6]], 70));
    runs.push(() => accumulatorCase(device, need, [[256, 7]], 130));
  }
  // column norms with no padding (64 columns: rows of 256 bytes, X copied into its texture as it is, norms-batch.ts), rows past a multiple of 8
  runs.push(() => accumulatorCase(device, 'norms', [[256, 8], [13, 9]], 64));
  // a Hessian over the 16 MB readback chunk (2,052² floats): read in two chunks, the second holding its end and the |x| sums
  runs.push(() => accumulatorCase(device, 'hessian', [[3, 10]], 2052));
  // the demo LM's input widths (64, and 256 into the MLP projections), a few sequences of 256 tokens
  runs.push(() => twiceCase(device, 3, 256, 64));
  runs.push(() => twiceCase(device, 3, 256, 256));
  runs.push(() => togetherCase(device));
  for (const layout of ['out_in', 'in_out'] as const) {
    for (const shape of [[1, 1], [7, 13], [13, 7], [33, 65]] as [number, number][]) {
      runs.push(() => wandaCase(device, shape, layout, { ratio: 0.5 }, 'mixed'));
      runs.push(() => wandaCase(device, shape, layout, { pattern: '2:4' }, 'mixed'));
    }
    runs.push(() => wandaCase(device, [9, 30], layout, { ratio: 0.3 }, 'constant'));
    runs.push(() => wandaCase(device, [30, 9], layout, { pattern: '4:8' }, 'constant'));
  }
  // (in, out) with out a multiple of 4: 4 rows a thread (wanda-row4.wgsl), with ties and dead inputs
  runs.push(() => wandaCase(device, [33, 64], 'in_out', { ratio: 0.5 }, 'mixed'));
  runs.push(() => wandaCase(device, [9, 32], 'in_out', { ratio: 0.3 }, 'constant'));
  for (const run of runs) {
    try {
      const t0 = performance.now();
      const c = await run();
      c.ms = Math.round(performance.now() - t0);
      report.cases.push(c);
      log(`${c.name}: ${c.bitMismatches} float bits, ${c.maskMismatches} mask bytes differ, max rel ${c.maxRelError}`);
    } catch (e) {
      report.cases.push({ name: `case ${report.cases.length}`, n: 0, bitMismatches: 0, maskMismatches: 0, maxRelError: 0, error: String((e as Error).message ?? e) });
    }
  }
}

main()
  .catch((e) => (report.error = String((e as Error).message ?? e)))
  .finally(() => (report.done = true));
