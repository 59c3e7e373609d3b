#!/usr/bin/env python3
"""Make the tiny random-weight test bundle and the Java/Python parity fixture.

  /usr/bin/python3 tools/make_test_fixtures.py [--out src/test/resources/fixtures]

Writes OUT/tiny-cond/ (3 classes), OUT/no-tail.pt (a TorchScript module without the tail method, for the loader's validation test),
OUT/tiny/ (a bundle: 32x32 RGB, 8 ws, feature block 2 = 16x16x32) and OUT/tiny-parity.json: for a fixed
z and psi, the mapping output ws, the head's features, the synthesised image and the gradient with respect to
ws of the scalar loss  L = mean(feat^2) + mean(image^2)  (feat from head(ws), image from synthesis(ws)).
Deterministic: running it again gives the same numbers (the TorchScript file may differ byte-wise).
The drag fixture OUT/tiny-drag.json comes from tools/reference_drag.py --fixture (run it after this script).
`--two-channel-image` writes only OUT/sim-nuclei-cyto-128.tif, a simulated two-channel image (two_channel_image).
`--nvidia-rgb-pickle` writes only OUT/nvidia-rgb-32.pkl, a 32 px RGB StyleGAN2 pickle in NVIDIA's layout (random
weights; the subject of the Java round trip through 'draggan dataset' and 'convert --dataset').
`--renders` writes only the reproducibility fixtures (render_fixtures): OUT/tiny-gray/, OUT/tiny-gray-old/,
OUT/tiny-2ch/, OUT/nvidia-gray/ and OUT/renders.json.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export  # noqa: E402
import stylegan2  # noqa: E402

TINY = dict(z_dim=32, w_dim=32, resolution=32, img_channels=3, channel_base=512, channel_max=32,
            mapping_layers=2, conv_clamp=256.0, feature_block=2, noise_seed=7)


def tiny_generator() -> stylegan2.Generator:
    torch.manual_seed(2026)
    G = stylegan2.Generator(**TINY)
    with torch.no_grad():
        # Random weights everywhere, including the parameters a fresh StyleGAN2 starts at zero, so that
        # every path (noise strength, biases) is exercised by the parity test.
        for name, p in G.named_parameters():
            if name.endswith("noise_strength"):
                p.fill_(0.1)
            elif name.endswith("bias") and p.dim() == 1:
                p.copy_(torch.randn_like(p) * 0.1 + (1.0 if "affine" in name else 0.0))
        G.mapping_net.w_avg.copy_(export.compute_w_avg(G))
    return G


class NoTail(torch.nn.Module):
    """A module with every bundle method but tail, for the loader's missing-method test."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(4))

    def forward(self, ws: torch.Tensor) -> torch.Tensor:
        return ws * self.w

    @torch.jit.export
    def mapping(self, z: torch.Tensor, psi: torch.Tensor) -> torch.Tensor:
        return z.unsqueeze(1) * psi

    @torch.jit.export
    def w_avg(self) -> torch.Tensor:
        return self.w

    @torch.jit.export
    def head(self, ws: torch.Tensor):
        return ws, ws

    @torch.jit.export
    def synthesis(self, ws: torch.Tensor) -> torch.Tensor:
        return ws


def conditional_bundle(out: str) -> None:
    """OUT/tiny-cond/: the tiny architecture with 3 classes (mapping_c), for the Java conditional-model test."""
    torch.manual_seed(77)
    G = stylegan2.Generator(**dict(TINY, c_dim=3))
    with torch.no_grad():
        for name, p in G.named_parameters():
            if name.endswith("noise_strength"):
                p.fill_(0.1)
        gen = torch.Generator().manual_seed(5)
        z = torch.randn(2000, G.z_dim, generator=gen)
        c = torch.nn.functional.one_hot(torch.randint(0, 3, (2000,), generator=gen), 3).float()
        G.mapping_net.w_avg.copy_(G.mapping_net(z, 1.0, c=c)[:, 0].mean(dim=0))
    export.write_bundle(G, os.path.join(out, "tiny-cond"), name="tiny-conditional",
                        description="Random weights, 3 classes, for tests only.", license="CC0-1.0",
                        training_data="none (random weights)", extra={"c_dim": 3})


def flat(t: torch.Tensor) -> list:
    return [float(v) for v in t.detach().reshape(-1).tolist()]


