/**
 * Runs e2e/harness/next-task-worker.ts in a module worker, as the engine runs, and posts it
 * 'start' then, while it is busy, 'cancel' (the order a cancel call arrives in during a long job).
 * window.__nextTask holds what it reports.
 */
const worker = new Worker(new URL('./next-task-worker.ts', import.meta.url), { type: 'module' });
const w = window as unknown as { __nextTask?: unknown };
worker.onmessage = (e) => (w.__nextTask = e.data);
worker.onerror = (e) => (w.__nextTask = { error: e.message });
worker.postMessage('start');
worker.postMessage('cancel');
