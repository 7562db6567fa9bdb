import { describe, expect, it } from 'vitest';
import { indexModel, onnx } from './onnx-graph';
import { checkTensorData } from './tensor-data';

const model = (dims: number[], bytes: number) =>
  indexModel(onnx.ModelProto.decode(onnx.ModelProto.encode({ graph: { initializer: [{ name: 'W', dims, dataType: 1, rawData: new Uint8Array(bytes) }] } }).finish()) as never);

describe('checkTensorData', () => {
  it('passes bytes that match the dims', () => {
    expect(() => checkTensorData(model([4, 4], 64), 'm.onnx')).not.toThrow();
  });
  it('refuses a tensor whose dims need other bytes than it stores, as NotOnnx naming it', () => {
    expect(() => checkTensorData(model([4, 17], 64), 'm.onnx')).toThrow(/initializer W stores 64 bytes, its dims \[4, 17\] of data type 1 need 272/);
    try {
      checkTensorData(model([4, 17], 64), 'm.onnx');
    } catch (e) {
      expect((e as Error).name).toBe('NotOnnx');
    }
  });
  it('refuses a float tensor with no data', () => {
    expect(() => checkTensorData(model([4, 4], 0), 'm.onnx')).toThrow(/initializer W holds 0 of its 16 float values/);
  });
  it('refuses negative dims', () => {
    expect(() => checkTensorData(model([-4, 4], 64), 'm.onnx')).toThrow(/has dims \[-4, 4\], not sizes/);
  });
});
