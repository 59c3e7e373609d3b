#!/usr/bin/env python3
"""Write a generator bundle (a folder with generator.pt and model.json) from a checkpoint.

Usage:
  /usr/bin/python3 tools/export.py CHECKPOINT OUT_DIR --name NAME [--description ...] [--license ...]
      [--training-data ...] [--learning-rate 0.002] [--psi 0.7] [--drag-layers 6] [--card CARD.md]

A checkpoint is what tools/train.py saves: a dict with "config" (the Generator's constructor arguments) and
"G_ema" (its state dict). The bundle format is documented in docs/model-format.md.

Export with torch 1.13 (Debian's python3-torch): DJL's libtorch 2.7.1 reads its TorchScript; files written by
much newer torch versions may use a format 2.7.1 cannot read.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stylegan2  # noqa: E402

FORMAT_VERSION = 1


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def compute_w_avg(G: stylegan2.Generator, samples: int = 10000, seed: int = 123) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(samples, G.z_dim, generator=gen)
    with torch.no_grad():
        return G.mapping_net(z, 1.0)[:, 0].mean(dim=0)


def write_bundle(G: stylegan2.Generator, out_dir: str, *, name: str, description: str, license: str,
                 training_data: str, learning_rate: float = 0.002, psi: float = 0.7, drag_layers: int = 6,
                 output_range=(-1.0, 1.0), card: str = None, extra: dict = None) -> dict:
    """Scripts G, saves generator.pt and model.json into out_dir (created) and returns the metadata."""
    os.makedirs(out_dir, exist_ok=True)
    G = G.eval().float()
    G.set_random_noise(False)
    for p in G.parameters():
        p.requires_grad_(False)
    scripted = torch.jit.script(G)
    pt_path = os.path.join(out_dir, "generator.pt")
    scripted.save(pt_path)
    meta = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "description": description,
        "license": license,
        "training_data": training_data,
        "resolution": G.resolution,
        "image_channels": G.img_channels,
        "z_dim": G.z_dim,
        "w_dim": G.w_dim,
        "num_ws": G.num_ws,
        "feature_block": {
            "index": G.feature_block,
            "resolution": G.feature_resolution,
            "channels": G.feature_channels,
        },
        "drag_layers": min(drag_layers, G.num_ws),
        "learning_rate": learning_rate,
        "truncation_psi": psi,
        "intensity": {
            "output_min": float(output_range[0]),
            "output_max": float(output_range[1]),
            "rule": "linear: output_min -> black (0), output_max -> full scale (255 at 8 bit, 65535 at "
                    "16 bit, 1.0 as float); values outside are clipped",
        },
        "weights": {"file": "generator.pt", "sha256": sha256(pt_path)},
        "architecture": dict(G.config, family="stylegan2-skip",
                             **({"one_channel": stylegan2.ONE_CHANNEL} if G.img_channels == 1 and
                                G.blocks[0].torgb.one_channel_as_two else {})),
        "exported_with": {"torch": torch.__version__},
    }
    if extra:
        meta.update(extra)
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    if card:
        shutil.copyfile(card, os.path.join(out_dir, "MODEL_CARD.md"))
    return meta


def load_checkpoint(path: str) -> stylegan2.Generator:
    """A train.py checkpoint file, or a slim checkpoint folder (train.py --slim)."""
    if os.path.isdir(path):
        import train  # the slim checkpoint format is train.py's
        ckpt = train.read_slim(path)
    else:
        ckpt = torch.load(path, map_location="cpu")
    G = stylegan2.build(ckpt["config"])
    G.load_state_dict(ckpt["G_ema"])
    return G


def random_generator(resolution: int, channels: int = 1) -> stylegan2.Generator:
    """Random weights in the architecture train.py uses at this resolution (for benchmarks: speed does not
    depend on the weights)."""
    torch.manual_seed(0)
    G = stylegan2.build(dict(stylegan2.PRESETS[resolution], resolution=resolution, img_channels=channels,
                             conv_clamp=256.0, noise_seed=0))
    with torch.no_grad():
        G.mapping_net.w_avg.copy_(compute_w_avg(G))
    return G


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint", help="a train.py checkpoint, or 'random:RES' for random weights in "
                                       "train.py's architecture at RES px (benchmarks only)")
    ap.add_argument("out_dir")
    ap.add_argument("--name", required=True)
    ap.add_argument("--description", default="")
    ap.add_argument("--license", default="CC-BY-4.0")
    ap.add_argument("--training-data", default="")
    ap.add_argument("--learning-rate", type=float, default=0.002)
    ap.add_argument("--psi", type=float, default=0.7)
    ap.add_argument("--drag-layers", type=int, default=6)
    ap.add_argument("--card", help="a Markdown model card copied into the bundle as MODEL_CARD.md")
    args = ap.parse_args(argv)
    if args.checkpoint.startswith("random:"):
        G = random_generator(int(args.checkpoint.split(":", 1)[1]))
    else:
        G = load_checkpoint(args.checkpoint)
    meta = write_bundle(G, args.out_dir, name=args.name, description=args.description, license=args.license,
                        training_data=args.training_data, learning_rate=args.learning_rate, psi=args.psi,
                        drag_layers=args.drag_layers, card=args.card)
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
