"""Runs one benchmark command and measures it: wall time, exit status, and the peak resident
set size of the process tree, from the kernel's own accounting (os.wait4 returns the child's
rusage, whose ru_maxrss on Linux is the largest RSS of the child and of every descendant it
waited for: the launcher's java, gensim's python). No polling, so no sampling error."""
import os
import signal
import subprocess
import threading
import time


class Measured:
    def __init__(self, rc, seconds, rss_mb, output):
        self.rc, self.seconds, self.rss_mb, self.output = rc, seconds, rss_mb, output


def run_measured(cmd, log_path, timeout):
    """rc is an int exit code, or a string saying why the command did not finish."""
    timed_out = threading.Event()
    with open(log_path, "w+", encoding="utf-8", errors="replace") as log:
        start = time.perf_counter()
        try:
            # A session of its own, so that a timeout ends the whole tree (e2e.sh's broker too).
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        except OSError as e:
            return Measured(f"could not start: {e}", 0.0, None, "")

        def kill_tree():
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                time.sleep(5)
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill_tree)
        timer.daemon = True
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read()
    rc = f"timeout after {timeout}s" if timed_out.is_set() else proc.returncode
    return Measured(rc, seconds, round(usage.ru_maxrss / 1024.0, 1), output)
