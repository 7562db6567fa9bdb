/**
 * Browser memory as the operating system sees it: VmRSS of every Chromium process under this Node
 * process, read from /proc (outside the browser, not guessed inside it), split by process kind
 * (browser, renderer = the page and its workers incl. onnxruntime's WASM heap, gpu = WebGPU's
 * buffers on SwiftShader, utility), and a poller that keeps the peak of each phase of a run with
 * the split at that peak, so a regression says where the memory went.
 */
import { readdirSync, readFileSync } from 'node:fs';

export type RssKinds = Record<string, number>;

export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** RSS of each kind of Chromium process under `rootPid` (bytes). */
export function browserRssByKind(rootPid: number = process.pid): RssKinds {
  const kinds: RssKinds = {};
  for (const pid of processTree(rootPid)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const m = /VmRSS:\s+(\d+) kB/.exec(status);
      if (!m || !/^Name:\s+chrom/m.test(status)) continue;
      const type = /--type=([\w-]+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1] ?? 'browser';
      const kind = type === 'gpu-process' ? 'gpu' : type;
      kinds[kind] = (kinds[kind] ?? 0) + Number(m[1]) * 1024;
    } catch {
      /* gone */
    }
  }
  return kinds;
}

/** Sum of VmRSS over every browser process this bench started. */
export function browserRss(rootPid: number = process.pid): number {
  return Object.values(browserRssByKind(rootPid)).reduce((a, b) => a + b, 0);
}

const total = (k: RssKinds) => Object.values(k).reduce((a, b) => a + b, 0);

export interface PhasePeak {
  peak_over_idle_bytes: number;
  /** each process kind's RSS over its idle value, at the moment of the phase's peak */
  at_peak_over_idle: RssKinds;
}

/** Polls every `everyMs`; `phase(name)` starts a phase; `stop()` returns the peaks. */
export function rssPoller(everyMs = 200) {
  const idle = browserRssByKind();
  const idleTotal = total(idle);
  const phases: Record<string, PhasePeak> = {};
  let current = 'start';
  let peak = idleTotal;
  const sample = () => {
    const now = browserRssByKind();
    const sum = total(now);
    peak = Math.max(peak, sum);
    const p = phases[current];
    if (!p || sum - idleTotal > p.peak_over_idle_bytes) {
      const over: RssKinds = {};
      for (const k of new Set([...Object.keys(now), ...Object.keys(idle)])) over[k] = (now[k] ?? 0) - (idle[k] ?? 0);
      phases[current] = { peak_over_idle_bytes: sum - idleTotal, at_peak_over_idle: over };
    }
  };
  const timer = setInterval(sample, everyMs);
  return {
    idle: idleTotal,
    phase(name: string) {
      sample();
      current = name;
      sample();
    },
    stop() {
      sample();
      clearInterval(timer);
      return { idle: idleTotal, peak, phases };
    },
  };
}
