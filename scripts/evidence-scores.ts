/**
 * The two measures the law evidence scripts (laws-evidence.ts, awq-evidence.ts,
 * prune-gptq-evidence.ts) share, so each reads the same numbers the same way:
 *   windowNlls        per window, the NLL of each scored token of a model in onnxruntime-node (the
 *                     input of paired-gap.ts), on the text's first `tokens` at stride = context
 *   layerOutputError  ‖X Δᵀ‖² on the calibration tokens, as Σ over output rows of Δ H Δᵀ (H = Xᵀ X)
 */
import type { LinearWeight } from '../workers/api';
import { linearView } from '../workers/compression/layout';
import { rowNll, slidingWindows } from '../workers/eval/windows';
import { ort, windowRunner } from '../tests/local-models';

export async function windowNlls(bytes: Uint8Array, ids: Int32Array, tokens: number, context: number): Promise<Float64Array[]> {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  const run = windowRunner(s);
  const out: Float64Array[] = [];
  try {
    for (const w of slidingWindows({ tokens, context, stride: context })) {
      const { logits, vocab } = await run(BigInt64Array.from(ids.subarray(w.begin, w.end), (x) => BigInt(x)));
      // the token at t is scored by row t − 1 − begin (windows.ts)
      out.push(Float64Array.from({ length: w.end - w.scoreFrom }, (_, i) => rowNll(logits, (w.scoreFrom + i - 1 - w.begin) * vocab, vocab, ids[w.scoreFrom + i])));
    }
  } finally {
    await s.release();
  }
  return out;
}

/** Σ over output rows of Δ H Δᵀ (f64), Δ one output row of `d` (the weight's stored layout) in input order. */
export function layerOutputError(d: Float32Array, w: Pick<LinearWeight, 'shape' | 'layout'>, h: Float32Array): number {
  const v = linearView(w.shape, w.layout);
  const k = v.inDim;
  const row = new Float64Array(k);
  let total = 0;
  for (let o = 0; o < v.outDim; o++) {
    for (let i = 0; i < k; i++) row[i] = d[o * v.strideOut + i * v.strideIn];
    for (let i = 0; i < k; i++) {
      if (row[i] === 0) continue;
      let s = 0;
      for (let j = 0; j < k; j++) s += h[i * k + j] * row[j];
      total += row[i] * s;
    }
  }
  return total;
}
