/**
 * Hands bytes to the browser as a file download: a Blob, an object URL and a click on an
 * <a download>. Works offline (nothing is fetched). The URL is revoked a little later, not at once:
 * some browsers start reading the blob only after the click has returned.
 */
const REVOKE_AFTER_MS = 10_000;

export function downloadBytes(bytes: Uint8Array, fileName: string, type = 'application/zip'): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}
