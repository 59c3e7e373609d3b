"""Tests of the one-channel formulation (stylegan2.ONE_CHANNEL) and tools/reexport.py
(run: /usr/bin/python3 -m unittest discover -s tools -p 'test_*.py')."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export  # noqa: E402
import make_test_fixtures  # noqa: E402
import reexport  # noqa: E402
import stylegan2  # noqa: E402

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "src", "test", "resources", "fixtures")


def tree_digest(folder):
    h = hashlib.sha256()
    for name in sorted(os.listdir(folder)):
        h.update(name.encode())
        with open(os.path.join(folder, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()


class OneChannelTest(unittest.TestCase):

    def test_as_two_is_the_same_function_and_avoids_one_channel_convolutions(self):
        G = make_test_fixtures._random_tiny(31, img_channels=1).eval()
        ws = G.mapping_net(torch.randn(2, G.z_dim, generator=torch.Generator().manual_seed(1)), 0.7)
        with torch.no_grad():
            new = G.synthesis(ws)
            G.set_one_channel_as_two(False)
            old = G.synthesis(ws)
        self.assertEqual(new.shape, (2, 1, 32, 32))
        self.assertLess((new - old).abs().max().item(), 1e-6)
        # the reference definition of the image up-sampling: zero insertion, pad, [1,3,3,1] FIR (gain 4)
        G.set_one_channel_as_two(True)
        x = torch.randn(1, 1, 8, 8)
        z = torch.zeros(1, 1, 16, 16)
        z[:, :, ::2, ::2] = x
        f = torch.tensor([1.0, 3.0, 3.0, 1.0])
        f = (torch.outer(f, f) / 64 * 4).reshape(1, 1, 4, 4)
        ref = F.conv2d(F.pad(z, [2, 1, 2, 1]), f)
        self.assertLess((G.blocks[1].upsample_image(x) - ref).abs().max().item(), 1e-5)

        # no convolution of the scripted one-channel generator has one input and one output channel, or one output
        seen = []
        orig_t, orig_c = F.conv_transpose2d, F.conv2d

        def t(x, w, *a, **k):
            seen.append(("t", x.shape[1], w.shape, k.get("groups", 1)))
            return orig_t(x, w, *a, **k)

        def c(x, w, *a, **k):
            seen.append(("c", x.shape[1], w.shape, k.get("groups", 1)))
            return orig_c(x, w, *a, **k)
        F.conv_transpose2d, F.conv2d = t, c
        try:
            with torch.no_grad():
                G.synthesis(ws)
        finally:
            F.conv_transpose2d, F.conv2d = orig_t, orig_c
        self.assertTrue(seen)
        for kind, cin, w, groups in seen:
            out = w[0] if kind == "c" else w[1] * groups
            self.assertFalse(cin == 1 or out == 1, f"{kind} convolution {cin} -> {out} channels")

    def test_export_records_it_for_one_channel_models_only(self):
        with tempfile.TemporaryDirectory() as d:
            gray = make_test_fixtures._random_tiny(31, img_channels=1)
            meta = export.write_bundle(gray, os.path.join(d, "g"), name="g", description="", license="CC0-1.0",
                                       training_data="")
            self.assertEqual(meta["architecture"]["one_channel"], stylegan2.ONE_CHANNEL)
            gray.set_one_channel_as_two(False)
            meta = export.write_bundle(gray, os.path.join(d, "o"), name="o", description="", license="CC0-1.0",
                                       training_data="")
            self.assertNotIn("one_channel", meta["architecture"])
            meta = export.write_bundle(make_test_fixtures._random_tiny(32, img_channels=2), os.path.join(d, "t"),
                                       name="t", description="", license="CC0-1.0", training_data="")
            self.assertNotIn("one_channel", meta["architecture"])


class ReexportTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.src = os.path.join(self.dir, "old")
        shutil.copytree(os.path.join(FIXTURES, "tiny-gray-old"), self.src)
        with open(os.path.join(self.src, "MODEL_CARD.md"), "w") as f:
            f.write("# card\n")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_rewrites_an_earlier_export_with_the_same_images_and_leaves_it_alone(self):
        before = tree_digest(self.src)
        out = os.path.join(self.dir, "new")
        meta = reexport.run(self.src, out)
        self.assertEqual(tree_digest(self.src), before, "the input bundle is unchanged")
        with open(os.path.join(self.src, "model.json")) as f:
            old_meta = json.load(f)
        self.assertEqual(meta["architecture"]["one_channel"], "as-two")
        self.assertEqual(meta["exported_with"]["reexported_from"], old_meta["weights"]["sha256"])
        self.assertEqual(meta["weights"]["sha256"], export.sha256(os.path.join(out, "generator.pt")))
        for k in ("name", "description", "license", "resolution", "num_ws", "feature_block", "intensity"):
            self.assertEqual(meta[k], old_meta[k], k)
        self.assertEqual(sorted(os.listdir(out)), ["MODEL_CARD.md", "generator.pt", "model.json"])
        old, new = torch.jit.load(os.path.join(self.src, "generator.pt")), torch.jit.load(
            os.path.join(out, "generator.pt"))
        ws = old.mapping(torch.randn(1, 32, generator=torch.Generator().manual_seed(9)), torch.tensor(0.7))
        with torch.no_grad():
            self.assertLess((old.synthesis(ws) - new.synthesis(ws)).abs().max().item(), 1e-6)

    def test_refuses_with_one_sentence(self):
        tool = os.path.join(HERE, "reexport.py")

        def run(*args):
            p = subprocess.run([sys.executable, tool, *args], capture_output=True, text=True, timeout=300)
            return p.returncode, p.stderr.strip()
        code, err = run(self.src, self.src)
        self.assertEqual(code, 2)
        self.assertIn("never overwritten", err)
        os.makedirs(os.path.join(self.dir, "full"))
        open(os.path.join(self.dir, "full", "x"), "w").close()
        code, err = run(self.src, os.path.join(self.dir, "full"))
        self.assertEqual(code, 2)
        self.assertIn("not empty", err)
        code, err = run(self.dir, os.path.join(self.dir, "n"))
        self.assertEqual(code, 2)
        self.assertIn("no model.json", err)
        for e in (err,):
            self.assertEqual(len(e.splitlines()), 1, e)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "n")))


if __name__ == "__main__":
    unittest.main()
