/**
 * Optimum's merged decoder (decoder_model_merged.onnx): one If on the input `use_cache_branch`
 * whose else branch is the decoder without a cache and whose then branch the decoder with one;
 * the branches read the weights from the outer graph (or hold them themselves).
 *
 * The lab lists, compresses and rewrites weights in the outer graph's nodes, so on load the merged
 * graph is replaced, in the engine's working copy only, by its with-cache branch inlined: a
 * KV-cache decoder. Fed an empty past (what every prefill window gets, graph-kind.ts) it computes
 * what the no-cache branch computes; onnxruntime-node agrees on the fixture to the last digit
 * (e2e/fixtures/tiny-llama-merged). The baseline still runs the file as published (the If, fed
 * use_cache_branch = false for prefill and true for decode); variants are written from the
 * inlined graph.
 */
import { labError } from '../errors';
import type { GraphProto, ModelProto, NodeProto, TensorProto } from './onnx-graph';

export const CACHE_BRANCH_INPUT = 'use_cache_branch';

interface SubgraphAttr {
  name: string;
  g?: GraphProto & { valueInfo?: unknown[] };
}

/** What the card says about a merged decoder. */
export const MERGED_NOTE =
  'merged decoder (use_cache_branch): the baseline runs the file as published; variants are written from its with-cache branch, fed an empty past for prefill';

/**
 * When `proto` is a merged decoder, rewrites it in place into its with-cache branch and returns
 * MERGED_NOTE; otherwise leaves it alone and returns undefined.
 */
export function inlineCacheBranch(proto: ModelProto, file: string): string | undefined {
  const g = proto.graph as (GraphProto & { valueInfo?: unknown[] }) | null;
  if (!g) return undefined;
  const at = g.node.findIndex((n) => n.opType === 'If' && n.input[0] === CACHE_BRANCH_INPUT);
  if (at < 0) return undefined;
  const ifNode = g.node[at];
  const then = (ifNode.attribute as SubgraphAttr[]).find((a) => a.name === 'then_branch')?.g;
  if (!then) throw labError('NotOnnx', `${file}: the If on ${CACHE_BRANCH_INPUT} has no then_branch graph`);
  if (then.output.length !== ifNode.output.length) {
    throw labError('NotOnnx', `${file}: the If on ${CACHE_BRANCH_INPUT} has ${ifNode.output.length} outputs but its then_branch ${then.output.length}`);
  }
  const outer = new Set(g.initializer.map((t) => t.name));
  const clash = then.initializer.find((t) => outer.has(t.name));
  if (clash) throw labError('NotOnnx', `${file}: the with-cache branch's initializer ${clash.name} shadows one of the outer graph`);
  // the branch's outputs become the If's output names through Identity nodes (ORT folds them away)
  const bridges = then.output.map(
    (o, i) => ({ name: `${CACHE_BRANCH_INPUT}/out${i}`, opType: 'Identity', domain: '', input: [o.name], output: [ifNode.output[i]], attribute: [] }) as unknown as NodeProto,
  );
  g.node = [...g.node.slice(0, at), ...then.node, ...bridges, ...g.node.slice(at + 1)];
  g.initializer = [...g.initializer, ...(then.initializer as TensorProto[])];
  if (then.valueInfo?.length) g.valueInfo = [...(g.valueInfo ?? []), ...then.valueInfo];
  g.input = g.input.filter((i) => i.name !== CACHE_BRANCH_INPUT);
  return MERGED_NOTE;
}
