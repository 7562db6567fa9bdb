/** The setup as a link: opening it starts the lab with the same variants and evaluation settings. */
import { useState } from 'react';
import { setupUrl } from '../lib/share';
import { useLab } from '../store';

export function ShareSetup() {
  const settings = useLab((s) => s.settings);
  const [url, setUrl] = useState<string>();
  const [copied, setCopied] = useState(false);
  const make = async () => {
    const u = setupUrl(settings, location.href);
    setUrl(u);
    try {
      await navigator.clipboard.writeText(u);
      setCopied(true);
    } catch {
      setCopied(false); // no clipboard permission: the field below holds it to copy by hand
    }
  };
  return (
    <div className="share row">
      <button onClick={() => void make()} data-testid="share-setup">Link to this setup</button>
      {url && (
        <>
          <input readOnly value={url} onFocus={(e) => e.target.select()} aria-label="link to this setup" data-testid="share-url" className="share-url" />
          <span className="muted small">{copied ? 'copied' : 'select and copy'}</span>
        </>
      )}
    </div>
  );
}
