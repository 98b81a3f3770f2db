"""Driver of bench/e2e.sh (read its header for what is measured and how); standard library only.

Starts a private broker, then per mode: the app (./streamvec app), the producer (./streamvec
produce), and kcat reading the metrics topic to see when every token has been trained.
"""
import argparse
import calendar
import glob
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

MODEL_FLAGS = ("dim", "context", "negatives", "min-count")


def second_half_rate(points):
    """(seconds, tokens) points in time order, the last one at the end: the rate over the second half of the tokens."""
    if not points or points[-1][1] <= 0:
        return None
    t_end, n_end = points[-1]
    t_half, n_half = next(p for p in points if p[1] >= n_end / 2)
    return round((n_end - n_half) / (t_end - t_half), 1) if t_end > t_half else None


def log(msg):
    print(f"[e2e] {msg}", file=sys.stderr, flush=True)


def ephemeral_low():
    """Lowest port of the kernel's ephemeral range (outgoing connections and port-0 binds land there)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
        return low if low > 12000 else 32768
    except (OSError, ValueError, IndexError):
        return 32768


def free_port(_taken=set()):
    """A loopback port below the ephemeral range that binds now and was not handed out before:
    a port-0 pick is closed again before the broker binds it, and the kernel may give it to any
    outgoing connection meanwhile (or to the next port-0 pick)."""
    low = ephemeral_low()
    for _ in range(200):
        p = random.randrange(10000, low)
        if p in _taken:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", p))
        except OSError:
            continue
        _taken.add(p)
        return p
    raise RuntimeError("no free loopback port below the ephemeral range")


def parse_nmt(text):
    """{category: committed MB} from `jcmd PID VM.native_memory summary scale=MB` (Total included)."""
    out = {}
    for line in text.splitlines():
        line = line.strip().lstrip("-").strip()
        m = re.match(r"^(Total|[A-Z][\w ]*?) \(reserved=\d+MB, committed=(\d+)MB\)", line)
        if m is None:
            m = re.match(r"^(Total): reserved=\d+MB, committed=(\d+)MB", line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def status_mb(pid, field):
    """A kB field of /proc/PID/status (VmHWM = peak RSS, VmRSS = RSS now) in MB; NaN once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def peak_rss_mb(pid):
    return status_mb(pid, "VmHWM")


CLOCK_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def stat_cpu_seconds(path):
    """utime + stime of /proc/PID/stat or /proc/PID/task/TID/stat, in seconds; None once it is gone."""
    try:
        with open(path) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICK
    except (OSError, IndexError, ValueError):
        return None


PARK_JFC = """<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="parks">
  <event name="jdk.ThreadPark"><setting name="enabled">true</setting><setting name="stackTrace">true</setting>
    <setting name="threshold">1 ms</setting></event>
</configuration>
"""


def park_recording(home, mode):
    """JVM flag recording only the app's thread parks of >= 1 ms (with stacks) to HOME/parks-MODE.jfr."""
    jfc = os.path.join(home, "parks.jfc")
    with open(jfc, "w") as f:
        f.write(PARK_JFC)
    rec = os.path.join(home, f"parks-{mode}.jfr")
    return f"-XX:StartFlightRecording=name=parks,filename={rec},settings={jfc},dumponexit=true"


def jdk_tool(name):
    """A tool (jfr, jcmd) of the JDK the launcher runs (a JDK 17 jfr cannot read every newer recording)."""
    home = os.environ.get("STREAMVEC_JAVA_HOME")
    for d in ([home] if home else []) + sorted(glob.glob("/usr/lib/jvm/*25*")) + [""]:
        tool = os.path.join(d, "bin", name) if d else shutil.which(name)
        if tool and os.path.exists(tool):
            return tool
    raise RuntimeError(f"no {name} tool found")


def dump_parks(pid, home, mode):
    """Writes the running app's park recording now (at exit it is not always written in time)."""
    subprocess.run([jdk_tool("jcmd"), str(pid), "JFR.dump", "name=parks", f"filename={os.path.join(home, f'parks-{mode}.jfr')}"],
                   stdout=subprocess.DEVNULL, check=True)


