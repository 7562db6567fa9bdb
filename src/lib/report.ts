/**
 * The whole report as one self-contained HTML file: the setup, every study panel as drawn (its
 * composed SVG, inline), the results table as on screen (each number keeps its "how measured"
 * title), and the results JSON embedded for machines. No script runs in it and nothing is fetched.
 */
import { panelSvg } from '../panels/export-chart';
import { measuredHtml } from './measured-export';
import { propagationHtml } from './propagation-export';
import { specLabel } from './specs';
import type { resultsJson } from './results-export';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const STYLE = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;margin:24px auto;max-width:1200px;padding:0 16px}
h1{font-size:22px}h2{font-size:16px;margin-top:28px}figure{margin:16px 0;border:1px solid #e1e4ea;border-radius:8px;padding:8px;overflow:auto}
figure svg{max-width:100%;height:auto}table{border-collapse:collapse;font-size:12px}th,td{border-bottom:1px solid #e1e4ea;padding:3px 6px;text-align:left;white-space:nowrap}
td.r{text-align:right}.muted{color:#677085}dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px}dt{color:#677085}dd{margin:0}.scroll{overflow:auto}`;

/** The on-screen table without its buttons (sort heads keep their text). */
function tableHtml(doc: Document): string {
  const table = doc.querySelector('[data-testid=results-table] table');
  if (!table) return '<p>No results table on the page.</p>';
  const copy = table.cloneNode(true) as HTMLElement;
  for (const b of [...copy.querySelectorAll('button')]) {
    if (b.closest('th')) b.replaceWith(doc.createTextNode(b.textContent ?? ''));
    else b.remove();
  }
  return copy.outerHTML;
}

export function buildReport(doc: Document, json: ReturnType<typeof resultsJson>, csv: string): string {
  const s = json.setup;
  const setup: [string, string][] = [
    ['model', json.model ? `${json.model.name} (${json.model.modelType}, ${json.model.totalParams.toLocaleString('en-US')} parameters, ${json.model.onnxPath})` : 'none loaded'],
    ['variants', s.variants.length ? s.variants.map(specLabel).join('; ') : 'baseline only'],
    ['backends', s.backends.join(', ')],
    ['evaluation tokens', s.backends.map((b) => `${b} ${s.tokens[b]}`).join(', ')],
    ['context / stride', `${s.context ?? 'model context'} / ${s.stride ?? 'same as context'}`],
    ['kernels', s.device],
    ['exported', json.exportedAt],
  ];
  const figures = [...doc.querySelectorAll<HTMLElement>('[data-panel]')]
    .filter((p) => p.querySelector('[data-chart]'))
    .map((p) => `<figure data-panel="${esc(p.dataset.panel ?? '')}">${panelSvg(p).svg}</figure>`);
  const data = JSON.stringify(json).replace(/</g, '\\u003c');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Compression Lab report: ${esc(json.model?.name ?? '')}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>${STYLE}</style></head><body>
<h1>Compression Lab report</h1>
<dl>${setup.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
<p class="muted">Every perplexity names its backend, dataset, tokens scored, context and stride (hover a number in the table); charts draw one such setting at a time.</p>
<h2>Panels</h2>${figures.join('\n') || '<p>No panel had anything to draw.</p>'}
<h2>Results</h2><div class="scroll">${tableHtml(doc)}</div>
<h2>Error propagation</h2>${propagationHtml(json.rows)}
${measuredHtml(json.rows)}
<h2>Data</h2><p class="muted">The results as JSON (schema ${esc(json.schema)}) are embedded in this file (script#results-json); the CSV follows.</p>
<pre style="font-size:11px;overflow:auto;max-height:300px">${esc(csv)}</pre>
<script type="application/json" id="results-json">${data}</script>
</body></html>`;
}
