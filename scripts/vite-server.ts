/** The dev server the bench's browser blocks load their pages from: started in its own process group, stopped with it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from '../tests/local-models';

export async function startVite(port: number): Promise<ChildProcess> {
  const vite = spawn('npx', ['vite', '--port', String(port), '--strictPort'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  vite.stdout!.on('data', (d) => (out += d));
  vite.stderr!.on('data', (d) => (out += d));
  const url = `http://localhost:${port}/`;
  for (let i = 0; i < 120; i++) {
    if (vite.exitCode !== null) throw new Error(`vite exited (${vite.exitCode}):\n${out}`);
    try {
      if ((await fetch(url)).ok) return vite;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  stopVite(vite);
  throw new Error(`vite did not answer on ${url} within 60 s:\n${out}`);
}

export function stopVite(vite: ChildProcess | undefined): void {
  if (!vite?.pid || vite.exitCode !== null) return;
  try {
    process.kill(-vite.pid, 'SIGTERM'); // its own process group: npx and the vite under it
  } catch {
    /* already gone */
  }
}
