/**
 * structured-prune on WebGPU: the channel sums of heads.ts unitSumSquares (its first level: each
 * channel's Σ w²), then the units' sums of them in TS (unitSumsOfChannels, the same function as the
 * reference's second level: count × width adds). A weight's asked channels go up once (a fused
 * c_attn's Q, K and V thirds together; Q alone is a third of the upload), and a model's weights
 * go in few submits (unitSumSquaresBatchGpu). Zeroing the removed channels is a copy, done as the
 * reference does it.
 */
import { gridSettings, pipelineFor } from '../shared/gpu';
import { KernelRun, type Readback } from '../shared/kernel-run';
import { unitSumSquares, unitSumsOfChannels, type UnitView } from './heads';
import type { NeuronView } from './reference';
import CHANNELS_WGSL from './channel-sums.wgsl?raw';
import ROWS4_WGSL from './channel-rows4.wgsl?raw';
// the calibration's column norms kernel: the same sums (Σ_k w² per column, 4 columns a thread)
import COL_NORMS_WGSL from '../../calibration/col-norms.wgsl?raw';

/** Must match WORKGROUP_SIZE in channel-sums.wgsl, channel-rows4.wgsl and calibration/col-norms.wgsl. */
const WORKGROUP_SIZE = 16;

/**
 * Bytes of weights uploaded per submit at most (the kernel harness's gridSettings.chunkWeights
 * sets fewer). A chunk's buffers are new memory once (page faults on SwiftShader), then the
 * pool's. The whole 124 M shape's MLP norms, medians of 9 at load ~4: 12 MB chunks 227 ms, 48 MB
 * 203-220, 96 MB 203 (TS 169); 48 keeps two chunks in flight under 100 MB.
 */
const CHUNK_BYTES = 48 * 2 ** 20;

/**
 * One weight's norms: `units` views of it that share its len and strides (the Q, K and V segments
 * of a fused c_attn, or one view), whose channels go up once, from the first asked to the last.
 */
export interface NormRequest {
  /** read when its chunk is recorded, so a model's weights are not all copied at once */
  data: () => Float32Array;
  units: readonly UnitView[];
}

/** The TS twin of unitSumSquaresBatchGpu: unitSumSquares per unit view. */
export function unitSumSquaresBatch(requests: readonly NormRequest[]): Float32Array[][] {
  return requests.map((r) => {
    const data = r.data();
    return r.units.map((v) => unitSumSquares(data, v));
  });
}

/**
 * unitSumSquares of every unit view of every request (a model's structured-prune norms) in few
 * submits: each request's channels are uploaded and summed on one encoder, CHUNK_BYTES of uploads
 * a submit, and a chunk's channel sums come back in one map while the next chunk is recorded (at
 * most two in flight). Per call the engine paid a submit and a 1-3 ms map round trip per weight
 * (24 on the 124 M shape's MLPs, 48 on its attention), more than the channel sums' work. The
 * units' sums of the channel sums are unitSumsOfChannels, the TS path's second level: same floats.
 */
export async function unitSumSquaresBatchGpu(device: GPUDevice, requests: readonly NormRequest[]): Promise<Float32Array[][]> {
  const out: Float32Array[][] = new Array(requests.length);
  const pending: Promise<void>[] = [];
  const chunkBytes = gridSettings.chunkWeights * 4 || CHUNK_BYTES;
  let k = 0;
  try {
    while (k < requests.length) {
      const run = new KernelRun(device, 'channel-sums');
      const first = k;
      const sums: Readback[] = [];
      let bytes = 0;
      try {
        // at least one request a chunk; a weight over the binding limit throws in run.storage as before
        while (k < requests.length && (k === first || bytes + requestBytes(requests[k]) <= chunkBytes)) {
          bytes += requestBytes(requests[k]);
          sums.push(await recordChannelSums(run, requests[k++]));
        }
      } catch (e) {
        run.close();
        throw e;
      }
      const done = run
        .finish(sums)
        .then((parts) => parts.forEach((p, j) => (out[first + j] = unitsOf(new Float32Array(p), requests[first + j].units))))
        .finally(() => run.close());
      done.catch(() => undefined); // awaited below
      pending.push(done);
      // the chunk before this one read back before the next is recorded: two in flight at most
      if (pending.length > 1) await pending[pending.length - 2];
    }
    await Promise.all(pending);
  } catch (e) {
    await Promise.allSettled(pending); // no buffer goes back to the pool while a map is pending on it
    throw e;
  }
  return out;
}

/** unitSumSquares on the GPU for one view (a batch of one). */
export async function unitSumSquaresGpu(device: GPUDevice, data: Float32Array, view: UnitView): Promise<Float32Array> {
  return (await unitSumSquaresBatchGpu(device, [{ data: () => data, units: [view] }]))[0][0];
}

/** neuronSumSquaresGpu: units of one channel each (the channel sums themselves). */
export function neuronSumSquaresGpu(device: GPUDevice, data: Float32Array, view: NeuronView): Promise<Float32Array> {
  return unitSumSquaresGpu(device, data, { ...view, width: 1, offset: 0 });
}

/** The channels a request spans: from its first unit's first channel to its last unit's last. */
function spanOf(units: readonly UnitView[]): UnitView {
  const lo = Math.min(...units.map((v) => v.offset));
  const hi = Math.max(...units.map((v) => v.offset + v.count * v.width));
  return { ...units[0], offset: lo, count: hi - lo, width: 1 };
}

const requestBytes = (r: NormRequest) => {
  const s = spanOf(r.units);
  return s.count * s.len * 4;
};

/** Each unit view's sums: its slice of the span's channel sums, summed per unit in channel order. */
function unitsOf(channelSums: Float32Array, units: readonly UnitView[]): Float32Array[] {
  const lo = spanOf(units).offset;
  return units.map((v) => unitSumsOfChannels(channelSums.subarray(v.offset - lo, v.offset - lo + v.count * v.width), v.count, v.width));
}

/** Uploads a request's span of channels and records their channel sums; returns the sums' buffer. */
async function recordChannelSums(run: KernelRun, request: NormRequest): Promise<Readback> {
  const data = request.data();
  const view = spanOf(request.units);
  const device = run.device;
  const channels = view.count;
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
  return { buffer: out, bytes: channels * 4 };
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
