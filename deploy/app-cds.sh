# AppCDS for the app JVM (README "Start-up"), sourced by ./streamvec; defines functions only.
# shellcheck shell=bash
#
# The app JVM maps the classes it loaded last time from an archive in cds/ beside the module jar
# instead of reading, parsing and verifying them from the jars. A JVM without a current archive
# writes one at exit (-XX:ArchiveClassesAtExit) to a file of its own, app.jsa.PID.tmp; a later
# start checks that file with a throwaway JVM (-Xshare:on fails on a broken, truncated or
# mismatched archive) and only then makes it app.jsa, noting its size and the JVM it fits in
# app.jsa.ok. An archive older than a classpath entry, of another size or for another JVM is not
# used: the JVM ignores most mismatches by itself, but a truncated archive crashes it. The CRC
# check (-XX:+VerifySharedSpaces) turns other damage into a start without the archive. Only a
# training run writes one (--help and the like would archive a fraction of its classes).
# STREAMVEC_CDS=off: none of this.

CDS_FLAGS=()

# app_cds <module jar> <classpath> [app arguments...]: sets CDS_FLAGS for the JVM this shell is
# about to exec (so $$ is that JVM's pid).
app_cds() {
  local jar="$1" cp="$2" dir arch key t pid dump=1
  shift 2
  CDS_FLAGS=()
  [ "${STREAMVEC_CDS:-on}" = off ] && return 0
  sv_app_trains "$@" || dump=0
  dir="$(dirname "$jar")/cds"
  arch="$dir/app.jsa"
  mkdir -p "$dir" 2>/dev/null || return 0
  key="$(_cds_jvm_key)"
  if ! { _cds_newer_than_classpath "$arch" "$cp" &&
    [ "$(cat "$arch.ok" 2>/dev/null)" = "$(stat -c %s "$arch") $key" ]; }; then
    rm -f "$arch" "$arch.ok"
    for t in "$dir"/app.jsa.*.tmp; do
      [ -f "$t" ] || continue
      pid="${t%.tmp}"
      pid="${pid##*.}"
      kill -0 "$pid" 2>/dev/null && continue # still running: it writes its archive at exit
      if [ ! -f "$arch" ] && _cds_newer_than_classpath "$t" "$cp" &&
        java -Xshare:on -XX:SharedArchiveFile="$t" -XX:+VerifySharedSpaces \
          -XX:-CreateCoredumpOnCrash -XX:ErrorFile="$dir/check-hs_err.log" \
          -cp "$cp" -version >/dev/null 2>&1 &&
        mv "$t" "$arch" 2>/dev/null; then
        printf '%s %s\n' "$(stat -c %s "$arch")" "$key" >"$arch.ok.$$" && mv "$arch.ok.$$" "$arch.ok"
      fi
      rm -f "$t" "$dir/check-hs_err.log"
    done
  fi
  if [ -f "$arch.ok" ]; then
    CDS_FLAGS=(-XX:SharedArchiveFile="$arch" -XX:+VerifySharedSpaces)
  elif [ "$dump" = 1 ]; then
    CDS_FLAGS=(-XX:ArchiveClassesAtExit="$dir/app.jsa.$$.tmp")
  fi
  CDS_FLAGS+=(-Xlog:cds=off -Xlog:cds+dynamic=off) # its notes on classes it cannot archive
}

# The java on PATH and its libjvm's time: an archive fits only the JVM build that wrote it.
_cds_jvm_key() {
  local javabin jvm
  javabin="$(readlink -f "$(command -v java)")"
  jvm="$(dirname "$(dirname "$javabin")")/lib/server/libjvm.so"
  [ -f "$jvm" ] || jvm="$javabin"
  printf '%s %s' "$javabin" "$(stat -c %Y "$jvm")"
}

# True if file exists and no entry of the classpath (globs such as lib/* expanded) is newer.
_cds_newer_than_classpath() {
  local file="$1" entries e f
  [ -f "$file" ] || return 1
  IFS=: read -ra entries <<<"$2"
  for e in "${entries[@]}"; do
    while IFS= read -r f; do
      [ "$f" -nt "$file" ] && return 1
    done < <(compgen -G "$e")
  done
  return 0
}
