import { describe, expect, it } from 'vitest';
import { decodeEvalText } from './eval-text';
import { evalTextIds } from './eval-text-ids';

const enc = new TextEncoder();

describe('a dropped evaluation text', () => {
  it('UTF-8 text decodes as it is', () => {
    expect(decodeEvalText('a.txt', enc.encode('Ünïcode text — fine.\n'))).toBe('Ünïcode text — fine.\n');
  });
  it('a binary file says it looks binary, naming the byte', () => {
    expect(() => decodeEvalText('model.bin', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01]))).toThrow(/model\.bin: byte 4 is a NUL: this looks like a binary file/);
  });
  it('Latin-1 text says it is not UTF-8 and where', () => {
    const latin1 = new Uint8Array([...enc.encode('caf'), 0xe9, 0x20, 0x6f, 0x6b]);
    try {
      decodeEvalText('old.txt', latin1);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).name).toBe('BadOption');
      expect((e as Error).message).toMatch(/old\.txt: byte 3 is not valid UTF-8/);
    }
  });
  it('an empty file is refused', () => {
    expect(() => decodeEvalText('e.txt', new Uint8Array())).toThrow(/empty/);
  });
  it('tokenizes once per text and tokenizer', () => {
    let calls = 0;
    const encode = (t: string) => (calls++, Array.from(t, (c) => c.charCodeAt(0)));
    const tok = { encode, encodePlain: encode, decode: () => '' };
    const data = enc.encode('hello world');
    expect(Array.from(evalTextIds(tok, 'h.txt', data))).toHaveLength(11);
    evalTextIds(tok, 'h.txt', data);
    expect(calls).toBe(1);
  });
});
