/** Option validation shared by the method metas: errors say what was expected, what came, and the choices. */
import { labError } from '../../errors';
import type { MethodId, MethodOptions } from '../../api';

/** Throws if `options` sets a key the method does not take. */
export function rejectUnknownOptions(method: MethodId, options: MethodOptions, takes: readonly (keyof MethodOptions)[]): void {
  for (const [key, value] of Object.entries(options ?? {})) {
    if (value !== undefined && !takes.includes(key as keyof MethodOptions)) {
      const valid = takes.length ? `it takes ${takes.join(', ')}` : 'it takes no options';
      throw labError('BadOption', `${method}: unknown option ${key}=${String(value)}; ${valid}`);
    }
  }
}

/** A number in [min, max], or the default when undefined. */
export function numberInRange(method: MethodId, key: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw labError('BadOption', `${method}: ${key} must be a number in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/** One of `choices`, or the default when undefined. */
export function oneOf<T>(method: MethodId, key: string, value: unknown, fallback: T, choices: readonly T[]): T {
  if (value === undefined) return fallback;
  if (!choices.includes(value as T)) {
    throw labError('BadOption', `${method}: ${key} must be one of ${choices.join(', ')}, got ${String(value)}`);
  }
  return value as T;
}
