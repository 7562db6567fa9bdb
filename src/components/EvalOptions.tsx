/** How variants are evaluated: backends, tokens per backend, context, stride, throughput runs, and the interleaved speed comparison. */
import { BACKENDS, type Backend } from '../../workers/api';
import { BACKEND_LABEL } from '../lib/plan';
import { plural } from '../lib/format';
import { useLab } from '../store';
import { NumberInput } from './NumberInput';
import { EvalTextPicker } from './EvalTextPicker';
import { SpeedOptions } from './SpeedOptions';

const softwareAdapter = (name: string | undefined) => !!name && /swiftshader|llvmpipe|software|basic render/i.test(name);

export function EvalOptions() {
  const settings = useLab((s) => s.settings);
  const patch = useLab((s) => s.patchSettings);
  const caps = useLab((s) => s.capabilities);
  const model = useLab((s) => s.model);
  const gpuWhy = caps?.webgpuReason ?? 'WebGPU unavailable';
  const toggle = (b: Backend) =>
    patch({ backends: settings.backends.includes(b) ? settings.backends.filter((x) => x !== b) : [...settings.backends, b] });
  const context = settings.context ?? model?.nPositions;
  const differ = settings.backends.length > 1 && settings.tokens.webgpu !== settings.tokens.wasm;
  return (
    <fieldset className="eval-options">
      <legend>Evaluate on</legend>
      {BACKENDS.map((b) => {
        const disabled = b === 'webgpu' && !caps?.webgpu;
        return (
          <div className="row" key={b}>
            <label title={disabled ? gpuWhy : undefined}>
              <input type="checkbox" checked={settings.backends.includes(b)} disabled={disabled} onChange={() => toggle(b)} data-testid={`backend-${b}`} />
              {BACKEND_LABEL[b]}
            </label>
            <label>
              tokens
              <NumberInput
                value={settings.tokens[b]} min={16} max={model?.datasetTokens} testId={`tokens-${b}`}
                onChange={(v) => patch({ tokens: { ...settings.tokens, [b]: v ?? settings.tokens[b] } })}
              />
            </label>
            {disabled && <span className="muted">unavailable: {gpuWhy}</span>}
            {b === 'webgpu' && !disabled && (
              <span className={softwareAdapter(caps?.adapter) ? 'warn-text' : 'muted'}>
                {softwareAdapter(caps?.adapter) ? `software adapter (${caps?.adapter}): slow, keep tokens small` : 'same tokens as WASM by default, so the two can be compared'}
              </span>
            )}
            {b === 'wasm' && caps && <span className="muted">{caps.wasmThreads} thread{caps.wasmThreads === 1 ? '' : 's'}{caps.wasmSimd ? ', SIMD' : ''}{caps.crossOriginIsolated ? '' : ' (not cross-origin isolated)'}</span>}
          </div>
        );
      })}
      <div className="row">
        <label>context <NumberInput value={settings.context} placeholder={String(model?.nPositions ?? '')} min={8} max={model?.nPositions} clamp={false} testId="context" onChange={(v) => patch({ context: v })} /></label>
        <label>stride <NumberInput value={settings.stride} placeholder={String(context ?? '')} min={1} max={context} clamp={false} testId="stride" onChange={(v) => patch({ stride: v })} /></label>
        {context && (
          <span className="presets">
            <button type="button" data-testid="stride-full" onClick={() => patch({ stride: undefined })} aria-pressed={(settings.stride ?? context) === context}>stride = context</button>
            <button type="button" data-testid="stride-half" onClick={() => patch({ stride: Math.max(1, Math.floor(context / 2)) })} aria-pressed={settings.stride === Math.floor(context / 2)}>context / 2</button>
          </span>
        )}
        <label>throughput runs <NumberInput value={settings.throughputRuns} min={1} max={50} testId="runs" onChange={(v) => patch({ throughputRuns: v ?? 3 })} /></label>
      </div>
      {model && <EvalTextPicker builtIn={model.datasetName} />}
      {differ && <p className="warn-text small" data-testid="tokens-differ">WebGPU and WASM will score different tokens ({settings.tokens.webgpu} vs {settings.tokens.wasm}): their perplexities are not comparable, so the chart shows one of them and no backend-agreement check is made. Give both the same count to compare the backends.</p>}
      {model && <p className="muted small">Perplexity on the first N tokens of {model.datasetName} ({model.datasetTokens.toLocaleString()} available), windows of {context} tokens every {settings.stride ?? context}; throughput during the evaluation: 1 warm-up then the median of {plural(settings.throughputRuns, 'timed prefill run')} (the table's "eval" columns). Each window's first token is context only and never scored; the BOS handling of the model's tokenizer is shown with each result. Variants are scored against the base in the same pass (KL, top-1 agreement).</p>}
      <SpeedOptions />
    </fieldset>
  );
}
