/**
 * Every initializer stored inline must hold the bytes its dims and data type say: a damaged file
 * (a flipped bit in a dim, a lying external length) is refused here as NotOnnx, naming the tensor,
 * instead of loading and failing later when a weight is read (readF32's plain Error, in the middle
 * of a compression). Found by tests/reliability.fuzz.test.ts, which checks every model it loads.
 */
import { labError } from '../errors';
import { onnx, type ParsedModel } from './onnx-graph';
import { rawByteLength } from './external-files';

/** Bytes per element of the byte-aligned ONNX data types (4-bit and string types are not checked). */
const FLOAT = 1;
const BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };

export function checkTensorData(m: ParsedModel, file: string): void {
  for (const t of m.tensors.values()) {
    if (!t.dims.every((d) => Number.isSafeInteger(d) && d >= 0) || !Number.isSafeInteger(t.params)) {
      throw labError('NotOnnx', `${file}: initializer ${t.name} has dims [${t.dims.join(', ')}], not sizes: the file is damaged`);
    }
    // the length only: a file-backed tensor's bytes are not read for it (external-files.ts)
    const rawLength = rawByteLength(t.proto);
    const size = BYTES[t.dataType];
    if (t.proto.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) continue;
    // a float tensor without raw_data keeps its values in float_data (the one typed field the lab reads)
    if (!rawLength && t.dataType === FLOAT && t.params > 0 && t.proto.floatData?.length !== t.params) {
      throw labError('NotOnnx', `${file}: initializer ${t.name} holds ${t.proto.floatData?.length ?? 0} of its ${t.params} float values: the file is damaged`);
    }
    if (!rawLength || !size) continue;
    if (rawLength !== t.params * size) {
      throw labError('NotOnnx', `${file}: initializer ${t.name} stores ${rawLength} bytes, its dims [${t.dims.join(', ')}] of data type ${t.dataType} need ${t.params * size}: the file is damaged`);
    }
  }
}
