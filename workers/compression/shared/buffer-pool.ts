/**
 * GPU buffers kept between kernel calls. Where WebGPU runs on the CPU (SwiftShader) or shares
 * memory with it, a new buffer is new memory, and the first touch of each of its pages is a page
 * fault: on the project's 2-core CI VM, ~1 s per 150 MB, more than the kernels' own work. A
 * variant runs the same few weight shapes dozens of times, so buffers are kept by (usage, size)
 * and reused; they are all given back IDLE_MS after the last kernel call (or at once through
 * releaseKernelBuffers), and at most MAX_IDLE_BYTES wait in the pool.
 * Upload staging buffers are mapped for writing again as soon as they come back, so the next call
 * finds them mapped instead of waiting for a map round trip.
 */

/** Long enough to span a variant's weights (one of them runs the CPU side of a check for seconds). */
const IDLE_MS = 30_000;
/** Room for the buffers of one GPT-2 vocabulary-sized weight (38.6 M values, 3 copies + codes). */
const MAX_IDLE_BYTES = 768 * 2 ** 20;

export interface Pooled {
  buffer: GPUBuffer;
  key: string;
  /** for MAP_WRITE staging: resolves when the buffer is mapped for writing */
  mapped?: Promise<void>;
}

class BufferPool {
  /** oldest first */
  private idle: Pooled[] = [];
  private idleBytes = 0;
  private timer?: ReturnType<typeof setTimeout>;

  constructor(private readonly device: GPUDevice) {}

  take(label: string, usage: number, size: number): Pooled {
    this.touch();
    const key = `${usage}:${size}`;
    const at = this.idle.findLastIndex((p) => p.key === key);
    if (at >= 0) {
      const [p] = this.idle.splice(at, 1);
      this.idleBytes -= size;
      return p;
    }
    const mapWrite = (usage & GPUBufferUsage.MAP_WRITE) !== 0;
    const buffer = this.device.createBuffer({ label, size, usage, mappedAtCreation: mapWrite });
    return { buffer, key, mapped: mapWrite ? Promise.resolve() : undefined };
  }

  /** Return a buffer the queue may still be using; a write staging buffer is re-mapped. */
  give(p: Pooled): void {
    if (p.buffer.usage & GPUBufferUsage.MAP_WRITE) p.mapped = p.buffer.mapAsync(GPUMapMode.WRITE);
    this.idle.push(p);
    this.idleBytes += p.buffer.size;
    while (this.idleBytes > MAX_IDLE_BYTES) this.destroy(this.idle.shift()!);
    this.touch();
  }

  drain(): void {
    for (const p of this.idle) this.destroy(p);
    this.idle = [];
    this.idleBytes = 0;
  }

  private destroy(p: Pooled): void {
    this.idleBytes -= p.buffer.size;
    p.mapped?.catch(() => undefined); // destroying a buffer rejects its pending map
    p.buffer.destroy();
  }

  private touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.drain(), IDLE_MS);
  }
}

const pools = new WeakMap<GPUDevice, BufferPool>();

export function poolFor(device: GPUDevice): BufferPool {
  let pool = pools.get(device);
  if (!pool) pools.set(device, (pool = new BufferPool(device)));
  return pool;
}

/** Free every buffer the kernels keep for `device` (e.g. when a variant is done). */
export function releaseKernelBuffers(device: GPUDevice): void {
  pools.get(device)?.drain();
}
