#!/usr/bin/env bash
# Big-model end-to-end benchmark (issue 16): a Zipf text of --tokens tokens over --types word types
# on a private broker, the app at --dim / --vocab-size with -Xmx --heap, SIGKILLed at --kill-at
# tokens and restarted; tokens/s, RSS over time, bytes and seconds per checkpoint and per snapshot,
# the restore time. Read bench/e2e_big.py's header for what is measured and how.
#
#   flock /tmp/sv-heavy.lock bench/e2e_big.sh --timeline OUT.jsonl [--tokens N] [--types T]
#        [--dim D] [--vocab-size V] [--heap 12g] [--kill-at N] [--set KEY=VALUE]... [--keep]
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 "$BENCH_DIR/e2e_big.py" --repo-root "$(dirname "$BENCH_DIR")" "$@"
