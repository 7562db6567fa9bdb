/** The other ONNX graphs of the folder the model came from (model_fp16.onnx, model_q4.onnx, …): one click loads one instead. */
import { loadOtherGraph } from '../engine/lab';
import { useLab } from '../store';

export function OtherGraphs() {
  const others = useLab((s) => s.otherGraphs);
  const busy = useLab((s) => !!s.loading || s.running);
  if (!others.length) return null;
  return (
    <p className="muted" data-testid="other-graphs">
      Other graphs in this folder:{' '}
      {others.map((g) => (
        <button key={g} className="link" disabled={busy} onClick={() => void loadOtherGraph(g)} data-testid="other-graph" data-path={g}>
          {g.slice(g.lastIndexOf('/') + 1)}
        </button>
      ))}{' '}
      — only the graph in use was read.
    </p>
  );
}
