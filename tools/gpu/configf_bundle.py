#!/usr/bin/env python3
"""A random-weight bundle with StyleGAN2 config-f channel widths (NVIDIA's FFHQ/LSUN networks, the paper's setting),
for timing the drag loop at the size the DragGAN paper measured (512 px: 2.0 s per 1-point edit on an RTX 3090).

config-f: z and w 512-dimensional, 8 mapping layers, channel_base 32768 and channel_max 512, i.e. 512 channels from
4 to 64 px, 256 at 128, 128 at 256, 64 at 512; RGB; the drag features are those of the 128 px block (256 channels),
as in DragGAN's official code. Speed does not depend on the weights, so they are random (about 30 M parameters).
Uses export.py's and stylegan2.py's functions unchanged (export.py's own 'random:RES' uses train.py's narrow presets).

  python3 tools/gpu/configf_bundle.py OUT_DIR [--resolution 512] [--channels 3]
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import export  # noqa: E402
import stylegan2  # noqa: E402


def configf_generator(resolution=512, channels=3):
    torch.manual_seed(0)
    G = stylegan2.build(dict(z_dim=512, w_dim=512, resolution=resolution, img_channels=channels,
                             channel_base=32768, channel_max=512, mapping_layers=8, conv_clamp=256.0,
                             feature_block=5, noise_seed=0))
    with torch.no_grad():
        G.mapping_net.w_avg.copy_(export.compute_w_avg(G, samples=2000))
    return G


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--resolution", type=int, default=512)
    ap.add_argument("--channels", type=int, default=3)
    args = ap.parse_args(argv)
    t0 = time.time()
    G = configf_generator(args.resolution, args.channels)
    params = sum(p.numel() for p in G.parameters())
    export.write_bundle(G, args.out_dir, name=f"configf-{args.resolution}-random",
                        description=f"random weights, StyleGAN2 config-f channel widths at {args.resolution} px "
                                    "(benchmarks only)", license="CC0-1.0",
                        training_data="none: random weights", learning_rate=0.002, psi=0.7, drag_layers=6)
    print(f"wrote {args.out_dir}: {params / 1e6:.1f} M parameters, features {G.feature_channels} x "
          f"{G.feature_resolution}^2, torch {torch.__version__}, {time.time() - t0:.1f} s", flush=True)


if __name__ == "__main__":
    main()
