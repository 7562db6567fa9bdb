/**
 * What a speed figure timed, read off the figure itself (SpeedResult.form / formReason, the
 * scaling figures' form), never off the variant's storage: when an EP refuses a packed model the
 * engine times its f32 twin, and that figure must say "simulated (f32)" although the variant is
 * stored packed (issue 6: each speed figure says packed or simulated).
 */
import type { EvalForm } from '../../workers/api';
import type { StoredVariant } from '../store/types';
import { storageText } from './selectors';

export interface RanAs {
  form?: EvalForm;
  formReason?: string;
}

/** "packed", "dense f32", "simulated (f32)" or "source model" as it ran; a figure without a form ran as stored. */
export function speedFormText(variant: StoredVariant | undefined, s: RanAs): string {
  if (s.form !== 'simulated') return storageText(variant);
  // the baseline runs its f32 reference when the EP cannot run it as published (fp16 without shader-f16)
  return variant ? 'simulated (f32)' : 'source model, f32 reference';
}

/** The form and, when it did not run as stored, why: for a figure's tooltip. */
export function speedFormWhy(variant: StoredVariant | undefined, s: RanAs): string {
  const text = speedFormText(variant, s);
  return s.form === 'simulated' ? `${text}: ${s.formReason ?? 'the f32 twin ran, not the packed model'}` : text;
}
