// The lab is a static site. Two headers make it crossOriginIsolated (SharedArrayBuffer ->
// WASM threads); dev and preview servers send them, and public/coi-sw.js adds them on hosts
// that cannot set headers.
//
// Content-Security-Policy: the page may load code and data only from its own origin (plus
// blob: for workers and wasm compilation, 'wasm-unsafe-eval' for onnxruntime-web), and connect
// to the Hugging Face hub (HUB_HOSTS), which it does only when the user loads a hub id. It ships as
// a <meta> tag in index.html (so any static host enforces it for the page; the plugin below adds
// the hashes of the inline scripts Vite injects), and dev/preview also send it as a header, which
// is what binds the engine worker (a worker is governed by its own response's policy).
import { createHash } from 'node:crypto';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The Hugging Face hub, reached only when the user presses Load on the hub id field (src/hub/):
 * its API and resolve URLs, and the CDNs its resolve URLs redirect large files to (each redirect
 * target is checked against connect-src too).
 */
const HUB_HOSTS = ['https://huggingface.co', 'https://cdn-lfs.huggingface.co', 'https://cdn-lfs.hf.co', 'https://cas-bridge.xethub.hf.co', 'https://*.hf.co'];
/** Browser tests only (LAB_E2E, set by playwright.config.ts): e2e/hub.spec.ts serves a hub layout from a local server, named by ?hub=. */
const E2E_HUB = 'http://127.0.0.1:*';

/** The policy; `scriptExtra` adds script sources (inline-script hashes for the page). */
export function contentSecurityPolicy(scriptExtra: string[] = []): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval' blob: ${scriptExtra.join(' ')}`.trim(),
    "worker-src 'self' blob:",
    `connect-src 'self' blob: data: ${HUB_HOSTS.join(' ')}${process.env.LAB_E2E ? ` ${E2E_HUB}` : ''}`,
    "img-src 'self' data: blob:",
    // React and recharts set style attributes; Vite's dev server injects <style> elements
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

/** Sent as a header: binds workers; inline scripts of the page are held by the meta's hashes (both policies apply). */
const cspHeader = { 'Content-Security-Policy': contentSecurityPolicy(["'unsafe-inline'"]) };

/** Puts the CSP <meta> first in <head>, with a sha256 for each inline script in the final HTML. */
function cspMeta(): Plugin {
  return {
    name: 'lab-csp-meta',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        const hashes = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
          .filter((m) => m[1].trim() !== '')
          .map((m) => `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`);
        const meta = `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(hashes)}" />`;
        return html.replace(/<head>/i, `<head>\n    ${meta}`);
      },
    },
  };
}

export default defineConfig({
  plugins: [react(), cspMeta()],
  // LAB_E2E: the browser tests' server never reloads a page under test because a file changed
  server: { headers: { ...isolation, ...cspHeader }, host: 'localhost', ...(process.env.LAB_E2E ? { watch: { ignored: ['**/*'] } } : {}) },
  preview: { headers: { ...isolation, ...cspHeader }, host: 'localhost' },
  worker: { format: 'es' },
  // the engine worker's dependencies, pre-bundled at start: Vite's scan does not follow
  // `new Worker(new URL(…))`, and a dependency found late reloads every open page
  optimizeDeps: { exclude: ['onnxruntime-web'], include: ['comlink', 'onnx-proto', 'fflate', '@huggingface/tokenizers', 'idb-keyval'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});
