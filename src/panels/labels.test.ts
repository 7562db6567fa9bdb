import { describe, expect, it } from 'vitest';
import { placeLabels, plotBox } from './labels';
import { linearTicks, logTicks, tickText } from './scale';

const plot = plotBox(560, 300, { top: 16, right: 110, bottom: 28, left: 16 }, 64);

describe('point labels', () => {
  it('measure the plot as recharts lays it out, wider letters in present mode', () => {
    expect(plot).toEqual({ w: 370, h: 226, rightRoom: 106, charW: 7, lineH: 14 });
    expect(plotBox(1200, 560, { top: 16, right: 110, bottom: 28, left: 16 }, 64).charW).toBe(10);
  });
  it('keep clear of a line through the points', () => {
    // two points on a horizontal line: without the line both labels go right, over it for the first
    const px = [100, 300];
    const py = [200, 200];
    expect(placeLabels(px, py, ['a', 'b'], plot)).toEqual(['right', 'right']);
    const sides = placeLabels(px, py, ['a', 'b'], plot, undefined, [[{ x: 100, y: 200 }, { x: 300, y: 200 }]]);
    expect(sides[0]).not.toBe('right');
    expect(sides[1]).toBe('right');
  });
  it('stay inside the plot: not under the x axis', () => {
    // a point on the plot's floor: its label cannot go below it
    expect(placeLabels([50], [plot.h], ['x'], plot, ['bottom', 'top'])).toEqual(['top']);
  });
});

describe('axis ticks', () => {
  it('a tick says its value', () => {
    expect(tickText(2250)).toBe('2.25k');
    expect(tickText(3000)).toBe('3k');
    expect(tickText(146.59)).toBe('147');
  });
  it('round steps from 0', () => {
    expect(linearTicks(3000)).toEqual([0, 1000, 2000, 3000]);
    expect(linearTicks(6)).toEqual([0, 2, 4, 6]);
    expect(linearTicks(2.5)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
  });
});

describe('log ticks', () => {
  it('round numbers also in a narrow range', () => {
    expect(logTicks(100, 10_000)).toEqual([100, 200, 500, 1000, 2000, 5000, 10_000]);
    expect(logTicks(170, 704)).toEqual([200, 300, 500, 700]);
    expect(logTicks(113, 195)).toEqual([120, 140, 160, 180]);
  });
});
