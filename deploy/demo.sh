#!/usr/bin/env bash
# ./streamvec demo [--for SECONDS] [--rate RECORDS_PER_S] [--http-port PORT] [--every SECONDS]
#
# The first command to try. Builds what is missing, starts the local Kafka broker (unless one is
# running) and the streams app, streams the bundled King James Bible (deploy/corpus/) into it in a
# loop at a steady rate, and prints what the model learns as it learns it: tokens, tokens/s and
# perplexity every few seconds (from the app's HTTP API), and every so often the nearest neighbours
# of a few probe words and the next-word prediction for "i am running a little" (read from the
# snapshots topic with ./streamvec query). Ctrl-C, or the end of --for SECONDS (counted from the
# moment text starts flowing), stops everything the demo started, the broker only if it started
# it; nothing is left running.
#
# The demo uses its own topics (demo-text, demo-snapshots, demo-metrics, demo-dlq) and app id, so
# it never mixes with a user's `text` topic; a second run resumes the model of the first.
# Logs: $STREAMVEC_HOME/demo/{app,produce}.log (default .streamvec/demo/).
set -euo pipefail
# shellcheck source=deploy/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FOR=0                # 0 = until Ctrl-C
RATE=2000            # KJV verses per second (~27 tokens each)
HTTP_PORT=8080
EVERY=20             # seconds between neighbour/prediction reports
# /v1/model shows the latest snapshot, so this is also how often the progress line moves
SNAPSHOT_TOKENS=50000
PROBES=(lord god gold son david)   # frequent in the KJV, with neighbours that show learning early
CONTEXT="i am running a little"
CORPUS="$SV_ROOT/deploy/corpus/kjv.txt.gz"
DEMO_DIR="$SV_HOME/demo"
APP_LOG="$DEMO_DIR/app.log"
PRODUCE_LOG="$DEMO_DIR/produce.log"
TOPICS=(--set input.topics=demo-text --set snapshots.topic=demo-snapshots --set metrics.topic=demo-metrics --set dlq.topic=demo-dlq)

usage() {
  cat <<EOF
usage: ./streamvec demo [--for SECONDS] [--rate N] [--http-port PORT] [--every SECONDS]
  Starts the local broker and the app, streams the bundled King James Bible into the app and shows
  what it learns. Ctrl-C (or the end of --for) stops everything the demo started.
  --for SECONDS     stop after this many seconds of streaming (default: run until Ctrl-C)
  --rate N          records (verses) per second to send (default $RATE)
  --http-port PORT  port of the app's query API and /metrics (default $HTTP_PORT)
  --every SECONDS   how often to show neighbours and predictions (default $EVERY)
Environment: STREAMVEC_HOME (state, logs), STREAMVEC_BROKER_PORT / STREAMVEC_CONTROLLER_PORT (broker ports).
EOF
}

say() { printf 'demo: %s\n' "$*"; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }
whole() {
  if ! [[ "$2" =~ ^[0-9]+$ ]] || [ "$2" -eq 0 ]; then die "$1 takes a positive whole number, got '$2'"; fi
}

