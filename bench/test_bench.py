#!/usr/bin/python3
"""Unit tests of the benchmark's own logic: corpus normalisation and building, the evaluator
(similarity and 3CosAdd analogy on tiny synthetic vectors), process measurement, system
planning, and the shape of the table / latest.json / plot. Fast (a few seconds), no peers:
    /usr/bin/python3 -m unittest bench/test_bench.py
"""
import json
import os
import socket
import sys
import tempfile
import threading
import time
import unittest
from types import SimpleNamespace

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "corpora"))
sys.path.insert(0, os.path.join(HERE, "eval"))
import e2e  # noqa: E402
import evaluate  # noqa: E402
import extract  # noqa: E402
import make_analogy  # noqa: E402
import measure  # noqa: E402
import memory_long  # noqa: E402
import memory_plot  # noqa: E402
import models_plot  # noqa: E402
import prepare_corpus  # noqa: E402
import report  # noqa: E402
import run_bench  # noqa: E402
import systems  # noqa: E402

PY = sys.executable


def write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


class PrepareCorpusTest(unittest.TestCase):
    def prepare(self, text, max_tokens=0):
        d = tempfile.mkdtemp()
        meta = prepare_corpus.ensure(write(d, "in.txt", text), os.path.join(d, "out"), max_tokens)
        with open(meta["tokens_file"], encoding="utf-8") as f:
            tokens = f.read().splitlines()
        with open(meta["raw"], encoding="utf-8") as f:
            raw = f.read()
        return meta, tokens, raw

    def test_normalises_and_splits_sentences(self):
        meta, lines, _ = self.prepare("Hello, World! Don\u2019t pay 1,000.5 in 1848; the 12th man.\n\nx_y\n")
        self.assertEqual(lines, ["hello world", "don't pay <num> in <num> the 12th man", "x y"])
        self.assertEqual(meta["tokens"], 12)

    def test_max_tokens_cuts_both_files_at_the_same_place(self):
        meta, lines, raw = self.prepare("One two. Three four five\nsix seven\n", max_tokens=4)
        self.assertEqual(lines, ["one two", "three four"])
        self.assertEqual(raw, "One two. Three four\n")
        self.assertEqual(meta["tokens"], 4)


class CorporaTest(unittest.TestCase):
    def test_rst_keeps_prose_and_drops_code_and_markup(self):
        text = ("Title\n=====\n\n.. _target:\n\nUse :func:`len` or ``x`` with `a link <http://x>`_.\n"
                "For example::\n\n   >>> code()\n   more code\n\nBack to prose.\n"
                ".. code-block:: c\n\n   int x;\n\n.. note::\n\n   A note stays.\n")
        self.assertEqual(extract.strip_rst(text),
                         ["Title", "", "Use len or x with a link.", "For example.", "", "Back to prose.",
                          "", "A note stays."])

    def test_mix_keeps_the_proportions_in_every_prefix(self):
        d = tempfile.mkdtemp()
        big = write(d, "big.txt", "b b b b\n" * 300)     # 1200 words
        small = write(d, "small.txt", "s s s s\n" * 100)  # 400 words
        out = os.path.join(d, "mixed.txt")
        extract.mix(out, [big, small], block_words=40)
        with open(out) as f:
            lines = f.read().splitlines()
        self.assertEqual(len(lines), 400)
        for prefix in (100, 200, 300):
            share = sum(1 for l in lines[:prefix] if l.startswith("s")) / prefix
            self.assertAlmostEqual(share, 0.25, delta=0.06)


def vectors_file(rows):
    d = tempfile.mkdtemp()
    dim = len(rows[0][1])
    text = f"{len(rows)} {dim}\n" + "".join(w + " " + " ".join(map(str, v)) + "\n" for w, v in rows)
    return write(d, "v.txt", text)


