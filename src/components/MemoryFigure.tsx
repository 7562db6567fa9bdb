/**
 * Memory: the loaded model's bytes, each variant's packed bytes, and what the browser measures
 * for this page and its workers (performance.measureUserAgentSpecificMemory, cross-origin
 * isolated pages only; else "not available" and why). Measured on request: it can take seconds, at
 * most lib/memory.ts's bound (then "unknown" and why: the WASM thread pool does not answer).
 */
import { useState } from 'react';
import { bytes } from '../lib/format';
import { measureBrowserMemory, type BrowserMemory } from '../lib/memory';
import { useLab } from '../store';
import { modelKeyOf } from '../store/types';

export function MemoryFigure() {
  const model = useLab((s) => s.model);
  const variants = useLab((s) => s.variants);
  const wasmThreads = useLab((s) => s.capabilities?.wasmThreads ?? 1);
  const [m, setM] = useState<BrowserMemory & { at: string }>();
  const [busy, setBusy] = useState(false);
  if (!model) return null;
  const mine = variants.filter((v) => v.modelKey === modelKeyOf(model));
  const go = async () => {
    setBusy(true);
    try {
      setM({ ...(await measureBrowserMemory(wasmThreads)), at: new Date().toLocaleTimeString() });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card small" data-testid="memory">
      <h2>Memory</h2>
      <ul>
        <li>model file: <b data-testid="memory-model">{bytes(model.onnxBytes)}</b> ({model.onnxPath})</li>
        {mine.map((v) => <li key={v.id} data-testid="memory-variant">{v.label}: packed <b>{bytes(v.packedBytes)}</b> (f32 form {bytes(v.f32Bytes)})</li>)}
        <li>
          browser (this page and its workers):{' '}
          {m ? ('bytes' in m ? <b data-testid="memory-browser">{bytes(m.bytes)}</b> : <span data-testid="memory-browser" className="muted">{m.unavailable}</span>) : <span className="muted">not measured yet</span>}
          {m && 'bytes' in m && <span className="muted"> (performance.measureUserAgentSpecificMemory at {m.at}, answered in {(m.ms / 1000).toFixed(1)} s; GPU buffers are not counted)</span>}
          {' '}<button className="link small" onClick={() => void go()} disabled={busy} data-testid="memory-measure">{busy ? 'measuring…' : 'measure'}</button>
        </li>
      </ul>
    </section>
  );
}
