/**
 * One study panel: title, one plain sentence saying what it shows, the settings its numbers were
 * measured on (with a choice when results were measured several ways), the chart, its legend, and
 * PNG / SVG downloads of exactly what is drawn. In present mode the same panel renders larger.
 */
import { createContext, useContext, useRef, type ReactNode } from 'react';
import { downloadBytes } from '../lib/download';
import type { SettingsGroup } from './groups';
import { leftOut } from './groups';
import { panelPng, panelSvg } from './export-chart';

/** Chart height: the dashboard's, or present mode's larger one. */
export const ChartHeight = createContext(300);
export const useChartHeight = () => useContext(ChartHeight);

export interface LegendItem {
  label: string;
  color: string;
}

export interface GroupChoice {
  groups: SettingsGroup[];
  group: SettingsGroup | undefined;
  choose: (key: string) => void;
}

export function Panel({ id, title, what, choice, settings, legend = [], empty, actions, children }: {
  id: string;
  title: string;
  what: string;
  choice?: GroupChoice;
  /** the settings line when there is no group choice */
  settings?: string;
  legend?: LegendItem[];
  /** why nothing is drawn (undefined: there is something) */
  empty?: string;
  /** controls shown above the chart whether or not there is something to draw (not exported with the picture) */
  actions?: ReactNode;
  children?: ReactNode;
}) {
  const ref = useRef<HTMLElement>(null);
  const save = async (kind: 'svg' | 'png') => {
    const pic = panelSvg(ref.current!);
    if (kind === 'svg') downloadBytes(new TextEncoder().encode(pic.svg), `${id}.svg`, 'image/svg+xml');
    else downloadBytes(await panelPng(pic), `${id}.png`, 'image/png');
  };
  const others = choice ? leftOut(choice.groups, choice.group) : 0;
  return (
    <section className="card chart panel" data-testid={`panel-${id}`} data-panel={id} ref={ref} aria-label={title}>
      <h2>
        {title}
        {!empty && (
          <span className="panel-tools">
            <button className="link small" onClick={() => void save('png')} data-testid="save-png">PNG</button>
            <button className="link small" onClick={() => void save('svg')} data-testid="save-svg">SVG</button>
          </span>
        )}
      </h2>
      <p className="panel-what" data-testid="panel-what">{what}</p>
      {choice && choice.groups.length > 1 ? (
        <label className="small panel-settings-choice">
          measured on{' '}
          <select value={choice.group?.key} onChange={(e) => choice.choose(e.target.value)} data-testid="panel-group">
            {choice.groups.map((g) => <option key={g.key} value={g.key}>{g.label} ({g.points.length})</option>)}
          </select>
        </label>
      ) : null}
      <p className="muted small" data-testid="panel-settings">
        {choice?.group ? `Measured on ${choice.group.label}.` : settings}
        {others > 0 && ` ${others} result${others === 1 ? '' : 's'} measured on other settings ${others === 1 ? 'is' : 'are'} not drawn here (pick them above).`}
      </p>
      {actions}
      {empty ? (
        <p className="muted" data-testid="panel-empty">{empty}</p>
      ) : (
        <div data-chart>{children}</div>
      )}
      {!empty && legend.length > 0 && (
        <ul className="legend" aria-label="legend">
          {legend.map((l) => (
            <li key={l.label} data-legend-item data-color={l.color}><span className="swatch" style={{ background: l.color }} aria-hidden="true" />{l.label}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
