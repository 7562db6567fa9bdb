/** UI slice: notices (errors and info) shown as banners until dismissed. */
import type { StateCreator } from 'zustand';
import type { LabState } from './index';
import type { Notice } from './types';

export interface UiSlice {
  notices: Notice[];
  notify: (n: Omit<Notice, 'id'>) => void;
  dismiss: (id: number) => void;
}

let nextId = 1;

export const createUiSlice: StateCreator<LabState, [], [], UiSlice> = (set) => ({
  notices: [],
  notify: (n) => set((s) => ({ notices: [...s.notices.slice(-4), { ...n, id: nextId++ }] })),
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
});
