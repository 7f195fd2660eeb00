"""Tests of the driver's own parts, each against values worked out by hand; no export, data or authors' code needed.

    python3 -m unittest discover -s crosscheck -p 'test_*.py'
"""

import argparse
import json
import math
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare import (chi2_survival, epoch_distance, epoch_verdict, goodness_of_fit, holm, homogeneity_test,  # noqa: E402
                     position_bins, quantile_bins, same_interactions, uniform_negative_counts)
from export_data import Export, ExportError, read_lists  # noqa: E402
from options import export_folder, integer, letters, real  # noqa: E402


class OptionTests(unittest.TestCase):
    def refuses(self, parse, text, message):
        with self.assertRaises(argparse.ArgumentTypeError) as caught:
            parse(text)
        self.assertIn(message, str(caught.exception))

    def test_integer_range(self):
        self.assertEqual(integer(1, 10)("10"), 10)
        self.refuses(integer(1, 10), "0", "must be in 1...10; got 0")
        self.refuses(integer(1), "-5", "must be >= 1; got -5")
        self.refuses(integer(1), "2.5", "not an integer")

    def test_real_range(self):
        self.assertEqual(real(0)("0"), 0.0)
        self.refuses(real(0, low_open=True), "0", "> 0")
        for text in ("nan", "inf", "-1"):
            self.refuses(real(0), text, "must be a finite number >= 0")
        self.refuses(real(0), "x", "not a number")

    def test_letters(self):
        self.assertEqual(letters("abcdst")("dta"), "dta")
        self.assertEqual(letters("abcds")("dda"), "da")
        self.refuses(letters("abcds"), "ax", "not a stage: x")
        self.refuses(letters("abcds"), "", "got nothing")

    def test_export_folder(self):
        with tempfile.TemporaryDirectory() as folder:
            self.refuses(export_folder, folder, "has no manifest.json")
            self.refuses(export_folder, folder + "/missing", "is not a folder")
            (Path(folder) / "manifest.json").write_text("{}")
            self.assertEqual(export_folder(folder), Path(folder))


class ExportReadingTests(unittest.TestCase):
    def test_lists_and_their_errors(self):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "train.txt"
            path.write_text("0 3 1\n1\n\n2 5\n")
            self.assertEqual(read_lists(path), {0: [3, 1], 1: [], 2: [5]})
            path.write_text("0 3\n1 x\n")
            with self.assertRaisesRegex(ExportError, r"train\.txt:2: expected"):
                read_lists(path)

    def test_manifest_and_stage_folder(self):
        with tempfile.TemporaryDirectory() as folder:
            manifest = {"format": 1, "dataset": "ml-1m", "protocol": "unkd-code", "seed": 2023,
                        "teacher": {"backbone": "mf", "layers": 0}}
            (Path(folder) / "manifest.json").write_text(json.dumps(manifest))
            self.assertEqual(Export(Path(folder)).stage_folder, "ml-1m-unkd-code-seed2023")
            manifest["teacher"] = {"backbone": "lightgcn", "layers": 1}
            (Path(folder) / "manifest.json").write_text(json.dumps(manifest))
            self.assertEqual(Export(Path(folder)).stage_folder, "ml-1m-unkd-code-lightgcn-l1-seed2023")
            (Path(folder) / "manifest.json").write_text("{\n  bad")
            with self.assertRaisesRegex(ExportError, r"manifest\.json:2: not valid JSON"):
                Export(Path(folder)).manifest
            (Path(folder) / "manifest.json").write_text('{"format": 2}')
            with self.assertRaisesRegex(ExportError, "unsupported export format 2"):
                Export(Path(folder)).manifest


