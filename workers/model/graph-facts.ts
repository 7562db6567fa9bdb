/**
 * What a lone .onnx (dropped without config.json) says about itself, read from the graph alone:
 *   - vocabulary: the last dimension of `logits` when the graph fixes it, else the rows of the
 *     embedding table that `input_ids` index (a Gather / GatherBlockQuantized on an initializer);
 *   - positions: the rows of a second table of the same width gathered by anything else (GPT-2's wpe);
 *   - layers, key/value heads and head size: the `past_key_values.N.key` inputs (batch, kv heads,
 *     past, head_dim); with grouped-query attention the query heads are more, and the graph does not say.
 * A graph with rotary positions computed inside has no position table: its context stays unknown
 * (nothing is guessed) and the evaluation's context must be set by hand.
 * configFromGraph turns these into the few config.json fields the lab reads, so a graph without its
 * folder loads like one with it; the card says which fields came from the graph.
 */
import { toNum, type ModelProto } from './onnx-graph';

interface Dim { dimValue?: unknown; dimParam?: string }
interface ValueInfo { name: string; type?: { tensorType?: { shape?: { dim?: Dim[] } } } }

export interface GraphFacts {
  vocabSize?: number;
  /** where vocabSize was read, for messages: "logits" or the embedding's name and shape */
  vocabFrom?: string;
  nPositions?: number;
  layers?: number;
  kvHeads?: number;
  headDim?: number;
}

/** Ops that pass token ids on unchanged in value (shape or type only). */
const ID_PASSTHROUGH = new Set(['Cast', 'Reshape', 'Unsqueeze', 'Squeeze', 'Flatten', 'Identity']);

const staticDims = (v: ValueInfo | undefined): (number | undefined)[] =>
  (v?.type?.tensorType?.shape?.dim ?? []).map((d) => {
    const n = d.dimParam ? 0 : toNum(d.dimValue ?? 0);
    return n > 0 ? n : undefined;
  });

export function graphFacts(proto: ModelProto): GraphFacts {
  const g = proto.graph!;
  const facts: GraphFacts = {};
  const dimsOf = new Map(g.initializer.map((t) => [t.name, t.dims.map(toNum)]));
  const inputs = g.input as unknown as ValueInfo[];
  const outputs = g.output as unknown as ValueInfo[];
  // names carrying input_ids' values
  const ids = new Set(['input_ids']);
  for (const n of g.node) if (ID_PASSTHROUGH.has(n.opType) && ids.has(n.input[0])) n.output.forEach((o) => ids.add(o));
  const tables = g.node
    .filter((n) => (n.opType === 'Gather' || n.opType === 'GatherBlockQuantized') && dimsOf.get(n.input[0])?.length === 2)
    .map((n) => ({ name: n.input[0], dims: dimsOf.get(n.input[0])!, byIds: ids.has(n.input[1]) }));
  const embedding = tables.find((t) => t.byIds);
  const logits = staticDims(outputs.find((o) => o.name === 'logits'));
  if (logits.length === 3 && logits[2]) {
    facts.vocabSize = logits[2];
    facts.vocabFrom = `the logits' last dimension (${logits[2]})`;
  } else if (embedding) {
    facts.vocabSize = embedding.dims[0];
    facts.vocabFrom = `its embedding ${embedding.name} (${embedding.dims.join(' × ')})`;
  }
  // GatherBlockQuantized packs the width, so only a plain table's width is compared
  const positions = embedding && tables.find((t) => !t.byIds && t.name !== embedding.name && t.dims[1] === embedding.dims[1]);
  if (positions) facts.nPositions = positions.dims[0];
  const pasts = inputs.filter((i) => /^past_key_values\.\d+\.key$/.test(i.name));
  if (pasts.length) {
    facts.layers = pasts.length;
    const [, heads, , headDim] = staticDims(pasts[0]);
    if (heads) facts.kvHeads = heads;
    if (headDim) facts.headDim = headDim;
  }
  return facts;
}

/** The config.json fields the lab reads, from the graph; `_from_graph` lists them for the card. */
export function configFromGraph(proto: ModelProto): Record<string, unknown> {
  const f = graphFacts(proto);
  const cfg: Record<string, unknown> = {
    vocab_size: f.vocabSize,
    n_positions: f.nPositions,
    num_hidden_layers: f.layers,
    num_key_value_heads: f.kvHeads,
    head_dim: f.headDim,
  };
  for (const k of Object.keys(cfg)) if (cfg[k] === undefined) delete cfg[k];
  return { model_type: 'unknown', ...cfg, _from_graph: Object.keys(cfg) };
}
