/** Evaluate on the built-in text or a .txt the user picks (kept after a reload); a file that is not UTF-8 text is refused with the reason. */
import { useState } from 'react';
import { pickEvalText } from '../engine/dropped';
import { useEvalText } from '../store/eval-text';

export function EvalTextPicker({ builtIn }: { builtIn: string }) {
  const { file: text, setFile: setText } = useEvalText();
  const [error, setError] = useState<string>();
  const pick = async (file: File | undefined) => {
    if (!file) return;
    setError(pickEvalText(file.name, new Uint8Array(await file.arrayBuffer())));
  };
  return (
    <div className="row" data-testid="eval-text">
      <span>evaluation text: <b data-testid="eval-text-name">{text ? text.name : builtIn}</b>{text && <span className="muted"> ({text.chars.toLocaleString()} characters, {text.data.length.toLocaleString()} bytes; the token limit is its token count; kept after a reload)</span>}</span>
      <input type="file" accept=".txt,text/plain" aria-label="evaluate on a .txt file" data-testid="eval-text-file" onChange={(e) => void pick(e.target.files?.[0])} />
      {text && <button type="button" data-testid="eval-text-builtin" onClick={() => setText(undefined)}>back to {builtIn}</button>}
      {error && <span className="warn-text" role="alert" data-testid="eval-text-error">{error}. Still evaluating on {text ? text.name : builtIn}; pick a UTF-8 .txt to change it.</span>}
    </div>
  );
}
