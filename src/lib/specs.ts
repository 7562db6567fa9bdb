/**
 * Variant specs as the picker, presets and share links handle them: normalized (options resolved
 * by the method's own meta, so `{}` and the defaults are one spec), labelled, added and removed.
 * Only METHOD_METAS is read, so a method registered there shows up everywhere without UI changes.
 */
import type { MethodId, MethodOptions, VariantSpec } from '../../workers/api';
import { METHOD_METAS } from '../../workers/compression/metas';
import type { MethodMeta } from '../../workers/compression/types';
import { specKey } from '../store/results';
import { blocksText, resolveBlocks } from '../../workers/model/blocks';
import { overridesLabel, resolveOverrides } from '../../workers/variants/overrides';

/** The methods this build can offer: an id listed in METHOD_IDS before its meta is registered is skipped. */
export const REGISTERED: readonly MethodMeta<any>[] = METHOD_METAS.filter((m): m is MethodMeta<any> => !!m);

export const metaOf = (method: string): MethodMeta<any> | undefined => REGISTERED.find((m) => m.id === method);

/** The spec with each method's options validated and defaulted; throws (a 'BadOption' message) when it is not valid. */
export function normalizeSpec(spec: VariantSpec): VariantSpec {
  const meta = metaOf(spec?.method);
  if (!meta) throw new Error(`unknown method "${String(spec?.method)}"; this build has ${REGISTERED.map((m) => m.id).join(', ')}`);
  const options = { ...meta.resolveOptions(spec.options ?? {}) } as MethodOptions;
  const blocks = resolveBlocks(spec.blocks);
  const own: VariantSpec = spec.then ? { method: meta.id, options, then: normalizeSpec(spec.then) } : { method: meta.id, options };
  const overrides = resolveOverrides(spec);
  return { ...own, ...(blocks ? { blocks } : {}), ...(overrides ? { overrides } : {}), ...(spec.embeddings ? { embeddings: true } : {}), ...(spec.head ? { head: true } : {}) };
}

/** The spec normalized, or why it cannot be. */
export function tryNormalize(spec: VariantSpec): VariantSpec | string {
  try {
    return normalizeSpec(spec);
  } catch (e) {
    return (e as Error).message;
  }
}

/** A variant's short name from its methods' own labels: "prune 50%", "prune 50% → INT4 group-32". */
export function specLabel(spec: VariantSpec): string {
  const meta = metaOf(spec.method);
  let own = String(spec.method);
  if (meta) {
    try {
      own = meta.variantLabel(meta.resolveOptions(spec.options ?? {}));
    } catch {
      // an option this build does not know: the method id still names it
    }
  }
  const both = spec.then ? `${own} → ${specLabel(spec.then)}` : own;
  return `${spec.blocks ? `${both} · ${blocksText(spec.blocks)}` : both}${overridesLabel(spec.overrides)}${spec.head ? ' · LM head too' : ''}${spec.embeddings ? ' · embedding too' : ''}`;
}

export const sameSpec = (a: VariantSpec, b: VariantSpec) => specKey({ spec: a }) === specKey({ spec: b });

/** The list without repeats, first occurrence kept. */
export function uniqueSpecs(list: readonly VariantSpec[]): VariantSpec[] {
  const seen = new Set<string>();
  return list.filter((s) => {
    const k = specKey({ spec: s });
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export const withSpec = (list: readonly VariantSpec[], spec: VariantSpec) => uniqueSpecs([...list, spec]);
export const withoutSpec = (list: readonly VariantSpec[], spec: VariantSpec) => list.filter((s) => !sameSpec(s, spec));

/** A single method (no `then`) of this id. */
export const isPlainOf = (s: VariantSpec, method: MethodId | string) => !s.then && !s.blocks && !s.overrides && s.method === method;

/** The method with its defaults, normalized. */
export const defaultSpec = (meta: MethodMeta<any>): VariantSpec => normalizeSpec({ method: meta.id, options: { ...meta.defaults } });

/** The method with one option set (the rest defaulted), or undefined when the meta refuses it. */
export function specWith(meta: MethodMeta<any>, key: string, value: unknown): VariantSpec | undefined {
  const s = tryNormalize({ method: meta.id, options: { ...meta.defaults, [key]: value } as MethodOptions });
  return typeof s === 'string' ? undefined : s;
}
