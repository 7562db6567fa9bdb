// Copies ONNX Runtime Web's wasm runtime (the .wasm binaries and their .mjs loaders) from
// node_modules/onnxruntime-web/dist into public/ort/, where the engine worker loads them
// (only the builds we load: the asyncify one behind onnxruntime-web/webgpu for the WebGPU backend,
// the plain one behind onnxruntime-web/wasm for the WASM backend and the benchmark's bare session; ort.env.wasm.wasmPaths = '<base>/ort/'): the lab never fetches a runtime from a CDN.
// public/ort/ is git-ignored; run this before start, build and tests:
//   node scripts/copy-runtime-assets.mjs
import { copyFileSync, mkdirSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'node_modules', 'onnxruntime-web', 'dist');
const to = join(root, 'public', 'ort');

if (!existsSync(from)) {
  console.error(`copy-runtime-assets: ${from} is missing; run npm install first`);
  process.exit(1);
}
mkdirSync(to, { recursive: true });
const wanted = readdirSync(from).filter((f) => /^ort-wasm-simd-threaded(\.asyncify)?\.(wasm|mjs)$/.test(f));
if (!wanted.length) {
  console.error(`copy-runtime-assets: no ort-wasm-simd-threaded*.wasm/.mjs in ${from}`);
  process.exit(1);
}
let copied = 0;
for (const f of wanted) {
  const src = join(from, f);
  const dst = join(to, f);
  if (existsSync(dst) && statSync(dst).size === statSync(src).size && statSync(dst).mtimeMs >= statSync(src).mtimeMs) continue;
  copyFileSync(src, dst);
  copied++;
}
console.log(`copy-runtime-assets: ${wanted.length} files in public/ort (${copied} copied)`);
