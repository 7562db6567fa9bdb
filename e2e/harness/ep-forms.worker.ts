/**
 * Runs ep-probe.ts's tiny graphs through the lab's own session code (workers/eval/ort-runtime.ts:
 * the same builds, threads and options as the engine) in a module worker, as the engine does, and
 * reports per form and backend: true (ran, equal to the f32 maths), 'refused' (no session or the
 * run threw) or 'wrong' (ran, not the maths). e2e/packed.spec.ts compares it with EP_RUNS.
 */
import * as Comlink from 'comlink';
import type { Backend } from '../../workers/api';
import { closeSession, openSession, runFeeds } from '../../workers/eval/ort-runtime';
import { formProbes, PROBE_TOLERANCE, relativeError } from '../../workers/formats/ep-probe';
import type { EpVerdict, FormId } from '../../workers/formats/ep-support';

export interface ProbeRow { id: FormId; verdict: EpVerdict; detail: string }

async function probe(backend: Backend): Promise<ProbeRow[]> {
  const rows: ProbeRow[] = [];
  for (const p of formProbes()) {
    let h;
    try {
      h = await openSession(`probe-${p.id}`, backend, () => p.bytes);
      const all = { x: new h.ort.Tensor('float32', p.x, [3, p.x.length / 3]), ...(p.ids ? { ids: new h.ort.Tensor('int64', p.ids, [p.ids.length]) } : {}) };
      const feeds = Object.fromEntries(Object.entries(all).filter(([k]) => h!.inputNames.includes(k)));
      const { out } = await runFeeds(h, feeds as never, ['y']);
      const err = relativeError(out.y.data as Float32Array, p.expected);
      rows.push({ id: p.id, verdict: err < PROBE_TOLERANCE ? true : 'wrong', detail: `relative error ${err.toExponential(2)}` });
    } catch (e) {
      rows.push({ id: p.id, verdict: 'refused', detail: String((e as Error).message ?? e).slice(0, 300) });
    } finally {
      if (h) await closeSession(h);
    }
  }
  return rows;
}

Comlink.expose({ probe });
