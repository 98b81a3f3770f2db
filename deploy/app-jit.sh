# The app JVM's JIT settings (README "Start-up"), sourced by ./streamvec; defines functions only.
# shellcheck shell=bash
#
# The app runs the libraries around the learner (Kafka clients and Streams, RocksDB's JNI glue,
# Jackson, Micrometer, logging) on C1-compiled code only, and C2 does not inline them into our
# methods (deploy/app-jit.json): HotSpot compiles an excluded method at its tier without profiling
# (level 1) instead. On two cores C2 took about as much CPU as the learner itself in a short run,
# most of it on that code, and competed with learning for the cores; the learner, our own code and
# the JDK still get C2. Measured in bench/RESULTS.md ("Issue 15, session 6"). The JVM announces
# the directives on its own output; DisplayVMOutputToStderr keeps that (and any other VM message)
# off stdout. STREAMVEC_APP_JIT=default: the JVM's own policy.

JIT_FLAGS=()

# app_jit <deploy dir> [app arguments...]: sets JIT_FLAGS for the app JVM (none for --help and
# the other commands that train nothing).
app_jit() {
  local dir="$1"
  shift
  JIT_FLAGS=()
  case "${STREAMVEC_APP_JIT:-libraries-c1}" in
    default) return 0 ;;
    libraries-c1) ;;
    *) sv_die "STREAMVEC_APP_JIT=$STREAMVEC_APP_JIT: use libraries-c1 (the default) or default (the JVM's own JIT policy)" ;;
  esac
  sv_app_trains "$@" || return 0
  JIT_FLAGS=(-XX:+UnlockDiagnosticVMOptions -XX:CompilerDirectivesFile="$dir/app-jit.json" -XX:+DisplayVMOutputToStderr)
}
