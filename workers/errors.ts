/**
 * Errors that cross comlink. comlink keeps only name, message and stack, so the name carries a
 * code from ERROR_CODES that the UI can switch on, and the message says what was expected and
 * what came.
 */
import type { ErrorCode } from './api';

export function labError(code: ErrorCode, message: string): Error {
  const e = new Error(message);
  e.name = code;
  return e;
}

export function isCancelled(e: unknown): boolean {
  return e instanceof Error && e.name === 'Cancelled';
}
