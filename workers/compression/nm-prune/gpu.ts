/**
 * nm-prune on WebGPU: nm-prune4.wgsl takes the whole runs of M = 4, nm-prune.wgsl every other run
 * (M = 8, a short last run), in one submit; rows padded to vec4s. The weights go up through the
 * mapped staging buffer (one copy into it, padded there: queue.writeBuffer of 9.4 MB took 37 ms
 * against 10 on SwiftShader in kernel-speed.ts --floor, load ~7); only the mask comes back, and
 * the pruned weights are the input copied while the kernels run, zeroed from the mask
 * (shared/pruned-copy.ts).
 */
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import { paddedStride, readRows, writeRows } from '../shared/padded-rows';
import { zeroPruned } from '../shared/pruned-copy';
import type { CompressionParts, WeightTensor } from '../types';
import NM_COMMON_WGSL from './nm-common.wgsl?raw';
import NM_WGSL from './nm-prune.wgsl?raw';
import NM4_WGSL from './nm-prune4.wgsl?raw';
import { nmOf, type NmPruneOptions } from './meta';

const WORKGROUP_SIZE = 64;
/** runs a thread takes at most (nm-common.wgsl says why) */
const RUNS_PER_THREAD = 8;

export async function nmPruneGpu(device: GPUDevice, tensor: WeightTensor, options: NmPruneOptions): Promise<CompressionParts> {
  const [keep, m] = nmOf(options.pattern);
  const [rows, cols] = tensor.shape;
  const inOut = tensor.layout === 'in_out';
  const inDim = inOut ? rows : cols;
  const stride = paddedStride(cols);
  const padded = rows * stride;
  const nRuns = Math.ceil(inDim / m);
  // the runs nm-prune4.wgsl takes: [0, whole); the general kernel the rest
  const whole = m === 4 ? Math.floor(inDim / 4) : 0;
  const tiles = inOut ? stride / 4 : rows;
  const run = new KernelRun(device, 'nm-prune');
  try {
    const weights = await run.uploadFilled('weights', padded * 4, (mapped) => writeRows(mapped.buffer as ArrayBuffer, tensor.data, 0, rows, cols, stride));
    const mask = run.storage('mask', padded);
    const kernel = (label: string, wgsl: string, first: number, end: number) => {
      const params = run.uniform('nm-prune params', [tiles, end, rows, stride / 4, cols, keep, m, inOut ? 1 : 0, first]);
      const workgroups = Math.ceil((tiles * (end - first)) / RUNS_PER_THREAD / WORKGROUP_SIZE);
      run.dispatch(pipelineFor(device, label, `${NM_COMMON_WGSL}\n${wgsl}`), [params, weights, mask], workgroups);
    };
    if (whole > 0) kernel('nm-prune4', NM4_WGSL, 0, whole);
    if (nRuns > whole) kernel('nm-prune', NM_WGSL, whole, nRuns);
    // submitted here; the copy runs while the kernels do
    const reading = run.finish([{ buffer: mask, bytes: padded }]);
    const dequantized = new Float32Array(tensor.data);
    const [maskBytes] = await reading;
    const kept = stride === cols ? new Uint8Array(maskBytes) : new Uint8Array(rows * cols);
    if (stride !== cols) readRows(kept, maskBytes, 0, 0, rows, cols, stride);
    zeroPruned(dequantized, kept);
    return { dequantized, mask: kept };
  } finally {
    run.close();
  }
}
