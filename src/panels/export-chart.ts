/**
 * A panel as a standalone picture: its title, its one sentence, its settings line, the chart's
 * SVG (with any SVG marked data-export-beside to its right) and its legend, composed into one SVG (fonts named, white background), and that SVG drawn
 * onto a canvas at 2× for a PNG. Everything happens in the page: nothing is fetched.
 */
const NS = 'http://www.w3.org/2000/svg';
const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Wraps text into lines of at most `max` characters. */
function wrap(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && (line + ' ' + word).length > max) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

export interface PanelPicture {
  svg: string;
  width: number;
  height: number;
}

/** The panel's figure (element with data-chart) as one SVG string. */
export function panelSvg(panel: HTMLElement): PanelPicture {
  const figure = panel.querySelector<HTMLElement>('[data-chart]');
  const main = figure?.querySelector<SVGSVGElement>('svg.recharts-surface, svg[data-heatmap]');
  // a second chart drawn beside the first (the Speed panel's decode bars) goes into the picture too
  const charts = [main, ...(figure ? [...figure.querySelectorAll<SVGSVGElement>('svg[data-export-beside]')] : [])].filter((c): c is SVGSVGElement => !!c);
  const title = panel.querySelector('h2')?.firstChild?.textContent?.trim() ?? 'chart';
  const what = panel.querySelector('[data-testid=panel-what]')?.textContent?.trim() ?? '';
  const settings = panel.querySelector('[data-testid=panel-settings]')?.textContent?.trim() ?? '';
  const legend = [...panel.querySelectorAll<HTMLElement>('[data-legend-item]')].map((li) => ({ text: li.textContent?.trim() ?? '', color: li.dataset.color ?? '#000' }));
  const boxes = charts.map((c) => c.getBoundingClientRect());
  const widths = charts.length ? boxes.map((b) => Math.round(b.width || 640)) : [640];
  const cw = widths.reduce((a, b) => a + b, 0) + 16 * (widths.length - 1);
  const ch = Math.max(...boxes.map((b) => Math.round(b.height || 320)), 0) || 320;
  const width = Math.max(cw, 480) + 32;
  const chars = Math.floor((width - 32) / 7);
  const head = [...wrap(what, chars), ...wrap(settings, chars)];
  let y = 28;
  const parts: string[] = [`<text x="16" y="${y}" font-size="17" font-weight="600">${esc(title)}</text>`];
  for (const line of head) {
    y += 18;
    parts.push(`<text x="16" y="${y}" font-size="12.5" fill="#333">${esc(line)}</text>`);
  }
  y += 12;
  let cx = 16;
  charts.forEach((chart, i) => {
    const clone = chart.cloneNode(true) as SVGSVGElement;
    clone.setAttribute('x', String(cx));
    clone.setAttribute('y', String(y));
    clone.setAttribute('width', String(widths[i]));
    clone.setAttribute('height', String(Math.round(boxes[i].height || 320)));
    clone.removeAttribute('style');
    parts.push(new XMLSerializer().serializeToString(clone));
    cx += widths[i] + 16;
  });
  if (charts.length) y += ch;
  const unlabelled = panel.querySelector('[data-testid=panel-unlabelled]')?.textContent?.trim();
  for (const line of unlabelled ? wrap(unlabelled, chars) : []) {
    y += 18;
    parts.push(`<text x="16" y="${y}" font-size="12.5" fill="#333">${esc(line)}</text>`);
  }
  let x = 16;
  if (legend.length) y += 22;
  for (const l of legend) {
    const w = 22 + l.text.length * 7;
    if (x + w > width - 16) {
      x = 16;
      y += 18;
    }
    parts.push(`<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${esc(l.color)}"/><text x="${x + 16}" y="${y}" font-size="12.5">${esc(l.text)}</text>`);
    x += w + 12;
  }
  const height = y + 20;
  const svg = `<svg xmlns="${NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}"><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>`;
  return { svg, width, height };
}

/** The composed SVG rasterized at `scale` × as PNG bytes. */
export async function panelPng(p: PanelPicture, scale = 2): Promise<Uint8Array> {
  const url = URL.createObjectURL(new Blob([p.svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = p.width * scale;
    canvas.height = p.height * scale;
    const ctx = canvas.getContext('2d')!;
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    const blob = await new Promise<Blob>((ok, fail) => canvas.toBlob((b) => (b ? ok(b) : fail(new Error('the canvas gave no PNG'))), 'image/png'));
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    URL.revokeObjectURL(url);
  }
}
