#!/usr/bin/python3
"""Trains gensim Word2Vec CBOW (negative sampling) on a whitespace-tokenized file, one line per
sentence, through corpus_file (gensim's fastest path, which releases the GIL per worker), then
writes word2vec-text vectors. Run as its own process so the benchmark times it like the C peers.

Prints one JSON line: {"train_seconds": ..., "vocab_size": ..., "gensim": version}.
"""
import argparse
import json
import time

import gensim
from gensim.models import Word2Vec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--negatives", type=int, default=5)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    start = time.perf_counter()
    # Defaults kept as a gensim user gets them: alpha 0.025, sample 1e-3, cbow_mean 1.
    model = Word2Vec(corpus_file=args.input, vector_size=args.dim, window=args.window,
                     negative=args.negatives, hs=0, sg=0, min_count=args.min_count,
                     workers=args.threads, epochs=1, seed=1)
    train_seconds = time.perf_counter() - start
    model.wv.save_word2vec_format(args.output, binary=False)
    print(json.dumps({"train_seconds": train_seconds, "vocab_size": len(model.wv),
                      "gensim": gensim.__version__}))


if __name__ == "__main__":
    main()
