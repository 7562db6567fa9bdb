/**
 * Mixed precision (VariantSpec.overrides): some linear weights compressed by another method than
 * the variant's, e.g. INT4 g32 everywhere but the first and last block in INT8. Each weight takes
 * the first override that names it (by its transformer block, workers/model/blocks.ts, or by its
 * name), else the variant's own method; each is packed in its own form (MatMulNBits 4- and 8-bit
 * side by side), and its stats carry its own bits per weight.
 *
 * Blocks may count from the end (-1 = the last block): the spec stays as written, so its id is the
 * same before and after the model is known, and the label of a made variant names the blocks
 * ("INT4 group-32, blocks 0 and 3 INT8 per-channel").
 * An override may not use a calibrated method, a method that plans across the model
 * (global-prune), structured pruning, or a second method; nor may a combined spec have overrides.
 */
import { METHOD_IDS, type LinearWeight, type MethodOptions, type TensorOverride, type VariantSpec } from '../api';
import { METAS_BY_ID } from '../compression/metas';
import { labError } from '../errors';
import { blockCount, blockOf } from '../model/blocks';

/** Methods an override may not use, and why. */
const NOT_IN_OVERRIDES: Record<string, string> = {
  'global-prune': 'it decides across the whole model',
  'structured-prune': 'it rewrites the graph',
};

function checkMethod(where: string, method: string): void {
  if (!(METHOD_IDS as readonly string[]).includes(method)) throw labError('BadOption', `${where}: method must be one of ${METHOD_IDS.join(', ')}; got "${method}"`);
  const meta = METAS_BY_ID[method as keyof typeof METAS_BY_ID];
  if (meta.calibration) throw labError('BadOption', `${where}: ${meta.label} is calibrated; overrides use round-to-nearest or pruning methods`);
  if (NOT_IN_OVERRIDES[method]) throw labError('BadOption', `${where}: ${method} cannot be an override: ${NOT_IN_OVERRIDES[method]}`);
}

/**
 * The overrides validated, options resolved by their methods, blocks sorted (negatives kept: they
 * are resolved against the model); undefined when there are none.
 */
export function resolveOverrides(spec: VariantSpec): TensorOverride[] | undefined {
  const list = spec.overrides;
  if (list === undefined || (Array.isArray(list) && list.length === 0)) return undefined;
  if (!Array.isArray(list)) throw labError('BadOption', `overrides must be a list of {blocks or tensors, method, options}; got ${JSON.stringify(list)}`);
  if (spec.then) throw labError('BadOption', 'overrides apply to a single-method variant, not to a combined one (then)');
  if (NOT_IN_OVERRIDES[spec.method]) throw labError('BadOption', `${spec.method} takes no overrides: ${NOT_IN_OVERRIDES[spec.method]}`);
  return list.map((o, k) => {
    const where = `overrides[${k}]`;
    checkMethod(where, o?.method);
    if ((o as { then?: unknown }).then) throw labError('BadOption', `${where}: an override is one method (no then)`);
    const blocks = o.blocks === undefined ? undefined : [...new Set(o.blocks)].sort((a, b) => a - b);
    if (blocks && !blocks.every((b) => Number.isInteger(b))) throw labError('BadOption', `${where}: blocks must be integers (0 = the first block, -1 = the last); got ${JSON.stringify(o.blocks)}`);
    const tensors = o.tensors === undefined ? undefined : [...o.tensors];
    if (tensors && !tensors.every((t) => typeof t === 'string' && t)) throw labError('BadOption', `${where}: tensors must be weight names; got ${JSON.stringify(o.tensors)}`);
    if (!blocks?.length && !tensors?.length) throw labError('BadOption', `${where}: name some blocks or tensors`);
    const options = { ...METAS_BY_ID[o.method].resolveOptions(o.options ?? {}) } as MethodOptions;
    return { ...(blocks?.length ? { blocks } : {}), ...(tensors?.length ? { tensors } : {}), method: o.method, options };
  });
}

/** A block index against a model of n blocks: -1 is the last. */
const absolute = (b: number, n: number) => (b < 0 ? n + b : b);

/**
 * The method of each linear weight: its override's, else the spec's. Throws when an override names
 * a block or a tensor the model does not have.
 */
export function methodsOfWeights(spec: VariantSpec, linear: readonly LinearWeight[]): { method: VariantSpec['method']; options: MethodOptions }[] {
  const overrides = spec.overrides ?? [];
  const n = blockCount(linear);
  const names = new Set(linear.map((w) => w.name));
  for (const o of overrides) {
    const bad = (o.blocks ?? []).filter((b) => absolute(b, n) < 0 || absolute(b, n) >= n);
    if (bad.length) throw labError('BadOption', `overrides: the model has ${n} blocks (0 … ${n - 1}, or -${n} … -1 from the end) by its weight names; no block ${bad.join(', ')}`);
    const unknown = (o.tensors ?? []).filter((t) => !names.has(t));
    if (unknown.length) throw labError('BadOption', `overrides: no linear weight named ${unknown.join(', ')}`);
  }
  return linear.map((w) => {
    const b = blockOf(w);
    const o = overrides.find((x) => x.tensors?.includes(w.name) || (b !== undefined && x.blocks?.some((y) => absolute(y, n) === b)));
    return o ?? spec;
  });
}

/** "blocks 0 and 3", "block 1", "blocks 0, 1 and last"; with `nBlocks`, negative indices as numbers. */
export function blocksPhrase(blocks: readonly number[], nBlocks?: number): string {
  const names = [...new Set(blocks.map((b) => (b < 0 && nBlocks ? nBlocks + b : b)))]
    .sort((a, b) => (a < 0 ? 1e9 + a : a) - (b < 0 ? 1e9 + b : b))
    .map((b) => (b >= 0 ? String(b) : b === -1 ? 'last' : `last${b + 1}`));
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${names.length === 1 ? 'block' : 'blocks'} ${list}`;
}

/** ", blocks 0 and 3 INT8 per-channel" for the variant's label ('' without overrides). */
export function overridesLabel(overrides: readonly TensorOverride[] | undefined, nBlocks?: number): string {
  if (!overrides?.length) return '';
  return overrides
    .map((o) => {
      const meta = METAS_BY_ID[o.method];
      let own: string = o.method;
      try {
        own = meta.variantLabel(meta.resolveOptions(o.options ?? {}));
      } catch {
        // an option this build does not know: the method id still names it
      }
      const where = [o.blocks?.length ? blocksPhrase(o.blocks, nBlocks) : '', o.tensors?.length ? o.tensors.join(', ') : ''].filter(Boolean).join(' and ');
      return `, ${where} ${own}`;
    })
    .join('');
}

/** The overrides as part of an id or key: "{blocks=0,-1:int8-channel()}" ('' without overrides). */
export function overridesKey(overrides: readonly TensorOverride[] | undefined): string {
  if (!overrides?.length) return '';
  const one = (o: TensorOverride) => {
    const opts = Object.entries(o.options ?? {})
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const where = [o.blocks?.length ? `blocks=${o.blocks.join(',')}` : '', o.tensors?.length ? `tensors=${o.tensors.join(',')}` : ''].filter(Boolean).join(';');
    return `${where}:${o.method}(${opts})`;
  };
  return `{${overrides.map(one).join('&')}}`;
}
