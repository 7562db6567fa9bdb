/**
 * Transformer blocks in an arbitrary decoder graph, found from the graph alone:
 * - blockOf: the block a tensor or node belongs to, from its name ("transformer.h.3.attn.c_proj.weight",
 *   "/layers.0/q_proj/MatMul"); used to compress one block at a time (VariantSpec.blocks) and to
 *   label the block outputs.
 * - blockOutputs: the residual-stream tensor after each block. A pre-norm decoder normalizes the
 *   residual stream at the start of every block and once more before the LM head, so the inputs of
 *   each block's first normalization (and of the final norm), in graph order, are the stream between
 *   blocks: input of block 0 (the embeddings), output of block 0, …, output of the last block.
 *   A normalization is a LayerNormalization / SimplifiedLayerNormalization / RMSNormalization node,
 *   or one written out in plain ops: RMSNorm as ReduceMean(Pow(x, 2)) or ReduceMean(Mul(x, x)),
 *   LayerNorm as ReduceMean(x) then x − mean (its x is taken once).
 */
import { labError } from '../errors';
import type { GraphProto, NodeProto } from './onnx-graph';

const BLOCK_RE = /(?:^|[./_])(?:h|layers?|blocks?)[./_](\d+)(?=[./_]|$)/;

/** The block index in a tensor's or node's name, else undefined (embeddings, final norm, LM head, opaque names). */
export function blockIndexIn(name: string): number | undefined {
  const m = BLOCK_RE.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** The block of a linear weight: from its name, else from the name of the node that reads it. */
export function blockOf(w: { name: string; node?: string }): number | undefined {
  return blockIndexIn(w.name) ?? (w.node ? blockIndexIn(w.node) : undefined);
}

/** How many blocks the weights span: the highest block index + 1 (0 when no name carries one). */
export function blockCount(weights: readonly { name: string; node?: string }[]): number {
  let n = 0;
  for (const w of weights) {
    const b = blockOf(w);
    if (b !== undefined) n = Math.max(n, b + 1);
  }
  return n;
}

/** "block 2", "blocks 0, 3" */
export const blocksText = (blocks: readonly number[]) => `${blocks.length === 1 ? 'block' : 'blocks'} ${blocks.join(', ')}`;

/** VariantSpec.blocks checked (distinct integers ≥ 0, at least one) and sorted; undefined when absent. */
export function resolveBlocks(blocks: unknown): number[] | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks) || !blocks.length || !blocks.every((b) => Number.isInteger(b) && b >= 0) || new Set(blocks).size !== blocks.length) {
    throw labError('BadOption', `blocks must be a list of distinct block indices (integers from 0), got ${JSON.stringify(blocks)}`);
  }
  return [...blocks].sort((a, b) => a - b);
}

export interface BlockBoundary {
  /** 0: the input of block 0 (the embeddings); i + 1: the output of block i */
  position: number;
  label: string;
  /** the graph tensor holding the residual stream there */
  tensor: string;
}

export interface BlockOutputs {
  boundaries: BlockBoundary[];
  /** how they were found, in words */
  rule: string;
}

const NORM_OPS = new Set(['LayerNormalization', 'SimplifiedLayerNormalization', 'RMSNormalization']);

interface NormUse {
  x: string;
  node: NodeProto;
}

/** Every normalization's input in graph order (each tensor once). */
function normInputs(g: GraphProto): NormUse[] {
  const producer = new Map<string, NodeProto>();
  for (const n of g.node) for (const o of n.output) producer.set(o, n);
  const out: NormUse[] = [];
  const seen = new Set<string>();
  const add = (x: string, node: NodeProto) => {
    if (!x || seen.has(x)) return;
    seen.add(x);
    out.push({ x, node });
  };
  for (const n of g.node) {
    if (NORM_OPS.has(n.opType)) {
      add(n.input[0], n);
      continue;
    }
    if (n.opType !== 'ReduceMean') continue;
    const src = producer.get(n.input[0]);
    const squares = src && ((src.opType === 'Pow') || (src.opType === 'Mul' && src.input[0] === src.input[1]));
    if (!squares) {
      // LayerNorm written out: mean of x itself (its variance's ReduceMean reads Pow(x − mean), skipped below)
      add(n.input[0], n);
      continue;
    }
    const x = src.input[0];
    const centred = producer.get(x);
    // Pow(x − mean(x), 2): the LayerNorm whose x was taken at its first ReduceMean
    if (centred?.opType === 'Sub' && producer.get(centred.input[1])?.opType === 'ReduceMean') continue;
    add(x, n);
  }
  return out;
}

const label = (position: number) => (position === 0 ? 'embeddings' : `block ${position - 1}`);

/**
 * The residual stream between blocks: by the block index in the norms' node names when they carry
 * one (the first norm of each block; the final norm after the last block), else by count (2 norms a
 * block + the final norm: every other input; otherwise every input). Throws when no norm is found.
 */
export function blockOutputs(g: GraphProto): BlockOutputs {
  const uses = normInputs(g);
  if (!uses.length) throw new Error('no normalization (LayerNormalization, RMSNorm or one written out in ReduceMean) in the main graph: the block outputs cannot be found');
  const indexed = uses.map((u) => ({ ...u, block: blockIndexIn(u.node.name) ?? blockIndexIn(u.node.output[0] ?? '') }));
  const firstOf = new Map<number, string>();
  for (const u of indexed) if (u.block !== undefined && !firstOf.has(u.block)) firstOf.set(u.block, u.x);
  const lastNamed = indexed.map((u) => u.block !== undefined).lastIndexOf(true);
  const final = indexed.slice(lastNamed + 1).find((u) => u.block === undefined);
  const blocks = [...firstOf.keys()].sort((a, b) => a - b);
  const contiguous = blocks.length > 0 && blocks.every((b, i) => b === i);
  if (contiguous && final) {
    const tensors = [...blocks.map((b) => firstOf.get(b)!), final.x];
    return {
      boundaries: tensors.map((tensor, position) => ({ position, label: label(position), tensor })),
      rule: `the input of each block's first normalization (blocks by the index in the node names) and of the final norm: ${blocks.length} blocks`,
    };
  }
  const xs = uses.map((u) => u.x);
  const twoPerBlock = xs.length % 2 === 1 && xs.length >= 3;
  const tensors = twoPerBlock ? xs.filter((_, i) => i % 2 === 0) : xs;
  return {
    boundaries: tensors.map((tensor, position) => ({ position, label: label(position), tensor })),
    rule: twoPerBlock
      ? `every other normalization input in graph order (${xs.length} norms read as 2 a block + the final norm: ${tensors.length - 1} blocks; no block index in the node names)`
      : `every normalization input in graph order (${xs.length} norms read as 1 a block; no block index in the node names)`,
  };
}
