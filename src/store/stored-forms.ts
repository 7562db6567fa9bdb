/**
 * Results persisted before 3-bit variants were labelled (workers/eval/stored-form.ts) say
 * form 'packed' for a variant whose weights are stored as f32 ('simulated'). Their numbers came
 * from that f32 model, so on load they are relabelled 'simulated' with the same reason the engine
 * gives now: a finished result is kept, and says what it measured.
 */
import type { EvalForm, VariantSummary } from '../../workers/api';
import { storedForm } from '../../workers/eval/stored-form';

interface FormCarrier { variantId: string; form?: EvalForm; formReason?: string }

export function relabelStoredForms<T extends FormCarrier>(results: T[], variants: Pick<VariantSummary, 'id' | 'storage' | 'format'>[]): T[] {
  const simulated = new Map(variants.filter((v) => v.storage === 'simulated').map((v) => [v.id, v]));
  if (simulated.size === 0) return results;
  return results.map((r) => {
    const v = simulated.get(r.variantId);
    return v && r.form === 'packed' ? { ...r, ...storedForm(v) } : r;
  });
}
