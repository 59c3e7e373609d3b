"""Tests of tools/train.py (run: /usr/bin/python3 -m unittest tools/test_train.py).

The discriminator's extra minibatch-stddev channel, and a real (very short) training run that stops, resumes and
gains that channel on resume.
"""
import contextlib
import io
import os
import sys
import tempfile
import unittest

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402

torch.set_num_threads(1)

CH32 = {4: 32, 8: 32, 16: 16, 32: 8}


class MinibatchStdTest(unittest.TestCase):

    def test_copies_have_no_spread_and_different_samples_do(self):
        x = torch.randn(8, 3, 5, 5)
        same = train.minibatch_std(x[:1].repeat(8, 1, 1, 1), 4)
        diff = train.minibatch_std(x, 4)
        self.assertEqual(tuple(diff.shape), (8, 4, 5, 5))
        self.assertTrue(torch.equal(diff[:, :3], x), "the input channels pass unchanged")
        self.assertLess(same[:, 3].abs().max().item(), 1e-3)
        self.assertGreater(diff[:, 3].min().item(), 0.5)

    def test_groups_are_strided_like_nvidia(self):
        # Group size 4 over 8 samples: samples i and i + 2, i + 4, i + 6 form a group (NVIDIA's reshape(G, -1)).
        x = torch.zeros(8, 1, 1, 1)
        x[0::2] = torch.tensor([0.0, 1.0, 2.0, 3.0]).reshape(4, 1, 1, 1)  # group of the even samples varies
        y = train.minibatch_std(x, 4)[:, 1, 0, 0]
        self.assertTrue(torch.all(y[0::2] > 1.0))
        self.assertTrue(torch.all(y[1::2] < 1e-3))


class DiscriminatorGrowthTest(unittest.TestCase):

    def test_an_old_discriminator_gains_the_channel_and_keeps_its_weights(self):
        torch.manual_seed(0)
        old = train.Discriminator(32, 1, CH32)
        new = train.Discriminator(32, 1, CH32, mbstd_res=[16])
        self.assertEqual(new.config["mbstd_res"], [16])
        new.load_adding_mbstd(old.state_dict())
        grown = new.blocks[1].conv0.weight  # block index 1 reads 16 x 16 features
        self.assertEqual(grown.shape[1], old.blocks[1].conv0.weight.shape[1] + 1)
        for k, v in old.state_dict().items():
            if k != "blocks.1.conv0.weight":
                self.assertTrue(torch.equal(new.state_dict()[k], v), k)
        # Equalised lr: the stored weights carry 1 / sqrt(fan-in), so the old ones are rescaled to compute the same.
        self.assertTrue(torch.allclose(grown[:, :-1] * new.blocks[1].conv0.gain,
                                       old.blocks[1].conv0.weight * old.blocks[1].conv0.gain))
        img = torch.randn(8, 1, 32, 32)
        with torch.no_grad():
            self.assertFalse(torch.allclose(new(img), old(img)), "the new channel takes part")
            grown[:, -1] = 0
            self.assertTrue(torch.allclose(new(img), old(img), atol=1e-5), "and is the only difference")

    def test_a_discriminator_without_extra_channels_is_nvidias(self):
        d = train.Discriminator(32, 1, CH32)
        self.assertEqual(d.config["mbstd_res"], [])
        self.assertEqual(d.blocks[1].conv0.weight.shape[1], CH32[16])


class TrainingRunTest(unittest.TestCase):

    def run_train(self, run_dir, *extra):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            train.main(["--run-dir", run_dir, "--resolution", "64", "--dataset-size", "8", "--batch", "4",
                        "--threads", "1", "--checkpoint-minutes", "100", *extra])
        return out.getvalue()

    def test_stops_resumes_and_grows_the_discriminator_on_resume(self):
        with tempfile.TemporaryDirectory() as tmp:
            run = os.path.join(tmp, "run")
            log = self.run_train(run, "--kimg", "0.0075", "--d-mbstd-res")  # 2 steps, NVIDIA's discriminator
            self.assertIn("training 64 px", log)
            ck = torch.load(os.path.join(run, "checkpoint.pt"), map_location="cpu")
            self.assertEqual(ck["state"]["step"], 2)
            self.assertEqual(ck["D_config"]["mbstd_res"], [])
            log = self.run_train(run, "--kimg", "0.0155", "--d-mbstd-res", "16")
            self.assertIn("resumed at step 2", log)
            self.assertIn("minibatch-stddev channels now at [16]", log)
            ck2 = torch.load(os.path.join(run, "checkpoint.pt"), map_location="cpu")
            self.assertEqual(ck2["state"]["step"], 4)
            self.assertEqual(ck2["D_config"]["mbstd_res"], [16])
            D = train.Discriminator(**ck2["D_config"])
            D.load_state_dict(ck2["D"])
            self.assertTrue(torch.isfinite(D(torch.zeros(4, 1, 64, 64))).all())
            self.assertTrue(os.path.exists(os.path.join(run, "samples.png")))
            self.assertTrue(os.path.exists(os.path.join(tmp, "data-64-1.npy")), "the training set is cached")


if __name__ == "__main__":
    unittest.main()
