/** "Open model folder / files" buttons: a folder picker (webkitdirectory) and a plain multi-file picker. */
import { useRef, type ChangeEvent } from 'react';
import { DEMO_CLASSIFIER, DEMO_MODEL, DEMO_MODEL_LARGE, DEMO_MODEL_SMALL, loadDemo, loadPicked } from '../engine/lab';
import { readFileList } from '../lib/files';
import { useLab } from '../store';
import { HubModelField } from '../hub/HubModelField';

export function OpenModel() {
  const loading = useLab((s) => s.loading);
  const running = useLab((s) => s.running);
  const folder = useRef<HTMLInputElement>(null);
  const files = useRef<HTMLInputElement>(null);
  const onPick = async (e: ChangeEvent<HTMLInputElement>) => {
    const input = e.currentTarget;
    const list = input.files ? Array.from(input.files) : [];
    if (list.length > 0) await loadPicked(() => readFileList(list));
    input.value = '';
  };
  const busy = !!loading || running;
  return (
    <div className="open-model">
      <button onClick={() => folder.current?.click()} disabled={busy}>Open model folder…</button>
      <button onClick={() => files.current?.click()} disabled={busy}>Open model files…</button>
      <button className="link" onClick={() => loadDemo(DEMO_MODEL)} disabled={busy}>Reload demo</button>
      <button className="link" onClick={() => loadDemo(DEMO_MODEL_SMALL)} disabled={busy} data-testid="demo-lm-small"
        title="A larger sibling of the demo LM (width 128, 1.9 M parameters): the same data, tokenizer and recipe">Demo LM 1.9 M</button>
      <button className="link" onClick={() => loadDemo(DEMO_MODEL_LARGE)} disabled={busy} data-testid="demo-lm-large"
        title="The largest demo LM (width 256, 5.3 M parameters): the same data and tokenizer">Demo LM 5.3 M</button>
      <button className="link" onClick={() => loadDemo(DEMO_CLASSIFIER)} disabled={busy} data-testid="demo-classifier">Demo classifier</button>
      <input
        ref={folder} type="file" multiple hidden data-testid="folder-input" onChange={onPick}
        {...{ webkitdirectory: '', directory: '' }}
      />
      <input ref={files} type="file" multiple hidden data-testid="file-input" onChange={onPick} />
      <HubModelField />
      {loading && <span className="muted">Loading {loading}…</span>}
    </div>
  );
}
