/**
 * The Hugging Face model id field beside the model buttons: type an id, press Load. Nothing is
 * requested before the click (the cache summary below reads the browser's Cache API, not the
 * network). While files arrive: bytes, rate and time left, and Cancel.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { bytes, duration, plural } from '../lib/format';
import { useLab } from '../store';
import { cacheSummary, clearCache } from './cache';
import { hubBase, parseModelId } from './hub-id';
import { loadFromHub } from './load-hub';
import { activeSession, useHub, type HubProgress } from './session';
import './hub.css';

function progressText(p: HubProgress): string {
  const total = Math.max(p.total, p.done);
  const pct = total > 0 ? ` (${Math.floor((p.done / total) * 100)} %)` : '';
  let rate = '';
  const secs = p.firstByteAt ? (Date.now() - p.firstByteAt) / 1000 : 0;
  if (secs >= 0.3 && p.downloaded > 0) {
    const perS = p.downloaded / secs;
    rate = ` · ${bytes(perS)}/s · about ${duration((total - p.done) / perS)} left`;
  }
  return `${bytes(p.done)} of ${bytes(total)}${pct}${rate}`;
}

export function HubModelField() {
  const [text, setText] = useState('');
  const [cached, setCached] = useState<{ ids: string[]; bytes: number }>({ ids: [], bytes: 0 });
  const { progress, error, status, modelId } = useHub();
  const current = useLab((s) => s.model?.id);
  const busy = useLab((s) => !!s.loading || s.running) || !!progress;
  const refresh = useCallback(() => void cacheSummary().then(setCached, () => undefined), []);
  useEffect(refresh, [refresh, status, error]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const where = hubBase(location.search);
    if ('problem' in where) return useHub.getState().set({ error: where.problem, status: undefined, modelId: undefined });
    let id: string;
    try {
      id = parseModelId(text, where.base);
    } catch (err) {
      return useHub.getState().set({ error: (err as Error).message, status: undefined, modelId: undefined });
    }
    await loadFromHub(id, where.base);
  };
  const clear = async () => {
    await clearCache();
    useHub.getState().set({ status: 'Hub cache cleared: the next load of an id downloads it again.', error: undefined, modelId: undefined });
    refresh();
  };

  return (
    <div className="hub-model">
      <form onSubmit={(e) => void submit(e)}>
        <input
          data-testid="hub-model-id" value={text} onChange={(e) => setText(e.target.value)} spellCheck={false}
          placeholder="Hugging Face id, e.g. onnx-community/…" aria-label="Hugging Face model id"
        />
        <button type="submit" data-testid="hub-model-load" disabled={busy || !text.trim()}
          title="Lists the repo, then downloads config, tokenizer and the preferred ONNX graph (kept in this browser)">Load</button>
      </form>
      {progress && (
        <span className="hub-progress" data-testid="hub-progress" data-done={progress.done} data-total={progress.total}>
          <progress max={Math.max(progress.total, progress.done, 1)} value={progress.done} aria-label={`Downloading ${progress.id}`} />
          <span className="small">{progressText(progress)}</span>
          <button type="button" className="link" data-testid="hub-cancel" onClick={() => activeSession()?.cancel()}>Cancel</button>
        </span>
      )}
      {cached.ids.length > 0 && !progress && (
        <span className="small muted" data-testid="hub-cache" title={cached.ids.join(', ')}>
          cached: {plural(cached.ids.length, 'model')}, {bytes(cached.bytes)}
          <button type="button" className="link" data-testid="hub-clear" disabled={busy} onClick={() => void clear()}>Clear</button>
        </span>
      )}
      {status && !progress && (!modelId || modelId === current) && <span className="small muted hub-line" data-testid="hub-status">{status}</span>}
      {error && !progress && <p className="hub-line hub-error" role="alert" data-testid="hub-error">{error}</p>}
    </div>
  );
}
