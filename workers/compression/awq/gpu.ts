/**
 * awq on WebGPU: the scale search and the quantization in WGSL, in two submits (the second needs
 * the α the first chose). Search: awq-quantize.wgsl gives δ = w − ŵ for every (α, row) pair,
 * awq-loss.wgsl the terms δ_i · (Hδ)_i; TS adds them into each α's loss in f64 (awqAddTerms, as the
 * reference does) and picks α. The pairs go in chunks of at most SEARCH_CHUNK_BYTES of δ (all rows
 * × 20 α of a 124 M layer are ~190 MB, over a storage binding's limit), each its own submit, in
 * (α, row) order so the f64 sums are the reference's. Final: awq-quantize.wgsl on every row at
 * that α. s and 1/s per α come from awqSetup (O(in) per α in TS), the same floats the reference uses.
 */
import { inverseLevels, MIN_SCALE } from '../shared/affine';
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import type { WeightTensor } from '../types';
import AWQ_LOSS_WGSL from './awq-loss.wgsl?raw';
import AWQ_QUANTIZE_WGSL from './awq-quantize.wgsl?raw';
import { AWQ_GRID, type AwqOptions } from './meta';
import { awqAddTerms, awqChooseAlpha, awqLoss, awqSetup, type AwqParts, type AwqSetup } from './reference';

/** Must match WORKGROUP_SIZE in both kernels. */
const WORKGROUP_SIZE = 64;
/** δ (and the terms) of one search chunk at most, bytes */
const SEARCH_CHUNK_BYTES = 32 * 2 ** 20;

const f32Bits = (v: number) => new Int32Array(Float32Array.of(v).buffer)[0];

/** chunkBytes: δ per search chunk at most (a test makes it small to cut α's rows across chunks) */
export async function awqGpu(device: GPUDevice, tensor: WeightTensor, options: AwqOptions, chunkBytes = SEARCH_CHUNK_BYTES): Promise<AwqParts> {
  const setup = awqSetup(tensor);
  const { outDim: n, inDim: k } = setup.view;
  const nGroups = Math.ceil(k / options.groupSize);
  const kp = Math.ceil(k / 4) * 4;
  const scale = new Float32Array(2 * AWQ_GRID * k);
  scale.set(setup.s);
  scale.set(setup.inv, AWQ_GRID * k);
  const sizes = (threads: number, finalPass: boolean) => [threads, k, kp, setup.view.strideOut, setup.view.strideIn, options.groupSize, nGroups, 2 ** options.bits - 1, f32Bits(inverseLevels(2 ** options.bits - 1)), f32Bits(MIN_SCALE), finalPass ? 1 : 0, n, AWQ_GRID * k];

  // the search, every (α, row) pair in order, in chunks
  const pairs = new Uint32Array(2 * AWQ_GRID * setup.rows.length);
  for (let a = 0, t = 0; a < AWQ_GRID; a++) for (const o of setup.rows) (pairs[t++] = o), (pairs[t++] = a);
  const perChunk = Math.max(1, Math.floor(chunkBytes / (kp * 4)));
  const losses = new Float64Array(AWQ_GRID);
  for (let p = 0; p < pairs.length / 2; p += perChunk) {
    const chunk = pairs.subarray(2 * p, 2 * Math.min(pairs.length / 2, p + perChunk));
    const terms = await searchOnGpu(device, tensor.data, setup, scale, chunk, kp, sizes(chunk.length / 2, false));
    awqAddTerms(losses, terms, chunk, k);
  }
  const best = awqChooseAlpha(losses);

  // every row at the chosen α
  const run = new KernelRun(device, 'awq final');
  try {
    const w = await run.upload('weights', tensor.data);
    const all = new Uint32Array(2 * n);
    for (let o = 0; o < n; o++) (all[2 * o] = o), (all[2 * o + 1] = best.index);
    const rows = await run.upload('rows', all);
    const s = await run.upload('channel scales', scale);
    const out = run.storage('dequantized', n * k * 4);
    const codesGrid = run.storage('codes and grids', (n * k + 2 * n * nGroups) * 4);
    run.dispatch(pipelineFor(device, 'awq quantize', AWQ_QUANTIZE_WGSL), [run.uniform('awq sizes', sizes(n, true)), w, rows, s, out, codesGrid], Math.ceil(n / WORKGROUP_SIZE));
    const [deq, cg] = await run.finish([{ buffer: out, bytes: n * k * 4 }, { buffer: codesGrid, bytes: (n * k + 2 * n * nGroups) * 4 }]);
    const words = new Uint32Array(cg);
    return {
      dequantized: new Float32Array(deq),
      codes: Uint8Array.from(words.subarray(0, n * k)),
      scales: new Float32Array(cg, n * k * 4, n * nGroups),
      zeroPoints: Uint8Array.from(words.subarray(n * k + n * nGroups)),
      inputScale: setup.s.slice(best.index * k, (best.index + 1) * k),
      alpha: best.alpha,
      searchLoss: best.loss,
      loss: awqLoss(best.loss),
    };
  } finally {
    run.close();
  }
}

async function searchOnGpu(device: GPUDevice, data: Float32Array, setup: AwqSetup, scale: Float32Array, pairs: Uint32Array, kp: number, sizes: number[]): Promise<Float32Array> {
  const k = setup.view.inDim;
  const nPairs = pairs.length / 2;
  const hp = new Float32Array(k * kp); // H's rows padded to kp
  for (let i = 0; i < k; i++) hp.set(setup.hessian.subarray(i * k, (i + 1) * k), i * kp);
  const run = new KernelRun(device, 'awq search');
  try {
    const w = await run.upload('weights', data);
    const p = await run.upload('pairs', pairs);
    const s = await run.upload('channel scales', scale);
    const h = await run.upload('hessian', hp);
    const delta = run.storage('deltas', nPairs * kp * 4);
    const unused = run.storage('unused', 4);
    const terms = run.storage('loss terms', nPairs * k * 4);
    run.dispatch(pipelineFor(device, 'awq quantize', AWQ_QUANTIZE_WGSL), [run.uniform('awq sizes', sizes), w, p, s, delta, unused], Math.ceil(nPairs / WORKGROUP_SIZE));
    run.dispatch(pipelineFor(device, 'awq loss', AWQ_LOSS_WGSL), [run.uniform('awq loss sizes', [nPairs * k, k, kp]), h, delta, terms], Math.ceil((Math.ceil(nPairs / 4) * k) / WORKGROUP_SIZE));
    const [t] = await run.finish([{ buffer: terms, bytes: nPairs * k * 4 }]);
    return new Float32Array(t);
  } finally {
    run.close();
  }
}
