#!/usr/bin/env python3
"""Top frames of a JFR recording: share of execution samples per method, self and inclusive.

    JAVA_OPTS='-XX:StartFlightRecording=filename=/tmp/train.jfr,settings=profile' \\
        ./streamvec train --input corpus.txt --quiet
    bench/jfr_top.py /tmp/train.jfr [N]

Reads `jfr print --events jdk.ExecutionSample` (the JDK's jfr tool; JDK 17 has no `jfr view`).
"""
import collections
import re
import subprocess
import sys

FRAME = re.compile(r"\s*([\w$.]+\.[\w$<>]+)\(.*line:")


def samples(jfr_file):
    text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", jfr_file],
                          check=True, capture_output=True, text=True).stdout
    frames = None
    for line in text.splitlines():
        if line.startswith("jdk.ExecutionSample"):
            if frames:
                yield frames
            frames = []
        elif frames is not None:
            m = FRAME.match(line)
            if m:
                frames.append(m.group(1))
    if frames:
        yield frames


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    top_n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    self_counts, inclusive = collections.Counter(), collections.Counter()
    n = 0
    for frames in samples(sys.argv[1]):
        n += 1
        self_counts[frames[0]] += 1
        inclusive.update(set(frames))
    if n == 0:
        sys.exit("no jdk.ExecutionSample events (was the recording made with settings=profile?)")
    print(f"{n} samples")
    for title, counts in (("self (top frame)", self_counts), ("inclusive", inclusive)):
        print(f"-- {title}")
        for frame, c in counts.most_common(top_n):
            print(f"{100 * c / n:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
