#!/usr/bin/python3
"""Side-by-side benchmark: streamvec (raw trainer, and end to end through Kafka) vs word2vec C,
fastText and gensim, one pass each, same dim/window/negatives/min-count, at each thread count,
on the same corpus, in one run; every vector set scored by the same evaluator.

Prints a table and, last, one JSON line; writes bench/results/latest.json (a list of rows),
latest-meta.json (corpus, settings, load) and latest.png. Called by bench/run.sh.
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
from types import SimpleNamespace

import evaluate
import measure
import prepare_corpus
import report
import systems

BENCH_DIR = systems.BENCH_DIR
CORPORA_DIR = os.path.join(BENCH_DIR, "work", "corpora")
DEFAULT_ANALOGY = os.path.join(BENCH_DIR, "eval", "analogy-en.txt")
DEFAULT_SIMILARITY = ("EN-WS-353-ALL.txt", "EN-MEN-TR-3k.txt")  # looked for in ../shared/data/eval
QUICK_TOKENS = 1_000_000
CURVE_KEYS = ("tokens", "seconds", "perplexity", "window_perplexity", "ngram_perplexity",
              "ngram_window_perplexity", "served_perplexity", "served_window_perplexity")
SCORE_KEYS = ("perplexity", "window_perplexity", "ngram_perplexity", "ngram_window_perplexity",
              "scored_tokens", "ngram_perplexity_low", "ngram_perplexity_high",
              "served_scored_tokens", "served_perplexity", "served_perplexity_low",
              "served_perplexity_high", "served_window_perplexity", "served_model_perplexity",
              "served_model_perplexity_low", "served_model_perplexity_high",
              "served_ngram_perplexity", "served_ngram_perplexity_low",
              "served_ngram_perplexity_high", "served_vs_ngram", "served_vs_ngram_low",
              "served_vs_ngram_high", "served_vs_model", "served_vs_model_low",
              "served_vs_model_high", "served_vs_baseline", "served_vs_baseline_low",
              "served_vs_baseline_high", "served_vs_baseline_iid_low", "served_vs_baseline_iid_high",
              "served_vs_baseline_tokens", "served_vs_baseline_block", "served_vs_baseline_lag1")


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="bench/run.sh", description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--repo-root", required=True, help=argparse.SUPPRESS)
    ap.add_argument("--corpus", default="mixed",
                    help="a file (plain or .gz), a directory of *.txt[.gz], or the NAME of a corpus "
                         "built by bench/corpora/build.sh (default: mixed; built if missing)")
    ap.add_argument("--quick", action="store_true",
                    help=f"first {QUICK_TOKENS:,} tokens, systems {','.join(systems.QUICK_SYSTEMS)}")
    ap.add_argument("--eval", nargs="+", metavar="FILE",
                    help="word-similarity sets (word1 word2 score), files or directories of *.txt "
                         "(default: WS-353 and MEN from ../shared/data/eval when present)")
    ap.add_argument("--analogy", nargs="+", metavar="FILE",
                    help="analogy sets in questions-words format (default: bench/eval/analogy-en.txt)")
    ap.add_argument("--threads", default="1,2", help="comma list of thread counts (default 1,2)")
    ap.add_argument("--only", help=f"comma list from {','.join(systems.ALL_SYSTEMS)} (default: all)")
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--negatives", type=int, default=5)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--max-tokens", type=int, help="use only the first N tokens (--quick: 1M)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run the whole list N times interleaved (A B A B); speeds are medians")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds allowed per system run")
    ap.add_argument("--results", default=os.path.join(BENCH_DIR, "results"),
                    help="directory for latest.json / latest-meta.json / latest.png")
    args = ap.parse_args(argv)
    for name in ("dim", "window", "negatives", "min_count", "repeat", "timeout"):
        if getattr(args, name) < 1:
            ap.error(f"--{name.replace('_', '-')} must be >= 1")
    try:
        args.thread_counts = sorted({int(t) for t in args.threads.split(",") if t.strip()})
    except ValueError:
        ap.error(f"--threads wants a comma list of integers, got {args.threads!r}")
    if not args.thread_counts or args.thread_counts[0] < 1:
        ap.error("--threads wants thread counts >= 1")
    if args.max_tokens is None:
        args.max_tokens = QUICK_TOKENS if args.quick else 0
    if args.max_tokens < 0:
        ap.error("--max-tokens must be >= 0")
    default_systems = systems.QUICK_SYSTEMS if args.quick else systems.ALL_SYSTEMS
    args.systems = [s.strip() for s in args.only.split(",") if s.strip()] if args.only else list(default_systems)
    return args


def resolve(path, repo_root):
    """A relative path is taken from the current directory, else from the repo root."""
    if os.path.isabs(path) or os.path.exists(path):
        return os.path.abspath(path)
    return os.path.abspath(os.path.join(repo_root, path))


def resolve_corpus(arg, repo_root):
    path = resolve(arg, repo_root)
    if os.path.exists(path):
        return path
    if os.sep in arg or arg.endswith((".txt", ".gz")):
        sys.exit(f"bench: corpus not found: {arg}")
    named = os.path.join(CORPORA_DIR, arg + ".txt")
    if not os.path.exists(named):
        print(f"[bench] corpus {arg!r} not built yet: running bench/corpora/build.sh", file=sys.stderr)
        subprocess.run([os.path.join(BENCH_DIR, "corpora", "build.sh")], check=False)
    if not os.path.exists(named):
        built = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(CORPORA_DIR, "*.txt")))
        sys.exit(f"bench: no corpus named {arg!r} (built: {', '.join(built) or 'none'}); "
                 "pass --corpus FILE|DIR|NAME")
    return named


def expand_sets(paths, repo_root, kind):
    files = []
    for p in paths:
        p = resolve(p, repo_root)
        if os.path.isdir(p):
            files += sorted(glob.glob(os.path.join(p, "*.txt")))
        elif os.path.isfile(p):
            files.append(p)
        else:
            sys.exit(f"bench: {kind} set not found: {p}")
    return files


def eval_sets(args, repo_root):
    if args.eval:
        similarity = expand_sets(args.eval, repo_root, "--eval")
    else:
        shared = os.path.join(repo_root, "..", "shared", "data", "eval")
        similarity = [os.path.abspath(os.path.join(shared, n)) for n in DEFAULT_SIMILARITY
                      if os.path.exists(os.path.join(shared, n))]
    analogy = expand_sets(args.analogy, repo_root, "--analogy") if args.analogy else [DEFAULT_ANALOGY]
    return similarity, analogy


def new_row(run):
    return {"system": run.name, "threads": run.threads, "status": "ok", "error": None,
            "tokens": run.tokens, "seconds": None, "tokens_per_s": None, "tokens_per_s_runs": [],
            "own_tokens_per_s": None, "ratio_to_word2vec": None, "rss_mb": None, "rss_source": None,
            "vocab": None, "scores": {}, "load1_before": None, "command": " ".join(run.cmd),
            "log": None}


def measure_once(run, row, log_dir, timeout):
    """One timed run; fills the row's per-run lists, or marks it failed."""
    row["load1_before"] = round(os.getloadavg()[0], 2)
    row["log"] = os.path.join(log_dir, f"{run.name}-t{run.threads}.log")
    print(f"[bench] {run.label}: running (log {row['log']})", file=sys.stderr, flush=True)
    m = measure.run_measured(run.cmd, row["log"], timeout)
    if m.rc != 0:
        tail = [l for l in m.output.replace("\r", "\n").splitlines() if l.strip()][-1:]
        return fail(row, f"exit {m.rc}" + (f": {tail[0][:200]}" if tail else ""))
    try:
        reported = run.parse(m.output)
    except ValueError as e:
        return fail(row, str(e))
    row.setdefault("_runs", []).append({"seconds": m.seconds, "rss_mb": m.rss_mb, "reported": reported})
    return True


