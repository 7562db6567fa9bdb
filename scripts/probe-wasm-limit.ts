/**
 * How many weight bytes onnxruntime-web's WASM backend can hold (issue 7): one session per size,
 * a graph Y = Σ X·W_i with the W_i [K, 1024] f32 (each at most --chunk GiB) in one external data
 * buffer of the given total GiB, run once.
 * Run in Node (the same ort-wasm binary Chromium loads):
 *   npx tsx scripts/probe-wasm-limit.ts [--chunk 0.5] [--no-prepack] 2.5 3 3.5
 * Prints, per size, "ok" with the run's ms, or the error text where it stops.
 */
import * as ort from 'onnxruntime-web';
import { onnx } from '../workers/model/onnx-graph';

const N = 1024;
async function probe(gib: number, chunkGib: number): Promise<string> {
  const chunk = Math.floor((chunkGib * 2 ** 30) / (4 * N)) * 4 * N;
  const count = Math.ceil((gib * 2 ** 30) / chunk);
  const bytes = count * chunk;
  const K = chunk / 4 / N;
  const ext = (k: number) => [{ key: 'location', value: 'w.bin' }, { key: 'offset', value: String(k * chunk) }, { key: 'length', value: String(chunk) }];
  const model = onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'probe',
      node: [
        ...Array.from({ length: count }, (_, k) => ({ opType: 'MatMul', input: ['X', `W${k}`], output: [`Y${k}`] })),
        { opType: 'Sum', input: Array.from({ length: count }, (_, k) => `Y${k}`), output: ['Y'] },
      ],
      initializer: Array.from({ length: count }, (_, k) => ({ name: `W${k}`, dims: [K, N], dataType: 1, dataLocation: 1, externalData: ext(k) })),
      input: [{ name: 'X', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: K }] } } } }],
      output: [{ name: 'Y', type: { tensorType: { elemType: 1 } } }],
    },
  })).finish();
  const data = new Uint8Array(bytes);
  new Float32Array(data.buffer, 0, 1)[0] = 1;
  const t0 = Date.now();
  try {
    const s = await ort.InferenceSession.create(model, { externalData: [{ path: 'w.bin', data }], executionProviders: ['wasm'], ...(noPrepack ? { extra: { session: { disable_prepacking: '1' } } } : {}) });
    const x = new Float32Array(K);
    x[0] = 1;
    const y = (await s.run({ X: new ort.Tensor('float32', x, [1, K]) })).Y.data as Float32Array;
    await s.release();
    return `ok: ${count} x ${chunk} = ${bytes} B (${(bytes / 2 ** 30).toFixed(3)} GiB) loaded and ran in ${Date.now() - t0} ms, Y[0] = ${y[0]}`;
  } catch (e) {
    return `FAILS: ${count} x ${chunk} = ${bytes} B (${(bytes / 2 ** 30).toFixed(3)} GiB): ${(e as Error).message ?? e}`;
  }
}

ort.env.wasm.numThreads = 1;
const args = process.argv.slice(2);
const np = args.indexOf('--no-prepack');
const noPrepack = np >= 0 && !!args.splice(np, 1);
const at = args.indexOf('--chunk');
const chunkGib = at >= 0 ? Number(args.splice(at, 2)[1]) : 0.5;
for (const g of args.map(Number)) console.log(await probe(g, chunkGib));
