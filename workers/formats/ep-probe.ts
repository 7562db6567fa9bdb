/**
 * One tiny graph per packed form, with the f32 maths it must compute: what e2e/packed.spec.ts runs
 * on each onnxruntime-web EP to find out which forms the EP really runs (and so check EP_RUNS in
 * ep-support.ts). Each graph is written by the lab's own writer (writePackedModel) from a small
 * MatMul / Gemm + Gather model, so the probe runs the nodes the lab emits; the forms the lab never
 * writes (3-bit codes, MatMulNBits without zero points) are edited in by hand here.
 * Few elements (x 3×64, W 64×8): fast even on SwiftShader.
 */
import { NF4_VALUES } from '../compression/nf4/meta';
import { decodeModel, findLinearWeights, onnx, parseModel, type ModelProto } from '../model/onnx-graph';
import { packBnb4 } from './matmul-bnb4';
import { packNBits, type NBitsWeight } from './matmul-nbits';
import { writePackedModel, type PackedForm } from './packed-model';
import type { FormId } from './ep-support';

export interface FormProbe {
  id: FormId;
  /** the model bytes onnxruntime loads */
  bytes: Uint8Array;
  /** inputs: 'x' f32 (M, K) and, for a Gather, 'ids' int64 */
  x: Float32Array;
  ids?: BigInt64Array;
  /** the one output 'y' and what f32 maths says it is */
  expected: Float32Array;
  dims: number[];
}

const [M, K, N] = [3, 64, 8];
const BLOCK = 32;
const DT = onnx.TensorProto.DataType;

/** A deterministic pseudo-random sequence in [0, 1). */
function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** x · Wᵀ for W as (N, K) rows, in f64 rounded once: the reference every form is held to. */
function matmulRows(x: Float32Array, w: Float32Array, n: number, k: number): Float32Array {
  const m = x.length / k;
  const y = new Float32Array(m * n);
  for (let r = 0; r < m; r++) for (let o = 0; o < n; o++) {
    let acc = 0;
    for (let i = 0; i < k; i++) acc += x[r * k + i] * w[o * k + i];
    y[r * n + o] = acc;
  }
  return y;
}

