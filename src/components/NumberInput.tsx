/**
 * A whole-number input: empty means "not set" (undefined), anything else is rounded and kept at or
 * above `min`; with `clamp={false}` it is kept as typed, for a field whose out-of-range value is
 * refused with a message (src/lib/run-settings-check.ts) rather than silently changed.
 */
export function NumberInput({ value, onChange, min, max, testId, placeholder, clamp = true }: {
  value: number | undefined; onChange: (v: number | undefined) => void; min: number; max?: number; testId: string; placeholder?: string; clamp?: boolean;
}) {
  return (
    <input
      type="number" min={min} max={max} value={value ?? ''} placeholder={placeholder} data-testid={testId}
      onChange={(e) => {
        const v = e.target.valueAsNumber;
        onChange(Number.isFinite(v) ? (clamp ? Math.max(min, Math.round(v)) : Math.round(v)) : undefined);
      }}
    />
  );
}
