#!/usr/bin/env bash
# Rebuilds deploy/corpus/kjv.txt.gz, the demo corpus, from Debian's King James Bible packages.
# Maintainers only: the demo uses the file committed next to this script and never runs this.
#
#   deploy/corpus/build.sh            (needs the Debian packages bible-kjv and bible-kjv-text;
#                                      installs them when run as root)
#
# Output: one verse per line, verse numbers and chapter headings removed, a blank line between
# chapters (so `produce --mode paragraph` sends one chapter per record). gzip -n: no name or
# timestamp in the header, so the same packages give the same bytes.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/kjv.txt.gz"

if ! command -v bible >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y --no-install-recommends bible-kjv bible-kjv-text ||
      { apt-get update && apt-get install -y --no-install-recommends bible-kjv bible-kjv-text; }
  else
    echo "build.sh: needs the 'bible' program: sudo apt-get install bible-kjv bible-kjv-text" >&2
    exit 1
  fi
fi

# bible -l<width> prints "Book N" headings, then "  <verse> text" lines (one per verse at a
# width no verse reaches). Verse lines are the ones that start with spaces.
bible -l100000 "gen1:1-rev22:21" |
  awk '
    /^ +[0-9]+ / { sub(/^ +[0-9]+ /, ""); print; seen = 1; next }
    /^[^ ]/ && seen { print "" }   # a chapter heading after some verses: blank separator line
  ' |
  gzip -9n > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
verses="$(zcat "$OUT" | grep -c .)"
[ "$verses" = 31102 ] || { echo "build.sh: expected the 31102 verses of the KJV, got $verses" >&2; exit 1; }
echo "wrote $OUT: $verses verses, $(zcat "$OUT" | wc -w) words, $(stat -c %s "$OUT") bytes" >&2
