/**
 * Which variants to make and where their kernels run: a quick toggle per method (with chips for
 * its first option), the list of variants the run makes, a builder for any method with any of its
 * options and an optional second method, and presets. Everything comes from REGISTERED.
 */
import type { VariantSpec } from '../../workers/api';
import { REGISTERED } from '../lib/specs';
import { useLab } from '../store';
import { AddSpec } from './picker/AddSpec';
import { PresetPicker } from './picker/PresetPicker';
import { QuickToggle } from './picker/QuickToggle';
import { SpecList } from './picker/SpecList';

export function MethodPicker() {
  const settings = useLab((s) => s.settings);
  const patch = useLab((s) => s.patchSettings);
  const caps = useLab((s) => s.capabilities);
  const gpu = caps?.webgpu ?? false;
  const gpuWhy = caps ? caps.webgpuReason ?? 'WebGPU unavailable' : 'checking WebGPU…';
  const list = settings.variants;
  const set = (variants: VariantSpec[]) => patch({ variants });
  return (
    <fieldset className="methods">
      <legend>Methods</legend>
      <PresetPicker set={set} />
      {REGISTERED.map((m) => <QuickToggle key={m.id} meta={m} list={list} set={set} />)}
      <AddSpec list={list} set={set} />
      <SpecList list={list} set={set} />
      {/* the forms workers/formats/form-of.ts writes; each variant's format column names its own */}
      <p className="muted small" data-testid="stored-as">
        Stored as: INT4 groups, RTN/GPTQ INT8/4/2 and AWQ-4 as MatMulNBits (packed blocks); INT8 per channel as int8 + DequantizeLinear (8-bit MatMulNBits for a weight an embedding also reads);
        NF4 as MatMulBnb4 (block 64); FP16 as fp16 weights + Cast; 3-bit runs simulated (f32: no onnxruntime op runs 3-bit weights); pruning as dense f32 (zeros save gzip/download bytes, not compute),
        except structured pruning, which rewrites the graph smaller. A token table quantized to MatMulNBits blocks ("embedding too") is read by GatherBlockQuantized.
      </p>
      <div className="row" role="radiogroup" aria-label="kernels on">
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
