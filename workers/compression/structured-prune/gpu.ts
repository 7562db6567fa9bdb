/**
 * structured-prune on WebGPU: the channel sums of heads.ts unitSumSquares (its first level: each
 * channel's Σ w²), then the units' sums of them in TS (unitSumsOfChannels, the same function as the
 * reference's second level: count × width adds). Only the channels asked for go up: a third of a
 * fused c_attn is a third of its upload. Zeroing the removed channels is a copy, done as the
 * reference does it.
 */
import { pipelineFor } from '../shared/gpu';
import { KernelRun } from '../shared/kernel-run';
import { unitSumsOfChannels, type UnitView } from './heads';
import type { NeuronView } from './reference';
import CHANNELS_WGSL from './channel-sums.wgsl?raw';
import ROWS4_WGSL from './channel-rows4.wgsl?raw';
// the calibration's column norms kernel: the same sums (Σ_k w² per column, 4 columns a thread)
import COL_NORMS_WGSL from '../../calibration/col-norms.wgsl?raw';

/** Must match WORKGROUP_SIZE in channel-sums.wgsl, channel-rows4.wgsl and calibration/col-norms.wgsl. */
const WORKGROUP_SIZE = 16;

/** unitSumSquares on the GPU: one upload (of the asked channels), one pass, one readback of the channel sums. */
export async function unitSumSquaresGpu(device: GPUDevice, data: Float32Array, view: UnitView): Promise<Float32Array> {
  const channels = view.count * view.width;
  const run = new KernelRun(device, 'channel-sums');
  try {
    const out = run.storage('channel sums', channels * 4);
    // 4 neighbouring channels side by side (output channels of an (in, out) weight): a thread per 4, vec4 loads
    const quads = view.strideNeuron === 1 && channels % 4 === 0 && view.len > 0;
    // each channel a contiguous run of a multiple of 4 weights, runs 4-aligned (input channels of an (in, out) weight): vec4 loads along the run
    const rows4 = !quads && view.strideElem === 1 && view.len % 4 === 0 && view.strideNeuron % 4 === 0 && view.len > 0 && channels > 0;
    const buffer = quads ? await uploadColumns(run, data, view, channels) : writeRange(run, channelRange(data, view, channels));
    if (quads) {
      // col-norms adds into its output (the calibration's running norms): from zeros here
      run.encoder.clearBuffer(out);
      const params = run.uniform('col-norms sizes', [view.len, channels / 4]);
      run.dispatch(pipelineFor(device, 'col-norms', COL_NORMS_WGSL), [params, buffer, out], Math.ceil(channels / 4 / WORKGROUP_SIZE));
    } else if (rows4) {
      const params = run.uniform('channel-rows4 params', [channels, view.len / 4, view.strideNeuron / 4]);
      run.dispatch(pipelineFor(device, 'channel-rows4', ROWS4_WGSL), [params, buffer, out], Math.ceil(channels / WORKGROUP_SIZE));
    } else {
      const params = run.uniform('channel-sums params', [channels, view.len, view.strideNeuron, view.strideElem]);
      run.dispatch(pipelineFor(device, 'channel-sums', CHANNELS_WGSL), [params, buffer, out], Math.ceil(channels / WORKGROUP_SIZE));
    }
    const [sums] = await run.finish([{ buffer: out, bytes: channels * 4 }]);
    return unitSumsOfChannels(new Float32Array(sums), view.count, view.width);
  } finally {
    run.close();
  }
}

/** neuronSumSquaresGpu: units of one channel each (the channel sums themselves). */
export function neuronSumSquaresGpu(device: GPUDevice, data: Float32Array, view: NeuronView): Promise<Float32Array> {
  return unitSumSquaresGpu(device, data, { ...view, width: 1, offset: 0 });
}

/**
 * Channels offset … offset + channels − 1 of a view whose channels are neighbours (strideNeuron 1),
 * as rows of `channels` values: the whole weight as it is when it is all asked for, else each
 * row's run of asked channels written straight into the mapped staging memory (no JS copy).
 */
async function uploadColumns(run: KernelRun, data: Float32Array, view: UnitView, channels: number): Promise<GPUBuffer> {
  if (view.offset === 0 && (view.strideElem === channels || view.len === 1)) return writeRange(run, data.subarray(0, view.len * channels));
  return run.uploadFilled('weights (asked channels)', view.len * channels * 4, (mapped) => {
    const rows = new Float32Array(mapped.buffer, mapped.byteOffset, view.len * channels);
    for (let k = 0; k < view.len; k++) {
      const at = view.offset + k * view.strideElem;
      rows.set(data.subarray(at, at + channels), k * channels);
    }
  });
}

/** `part` in a storage buffer, written on the queue (so before the pass submitted after it): on SwiftShader 1.6 ms for 9.4 MB where a mapped staging buffer took 2.9 */
function writeRange(run: KernelRun, part: Float32Array): GPUBuffer {
  const buffer = run.storage('weights', part.byteLength);
  run.device.queue.writeBuffer(buffer, 0, part.buffer, part.byteOffset, part.byteLength);
  return buffer;
}

/** From the first weight of channel `offset` to the last of the last channel: channel c's weight k at c·strideNeuron + k·strideElem. */
function channelRange(data: Float32Array, view: UnitView, channels: number): Float32Array {
  const start = view.offset * view.strideNeuron;
  const end = channels && view.len ? start + (channels - 1) * view.strideNeuron + (view.len - 1) * view.strideElem + 1 : start + 1;
  return data.subarray(start, Math.min(end, data.length));
}
