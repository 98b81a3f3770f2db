#!/usr/bin/python3
"""Unit tests of the benchmark's own logic (corpus normalisation, similarity scoring, launcher
output parsing). Fast, no peers needed:  /usr/bin/python3 -m unittest bench/test_bench.py
"""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eval_similarity  # noqa: E402
import prepare_corpus  # noqa: E402
import systems  # noqa: E402


class PrepareCorpusTest(unittest.TestCase):
    def prepare(self, text, max_tokens=0):
        d = tempfile.mkdtemp()
        src = os.path.join(d, "in.txt")
        with open(src, "w", encoding="utf-8") as f:
            f.write(text)
        meta = prepare_corpus.ensure(src, os.path.join(d, "out"), max_tokens)
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


class EvalSimilarityTest(unittest.TestCase):
    def test_rho_over_in_vocabulary_pairs_and_oov_counted(self):
        d = tempfile.mkdtemp()
        vec = os.path.join(d, "v.txt")
        with open(vec, "w") as f:  # cos(a,b)=1, cos(a,c)=0, cos(a,d)=-1 (approximately)
            f.write("4 2\na 1 0\nb 1 0.01\nc 0 1\nd -1 0\n")
        pairs = os.path.join(d, "EN-WS-353-ALL.txt")
        with open(pairs, "w") as f:
            f.write("A\tb\t9\na\tc\t5\na\td\t1\na\tzzz\t3\n")
        result = eval_similarity.evaluate(vec, [pairs])["ws353"]
        self.assertEqual((result["pairs"], result["scored"], result["oov"]), (4, 3, 1))
        self.assertAlmostEqual(result["rho"], 1.0, places=9)

        with open(pairs, "w") as f:  # reversed human order flips the sign
            f.write("a\tb\t1\na\tc\t5\na\td\t9\n")
        self.assertAlmostEqual(eval_similarity.evaluate(vec, [pairs])["ws353"]["rho"], -1.0, places=9)


class LauncherOutputTest(unittest.TestCase):
    def test_takes_last_json_summary(self):
        out = "progress 10%\n{\"tokens\": 5}\nnoise {\n" + json.dumps({"tokens": 7, "seconds": 1}) + "\n"
        self.assertEqual(systems.parse_streamvec(out)["tokens"], 7)

    def test_missing_summary_is_an_error(self):
        with self.assertRaises(ValueError):
            systems.parse_streamvec("trained 100 tokens\n")


if __name__ == "__main__":
    unittest.main()
