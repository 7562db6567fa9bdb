/**
 * Where the time of the 124 M INT4 g32 packed make goes in the browser (a diagnostic beside
 * scripts/profile-make.ts, which times the TS path in Node): the shape loaded as a drop, then
 * WGSL and TS makes interleaved (W T W T …; each round a fresh page, since the engine returns a
 * made variant again without a make), each printing make_ms, kernel_ms, the copy yardstick
 * (copyYardstick=1) and the make's parts (VariantSummary.makePartsMs).
 *   LAB_E2E=1 npx tsx scripts/profile-make-browser.ts [--port 5315] [--rounds 2] [--only webgpu|cpu] [--method fp16 --options '{}']
 * (another method's make, for its whole-model kernels; the default is int4-group g32)
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startVite, stopVite } from './vite-server';
import { launchChromium } from './launch-chromium';
import { call, harness } from './bench-variants';
import { ROOT } from '../tests/local-models';
import type { MethodId, ModelSummary, VariantSummary } from '../workers/api';

const { values: a } = parseArgs({ options: { port: { type: 'string', default: '5315' }, rounds: { type: 'string', default: '2' }, only: { type: 'string' }, method: { type: 'string', default: 'int4-group' }, options: { type: 'string' } } });
const spec = { method: a.method as MethodId, options: a.options ? JSON.parse(a.options) : a.method === 'int4-group' ? { groupSize: 32 } : {} };
const dir = path.join(ROOT, '.cache', 'models', 'random-gpt2-small');
if (!existsSync(path.join(dir, 'onnx', 'model.onnx'))) throw new Error(`no ${dir}: run npm run models:random -- gpt2-small`);
const port = Number(a.port);
const vite = await startVite(port);
const browser = await launchChromium();
const log = (s: string) => console.error(s);
try {
  const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].filter((f) => existsSync(path.join(dir, f)));
  const devices = a.only ? [a.only] : ['webgpu', 'cpu'];
  for (let r = 0; r < Number(a.rounds); r++) {
    // a fresh page (and worker) each round: the engine keeps a made variant and returns it, without a
    // make, when the same spec is asked again
    const page = await harness(browser, `http://localhost:${port}/`, log, '?copyYardstick=1');
    page.on('console', (m) => m.text().startsWith('[make]') && console.log(m.text()));
    await page.setInputFiles('#pick', files.map((f) => path.join(dir, f)));
    const model = await call<ModelSummary>(page, 'loadPicked', files);
    for (const device of devices) {
      const v = await call<VariantSummary>(page, 'makeVariant', model.id, spec, device);
      const parts = Object.entries(v.makePartsMs ?? {}).map(([k, ms]) => `${k} ${ms.toFixed(0)}`).join(', ');
      console.log(`${device}: make ${v.makeMs.toFixed(0)} ms, kernels ${v.kernelMs.toFixed(0)}, copy ${v.copyMs?.toFixed(0)} (make/copy ${(v.makeMs / (v.copyMs ?? NaN)).toFixed(2)}), memcpy ${v.memcpyMs?.toFixed(0)}, read wait ${v.readMs?.toFixed(0)}; ${parts}`);
    }
    await page.close();
  }
} finally {
  await browser.close();
  stopVite(vite);
}
