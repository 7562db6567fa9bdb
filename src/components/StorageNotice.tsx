/** Shown when finished results cannot be stored (IndexedDB unavailable or full): the lab keeps working in memory. */
import { useLab } from '../store';

export function StorageNotice() {
  const why = useLab((s) => s.storageProblem);
  if (!why) return null;
  return (
    <div className="notice warn storage-notice" role="status" data-testid="storage-notice">
      Results will not persist: {why}. Everything else works; results stay until this tab is closed or reloaded.
    </div>
  );
}
