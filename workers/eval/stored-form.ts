/**
 * The form a variant's own model runs as. A variant stored 'simulated' (e.g. 3-bit codes, which no
 * onnxruntime-web op runs) holds its dequantized weights as f32 in the very model the engine calls
 * "packed": every number measured on it is a simulated (f32) number, and says so with the format
 * as the reason (issue 6: "mark every number from it 'simulated (f32)'"). Packed and dense
 * variants run as stored.
 */
import type { EvalForm, VariantSummary } from '../api';

export function storedForm(v: Pick<VariantSummary, 'storage' | 'format'>): { form: EvalForm; formReason?: string } {
  if (v.storage !== 'simulated') return { form: 'packed' };
  return { form: 'simulated', formReason: `stored as ${v.format}` };
}
