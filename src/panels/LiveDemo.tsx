/**
 * Present mode's live demo slide: a row of methods to pick from; a pick compresses the loaded model
 * on the spot and shows, beside the original, its perplexity on the same text and its continuation
 * of the same prompt (src/engine/live-demo.ts). Each number says what it was measured on.
 */
import { useEffect, useRef, useState } from 'react';
import './LiveDemo.css';
import type { Backend } from '../../workers/api';
import { demo, DEMO_NEW_TOKENS, demoMethods, keptAnswer, stopDemo, type DemoAnswer, type DemoMethod } from '../engine/live-demo';
import { BACKEND_LABEL } from '../lib/plan';
import { speedWhere } from '../lib/selectors';
import { useLab } from '../store';
import { BackendSelect } from '../components/BackendSelect';

export const LIVE_DEMO_WHAT = 'Pick a compression method: the model is compressed right now, then scored on the same text (perplexity: lower is better) and asked to continue the same sentence, next to the original.';

const METHODS = demoMethods();

/** "+3.2 %", or "×75.5" once it has more than doubled (a room reads a factor better than +7452 %). */
export const changeText = (d: number) => (d >= 1 ? `×${(d + 1).toFixed(1)}` : `${d >= 0 ? '+' : '−'}${Math.abs(d * 100).toFixed(1)} %`);

export function Answer({ title, a, base, testId }: { title: string; a: DemoAnswer | undefined; base?: DemoAnswer; testId: string }) {
  const change = a && base ? a.ppl / base.ppl - 1 : undefined;
  return (
    <div className="demo-answer" data-testid={`demo-${testId}`}>
      <h3>{title}</h3>
      <p className="demo-ppl">
        perplexity <strong data-testid={`demo-ppl-${testId}`} data-ppl={a?.ppl}>{a ? a.ppl.toFixed(1) : '…'}</strong>
        {change !== undefined && <span className={change > 0.05 ? 'demo-worse' : 'muted'} data-testid={`demo-change-${testId}`}> {changeText(change)}</span>}
      </p>
      <blockquote><span className="muted">{a?.prompt}</span><span data-testid={`demo-text-${testId}`}>{a ? a.text : ' …'}</span></blockquote>
      {a && <p className="muted small" title={a.formReason}>{a.form === 'source' ? 'the model as loaded' : a.form === 'packed' ? 'the compressed model as stored' : 'simulated (f32)'} · {a.tokensPerS.toFixed(1)} tokens/s writing · {speedWhere(a)}</p>}
    </div>
  );
}

export function LiveDemo() {
  const model = useLab((s) => s.model);
  const running = useLab((s) => s.running);
  const [prompt, setPrompt] = useState('The jury said');
  const [backend, setBackend] = useState<Backend>('wasm');
  const [method, setMethod] = useState<DemoMethod>();
  const [answers, setAnswers] = useState<Record<string, DemoAnswer>>({});
  const [step, setStep] = useState<string>();
  const [error, setError] = useState<string>();
  // the latest pick owns the progress line: an earlier one, stopped by it, ends without touching it
  const latest = useRef(0);
  // leaving the slide stops a demo going on
  useEffect(() => () => void stopDemo(), []);
  if (!model || model.task === 'sequence-classification') {
    return <p className="muted" data-testid="demo-none">The live demo needs a language model: load one first.</p>;
  }
  const ask = { backend, prompt };
  const pick = async (m: DemoMethod | undefined) => {
    setMethod(m);
    setError(undefined);
    const kept: Record<string, DemoAnswer> = {};
    for (const k of ['baseline', ...(m ? [m.key] : [])]) {
      const a = keptAnswer(k, ask);
      if (a) kept[k] = a;
    }
    setAnswers(kept);
    setStep('starting…');
    const mine = ++latest.current;
    const current = () => latest.current === mine;
    // the worker's progress messages can arrive after its answer (comlink delivers them apart):
    // once the demo has ended, a late one must not bring the progress line and its Stop button back
    let ended = false;
    try {
      await demo(m ?? 'baseline', ask, (which, a) => current() && setAnswers((o) => ({ ...o, [which]: a })), (what) => current() && !ended && setStep(what));
    } catch (e) {
      if (current()) setError((e as Error).message);
    } finally {
      ended = true;
      if (current()) setStep(undefined);
    }
  };
  const base = answers.baseline;
  const mine = method && answers[method.key];
  const how = base ?? mine;
  return (
    <section className="card live-demo" data-testid="live-demo" aria-label="live demo">
      <h2>Live demo: pick a method</h2>
      <div className="row demo-controls">
        <label>prompt <input value={prompt} onChange={(e) => setPrompt(e.target.value)} data-testid="demo-prompt" size={28} disabled={!!step} /></label>
        <BackendSelect value={backend} onChange={setBackend} testId="demo-backend" />
      </div>
      <div className="row demo-methods" role="group" aria-label="compression method">
        {METHODS.map((m) => (
          <button key={m.key} onClick={() => void pick(m)} aria-pressed={method?.key === m.key} disabled={running || !prompt.trim()} data-testid="demo-method" data-method={m.label}
            title={running ? 'wait for the run to finish' : undefined}>{m.label}</button>
        ))}
        {step && <button onClick={() => { latest.current++; setStep(undefined); void stopDemo(); }} data-testid="demo-stop">Stop</button>}
      </div>
      <p className="muted small" data-testid="demo-step" aria-live="polite">{step ?? error ?? (method ? '' : 'Nothing compressed yet: pick a method.')}</p>
      {how && (
        <p className="muted small" data-testid="demo-settings">
          Perplexity from {how.tokensScored} tokens scored at the start of {how.dataset} (windows of {how.context}), {BACKEND_LABEL[backend]}; text: greedy, {DEMO_NEW_TOKENS} new tokens after the prompt. A short check for the class, not the study&apos;s numbers (those are in the results table).
        </p>
      )}
      {method && (
        <div className="demo-pair">
          <Answer title="original" a={base} testId="base" />
          <Answer title={method.label} a={mine} base={base} testId="variant" />
        </div>
      )}
    </section>
  );
}
