/**
 * What a browser tab can hold, checked from the files' sizes before a byte of them is read: a
 * model the tab cannot hold is refused at once with the limit and the model's size, instead of the
 * tab dying while it reads.
 *   - WebAssembly memory is at most 4 GiB (wasm32): onnxruntime-web's WASM backend holds the whole
 *     model there, and the engine worker holds it once more while it loads.
 *   - protobuf cannot parse a message of 2 GiB or more: bigger ONNX models keep their weights in
 *     external data files (model.onnx_data), as the ONNX exporters do past 2 GB.
 * Measured on this lab (measurements.md, GPT-2-small shape): peak memory ≈ 3.3× the model file
 * over the idle page, so a model past a quarter of the device's memory gets a warning.
 */
const GiB = 1024 ** 3;
export const WASM32_LIMIT = 4 * GiB;
export const PROTOBUF_LIMIT = 2 * GiB;
export const PEAK_OVER_FILE = 3.3;

const gb = (n: number) => `${(n / 1e9).toFixed(2)} GB`;

export interface SizedFile {
  path: string;
  size: number;
}

/** The model's weight files: .onnx and external data (.onnx_data, .onnx_data_1, .data, .bin beside the .onnx). */
const isModelFile = (p: string) => /\.onnx$|\.onnx_data(_\d+)?$|\.onnx\.data$/.test(p);

/** Why the tab cannot take these files (undefined: it can). */
export function sizeProblem(files: readonly SizedFile[]): string | undefined {
  const onnx = files.filter((f) => f.path.endsWith('.onnx'));
  const tooBig = onnx.find((f) => f.size >= PROTOBUF_LIMIT);
  if (tooBig) {
    return `${tooBig.path} is ${gb(tooBig.size)}, and an ONNX file of 2 GiB or more cannot be parsed (protobuf's limit): export it with external data (weights in model.onnx_data beside a small model.onnx)`;
  }
  const total = files.filter((f) => isModelFile(f.path)).reduce((a, f) => a + f.size, 0);
  if (total > WASM32_LIMIT) {
    return `the model is ${gb(total)}; a browser tab gives WebAssembly at most 4 GiB (wasm32), and the model must fit there whole: pick a smaller model or an already-quantized export of it`;
  }
  return undefined;
}

/** A warning for a model that fits the limits but may not fit this device's memory (undefined: none). */
export function sizeWarning(files: readonly SizedFile[], deviceMemoryGb: number | undefined): string | undefined {
  const total = files.filter((f) => isModelFile(f.path)).reduce((a, f) => a + f.size, 0);
  const peak = total * PEAK_OVER_FILE;
  if (!deviceMemoryGb || peak < (deviceMemoryGb * 1e9) / 4) return undefined;
  return `the model is ${gb(total)}; the lab measured about ${PEAK_OVER_FILE}× a model's size in memory at its peak (≈ ${gb(peak)}), and this device reports about ${deviceMemoryGb} GB: the tab may run out of memory`;
}
