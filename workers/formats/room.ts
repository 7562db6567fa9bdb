/**
 * Model bytes written with room after them. The evaluation graph is the model's bytes followed by
 * a few KB of scoring (eval/scored-graph.ts: protobuf merges a second ModelProto message into the
 * first), and onnxruntime copies whatever it is given into its WASM heap. Written into the room
 * behind a packed model, that suffix costs no copy of the model: a 124 M model's 226 MiB are not
 * held twice by JS while its session is made (bench "scale").
 *
 * Only buffers made here are written into: they are remembered, and the room past the model's
 * last byte belongs to nobody else.
 */
import onnxProto from 'onnx-proto';

/** Bytes kept free after a packed model: the scoring suffix is a few KB. */
export const ROOM_BYTES = 1 << 20;

const roomy = new WeakSet<ArrayBuffer>();

type Writer = ReturnType<typeof onnxProto.onnx.ModelProto.encode>;
interface WriterClass {
  new (): Writer;
  alloc(size: number): Uint8Array;
}

/**
 * `ModelProto.encode(model).finish()`, into a buffer `room` bytes longer than the message (the
 * result is a view of its first bytes). protobufjs allocates through the writer class's static
 * `alloc`, so a subclass of the class it picked (Buffer-backed in Node) supplies the buffer.
 */
export function encodeWithRoom(model: onnxProto.onnx.IModelProto, room = ROOM_BYTES): Uint8Array {
  const Base = onnxProto.onnx.ModelProto.encode({}).constructor as unknown as WriterClass;
  const asBuffer = typeof Buffer !== 'undefined' && Buffer.isBuffer(Base.alloc(1));
  class Roomy extends Base {
    static alloc(size: number): Uint8Array {
      const ab = new ArrayBuffer(size + room);
      roomy.add(ab);
      return asBuffer ? Buffer.from(ab, 0, size) : new Uint8Array(ab, 0, size);
    }
  }
  const out = onnxProto.onnx.ModelProto.encode(model, new Roomy()).finish();
  // a plain Uint8Array over the same memory (Node's Buffer subclass would follow the caller around)
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** `bytes` followed by `extra`, written into the room behind `bytes` when it has some; else undefined. */
export function appendInRoom(bytes: Uint8Array, extra: Uint8Array): Uint8Array | undefined {
  const ab = bytes.buffer;
  if (!(ab instanceof ArrayBuffer) || !roomy.has(ab) || bytes.byteOffset !== 0) return undefined;
  if (bytes.length + extra.length > ab.byteLength) return undefined;
  const out = new Uint8Array(ab, 0, bytes.length + extra.length);
  out.set(extra, bytes.length);
  return out;
}
