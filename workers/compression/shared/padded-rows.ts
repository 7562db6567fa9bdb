/**
 * Stored rows padded to a multiple of 4 elements on the GPU, so that a kernel can read and write
 * whole vec4s and pack 4 one-byte codes into one u32 whatever the tensor's width (GPT-2's
 * 768 × 50257 head has an odd row). Rows go up padded and come back unpadded, so the
 * padding lives on the GPU only; it holds whatever the buffer held (kernels ignore it).
 */

/** Elements per padded row. */
export function paddedStride(cols: number): number {
  return Math.ceil(cols / 4) * 4;
}

/** Rows shorter than this go up through one repacked copy; longer ones with a write each. */
const ROW_WRITE_MIN = 1024;

/** Stored rows [r0, r1) of `data` (`cols` a row) into `buffer` from offset 0, `stride` elements a row. */
export function uploadRows(device: GPUDevice, buffer: GPUBuffer, data: Float32Array, r0: number, r1: number, cols: number, stride: number): void {
  // WebGPU refuses views of resizable buffers (make-variant's reused input copy): those go up as copies
  const resizable = (data.buffer as { resizable?: boolean }).resizable === true;
  if (stride === cols) {
    if (resizable) device.queue.writeBuffer(buffer, 0, data.slice(r0 * cols, r1 * cols));
    else device.queue.writeBuffer(buffer, 0, data as Float32Array<ArrayBuffer>, r0 * cols, (r1 - r0) * cols);
  } else if (cols >= ROW_WRITE_MIN) {
    for (let r = r0; r < r1; r++) {
      const at = (r - r0) * stride * 4;
      if (resizable) device.queue.writeBuffer(buffer, at, data.slice(r * cols, (r + 1) * cols));
      else device.queue.writeBuffer(buffer, at, data as Float32Array<ArrayBuffer>, r * cols, cols);
    }
  } else {
    const packed = new Float32Array((r1 - r0) * stride);
    for (let r = r0; r < r1; r++) packed.set(data.subarray(r * cols, (r + 1) * cols), (r - r0) * stride);
    device.queue.writeBuffer(buffer, 0, packed);
  }
}

/**
 * Stored rows [r0, r1) of `data` into `mapped` (a mapped staging buffer) from offset 0, `stride`
 * elements a row: one copy straight into the staging memory (the padding lanes keep whatever they held).
 */
export function writeRows(mapped: ArrayBuffer, data: Float32Array, r0: number, r1: number, cols: number, stride: number): void {
  const out = new Float32Array(mapped, 0, (r1 - r0) * stride);
  if (stride === cols) out.set(data.subarray(r0 * cols, r1 * cols));
  else for (let r = r0; r < r1; r++) out.set(data.subarray(r * cols, (r + 1) * cols), (r - r0) * stride);
}

type Rows = Float32Array | Uint8Array;

/** Padded rows at `byteOffset` of `mapped` (`count` of them) into `out` from stored row r0, unpadded. */
export function readRows<A extends Rows>(out: A, mapped: ArrayBuffer, byteOffset: number, r0: number, count: number, cols: number, stride: number): void {
  const Ctor = out.constructor as { new (b: ArrayBuffer, o: number, n: number): A };
  const size = out.BYTES_PER_ELEMENT;
  if (stride === cols) {
    out.set(new Ctor(mapped, byteOffset, count * cols) as never, r0 * cols);
    return;
  }
  for (let r = 0; r < count; r++) out.set(new Ctor(mapped, byteOffset + r * stride * size, cols) as never, (r0 + r) * cols);
}
