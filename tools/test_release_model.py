"""Tests of tools/release_model.py's model card rows (run: /usr/bin/python3 -m unittest tools/test_release_model.py).
The export and quality run themselves are exercised by the sample-model releases (tools/README.md)."""
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quality as Q  # noqa: E402
import release_model  # noqa: E402
import simulate  # noqa: E402


class CardRowsTest(unittest.TestCase):

    def test_every_criterion_is_a_row_and_the_classifier_row_carries_the_blurred_diagnostic(self):
        sim = simulate.generate_dataset(40, 64, 1, Q.SIM_START_SEED)
        gen = np.clip(simulate.generate_dataset(40, 64, 1, 6_000_000).astype(np.int16) + 20, 0, 255).astype(np.uint8)
        ref = simulate.generate_dataset(40, 64, 1, Q.REF_START_SEED)
        q = Q.evaluate(gen, sim, None, ref=ref, c2st_epochs=2, log=lambda m: None)
        rows = release_model.criteria(q)
        self.assertEqual(len(rows), q["criteria_count"])
        c2st = [r for r in rows if r["name"] == "classifier two-sample test"][0]
        self.assertIn("held-out accuracy", c2st["detail"])
        self.assertIn("blurred with sigma 1 px", c2st["detail"])
        self.assertIn("not a criterion", c2st["detail"])


if __name__ == "__main__":
    unittest.main()
