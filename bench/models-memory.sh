#!/usr/bin/env bash
# Memory per model (issue 14): the app with 1, 2, 4, 8 key-routed models, each trained on text
# that fills its vocabulary, candidate table and n-gram table (CapacityText), then every
# instance's live heap after a full GC, RSS, the JVM's native memory and its state dir on disk
# (ManyModelsThroughput --full --memory; see ProcessMemory).
#
#   bench/models-memory.sh [--models "1 2 4 8"] [--tokens 1500000] [--heap 6g] [--no-query]
#                          [--out FILE.jsonl] [key=value ...]
#
# key=value are app or model keys for every run (e.g. dim=300). One JSON line per run is
# appended to FILE.jsonl (default bench/results/models-memory.jsonl), with the commit and the load
# average. The classes are built once and copied to a temporary directory first, so a rebuild of
# the worktree while the benchmark runs cannot change what it runs. Run it alone on the machine
# (flock /tmp/sv-heavy.lock on a shared one).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
models="1 2 4 8" tokens=1500000 heap=6g query="" out="$ROOT/bench/results/models-memory.jsonl"
keys=()
while [ $# -gt 0 ]; do
  case "$1" in
    --models) models="$2"; shift 2 ;;
    --tokens) tokens="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --no-query) query="--no-query"; shift ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *=*) keys+=("$1"); shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
frozen="$(mktemp -d /tmp/streamvec-models-memory-XXXXXX)"
trap 'rm -rf "$frozen"' EXIT
cd "$ROOT"
mvn -B -q -pl streams-app -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile="$frozen/cp.txt" -Dmdep.includeScope=test >&2
mkdir "$frozen/jars"
cp -r streams-app/target/classes streams-app/target/test-classes "$frozen/"
classpath="$frozen/test-classes:$frozen/classes"
IFS=: read -ra entries < "$frozen/cp.txt" || true # no newline at its end
for e in "${entries[@]}"; do
  case "$e" in
    "$ROOT"/*) cp "$e" "$frozen/jars/"; classpath+=":$frozen/jars/$(basename "$e")" ;;
    *) classpath+=":$e" ;;
  esac
done
commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo '+changes')"
for n in $models; do
  echo "== $n model(s) ${keys[*]:-} $query" >&2
  output="$(java -cp "$classpath" io.streamvec.app.ManyModelsThroughput "$n" 1 "$tokens" --full \
    --memory $query "--heap=$heap" "${keys[@]}" 2>"$frozen/run.log")" ||
    { echo "$output" >&2; tail -40 "$frozen/run.log" >&2; exit 1; }
  echo "$output" >&2
  line="$(tail -1 <<< "$output")"
  python3 -c 'import json,sys,os
r=json.loads(sys.argv[1]); r["commit"]=sys.argv[2]; r["keys"]=sys.argv[3:]
r["load_average_1m"]=round(os.getloadavg()[0],1); print(json.dumps(r))' \
    "$line" "$commit" "${keys[@]}" >> "$out"
done
