/**
 * Which of a hub repo's files the lab downloads, chosen as the folder-drop path chooses from a
 * dropped folder (src/lib/files.ts, workers/model/load.ts): the JSON files beside the model at the
 * repo root, every ONNX graph (only the preferred one — model.onnx > decoder_model_merged.onnx >
 * decoder_model.onnx, graph-choice.ts — is read at load; the others are offered on the card and
 * downloaded on click) and each graph's external data. Weights in other formats (safetensors,
 * PyTorch, TF), READMEs and everything else are never fetched. Pure: unit-tested without a network.
 */
import { preferredGraph } from '../../workers/model/graph-choice';
import { HubProblem } from './problems';

/** One entry of `siblings` in GET /api/models/{id}?blobs=true. */
export interface HubSibling {
  rfilename: string;
  size?: number;
  lfs?: { size?: number };
}

export interface HubFile {
  path: string;
  /** bytes, from the listing (undefined when the hub did not say) */
  size?: number;
}

export interface HubSelection {
  files: HubFile[];
  /** every .onnx in the repo */
  graphs: string[];
  /** the graph the load reads */
  preferred: string;
}

/** Read by the lab (config, tokenizer) or small and useful to keep with them; at the repo root, as in a dropped folder. */
export const ROOT_FILES = Object.freeze(['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']);

const dirOf = (p: string) => p.slice(0, p.lastIndexOf('/') + 1);

/** External data of `graph`: model.onnx_data, model.onnx_data_1, model.onnx.data beside it (the names the exporters write, as files.ts assumes). */
const isDataOf = (graph: string) => (p: string) => {
  const stem = graph.replace(/\.onnx$/, '');
  return dirOf(p) === dirOf(graph) && (p.startsWith(`${stem}.onnx_data`) || p.startsWith(`${stem}.onnx.data`));
};

const sizeOf = (s: HubSibling) => [s.size, s.lfs?.size].find((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);

/** Throws a HubProblem ('NoOnnx') when the repo lacks what the lab needs, before anything is downloaded. */
export function selectFiles(id: string, siblings: readonly HubSibling[]): HubSelection {
  const all = siblings.filter((s) => typeof s?.rfilename === 'string').map((s) => ({ path: s.rfilename, size: sizeOf(s) }));
  const paths = all.map((f) => f.path);
  const shown = paths.length > 8 ? `${paths.slice(0, 8).join(', ')}, … (${paths.length} files)` : paths.join(', ') || 'no files';
  const graphs = paths.filter((p) => p.endsWith('.onnx'));
  const preferred = preferredGraph(graphs);
  if (!preferred) {
    throw new HubProblem(
      'NoOnnx',
      `${id} has no ONNX graph (${shown}). The lab runs ONNX models: look for an ONNX export of it on the hub (often under onnx-community/ or Xenova/), or export it with Optimum (optimum-cli export onnx --model ${id} out/) and drop the folder here`,
    );
  }
  for (const need of ['config.json', 'tokenizer.json']) {
    if (!paths.includes(need)) {
      throw new HubProblem('NoOnnx', `${id} has no ${need} at its root (${shown}); the lab needs config.json and tokenizer.json beside the ONNX graph. Try a transformers.js-ready export of this model, or drop a folder with them`);
    }
  }
  const files = all.filter((f) => ROOT_FILES.includes(f.path) || f.path.endsWith('.onnx') || graphs.some((g) => isDataOf(g)(f.path)));
  return { files, graphs, preferred };
}
