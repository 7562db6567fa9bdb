/**
 * A user's evaluation text (a dropped .txt) in place of the built-in one: checked to be UTF-8 text
 * (a binary file or another encoding gets a message that says so, not a perplexity of garbage),
 * Pure, so the page uses it too, to answer at once when a file is picked (eval-text-ids.ts tokenizes).
 */
import { labError } from '../errors';

/** Texts above this are refused: the whole text is tokenized in the worker. */
export const MAX_TEXT_BYTES = 64 << 20;

export function decodeEvalText(name: string, data: Uint8Array): string {
  const bad = (m: string) => labError('BadOption', `${name}: ${m}`);
  if (!data.length) throw bad('the file is empty; expected a UTF-8 text to evaluate on');
  if (data.length > MAX_TEXT_BYTES) throw bad(`the file has ${data.length} bytes, more than the ${MAX_TEXT_BYTES >> 20} MiB an evaluation text may have`);
  const nul = data.indexOf(0);
  if (nul >= 0) throw bad(`byte ${nul} is a NUL: this looks like a binary file, not text; expected a UTF-8 .txt`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    let i = 0;
    // find the first offending byte for the message: valid prefixes decode, the first invalid one does not
    for (let step = 1 << 20; step >= 1; step >>= 1) {
      while (i + step <= data.length && isUtf8(data.subarray(0, i + step))) i += step;
    }
    // a valid prefix may end in an unfinished character: the error starts at its lead byte
    let j = i - 1;
    while (j > 0 && (data[j] & 0xc0) === 0x80) j--;
    const at = j >= 0 && data[j] >= 0xc0 ? j : i;
    throw bad(`byte ${at} is not valid UTF-8: expected a UTF-8 text file (save it as UTF-8, or it may be binary)`);
  }
}

function isUtf8(b: Uint8Array): boolean {
  try {
    // a prefix may end mid-character: stream mode tolerates that, and only real errors throw
    new TextDecoder('utf-8', { fatal: true }).decode(b, { stream: true });
    return true;
  } catch {
    return false;
  }
}
