/**
 * The affine kernel (int4-group, int8-channel, rtn: the lab's default variants) compiled in the
 * background once a model is loaded, so a first make does not wait for it. On SwiftShader its
 * compile took ~270 ms of the first weight's kernel (bench "compression": 320 ms against ~50 for
 * the same shape later); the GPU process compiles while the person looks at the loaded model.
 * Nothing is waited for: without WebGPU, or if the compile fails, the make reports it as before
 * (shared/gpu.ts pipelineFor keeps a failed pipeline's message for every later call).
 */
import { getKernelGpu } from './gpu-device';
import { warmAffinePipeline } from './shared/affine-gpu';

export function warmKernels(): void {
  void getKernelGpu().then(({ device }) => warmAffinePipeline(device), () => undefined);
}
