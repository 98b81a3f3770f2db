"""Big-model end-to-end benchmark (issue 16): bench/e2e_big.sh. Standard library + numpy.

A Zipf(1) text over many word types is put on the input topic of a private broker first; the app
(./streamvec app, d and vocab-size as given) then trains on it, is killed with SIGKILL once it has
trained --kill-at tokens, is restarted on the same state directory and trains to the end. Measured
from the app's own metrics records (every 100 ms, kept in --timeline) and /proc:
  - tokens/s of each lifetime and overall; RSS every 2 s;
  - every checkpoint: record, bytes written to the state stores (checkpoint_bytes), seconds from
    taking it to its last slice, and the whole model's row bytes at that point;
  - every snapshot: version, bytes sent (snapshot_bytes), seconds from taking it to its last slice,
    transactions it took (snapshot_slices);
  - the restore after SIGKILL: kill -> new process -> RUNNING -> first metrics record of the new
    lifetime (its stores restored, its replay log learned), and how many records it replayed;
  - at the end, the bytes each topic holds on the broker's disk.
One JSON line on stdout; the timeline (metrics records, RSS samples, events) into --timeline.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402  (the private broker, the app and the producer: one implementation)

log = e2e.log


def word(rank):
    """A distinct lowercase word per rank (base-26 letters: short for frequent ranks)."""
    out = []
    x = rank
    while True:
        out.append(chr(97 + x % 26))
        x //= 26
        if x == 0:
            return "".join(out)


def zipf_corpus(path, tokens, types, line_words, seed):
    """tokens words drawn from p(rank) ~ 1/rank over `types` ranks, line_words to a line."""
    import numpy as np

    if os.path.exists(path):
        return path
    log(f"writing {tokens:,} Zipf(1) tokens over {types:,} types to {path}")
    rng = np.random.default_rng(seed)
    cumulative = np.cumsum(1.0 / np.arange(1, types + 1))
    cumulative /= cumulative[-1]
    words = {}
    tmp = path + ".part"
    with open(tmp, "w") as f:
        left = tokens
        while left > 0:
            n = min(left, 1_000_000)
            ranks = np.searchsorted(cumulative, rng.random(n))
            lines = []
            for start in range(0, n, line_words):
                line = []
                for r in ranks[start:start + line_words].tolist():
                    w = words.get(r)
                    if w is None:
                        w = words[r] = word(r)
                    line.append(w)
                lines.append(" ".join(line))
            f.write("\n".join(lines) + "\n")
            left -= n
    os.replace(tmp, path)
    return path


class Timeline:
    """Metrics records (kcat follows the topic) and RSS samples of the current app process."""

    def __init__(self, run, mode, path):
        self.run, self.mode = run, mode
        self.records, self.rss, self.events = [], [], []
        self.lock = threading.Lock()
        self.out = open(path, "w")
        self.pid = None
        self.stopped = False
        self.kcat = None
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._sample, daemon=True).start()

    def _write(self, kind, obj):
        with self.lock:
            self.out.write(json.dumps(dict(obj, kind=kind)) + "\n")
            self.out.flush()

    def _read(self):
        """Follows the metrics topic; kcat exits while the app has not created it yet: start again
        after the last offset read."""
        offset = "beginning"
        while not self.stopped:
            cmd = ["kcat", "-C", "-q", "-u", "-b", self.run.bootstrap, "-t", self.run.names(self.mode)["metrics.topic"],
                   "-o", str(offset), "-f", "%o %s\n"]
            self.kcat = self.run.spawn(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            for line in self.kcat.stdout:
                at, _, value = line.partition(" ")
                try:
                    m = json.loads(value)
                except ValueError:
                    continue
                offset = int(at) + 1
                m["seen_s"] = time.time()
                with self.lock:
                    self.records.append(m)
                self._write("metrics", m)
            self.kcat.wait()
            time.sleep(1)

    def _sample(self):
        while not self.stopped:
            pid = self.pid
            if pid is not None:
                r = e2e.status_mb(pid, "VmRSS")
                if r == r:  # not NaN: the process is there
                    s = {"t": time.time(), "pid": pid, "rss_mb": round(r, 1)}
                    with self.lock:
                        self.rss.append(s)
                    self._write("rss", s)
            time.sleep(2)

    def event(self, name, **kw):
        e = dict(kw, t=time.time(), event=name)
        self.events.append(e)
        self._write("event", e)
        log(f"{name} {kw}")

    def latest(self):
        with self.lock:
            return self.records[-1] if self.records else None

    def since(self, t):
        with self.lock:
            return [m for m in self.records if m["timestamp_ms"] / 1000.0 >= t]

    def stop(self):
        self.stopped = True
        if self.kcat:
            self.run.end(self.kcat)
        self.out.close()


def wait_for(pred, proc, timeout, what, timeline):
    end = time.time() + timeout
    note = time.time() + 10
    while time.time() < end:
        v = pred()
        if v:
            return v
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the app exited ({proc.returncode}) while waiting for {what}")
        if time.time() > note and timeline.latest():
            m = timeline.latest()
            log(f"{int(m.get('tokens') or 0):,} tokens, {m.get('tokens_per_sec') or 0:,.0f} tokens/s, "
                f"checkpoint at record {m.get('checkpoint_records')}, snapshot v{m.get('snapshot_version')}, "
                f"RSS {timeline.rss[-1]['rss_mb'] if timeline.rss else 0:,.0f} MB")
            note = time.time() + 10
        time.sleep(0.2)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}")


def changes(records, key, extra):
    """One entry per change of records[key] (a new checkpoint, a new snapshot version)."""
    out, last = [], None
    for m in records:
        v = m.get(key)
        if v is not None and v != last and v > 0:
            out.append({k: m.get(k) for k in [key] + extra} | {"at_tokens": m.get("tokens"), "t": m["timestamp_ms"] / 1000.0})
        last = v if v is not None else last
    return out


def topic_bytes(home):
    """Bytes each topic partition directory holds in the private broker's log directories."""
    out = {}
    for root, dirs, files in os.walk(home):
        if any(f.endswith(".log") and f[:-4].isdigit() for f in files) and "-" in os.path.basename(root):
            size = sum(os.path.getsize(os.path.join(root, f)) for f in files if f.endswith(".log"))
            out[os.path.basename(root)] = size
    return out


