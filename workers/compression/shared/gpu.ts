/**
 * Small helpers every GPU program uses: pipelines compiled once per device (common.wgsl
 * prepended), 2D dispatch for large grids, and a checked submit. Programs bind their buffers to
 * group 0 in binding order. Buffers, uploads and readback are in kernel-run.ts.
 *
 * WebGPU reports a WGSL compile error or a binding mismatch on its own schedule (an error scope,
 * else the device's uncapturederror event and the console) and the kernel runs on regardless,
 * reading back whatever the buffers held. So a pipeline's creation is wrapped in error scopes
 * (once per device and kernel), every submit too (submitChecked: one pop per scope per submit,
 * not per dispatch; an invalid bind group or pipeline invalidates the command buffer, so the
 * submit's scope sees it), and a kernel call rejects with 'GpuKernelFailed' naming the kernel
 * and WebGPU's message; the engine then makes the variant on the CPU kernels (src/engine/lab.ts).
 */
import { labError } from '../../errors';
import COMMON_WGSL from './common.wgsl?raw';

/**
 * Test hooks (used by e2e/harness/kernels.ts): a smaller cap on the grid's x dimension than the
 * device's (0 = the device limit), so small tensors exercise the 2D grid and its ragged last row;
 * and fewer weights per chunk than affine-gpu.ts's CHUNK_WEIGHTS (0 = that), so small tensors
 * exercise several chunks in flight.
 */
export const gridSettings = { maxWorkgroupsX: 0, chunkWeights: 0 };

/**
 * Test hooks (the engine worker's debug kinds, e2e/harness/kernel-faults.ts): faults the next
 * dispatches take, one each, in order. 'lose-device' destroys the device right after the
 * dispatch is recorded (so a make loses it at a known point, not at a moment a test guesses);
 * 'bad-binding' binds one buffer fewer than the kernel declares (a binding mismatch).
 */
export const gpuFaults: { next: ('lose-device' | 'bad-binding')[] } = { next: [] };

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();
/**
 * Per device: WebGPU's messages outside any scope since the last checked submit. An error at a
 * call's creation (a bind group not matching its layout) lands here, and only "invalid due to a
 * previous error" reaches the submit's scope; a failing submit quotes these as the cause.
 */
const uncaptured = new WeakMap<GPUDevice, string[]>();
/** Per pipeline: what its creation reported (undefined when it compiled). Kept with a broken pipeline, so every call of it rejects. */
const pipelineProblems = new WeakMap<GPUComputePipeline, Promise<string | undefined>>();
const COMMON_LINES = COMMON_WGSL.split('\n').length;

export function pipelineFor(device: GPUDevice, label: string, wgsl: string): GPUComputePipeline {
  let cache = pipelines.get(device);
  if (!cache) {
    pipelines.set(device, (cache = new Map()));
    const seen: string[] = [];
    uncaptured.set(device, seen);
    // still logged by the browser (no preventDefault): only the last few are kept
    device.addEventListener('uncapturederror', (e) => seen.push((e as GPUUncapturedErrorEvent).error.message) > 4 && seen.shift());
  }
  let pipeline = cache.get(label);
  if (!pipeline) {
    const scopes = pushScopes(device, ['validation', 'internal', 'out-of-memory']);
    const module = device.createShaderModule({ label, code: withCommon(wgsl) });
    pipeline = device.createComputePipeline({ label, layout: 'auto', compute: { module, entryPoint: 'main' } });
    pipelineProblems.set(pipeline, compileProblem(module, popScopes(device, scopes)));
    cache.set(label, pipeline);
  }
  return pipeline;
}

/**
 * The pipeline of a kernel whose arrays have a fixed size, its `const CHUNK_THREADS: u32 = …u;`
 * set to `threads` (one pipeline per size): their bounds checks then need no buffer length, and
 * on SwiftShader that is measurably less work (fp16-round.wgsl, global-prune/prune-mask.wgsl).
 */
export function chunkPipeline(device: GPUDevice, label: string, wgsl: string, threads: number): GPUComputePipeline {
  return pipelineFor(device, `${label} ${threads}`, wgsl.replace(/const CHUNK_THREADS: u32 = \d+u;/, `const CHUNK_THREADS: u32 = ${threads}u;`));
}

/** Threads of such a kernel for `weights`, `perThread` a thread: the next power of two, so chunks and small tensors share a few pipelines. */
export function chunkThreads(weights: number, perThread: number): number {
  return 2 ** Math.ceil(Math.log2(Math.ceil(weights / perThread)));
}

const ENABLE = /^enable [^;]+;/gm;

/**
 * common.wgsl, then the kernel. WGSL wants `enable` directives (e.g. `enable subgroups;`) before
 * any declaration: a kernel's go first, on common.wgsl's first line (a comment), and are blanked
 * where they stood, so the kernel's line numbers in a compile error stay its own.
 */
function withCommon(wgsl: string): string {
  const enables = wgsl.match(ENABLE) ?? [];
  return `${enables.map((e) => `${e} `).join('')}${COMMON_WGSL}\n${wgsl.replace(ENABLE, '')}`;
}

