"""Tests of tools/train.py (run: /usr/bin/python3 -m unittest tools/test_train.py).

The discriminator's extra minibatch-stddev channel (the discriminator lives in tools/stylegan2.py), and a real
(very short) training run that stops, resumes (with the --lr given then), gains that channel on resume, and keeps
the noise inputs below the output resolution at strength 0; and training that goes on from a released bundle, with
a new discriminator that trains alone first or with the bundle's own discriminator.pt.
"""
import contextlib
import io
import math
import os
import sys
import tempfile
import unittest

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stylegan2  # noqa: E402
import train  # noqa: E402

torch.set_num_threads(1)

CH32 = {4: 32, 8: 32, 16: 16, 32: 8}


class MinibatchStdTest(unittest.TestCase):

    def test_copies_have_no_spread_and_different_samples_do(self):
        x = torch.randn(8, 3, 5, 5)
        same = stylegan2.minibatch_std(x[:1].repeat(8, 1, 1, 1), 4)
        diff = stylegan2.minibatch_std(x, 4)
        self.assertEqual(tuple(diff.shape), (8, 4, 5, 5))
        self.assertTrue(torch.equal(diff[:, :3], x), "the input channels pass unchanged")
        self.assertLess(same[:, 3].abs().max().item(), 1e-3)
        self.assertGreater(diff[:, 3].min().item(), 0.5)

    def test_groups_are_strided_like_nvidia(self):
        # Group size 4 over 8 samples: samples i and i + 2, i + 4, i + 6 form a group (NVIDIA's reshape(G, -1)).
        x = torch.zeros(8, 1, 1, 1)
        x[0::2] = torch.tensor([0.0, 1.0, 2.0, 3.0]).reshape(4, 1, 1, 1)  # group of the even samples varies
        y = stylegan2.minibatch_std(x, 4)[:, 1, 0, 0]
        self.assertTrue(torch.all(y[0::2] > 1.0))
        self.assertTrue(torch.all(y[1::2] < 1e-3))


class DiscriminatorViewTest(unittest.TestCase):

    def test_the_log_view_is_the_gate_classifiers_input_on_8_bit_levels(self):
        D = stylegan2.Discriminator(32, 1, CH32, input_view="log")
        levels = torch.tensor([0.0, 1.0, 3.0, 30.0, 255.0])
        img = (levels / 127.5 - 1.0).reshape(1, 1, 1, 5)
        want = torch.log1p(levels) / math.log(256.0) * 2 - 1  # quality.py's classifier input, mapped to [-1, 1]
        self.assertTrue(torch.allclose(D.view(img).flatten(), want, atol=1e-5))
        # Between two levels the view is the rounded level's, and the gradient still passes (straight through).
        x = ((levels + torch.tensor([0.3, 0.3, -0.3, 0.3, -0.3])) / 127.5 - 1.0).reshape(1, 1, 1, 5).requires_grad_(True)
        v = D.view(x)
        self.assertTrue(torch.allclose(v.flatten(), want, atol=1e-5))
        v.sum().backward()
        self.assertTrue(torch.all(x.grad > 0))
        self.assertGreater(x.grad.flatten()[0].item(), 20 * x.grad.flatten()[-1].item(), "the dark end magnified")
        self.assertIs(stylegan2.Discriminator(32, 1, CH32).view(img), img, "linear: the image as it is")
        both = stylegan2.Discriminator(32, 2, CH32, input_view="both")  # two image channels: four in D's view
        two = torch.cat([x.detach(), img], dim=1)
        view = both.view(two)
        self.assertEqual(tuple(view.shape), (1, 4, 1, 5))
        self.assertTrue(torch.allclose(view[:, :2], torch.cat([img, img], dim=1), atol=1e-6), "linear, 8-bit levels")
        self.assertTrue(torch.allclose(view[:, 2:].flatten(), want.repeat(2), atol=1e-5), "then the log view")
        self.assertEqual(both.blocks[0].fromrgb.weight.shape[1], 4)
        self.assertEqual(tuple(both(torch.zeros(2, 2, 32, 32)).shape), (2, 1))
        # smooth-log: the image as it is, then the log of its blur (sigma 1 px at 128 px): a flat image stays flat,
        # a single bright pixel spreads (and is no longer an 8-bit level).
        smooth = stylegan2.Discriminator(128, 1, CH32 | {64: 8, 128: 8}, input_view="smooth-log")
        flat = torch.full((1, 1, 128, 128), 30.0 / 127.5 - 1.0)
        v = smooth.view(flat)
        self.assertEqual(tuple(v.shape), (1, 2, 128, 128))
        self.assertTrue(torch.allclose(v[0, 1], torch.full((128, 128), math.log1p(30.0) / math.log(256.0) * 2 - 1),
                                       atol=1e-4))
        dot = torch.full((1, 1, 128, 128), -1.0)
        dot[0, 0, 64, 64] = 1.0
        v = smooth.view(dot)
        self.assertTrue(torch.equal(v[:, :1], dot), "the linear channel as it is")
        self.assertGreater(v[0, 1, 64, 65].item(), -0.9, "the blur spreads the dot to its neighbours")
        self.assertLess(v[0, 1, 64, 64].item(), 0.9)
        with self.assertRaises(ValueError):
            stylegan2.Discriminator(32, 1, CH32, input_view="sqrt")


