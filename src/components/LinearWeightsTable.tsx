/** Collapsible table of the model's linear weights: the tensors the methods compress (the LM head only when a variant opts in, so it is marked). */
import type { LinearWeight } from '../../workers/api';
import { compact } from '../lib/format';

export function LinearWeightsTable({ weights, lmHead }: { weights: LinearWeight[]; lmHead?: string }) {
  return (
    <details className="weights">
      <summary>Linear weights ({weights.length})</summary>
      <div className="scroll">
        <table>
          <thead>
            <tr><th>name</th><th>op</th><th>shape</th><th>params</th><th>layout</th><th>shared</th></tr>
          </thead>
          <tbody>
            {weights.map((w) => (
              <tr key={w.name}>
                <td className="mono" title={`consumed by ${w.node}`}>
                  {w.name}
                  {w.name === lmHead && <span className="small" data-testid="lm-head-tag" title="the layer producing the logits: left f32 unless a variant opts in (LM head too)"> · LM head</span>}
                </td>
                <td>{w.op}</td>
                <td className="mono">[{w.shape.join(', ')}]</td>
                <td className="r">{compact(w.params)}</td>
                <td title={w.layout === 'in_out' ? 'B stored as (in, out)' : 'Gemm transB=1: (out, in)'}>{w.layout}</td>
                <td title={w.shared ? 'also read by a non-linear node (e.g. a tied embedding Gather)' : ''}>{w.shared ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
