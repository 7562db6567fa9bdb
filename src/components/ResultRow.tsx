/**
 * One row of the results table: how the variant is stored (packed form or dense f32) and its sizes
 * measured from the bytes written, its compression stats, and per backend its perplexity (saying
 * whether the packed model or its f32 twin ran, and why), the evaluation's throughput and the
 * interleaved speed figure. Hover a number for how it was measured.
 */
import { BACKENDS, type Backend } from '../../workers/api';
import { BACKEND_LABEL } from '../lib/plan';
import { bytes, fixed, percent, plural } from '../lib/format';
import { formText, settingsText, speedWhere, storageText, type ResultRow } from '../lib/selectors';
import { speedFormText, speedFormWhy } from '../lib/speed-form';
import { useLab } from '../store';
import type { StoredEval, StoredVariant } from '../store/types';
import { ExportButton } from './ExportButton';
import { weighted } from '../lib/results-export';
import { calibrationUsedText } from '../../workers/variants/calibration-used';
import { f32BytesText } from '../../workers/variants/f32-bytes-text';
import { modelKeyOf } from '../store/types';
import { Num } from './Num';

/** Variants stored before packed models existed carry an estimated size, not bytes: shown as unknown. */
const measured = (v: StoredVariant | undefined) => !!v?.format;
const OLD = 'made before variants were packed models (the size then was an estimate): re-run it';

/** What the row's two times cover: the kernels' calls alone, and the whole make. */
export function kernelTimeHow(v: StoredVariant): string {
  const kernels = v.device === 'webgpu'
    ? 'kernel time: the compression kernels summed over the weights, each call timed from uploading the weight through the WGSL dispatches to reading the result back (with the method\'s TS steps, e.g. GPTQ\'s Cholesky factor)'
    : 'kernel time: the TypeScript reference kernels summed over the weights';
  const calib = v.calibration ? `, calibration ${fixed(v.calibration.ms, 0)} ms` : '';
  return `${kernels}. make time: the whole variant (${v.calibration ? 'calibration, ' : ''}kernels, their checks and the tensor stats, packing into the stored form, writing the model)${calib}`;
}

function StoredAs({ v }: { v: StoredVariant | undefined }) {
  if (!v) return <td className="small" data-testid="storage">source model, as loaded</td>;
  if (!measured(v)) return <td className="small muted" data-testid="storage" title={OLD}>f32 (old result)</td>;
  return (
    <td className="small" data-testid="storage" data-storage={v.storage}>
      {/* a dense variant's format ("f32 (dense)") says nothing its storage does not */}
      {v.storage === 'dense' ? storageText(v) : `${storageText(v)} · ${v.format}`}
      {v.storage === 'dense' && <div className="muted" data-testid="dense-note">zeros save gzip/download bytes, not compute</div>}
    </td>
  );
}

function Ppl({ e, b }: { e: StoredEval | undefined; b: Backend }) {
  return (
    <td className="r">
      <Num text={fixed(e?.perplexity.ppl, 2)} why={`not evaluated on ${BACKEND_LABEL[b]}`} how={e && settingsText(e)} testId={`ppl-${b}`} />
      {e && <div className={`form-tag ${formText(e) === 'simulated (f32)' ? 'warn-text' : 'muted'}`} data-testid={`form-${b}`} title={e.formReason ?? (formText(e) === 'simulated (f32)' ? 'the dequantized f32 twin ran, not the packed model' : undefined)}>{formText(e)}</div>}
    </td>
  );
}

