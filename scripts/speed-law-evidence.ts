/**
 * Evidence for the structured-pruning speed laws (docs/laws.md): on a demo LM, does removing 25 %
 * of the MLP neurons (or of the attention heads) speed up WASM prefill, and by as much as the share
 * of the prefill those parts take allows?
 *
 *   share     the per-op profile of the baseline's prefill (onnxruntime-node CPU EP, one thread,
 *             its profiler: every node's kernel time), summed into MLP (up/down MatMuls, bias Adds
 *             and the activation between them: the nodes structured.ts findMlps slices), attention
 *             (the Q/K/V projections to the output projection: attention-heads.ts findAttentions)
 *             and the rest (LM head, layer norms, embeddings)
 *   rounds    onnxruntime-web's WASM EP in Node (the browser's wasm), one thread: the baseline,
 *             structured 25 % MLP neurons, 25 % heads and 99 % MLP neurons (an MLP nearly gone:
 *             what the whole MLP costs in WASM) timed in interleaved rounds (A B C D, the same
 *             256 tokens), by the process's CPU time (with --min-of k, each model's least of k
 *             interleaved runs a round); per variant the paired speedups
 *             baseline / variant, their median and a 95 % bootstrap interval of the median, and
 *             the one-sided sign test of the bench's law
 *
 *   npx tsx --import ./scripts/raw-import.mjs scripts/speed-law-evidence.ts --model brown-gpt2-tiny --rounds 400 [--out F]
 */
import './node-wgsl';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { VariantSpec } from '../workers/api';
import { quantile } from '../workers/eval/speed';
import { Job } from '../workers/jobs';
import { loadDemoLm, ort } from '../tests/local-models';
import { signTestP } from './sign-test';

const { values: a } = parseArgs({ options: { model: { type: 'string', default: 'brown-gpt2-tiny' }, rounds: { type: 'string', default: '400' }, 'min-of': { type: 'string', default: '1' }, profile: { type: 'string', default: '30' }, out: { type: 'string' } } });
const log = (s: string) => console.error(`[speed] ${s}`);
const SEQ = 256;
const PROFILE = `speed-law-profile-${process.pid}`;
const r3 = (x: number) => Number(x.toFixed(4));

const VARIANTS: Record<string, VariantSpec> = {
  mlp_25: { method: 'structured-prune', options: { ratio: 0.25 } },
  heads_25: { method: 'structured-prune', options: { ratio: 0.25, unit: 'heads' } },
  mlp_99: { method: 'structured-prune', options: { ratio: 0.99 } },
};

const model = loadDemoLm(a.model);
const { makeVariant } = await import('../workers/variants/make-variant');
const { findMlps } = await import('../workers/variants/structured');
const { findAttentions } = await import('../workers/variants/attention-heads');
const ids = BigInt64Array.from(model.datasetIds.subarray(0, SEQ), BigInt);

/** Which part of the model each node belongs to, by node name. */
function partsOfNodes(): Map<string, 'mlp' | 'attention'> {
  const g = model.parsed.proto.graph!;
  const byOutput = new Map<string, string>();
  g.node.forEach((n) => n.output.forEach((o) => byOutput.set(o, n.name)));
  const part = new Map<string, 'mlp' | 'attention'>();
  const linearNode = (w: string) => g.node.find((n) => (n.opType === 'MatMul' || n.opType === 'Gemm') && n.input[1] === w)?.name;
  for (const mlp of findMlps(model.parsed, model.linear).mlps) {
    for (const t of mlp.hidden) if (byOutput.has(t)) part.set(byOutput.get(t)!, 'mlp');
    part.set(linearNode(mlp.down.name)!, 'mlp');
    // the down layer's bias Add
    const down = g.node.find((n) => n.name === linearNode(mlp.down.name))!;
    const add = g.node.find((n) => n.opType === 'Add' && n.input.includes(down.output[0]) && n.input.some((i) => model.parsed.tensors.has(i)));
    if (add) part.set(add.name, 'mlp');
  }
  for (const at of findAttentions(model.parsed, model.linear).attentions) {
    for (const t of at.path) if (byOutput.has(t)) part.set(byOutput.get(t)!, 'attention');
    const o = g.node.find((n) => n.name === linearNode(at.o.name))!;
    part.set(o.name, 'attention');
    const add = g.node.find((n) => n.opType === 'Add' && n.input.includes(o.output[0]) && n.input.some((i) => model.parsed.tensors.has(i)));
    if (add) part.set(add.name, 'attention');
  }
  return part;
}

/** Kernel time per part over `runs` profiled prefills (onnxruntime-node, one thread). */
async function profileShares(runs: number) {
  const s = await ort.InferenceSession.create(model.baselineBytes, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, enableProfiling: true, profileFilePrefix: `/tmp/${PROFILE}` } as ort.InferenceSession.SessionOptions);
  const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', ids, [1, SEQ]) };
  if (s.inputNames.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(SEQ).fill(1n), [1, SEQ]);
  for (let k = 0; k < runs; k++) await s.run(feeds);
  // onnxruntime-node writes <prefix>_<date>.json and returns nothing: the newest such file
  s.endProfiling();
  await s.release();
  const path = readdirSync('/tmp').filter((f) => f.startsWith(PROFILE) && f.endsWith('.json')).map((f) => `/tmp/${f}`).sort().pop();
  if (!path) throw new Error('onnxruntime-node wrote no profile');
  const events = JSON.parse(readFileSync(path, 'utf8')) as { cat: string; name: string; dur: number }[];
  rmSync(path);
  const part = partsOfNodes();
  const us = { mlp: 0, attention: 0, other: 0 };
  const byNode = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const node = e.name.slice(0, -'_kernel_time'.length);
    us[part.get(node) ?? 'other'] += e.dur;
    byNode.set(node, (byNode.get(node) ?? 0) + e.dur);
  }
  const total = us.mlp + us.attention + us.other;
  const top = [...byNode].sort((x, y) => y[1] - x[1]).slice(0, 6).map(([n, d]) => `${n} ${(d / total * 100).toFixed(1)} %`);
  log(`profile (${runs} prefills of ${SEQ} tokens, CPU EP, 1 thread): MLP ${(us.mlp / total * 100).toFixed(1)} %, attention ${(us.attention / total * 100).toFixed(1)} %, other ${(us.other / total * 100).toFixed(1)} %; top nodes: ${top.join(', ')}`);
  return { mlp_share: r3(us.mlp / total), attention_share: r3(us.attention / total), other_share: r3(us.other / total), prefill_kernel_ms: r3(total / runs / 1000) };
}

