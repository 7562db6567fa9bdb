/**
 * Presets as data: each entry names what the study asked for and how to find it among the methods
 * this build registers (REGISTERED, read when a preset is applied). An entry whose method is not
 * registered, or whose options its method refuses, is left out and named in `missing`, so presets
 * grow with the engine and never plan a variant it cannot make. The baseline (FP32, 0 %) is always
 * in a run.
 */
import type { MethodOptions, VariantSpec } from '../../workers/api';
import type { MethodMeta } from '../../workers/compression/types';
import { REGISTERED, tryNormalize, uniqueSpecs } from './specs';

type Match = (m: MethodMeta<any>) => boolean;

interface Want {
  /** what the study calls it, shown when it is missing */
  label: string;
  match: Match;
  /** the options, or alternatives tried in order (methods of other helpers may spell them differently) */
  options?: Record<string, unknown> | Record<string, unknown>[];
  then?: Want;
  /** compress only these transformer blocks (VariantSpec.blocks) */
  blocks?: number[];
  /** mixed precision: these blocks (negative from the end) by another method (VariantSpec.overrides) */
  overrides?: { blocks: number[]; want: Want }[];
}

export interface Preset {
  id: string;
  name: string;
  /** one sentence: what the preset shows */
  about: string;
  wants: Want[];
  /**
   * Entries repeated for every transformer block of the loaded model, each compressing that block
   * only (layer sensitivity); applyPreset needs the model's block count for them.
   */
  perBlock?: Want[];
  /**
   * Every entry also compresses the LM head (VariantSpec.head), which the lab leaves f32 by default:
   * the seed study's presets, whose figures (and the demo LMs' recorded response, metrics.json)
   * are of every linear weight with the head. On the default demo LM the head is 524,288 of its
   * 720,896 linear weights, so without it a bit-width or pruning sweep would hardly move.
   */
  head?: boolean;
}

/** What a preset may need to know of the loaded model. */
export interface PresetModel {
  /** transformer blocks, from the linear weights' names (workers/model/blocks.ts) */
  blocks: number;
}

const id = (name: string): Match => (m) => m.id === name;
const idLike = (re: RegExp): Match => (m) => re.test(m.id);
const hasField = (m: MethodMeta<any>, key: string) => m.fields.some((f) => f.key === key);
/** Round-to-nearest k-bit: a method with a `bits` option that is not a calibrated or code-book one. */
const rtnBits: Match = (m) => hasField(m, 'bits') && !/gptq|awq|nf4|fp16/i.test(m.id);
/** N:M semi-structured magnitude pruning: its own method, or a pattern option offering "2:4". */
const nmMagnitude: Match = (m) =>
  !/wanda|sparsegpt|gptq/i.test(m.id) && (/(^|-)n-?m($|-)|2-?4|semi/i.test(m.id) || m.fields.some((f) => f.choices.includes('2:4')));
const TWO_FOUR = [{ pattern: '2:4' }, { n: 2, m: 4 }, {}];

const prune = (ratio: number, then?: Want): Want => ({ label: `prune ${Math.round(ratio * 100)} %`, match: id('magnitude-prune'), options: { ratio }, then });
const INT8: Want = { label: 'INT8 per channel', match: id('int8-channel') };
const INT4: Want = { label: 'INT4 group-32', match: id('int4-group'), options: { groupSize: 32 } };
const rtn = (bits: number, groupSize?: number): Want => ({ label: `INT${bits} round-to-nearest${groupSize ? ` g${groupSize}` : ''}`, match: rtnBits, options: groupSize ? [{ bits, groupSize }, { bits }] : { bits } });
/** group 128 like rtn(bits, 128) beside it: the comparison changes only the rounding */
const gptq = (bits: number): Want => ({ label: `GPTQ INT${bits} g128`, match: idLike(/gptq/i), options: [{ bits, groupSize: 128 }, { bits }] });

