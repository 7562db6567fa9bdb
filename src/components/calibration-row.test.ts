// The results row of a calibrated variant says the sequences it really calibrated on and the text,
// beside the label's asked count: "calib 8 · on notes.txt" calibrated on 3 when the text was short.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { StoredVariant } from '../store/types';
import { ResultRowView } from './ResultRow';

// the row's export button imports the engine's worker bridge, which needs a page
vi.mock('../engine/lab', () => ({ bridge: {}, ensureVariant: async () => ({}) }));

const variant = (calibration?: StoredVariant['calibration']) => ({
  id: 'v1', label: 'GPTQ INT4 g128 · calib 8 · on notes.txt', spec: { method: 'gptq', options: { bits: 4, samples: 8, calibrationText: 'notes.txt#0123abcd' } }, device: 'cpu', tensors: [],
  bitsPerWeight: 4.3, storage: 'packed', format: 'MatMulNBits 4-bit, block 128', packedBytes: 10, gzipBytes: 9, f32Bytes: 40, kernelMs: 3, makeMs: 9, copyMs: 1, ...(calibration ? { calibration } : {}),
}) as unknown as StoredVariant;
const row = (v: StoredVariant) => renderToStaticMarkup(createElement(ResultRowView, { r: { key: v.id, label: v.label, variant: v, evals: {}, speeds: {} } }));

describe('the calibration a row says', () => {
  it('3 of 8 sequences of a short text, with why', () => {
    const html = row(variant({ dataset: 'notes.txt', sequences: 3, context: 256, firstToken: 0, ms: 4 }));
    expect(html).toMatch(/data-testid="calibration-used" data-sequences="3">calibrated on 3 of 8 sequences × 256 tokens of notes.txt \(the text is too short for 8\)</);
  });
  it('nothing for an uncalibrated variant', () => {
    expect(row(variant())).not.toContain('calibration-used');
  });
});
