/**
 * A variant's "f32 bytes": the size of its source model with every weight f32, the yardstick its
 * packed and gzip bytes are read against (issue 6: "real size … f32 bytes beside").
 *
 * A model published in f32 is that model already: its bytes as loaded. A model published
 * compressed (MatMulNBits, int8 + DequantizeLinear, fp16, …) is not: its bytes as loaded are the
 * compressed file. Its f32 model is the float reference the variants are made from (the published
 * weights dequantized, model/float-reference.ts), and its size is that model serialized: counted
 * from the protobuf writer's length, so no second copy of the weights is made (the writer keeps
 * references to each tensor's bytes until `finish`, which is never called).
 */
import { onnx } from '../model/onnx-graph';
import { declaredSize } from '../model/declared-size';
import type { LoadedModel } from '../model/load';

const known = new WeakMap<LoadedModel, number>();

export function f32ModelBytes(model: LoadedModel): number {
  if (!model.summary.published) return model.baselineSize;
  let n = known.get(model);
  if (n === undefined) {
    // the float reference holds its tensors inside the graph (rewritten from the inlined published model); any left outside count by their declared length
    n = onnx.ModelProto.encode(model.parsed.proto as never).len + declaredSize(model.parsed.proto).externalBytes;
    known.set(model, n);
  }
  return n;
}
