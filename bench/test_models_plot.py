#!/usr/bin/python3
"""Unit tests of bench/models_plot.py: the line fit against hand-computed values and the grouping
of the memory runs.    /usr/bin/python3 -m unittest bench/test_models_plot.py
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models_plot  # noqa: E402


def run(models, heap, query=True, keys=()):
    return {"models": models, "instances": 1, "query_side": query, "keys": list(keys),
            "memory": [{"live_heap_mb": heap, "rss_mb": 2 * heap}]}


class FitLineTest(unittest.TestCase):
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


class FitsTest(unittest.TestCase):
    def test_series_by_dim_and_query_side(self):
        runs = [run(1, 200), run(2, 300), run(1, 100, query=False), run(4, 250, query=False),
                run(1, 500, keys=["dim=300"]), run(2, 800, keys=["dim=300"])]
        heap = {(f["dim"], f["query_side"]): (f["mb_base"], f["mb_per_model"])
                for f in models_plot.fits(runs) if f["figure"] == "live_heap_mb"}
        self.assertEqual(heap, {(100, True): (100.0, 100.0), (100, False): (50.0, 50.0),
                                (300, True): (200.0, 300.0)})

    def test_a_single_point_gives_no_fit(self):
        self.assertEqual(models_plot.fits([run(1, 200)]), [])


if __name__ == "__main__":
    unittest.main()
