/**
 * Says when the LM head is the token embedding (tied), what a variant compresses by default (neither:
 * the head and the embedding are opt-in, VariantSpec.head and .embeddings), and what opting in does,
 * which depends on how the file keeps the two (workers/model/tied-head.ts, workers/variants/embeddings.ts).
 */
import type { TiedHead } from '../../workers/api';

const BY_DEFAULT = 'By default a variant compresses neither: both stay f32, as llama.cpp and AutoGPTQ leave the output layer unquantized.';

export function tiedHeadSentence(t: TiedHead): string {
  const [head, emb] = [`"${t.head}"`, `"${t.embedding}"`];
  switch (t.stored) {
    case 'shared':
      return `Head tied to the embedding: ${emb} is both the token embedding (Gather) and the LM head, stored once. ${BY_DEFAULT} "LM head too" or "embedding too" compresses the one tensor once and the Gather reads the compressed table (GatherBlockQuantized for MatMulNBits, through DequantizeLinear or Cast for int8 and fp16; NF4 keeps it f32).`;
    case 'copy':
    case 'transposed-copy':
      return `Head tied to the embedding, stored twice: the LM head ${head} equals the embedding ${emb}${t.stored === 'transposed-copy' ? ' transposed' : ''}. ${BY_DEFAULT} "LM head too" compresses the head's copy only (the Gather keeps reading ${emb} in f32, so the table is held twice, once f32, once compressed); "embedding too" compresses the head and points the Gather at it, so the table is held once, compressed.`;
    case 'through-transpose':
      return `Head tied to the embedding through a Transpose: the file stores ${emb} once and the head reads it transposed; the float reference the variants start from folds that Transpose into a copy (${head}). ${BY_DEFAULT} "LM head too" compresses that copy (the Gather keeps reading ${emb} in f32: the table held twice); "embedding too" compresses it and points the Gather at it: the table held once, compressed.`;
  }
}

export function TiedHeadNote({ tied }: { tied: TiedHead }) {
  return (
    <p className="published-note" role="note" data-testid="tied-head" data-stored={tied.stored}>
      {tiedHeadSentence(tied)}
    </p>
  );
}
