/**
 * Which execution provider onnxruntime-web's WebGPU session puts each node of ep-probe.ts's tiny
 * graphs on. A form can "run" in a WebGPU session (e2e/packed.spec.ts's probe) with its nodes on
 * the CPU EP inside it, ORT's fallback for an op or type the WebGPU EP lacks; only ORT's verbose
 * log says where each node went ("Node placements", logged when the session is made). Its own
 * ORT instance: the verbose log is per session here, the engine's sessions stay quiet.
 * Message in: PlacementRun[], out: PlacementRow[][] (one list per run) or { error }. One worker for
 * all runs: each start compiles the asyncify wasm again (4-7 s at load ~12).
 */
import * as ort from 'onnxruntime-web/webgpu';
import { publicUrl } from '../../workers/assets';
import { decodeModel } from '../../workers/model/onnx-graph';
import { formProbes } from '../../workers/formats/ep-probe';
import type { FormId } from '../../workers/formats/ep-support';

/** `nodes`: [op type, node name, EP] of every node the session kept. */
export interface PlacementRow { id: FormId; nodes: [string, string, string][] }
/** The probes to place; `forceCpu`: node names the WebGPU EP must hand to the CPU EP (to show the check sees it). */
export interface PlacementRun { ids: FormId[]; forceCpu?: string[] }

let log: string[] = [];
// the wasm's stderr: ORT's log lines arrive as console.error
const write = console.error.bind(console);
console.error = (...a: unknown[]) => {
  log.push(a.map(String).join(' '));
  if (!/\[[VI]:onnxruntime/.test(log[log.length - 1]!)) write(...a);
};

/** The "Node placements" block: a header per EP ("All nodes placed on [X]" or "Node(s) placed on [X]"), then one line per node ("  Op (name)"). */
function placements(lines: string[], graphNodes: [string, string][]): [string, string, string][] {
  const out: [string, string, string][] = [];
  let ep = '';
  for (const l of lines) {
    const all = /All nodes placed on \[(\w+)\]/.exec(l);
    if (all) return graphNodes.map(([op, name]) => [op, name, all[1]!]);
    const head = /Node\(s\) placed on \[(\w+)\]/.exec(l);
    if (head) ep = head[1]!;
    const node = /VerifyEachNodeIsAssignedToAnEp\]\s{3}(\w+) \((.*)\)$/.exec(l);
    if (node && ep) out.push([node[1]!, node[2]!, ep]);
  }
  return out;
}

async function place(ids: FormId[], forceCpu: string[] = []): Promise<PlacementRow[]> {
  ort.env.wasm.wasmPaths = publicUrl('ort/');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const rows: PlacementRow[] = [];
  for (const p of formProbes().filter((q) => ids.includes(q.id))) {
    log = [];
    const s = await ort.InferenceSession.create(p.bytes, {
      executionProviders: [{ name: 'webgpu', ...(forceCpu.length ? { forceCpuNodeNames: forceCpu } : {}) }],
      graphOptimizationLevel: 'all', logSeverityLevel: 0, logVerbosityLevel: 0,
    });
    await s.release();
    // "All nodes placed on [X]" names no node: then each node of the graph as written is on X
    // (a node ORT removed is listed too: look up only nodes that read a graph input, as the probed ops do)
    const written = decodeModel(p.bytes).graph!.node.map((n): [string, string] => [n.opType!, n.name ?? '']);
    rows.push({ id: p.id, nodes: placements(log, written) });
  }
  return rows;
}

self.onmessage = async (e: MessageEvent<PlacementRun[]>) => {
  try {
    const out: PlacementRow[][] = [];
    for (const r of e.data) out.push(await place(r.ids, r.forceCpu));
    postMessage(out);
  } catch (err) {
    postMessage({ error: String((err as Error).message ?? err) });
  }
};
