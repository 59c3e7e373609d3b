"""Tests of tools/quality.py (run: /usr/bin/python3 -m unittest tools/test_quality.py).

The statistics are checked on simulator images with known labels and on hand-made images; the criteria are
shown to pass for simulator-vs-simulator images and to fail for a random-weight generator, an intensity-scaled
or collapsed set and for training images passed off as generated (the checks can fail).
"""
import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

import numpy as np
import torch
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export  # noqa: E402
import quality as Q  # noqa: E402
import simulate  # noqa: E402
import stylegan2  # noqa: E402

torch.set_num_threads(1)

TINY32 = dict(z_dim=32, w_dim=32, resolution=32, img_channels=1, channel_base=256, channel_max=16,
              mapping_layers=2, conv_clamp=256.0, feature_block=2, noise_seed=0)


def run_main(args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = Q.main(args)
    return rc, out.getvalue()


class StatisticsTest(unittest.TestCase):

    def test_hand_made_image(self):
        img = np.full((64, 64), 10, np.uint8)
        img[5:15, 5:25] = 200          # 200 px
        img[40:60, 40:50] = 120        # 200 px
        img[30, 2] = 255               # 1 px: below the minimum area, ignored
        st = Q.image_stats(img)
        self.assertEqual(st["objects"], 2)
        self.assertEqual(sorted(st["areas"].tolist()), [200, 200])
        self.assertAlmostEqual(st["mean_intensity"], img.astype(np.float64).mean() / 255.0, places=12)
        self.assertAlmostEqual(st["background"], 10 / 255.0, places=12)

    def test_constant_image_has_no_objects(self):
        for v in (0, 37, 255):
            st = Q.image_stats(np.full((32, 32), v, np.uint8))
            self.assertEqual(st["objects"], 0)

    def test_objects_counted_match_simulator_labels(self):
        counts, groups, labels, found = [], [], [], []
        for seed in range(Q.SIM_START_SEED, Q.SIM_START_SEED + 30):
            img, lab = simulate.simulate_with_labels(seed, 128)
            u8 = np.rint(img[0] * 255).astype(np.uint8)
            seg, areas = Q.segment(u8)
            counts.append(len(areas))
            ids = np.unique(lab)[1:]
            labels.append(len(ids))
            groups.append(ndimage.label(lab > 0, structure=np.ones((3, 3), bool))[1])
            found.extend((seg[lab == k] > 0).mean() > 0.5 for k in ids)
        counts, groups, labels = map(np.array, (counts, groups, labels))
        # nearly every nucleus is found ...
        self.assertGreater(np.mean(found), 0.95)
        # ... and touching nuclei merge: the count follows the number of touching groups of labels
        self.assertLess(abs(counts.sum() / groups.sum() - 1), 0.1)
        self.assertGreater(np.corrcoef(counts, groups)[0, 1], 0.95)
        self.assertGreater(np.corrcoef(counts, labels)[0, 1], 0.85)
        self.assertTrue(np.all(counts <= labels + 2))

    def test_diversity(self):
        a = np.zeros((10, 1, 8, 8), np.uint8)
        self.assertEqual(Q.diversity(a), 0.0)
        a[::2] = 255                   # half black, half white: RMS 1 between different colours
        d = Q.diversity(a, pairs=4000)
        self.assertAlmostEqual(d, 5 / 9, delta=0.05)   # P(different colour | i != j) = 5/9

    def test_nearest_neighbour_finds_rotated_copies(self):
        train = simulate.generate_dataset(40, 64, 1, 1_000_000)
        q = np.stack([np.rot90(train[7], 1, axes=(1, 2)), train[20][:, :, ::-1], train[3]])
        d, idx, _, _ = Q.nearest_neighbours(np.ascontiguousarray(q), train)
        self.assertEqual(idx.tolist(), [7, 20, 3])
        self.assertTrue(np.all(d == 0))


class CriteriaTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.train = simulate.generate_dataset(150, 64, 1, Q.TRAIN_START_SEED)
        cls.sim = simulate.generate_dataset(150, 64, 1, Q.SIM_START_SEED)
        cls.other = simulate.generate_dataset(150, 64, 1, 6_000_000)

    def test_simulator_vs_simulator_passes(self):
        r = Q.evaluate(self.other, self.sim, self.train)
        for key, c in r["criteria"].items():
            self.assertTrue(c["passed"], (key, c.get("rel_diff"), c.get("ratio")))
        self.assertTrue(r["all_passed"])
        self.assertEqual(r["passed_count"], 6)

    def test_brighter_images_fail_intensity(self):
        brighter = np.clip(self.other.astype(np.int32) * 2, 0, 255).astype(np.uint8)
        r = Q.evaluate(brighter, self.sim, self.train)
        self.assertFalse(r["criteria"]["mean_intensity"]["passed"])
        self.assertFalse(r["criteria"]["background"]["passed"])
        self.assertFalse(r["all_passed"])

    def test_collapsed_set_fails_diversity(self):
        collapsed = np.repeat(self.other[:2], 75, axis=0)     # mode collapse: 2 distinct images
        r = Q.evaluate(collapsed, self.sim, self.train)
        self.assertFalse(r["criteria"]["diversity"]["passed"])
        self.assertLess(r["criteria"]["diversity"]["ratio"], 0.6)

    def test_training_images_are_copies(self):
        gen = self.train[::-1].copy()
        gen[:10] = np.rot90(gen[:10], 1, axes=(2, 3))
        r = Q.evaluate(gen, self.sim, self.train)
        c = r["criteria"]["copies"]
        self.assertFalse(c["passed"])
        self.assertEqual(c["copies"], c["queries"])

    def test_near_empty_images_are_not_copies_of_near_empty_training_images(self):
        # Blank frames (camera background only) are all close to one another: close to the training set's blank
        # frames by RMS, but no closer to one of them than to the others. A blurred copy of a training image is
        # closer to it than to any other (a blurred copy of pure noise is not, rightly: the blur removes the noise).
        rng = np.random.default_rng(0)

        def blank(n, smooth=0.0):
            x = rng.poisson(3.0, (n, 1, 64, 64)).astype(np.float32)
            if smooth:
                x = ndimage.gaussian_filter(x, (0, 0, smooth, smooth))
            return np.clip(np.rint(x), 0, 255).astype(np.uint8)
        train = np.concatenate([self.train, blank(6)])
        gen = np.concatenate([blank(4, smooth=1.0), self.other[:20]])
        r = Q.evaluate(gen, self.sim, train)
        c = r["criteria"]["copies"]
        self.assertTrue(c["passed"], c["flagged"])
        self.assertGreater(c["absolute_rule_flagged"], 0, "the earlier absolute rule flagged such images")
        copy = ndimage.gaussian_filter(train[5].astype(np.float32), (0, 1, 1))
        gen[0] = np.rot90(np.clip(np.rint(copy), 0, 255).astype(np.uint8), 1, axes=(1, 2))
        c = Q.evaluate(gen, self.sim, train)["criteria"]["copies"]
        self.assertEqual([f["generated_index"] for f in c["flagged"]], [0])
        self.assertEqual(c["flagged"][0]["training_index"], 5)

    def test_missing_training_set_does_not_pass(self):
        r = Q.evaluate(self.other, self.sim, None)
        self.assertTrue(r["criteria"]["copies"]["skipped"])
        self.assertFalse(r["all_passed"])

    def test_stat_limit_is_25_percent(self):
        self.assertTrue(abs(Q.relative_difference(1.24, 1.0)) <= Q.STAT_TOLERANCE)
        self.assertFalse(abs(Q.relative_difference(1.26, 1.0)) <= Q.STAT_TOLERANCE)
        self.assertFalse(abs(Q.relative_difference(0.74, 1.0)) <= Q.STAT_TOLERANCE)
        self.assertEqual(Q.relative_difference(0.0, 0.0), 0.0)
        self.assertEqual(Q.relative_difference(1.0, 0.0), float("inf"))


class ImprovedTest(unittest.TestCase):

    def test_improved(self):
        def res(n, dev):
            return {"passed_count": n, "deviation_sum": dev}
        self.assertTrue(Q.improved(res(4, 9.0), res(3, 0.1))[0])     # more criteria pass
        self.assertFalse(Q.improved(res(3, 0.1), res(4, 9.0))[0])    # fewer pass
        self.assertTrue(Q.improved(res(4, 0.5), res(4, 0.6))[0])     # as many, smaller deviation
        self.assertFalse(Q.improved(res(4, 0.6), res(4, 0.5))[0])
        self.assertFalse(Q.improved(res(4, 0.5), res(4, 0.5))[0])    # equal is not an improvement
        self.assertTrue(Q.improved(res(2, 3.0), res(2, None))[0])    # null (inf) deviation in the old JSON


class EndToEndTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        torch.manual_seed(0)
        G = stylegan2.build(TINY32)
        os.makedirs(os.path.join(d, "run"))
        cls.ckpt = os.path.join(d, "run", "checkpoint.pt")
        torch.save({"config": G.config, "G_ema": G.state_dict()}, cls.ckpt)
        # train.py's cache next to the run folder: found without --train-data
        np.save(os.path.join(d, "data-32-1.npy"), simulate.generate_dataset(200, 32, 1, Q.TRAIN_START_SEED))
        cls.bundle = os.path.join(d, "bundle")
        export.write_bundle(G, cls.bundle, name="tiny", description="", license="CC0-1.0", training_data="")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_random_generator_fails(self):
        js = os.path.join(self.tmp.name, "q.json")
        sheet = os.path.join(self.tmp.name, "sheet.png")
        rc, out = run_main(["--checkpoint", self.ckpt, "--count", "20", "--sim-count", "50", "--threads", "1",
                            "--json", js, "--sheet", sheet])
        self.assertEqual(rc, 1, out)
        self.assertIn("FAIL", out)
        with open(js) as f:
            r = json.load(f)
        self.assertFalse(r["all_passed"])
        self.assertLess(r["passed_count"], r["criteria_count"])
        self.assertFalse(r["criteria"]["mean_intensity"]["passed"])
        self.assertFalse(r["criteria"]["copies"].get("skipped", False))   # the cached data file was found
        self.assertTrue(r["train_data"].endswith("data-32-1.npy"))
        with open(sheet, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        # comparing with itself: not an improvement
        rc2, out2 = run_main(["--checkpoint", self.ckpt, "--count", "20", "--sim-count", "50", "--threads", "1",
                              "--compare-previous", js])
        self.assertEqual(rc2, 1)
        self.assertIn("improved: no", out2)

    def test_bundle_gives_the_checkpoints_images(self):
        a = Q.GeneratorSource(checkpoint=self.ckpt).generate(range(5))
        b = Q.GeneratorSource(bundle=self.bundle).generate(range(5))
        self.assertEqual(a.shape, (5, 1, 32, 32))
        self.assertLessEqual(np.abs(a.astype(int) - b).max(), 1)
        # image i depends on its seed only, not on the batch
        c = Q.GeneratorSource(bundle=self.bundle).generate([3, 4], batch=1)
        self.assertLessEqual(np.abs(c.astype(int) - b[3:]).max(), 1)
        rc, out = run_main(["--bundle", self.bundle, "--count", "20", "--sim-count", "50", "--threads", "1",
                            "--train-data", os.path.join(self.tmp.name, "data-32-1.npy")])
        self.assertEqual(rc, 1, out)

    def test_simulator_as_generator_passes_via_cli(self):
        js = os.path.join(self.tmp.name, "sim.json")
        rc, out = run_main(["--sim-as-generated", "6000000", "--resolution", "32", "--count", "200",
                            "--sim-count", "200", "--train-data", os.path.join(self.tmp.name, "data-32-1.npy"),
                            "--json", js])
        self.assertEqual(rc, 0, out)
        self.assertIn("ALL PASS", out)


if __name__ == "__main__":
    unittest.main()
