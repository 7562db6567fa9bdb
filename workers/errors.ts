/**
 * Errors that cross comlink. comlink keeps only name, message and stack, so the name carries a
 * code from ERROR_CODES that the UI can switch on, and the message says what was expected and
 * what came.
 */
import { ERROR_CODES, type ErrorCode } from './api';

export function labError(code: ErrorCode, message: string): Error {
  const e = new Error(message);
  e.name = code;
  return e;
}

export function isCancelled(e: unknown): boolean {
  return e instanceof Error && e.name === 'Cancelled';
}

/** True for an error that already carries one of ERROR_CODES as its name. */
export function isLabError(e: unknown): e is Error {
  return e instanceof Error && (ERROR_CODES as readonly string[]).includes(e.name);
}
