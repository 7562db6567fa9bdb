/**
 * The report as Markdown (report.md): the HTML report (buildReport) walked in order, so its text and
 * tables are the same — setup, the notes saying how each figure was measured, the results table,
 * error propagation, classification, generated text and speed figures. Panels are images: the
 * Markdown points at the PNGs and report.html instead of drawing them; the embedded JSON and CSV are
 * left to results.json / results.csv.
 */

/** One cell's text: whitespace collapsed, pipes escaped (a cell may hold generated text). */
export const mdCell = (s: string) => s.replace(/\s+/g, ' ').trim().replace(/\\/g, '\\\\').replace(/\|/g, '\\|');

/** A GitHub-flavoured Markdown table; short rows are padded so every row has the head's width. */
export function mdTable(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${head.map((_, i) => mdCell(cells[i] ?? '')).join(' | ')} |`;
  return [line(head), `| ${head.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}

/**
 * A cell's text with its parts apart: the table on screen sets a number and its note in separate
 * elements ("147.94" over "source model"), which textContent would run together.
 */
function textOf(n: Node): string {
  if (n.nodeType === 3) return n.nodeValue ?? '';
  return [...n.childNodes].map(textOf).filter((t) => t.trim()).join(' ');
}

/** A row's cells, a cell spanning n columns followed by n − 1 empty ones. */
function cellsOf(tr: Element): string[] {
  return [...tr.children].flatMap((c) => [textOf(c), ...Array<string>(Math.max(0, Number(c.getAttribute('colspan') ?? 1) - 1)).fill('')]);
}

/** The table without columns empty in every row (the on-screen table's export / delete buttons). */
function tableMd(t: Element): string {
  const trs = [...t.querySelectorAll('tr')];
  const headRow = t.querySelector('thead tr') ?? trs[0];
  if (!headRow) return '';
  const body = trs.filter((tr) => tr !== headRow).map(cellsOf);
  const keep = cellsOf(headRow).map((_, i) => body.length === 0 || body.some((r) => (r[i] ?? '').trim() !== ''));
  const pick = (cells: string[]) => cells.filter((_, i) => keep[i]);
  return mdTable(pick(cellsOf(headRow)), body.map(pick));
}

function blockMd(el: Element): string[] {
  const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
  switch (el.tagName.toLowerCase()) {
    case 'h1': return [`# ${text}`];
    case 'h2': return [`## ${text}`];
    case 'p': return text ? [text] : [];
    case 'dl': {
      const dts = [...el.querySelectorAll('dt')];
      return [dts.map((dt) => `- **${mdCell(dt.textContent ?? '')}**: ${(dt.nextElementSibling?.textContent ?? '').trim()}`).join('\n')];
    }
    case 'table': return [tableMd(el)];
    case 'figure': return []; // drawn once for all below (the panels' PNGs)
    case 'pre':
    case 'script':
      return [];
    default: return [...el.children].flatMap(blockMd); // wrappers (the tables' scroll boxes)
  }
}

/** `doc`: the parsed HTML report. */
export function reportMarkdown(doc: Document): string {
  const panels = [...doc.querySelectorAll('figure[data-panel]')].map((f) => f.getAttribute('data-panel'));
  const blocks = [...doc.body.children].flatMap((el) => {
    const md = blockMd(el);
    // the panels are pictures: name them where the HTML draws them
    if (el.tagName.toLowerCase() === 'h2' && /^Panels$/.test(el.textContent ?? '') && panels.length) {
      md.push(`Panels (pictures): ${panels.join(', ')}; drawn in report.html, and npm run lab saves each as <panel>.png beside this file.`);
    }
    return md;
  });
  // the data section points at the HTML's embedded JSON: in Markdown, at the files written beside it
  return `${blocks.join('\n\n').replace(/The results as JSON .*?the CSV follows\./, 'The results are in results.json (schema docs/results-json.md) and results.csv beside this file.')}\n`;
}
