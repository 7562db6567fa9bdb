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

/** `nodes`: [op type, node name, EP] of every node the session kept; `error`: why no session was made (a form the EP refuses). */
export interface PlacementRow { id: FormId; nodes: [string, string, string][]; error?: string }
/** The probes to place; `forceCpu`: node names the WebGPU EP must hand to the CPU EP (to show the check sees it). */
export interface PlacementRun { ids: FormId[]; forceCpu?: string[] }

let log: string[] = [];
// the wasm's stderr: ORT's log lines arrive as console.error
const write = console.error.bind(console);
console.error = (...a: unknown[]) => {
  log.push(a.map(String).join(' '));
  if (!/\[[VI]:onnxruntime/.test(log[log.length - 1]!)) write(...a);
};

/**
 * The "Node placements" block: a header per EP ("All nodes placed on [X]. Number of nodes: n" or
 * "Node(s) placed on [X]"), then one line per node ("  Op (name)"). "All nodes" names none: then
 * each node of the graph as written is on X if the session kept all of them; if it kept fewer (ORT
 * folded constant nodes away, e.g. fp16-cast's Cast of an initializer), only the nodes that read
 * a graph input, which no folding removes.
 */
function placements(lines: string[], graphNodes: [string, string, string[]][], inputs: Set<string>): [string, string, string][] {
  const out: [string, string, string][] = [];
  let ep = '';
  for (const l of lines) {
    const all = /All nodes placed on \[(\w+)\]\. Number of nodes: (\d+)/.exec(l);
    if (all) {
      const kept = Number(all[2]) === graphNodes.length ? graphNodes : graphNodes.filter(([, , ins]) => ins.some((i) => inputs.has(i)));
      return kept.map(([op, name]) => [op, name, all[1]!]);
    }
    const head = /Node\(s\) placed on \[(\w+)\]/.exec(l);
    if (head) ep = head[1]!;
    const node = /VerifyEachNodeIsAssignedToAnEp\]\s{3}(\w+) \((.*)\)$/.exec(l);
    if (node && ep) out.push([node[1]!, node[2]!, ep]);
  }
  return out;
}

async function place({ ids, forceCpu = [] }: PlacementRun): Promise<PlacementRow[]> {
  ort.env.wasm.wasmPaths = publicUrl('ort/');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const rows: PlacementRow[] = [];
  for (const p of formProbes().filter((q) => ids.includes(q.id))) {
    log = [];
    const g = decodeModel(p.bytes).graph!;
    const written = g.node.map((n): [string, string, string[]] => [n.opType!, n.name ?? '', n.input]);
    const inputs = new Set((g.input as { name: string }[]).map((i) => i.name));
    let error: string | undefined;
    try {
      const s = await ort.InferenceSession.create(p.bytes, {
        executionProviders: [{ name: 'webgpu', ...(forceCpu.length ? { forceCpuNodeNames: forceCpu } : {}) }],
        graphOptimizationLevel: 'all', logSeverityLevel: 0, logVerbosityLevel: 0,
      });
      await s.release();
    } catch (e) {
      // the placements are logged before the kernels are made: they say which EP took the node whose kernel then failed
      error = String((e as Error).message ?? e).slice(0, 300);
    }
    rows.push({ id: p.id, nodes: placements(log, written, inputs), ...(error ? { error } : {}) });
  }
  return rows;
}

self.onmessage = async (e: MessageEvent<PlacementRun[]>) => {
  try {
    const out: PlacementRow[][] = [];
    for (const r of e.data) out.push(await place(r));
    postMessage(out);
  } catch (err) {
    postMessage({ error: String((err as Error).message ?? err) });
  }
};
