#!/usr/bin/env bash
# bench/jmh.sh [quick] [JMH args...] - builds the JMH micro-benchmarks (bench/jmh) and runs them
# with the allocation profiler, then prints one row per benchmark: ns/token, tokens/s, B/token.
#   quick            fewer, shorter iterations (~3 min instead of ~10 on 2 cores)
#   JMH args         passed through, e.g. a name filter: bench/jmh.sh quick 'LearnerBenchmark' -p loss=ns
# The JSON result is kept in bench/jmh/target/jmh.json. Numbers on a shared machine are noisy:
# compare builds by running both in the same session, never against an old table. JMH runs on the
# JDK ./streamvec runs on (STREAMVEC_JAVA_HOME, else the newest JDK 17..25 here).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
MODE=full
if [ "${1:-}" = quick ]; then MODE=quick; shift; fi
case "${1:-}" in -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0;; esac

cd "$ROOT"
# package, not install: the SNAPSHOT jars in ~/.m2 are shared by every checkout on the machine
mvn -q -o package -pl model,bench/jmh -am -DskipTests 2>/dev/null ||
  mvn -q package -pl model,bench/jmh -am -DskipTests   # first run: JMH must be downloaded
JAR="$(ls bench/jmh/target/streamvec-bench-jmh-*.jar | head -1)"
# shellcheck source=../deploy/lib.sh
source "$ROOT/deploy/lib.sh"
JAVA_HOME_RUN="$(sv_java_home)"
JAVA="${JAVA_HOME_RUN:+$JAVA_HOME_RUN/bin/}java"

OUT="bench/jmh/target/jmh.json"

ITER=()
if [ "$MODE" = quick ]; then ITER=(-wi 2 -w 1s -i 3 -r 1s -f 1); fi
"$JAVA" --add-modules=jdk.incubator.vector -cp "$JAR:bench/jmh/target/lib/*" org.openjdk.jmh.Main "${ITER[@]}" -prof gc -rf json -rff "$OUT" "$@" >&2

python3 - "$OUT" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
print(f"{'benchmark':<44} {'ns/token':>10} {'+-':>7} {'tokens/s':>11} {'B/token':>8}")
for r in rows:
    name = r["benchmark"].rsplit(".", 2)
    label = name[-2].replace("Benchmark", "") + "." + name[-1]
    params = r.get("params") or {}
    if params:
        label += " " + ",".join(params[k] for k in sorted(params, reverse=True))
    m = r["primaryMetric"]
    ns, err = m["score"], m.get("scoreError") or 0.0
    if err != err: err = 0.0   # NaN with a single iteration
    alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score", float("nan"))
    print(f"{label:<44} {ns:>10.1f} {err:>7.1f} {1e9 / ns:>11,.0f} {alloc:>8.2f}")
PY