class StatisticsTests(unittest.TestCase):
    def test_chi_square_survival(self):
        # Two degrees of freedom: P(X >= x) = exp(-x / 2). One: erfc(sqrt(x / 2)); 3.8415 is the 5% point.
        self.assertAlmostEqual(chi2_survival(3.0, 2), math.exp(-1.5), places=12)
        self.assertAlmostEqual(chi2_survival(3.841458820694124, 1), 0.05, places=12)
        self.assertEqual(chi2_survival(7.0, 0), 1.0)

    def test_homogeneity_by_hand(self):
        # Counts [[20, 20], [30, 10]]: expected [[25, 15], [25, 15]], statistic 2 * (25/25 + 25/15) = 16/3, 1 dof.
        first = np.array([0] * 20 + [1] * 20)
        second = np.array([0] * 30 + [1] * 10)
        statistic, dof, p = homogeneity_test(first, second)
        self.assertAlmostEqual(statistic, 16 / 3, places=12)
        self.assertEqual(dof, 1)
        self.assertAlmostEqual(p, math.erfc(math.sqrt(8 / 3)), places=12)

    def test_homogeneity_merges_small_bins(self):
        # Values 0 and 1 hold 10 draws each (both samples together): merged into one bin of 20; value 2 holds 60.
        sample = np.array([0] * 5 + [1] * 5 + [2] * 30)
        self.assertEqual(homogeneity_test(sample, sample.copy()), (0.0, 1, 1.0))

    def test_holm(self):
        # Sorted p against 0.05/3, 0.05/2, 0.05/1: the second smallest (0.03 > 0.025) stops the procedure.
        self.assertEqual(holm([0.01, 0.04, 0.03], 0.05), [True, False, False])
        self.assertEqual(holm([0.01, 0.02, 0.04], 0.05), [True, True, True])
        self.assertEqual(holm([0.2], 0.05), [False])


class TrainingDrawTests(unittest.TestCase):
    def test_goodness_of_fit_by_hand(self):
        # (10 - 15)^2 / 15 twice: 10/3 on 1 degree of freedom, p = erfc(sqrt(5/3)).
        statistic, dof, p = goodness_of_fit([10, 20], [15, 15])
        self.assertAlmostEqual(statistic, 10 / 3, places=12)
        self.assertEqual(dof, 1)
        self.assertAlmostEqual(p, math.erfc(math.sqrt(5 / 3)), places=12)

    def test_uniform_negative_counts_by_hand(self):
        # User 0 (3 rows) has item 0 and draws among items 1 and 2: 1.5 each. User 1 (1 row) has items 1 and 2 and
        # draws item 0 every time.
        observed = np.array([[True, False, False], [False, True, True]])
        expected = uniform_negative_counts(observed, np.array([0, 1, 0, 0]))
        np.testing.assert_allclose(expected, [1.0, 1.5, 1.5], rtol=0, atol=1e-15)

    def test_quantile_bins(self):
        # Pooled 0..7: the quartiles cut at 1.75, 3.5 and 5.25.
        first, second = quantile_bins(np.arange(4.0), np.arange(4.0, 8.0), bins=4)
        self.assertEqual(first.tolist(), [0, 0, 1, 1])
        self.assertEqual(second.tolist(), [2, 2, 3, 3])

    def test_position_bins(self):
        # Rows 0, 5 and 9 of 10, in 5 bins of 2 rows.
        selected = np.zeros(10, dtype=bool)
        selected[[0, 5, 9]] = True
        self.assertEqual(position_bins(np.zeros((10, 3)), selected, bins=5).tolist(), [0, 2, 4])

    def test_same_interactions(self):
        train = [[1, 2], [0]]
        rows = np.array([[1, 0, 2], [0, 2, 1], [0, 1, 2]])
        self.assertTrue(same_interactions(rows, train))
        self.assertFalse(same_interactions(np.array([[1, 0, 2], [0, 2, 1], [0, 2, 1]]), train))
        self.assertFalse(same_interactions(rows[:2], train))


class EpochComparisonTests(unittest.TestCase):
    def test_distance_by_hand(self):
        # The reference moved from (0, 0) to (3, 4): a change of norm 5. (3, 5) is 1 away: 0.2 of the change.
        initial = np.zeros((1, 2))
        reference = np.array([[3.0, 4.0]])
        relative, largest = epoch_distance(np.array([[3.0, 5.0]]), reference, initial)
        self.assertAlmostEqual(relative, 0.2, places=15)
        self.assertEqual(largest, 1.0)
        self.assertEqual(epoch_distance(reference.copy(), reference, initial), (0.0, 0.0))

    def test_verdict(self):
        self.assertTrue(epoch_verdict(4e-7, 1e-7))
        self.assertFalse(epoch_verdict(4.1e-7, 1e-7))
        self.assertTrue(epoch_verdict(0.3, 0.1, factor=3))


if __name__ == "__main__":
    unittest.main()