type Filter = 'validation' | 'internal' | 'out-of-memory';

function pushScopes(device: GPUDevice, filters: Filter[]): Filter[] {
  for (const f of filters) device.pushErrorScope(f);
  return filters;
}

/** Pops what pushScopes pushed (synchronously after it: no other call's errors in between); the first error's message. */
function popScopes(device: GPUDevice, filters: Filter[]): Promise<string | undefined> {
  const popped = filters.map(() => device.popErrorScope().catch((e: Error) => ({ message: `popErrorScope failed: ${e.message}` })));
  return Promise.all(popped).then((errors) => errors.find((e) => e)?.message);
}

/** A shader's compile errors with lines counted in the kernel's own WGSL (common.wgsl comes first), else the scope's message. */
async function compileProblem(module: GPUShaderModule, popped: Promise<string | undefined>): Promise<string | undefined> {
  const problem = await popped;
  if (!problem) return undefined;
  const info = await module.getCompilationInfo().catch(() => undefined);
  const where = (line: number) => (line > COMMON_LINES ? `line ${line - COMMON_LINES}` : `common.wgsl line ${line}`);
  const errors = info?.messages.filter((m) => m.type === 'error').map((m) => `${where(m.lineNum)}:${m.linePos} ${m.message}`) ?? [];
  return errors.length ? `WGSL does not compile: ${errors.join('; ')}` : problem;
}

/**
 * Submits `encoder`'s commands inside validation and out-of-memory error scopes. The promise
 * rejects with 'GpuKernelFailed' naming `kernel` and WebGPU's message (a pipeline's compile
 * error first) and is marked handled, so a caller may await it after its reads; it resolves
 * once WebGPU answered, which is no later than a map of the submit's output.
 */
export function submitChecked(device: GPUDevice, kernel: string, encoder: GPUCommandEncoder, used: Iterable<GPUComputePipeline>): Promise<void> {
  const scopes = pushScopes(device, ['validation', 'out-of-memory']);
  device.queue.submit([encoder.finish()]);
  const popped = popScopes(device, scopes);
  const compiled = [...used].map((p) => (pipelineProblems.get(p) ?? Promise.resolve(undefined)).then((problem) => problem && `pipeline "${p.label}": ${problem}`));
  const checked = (async () => {
    const [scoped, ...problems] = await Promise.all([popped, ...compiled]);
    // a failure's cause may come as an uncapturederror event, a task after the scope's answer
    if (scoped) await new Promise((r) => setTimeout(r, 0));
    const seen = uncaptured.get(device)?.splice(0) ?? [];
    // each message's first line (the console has them whole); a compile error says it all
    const firstLine = (m: string) => m.split('\n')[0].trim();
    const problem = problems.find((m) => m) ?? (scoped && [scoped, ...seen.map((m) => `before it: ${m}`)].map(firstLine).join(' '));
    if (problem) throw labError('GpuKernelFailed', `WebGPU kernel "${kernel}" failed: ${problem}`);
  })();
  checked.catch(() => undefined);
  return checked;
}

/**
 * [x, y] workgroup counts covering `workgroups` in row-major order (the kernels flatten them with
 * linear_workgroup and skip the ragged tail). x is at most `maxX`, y at most `maxY`.
 */
export function grid2d(workgroups: number, maxX: number, maxY = maxX): [number, number] {
  if (workgroups <= maxX) return [Math.max(workgroups, 1), 1];
  const y = Math.ceil(workgroups / maxX);
  if (y > maxY) throw labError('BadOption', `${workgroups} workgroups exceed a ${maxX} x ${maxY} grid (tensor too large); use the cpu device`);
  return [Math.ceil(workgroups / y), y];
}

/** The bits of an f32, for a uniform field the WGSL reads with bitcast<f32>. */
export function f32Bits(x: number): number {
  return new Int32Array(new Float32Array([x]).buffer)[0];
}

/**
 * Record one dispatch of `workgroups` workgroups (2D when needed) with buffers bound in order; a
 * binding may be a range of a buffer ({ buffer, offset, size }: several inputs in one upload) or
 * a texture view.
 */
export function dispatch(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  pipeline: GPUComputePipeline,
  buffers: readonly (GPUBuffer | GPUBufferBinding | GPUTextureView)[],
  workgroups: number,
): void {
  const fault = gpuFaults.next.shift();
  const bound = fault === 'bad-binding' ? buffers.slice(0, -1) : buffers;
  const bindGroup = device.createBindGroup({
    label: pipeline.label,
    layout: pipeline.getBindGroupLayout(0),
    entries: bound.map((b, binding) => ({ binding, resource: b instanceof GPUBuffer ? { buffer: b } : b })),
  });
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  const limit = device.limits.maxComputeWorkgroupsPerDimension;
  const [x, y] = grid2d(workgroups, gridSettings.maxWorkgroupsX || limit, limit);
  pass.dispatchWorkgroups(x, y);
  pass.end();
  if (fault === 'lose-device') device.destroy();
}
