/**
 * One method as a checkbox, with chips for the choices of its first option: the quick way to add
 * or remove single-method variants. Checked = the list holds that method alone (no `then`);
 * ticking it adds the method with its defaults, unticking removes every plain variant of it.
 * The chips stay enabled, so picking a ratio also ticks its method.
 */
import type { VariantSpec } from '../../../workers/api';
import type { MethodMeta } from '../../../workers/compression/types';
import { defaultSpec, isPlainOf, sameSpec, specWith, withoutSpec, withSpec } from '../../lib/specs';

/** The test ids the lab had before the picker was generic, kept stable. */
const TEST_ID: Record<string, string> = {
  'magnitude-prune': 'method-prune',
  'int8-channel': 'method-int8',
  'int4-group': 'method-int4',
  fp16: 'method-fp16',
};
const chipTestId = (meta: MethodMeta<any>, key: string, v: unknown) =>
  meta.id === 'magnitude-prune' ? `prune-${v}` : `${meta.id}-${key}-${String(v)}`;

export function QuickToggle({ meta, list, set }: { meta: MethodMeta<any>; list: VariantSpec[]; set: (l: VariantSpec[]) => void }) {
  const plain = list.filter((s) => isPlainOf(s, meta.id));
  const field = meta.fields[0];
  const toggleMethod = (on: boolean) => set(on ? withSpec(list, defaultSpec(meta)) : list.filter((s) => !isPlainOf(s, meta.id)));
  return (
    <div className="quick">
      <label title={meta.description}>
        <input type="checkbox" checked={plain.length > 0} onChange={(e) => toggleMethod(e.target.checked)} data-testid={TEST_ID[meta.id] ?? `method-${meta.id}`} />
        {meta.label}
      </label>
      {field && field.choices.length > 1 && (
        <span className="ratios" role="group" aria-label={`${meta.label} ${field.label}`}>
          {field.choices.map((v) => {
            const spec = specWith(meta, field.key, v);
            if (!spec) return null;
            const on = plain.some((s) => sameSpec(s, spec));
            return (
              <label key={String(v)} className="chip">
                <input type="checkbox" checked={on} onChange={() => set(on ? withoutSpec(list, spec) : withSpec(list, spec))} data-testid={chipTestId(meta, field.key, v)} />
                {field.format ? field.format(v) : `${field.label} ${String(v)}`}
              </label>
            );
          })}
        </span>
      )}
    </div>
  );
}
