# Transparent huge pages for the trainer JVM (README "Start-up"), sourced by ./streamvec;
# defines functions only.
# shellcheck shell=bash
#
# A token reads rows of E and W and entries of the mixture's n-gram tables at random places in
# arrays of tens of megabytes; with 4 kB pages nearly every such read is also a TLB miss. On Linux
# the JVM backs its heap with 2 MB pages when asked (-XX:+UseTransparentHugePages). It is asked
# only when the kernel grants them on request: /sys/kernel/mm/transparent_hugepage/enabled shows
# [madvise] or [always]; with [never], or on another OS, the flag is left out (the JVM would
# warn, or not know the flag). STREAMVEC_HUGE_PAGES=off leaves it out everywhere.

HUGE_PAGE_FLAGS=()

# Where the kernel says whether huge pages are granted; tests point it at a file of their own.
SV_THP_ENABLED_FILE="${SV_THP_ENABLED_FILE:-/sys/kernel/mm/transparent_hugepage/enabled}"

# huge_pages: sets HUGE_PAGE_FLAGS for the trainer JVM.
huge_pages() {
  HUGE_PAGE_FLAGS=()
  case "${STREAMVEC_HUGE_PAGES:-auto}" in
    off) return 0 ;;
    auto) ;;
    *) sv_die "STREAMVEC_HUGE_PAGES=$STREAMVEC_HUGE_PAGES: use auto (the default: huge pages where the kernel grants them on request) or off" ;;
  esac
  [ "$(uname -s)" = Linux ] || return 0
  local modes
  modes="$(cat "$SV_THP_ENABLED_FILE" 2>/dev/null)" || return 0
  case "$modes" in
    *"[madvise]"* | *"[always]"*) HUGE_PAGE_FLAGS=(-XX:+UseTransparentHugePages) ;;
  esac
}
