/**
 * How the engine harness hands a call's result across page.evaluate: errors become data
 * ({ name, message }) so the caller can check the code. `outcome` wraps a call in the page;
 * `ok` unwraps one on the test side and throws with the code when the call failed.
 * Plain code with no browser globals, so specs and the bench import it in Node.
 */
export type Outcome<T> = { ok: true; value: T } | { ok: false; name: string; message: string };

export async function outcome<T>(p: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    return { ok: false, name: (e as Error).name, message: (e as Error).message };
  }
}

/** `what` (e.g. the call's name) leads the error message when given. */
export function ok<T>(o: Outcome<T>, what?: string): T {
  if (!o.ok) throw new Error(`${what ? `${what}: ` : ''}${o.name}: ${o.message}`);
  return o.value;
}
