/**
 * The engine's module worker: exposes a LabApi (workers/api.ts) with comlink.
 * Create it from the UI with
 *   new Worker(new URL('../workers/engine.worker.ts', import.meta.url), { type: 'module' })
 * and wrap it with Comlink.wrap<WorkerApi>(worker). Add `?nogpu=1` to the URL to hide WebGPU.
 *
 * Beside LabApi the worker answers `ping()` (the bridge's heartbeat: a worker that stops
 * answering is treated as dead) and, only when its URL has `?debug=1`, `debug(kind)`, which
 * simulates the failures the lab must survive (see DebugKind). makeVariant on WebGPU kernels
 * reports a lost GPU device as 'GpuDeviceLost' with the browser's reason, so the UI can retry
 * the job on the CPU kernels.
 */
import * as Comlink from 'comlink';
import type { KernelDevice, LabApi, ProgressFn, VariantSpec } from './api';
import { gpuHidden, hideWebGpu } from './capabilities';
import { getKernelGpu } from './compression/gpu-device';
import { gpuFaults } from './compression/shared/gpu';
import { createEngine } from './engine';
import { labError } from './errors';
import { currentOrtDevice } from './eval/ort-device';
import { refuseSessions, releaseSessions } from './eval/ort-runtime';

/**
 * - 'throw': an uncaught error thrown asynchronously (the worker's `error` event)
 * - 'close': self.close(), a worker that dies without a word (only the heartbeat notices)
 * - 'hang': a synchronous busy loop of `ms` milliseconds
 * - 'device-lost': device.destroy() on the compression kernels' GPUDevice
 * - 'device-lost-next-kernel': the same, right after the next kernel dispatch is recorded (a make
 *   loses its device at a known point: shared/gpu.ts gpuFaults)
 * - 'next-kernel-fails': the next kernel dispatch binds one buffer too few, a binding mismatch the
 *   kernel call rejects as 'GpuKernelFailed' (the UI makes the variant on the CPU kernels)
 * - 'ort-device-lost': device.destroy() on the GPUDevice onnxruntime-web's WebGPU sessions run on
 * - 'packed-session-fails': every later packed-variant session fails as an EP refusing a form does
 *   (the engine's fallback to the f32 twin, labelled simulated, e2e/packed.spec.ts)
 */
export type DebugKind = 'throw' | 'close' | 'hang' | 'device-lost' | 'device-lost-next-kernel' | 'next-kernel-fails' | 'ort-device-lost' | 'packed-session-fails';

export interface WorkerApi extends LabApi {
  /** answers at once while the worker lives; returns the worker's clock */
  ping(): Promise<number>;
  /** failure simulation; refuses unless the worker was started with ?debug=1 */
  debug(kind: DebugKind, ms?: number): Promise<void>;
}

const params = new URL(self.location.href).searchParams;
if (gpuHidden()) hideWebGpu();
const DEBUG = params.get('debug') === '1';

const engine: LabApi = createEngine();

/** The reason of the last kernel-device loss, if it happened since the job started. */
async function watchKernelDevice(): Promise<() => GPUDeviceLostInfo | undefined> {
  let lost: GPUDeviceLostInfo | undefined;
  try {
    const { device } = await getKernelGpu();
    void device.lost.then((info) => (lost = info));
  } catch {
    /* no device: makeVariant reports WebGpuUnavailable itself */
  }
  return () => lost;
}

const api: WorkerApi = {
  capabilities: () => engine.capabilities(),
  loadDemo: (name) => engine.loadDemo(name),
  loadFiles: (files, options) => engine.loadFiles(files, options),
  evaluate: (...a) => engine.evaluate(...a),
  classify: (...a) => engine.classify(...a),
  generate: (...a) => engine.generate(...a),
  prefillSpeed: (...a) => engine.prefillSpeed(...a),
  decodeSpeed: (...a) => engine.decodeSpeed(...a),
  exportVariant: (...a) => engine.exportVariant(...a),
  compareSpeed: (...a) => engine.compareSpeed(...a),
  errorPropagation: (...a) => engine.errorPropagation(...a),
  putCalibrationText: (...a) => engine.putCalibrationText(...a),
  cancel: (jobId) => engine.cancel(jobId),

  async makeVariant(modelId: string, spec: VariantSpec, device: KernelDevice, jobId: string, onProgress: ProgressFn) {
    if (device !== 'webgpu') return engine.makeVariant(modelId, spec, device, jobId, onProgress);
    const lost = await watchKernelDevice();
    try {
      return await engine.makeVariant(modelId, spec, device, jobId, onProgress);
    } catch (e) {
      // the loss is reported on a promise of its own: give it a moment to land
      await new Promise((r) => setTimeout(r, 50));
      const info = lost();
      const text = (e as Error)?.message ?? String(e);
      if (info || /device (is |was )?(lost|destroyed)/i.test(text)) {
        const why = info ? `${info.reason}${info.message ? `: ${info.message}` : ''}` : text;
        throw labError('GpuDeviceLost', `the WebGPU device of the compression kernels was lost (${why})`);
      }
      throw e;
    }
  },

  async ping() {
    return performance.now();
  },

  async debug(kind: DebugKind, ms = 5000) {
    if (!DEBUG) throw labError('BadOption', 'debug hooks need ?debug=1 on the page URL');
    switch (kind) {
      case 'throw':
        setTimeout(() => {
          throw new Error('simulated worker crash (debug hook)');
        }, 0);
        return;
      case 'close':
        setTimeout(() => self.close(), 0);
        return;
      case 'hang': {
        const end = performance.now() + ms;
        while (performance.now() < end) {
          /* busy */
        }
        return;
      }
      case 'device-lost': {
        const { device } = await getKernelGpu();
        device.destroy();
        return;
      }
      case 'device-lost-next-kernel':
        gpuFaults.next.push('lose-device');
        return;
      case 'next-kernel-fails':
        gpuFaults.next.push('bad-binding');
        return;
      case 'ort-device-lost': {
        const device = currentOrtDevice();
        if (!device) throw labError('BadOption', 'no onnxruntime-web WebGPU session has been created yet');
        device.destroy();
        return;
      }
      case 'packed-session-fails':
        refuseSessions('|packed');
        await releaseSessions('|packed'); // the ones already open too
        return;
      default:
        throw labError('BadOption', `unknown debug kind "${String(kind)}"; one of throw, close, hang, device-lost, device-lost-next-kernel, next-kernel-fails, ort-device-lost, packed-session-fails`);
    }
  },
};

Comlink.expose(api);