export function ResultRowView({ r }: { r: ResultRow }) {
  const model = useLab((s) => s.model);
  const remove = useLab((s) => s.deleteResult);
  const running = useLab((s) => s.running);
  const v = r.variant;
  const base = !v;
  const baseWhy = 'the baseline is uncompressed (f32)';
  const f32 = v?.f32Bytes;
  const first = BACKENDS.map((b) => r.evals[b]).find(Boolean);
  return (
    <tr data-testid="result-row" data-variant={r.label}>
      <td>{r.label}</td>
      <StoredAs v={v} />
      <td className="r"><Num text={base ? '32' : fixed(v.bitsPerWeight, 2)} why="not reported" how="linear weights, including scales and zero points" /></td>
      <td className="r"><Num text={base ? bytes(model?.onnxBytes) : measured(v) ? bytes(v.packedBytes) : undefined} why={base ? 'no model loaded' : OLD} how={base ? 'the source ONNX file, bytes as loaded' : `onnx/model.onnx as written: ${v.packedBytes.toLocaleString()} bytes`} testId="packed-bytes" /></td>
      <td className="r"><Num text={measured(v) ? bytes(v!.gzipBytes) : undefined} why={base ? 'not measured for the source model' : OLD} how={v && `the written model gzip-compressed (what a download costs): ${v.gzipBytes.toLocaleString()} bytes`} testId="gzip-bytes" /></td>
      <td className="r"><Num text={measured(v) ? bytes(f32) : undefined} why={base ? 'the source model: see its size as loaded' : OLD} how={v && `${f32BytesText(!!model?.published)}: ${v.f32Bytes.toLocaleString()} bytes`} testId="f32-bytes" /></td>
      <td className="r"><Num text={percent(weighted(v, (t) => t.sparsity))} why={base ? baseWhy : 'not reported'} how="share of zero weights, over all linear weights" /></td>
      <td className="r"><Num text={fixed(weighted(v, (t) => t.relFrobeniusError), 4)} why={base ? baseWhy : 'not reported'} how="‖W−Ŵ‖F / ‖W‖F, parameter-weighted mean over tensors" /></td>
      <td className="r"><Num text={fixed(weighted(v, (t) => t.sqnrDb), 1)} why={base ? baseWhy : 'not reported'} how="signal-to-quantization-noise ratio in dB, parameter-weighted mean" /></td>
      {BACKENDS.map((b) => <Ppl key={`p-${b}`} e={r.evals[b]} b={b} />)}
      {BACKENDS.map((b) => {
        const e = r.evals[b];
        return <td key={`t-${b}`} className="r"><Num text={fixed(e?.throughput.tokensPerS, 0)} why={`not evaluated on ${BACKEND_LABEL[b]}`} how={e && `${formText(e)}; during the evaluation, not interleaved: median ${fixed(e.throughput.medianMs, 1)} ms, p90 ${fixed(e.throughput.p90Ms, 1)} ms over ${plural(e.throughput.runs, 'run')}, batch ${e.throughput.batch} × ${e.throughput.seqLen}`} testId={`tps-${b}`} /></td>;
      })}
      {BACKENDS.map((b) => {
        const s = r.speeds[b];
        return (
          <td key={`s-${b}`} className="r">
            <Num text={fixed(s?.tokensPerS, 0)} why={`not timed on ${BACKEND_LABEL[b]} (the run's speed comparison)`} how={s && `${speedFormWhy(v, s)} · ${speedWhere(s)} · median of ${plural(s.runsMs.length, 'interleaved run')}, p10–p90 ${s.p10Ms.toFixed(1)}–${s.p90Ms.toFixed(1)} ms, seq ${s.seqLen}`} testId={`speed-${b}`} />
            {/* the twin was timed, not what the row stores: said beside the number, not only in its tooltip */}
            {s?.form === 'simulated' && <div className="form-tag warn-text" data-testid={`speed-form-${b}`} title={speedFormWhy(v, s)}>{speedFormText(v, s)}</div>}
          </td>
        );
      })}
      <td className="small muted settings">
        {v && <><span data-testid="kernel-time" title={kernelTimeHow(v)}>kernels: {v.device}{v.kernelMs ? ` · kernel time ${fixed(v.kernelMs, 0)} ms (${v.device === 'webgpu' ? 'upload + dispatches + readback' : 'TS reference'})` : ''}{v.makeMs ? ` · make ${fixed(v.makeMs, 0)} ms` : ''}</span><br /></>}
        {/* the sequences used, beside the label's asked count: a short dropped text gives fewer */}
        {v?.calibration && <><span data-testid="calibration-used" data-sequences={v.calibration.sequences}>{calibrationUsedText(v)}</span><br /></>}
        {first ? <>{first.perplexity.dataset}, ctx {first.perplexity.context}/stride {first.perplexity.stride}
          {BACKENDS.map((b) => r.evals[b] && <span key={b}><br />{BACKEND_LABEL[b]}: {formText(r.evals[b]!)}, {r.evals[b]!.perplexity.tokensScored} tokens</span>)}</> : '—'}
      </td>
      <td>{v ? <ExportButton v={v} /> : <span className="muted small" title="the baseline is the source model: nothing to export">—</span>}</td>
      <td>
        <button className="link small" disabled={running || !model} onClick={() => model && remove(modelKeyOf(model), v ? v.id : 'baseline')} aria-label={`delete the result ${r.label}`} title={running ? 'not while a run is going on' : 'delete this result'} data-testid="delete-result">×</button>
      </td>
    </tr>
  );
}
