/**
 * The .txt picked to calibrate on (GPTQ, AWQ, Wanda, SparseGPT), apart from the evaluation text:
 * kept in IndexedDB (dropped-files.ts) so a variant that names it (options.calibrationText) can be
 * made again after a reload. The variant builder sets the reference in the spec; the bridge sends
 * the bytes to the worker with each make that names it.
 */
import type { VariantSpec } from '../../workers/api';
import { calibrationTextRef } from '../../workers/calibration/text-ref';
import { droppedFileStore, type DroppedFile } from './dropped-files';

export const useCalibrationText = droppedFileStore('compression-lab-calibration-text');

/** The picked text's reference, if one is picked. */
export function pickedCalibrationRef(): string | undefined {
  const f = useCalibrationText.getState().file;
  return f ? calibrationTextRef(f.name, f.data) : undefined;
}

/** The texts a spec calibrates on that this page holds, with their references (own method, then, overrides). */
export function calibrationTextsOf(spec: VariantSpec): { ref: string; file: DroppedFile }[] {
  const refs = new Set<string>();
  const add = (s?: { options?: { calibrationText?: string } }) => s?.options?.calibrationText && refs.add(s.options.calibrationText);
  add(spec);
  add(spec.then);
  spec.overrides?.forEach(add);
  const f = useCalibrationText.getState().file;
  const ref = pickedCalibrationRef();
  return f && ref && refs.has(ref) ? [{ ref, file: f }] : [];
}
