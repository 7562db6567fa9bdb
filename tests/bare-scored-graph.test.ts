// The bench's bare scored contestant (e2e/harness/bare-scored.ts) builds its evaluation graph without
// lab code; it is like for like with the lab only if it is the lab's graph: the same bytes as
// scoredModel(bytes, { logSumExp: true }), the form the lab evaluates on WASM (workers/eval/evaluate.ts).
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { bareScoredModel } from '../e2e/harness/bare-scored';
import { scoredModel } from '../workers/eval/scored-graph';
import { DEMO_LMS, modelFile } from './local-models';

const { onnx } = onnxProto;

/** A model of nothing but its opset imports and a logits output: both branches of the axes' form. */
const stub = (opset: number) =>
  onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }, { domain: 'com.microsoft', version: 1 }],
    graph: { name: 'stub', output: [{ name: 'logits' }] },
  })).finish();

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('bare scored graph', () => {
  it.each([13, 17, 18, 21])('equals the lab\'s WASM evaluation graph byte for byte (opset %i)', (opset) => {
    const m = stub(opset);
    expect(same(bareScoredModel(m), scoredModel(m, { logSumExp: true }))).toBe(true);
  });

  it.each(DEMO_LMS)('equals the lab\'s WASM evaluation graph of %s byte for byte', (name) => {
    const m = new Uint8Array(readFileSync(modelFile(name, 'onnx/model.onnx')));
    const bare = bareScoredModel(m);
    expect(bare.length).toBeGreaterThan(m.length);
    expect(same(bare, scoredModel(m, { logSumExp: true }))).toBe(true);
  });
});
