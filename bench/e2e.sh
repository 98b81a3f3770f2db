#!/usr/bin/env bash
# End-to-end benchmark of streamvec through a real Kafka broker: the raw text file is
# produced into the input topic, the Kafka Streams app trains on it, and the final snapshot is
# exported as word2vec text.
#
#   bench/e2e.sh --input RAW.txt[.gz] --output VEC.txt [--dim D] [--context L] [--negatives K]
#                [--min-count M] [--set KEY=VALUE]... [--app-set KEY=VALUE]...
#                [--mode both|pipeline|consume]
#                [--raw] [--expect-tokens N] [--jfr DIR] [--parks] [--keep] [--json]
#
# Everything runs for real and privately: its own KRaft broker (deploy/broker.sh) on free ports
# with its own STREAMVEC_HOME in a temporary directory, so it never touches a user's broker or
# state; everything it started is stopped at the end, on errors and on Ctrl-C.
#
# "Trained every token": the app publishes a metrics record every 100 ms (metrics.interval.ms,
# set for the run) carrying the trained token count; the run is complete at the first record
# whose count reaches N, the tokens the app must train: the file cut into records exactly as
# `./streamvec produce` cuts it and judged by the app's own validator (producer helper
# ExpectedTokens). On a clean text N equals the raw trainer's count (`./streamvec train`, run
# first with --raw, or given as --expect-tokens: checked); the two differ only by the records
# the app dead-letters (e.g. lines with control characters), reported as dead_letters. The
# final snapshot must then hold exactly N tokens, else the bench fails.
#
# Timing (both reported; the wall clock of the metrics records and of the input records, so
# JVM start-up of the measuring script is not counted; resolution about 0.1 s):
#   pipeline: the app is started and RUNNING on an empty topic, then the file is produced while
#             the app trains: from the timestamp of the first input record (producer CreateTime)
#             to the first metrics record reporting all N tokens trained. Broker, producer and
#             app share the machine, as in a live deployment.
#   consume:  the whole file is on the topic first; from the app's process start (JVM start,
#             topic checks, group join, state restore included) to all N tokens trained.
#   seconds / tokens_per_sec at the top level are the pipeline figures (consume's in
#   --mode consume). consume also reports startup_seconds (process start -> first RUNNING) and
#   train_seconds / train_tokens_per_sec (first RUNNING -> every token trained). Both modes report
#   first_million_seconds: from the same start to the first metrics record with >= 1M tokens
#   trained (where start-up and JIT warm-up weigh most).
#   rss_mb = peak RSS (VmHWM) of the app JVM, the larger of the two runs.
#   cpu_seconds, per mode: CPU seconds up to every token trained of the app JVM (from its start,
#   also by thread group: learner, stream, jit_c1, jit_c2, gc, kafka_io, rocksdb, other), of the
#   broker (from the mode's start) and of the producer JVM (pipeline mode): on a small machine
#   they compete with the learner for the cores.
#   parks (--parks), per mode: a JFR recording of only the app's thread parks of >= 1 ms (jdk.ThreadPark)
#   gives the seconds each thread group was parked within the timed window, the learner's also without
#   its wait for the first line, and where the stream threads parked (e.g. the producer's flush in a
#   commit): the learner thread sets the pace, so its parks are time the model did not learn.
# Progress goes to stderr; with --json the last line on stdout is one JSON object.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 "$BENCH_DIR/e2e.py" --repo-root "$(dirname "$BENCH_DIR")" "$@"
