/**
 * The browser's capture runner: the capture model in an onnxruntime-web WASM session (through the
 * one module that imports onnxruntime-web), opened for one pass and released after it.
 */
import { closeSession, openSession, runOutputs } from '../eval/ort-runtime';
import type { CaptureRunner } from './calibrate';

let opened = 0;

export const wasmCaptureRunner: CaptureRunner = async (modelBytes, outputs) => {
  const h = await openSession(`calibration-capture-${++opened}`, 'wasm', () => modelBytes);
  return {
    run: (ids) => runOutputs(h, ids, outputs),
    close: () => closeSession(h),
  };
};
