# Shared helpers for the streamvec shell scripts (./streamvec, deploy/*.sh, .ci/run).
# Source it; it defines functions and variables only and runs nothing.
# shellcheck shell=bash

# Repository root: this file lives in <root>/deploy/.
SV_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Project-local state (broker data, pid files, logs). Tests point it elsewhere. Made absolute:
# it ends up in command lines that identify our processes from any directory.
# shellcheck disable=SC2034 # used by the scripts that source this file
SV_HOME="${STREAMVEC_HOME:-$SV_ROOT/.streamvec}"
case "$SV_HOME" in /*) ;; *) SV_HOME="$PWD/$SV_HOME" ;; esac

# Debian packages the test suite needs, in one place (.ci/run and `./streamvec test` read it).
#   kcat           - a third-party Kafka client pipes text in (producer/app tests)
#   prometheus     - a real Prometheus scrapes the app (observability tests; brings promtool)
#   python3-gensim - loads our exported word2vec file (snapshot export test)
#   python3-matplotlib - the bench harness test draws its PNG plot (bench/test_bench.py)
#   chromium       - a real browser renders the explorer page served at / (SenseSwapDriftTest)
SV_TEST_DEB_PACKAGES=(kcat prometheus python3-gensim python3-matplotlib chromium)

# True if these app arguments make it train (not --help, --print-config or --check-state, which
# only print and exit: they get no class archive and no JIT settings).
sv_app_trains() {
  local a
  for a in "$@"; do
    case "$a" in -h | --help | --print-config | --check-state) return 1 ;; esac
  done
  return 0
}

sv_info() { printf 'streamvec: %s\n' "$*" >&2; }
sv_die() { printf 'streamvec: error: %s\n' "$*" >&2; exit 1; }

# True if something accepts TCP connections on 127.0.0.1:$1 (bash's /dev/tcp, no extra tools).
sv_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The Debian packages from SV_TEST_DEB_PACKAGES that are not installed, one per line.
sv_missing_test_packages() {
  local pkg
  for pkg in "${SV_TEST_DEB_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      echo "$pkg"
    fi
  done
}

# Run apt-get as root directly or through sudo; fails if neither is possible. Waits for the
# dpkg lock (another apt run, or unattended upgrades on a fresh machine) instead of failing.
sv_apt_get() {
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
  else
    return 1
  fi
}

# The module jar under <module>/target (not -tests.jar / -sources.jar), or nothing.
# sv_java_home: the JDK the Java commands run on. STREAMVEC_JAVA_HOME if set (an empty value or
# "path" = the java on PATH); else the newest JDK 17..25 among the java on PATH and
# /usr/lib/jvm/* (SV_JVM_DIR, for tests): a newer JIT trains the same bits faster (Temurin 25 against Debian's 17 here:
# 1.05-1.16x the raw trainer, 1.1-1.3x end to end; bench/RESULTS.md). Prints nothing for PATH's.
sv_java_home() {
  if [ -n "${STREAMVEC_JAVA_HOME+set}" ]; then
    case "$STREAMVEC_JAVA_HOME" in
      "" | path) return 0 ;;
    esac
    [ -x "$STREAMVEC_JAVA_HOME/bin/java" ] ||
      sv_die "STREAMVEC_JAVA_HOME=$STREAMVEC_JAVA_HOME has no bin/java: set it to a JDK 17+ directory, or to 'path' for the java on PATH"
    printf '%s' "$STREAMVEC_JAVA_HOME"
    return 0
  fi
  local best="" best_major=0 home major java_on_path
  java_on_path="$(readlink -f "$(command -v java 2>/dev/null)" 2>/dev/null)" || java_on_path=""
  for home in "${java_on_path%/bin/java}" "${SV_JVM_DIR:-/usr/lib/jvm}"/*; do
    [ -n "$home" ] && [ -x "$home/bin/java" ] && [ -f "$home/release" ] || continue
    major="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")"
    [ -n "$major" ] && [ "$major" -ge 17 ] && [ "$major" -le 25 ] && [ "$major" -gt "$best_major" ] || continue
    best="$home"
    best_major="$major"
  done
  [ "$best" = "${java_on_path%/bin/java}" ] || printf '%s' "$best"
}

sv_module_jar() {
  local jar
  for jar in "$SV_ROOT/$1"/target/*.jar; do
    case "$jar" in *-tests.jar|*-sources.jar|*-javadoc.jar) continue ;; esac
    [ -f "$jar" ] && { echo "$jar"; return 0; }
  done
  return 1
}

# True if <module> must be (re)built: no jar, or a pom/source file of it or of an upstream
# module (the other arguments) is newer than the jar. Upstream jars are copied into
# <module>/target/lib at package time, so their sources make this module stale too.
sv_module_stale() {
  local module="$1" jar dir
  jar="$(sv_module_jar "$module")" || return 0
  [ -d "$SV_ROOT/$module/target/lib" ] || return 0
  [ "$SV_ROOT/pom.xml" -nt "$jar" ] && return 0
  for dir in "$@"; do
    [ "$SV_ROOT/$dir/pom.xml" -nt "$jar" ] && return 0
    if [ -d "$SV_ROOT/$dir/src/main" ] &&
       [ -n "$(find "$SV_ROOT/$dir/src/main" -newer "$jar" -type f -print -quit)" ]; then
      return 0
    fi
  done
  return 1
}

# Maven in the repo root with its whole output appended to a log file; nothing on the terminal.
sv_mvn_logged() {
  local log="$1"
  shift
  (cd "$SV_ROOT" && mvn -B "$@") >> "$log" 2>&1
}

# What a failed build says, for the terminal: Maven's [ERROR] lines without its boilerplate (or
# the last lines of the log when it has none).
sv_mvn_errors() {
  local log="$1" errors
  errors="$(grep -E '^\[(ERROR|FATAL)\]' "$log" |
    grep -vE '^\[ERROR\] *$|-> \[Help|Re-run Maven|re-run Maven|For more information|Help [0-9]+\]|resume the build|^\[ERROR\]   mvn <' |
    head -n 25)"
  if [ -n "$errors" ]; then printf '%s\n' "$errors"; else tail -n 25 "$log"; fi
}

# mvn package for the given module (and what it needs): one line on the terminal, the whole Maven
# output in $SV_HOME/logs/build-<module>.log, shown (its errors) only if the build really fails.
# Offline first, because that is fast and works without a network once ~/.m2 is warm; online only
# when the offline attempt failed for an artifact that is not downloaded yet (a first build).
sv_mvn_package() {
  local module="$1" log
  command -v mvn >/dev/null || sv_die "Maven (mvn) is not installed; it is needed to build $module (Debian: apt-get install maven)"
  mkdir -p "$SV_HOME/logs"
  log="$SV_HOME/logs/build-${module//\//-}.log"
  : > "$log"
  sv_info "building $module (mvn package; log: $log) ..."
  if ! sv_mvn_logged "$log" -o -DskipTests package -pl "$module" -am; then
    grep -q 'offline mode' "$log" ||
      sv_die "building $module failed:
$(sv_mvn_errors "$log")
  full Maven output: $log"
    sv_info "building $module: downloading the Maven artifacts it needs (first build only) ..."
    printf '\n==== online retry: the offline build lacked artifacts ====\n' >> "$log"
    sv_mvn_logged "$log" -DskipTests package -pl "$module" -am ||
      sv_die "building $module failed:
$(sv_mvn_errors "$log")
  full Maven output: $log"
  fi
  # Maven leaves an unchanged jar untouched; mark it fresh so the staleness check (jar older
  # than its or upstream sources) does not rebuild on every call.
  touch "$SV_ROOT/$module"/target/*.jar 2>/dev/null || true
}

# Build <module> if it is stale; the remaining arguments are its upstream modules.
sv_ensure_built() {
  if sv_module_stale "$@"; then sv_mvn_package "$1"; fi
}
