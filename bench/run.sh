#!/usr/bin/env bash
# Side-by-side benchmark of streamvec against word2vec C, fastText and gensim (one pass each).
# Usage (normally as `./streamvec bench ...` from the repo root):
#   bench/run.sh [--corpus FILE|DIR|NAME] [--quick] [--eval FILES...] [--analogy FILES...]
#                [--threads 1,2] [--only a,b,...] [--dim 100] [--window 5] [--negatives 5]
#                [--min-count 5] [--max-tokens N] [--repeat N] [--timeout S]
# Systems: word2vec, word2vec-nosample, fasttext, gensim, streamvec, streamvec-embed,
# streamvec-lm, streamvec-cbow, streamvec-kafka (bench/e2e.sh). See bench/README.md.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(dirname "$BENCH_DIR")"
PY=/usr/bin/python3   # Debian's interpreter: gensim, numpy and scipy come from Debian packages

case " $* " in
  *" -h "*|*" --help "*) exec "$PY" "$BENCH_DIR/run_bench.py" --repo-root "$REPO_ROOT" --help ;;
esac

# Idempotent and quick when everything is there; if it cannot install, the bench still runs and
# reports the missing peers as failed rows.
if ! "$BENCH_DIR/peers.sh"; then
  echo "[bench] warning: bench/peers.sh failed; missing peers will show as failures" >&2
fi
if ! "$PY" -c 'import numpy, scipy, gensim' 2>/dev/null; then
  echo "[bench] error: $PY cannot import numpy/scipy/gensim (apt-get install python3-gensim)" >&2
  exit 1
fi
"$PY" -c 'import matplotlib' 2>/dev/null || echo "[bench] note: no python3-matplotlib, so no plot (bench/peers.sh installs it)" >&2
exec "$PY" "$BENCH_DIR/run_bench.py" --repo-root "$REPO_ROOT" "$@"