export const PRESETS: readonly Preset[] = Object.freeze([
  {
    id: 'seed-grid', name: 'Seed grid',
    about: 'The seed study: baseline, pruning 10 / 50 / 90 %, INT8, INT4, and pruning 10 / 50 % followed by INT4 or INT8; every linear weight with the LM head, as the seed study compressed them.',
    head: true,
    wants: [prune(0.1), prune(0.5), prune(0.9), INT8, INT4, prune(0.1, INT4), prune(0.5, INT4), prune(0.1, INT8), prune(0.5, INT8)],
  },
  {
    id: 'bit-width', name: 'Bit-width sweep',
    about: 'FP32 (the baseline), FP16, INT8, INT4, INT3, INT2 and NF4: what each bit removed costs, on every linear weight with the LM head (the seed study\'s sweep).',
    head: true,
    wants: [{ label: 'FP16', match: id('fp16') }, INT8, INT4, rtn(3), rtn(2), { label: 'NF4', match: idLike(/nf4/i) }],
  },
  {
    id: 'pruning-curve', name: 'Pruning curve',
    about: 'Magnitude pruning from 0 % (the baseline) to 90 % in steps of 10 %, of every linear weight with the LM head (the seed study\'s curve).',
    head: true,
    wants: [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => prune(i / 10)),
  },
  {
    id: 'sparsity-patterns', name: 'Sparsity patterns',
    about: 'Half the weights removed in different patterns: unstructured (layer-wise and global), 2:4 semi-structured, structured (whole MLP neurons, whole attention heads), and by Wanda and SparseGPT.',
    wants: [
      prune(0.5),
      { label: 'global magnitude 50 %', match: idLike(/global/i), options: { ratio: 0.5 } },
      { label: '2:4 semi-structured (magnitude)', match: nmMagnitude, options: TWO_FOUR },
      { label: 'structured 50 % MLP neurons', match: idLike(/structured/i), options: [{ ratio: 0.5 }, {}] },
      { label: 'structured 50 % attention heads', match: idLike(/structured/i), options: { ratio: 0.5, unit: 'heads' } },
      { label: 'Wanda 50 %', match: idLike(/wanda/i), options: { ratio: 0.5 } },
      { label: 'Wanda 2:4', match: idLike(/wanda/i), options: { pattern: '2:4' } },
      { label: 'SparseGPT 50 %', match: idLike(/sparsegpt/i), options: { ratio: 0.5 } },
      { label: 'SparseGPT 2:4', match: idLike(/sparsegpt/i), options: { pattern: '2:4' } },
    ],
  },
  {
    id: 'mixed-precision', name: 'Mixed precision (first/last INT8, rest INT4)',
    about: 'INT4 group-32 with the first and last block in INT8 (each tensor packed in its own format), beside INT4 and INT8 everywhere: what two blocks of 8 bits buy.',
    wants: [INT4, INT8, { ...INT4, label: 'INT4 group-32, first and last block INT8', overrides: [{ blocks: [0, -1], want: INT8 }] }],
  },
  {
    id: 'layer-sensitivity', name: 'Layer sensitivity',
    about: 'One block at a time to INT4 and to INT2 (round to nearest, group 32), every other weight left as it is: how much perplexity each block\'s precision costs.',
    wants: [],
    perBlock: [rtn(4, 32), rtn(2, 32)],
  },
  {
    id: 'rtn-vs-calibrated', name: 'RTN vs calibrated',
    about: 'Round-to-nearest against methods that look at calibration text: GPTQ at 4 and 3 bits, AWQ, and Wanda and SparseGPT against magnitude pruning.',
    wants: [
      rtn(4, 128), gptq(4), rtn(3, 128), gptq(3),
      { label: 'AWQ INT4 g128', match: idLike(/awq/i), options: [{ bits: 4, groupSize: 128 }, { bits: 4 }] },
      prune(0.5), { label: 'Wanda 50 %', match: idLike(/wanda/i), options: { ratio: 0.5 } },
      { label: 'SparseGPT 50 %', match: idLike(/sparsegpt/i), options: { ratio: 0.5 } },
    ],
  },
]);

/** The first registered method the entry matches that accepts its options. */
function find(w: Want, metas: readonly MethodMeta<any>[]): VariantSpec | undefined {
  const then = w.then && find(w.then, metas);
  if (w.then && !then) return undefined;
  const overrides = w.overrides?.map((o) => ({ blocks: o.blocks, spec: find(o.want, metas) }));
  if (overrides?.some((o) => !o.spec)) return undefined;
  const extra = overrides ? { overrides: overrides.map((o) => ({ blocks: o.blocks, method: o.spec!.method, options: o.spec!.options })) } : {};
  const alternatives = Array.isArray(w.options) ? w.options : [w.options ?? {}];
  for (const m of metas.filter(w.match)) {
    for (const options of alternatives) {
      const s = tryNormalize({ method: m.id, options: { ...m.defaults, ...options } as MethodOptions, ...(then ? { then } : {}), ...extra });
      if (typeof s !== 'string') return s;
    }
  }
  return undefined;
}

export interface AppliedPreset {
  specs: VariantSpec[];
  /** what the preset asks for that this build has no method for */
  missing: string[];
}

/** The preset's entries, its per-block ones once per block of the model (named in missing without a model). */
function wantsFor(p: Preset, model: PresetModel | undefined, missing: string[]): Want[] {
  if (!p.perBlock) return p.wants;
  if (!model?.blocks) {
    missing.push(...p.perBlock.map((w) => `${w.label}, one block at a time (load a model with named blocks first)`));
    return p.wants;
  }
  const blocks = Array.from({ length: model.blocks }, (_, b) => b);
  return [...p.wants, ...p.perBlock.flatMap((w) => blocks.map((b) => ({ ...w, label: `${w.label} · block ${b}`, blocks: [b] })))];
}

/** The spec restricted to the entry's blocks (undefined stays undefined). */
function withBlocks(s: VariantSpec | undefined, blocks: number[] | undefined): VariantSpec | undefined {
  if (!s || !blocks) return s;
  const r = tryNormalize({ ...s, blocks });
  return typeof r === 'string' ? undefined : r;
}

export function applyPreset(p: Preset, metas: readonly MethodMeta<any>[] = REGISTERED, model?: PresetModel): AppliedPreset {
  const specs: VariantSpec[] = [];
  const missing: string[] = [];
  for (const w of wantsFor(p, model, missing)) {
    const s = withBlocks(find(w, metas), w.blocks);
    if (s) specs.push(p.head ? { ...s, head: true } : s);
    else missing.push(w.then ? `${w.label} → ${w.then.label}` : w.label);
  }
  return { specs: uniqueSpecs(specs), missing };
}

export const presetById = (name: string): Preset | undefined =>
  PRESETS.find((p) => p.id === name || p.name.toLowerCase() === name.toLowerCase());
