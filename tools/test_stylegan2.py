"""Tests of the project's StyleGAN2 implementation and exporter (run: /usr/bin/python3 -m unittest discover -s tools).

The up-sampling paths are checked against straightforward re-implementations of their definitions
(zero insertion, padding, correlation with the [1,3,3,1] filter), not against the code under test.
"""
import hashlib
import json
import os
import sys
import tempfile
import unittest

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export  # noqa: E402
import make_test_fixtures  # noqa: E402
import stylegan2  # noqa: E402

torch.set_num_threads(1)
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "fixtures")


def zero_insert(x: torch.Tensor) -> torch.Tensor:
    n, c, h, w = x.shape
    z = torch.zeros(n, c, 2 * h, 2 * w, dtype=x.dtype)
    z[:, :, ::2, ::2] = x
    return z


def fir4(c: int) -> torch.Tensor:
    f = torch.tensor([1.0, 3.0, 3.0, 1.0])
    f = torch.outer(f, f)
    return (f / f.sum() * 4.0).expand(c, 1, 4, 4)


class StyleGAN2Test(unittest.TestCase):

    def setUp(self):
        torch.manual_seed(0)
        self.G = make_test_fixtures.tiny_generator()

    def test_num_ws_follows_the_block_count(self):
        for res, expected in [(8, 4), (32, 8), (64, 10), (128, 12), (256, 14), (1024, 18)]:
            g = stylegan2.Generator(z_dim=8, w_dim=8, resolution=res, channel_base=8192, channel_max=8,
                                    mapping_layers=1, feature_block=0)
            self.assertEqual(g.num_ws, expected, res)

    def test_image_upsampling_is_zero_insertion_then_fir(self):
        x = torch.randn(2, 3, 8, 8)
        ours = self.G.blocks[1].upsample_image(x)
        ref = F.conv2d(F.pad(zero_insert(x), [2, 1, 2, 1]), fir4(3), groups=3)
        self.assertLess((ours - ref).abs().max().item(), 1e-5)

    def test_upsampling_conv_is_transposed_conv_then_fir(self):
        layer = self.G.blocks[2].conv0
        layer.noise_strength.data.zero_()
        x = torch.randn(1, layer.weight.shape[1], 8, 8)
        w = torch.randn(1, self.G.w_dim)
        ours = layer(x, w)
        # Reference: modulate/demodulate the weight, zero-insert, full correlation with the flipped kernel,
        # pad by 1 and apply the FIR filter with gain 4, then bias, leaky ReLU and gain sqrt(2).
        s = layer.affine(w)[0]
        wt = layer.weight * s.reshape(1, -1, 1, 1)
        wt = wt / (wt.square().sum(dim=[1, 2, 3], keepdim=True) + 1e-8).sqrt()
        y = F.conv2d(F.pad(zero_insert(x), [2, 2, 2, 2]), wt.flip([2, 3]))[:, :, :17, :17]
        o = y.shape[1]
        y = F.conv2d(F.pad(y, [1, 1, 1, 1]), fir4(o), groups=o)
        y = F.leaky_relu(y + layer.bias.reshape(1, -1, 1, 1), 0.2) * 2 ** 0.5
        self.assertEqual(ours.shape, (1, o, 16, 16))
        self.assertLess((ours - y).abs().max().item(), 1e-4)

    def test_scripted_equals_eager_and_tail_of_head_is_synthesis(self):
        S = torch.jit.script(self.G)
        z = torch.randn(3, self.G.z_dim)
        ws = S.mapping(z, torch.tensor(0.5))
        self.assertEqual(tuple(ws.shape), (3, self.G.num_ws, self.G.w_dim))
        img = S.synthesis(ws)
        self.assertLess((img - self.G.synthesis(ws)).abs().max().item(), 1e-5)
        feat, partial = S.head(ws)
        self.assertEqual(tuple(feat.shape), (3, self.G.feature_channels, 16, 16))
        self.assertLess((S.tail(feat, partial, ws) - img).abs().max().item(), 1e-6)
        all_feats = S.synthesis_features(ws)
        self.assertLess((all_feats[self.G.feature_block] - feat).abs().max().item(), 1e-6)

    def test_truncation_psi_zero_gives_w_avg(self):
        ws = self.G.mapping(torch.randn(2, self.G.z_dim), torch.tensor(0.0))
        self.assertLess((ws - self.G.mapping_net.w_avg).abs().max().item(), 1e-6)

    def test_export_writes_a_consistent_bundle(self):
        with tempfile.TemporaryDirectory() as d:
            meta = export.write_bundle(self.G, d, name="t", description="", license="CC0-1.0", training_data="")
            with open(os.path.join(d, "generator.pt"), "rb") as f:
                self.assertEqual(meta["weights"]["sha256"], hashlib.sha256(f.read()).hexdigest())
            with open(os.path.join(d, "model.json")) as f:
                self.assertEqual(json.load(f), meta)
            self.assertEqual(meta["feature_block"], {"index": 2, "resolution": 16, "channels": 32})
            S = torch.jit.load(os.path.join(d, "generator.pt"))
            ws = S.mapping(torch.zeros(1, self.G.z_dim), torch.tensor(0.7))
            self.assertEqual(tuple(S.synthesis(ws).shape), (1, 3, 32, 32))

    def test_committed_parity_fixture_matches_this_code(self):
        with open(os.path.join(FIXTURES, "tiny-parity.json")) as f:
            fx = json.load(f)
        S = torch.jit.script(self.G)
        ws = torch.tensor(fx["ws"]).reshape(fx["ws_shape"])
        z = torch.tensor(fx["z"]).reshape(1, -1)
        self.assertLess((S.mapping(z, torch.tensor(fx["psi"])) - ws).abs().max().item(), 1e-4)
        img = S.synthesis(ws)
        self.assertLess((img.reshape(-1) - torch.tensor(fx["image"])).abs().max().item(), 1e-4)


if __name__ == "__main__":
    unittest.main()
