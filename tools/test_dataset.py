"""Tests of tools/nvlabs_dataset.py (the checks NVIDIA's loader applies) and of tools/convert.py --dataset
(run: /usr/bin/python3 -m unittest discover -s tools -p 'test_*.py'). The zips 'draggan dataset' writes are
checked by the Java tests (DatasetCommandTest) with nvlabs_dataset.py."""
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest
import zipfile

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import convert  # noqa: E402
import nvlabs_dataset  # noqa: E402
import test_convert as tc  # noqa: E402

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))


def png(array, mode):
    b = io.BytesIO()
    Image.fromarray(array, mode).save(b, "PNG")
    return b.getvalue()


def write_zip(path, images, labels=None, extra=None):
    """images: {name: (array, mode)}"""
    with zipfile.ZipFile(path, "w") as z:
        for n, (a, m) in images.items():
            z.writestr(n, png(a, m))
        z.writestr("dataset.json", json.dumps({"labels": labels}))
        for n, text in (extra or {}).items():
            z.writestr(n, text)


class ReaderTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.rng = np.random.default_rng(0)

    def tearDown(self):
        self.tmp.cleanup()

    def zip(self, name, images, **kw):
        p = os.path.join(self.tmp.name, name)
        write_zip(p, images, **kw)
        return p

    def gray(self, n=16):
        return self.rng.integers(0, 256, (n, n), dtype=np.uint8)

    def test_l_and_rgb_sets_are_read_with_labels(self):
        p = self.zip("l.zip", {f"00000/img{i:08d}.png": (self.gray(), "L") for i in range(3)},
                     labels=[[f"00000/img{i:08d}.png", i % 2] for i in range(3)])
        s = nvlabs_dataset.check(p, cond=True)
        self.assertEqual((s["images"], s["channels"], s["resolution"], s["label_dim"]), (3, 1, 16, 2))
        rgb = self.rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
        s = nvlabs_dataset.check(self.zip("rgb.zip", {"a.png": (rgb, "RGB")}))
        self.assertEqual((s["channels"], s["resolution"], s["label_dim"]), (3, 8, 0))

    def test_two_channel_la_only_without_colour_augmentation_and_metrics(self):
        la = self.rng.integers(0, 256, (16, 16, 2), dtype=np.uint8)
        p = self.zip("la.zip", {"a.png": (la, "LA")})
        with self.assertRaisesRegex(nvlabs_dataset.DatasetError, "RGB \\(3 channels\\) or L"):
            nvlabs_dataset.check(p)
        with self.assertRaisesRegex(nvlabs_dataset.DatasetError, "Inception"):
            nvlabs_dataset.check(p, augpipe="bg")
        self.assertEqual(nvlabs_dataset.check(p, augpipe="bg", metrics=False)["channels"], 2)

    def test_what_their_loader_and_networks_refuse(self):
        cases = {
            "no images": {},
            "assert": {"a.png": (self.gray(16), "L"), "b.png": (self.gray(8), "L")},
            "square": {"a.png": (self.rng.integers(0, 256, (16, 8), dtype=np.uint8), "L")},
            "power of two": {"a.png": (self.gray(12), "L")},
        }
        for why, images in cases.items():
            p = self.zip(why.replace(" ", "-") + ".zip", images)
            with self.assertRaises(nvlabs_dataset.DatasetError, msg=why) as e:
                nvlabs_dataset.check(p)
            self.assertIn(why.split()[0], str(e.exception).lower() if why != "assert" else str(e.exception))
        p = self.zip("labels.zip", {"a.png": (self.gray(), "L"), "b.png": (self.gray(), "L")}, labels=[["a.png", 0]])
        with self.assertRaisesRegex(nvlabs_dataset.DatasetError, "no label for b.png"):
            nvlabs_dataset.check(p)
        p = self.zip("nolabels.zip", {"a.png": (self.gray(), "L")})
        with self.assertRaisesRegex(nvlabs_dataset.DatasetError, "requires labels"):
            nvlabs_dataset.check(p, cond=True)

    def test_command_line_exit_codes(self):
        good = self.zip("g.zip", {"a.png": (self.gray(), "L")})
        bad = self.zip("b.zip", {"a.png": (self.gray(12), "L")})
        tool = os.path.join(HERE, "nvlabs_dataset.py")
        r = subprocess.run([sys.executable, tool, good], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["resolution"], 16)
        r = subprocess.run([sys.executable, tool, bad], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)


def record(channels, png_mode, size, mapping, images=4, bit_depth=16):
    return {"format": "draggan-dataset", "version": 1, "images": images, "size": size, "stride": size,
            "channels": channels, "png_mode": png_mode, "empty_png_channels": [2] if channels == 2 else [],
            "bit_depth": bit_depth, "intensity": {"mapping": mapping, "rule": "test"}, "classes": [],
            "sources": [{"name": "a.tif"}, {"name": "b.tif"}]}


class ConvertDatasetTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        ch = {4: 10, 8: 9, 16: 8}
        self.G = tc.nv_generator(7, res=16, img_ch=3, channels=ch, z_dim=12, w_dim=10, layers=2)
        self.pkl = os.path.join(self.dir, "network-snapshot-000400.pkl")
        tc.write_nvidia_pickle(self.pkl, self.G)

    def tearDown(self):
        self.tmp.cleanup()

    def convert(self, out, *args):
        with contextlib.redirect_stdout(io.StringIO()):
            meta = convert.main([self.pkl, os.path.join(self.dir, out), *args])
        return meta, torch.jit.load(os.path.join(self.dir, out, "generator.pt"))

    def test_two_channel_set_drops_the_empty_blue_channel_exactly_and_records_the_mapping(self):
        rec = os.path.join(self.dir, "data.zip")
        with zipfile.ZipFile(rec, "w") as z:  # the record inside a zip, as 'draggan dataset' writes it
            z.writestr("draggan-dataset.json", json.dumps(record(2, "RGB", 16, "100.0 3000.0 0.0 255.0;"
                                                                             "50.0 900.5 0.0 255.0")))
        meta3, S3 = self.convert("rgb")
        meta2, S2 = self.convert("two", "--dataset", rec)
        self.assertEqual((meta3["image_channels"], meta2["image_channels"]), (3, 2))
        z = tc.Rand(3)(4, 12)
        ws = S3.mapping(z, torch.tensor(0.7))
        self.assertTrue(torch.equal(ws, S2.mapping(z, torch.tensor(0.7))))
        a, b = S3.synthesis(ws)[:, :2], S2.synthesis(ws)
        err = (a - b).abs().max().item()
        print(f"\n  convert --dataset: 2 of 3 channels kept, max |difference| {err:.3g}")
        self.assertLess(err, 1e-6)
        ref = tc.ref_nvidia_generator(tc.state_of(self.G), z, None, 0.7, layers=2, lr=0.01, clamp=256.0)[:, :2]
        self.assertLess((b - ref).abs().max().item(), 1e-4)
        src = meta2["intensity"]["source"]
        self.assertEqual(src["bit_depth"], 16)
        self.assertEqual(src["mapping"], "100.0 3000.0 -1.0 1.0;50.0 900.5 -1.0 1.0")
        ts = meta2["training_set"]
        self.assertEqual((ts["file"], ts["images"], ts["size"], ts["channels"], ts["kimg"], ts["sources"]),
                         ("data.zip", 4, 16, 2, 400, 2))
        self.assertIn("400 kimg", meta2["training_data"])
        with open(os.path.join(self.dir, "two", "model.json")) as f:
            self.assertEqual(json.load(f), meta2)

    def test_one_channel_mapping_from_a_lone_record_file(self):
        G = tc.nv_generator(8, res=16, img_ch=1, channels={4: 8, 8: 8, 16: 8}, z_dim=8, w_dim=8, layers=2)
        tc.write_nvidia_pickle(self.pkl, G)
        rec = os.path.join(self.dir, "draggan-dataset.json")
        with open(rec, "w") as f:
            json.dump(record(1, "L", 16, "0.25 0.75 0.0 255.0", bit_depth=32), f)
        meta, _ = self.convert("gray", "--dataset", rec)
        self.assertEqual(meta["image_channels"], 1)
        self.assertEqual(meta["intensity"]["source"]["mapping"], "0.25 0.75 -1.0 1.0")
        self.assertEqual(meta["intensity"]["source"]["bit_depth"], 32)

    def test_a_set_that_does_not_fit_the_network_is_refused_in_one_sentence(self):
        rec = os.path.join(self.dir, "r.json")
        bad = {"l.json": record(1, "L", 16, "0 1 0 255"), "size.json": record(2, "RGB", 32, "0 1 0 255;0 1 0 255"),
               "other.json": {"format": "something"}, "damaged.json": record(2, "RGB", 16, "0 1 0")}
        for name, rec_obj in bad.items():
            rec = os.path.join(self.dir, name)
            with open(rec, "w") as f:
                json.dump(rec_obj, f)
            out = os.path.join(self.dir, "out-" + name)
            r = subprocess.run([sys.executable, os.path.join(HERE, "convert.py"), self.pkl, out, "--dataset", rec],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 2, name + r.stderr)
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
            self.assertFalse(os.path.exists(out), name)


if __name__ == "__main__":
    unittest.main()
