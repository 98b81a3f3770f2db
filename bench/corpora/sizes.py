#!/usr/bin/python3
"""Prints a TSV table of the corpora in a directory: file, words (whitespace-separated),
tokens (the bench's own tokenization, bench/prepare_corpus.py), lines, bytes."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import prepare_corpus  # noqa: E402


def count(path):
    words = tokens = lines = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            lines += 1
            words += len(line.split())
            tokens += sum(1 for _ in prepare_corpus.TOKEN.finditer(line))
    return words, tokens, lines, os.path.getsize(path)


def main(directory):
    print("file\twords\ttokens\tlines\tbytes")
    for name in sorted(n for n in os.listdir(directory) if n.endswith(".txt")):
        print(name, *count(os.path.join(directory, name)), sep="\t", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
