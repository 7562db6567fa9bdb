// The test override of the WebGPU limits the worker reports (?maxStorageBufferBindingSize= /
// ?maxBufferSize= on its URL): never above the adapter's, and the kernels split by it too.
import { afterEach, describe, expect, it } from 'vitest';
import { forcedGpuLimits } from './capabilities';
import { channelChunking } from './compression/shared/channel-chunks';

const GiB = 2 ** 30;
const adapter = { maxBufferSize: GiB, maxStorageBufferBindingSize: GiB };

describe('forcedGpuLimits', () => {
  afterEach(() => { channelChunking.maxBindingBytes = 0; });

  it('reports the adapter\'s limits when nothing is forced (or a value is not a positive integer)', () => {
    expect(forcedGpuLimits('', adapter)).toBe(adapter);
    expect(forcedGpuLimits('?nogpu=0&maxBufferSize=abc&maxStorageBufferBindingSize=-5', adapter)).toBe(adapter);
    expect(channelChunking.maxBindingBytes).toBe(0);
  });

  it('reports a forced binding limit, marked forced, and the kernels\' chunking goes by it', () => {
    expect(forcedGpuLimits('?maxStorageBufferBindingSize=1048576', adapter)).toEqual({ maxBufferSize: GiB, maxStorageBufferBindingSize: 2 ** 20, forced: true });
    expect(channelChunking.maxBindingBytes).toBe(2 ** 20);
  });

  it('never reports more than the adapter gives, and chunks by the smaller of the two limits', () => {
    expect(forcedGpuLimits(`?maxBufferSize=${2 ** 16}&maxStorageBufferBindingSize=${4 * GiB}`, adapter)).toEqual({ maxBufferSize: 2 ** 16, maxStorageBufferBindingSize: GiB, forced: true });
    expect(channelChunking.maxBindingBytes).toBe(2 ** 16);
  });
});
