"""Drift benchmark: corpus A, then corpus B with a sense swap, streamed through the real app.

  bench/drift.sh [--a FILE] [--b FILE] [--words N] [--pairs P] [--half-life TOKENS]
                 [--set KEY=VALUE]... [--json]

Starts a private broker (as bench/e2e.sh does) and runs the app twice:
  switched: A is produced; once every token of it is trained and the idle snapshot is out, that
            snapshot is exported; then B' (B with P pairs of words swapped into each other's
            contexts) is produced, trained and exported; /v1/drift compares the two snapshots;
  alone:    a fresh app (its own topics and state) trains B' only.
Both follow their metrics topic (one record every 200 ms), so each has a learning curve of the
recent (fading) perplexity over tokens. Reported:
  - recovery: B tokens after the switch until the switched run's recent perplexity stays within
    10% of the B-alone run's at the same number of B tokens, of the level B alone ends at, and of
    the level the switched run itself ends at (perplexities over different vocabularies are not
    strictly comparable: a model that has admitted more words predicts among more of them);
  - drift: where /v1/drift (the app's own ranking, its top 100) puts the swapped words; and, over
    every word both exported snapshots hold, the rank percentile of the swapped words and of the
    stable controls (B's most frequent words, which A has too) under the same score;
  - a plot of both curves with the switch marked (--plot, default bench/results/drift.png).
Standard library only, plus matplotlib for the plot when it is installed.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import drift_lib
import e2e

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "data", "corpus")


def log(msg):
    print(f"[drift] {msg}", file=sys.stderr, flush=True)


def read_lines(path, max_words, skip_words=0):
    """Non-empty lines of path from the first line after skip_words words, until max_words words."""
    opener = gzip.open if path.endswith(".gz") else open
    out, words, skipped = [], 0, 0
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            if skipped < skip_words:
                skipped += len(line.split())
                continue
            out.append(line)
            words += len(line.split())
            if words >= max_words:
                break
    return out


class DriftRun(e2e.Run):
    def __init__(self, args):
        args.jfr, args.app_jvm, args.input = None, "", None
        for f in e2e.MODEL_FLAGS:
            setattr(args, f.replace("-", "_"), None)
        super().__init__(args)
        self.ports = {}

    def start_app(self, mode):
        port = self.ports.setdefault(mode, e2e.free_port())
        env = dict(self.env)
        cmd = [self.launcher, "app"] + self.client_args(mode) + self.model_args() + [
            "--set", f"state.dir={os.path.join(self.home, 'state-' + mode)}", "--set", f"http.port={port}",
            "--set", "metrics.interval.ms=200", "--set", "idle.snapshot.ms=1000",
            "--set", f"metrics.half-life.tokens={self.args.half_life}"]
        app_log = open(os.path.join(self.home, f"app-{mode}.log"), "w")
        p = self.spawn(cmd, env=env, stdout=app_log, stderr=subprocess.STDOUT)
        self.wait_log(app_log.name, "-> RUNNING", p, 180)
        return p

    def get(self, mode, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ports[mode]}{path}", timeout=30) as r:
            return json.loads(r.read().decode())

    def expected_tokens(self, path):
        self.args.input = path
        return self.app_count()["tokens"]

    def produce_file(self, mode, path):
        cmd = [self.launcher, "produce", "--no-progress"] + self.client_args(mode) + [path]
        if self.spawn(cmd, stdout=subprocess.DEVNULL).wait() != 0:
            raise RuntimeError(f"produce {path} failed")

    def snapshot_at(self, mode, tokens, timeout=120):
        """The retained snapshot holding exactly `tokens` tokens (the idle snapshot after the input)."""
        end = time.time() + timeout
        while time.time() < end:
            try:
                retained = self.get(mode, "/v1/snapshots")["snapshots"]
            except urllib.error.HTTPError as e:
                if e.code != 503:  # 503: no snapshot published yet
                    raise
                retained = []
            for s in retained:
                if s["tokens"] == tokens:
                    return s["version"]
            time.sleep(0.5)
        raise RuntimeError(f"{mode}: no snapshot with {tokens} tokens after {timeout} s")

    def export_json(self, mode, name):
        out = os.path.join(self.home, name)
        subprocess.run([self.launcher, "snapshot", "export", "--format", "json", "--output", out] + self.client_args(mode),
                       env=self.env, stdout=subprocess.DEVNULL, check=True)
        with open(out) as f:
            return json.load(f)

    def follow(self, mode, expected):
        """Starts following the metrics topic until `expected` tokens; returns (thread, result list)."""
        result = []
        app = self.apps[mode]
        t = threading.Thread(target=lambda: result.append(self.watch_metrics(mode, expected, app, self.args.timeout)),
                             daemon=True)
        t.start()
        return t, result

    def curve(self, mode):
        points = []
        with open(os.path.join(self.home, f"metrics-{mode}.jsonl")) as f:
            for line in f:
                try:
                    m = json.loads(line)
                except ValueError:
                    continue
                if m.get("recent_perplexity") is not None:
                    points.append((m["tokens"], m["recent_perplexity"]))
        return points


def vectors_and_counts(snapshot_json, words):
    """word -> vector and word -> count for `words` from a `snapshot export --format json` document."""
    vecs, counts = {}, {}
    for i, w in enumerate(snapshot_json["words"]):
        if w in words:
            vecs[w] = snapshot_json["vectors"][i]
            counts[w] = snapshot_json["counts"][i]
    return vecs, counts


def plot(path, switched, alone, offset, recovered):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib missing: no plot")
        return None
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot([t / 1e3 for t, _ in switched], [v for _, v in switched], label="A then B' (switched)")
    ax.plot([(t + offset) / 1e3 for t, _ in alone], [v for _, v in alone], label="B' alone (shifted to the switch)")
    ax.axvline(offset / 1e3, color="grey", linestyle="--", label="switch A -> B'")
    if recovered is not None:
        ax.axvline((offset + recovered) / 1e3, color="green", linestyle=":", label="recovered (within 10%)")
    ax.set_xlabel("tokens (thousands)")
    ax.set_ylabel("recent perplexity")
    ax.set_yscale("log")
    ax.legend()
    fig.tight_layout()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fig.savefig(path, dpi=100)
    return path


def run(args):
    a_lines = read_lines(args.a, args.words)
    # one corpus for both phases: B continues A (no topic switch; only the swap changes meanings)
    b_lines = read_lines(args.b, args.words, args.words if os.path.samefile(args.a, args.b) else 0)
    counts_a, counts_b = drift_lib.word_counts(a_lines), drift_lib.word_counts(b_lines)
    pairs = drift_lib.choose_pairs(counts_a, counts_b, args.pairs)
    swapped = {w for p in pairs for w in p}
    stable = drift_lib.stable_words(counts_a, counts_b, args.stable, swapped)
    log(f"swapped pairs {pairs}; stable controls {stable}")
    r = DriftRun(args)
    r.apps = {}
    try:
        a_path, b_path = os.path.join(r.home, "a.txt"), os.path.join(r.home, "b-swapped.txt")
        with open(a_path, "w") as f:
            f.write("\n".join(a_lines) + "\n")
        with open(b_path, "w") as f:
            f.write("\n".join(drift_lib.swap_words(line, pairs) for line in b_lines) + "\n")
        r.build()
        tokens_a, tokens_b = r.expected_tokens(a_path), r.expected_tokens(b_path)
        log(f"A: {tokens_a:,} tokens, B': {tokens_b:,} tokens")
        r.start_broker()

        r.apps["switched"] = r.start_app("switched")
        watcher, done = r.follow("switched", tokens_a + tokens_b)
        r.produce_file("switched", a_path)
        v_a = r.snapshot_at("switched", tokens_a)
        snap_a = r.export_json("switched", "a.json")
        log(f"after A: snapshot version {v_a}")
        r.produce_file("switched", b_path)
        watcher.join(args.timeout)
        if not done:
            raise RuntimeError("the switched run did not train every token")
        v_b = r.snapshot_at("switched", tokens_a + tokens_b)
        snap_b = r.export_json("switched", "b.json")
        app_drift = r.get("switched", f"/v1/drift?from={v_a}&to={v_b}&k=100&neighbours=3")
        r.end(r.apps["switched"])

        r.apps["alone"] = r.start_app("alone")
        watcher, done = r.follow("alone", tokens_b)
        r.produce_file("alone", b_path)
        watcher.join(args.timeout)
        if not done:
            raise RuntimeError("the B-alone run did not train every token")
        switched_curve, alone_curve = r.curve("switched"), r.curve("alone")
    finally:
        r.stop()

    damping = app_drift.get("damping_count", 20)
    common = set(snap_a["words"]) & set(snap_b["words"])
    va, ca = vectors_and_counts(snap_a, common)
    vb, cb = vectors_and_counts(snap_b, common)
    scores = drift_lib.drift_scores(va, ca, vb, cb, damping)
    rank = drift_lib.ranks(scores)
    total = len(rank)
    app_rank = {m["word"]: i + 1 for i, m in enumerate(app_drift["movers"])}
    swapped_rows = [{"word": w, "app_rank": app_rank.get(w), "rank": rank.get(w),
                     "percentile": round(drift_lib.percentile(rank[w], total), 2) if w in rank else None}
                    for w in sorted(swapped)]
    stable_rows = [{"word": w, "app_rank": app_rank.get(w), "rank": rank.get(w),
                    "percentile": round(drift_lib.percentile(rank[w], total), 2) if w in rank else None}
                   for w in stable]
    final_alone = alone_curve[-1][1] if alone_curve else None
    matched = drift_lib.recovery_tokens(switched_curve, alone_curve, tokens_a)
    to_final = drift_lib.recovery_tokens(switched_curve, [(0, final_alone)], tokens_a) if final_alone else None
    own_end = switched_curve[-1][1] if switched_curve else None
    to_own = drift_lib.recovery_tokens(switched_curve, [(0, own_end)], tokens_a) if own_end else None
    before_switch = drift_lib.value_at(switched_curve, tokens_a)
    png = plot(args.plot, switched_curve, alone_curve, tokens_a, matched)
    return {
        "system": "streamvec-drift", "a": os.path.basename(args.a), "b": os.path.basename(args.b),
        "tokens_a": tokens_a, "tokens_b": tokens_b, "half_life_tokens": args.half_life, "settings": args.set,
        "pairs": pairs,
        "recent_perplexity_end_of_a": before_switch, "recent_perplexity_end_switched": switched_curve[-1][1],
        "recent_perplexity_end_alone": final_alone, "recovery_tokens_matched": matched,
        "recovery_tokens_to_alone_end_level": to_final, "recovery_tokens_to_own_end_level": to_own, "words_ranked": total, "damping_count": damping,
        "swapped": swapped_rows, "stable": stable_rows,
        "swapped_in_app_top": sum(1 for s in swapped_rows if s["app_rank"] is not None and s["app_rank"] <= 2 * len(pairs)),
        "stable_median_percentile": median([s["percentile"] for s in stable_rows if s["percentile"] is not None]),
        "plot": png, "load_avg": list(os.getloadavg()),
        "curves": {"switched": switched_curve, "alone": alone_curve},
    }


def median(xs):
    xs = sorted(xs)
    if not xs:
        return None
    m = len(xs) // 2
    return xs[m] if len(xs) % 2 else (xs[m - 1] + xs[m]) / 2


def table(out):
    lines = [f"A = {out['a']} ({out['tokens_a']:,} tokens), then B' = {out['b']}{' (continued)' if out['a'] == out['b'] else ''} with {len(out['pairs'])} swapped pairs "
             f"({out['tokens_b']:,} tokens); recent perplexity half-life {out['half_life_tokens']:,} tokens; "
             f"settings: {' '.join(out['settings']) or 'defaults'}",
             f"recent perplexity: end of A {fmt(out['recent_perplexity_end_of_a'])}, end of A->B' "
             f"{fmt(out['recent_perplexity_end_switched'])}, end of B' alone {fmt(out['recent_perplexity_end_alone'])}",
             f"recovery (within 10% of B' alone at the same B tokens): {fmt(out['recovery_tokens_matched'])} tokens; "
             f"(of B' alone's final level): {fmt(out['recovery_tokens_to_alone_end_level'])}; "
             f"(of its own final level): {fmt(out['recovery_tokens_to_own_end_level'])}",
             f"{'word':<12} {'kind':<8} {'/v1/drift rank':>14} {'rank of ' + str(out['words_ranked']):>14} {'percentile':>10}"]
    for kind, rows in (("swapped", out["swapped"]), ("stable", out["stable"])):
        for s in rows:
            lines.append(f"{s['word']:<12} {kind:<8} {fmt(s['app_rank']):>14} {fmt(s['rank']):>14} {fmt(s['percentile']):>10}")
    return "\n".join(lines)


def fmt(x):
    if x is None:
        return "-"
    return f"{x:,.1f}" if isinstance(x, float) else f"{x:,}"


def parse(argv):
    p = argparse.ArgumentParser(prog="bench/drift.sh", description=__doc__.split("\n")[0])
    p.add_argument("--repo-root", default=os.path.dirname(HERE), help=argparse.SUPPRESS)
    p.add_argument("--a", default=os.path.join(SHARED, "kjv.txt.gz"), help="corpus A (plain or gzip)")
    p.add_argument("--b", default=os.path.join(SHARED, "austen.txt.gz"),
                   help="corpus B (plain or gzip); the same file as --a: B is the next --words words after A")
    p.add_argument("--words", type=int, default=600_000, help="whitespace words taken from each corpus")
    p.add_argument("--pairs", type=int, default=3, help="pairs of B words swapped into each other's contexts")
    p.add_argument("--stable", type=int, default=20, help="stable controls: B's most frequent words that A has")
    p.add_argument("--half-life", type=int, default=50_000, help="metrics.half-life.tokens of both runs")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="more app/model keys")
    p.add_argument("--timeout", type=float, default=1200)
    p.add_argument("--plot", default=os.path.join(HERE, "results", "drift.png"))
    p.add_argument("--keep", action="store_true", help="keep the private STREAMVEC_HOME")
    p.add_argument("--json", action="store_true", help="also print one JSON line (without the curves)")
    p.add_argument("--curves", help="write the full result with both curves to this JSON file")
    return p.parse_args(argv)


def main(argv):
    args = parse(argv)
    for f in (args.a, args.b):
        if not os.path.exists(f):
            sys.exit(f"drift: corpus {f} not found; give --a and --b (plain text or .gz, one record per line)")
    out = run(args)
    print(table(out))
    if args.curves:
        with open(args.curves, "w") as f:
            json.dump(out, f)
    if args.json:
        print(json.dumps({k: v for k, v in out.items() if k != "curves"}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
