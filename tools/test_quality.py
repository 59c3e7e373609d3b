"""Tests of tools/quality.py (run: /usr/bin/python3 -m unittest tools/test_quality.py).

The statistics are checked on simulator images with known labels and on hand-made images; the criteria are
shown to pass for simulator-vs-simulator images and to fail for a random-weight generator, an intensity-scaled
or collapsed set and for training images passed off as generated (the checks can fail). The stricter gate: sim vs
sim passes it (classifier test near chance); blurred images fail the texture criterion and the classifier test,
elongated nuclei the shape criteria, nuclei joined in pairs the merge criterion.
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

    def test_object_features_of_hand_made_shapes(self):
        yy, xx = np.mgrid[0:128, 0:128]

        def one(mask, texture=None):
            img = np.full((128, 128), 10.0)
            img[mask] = 150.0 if texture is None else 150.0 + texture[mask]
            f = Q.object_features(np.clip(np.rint(img), 0, 255).astype(np.uint8))
            self.assertEqual(len(f["area"]), 1)
            return {k: v[0] for k, v in f.items()}
        disc = one((yy - 64) ** 2 + (xx - 64) ** 2 <= 12 ** 2)
        self.assertGreater(disc["solidity"], 0.9)
        self.assertLess(disc["eccentricity"], 0.2)
        self.assertTrue(disc["judged"])
        self.assertFalse(disc["merged"])
        self.assertAlmostEqual(disc["area"], 149 * 3.14159, delta=30)
        ellipse = one(((yy - 64) / 6.0) ** 2 + ((xx - 64) / 20.0) ** 2 <= 1)       # axis ratio 0.3
        self.assertGreater(ellipse["eccentricity"], 0.9)
        self.assertFalse(ellipse["merged"] and ellipse["solidity"] < 0.9)
        pair = one(((yy - 64) ** 2 + (xx - 52) ** 2 <= 10 ** 2) | ((yy - 64) ** 2 + (xx - 70) ** 2 <= 10 ** 2))
        self.assertTrue(pair["merged"])                     # two round nuclei joined by a neck
        self.assertLess(pair["solidity"], disc["solidity"])
        worm = one(((np.abs(yy - 40) <= 4) & (xx >= 30) & (xx <= 90))
                   | ((np.abs(xx - 90) <= 4) & (yy >= 40) & (yy <= 95)))
        self.assertTrue(worm["merged"])                     # a long bent band of one width: many inscribed discs
        self.assertLess(worm["solidity"], 0.6)
        small = one((yy - 64) ** 2 + (xx - 64) ** 2 <= 3 ** 2)
        self.assertFalse(small["judged"])                   # too small to judge
        # texture: relative high-frequency energy inside; the outline's ramp does not count
        rng = np.random.default_rng(0)
        smooth = one((yy - 64) ** 2 + (xx - 64) ** 2 <= 15 ** 2)
        rough = one((yy - 64) ** 2 + (xx - 64) ** 2 <= 15 ** 2, texture=rng.normal(0, 20, (128, 128)))
        self.assertLess(smooth["texture"], 0.01)
        self.assertGreater(rough["texture"], 0.05)
        # an object touching the border is left out
        self.assertEqual(len(Q.object_features(np.where((yy - 2) ** 2 + (xx - 64) ** 2 <= 100, 150, 10)
                                               .astype(np.uint8))["area"]), 0)

    def test_ks_distance(self):
        rng = np.random.default_rng(1)
        a, b = rng.normal(0, 1, 300), rng.normal(0.3, 1, 200)
        from scipy import stats
        self.assertAlmostEqual(Q.ks_distance(a, b), stats.ks_2samp(a, b).statistic, places=12)
        self.assertEqual(Q.ks_distance(a, a), 0.0)
        self.assertEqual(Q.ks_distance(np.array([0.0, 1.0]), np.array([2.0, 3.0])), 1.0)
        self.assertEqual(Q.ks_distance(np.zeros(0), np.zeros(0)), 0.0)
        self.assertEqual(Q.ks_distance(np.zeros(0), a), 1.0)

    def test_merge_detector_agrees_with_simulator_labels(self):
        # truth: a segmented object holding at least half of each of two or more labelled nuclei
        judged, merged, truth = [], [], []
        for seed in range(Q.SIM_START_SEED, Q.SIM_START_SEED + 40):
            img, lab = simulate.simulate_with_labels(seed, 128)
            seg, _ = Q.segment(np.rint(img[0] * 255).astype(np.uint8))
            sizes = np.bincount(lab.ravel())
            for k, sl in enumerate(ndimage.find_objects(seg), 1):
                if sl is None or sl[0].start == 0 or sl[1].start == 0 or sl[0].stop == 128 or sl[1].stop == 128:
                    continue
                m = seg[sl] == k
                inside = np.bincount(lab[sl][m].ravel(), minlength=len(sizes))
                whole = (inside >= 0.5 * sizes) & (sizes >= 10)
                whole[0] = False
                j, g = Q._merged(m, 128)
                judged.append(j)
                merged.append(g)
                truth.append(whole.sum() >= 2)
        judged, merged, truth = map(np.array, (judged, merged, truth))
        self.assertTrue(np.all(judged[truth]))              # merged objects are large enough to be judged
        precision = (merged & truth).sum() / merged.sum()
        recall = (merged & truth).sum() / truth.sum()
        self.assertGreater(precision, 0.8)                  # measured on 300 images: 0.905
        self.assertGreater(recall, 0.75)                    # measured on 300 images: 0.845
        self.assertGreater(truth.mean(), 0.1)               # the simulator's nuclei do touch

    def test_classifier_test_is_deterministic_and_tells_obvious_differences(self):
        a = simulate.generate_dataset(40, 32, 1, 6_000_000)
        b = simulate.generate_dataset(40, 32, 1, Q.SIM_START_SEED)
        r1, r2 = Q.c2st(a, b, epochs=2), Q.c2st(a, b, epochs=2)
        self.assertEqual(r1, r2)
        self.assertEqual(r1["train_images"], [24, 24])
        self.assertEqual(r1["test_images"], [16, 16])
        brighter = np.clip(a.astype(np.int32) * 3, 0, 255).astype(np.uint8)
        self.assertGreater(Q.c2st(brighter, b, epochs=3)["accuracy"], 0.9)


class CriteriaTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.train = simulate.generate_dataset(150, 64, 1, Q.TRAIN_START_SEED)
        cls.sim = simulate.generate_dataset(150, 64, 1, Q.SIM_START_SEED)
        cls.other = simulate.generate_dataset(150, 64, 1, 6_000_000)
        cls.ref = simulate.generate_dataset(150, 64, 1, Q.REF_START_SEED)

    def evaluate(self, gen, train=None, c2st_epochs=0):
        """The checks below without the classifier test (c2st_epochs=0: it is tested on its own, it costs time)."""
        return Q.evaluate(gen, self.sim, self.train if train is None else train, ref=self.ref,
                          c2st_epochs=c2st_epochs)

    def test_simulator_vs_simulator_passes(self):
        r = self.evaluate(self.other, c2st_epochs=5)
        for key, c in r["criteria"].items():
            self.assertTrue(c["passed"], (key, c.get("rel_diff"), c.get("ratio"), c.get("figure"), c.get("goal")))
        self.assertTrue(r["all_passed"])
        self.assertEqual(r["passed_count"], 12)
        self.assertEqual(r["criteria_count"], 12)
        c = r["criteria"]["c2st"]
        self.assertLess(abs(c["figure"] - 0.5), 0.12)       # chance, within sampling noise (60 + 60 held out)
        self.assertLess(abs(c["baseline"] - 0.5), 0.12)
        for key, _, _ in Q.STRICT_DISTRIBUTIONS:           # sim vs sim: well inside the goal, and a baseline
            self.assertLess(r["criteria"][key]["figure"], 0.1, key)
            self.assertGreater(r["criteria"][key]["baseline"], 0.0, key)
        for key in ("mean_intensity", "background", "objects_per_image", "object_area", "diversity", "copies"):
            self.assertIn("baseline", r["criteria"][key])   # every criterion has its sim-vs-sim figure
        b = c["blurred"]                                    # the diagnostic on blurred images: chance too
        self.assertEqual(b["sigma_px"], 1.0)                # 4 px at 256 px
        self.assertLess(abs(b["generated"] - 0.5), 0.12)
        self.assertIn("blurred", Q.format_table(r))

    def test_the_blurred_classifier_hides_the_camera_noise(self):
        # The simulator's own scenes with another camera noise (Gaussian, one strength per image, instead of photon
        # counts): told apart as they are; blurred, much less (the diagnostic separates noise from shape).
        clean = np.stack([simulate.simulate_clean(6_000_000 + i, 64) for i in range(150)])
        rng = np.random.default_rng(0)
        noisy = [c + rng.normal(0, float(np.std(o / 255.0 - c)), c.shape) for c, o in zip(clean, self.other)]
        gen = np.clip(np.rint(np.stack(noisy) * 255.0), 0, 255).astype(np.uint8)
        c = self.evaluate(gen, c2st_epochs=5)["criteria"]["c2st"]
        self.assertGreater(c["figure"], 0.8)
        self.assertLess(c["blurred"]["generated"], c["figure"] - 0.15)

    def test_blurred_images_fail_texture_and_classifier_test(self):
        # no chromatin texture and no camera noise: what the eye sees first in a young generator's images
        blurred = np.clip(np.rint(ndimage.gaussian_filter(self.other.astype(np.float32), (0, 0, 1, 1))), 0, 255)
        r = self.evaluate(blurred.astype(np.uint8), c2st_epochs=5)
        cr = r["criteria"]
        self.assertFalse(cr["texture"]["passed"])
        self.assertGreater(cr["texture"]["figure"], 0.5)
        self.assertLess(cr["texture"]["generated"], 0.5 * cr["texture"]["simulated"])
        self.assertFalse(cr["c2st"]["passed"])
        self.assertGreater(cr["c2st"]["figure"], 0.9)
        for key in ("mean_intensity", "objects_per_image", "object_area", "diversity"):   # the old six do not see it
            self.assertTrue(cr[key]["passed"], key)

    def test_elongated_nuclei_fail_morphology(self):
        elongated = simulate.generate_dataset(150, 64, 1, 6_000_000,
                                              params=simulate.SimParams(axis_ratio_range=(0.3, 0.45)))
        cr = self.evaluate(elongated)["criteria"]
        self.assertFalse(cr["eccentricity"]["passed"])
        self.assertGreater(cr["eccentricity"]["figure"], 0.4)
        self.assertGreater(cr["eccentricity"]["generated"], cr["eccentricity"]["simulated"])
        self.assertFalse(cr["solidity"]["passed"])
        for key in ("mean_intensity", "objects_per_image", "object_area"):
            self.assertTrue(cr[key]["passed"], key)

    def test_nuclei_joined_in_pairs_fail_the_merge_criterion(self):
        def joined(seed):       # every nucleus gets a twin 1.7 radii to its right: touching, overlapping a little
            img, lab = simulate.simulate_with_labels(seed, 64)
            out = img[0].copy()
            for k in np.unique(lab)[1:]:
                m = lab == k
                shift = int(round(1.7 * np.sqrt(m.sum() / np.pi)))
                patch = np.where(ndimage.binary_dilation(m, iterations=2), img[0], 0.0)
                moved = np.zeros_like(patch)
                moved[:, shift:] = patch[:, :64 - shift]
                out = np.maximum(out, moved)
            return np.rint(np.clip(out, 0, 1) * 255).astype(np.uint8)[None]
        pairs = np.stack([joined(6_000_000 + i) for i in range(150)])
        c = self.evaluate(pairs)["criteria"]["merged_objects"]
        self.assertFalse(c["passed"])
        self.assertGreater(c["generated"], c["simulated"] + 0.3)

    def test_brighter_images_fail_intensity(self):
        brighter = np.clip(self.other.astype(np.int32) * 2, 0, 255).astype(np.uint8)
        r = self.evaluate(brighter)
        self.assertFalse(r["criteria"]["mean_intensity"]["passed"])
        self.assertFalse(r["criteria"]["background"]["passed"])
        self.assertFalse(r["all_passed"])

    def test_collapsed_set_fails_diversity(self):
        collapsed = np.repeat(self.other[:2], 75, axis=0)     # mode collapse: 2 distinct images
        r = self.evaluate(collapsed)
        self.assertFalse(r["criteria"]["diversity"]["passed"])
        self.assertLess(r["criteria"]["diversity"]["ratio"], 0.6)

    def test_training_images_are_copies(self):
        gen = self.train[::-1].copy()
        gen[:10] = np.rot90(gen[:10], 1, axes=(2, 3))
        r = self.evaluate(gen)
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
        r = self.evaluate(gen, train)
        c = r["criteria"]["copies"]
        self.assertTrue(c["passed"], c["flagged"])
        self.assertGreater(c["absolute_rule_flagged"], 0, "the earlier absolute rule flagged such images")
        copy = ndimage.gaussian_filter(train[5].astype(np.float32), (0, 1, 1))
        gen[0] = np.rot90(np.clip(np.rint(copy), 0, 255).astype(np.uint8), 1, axes=(1, 2))
        c = self.evaluate(gen, train)["criteria"]["copies"]
        self.assertEqual([f["generated_index"] for f in c["flagged"]], [0])
        self.assertEqual(c["flagged"][0]["training_index"], 5)

    def test_two_channel_images_are_judged_on_the_second_channel_too(self):
        sim, other = (simulate.generate_dataset(60, 64, 2, seed) for seed in (Q.SIM_START_SEED, 6_000_000))
        ref = simulate.generate_dataset(60, 64, 2, Q.REF_START_SEED)
        r = Q.evaluate(other, sim, None, ref=ref, c2st_epochs=0)
        keys = [k for k, _, _ in Q.SECOND_CHANNEL_STATS]
        self.assertEqual(r["criteria_count"], 12 + len(keys))
        for k in keys:
            self.assertTrue(r["criteria"][k]["passed"], (k, r["criteria"][k]["detail"]))
        self.assertGreater(r["criteria"]["ch2_around_objects"]["simulated"], 2.0, "cytoplasm sits around nuclei")
        # The nuclei drawn in the second channel too (a two-channel generator that has not learned the cytoplasm):
        copied = other.copy()
        copied[:, 1] = copied[:, 0]
        c = Q.evaluate(copied, sim, None, ref=ref, c2st_epochs=0)["criteria"]["ch2_around_objects"]
        self.assertFalse(c["passed"], c["detail"])
        self.assertIn("channel 2 near/far ratio (median)", Q.format_table(r))
        one = self.evaluate(self.other)
        self.assertFalse(any(k in one["criteria"] for k in keys), "one-channel results keep their criteria")

    def test_missing_training_set_does_not_pass(self):
        r = Q.evaluate(self.other, self.sim, None, ref=self.ref, c2st_epochs=0)
        self.assertTrue(r["criteria"]["copies"]["skipped"])
        self.assertTrue(r["criteria"]["c2st"]["skipped"])
        self.assertFalse(r["criteria"]["c2st"]["passed"])
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

    def test_improved_counts_the_stricter_gate(self):
        def res(c2st_acc, texture_ks):
            crit = {k: {"rel_diff": 0.1, "passed": True} for k, _, _ in Q.STATS}
            crit["diversity"] = {"ratio": 0.9, "passed": True}
            crit["copies"] = {"passed": True}
            crit["texture"] = {"figure": texture_ks, "goal": 0.1, "score": texture_ks / 0.1,
                               "passed": texture_ks <= 0.1}
            crit["c2st"] = {"figure": c2st_acc, "score": (c2st_acc - 0.5) / 0.2, "passed": c2st_acc <= 0.7}
            return {"criteria": crit, "passed_count": sum(c["passed"] for c in crit.values()),
                    "deviation_sum": Q.deviation_sum(crit)}
        self.assertAlmostEqual(res(0.5, 0.0)["deviation_sum"], 0.4 + 0.1)
        self.assertAlmostEqual(res(1.0, 0.2)["deviation_sum"], 0.5 + 2.5 + 2.0)
        self.assertTrue(Q.improved(res(0.65, 0.3), res(0.99, 0.3))[0])     # the classifier test now passes
        self.assertTrue(Q.improved(res(0.95, 0.3), res(1.0, 0.3))[0])      # both fail: a less separable set
        self.assertFalse(Q.improved(res(1.0, 0.4), res(1.0, 0.3))[0])      # coarser texture match
        # a result of the older gate (six criteria) is not comparable: re-measure it first
        old = res(1.0, 0.3)
        old["criteria"] = {k: v for k, v in old["criteria"].items() if k not in ("texture", "c2st")}
        ok, why = Q.improved(res(0.5, 0.0), old)
        self.assertFalse(ok)
        self.assertIn("re-measure", why)


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
                            "--threads", "1", "--json", js])
        self.assertEqual(rc, 0, out)
        self.assertIn("ALL PASS", out)
        with open(js) as f:
            r = json.load(f)
        self.assertEqual(r["criteria_count"], 12)
        for key, c in r["criteria"].items():          # every figure with its sim-vs-sim baseline, for the card
            self.assertIn("baseline", c, key)
            self.assertIn("sim-vs-sim", c["detail"], key)
        self.assertEqual(r["reference_seeds"], f"{Q.REF_START_SEED}..{Q.REF_START_SEED + 199}")


if __name__ == "__main__":
    unittest.main()
