/**
 * Which ONNX graph of a folder is loaded when it holds several (Optimum exports often ship
 * model.onnx beside model_fp16.onnx, model_q4.onnx, decoder_model_merged.onnx, …). Pure, so the
 * page uses it to read only that graph's bytes, and the worker to pick among the files it got.
 */
export const ONNX_PREFERENCE = Object.freeze([
  'onnx/model.onnx', 'model.onnx', 'onnx/decoder_model_merged.onnx', 'decoder_model_merged.onnx', 'onnx/decoder_model.onnx', 'decoder_model.onnx',
]);
const AVOID = /(encoder|with_past)/;
const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** The preferred graph among `paths` (normalized, '/'-separated), or undefined when there is none. */
export function preferredGraph(paths: readonly string[]): string | undefined {
  const graphs = paths.filter((p) => p.endsWith('.onnx'));
  return (
    ONNX_PREFERENCE.map((want) => graphs.find((p) => p === want || p.endsWith('/' + want))).find(Boolean) ??
    graphs.find((p) => !AVOID.test(base(p))) ??
    graphs[0]
  );
}