/** A model of y = x · W (W stored (K, N), MatMul) or, with a Gather, y = Gather(W, ids) over W stored (N, K) that a Gemm(transB) also reads. */
function source(w: Float32Array, gather: boolean): Uint8Array {
  const vi = (name: string, elem: number, dims: number[]) => ({ name, type: { tensorType: { elemType: elem, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const init = { name: 'W', dims: gather ? [N, K] : [K, N], dataType: DT.FLOAT, rawData: new Uint8Array(w.buffer.slice(0)) };
  const node = gather
    ? [
      { opType: 'Gather', input: ['W', 'ids'], output: ['y'], name: 'gather' },
      { opType: 'Gemm', input: ['x', 'W'], output: ['head'], name: 'head', attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
    ]
    : [{ opType: 'MatMul', input: ['x', 'W'], output: ['y'], name: 'mm' }];
  const graph = {
    name: 'probe', node, initializer: [init],
    input: gather ? [vi('x', DT.FLOAT, [M, K]), vi('ids', DT.INT64, [M])] : [vi('x', DT.FLOAT, [M, K])],
    output: gather ? [vi('y', DT.FLOAT, [M, K]), vi('head', DT.FLOAT, [M, N])] : [vi('y', DT.FLOAT, [M, N])],
  };
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph } as never);
  return onnx.ModelProto.encode(model).finish();
}

/** Packs a form into the source model with the lab's writer. */
function written(w: Float32Array, form: PackedForm, gather = false): Uint8Array {
  const m = parseModel(source(w, gather));
  return writePackedModel(m, findLinearWeights(m), new Map([['W', form]]));
}

/** Edits a written model: `fn` changes its proto, which is encoded again. */
function edited(bytes: Uint8Array, fn: (p: ModelProto) => void): Uint8Array {
  const p = decodeModel(bytes);
  fn(p);
  return onnx.ModelProto.encode(p as never).finish();
}

/** Codes, scales and zero points of an (N, K) weight in blocks of 32, and the f32 rows they stand for. */
function blockCodes(bits: number, seed: number) {
  const r = rand(seed);
  const blocks = K / BLOCK;
  const levels = 2 ** bits;
  const codes = Uint8Array.from({ length: N * K }, () => Math.floor(r() * levels));
  const scales = Float32Array.from({ length: N * blocks }, () => Math.fround(0.01 + r() * 0.05));
  const zeroPoints = Uint8Array.from({ length: N * blocks }, () => Math.floor(r() * levels));
  const rows = new Float32Array(N * K);
  for (let o = 0; o < N; o++) for (let i = 0; i < K; i++) {
    const g = o * blocks + Math.floor(i / BLOCK);
    rows[o * K + i] = Math.fround((codes[o * K + i] - zeroPoints[g]) * scales[g]);
  }
  return { codes, scales, zeroPoints, rows };
}

/** 3-bit MatMulNBits codes: a little-endian bit stream per block (12 bytes per 32 codes); no lab form writes it. */
function pack3(codes: Uint8Array, scales: Float32Array, zeroPoints: Uint8Array): NBitsWeight {
  const blocks = K / BLOCK;
  const blob = (BLOCK * 3) / 8;
  const b = new Uint8Array(N * blocks * blob);
  const zp = new Uint8Array(N * Math.ceil((blocks * 3) / 8));
  const put = (arr: Uint8Array, base: number, j: number, q: number) => {
    for (let bit = 0; bit < 3; bit++) if ((q >> bit) & 1) arr[base + ((j * 3 + bit) >> 3)] |= 1 << ((j * 3 + bit) & 7);
  };
  for (let o = 0; o < N; o++) for (let g = 0; g < blocks; g++) {
    for (let j = 0; j < BLOCK; j++) put(b, (o * blocks + g) * blob, j, codes[o * K + g * BLOCK + j]);
    put(zp, o * Math.ceil((blocks * 3) / 8), g, zeroPoints[o * blocks + g]);
  }
  return { bits: 3 as never, blockSize: BLOCK, k: K, n: N, blocks, b, scales, zeroPoints: zp };
}

/** (N, K) rows as the (K, N) f32 a MatMul reads. */
const transpose = (rows: Float32Array) => Float32Array.from({ length: K * N }, (_, j) => rows[(j % N) * K + Math.floor(j / N)]);
const VIEW_OUT_IN = { outDim: N, inDim: K, strideOut: K, strideIn: 1 };

/** f32 bits → nearest half (round to nearest even), for the fp16 probe's weights, all normal. */
function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  const mant = u & 0x7fffff;
  let h = sign | (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++;
  return h;
}
const halfToF32 = (h: number) => (h & 0x8000 ? -1 : 1) * 2 ** (((h >> 10) & 0x1f) - 15) * (1 + (h & 0x3ff) / 1024);

/** Every probe: one graph per form the lab writes, and per form it decided not to write. */
export function formProbes(): FormProbe[] {
  const r = rand(7);
  const x = Float32Array.from({ length: M * K }, () => Math.fround(r() * 2 - 1));
  const dims = [M, N];
  const out: FormProbe[] = [];
  const mm = (id: FormId, bytes: Uint8Array, rows: Float32Array, xin = x) => out.push({ id, bytes, x, expected: matmulRows(xin, rows, N, K), dims });

  for (const bits of [2, 3, 4, 8] as const) {
    const c = blockCodes(bits, 100 + bits);
    const w = bits === 3
      ? pack3(c.codes, c.scales, c.zeroPoints)
      : packNBits({ codes: c.codes, scales: c.scales, zeroPoints: c.zeroPoints }, VIEW_OUT_IN, bits, BLOCK);
    const bytes = written(transpose(c.rows), { kind: 'nbits', weight: w });
    mm(`nbits${bits}` as FormId, bytes, c.rows);
    // without zero points MatMulNBits takes 2^(bits-1): the same codes then stand for other weights
    const mid = 2 ** (bits - 1);
    const noZp = Float32Array.from(c.rows, (_, j) => Math.fround((c.codes[j] - mid) * c.scales[Math.floor(j / K) * (K / BLOCK) + Math.floor((j % K) / BLOCK)]));
    mm(`nbits${bits}-nozp` as FormId, edited(bytes, (p) => {
      const n = p.graph!.node.find((x) => x.opType === 'MatMulNBits')!;
      n.input.splice(3);
    }), noZp);
  }

  // int8 codes + per-channel scale, DequantizeLinear(axis 1 of the (K, N) weight) → MatMul
  {
    const codes = Int8Array.from({ length: K * N }, () => Math.floor(r() * 255) - 127);
    const scales = Float32Array.from({ length: N }, () => Math.fround(0.001 + r() * 0.01));
    const rows = Float32Array.from({ length: N * K }, (_, j) => Math.fround(codes[(j % K) * N + Math.floor(j / K)] * scales[Math.floor(j / K)]));
    mm('qdq-int8', written(transpose(rows), { kind: 'qdq-int8', codes, scales, axis: 1 }), rows);
  }

  // fp16 initializer + Cast
  {
    const halves = Uint16Array.from({ length: K * N }, () => toHalf(r() * 2 - 1));
    const w = Float32Array.from(halves, halfToF32);
    const rows = Float32Array.from({ length: N * K }, (_, j) => w[(j % K) * N + Math.floor(j / K)]);
    mm('fp16-cast', written(w, { kind: 'fp16', halves }), rows);
  }

  // AWQ: MatMulNBits 4-bit of W · diag(s), the input multiplied by fround(1/s) in a Mul
  {
    const c = blockCodes(4, 200);
    const s = Float32Array.from({ length: K }, () => Math.fround(0.5 + r() * 2));
    const w = packNBits({ codes: c.codes, scales: c.scales, zeroPoints: c.zeroPoints }, VIEW_OUT_IN, 4, BLOCK);
    const scaled = Float32Array.from(x, (v, j) => Math.fround(v * Math.fround(1 / s[j % K])));
    mm('nbits4-input-scale', written(transpose(c.rows), { kind: 'nbits', weight: w, inputScale: s }), c.rows, scaled);
  }

  // MatMulBnb4, NF4, block 64
  {
    const codes = Uint8Array.from({ length: N * K }, () => Math.floor(r() * 16));
    const absmax = Float32Array.from({ length: (N * K) / 64 }, () => Math.fround(0.1 + r()));
    const rows = Float32Array.from(codes, (q, j) => Math.fround(NF4_VALUES[q] * absmax[Math.floor(j / 64)]));
    const weight = packBnb4(codes, absmax, VIEW_OUT_IN, 64);
    mm('bnb4-nf4', written(transpose(rows), { kind: 'bnb4', weight }), rows);
  }

  // GatherBlockQuantized: a tied (N, K) weight's rows read by a Gather, stored once as MatMulNBits bytes
  for (const bits of [2, 4, 8] as const) {
    const c = blockCodes(bits, 300 + bits);
    const w = packNBits({ codes: c.codes, scales: c.scales, zeroPoints: c.zeroPoints }, { outDim: N, inDim: K, strideOut: K, strideIn: 1 }, bits, BLOCK);
    const bytes = edited(written(c.rows, { kind: 'nbits', weight: w }, true), (p) => {
      // only the Gather is probed here (the Gemm's MatMulNBits is probed above)
      const g = p.graph!;
      g.node = g.node.filter((n) => n.opType !== 'MatMulNBits');
      (g as unknown as { output: { name: string }[] }).output = (g as unknown as { output: { name: string }[] }).output.filter((o) => o.name === 'y');
    });
    const ids = BigInt64Array.from([5n, 0n, 7n]);
    const expected = new Float32Array(M * K);
    ids.forEach((id, row) => expected.set(c.rows.subarray(Number(id) * K, (Number(id) + 1) * K), row * K));
    out.push({ id: `gbq${bits}` as FormId, bytes, x, ids, expected, dims: [M, K] });
  }
  return out;
}

/** Largest |got − expected| over the largest |expected|: the probe's verdict is a match below 1e-3. */
export function relativeError(got: Float32Array, expected: Float32Array): number {
  let err = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) {
    err = Math.max(err, Math.abs(got[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return got.length === expected.length ? err / scale : Infinity;
}
export const PROBE_TOLERANCE = 1e-3;
