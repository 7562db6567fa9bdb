/**
 * In a module worker: 20 links of a chain of awaited setTimeout(0) and of nextTask (each link
 * after 1 ms of work, as a window of an evaluation), and whether a message that arrived while
 * the worker was busy ran before nextTask resumed it.
 */
import { nextTask } from '../../workers/next-task';

const LINKS = 20;
let cancelled = false;

function busy(ms: number): void {
  const t = performance.now();
  while (performance.now() - t < ms) {
    /* work */
  }
}

async function chain(yieldOnce: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  for (let k = 0; k < LINKS; k++) {
    busy(1);
    await yieldOnce();
  }
  return performance.now() - t0 - LINKS; // the yields' time, the work taken off
}

self.onmessage = async (e: MessageEvent) => {
  if (e.data === 'cancel') {
    cancelled = true;
    return;
  }
  // 'cancel' is posted right after 'start': it waits in the queue while this task works
  busy(50);
  await nextTask();
  const cancelSeenAfterOneYield = cancelled;
  const timeoutMs = await chain(() => new Promise((resolve) => setTimeout(resolve, 0)));
  const nextTaskMs = await chain(nextTask);
  postMessage({ links: LINKS, timeoutMs, nextTaskMs, cancelSeenAfterOneYield });
};
