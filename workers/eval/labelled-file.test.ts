// A user's labelled JSONL: names and indices accepted, every bad line named with its number and
// the model's labels, binary refused before parsing.
import { describe, expect, it } from 'vitest';
import { checkLabelledJsonl, examplesFromFile } from './labelled-file';

const LABELS = ['press', 'fiction', 'learned', 'nonfiction'];

describe('checkLabelledJsonl', () => {
  it('reads label names, indices and index strings, skipping blank lines', () => {
    const text = '{"text": "a", "label": "fiction"}\n\n{"text": "b", "label": 3}\r\n{"text": "c", "label": "0"}\n';
    expect(checkLabelledJsonl('mine.jsonl', text, LABELS)).toEqual([
      { text: 'a', label: 1 },
      { text: 'b', label: 3 },
      { text: 'c', label: 0 },
    ]);
  });

  it('names every kind of bad line with its number and lists the labels', () => {
    const text = [
      '{"text": "ok", "label": "press"}',
      'not json',
      '{"text": "x", "label": "poetry"}',
      '{"text": "x", "label": 4}',
      '{"label": "press"}',
      '["text", "press"]',
      '{"text": "x"}',
    ].join('\n');
    let message = '';
    try {
      checkLabelledJsonl('mine.jsonl', text, LABELS);
    } catch (e) {
      expect((e as Error).name).toBe('BadOption');
      message = (e as Error).message;
    }
    expect(message).toMatch(/^mine\.jsonl: line 2: not JSON/);
    expect(message).toContain('line 3: label "poetry" is not one of the model\'s labels');
    expect(message).toContain('line 4: label 4 is not a class index in [0, 3]');
    expect(message).toContain('line 5: it has no "text" string');
    expect(message).toContain('line 6: expected an object');
    expect(message).toContain('and 1 more bad line(s)');
    expect(message).toContain('press (0), fiction (1), learned (2), nonfiction (3)');
  });

  it('refuses a file without examples', () => {
    expect(() => checkLabelledJsonl('empty.jsonl', '\n \n', LABELS)).toThrow(/no examples in it/);
  });

  it('refuses binary before reading lines', () => {
    const tok = { encode: () => [], encodePlain: () => [], decode: () => '' } as never;
    expect(() => examplesFromFile(tok, 'model.onnx', new Uint8Array([8, 0, 1, 2]), LABELS, 128)).toThrow(/binary file/);
  });
});
