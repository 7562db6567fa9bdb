// Handles read for onnxruntime-web into buffers that are given back at once: the bytes are the
// handle's, bytes already in memory pass through untouched, and release() empties what was read.
import { describe, expect, it } from 'vitest';
import { readHandles } from './read-handles';

describe('readHandles', () => {
  it('reads Blobs into its own buffers and gives them back on release', async () => {
    const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31) % 251);
    const kept = new Uint8Array([1, 2, 3]);
    const handed = await readHandles([
      { path: 'model.onnx_data', data: kept },
      { path: 'model.onnx_data.source0', data: new Blob([bytes]).slice(1000, 250_000) },
    ]);
    expect(handed.files.map((f) => f.path)).toEqual(['model.onnx_data', 'model.onnx_data.source0']);
    expect(handed.files[0].data).toBe(kept);
    const read = handed.files[1].data;
    expect(read).toEqual(bytes.subarray(1000, 250_000));
    handed.release();
    expect(read.buffer.byteLength).toBe(0);
    expect(kept.length).toBe(3);
  });
});
