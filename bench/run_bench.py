#!/usr/bin/python3
"""Side-by-side benchmark: streamvec vs word2vec C, fastText and gensim, one pass each, same
dim/window/negatives/min-count and thread count, on the same corpus, in one run.

For each system: wall time around its process (vocabulary building, training and writing the
vectors included), words/s = tokens / wall seconds (peers: whitespace tokens of tokens.txt;
streamvec: the token count it reports), then WordSim-353 and MEN Spearman rho of its vectors.
Prints a table and, last, one JSON line with every row. Called by bench/run.sh.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from types import SimpleNamespace

import eval_similarity
import prepare_corpus
import systems

DEFAULT_SYSTEMS = "word2vec,word2vec-nosample,fasttext,gensim,streamvec,streamvec-cbow"
EVAL_SETS = ("EN-WS-353-ALL.txt", "EN-MEN-TR-3k.txt")


def resolve(path, repo_root):
    """A relative path is taken from the current directory, else from the repo root."""
    if os.path.isabs(path) or os.path.exists(path):
        return os.path.abspath(path)
    return os.path.abspath(os.path.join(repo_root, path))


def default_path(repo_root, sub, flag):
    path = os.path.abspath(os.path.join(repo_root, "..", "shared", "data", sub))
    if not os.path.exists(path):
        sys.exit(f"bench: no default {sub} at {path}; pass {flag} DIR")
    return path


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="streamvec bench", description=__doc__.splitlines()[0])
    ap.add_argument("--repo-root", required=True, help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help="directory of *.txt.gz / *.txt, or one file")
    ap.add_argument("--eval", help="directory holding EN-WS-353-ALL.txt and EN-MEN-TR-3k.txt")
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--negatives", type=int, default=5)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--only", default=DEFAULT_SYSTEMS, help=f"comma list from {DEFAULT_SYSTEMS}")
    ap.add_argument("--max-tokens", type=int, default=0, help="use only the first N tokens")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds allowed per system")
    args = ap.parse_args(argv)
    for name in ("dim", "window", "negatives", "min_count", "threads"):
        if getattr(args, name) < 1:
            ap.error(f"--{name.replace('_', '-')} must be >= 1")
    return args


def run_one(run, eval_paths, log_dir, timeout):
    row = {"system": run.name, "threads": run.threads, "tokens": run.tokens, "seconds": None,
           "words_per_sec": None, "ok": False, "error": None, "load1_before": os.getloadavg()[0],
           "command": " ".join(run.cmd)}
    if run.missing:
        row["error"] = run.missing
        return row
    log_path = os.path.join(log_dir, run.name + ".log")
    print(f"[bench] {run.name}: running (log {log_path})", file=sys.stderr, flush=True)
    start = time.perf_counter()
    try:
        proc = subprocess.run(run.cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=timeout, text=True, errors="replace")
        output, rc = proc.stdout, proc.returncode
    except subprocess.TimeoutExpired as e:
        partial = e.stdout or ""
        output = partial.decode("utf-8", "replace") if isinstance(partial, bytes) else partial
        rc = f"timeout after {timeout}s"
    except OSError as e:
        output, rc = "", f"could not start: {e}"
    seconds = time.perf_counter() - start
    with open(log_path, "w", encoding="utf-8") as log:
        log.write(output)
    row["seconds"] = round(seconds, 3)
    if rc != 0:
        tail = [l for l in output.replace("\r", "\n").splitlines() if l.strip()][-1:]
        row["error"] = f"exit {rc}" + (f": {tail[0][:200]}" if tail else "")
        return row
    try:
        extra = run.parse(output)
    except ValueError as e:
        row["error"] = str(e)
        return row
    if extra:
        row["reported"] = extra
        if run.tokens is None:
            row["tokens"] = extra.get("tokens")
    if row["tokens"]:
        row["words_per_sec"] = round(row["tokens"] / seconds)
    for path in run.cleanup:
        if os.path.exists(path):
            os.remove(path)
    try:
        quality = eval_similarity.evaluate(run.vectors, eval_paths)
    except Exception as e:  # a broken vector file is that system's failure, not the bench's
        row["error"] = f"evaluation failed: {e}"
        return row
    row.update(ok=True, vocab=quality["vocab"], ws353=quality.get("ws353"), men=quality.get("men"))
    return row


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def print_table(rows):
    head = (f"{'system':<18} {'thr':>3} {'tokens':>9} {'seconds':>8} {'words/s':>9} "
            f"{'own w/s':>9} {'vocab':>7} {'WS353':>6} {'oov':>4} {'MEN':>6} {'oov':>4} {'load':>5}")
    print(head)
    print("-" * len(head))
    for r in rows:
        ws, men, rep = r.get("ws353") or {}, r.get("men") or {}, r.get("reported") or {}
        own = rep.get("tokens_per_sec")
        if own is None and rep.get("train_seconds") and r["tokens"]:
            own = r["tokens"] / rep["train_seconds"]  # gensim: training only, no load/save
        print(f"{r['system']:<18} {r['threads']:>3} {fmt(r['tokens'], 'd'):>9} "
              f"{fmt(r['seconds'], '.2f'):>8} {fmt(r['words_per_sec'], ',d'):>9} "
              f"{fmt(own and round(own), ',d'):>9} {fmt(r.get('vocab'), 'd'):>7} "
              f"{fmt(ws.get('rho'), '.3f'):>6} {fmt(ws.get('oov'), 'd'):>4} "
              f"{fmt(men.get('rho'), '.3f'):>6} {fmt(men.get('oov'), 'd'):>4} "
              f"{r['load1_before']:>5.2f}")
        if r["error"]:
            print(f"{'':<18}   FAILED: {r['error']}")


def main(argv):
    args = parse_args(argv)
    root = os.path.abspath(args.repo_root)
    corpus = resolve(args.corpus, root) if args.corpus else default_path(root, "corpus", "--corpus")
    eval_dir = resolve(args.eval, root) if args.eval else default_path(root, "eval", "--eval")
    eval_paths = [os.path.join(eval_dir, n) for n in EVAL_SETS if os.path.exists(os.path.join(eval_dir, n))]
    if not eval_paths:
        sys.exit(f"bench: none of {', '.join(EVAL_SETS)} in {eval_dir}; pass --eval DIR")
    work = os.path.join(systems.BENCH_DIR, "work")
    out_dir, log_dir = os.path.join(work, "out"), os.path.join(work, "logs")
    os.makedirs(out_dir, exist_ok=True)
    os.makedirs(log_dir, exist_ok=True)
    meta = prepare_corpus.ensure(corpus, os.path.join(work, "corpus"), args.max_tokens)
    params = SimpleNamespace(dim=args.dim, window=args.window, negatives=args.negatives,
                             min_count=args.min_count, threads=args.threads, repo_root=root,
                             out_dir=out_dir, tokens_file=meta["tokens_file"], raw_file=meta["raw"],
                             peer_tokens=meta["tokens"])
    runs = systems.plan([n.strip() for n in args.only.split(",") if n.strip()], params)
    print(f"[bench] corpus {corpus}: {meta['tokens']} tokens, {meta['lines']} lines; "
          f"load {os.getloadavg()}", file=sys.stderr)
    rows = [run_one(r, eval_paths, log_dir, args.timeout) for r in runs]
    print_table(rows)
    summary = {"bench": rows, "corpus": corpus, "peer_tokens": meta["tokens"],
               "params": {k: getattr(args, k) for k in ("dim", "window", "negatives", "min_count",
                                                        "threads", "max_tokens")},
               "load_after": os.getloadavg()}
    print(json.dumps(summary))
    # Failures are rows of the table, not a crash; only a run where nothing worked exits 1.
    return 0 if any(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