class SimilarityTest(unittest.TestCase):
    def test_rho_over_in_vocabulary_pairs_and_oov_counted(self):
        vec = vectors_file([("a", (1, 0)), ("b", (1, 0.01)), ("c", (0, 1)), ("d", (-1, 0))])
        d = tempfile.mkdtemp()
        pairs = write(d, "EN-WS-353-ALL.txt", "A\tb\t9\na\tc\t5\na\td\t1\na\tzzz\t3\n")
        result = evaluate.evaluate(vec, [pairs])["ws353"]
        self.assertEqual((result["pairs"], result["scored"], result["oov"]), (4, 3, 1))
        self.assertAlmostEqual(result["rho"], 1.0, places=9)
        write(d, "EN-WS-353-ALL.txt", "a\tb\t1\na\tc\t5\na\td\t9\n")  # reversed order flips the sign
        self.assertAlmostEqual(evaluate.evaluate(vec, [pairs])["ws353"]["rho"], -1.0, places=9)

    def test_bad_vector_file_is_a_clear_error(self):
        d = tempfile.mkdtemp()
        with self.assertRaisesRegex(ValueError, "expected a word and 2 numbers"):
            evaluate.load_vectors(write(d, "bad.txt", "2 2\na 1 0\nb 1\n"))
        with self.assertRaisesRegex(ValueError, "count dim"):
            evaluate.load_vectors(write(d, "bad2.txt", "a 1 0\n"))


class AnalogyTest(unittest.TestCase):
    # gender along axis 0, royalty along axis 1, plural along axis 2: king - man + woman = queen
    VECS = [("man", (1, 0, 0, 0.1)), ("woman", (-1, 0, 0, 0.1)), ("king", (1, 1, 0, 0.1)),
            ("queen", (-1, 1, 0, 0.1)), ("kings", (1, 1, 1, 0.1)), ("other", (0, 0, 0, 1))]

    def score(self, questions):
        d = tempfile.mkdtemp()
        path = write(d, "analogy-en.txt", questions)
        return evaluate.evaluate(vectors_file(self.VECS), [], [path])["analogy"]

    def test_3cosadd_finds_the_answer_and_excludes_the_question_words(self):
        # king:kings :: queen:? has no plural queen; the nearest word not in the question that
        # is wrong: the question still counts as answered and wrong.
        result = self.score(": gender\nman woman king queen\nwoman man queen king\n"
                            ": plural\nking kings queen queens\n")
        self.assertEqual((result["questions"], result["answered"], result["correct"], result["oov"]),
                         (3, 2, 2, 1))
        self.assertEqual(result["sections"]["gender"]["accuracy"], 1.0)
        self.assertIsNone(result["sections"]["plural"]["accuracy"])  # all OOV: none answered
        self.assertEqual(result["sections"]["plural"]["oov"], 1)

    def test_a_wrong_nearest_neighbour_is_scored_wrong(self):
        # man:king :: woman:? -> queen (right); man:king :: kings:? -> the answer "man" is wrong
        result = self.score(": x\nman king woman queen\nman king kings man\n")
        self.assertEqual((result["answered"], result["correct"]), (2, 1))
        self.assertAlmostEqual(result["accuracy"], 0.5)

    def test_our_set_expands_pairs_like_google(self):
        sections = make_analogy.read_pairs(os.path.join(HERE, "eval", "analogy-pairs.txt"))
        self.assertGreaterEqual(len(sections), 5)
        for _, pairs in sections:
            self.assertEqual(len(make_analogy.questions(pairs)), len(pairs) * (len(pairs) - 1))
        questions = evaluate.read_analogies(os.path.join(HERE, "eval", "analogy-en.txt"))
        self.assertEqual(len(questions), sum(len(p) * (len(p) - 1) for _, p in sections))


