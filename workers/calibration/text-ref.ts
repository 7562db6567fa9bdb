/**
 * A dropped calibration text is named in a calibrated method's options (MethodOptions.calibrationText)
 * by "<file name>#<8 hex digits of FNV-1a over its bytes>": the variant's id, label and stored
 * results then say which text it was calibrated on, and an edited file is another variant. Page
 * and worker both build it (no tokenizer here, so the page can import it).
 */
import { fnv1a } from '../fnv1a';

export function calibrationTextRef(name: string, data: Uint8Array): string {
  return `${name}#${fnv1a(data).toString(16).padStart(8, '0')}`;
}

/** The file name a reference shows (without its hash). */
export function calibrationTextName(ref: string): string {
  return ref.replace(/#[0-9a-f]{8}$/, '');
}
