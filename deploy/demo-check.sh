#!/usr/bin/env bash
# A non-interactive, bounded run of the demo, for CI (.ci/run) and for checking a machine:
#
#   deploy/demo-check.sh [SECONDS]      (default 90)
#
# Runs `./streamvec demo --for SECONDS` with a fresh STREAMVEC_HOME and free ports (never the
# default 9092/8080, so a developer's own broker and app are untouched), then checks that the demo
# printed progress, nearest neighbours that make sense for the bundled corpus and a next-word
# prediction that is a word of it, stopped everything it started,
# and that no process started from this run is left (found by its STREAMVEC_HOME, which every
# process the demo starts inherits). Exit 0 when all holds; the demo's output is printed either way.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=deploy/lib.sh
source "$ROOT/deploy/lib.sh"
SECONDS_TO_RUN="${1:-90}"
[[ "$SECONDS_TO_RUN" =~ ^[0-9]+$ ]] || sv_die "usage: deploy/demo-check.sh [SECONDS]"

HOME_DIR="$(mktemp -d "${TMPDIR:-/tmp}/streamvec-demo-check.XXXXXX")"
OUT="$HOME_DIR/demo-output.txt"

# A free loopback port: random below the kernel's ephemeral range (where every outgoing
# connection and every port-0 bind of a concurrent test takes its port: a pick in that range was
# once taken between this check and the app's bind), not accepting connections, not chosen yet.
EPHEMERAL_LOW="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
[[ "$EPHEMERAL_LOW" =~ ^[0-9]+$ ]] && [ "$EPHEMERAL_LOW" -gt 12000 ] || EPHEMERAL_LOW=32768
chosen=" "
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((10000 + RANDOM % (EPHEMERAL_LOW - 10000)))
    if [[ "$chosen" != *" $p "* ]] && ! sv_port_open "$p"; then chosen+="$p "; echo "$p"; return 0; fi
  done
  sv_die "no free port found"
}
BROKER_PORT="$(free_port)"
CONTROLLER_PORT="$(free_port)"
HTTP_PORT="$(free_port)"

# Processes whose environment names this run's STREAMVEC_HOME (ours, whatever their command line).
leftovers() {
  local f pid
  for f in /proc/[0-9]*/environ; do
    pid="${f#/proc/}"; pid="${pid%/environ}"
    [ "$pid" = $$ ] && continue
    # processes come and go while we look: a vanished one is simply not ours any more
    if { tr '\0' '\n' < "$f"; } 2>/dev/null | grep -qxF "STREAMVEC_HOME=$HOME_DIR"; then
      printf '  %s %s\n' "$pid" "$({ tr '\0' ' ' < "/proc/$pid/cmdline"; } 2>/dev/null | cut -c1-160)"
    fi
  done
}

failures=()
check() { if ! grep -qE "$2" "$OUT"; then failures+=("$1 (no line matching: $2)"); fi; }

echo "demo-check: ./streamvec demo --for $SECONDS_TO_RUN (STREAMVEC_HOME=$HOME_DIR, broker $BROKER_PORT, http $HTTP_PORT)"
set +e
STREAMVEC_HOME="$HOME_DIR" STREAMVEC_BROKER_PORT="$BROKER_PORT" STREAMVEC_CONTROLLER_PORT="$CONTROLLER_PORT" \
  timeout --kill-after=30 $((SECONDS_TO_RUN + 600)) \
  "$ROOT/streamvec" demo --for "$SECONDS_TO_RUN" --http-port "$HTTP_PORT" --every 15 > "$OUT" 2>&1 < /dev/null
rc=$?
set -e
cat "$OUT"

[ "$rc" = 0 ] || failures+=("the demo exited with $rc")
check "progress lines" '^\[ *[0-9]+s\] tokens +[0-9,]+ .* perplexity +[0-9.]+ +snapshot [0-9]+'
check "neighbours of the probe words" "^  neighbours of 'lord': [^ ]+ \([0-9.-]+\)"
check "a next-word prediction" "^  next word after 'i am running a little': [^ ]+ \([0-9.]+\)"
check "the URLs" "metrics +http://127\.0\.0\.1:$HTTP_PORT/metrics"
check "a clean stop" '^demo: stopped: producer, app, broker$'

# Content, from the last report (the most trained model), not only the shape of the lines: the
# neighbours of two probe words hold a word of the same kind in the bundled KJV, and the predicted
# next word is a word of that corpus (not a placeholder such as <unk>).
last_answers() { # the words of the last "<title>: w (s), w (s)" line
  { grep -F "  $1: " "$OUT" || true; } | tail -n 1 | sed -E "s/^  $1: //; s/ \([0-9.-]+\)//g; s/,//g"
}
expect_one_of() { # description, title, accepted words...
  local what="$1" title="$2" got w ok
  shift 2
  got="$(last_answers "$title")"
  for w in $got; do for ok in "$@"; do [ "$w" = "$ok" ] && return 0; done; done
  failures+=("$what: none of ($*) in the last '$title': ${got:-no such line}")
}
expect_one_of "sensible neighbours of 'lord'" "neighbours of 'lord'" \
  god christ jesus father spirit hosts saviour almighty
expect_one_of "sensible neighbours of 'gold'" "neighbours of 'gold'" \
  silver brass iron copper precious stones pure fine
predicted="$(last_answers "next word after 'i am running a little'" | awk '{print $1}')"
# grep -c reads to the end: an early exit (-q) would fail the pipeline on gzip's SIGPIPE (pipefail)
if [ -z "$predicted" ] || [[ "$predicted" == "<"* ]] ||
  [ "$(gzip -dc "$ROOT/deploy/corpus/kjv.txt.gz" | tr '[:upper:]' '[:lower:]' | { grep -cwF -- "$predicted" || true; })" = 0 ]; then
  failures+=("the predicted next word '${predicted}' is not a word of the corpus")
fi

sleep 1
left="$(leftovers)"
if [ -n "$left" ]; then
  failures+=("processes left running:
$left")
  # ours (they carry this run's STREAMVEC_HOME): stop them so the check itself leaves nothing behind
  STREAMVEC_HOME="$HOME_DIR" STREAMVEC_BROKER_PORT="$BROKER_PORT" STREAMVEC_CONTROLLER_PORT="$CONTROLLER_PORT" \
    "$ROOT/deploy/broker.sh" stop >/dev/null 2>&1 || true
  for pid in $(leftovers | awk '{print $1}'); do kill -KILL "$pid" 2>/dev/null || true; done
fi

if [ "${#failures[@]}" -gt 0 ]; then
  printf '\ndemo-check: FAILED\n' >&2
  printf '  - %s\n' "${failures[@]}" >&2
  printf '  logs kept in %s\n' "$HOME_DIR/demo" >&2
  exit 1
fi
rm -rf "$HOME_DIR"
printf '\ndemo-check: passed (progress, sensible neighbours, a corpus word predicted, clean stop, no process left)\n'
