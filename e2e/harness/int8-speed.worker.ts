/**
 * scripts/int8-form-speed.ts's timing worker: the given model files timed by the lab's own
 * interleaved speed code (workers/eval/speed.ts: A B A B … after a warm-up each, median, p10/p90)
 * on one backend, with the lab's session options. Plain postMessage: the script drives it from
 * page.evaluate.
 */
import type { Backend } from '../../workers/api';
import { interleavedSpeed } from '../../workers/eval/speed';
import { Job } from '../../workers/jobs';

self.onmessage = async (e: MessageEvent<{ models: { id: string; url: string }[]; backend: Backend; ids: number[]; runs: number; warmup: number }>) => {
  const { models, backend, ids, runs, warmup } = e.data;
  try {
    const bytes = await Promise.all(models.map(async (m) => new Uint8Array(await (await fetch(m.url)).arrayBuffer())));
    const targets = models.map((m, i) => ({ id: m.id, key: `int8-speed|${m.id}`, getBytes: () => bytes[i] }));
    const window = BigInt64Array.from(ids, (x) => BigInt(x));
    self.postMessage({ ok: true, value: await interleavedSpeed(targets, backend, window, runs, warmup, new Job('int8-speed')) });
  } catch (err) {
    self.postMessage({ ok: false, error: String((err as Error).message ?? err) });
  }
};
