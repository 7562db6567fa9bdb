import { describe, expect, it } from 'vitest';
import { loadDemoLm } from '../../tests/local-models';
import { onnx } from '../model/onnx-graph';
import { scoredModel } from '../eval/scored-graph';
import { appendInRoom, encodeWithRoom, ROOM_BYTES } from './room';

describe('model bytes with room after them', () => {
  const model = loadDemoLm('brown-gpt2-tiny');
  const proto = model.parsed.proto as unknown as Parameters<typeof onnx.ModelProto.encode>[0];

  it('encodes the same bytes as protobufjs, with ROOM_BYTES free behind them', () => {
    const plain = onnx.ModelProto.encode(proto).finish();
    const roomy = encodeWithRoom(proto);
    expect(roomy.constructor).toBe(Uint8Array);
    expect(roomy.byteOffset).toBe(0);
    expect(roomy.buffer.byteLength).toBe(roomy.length + ROOM_BYTES);
    expect(Buffer.compare(Buffer.from(roomy), Buffer.from(plain))).toBe(0);
  });

  it('the scored graph is written into the room (same memory) and equals the copied one byte for byte', () => {
    const roomy = encodeWithRoom(proto);
    const copy = new Uint8Array(roomy);
    const inRoom = scoredModel(roomy, { logSumExp: true });
    const copied = scoredModel(copy, { logSumExp: true });
    expect(inRoom.buffer).toBe(roomy.buffer);
    expect(copied.buffer).not.toBe(copy.buffer);
    expect(Buffer.compare(Buffer.from(inRoom), Buffer.from(copied))).toBe(0);
    // the model's own bytes are untouched
    expect(Buffer.compare(Buffer.from(roomy), Buffer.from(copy))).toBe(0);
  });

  it('never writes into a buffer it did not make, nor past the room', () => {
    const other = new Uint8Array(new ArrayBuffer(64), 0, 16);
    expect(appendInRoom(other, new Uint8Array(4))).toBeUndefined();
    const roomy = encodeWithRoom({ irVersion: 7, producerName: 'lab' }, 8);
    expect(appendInRoom(roomy, new Uint8Array(9))).toBeUndefined();
    expect(appendInRoom(roomy, new Uint8Array(8))?.length).toBe(roomy.length + 8);
    expect(appendInRoom(roomy.subarray(1), new Uint8Array(1))).toBeUndefined();
  });
});
