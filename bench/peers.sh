#!/usr/bin/env bash
# Installs/builds the peer systems the benchmark compares against, idempotently:
#   - word2vec C (Mikolov et al.) from the C source shipped in the npm package word2vec@1.1.5,
#     built with its own makefile into bench/work/package/src/word2vec
#   - fastText and gensim from Debian (fasttext, python3-gensim; gensim pulls numpy/scipy), and
#     python3-matplotlib for the bench's plot.
# Nothing installed here is part of the project: it lives in bench/work/ (gitignored) or in the
# system, never in git. Safe to re-run: each step is skipped when its result is already there.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$BENCH_DIR/work"
W2V_VERSION="1.1.5"
W2V_BIN="$WORK/package/src/word2vec"
mkdir -p "$WORK"

log() { printf '[peers] %s\n' "$*" >&2; }

build_word2vec() {
  if [[ -x "$W2V_BIN" ]]; then
    log "word2vec C already built: $W2V_BIN"
    return
  fi
  command -v npm >/dev/null || { log "npm is needed to fetch word2vec@$W2V_VERSION"; exit 1; }
  command -v gcc >/dev/null || { log "gcc and make are needed to build word2vec (apt-get install gcc make)"; exit 1; }
  local tgz="$WORK/word2vec-$W2V_VERSION.tgz"
  if [[ ! -f "$tgz" ]]; then
    log "npm pack word2vec@$W2V_VERSION"
    (cd "$WORK" && npm pack "word2vec@$W2V_VERSION" >/dev/null)
  fi
  rm -rf "$WORK/package"
  tar -xzf "$tgz" -C "$WORK"
  # The package's makefile: gcc -lm -pthread -O3 -march=native -Wall -funroll-loops
  # -Wno-unused-result -fno-stack-protector (we build it unchanged, as a user would).
  log "make -C package/src word2vec"
  make -s -C "$WORK/package/src" word2vec >&2
  [[ -x "$W2V_BIN" ]] || { log "word2vec build failed"; exit 1; }
}

# Debian packages; apt-get update only when something is actually missing.
install_debian() {
  local missing=()
  for pkg in fasttext python3-gensim python3-matplotlib; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    log "Debian packages present: fasttext python3-gensim python3-matplotlib"
    return
  fi
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  log "apt-get install ${missing[*]}"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}" >&2
}

build_word2vec
install_debian
/usr/bin/python3 -c 'import gensim, scipy, numpy' || { log "gensim/scipy/numpy not importable by /usr/bin/python3"; exit 1; }
command -v fasttext >/dev/null || { log "fasttext binary missing after install"; exit 1; }
log "ready: word2vec=$W2V_BIN fasttext=$(command -v fasttext) gensim=$(/usr/bin/python3 -c 'import gensim; print(gensim.__version__)')"
