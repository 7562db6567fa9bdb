/**
 * Where the worker finds the site's static files (public/): the demo models, the evaluation
 * text and ONNX Runtime's wasm files (public/ort/, copied by scripts/copy-runtime-assets.mjs).
 * The worker runs at the site's origin; Vite's BASE_URL is the site's base path ('/' by default).
 */
export function publicUrl(path: string): string {
  const base = import.meta.env?.BASE_URL ?? '/';
  const root = base.startsWith('/') ? base : '/';
  return new URL(root.replace(/\/?$/, '/') + path, self.location.origin).href;
}
