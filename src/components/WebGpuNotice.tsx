/** Shown when WebGPU is missing (or hidden by ?nogpu=1): everything else keeps working on WASM and CPU kernels. */
import { useLab } from '../store';

export function WebGpuNotice() {
  const caps = useLab((s) => s.capabilities);
  if (!caps || caps.webgpu) return null;
  return (
    <div className="notice warn" role="status" data-testid="webgpu-notice">
      WebGPU unavailable: {caps.webgpuReason ?? 'no reason given'} — using WASM and CPU reference kernels
    </div>
  );
}
