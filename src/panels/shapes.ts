/**
 * What a variant is, for the study's plots: its pruning ratio and its quantizer, read from the
 * spec generically (a `ratio` option is a pruning ratio; a method without one is a quantizer), so
 * methods registered later land in the right plots. Also the Pareto frontier and the layer grid.
 */
import type { TensorStats, VariantSpec } from '../../workers/api';
import { metaOf, specLabel } from '../lib/specs';

const isPruning = (s: VariantSpec) => typeof s.options?.ratio === 'number' || !!metaOf(s.method)?.fields.some((f) => f.key === 'ratio');

/** Pruning ratio and quantizer label of a spec: prune then quantize has both; the baseline (undefined) neither. */
export function pruneQuantOf(spec: VariantSpec | undefined): { ratio: number; prune?: string; quant?: string } | undefined {
  if (!spec) return { ratio: 0 };
  const parts = spec.then ? [spec, spec.then] : [spec];
  if (parts.length === 2 && (!isPruning(parts[0]) || isPruning(parts[1]))) return undefined;
  const p = parts.find(isPruning);
  const q = parts.find((s) => !isPruning(s));
  return { ratio: Number(p?.options.ratio ?? 0), prune: p && p.method, quant: q && specLabel(q) };
}

export interface XY {
  x: number;
  y: number;
}

/** The points no other point beats on both axes (lower is better on both), by x ascending. */
export function paretoFrontier<T extends XY>(points: T[]): T[] {
  const sorted = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  const out: T[] = [];
  for (const p of sorted) if (out.length === 0 || p.y < out[out.length - 1].y) out.push(p);
  return out;
}

export interface LayerCell {
  layer: string;
  block: string;
  stats: TensorStats;
}

/** "transformer.h.3.attn.c_proj.weight" → layer "3", block "attn.c_proj"; a tensor outside the blocks keeps its name. */
export function layerOf(name: string): { layer: string; block: string } {
  const m = /(?:^|\.)(?:h|layers?|blocks?)\.(\d+)\.(.+?)(?:\.weight)?$/.exec(name);
  if (m) return { layer: m[1], block: m[2] };
  return { layer: 'outside blocks', block: name.replace(/\.weight$/, '').replace(/^transformer\./, '') };
}

/** The tensors as layers × blocks, layers in numeric order, the rest last. */
export function layerGrid(tensors: TensorStats[]): { layers: string[]; blocks: string[]; cells: LayerCell[] } {
  const cells = tensors.map((t) => ({ ...layerOf(t.name), stats: t }));
  const num = (l: string) => (/^\d+$/.test(l) ? Number(l) : Infinity);
  const layers = [...new Set(cells.map((c) => c.layer))].sort((a, b) => num(a) - num(b) || a.localeCompare(b));
  const blocks = [...new Set(cells.map((c) => c.block))];
  return { layers, blocks, cells };
}
