"""Unit tests of the drift benchmark's pure parts (bench/drift_lib.py): python3 -m unittest bench/test_drift.py"""
import os
import sys
import unittest
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import drift_lib  # noqa: E402


class SwapTest(unittest.TestCase):
    def test_swaps_whole_words_both_ways_in_any_case(self):
        line = "The Car hit an apple; carrot, cars and apples stay. car's apple"
        self.assertEqual("The apple hit an car; carrot, cars and apples stay. car's car",
                         drift_lib.swap_words(line, [("car", "apple")]))

    def test_pairs_skip_function_words_and_need_both_corpora(self):
        a = Counter({"the": 1000, "lord": 500, "king": 400, "house": 300, "day": 250, "love": 10})
        b = Counter({"the": 900, "house": 600, "day": 500, "love": 400, "king": 300, "lord": 250})
        self.assertEqual([("house", "day"), ("king", "lord")], drift_lib.choose_pairs(a, b, 2, skip_top=1, min_count=200))
        with self.assertRaises(ValueError):
            drift_lib.choose_pairs(a, b, 3, skip_top=1, min_count=200)
        self.assertEqual(["the", "love"], drift_lib.stable_words(a, b, 2, {"house", "day"}))


class DriftScoreTest(unittest.TestCase):
    def test_score_is_cosine_distance_damped_by_the_smaller_count(self):
        vf = {"up": [1.0, 0.0], "turn": [1.0, 0.0], "zero": [0.0, 0.0]}
        vt = {"up": [2.0, 0.0], "turn": [0.0, 3.0], "zero": [1.0, 0.0]}
        cf = {"up": 100, "turn": 20, "zero": 5}
        ct = {"up": 100, "turn": 60, "zero": 5}
        s = drift_lib.drift_scores(vf, cf, vt, ct, 20)
        self.assertEqual({"up", "turn"}, set(s))
        self.assertAlmostEqual(0.0, s["up"], places=12)
        self.assertAlmostEqual(1.0 * 20 / 40, s["turn"], places=12)
        r = drift_lib.ranks(s)
        self.assertEqual({"turn": 1, "up": 2}, r)
        self.assertEqual(0.0, drift_lib.percentile(1, 2))
        self.assertEqual(100.0, drift_lib.percentile(2, 2))


class RecoveryTest(unittest.TestCase):
    def test_first_point_after_which_the_switched_run_stays_within_ten_percent(self):
        alone = [(100, 300.0), (200, 200.0), (300, 150.0), (400, 140.0)]
        # switched: A ended at 1000 tokens; inside at +100 (A's history still weighs), out at +200,
        # inside again from +300 on
        switched = [(900, 90.0), (1100, 250.0), (1200, 260.0), (1300, 160.0), (1400, 150.0)]
        self.assertEqual(300, drift_lib.recovery_tokens(switched, alone, 1000))
        self.assertIsNone(drift_lib.recovery_tokens(switched, [(0, 100.0)], 1000))
        self.assertEqual(400, drift_lib.recovery_tokens(switched, [(0, 140.0)], 1000))

    def test_value_at_is_the_last_point_not_after(self):
        c = [(10, 1.0), (20, 2.0)]
        self.assertIsNone(drift_lib.value_at(c, 5))
        self.assertEqual(1.0, drift_lib.value_at(c, 19))
        self.assertEqual(2.0, drift_lib.value_at(c, 99))


if __name__ == "__main__":
    unittest.main()
