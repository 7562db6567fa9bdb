/** One line saying what this browser gives the engine: WebGPU adapter, f16, isolation, WASM threads. */
import { useLab } from '../store';

export function CapabilityLine() {
  const caps = useLab((s) => s.capabilities);
  const engine = useLab((s) => s.engine);
  if (!caps) return <span className="caps muted" data-testid="capabilities" data-engine={engine}>checking the engine…</span>;
  const gpu = caps.webgpu ? `WebGPU: ${caps.adapter ?? 'adapter'}${caps.shaderF16 ? ', shader-f16' : ''}` : 'WebGPU: unavailable';
  const wasm = `WASM: ${caps.wasmThreads} thread${caps.wasmThreads === 1 ? '' : 's'}${caps.wasmSimd ? ', SIMD' : ''}`;
  return (
    <span className="caps muted" data-testid="capabilities" data-engine={engine}>
      {engine === 'restarting' && <strong data-testid="engine-restarting">engine restarting… · </strong>}
      {gpu} · {wasm} · {caps.crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated (single-threaded WASM)'}
    </span>
  );
}
