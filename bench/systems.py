"""The systems the benchmark runs: how each is invoked on the prepared corpus.

Each entry builds a command from the shared hyper-parameters (dim, window, negatives, min-count,
threads; always one pass) and says where the word2vec-text vectors land. Peers read the
normalised tokens.txt; streamvec reads raw.txt and tokenizes itself.
"""
import json
import os
import shutil
import sys

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
WORD2VEC_BIN = os.path.join(BENCH_DIR, "work", "package", "src", "word2vec")


class Run:
    """One planned run: a command, its vector output, and how to read its stdout afterwards."""

    def __init__(self, name, cmd, vectors, threads, tokens, input_path, parse=None, cleanup=()):
        self.name, self.cmd, self.vectors, self.threads = name, cmd, vectors, threads
        self.tokens, self.input_path = tokens, input_path
        self.parse = parse or (lambda stdout: {})
        self.cleanup = cleanup
        self.missing = None  # set to a reason when the program itself is not there


def word2vec(p, sample, name):
    out = os.path.join(p.out_dir, name + ".vec")
    cmd = [WORD2VEC_BIN, "-train", p.tokens_file, "-output", out, "-cbow", "1",
           "-size", str(p.dim), "-window", str(p.window), "-negative", str(p.negatives),
           "-hs", "0", "-sample", sample, "-iter", "1", "-threads", str(p.threads),
           "-min-count", str(p.min_count), "-binary", "0"]
    run = Run(name, cmd, out, p.threads, p.peer_tokens, p.tokens_file)
    if not os.access(WORD2VEC_BIN, os.X_OK):
        run.missing = "word2vec not built: run bench/peers.sh"
    return run


def fasttext(p):
    prefix = os.path.join(p.out_dir, "fasttext")
    cmd = ["fasttext", "cbow", "-input", p.tokens_file, "-output", prefix,
           "-dim", str(p.dim), "-ws", str(p.window), "-neg", str(p.negatives),
           "-minCount", str(p.min_count), "-minn", "0", "-maxn", "0", "-epoch", "1",
           "-thread", str(p.threads)]
    run = Run("fasttext", cmd, prefix + ".vec", p.threads, p.peer_tokens, p.tokens_file,
              cleanup=(prefix + ".bin",))
    if shutil.which("fasttext") is None:
        run.missing = "fasttext not installed: run bench/peers.sh"
    return run


def gensim(p):
    out = os.path.join(p.out_dir, "gensim.vec")
    cmd = ["/usr/bin/python3", os.path.join(BENCH_DIR, "gensim_train.py"),
           "--input", p.tokens_file, "--output", out, "--dim", str(p.dim),
           "--window", str(p.window), "--negatives", str(p.negatives),
           "--min-count", str(p.min_count), "--threads", str(p.threads)]
    run = Run("gensim", cmd, out, p.threads, p.peer_tokens, p.tokens_file,
              parse=lambda stdout: last_json(stdout) or {})
    return run


def streamvec(p, name="streamvec", extra=()):
    """The project's own trainer through its launcher; single-threaded by design.
    Default: next-word model (log-bilinear, the previous `window` words). streamvec-cbow: the
    both-sides option (window words on each side, like word2vec CBOW), constant SGD rate."""
    out = os.path.join(p.out_dir, name + ".vec")
    launcher = os.path.join(p.repo_root, "streamvec")
    cmd = [launcher, "train", "--input", p.raw_file, "--dim", str(p.dim),
           "--context", str(p.window), "--negatives", str(p.negatives),
           "--min-count", str(p.min_count), "--output", out, "--json", *extra]
    run = Run(name, cmd, out, 1, None, p.raw_file, parse=parse_streamvec)
    if not (os.path.isfile(launcher) and os.access(launcher, os.X_OK)):
        run.missing = f"launcher {launcher} missing or not executable"
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
        raise ValueError("streamvec printed no JSON summary line with \"tokens\"")
    return summary


FACTORIES = {
    "word2vec": lambda p: word2vec(p, "1e-3", "word2vec"),
    "word2vec-nosample": lambda p: word2vec(p, "0", "word2vec-nosample"),
    "fasttext": fasttext,
    "gensim": gensim,
    "streamvec": streamvec,
    "streamvec-cbow": lambda p: streamvec(p, "streamvec-cbow", ("--encoder", "cbow", "--optimizer", "sgd", "--lr", "0.025")),
}


def plan(names, params):
    unknown = [n for n in names if n not in FACTORIES]
    if unknown:
        sys.exit(f"bench: unknown system(s) {', '.join(unknown)}; known: {', '.join(FACTORIES)}")
    return [FACTORIES[n](params) for n in names]
