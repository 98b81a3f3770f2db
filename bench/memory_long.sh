#!/usr/bin/env bash
# Where the app's memory goes and whether RSS stays flat over a long run (issue 16): a private
# broker, `./streamvec produce --loop` of --input, the app at the keys given until it has trained
# --tokens (default 100M); RSS, heap, direct buffers, RocksDB gauges every 10 s, NMT every 60 s,
# the live heap after a full GC at the end. Read bench/memory_long.py's header for the details.
#
#   flock /tmp/sv-heavy.lock bench/memory_long.sh --input ../shared/data/corpus --timeline OUT.jsonl
#        [--tokens N] [--warmup N] [--heap 1g] [--app-jvm=FLAGS] [--set KEY=VALUE]... [--no-nmt] [--keep]
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 "$BENCH_DIR/memory_long.py" --repo-root "$(dirname "$BENCH_DIR")" "$@"
