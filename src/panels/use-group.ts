/** A panel's choice among the settings groups of the loaded model's results. */
import { useMemo, useState } from 'react';
import type { ResultRow } from '../lib/selectors';
import { pickGroup, settingsGroups } from './groups';
import type { GroupChoice } from './Panel';

export function useGroup(rows: ResultRow[]): GroupChoice {
  const groups = useMemo(() => settingsGroups(rows), [rows]);
  const [chosen, choose] = useState<string>();
  return { groups, group: pickGroup(groups, chosen), choose };
}
