# The app JVM's JIT settings (README "Start-up"), sourced by ./streamvec; defines functions only.
# shellcheck shell=bash
#
# The app runs the libraries around the learner (Kafka clients and Streams, RocksDB's JNI glue,
# Jackson, Micrometer, logging) on C1-compiled code only, and C2 does not inline them into our
# methods (deploy/app-jit.json): HotSpot compiles an excluded method at its tier without profiling
# (level 1) instead. On two cores C2 took about as much CPU as the learner itself in a short run,
# most of it on that code, and competed with learning for the cores; the learner, our own code and
# the JDK still get C2. Measured in bench/RESULTS.md ("Issue 15, session 6").
# STREAMVEC_APP_JIT=default: the JVM's own policy.
#
# The JVM announces the directives on its own output at every start ("2 compiler directives
# added"), and says why a file does not load only there. So the app runs with that output off
# (-XX:-DisplayVMOutput: warnings, crash reports, -Xlog and exceptions still show), and a JVM that
# only starts and stops (~30 ms) checks the file first: a file this JVM rejects stops the start
# with the JVM's reason. -XX:+DisplayVMOutput in JAVA_OPTS (after the launcher's flags, so it wins)
# turns that output on again, on stderr, e.g. for -XX:+PrintCompilation.

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
  local file="$dir/app-jit.json" why
  why="$(java -XX:+UnlockDiagnosticVMOptions -XX:CompilerDirectivesFile="$file" -version 2>&1)" ||
    sv_die "this JVM does not load the app's JIT settings, $file:
$why
  restore the file (git checkout deploy/app-jit.json), or set STREAMVEC_APP_JIT=default for the JVM's own policy"
  JIT_FLAGS=(-XX:+UnlockDiagnosticVMOptions -XX:CompilerDirectivesFile="$file" -XX:+DisplayVMOutputToStderr -XX:-DisplayVMOutput)
}
