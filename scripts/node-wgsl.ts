/** Import this before anything that reaches workers/compression in a Node script (see wgsl-hooks.mjs). */
import { register } from 'node:module';

register('./wgsl-hooks.mjs', import.meta.url);