def park_report(jfr_file, t0, t1, stream_prefix):
    """Seconds each thread group was parked within [t0, t1] (epoch s; the part of each park inside it), the
    number of parks of >= 100 ms there, the longest, for the learner also without its first park (its wait for
    the first line); the stream threads' parked time also by the frame they parked in (its first two frames
    outside the JDK)."""
    out = subprocess.run([jdk_tool("jfr"), "print", "--json", "--stack-depth", "24", "--events", "jdk.ThreadPark", jfr_file], stdout=subprocess.PIPE,
                         check=True, text=True).stdout
    return park_summary(json.loads(out)["recording"]["events"], t0, t1, stream_prefix)


def park_summary(events, t0, t1, stream_prefix):
    """park_report of the events of `jfr print --json`."""
    groups, where, first = {}, {}, None
    events = sorted(events, key=lambda e: parse_jfr_time(e["values"]["startTime"]))
    for e in events:
        v = e["values"]
        start = parse_jfr_time(v["startTime"])
        seconds = parse_jfr_duration(v["duration"])
        inside = min(start + seconds, t1) - max(start, t0)
        if inside <= 0:
            continue
        thread = (v.get("eventThread") or {}).get("javaName") or ""
        group = thread_group(thread[:15], stream_prefix)
        g = groups.setdefault(group, {"parked_s": 0.0, "parks": 0, "parks_100ms": 0, "longest_s": 0.0})
        g["parked_s"] += inside
        g["parks"] += 1
        g["parks_100ms"] += seconds >= 0.1
        g["longest_s"] = max(g["longest_s"], seconds)
        if group == "learner":
            # the learner's first park is its wait for the first line (start-up in consume mode)
            if first is None:
                first = inside
            g["parked_after_first_line_s"] = g["parked_s"] - first
        if group == "stream":
            frames = [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"]
                      for f in ((v.get("stackTrace") or {}).get("frames") or [])]
            frame = " < ".join([f for f in frames if not f.startswith(("java.", "jdk.", "sun."))][:2]) or "?"
            where[frame] = where.get(frame, 0.0) + inside
    for g in groups.values():
        for k in ("parked_s", "longest_s", "parked_after_first_line_s"):
            if k in g:
                g[k] = round(g[k], 2)
    top = sorted(where.items(), key=lambda kv: -kv[1])[:6]
    return {"window_s": round(t1 - t0, 2), "by_group": groups, "stream_parked_in": {k: round(s, 2) for k, s in top}}


def parse_jfr_time(text):
    """Epoch seconds of a JFR JSON timestamp (ISO 8601 with an offset, nanoseconds)."""
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$", text)
    base = time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    offset = 0 if m.group(3) == "Z" else (int(m.group(3)[1:3]) * 3600 + int(m.group(3)[4:6]) * 60) * (1 if m.group(3)[0] == "+" else -1)
    return calendar.timegm(base) - offset + float(m.group(2) or 0)


