/** A preset replaces the variant list; what it asks for that this build cannot make is named under it. */
import { useState } from 'react';
import type { VariantSpec } from '../../../workers/api';
import { applyPreset, PRESETS } from '../../lib/presets';
import { useLab } from '../../store';
import { blockCount } from '../../../workers/model/blocks';

export function PresetPicker({ set }: { set: (l: VariantSpec[]) => void }) {
  const [chosen, setChosen] = useState(PRESETS[0].id);
  const [missing, setMissing] = useState<{ preset: string; labels: string[] } | undefined>();
  const preset = PRESETS.find((p) => p.id === chosen)!;
  const model = useLab((s) => s.model);
  const apply = () => {
    // per-block presets (layer sensitivity) need the loaded model's block count
    const r = applyPreset(preset, undefined, model ? { blocks: blockCount(model.linearWeights) } : undefined);
    set(r.specs);
    setMissing({ preset: preset.name, labels: r.missing });
  };
  return (
    <div className="presets">
      <div className="row">
        <label>
          Preset{' '}
          <select value={chosen} onChange={(e) => setChosen(e.target.value)} data-testid="preset-select">
            {PRESETS.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
        </label>
        <button onClick={apply} data-testid="preset-apply">Use preset</button>
      </div>
      <div className="muted small">{preset.about}</div>
      {missing && missing.labels.length > 0 && (
        <div className="warn-text" data-testid="preset-note">
          {missing.preset}: left out: {missing.labels.join(', ')}.
        </div>
      )}
    </div>
  );
}
