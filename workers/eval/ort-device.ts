/**
 * The GPUDevice onnxruntime-web's WebGPU EP runs on, watched for loss (driver reset, GPU process
 * crash, a background tab reclaimed, or `device.destroy()` in a test).
 *
 * ORT creates its own device with the first WebGPU session and keeps it for the life of its wasm
 * module. Once that device is lost every later WebGPU session would fail, so after a loss the lab
 * asks the adapter for a new device itself and hands it to ORT in the EP options
 * (`{ name: 'webgpu', device }`), which ORT registers as a new WebGPU context.
 * A run in flight when the device goes is rejected with 'GpuDeviceLost' (raceLoss) instead of
 * waiting on a queue that will never answer.
 */
import { labError } from '../errors';

interface OrtEnv {
  env: { webgpu: { device?: GPUDevice | Promise<GPUDevice> } };
}

interface Watched {
  device: GPUDevice;
  lost?: GPUDeviceLostInfo;
  gone: Promise<GPUDeviceLostInfo>;
}
/** Every device a session was created on (an old session may still point at a lost one). */
const watched = new WeakMap<GPUDevice, Watched>();
/** The device sessions are being created on now. */
let current: Watched | undefined;
/** Our own device, asked for after the first loss (from then on ORT's default device is dead). */
let replacement: Promise<GPUDevice> | undefined;
/** Losses seen in this worker: after the first, ORT's default device is dead and sessions get ours. */
let losses = 0;

function watch(device: GPUDevice): void {
  if (watched.has(device)) {
    current = watched.get(device);
    return;
  }
  const entry: Watched = { device, gone: device.lost };
  watched.set(device, entry);
  void device.lost.then(async (info) => {
    entry.lost = info;
    losses++;
    // the next WebGPU session asks for a new device when this one was ours
    if (replacement && (await replacement.catch(() => undefined)) === device) replacement = undefined;
  });
  current = entry;
}

/** Requests a device with the adapter's features and limits, as ORT asks for its own. */
async function requestReplacement(): Promise<GPUDevice> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  const adapter = await gpu?.requestAdapter();
  if (!adapter) throw labError('GpuDeviceLost', 'the WebGPU device was lost and the browser gave no adapter for a new one');
  const requiredLimits: Record<string, number> = {};
  for (const k in adapter.limits) {
    const v = (adapter.limits as unknown as Record<string, unknown>)[k];
    if (typeof v === 'number') requiredLimits[k] = v;
  }
  return adapter.requestDevice({ label: 'onnxruntime-web (after a device loss)', requiredFeatures: [...adapter.features] as GPUFeatureName[], requiredLimits });
}

/** The WebGPU entry of executionProviders: the name alone at first, with a new device after a loss. */
export async function webgpuProvider(): Promise<string | { name: 'webgpu'; device: GPUDevice }> {
  if (losses === 0 && !current?.lost) return 'webgpu';
  if (!replacement) {
    replacement = requestReplacement();
    replacement.catch(() => (replacement = undefined));
  }
  const device = await replacement;
  watch(device);
  return { name: 'webgpu', device };
}

/** After a WebGPU session was created: watch the device it runs on. */
export async function sessionCreatedOn(ort: OrtEnv, provider: Awaited<ReturnType<typeof webgpuProvider>>): Promise<void> {
  const device = typeof provider === 'string' ? await ort.env.webgpu.device : provider.device;
  if (device) watch(device);
}

/** The device sessions now run on (for the debug hook that simulates a loss), if one was made. */
export function currentOrtDevice(): GPUDevice | undefined {
  return current?.device;
}

/** How the loss reads in a message. */
function describe(info: GPUDeviceLostInfo): string {
  return `${info.reason}${info.message ? `: ${info.message}` : ''}`;
}

/** True when the device a session was created on has been lost. */
export function lostSince(device: GPUDevice | undefined): GPUDeviceLostInfo | undefined {
  return device && watched.get(device)?.lost;
}

/**
 * Runs `fn` (one WebGPU run) and rejects with 'GpuDeviceLost' as soon as the device it uses is lost,
 * also when `fn` itself never settles; an error from `fn` after a loss becomes 'GpuDeviceLost' too.
 */
export async function raceLoss<T>(device: GPUDevice | undefined, fn: () => Promise<T>): Promise<T> {
  const entry = device && watched.get(device);
  if (!entry) return fn();
  const lostError = (info: GPUDeviceLostInfo) => labError('GpuDeviceLost', `the WebGPU device of onnxruntime-web was lost (${describe(info)})`);
  if (entry.lost) throw lostError(entry.lost);
  const run = fn();
  const onLoss: Promise<never> = entry.gone.then((info) => {
    throw lostError(info);
  });
  onLoss.catch(() => {});
  try {
    return await Promise.race([run, onLoss]);
  } catch (e) {
    // the loss is reported on a promise of its own: give it a moment to land before deciding
    if ((e as Error)?.name !== 'GpuDeviceLost') await Promise.race([entry.gone, new Promise((r) => setTimeout(r, 50))]);
    if (entry.lost) {
      run.catch(() => {});
      throw lostError(entry.lost);
    }
    throw e;
  }
}
