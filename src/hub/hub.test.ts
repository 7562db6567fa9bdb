/** The hub field's pure parts: the base override, ids as typed or pasted, which files a repo gives the lab, and what a failure says. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_HUB, fileUrl, hubBase, listingUrl, parseModelId } from './hub-id';
import { selectFiles } from './listing';
import { httpProblem, HubProblem, networkProblem } from './problems';

describe('hub base and ids', () => {
  it('defaults to huggingface.co; ?hub= overrides it with an http(s) URL and nothing else', () => {
    expect(hubBase('')).toEqual({ base: DEFAULT_HUB });
    expect(hubBase('?nogpu=1&hub=http%3A%2F%2F127.0.0.1%3A4000%2F')).toEqual({ base: 'http://127.0.0.1:4000' });
    expect(hubBase('?hub=javascript:alert(1)')).toHaveProperty('problem');
    expect(hubBase('?hub=not a url')).toHaveProperty('problem');
  });
  it('takes owner/name, a legacy name, or a pasted hub URL; refuses the rest', () => {
    expect(parseModelId(' Xenova/gpt2 ')).toBe('Xenova/gpt2');
    expect(parseModelId('gpt2')).toBe('gpt2');
    expect(parseModelId('https://huggingface.co/onnx-community/Qwen2.5-0.5B-Instruct/tree/main/onnx')).toBe('onnx-community/Qwen2.5-0.5B-Instruct');
    expect(parseModelId('http://127.0.0.1:4000/lab-test/x', 'http://127.0.0.1:4000')).toBe('lab-test/x');
    for (const bad of ['', 'a/b/c', '../etc', 'a/..', 'with space/x', '/x']) expect(() => parseModelId(bad)).toThrow(/not a Hugging Face model id/);
  });
  it('builds the API and resolve URLs', () => {
    expect(listingUrl(DEFAULT_HUB, 'Xenova/gpt2')).toBe('https://huggingface.co/api/models/Xenova/gpt2?blobs=true');
    expect(fileUrl(DEFAULT_HUB, 'Xenova/gpt2', 'onnx/model q.onnx')).toBe('https://huggingface.co/Xenova/gpt2/resolve/main/onnx/model%20q.onnx');
  });
});

describe('which files of a repo the lab downloads', () => {
  const sib = (rfilename: string, size = 10) => ({ rfilename, size });
  it('a transformers.js repo: root JSON, every graph (model.onnx preferred) and graph data; never other weights or docs', () => {
    const sel = selectFiles('Xenova/gpt2', [
      '.gitattributes', 'README.md', 'config.json', 'generation_config.json', 'merges.txt', 'vocab.json', 'tokenizer.json', 'tokenizer_config.json',
      'special_tokens_map.json', 'model.safetensors', 'pytorch_model.bin', 'onnx/decoder_model_merged.onnx', 'onnx/model.onnx', 'onnx/model.onnx_data',
      'onnx/model_fp16.onnx', 'onnx/model_fp16.onnx_data', 'onnx/model_fp16.onnx_data_1', 'onnx/model_q4.onnx', 'onnx/other.bin',
    ].map((f) => sib(f)));
    expect(sel.preferred).toBe('onnx/model.onnx');
    expect(sel.graphs).toEqual(['onnx/decoder_model_merged.onnx', 'onnx/model.onnx', 'onnx/model_fp16.onnx', 'onnx/model_q4.onnx']);
    expect(sel.files.map((f) => f.path)).toEqual([
      'config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'onnx/decoder_model_merged.onnx',
      'onnx/model.onnx', 'onnx/model.onnx_data', 'onnx/model_fp16.onnx', 'onnx/model_fp16.onnx_data', 'onnx/model_fp16.onnx_data_1', 'onnx/model_q4.onnx',
    ]);
  });
  it('an Optimum export at the root: the merged decoder before the plain one; sizes from lfs when given there', () => {
    const sel = selectFiles('o/m', [sib('config.json'), sib('tokenizer.json'), sib('decoder_model.onnx'), { rfilename: 'decoder_model_merged.onnx', lfs: { size: 123 } }]);
    expect(sel.preferred).toBe('decoder_model_merged.onnx');
    expect(sel.files.find((f) => f.path === 'decoder_model_merged.onnx')?.size).toBe(123);
  });
  it('no ONNX, or no tokenizer.json: refused from the listing with a way forward', () => {
    expect(() => selectFiles('openai-community/gpt2', [sib('config.json'), sib('tokenizer.json'), sib('model.safetensors')])).toThrow(/has no ONNX graph .*optimum-cli export onnx/);
    expect(() => selectFiles('o/m', [sib('config.json'), sib('onnx/model.onnx')])).toThrow(/has no tokenizer.json/);
  });
});

describe('what a failure says', () => {
  const base = DEFAULT_HUB;
  it('names the case and the way forward', () => {
    const kind = (p: HubProblem) => p.kind;
    expect(kind(httpProblem(404, 'the model list', 'a/b', base))).toBe('NotFound');
    expect(httpProblem(401, 'the model list', 'a/b', base).message).toMatch(/no public model a\/b \(401\).*private.*huggingface-cli download a\/b/);
    expect(httpProblem(403, 'onnx/model.onnx', 'a/b', base).message).toMatch(/gated.*https:\/\/huggingface.co\/a\/b/);
    expect(kind(httpProblem(401, 'onnx/model.onnx', 'a/b', base, 'GatedRepo'))).toBe('Gated');
    expect(httpProblem(404, 'onnx/model.onnx', 'a/b', base).message).toMatch(/no onnx\/model.onnx in a\/b/);
    expect(kind(httpProblem(503, 'the model list', 'a/b', base))).toBe('Http');
    expect(networkProblem(base, false).message).toMatch(/offline.*kept in this browser/);
    expect(networkProblem(base, true).message).toMatch(/^huggingface.co cannot be reached/);
  });
});
