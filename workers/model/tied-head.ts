/**
 * A language-model head tied to the token embedding (LM head = embedding, transposed or not),
 * however the file keeps it:
 *   shared             one initializer read by the embedding's Gather and by the head's Gemm
 *                      (transB = 1): one linear weight, marked shared, compressed once — the Gather
 *                      then reads the compressed table too (packed-model.ts);
 *   copy               the head's weight is a second initializer equal to the table (Gemm transB = 1);
 *   transposed-copy    … or equal to its transpose (MatMul B, as torch.onnx writes a tied GPT-2);
 *   through-transpose  the file stores the table once and the head reads Transpose(table): the
 *                      float reference folds the Transpose into a constant, so it becomes a copy.
 * In the three last cases the head is a linear weight of its own and the Gather reads the f32 table:
 * compressing the head compresses the copy; the embedding stays f32.
 * Found by value (bit-equal), on the float reference the variants start from, for the one weight
 * lm-head.ts names the LM head: a linear weight equal to the table elsewhere is not a head.
 */
import type { LinearWeight, TiedHead } from '../api';
import { readF32, type ModelProto, type ParsedModel } from './onnx-graph';

const bitsOf = (v: Float32Array) => new Uint32Array(v.buffer, v.byteOffset, v.length);

function equal(a: Float32Array, b: Float32Array, transposedRows?: number): boolean {
  if (a.length !== b.length) return false;
  const [x, y] = [bitsOf(a), bitsOf(b)];
  if (transposedRows === undefined) {
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  // a is (rows, cols), b is (cols, rows)
  const rows = transposedRows, cols = a.length / rows;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (x[r * cols + c] !== y[c * rows + r]) return false;
  return true;
}

/** The LM head (`lmHead`, lm-head.ts) tied to an embedding table, or undefined. `published` is the graph as the file has it. */
export function tiedHead(parsed: ParsedModel, linear: readonly LinearWeight[], published: ModelProto, lmHead: string | undefined): TiedHead | undefined {
  const w = linear.find((x) => x.name === lmHead);
  if (!w) return undefined;
  const tables = parsed.proto.graph!.node
    .filter((n) => n.opType === 'Gather' && !n.domain)
    .map((n) => parsed.tensors.get(n.input[0]))
    .filter((t) => t && t.dataType === 1 && t.dims.length === 2);
  for (const table of new Set(tables)) {
    const [rows, cols] = table!.dims;
    if (w.name === table!.name) return { head: w.name, embedding: table!.name, stored: 'shared' };
    const sameShape = w.shape[0] === rows && w.shape[1] === cols;
    const transposed = w.shape[0] === cols && w.shape[1] === rows;
    if (!sameShape && !transposed) continue;
    const E = readF32(table!);
    const W = readF32(parsed.tensors.get(w.name)!);
    if (sameShape && equal(W, E)) return { head: w.name, embedding: table!.name, stored: 'copy' };
    if (transposed && equal(E, W, rows)) {
      const viaTranspose = published.graph!.node.some((n) => n.opType === 'Transpose' && n.input[0] === table!.name && n.output[0] === w.name);
      return { head: w.name, embedding: table!.name, stored: viaTranspose ? 'through-transpose' : 'transposed-copy' };
    }
  }
  return undefined;
}
