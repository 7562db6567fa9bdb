/**
 * The engine's module worker: exposes a LabApi (workers/api.ts) with comlink.
 * Create it from the UI with
 *   new Worker(new URL('../workers/engine.worker.ts', import.meta.url), { type: 'module' })
 * and wrap it with Comlink.wrap<LabApi>(worker). Add `?nogpu=1` to the URL to hide WebGPU.
 */
import * as Comlink from 'comlink';
import type { LabApi } from './api';
import { gpuHidden, hideWebGpu } from './capabilities';
import { createEngine } from './engine';

if (gpuHidden()) hideWebGpu();

const api: LabApi = createEngine();
Comlink.expose(api);
