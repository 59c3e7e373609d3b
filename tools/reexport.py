#!/usr/bin/env python3
"""Write a bundle again with today's generator code: the same weights and metadata, today's TorchScript.

Usage:
  /usr/bin/python3 tools/reexport.py BUNDLE_DIR OUT_DIR

A bundle exported before architecture.one_channel existed (a grayscale model from an earlier export.py or
convert.py) renders differently with the thread count on some CPUs (docs/reproducibility.md); re-exported, it
computes the same image the reproducible way. The generator's state is read out of BUNDLE_DIR's generator.pt,
loaded into tools/stylegan2.py's Generator built from model.json's architecture, checked to render the same
images as the old module (four latents, float32 within 1e-5 of the output range), and written with export.py
into OUT_DIR, which must not exist or be empty; every other file of the bundle (model card, discriminator,
quality report) is copied, and model.json keeps every field but the weights' checksum, architecture.one_channel
and exported_with. BUNDLE_DIR is only read. Exit 2 with one sentence when something is refused.
"""
import json
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import convert  # noqa: E402  (write_complete, check_out_dir: the converter's atomic output)
import export  # noqa: E402
import stylegan2  # noqa: E402

# architecture keys that describe the export, not the Generator's constructor
NOT_CONSTRUCTOR = ("family", "one_channel")


class ReexportError(ValueError):
    pass


def rebuild(bundle_dir: str):
    """(Generator with the bundle's weights, the old module, model.json as a dict)."""
    meta_path = os.path.join(bundle_dir, "model.json")
    if not os.path.isfile(meta_path):
        raise ReexportError(f"{bundle_dir} has no model.json: give a bundle folder")
    with open(meta_path) as f:
        meta = json.load(f)
    arch = meta.get("architecture")
    if not isinstance(arch, dict) or arch.get("family") != "stylegan2-skip":
        raise ReexportError(f"{bundle_dir}: model.json has no stylegan2-skip architecture, so its generator cannot "
                            f"be rebuilt from tools/stylegan2.py")
    weights = os.path.join(bundle_dir, meta.get("weights", {}).get("file", "generator.pt"))
    old = torch.jit.load(weights, map_location="cpu")
    G = stylegan2.build({k: v for k, v in arch.items() if k not in NOT_CONSTRUCTOR})
    state = old.state_dict()
    missing, unexpected = G.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise ReexportError(f"{weights} does not fit the architecture in model.json (missing {missing[:3]}, "
                            f"unexpected {unexpected[:3]})")
    return G.eval(), old, meta


def same_images(G, old, meta, seeds=(0, 1, 2, 3)) -> float:
    """The largest difference between the old module's and the rebuilt generator's images, in output units."""
    worst = 0.0
    with torch.no_grad():
        for seed in seeds:
            z = torch.randn(1, G.z_dim, generator=torch.Generator().manual_seed(seed))
            ws = old.mapping(z, torch.tensor(0.7)) if meta.get("c_dim", 0) == 0 else old.mapping_c(
                z, torch.nn.functional.one_hot(torch.tensor([0]), meta["c_dim"]).float(), torch.tensor(0.7))
            worst = max(worst, float((old.synthesis(ws) - G.synthesis(ws)).abs().max()))
    return worst


def run(bundle_dir: str, out_dir: str) -> dict:
    bundle_dir, out_dir = os.path.abspath(bundle_dir), os.path.abspath(out_dir)
    if bundle_dir == out_dir:
        raise ReexportError("OUT_DIR is the bundle itself: give a new folder (the bundle is never overwritten)")
    convert.check_out_dir(out_dir)
    G, old, meta = rebuild(bundle_dir)
    span = meta.get("intensity", {}).get("output_max", 1.0) - meta.get("intensity", {}).get("output_min", -1.0)
    diff = same_images(G, old, meta)
    if not diff <= 1e-5 * span:
        raise ReexportError(f"the rebuilt generator renders {diff:.3g} away from {bundle_dir}'s own: not written")

    def write(folder):
        keep = {k: v for k, v in meta.items() if k not in ("weights", "architecture", "exported_with")}
        fresh = export.write_bundle(G, folder, name=meta["name"], description=meta.get("description", ""),
                                    license=meta.get("license", ""), training_data=meta.get("training_data", ""),
                                    learning_rate=meta.get("learning_rate", 0.002),
                                    psi=meta.get("truncation_psi", 0.7), drag_layers=meta.get("drag_layers", 6))
        merged = dict(keep, weights=fresh["weights"], architecture=fresh["architecture"],
                      exported_with=dict(fresh["exported_with"], reexported_from=meta.get("weights", {}).get(
                          "sha256")))
        ordered = {k: merged[k] for k in list(meta) + [k for k in merged if k not in meta] if k in merged}
        with open(os.path.join(folder, "model.json"), "w") as f:
            json.dump(ordered, f, indent=2)
            f.write("\n")
        for name in sorted(os.listdir(bundle_dir)):
            src = os.path.join(bundle_dir, name)
            if name not in ("model.json", os.path.basename(meta.get("weights", {}).get("file", "generator.pt"))) \
                    and os.path.isfile(src):
                shutil.copy2(src, os.path.join(folder, name))
        return ordered

    out = convert.write_complete(out_dir, write)
    print(f"Re-exported {bundle_dir} -> {out_dir} (images within {diff:.2g} of the old module's)")
    return out


def cli(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0].startswith("-"):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        with torch.no_grad():
            run(args[0], args[1])
        return 0
    except (ReexportError, convert.OutputError, RuntimeError, OSError) as e:
        print("reexport.py: " + " ".join(str(e).split()), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(cli())
