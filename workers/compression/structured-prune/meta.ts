/**
 * structured-prune: remove whole MLP neurons, so the model really has fewer parameters and runs
 * faster. An MLP is an "up" linear layer (or several feeding one element-wise chain, e.g. SwiGLU's
 * gate and up) whose N outputs go element-wise to a "down" linear layer reading those N as its
 * input (workers/variants/structured.ts finds them in the graph). Neuron j's score is the L2 norm
 * of every weight tied to it, squared and summed in this order (f32, each sum rounded):
 *   ‖W_up[:, j]‖² (each up layer in graph order) + b_up[j]² (each N-long bias/constant) + ‖W_down[j, :]‖²
 * In each MLP the round(ratio · N) lowest-scoring neurons go (ties: the lower index first; at least
 * one neuron stays); the graph is rewritten with the up columns, biases and down rows of the kept
 * neurons only.
 * With unit 'heads' the same is done to attention heads (heads.ts: a head's score is the squared
 * L2 norm of its Q/K/V columns, their bias entries and its rows of the output projection; with
 * grouped-query attention the unit is a whole KV group); variants/attention-heads.ts rewrites the
 * graph (the Reshape/Split shapes that carry the head count become constants).
 * Stored dense f32: 32 bits per kept weight, 32 · kept / params per weight of the base model.
 */
import type { MethodOptions } from '../../api';
import { numberInRange, oneOf, rejectUnknownOptions } from '../shared/options';
import type { MethodMeta, OptionField } from '../types';

export interface StructuredPruneOptions {
  /** fraction of each MLP's neurons (or each attention's heads) removed, in [0, 1) */
  ratio: number;
  /** what is removed: MLP neurons (absent) or attention heads */
  unit?: 'heads';
}

export const STRUCTURED_UNITS = ['neurons', 'heads'] as const;

/** What the pass over the graph hands one linear weight (undefined: the weight is in no MLP and stays as it is). */
export interface NeuronPlan {
  /** 'out': neuron j is output channel j (an up layer); 'in': input channel j (the down layer) */
  axis: 'out' | 'in';
  /** 1 = neuron kept, 0 = removed; one byte per neuron */
  keep: Uint8Array;
}

export const NEURON_RATIO_FIELD: OptionField = Object.freeze({
  key: 'ratio',
  label: 'Removed per layer',
  choices: [0.25, 0.5, 0.75],
  format: (v: number | string | boolean) => `${Math.round(Number(v) * 100)} %`,
});

export const UNIT_FIELD: OptionField = Object.freeze({
  key: 'unit',
  label: 'What is removed',
  choices: STRUCTURED_UNITS,
  format: (v: number | string | boolean) => (v === 'heads' ? 'attention heads' : 'MLP neurons'),
});

export const structuredPruneMeta: MethodMeta<StructuredPruneOptions> = Object.freeze({
  id: 'structured-prune',
  label: 'Structured pruning (MLP neurons / attention heads)',
  description: 'Remove the MLP neurons (up column + bias + down row) or attention heads (Q/K/V columns + biases + output rows) of lowest L2 norm and rewrite the graph: fewer parameters, faster prefill.',
  defaults: Object.freeze({ ratio: 0.25 }),
  fields: Object.freeze<OptionField[]>([NEURON_RATIO_FIELD, UNIT_FIELD]),
  variantLabel: (o: StructuredPruneOptions) => `structured ${Math.round(o.ratio * 100)} % ${o.unit === 'heads' ? 'attention heads' : 'MLP neurons'}`,
  resolveOptions(options: MethodOptions): StructuredPruneOptions {
    rejectUnknownOptions('structured-prune', options, ['ratio', 'unit']);
    const ratio = numberInRange('structured-prune', 'ratio', options?.ratio, 0.25, 0, 0.99);
    // neurons is the default and is left out, so MLP variants keep the ids they had before heads existed
    return oneOf('structured-prune', 'unit', options?.unit, 'neurons', STRUCTURED_UNITS) === 'heads' ? { ratio, unit: 'heads' } : { ratio };
  },
  /** per weight of the base model; an MLP weight stores 32 · (1 − ratio), the others 32 (make-variant sets the exact figure per tensor) */
  bitsPerWeight(): number {
    return 32;
  },
});
