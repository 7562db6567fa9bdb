/**
 * Errors from the worker cross comlink as name + message (comlink keeps nothing else), and the
 * name carries one of ERROR_CODES. This module turns whatever arrived into a LabError with a
 * known code, so the UI can switch on it and say what was expected.
 */
import { ERROR_CODES, type ErrorCode } from '../../workers/api';

export type LabErrorCode = ErrorCode | 'WorkerCrashed' | 'TooLarge' | 'Unknown';

export class LabError extends Error {
  readonly code: LabErrorCode;
  constructor(code: LabErrorCode, message: string) {
    super(message);
    this.name = code;
    this.code = code;
  }
}

export function toLabError(e: unknown): LabError {
  if (e instanceof LabError) return e;
  const name = (e as { name?: unknown } | null)?.name;
  const message = (e as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' ? message : String(e);
  const code = (ERROR_CODES as readonly string[]).includes(String(name)) ? (name as ErrorCode) : 'Unknown';
  return new LabError(code, text);
}

export const isCancelled = (e: unknown): boolean => toLabError(e).code === 'Cancelled';

/** What the user should have given, per code: shown under the message. */
export const EXPECTED: Partial<Record<LabErrorCode, string>> = {
  NotOnnx: 'Expected an ONNX model: a folder (or files) with config.json, tokenizer.json and onnx/model.onnx or onnx/decoder_model.onnx. A truncated or corrupted file (an interrupted download) ends here too: download or export it again.',
  NotLanguageModel: 'Expected a text model: a causal language model (inputs input_ids (+ attention_mask), output logits of shape (batch, seq, vocab)) or a sequence classifier (output logits of shape (batch, labels)).',
  NoLinearWeights: 'Expected MatMul or Gemm nodes with a constant weight (B) to compress; this model has none.',
  MissingFile: 'Expected config.json, tokenizer.json (both valid JSON) and the .onnx file, plus the .onnx_data file when its weights are external: pick or drop them together (the whole folder); a file that does not parse needs downloading again.',
  WebGpuUnavailable: 'WebGPU is unavailable here; pick the CPU reference kernels and the WASM backend.',
  BadOption: 'An option is out of range; see the message for the valid choices.',
  UnsupportedOperators: 'onnxruntime-web runs the standard ONNX operators and its com.microsoft ones; export the model without custom operators.',
  TooLarge: 'Nothing was read: the sizes of the files alone show the tab cannot hold this model.',
};
