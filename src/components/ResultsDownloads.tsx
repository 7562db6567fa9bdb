/** Downloads of the results as shown: JSON, CSV, and the whole report as one HTML file. */
import { downloadBytes } from '../lib/download';
import { buildReport } from '../lib/report';
import { reportMarkdown } from '../lib/report-md';
import { resultsCsv, resultsJson } from '../lib/results-export';
import { propagationsFor } from '../lib/propagation-export';
import { measuredFor } from '../lib/measured-export';
import type { ResultRow } from '../lib/selectors';
import { useLab } from '../store';
import { modelKeyOf } from '../store/types';

const utf8 = (s: string) => new TextEncoder().encode(s);
const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');

export function ResultsDownloads({ rows }: { rows: ResultRow[] }) {
  const model = useLab((s) => s.model);
  const settings = useLab((s) => s.settings);
  const lastRun = useLab((s) => s.lastRun);
  const allPropagations = useLab((s) => s.propagations);
  const classifications = useLab((s) => s.classifications);
  const generations = useLab((s) => s.generations);
  const scalings = useLab((s) => s.scalings);
  const key = model ? modelKeyOf(model) : undefined;
  const propagations = propagationsFor(rows, allPropagations, key);
  const measured = measuredFor(rows, { classifications, generations, scalings }, key);
  // the setup the results came from when there is one, else what is set now
  const setup = lastRun?.settings ?? settings;
  // error propagation, classifier reports, generated text and speed figures go in all three, each with the settings it was measured on
  const json = () => resultsJson(rows, model, setup, { propagations, measured });
  const csv = () => resultsCsv(rows, model, propagations, measured);
  const html = () => buildReport(document, json(), csv());
  // the same report as Markdown: made from the HTML one, so its tables are the same
  const md = () => reportMarkdown(new DOMParser().parseFromString(html(), 'text/html'));
  const name = (model?.name ?? 'results').replace(/[^a-z0-9._-]+/gi, '-');
  const none = rows.every((r) => !r.variant && Object.keys(r.evals).length === 0);
  return (
    <span className="downloads">
      <button className="small" disabled={none} onClick={() => downloadBytes(utf8(JSON.stringify(json(), null, 2)), `${name}-results-${stamp()}.json`, 'application/json')} data-testid="export-json">JSON</button>
      <button className="small" disabled={none} onClick={() => downloadBytes(utf8(csv()), `${name}-results-${stamp()}.csv`, 'text/csv')} data-testid="export-csv">CSV</button>
      <button className="small" disabled={none} onClick={() => downloadBytes(utf8(html()), `${name}-report-${stamp()}.html`, 'text/html')} data-testid="export-report">Report (HTML)</button>
      <button className="small" disabled={none} onClick={() => downloadBytes(utf8(md()), `${name}-report-${stamp()}.md`, 'text/markdown')} data-testid="export-report-md">Report (Markdown)</button>
    </span>
  );
}