class MeasureTest(unittest.TestCase):
    def test_peak_rss_of_a_child_and_its_exit_code(self):
        log = os.path.join(tempfile.mkdtemp(), "x.log")
        m = measure.run_measured([PY, "-c", "b = bytearray(80 << 20); b[::4096] = b'x' * len(b[::4096]); print('hi')"], log, 60)
        self.assertEqual(m.rc, 0)
        self.assertGreater(m.rss_mb, 80)
        self.assertIn("hi", m.output)
        self.assertEqual(measure.run_measured([PY, "-c", "raise SystemExit(3)"], log, 60).rc, 3)

    def test_timeout_and_missing_program(self):
        log = os.path.join(tempfile.mkdtemp(), "x.log")
        self.assertEqual(measure.run_measured([PY, "-c", "import time; time.sleep(30)"], log, 1).rc,
                         "timeout after 1s")
        self.assertIn("could not start", measure.run_measured(["/nonexistent/prog"], log, 5).rc)


def params(help_text, repo_root="/nonexistent"):
    return SimpleNamespace(dim=10, window=3, negatives=2, min_count=1, repo_root=repo_root,
                           out_dir="/tmp", tokens_file="t.txt", raw_file="r.txt", peer_tokens=7,
                           streamvec=systems.StreamvecFeatures("./streamvec", help_text))


class PlanTest(unittest.TestCase):
    def test_threads_and_curve_are_used_only_when_the_trainer_has_them(self):
        old = systems.plan(["streamvec"], [1, 2], params("usage: train --json"))
        self.assertIsNone(old[0].missing)
        self.assertNotIn("--threads", old[0].cmd)
        self.assertIn("no --threads option", old[1].missing)
        new = systems.plan(["streamvec"], [1, 2], params("usage: --threads N --curve FILE"))
        self.assertIsNone(new[1].missing)
        self.assertEqual(new[1].cmd[new[1].cmd.index("--threads") + 1], "2")
        self.assertIn("--curve", new[0].cmd)

    def test_the_embeddings_row_is_the_default_command_without_the_mixture(self):
        default, embed = systems.plan(["streamvec", "streamvec-embed"], [1], params("usage: --threads N"))
        self.assertEqual(embed.cmd[-4:-2], ["--mixture-order", "0"])
        self.assertEqual([a for a in embed.cmd if a not in ("--mixture-order", "0")],
                         [a.replace("streamvec-t1", "streamvec-embed-t1") for a in default.cmd])

    def test_lm_row_adds_the_baseline_runs_once_and_needs_the_option(self):
        runs = systems.plan(["streamvec-lm"], [1, 2], params("usage: --threads N --baseline ngram"))
        self.assertEqual([r.label for r in runs], ["streamvec-lm/t1"])
        self.assertEqual(runs[0].cmd[runs[0].cmd.index("--baseline") + 1], "ngram")
        self.assertIsNone(runs[0].missing)
        old = systems.plan(["streamvec-lm"], [1], params("usage: train --json"))
        self.assertIn("no --baseline option", old[0].missing)

    def test_kafka_runs_once_and_peers_at_every_thread_count(self):
        runs = systems.plan(["word2vec", "streamvec-kafka"], [1, 2], params(""))
        self.assertEqual([r.label for r in runs], ["word2vec/t1", "word2vec/t2", "streamvec-kafka/t1"])
        self.assertEqual(runs[1].cmd[runs[1].cmd.index("-threads") + 1], "2")

    def test_streamvec_summary_and_curve_parsing(self):
        out = "progress 10%\n{\"tokens\": 5}\nnoise {\n" + json.dumps({"tokens": 7, "seconds": 1}) + "\n"
        self.assertEqual(systems.parse_streamvec(out)["tokens"], 7)
        with self.assertRaises(ValueError):
            systems.parse_streamvec("trained 100 tokens\n")
        curve = write(tempfile.mkdtemp(), "c.jsonl", '{"tokens": 1, "window_perplexity": 9}\n{"tok\n{"x": 1}\n')
        self.assertEqual(systems.read_curve(curve), [{"tokens": 1, "window_perplexity": 9}])


