/**
 * The browser's capture runner: the capture model in an onnxruntime-web WASM session (through the
 * one module that imports onnxruntime-web), opened for one pass and released after it. A pass that
 * starts inside the model is also fed the residual stream where it starts (`hidden`, by tensor name).
 * The weights come as external data (the session reads them through its `externalData` option).
 */
import { closeSession, openSession, runFeeds, runOutputs } from '../eval/ort-runtime';
import { prefillFeeds, type InputInfo } from '../model/graph-kind';
import type { CaptureRunner } from './calibrate';

let opened = 0;

const run: CaptureRunner = async (modelBytes, outputs) => {
  const h = await openSession(`calibration-capture-${++opened}`, 'wasm', () => modelBytes);
  return {
    async run(ids, hidden) {
      if (!hidden) return runOutputs(h, ids, outputs);
      const make = (type: string, data: unknown, dims: number[]) => new h.ort.Tensor(type as 'float32', data as Float32Array, dims);
      const feeds = prefillFeeds(ids, h.session.inputMetadata as readonly InputInfo[], make);
      for (const [name, x] of Object.entries(hidden)) feeds[name] = make('float32', x, [1, ids.length, x.length / ids.length]);
      const { out } = await runFeeds(h, feeds, outputs);
      return outputs.map((n) => out[n].data as Float32Array);
    },
    close: () => closeSession(h),
  };
};

/** Capture models come with their big weights as external data (capture-graph.ts): each copied once into the WASM heap. */
export const wasmCaptureRunner: CaptureRunner = Object.assign(run, { externalData: true });
