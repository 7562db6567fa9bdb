/**
 * The calibrated bench's make_ms figures (issue 9: "methods": {"<method>": {…, "make_ms"}}) are only
 * comparable when each says whether its calibration was computed or reused: makeVariant keeps one
 * calibration for the next variant with the same statistic (GPTQ-3 after GPTQ-4 showed make_ms 164
 * with calibration_ms 0 beside GPTQ-4's 2,078). calibrationHow turns calibration_ms into
 * calibration_reused / calibration_from and the entry's `how`.
 */
import { describe, expect, it } from 'vitest';
import { calibrationHow } from '../scripts/bench-calibrated';

describe('calibrated bench entries say whether their calibration was reused', () => {
  it('no calibration, computed, reused from the entry that computed it', () => {
    const none = calibrationHow(undefined, undefined);
    expect(none.calibration_reused).toBeUndefined();
    expect(none.how).toMatch(/no calibration/);

    const fresh = calibrationHow(1740.4, undefined);
    expect(fresh).toMatchObject({ calibration_ms: 1740, calibration_reused: false });
    expect(fresh.how).toMatch(/calibration included/);

    const reused = calibrationHow(0, { name: 'gptq4_g128', ms: 1740 });
    expect(reused).toMatchObject({ calibration_ms: 0, calibration_reused: true, calibration_from: 'gptq4_g128' });
    expect(reused.how).toMatch(/reused from gptq4_g128.*\(1740\)/);
  });
});
