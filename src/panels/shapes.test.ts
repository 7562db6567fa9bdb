import { describe, expect, it } from 'vitest';
import { layerGrid, layerOf, paretoFrontier, pruneQuantOf } from './shapes';
import type { TensorStats } from '../../workers/api';

describe('panel shapes', () => {
  it('reads pruning ratio and quantizer from a spec', () => {
    expect(pruneQuantOf(undefined)).toEqual({ ratio: 0 });
    expect(pruneQuantOf({ method: 'magnitude-prune', options: { ratio: 0.5 } })).toEqual({ ratio: 0.5, prune: 'magnitude-prune', quant: undefined });
    expect(pruneQuantOf({ method: 'int4-group', options: { groupSize: 32 } })).toEqual({ ratio: 0, prune: undefined, quant: 'INT4 group-32' });
    expect(pruneQuantOf({ method: 'magnitude-prune', options: { ratio: 0.1 }, then: { method: 'int8-channel', options: {} } }))
      .toEqual({ ratio: 0.1, prune: 'magnitude-prune', quant: 'INT8 per-channel' });
    // quantize then prune is not a cell of the prune × quant grid
    expect(pruneQuantOf({ method: 'int8-channel', options: {}, then: { method: 'magnitude-prune', options: { ratio: 0.1 } } })).toBeUndefined();
  });

  it('the Pareto frontier keeps the points nothing beats on both axes', () => {
    const f = paretoFrontier([{ x: 1, y: 9 }, { x: 2, y: 5 }, { x: 3, y: 6 }, { x: 4, y: 2 }, { x: 4, y: 3 }, { x: 0.5, y: 50 }]);
    expect(f).toEqual([{ x: 0.5, y: 50 }, { x: 1, y: 9 }, { x: 2, y: 5 }, { x: 4, y: 2 }]);
  });

  it('lays tensors out as layers × blocks', () => {
    expect(layerOf('transformer.h.3.attn.c_proj.weight')).toEqual({ layer: '3', block: 'attn.c_proj' });
    expect(layerOf('model.layers.12.mlp.up_proj.weight')).toEqual({ layer: '12', block: 'mlp.up_proj' });
    expect(layerOf('lm_head.weight')).toEqual({ layer: 'outside blocks', block: 'lm_head' });
    const t = (name: string) => ({ name } as TensorStats);
    const g = layerGrid([t('h.10.c_fc.weight'), t('h.2.c_fc.weight'), t('lm_head.weight'), t('h.2.attn.weight')]);
    expect(g.layers).toEqual(['2', '10', 'outside blocks']);
    expect(g.blocks).toEqual(['c_fc', 'lm_head', 'attn']);
  });
});
