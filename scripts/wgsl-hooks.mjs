// Node module hooks that load `*.wgsl?raw` imports as their text, as Vite does in the browser and
// in vitest, so Node scripts (the bench) can import the compression registry. Registered by
// scripts/node-wgsl.ts before the registry is first imported.
import { readFile } from 'node:fs/promises';

export async function load(url, context, nextLoad) {
  const u = new URL(url);
  if (u.protocol === 'file:' && u.pathname.endsWith('.wgsl')) {
    const text = await readFile(u, 'utf8');
    return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