def fail(row, error):
    row["status"], row["error"] = "failed", error
    return False


def own_speed(row, reported):
    """What a system says about its training alone: streamvec's tokens_per_sec, gensim's
    training time (no loading/saving)."""
    if reported.get("tokens_per_sec"):
        return reported["tokens_per_sec"]
    if reported.get("train_seconds") and row["tokens"]:
        return row["tokens"] / reported["train_seconds"]
    return None


def kafka_speed(corpus_tokens, measured):
    """The corpus' tokens over the seconds e2e.sh reports; else its own tokens_per_sec scaled to
    the corpus' token count; else the wall clock of the whole script."""
    rep = measured["reported"]
    if rep.get("seconds"):
        return corpus_tokens / float(rep["seconds"])
    if rep.get("tokens_per_sec") and rep.get("tokens"):
        return float(rep["tokens_per_sec"]) * corpus_tokens / float(rep["tokens"])
    return corpus_tokens / measured["seconds"]


def second_half_ratios(reported):
    """e2e.sh's second-half tokens/s of each mode over the raw trainer's, both from the same e2e run."""
    raw = reported.get("raw_second_half_tokens_per_sec")
    if not raw:
        return {}
    return {m: round(reported[m]["second_half_tokens_per_sec"] / raw, 3) for m in ("pipeline", "consume")
            if isinstance(reported.get(m), dict) and reported[m].get("second_half_tokens_per_sec")}


