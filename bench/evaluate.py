#!/usr/bin/python3
"""One evaluator for every vector set the benchmark produces (word2vec text format).

Word similarity (word1 TAB word2 TAB human score, e.g. WordSim-353, MEN): Spearman rho between
the cosine of the two word vectors and the human score, over the pairs whose both words are in
the vocabulary. OOV pairs are counted and reported, never guessed (no zero/mean-vector fill-in),
so systems with different vocabularies are compared on what each actually learned.

Word analogy (Google questions-words format: ": section" lines, then "a b c d" = a:b :: c:d):
3CosAdd over the whole vocabulary: the answer is argmax over words w not in {a, b, c} of
cos(w, b - a + c) with unit-length vectors. Accuracy = correct / answered; a question with a
word not in the vocabulary is counted as OOV and not answered (not guessed, not scored wrong).

Words are looked up lowercased (every system here is trained on lowercased text).

Usage: evaluate.py VECTORS.txt [--similarity SET...] [--analogy SET...]   -> one JSON line
"""
import argparse
import json
import os
import sys

import numpy as np
from scipy.stats import spearmanr

# Short names for the sets the benchmark reports by default.
KNOWN_SETS = {"EN-WS-353-ALL.txt": "ws353", "EN-MEN-TR-3k.txt": "men", "analogy-en.txt": "analogy"}
ANALOGY_BATCH = 256  # questions scored per matrix product: 256 x V floats of scratch


class Vectors:
    """Words and their unit-length vectors (V x d float32); zero vectors stay zero."""

    def __init__(self, words, matrix):
        self.words = words
        self.index = {}
        for i, w in enumerate(words):
            self.index.setdefault(w, i)  # a duplicated word keeps its first row
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        self.unit = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)

    def __contains__(self, word):
        return word in self.index

    def __len__(self):
        return len(self.words)

    def cosine(self, a, b):
        return float(np.dot(self.unit[self.index[a]], self.unit[self.index[b]]))


def load_vectors(path):
    """word2vec text format: a header "count dim", then "word v1 .. vd" per line."""
    with open(path, encoding="utf-8", errors="replace") as f:
        header = f.readline().split()
        if len(header) != 2 or not all(h.isdigit() for h in header):
            raise ValueError(f"{path}: first line should be 'count dim', got {' '.join(header)!r}")
        count, dim = int(header[0]), int(header[1])
        words, matrix = [], np.zeros((count, dim), dtype=np.float32)
        for lineno, line in enumerate(f, 2):
            parts = line.rstrip("\n ").split(" ")
            if len(parts) == 1 and not parts[0]:
                continue
            if len(parts) != dim + 1 or len(words) >= count:
                raise ValueError(f"{path}:{lineno}: expected a word and {dim} numbers"
                                 + ("" if len(words) < count else f" (header said {count} rows)"))
            matrix[len(words)] = np.asarray(parts[1:], dtype=np.float32)
            words.append(parts[0].lower())
    return Vectors(words, matrix[:len(words)])


def read_pairs(path):
    pairs = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 3:
                raise ValueError(f"{path}:{lineno}: expected 'word1 word2 score', got {line!r}")
            pairs.append((parts[0].lower(), parts[1].lower(), float(parts[2])))
    return pairs


def score_similarity(vecs, pairs):
    cos, human, oov = [], [], 0
    for w1, w2, score in pairs:
        if w1 not in vecs or w2 not in vecs:
            oov += 1
            continue
        cos.append(vecs.cosine(w1, w2))
        human.append(score)
    rho = float(spearmanr(cos, human).correlation) if len(cos) >= 3 else None
    if rho is not None and rho != rho:  # NaN: all cosines (or all scores) equal
        rho = None
    return {"rho": rho, "pairs": len(pairs), "scored": len(cos), "oov": oov}


def read_analogies(path):
    """[(section, (a, b, c, d))] from a questions-words file."""
    questions, section = [], "default"
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            if line.startswith(":"):
                section = line[1:].strip()
                continue
            words = line.lower().split()
            if len(words) != 4:
                raise ValueError(f"{path}:{lineno}: expected ': section' or four words, got {line!r}")
            questions.append((section, tuple(words)))
    return questions


def score_analogy(vecs, questions):
    """3CosAdd accuracy over the answerable questions, overall and per section."""
    sections = {}
    known, known_sections = [], []
    for section, words in questions:
        s = sections.setdefault(section, {"questions": 0, "answered": 0, "correct": 0, "oov": 0})
        s["questions"] += 1
        if all(w in vecs for w in words):
            known.append([vecs.index[w] for w in words])
            known_sections.append(section)
        else:
            s["oov"] += 1
    idx = np.array(known, dtype=np.int64).reshape(-1, 4)
    for start in range(0, len(idx), ANALOGY_BATCH):
        batch = idx[start:start + ANALOGY_BATCH]
        a, b, c, d = batch.T
        # target = b - a + c (unit vectors); score(w) = cos(w, target) up to the target's norm,
        # which does not change the argmax: scores = unit @ target
        target = vecs.unit[b] - vecs.unit[a] + vecs.unit[c]
        scores = target @ vecs.unit.T                      # (batch x V)
        rows = np.arange(len(batch))
        for excluded in (a, b, c):
            scores[rows, excluded] = -np.inf
        guess = scores.argmax(axis=1)
        for k, ok in enumerate(guess == d):
            s = sections[known_sections[start + k]]
            s["answered"] += 1
            s["correct"] += int(ok)
    total = {key: sum(s[key] for s in sections.values())
             for key in ("questions", "answered", "correct", "oov")}
    for s in list(sections.values()) + [total]:
        s["accuracy"] = s["correct"] / s["answered"] if s["answered"] else None
    total["sections"] = sections
    return total


def set_name(path):
    return KNOWN_SETS.get(os.path.basename(path), os.path.splitext(os.path.basename(path))[0])


def evaluate(vectors_path, similarity_paths=(), analogy_paths=()):
    vecs = load_vectors(vectors_path)
    result = {"vectors": vectors_path, "vocab": len(vecs), "dim": int(vecs.unit.shape[1])}
    for path in similarity_paths:
        result[set_name(path)] = score_similarity(vecs, read_pairs(path))
    for path in analogy_paths:
        result[set_name(path)] = score_analogy(vecs, read_analogies(path))
    return result


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("vectors")
    ap.add_argument("--similarity", nargs="*", default=[], metavar="SET")
    ap.add_argument("--analogy", nargs="*", default=[], metavar="SET")
    args = ap.parse_args(argv)
    try:
        print(json.dumps(evaluate(args.vectors, args.similarity, args.analogy)))
    except (OSError, ValueError) as e:
        print(f"evaluate: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
