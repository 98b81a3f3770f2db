# The trainer JVM's garbage collector (README "Memory"), sourced by ./streamvec; defines
# functions only.
# shellcheck shell=bash
#
# `train` allocates its model once and little after that besides each line's token strings,
# which die young. The serial collector copies those in short pauses on the thread that
# allocates, with no concurrent GC threads beside the learner and no remembered sets, and it
# grows the heap less eagerly (measured against G1, the JVM's default: bench/RESULTS.md, "the
# trainer's collector"). A collector named in JAVA_OPTS wins: two collectors on one command
# line stop the JVM at start.

GC_FLAGS=()

# train_gc JAVA_OPTS_WORDS...: sets GC_FLAGS for the trainer JVM.
train_gc() {
  GC_FLAGS=()
  local flag
  for flag in "$@"; do
    case "$flag" in
      -XX:+UseSerialGC | -XX:+UseParallelGC | -XX:+UseG1GC | -XX:+UseZGC | -XX:+UseShenandoahGC | -XX:+UseEpsilonGC) return 0 ;;
    esac
  done
  GC_FLAGS=(-XX:+UseSerialGC)
}
