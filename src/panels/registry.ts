/**
 * The study panels in the order the dashboard, present mode and the report show them. Each has
 * its one plain sentence (what it shows) for present mode's "what you are seeing" line.
 */
import type { ComponentType } from 'react';
import { BITWIDTH_WHAT, BitWidthPanel } from './BitWidthPanel';
import { LAYER_WHAT, LayerPanel } from './LayerPanel';
import { COMPARE_WHAT, ModelComparePanel } from './ModelComparePanel';
import { PROPAGATION_WHAT, PropagationPanel } from './PropagationPanel';
import { SENSITIVITY_WHAT, SensitivityPanel } from './SensitivityPanel';
import { PRUNE_QUANT_WHAT, PruneQuantPanel } from './PruneQuantPanel';
import { PRUNING_WHAT, PruningCurvePanel } from './PruningCurvePanel';
import { SIZE_PPL_WHAT, SizePplPanel } from './SizePplPanel';
import { SPEED_PPL_WHAT, SpeedPplPanel } from './SpeedPplPanel';
import { SPEED_SCALING_WHAT, SpeedScalingPanel } from './SpeedScalingPanel';

export interface PanelEntry {
  id: string;
  title: string;
  what: string;
  Component: ComponentType;
}

export const PANELS: readonly PanelEntry[] = Object.freeze([
  { id: 'size-ppl', title: 'Size vs perplexity', what: SIZE_PPL_WHAT, Component: SizePplPanel },
  { id: 'speed-ppl', title: 'Speed vs perplexity', what: SPEED_PPL_WHAT, Component: SpeedPplPanel },
  { id: 'speed-scaling', title: 'Speed: batch scaling and decode', what: SPEED_SCALING_WHAT, Component: SpeedScalingPanel },
  { id: 'pruning-curve', title: 'Pruning curve', what: PRUNING_WHAT, Component: PruningCurvePanel },
  { id: 'bit-width', title: 'Bit-width curve', what: BITWIDTH_WHAT, Component: BitWidthPanel },
  { id: 'prune-quant', title: 'Prune × quantize', what: PRUNE_QUANT_WHAT, Component: PruneQuantPanel },
  { id: 'layers', title: 'Per-layer error and sparsity', what: LAYER_WHAT, Component: LayerPanel },
  { id: 'sensitivity', title: 'Layer sensitivity', what: SENSITIVITY_WHAT, Component: SensitivityPanel },
  { id: 'propagation', title: 'Error propagation', what: PROPAGATION_WHAT, Component: PropagationPanel },
  { id: 'model-compare', title: 'Two models side by side', what: COMPARE_WHAT, Component: ModelComparePanel },
]);
