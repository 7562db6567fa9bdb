/**
 * The logits stay on the GPU: onnxruntime-web's WebGPU EP, asked for verbose logs, places every node
 * the lab appends for scoring (scored-graph.ts) on WebGPU, except the int64 → int32 Cast of the top-1
 * (8 bytes a row), and copies nothing else to the CPU — no logits. A LogSoftmax node, for one, has no
 * WebGPU kernel: ORT would run it on the CPU and copy every logit there (it did before this test).
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { pairModel, scoredModel } from '../workers/eval/scored-graph';

test('the scoring nodes run on WebGPU; only the top-1 ids are copied to the CPU', async ({ page }) => {
  const base = new Uint8Array(readFileSync('public/models/brown-gpt2/onnx/model.onnx'));
  const models: Record<string, Uint8Array> = { 'scored.onnx': scoredModel(base), 'pair.onnx': pairModel(base, base) };
  const logs: string[] = [];
  page.on('console', (m) => logs.push(m.text()));
  await page.route('**/lab-eval-graph/*', (r) => r.fulfill({ body: Buffer.from(models[r.request().url().split('/').pop()!]) }));
  await page.goto('/e2e/harness/engine.html');
  await page.waitForFunction(() => 'harness' in window, null, { timeout: 60_000 });
  for (const name of Object.keys(models)) {
    logs.length = 0;
    await page.evaluate(async (f) => {
      // the bundled WebGPU build, on the page (the engine's worker logs warnings only)
      // a URL the page's server answers, not a module the compiler resolves
      const bundle = '/node_modules/onnxruntime-web/dist/ort.webgpu.bundle.min.mjs';
      const ort: any = await import(/* @vite-ignore */ bundle);
      ort.env.logLevel = 'verbose';
      const bytes = new Uint8Array(await (await fetch(`/lab-eval-graph/${f}`)).arrayBuffer());
      const s = await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'], logSeverityLevel: 0, logVerbosityLevel: 1 });
      await s.release();
    }, name);
    const copied = logs.flatMap((l) => /Add MemcpyToHost before (\S+)/.exec(l)?.[1] ?? []);
    const onCpu: string[] = [];
    let ep = '';
    for (const l of logs) {
      const head = /Node\(s\) placed on \[(\w+)\]/.exec(l);
      if (head) ep = head[1];
      const n = /VerifyEachNodeIsAssignedToAnEp\]\s+(\w+) \((lab\/[^)]*)\)/.exec(l);
      if (n && ep === 'CPUExecutionProvider') onCpu.push(`${n[1]} ${n[2]}`);
    }
    console.log(`${name}: copied to the CPU before [${copied.join(', ')}]; lab nodes on the CPU [${onCpu.join(', ')}]`);
    expect(logs.some((l) => l.includes('Node placements')), 'verbose placement log').toBe(true);
    expect(copied.length).toBeGreaterThan(0);
    for (const c of copied) expect(c).toMatch(/lab_top1_64$/);
    for (const n of onCpu) expect(n).toMatch(/^Cast /);
  }
});
