#!/usr/bin/env bash
# Drift benchmark: corpus A, then corpus B with a sense swap, through a private broker and the real
# app; reports how fast the recent perplexity recovers and where /v1/drift ranks the swapped words.
# Read bench/drift.py's header for what is measured.
#   bench/drift.sh [--a FILE] [--b FILE] [--words N] [--pairs P] [--half-life TOKENS] [--set KEY=VALUE]... [--json]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v kcat >/dev/null || { echo "drift: kcat is needed to follow the metrics topic (apt-get install -y kcat)" >&2; exit 2; }
exec /usr/bin/python3 "$HERE/drift.py" --repo-root "$(dirname "$HERE")" "$@"
