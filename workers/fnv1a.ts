/** FNV-1a (32-bit) over every byte: a file's identity where two files of one name and size must differ (evaluation and calibration texts). */
export function fnv1a(data: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 0x01000193);
  return h >>> 0;
}
