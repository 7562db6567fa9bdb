/**
 * The calibration a variant really had, in words, for the results row and the model card: the
 * sequences used (VariantSummary.calibration, what calibration/calibrate.ts calibrationSlice cut)
 * beside the count asked for, which a short dropped .txt cannot fill ("3 of 8 sequences"), and the
 * text they came from. The variant's label keeps the asked count (stored results key on it).
 */
import type { VariantSpec, VariantSummary } from '../api';
import { METAS_BY_ID } from '../compression/metas';
import { DEFAULT_SAMPLES } from '../compression/wanda/meta';

/** The sequences the spec asked for: its calibrated method's `samples` (the first method's, else `then`'s), as calibration/for-variant.ts reads it. */
export function askedSequences(spec: VariantSpec): number | undefined {
  const calibrated = [spec, spec.then].find((s) => s && METAS_BY_ID[s.method]?.calibration);
  return calibrated ? (calibrated.options?.samples ?? DEFAULT_SAMPLES) : undefined;
}

/** "calibrated on 3 of 8 sequences × 256 tokens of notes.txt (the text is too short for 8)"; undefined for an uncalibrated variant. */
export function calibrationUsedText(v: Pick<VariantSummary, 'spec' | 'calibration'>): string | undefined {
  const c = v.calibration;
  if (!c) return undefined;
  const asked = askedSequences(v.spec) ?? c.sequences;
  const short = c.sequences < asked;
  const seqs = `${c.sequences}${short ? ` of ${asked}` : ''} sequence${asked === 1 ? '' : 's'}`;
  return `calibrated on ${seqs} × ${c.context} tokens of ${c.dataset}${short ? ` (the text is too short for ${asked})` : ''}`;
}

/** The model card's line naming the calibration text and the sequences used; none for an uncalibrated variant. */
export function calibrationCardLines(v: Pick<VariantSummary, 'spec' | 'calibration'>): string[] {
  const c = v.calibration;
  if (!c) return [];
  return [`- Calibration: ${calibrationUsedText(v)}: the text's last ${(c.sequences * c.context).toLocaleString('en-US')} tokens (from token ${c.firstToken.toLocaleString('en-US')}).`];
}
