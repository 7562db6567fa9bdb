// The results row says what its kernel time timed (issue 6: every figure says how it was measured):
// on WebGPU upload + dispatches + readback, on the CPU the TS reference, and beside it the whole
// make's time, where the old row read "kernels: webgpu, 120 ms" with nothing to say what ran.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { StoredVariant } from '../store/types';
import { ResultRowView } from './ResultRow';

// the row's export button imports the engine's worker bridge, which needs a page
vi.mock('../engine/lab', () => ({ bridge: {}, ensureVariant: async () => ({}) }));

const variant = (device: 'webgpu' | 'cpu') => ({
  id: 'v1', label: 'INT4 g32', spec: { method: 'int4-group', options: {} }, device, tensors: [], bitsPerWeight: 4.5, storage: 'packed',
  format: 'MatMulNBits 4-bit, block 32', packedBytes: 10, gzipBytes: 9, f32Bytes: 40, kernelMs: 120, makeMs: 450, copyMs: 1,
}) as unknown as StoredVariant;
const kernelLine = (v: StoredVariant) => {
  const html = renderToStaticMarkup(createElement(ResultRowView, { r: { key: v.id, label: v.label, variant: v, evals: {}, speeds: {} } }));
  const m = html.match(/<span data-testid="kernel-time" title="([^"]*)">([^<]*)</);
  return { title: m![1].replace(/&#x27;/g, "'"), text: m![2] };
};

describe('the kernel time says what was timed', () => {
  it('WebGPU: upload + dispatches + readback, and the make time beside it', () => {
    const { text, title } = kernelLine(variant('webgpu'));
    expect(text).toBe('kernels: webgpu · kernel time 120 ms (upload + dispatches + readback) · make 450 ms');
    expect(title).toContain('from uploading the weight through the WGSL dispatches to reading the result back');
    expect(title).toContain('make time: the whole variant');
  });
  it('CPU: the TS reference', () => {
    expect(kernelLine(variant('cpu')).text).toBe('kernels: cpu · kernel time 120 ms (TS reference) · make 450 ms');
  });
});
