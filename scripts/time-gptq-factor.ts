/**
 * Times GPTQ's factor U = chol(H⁻¹) (cholesky.ts, reversedInverseCholeskyF32, as reference.ts calls it
 * per Hessian) at the 124 M GPT-2 shape's two input widths: 768 (attention and fc) and 3,072 (fc2).
 * H is symmetric and diagonally dominant (so positive definite; the factor does no pivoting, so its
 * time does not depend on the values). CPU time of this process (the machine is shared: wall time
 * would count the others), least of `--runs` runs each, in Node (V8, as in Chromium's worker); on the
 * work matrix reference.ts hands it (factorWork: the products in WebAssembly SIMD) and on a plain
 * Float64Array (the JS loops, the fallback).
 *
 *   nice -n 5 npx tsx scripts/time-gptq-factor.ts [--runs 3] [--k 768,3072] [--path wasm,js]
 */
import { parseArgs } from 'node:util';
import { factorWork, reversedInverseCholeskyF32 } from '../workers/compression/gptq/cholesky';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, k: { type: 'string', default: '768,3072' }, path: { type: 'string', default: 'wasm,js' } } });

function spd(k: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const h = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < i; j++) h[i * k + j] = h[j * k + i] = r();
    h[i * k + i] = k;
  }
  return h;
}

for (const k of values.k.split(',').map(Number)) {
  const h = spd(k, k);
  for (const kind of values.path.split(',')) {
    const times: number[] = [];
    for (let run = 0; run < Number(values.runs); run++) {
      const work = kind === 'js' ? new Float64Array(k * k) : factorWork(k);
      work.set(h);
      const t = process.cpuUsage();
      if (!reversedInverseCholeskyF32(work, k)) throw new Error(`not positive definite at k = ${k}`);
      const d = process.cpuUsage(t);
      times.push((d.user + d.system) / 1000);
    }
    console.log(`k = ${k}, ${kind}: factor ${Math.min(...times).toFixed(0)} ms CPU (least of ${times.length}: ${times.map((x) => x.toFixed(0)).join(', ')})`);
  }
}
