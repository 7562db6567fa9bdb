/**
 * Classify on the built-in labelled examples or a .jsonl the user picks ({"text", "label"} per
 * line, the label a name of the model's labels or a class index), kept after a reload; a file
 * with bad lines is refused naming them.
 */
import { useState } from 'react';
import { pickExamples } from '../engine/dropped';
import { useExamplesFile } from '../store/examples-file';

export function ExamplesPicker({ builtIn, labels }: { builtIn: string; labels: readonly string[] }) {
  const { file, setFile } = useExamplesFile();
  const [error, setError] = useState<string>();
  const pick = async (f: File | undefined) => {
    if (!f) return;
    setError(pickExamples(f.name, new Uint8Array(await f.arrayBuffer())));
  };
  return (
    <div className="row small" data-testid="examples-picker">
      <span>labelled examples: <b data-testid="examples-name">{file ? file.name : builtIn}</b>{file && <span className="muted"> ({file.rows?.toLocaleString() ?? '?'} examples; kept after a reload)</span>}</span>
      <input type="file" accept=".jsonl,application/jsonl,application/x-ndjson" aria-label="classify on a .jsonl file" data-testid="examples-file" onChange={(e) => void pick(e.target.files?.[0])} title={`one {"text": "...", "label": ...} per line; labels: ${labels.join(', ')} (or 0–${labels.length - 1})`} />
      {file && <button type="button" data-testid="examples-builtin" onClick={() => setFile(undefined)}>back to {builtIn}</button>}
      {error && <span className="warn-text" data-testid="examples-error">{error}</span>}
    </div>
  );
}