/** Bootstrap 95 % interval of the median of `xs` (fixed seed). */
function medianCi(xs: number[], draws = 2000): [number, number] {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const meds: number[] = [];
  for (let d = 0; d < draws; d++) {
    const sample = Array.from({ length: xs.length }, () => xs[Math.floor(rand() * xs.length)]).sort((p, q) => p - q);
    meds.push(quantile(sample, 0.5));
  }
  meds.sort((p, q) => p - q);
  return [quantile(meds, 0.025), quantile(meds, 0.975)];
}

async function rounds(n: number, variants: Record<string, Uint8Array>) {
  const ortWeb = await import('onnxruntime-web');
  ortWeb.env.wasm.numThreads = 1;
  const names = ['baseline', ...Object.keys(variants)];
  const sessions = [await ortWeb.InferenceSession.create(model.baselineBytes, { executionProviders: ['wasm'] })];
  for (const k of Object.keys(variants)) sessions.push(await ortWeb.InferenceSession.create(variants[k], { executionProviders: ['wasm'] }));
  const feeds = (s: (typeof sessions)[number]) => {
    const f: Record<string, InstanceType<typeof ortWeb.Tensor>> = { input_ids: new ortWeb.Tensor('int64', ids, [1, SEQ]) };
    if (s.inputNames.includes('attention_mask')) f.attention_mask = new ortWeb.Tensor('int64', new BigInt64Array(SEQ).fill(1n), [1, SEQ]);
    return f;
  };
  const cpuOf = async (s: (typeof sessions)[number]) => {
    const c = process.cpuUsage();
    await s.run(feeds(s), ['logits']);
    const d = process.cpuUsage(c);
    return (d.user + d.system) / 1000;
  };
  for (const s of sessions) for (let k = 0; k < 5; k++) await cpuOf(s);
  const cpu = sessions.map(() => [] as number[]);
  const minOf = Number(a['min-of']);
  for (let r = 0; r < n; r++) {
    // the order rotates each round, so no model always runs right after the same one; with --min-of k
    // each model runs k times a round (interleaved) and its round's time is the least of them
    const best = sessions.map(() => Infinity);
    for (let t = 0; t < minOf; t++) {
      for (let j = 0; j < sessions.length; j++) {
        const k = (j + r) % sessions.length;
        best[k] = Math.min(best[k], await cpuOf(sessions[k]));
      }
    }
    best.forEach((x, k) => cpu[k].push(x));
  }
  for (const s of sessions) await s.release();
  const sorted = (xs: number[]) => xs.slice().sort((p, q) => p - q);
  const out: Record<string, Record<string, number>> = { baseline: { cpu_median_ms: r3(quantile(sorted(cpu[0]), 0.5)) } };
  for (let k = 1; k < sessions.length; k++) {
    const ratios = cpu[0].map((b, r) => b / cpu[k][r]);
    const wins = ratios.filter((x) => x > 1).length;
    const [lo, hi] = medianCi(ratios);
    const meanLog = ratios.reduce((s, x) => s + Math.log(x), 0) / n;
    out[names[k]] = { cpu_median_ms: r3(quantile(sorted(cpu[k]), 0.5)), speedup_median: r3(quantile(sorted(ratios), 0.5)), speedup_p10: r3(quantile(sorted(ratios), 0.1)), speedup_p90: r3(quantile(sorted(ratios), 0.9)), speedup_ci95_lo: r3(lo), speedup_ci95_hi: r3(hi), speedup_geomean: r3(Math.exp(meanLog)), rounds_faster: wins, sign_test_p: Number(signTestP(wins, n).toPrecision(3)) };
    log(`${names[k]}: ${JSON.stringify(out[names[k]])}`);
  }
  return out;
}

const made: Record<string, Uint8Array> = {};
const params: Record<string, number> = { baseline: model.summary.totalParams };
for (const [k, spec] of Object.entries(VARIANTS)) {
  const v = await makeVariant(model, spec, 'cpu', new Job(k));
  made[k] = v.packedBytes;
  params[k] = v.summary.totalParams ?? NaN;
}
log(`params: ${JSON.stringify(params)}`);
const share = await profileShares(Number(a.profile));
const n = Number(a.rounds);
const t0 = Date.now();
const measured = await rounds(n, made);
log(`${n} rounds in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
// what 25 % of a part can save at most: a quarter of its share of the prefill
const expect = { mlp_25: r3(1 / (1 - 0.25 * share.mlp_share)), heads_25: r3(1 / (1 - 0.25 * share.attention_share)), mlp_99: r3(1 / (1 - 0.99 * share.mlp_share)) };
const result = { model: a.model, seq_len: SEQ, rounds: n, min_of: Number(a['min-of']), params, share, expected_speedup_from_share: expect, measured };
console.log(JSON.stringify(result, null, 2));
if (a.out) writeFileSync(a.out, JSON.stringify(result, null, 2));
