// A calibrated variant says how many sequences it really calibrated on, beside the count asked
// for: a dropped .txt too short for them gives fewer (calibrate.ts calibrationSlice), and the
// results row and the model card must say "3 of 8 sequences (the text is too short for 8)" and
// name the text, while the label keeps the asked count (stored results key on it).
import { describe, expect, it } from 'vitest';
import type { VariantSpec, VariantSummary } from '../api';
import { askedSequences, calibrationCardLines, calibrationUsedText } from './calibration-used';

const calib = (sequences: number, dataset = 'notes.txt') => ({ dataset, sequences, context: 256, firstToken: 100, ms: 5 });
const v = (spec: VariantSpec, calibration?: VariantSummary['calibration']) => ({ spec, calibration });

describe('the calibration used', () => {
  it('a short text: the sequences used of those asked, and why', () => {
    const gptq = v({ method: 'gptq', options: { bits: 4, samples: 8, calibrationText: 'notes.txt#0123abcd' } }, calib(3));
    expect(calibrationUsedText(gptq)).toBe('calibrated on 3 of 8 sequences × 256 tokens of notes.txt (the text is too short for 8)');
    expect(calibrationCardLines(gptq)).toEqual(['- Calibration: calibrated on 3 of 8 sequences × 256 tokens of notes.txt (the text is too short for 8): the text\'s last 768 tokens (from token 100).']);
  });

  it('all asked sequences used: the count and the text, no "of"', () => {
    expect(calibrationUsedText(v({ method: 'wanda', options: { ratio: 0.5, samples: 8 } }, calib(8, 'brown test')))).toBe('calibrated on 8 sequences × 256 tokens of brown test');
  });

  it('the asked count is the calibrated method\'s, first or second, with the default when unset', () => {
    expect(askedSequences({ method: 'magnitude-prune', options: { ratio: 0.5 }, then: { method: 'gptq', options: { samples: 4 } } })).toBe(4);
    expect(askedSequences({ method: 'awq', options: {} })).toBe(32);
    expect(askedSequences({ method: 'int4-group', options: {} })).toBeUndefined();
    expect(calibrationUsedText(v({ method: 'int4-group', options: {} }))).toBeUndefined();
    expect(calibrationCardLines(v({ method: 'int4-group', options: {} }))).toEqual([]);
  });
});