TWO_CHANNEL_SEED = 5_000_123  # a held-out simulator seed (train.py trains on 1,000,000 + i, i < 20,000)


def two_channel_image(out: str) -> str:
    """OUT/sim-nuclei-cyto-128.tif: one simulated two-channel image (nuclei, cytoplasm), 128 px, 8-bit, as a
    two-page TIFF, for the Java test of the two-channel sample model (its inversion of an image it never saw)."""
    import numpy as np
    from PIL import Image
    import simulate
    img = np.round(255 * np.clip(simulate.simulate(TWO_CHANNEL_SEED, size=128, channels=2), 0, 1)).astype(np.uint8)
    path = os.path.join(out, "sim-nuclei-cyto-128.tif")
    pages = [Image.fromarray(img[c]) for c in range(2)]
    pages[0].save(path, save_all=True, append_images=pages[1:])
    return path


def _random_tiny(seed: int, **changes) -> stylegan2.Generator:
    torch.manual_seed(seed)
    G = stylegan2.Generator(**dict(TINY, **changes))
    with torch.no_grad():
        for name, p in G.named_parameters():
            if name.endswith("noise_strength"):
                p.fill_(0.1)
            elif name.endswith("bias") and p.dim() == 1:
                p.copy_(torch.randn_like(p) * 0.1 + (1.0 if "affine" in name else 0.0))
        G.mapping_net.w_avg.copy_(export.compute_w_avg(G, samples=2000))
    return G


RENDER_SEEDS = (3, 4)


def render_fixtures(out: str) -> dict:
    """The fixtures of the reproducibility tests (docs/reproducibility.md): bundles of 1, 2 and 3 channels and, for
    each, the latents of RENDER_SEEDS with the image Python renders of them at one thread, in renders.json.

    tiny-gray: one channel, today's export (architecture.one_channel = "as-two"); tiny-gray-old: the same weights
    exported as before that existed (one output channel convolutions; the Java render check's subject);
    tiny-2ch: two channels; tiny (the existing 3-channel bundle); nvidia-gray: a grayscale StyleGAN2 in the layout
    NVIDIA's stylegan3 repository writes, converted by tools/convert.py, whose Python image is the reference
    equations' (test_convert.ref_nvidia_generator), not the bundle's."""
    import tempfile
    import convert
    import test_convert as tc
    torch.set_num_threads(1)
    gray = _random_tiny(31, img_channels=1)
    export.write_bundle(gray, os.path.join(out, "tiny-gray"), name="tiny-gray", description="Random weights, one "
                        "channel, for tests only.", license="CC0-1.0", training_data="none (random weights)")
    gray.set_one_channel_as_two(False)
    export.write_bundle(gray, os.path.join(out, "tiny-gray-old"), name="tiny-gray-old",
                        description="Random weights, one channel, exported as before architecture.one_channel "
                        "(for the render check's tests only).", license="CC0-1.0",
                        training_data="none (random weights)")
    export.write_bundle(_random_tiny(32, img_channels=2), os.path.join(out, "tiny-2ch"), name="tiny-2ch",
                        description="Random weights, two channels, for tests only.", license="CC0-1.0",
                        training_data="none (random weights)")
    ch = {4: 16, 8: 16, 16: 12, 32: 8}
    nv = tc.to_stylegan3_repo_kwargs(tc.nv_generator(45, res=32, img_ch=1, channels=ch, z_dim=16, w_dim=16,
                                                     layers=2))
    nv_dir = os.path.join(out, "nvidia-gray")
    with tempfile.TemporaryDirectory() as tmp:
        pkl = os.path.join(tmp, "stylegan2-gray-32.pkl")
        tc.write_nvidia_pickle(pkl, nv)
        if os.path.isdir(nv_dir):
            import shutil
            shutil.rmtree(nv_dir)
        with torch.no_grad():
            convert.run(convert.parse_args([pkl, nv_dir, "--name", "nvidia-gray", "--license", "CC0-1.0",
                                            "--description", "Random weights in NVIDIA's stylegan3-repository "
                                            "StyleGAN2 layout, one channel, for tests only."]))
    renders = {"description": "tools/make_test_fixtures.py --renders: per bundle, latents (W+) and the image "
                              "Python renders of them at 1 thread, [channels, res, res] flattened, generator units",
               "torch": torch.__version__}
    nv_state = tc.state_of(nv)
    for name in ("tiny-gray", "tiny-gray-old", "tiny-2ch", "tiny", "nvidia-gray"):
        S = torch.jit.load(os.path.join(out, name, "generator.pt"))
        items = []
        for seed in RENDER_SEEDS:
            z = torch.randn(1, S.w_avg().shape[0] if name != "nvidia-gray" else 16,
                            generator=torch.Generator().manual_seed(seed))
            with torch.no_grad():
                ws = S.mapping(z, torch.tensor(0.7))
                if name == "nvidia-gray":
                    img = tc.ref_nvidia_generator(nv_state, z, None, 0.7, layers=2, lr=0.01, clamp=256.0)
                else:
                    img = S.synthesis(ws)
            items.append({"seed": seed, "ws": flat(ws), "image": flat(img)})
        renders[name] = items
    with open(os.path.join(out, "renders.json"), "w") as f:
        json.dump(renders, f)
    return renders


