/**
 * Settings of the run's interleaved speed comparison (one compareSpeed job per chosen backend,
 * after the evaluations): prefill length and timed runs per backend, shown so the figures'
 * settings are never a surprise. WebGPU defaults to 64 tokens and 3 runs: on a software adapter
 * (SwiftShader, no GPU) one prefill of the full context takes seconds.
 */
import { BACKENDS, type Backend } from '../../workers/api';
import { BACKEND_LABEL } from '../lib/plan';
import { useLab } from '../store';
import { DEFAULT_SPEED } from '../store/types';
import { NumberInput } from './NumberInput';

export function SpeedOptions() {
  const settings = useLab((s) => s.settings);
  const patch = useLab((s) => s.patchSettings);
  const model = useLab((s) => s.model);
  const speed = settings.speed ?? DEFAULT_SPEED;
  const context = settings.context ?? model?.nPositions;
  const set = (b: Backend, p: Partial<(typeof speed)[Backend]>) => patch({ speed: { ...speed, [b]: { ...speed[b], ...p } } });
  return (
    <div className="speed-options" data-testid="speed-options">
      <div className="muted small">Speed: every model timed interleaved (A B C A B C …) after one warm-up each; median and p10–p90 shown.</div>
      {BACKENDS.filter((b) => settings.backends.includes(b)).map((b) => (
        <div className="row" key={b}>
          <span>{BACKEND_LABEL[b]}</span>
          <label title="empty: the evaluation context">prefill tokens <NumberInput value={speed[b].seqLen} placeholder={String(context ?? '')} min={1} max={context} testId={`speed-seqlen-${b}`} onChange={(v) => set(b, { seqLen: v })} /></label>
          <label>timed runs <NumberInput value={speed[b].runs} min={1} max={200} testId={`speed-runs-${b}`} onChange={(v) => set(b, { runs: v ?? DEFAULT_SPEED[b].runs })} /></label>
        </div>
      ))}
    </div>
  );
}
