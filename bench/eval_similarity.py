#!/usr/bin/python3
"""Word-similarity quality of a word2vec-text vector file.

For each set (word1 TAB word2 TAB human score): Spearman rho between the cosine similarity of
the two word vectors and the human score, over the pairs whose both words are in the vocabulary.
Out-of-vocabulary pairs are counted and reported, never guessed (no zero/mean-vector fill-in),
so systems with different vocabularies are compared on what each actually learned.
Words are looked up lowercased (every system here is trained on lowercased text).

Usage: eval_similarity.py VECTORS.txt SET.txt [SET.txt ...]   -> one JSON line
"""
import json
import os
import sys

import numpy as np
from scipy.stats import spearmanr

# The two sets the benchmark reports, by file name -> short column name.
KNOWN_SETS = {"EN-WS-353-ALL.txt": "ws353", "EN-MEN-TR-3k.txt": "men"}


def load_vectors(path):
    """word2vec text format (header "count dim", then "word v1 .. vd") via gensim's loader."""
    from gensim.models import KeyedVectors
    kv = KeyedVectors.load_word2vec_format(path, binary=False, unicode_errors="replace")
    return kv


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


def score_set(kv, pairs):
    """Spearman rho over in-vocabulary pairs; zero vectors count as cosine 0."""
    cos, human, oov = [], [], 0
    for w1, w2, score in pairs:
        if w1 not in kv.key_to_index or w2 not in kv.key_to_index:
            oov += 1
            continue
        a, b = kv[w1], kv[w2]
        na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
        cos.append(float(np.dot(a, b)) / (na * nb) if na > 0 and nb > 0 else 0.0)
        human.append(score)
    rho = float(spearmanr(cos, human).correlation) if len(cos) >= 3 else None
    if rho is not None and rho != rho:  # NaN: all cosines equal
        rho = None
    return {"rho": rho, "pairs": len(pairs), "scored": len(cos), "oov": oov}


def evaluate(vectors_path, set_paths):
    kv = load_vectors(vectors_path)
    result = {"vectors": vectors_path, "vocab": len(kv.key_to_index), "dim": kv.vector_size}
    for path in set_paths:
        name = KNOWN_SETS.get(os.path.basename(path), os.path.basename(path))
        result[name] = score_set(kv, read_pairs(path))
    return result


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        print(json.dumps(evaluate(argv[0], argv[1:])))
    except (OSError, ValueError) as e:
        print(f"eval_similarity: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