def nvidia_rgb_pickle(out: str) -> str:
    """OUT/nvidia-rgb-32.pkl: what NVIDIA's train.py would leave after training on a 32 px RGB set (2-channel
    'draggan dataset' sets are RGB with an empty blue channel), random weights."""
    import test_convert as tc
    ch = {4: 16, 8: 16, 16: 12, 32: 8}
    G = tc.nv_generator(46, res=32, img_ch=3, channels=ch, z_dim=16, w_dim=16, layers=2)
    path = os.path.join(out, "nvidia-rgb-32.pkl")
    tc.write_nvidia_pickle(path, G)
    return path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="src/test/resources/fixtures")
    ap.add_argument("--two-channel-image", action="store_true",
                    help="only write OUT/sim-nuclei-cyto-128.tif (see two_channel_image)")
    ap.add_argument("--nvidia-rgb-pickle", action="store_true", help="only write OUT/nvidia-rgb-32.pkl")
    ap.add_argument("--renders", action="store_true", help="only write the reproducibility fixtures "
                                                           "(see render_fixtures)")
    args = ap.parse_args(argv)
    if args.nvidia_rgb_pickle:
        print("wrote", nvidia_rgb_pickle(args.out))
        return
    if args.renders:
        render_fixtures(args.out)
        print("wrote the reproducibility fixtures and renders.json into", args.out)
        return
    if args.two_channel_image:
        print("wrote", two_channel_image(args.out))
        return
    torch.set_num_threads(1)
    G = tiny_generator()
    bundle = os.path.join(args.out, "tiny")
    export.write_bundle(G, bundle, name="tiny-random", description="Random weights, for tests only.",
                        license="CC0-1.0", training_data="none (random weights)", learning_rate=0.002,
                        psi=0.7, drag_layers=6)
    torch.jit.script(NoTail()).save(os.path.join(args.out, "no-tail.pt"))
    conditional_bundle(args.out)
    S = torch.jit.load(os.path.join(bundle, "generator.pt"))
    gen = torch.Generator().manual_seed(11)
    z = torch.randn(1, TINY["z_dim"], generator=gen)
    psi = 0.7
    ws = S.mapping(z, torch.tensor(psi)).detach()
    ws_req = ws.clone().requires_grad_(True)
    feat, _ = S.head(ws_req)
    img = S.synthesis(ws_req)
    loss = feat.square().mean() + img.square().mean()
    loss.backward()
    fixture = {
        "description": "tools/make_test_fixtures.py: tiny bundle, L = mean(head(ws)[0]^2) + mean(synthesis(ws)^2)",
        "torch": torch.__version__,
        "z": flat(z), "psi": psi,
        "ws_shape": list(ws.shape), "ws": flat(ws),
        "feat_shape": list(feat.shape), "feat": flat(feat),
        "image_shape": list(img.shape), "image": flat(img),
        "w_avg": flat(S.w_avg()),
        "loss": float(loss), "grad_ws": flat(ws_req.grad),
    }
    with open(os.path.join(args.out, "tiny-parity.json"), "w") as f:
        json.dump(fixture, f)
    print("wrote", bundle, "and tiny-parity.json; loss", float(loss))


if __name__ == "__main__":
    main()
