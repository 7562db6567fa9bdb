/** A whole-number input: empty means "not set" (undefined), anything else is rounded and kept at or above `min`. */
export function NumberInput({ value, onChange, min, max, testId, placeholder }: {
  value: number | undefined; onChange: (v: number | undefined) => void; min: number; max?: number; testId: string; placeholder?: string;
}) {
  return (
    <input
      type="number" min={min} max={max} value={value ?? ''} placeholder={placeholder} data-testid={testId}
      onChange={(e) => {
        const v = e.target.valueAsNumber;
        onChange(Number.isFinite(v) ? Math.max(min, Math.round(v)) : undefined);
      }}
    />
  );
}
