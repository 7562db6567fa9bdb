/**
 * The browser's own memory figure: performance.measureUserAgentSpecificMemory(), which Chromium
 * gives only to a cross-origin isolated page (src/coi.ts, the dev server's COOP/COEP headers).
 * It counts this page and its workers (the engine worker holds the models and ORT's WASM heap;
 * GPU buffers are not in it), and may wait for the next garbage collection (seconds). Elsewhere
 * the figure is "not available", with the reason; never an estimate.
 */
export type BrowserMemory = { bytes: number; ms: number; breakdown: { bytes: number; types: string[] }[] } | { unavailable: string };

interface MemoryMeasurement {
  bytes: number;
  breakdown: { bytes: number; types: string[] }[];
}

export async function measureBrowserMemory(): Promise<BrowserMemory> {
  const measure = (performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<MemoryMeasurement> }).measureUserAgentSpecificMemory;
  if (!globalThis.crossOriginIsolated) return { unavailable: 'not available: the page is not cross-origin isolated (the browser measures memory only for isolated pages)' };
  if (typeof measure !== 'function') return { unavailable: 'not available: this browser has no performance.measureUserAgentSpecificMemory()' };
  const t0 = performance.now();
  try {
    const m = await measure.call(performance);
    return { bytes: m.bytes, ms: performance.now() - t0, breakdown: m.breakdown.filter((b) => b.bytes > 0).map((b) => ({ bytes: b.bytes, types: b.types })) };
  } catch (e) {
    return { unavailable: `not available: the browser refused (${(e as Error).message})` };
  }
}
