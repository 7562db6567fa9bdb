/**
 * What compression does to the text a model writes: one prompt continued by the baseline and by
 * every variant of the loaded model, side by side, each with how it was made and how fast.
 */
import { useMemo, useState } from 'react';
import './GenerationPanel.css';
import type { Backend } from '../../workers/api';
import { generateAll, stopGenerating } from '../engine/generation';
import { BackendSelect } from './BackendSelect';
import { useLab } from '../store';
import { modelKeyOf, type StoredVariant } from '../store/types';
import { speedWhere } from '../lib/selectors';
import { speedFormText } from '../lib/speed-form';
import type { StoredGeneration } from '../store/generations';

function how(g: StoredGeneration, ran: string): string {
  const s = g.settings;
  const mode = s.temperature ? `sampled at temperature ${s.temperature}, seed ${s.seed}` : 'greedy';
  return `${g.tokens.length} new tokens after a ${g.promptTokens}-token prompt, ${mode}, ${ran} · ${speedWhere({ backend: s.backend, wasmThreads: g.wasmThreads, adapter: g.adapter })}, batch 1, ${g.decode}; ${g.tokensPerS.toFixed(1)} tokens/s (median ${g.msPerToken.median.toFixed(0)} ms a token, first ${g.msPerToken.firstMs.toFixed(0)} ms)${g.formReason ? `; ${g.formReason}` : ''}`;
}

/** One continuation: the text, and its speed saying what ran (packed, dense f32, simulated (f32), source) and where. */
export function GenerationItem({ g, variant }: { g: StoredGeneration; variant: StoredVariant | undefined }) {
  const ran = speedFormText(variant, g);
  return (
    <li data-testid="generation" data-variant={g.variantLabel} title={how(g, ran)}>
      <strong>{g.variantLabel}</strong> <span className="muted small">({ran} · {speedWhere({ backend: g.settings.backend, wasmThreads: g.wasmThreads, adapter: g.adapter })}, {g.tokensPerS.toFixed(1)} tok/s)</span>
      <blockquote><span className="muted">{g.settings.prompt}</span>{g.text}</blockquote>
    </li>
  );
}

export function GenerationPanel() {
  const model = useLab((s) => s.model);
  const running = useLab((s) => s.running);
  const all = useLab((s) => s.generations);
  const variants = useLab((s) => s.variants);
  const [prompt, setPrompt] = useState('The jury said');
  const [tokens, setTokens] = useState(24);
  const [backend, setBackend] = useState<Backend>('wasm');
  const [temperature, setTemperature] = useState(0);
  const [step, setStep] = useState<string | undefined>();
  const rows = useMemo(() => (model ? all.filter((g) => g.modelKey === modelKeyOf(model)) : []), [all, model]);
  if (!model || model.task === 'sequence-classification') return null;
  const go = async () => {
    setStep('starting…');
    // progress messages may arrive after the last result: none may bring the Stop button back
    let active = true;
    try {
      await generateAll({ prompt, maxNewTokens: tokens, backend, temperature, seed: 1 }, (what) => active && setStep(what));
    } finally {
      active = false;
      setStep(undefined);
    }
  };
  return (
    <section className="card" data-testid="generation-panel">
      <h2>Generated text</h2>
      <p className="muted">The same prompt continued by the baseline and by each variant: what pruning or fewer bits do to what the model writes.</p>
      <div className="row">
        <label>prompt <input value={prompt} onChange={(e) => setPrompt(e.target.value)} data-testid="gen-prompt" size={32} /></label>
        <label>new tokens <input type="number" min={1} max={128} value={tokens} onChange={(e) => setTokens(Math.max(1, Math.min(128, Number(e.target.value) || 1)))} data-testid="gen-tokens" style={{ width: '4em' }} /></label>
        <BackendSelect value={backend} onChange={setBackend} testId="gen-backend" />
        <label>temperature <input type="number" min={0} max={2} step={0.1} value={temperature} onChange={(e) => setTemperature(Math.max(0, Number(e.target.value) || 0))} style={{ width: '4em' }} /></label>
        {step ? (
          <button onClick={() => void stopGenerating()} data-testid="gen-stop">Stop</button>
        ) : (
          <button onClick={() => void go()} disabled={running || !prompt.trim()} data-testid="gen-button" title={running ? 'wait for the run to finish' : undefined}>Write with every model</button>
        )}
        {step && <span className="muted" data-testid="gen-step">{step}</span>}
      </div>
      {rows.length > 0 && (
        <ul className="generations" data-testid="generations">
          {rows.map((g) => <GenerationItem key={`${g.variantId}-${g.settings.backend}`} g={g} variant={variants.find((v) => v.id === g.variantId)} />)}
        </ul>
      )}
    </section>
  );
}
