// Axis labels at 1280×720: few bars keep their labels, more wrap them, many shorten and angle them.
import { describe, expect, it } from 'vitest';
import { shortLabel, tickMode, wrapTwo } from './CategoryTick';

const seedGrid = ['baseline ✓', 'prune 10% ✓', 'prune 50% ✓', 'prune 90% ✓', 'INT8 per-channel ✓', 'INT4 group-32 ✓', 'prune 10% → INT4 group-32 ✓', 'prune 50% → INT4 group-32 ✓', 'prune 10% → INT8 per-channel ✓', 'prune 50% → INT8 per-channel ✓'];

describe('category ticks', () => {
  it('three short labels stay flat in a 1200 px chart', () => {
    expect(tickMode(['baseline ✓', 'prune 50% ✓', 'INT8 per-channel ✓'], 1200)).toBe('flat');
  });
  it('the seed grid (10 bars) does not fit flat at 1280×720; 17 bars are angled', () => {
    expect(tickMode(seedGrid, 1200)).not.toBe('flat');
    const layer = [0, 1, 2, 3].flatMap((b) => [`INT4 g32 asym · block ${b} ✓`, `INT2 g32 asym · block ${b} ✓`]);
    expect(tickMode([...seedGrid, ...layer], 1200)).toBe('angled');
  });
  it('wraps at a space, two lines at most', () => {
    expect(wrapTwo('prune 50% → INT4 group-32', 14)).toEqual(['prune 50% →', 'INT4 group-32']);
    expect(wrapTwo('prune 50% → INT4 group-32 and more words here', 14)).toBeUndefined();
  });
  it('shortens method names, then cuts with an ellipsis', () => {
    expect(shortLabel('prune 50 % → INT4 group-32 ✓')).toBe('prune 50% → INT4 g32 ✓');
    expect(shortLabel('INT8 per-channel (simulated f32) ✓')).toBe('INT8 ch (sim) ✓');
    expect(shortLabel('INT2 g32 asym · block 3 (cpu) ·')).toBe('INT2 g32 · block 3 (cpu) ·');
    const long = shortLabel('INT4 group-32, blocks 0 and last INT8 per-channel ✓');
    expect(long.length).toBeLessThanOrEqual(26);
    expect(long.endsWith('…')).toBe(true);
  });
});
