#!/usr/bin/env bash
# The long variant of the randomized crash test (streams-app CrashInterleavingTest): the same live
# stream and kill points, more kills per run and many seeds. Prints one line per seed and a JSON
# summary; a failing seed is replayed with --first-seed S --seeds 1.
#   bench/crash-soak.sh [--seeds N (5)] [--first-seed S (1)] [--kills K (30)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seeds=5 first=1 kills=30
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) seeds="$2"; shift 2 ;;
    --first-seed) first="$2"; shift 2 ;;
    --kills) kills="$2"; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "crash-soak: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
cd "$ROOT"
logs="$ROOT/bench/results/crash-soak"
mkdir -p "$logs"
passed=0 failed=0 failing=()
printf '%-8s %-6s %-8s %s\n' seed kills result seconds
for ((seed = first; seed < first + seeds; seed++)); do
  start=$SECONDS
  if mvn -B -q -pl streams-app -am verify -Dtest=CrashInterleavingTest \
      -Dsurefire.failIfNoSpecifiedTests=false -Dspotless.check.skip=true \
      -Djunit.jupiter.execution.timeout.mode=disabled \
      -Dstreamvec.crash.seed="$seed" -Dstreamvec.crash.kills="$kills" > "$logs/seed-$seed.log" 2>&1; then
    result=passed; passed=$((passed + 1))
  else
    result=FAILED; failed=$((failed + 1)); failing+=("$seed")
  fi
  printf '%-8s %-6s %-8s %s\n' "$seed" "$kills" "$result" "$((SECONDS - start))"
done
printf '{"bench":"crash-soak","kills_per_seed":%d,"seeds":%d,"passed":%d,"failed":%d,"failing_seeds":[%s],"logs":"%s"}\n' \
  "$kills" "$seeds" "$passed" "$failed" "$(IFS=,; echo "${failing[*]:-}")" "${logs#"$ROOT"/}"
[ "$failed" = 0 ]
