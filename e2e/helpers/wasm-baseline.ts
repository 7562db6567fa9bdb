/** The loaded model's baseline on WASM, through the page's own bridge (window.__lab): the numbers two ways of loading one model must share. */
import type { Page } from '@playwright/test';

type Lab = {
  __lab: {
    store: { getState: () => { model?: { id: string; source: string; nPositions: number } } };
    bridge: { evaluate: (m: string, v: string, s: unknown, j: string, p: () => void) => Promise<{ perplexity: { ppl: number; tokensScored: number } }> };
  };
};

/** `tokens` of the built-in text at `context` (default: the model's own, stride = context); job ids must differ per call. */
export const wasmBaseline = (page: Page, job: string, tokens: number, context?: number) =>
  page.evaluate(async ([jobId, n, ctx]) => {
    const lab = (window as unknown as Lab).__lab;
    const m = lab.store.getState().model!;
    const c = ctx ?? m.nPositions;
    const r = await lab.bridge.evaluate(m.id, 'baseline', { backend: 'wasm', tokens: n, context: c, stride: c, throughputRuns: 0 }, jobId, () => {});
    return { id: m.id, source: m.source, ppl: r.perplexity.ppl, scored: r.perplexity.tokensScored, context: c };
  }, [job, tokens, context] as const);
