/**
 * The calibration capture runner in onnxruntime-node, for Node-side tests and the benchmark: the
 * same capture model the browser runs on the WASM EP, here on ORT's CPU EP (feeds written here
 * again, apart from the lab's feeds builder, like tests/local-models.ts).
 */
import type { CaptureRunner } from '../workers/calibration/calibrate';
import { ort } from './local-models';

export const nodeCaptureRunner: CaptureRunner = async (bytes, outputs) => {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  const names = s.inputNames;
  return {
    async run(ids, hidden) {
      const n = ids.length;
      const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', ids, [1, n]) };
      if (names.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
      if (names.includes('position_ids')) feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), [1, n]);
      // a pass that starts inside the model: the residual stream there (calibrate.ts)
      for (const [name, x] of Object.entries(hidden ?? {})) feeds[name] = new ort.Tensor('float32', x, [1, n, x.length / n]);
      const out = await s.run(feeds, outputs as string[]);
      return outputs.map((name) => out[name].data as Float32Array);
    },
    close: () => s.release(),
  };
};
