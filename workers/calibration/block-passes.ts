/**
 * Passes that follow the model's blocks (the 124 M shape needs 3 passes of 192 MB of Hessians): each
 * pass covers whole blocks and runs only them. Pass k is fed the residual stream at its first block,
 * which pass k − 1 captured as an extra output, so over all passes the calibration set goes through
 * the model once, and each pass's capture model holds its own blocks' weights only
 * (capture-graph.ts captureSubgraph). Without it every pass ran the whole prefix of the model from
 * the token ids, on a copy of the whole model.
 *
 * The cut points are the block boundaries of workers/model/blocks.ts (the input of each block's first
 * normalization, and of the final norm for the LM head's input). Where they cannot be found, or the
 * layers' inputs do not come block after block, or one block alone is over the budget, there is no
 * block plan and the passes are cut by bytes alone, each running the model from its start.
 */
import type { LinearWeight } from '../api';
import { linearView } from '../compression/layout';
import { blockOf, blockOutputs } from '../model/blocks';
import type { ParsedModel } from '../model/onnx-graph';
import { statLength } from './accumulator';
import type { CalibrationNeed } from './types';

export interface PlannedInput {
  tensor: string;
  cols: number;
}

export interface Pass {
  inputs: PlannedInput[];
  /** the residual stream this pass starts from: fed, not computed (absent: from the token ids) */
  from?: string;
  /** the residual stream the next pass starts from, captured by this one */
  to?: string;
}

/** Whole blocks per pass under `maxBytes` of statistics, or undefined (see the header). */
export function planBlockPasses(m: ParsedModel, weights: readonly LinearWeight[], inputOf: ReadonlyMap<string, string>, need: CalibrationNeed, maxBytes: number): Pass[] | undefined {
  let boundaries: string[];
  try {
    boundaries = blockOutputs(m.proto.graph!).boundaries.map((b) => b.tensor);
  } catch {
    return undefined;
  }
  const nBlocks = boundaries.length - 1;
  // distinct inputs in weight order, each at the boundary its block starts from (the head's: the final norm's)
  const groups: { at: number; inputs: PlannedInput[]; bytes: number }[] = [];
  const placed = new Set<string>();
  for (const w of weights) {
    const tensor = inputOf.get(w.name)!;
    if (placed.has(tensor)) continue;
    placed.add(tensor);
    const at = blockOf(w) ?? nBlocks;
    if (at > nBlocks) return undefined;
    const last = groups[groups.length - 1];
    if (last && at < last.at) return undefined; // not block after block
    const cols = linearView(w.shape, w.layout).inDim;
    const g = last?.at === at ? last : (groups.push({ at, inputs: [], bytes: 0 }), groups[groups.length - 1]);
    g.inputs.push({ tensor, cols });
    g.bytes += statLength(need, cols) * 4;
  }
  if (groups.some((g) => g.bytes > maxBytes)) return undefined;
  const passes: (Pass & { at: number; bytes: number })[] = [];
  for (const g of groups) {
    const cur = passes[passes.length - 1];
    if (cur && cur.bytes + g.bytes <= maxBytes) {
      cur.inputs.push(...g.inputs);
      cur.bytes += g.bytes;
    } else passes.push({ at: g.at, inputs: [...g.inputs], bytes: g.bytes });
  }
  return passes.map((p, k) => ({
    inputs: p.inputs,
    ...(k > 0 ? { from: boundaries[p.at] } : {}),
    ...(k + 1 < passes.length ? { to: boundaries[passes[k + 1].at] } : {}),
  }));
}
