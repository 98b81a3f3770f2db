"""The systems the benchmark runs: how each is invoked on the prepared corpus.

Each entry builds a command from the shared hyper-parameters (dim, window, negatives, min-count,
threads; always one pass) and says where the word2vec-text vectors land. Peers read the
normalised tokens.txt; streamvec reads raw.txt and tokenizes itself.
"""
import json
import os
import shutil
import subprocess
import sys

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
WORD2VEC_BIN = os.path.join(BENCH_DIR, "work", "package", "src", "word2vec")
E2E_SCRIPT = os.path.join(BENCH_DIR, "e2e.sh")

# Every system, in the order the table shows them; QUICK_SYSTEMS is what --quick runs.
ALL_SYSTEMS = ("word2vec", "word2vec-nosample", "fasttext", "gensim",
               "streamvec", "streamvec-embed", "streamvec-lm", "streamvec-cbow", "streamvec-kafka")
QUICK_SYSTEMS = ("word2vec", "fasttext", "gensim", "streamvec", "streamvec-lm", "streamvec-kafka")
# Systems that run once, at the smallest thread count: the end-to-end app has one stream thread;
# streamvec-lm is the default model again with the n-gram baseline beside it (a language-model
# reference, not a speed row: the baseline costs about 30% more CPU).
SINGLE_THREAD_SYSTEMS = ("streamvec-kafka", "streamvec-lm")


class Run:
    """One planned run: a command, its vector output, and how to read its stdout afterwards."""

    def __init__(self, name, cmd, vectors, threads, tokens, parse=None, cleanup=(), curve=None):
        self.name, self.cmd, self.vectors, self.threads = name, cmd, vectors, threads
        self.tokens = tokens            # the corpus' tokens (tokens.txt): the same work for all
        self.parse = parse or (lambda stdout: {})
        self.cleanup = cleanup
        self.curve = curve              # streamvec's --curve file (JSON lines), when supported
        self.missing = None             # set to a reason when the run cannot happen here

    @property
    def label(self):
        return f"{self.name}/t{self.threads}"


class StreamvecFeatures:
    """What this checkout's `./streamvec train` supports, read from its --help (which also
    builds stale modules, so that no Maven build lands inside a timed run)."""

    def __init__(self, launcher, help_text=None, error=None):
        self.launcher, self.error = launcher, error
        text = help_text or ""
        self.threads = "--threads" in text
        self.curve = "--curve" in text
        self.baseline = "--baseline" in text

    @classmethod
    def probe(cls, repo_root, timeout=900):
        launcher = os.path.join(repo_root, "streamvec")
        if not (os.path.isfile(launcher) and os.access(launcher, os.X_OK)):
            return cls(launcher, error=f"launcher {launcher} missing or not executable")
        try:
            proc = subprocess.run([launcher, "train", "--help"], capture_output=True, text=True,
                                  timeout=timeout, stdin=subprocess.DEVNULL, errors="replace")
        except (OSError, subprocess.TimeoutExpired) as e:
            return cls(launcher, error=f"./streamvec train --help failed: {e}")
        text = proc.stdout + proc.stderr
        if "usage" not in text.lower():
            return cls(launcher, error=f"./streamvec train --help printed no usage (exit {proc.returncode})")
        return cls(launcher, text)


def word2vec(p, threads, sample, name):
    out = os.path.join(p.out_dir, f"{name}-t{threads}.vec")
    cmd = [WORD2VEC_BIN, "-train", p.tokens_file, "-output", out, "-cbow", "1",
           "-size", str(p.dim), "-window", str(p.window), "-negative", str(p.negatives),
           "-hs", "0", "-sample", sample, "-iter", "1", "-threads", str(threads),
           "-min-count", str(p.min_count), "-binary", "0"]
    run = Run(name, cmd, out, threads, p.peer_tokens)
    if not os.access(WORD2VEC_BIN, os.X_OK):
        run.missing = "word2vec not built: run bench/peers.sh"
    return run


def fasttext(p, threads):
    prefix = os.path.join(p.out_dir, f"fasttext-t{threads}")
    cmd = ["fasttext", "cbow", "-input", p.tokens_file, "-output", prefix,
           "-dim", str(p.dim), "-ws", str(p.window), "-neg", str(p.negatives),
           "-minCount", str(p.min_count), "-minn", "0", "-maxn", "0", "-epoch", "1",
           "-thread", str(threads)]
    run = Run("fasttext", cmd, prefix + ".vec", threads, p.peer_tokens, cleanup=(prefix + ".bin",))
    if shutil.which("fasttext") is None:
        run.missing = "fasttext not installed: run bench/peers.sh"
    return run


def gensim(p, threads):
    out = os.path.join(p.out_dir, f"gensim-t{threads}.vec")
    cmd = ["/usr/bin/python3", os.path.join(BENCH_DIR, "gensim_train.py"),
           "--input", p.tokens_file, "--output", out, "--dim", str(p.dim),
           "--window", str(p.window), "--negatives", str(p.negatives),
           "--min-count", str(p.min_count), "--threads", str(threads)]
    return Run("gensim", cmd, out, threads, p.peer_tokens, parse=lambda stdout: last_json(stdout) or {})


