#!/usr/bin/python3
"""Prepares one benchmark corpus in two forms from the same text.

  raw.txt     the text as it is (gunzipped, concatenated): streamvec tokenizes this itself, so
              its timing includes tokenization.
  tokens.txt  for the peers (word2vec C, fastText, gensim), which only split on whitespace:
              lowercase; words are runs of letters/digits with inner apostrophes ("don't");
              all other punctuation separates words and is dropped; numbers (digits with
              inner , or .) become <num>; every raw line is cut after . ! ? so each output
              line is one sentence or one raw line, whichever is shorter; empty lines dropped.

With --max-tokens N both files stop at the same point of the text: tokens.txt after N tokens,
raw.txt right after the character where the N-th token ends.

The result is cached: a meta.json beside the outputs records the inputs (paths, sizes, mtimes)
and options; when they match, nothing is redone.
"""
import argparse
import gzip
import json
import os
import re
import sys

# Unicode word: letters/digits ([^\W_]), joined by single apostrophes (straight or curly).
WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A token = a number (possibly "1,000.5") or a word; numbers first so "1,000" stays one token.
TOKEN = re.compile(r"\d+(?:[.,]\d+)*(?![^\W_])|[^\W_]+(?:['\u2019][^\W_]+)*")
SENTENCE_END = re.compile(r"[.!?]+")
FORMAT_VERSION = 2


def corpus_files(path):
    """A directory means its *.txt.gz and *.txt files (sorted by name); a file means itself."""
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if n.endswith(".txt.gz") or n.endswith(".txt"))
        files = [os.path.join(path, n) for n in names]
        if not files:
            raise SystemExit(f"prepare_corpus: no *.txt.gz or *.txt files in {path}")
        return files
    if os.path.isfile(path):
        return [path]
    raise SystemExit(f"prepare_corpus: corpus not found: {path}")


def open_text(path):
    opener = gzip.open if path.endswith(".gz") else open
    return opener(path, "rt", encoding="utf-8", errors="replace", newline=None)


def normalise(token):
    token = token.lower().replace("\u2019", "'")
    return "<num>" if NUMBER.fullmatch(token) else token


def sentences_of(line):
    """Yields (tokens, end_offset_in_line) per sentence: the raw offset just after each token."""
    current = []
    pos = 0
    for match in TOKEN.finditer(line):
        gap = line[pos:match.start()]
        if current and SENTENCE_END.search(gap):
            yield current
            current = []
        current.append((normalise(match.group()), match.end()))
        pos = match.end()
    if current:
        yield current


def prepare(files, out_dir, max_tokens):
    os.makedirs(out_dir, exist_ok=True)
    raw_path = os.path.join(out_dir, "raw.txt")
    tok_path = os.path.join(out_dir, "tokens.txt")
    tokens = lines = raw_chars = 0
    done = False
    with open(raw_path + ".tmp", "w", encoding="utf-8") as raw, \
            open(tok_path + ".tmp", "w", encoding="utf-8") as tok:
        for path in files:
            with open_text(path) as src:
                for line in src:
                    line = line.rstrip("\n")
                    cut = len(line)
                    for sentence in sentences_of(line):
                        if max_tokens and tokens + len(sentence) >= max_tokens:
                            sentence = sentence[:max_tokens - tokens]
                            cut = sentence[-1][1]
                            done = True
                        tok.write(" ".join(t for t, _ in sentence) + "\n")
                        tokens += len(sentence)
                        lines += 1
                        if done:
                            break
                    raw.write(line[:cut] + "\n")
                    raw_chars += cut + 1
                    if done:
                        break
            if done:
                break
    os.replace(raw_path + ".tmp", raw_path)
    os.replace(tok_path + ".tmp", tok_path)
    return {"raw": raw_path, "tokens_file": tok_path, "tokens": tokens,
            "lines": lines, "raw_chars": raw_chars}


def signature(files, max_tokens):
    return {"version": FORMAT_VERSION, "max_tokens": max_tokens,
            "files": [[os.path.abspath(f), os.path.getsize(f), int(os.path.getmtime(f))]
                      for f in files]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True, help="directory of *.txt.gz/*.txt, or one file")
    ap.add_argument("--out", required=True, help="output directory (raw.txt, tokens.txt)")
    ap.add_argument("--max-tokens", type=int, default=0, help="stop after N tokens (0 = all)")
    args = ap.parse_args(argv)
    print(json.dumps(ensure(args.corpus, args.out, args.max_tokens)))


def ensure(corpus, out_dir, max_tokens=0):
    """Returns the prepared corpus' metadata, preparing it only if the cache is stale."""
    if max_tokens < 0:
        raise SystemExit("prepare_corpus: --max-tokens must be >= 0")
    files = corpus_files(corpus)
    sig = signature(files, max_tokens)
    meta_path = os.path.join(out_dir, "meta.json")
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        if meta.get("signature") == sig and all(os.path.exists(meta[k]) for k in ("raw", "tokens_file")):
            return meta
    print(f"[bench] preparing corpus from {len(files)} file(s) into {out_dir}", file=sys.stderr)
    meta = prepare(files, out_dir, max_tokens)
    meta["signature"] = sig
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=1)
    return meta


if __name__ == "__main__":
    main()
