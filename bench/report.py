"""The benchmark's outputs: the table on stdout, bench/results/latest.json (a list of rows) and
the PNG plot (learning curves from streamvec's --curve files; tokens/s per system)."""
import json
import os

COLUMNS = ("system", "thr", "tokens", "seconds", "tokens/s", "x w2v", "RSS MB", "vocab",
           "WS353", "oov", "MEN", "oov", "analogy", "oov q", "ppl", "n-gram", "served", "load")


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def score(row, name, key):
    return ((row.get("scores") or {}).get(name) or {}).get(key)


def table_lines(rows):
    widths = (18, 3, 9, 8, 9, 5, 7, 7, 6, 4, 6, 4, 7, 5, 7, 7, 7, 5)
    head = " ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(COLUMNS, widths)))
    lines = [head, "-" * len(head)]
    for r in rows:
        s = r.get("scores") or {}
        cells = (r["system"], r["threads"], fmt(r.get("tokens"), "d"), fmt(r.get("seconds"), ".2f"),
                 fmt(r.get("tokens_per_s"), ",d"), fmt(r.get("ratio_to_word2vec"), ".2f"),
                 fmt(r.get("rss_mb"), ".0f"), fmt(r.get("vocab"), "d"),
                 fmt(score(r, "ws353", "rho"), ".3f"), fmt(score(r, "ws353", "oov"), "d"),
                 fmt(score(r, "men", "rho"), ".3f"), fmt(score(r, "men", "oov"), "d"),
                 fmt(score(r, "analogy", "accuracy"), ".3f"), fmt(score(r, "analogy", "oov"), "d"),
                 fmt(s.get("perplexity"), ".1f"), fmt(s.get("ngram_perplexity"), ".1f"),
                 fmt(s.get("served_perplexity"), ".1f"), fmt(r.get("load1_before"), ".2f"))
        lines.append(" ".join(str(c).rjust(w) if i else str(c).ljust(w)
                              for i, (c, w) in enumerate(zip(cells, widths))))
        if r.get("status") != "ok":
            lines.append(f"{'':<18}   {r['status'].upper()}: {r.get('error')}")
        if s.get("served_scored_tokens"):
            lines.append(f"{'':<18}   " + intervals_line(s))
        if r.get("status") == "ok" and r.get("notes"):
            lines.append(f"{'':<18}   note: {r['notes']}")
    return lines


def intervals_line(s):
    """Perplexities with their 95% intervals on the same scored tokens, then served / KN trigram
    paired on those tokens (block bootstrap of the per-token differences: neighbouring scored tokens
    share a document), and served / its own bounded n-gram (paired, independent tokens)."""
    def ppl(key):
        return (f"{fmt(s.get(key), '.1f')} [{fmt(s.get(key + '_low'), '.1f')}, "
                f"{fmt(s.get(key + '_high'), '.1f')}]")
    return (f"{s.get('served_scored_tokens'):,.0f} scored tokens: model {ppl('served_model_perplexity')}, "
            f"KN trigram {ppl('ngram_perplexity')}, served {ppl('served_perplexity')} "
            f"(bounded n-gram {ppl('served_ngram_perplexity')}; served/bounded n-gram "
            f"{fmt(s.get('served_vs_ngram'), '.3f')} [{fmt(s.get('served_vs_ngram_low'), '.3f')}, "
            f"{fmt(s.get('served_vs_ngram_high'), '.3f')}])" + paired_line(s))


def paired_line(s):
    if s.get("served_vs_baseline") is None:
        return ""
    return (f"; served/KN trigram paired on {fmt(s.get('served_vs_baseline_tokens'), ',.0f')} tokens: "
            f"{fmt(s.get('served_vs_baseline'), '.3f')} [{fmt(s.get('served_vs_baseline_low'), '.3f')}, "
            f"{fmt(s.get('served_vs_baseline_high'), '.3f')}] (95%, block bootstrap, blocks of "
            f"{fmt(s.get('served_vs_baseline_block'), '.0f')}; lag-1 autocorrelation "
            f"{fmt(s.get('served_vs_baseline_lag1'), '.2f')})")


def write_json(rows, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(rows, f, indent=1)
        f.write("\n")
    os.replace(path + ".tmp", path)


def plot(rows, curves, path, title):
    """Two panels: windowed prequential perplexity vs tokens (streamvec and its n-gram
    baseline, from --curve), and tokens/s per system and thread count. Returns None, or why
    there is no plot (matplotlib missing)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib not importable (apt-get install python3-matplotlib): no plot"
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    drawn = baseline_drawn = False
    for label, points in curves.items():
        xs = [p["tokens"] for p in points]
        series = [("window_perplexity", "-", label)]
        if not baseline_drawn:  # the baseline sees the same tokens in every streamvec run: once
            series.append(("ngram_window_perplexity", "--", "n-gram baseline (same tokens)"))
        series.append(("served_window_perplexity", ":", label + " served (model + n-gram)"))
        for key, style, name in series:
            pts = [(x, p.get(key)) for x, p in zip(xs, points) if p.get(key)]
            if pts:
                left.plot([x for x, _ in pts], [y for _, y in pts], style, label=name)
                drawn = True
                baseline_drawn = baseline_drawn or key.startswith("ngram")
    left.set_title("learning curve: windowed prequential perplexity")
    left.set_xlabel("tokens seen")
    left.set_ylabel("perplexity (lower is better)")
    if drawn:
        left.set_yscale("log")
        left.legend(fontsize=8)
    else:
        left.text(0.5, 0.5, "no --curve data\n(./streamvec train has no --curve option)",
                  ha="center", va="center", transform=left.transAxes)
    ok = [r for r in rows if r.get("tokens_per_s")]
    labels = [f"{r['system']}\n{r['threads']} thr" for r in ok]
    colors = ["tab:orange" if r["system"].startswith("streamvec") else "tab:blue" for r in ok]
    right.bar(range(len(ok)), [r["tokens_per_s"] / 1000 for r in ok], color=colors)
    right.set_xticks(range(len(ok)))
    right.set_xticklabels(labels, rotation=60, ha="right", fontsize=8)
    right.set_ylabel("thousand tokens / s (wall)")
    right.set_title("throughput, one pass")
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return None
