/** The loaded model: what it is, how big, and which weights the lab can compress. */
import { useLab } from '../store';
import { bytes, compact } from '../lib/format';
import { LinearWeightsTable } from './LinearWeightsTable';
import { Num } from './Num';
import { PublishedForm } from './PublishedForm';
import { TiedHeadNote } from './TiedHeadNote';
import { OtherGraphs } from './OtherGraphs';

export function ModelCard() {
  const model = useLab((s) => s.model);
  const loading = useLab((s) => s.loading);
  if (!model) {
    return <section className="card" data-testid="model-card-empty"><h2>Model</h2><p className="muted">{loading ? `Loading ${loading}…` : 'No model loaded.'}</p></section>;
  }
  const share = model.totalParams > 0 ? ` (${((model.linearParams / model.totalParams) * 100).toFixed(0)} % of all)` : '';
  return (
    <section className="card" data-testid="model-card">
      <h2>
        <span data-testid="model-name">{model.name}</span> <span className="tag">{model.source}</span>
      </h2>
      <dl className="facts">
        <dt>type</dt><dd>{model.modelType}</dd>
        <dt>params</dt><dd><Num text={compact(model.totalParams)} why="not reported" how={`${model.totalParams} parameters (all initializers)`} /></dd>
        <dt>linear weights</dt><dd>{model.linearWeights.length} tensors, {compact(model.linearParams)} params{share}</dd>
        <dt>context</dt><dd title="n_positions / max_position_embeddings from config.json (or the graph's position table)">{model.nPositions || (model.configFromGraph ? 'not in the graph: set a context under Evaluation' : 0)}{model.nPositions ? ' tokens' : ''}</dd>
        <dt>vocab</dt><dd>{model.vocabSize.toLocaleString()}</dd>
        <dt>ONNX size</dt><dd><Num text={bytes(model.onnxBytes)} why="not reported" /></dd>
        <dt>eval text</dt><dd>{model.datasetName}, {model.datasetTokens.toLocaleString()} tokens</dd>
      </dl>
      {model.published && <PublishedForm form={model.published} />}
      {model.tiedHead && <TiedHeadNote tied={model.tiedHead} />}
      {model.configFromGraph && (
        <p className="small muted" data-testid="config-from-graph">
          No config.json: {model.configFromGraph.join(', ') || 'nothing'} read off the graph{model.tokenizerFrom ? `; tokenizer: the built-in ${model.tokenizerFrom}'s` : ''}.
        </p>
      )}
      {model.limitNote && <p className="small muted" data-testid="limit-note">{model.limitNote}.</p>}
      {model.fusedAttention && <p className="small muted" data-testid="fused-attention">{model.fusedAttention}.</p>}
      {model.mergedDecoder && <p className="small muted" data-testid="merged-decoder">{model.onnxPath}: {model.mergedDecoder}</p>}
      <OtherGraphs />
      <LinearWeightsTable weights={model.linearWeights} lmHead={model.lmHead} />
    </section>
  );
}
