/**
 * CPU time the bench's own Chromium spends, by process type, read from /proc (Linux only): the
 * GPU process (SwiftShader runs the WGSL kernels there, on its own worker threads) and the
 * renderers (the page's JS: the TS kernels, and the WGSL path's uploads). Wall-time ratios of a
 * WGSL kernel to its TS twin swing with how many cores the rest of the machine leaves free
 * (structured-prune's neuron norms read x0.7 to x1.7 within minutes on the 2-core VM: SwiftShader
 * spreads a dispatch over two worker threads when it can); the CPU time each path spends says
 * which path does more work. SwiftShader's workers also spin a while waiting for work, more so
 * when a core is free, so the GPU process's figure is an upper bound on its work (neuron norms:
 * 185 and 271 ms a round in two runs minutes apart, TS 168 and 190).
 * Only this process's descendants count: other sessions' browsers on the machine are not ours.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface BrowserCpu {
  /** ms on a CPU, all threads, since the process started */
  gpu: number;
  renderer: number;
}

const read = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // the process or thread is gone
  }
};

/** Chromium processes under this one, by --type= (the browser itself has none) */
function descendants(): { gpu: number[]; renderer: number[] } {
  const parent = new Map<number, number>();
  const type = new Map<number, string>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    // the fields after the command name's closing paren: state, ppid, ...
    const stat = read(`/proc/${pid}/stat`);
    parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    type.set(pid, /--type=([a-z-]+)/.exec(read(`/proc/${pid}/cmdline`))?.[1] ?? '');
  }
  const ours = (pid: number) => {
    for (let p = pid, hops = 0; p > 1 && hops < 32; p = parent.get(p) ?? 0, hops++) if (p === process.pid) return true;
    return false;
  };
  const of = (t: string) => [...type].filter(([pid, ty]) => ty === t && ours(pid)).map(([pid]) => pid);
  return { gpu: of('gpu-process'), renderer: of('renderer') };
}

/** ns on a CPU of every thread of `pid` (each thread's schedstat: finer than stat's 10 ms ticks) */
function processNs(pid: number): number {
  let ns = 0;
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const tid of tids) ns += Number(read(`/proc/${pid}/task/${tid}/schedstat`).split(' ')[0] || 0);
  return ns;
}

/** A reader of the browser's CPU time; its processes are found at the first read (the page must be open). */
export function browserCpuReader(): () => BrowserCpu {
  let pids: { gpu: number[]; renderer: number[] } | undefined;
  const sum = (list: number[]) => list.reduce((ms, pid) => ms + processNs(pid) / 1e6, 0);
  return () => {
    pids ??= descendants();
    return { gpu: sum(pids.gpu), renderer: sum(pids.renderer) };
  };
}
