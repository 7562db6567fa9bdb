/**
 * Says when the LM head is the token embedding (tied) and what compressing it does to the
 * embedding, which depends on how the file keeps the two (workers/model/tied-head.ts).
 */
import type { TiedHead } from '../../workers/api';

export function tiedHeadSentence(t: TiedHead): string {
  const [head, emb] = [`"${t.head}"`, `"${t.embedding}"`];
  switch (t.stored) {
    case 'shared':
      return `Head tied to the embedding: ${emb} is both the token embedding (Gather) and the LM head, stored once. Compressing the head compresses the embedding too: the one tensor is compressed once and the Gather reads the compressed table (GatherBlockQuantized for MatMulNBits, through DequantizeLinear or Cast for int8 and fp16; NF4 keeps it f32).`;
    case 'copy':
    case 'transposed-copy':
      return `Head tied to the embedding, stored twice: the LM head ${head} equals the embedding ${emb}${t.stored === 'transposed-copy' ? ' transposed' : ''}. Compressing the head compresses this copy only; the embedding's Gather keeps reading ${emb} in f32, so every variant still holds the table twice (once f32, once compressed).`;
    case 'through-transpose':
      return `Head tied to the embedding through a Transpose: the file stores ${emb} once and the head reads it transposed. The float reference the variants start from folds that Transpose into a copy (${head}), so compressing the head compresses the copy; the embedding's Gather keeps reading ${emb} in f32 and every variant holds the table twice.`;
  }
}

export function TiedHeadNote({ tied }: { tied: TiedHead }) {
  return (
    <p className="published-note" role="note" data-testid="tied-head" data-stored={tied.stored}>
      {tiedHeadSentence(tied)}
    </p>
  );
}
