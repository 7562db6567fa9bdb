/** Which compression methods to run, with their options, and where their kernels run. */
import { useLab } from '../store';
import { PRUNE_CHOICES } from '../store/types';

export function MethodPicker() {
  const settings = useLab((s) => s.settings);
  const patch = useLab((s) => s.patchSettings);
  const caps = useLab((s) => s.capabilities);
  const gpu = caps?.webgpu ?? false;
  const gpuWhy = caps ? caps.webgpuReason ?? 'WebGPU unavailable' : 'checking WebGPU…';
  const toggleRatio = (r: number) =>
    patch({ pruneRatios: settings.pruneRatios.includes(r) ? settings.pruneRatios.filter((x) => x !== r) : [...settings.pruneRatios, r] });
  return (
    <fieldset className="methods">
      <legend>Methods</legend>
      <label>
        <input type="checkbox" checked={settings.prune} onChange={(e) => patch({ prune: e.target.checked })} data-testid="method-prune" />
        Magnitude pruning, ratio:
      </label>
      <span className="ratios">
        {PRUNE_CHOICES.map((r) => (
          <label key={r} className="chip">
            <input type="checkbox" checked={settings.pruneRatios.includes(r)} disabled={!settings.prune} onChange={() => toggleRatio(r)} data-testid={`prune-${r}`} />
            {Math.round(r * 100)} %
          </label>
        ))}
      </span>
      <label>
        <input type="checkbox" checked={settings.int8} onChange={(e) => patch({ int8: e.target.checked })} data-testid="method-int8" />
        INT8 per-channel (symmetric, one scale per output channel)
      </label>
      <label>
        <input type="checkbox" checked={settings.int4} onChange={(e) => patch({ int4: e.target.checked })} data-testid="method-int4" />
        INT4 group-{settings.int4GroupSize} (scale + zero point per group)
      </label>
      <label>
        <input type="checkbox" checked={!!settings.fp16} onChange={(e) => patch({ fp16: e.target.checked })} data-testid="method-fp16" />
        FP16 (half-precision weights, Cast back to f32)
      </label>
      <p className="muted small">Stored as: INT4/INT8 as MatMulNBits (packed 4/8-bit blocks), FP16 as fp16 weights + Cast, pruning as dense f32 (zeros save gzip/download bytes, not compute).</p>
      <div className="row">
        <span>Kernels on</span>
        <label title={gpu ? 'WGSL compute kernels' : gpuWhy}>
          <input type="radio" name="device" checked={settings.device === 'webgpu'} disabled={!gpu} onChange={() => patch({ device: 'webgpu' })} data-testid="device-webgpu" />
          WebGPU{!gpu && <span className="muted"> (unavailable)</span>}
        </label>
        <label>
          <input type="radio" name="device" checked={settings.device === 'cpu'} onChange={() => patch({ device: 'cpu' })} data-testid="device-cpu" />
          CPU reference
        </label>
      </div>
    </fieldset>
  );
}
