/**
 * The Speed action's controls: which models (every model, the baseline or one variant), which
 * backends, the batch sizes and row length of prefill, the decode prompt and new tokens (and, for
 * a built-in LM, whether decode runs on its KV-cache decoder: the default), the timed runs; then
 * one button. Defaults are the (DEFAULT_SCALING); a software WebGPU
 * adapter is named with what it costs.
 */
import { useState } from 'react';
import { BACKENDS, type Backend } from '../../workers/api';
import { stopTiming, timeModels } from '../engine/speed';
import { BACKEND_LABEL } from '../lib/plan';
import { DEFAULT_SCALING, isSoftwareAdapter } from '../lib/scaling';
import { useLab } from '../store';
import { modelKeyOf } from '../store/types';

const parseBatches = (s: string) => [...new Set(s.split(/[\s,]+/).filter(Boolean).map(Number))].filter((n) => Number.isInteger(n) && n >= 1 && n <= 64).sort((a, b) => a - b);

function Num({ label, value, set, testId, min = 1, max = 1024 }: { label: string; value: number; set: (v: number) => void; testId: string; min?: number; max?: number }) {
  return (
    <label>
      {label}{' '}
      <input type="number" min={min} max={max} value={value} data-testid={testId} style={{ width: '4.5em' }}
        onChange={(e) => set(Math.max(min, Math.min(max, Math.round(Number(e.target.value)) || min)))} />
    </label>
  );
}

export function SpeedControls() {
  const model = useLab((s) => s.model);
  const running = useLab((s) => s.running);
  const caps = useLab((s) => s.capabilities);
  const variants = useLab((s) => s.variants);
  const [backends, setBackends] = useState<Backend[] | undefined>();
  const [target, setTarget] = useState('all');
  const [batches, setBatches] = useState(DEFAULT_SCALING.batches.join(', '));
  const [seqLen, setSeqLen] = useState<number>(DEFAULT_SCALING.seqLen);
  const [runs, setRuns] = useState<number>(DEFAULT_SCALING.runs);
  const [promptTokens, setPromptTokens] = useState<number>(DEFAULT_SCALING.promptTokens);
  const [newTokens, setNewTokens] = useState<number>(DEFAULT_SCALING.newTokens);
  const [decode, setDecode] = useState(true);
  const [decodeOn, setDecodeOn] = useState<'kv' | 'loaded'>('kv');
  const [memory, setMemory] = useState(false);
  const [step, setStep] = useState<string>();
  if (!model) return null;
  const chosen = backends ?? BACKENDS.filter((b) => b === 'wasm' || caps?.webgpu);
  const mine = variants.filter((v) => v.modelKey === modelKeyOf(model));
  const batchList = parseBatches(batches);
  // the page loads a built-in LM's prefill graph; its folder also has the KV-cache decoder decode should be timed on
  const kvOffered = model.source === 'demo' && model.graphKind === 'prefill' && model.task !== 'sequence-classification';
  const kvDecoder = kvOffered && decodeOn === 'kv';
  const toggle = (b: Backend, on: boolean) => setBackends(BACKENDS.filter((x) => (x === b ? on : chosen.includes(x))));
  const go = async () => {
    setStep('starting…');
    let active = true;
    try {
      await timeModels({ backends: chosen, batches: batchList, seqLen, runs, warmup: DEFAULT_SCALING.warmup, promptTokens, newTokens, target, decode, kvDecoder, memory }, (what) => active && setStep(what));
    } finally {
      active = false;
      setStep(undefined);
    }
  };
  const soft = chosen.includes('webgpu') && isSoftwareAdapter(caps?.adapter);
  return (
    <div className="speed-controls small" data-testid="speed-controls">
      <div className="row">
        <label>
          time{' '}
          <select value={target} onChange={(e) => setTarget(e.target.value)} data-testid="speed-target">
            <option value="all">the baseline and every variant</option>
            <option value="baseline">the baseline</option>
            {mine.map((v) => <option key={v.id} value={v.id}>{v.label}</option>)}
          </select>
        </label>
        {BACKENDS.map((b) => (
          <label key={b}>
            <input type="checkbox" checked={chosen.includes(b)} disabled={b === 'webgpu' && !caps?.webgpu} onChange={(e) => toggle(b, e.target.checked)} data-testid={`speed-backend-${b}`} />
            {BACKEND_LABEL[b]}
          </label>
        ))}
      </div>
      <div className="row">
        <label>prefill batches <input value={batches} onChange={(e) => setBatches(e.target.value)} data-testid="speed-batches" size={10} /></label>
        <Num label="tokens a row" value={seqLen} set={setSeqLen} testId="speed-seq" />
        <Num label="timed runs" value={runs} set={setRuns} testId="speed-runs" max={100} />
        <label><input type="checkbox" checked={decode} onChange={(e) => setDecode(e.target.checked)} data-testid="speed-decode" />decode</label>
        <Num label="prompt" value={promptTokens} set={setPromptTokens} testId="speed-prompt" />
        <Num label="new tokens" value={newTokens} set={setNewTokens} testId="speed-new" min={2} max={512} />
        {kvOffered && (
          <label>
            on{' '}
            <select value={decodeOn} onChange={(e) => setDecodeOn(e.target.value as 'kv' | 'loaded')} data-testid="speed-decode-graph" disabled={!decode}>
              <option value="kv">its KV-cache decoder (onnx/decoder_model_merged.onnx, same weights)</option>
              <option value="loaded">the loaded graph ({model.onnxPath}: the whole context again per token)</option>
            </select>
          </label>
        )}
      </div>
      <div className="row">
        {step ? (
          <button onClick={() => void stopTiming()} data-testid="speed-stop">Stop</button>
        ) : (
          <button onClick={() => void go()} disabled={running || !chosen.length || !batchList.length || model.task === 'sequence-classification'} data-testid="speed-button"
            title={running ? 'wait for the run to finish' : model.task === 'sequence-classification' ? 'a classifier writes no tokens; its speed is in the classification report' : undefined}>
            Speed
          </button>
        )}
        <label title="performance.measureUserAgentSpecificMemory once a model's figures on a backend are done, kept with its last figure: the page and its workers, GPU buffers not counted. Each waits at most 10 s: once WASM ran with 2 or more threads its thread pool never answers (then: unknown, and why), and a page that is not cross-origin isolated gets none (then: unknown)">
          <input type="checkbox" checked={memory} onChange={(e) => setMemory(e.target.checked)} data-testid="speed-memory" />browser memory after each model
        </label>
        {step && <span className="muted" data-testid="speed-step">{step}</span>}
        {!step && <span className="muted">one warm-up run, then {runs} timed; each figure is kept as soon as it is measured</span>}
      </div>
      {soft && <p className="warn-text" data-testid="speed-software">WebGPU here is a software adapter ({caps?.adapter}): batch 16 × 128 takes minutes on it. Untick WebGPU or lower the sizes for a quick look.</p>}
    </div>
  );
}
