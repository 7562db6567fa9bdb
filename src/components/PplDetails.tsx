/** The statistics beside a perplexity: interval, mean NLL, bits per byte, BOS handling, bytes read back. */
import type { PerplexityResult } from '../../workers/api';
import { bytes } from '../lib/format';

export function PplDetails({ p }: { p: PerplexityResult }) {
  if (!p.ci95) return <span data-testid="ppl-details">mean NLL {p.meanNll.toFixed(4)} nats (stored before intervals existed)</span>;
  const oneWindow = p.windows < 2;
  return (
    <span data-testid="ppl-details">
      95 % CI {oneWindow ? 'needs 2+ windows' : `${p.ci95[0].toFixed(2)}–${p.ci95[1].toFixed(2)}`} (bootstrap over windows, seeded) · mean NLL {p.meanNll.toFixed(4)} nats ·{' '}
      <span title={`Σ NLL / ln 2 over the ${p.bytesScored} UTF-8 bytes of the scored tokens: compares models with different tokenizers`}>{p.bitsPerByte?.toFixed(4)} bits/byte</span>
      {p.readback && <> · read back {p.readback.perToken.toFixed(1)} B/token (+ {bytes(p.readback.checkBytes)} agreement check)</>}
      {p.bos && <><br />BOS: {p.bos}</>}
    </span>
  );
}
