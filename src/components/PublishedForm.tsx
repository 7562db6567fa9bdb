/**
 * Says when the loaded model is itself compressed: its baseline is evaluated as published, and
 * the variants start from a float reference the worker made by dequantizing it.
 */
import type { PublishedForm as Form } from '../../workers/api';

/** onnxruntime's quantize_dynamic forms: int8 weights, activations quantized to 8 bits at run time */
const DYNAMIC = new Set(['MatMulInteger', 'DynamicQuantizeMatMul']);

function formats(form: Form): string {
  const counts = new Map<string, number>();
  for (const w of form.weights) {
    const key = DYNAMIC.has(w.format) ? `int8 dynamic (${w.format})` : `${w.format} ${w.bits}-bit${w.blockSize ? ` (block ${w.blockSize})` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} × ${k}`).join(', ');
}

export function PublishedForm({ form }: { form: Form }) {
  return (
    <p className="published-note" role="note" data-testid="published-form" data-compute={form.compute} data-weights={form.weights.length}>
      <strong>Published compressed.</strong>{' '}
      {form.compute === 'fp16' ? 'The graph computes in fp16. ' : ''}
      {form.compute === 'bf16' ? 'The graph computes in bf16, which onnxruntime cannot run: it was converted to f32 as it loaded (the same bf16 weights, f32 activations), and that is what the baseline evaluates. ' : ''}
      {form.weights.length ? `Weights stored as ${formats(form)}. ` : ''}
      {form.weights.some((w) => DYNAMIC.has(w.format)) ? 'Its activations are quantized to 8 bits as it runs; the float reference keeps them f32. ' : ''}
      The baseline is this model as published; every variant starts from its float reference (the weights dequantized to f32 in the
      worker), so compressing it again compounds both errors.
    </p>
  );
}
