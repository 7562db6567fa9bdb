/**
 * The Node reference tools (scripts/ppl-node.ts, classify-node.ts, generate-node.ts: onnxruntime-node and
 * transformers.js, no code shared with the page) run as `node --import tsx <script>`, not `npx tsx`: npx's
 * own start adds ~0.6 s of CPU and seconds of wall a call on the shared 2-core machine, for nothing the
 * check needs. Each tool prints its result as JSON on its last line.
 *
 * `nodeRefAsync` starts the tool at once and resolves later: a test can start its reference before the
 * browser work and await it when the page's number is in, so the two overlap instead of taking turns.
 */
import { execFile, execFileSync } from 'node:child_process';

const lastJson = <T>(out: string): T => JSON.parse(out.trim().split('\n').pop()!) as T;
const argv = (script: string, args: string[]) => ['--import', 'tsx', script, ...args];

/** Runs `script` with `args` to the end and returns its last line as JSON. */
export function nodeRef<T>(script: string, args: string[], timeoutMs = 180_000): T {
  return lastJson<T>(execFileSync(process.execPath, argv(script, args), { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 }));
}

/** As nodeRef, started now; a failure (exit status, stderr) rejects when awaited. */
export function nodeRefAsync<T>(script: string, args: string[], timeoutMs = 180_000): Promise<T> {
  const p = new Promise<T>((resolve, reject) => {
    execFile(process.execPath, argv(script, args), { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${script} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(lastJson<T>(stdout));
    });
  });
  // not awaited yet while the browser works: a failure must not also surface as an unhandled rejection
  p.catch(() => undefined);
  return p;
}

/** scripts/ppl-node.ts's answer (the fields the specs compare). */
export interface NodePpl {
  ppl: number;
  tokensScored: number;
  windows: number;
  datasetTokens: number;
}
