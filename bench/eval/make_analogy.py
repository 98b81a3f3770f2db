#!/usr/bin/python3
"""Expands analogy-pairs.txt (our hand-written pairs) into analogy-en.txt in the format of
Google's questions-words.txt: ": section" lines, then "a b c d" questions meaning a:b :: c:d,
one for every ordered choice of two different pairs of the same section.

  bench/eval/make_analogy.py [PAIRS] [OUT]   (defaults: the files beside this script)
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def read_pairs(path):
    sections, current = [], None
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith(":"):
                current = (line[1:].strip(), [])
                sections.append(current)
                continue
            words = line.lower().split()
            if current is None or len(words) != 2:
                raise ValueError(f"{path}:{lineno}: expected a ': section' line first, then 'word1 word2'")
            current[1].append(tuple(words))
    return sections


def questions(pairs):
    return [(a, b, c, d) for i, (a, b) in enumerate(pairs)
            for j, (c, d) in enumerate(pairs) if i != j]


def main(argv):
    src = argv[0] if argv else os.path.join(HERE, "analogy-pairs.txt")
    out = argv[1] if len(argv) > 1 else os.path.join(HERE, "analogy-en.txt")
    total = 0
    with open(out, "w", encoding="utf-8") as f:
        for name, pairs in read_pairs(src):
            f.write(f": {name}\n")
            for q in questions(pairs):
                f.write(" ".join(q) + "\n")
                total += 1
            print(f"{name}: {len(pairs)} pairs, {len(pairs) * (len(pairs) - 1)} questions", file=sys.stderr)
    print(f"{out}: {total} questions", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
