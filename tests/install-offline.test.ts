// `npm install` must work with only the npm registry reachable (issue 11): onnxruntime-node's
// postinstall would download its CUDA provider from NuGet on linux/x64, which the project's
// .npmrc key `onnxruntime-node-install=skip` turns off. Here npm runs that script as an install
// does (`npm rebuild onnxruntime-node --foreground-scripts`: npm 11 still runs dependencies' install
// scripts, and only warns that they are "not yet covered by allowScripts"), with every proxy
// variable pointed at a local server that counts connections and drops them, so a download attempt
// is both seen and fails. With the key: exit 0, no connection. The control runs the same script the
// same way in a throwaway project without the .npmrc (its package.json and script/ copied; its own
// dependencies found through NODE_PATH): it connects, which shows the first check is not vacuous.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** `npm rebuild onnxruntime-node` as npm runs install scripts; returns its exit code, output and the connections it made. */
function rebuild(cwd = process.cwd(), extraEnv: Record<string, string> = {}): Promise<{ code: number | null; out: string; connections: number }> {
  const before = connections;
  const proxy = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    HTTPS_PROXY: proxy, https_proxy: proxy, HTTP_PROXY: proxy, http_proxy: proxy,
    // global-agent (which onnxruntime-node's script bootstraps) reads its own names
    GLOBAL_AGENT_HTTPS_PROXY: proxy, GLOBAL_AGENT_HTTP_PROXY: proxy,
    ...extraEnv,
  };
  // npm passes a config key to scripts as npm_config_*; drop any inherited one so .npmrc decides
  delete env.npm_config_onnxruntime_node_install;
  delete env.ONNXRUNTIME_NODE_INSTALL;
  return new Promise((resolve) => {
    const child = spawn('npm', ['rebuild', 'onnxruntime-node', '--foreground-scripts'], { cwd, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, connections: connections - before });
    });
  });
}

describe('onnxruntime-node installs with only the npm registry reachable', () => {
  it('with the .npmrc key its install script runs, exits 0 and makes no connection', async () => {
    const r = await rebuild();
    console.log(`[install] with the key: exit ${r.code}, ${r.connections} connections`);
    expect(r.out).toContain('node ./script/install'); // the script did run
    expect(r.code, r.out).toBe(0);
    expect(r.connections).toBe(0);
  }, 20_000);

  it('control: without the .npmrc the same script tries to download', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ort-install-'));
    try {
      const pkg = join(dir, 'node_modules/onnxruntime-node');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'control', version: '1.0.0', private: true, dependencies: { 'onnxruntime-node': '1.30.0' } }));
      const ort = join(process.cwd(), 'node_modules/onnxruntime-node');
      cpSync(join(ort, 'package.json'), join(pkg, 'package.json'));
      cpSync(join(ort, 'script'), join(pkg, 'script'), { recursive: true });
      const r = await rebuild(dir, { NODE_PATH: join(process.cwd(), 'node_modules') });
      console.log(`[install] without .npmrc: exit ${r.code}, ${r.connections} connections`);
      expect(r.out).toContain('node ./script/install');
      expect(r.connections, r.out).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
