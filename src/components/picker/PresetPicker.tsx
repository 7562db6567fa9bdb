/** A preset replaces the variant list; what it asks for that this build cannot make is named under it. */
import { useState } from 'react';
import type { VariantSpec } from '../../../workers/api';
import { applyPreset, PRESETS } from '../../lib/presets';

export function PresetPicker({ set }: { set: (l: VariantSpec[]) => void }) {
  const [chosen, setChosen] = useState(PRESETS[0].id);
  const [missing, setMissing] = useState<{ preset: string; labels: string[] } | undefined>();
  const preset = PRESETS.find((p) => p.id === chosen)!;
  const apply = () => {
    const r = applyPreset(preset);
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
          {missing.preset}: left out, no such method in this build yet: {missing.labels.join(', ')}.
        </div>
      )}
    </div>
  );
}