# A stand-in trainer for the harness test: writes fixed vectors and, like streamvec, a JSON summary.
FAKE_TRAINER = """
import json, sys
out = sys.argv[1]
open(out, "w").write("3 2\\nman 1 0\\nwoman 0.9 0.1\\nking 0 1\\n")
print(json.dumps({"tokens": 1000, "tokens_per_sec": 5000, "perplexity": 42.0, "ngram_perplexity": 60.0}))
"""


class HarnessTest(unittest.TestCase):
    def test_e2e_free_ports_are_distinct_bindable_and_below_the_ephemeral_range(self):
        ports = [e2e.free_port() for _ in range(20)]
        self.assertEqual(len(set(ports)), 20)
        self.assertTrue(all(10000 <= p < e2e.ephemeral_low() for p in ports), ports)
        with socket.socket() as s:
            s.bind(("127.0.0.1", ports[-1]))   # still free right after the pick

    def test_jfr_json_times_and_durations(self):
        # as `jfr print --json` writes them (JDK 25)
        self.assertEqual(e2e.parse_jfr_time("2026-12-02T21:46:08.731188255Z"), 1796247968.731188255)
        self.assertEqual(e2e.parse_jfr_time("2026-12-02T22:46:08.5+01:00"), 1796247968.5)
        self.assertAlmostEqual(e2e.parse_jfr_duration("PT0.095487743S"), 0.095487743)
        self.assertAlmostEqual(e2e.parse_jfr_duration("PT1M2.5S"), 62.5)
        self.assertAlmostEqual(e2e.parse_jfr_duration("PT1H"), 3600)

    def test_parks_count_within_the_window_only(self):
        def park(start, seconds, thread, *frames):
            stack = [{"method": {"type": {"name": t}, "name": m}} for t, m in
                     [("jdk/internal/misc/Unsafe", "park")] + [f.rsplit(".", 1) for f in frames]]
            return {"values": {"startTime": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(start))) +
                               f"{start % 1:.3f}"[1:] + "Z", "duration": f"PT{seconds}S",
                               "eventThread": {"javaName": thread}, "stackTrace": {"frames": stack}}}
        t0 = 1_800_000_000
        learner, stream = "streamvec-learner-1_0", "e2e-consume-abc-StreamThread-1"
        events = [park(t0 - 2, 3, learner),                # its wait for the first line: 1 s inside
                  park(t0 + 5, 0.5, learner),
                  park(t0 + 9.75, 1, learner),             # the window ends at t0 + 10
                  park(t0 + 11, 2, learner),               # after it
                  park(t0 + 4, 0.25, stream, "a.Producer.flush", "b.Task.commit", "c.Thread.run"),
                  park(t0 + 6, 0.125, stream, "a.Producer.flush", "b.Task.commit")]
        report = e2e.park_summary(events, t0, t0 + 10, "e2e-consume-abc")
        self.assertEqual(report["by_group"]["learner"], {"parked_s": 1.75, "parks": 3, "parks_100ms": 3, "longest_s": 3,
                                                          "parked_after_first_line_s": 0.75})
        self.assertEqual(report["by_group"]["stream"]["parked_s"], 0.38)
        self.assertEqual(report["stream_parked_in"], {"a.Producer.flush < b.Task.commit": 0.38})

    def test_native_memory_summary_is_read_per_category(self):
        # the layout of `jcmd PID VM.native_memory summary scale=MB` on JDK 17
        text = ("Native Memory Tracking:\n\nTotal: reserved=7993MB, committed=1056MB\n"
                "       malloc: 84MB #339145\n\n"
                "-                 Java Heap (reserved=6144MB, committed=896MB)\n"
                "                            (mmap: reserved=6144MB, committed=896MB)\n"
                "-                     Class (reserved=1024MB, committed=12MB)\n"
                "-                        GC (reserved=254MB, committed=63MB)\n")
        self.assertEqual({"Total": 1056, "Java Heap": 896, "Class": 12, "GC": 63}, e2e.parse_nmt(text))

    def test_ratio_to_raw_compares_streamvec_tokens_with_streamvec_tokens(self):
        # the Kafka row's tokens_per_s counts the peers' tokens; the raw trainer's own rate counts
        # streamvec's (sentence ends included): the ratio must use the same unit on both sides
        rows = [{"system": "word2vec", "threads": 1, "tokens_per_s": 300.0},
                {"system": "streamvec", "threads": 1, "tokens_per_s": 340.0, "own_tokens_per_s": 400.0},
                {"system": "streamvec-kafka", "threads": 1, "tokens_per_s": 300.0, "own_tokens_per_s": 320.0,
                 "tokens": 1000, "system_tokens": 1066},
                {"system": "streamvec-kafka", "threads": 1, "tokens_per_s": 300.0, "own_tokens_per_s": None,
                 "tokens": 1000, "system_tokens": 1066}]
        run_bench.add_ratios(rows)
        self.assertAlmostEqual(rows[2]["ratio_to_raw"], 0.8, places=3)
        self.assertAlmostEqual(rows[3]["ratio_to_raw"], 300.0 * 1.066 / 400.0, places=3)
        self.assertAlmostEqual(rows[2]["ratio_to_word2vec"], 1.0, places=3)

    def test_served_perplexities_are_printed_with_their_intervals(self):
        s = {"served_scored_tokens": 12345.0, "served_model_perplexity": 80.4,
             "served_model_perplexity_low": 77.8, "served_model_perplexity_high": 83.1,
             "ngram_perplexity": 61.2, "ngram_perplexity_low": 58.7, "ngram_perplexity_high": 63.8,
             "served_perplexity": 48.8, "served_perplexity_low": 47.1, "served_perplexity_high": 50.5,
             "served_ngram_perplexity": 61.2, "served_vs_ngram": 0.797,
             "served_vs_ngram_low": 0.787, "served_vs_ngram_high": 0.807,
             "served_vs_baseline": 0.852, "served_vs_baseline_low": 0.841,
             "served_vs_baseline_high": 0.863, "served_vs_baseline_tokens": 55544.0,
             "served_vs_baseline_block": 39.0, "served_vs_baseline_lag1": 0.01}
        line = report.table_lines([{"system": "streamvec-lm", "threads": 1, "status": "ok",
                                    "scores": s}])[3]
        self.assertIn("12,345 scored tokens", line)
        self.assertIn("model 80.4 [77.8, 83.1]", line)
        self.assertIn("KN trigram 61.2 [58.7, 63.8]", line)
        self.assertIn("served 48.8 [47.1, 50.5]", line)
        self.assertIn("0.797 [0.787, 0.807]", line)
        self.assertIn("served/KN trigram paired on 55,544 tokens: 0.852 [0.841, 0.863]", line)
        self.assertIn("blocks of 39", line)

    def test_rows_ratios_table_json_and_plot(self):
        d = tempfile.mkdtemp()
        sim = write(d, "sim.txt", "man woman 9\nman king 1\nwoman king 2\nman zzz 5\n")
        fake = write(d, "fake.py", FAKE_TRAINER)
        w2v = systems.Run("word2vec", [PY, fake, os.path.join(d, "w.vec")], os.path.join(d, "w.vec"), 1, 2000)
        sv = systems.Run("streamvec", [PY, fake, os.path.join(d, "s.vec")], os.path.join(d, "s.vec"), 1, 2000,
                         parse=systems.parse_streamvec)
        broken = systems.Run("fasttext", [PY, "-c", "raise SystemExit(2)"], "none", 1, 2000)
        runs = [w2v, sv, broken]
        rows = [run_bench.new_row(r) for r in runs]
        for _ in range(2):
            for run, row in zip(runs, rows):
                if row["status"] == "ok":
                    run_bench.measure_once(run, row, d, 60)
        for run, row in zip(runs, rows):
            run_bench.finish(run, row, [sim], [])
        run_bench.add_ratios(rows)

        self.assertEqual([r["status"] for r in rows], ["ok", "ok", "failed"])
        self.assertIn("exit 2", rows[2]["error"])
        w, s = rows[0], rows[1]
        self.assertEqual(len(w["tokens_per_s_runs"]), 2)
        self.assertEqual((s["tokens"], s["system_tokens"]), (2000, 1000))  # corpus vs its own count
        self.assertAlmostEqual(s["ratio_to_word2vec"], s["tokens_per_s"] / w["tokens_per_s"], places=2)
        self.assertEqual(s["own_tokens_per_s"], 5000)
        self.assertEqual((s["scores"]["perplexity"], s["scores"]["ngram_perplexity"]), (42.0, 60.0))
        self.assertEqual(s["scores"]["sim"]["oov"], 1)
        self.assertAlmostEqual(s["scores"]["sim"]["rho"], 1.0)
        self.assertGreater(s["rss_mb"], 1)

        results = os.path.join(d, "latest.json")
        report.write_json(rows, results)
        with open(results) as f:
            loaded = json.load(f)
        self.assertIsInstance(loaded, list)
        self.assertEqual(len(loaded), 3)
        for row in loaded:
            for key in ("system", "threads", "tokens_per_s", "ratio_to_word2vec", "rss_mb", "scores"):
                self.assertIn(key, row)
        lines = report.table_lines(rows)
        self.assertTrue(lines[0].startswith("system"))
        self.assertIn("FAILED: exit 2", "\n".join(lines))
        kafka = {"seconds": 99.0, "reported": {"seconds": 4.0, "tokens": 1000, "tokens_per_sec": 250}}
        self.assertEqual(run_bench.kafka_speed(2000, kafka), 500)  # the corpus' tokens / its interval
        png = os.path.join(d, "latest.png")
        curves = {"streamvec": [{"tokens": 100, "window_perplexity": 80, "ngram_window_perplexity": 90},
                                {"tokens": 200, "window_perplexity": 60, "ngram_window_perplexity": 85}]}
        why_not = report.plot(rows, curves, png, "test")
        if why_not is None:
            with open(png, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")


class SecondHalfRatios(unittest.TestCase):
    def test_each_mode_over_the_raw_trainers_second_half(self):
        rep = {"raw_second_half_tokens_per_sec": 400.0, "pipeline": {"second_half_tokens_per_sec": 300.0},
               "consume": {"second_half_tokens_per_sec": 360.0}}
        self.assertEqual(run_bench.second_half_ratios(rep), {"pipeline": 0.75, "consume": 0.9})

    def test_nothing_without_the_raw_rate(self):
        self.assertEqual(run_bench.second_half_ratios({"pipeline": {"second_half_tokens_per_sec": 3.0}}), {})


class SecondHalfRate(unittest.TestCase):
    def test_rate_over_the_second_half_of_the_tokens(self):
        # 100 tokens/s for the first 10 s (warm-up), then 400 tokens/s: the second half is all at 400
        points = [(t, 100 * t) for t in range(11)] + [(10 + t, 1000 + 400 * t) for t in range(1, 6)]
        self.assertEqual(e2e.second_half_rate(points), 400.0)

    def test_half_is_the_first_point_at_or_past_half_the_tokens(self):
        self.assertEqual(e2e.second_half_rate([(0, 0), (1, 40), (2, 60), (4, 100)]), 20.0)

    def test_degenerate_curves_give_none(self):
        self.assertIsNone(e2e.second_half_rate([]))
        self.assertIsNone(e2e.second_half_rate([(3, 0)]))
        self.assertIsNone(e2e.second_half_rate([(3, 10)]))


class CpuAccountingTest(unittest.TestCase):
    def test_a_process_cpu_is_what_the_kernel_reports_to_os_times(self):
        x = 0
        for i in range(3_000_000):
            x += i * i
        t = os.times()
        cpu = e2e.stat_cpu_seconds(f"/proc/{os.getpid()}/stat")
        self.assertAlmostEqual(cpu, t.user + t.system, delta=0.05)
        self.assertIsNone(e2e.stat_cpu_seconds("/proc/0/stat"))

    def test_threads_are_grouped_by_their_truncated_names(self):
        stream = "streamvec-e2e-consume-long"  # application.id: thread names start with it, comm keeps 15 chars
        groups = {n: e2e.thread_group(n, stream) for n in ("streamvec-learn", "C2 CompilerThre", "C1 CompilerThre",
                                                          "streamvec-e2e-c", "GC Thread#0", "G1 Conc#0", "VM Thread",
                                                          "kafka-producer-", "rocksdb:low", "main")}
        self.assertEqual(groups, {"streamvec-learn": "learner", "C2 CompilerThre": "jit_c2", "C1 CompilerThre": "jit_c1",
                                  "streamvec-e2e-c": "stream", "GC Thread#0": "gc", "G1 Conc#0": "gc", "VM Thread": "gc",
                                  "kafka-producer-": "kafka_io", "rocksdb:low": "rocksdb", "main": "other"})

    def test_this_process_threads_add_up_to_its_cpu(self):
        # live threads only (the app's are read before it is stopped): the spinner waits, alive
        spun, done = threading.Event(), threading.Event()

        def spin():
            end = time.time() + 0.5
            while time.time() < end:
                sum(range(1000))
            spun.set()
            done.wait()

        t = threading.Thread(target=spin, name="spinner")
        t.start()
        spun.wait()
        groups = e2e.app_thread_cpu(os.getpid(), "nothing")
        total = e2e.stat_cpu_seconds(f"/proc/{os.getpid()}/stat")
        done.set()
        t.join()
        self.assertEqual(list(groups), ["other"])
        self.assertGreater(groups["other"], 0.3)
        self.assertAlmostEqual(groups["other"], total, delta=0.05)


# bench/models_plot.py: the line fit against hand-computed values, the grouping of memory runs
def memory_run(models, heap, query=True, keys=()):
    return {"models": models, "instances": 1, "query_side": query, "keys": list(keys),
            "memory": [{"live_heap_mb": heap, "rss_mb": 2 * heap}]}


class ModelsPlotFitLineTest(unittest.TestCase):
    def test_exact_line(self):
        base, slope = models_plot.fit_line([(1, 150), (2, 250), (4, 450)])
        self.assertAlmostEqual(base, 50.0)
        self.assertAlmostEqual(slope, 100.0)

    def test_least_squares(self):
        # x = 1, 2, 3; y = 1, 2, 4: slope = sum(dx*dy)/sum(dx^2) = (1*4/3 + 0 + 1*5/3)/2 = 1.5,
        # intercept = 7/3 - 1.5*2 = -2/3
        base, slope = models_plot.fit_line([(1, 1), (2, 2), (3, 4)])
        self.assertAlmostEqual(slope, 1.5)
        self.assertAlmostEqual(base, -2 / 3)

    def test_one_model_count_is_refused(self):
        with self.assertRaises(ValueError):
            models_plot.fit_line([(2, 1), (2, 3)])


class ModelsPlotFitsTest(unittest.TestCase):
    def test_series_by_dim_and_query_side(self):
        runs = [memory_run(1, 200), memory_run(2, 300), memory_run(1, 100, query=False),
                memory_run(4, 250, query=False),
                memory_run(1, 500, keys=["dim=300"]), memory_run(2, 800, keys=["dim=300"])]
        heap = {(f["dim"], f["query_side"]): (f["mb_base"], f["mb_per_model"])
                for f in models_plot.fits(runs) if f["figure"] == "live_heap_mb"}
        self.assertEqual(heap, {(100, True): (100.0, 100.0), (100, False): (50.0, 50.0),
                                (300, True): (200.0, 300.0)})

    def test_a_single_point_gives_no_fit(self):
        self.assertEqual(models_plot.fits([memory_run(1, 200)]), [])


class MemoryLongParsersTest(unittest.TestCase):
    def test_glibc_arenas_are_64mb_aligned_pairs_or_full_regions(self):
        def region(start, end, perms, rss, path=""):
            inode = "0" if not path else "123"
            return f"{start:x}-{end:x} {perms} 00000000 00:00 {inode}   {path}\nSize: {(end - start) // 1024} kB\nRss: {rss} kB\n"
        mb = 1 << 20
        smaps = (region(0x7f0000000000, 0x7f0000000000 + 10 * mb, "rw-p", 9000)      # arena in use, 10 MB
                 + region(0x7f0000000000 + 10 * mb, 0x7f0000000000 + 64 * mb, "---p", 0)  # its reserved rest
                 + region(0x7f0004000000, 0x7f0008000000, "rw-p", 2000)               # a full 64 MB arena
                 + region(0x7f0008100000, 0x7f0008200000, "rw-p", 1024)               # unaligned, with
                 + region(0x7f0008200000, 0x7f000c100000, "---p", 0)                  # a 64 MB-summing rest
                 + region(0x7f0010000000, 0x7f0010100000, "rw-p", 1024)               # aligned, no PROT_NONE rest
                 + region(0x7f0014000000, 0x7f0018000000, "rw-p", 500, "/lib/x.so"))  # file mapping
        self.assertEqual(memory_long.arenas(smaps), (2, round(11000 / 1024, 1)))

    def test_scrape_sums_memory_series_over_their_labels(self):
        text = "\n".join([
            "# HELP x", 'kafka_stream_state_block_cache_usage{rocksdb_state_id="rows"} 1048576.0',
            'kafka_stream_state_block_cache_usage{rocksdb_state_id="replay"} 2097152.0',
            'kafka_stream_state_size_all_mem_tables{rocksdb_state_id="rows"} NaN',
            'jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 100.0',
            'jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 50.0',
            'jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 7.0',
            'jvm_buffer_memory_used_bytes{id="direct"} 3.0', 'jvm_buffer_memory_used_bytes{id="mapped"} 9.0',
            "process_cpu_usage 0.5"])
        self.assertEqual(memory_long.scrape_sums(text), {
            "kafka_stream_state_block_cache_usage": 3145728.0, "kafka_stream_state_block_cache_usage_max": 2097152.0,
            "jvm_memory_used_bytes_heap": 150.0,
            "jvm_memory_used_bytes_nonheap": 7.0, "jvm_direct_buffer_used_bytes": 3.0})

    def test_rss_table_takes_the_first_sample_at_or_after_each_step(self):
        m = 1_000_000
        a = [{"tokens": 0, "rss_mb": 1}, {"tokens": 5 * m, "rss_mb": 500}, {"tokens": 12 * m, "rss_mb": 1200},
             {"tokens": 18 * m, "rss_mb": 1300}, {"tokens": 21 * m, "rss_mb": 1400}]
        b = [{"tokens": 9 * m, "rss_mb": 900.4}]
        self.assertEqual(memory_plot.rss_at(a, 10 * m), {0: 500, 10 * m: 1200, 20 * m: 1400})
        self.assertEqual(memory_plot.table([("a", a), ("b", b)], 10 * m).splitlines()[2:],
                         ["| 0M | 500 | 900 |", "| 10M | 1,200 |  |", "| 20M | 1,400 |  |"])

    def test_class_histogram_top_and_total(self):
        text = ("num     #instances         #bytes  class name (module)\n"
                "   1:         10        2097152  [F (java.base@17)\n"
                "   2:          5        1048576  [B (java.base@17)\n"
                "Total         15        3145728\n")
        self.assertEqual(memory_long.histogram_top(text, 1), ([("[F", 2.0)], 3.0))


if __name__ == "__main__":
    unittest.main()
