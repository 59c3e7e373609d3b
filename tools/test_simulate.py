"""Self-tests for tools/simulate.py.

Run with ``/usr/bin/python3 -m unittest tools/test_simulate.py`` or
``/usr/bin/python3 tools/test_simulate.py``.
"""

import os
import sys
import tempfile
import unittest

import numpy as np
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simulate as S  # noqa: E402
from quality import otsu_threshold  # noqa: E402  (the rule quality.py segments nuclei with)


class TestSimulate(unittest.TestCase):

    def test_deterministic(self):
        for seed in (0, 7, 12345):
            a = S.simulate(seed, 128)
            b = S.simulate(seed, 128)
            self.assertTrue(np.array_equal(a, b))
            self.assertEqual(a.tobytes(), b.tobytes())
        a2 = S.simulate(3, 96, channels=2)
        b2 = S.simulate(3, 96, channels=2)
        self.assertEqual(a2.tobytes(), b2.tobytes())

    def test_labels_match_plain_image(self):
        img, lab = S.simulate_with_labels(5, 128)
        self.assertTrue(np.array_equal(img, S.simulate(5, 128)))
        self.assertEqual(lab.dtype, np.int32)
        self.assertEqual(lab.shape, (128, 128))

    def test_clean_is_the_same_scene_without_noise(self):
        for ch in (1, 2):
            noisy, clean = S.simulate(8, 128, ch), S.simulate_clean(8, 128, ch)
            self.assertEqual(clean.shape, noisy.shape)
            self.assertTrue(np.array_equal(noisy, S.simulate(8, 128, ch)))   # drawing it leaves the noisy one alone
            resid = noisy - clean
            # same scene: the difference is small, zero-mean noise, and it is pixel noise (white), not structure
            self.assertLess(abs(float(resid.mean())), 0.1 * float(resid.std()))
            self.assertLess(float(resid.std()), 0.25 * float(clean.std()))
            r = resid[0] - resid[0].mean()
            lag1 = float((r[:, 1:] * r[:, :-1]).mean() / (r * r).mean())
            self.assertLess(abs(lag1), 0.1)
            self.assertFalse(np.array_equal(noisy, clean))

    def test_seeds_differ(self):
        imgs = [S.simulate(s, 64) for s in range(5)]
        for i in range(len(imgs)):
            for j in range(i + 1, len(imgs)):
                self.assertFalse(np.array_equal(imgs[i], imgs[j]))

    def test_range_dtype_shape(self):
        for size in (64, 128, 256):
            for ch in (1, 2):
                x = S.simulate(11, size, channels=ch)
                self.assertEqual(x.shape, (ch, size, size))
                self.assertEqual(x.dtype, np.float32)
                self.assertGreaterEqual(float(x.min()), 0.0)
                self.assertLessEqual(float(x.max()), 1.0)
                self.assertTrue(np.isfinite(x).all())

    def test_channel0_independent_of_channel_count(self):
        one = S.simulate(21, 128, channels=1)
        two = S.simulate(21, 128, channels=2)
        self.assertTrue(np.array_equal(one[0], two[0]))
        self.assertFalse(np.array_equal(two[0], two[1]))

    def test_nucleus_counts(self):
        for seed in range(30):
            _, lab, info = S.simulate_with_labels(seed, 256, return_info=True)
            n, m = info["n_nuclei"], info["n_mitotic"]
            self.assertTrue(3 <= n <= 25, n)
            self.assertTrue(0 <= m <= 3, m)
            ids = np.unique(lab[lab > 0])
            self.assertLessEqual(ids.max(), n + m)
            interphase = int((ids <= n).sum())
            self.assertTrue(3 <= interphase <= 25, interphase)
            # nearly every placed object is visible in the label image
            self.assertGreaterEqual(len(ids), n + m - 1)

    def test_not_normalised_per_image(self):
        # absolute intensities vary between images (exposure, density)
        means = [float(S.simulate(s, 64).mean()) for s in range(20)]
        self.assertGreater(max(means) / min(means), 1.5)
        # background is dark, nuclei are clearly above it
        img, lab = S.simulate_with_labels(1, 256)
        bg = img[0][lab == 0]
        fg = img[0][lab > 0]
        self.assertLess(np.median(bg), 0.08)
        self.assertGreater(np.median(fg), 3 * np.median(bg))

    def test_threshold_finds_objects(self):
        ratios = []
        for seed in range(12):
            img, lab = S.simulate_with_labels(seed, 256)
            sm = ndimage.gaussian_filter(img[0], 1.0)
            t = otsu_threshold(sm * 255.0) / 255.0  # quality.py works on 0..255
            cc, _ = ndimage.label(sm > t)
            sizes = np.bincount(cc.ravel())[1:]
            detected = int((sizes >= 30).sum())
            # touching nuclei merge, so compare with the number of connected
            # groups of labelled pixels
            _, groups = ndimage.label(lab > 0)
            self.assertGreater(detected, 0)
            ratios.append(detected / groups)
            # foreground agreement (Dice) between threshold and labels
            fg, gt = sm > t, lab > 0
            dice = 2 * (fg & gt).sum() / (fg.sum() + gt.sum())
            self.assertGreater(dice, 0.75, (seed, dice))
        self.assertGreater(np.median(ratios), 0.75)
        self.assertLess(np.median(ratios), 1.3)

    def test_small_sizes_have_objects(self):
        for size in (64, 128):
            img, lab = S.simulate_with_labels(2, size)
            self.assertGreater(len(np.unique(lab)) - 1, 2)
            self.assertGreater(img[0][lab > 0].mean(), 2 * img[0][lab == 0].mean())

    def test_params_documented(self):
        import ast
        import dataclasses
        docs = S.param_docs()
        for f in dataclasses.fields(S.SimParams):
            self.assertIn(f.name, docs)
            doc = docs[f.name]
            self.assertIn("default ", doc, f.name)
            stated = ast.literal_eval(doc.rsplit("default ", 1)[1].rstrip("."))
            self.assertEqual(stated, f.default, f.name)
        with self.assertRaises(dataclasses.FrozenInstanceError):
            S.SimParams().photons_per_unit = 1.0

    def test_dataset_and_png(self):
        d = S.generate_dataset(3, 64, channels=2, start_seed=4)
        self.assertEqual(d.shape, (3, 2, 64, 64))
        self.assertEqual(d.dtype, np.uint8)
        ref = np.rint(S.simulate(5, 64, 2) * 255).astype(np.uint8)
        self.assertTrue(np.array_equal(d[1], ref))
        with tempfile.TemporaryDirectory() as tmp:
            rc = S.main(["--out", tmp, "--count", "2", "--size", "64",
                         "--sheet", os.path.join(tmp, "sheet.png"),
                         "--dataset", os.path.join(tmp, "d.npy"), "--clean"])
            self.assertEqual(rc, 0)
            names = sorted(os.listdir(tmp))
            self.assertIn("sim_000000.png", names)
            self.assertIn("sim_000001.png", names)
            self.assertIn("sim_000001_clean.png", names)
            with open(os.path.join(tmp, "sim_000000.png"), "rb") as fh:
                self.assertEqual(fh.read(8), b"\x89PNG\r\n\x1a\n")
            self.assertEqual(np.load(os.path.join(tmp, "d.npy")).shape,
                             (2, 1, 64, 64))


if __name__ == "__main__":
    unittest.main()
