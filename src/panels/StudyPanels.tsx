/** The study's panels on the dashboard, two a row on wide screens. */
import { PANELS } from './registry';

export function StudyPanels() {
  return (
    <div className="study-panels" data-testid="study-panels">
      {PANELS.map(({ id, Component }) => <Component key={id} />)}
    </div>
  );
}
