/**
 * scripts/int8-form-memory.ts's worker: one model's session made and run step by step, each step
 * answered only when done, so the driver can read the browser's RSS from /proc between steps:
 *   fetch   the model file's bytes into this worker
 *   create  a session on them with the lab's own options (workers/eval/ort-runtime.ts openSession)
 *   drop    let go of the bytes (and gc, when the browser exposes it): what stays is the session's
 *   run     one prefill run (batch 1) over the given ids
 */
import type { Backend } from '../../workers/api';
import { openSession, runLogits, type SessionHandle } from '../../workers/eval/ort-runtime';

type Msg = { cmd: 'fetch'; url: string } | { cmd: 'create'; backend: Backend } | { cmd: 'drop' } | { cmd: 'run'; ids: number[] };

let bytes: Uint8Array | undefined;
let session: SessionHandle | undefined;

self.onmessage = async (e: MessageEvent<Msg>) => {
  const m = e.data;
  const t0 = performance.now();
  try {
    let extra: Record<string, unknown> = {};
    if (m.cmd === 'fetch') {
      bytes = new Uint8Array(await (await fetch(m.url)).arrayBuffer());
      extra = { bytes: bytes.length };
    } else if (m.cmd === 'create') {
      const b = bytes!;
      session = await openSession(`int8-memory|${b.length}`, m.backend, () => b);
    } else if (m.cmd === 'drop') {
      bytes = undefined;
      (self as unknown as { gc?: () => void }).gc?.();
    } else {
      const out = await runLogits(session!, BigInt64Array.from(m.ids, (x) => BigInt(x)));
      // a checksum of the logits: the forms must compute the same maths (the driver compares them)
      let sum = 0;
      for (let i = 0; i < out.logits.length; i += 97) sum += out.logits[i];
      extra = { runMs: out.ms, checksum: sum, firstLogit: out.logits[0] };
    }
    self.postMessage({ ok: true, ms: performance.now() - t0, ...extra });
  } catch (err) {
    self.postMessage({ ok: false, error: String((err as Error).message ?? err) });
  }
};
