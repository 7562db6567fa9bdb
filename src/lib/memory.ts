/**
 * The browser's own memory figure: performance.measureUserAgentSpecificMemory(), which Chromium
 * gives only to a cross-origin isolated page (src/coi.ts, the dev server's COOP/COEP headers).
 * It counts this page and its workers (the engine worker holds the models and ORT's WASM heap;
 * GPU buffers are not in it), and may wait for the next garbage collection (seconds). Elsewhere
 * the figure is "not available", with the reason; never an estimate.
 *
 * Bounded: once onnxruntime-web has run WASM with 2 or more threads, its pthread worker (a worker
 * of the engine worker, parked in Atomics.wait between runs) never answers the measurement, and
 * Chromium resolves it only at its own 60 s timeout. Here it answers in about 0.4 s when every
 * worker can (one WASM thread), so the wait is cut at MEMORY_TIMEOUT_MS and the figure is
 * "unknown" with that reason; the bench measures the browser's memory from outside instead (the
 * summed RSS of its processes, bench "scale").
 */
export type BrowserMemory = { bytes: number; ms: number; breakdown: { bytes: number; types: string[] }[] } | { unavailable: string };

interface MemoryMeasurement {
  bytes: number;
  breakdown: { bytes: number; types: string[] }[];
}

/** 25× the 0.4 s a measurement takes here when it answers; a sixth of Chromium's own 60 s timeout. */
export const MEMORY_TIMEOUT_MS = 10_000;

/** Why the browser did not answer within the bound, naming the WASM thread pool when there is one. */
export function noAnswerReason(timeoutMs: number, wasmThreads: number): string {
  const within = `the browser did not answer within ${timeoutMs / 1000} s`;
  if (wasmThreads < 2) return `unknown: ${within}`;
  return `unknown: ${within}; the WASM thread pool (${wasmThreads} threads) does not answer the browser's memory measurement once WASM has run (the browser would give up only after 60 s). The bench measures the browser's memory from outside (summed RSS of its processes)`;
}

/** `measure` raced with a timer: its figure, or "unknown" with the reason once `timeoutMs` has passed. */
export async function boundedMeasure(measure: () => Promise<MemoryMeasurement>, o: { timeoutMs: number; wasmThreads: number }): Promise<BrowserMemory> {
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), o.timeoutMs)));
  try {
    const m = await Promise.race([measure(), late]);
    if (m === 'late') return { unavailable: noAnswerReason(o.timeoutMs, o.wasmThreads) };
    return { bytes: m.bytes, ms: performance.now() - t0, breakdown: m.breakdown.filter((b) => b.bytes > 0).map((b) => ({ bytes: b.bytes, types: b.types })) };
  } catch (e) {
    return { unavailable: `not available: the browser refused (${(e as Error).message})` };
  } finally {
    clearTimeout(timer);
  }
}

/** `wasmThreads`: the WASM EP's threads on this page (Capabilities.wasmThreads), named when the browser does not answer. */
export async function measureBrowserMemory(wasmThreads = 1, timeoutMs = MEMORY_TIMEOUT_MS): Promise<BrowserMemory> {
  const measure = (performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<MemoryMeasurement> }).measureUserAgentSpecificMemory;
  if (!globalThis.crossOriginIsolated) return { unavailable: 'not available: the page is not cross-origin isolated (the browser measures memory only for isolated pages)' };
  if (typeof measure !== 'function') return { unavailable: 'not available: this browser has no performance.measureUserAgentSpecificMemory()' };
  return boundedMeasure(() => measure.call(performance), { timeoutMs, wasmThreads });
}
