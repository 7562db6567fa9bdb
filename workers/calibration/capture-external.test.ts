/**
 * Capture models with their weights as external data (capture-graph.ts, what the browser's WASM
 * runner gets): the same graph, so the same activations, bit for bit, as the self-contained capture
 * models onnxruntime-node gets, and bytes that hold the graph alone. Here the external files are
 * written beside the .onnx in a temp folder and onnxruntime-node opens it by path (the browser hands
 * them to onnxruntime-web as its `externalData` option instead).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Job } from '../jobs';
import { externalDataOf } from '../eval/external-data';
import { calibrationSource, type CaptureRunner } from './calibrate';
import { nodeCaptureRunner } from '../../tests/capture-runner-node';
import { loadDemoLm } from '../../tests/local-models';

describe('capture models with external data', () => {
  const model = loadDemoLm('brown-gpt2-tiny');
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const sizes: { bytes: number; files: number; fileBytes: number }[] = [];

  /** nodeCaptureRunner on a folder: the .onnx and each external file it names, opened by path */
  const external: CaptureRunner = Object.assign(
    async (bytes: Uint8Array, outputs: readonly string[]) => {
      const files = externalDataOf(bytes) ?? [];
      sizes.push({ bytes: bytes.length, files: files.length, fileBytes: files.reduce((a, f) => a + (f.data as Uint8Array).length, 0) });
      const dir = mkdtempSync(path.join(tmpdir(), 'capture-'));
      dirs.push(dir);
      for (const f of files) writeFileSync(path.join(dir, f.path), f.data as Uint8Array);
      writeFileSync(path.join(dir, 'capture.onnx'), bytes);
      return nodeCaptureRunner(path.join(dir, 'capture.onnx') as unknown as Uint8Array, outputs);
    },
    { externalData: true },
  );

  async function hessians(runner: CaptureRunner) {
    // a pass per block (400 KB of Hessians a pass, block-passes.test.ts): the first holds the embeddings, the others a block each
    const src = calibrationSource(model, model.linear, new Job('capture-external'), { need: 'hessian', sequences: 2, runner, maxPassBytes: 400 * 1024 });
    const out: Float32Array[] = [];
    for (const w of model.linear) out.push((await src.statsFor(w.name)).hessian!);
    return out;
  }

  it('gives the Hessians of self-contained capture models bit for bit; the model bytes are the graph alone', async () => {
    const ext = await hessians(external);
    const inlineSizes: number[] = [];
    const inline = await hessians(Object.assign((bytes: Uint8Array, outputs: readonly string[]) => (inlineSizes.push(bytes.length), nodeCaptureRunner(bytes, outputs))));
    expect(ext.length).toBe(inline.length);
    ext.forEach((h, k) => expect(Buffer.from(h.buffer, h.byteOffset, h.byteLength).equals(Buffer.from(inline[k].buffer, inline[k].byteOffset, inline[k].byteLength))).toBe(true));
    expect(sizes.length).toBe(4);
    sizes.forEach((s, k) => {
      expect(s.files).toBeGreaterThan(0);
      // the weights in the files left the bytes (a few hundred bytes of external-data fields came in)
      expect(s.bytes).toBeLessThan(inlineSizes[k] - s.fileBytes + 200 * s.files);
    });
    console.log(`capture passes: model bytes ${sizes.map((s) => s.bytes).join(', ')} (self-contained ${inlineSizes.join(', ')}); external ${sizes.map((s) => `${s.files} files ${s.fileBytes} B`).join(', ')}`);
  });
});
