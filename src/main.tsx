/**
 * Entry point. WASM threads need crossOriginIsolated; the dev/preview servers send COOP/COEP
 * themselves, static hosts that cannot get the headers from public/coi-sw.js (registered once,
 * then the page reloads under its control).
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { registerIsolationWorker } from './coi';
import './styles.css';

if (!registerIsolationWorker()) {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
