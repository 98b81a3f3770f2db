#!/usr/bin/python3
"""Plot of the many-models measurements (issue 14): tokens/s of 1, 2 and 4 models on 1 and 2
instances (ManyModelsThroughput JSON lines) and memory per instance against the number of
models (bench/models-memory.sh JSON lines), with the straight-line fit whose slope is the memory
per model.

    python3 bench/models_plot.py [--throughput bench/results/models-throughput.jsonl]
        [--memory bench/results/models-memory.jsonl] [--out bench/results/models-scaling.png]

Prints the fits (MB per model, MB for the app without models) as a JSON line. Standard library
only, plus matplotlib for the plot.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def fit_line(points):
    """Least-squares (intercept, slope) of y over x for [(x, y), ...]; needs two distinct x."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        raise ValueError("a line needs at least two different model counts")
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx
    return my - slope * mx, slope


def memory_series(runs, figure):
    """{(dim, query side): [(models, figure of the instance), ...]} of the one-instance runs."""
    series = {}
    for r in runs:
        if r["instances"] != 1:
            continue
        dim = next((k.split("=", 1)[1] for k in r.get("keys", []) if k.startswith("dim=")), "100")
        value = r["memory"][0].get(figure)
        if value is not None:
            series.setdefault((dim, r["query_side"]), []).append((r["models"], value))
    return {k: sorted(v) for k, v in series.items()}


def fits(runs):
    """Per series and figure (live heap, RSS): MB per model and MB at zero models."""
    out = []
    for figure in ("live_heap_mb", "rss_mb"):
        for (dim, query), points in sorted(memory_series(runs, figure).items()):
            if len({x for x, _ in points}) < 2:
                continue
            base, per_model = fit_line(points)
            out.append({"figure": figure, "dim": int(dim), "query_side": query,
                        "mb_per_model": round(per_model, 1), "mb_base": round(base, 1),
                        "points": points})
    return out


def plot(path, throughput, memory):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (total_ax, model_ax, mem_ax) = plt.subplots(1, 3, figsize=(15, 4.5))
    for instances, marker in ((1, "o"), (2, "s")):
        rows = sorted((r for r in throughput
                       if r["mode"] == "key routing" and r["instances"] == instances),
                      key=lambda r: r["models"])
        label = f"{instances} instance{'s' if instances > 1 else ''}"
        total_ax.plot([r["models"] for r in rows], [r["tokens_per_sec"] / 1e3 for r in rows],
                      marker=marker, label=label)
        xs = [r["models"] + (0.08 if instances == 2 else -0.08) for r in rows
              for _ in r["per_model_tokens_per_sec"]]
        ys = [v / 1e3 for r in rows for v in r["per_model_tokens_per_sec"].values()]
        model_ax.scatter(xs, ys, marker=marker, label=label)
    for r in throughput:
        if r["mode"] == "one-model app":
            for ax in (total_ax, model_ax):
                ax.axhline(r["tokens_per_sec"] / 1e3, color="grey", linestyle="--",
                           label="one-model app (learner thread)")
    total_ax.set_title("tokens/s of all models (template text, 46c620f)")
    model_ax.set_title("tokens/s of each model")
    for ax in (total_ax, model_ax):
        ax.set_xlabel("models (key routing, 4 model partitions)")
        ax.set_ylabel("tokens/s (thousands)")
        ax.set_xticks([1, 2, 4])
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8)
    for f in fits(memory):
        if f["figure"] != "live_heap_mb":
            continue
        xs = [x for x, _ in f["points"]]
        side = "training + query side" if f["query_side"] else "training side only"
        line = mem_ax.plot(xs, [y for _, y in f["points"]], marker="o",
                           label=f"d={f['dim']}, {side}: {f['mb_per_model']:.0f} MB/model")
        mem_ax.plot([0, max(xs)], [f["mb_base"], f["mb_base"] + f["mb_per_model"] * max(xs)],
                    linestyle=":", color=line[0].get_color())
    mem_ax.set_title("live heap after a full GC, one instance")
    mem_ax.set_xlabel("models (each full: 50k words, 200k candidates, 500k n-grams)")
    mem_ax.set_ylabel("MB")
    mem_ax.set_xlim(left=0)
    mem_ax.set_ylim(bottom=0)
    mem_ax.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fig.savefig(path, dpi=90)
    return path


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--throughput", default=os.path.join(HERE, "results", "models-throughput.jsonl"))
    p.add_argument("--memory", default=os.path.join(HERE, "results", "models-memory.jsonl"))
    p.add_argument("--out", default=os.path.join(HERE, "results", "models-scaling.png"))
    a = p.parse_args(argv)
    memory = read_jsonl(a.memory)
    plot(a.out, read_jsonl(a.throughput), memory)
    print(json.dumps({"plot": a.out, "fits": fits(memory)}))


if __name__ == "__main__":
    main(sys.argv[1:])
