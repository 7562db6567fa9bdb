/**
 * wanda: pruning by weight × activation (Sun et al. 2023, "A Simple and Effective Pruning Approach
 * for LLMs"). Weight (o, i) scores |W[o, i]| · ‖X_i‖₂, where X_i is input column i of the layer
 * over the calibration tokens; each output row loses its lowest scores:
 *   unstructured  k = round(ratio · in) per row
 *   N:M           in each run of M consecutive inputs of a row, the M − N lowest (a short last run
 *                 of r keeps min(r, N), as nm-prune does)
 * Ties go to the lower input index first. The export is dense f32 like magnitude pruning.
 */
import type { MethodOptions } from '../../api';
import { labError } from '../../errors';
import { numberInRange, oneOf, rejectUnknownOptions } from '../shared/options';
import { nmOf } from '../nm-prune/meta';
import { calibrationTextName } from '../../calibration/text-ref';
import type { MethodMeta, OptionField } from '../types';

export const WANDA_PATTERNS = Object.freeze(['unstructured', '2:4', '4:8'] as const);
export type WandaPattern = (typeof WANDA_PATTERNS)[number];
export const CALIBRATION_SAMPLES = Object.freeze([8, 32, 128] as const);
export const DEFAULT_SAMPLES = 32;

export interface WandaOptions {
  /** fraction of each row pruned (N:M patterns fix it at 1 − N/M) */
  ratio: number;
  pattern: WandaPattern;
  samples: number;
  calibrationText?: string;
}

/** [N, M] of an N:M pattern (N kept of every M), or undefined for unstructured. */
export function wandaNm(pattern: WandaPattern): [number, number] | undefined {
  return pattern === 'unstructured' ? undefined : nmOf(pattern);
}

export const wandaMeta: MethodMeta<WandaOptions> = Object.freeze({
  id: 'wanda',
  label: 'Wanda pruning (calibrated)',
  description: 'Prune each output row by |weight| × input activation norm, measured on calibration text; unstructured or N:M.',
  calibration: 'norms',
  defaults: Object.freeze({ ratio: 0.5, pattern: 'unstructured' as WandaPattern, samples: DEFAULT_SAMPLES }),
  fields: Object.freeze<OptionField[]>([
    { key: 'pattern', label: 'pattern', choices: WANDA_PATTERNS },
    { key: 'ratio', label: 'sparsity (unstructured)', choices: [0.1, 0.3, 0.5, 0.7, 0.9], format: (v) => `${Math.round(Number(v) * 100)} %` },
    { key: 'samples', label: 'calibration sequences', choices: CALIBRATION_SAMPLES },
  ]),
  variantLabel: (o: WandaOptions) => `Wanda ${o.pattern === 'unstructured' ? `${Math.round(o.ratio * 100)}%` : o.pattern} · calib ${o.samples}${onText(o)}`,
  resolveOptions(options: MethodOptions): WandaOptions {
    rejectUnknownOptions('wanda', options, ['ratio', 'pattern', 'samples', 'calibrationText']);
    const pattern = oneOf('wanda', 'pattern', options?.pattern, 'unstructured', WANDA_PATTERNS);
    const nm = wandaNm(pattern);
    const ratio = nm ? 1 - nm[0] / nm[1] : numberInRange('wanda', 'ratio', options?.ratio, 0.5, 0, 1);
    return { ratio, pattern, samples: samplesOption('wanda', options?.samples), ...calibrationTextOption('wanda', options?.calibrationText) };
  },
  bitsPerWeight(): number {
    return 32;
  },
});

type CalibratedId = 'wanda' | 'gptq' | 'awq' | 'sparsegpt';

/** The calibration text: a dropped text's reference (calibration/text-ref.ts), or none for the built-in text. */
export function calibrationTextOption(method: CalibratedId, value: unknown): { calibrationText?: string } {
  if (value === undefined) return {};
  if (typeof value !== 'string' || !/.#[0-9a-f]{8}$/.test(value)) throw labError('BadOption', `${method}: calibrationText must name a dropped text as "<file>#<8 hex digits>", got ${String(value)}`);
  return { calibrationText: value };
}

/** " · on <file>" when calibrated on a dropped text, for variant labels. */
export const onText = (o: { calibrationText?: string }): string => (o.calibrationText ? ` · on ${calibrationTextName(o.calibrationText)}` : '');

/** The calibration sequence count: an integer in [1, 1024]. */
export function samplesOption(method: CalibratedId, value: unknown): number {
  const n = numberInRange(method, 'samples', value, DEFAULT_SAMPLES, 1, 1024);
  if (!Number.isInteger(n)) throw labError('BadOption', `${method}: samples must be an integer in [1, 1024], got ${n}`);
  return n;
}
