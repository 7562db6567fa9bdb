/** Error and info banners from the ui slice; errors stay until dismissed, info fades after a while. */
import { useEffect } from 'react';
import { useLab } from '../store';
import type { Notice } from '../store/types';

function Banner({ n }: { n: Notice }) {
  const dismiss = useLab((s) => s.dismiss);
  useEffect(() => {
    if (n.kind !== 'info') return;
    const t = setTimeout(() => dismiss(n.id), 5000);
    return () => clearTimeout(t);
  }, [n, dismiss]);
  return (
    <div className={`notice ${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'} data-testid={n.kind === 'error' ? 'error-banner' : 'info-banner'}>
      <div>
        <strong>{n.title}</strong>
        {n.detail && <div className="detail">{n.detail}</div>}
      </div>
      <button className="link" onClick={() => dismiss(n.id)} aria-label="dismiss">×</button>
    </div>
  );
}

export function Notices() {
  const notices = useLab((s) => s.notices);
  return <div className="notices">{notices.map((n) => <Banner key={n.id} n={n} />)}</div>;
}
