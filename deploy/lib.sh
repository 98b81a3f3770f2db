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
SV_TEST_DEB_PACKAGES=(kcat prometheus python3-gensim python3-matplotlib)

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

# Quiet Maven in the repo root, output on stderr. Maven 3.8's -q still prints colour resets
# (ESC[0m) even in batch mode; strip them so scripts that show the output stay clean.
sv_mvn() {
  (cd "$SV_ROOT" && mvn -B -q "$@") 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
  return "${PIPESTATUS[0]}"
}

# mvn package for the given module (and what it needs), offline first because that is fast
# and works without a network once ~/.m2 is warm; online when an artifact is missing.
sv_mvn_package() {
  local module="$1"
  command -v mvn >/dev/null || sv_die "Maven (mvn) is not installed; it is needed to build $module (Debian: apt-get install maven)"
  sv_info "building $module (mvn package) ..."
  # -B: no colour codes in the output of scripts (the demo) that show it
  if ! sv_mvn -o -DskipTests package -pl "$module" -am; then
    sv_info "offline build failed; retrying online (downloads missing artifacts)"
    sv_mvn -DskipTests package -pl "$module" -am || sv_die "building $module failed (see the Maven output above)"
  fi
  # Maven leaves an unchanged jar untouched; mark it fresh so the staleness check (jar older
  # than its or upstream sources) does not rebuild on every call.
  touch "$SV_ROOT/$module"/target/*.jar 2>/dev/null || true
}

# Build <module> if it is stale; the remaining arguments are its upstream modules.
sv_ensure_built() {
  if sv_module_stale "$@"; then sv_mvn_package "$1"; fi
}
