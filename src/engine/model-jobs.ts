/**
 * What the page's "run over every model" actions share (speed, generation, error propagation): the
 * baseline and the stored variants of the loaded model as targets, a variant made again when the
 * worker no longer holds it (same spec, same kernels), and one stoppable job at a time whose id the
 * worker can cancel.
 */
import { useLab } from '../store';
import { specKey } from '../store/results';
import type { StoredVariant } from '../store/types';
import { bridge, ensureVariant } from './lab';

const lab = () => useLab.getState();

/** The baseline (no `variant`) or one stored variant, under the label and id results are stored with. */
export interface ModelTarget {
  label: string;
  storedId: string;
  variant?: StoredVariant;
}

export function variantsOf(modelKey: string): StoredVariant[] {
  return lab().variants.filter((v) => v.modelKey === modelKey);
}

export function modelTargets(modelKey: string): ModelTarget[] {
  return [{ label: 'baseline', storedId: 'baseline' }, ...variantsOf(modelKey).map((v) => ({ label: v.label, storedId: v.id, variant: v }))];
}

/** A stoppable run of worker calls: `begin` at the start, `job` names each call so `stop` can cancel the one in flight. */
export class StoppableRun {
  private current: string | undefined;
  stopped = false;

  constructor(private readonly prefix: string) {}

  begin(): void {
    this.stopped = false;
  }

  job(what: string): string {
    this.current = `${this.prefix}-${what}-${Date.now().toString(36)}`;
    return this.current;
  }

  end(): void {
    this.current = undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.current) await bridge.cancel(this.current);
  }
}

/** The worker's id for a target: 'baseline', or the variant made again under `jobId` (fresh, so a worker that dropped it still answers). */
export async function workerModelId(target: ModelTarget | StoredVariant, modelId: string, modelKey: string, jobId: string): Promise<string> {
  const v = 'storedId' in target ? target.variant : target;
  if (!v) return 'baseline';
  return (await ensureVariant(specKey(v), v.spec, v.device, modelId, modelKey, jobId, () => undefined, true)).id;
}
