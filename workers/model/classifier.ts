/**
 * Sequence classifiers (BertForSequenceClassification, GPT2ForSequenceClassification, …): told
 * from the graph — logits of rank 2, (batch, labels) — or from config.json's architectures, with
 * the labels from id2label. Their evaluation text is a JSONL file of {"text", "label"} rows; each
 * text is encoded the way transformers.js' tokenizer(text, {truncation: true, max_length}) does:
 * the special tokens of the tokenizer's post-processor around the text, the text cut so the
 * whole fits.
 */
import { labError } from '../errors';
import { toNum, type ModelProto } from './onnx-graph';
import type { TextTokenizer } from './tokenizer';

export const CLASSIFIER_EXAMPLES = Object.freeze({ name: 'brown-genre-test', path: 'datasets/brown-genre-test.jsonl' });

export interface LabelledExample {
  ids: Int32Array;
  label: number;
}

interface Dim { dimValue?: unknown; dimParam?: string }
interface ValueInfo { name: string; type?: { tensorType?: { shape?: { dim?: Dim[] } } } }

export function isClassifier(proto: ModelProto, config: Record<string, unknown>): boolean {
  const archs = Array.isArray(config.architectures) ? (config.architectures as unknown[]).map(String) : [];
  if (archs.some((a) => a.endsWith('ForSequenceClassification'))) return true;
  const logits = (proto.graph!.output as unknown as ValueInfo[]).find((o) => o.name === 'logits');
  return logits?.type?.tensorType?.shape?.dim?.length === 2;
}

/** The labels by class index, from config.json's id2label (or LABEL_i when it has none). */
export function labelsOf(config: Record<string, unknown>, proto: ModelProto): string[] {
  const map = config.id2label as Record<string, string> | undefined;
  if (map && typeof map === 'object' && Object.keys(map).length) {
    const n = Math.max(...Object.keys(map).map(Number)) + 1;
    return Array.from({ length: n }, (_, i) => String(map[String(i)] ?? `LABEL_${i}`));
  }
  const logits = (proto.graph!.output as unknown as ValueInfo[]).find((o) => o.name === 'logits');
  const n = toNum(logits?.type?.tensorType?.shape?.dim?.[1]?.dimValue ?? 0);
  if (!n) throw labError('NotLanguageModel', 'a sequence classifier needs id2label in config.json or a fixed number of labels in its logits');
  return Array.from({ length: n }, (_, i) => `LABEL_${i}`);
}

/** Model types whose position ids count from pad_token_id + 1 (cumsum(input_ids != pad) + pad, in the graph):
 *  max_position_embeddings holds pad + 1 rows no token reaches (roberta-base: 514 for 512 tokens). */
const POSITIONS_FROM_PAD = new Set(['roberta', 'xlm-roberta', 'xlm-roberta-xl', 'camembert', 'data2vec-text', 'longformer']);

/** The longest input a classifier takes: its positions, less RoBERTa's offset where the model has one. */
export function inputLength(config: Record<string, unknown>, positions: number): number {
  if (!POSITIONS_FROM_PAD.has(String(config.model_type))) return positions;
  const pad = Number(config.pad_token_id ?? 1);
  return positions - (Number.isInteger(pad) && pad >= 0 ? pad : 1) - 1;
}

/** The special tokens the tokenizer puts before and after one text (e.g. [CLS] … [SEP]). */
function specialsAround(tok: TextTokenizer): { before: number[]; after: number[] } {
  const plain = tok.encodePlain('a');
  const full = tok.encode('a');
  const at = full.findIndex((_, i) => plain.every((p, j) => full[i + j] === p));
  if (at < 0) return { before: [], after: [] };
  return { before: full.slice(0, at), after: full.slice(at + plain.length) };
}

/** JSONL rows {"text", "label"} → encoded examples; a label not in `labels` is an error naming it. */
export function encodeExamples(tok: TextTokenizer, jsonl: string, labels: readonly string[], maxLength: number): LabelledExample[] {
  const { before, after } = specialsAround(tok);
  const room = maxLength - before.length - after.length;
  if (room < 1) throw labError('BadOption', `max length ${maxLength} leaves no room for text between the special tokens`);
  const out: LabelledExample[] = [];
  jsonl.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let row: { text?: unknown; label?: unknown };
    try {
      row = JSON.parse(line);
    } catch (e) {
      throw labError('BadOption', `line ${i + 1} of the examples is not JSON (${(e as Error).message})`);
    }
    if (typeof row.text !== 'string') throw labError('BadOption', `line ${i + 1} of the examples has no "text" string`);
    const label = typeof row.label === 'number' ? row.label : labels.indexOf(String(row.label));
    if (label < 0 || label >= labels.length) throw labError('BadOption', `line ${i + 1}: label "${String(row.label)}" is not one of the model's labels (${labels.join(', ')})`);
    const body = tok.encodePlain(row.text).slice(0, room);
    out.push({ ids: Int32Array.from([...before, ...body, ...after]), label });
  });
  if (!out.length) throw labError('BadOption', 'the examples file has no rows');
  return out;
}