def finish(run, row, similarity, analogy):
    """Medians over repetitions, quality scores of the last repetition's vectors."""
    runs = row.pop("_runs", [])
    if row["status"] != "ok" or not runs:
        row["tokens"] = None  # nothing was trained
        return
    reported = runs[-1]["reported"]
    row["system_tokens"] = reported.get("tokens")  # streamvec's own tokenizer's count
    row["seconds"] = round(statistics.median(r["seconds"] for r in runs), 3)
    if run.name == "streamvec-kafka":
        # e2e.sh times produce -> last token trained itself: broker/app start-up is not in it
        row["tokens_per_s_runs"] = [round(kafka_speed(row["tokens"], r)) for r in runs]
        row["notes"] = "tokens/s over the interval e2e.sh reports (broker and app start-up excluded)"
        half = second_half_ratios(runs[-1]["reported"])
        if half:
            row["second_half_ratio_to_raw"] = half
            row["notes"] += "; after JIT warm-up (second half of the tokens) x raw: " + ", ".join(f"{m} {v:.2f}" for m, v in half.items())
    elif row["tokens"]:
        row["tokens_per_s_runs"] = [round(row["tokens"] / r["seconds"]) for r in runs]
    if row["tokens_per_s_runs"]:
        row["tokens_per_s"] = round(statistics.median(row["tokens_per_s_runs"]))
    own = [own_speed(row, r["reported"]) for r in runs]
    own = [o for o in own if o]
    row["own_tokens_per_s"] = round(statistics.median(own)) if own else None
    if reported.get("rss_mb"):
        row["rss_mb"], row["rss_source"] = round(float(reported["rss_mb"]), 1), "reported"
    else:
        row["rss_mb"], row["rss_source"] = max(r["rss_mb"] for r in runs), "wait4 ru_maxrss"
    row["scores"] = {k: reported[k] for k in SCORE_KEYS if reported.get(k) is not None}
    row["reported"] = reported
    for path in run.cleanup:
        if os.path.exists(path):
            os.remove(path)
    try:
        quality = evaluate.evaluate(run.vectors, similarity, analogy)
    except (OSError, ValueError) as e:  # a broken vector file is that system's failure
        fail(row, f"evaluation failed: {e}")
        return
    row["vocab"] = quality.pop("vocab")
    for key in ("vectors", "dim"):
        quality.pop(key)
    row["scores"].update(quality)
    curve = systems.read_curve(run.curve)
    if curve:
        step = max(1, len(curve) // 200)
        row["curve"] = [{k: p[k] for k in CURVE_KEYS if k in p} for p in curve[::step]]


def add_ratios(rows):
    """tokens/s relative to word2vec (same thread count) and, for the Kafka path, to the raw
    trainer (each as reported by itself: both exclude JVM start-up)."""
    w2v = {r["threads"]: r["tokens_per_s"] for r in rows if r["system"] == "word2vec" and r["tokens_per_s"]}
    raw = {r["threads"]: r["own_tokens_per_s"] for r in rows
           if r["system"] == "streamvec" and r["own_tokens_per_s"]}
    for r in rows:
        if r["tokens_per_s"] and r["threads"] in w2v:
            r["ratio_to_word2vec"] = round(r["tokens_per_s"] / w2v[r["threads"]], 3)
        if r["system"] == "streamvec-kafka" and r["threads"] in raw:
            # both in streamvec's own tokens (sentence ends included): the Kafka row's tokens_per_s
            # counts the peers' tokens (~6% fewer), which understated this ratio by that much
            own = r.get("own_tokens_per_s")
            if not own and r["tokens_per_s"] and r.get("system_tokens") and r.get("tokens"):
                own = r["tokens_per_s"] * r["system_tokens"] / r["tokens"]
            if own:
                r["ratio_to_raw"] = round(own / raw[r["threads"]], 3)


def main(argv):
    args = parse_args(argv)
    root = os.path.abspath(args.repo_root)
    corpus = resolve_corpus(args.corpus, root)
    similarity, analogy = eval_sets(args, root)
    work = os.path.join(BENCH_DIR, "work")
    out_dir, log_dir = os.path.join(work, "out"), os.path.join(work, "logs")
    os.makedirs(out_dir, exist_ok=True)
    os.makedirs(log_dir, exist_ok=True)
    prepared = os.path.join(work, "prepared", f"{os.path.basename(corpus.rstrip(os.sep))}-{args.max_tokens}")
    meta = prepare_corpus.ensure(corpus, prepared, args.max_tokens)
    features = systems.StreamvecFeatures.probe(root) if any(
        s.startswith("streamvec") for s in args.systems) else systems.StreamvecFeatures("", error="not run")
    params = SimpleNamespace(dim=args.dim, window=args.window, negatives=args.negatives,
                             min_count=args.min_count, repo_root=root, out_dir=out_dir,
                             tokens_file=meta["tokens_file"], raw_file=meta["raw"],
                             peer_tokens=meta["tokens"], streamvec=features)
    runs = systems.plan(args.systems, args.thread_counts, params)
    print(f"[bench] corpus {corpus}: {meta['tokens']} tokens, {meta['lines']} lines; "
          f"streamvec --threads: {features.threads}, --curve: {features.curve}; "
          f"load {os.getloadavg()}", file=sys.stderr)
    rows = [new_row(r) for r in runs]
    for run, row in zip(runs, rows):
        if run.missing:
            row["status"], row["error"] = ("n/a" if run.missing.startswith("not available") else "failed"), run.missing
    for _ in range(args.repeat):  # interleaved: every system once, then again
        for run, row in zip(runs, rows):
            if row["status"] == "ok":
                measure_once(run, row, log_dir, args.timeout)
    for run, row in zip(runs, rows):
        finish(run, row, similarity, analogy)
    add_ratios(rows)
    for line in report.table_lines(rows):
        print(line)
    settings = {k: getattr(args, k) for k in ("dim", "window", "negatives", "min_count",
                                                "max_tokens", "repeat", "quick")}
    settings["threads"] = args.thread_counts
    summary = {"corpus": corpus, "peer_tokens": meta["tokens"], "params": settings,
               "similarity_sets": similarity, "analogy_sets": analogy,
               "load_after": [round(x, 2) for x in os.getloadavg()]}
    os.makedirs(args.results, exist_ok=True)
    results = os.path.join(args.results, "latest.json")
    report.write_json(rows, results)
    report.write_json(summary, os.path.join(args.results, "latest-meta.json"))
    curves = {f"{r['system']} ({r['threads']} thr)": r["curve"] for r in rows if r.get("curve")}
    title = (f"{os.path.basename(corpus)}: {meta['tokens']:,} tokens, d={args.dim} window={args.window} "
             f"k={args.negatives} min-count={args.min_count}, one pass")
    why_not = report.plot(rows, curves, os.path.join(args.results, "latest.png"), title)
    if why_not:
        print(f"[bench] {why_not}", file=sys.stderr)
    print(json.dumps(dict(summary, bench=rows, results=results)))
    # Failures are rows of the table, not a crash; only a run where nothing worked exits 1.
    return 0 if any(r["status"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
