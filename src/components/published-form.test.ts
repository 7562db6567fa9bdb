// The model card's note on a published-compressed model says what runs: a bf16 graph is converted
// to f32 as it loads (onnxruntime has no bf16 kernels), an fp16 graph runs as it is.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { PublishedForm as Form } from '../../workers/api';
import { PublishedForm } from './PublishedForm';

const note = (form: Form) => renderToStaticMarkup(createElement(PublishedForm, { form })).replace(/<[^>]+>/g, '');
const weights = (format: 'bf16' | 'fp16', n: number) => Array.from({ length: n }, (_, i) => ({ name: `w${i}`, format, bits: 16, params: 40 }));

describe('the published-form note', () => {
  it('says a bf16 graph was converted to f32 on load and counts its weights', () => {
    const text = note({ compute: 'bf16', weights: weights('bf16', 16) });
    expect(text).toContain('The graph computes in bf16, which onnxruntime cannot run: it was converted to f32 as it loaded');
    expect(text).toContain('Weights stored as 16 × bf16 16-bit.');
    expect(text).not.toContain('computes in fp16');
  });
  it('bf16 weights + Cast in an f32 graph: only the weights are named', () => {
    const text = note({ compute: 'f32', weights: weights('bf16', 16) });
    expect(text).toContain('Weights stored as 16 × bf16 16-bit.');
    expect(text).not.toContain('converted to f32');
  });
});
