// The run's plan: speed comparisons come last, one per backend, each holding the baseline and at
// most MAX_SPEED_MODELS models (the engine refuses more); speedSettings keeps seqLen within the context.
import { describe, expect, it } from 'vitest';
import type { ModelSummary } from '../../workers/api';
import { DEFAULT_SETTINGS } from '../store/types';
import { MAX_SPEED_MODELS, planJobs, speedGroups, speedSettings } from './plan';

describe('speed jobs', () => {
  it('group the baseline with up to MAX_SPEED_MODELS - 1 variants', () => {
    expect(speedGroups([])).toEqual([['baseline']]);
    expect(speedGroups(['a', 'b'])).toEqual([['baseline', 'a', 'b']]);
    const many = Array.from({ length: 8 }, (_, i) => `v${i}`);
    const groups = speedGroups(many);
    expect(groups).toHaveLength(2);
    for (const g of groups) expect(g[0]).toBe('baseline');
    expect(groups.every((g) => g.length <= MAX_SPEED_MODELS)).toBe(true);
    expect(groups.flatMap((g) => g.slice(1))).toEqual(many);
  });

  it('come after every evaluation, one per backend, sharing the run id', () => {
    const jobs = planJobs({ ...DEFAULT_SETTINGS, backends: ['wasm', 'webgpu'] });
    const speed = jobs.filter((j) => j.kind === 'speed');
    expect(speed.map((j) => j.backend)).toEqual(['wasm', 'webgpu']);
    expect(jobs.slice(-2)).toEqual(speed);
    expect(new Set(speed.map((j) => j.runId)).size).toBe(1);
    expect(speed[0].variantKeys).toHaveLength(1 + jobs.filter((j) => j.kind === 'variant').length);
  });

  it('settings: WASM times the context, WebGPU 64 tokens, never beyond the model', () => {
    const model = { nPositions: 256, datasetTokens: 100_000 } as ModelSummary;
    expect(speedSettings(DEFAULT_SETTINGS, model, 'wasm')).toEqual({ backend: 'wasm', seqLen: 256, runs: 7, warmup: 1 });
    expect(speedSettings(DEFAULT_SETTINGS, model, 'webgpu')).toEqual({ backend: 'webgpu', seqLen: 64, runs: 3, warmup: 1 });
    expect(speedSettings({ ...DEFAULT_SETTINGS, context: 32 }, model, 'webgpu').seqLen).toBe(32);
    // settings kept from before the speed comparison existed get the defaults
    expect(speedSettings({ ...DEFAULT_SETTINGS, speed: undefined }, model, 'wasm').runs).toBe(7);
  });
});
