/**
 * Before any test file starts: the cached published forms that more than one file reads
 * (tests/published-forms.test.ts, tests/gemm-linears.test.ts) are built here, once, when missing.
 * vitest runs files in parallel workers (vitest.config.ts), and two files each building the same
 * missing cache at once would write the same files under each other. Nothing to do when present.
 */
import { ensureLmForms } from './lm-forms';

export default function setup(): void {
  ensureLmForms();
}