while [ $# -gt 0 ]; do
  case "$1" in
    --for) [ $# -ge 2 ] || die "--for needs a value"; whole --for "$2"; FOR="$2"; shift 2 ;;
    --rate) [ $# -ge 2 ] || die "--rate needs a value"; whole --rate "$2"; RATE="$2"; shift 2 ;;
    --http-port) [ $# -ge 2 ] || die "--http-port needs a value"; whole --http-port "$2"; HTTP_PORT="$2"; shift 2 ;;
    --every) [ $# -ge 2 ] || die "--every needs a value"; whole --every "$2"; EVERY="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

[ -f "$CORPUS" ] || die "the demo corpus $CORPUS is missing (it ships with the repository)"
mkdir -p "$DEMO_DIR"

STARTED_BROKER=0
APP_PID=""
PRODUCER_PID=""

# Starts "$@" in its own session (so a Ctrl-C in the terminal reaches only this script, which then
# stops things in order: producer, app, broker) with output to the log $1; prints its pid. The
# inner shell writes its pid and then becomes the command (the launcher execs java): one pid.
start_bg() {
  local log="$1" pidfile
  shift
  pidfile="$(mktemp "$DEMO_DIR/.pid.XXXXXX")"
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
  setsid bash -c 'echo $$ > "$1"; shift; exec "$@"' _ "$pidfile" "$@" > "$log" 2>&1 < /dev/null &
  local waited=0
  while [ ! -s "$pidfile" ] && [ "$waited" -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
  cat "$pidfile"
  rm -f "$pidfile"
}

# SIGTERM, then SIGKILL after $2 seconds; waits until the process is gone.
stop_pid() {
  local pid="$1" grace="$2" name="$3" waited=0
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge $((grace * 10)) ]; then
      say "$name did not stop within ${grace}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.1; waited=$((waited + 1))
  done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  echo
  say "stopping what the demo started ..."
  stop_pid "$PRODUCER_PID" 20 "the producer"
  stop_pid "$APP_PID" 40 "the app"
  if [ "$STARTED_BROKER" = 1 ]; then "$SV_ROOT/deploy/broker.sh" stop >/dev/null 2>&1 || true; fi
  local left=""
  for pid in $PRODUCER_PID $APP_PID; do kill -0 "$pid" 2>/dev/null && left+=" $pid"; done
  if [ "$STARTED_BROKER" = 1 ] && "$SV_ROOT/deploy/broker.sh" status >/dev/null 2>&1; then left+=" broker"; fi
  if [ -n "$left" ]; then
    say "still running:$left"
    exit 1
  fi
  say "stopped: $([ -n "$PRODUCER_PID" ] && echo "producer, ")$([ -n "$APP_PID" ] && echo "app, ")$([ "$STARTED_BROKER" = 1 ] && echo "broker" || echo "broker left running (the demo did not start it)")"
  say "logs: ${APP_LOG#"$PWD"/} ${PRODUCE_LOG#"$PWD"/}"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# GET a path from the app's HTTP API; curl when there is one, else bash's /dev/tcp.
http_get() {
  if command -v curl >/dev/null; then
    curl -fsS --max-time 5 "http://127.0.0.1:$HTTP_PORT$1" 2>/dev/null
  else
    local response
    response="$(exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT" && printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&3 && timeout 5 cat <&3)" || return 1
    [[ "$response" == "HTTP/1."?" 200"* ]] || return 1
    printf '%s' "${response#*$'\r\n\r\n'}"
  fi
}

# The number in field $1 of the JSON object on stdin (a flat top-level field), or nothing.
json_number() {
  sed -n 's/.*"'"$1"'"[[:space:]]*:[[:space:]]*\(-\{0,1\}[0-9][0-9.eE+-]*\).*/\1/p' | head -n 1
}

thousands() { printf '%s' "${1%%.*}" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

# ./streamvec query, run on the classpath the launcher uses (built above): the launcher would
# re-check every module's sources on each of these calls. C1 only: a short run starts faster.
query() {
  java -XX:TieredStopAtLevel=1 -cp "$QUERY_CP" io.streamvec.producer.QueryCommand "$@" \
    --bootstrap-servers "$SERVERS" "${TOPICS[@]}" --timeout 30 --oneline 2>&1 | grep -v '^query: no complete snapshot' || true
}

# --- build, broker, app, producer -----------------------------------------------------------
command -v java >/dev/null || die "java is not installed (Java 17+ is needed)"
sv_ensure_built streams-app model client streams-app
sv_ensure_built producer model client producer
QUERY_CP="$(sv_module_jar producer):$SV_ROOT/producer/target/lib/*"
if sv_port_open "$HTTP_PORT"; then
  die "port $HTTP_PORT is already in use; pick another: ./streamvec demo --http-port 18080"
fi

if SERVERS="$("$SV_ROOT/deploy/broker.sh" status 2>/dev/null)"; then
  say "using the local broker already running at $SERVERS"
else
  SERVERS="$("$SV_ROOT/deploy/broker.sh" start)" || die "could not start the local broker (see above)"
  STARTED_BROKER=1
fi

say "starting the app (log: ${APP_LOG#"$PWD"/}) ..."
APP_PID="$(start_bg "$APP_LOG" "$SV_ROOT/streamvec" app --bootstrap-servers "$SERVERS" "${TOPICS[@]}" \
  --set application.id=streamvec-demo --set "state.dir=$DEMO_DIR/state" --set "http.port=$HTTP_PORT" \
  --set "snapshot.interval.tokens=$SNAPSHOT_TOKENS" --set idle.snapshot.ms=3000 --set metrics.interval.ms=2000)"
[ -n "$APP_PID" ] || die "the app did not start"
waited=0
until http_get /health >/dev/null; do
  kill -0 "$APP_PID" 2>/dev/null || die "the app exited during startup; last lines of $APP_LOG:
$(tail -n 20 "$APP_LOG")"
  [ "$waited" -lt 180 ] || die "the app's HTTP API did not answer on port $HTTP_PORT within 180s; see $APP_LOG"
  sleep 1; waited=$((waited + 1))
done
say "app is up after ${waited}s"

say "streaming ${CORPUS#"$SV_ROOT"/} (King James Bible, public domain) at $RATE verses/s, in a loop (log: ${PRODUCE_LOG#"$PWD"/})"
PRODUCER_PID="$(start_bg "$PRODUCE_LOG" "$SV_ROOT/streamvec" produce --bootstrap-servers "$SERVERS" --topic demo-text \
  --rate "$RATE" --loop --no-progress "$CORPUS")"

BASE="http://127.0.0.1:$HTTP_PORT"
cat <<EOF

  query API   $BASE/v1/model
              $BASE/v1/neighbours?word=lord&k=10
              $BASE/v1/predict?context=i+am+running+a+little&k=5
  metrics     $BASE/metrics
  from Kafka  ./streamvec query neighbours lord --bootstrap-servers $SERVERS --set snapshots.topic=demo-snapshots
  $([ "$FOR" -gt 0 ] && echo "running for ${FOR}s; Ctrl-C stops earlier" || echo "Ctrl-C stops the demo")

EOF

# --- live progress ----------------------------------------------------------------------------
START=$SECONDS
last_tokens=""
last_time=$SECONDS
rate="n/a"
last_report=$SECONDS
reported_version=""
report() {
  local version="$1"
  [ -n "$version" ] && [ "$version" != 0 ] || return 0
  echo
  query neighbours "${PROBES[@]}" --k 6 | sed 's/^/  /'
  query predict "$CONTEXT" --k 5 | sed 's/^/  /'
  echo
  reported_version="$version"
  last_report=$SECONDS
}
while :; do
  elapsed=$((SECONDS - START))
  if [ "$FOR" -gt 0 ] && [ "$elapsed" -ge "$FOR" ]; then break; fi
  kill -0 "$APP_PID" 2>/dev/null || die "the app stopped; last lines of $APP_LOG:
$(tail -n 20 "$APP_LOG")"
  kill -0 "$PRODUCER_PID" 2>/dev/null || die "the producer stopped; see $PRODUCE_LOG:
$(tail -n 5 "$PRODUCE_LOG")"
  if model="$(http_get /v1/model)"; then
    tokens="$(json_number tokens <<< "$model")"
    vocab="$(json_number vocab_size <<< "$model")"
    version="$(json_number snapshot_version <<< "$model")"
    ppl="$(json_number perplexity <<< "$model")"
    # /v1/model shows the latest snapshot: the rate is measured between two snapshots and held in between
    if [ -n "$tokens" ] && [ "${tokens%%.*}" != "${last_tokens%%.*}" ]; then
      if [ -n "$last_tokens" ] && [ "$SECONDS" -gt "$last_time" ]; then
        rate="$(thousands $(( (${tokens%%.*} - ${last_tokens%%.*}) / (SECONDS - last_time) )))/s"
      fi
      last_tokens="$tokens"
      last_time=$SECONDS
    fi
    ppl_text="n/a"
    if [ -n "$ppl" ]; then ppl_text="$(LC_ALL=C printf '%.1f' "$ppl" 2>/dev/null || echo "$ppl")"; fi
    printf '[%4ds] tokens %12s  %11s  vocab %7s  perplexity %8s  snapshot %s\n' "$elapsed" "$(thousands "${tokens:-0}")" "$rate" \
      "$(thousands "${vocab:-0}")" "$ppl_text" "${version:-none yet}"
    # the first snapshot at once, then at most every $EVERY seconds
    if [ -n "$version" ] && [ "$version" != "$reported_version" ] &&
       { [ -z "$reported_version" ] || [ $((SECONDS - last_report)) -ge "$EVERY" ]; }; then
      report "$version"
    fi
  elif http_get /health >/dev/null; then
    printf '[%4ds] learning; waiting for the first snapshot (every %s tokens)\n' "$elapsed" "$SNAPSHOT_TOKENS"
  else
    printf '[%4ds] (no answer from %s/v1/model)\n' "$elapsed" "$BASE"
  fi
  sleep 5
done
# what the model knows at the end
say "after ${FOR}s:"
report "${version:-}"
