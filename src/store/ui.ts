/** UI slice: notices (errors and info) shown as banners until dismissed, and whether results persist. */
import type { StateCreator } from 'zustand';
import type { LabState } from './index';
import type { Notice } from './types';

export type EngineState = 'starting' | 'ready' | 'restarting';

export interface UiSlice {
  notices: Notice[];
  /** why finished results will not survive a reload (IndexedDB unavailable, quota exceeded); undefined while they do */
  storageProblem?: string;
  engine: EngineState;
  notify: (n: Omit<Notice, 'id'>) => void;
  dismiss: (id: number) => void;
  setStorageProblem: (why: string) => void;
  setEngine: (e: EngineState) => void;
}

let nextId = 1;

export const createUiSlice: StateCreator<LabState, [], [], UiSlice> = (set) => ({
  notices: [],
  engine: 'starting',
  notify: (n) => set((s) => ({ notices: [...s.notices.slice(-4), { ...n, id: nextId++ }] })),
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
  setStorageProblem: (storageProblem) => set((s) => (s.storageProblem ? {} : { storageProblem })),
  setEngine: (engine) => set({ engine }),
});
