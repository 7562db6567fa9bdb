/** The variants the next run makes, in order, each removable. */
import type { VariantSpec } from '../../../workers/api';
import { specKey } from '../../store/results';
import { specLabel, withoutSpec } from '../../lib/specs';

export function SpecList({ list, set }: { list: VariantSpec[]; set: (l: VariantSpec[]) => void }) {
  if (list.length === 0) return <p className="muted small" data-testid="spec-list">No variants: a run measures the baseline only.</p>;
  return (
    <ol className="spec-list" data-testid="spec-list" aria-label="variants to make">
      {list.map((s) => (
        <li key={specKey({ spec: s })} data-testid="spec-item" data-key={specKey({ spec: s })}>
          {specLabel(s)}
          <button className="link small" onClick={() => set(withoutSpec(list, s))} aria-label={`remove ${specLabel(s)}`} data-testid="spec-remove">×</button>
        </li>
      ))}
    </ol>
  );
}