def streamvec(p, threads, name="streamvec", extra=()):
    """The project's own trainer through its launcher. Default: next-word model (log-bilinear,
    the previous `window` words). streamvec-cbow: window words on each side, like word2vec CBOW,
    constant SGD rate. --threads is passed only when this checkout's trainer has it."""
    features = p.streamvec
    out = os.path.join(p.out_dir, f"{name}-t{threads}.vec")
    curve = os.path.join(p.out_dir, f"{name}-t{threads}.curve.jsonl") if features.curve else None
    cmd = [features.launcher, "train", "--input", p.raw_file, "--dim", str(p.dim),
           "--context", str(p.window), "--negatives", str(p.negatives),
           "--min-count", str(p.min_count), "--output", out, "--json", "--quiet", *extra]
    if features.threads:
        cmd += ["--threads", str(threads)]
    if curve:
        cmd += ["--curve", curve]
    run = Run(name, cmd, out, threads, p.peer_tokens, parse=parse_streamvec, curve=curve)
    if features.error:
        run.missing = features.error
    elif threads > 1 and not features.threads:
        run.missing = "not available: `./streamvec train --help` has no --threads option"
    return run


# 50x the default: ~50x more scored tokens (~55k on mixed), so the served/KN interval is about
# +-1.3% (not a speed row: scoring costs V*d multiply-adds a token)
LM_EVAL_BUDGET = "20000"


def streamvec_lm(p, threads):
    """The default model with the prequential n-gram baseline scored on the same tokens, and the
    served mixture (model + bounded n-gram) on them too; scores 50x more tokens than the default."""
    run = streamvec(p, threads, "streamvec-lm",
                    ("--baseline", "ngram", "--eval-budget", LM_EVAL_BUDGET))
    if not run.missing and not p.streamvec.baseline:
        run.missing = "not available: `./streamvec train --help` has no --baseline option"
    return run


def streamvec_kafka(p, threads):
    """End to end through a real local broker: bench/e2e.sh starts its own broker and app,
    produces raw.txt, waits until every token is trained, reads the final snapshot."""
    out = os.path.join(p.out_dir, f"streamvec-kafka-t{threads}.vec")
    cmd = [E2E_SCRIPT, "--input", p.raw_file, "--output", out, "--dim", str(p.dim),
           "--context", str(p.window), "--negatives", str(p.negatives),
           "--min-count", str(p.min_count), "--raw", "--json"]   # --raw: the raw trainer's second-half rate, same run
    run = Run("streamvec-kafka", cmd, out, threads, p.peer_tokens, parse=parse_streamvec)
    if not os.access(E2E_SCRIPT, os.X_OK):
        run.missing = f"{os.path.relpath(E2E_SCRIPT, p.repo_root)} missing or not executable"
    return run


def last_json(stdout):
    """The last stdout line that is a JSON object, or None."""
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                return value
    return None


def parse_streamvec(stdout):
    summary = last_json(stdout)
    if summary is None or "tokens" not in summary:
        raise ValueError("printed no JSON summary line with \"tokens\"")
    return summary


def read_curve(path):
    """streamvec's --curve file: one JSON object per line; a torn or foreign line is skipped."""
    points = []
    if not path or not os.path.exists(path):
        return points
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                point = json.loads(line)
            except ValueError:
                continue
            if isinstance(point, dict) and "tokens" in point:
                points.append(point)
    return points


FACTORIES = {
    "word2vec": lambda p, t: word2vec(p, t, "1e-3", "word2vec"),
    "word2vec-nosample": lambda p, t: word2vec(p, t, "0", "word2vec-nosample"),
    "fasttext": fasttext,
    "gensim": gensim,
    "streamvec": streamvec,
    # the default model without the served next-word n-gram mixture (--mixture-order 0): the same
    # vectors bit for bit, so it is what the default model's embeddings alone cost
    "streamvec-embed": lambda p, t: streamvec(p, t, "streamvec-embed", ("--mixture-order", "0")),
    "streamvec-cbow": lambda p, t: streamvec(p, t, "streamvec-cbow",
                                             ("--encoder", "cbow", "--optimizer", "sgd", "--lr", "0.025")),
    "streamvec-lm": lambda p, t: streamvec_lm(p, t),
    "streamvec-kafka": streamvec_kafka,
}


def plan(names, thread_counts, params):
    """Runs in table order: each system at each thread count, SINGLE_THREAD_SYSTEMS once at the
    smallest."""
    unknown = [n for n in names if n not in FACTORIES]
    if unknown:
        sys.exit(f"bench: unknown system(s) {', '.join(unknown)}; known: {', '.join(FACTORIES)}")
    return [FACTORIES[n](params, t) for n in names
            for t in (thread_counts[:1] if n in SINGLE_THREAD_SYSTEMS else thread_counts)]
