/** Models slice: the loaded model's summary, the engine's capabilities, and load status. */
import type { StateCreator } from 'zustand';
import type { Capabilities, ModelSummary } from '../../workers/api';
import type { LabState } from './index';

export interface ModelsSlice {
  model?: ModelSummary;
  capabilities?: Capabilities;
  /** what is loading right now (a demo name or "files"), undefined when idle */
  loading?: string;
  setModel: (m: ModelSummary | undefined) => void;
  setCapabilities: (c: Capabilities) => void;
  setLoading: (what: string | undefined) => void;
  /** the other ONNX graphs in the folder the loaded model came from (e.g. model_fp16.onnx), to load instead */
  otherGraphs: string[];
  setOtherGraphs: (paths: string[]) => void;
}

export const createModelsSlice: StateCreator<LabState, [], [], ModelsSlice> = (set) => ({
  setModel: (model) => set({ model }),
  setCapabilities: (capabilities) => set({ capabilities }),
  setLoading: (loading) => set({ loading }),
  otherGraphs: [],
  setOtherGraphs: (otherGraphs) => set({ otherGraphs }),
});
