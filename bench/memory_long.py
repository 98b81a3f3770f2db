"""Where the app's memory goes, and whether it stays flat over a long run: bench/memory_long.sh.

A private broker; `./streamvec produce --loop` repeats a corpus into the input topic at full speed
(paused while more than --backlog records wait, so the producer does not take the app's CPU to fill
the disk); `./streamvec app` trains at the keys given (none: the defaults, its default heap) until
it has trained --tokens tokens. Every --every seconds, from outside the JVM and without a GC:
  - RSS (/proc/PID/status), the trained tokens and tokens/s (the app's metrics topic);
  - the app's /metrics: heap used, direct buffers, and Kafka Streams' RocksDB gauges summed over
    the stores (block cache, memtables, table readers);
  - every --nmt-every seconds Native Memory Tracking's committed MB per category (jcmd); the first
    one after --warmup tokens is NMT's baseline, and at the end NMT's diff against it says which
    category grew.
At the end: the live heap after a full GC (jcmd GC.class_histogram, its largest classes), the
heap's committed size (GC.heap_info), glibc malloc arenas (64 MB-aligned anonymous regions in
/proc/PID/smaps, see arenas()). One JSON line on stdout, the samples as JSON lines in --timeline.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402  (the private broker, ports, process handling: one implementation)

log = e2e.log

# Kafka Streams' RocksDB property gauges (recorded at INFO), one series per store
ROCKSDB_GAUGES = ("block_cache_usage", "block_cache_pinned_usage", "size_all_mem_tables",
                  "estimate_table_readers_mem", "cur_size_all_mem_tables")
ARENA_BYTES = 64 * 1024 * 1024  # glibc's HEAP_MAX_SIZE on 64-bit: each extra arena reserves this


def scrape_sums(text):
    """{series name: sum over its labels} for the memory series of a Prometheus text exposition."""
    out = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = re.match(r"^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)", line)
        if not m:
            continue
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        key = None
        if any(g in name for g in ROCKSDB_GAUGES):
            key = name
        elif name == "jvm_memory_used_bytes":
            key = "jvm_memory_used_bytes_" + ("heap" if 'area="heap"' in labels else "nonheap")
        elif name == "jvm_buffer_memory_used_bytes" and 'id="direct"' in labels:
            key = "jvm_direct_buffer_used_bytes"
        if key is None:
            continue
        try:
            v = float(value)
        except ValueError:
            continue
        if v == v:  # NaN: a store not open yet
            out[key] = out.get(key, 0.0) + v
            if "block_cache" in key:
                # every store reports the cache it uses: the sum is right for Kafka Streams' own
                # per-store caches, the max for one cache shared by all stores (state.memory.bytes)
                out[key + "_max"] = max(out.get(key + "_max", 0.0), v)
    return out


def arenas(smaps_text):
    """glibc malloc arenas in /proc/PID/smaps: each non-main arena is a 64 MB reservation made by
    mmap, split into a read-write part in use and a PROT_NONE rest, adjacent and summing to 64 MB
    (or one 64 MB read-write mapping when full). Returns (count, their RSS in MB)."""
    maps = []
    cur = None
    for line in smaps_text.splitlines():
        head = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ (\d+)\s*(.*)$", line)
        if head:
            cur = {"start": int(head.group(1), 16), "end": int(head.group(2), 16), "perms": head.group(3),
                   "inode": head.group(4), "path": head.group(5).strip(), "rss_kb": 0}
            maps.append(cur)
        elif cur is not None and line.startswith("Rss:"):
            cur["rss_kb"] = int(line.split()[1])
    count, rss_kb, i = 0, 0, 0
    while i < len(maps):
        m = maps[i]
        anon = m["inode"] == "0" and m["path"] == ""
        if anon and m["perms"].startswith("rw") and m["start"] % ARENA_BYTES == 0:
            size = m["end"] - m["start"]
            if size == ARENA_BYTES:
                count, rss_kb = count + 1, rss_kb + m["rss_kb"]
            elif i + 1 < len(maps) and size < ARENA_BYTES:
                n = maps[i + 1]
                if n["start"] == m["end"] and n["perms"].startswith("---") and n["end"] - m["start"] == ARENA_BYTES:
                    count, rss_kb = count + 1, rss_kb + m["rss_kb"]
                    i += 1
        i += 1
    return count, round(rss_kb / 1024.0, 1)


def jcmd(pid, *what):
    return subprocess.run(["jcmd", str(pid)] + list(what), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True).stdout


def histogram_top(text, n=12):
    """The n largest classes of GC.class_histogram and the total: [(class, MB)], total MB."""
    rows, total = [], None
    for line in text.splitlines():
        m = re.match(r"^\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            rows.append((m.group(3), round(int(m.group(2)) / 1048576.0, 1)))
        t = re.match(r"^Total\s+(\d+)\s+(\d+)", line)
        if t:
            total = round(int(t.group(2)) / 1048576.0, 1)
    return rows[:n], total


class Long:
    def __init__(self, a):
        self.a = a
        ns = argparse.Namespace(repo_root=a.repo_root, input=a.input, output=os.devnull, keep=a.keep, jfr=None, nmt=None,
                                app_jvm="", set=a.set, dim=None, context=None, negatives=None, min_count=None)
        self.run = e2e.Run(ns)
        if a.heap:
            self.run.env["STREAMVEC_APP_HEAP"] = a.heap
        self.mode = "long"
        self.port = e2e.free_port()
        self.latest = None
        self.out = open(a.timeline, "w")
        self.stopped = False

    def write(self, kind, obj):
        self.out.write(json.dumps(dict(obj, kind=kind)) + "\n")
        self.out.flush()

    def follow_metrics(self):
        cmd = ["kcat", "-C", "-q", "-u", "-b", self.run.bootstrap, "-t", self.run.names(self.mode)["metrics.topic"],
               "-o", "end", "-f", "%s\n"]
        while not self.stopped:
            kc = self.run.spawn(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            for line in kc.stdout:
                try:
                    self.latest = json.loads(line)
                except ValueError:
                    pass
            kc.wait()
            time.sleep(1)

    def backlog(self):
        """Records on the input topic the app has not trained yet (one partition, one model)."""
        topic = self.run.names(self.mode)["input.topics"]
        out = subprocess.run(["kcat", "-Q", "-b", self.run.bootstrap, "-t", f"{topic}:0:-1"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True).stdout
        m = re.search(r"\[0\] offset (\d+)", out)
        end = int(m.group(1)) if m else 0
        return end - int((self.latest or {}).get("records") or 0)

    def scrape(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=5) as r:
                return scrape_sums(r.read().decode())
        except OSError:
            return {}

    def main(self):
        a, run = self.a, self.run
        run.build()
        run.start_broker()
        env = dict(run.env)
        if a.nmt:
            env["JAVA_OPTS"] = (env.get("JAVA_OPTS", "") + " -XX:NativeMemoryTracking=summary").strip()
        if a.app_jvm:
            env["JAVA_OPTS"] = (env.get("JAVA_OPTS", "") + " " + a.app_jvm).strip()
        produce = [run.launcher, "produce", "--loop", "--no-progress"] + run.client_args(self.mode) + [a.input]
        prod = run.spawn(produce, stdout=subprocess.DEVNULL)
        restarts = 0
        cmd = [run.launcher, "app"] + run.client_args(self.mode) + run.model_args() + [
            "--set", f"state.dir={os.path.join(run.home, 'state')}", "--set", f"http.port={self.port}"]
        app_log = os.path.join(run.home, "app-long.log")
        t0 = time.time()
        app = run.spawn(cmd, env=env, stdout=open(app_log, "w"), stderr=subprocess.STDOUT)
        threading.Thread(target=self.follow_metrics, daemon=True).start()
        samples, paused, baseline, next_nmt, next_sample = [], False, False, 0.0, 0.0
        nmt_first = None
        try:
            while True:
                if app.poll() is not None:
                    raise RuntimeError(f"the app exited ({app.returncode}); see {app_log}")
                if time.time() > t0 + a.timeout:
                    raise RuntimeError(f"timed out after {a.timeout} s")
                m = self.latest or {}
                tokens = int(m.get("tokens") or 0)
                if prod.poll() is not None:
                    # a request in flight when the producer was paused may time out after it resumes
                    restarts += 1
                    log(f"the producer exited ({prod.returncode}); starting it again")
                    run.procs.remove(prod)
                    prod, paused = run.spawn(produce, stdout=subprocess.DEVNULL), False
                lag = self.backlog()
                if not paused and lag > a.backlog:
                    os.killpg(prod.pid, signal.SIGSTOP)
                    paused = True
                elif paused and lag < a.backlog // 2:
                    os.killpg(prod.pid, signal.SIGCONT)
                    paused = False
                now = time.time()
                if now >= next_sample:
                    s = {"t": round(now - t0, 1), "tokens": tokens, "tokens_per_sec": m.get("tokens_per_sec"),
                         "vocab_size": m.get("vocab_size"), "rss_mb": round(e2e.status_mb(app.pid, "VmRSS"), 1),
                         "backlog": lag}
                    s.update({k: round(v / 1048576.0, 1) for k, v in self.scrape().items()})
                    if a.nmt and now >= next_nmt and tokens > 0:
                        if not baseline and tokens >= a.warmup:
                            jcmd(app.pid, "VM.native_memory", "baseline")
                            baseline = True
                            s["nmt_baseline"] = True
                        s["nmt"] = e2e.parse_nmt(jcmd(app.pid, "VM.native_memory", "summary", "scale=MB"))
                        nmt_first = nmt_first or s
                        next_nmt = now + a.nmt_every
                    samples.append(s)
                    self.write("sample", s)
                    log(f"{tokens:,} tokens, {m.get('tokens_per_sec') or 0:,.0f} tokens/s, RSS {s['rss_mb']:,.0f} MB, "
                        f"heap used {s.get('jvm_memory_used_bytes_heap', 0):,.0f} MB, backlog {lag:,}")
                    next_sample = now + a.every
                if tokens >= a.tokens:
                    break
                time.sleep(1)
            os.killpg(prod.pid, signal.SIGCONT)
            run.end(prod)
            result = self.final(app.pid, samples, baseline)
            result.update({"tokens": tokens, "seconds": round(time.time() - t0, 1), "keys": a.set, "heap": a.heap or "default",
                           "app_jvm": a.app_jvm, "input": a.input, "producer_restarts": restarts, "load_avg_end": list(os.getloadavg())})
            self.write("result", result)
            print(json.dumps(result), flush=True)
            return 0
        finally:
            self.stopped = True
            self.out.close()
            if os.path.exists(app_log):  # the private home goes with run.stop(); the app's log stays
                shutil.copyfile(app_log, a.timeline + ".app.log")

    def final(self, pid, samples, baseline):
        out = {"rss_mb_end": round(e2e.status_mb(pid, "VmRSS"), 1), "rss_mb_peak": round(e2e.status_mb(pid, "VmHWM"), 1)}
        with open(f"/proc/{pid}/smaps") as f:
            out["arenas"], out["arenas_rss_mb"] = arenas(f.read())
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.split(":")[0] in ("RssAnon", "RssFile", "Threads"):
                    out[line.split(":")[0]] = line.split()[1] if line.startswith("Threads") else int(line.split()[1]) // 1024
        scraped = self.scrape()
        out["scrape_mb"] = {k: round(v / 1048576.0, 1) for k, v in scraped.items()}
        if self.a.nmt:
            text = jcmd(pid, "VM.native_memory", "summary", "scale=MB")
            out["nmt_end"] = e2e.parse_nmt(text)
            self.write("nmt", {"text": text})
            if baseline:
                diff = jcmd(pid, "VM.native_memory", "summary.diff", "scale=MB")
                self.write("nmt_diff", {"text": diff})
        out["heap_info"] = jcmd(pid, "GC.heap_info")
        top, total = histogram_top(jcmd(pid, "GC.class_histogram"))
        out["live_heap_mb"], out["live_heap_top"] = total, top
        out["heap_info_after_gc"] = jcmd(pid, "GC.heap_info")
        # a sample with no token trained since the previous one while records wait: the app stalled
        out["stalled_samples"] = sum(1 for p, s in zip(samples, samples[1:]) if s["tokens"] == p["tokens"] > 0 and s["backlog"] > 0)
        rss = [s["rss_mb"] for s in samples if s["tokens"] >= self.a.warmup]
        if rss:
            out["rss_mb_after_warmup"] = {"min": min(rss), "max": max(rss), "first": rss[0], "last": rss[-1], "n": len(rss)}
        return out


def parse(argv):
    p = argparse.ArgumentParser(prog="bench/memory_long.sh", description=__doc__.splitlines()[0])
    p.add_argument("--repo-root", required=True, help=argparse.SUPPRESS)
    p.add_argument("--input", required=True, help="file or directory to repeat (./streamvec produce --loop)")
    p.add_argument("--tokens", type=int, default=100_000_000, help="stop once the app has trained this many")
    p.add_argument("--warmup", type=int, default=10_000_000, help="tokens after which RSS should be flat (NMT baseline)")
    p.add_argument("--every", type=float, default=10, help="seconds between samples")
    p.add_argument("--nmt-every", type=float, default=60, help="seconds between NMT summaries")
    p.add_argument("--no-nmt", dest="nmt", action="store_false", help="run the app without Native Memory Tracking")
    p.add_argument("--backlog", type=int, default=200_000, help="pause the producer while this many records wait")
    p.add_argument("--heap", help="the app's -Xmx (default: the launcher's)")
    p.add_argument("--app-jvm", default="", metavar="FLAGS", help="extra JVM flags for the app (--app-jvm=-Xlog:gc: with an =)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="app/model keys")
    p.add_argument("--timeline", required=True, help="JSON lines: samples, NMT reports, the result")
    p.add_argument("--timeout", type=float, default=3600)
    p.add_argument("--keep", action="store_true")
    return p.parse_args(argv)


def main(argv):
    a = parse(argv)
    a.input = os.path.abspath(a.input)
    long = Long(a)
    signal.signal(signal.SIGTERM, lambda s, f: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        return long.main()
    except (RuntimeError, subprocess.CalledProcessError, KeyboardInterrupt, OSError) as e:
        log(f"error: {e}")
        return 1
    finally:
        long.run.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
