/**
 * Add any variant: a method, its options (each a choice its meta offers), and optionally a second
 * method applied after it (prune then quantize), or some blocks by another method (mixed
 * precision: VariantSpec.overrides: first/last presets, or any of the loaded model's blocks ticked); a calibrated method also takes the text it calibrates on. Built from REGISTERED only, so a newly registered method and
 * its options appear here with no change to this file.
 */
import { useState } from 'react';
import type { MethodOptions, VariantSpec } from '../../../workers/api';
import type { MethodMeta } from '../../../workers/compression/types';
import { blockCount } from '../../../workers/model/blocks';
import { metaOf, REGISTERED, tryNormalize, withSpec } from '../../lib/specs';
import { useLab } from '../../store';
import { CalibrationTextField } from './CalibrationTextField';

type Choice = { method: string; options: Record<string, unknown> };

/** Which blocks a mixed-precision override names (negative: from the end, resolved against the model). */
const OVERRIDE_BLOCKS: { label: string; blocks: number[] }[] = [
  { label: 'first and last block', blocks: [0, -1] },
  { label: 'first block', blocks: [0] },
  { label: 'last block', blocks: [-1] },
];
/** The select's value for "the blocks ticked below" (any of the loaded model's blocks). */
const PICK = 'pick';

type Override = { at: number | typeof PICK; picked: number[]; choice: Choice };
/** ticked blocks past the loaded model's last (ticked on a bigger model) are dropped */
const overrideBlocks = (o: Override, nBlocks: number): number[] => (o.at === PICK ? o.picked.filter((k) => k < nBlocks) : OVERRIDE_BLOCKS[o.at].blocks);

const fresh = (meta: MethodMeta<any>): Choice => ({ method: meta.id, options: { ...meta.defaults } });

function MethodFields({ choice, onChange, prefix }: { choice: Choice; onChange: (c: Choice) => void; prefix: string }) {
  const meta = metaOf(choice.method);
  if (!meta) return null;
  return (
    <>
      {meta.fields.map((f) => {
        const current = choice.options[f.key] ?? (meta.defaults as Record<string, unknown>)[f.key];
        const index = f.choices.findIndex((c) => c === current);
        return (
          <label key={f.key}>
            {f.label}{' '}
            <select
              value={index} data-testid={`${prefix}-field-${f.key}`}
              onChange={(e) => onChange({ ...choice, options: { ...choice.options, [f.key]: f.choices[Number(e.target.value)] } })}
            >
              {f.choices.map((c, i) => <option key={String(c)} value={i}>{f.format ? f.format(c) : String(c)}</option>)}
            </select>
          </label>
        );
      })}
    </>
  );
}

