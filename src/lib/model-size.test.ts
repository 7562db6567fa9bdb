import { describe, expect, it } from 'vitest';
import { sizeProblem, sizeWarning } from './model-size';

const GiB = 1024 ** 3;

describe('what a tab can hold, from file sizes alone', () => {
  it('takes a model that fits', () => {
    expect(sizeProblem([{ path: 'm/onnx/model.onnx', size: 600e6 }, { path: 'm/config.json', size: 900 }])).toBeUndefined();
  });
  it('refuses an .onnx of 2 GiB or more without external data, naming the file and the fix', () => {
    expect(sizeProblem([{ path: 'onnx/model.onnx', size: 2 * GiB }])).toMatch(/^onnx\/model\.onnx is 2\.15 GB.*protobuf.*external data/);
  });
  it('refuses a model past wasm32\'s 4 GiB, counting its external data files', () => {
    const files = [{ path: 'onnx/model.onnx', size: 1e6 }, { path: 'onnx/model.onnx_data', size: 3 * GiB }, { path: 'onnx/model.onnx_data_1', size: 1.5 * GiB }, { path: 'tokenizer.json', size: 5e9 }];
    expect(sizeProblem(files)).toMatch(/^the model is 4\.83 GB; .*4 GiB \(wasm32\)/);
  });
  it('warns when the measured peak would pass a quarter of the device memory', () => {
    expect(sizeWarning([{ path: 'onnx/model.onnx', size: 700e6 }], 8)).toMatch(/≈ 2\.31 GB.*about 8 GB/);
    expect(sizeWarning([{ path: 'onnx/model.onnx', size: 30e6 }], 8)).toBeUndefined();
    expect(sizeWarning([{ path: 'onnx/model.onnx', size: 700e6 }], undefined)).toBeUndefined();
  });
});
