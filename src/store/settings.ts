/**
 * Run settings from anywhere outside this build's own state (IndexedDB from an older version, a
 * shared link): filled with defaults and checked, so a stored or pasted setup always loads.
 * Settings kept before the variant list existed carried prune / pruneRatios / int8 / int4 /
 * int4GroupSize / fp16 flags; they become the same variants they planned then.
 */
import { BACKENDS, KERNEL_DEVICES, type Backend, type VariantSpec } from '../../workers/api';
import { tryNormalize, uniqueSpecs } from '../lib/specs';
import { DEFAULT_SETTINGS, DEFAULT_SPEED, type RunSettings } from './types';

interface LegacyMethods {
  prune?: boolean;
  pruneRatios?: number[];
  int8?: boolean;
  int4?: boolean;
  int4GroupSize?: number;
  fp16?: boolean;
}

/** The variants the old flags planned, in the order plan.ts made them. */
export function legacyVariants(s: LegacyMethods): VariantSpec[] {
  const specs: VariantSpec[] = [];
  if (s.prune) for (const ratio of [...(s.pruneRatios ?? [])].sort()) specs.push({ method: 'magnitude-prune', options: { ratio } });
  if (s.int8) specs.push({ method: 'int8-channel', options: {} });
  if (s.int4) specs.push({ method: 'int4-group', options: { groupSize: s.int4GroupSize ?? 32 } });
  if (s.fp16) specs.push({ method: 'fp16', options: {} });
  return specs;
}

const posInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);

export interface Migrated {
  settings: RunSettings;
  /** what was dropped and why (unknown methods, bad options), for a notice */
  dropped: string[];
  /** nothing could be read: the settings are the defaults */
  broken?: boolean;
}

/** Any object → valid settings; what could not be kept is listed in `dropped`. */
export function migrateSettings(raw: unknown): Migrated {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown> & LegacyMethods;
  const dropped: string[] = [];
  const given = Array.isArray(r.variants) ? (r.variants as VariantSpec[]) : legacyVariants(r);
  const variants: VariantSpec[] = [];
  for (const spec of given) {
    const s = tryNormalize(spec);
    if (typeof s === 'string') dropped.push(s);
    else variants.push(s);
  }
  const backends = Array.isArray(r.backends) ? BACKENDS.filter((b) => (r.backends as unknown[]).includes(b)) : DEFAULT_SETTINGS.backends;
  const tokensIn = (r.tokens ?? {}) as Partial<Record<Backend, unknown>>;
  const tokens = Object.fromEntries(BACKENDS.map((b) => [b, posInt(tokensIn[b]) ?? DEFAULT_SETTINGS.tokens[b]])) as Record<Backend, number>;
  const speedIn = (r.speed ?? {}) as Partial<Record<Backend, { seqLen?: unknown; runs?: unknown }>>;
  const speed = Object.fromEntries(BACKENDS.map((b) => [b, {
    seqLen: speedIn[b] ? posInt(speedIn[b]!.seqLen) : DEFAULT_SPEED[b].seqLen,
    runs: posInt(speedIn[b]?.runs) ?? DEFAULT_SPEED[b].runs,
  }])) as RunSettings['speed'];
  const device = (KERNEL_DEVICES as readonly unknown[]).includes(r.device) ? (r.device as RunSettings['device']) : DEFAULT_SETTINGS.device;
  return {
    settings: {
      variants: uniqueSpecs(variants),
      device,
      backends,
      tokens,
      context: posInt(r.context),
      stride: posInt(r.stride),
      throughputRuns: posInt(r.throughputRuns) ?? DEFAULT_SETTINGS.throughputRuns,
      speed,
    },
    dropped,
  };
}