def parse_jfr_duration(text):
    """Seconds of a JFR JSON duration (ISO 8601, e.g. PT0.012345S, PT1M2.5S)."""
    m = re.match(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$", text)
    return int(m.group(1) or 0) * 3600 + int(m.group(2) or 0) * 60 + float(m.group(3) or 0)


def thread_group(name, stream_prefix):
    """What an app JVM thread does, from its name (/proc comm: the first 15 characters)."""
    for prefix, group in (("streamvec-learn", "learner"), ("C2 CompilerThre", "jit_c2"), ("C1 CompilerThre", "jit_c1"),
                          ("GC Thread", "gc"), ("G1 ", "gc"), ("VM Thread", "gc"), ("kafka-producer-", "kafka_io"),
                          ("kafka-coordinat", "kafka_io"), ("rocksdb:", "rocksdb")):
        if name.startswith(prefix):
            return group
    return "stream" if name.startswith(stream_prefix[:15]) else "other"


def app_thread_cpu(pid, stream_prefix):
    """CPU seconds of the app JVM's threads so far, by what they do (thread_group)."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        cpu = stat_cpu_seconds(f"/proc/{pid}/task/{tid}/stat")
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        if cpu is not None:
            group = thread_group(name, stream_prefix)
            out[group] = round(out.get(group, 0.0) + cpu, 2)
    return out


class Run:
    """Owns every process and directory it starts; stop() ends them all (also on signals)."""

    def __init__(self, args):
        self.args = args
        self.repo = args.repo_root
        self.launcher = os.path.join(self.repo, "streamvec")
        self.home = tempfile.mkdtemp(prefix="streamvec-e2e-")
        self.env = dict(os.environ, STREAMVEC_HOME=self.home,
                        STREAMVEC_BROKER_PORT=str(free_port()), STREAMVEC_CONTROLLER_PORT=str(free_port()))
        self.env.pop("STREAMVEC_BOOTSTRAP_SERVERS", None)
        self.procs = []
        self.broker_started = False
        self.bootstrap = None

    # ---- processes -------------------------------------------------------------------------
    def spawn(self, cmd, env=None, **kw):
        p = subprocess.Popen(cmd, env=env or self.env, start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def end(self, p, timeout=40):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
            except ProcessLookupError:
                pass

    def stop(self):
        for p in reversed(self.procs):
            self.end(p)
        self.procs = []
        if self.broker_started:
            subprocess.run([os.path.join(self.repo, "deploy", "broker.sh"), "stop"], env=self.env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.broker_started = False
        if not self.args.keep:
            shutil.rmtree(self.home, ignore_errors=True)
        else:
            log(f"kept {self.home}")

    # ---- steps -----------------------------------------------------------------------------
    def model_args(self):
        out = []
        for f in MODEL_FLAGS:
            v = getattr(self.args, f.replace("-", "_"))
            if v is not None:
                out += ["--set", f"{f}={v}"]
        for kv in self.args.set:
            out += ["--set", kv]
        return out

    def build(self):
        # the launcher builds stale modules; do it before anything is timed
        for cmd in ("app", "produce", "train"):
            subprocess.run([self.launcher, cmd, "--help"], env=self.env, stdout=subprocess.DEVNULL, check=True)

    def raw_count(self):
        log(f"raw trainer on {self.args.input} (--raw)")
        curve = os.path.join(self.home, "raw-curve.jsonl")
        cmd = [self.launcher, "train", "--input", self.args.input, "--json", "--quiet", "--curve", curve,
               "--curve-every", "50000"] + self.model_args()
        out = subprocess.run(cmd, env=self.env, stdout=subprocess.PIPE, check=True, text=True).stdout
        summary = json.loads(out.strip().splitlines()[-1])
        with open(curve) as f:
            points = [(p["seconds"], p["tokens"]) for p in map(json.loads, f)]
        return int(summary["tokens"]), summary.get("tokens_per_sec"), second_half_rate(points)

    def app_count(self):
        """Tokens the app will train on: the file cut as `produce` cuts it, judged by the app's validator."""
        target = os.path.join(self.repo, "producer", "target")
        jars = [f for f in os.listdir(target) if f.startswith("streamvec-producer-") and f.endswith(".jar")]
        cp = os.path.join(target, jars[0]) + ":" + os.path.join(target, "lib", "*")
        out = subprocess.run(["java", "-cp", cp, "io.streamvec.producer.ExpectedTokens", self.args.input], env=self.env,
                             stdout=subprocess.PIPE, check=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    def broker_pid(self):
        try:
            with open(os.path.join(self.home, "broker", "broker.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def start_broker(self):
        log(f"starting a private broker (STREAMVEC_HOME={self.home})")
        self.broker_started = True
        out = subprocess.run([os.path.join(self.repo, "deploy", "broker.sh"), "start"], env=self.env,
                             stdout=subprocess.PIPE, check=True, text=True).stdout
        self.bootstrap = out.strip().splitlines()[-1]
        log(f"broker at {self.bootstrap}")

    def names(self, mode):
        return {"input.topics": f"text-{mode}", "application.id": f"e2e-{mode}", "snapshots.topic": f"snapshots-{mode}",
                "metrics.topic": f"metrics-{mode}", "dlq.topic": f"dlq-{mode}"}

    def client_args(self, mode):
        out = ["--bootstrap-servers", self.bootstrap]
        for k, v in self.names(mode).items():
            out += ["--set", f"{k}={v}"]
        return out

    def produce(self, mode):
        cmd = [self.launcher, "produce", "--no-progress"] + self.client_args(mode) + [self.args.input]
        return self.spawn(cmd, stdout=subprocess.DEVNULL)

    def start_app(self, mode):
        env = dict(self.env)
        if self.args.jfr:
            os.makedirs(self.args.jfr, exist_ok=True)
            rec = os.path.join(os.path.abspath(self.args.jfr), f"app-{mode}.jfr")
            env["JAVA_OPTS"] = (env.get("JAVA_OPTS", "") + f" -XX:StartFlightRecording=filename={rec},settings=profile").strip()
        if self.args.parks:
            env["JAVA_OPTS"] = (env.get("JAVA_OPTS", "") + " " + park_recording(self.home, mode)).strip()
        if self.args.app_jvm:
            env["JAVA_OPTS"] = (env.get("JAVA_OPTS", "") + " " + self.args.app_jvm).strip()
        if self.args.nmt:
            env["JAVA_OPTS"] = (env.get("JAVA_OPTS", "") + " -XX:NativeMemoryTracking=summary").strip()
        app_set = [a for kv in self.args.app_set for a in ("--set", kv)]
        cmd = [self.launcher, "app"] + self.client_args(mode) + self.model_args() + app_set + [
            "--set", f"state.dir={os.path.join(self.home, 'state')}", "--set", "http.port=-1",
            "--set", "metrics.interval.ms=100", "--set", "idle.snapshot.ms=1000"]
        app_log = open(os.path.join(self.home, f"app-{mode}.log"), "w")
        t0 = time.time()
        p = self.spawn(cmd, env=env, stdout=app_log, stderr=subprocess.STDOUT)
        return p, t0, app_log.name

    def memory_report(self, mode, pid):
        """Where the app's resident memory is once every token is trained: the JVM's own accounting
        (Native Memory Tracking, committed MB per category) next to the kernel's RSS; what RSS holds
        beyond NMT's total is memory the JVM does not track (RocksDB's and other native mallocs)."""
        out = subprocess.run(["jcmd", str(pid), "VM.native_memory", "summary", "scale=MB"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True).stdout
        os.makedirs(self.args.nmt, exist_ok=True)
        with open(os.path.join(self.args.nmt, f"nmt-{mode}.txt"), "w") as f:
            f.write(out)
        report = {"nmt_committed_mb": parse_nmt(out)}
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.split(":")[0] in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                        report[line.split(":")[0]] = int(line.split()[1]) / 1024.0
        except OSError:
            pass
        total = report["nmt_committed_mb"].get("Total")
        if total is not None and "VmRSS" in report:
            report["rss_beyond_nmt_mb"] = round(report["VmRSS"] - total, 1)
        log(f"{mode}: memory {json.dumps(report)}")
        return report

    @staticmethod
    def log_time(path, text, near):
        """Wall clock (epoch s) of the first log line containing text; the log prints HH:mm:ss.SSS local time."""
        with open(path) as f:
            for line in f:
                if text in line:
                    hms = line.split()[0]
                    day = time.strftime("%Y-%m-%d", time.localtime(near))
                    t = time.mktime(time.strptime(f"{day} {hms[:8]}", "%Y-%m-%d %H:%M:%S")) + int(hms[9:12]) / 1000.0
                    return t if abs(t - near) < 43200 else t + (86400 if t < near else -86400)
        return None

    def wait_log(self, path, text, proc, timeout):
        end = time.time() + timeout
        while time.time() < end:
            with open(path) as f:
                if text in f.read():
                    return
            if proc.poll() is not None:
                raise RuntimeError(f"the app exited ({proc.returncode}); see {path}")
            time.sleep(0.1)
        raise RuntimeError(f"no '{text}' in {path} after {timeout} s")

    def watch_metrics(self, mode, expected, proc, timeout):
        """The first metrics record with every token trained (kcat follows the topic)."""
        cmd = ["kcat", "-C", "-q", "-u", "-b", self.bootstrap, "-t", self.names(mode)["metrics.topic"], "-o", "beginning", "-f", "%s\n"]
        kc = self.spawn(cmd, stdout=subprocess.PIPE, text=True)
        found, last, points = [], [None], []
        timeline = open(os.path.join(self.home, f"metrics-{mode}.jsonl"), "w")   # kept with --keep

        def read():
            for line in kc.stdout:
                timeline.write(line)
                timeline.flush()
                try:
                    m = json.loads(line)
                except ValueError:
                    continue
                last[0] = m
                points.append((m["timestamp_ms"] / 1000.0, m.get("tokens", 0)))
                if m.get("tokens", 0) >= expected:
                    found.append(m)
                    return

        t = threading.Thread(target=read, daemon=True)
        t.start()
        end = time.time() + timeout
        next_note = time.time() + 5
        while not found and time.time() < end:
            if proc.poll() is not None:
                raise RuntimeError(f"the app exited ({proc.returncode}) before training every token")
            t.join(0.2)
            if time.time() >= next_note and last[0]:
                log(f"{mode}: {int(last[0].get('tokens', 0)):,} / {expected:,} tokens, {last[0].get('tokens_per_sec', 0):,.0f} tokens/s")
                next_note = time.time() + 5
        self.end(kc)
        if not found:
            raise RuntimeError(f"{mode}: not all {expected} tokens trained after {timeout} s (last metrics: {last[0]})")
        if found[0]["tokens"] != expected:
            raise RuntimeError(f"{mode}: the app trained {found[0]['tokens']} tokens, {expected} expected")
        found[0]["second_half_tokens_per_sec"] = second_half_rate(points)
        found[0]["first_million_epoch_s"] = next((t for t, n in points if n >= 1_000_000), None)
        return found[0]

    @staticmethod
    def follow_cpu(proc, total):
        """Keeps total[0] at proc's CPU seconds until it exits (its last reading before exit)."""
        while proc.poll() is None:
            cpu = stat_cpu_seconds(f"/proc/{proc.pid}/stat")
            if cpu is not None:
                total[0] = cpu
            time.sleep(0.1)

    def first_input_ms(self, mode):
        out = subprocess.run(["kcat", "-C", "-q", "-b", self.bootstrap, "-t", self.names(mode)["input.topics"], "-o", "beginning",
                              "-c", "1", "-e", "-f", "%T\n"], env=self.env, stdout=subprocess.PIPE, check=True, text=True).stdout
        return int(out.split()[0])

    def export(self, mode, expected):
        """Waits for the final snapshot (idle.snapshot.ms after the last record), checks its token count, exports it."""
        base = [self.launcher, "snapshot"]
        end = time.time() + 300   # on a loaded machine reading a big model back takes a while
        while True:
            r = subprocess.run(base + ["info", "--json", "--timeout", "60"] + self.client_args(mode), env=self.env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            tokens = None
            if r.returncode == 0:
                tokens = json.loads(r.stdout.strip().splitlines()[-1]).get("tokens")
                if tokens == expected:
                    break
            if time.time() > end:
                raise RuntimeError(f"{mode}: the latest snapshot holds {tokens} tokens, expected {expected}")
            time.sleep(1)
        subprocess.run(base + ["export", "--format", "word2vec", "--output", self.args.output] + self.client_args(mode),
                       env=self.env, stdout=subprocess.DEVNULL, check=True)
        log(f"exported the final snapshot ({expected:,} tokens) to {self.args.output}")

    def run_mode(self, mode, expected):
        broker = self.broker_pid()
        broker_cpu0 = stat_cpu_seconds(f"/proc/{broker}/stat") if broker else None
        if mode == "consume":
            log("consume: producing the whole file first")
            prod = self.produce(mode)
            if prod.wait() != 0:
                raise RuntimeError(f"produce failed ({prod.returncode})")
            broker_cpu0 = stat_cpu_seconds(f"/proc/{broker}/stat") if broker else None
        app, t_start, app_log = self.start_app(mode)
        self.wait_log(app_log, "learning from", app, 120)
        t_running = None
        if mode == "pipeline":
            self.wait_log(app_log, "-> RUNNING", app, 120)
            log("pipeline: app RUNNING; producing while it trains")
            prod = self.produce(mode)
            prod_cpu = [0.0]
            threading.Thread(target=self.follow_cpu, args=(prod, prod_cpu), daemon=True).start()
        done = self.watch_metrics(mode, expected, app, self.args.timeout)
        # CPU seconds each JVM used in the mode (the app from its start, the broker from the mode's
        # start, the producer's whole run in pipeline mode) up to every token trained: on two cores
        # they compete with the learner
        cpu = {"app": round(stat_cpu_seconds(f"/proc/{app.pid}/stat") or 0.0, 2),
               "app_threads": app_thread_cpu(app.pid, self.names(mode)["application.id"])}
        if broker_cpu0 is not None:
            b = stat_cpu_seconds(f"/proc/{broker}/stat")
            cpu["broker"] = round(b - broker_cpu0, 2) if b is not None else None
        if mode == "pipeline":
            if prod.wait() != 0:
                raise RuntimeError(f"produce failed ({prod.returncode})")
            cpu["producer"] = round(prod_cpu[0], 2)
            t0_ms = self.first_input_ms(mode)
        else:
            t0_ms = t_start * 1000
        seconds = (done["timestamp_ms"] - t0_ms) / 1000.0
        rss = peak_rss_mb(app.pid)
        if self.args.parks:
            dump_parks(app.pid, self.home, mode)
        memory = self.memory_report(mode, app.pid) if self.args.nmt else None
        result = {"start_epoch_s": round(t0_ms / 1000.0, 3), "end_epoch_s": round(done["timestamp_ms"] / 1000.0, 3), "seconds": round(seconds, 3), "tokens_per_sec": round(expected / seconds, 1), "rss_mb": round(rss, 1),
                  "second_half_tokens_per_sec": done["second_half_tokens_per_sec"], "perplexity": done.get("perplexity"), "metrics": done}
        result["cpu_seconds"] = cpu
        # the last checkpoint's and snapshot's writing time (slices and their commits), as the app reports them
        result["last_writes"] = {k: done.get(k) for k in ("checkpoint_seconds", "checkpoint_bytes", "snapshot_seconds",
                                                          "snapshot_bytes", "snapshot_slices")}
        log(f"{mode}: CPU seconds {json.dumps(cpu)}")
        if memory:
            result["memory"] = memory
        million = done.pop("first_million_epoch_s", None)
        if million is not None:
            # start-up and JIT warm-up weigh most here: the time to the first 1M tokens trained
            result["first_million_seconds"] = round(million - t0_ms / 1000.0, 3)
        if mode == "consume":
            # start-up (JVM, topic checks, group join, restore) apart from training proper
            running = self.log_time(app_log, "-> RUNNING", t_start)
            if running is not None:
                train = done["timestamp_ms"] / 1000.0 - running
                result.update(startup_seconds=round(running - t_start, 3), train_seconds=round(train, 3),
                              train_tokens_per_sec=round(expected / train, 1))
                log(f"consume: start-up {running - t_start:.2f} s, then {expected / train:,.0f} tokens/s from RUNNING"
                    f"; first 1M tokens {result.get('first_million_seconds', float('nan')):.2f} s from process start")
        log(f"{mode}: {expected:,} tokens in {seconds:.2f} s = {expected / seconds:,.0f} tokens/s "
            f"(second half {done['second_half_tokens_per_sec'] or 0:,.0f}), app peak RSS {rss:.0f} MB")
        return app, result

    def main(self):
        a = self.args
        self.build()
        raw_tokens, raw_tps, raw_half = a.expect_tokens, None, None
        if a.raw:
            raw_tokens, raw_tps, raw_half = self.raw_count()
            log(f"raw trainer: {raw_tokens:,} tokens, {raw_tps:,.0f} tokens/s (second half {raw_half or 0:,.0f})")
        count = self.app_count()
        expected = count["tokens"]
        log(f"the app will train {expected:,} tokens ({count['records']:,} records, {count['dead_letters']:,} of them dead letters)")
        if raw_tokens is not None and raw_tokens != expected and count["dead_letters"] == 0:
            raise RuntimeError(f"the raw trainer counts {raw_tokens} tokens, the app's validator {expected}, with no dead letters")
        self.start_broker()
        modes = ["pipeline", "consume"] if a.mode == "both" else [a.mode]
        results = {}
        for i, mode in enumerate(modes):
            app, results[mode] = self.run_mode(mode, expected)
            if i == len(modes) - 1:
                self.export(mode, expected)
            self.end(app)
            self.procs.remove(app)
            if a.parks:
                r = results[mode]
                r["parks"] = park_report(os.path.join(self.home, f"parks-{mode}.jfr"), r["start_epoch_s"], r["end_epoch_s"],
                                         self.names(mode)["application.id"])
                log(f"{mode}: parks {json.dumps(r['parks'])}")
        top = results[modes[0]]
        out = {"system": "streamvec-e2e", "tokens": expected, "seconds": top["seconds"], "tokens_per_sec": top["tokens_per_sec"],
               "rss_mb": max(r["rss_mb"] for r in results.values()), "perplexity": top["perplexity"],
               "timing": modes[0], "raw_tokens": raw_tokens, "raw_tokens_per_sec": raw_tps, "raw_second_half_tokens_per_sec": raw_half,
               "records": count["records"], "dead_letters": count["dead_letters"], "load_avg": list(os.getloadavg()), "output": a.output,
               "timing_definition": {
                   "pipeline": "app RUNNING on an empty topic, file produced while it trains: first input record's CreateTime -> first metrics record with every token trained",
                   "consume": "file on the topic first: app process start (JVM, group join included) -> first metrics record with every token trained",
                   "consume.train_seconds": "as consume, but from the app's first RUNNING state (start-up excluded)",
                   "first_million_seconds": "per mode, as seconds but to the first metrics record with >= 1M tokens trained",
                   "cpu_seconds": "per mode, CPU seconds (user + system) up to every token trained: the app JVM from its start, "
                                  "by thread group (learner, stream threads, jit_c1, jit_c2, gc, kafka_io, rocksdb, other); "
                                  "the broker from the mode's start (in consume mode after the file was produced); the "
                                  "producer JVM's whole run in pipeline mode (read every 0.1 s until it exits)",
                   "second_half_tokens_per_sec": "the second half of the tokens over the time they took (first metrics record, or raw "
                                                 "learning-curve point, at >= half the tokens -> the end): the rate once JIT warm-up is over"}}
        for m, r in results.items():
            out[m] = {k: v for k, v in r.items() if k != "metrics"}
        if a.json:
            print(json.dumps(out), flush=True)
        else:
            for m, r in results.items():
                print(f"{m}: {expected} tokens in {r['seconds']} s = {r['tokens_per_sec']:.0f} tokens/s, peak RSS {r['rss_mb']} MB")


def parse(argv):
    p = argparse.ArgumentParser(prog="bench/e2e.sh", description="streamvec end to end through a private local Kafka broker")
    p.add_argument("--repo-root", required=True, help=argparse.SUPPRESS)
    p.add_argument("--input", required=True, help="text file (plain or gzip), one record per line")
    p.add_argument("--output", required=True, help="word2vec text file for the final snapshot")
    for f in MODEL_FLAGS:
        p.add_argument("--" + f, help="model key (as for ./streamvec train)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="more app/model keys")
    p.add_argument("--app-set", action="append", default=[], metavar="KEY=VALUE",
                   help="app keys for the app only, not the raw trainer (e.g. learner.threads=2)")
    p.add_argument("--mode", choices=["both", "pipeline", "consume"], default="both")
    p.add_argument("--expect-tokens", type=int, help="tokens the raw trainer counted on --input: checked against the app's count")
    p.add_argument("--raw", action="store_true", help="also run the raw trainer first (raw_tokens, raw_tokens_per_sec)")
    p.add_argument("--timeout", type=float, default=1800, help="seconds to wait for training per mode")
    p.add_argument("--jfr", help="directory for a JFR recording of the app (app-<mode>.jfr)")
    p.add_argument("--nmt", metavar="DIR", help="Native Memory Tracking: once trained, the app's memory by category (jcmd) next to its RSS; text reports in DIR")
    p.add_argument("--parks", action="store_true",
                   help="record the app's thread parks of >= 1 ms (JFR jdk.ThreadPark only) and report, per mode, how long "
                        "the learner and the stream threads were parked within the timed window (parks)")
    p.add_argument("--app-jvm", default="", metavar="FLAGS", help="extra JVM flags for the app only (A/B experiments)")
    p.add_argument("--keep", action="store_true", help="keep the private STREAMVEC_HOME (logs, broker data)")
    p.add_argument("--json", action="store_true", help="one JSON summary line on stdout")
    return p.parse_args(argv)


def main(argv):
    args = parse(argv)
    args.input, args.output = os.path.abspath(args.input), os.path.abspath(args.output)
    if not os.path.isfile(args.input):
        log(f"error: no such file: {args.input}")
        return 3
    if shutil.which("kcat") is None:
        log("error: kcat is needed (apt-get install kcat)")
        return 1
    run = Run(args)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    try:
        run.main()
        return 0
    except KeyboardInterrupt:
        log("interrupted; stopping everything")
        return 130
    except (RuntimeError, subprocess.CalledProcessError, ValueError, KeyError) as e:
        log(f"error: {e}")
        return 1
    finally:
        run.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
