"""Byte-level BPE exactly as GPT-2 does it (pre-tokenizing regex, byte->unicode map,
merge by rank), parameterized by a merge table so the same code encodes with GPT-2's
full table and with the project's reduced one."""
import regex

PAT = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")


def bytes_to_unicode() -> dict[int, str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


BYTE_ENCODER = bytes_to_unicode()
BYTE_DECODER = {v: k for k, v in BYTE_ENCODER.items()}


class BPE:
    def __init__(self, merges: list[tuple[str, str]], vocab: dict[str, int]):
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.vocab = vocab
        self.inverse = {i: t for t, i in vocab.items()}
        self.cache: dict[str, list[str]] = {}

    def word_pieces(self, word: str) -> list[str]:
        if word in self.cache:
            return self.cache[word]
        parts = list(word)
        while len(parts) > 1:
            pairs = [(self.ranks.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
            rank, _ = min(pairs)
            if rank == 1 << 30:
                break
            a, b = next((parts[i], parts[i + 1]) for r, i in pairs if r == rank)
            merged, i = [], 0
            while i < len(parts):
                if i < len(parts) - 1 and parts[i] == a and parts[i + 1] == b:
                    merged.append(a + b)
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        self.cache[word] = parts
        return parts

    def pieces(self, text: str) -> list[str]:
        out = []
        for word in PAT.findall(text):
            out.extend(self.word_pieces("".join(BYTE_ENCODER[b] for b in word.encode("utf-8"))))
        return out

    def encode(self, text: str) -> list[int]:
        return [self.vocab[p] for p in self.pieces(text)]

    def decode(self, ids: list[int]) -> str:
        return bytes(BYTE_DECODER[c] for i in ids for c in self.inverse[i]).decode("utf-8", errors="replace")