export function AddSpec({ list, set }: { list: VariantSpec[]; set: (l: VariantSpec[]) => void }) {
  const [first, setFirst] = useState<Choice>(() => fresh(REGISTERED[0]));
  const [second, setSecond] = useState<Choice | undefined>();
  const [override, setOverride] = useState<Override | undefined>();
  // the loaded model's blocks, from its weights' names (workers/model/blocks.ts, as the worker resolves overrides)
  const model = useLab((s) => s.model);
  const nBlocks = model ? blockCount(model.linearWeights) : 0;
  const [embeddings, setEmbeddings] = useState(false);
  const [head, setHead] = useState(false);
  const spec: VariantSpec = {
    method: first.method as VariantSpec['method'], options: first.options as MethodOptions,
    ...(second ? { then: { method: second.method as VariantSpec['method'], options: second.options as MethodOptions } } : {}),
    ...(override ? { overrides: [{ blocks: overrideBlocks(override, nBlocks), method: override.choice.method as VariantSpec['method'], options: override.choice.options as MethodOptions }] } : {}),
    ...(embeddings ? { embeddings: true } : {}),
    ...(head ? { head: true } : {}),
  };
  const normalized = override && !overrideBlocks(override, nBlocks).length ? 'tick at least one block for "but … as …"' : tryNormalize(spec);
  const toggle = (o: Override, k: number, on: boolean) => setOverride({ ...o, picked: on ? [...o.picked, k].sort((a, b) => a - b) : o.picked.filter((b) => b !== k) });
  const pick = (id: string) => fresh(metaOf(id)!);
  return (
    <div className="add-spec" role="group" aria-label="add a variant">
      <label>
        Add{' '}
        <select value={first.method} onChange={(e) => setFirst(pick(e.target.value))} data-testid="add-method">
          {REGISTERED.map((m) => <option key={m.id} value={m.id}>{m.label}</option>)}
        </select>
      </label>
      <MethodFields choice={first} onChange={setFirst} prefix="add" />
      {metaOf(first.method)?.calibration && <CalibrationTextField options={first.options} onChange={(options) => setFirst({ ...first, options })} />}
      <label>
        then{' '}
        <select value={second?.method ?? ''} onChange={(e) => setSecond(e.target.value ? pick(e.target.value) : undefined)} data-testid="add-then">
          <option value="">nothing</option>
          {REGISTERED.map((m) => <option key={m.id} value={m.id}>{m.label}</option>)}
        </select>
      </label>
      {second && <MethodFields choice={second} onChange={setSecond} prefix="then" />}
      {/* prune → GPTQ, structured → GPTQ: the second method calibrates (on the pruned or rewritten model), so it takes the text */}
      {second && metaOf(second.method)?.calibration && !metaOf(first.method)?.calibration && (
        <CalibrationTextField options={second.options} onChange={(options) => setSecond({ ...second, options })} />
      )}
      <label title="mixed precision: these blocks by another method, each tensor packed in its own format">
        but{' '}
        <select
          value={override?.at ?? ''} data-testid="add-override-blocks"
          onChange={(e) => setOverride(e.target.value === '' ? undefined : { at: e.target.value === PICK ? PICK : Number(e.target.value), picked: override?.picked ?? [], choice: override?.choice ?? pick('int8-channel') })}
        >
          <option value="">no blocks</option>
          {OVERRIDE_BLOCKS.map((b, i) => <option key={b.label} value={i}>{b.label}</option>)}
          <option value={PICK} disabled={!nBlocks}>blocks I tick{nBlocks ? '' : ' (load a model with numbered blocks)'}</option>
        </select>
      </label>
      {override?.at === PICK && (
        <span role="group" aria-label="blocks by another method" data-testid="add-override-block-list">
          {Array.from({ length: nBlocks }, (_, k) => (
            <label key={k}>
              <input type="checkbox" checked={override.picked.includes(k)} onChange={(e) => toggle(override, k, e.target.checked)} data-testid={`add-override-block-${k}`} /> {k}
            </label>
          ))}
        </span>
      )}
      {override && (
        <>
          <label>
            as{' '}
            <select value={override.choice.method} onChange={(e) => setOverride({ ...override, choice: pick(e.target.value) })} data-testid="add-override-method">
              {REGISTERED.map((m) => <option key={m.id} value={m.id}>{m.label}</option>)}
            </select>
          </label>
          <MethodFields choice={override.choice} onChange={(choice) => setOverride({ ...override, choice })} prefix="override" />
        </>
      )}
      <label title="every linear weight but the LM head is compressed; the token embedding only when ticked (a head tied to it is then compressed with it, once, and the embedding reads it)">
        <input type="checkbox" checked={embeddings} onChange={(e) => setEmbeddings(e.target.checked)} data-testid="add-embeddings" /> embedding too
      </label>
      <label title="the LM head (the layer producing the logits) is left f32 unless ticked, as llama.cpp and AutoGPTQ leave the output layer unquantized; calibrated methods then calibrate it too">
        <input type="checkbox" checked={head} onChange={(e) => setHead(e.target.checked)} data-testid="add-head" /> LM head too
      </label>
      <button onClick={() => typeof normalized !== 'string' && set(withSpec(list, normalized))} disabled={typeof normalized === 'string'} title={typeof normalized === 'string' ? normalized : undefined} data-testid="add-spec">
        Add
      </button>
      {typeof normalized === 'string' && <span className="warn-text">{normalized}</span>}
    </div>
  );
}