class DiscriminatorGrowthTest(unittest.TestCase):

    def test_an_old_discriminator_gains_the_channel_and_keeps_its_weights(self):
        torch.manual_seed(0)
        old = stylegan2.Discriminator(32, 1, CH32)
        new = stylegan2.Discriminator(32, 1, CH32, mbstd_res=[16])
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
        # The other way (a resume asking for fewer channels than the checkpoint has) is refused with a message.
        with self.assertRaisesRegex(ValueError, "--d-mbstd-res"):
            stylegan2.Discriminator(32, 1, CH32).load_adding_mbstd(new.state_dict())

    def test_the_extra_channel_sees_the_layout_not_the_pixel_noise(self):
        d = stylegan2.Discriminator(32, 1, CH32, mbstd_res=[8])
        g = torch.Generator().manual_seed(1)
        yy, xx = torch.meshgrid(torch.arange(32.0), torch.arange(32.0), indexing="ij")

        def blobs(centres):
            return sum(torch.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 32.0) for cy, cx in centres) - 0.5

        layout = [(8, 8), (20, 25)]
        noise = lambda: 0.3 * torch.randn(1, 32, 32, generator=g)  # noqa: E731
        same = torch.stack([blobs(layout) + noise() for _ in range(8)])
        varied = torch.stack([blobs(torch.randint(4, 28, (2, 2), generator=g).tolist()) + noise() for _ in range(8)])
        s_same, s_varied = d.image_spread(same, 8).mean().item(), d.image_spread(varied, 8).mean().item()
        self.assertGreater(s_varied, 2 * s_same, (s_same, s_varied))
        # NVIDIA's layer on the full-resolution image sees mostly the noise: hardly any difference.
        full_same = stylegan2.group_std(same, 4).mean().item()
        full_varied = stylegan2.group_std(varied, 4).mean().item()
        self.assertLess(full_varied / full_same, s_varied / s_same)

    def test_a_discriminator_without_extra_channels_is_nvidias(self):
        d = stylegan2.Discriminator(32, 1, CH32)
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
            log = self.run_train(run, "--kimg", "0.0155", "--d-mbstd-res", "16", "--lr", "0.001")
            self.assertIn("resumed at step 2", log)
            self.assertIn("image minibatch-stddev channels now at [16] px", log)
            ck2 = torch.load(os.path.join(run, "checkpoint.pt"), map_location="cpu")
            self.assertEqual(ck2["state"]["step"], 4)
            self.assertEqual(ck2["D_config"]["mbstd_res"], [16])
            self.assertEqual(ck2["opt_G"]["param_groups"][0]["lr"], 0.001, "--lr decides on resume, not Adam's state")
            self.assertAlmostEqual(ck2["opt_D"]["param_groups"][0]["lr"], 0.001 * 16 / 17)
            D = stylegan2.Discriminator(**ck2["D_config"])
            D.load_state_dict(ck2["D"])
            self.assertTrue(torch.isfinite(D(torch.zeros(4, 1, 64, 64))).all())
            self.assertTrue(os.path.exists(os.path.join(run, "samples.png")))
            for net in ("G", "G_ema"):
                strengths = {k: v.item() for k, v in ck2[net].items() if k.endswith("noise_strength")}
                top = {k: v for k, v in strengths.items() if ck2[net][k.replace("strength", "const")].shape[-1] == 64}
                self.assertEqual(len(top), 2, "two layers at 64 px")
                for k, v in strengths.items():
                    if k not in top:
                        self.assertEqual(v, 0.0, f"{net} {k}: no noise below the output resolution")
                if net == "G":
                    self.assertTrue(all(v != 0.0 for v in top.values()), f"the 64 px noise trains: {top}")
            self.assertTrue(os.path.exists(os.path.join(tmp, "data-64-1.npy")), "the training set is cached")
            # --noise-strength keep: each trained strength stays as the checkpoint has it (no common value).
            log = self.run_train(run, "--kimg", "0.0235", "--d-mbstd-res", "16", "--noise-strength", "keep")
            self.assertIn("noise strengths held from 64 px", log)
            ck3 = torch.load(os.path.join(run, "checkpoint.pt"), map_location="cpu")
            self.assertEqual(ck3["state"]["step"], 6)
            for k, v in ck2["G"].items():
                if k.endswith("noise_strength"):
                    self.assertEqual(float(ck3["G"][k]), float(v), k)
            with self.assertRaises(SystemExit):
                self.run_train(run, "--noise-strength", "some")

    def test_a_new_discriminator_can_be_wider_at_chosen_resolutions(self):
        with tempfile.TemporaryDirectory() as tmp:
            run = os.path.join(tmp, "run")
            log = self.run_train(run, "--kimg", "0.0035", "--d-channels", "64=24", "32=40")  # 1 step
            self.assertIn("discriminator: widths", log)
            ck = torch.load(os.path.join(run, "checkpoint.pt"), map_location="cpu")
            preset = stylegan2.PRESETS[64]["channels"]
            want = {str(r): {64: 24, 32: 40}.get(r, c) for r, c in preset.items()}
            self.assertEqual(ck["D_config"]["channels"], want)
            D = stylegan2.Discriminator(**ck["D_config"])
            D.load_state_dict(ck["D"])
            self.assertEqual(D.blocks[0].fromrgb.weight.shape[0], 24, "the 64 px block reads the image with 24 channels")
            # Resumed without the option, the run's D keeps its widths; with other widths, a sentence, no run.
            self.run_train(run, "--kimg", "0.0075")
            self.assertEqual(torch.load(os.path.join(run, "checkpoint.pt"), map_location="cpu")["D_config"]["channels"],
                             want)
            for bad in (["64=48"], ["64x24"], ["128=64"], ["64=0"]):
                with self.assertRaises(SystemExit) as stop:
                    self.run_train(run, "--kimg", "0.05", "--d-channels", *bad)
                self.assertIn("--d-channels", str(stop.exception.code), bad)
            self.assertEqual(torch.load(os.path.join(run, "checkpoint.pt"), map_location="cpu")["state"]["step"], 2)

    def test_goes_on_from_a_slim_checkpoint_with_or_without_its_G(self):
        with tempfile.TemporaryDirectory() as tmp:
            slim = os.path.join(tmp, "slim")
            self.run_train(os.path.join(tmp, "run"), "--kimg", "0.0075", "--slim", slim, "--ema-rampup", "0")  # 2 steps
            self.assertEqual(sorted(os.listdir(slim)), ["D.pt", "G.pt", "G_ema.pt"])
            parts = {f: torch.load(os.path.join(slim, f), map_location="cpu")["weights"] for f in os.listdir(slim)}
            self.assertEqual(parts["G.pt"]["blocks.0.conv1.weight"].dtype, torch.float16, "float16 for carrying")
            log = self.run_train(os.path.join(tmp, "run2"), "--kimg", "0.0035", "--resume-from", slim)
            self.assertIn("resumed at step 2", log)
            self.assertNotIn("has no G.pt", log)
            # Without G.pt (pack.sh leaves it out when 64 MiB would not hold it), G starts from G_ema.
            os.remove(os.path.join(slim, "G.pt"))
            ck = train.read_slim(slim, log=lambda m: None)
            for k, v in parts["G_ema.pt"].items():
                self.assertTrue(torch.equal(ck["G"][k], v), k)
            self.assertTrue(any(not torch.equal(v, parts["G_ema.pt"][k]) for k, v in parts["G.pt"].items()),
                            "G and G_ema differ in the checkpoint")
            log = self.run_train(os.path.join(tmp, "run3"), "--kimg", "0.0035", "--resume-from", slim)
            self.assertIn("has no G.pt: the generator that trains starts from G_ema", log)
            self.assertIn("resumed at step 2", log)
            os.remove(os.path.join(slim, "D.pt"))
            with self.assertRaises(SystemExit) as stop:
                self.run_train(os.path.join(tmp, "run4"), "--kimg", "0.0035", "--resume-from", slim)
            self.assertIn("has no D.pt", str(stop.exception.code))

    def test_a_new_discriminator_can_read_the_log_view(self):
        with tempfile.TemporaryDirectory() as tmp:
            run = os.path.join(tmp, "run")
            log = self.run_train(run, "--kimg", "0.0035", "--d-view", "log")  # 1 step, with R1 (step 0)
            self.assertIn("reads the log view", log)
            ck = torch.load(os.path.join(run, "checkpoint.pt"), map_location="cpu")
            self.assertEqual(ck["D_config"]["input_view"], "log")
            self.assertTrue(all(torch.isfinite(v).all() for v in ck["D"].values()), "R1 in the log view stays finite")
            # Resumed without the option it keeps its view; another view is a sentence, no run.
            self.run_train(run, "--kimg", "0.0075")
            self.assertEqual(torch.load(os.path.join(run, "checkpoint.pt"), map_location="cpu")["D_config"]["input_view"],
                             "log")
            with self.assertRaises(SystemExit) as stop:
                self.run_train(run, "--kimg", "0.05", "--d-view", "linear")
            self.assertIn("--d-view", str(stop.exception.code))
            self.assertEqual(torch.load(os.path.join(run, "checkpoint.pt"), map_location="cpu")["state"]["step"], 2)

    def test_goes_on_from_a_bundle_with_a_new_or_its_own_discriminator(self):
        import export
        with tempfile.TemporaryDirectory() as tmp:
            run = os.path.join(tmp, "run")
            self.run_train(run, "--kimg", "0.0075")  # 2 steps
            ck = torch.load(os.path.join(run, "checkpoint.pt"), map_location="cpu")
            G = stylegan2.build(ck["config"])
            G.load_state_dict(ck["G_ema"])
            bundle = os.path.join(tmp, "bundle")
            export.write_bundle(G, bundle, name="t", description="", license="CC0-1.0", training_data="",
                                extra={"training": {k: ck["state"][k] for k in ("step", "kimg", "seconds")}})
            released = {k: v.detach().clone() for k, v in G.named_parameters()}  # (w_avg, a buffer, tracks on)

            # Without discriminator.pt: a new D trains alone for --d-warmup steps; the generator stays as released.
            run2 = os.path.join(tmp, "run2")
            log = self.run_train(run2, "--resume-from", bundle, "--d-warmup", "2", "--kimg", "0.0155")
            self.assertIn("discriminator: new", log)
            self.assertIn("resumed at step 2", log)
            ck2 = torch.load(os.path.join(run2, "checkpoint.pt"), map_location="cpu")
            self.assertEqual(ck2["state"]["step"], 4)
            for k, v in released.items():
                self.assertTrue(torch.equal(ck2["G"][k], v), f"G.{k} moved while the new D warmed up")
            self.assertFalse(all(torch.equal(ck2["D"][k], v) for k, v in ck["D"].items() if k in ck2["D"]),
                             "the new D trained")
            log = self.run_train(run2, "--kimg", "0.0235")  # 2 more steps: now the generator trains too
            ck3 = torch.load(os.path.join(run2, "checkpoint.pt"), map_location="cpu")
            self.assertFalse(all(torch.equal(ck3["G"][k], v) for k, v in released.items()), "G trains after it")

            # With the discriminator written next to it (release_model.py does): training goes on with that D.
            D = stylegan2.Discriminator(**ck3["D_config"])
            D.load_state_dict(ck3["D"])
            train.write_discriminator(D, os.path.join(bundle, "discriminator.pt"), source="test")
            run3 = os.path.join(tmp, "run3")
            log = self.run_train(run3, "--resume-from", bundle, "--kimg", "0.0155")
            self.assertNotIn("discriminator: new", log)
            back = train.read_bundle(bundle)
            for k, v in ck3["D"].items():
                self.assertTrue(torch.allclose(back["D"][k].float(), v, atol=1e-2 * (1 + v.abs().max().item())), k)
            self.assertEqual(back["state"]["step"], 2)
            # That D from another run (a later checkpoint's, say) catches up alone first when --d-warmup says so,
            # once: a resumed run folder does not start it again.
            run5 = os.path.join(tmp, "run5")
            log = self.run_train(run5, "--resume-from", bundle, "--d-warmup", "2", "--kimg", "0.0155")
            self.assertIn("from --resume-from, alone for 2 steps", log)
            ck5 = torch.load(os.path.join(run5, "checkpoint.pt"), map_location="cpu")
            for k, v in released.items():
                self.assertTrue(torch.equal(ck5["G"][k], v), f"G.{k} moved while the bundle's D caught up")
            log = self.run_train(run5, "--resume-from", bundle, "--d-warmup", "2", "--kimg", "0.0235")
            self.assertNotIn("alone for", log)
            ck5 = torch.load(os.path.join(run5, "checkpoint.pt"), map_location="cpu")
            self.assertFalse(all(torch.equal(ck5["G"][k], v) for k, v in released.items()), "then G trains")

            # Two channels from this one-channel bundle: its discriminator sees one channel, so a new one; a run
            # folder keeps its channels.
            log = self.run_train(os.path.join(tmp, "run4"), "--resume-from", bundle, "--channels", "2",
                                 "--d-warmup", "1", "--kimg", "0.0035")
            self.assertIn("sees fewer channels; a new one", log)
            self.assertIn("image channels 1 -> 2", log)
            with self.assertRaises(SystemExit):
                self.run_train(run3, "--channels", "2", "--kimg", "0.05")

    def test_a_one_channel_bundle_grows_a_second_channel(self):
        import export
        with tempfile.TemporaryDirectory() as tmp:
            run = os.path.join(tmp, "run")
            self.run_train(run, "--kimg", "0.0075")  # 2 steps, 1 channel
            ck = torch.load(os.path.join(run, "checkpoint.pt"), map_location="cpu")
            G = stylegan2.build(ck["config"])
            G.load_state_dict(ck["G_ema"])
            bundle = os.path.join(tmp, "bundle")
            export.write_bundle(G, bundle, name="t", description="", license="CC0-1.0", training_data="")
            released = {k: v.detach().clone() for k, v in G.named_parameters()}  # (w_avg tracks on)

            run2 = os.path.join(tmp, "run2")
            log = self.run_train(run2, "--resume-from", bundle, "--channels", "2", "--d-warmup", "2",
                                 "--kimg", "0.0075")
            self.assertIn("image channels 1 -> 2", log)
            self.assertTrue(os.path.exists(os.path.join(tmp, "data-64-2.npy")), "a two-channel training set")
            ck2 = torch.load(os.path.join(run2, "checkpoint.pt"), map_location="cpu")
            self.assertEqual(ck2["config"]["img_channels"], 2)
            self.assertEqual(ck2["D_config"]["img_channels"], 2)
            self.assertEqual(ck2["state"]["started_from"], "bundle", "recorded for the model card")
            widened = [k for k in released if k.endswith("torgb.weight") or k.endswith("torgb.bias")]
            self.assertEqual(len(widened), 2 * 5, "toRGB weight and bias of the five blocks of 64 px")
            for k, v in released.items():
                got = ck2["G"][k]
                if k in widened:
                    self.assertEqual(got.shape[0], 2, k)
                    self.assertTrue(torch.equal(got[0], v[0]) and torch.equal(got[1], v[0]), k)
                else:
                    self.assertTrue(torch.equal(got, v), f"{k} as released (the new D warmed up alone)")
            G2 = stylegan2.build(ck2["config"])
            G2.load_state_dict(ck2["G_ema"])
            with torch.no_grad():
                img = G2(G2.mapping(torch.randn(2, G2.z_dim), torch.tensor(1.0)))
            self.assertEqual(tuple(img.shape), (2, 2, 64, 64))
            self.assertTrue(torch.allclose(img[:, 0], img[:, 1]), "both channels start as the first one")
            # Resumed, the generator trains now, with the mapping and the blocks below 32 px held (--freeze-below).
            log = self.run_train(run2, "--channels", "2", "--kimg", "0.0155", "--freeze-below", "32",
                                 "--noise-strength", "-0.03")
            self.assertNotIn("image channels", log)
            self.assertIn("held fixed", log)
            ck3 = torch.load(os.path.join(run2, "checkpoint.pt"), map_location="cpu")
            for net in ("G", "G_ema"):  # --noise-strength: the top layers' strengths are set and held
                top = {k: float(v) for k, v in ck3[net].items() if k.endswith("noise_strength")
                       and ck3[net][k.replace("strength", "const")].shape[-1] == 64}
                self.assertEqual(len(top), 2)
                self.assertTrue(all(abs(v + 0.03) < 1e-7 for v in top.values()), (net, top))
            self.assertEqual(ck3["config"]["img_channels"], 2)
            low = ("blocks.0.", "blocks.1.", "blocks.2.")  # 4, 8, 16 px
            for k, v in ck2["G"].items():
                if not v.is_floating_point() or k.endswith("w_avg") or k.endswith("noise_const"):
                    continue
                held = k.startswith("mapping_net.") or (k.startswith(low) and ".torgb." not in k)
                if held:
                    self.assertTrue(torch.equal(ck3["G"][k], v), f"{k} is held")
            moved = lambda prefix: any(not torch.equal(ck3["G"][k], v) for k, v in ck2["G"].items()  # noqa: E731
                                       if k.startswith(prefix))
            self.assertTrue(moved("blocks.4."), "the 64 px block trains")
            self.assertTrue(moved("blocks.0.torgb.") or moved("blocks.1.torgb."), "low toRGB layers train")


if __name__ == "__main__":
    unittest.main()
