/**
 * What the browser's renderer and GPU processes hold, from /proc/<pid>/smaps (outside the browser,
 * as bench-rss.ts): each process's resident bytes split into
 *   shared         shared-memory mappings (Chromium's /tmp/.org.chromium.* and memfd): WebGPU's
 *                  mappable buffers (upload and readback staging) live there, mapped into both the
 *                  renderer and the GPU process, so they count twice in a sum of VmRSS
 *   big_anon       each anonymous mapping holding ≥ 16 MiB, with its size: the WASM heap of
 *                  onnxruntime-web is one (it only grows), as are large ArrayBuffers (a Hessian, U)
 *   other_anon     the rest of the anonymous memory (JS heap, small buffers, allocator arenas)
 *   files          file-backed mappings (the Chromium binary, fonts, ICU data)
 * A poller keeps the split at the moment the summed RSS over idle was largest, so a bench run says
 * which holder made its peak (bench-gptq-124m.ts).
 */
import { readFileSync } from 'node:fs';
import { processTree } from './bench-rss';

const BIG = 16 * 2 ** 20;

export interface ProcessSplit {
  rss: number;
  shared: number;
  big_anon: { bytes: number; mapping_bytes: number }[];
  other_anon: number;
  files: number;
}

function splitOf(pid: number): ProcessSplit | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return undefined;
  }
  const out: ProcessSplit = { rss: 0, shared: 0, big_anon: [], other_anon: 0, files: 0 };
  let name = '';
  let size = 0;
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) {
      size = parseInt(m[2], 16) - parseInt(m[1], 16);
      name = m[3];
      continue;
    }
    const r = /^Rss:\s+(\d+) kB/.exec(line);
    if (!r) continue;
    const bytes = Number(r[1]) * 1024;
    out.rss += bytes;
    if (/org\.chromium|memfd:|\/dev\/shm/.test(name)) out.shared += bytes;
    else if (name === '' || name.startsWith('[anon')) {
      if (bytes >= BIG) out.big_anon.push({ bytes, mapping_bytes: size });
      else out.other_anon += bytes;
    } else out.files += bytes;
  }
  out.big_anon.sort((a, b) => b.bytes - a.bytes);
  return out;
}

/** Renderer and GPU processes' splits, summed per kind (big_anon listed per mapping). */
export function browserSplit(rootPid: number = process.pid): Record<string, ProcessSplit> {
  const out: Record<string, ProcessSplit> = {};
  for (const pid of processTree(rootPid)) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const kind = cmdline.includes('--type=renderer') ? 'renderer' : cmdline.includes('--type=gpu-process') ? 'gpu' : undefined;
    if (!kind || !cmdline.includes('chrom')) continue;
    const s = splitOf(pid);
    if (!s || s.rss < 100 * 2 ** 20) continue; // idle renderers (e.g. a spare one) say nothing
    const o = (out[kind] ??= { rss: 0, shared: 0, big_anon: [], other_anon: 0, files: 0 });
    o.rss += s.rss;
    o.shared += s.shared;
    o.other_anon += s.other_anon;
    o.files += s.files;
    o.big_anon.push(...s.big_anon);
  }
  return out;
}

/** Samples every `everyMs`; `stop()` gives the split at the largest summed RSS seen, and when (s since start). */
export function splitPoller(everyMs = 2000) {
  const t0 = performance.now();
  let best: { at_s: number; total: number; split: Record<string, ProcessSplit> } | undefined;
  const sample = () => {
    const split = browserSplit();
    const total = Object.values(split).reduce((a, s) => a + s.rss, 0);
    if (!best || total > best.total) best = { at_s: Math.round((performance.now() - t0) / 1000), total, split };
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return best;
    },
  };
}