def main(argv):
    p = argparse.ArgumentParser(prog="bench/e2e_big.sh", description=__doc__.splitlines()[0])
    p.add_argument("--repo-root", required=True, help=argparse.SUPPRESS)
    p.add_argument("--tokens", type=int, default=20_000_000)
    p.add_argument("--types", type=int, default=5_000_000)
    p.add_argument("--line-words", type=int, default=20)
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--corpus", help="text file to use (default: generated into /tmp, kept for the next run)")
    p.add_argument("--dim", type=int, default=300)
    p.add_argument("--vocab-size", type=int, default=1_000_000)
    p.add_argument("--heap", default="12g", help="the app's -Xmx")
    p.add_argument("--kill-at", type=int, default=12_000_000, help="SIGKILL the app once it trained this many tokens (0: never)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="more app/model keys")
    p.add_argument("--timeline", required=True, help="JSON lines: metrics records, RSS samples, events")
    p.add_argument("--timeout", type=float, default=1800)
    p.add_argument("--keep", action="store_true")
    a = p.parse_args(argv)

    corpus = a.corpus or zipf_corpus(f"/tmp/sv-zipf-{a.tokens}-{a.types}-{a.line_words}-{a.seed}.txt", a.tokens, a.types,
                                     a.line_words, a.seed)
    keys = [f"dim={a.dim}", f"vocab-size={a.vocab_size}"] + a.set
    args = argparse.Namespace(repo_root=a.repo_root, input=corpus, output=os.devnull, keep=a.keep, jfr=None, nmt=None,
                              app_jvm="", set=keys, dim=None, context=None, negatives=None, min_count=None)
    run = e2e.Run(args)
    run.env["STREAMVEC_APP_HEAP"] = a.heap
    signal.signal(signal.SIGTERM, lambda s, f: (_ for _ in ()).throw(KeyboardInterrupt()))
    mode = "consume"
    timeline = None
    try:
        run.build()
        count = run.app_count()
        expected = count["tokens"]
        log(f"the app will train {expected:,} tokens ({count['records']:,} records)")
        run.start_broker()
        t0 = time.time()
        prod = run.produce(mode)
        if prod.wait() != 0:
            raise RuntimeError("produce failed")
        log(f"produced in {time.time() - t0:.1f} s")
        timeline = Timeline(run, mode, a.timeline)
        app, t_start, app_log = run.start_app(mode)
        timeline.pid = app.pid
        timeline.event("app started", pid=app.pid, log=app_log)
        result = {"system": "streamvec-e2e-big", "tokens": expected, "records": count["records"], "dim": a.dim,
                  "vocab_size": a.vocab_size, "heap": a.heap, "keys": keys, "corpus": corpus}
        restore = None
        if a.kill_at:
            wait_for(lambda: (timeline.latest() or {}).get("tokens", 0) >= a.kill_at, app, a.timeout, "the kill point", timeline)
            before = timeline.latest()
            os.killpg(app.pid, signal.SIGKILL)
            app.wait()
            t_kill = time.time()
            timeline.event("SIGKILL", tokens=before["tokens"], records=before["records"],
                           checkpoint_records=before["checkpoint_records"])
            os.replace(app_log, app_log.replace(".log", "-killed.log"))
            app, t_restart, app_log = run.start_app(mode)
            timeline.pid = app.pid
            timeline.event("app restarted", pid=app.pid)
            first = wait_for(lambda: next(iter(timeline.since(t_restart)), None), app, a.timeout, "the restarted app's metrics",
                             timeline)
            running = run.log_time(app_log, "-> RUNNING", t_restart)
            restore = {"kill_to_start_s": round(t_restart - t_kill, 2),
                       "start_to_running_s": round(running - t_restart, 2) if running else None,
                       "kill_to_first_metrics_s": round(first["timestamp_ms"] / 1000.0 - t_kill, 2),
                       "tokens_before_kill": before["tokens"], "records_before_kill": before["records"],
                       "checkpoint_records_at_kill": before["checkpoint_records"],
                       "replayed_records": first.get("replayed_records"), "tokens_at_first_metrics": first.get("tokens")}
            timeline.event("restored", **restore)
        done = wait_for(lambda: next((m for m in timeline.since(0) if m.get("tokens", 0) >= expected), None), app, a.timeout,
                        "every token trained", timeline)
        # the idle snapshot, published in slices: a version of a big model takes seconds
        before_idle = done.get("snapshot_version") or 0
        end_idle = time.time() + 60
        while time.time() < end_idle and (timeline.latest() or {}).get("snapshot_version", 0) <= before_idle:
            time.sleep(0.5)
        time.sleep(1)
        records = timeline.since(0)
        result["load_avg_end"] = list(os.getloadavg())
        result["seconds_total"] = round(done["timestamp_ms"] / 1000.0 - t_start, 1)
        result["tokens_per_sec_total"] = round(expected / result["seconds_total"], 1)
        first_lifetime = [m for m in records if not restore or m["timestamp_ms"] / 1000.0 < t_kill]
        if len(first_lifetime) > 1:
            a0, a1 = first_lifetime[0], first_lifetime[-1]
            result["tokens_per_sec_first_lifetime"] = round(
                (a1["tokens"] - a0["tokens"]) / ((a1["timestamp_ms"] - a0["timestamp_ms"]) / 1000.0), 1)
        result["restore"] = restore
        result["checkpoints"] = changes(records, "checkpoint_records", ["checkpoint_bytes", "checkpoint_seconds", "vocab_size"])
        result["snapshots"] = changes(records, "snapshot_version", ["snapshot_bytes", "snapshot_seconds", "snapshot_slices", "vocab_size"])
        row = 4 * (a.dim + 1 + a.dim + 3) + 8
        for c in result["checkpoints"]:
            c["whole_model_row_bytes"] = (c["vocab_size"] or 0) * row
        rss = [s["rss_mb"] for s in timeline.rss]
        result["rss_mb_max"] = max(rss) if rss else None
        result["rss_mb_samples"] = len(rss)
        result["topic_bytes"] = topic_bytes(run.home)
        run.end(app)
        print(json.dumps(result), flush=True)
        return 0
    except (RuntimeError, subprocess.CalledProcessError, KeyboardInterrupt) as e:
        log(f"error: {e}")
        return 1
    finally:
        if timeline:
            timeline.stop()
        run.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
