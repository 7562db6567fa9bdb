import { describe, expect, it } from 'vitest';
import { measureFirstTouch } from '../e2e/harness/first-touch';

describe('measureFirstTouch', () => {
  it('times fresh pages apart from pages already written', () => {
    const m = measureFirstTouch(64, 3);
    expect(m).toMatchObject({ mib: 64, rounds: 3 });
    expect(m.first_touch_ms_per_mib).toBeGreaterThan(0);
    // a page fault a page against a plain store: anywhere, the first pass costs more
    expect(m.first_touch_ms_per_mib).toBeGreaterThan(m.second_touch_ms_per_mib);
  });
});
