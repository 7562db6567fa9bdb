/**
 * Cross-origin isolation on hosts that cannot set headers: register public/coi-sw.js, which
 * re-serves every same-origin response with COOP/COEP, and reload once it controls the page.
 * Skipped when the page is already isolated (the dev server sends the headers), already
 * controlled, not a secure context, or when a reload was already tried in this tab.
 * Returns true when the page is about to reload (the app should not start).
 */
const TRIED = 'coi-sw-reloaded';

export function registerIsolationWorker(): boolean {
  if (window.crossOriginIsolated || !window.isSecureContext || !('serviceWorker' in navigator)) return false;
  if (navigator.serviceWorker.controller) {
    // Controlled but still not isolated: the worker cannot help here; do not loop.
    return false;
  }
  if (sessionStorage.getItem(TRIED)) return false;
  sessionStorage.setItem(TRIED, '1');
  navigator.serviceWorker
    .register(`${import.meta.env.BASE_URL}coi-sw.js`)
    .then((reg) => {
      const reload = () => location.reload();
      if (reg.active) reload();
      else (reg.installing ?? reg.waiting)?.addEventListener('statechange', (e) => {
        if ((e.target as ServiceWorker).state === 'activated') reload();
      });
    })
    .catch((e) => {
      console.warn('coi-sw registration failed; WASM runs single-threaded', e);
      location.reload();
    });
  return true;
}
