/**
 * A graph computing in fp16 on WebGPU needs the adapter's `shader-f16` feature (SwiftShader, many
 * integrated and older GPUs have none). There the lab runs the model's f32 float reference instead
 * (the published fp16 weights widened, exactly; float-reference.ts) and labels the result; WASM
 * runs the fp16 graph as published.
 */
import type { Backend } from '../api';
import { capabilities } from '../capabilities';
import type { LoadedModel } from '../model/load';
import { writeVariant } from '../model/onnx-graph';

export const NO_SHADER_F16 = 'evaluated as f32 reference: this adapter has no shader-f16';

const written = new WeakMap<LoadedModel, Uint8Array>();

/** The f32 reference's bytes to run instead of the published fp16 graph on `backend`, or undefined when the published graph runs. */
export async function f32InsteadOfHalf(model: LoadedModel, backend: Backend | undefined): Promise<(() => Uint8Array) | undefined> {
  if (backend !== 'webgpu' || model.summary.published?.compute !== 'fp16') return undefined;
  if ((await capabilities()).shaderF16) return undefined;
  return () => {
    let bytes = written.get(model);
    if (!bytes) written.set(model, (bytes = writeVariant(model.parsed, new Map())));
    return bytes;
  };
}

/** The baseline as `backend` runs it: the file as published, or its f32 reference (labelled) where WebGPU has no shader-f16. */
export async function baselineAsRun(modelId: string, model: LoadedModel, backend: Backend | undefined): Promise<{ key: string; getBytes: () => Uint8Array; form: 'packed' | 'simulated'; formReason?: string }> {
  const f32 = await f32InsteadOfHalf(model, backend);
  if (f32) return { key: `${modelId}|f32Base`, getBytes: f32, form: 'simulated', formReason: NO_SHADER_F16 };
  return { key: `${modelId}|baseline`, getBytes: () => model.baselineBytes, form: 'packed' };
}
