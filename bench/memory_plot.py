#!/usr/bin/python3
"""RSS over a long run (bench/memory_long.sh timelines): one line per run of RSS and of NMT's
committed Java heap against tokens trained, and a table of RSS every --step tokens.

    python3 bench/memory_plot.py LABEL=TIMELINE.jsonl... [--out bench/results/memory-long.png]
        [--step 10000000]

Prints the table (Markdown) on stdout. Standard library only, plus matplotlib for the plot.
"""
import argparse
import json


def samples(path):
    with open(path, encoding="utf-8") as f:
        return [s for s in map(json.loads, (line for line in f if line.strip())) if s.get("kind") == "sample"]


def rss_at(points, step):
    """{k * step: RSS of the first sample at or after k * step tokens} for every k the run reached."""
    out = {}
    for s in points:
        k = s["tokens"] // step
        if s["tokens"] > 0 and k * step not in out:
            out[k * step] = s["rss_mb"]
    return out


def table(runs, step):
    cols = [rss_at(points, step) for _, points in runs]
    marks = sorted(set().union(*cols))
    lines = ["| tokens | " + " | ".join(f"{label} RSS (MB)" for label, _ in runs) + " |",
             "|---" * (len(runs) + 1) + "|"]
    for m in marks:
        cells = [f"{c[m]:,.0f}" if m in c else "" for c in cols]
        lines.append(f"| {m / 1e6:.0f}M | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", metavar="LABEL=TIMELINE")
    p.add_argument("--out", default="bench/results/memory-long.png")
    p.add_argument("--step", type=int, default=10_000_000)
    a = p.parse_args(argv)
    runs = [(r.rsplit("=", 1)[0], samples(r.rsplit("=", 1)[1])) for r in a.runs]
    print(table(runs, a.step))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for i, (label, points) in enumerate(runs):
        color = f"C{i}"
        ax.plot([s["tokens"] / 1e6 for s in points], [s["rss_mb"] for s in points], color=color, label=f"{label}: RSS")
        heap = [(s["tokens"] / 1e6, s["nmt"]["Java Heap"]) for s in points if s.get("nmt", {}).get("Java Heap")]
        if heap:
            ax.plot(*zip(*heap), color=color, linestyle="--", marker="o", markersize=3,
                    label=f"{label}: heap committed (NMT)")
    ax.set_xlabel("tokens trained (millions)")
    ax.set_ylabel("MB")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("the app at the default model, the shared corpus looped (bench/memory_long.sh)")
    fig.tight_layout()
    fig.savefig(a.out, dpi=110)


if __name__ == "__main__":
    main()
