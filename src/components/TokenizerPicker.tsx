/**
 * Shown after a lone .onnx came without tokenizer.json: pick one of the lab's built-in tokenizers
 * (the engine takes it only when its vocabulary is the graph's) or give the model's own tokenizer
 * files, which are loaded beside the .onnx already read.
 */
import { useRef, type ChangeEvent } from 'react';
import { loadFiles } from '../engine/lab';
import { useLab } from '../store';
import { useTokenizerAsk } from '../store/tokenizer-ask';
import { BUILTIN_TOKENIZERS } from '../../workers/model/builtin-tokenizer';

export function TokenizerPicker() {
  const ask = useTokenizerAsk((s) => s.ask);
  const busy = useLab((s) => !!s.loading || s.running);
  const input = useRef<HTMLInputElement>(null);
  if (!ask) return null;
  const onFiles = async (e: ChangeEvent<HTMLInputElement>) => {
    const el = e.currentTarget;
    const given = await Promise.all(Array.from(el.files ?? []).map(async (f) => ({ path: f.name, data: await f.arrayBuffer() })));
    el.value = '';
    // beside the .onnx: the same folder as the graph's
    const graph = ask.files.find((f) => f.path.endsWith('.onnx'))!.path;
    const dir = graph.slice(0, graph.lastIndexOf('/') + 1);
    if (given.length) await loadFiles([...ask.files, ...given.map((g) => ({ ...g, path: dir + g.path }))]);
  };
  return (
    <section className="card" data-testid="tokenizer-picker">
      <h2>A tokenizer for this model</h2>
      <p>{ask.why}.</p>
      <p>
        {Object.entries(BUILTIN_TOKENIZERS).map(([name, label]) => (
          <button key={name} disabled={busy} onClick={() => void loadFiles(ask.files, { tokenizer: name })} data-testid={`tokenizer-builtin-${name}`}>
            Use {label}
          </button>
        ))}{' '}
        <button disabled={busy} onClick={() => input.current?.click()}>Give tokenizer.json…</button>{' '}
        <button className="link" disabled={busy} onClick={() => useTokenizerAsk.setState({ ask: undefined })}>Cancel</button>
        <input ref={input} type="file" multiple hidden accept=".json" data-testid="tokenizer-files" onChange={onFiles} />
      </p>
      {ask.refused && <p role="alert" className="error" data-testid="tokenizer-refused">{ask.refused}</p>}
    </section>
  );
}
