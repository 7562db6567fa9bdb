/** "on WASM / WebGPU": the backend a one-off measurement runs on; WebGPU is offered only where the engine found it. */
import type { Backend } from '../../workers/api';
import { useLab } from '../store';

export function BackendSelect({ value, onChange, testId }: { value: Backend; onChange: (b: Backend) => void; testId: string }) {
  const caps = useLab((s) => s.capabilities);
  return (
    <label>
      on{' '}
      <select value={value} onChange={(e) => onChange(e.target.value as Backend)} data-testid={testId}>
        <option value="wasm">WASM</option>
        <option value="webgpu" disabled={!caps?.webgpu}>WebGPU{caps?.webgpu ? '' : ' (unavailable)'}</option>
      </select>
    </label>
  );
}
