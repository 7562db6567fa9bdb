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
import { fileSourceOf, syncReader } from './external-files';
import { readF32, type ModelProto, type ParsedModel, type TensorInfo } from './onnx-graph';

/**
 * Floats of a file-backed tensor read at a time (16 MiB). A dropped model's table and head are
 * still in their file: read whole they were 2 × 147 MiB of garbage after every 124 M GPT-2 load,
 * which the worker's GC had not freed seconds later (bench-gptq-124m, smaps of the renderer: load
 * +403 MiB over idle). Now a head that is a copy is read a chunk at a time beside the table's chunk;
 * a transposed copy beside the whole table (its columns are the head's rows: reading the table in
 * chunks too took a read per head row per chunk, 3,800 reads, and the load 13 s instead of 5 s on a
 * busy machine), and what was read is freed at once. Measured (the 124 M shape dropped, the
 * renderer's RSS after the load): 550 MiB before, 292 MiB now, load 4.1–5.6 s before, 4.0–4.1 s now.
 */
export const TIED_CHUNK_FLOATS = 1 << 22;

/** Floats [from, to) of a float tensor: that slice read from its file when it is still there (`read`: a fresh buffer), else a view of its bytes. */
function floatsOf(t: TensorInfo): { floats: (from: number, to: number) => Float32Array; read: boolean } {
  const blob = fileSourceOf(t.proto);
  const read = blob && syncReader();
  if (!read) {
    const all = readF32(t);
    return { floats: (from, to) => all.subarray(from, to), read: false };
  }
  // copied out of what FileReaderSync gives: a copy V8 allocated is freed by free() at once (measured), the reader's own buffer was not
  return { floats: (from, to) => new Float32Array(read(blob, from * 4, to * 4).slice().buffer), read: true };
}

/** A buffer read here given back now, not at the worker's next GC (detached: ArrayBuffer.prototype.transfer). */
const free = (a: Float32Array) => (a.buffer as ArrayBuffer & { transfer?: (n: number) => ArrayBuffer }).transfer?.(0);

const bitsOf = (v: Float32Array) => new Uint32Array(v.buffer, v.byteOffset, v.length);

type Source = ReturnType<typeof floatsOf>;

/** E (rows, cols) equals W bit for bit: W (rows, cols) when not `transposed`, else W (cols, rows) = Eᵀ. */
function equal(e: Source, w: Source, rows: number, cols: number, transposed: boolean, chunkFloats: number): boolean {
  if (!transposed) {
    for (let at = 0; at < rows * cols; at += chunkFloats) {
      const end = Math.min(rows * cols, at + chunkFloats);
      const [a, b] = [e.floats(at, end), w.floats(at, end)];
      const [x, y] = [bitsOf(a), bitsOf(b)];
      let same = true;
      for (let i = 0; i < x.length && same; i++) same = x[i] === y[i];
      if (e.read) free(a);
      if (w.read) free(b);
      if (!same) return false;
    }
    return true;
  }
  const table = e.floats(0, rows * cols);
  const x = bitsOf(table);
  const step = Math.max(1, Math.floor(chunkFloats / rows));
  let same = true;
  for (let c0 = 0; c0 < cols && same; c0 += step) {
    const c1 = Math.min(cols, c0 + step);
    const part = w.floats(c0 * rows, c1 * rows);
    const y = bitsOf(part);
    rows: for (let r = 0; r < rows; r++) {
      const at = r * cols;
      for (let c = c0; c < c1; c++) {
        if (x[at + c] !== y[(c - c0) * rows + r]) {
          same = false;
          break rows;
        }
      }
    }
    if (w.read) free(part);
  }
  if (e.read) free(table);
  return same;
}

/** The LM head (`lmHead`, lm-head.ts) tied to an embedding table, or undefined. `published` is the graph as the file has it. */
export function tiedHead(parsed: ParsedModel, linear: readonly LinearWeight[], published: ModelProto, lmHead: string | undefined, chunkFloats = TIED_CHUNK_FLOATS): TiedHead | undefined {
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
    const E = floatsOf(table!);
    const W = floatsOf(parsed.tensors.get(w.name)!);
    if (sameShape && equal(E, W, rows, cols, false, chunkFloats)) return { head: w.name, embedding: table!.name, stored: 'copy' };
    if (transposed && equal(E, W, rows, cols, true, chunkFloats)) {
      const viaTranspose = published.graph!.node.some((n) => n.opType === 'Transpose' && n.input[0] === table!.name && n.output[0] === w.name);
      return { head: w.name, embedding: table!.name, stored: viaTranspose ? 'through-transpose' : 'transposed-copy' };
    }
  }
  return undefined;
}
