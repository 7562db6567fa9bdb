/**
 * What a variant's f32 bytes are (variants/f32-size.ts), said the same way in the results row's
 * tooltip and the export's model card: for a source published compressed they are not its file.
 */
export function f32BytesText(publishedCompressed: boolean): string {
  return publishedCompressed
    ? "the source's float reference with every weight f32 (its published weights dequantized: what the variants are made from), serialized; not the published file"
    : 'the source model as loaded, its weights already f32';
}
