/**
 * IndexedDB as zustand's persist storage, made safe: when IndexedDB is missing (some private
 * modes, disabled storage) or a write fails (quota exceeded), the lab keeps working in memory
 * and `onProblem` is told once why results will not persist. Identical writes are skipped
 * (persist writes on every state change, progress ticks included).
 */
import type { StateStorage } from 'zustand/middleware';
import { del, get, set } from 'idb-keyval';

function describe(e: unknown, doing: string): string {
  const name = (e as { name?: string } | null)?.name;
  const message = (e as { message?: string } | null)?.message ?? String(e);
  if (name === 'QuotaExceededError' || /quota/i.test(message)) {
    return `the browser's storage quota is exhausted (${doing}: ${message})`;
  }
  return `IndexedDB is unavailable here (${doing}: ${name && name !== 'Error' ? `${name}: ` : ''}${message})`;
}

export function safeIdbStorage(onProblem: (why: string) => void): StateStorage {
  let broken = false;
  const last = new Map<string, string>();
  const fail = (e: unknown, doing: string) => {
    if (!broken) onProblem(describe(e, doing));
    broken = true;
  };
  return {
    getItem: async (name) => {
      if (typeof indexedDB === 'undefined' || indexedDB === null) {
        fail(new Error('window.indexedDB is missing'), 'opening the results store');
        return null;
      }
      try {
        const v = (await get<string>(name)) ?? null;
        if (v !== null) last.set(name, v);
        return v;
      } catch (e) {
        fail(e, 'reading stored results');
        return null;
      }
    },
    setItem: async (name, value) => {
      if (broken || last.get(name) === value) return;
      try {
        await set(name, value);
        last.set(name, value);
      } catch (e) {
        fail(e, 'saving results');
      }
    },
    removeItem: async (name) => {
      last.delete(name);
      if (broken) return;
      try {
        await del(name);
      } catch (e) {
        fail(e, 'clearing stored results');
      }
    },
  };
}
