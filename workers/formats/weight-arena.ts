/**
 * One growing buffer for a variant's packed weights, filled weight by weight as the kernels
 * finish: each packed form is copied in at once (its own arrays are then garbage, one weight's
 * worth at a time), and the arena itself becomes the external data file of a big packed model
 * (external-weights.ts), so the weights are never held twice while the model is written.
 *
 * It is a resizable ArrayBuffer: the maximum (every weight as f32, the largest a form can be) is
 * only reserved address space; memory is committed as it grows. Views into it are fixed-length,
 * so they stay valid as it grows. Web APIs that refuse resizable buffers (CompressionStream,
 * WebGPU) get copies of chunks (gzip-size.ts).
 */
import type { PackedForm } from './packed-model';

const ALIGN = 64;

/** ES2024's resizable ArrayBuffer (Chrome 111, Node 20), which this TypeScript lib does not type yet. */
export interface ResizableBuffer extends ArrayBuffer {
  readonly resizable: boolean;
  readonly maxByteLength: number;
  resize(byteLength: number): void;
}
const Resizable = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => ResizableBuffer;

/**
 * Gives a plain (fixed-length) array's memory back at once, without waiting for a GC: ES2024's ArrayBuffer transfer
 * to length 0 detaches the buffer and frees its store (Chrome 114); where there is none (Node 20)
 * the array is only dropped. Views of the buffer read as empty afterwards.
 */
export function releaseFloats(a: Float32Array): void {
  (a.buffer as ArrayBuffer & { transfer?: (n: number) => ArrayBuffer }).transfer?.(0);
}

type View = Uint8Array | Int8Array | Uint16Array | Float32Array;

export class WeightArena {
  readonly buffer: ResizableBuffer;
  private used = 0;

  constructor(maxBytes: number) {
    this.buffer = new Resizable(0, { maxByteLength: Math.max(ALIGN, maxBytes) });
  }

  /** Bytes used so far. */
  get size(): number {
    return this.used;
  }

  /** The bytes in use, as one fixed-length view (the external data file). */
  bytes(): Uint8Array {
    return new Uint8Array(this.buffer, 0, this.used);
  }

  /** Where `v`'s bytes sit in the arena, or -1 when they are not in it. */
  offsetOf(v: ArrayBufferView): number {
    return v.buffer === this.buffer ? v.byteOffset : -1;
  }

  /** A copy of `a` at the arena's end (64-byte aligned), as the same kind of array. */
  keep<T extends View>(a: T): T {
    const at = Math.ceil(this.used / ALIGN) * ALIGN;
    const end = at + a.byteLength;
    if (end > this.buffer.maxByteLength) throw new Error(`weight arena: ${end} bytes needed, ${this.buffer.maxByteLength} reserved`);
    this.buffer.resize(end);
    new Uint8Array(this.buffer, at, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    this.used = end;
    const Ctor = a.constructor as new (b: ArrayBuffer, offset: number, length: number) => T;
    return new Ctor(this.buffer, at, a.length);
  }

  /** The form with every array moved into the arena. */
  keepForm(form: PackedForm): PackedForm {
    switch (form.kind) {
      case 'f32':
        return { ...form, values: this.keep(form.values) };
      case 'fp16':
        return { ...form, halves: this.keep(form.halves) };
      case 'qdq-int8':
        return { ...form, codes: this.keep(form.codes), scales: this.keep(form.scales) };
      case 'nbits':
        return { ...form, weight: { ...form.weight, b: this.keep(form.weight.b), scales: this.keep(form.weight.scales), zeroPoints: this.keep(form.weight.zeroPoints) } };
      case 'bnb4':
        return { ...form, weight: { ...form.weight, b: this.keep(form.weight.b), absmax: this.keep(form.weight.absmax) } };
    }
  }
}
