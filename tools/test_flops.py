"""Self-tests for tools/flops.py (``/usr/bin/python3 -m unittest tools/test_flops.py``)."""

import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flops as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


class TestFlops(unittest.TestCase):

    ARCH = {"resolution": 16, "img_channels": 1, "one_channel": "as-two", "channels": {"4": 8, "8": 4, "16": 2}}

    def test_layers_count_each_convolutions_multiply_adds(self):
        layers = {(r, n): m for r, n, m in F.layer_macs(self.ARCH)}
        self.assertEqual(layers[(4, "conv1")], 8 * 8 * 9 * 16)
        self.assertEqual(layers[(4, "torgb")], 8 * 2 * 16)  # grayscale computed as two channels
        self.assertEqual(layers[(8, "conv0 (transposed, stride 2)")], 8 * 4 * 9 * 4 * 4)
        self.assertEqual(layers[(16, "conv1")], 2 * 2 * 9 * 16 * 16)
        self.assertEqual(layers[(16, "conv0 blur (4x4 depthwise)")], 2 * 16 * 16 * 16)
        self.assertEqual(sorted({r for r, _ in layers}), [4, 8, 16])

    def test_a_sample_model_and_a_peak(self):
        out = io.StringIO()
        with redirect_stdout(out):
            self.assertEqual(F.main([os.path.join(HERE, "..", "sample-models", "nuclei-128"), "--ms", "30", "40", "12",
                                     "--threads", "2"]), 0)
        text = out.getvalue()
        self.assertIn("head forward (to the feature block)", text)
        self.assertIn("% of peak", text)
        gflops, desc = F.peak(2)
        self.assertGreater(gflops, 0)
        self.assertIn("core(s)", desc)

    def test_the_feature_block_splits_head_and_tail(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "model.json"), "w") as f:
                json.dump({"name": "t", "feature_block": {"resolution": 8}, "architecture": self.ARCH}, f)
            out = io.StringIO()
            with redirect_stdout(out):
                F.main([d])
            head = sum(m for r, _, m in F.layer_macs(self.ARCH) if r <= 8)
            self.assertIn(f"{2 * head / 1e9:7.3f} GFLOP", out.getvalue())


if __name__ == "__main__":
    unittest.main()
