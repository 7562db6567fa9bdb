// Lets Node scripts import the engine's `*.wgsl?raw` modules the way Vite does (the file's text as
// the default export), so code that carries its kernels can run in Node on its TS path:
//   npx tsx --import ./scripts/raw-import.mjs scripts/bench-calibrated.ts
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
import { readFile } from 'node:fs/promises';
export async function load(url, context, next) {
  if (!/\\.wgsl(\\?raw)?$/.test(url)) return next(url, context);
  const file = new URL(url);
  file.search = '';
  return { format: 'module', source: 'export default ' + JSON.stringify(await readFile(file, 'utf8')) + ';', shortCircuit: true };
}
`));
