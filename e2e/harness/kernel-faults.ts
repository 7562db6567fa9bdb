/**
 * Broken kernels must fail loudly (gpu.ts submitChecked): a WGSL that does not compile and a
 * binding mismatch each make the kernel call reject with 'GpuKernelFailed' naming the kernel and
 * WebGPU's message, where WebGPU alone would report them asynchronously and hand back whatever
 * the output buffers held. Run by the kernel harness (e2e/harness/kernels.ts) as cases of
 * e2e/kernels.spec.ts: a case's `error` says how the fault was missed (no rejection, a wrong
 * error, a name or message missing), so the spec's "threw" check fails on it.
 */
import { compressTensor } from '../../workers/compression/registry';
import { gpuFaults, pipelineFor } from '../../workers/compression/shared/gpu';
import { KernelRun } from '../../workers/compression/shared/kernel-run';
import type { CaseReport } from './kernels';

const WGSL_OK = `
struct Sizes { n: u32 }
@group(0) @binding(0) var<uniform> sizes: Sizes;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x < sizes.n) { out[id.x] = f32(id.x); }
}`;
// a missing closing parenthesis, on the kernel's line 2
const WGSL_BROKEN = `@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3<u32> {
  out[id.x] = 1.0;
}`;

/** One KernelRun of `wgsl` over 64 floats, binding `bind` of its two buffers (uniform, output). */
async function runKernel(device: GPUDevice, kernel: string, wgsl: string, bind: (u: GPUBuffer, out: GPUBuffer) => GPUBuffer[]): Promise<void> {
  const run = new KernelRun(device, kernel);
  try {
    const out = run.storage('out', 64 * 4);
    run.dispatch(pipelineFor(device, `${kernel} pipeline`, wgsl), bind(run.uniform('sizes', [64]), out), 1);
    await run.finish([{ buffer: out, bytes: 64 * 4 }]);
  } finally {
    run.close();
  }
}

/** Why `call` did not fail as it must (undefined when it rejected with GpuKernelFailed naming `kernel` and matching `message`). */
async function mustFail(device: GPUDevice, call: () => Promise<unknown>, kernel: string, message: RegExp): Promise<{ error?: string; detail: string }> {
  let error: string | undefined;
  let detail = '';
  try {
    await call();
    error = 'resolved: the fault went unnoticed';
  } catch (e) {
    const err = e as Error;
    detail = `${err.name}: ${err.message}`;
    if (err.name !== 'GpuKernelFailed') error = `threw ${detail}, not GpuKernelFailed`;
    else if (!err.message.includes(`"${kernel}"`)) error = `does not name the kernel "${kernel}": ${detail}`;
    else if (!message.test(err.message)) error = `does not say ${message}: ${detail}`;
  } finally {
    gpuFaults.next = [];
  }
  return { error, detail };
}

/** The fault cases; each also checks that the device still runs a sound kernel afterwards. */
export async function kernelFaultCases(device: GPUDevice, report: { cases: CaseReport[] }, only: string | null, log: HTMLElement): Promise<void> {
  const tensor = { name: 'fault', data: Float32Array.from({ length: 7 * 13 }, (_, i) => Math.sin(i)), shape: [7, 13] as [number, number], layout: 'out_in' as const };
  const faults: [string, () => Promise<unknown>, string, RegExp][] = [
    ['fault: WGSL that does not compile rejects naming the kernel', () => runKernel(device, 'fault-syntax', WGSL_BROKEN, (_u, out) => [out]), 'fault-syntax', /WGSL does not compile: line 2:\d+ /],
    ['fault: one buffer fewer than the kernel binds rejects naming the kernel', () => runKernel(device, 'fault-binding', WGSL_OK, (_u, out) => [out]), 'fault-binding', /BindGroup "fault-binding pipeline".*before it: Binding usage .* doesn't match/],
    ['fault: int4-group with a binding mismatch (gpuFaults) rejects naming the kernel', () => ((gpuFaults.next = ['bad-binding']), compressTensor('int4-group', { groupSize: 32 }, tensor, 'webgpu', device)), 'int4-group', /BindGroup "affine-quantize".*before it: Number of entries \(5\) did not match .* \(6\)/],
    ['fault: magnitude-prune with a binding mismatch (gpuFaults) rejects naming the kernel', () => ((gpuFaults.next = ['bad-binding']), compressTensor('magnitude-prune', { ratio: 0.5 }, tensor, 'webgpu', device)), 'magnitude-prune', /BindGroup "prune-.*before it: Number of entries/],
  ];
  for (const [name, call, kernel, message] of faults) {
    if (only && !name.includes(only)) continue;
    const { error: missed, detail } = await mustFail(device, call, kernel, message);
    let error = missed;
    // the device is not spoiled: a sound kernel runs on it next
    if (!error) await runKernel(device, 'fault-after', WGSL_OK, (u, out) => [u, out]).catch((e: Error) => (error = `a sound kernel after the fault failed: ${e.name}: ${e.message}`));
    report.cases.push({ name, n: 0, codeMismatches: 0, paramMismatches: 0, floatBitMismatches: 0, maxRelError: 0, statsRelError: 0, sparsity: 0, gpuMs: 0, cpuMs: 0, timedRuns: 0, gpuParts: '', cpuParts: '', ...(error ? { error } : {}) });
    log.textContent += `${name}: ${error ? `MISSED ${error}` : `ok (${detail})`}\n`;
  }
}
