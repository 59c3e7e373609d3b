#!/usr/bin/env python3
"""Convert a StyleGAN2 network from NVIDIA's or rosinality's code into a bundle, without running pickled code.

Usage:
  /usr/bin/python3 tools/convert.py IN OUT_DIR [--name NAME] [--license SPDX] [--network G_ema]
      [--feature-block N] [--discriminator] [--psi 0.7] [--learning-rate 0.002] [--drag-layers 6]
      [--mapping-lr-mul 0.01] [--description ...] [--training-data ...] [--verbose]

IN is one of
  * a network pickle of NVIDIA's stylegan2-ada-pytorch, or a StyleGAN2 (config "stylegan2") pickle of the
    StyleGAN3 repository (a dict with 'G', 'D', 'G_ema', ...; or a pickle holding only the generator). The
    StyleGAN3 alias-free generators (configs T and R) are a different architecture and are refused.
  * a checkpoint of rosinality's stylegan2-pytorch (a torch.save'd dict with 'g_ema', optionally 'd' and
    'latent_avg'), in the zip or the legacy torch format. SWAGAN checkpoints of the same repository
    (train.py --arch swagan) are a different architecture and are refused.

OUT_DIR must not exist yet or be empty: the bundle is written into a hidden folder beside it and renamed to
OUT_DIR when complete, so a failed or interrupted conversion leaves nothing behind and no file is overwritten.
Exit code 0: converted; 2: the input or OUT_DIR was refused (one sentence on stderr says what is wrong and what
to do; --verbose adds the Python traceback); 1: an unexpected error of the converter itself.

Nothing in the file is executed: it is read by tools/safe_unpickle.py, whose restricted unpickler rebuilds only
tensors, containers and numbers and stops at any other global the file names (os.system, builtins.eval,
subprocess.Popen, any import), naming it. Embedded NVIDIA module sources are only parsed, never executed.

The parameters are then mapped onto tools/stylegan2.py (docs/model-format.md, "Converting NVIDIA and rosinality
checkpoints"), the result is written with export.write_bundle, and MODEL_CARD.md records where it came from.
Everything is read from the file: resolution, image channels, channels per block, num_ws, mapping depth, label
size. With --discriminator, D is written too (discriminator.pt, see the docs).
"""
import argparse
import json
import math
import os
import re
import shutil
import signal
import sys
import tempfile
import traceback
import zipfile
from typing import Dict, List, Optional

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export  # noqa: E402
import stylegan2  # noqa: E402
from safe_unpickle import (ConversionError, Namespace, PersistentObject, RefusedPickle,  # noqa: E402,F401
                           UnreadableFile, load_file)


# --------------------------------------------------------------------------------------------- helpers

def _fir_ok(f: torch.Tensor, gain: float) -> bool:
    f = f.detach().float().reshape(-1)
    return f.numel() == 16 and torch.allclose(f, (stylegan2.fir_filter() * gain).reshape(-1), atol=1e-6)


def _scalar(v) -> Optional[float]:
    if v is None:
        return None
    if isinstance(v, torch.Tensor):
        return float(v.reshape(-1)[0])
    return float(v)


def _fold(value: torch.Tensor, gain_src: Optional[float], gain_dst: float) -> torch.Tensor:
    """A parameter that the source multiplies by gain_src, stored for code that multiplies by gain_dst."""
    value = value.detach().float().clone()
    if gain_src is None or abs(gain_src - gain_dst) <= 1e-12 * max(1.0, abs(gain_dst)):
        return value
    return value * (gain_src / gain_dst)


def feature_block_rule(resolution: int) -> int:
    """The block at min(128, resolution / 2) px: DragGAN's feat[5] (128 px) from 256 px up, half the
    resolution below (64 px -> 32 px, 128 px -> 64 px, as tools/train.py's presets)."""
    target = min(128, resolution // 2)
    return int(math.log2(target)) - 2


def _res_list(keys, prefix: str) -> List[int]:
    out = set()
    for k in keys:
        if k.startswith(prefix):
            head = k[len(prefix):].split(".", 1)[0]
            if head.isdigit():
                out.add(int(head))
    return sorted(out)


def _check_resolutions(res: List[int]) -> int:
    if not res or res[0] != 4 or any(b != 2 * a for a, b in zip(res, res[1:])):
        raise ConversionError(f"synthesis blocks at {res}: expected 4, 8, 16, ... (powers of two)")
    if res[-1] < 8:
        raise ConversionError("the generator must have at least two blocks (8 px)")
    return res[-1]


def _check_image_channels(img_channels: int, note: str = ""):
    if not 1 <= img_channels <= 4:
        raise ConversionError(f"toRGB makes {img_channels} image channels{note}; a bundle holds 1 to 4 (grayscale, "
                              f"two channels, RGB, RGBA), so this generator cannot be converted")


def _describe_channels(P: stylegan2.Generator, stated=(None, None)):
    """model.json's architecture.channel_base/channel_max: the file's values when NVIDIA's rule with them gives the
    channels read from the tensors, else the smallest values that do (stylegan2.channel_rule), else none (the
    per-resolution "channels" alone describe the model). Never the constructor's unused defaults."""
    ch = {int(k): int(v) for k, v in P.config["channels"].items()}
    for base, cmax in (stated, stylegan2.channel_rule(ch) or (None, None)):
        try:
            base, cmax = int(base), int(cmax)
        except (TypeError, ValueError):
            continue
        if base > 0 and cmax > 0 and stylegan2.default_channels(P.resolution, base, cmax) == ch:
            P.config["channel_base"], P.config["channel_max"] = base, cmax
            return
    P.config.pop("channel_base", None)
    P.config.pop("channel_max", None)


def _fp16_resolutions(synthesis: PersistentObject, res: List[int], kw: dict, syn_kw: dict) -> List[int]:
    """The block resolutions the original computed in float16: each block's use_fp16 (stylegan2-ada-pytorch and
    the StyleGAN3 repo both keep it), else the highest num_fp16_res blocks of the init kwargs (under
    synthesis_kwargs in stylegan2-ada-pytorch, top-level in the StyleGAN3 repo's networks_stylegan2)."""
    flags = [synthesis.module(f"b{r}").attr("use_fp16") for r in res]
    if any(f is not None for f in flags):
        return [r for r, f in zip(res, flags) if f is not None and bool(f)]
    n = syn_kw.get("num_fp16_res", kw.get("num_fp16_res"))
    try:
        n = int(n or 0)
    except (TypeError, ValueError):
        n = 0
    return [r for r in res if r >= max(2 ** (int(math.log2(res[-1])) + 1 - n), 8)] if n > 0 else []


# ----------------------------------------------------------------------------------- NVIDIA generator

def _plain(v):
    """JSON-friendly copy of kwargs read from a pickle (EasyDicts, numpy scalars, ...)."""
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return repr(v)


def convert_nvidia_generator(G: PersistentObject, feature_block: Optional[int] = None, noise_seed: int = 0):
    """NVIDIA stylegan2-ada-pytorch (or StyleGAN3 repo, networks_stylegan2) Generator -> (project G, info)."""
    mods = G.modules
    if "synthesis" not in mods or "mapping" not in mods:
        raise ConversionError(f"{G.class_name} has no 'mapping' and 'synthesis' submodules")
    sd = G.tensors()
    keys = list(sd)
    if any(k.startswith("synthesis.input.") or k.startswith("synthesis.L0_") for k in keys):
        raise ConversionError("this is a StyleGAN3 (alias-free, config T/R) generator; only StyleGAN2 "
                              "generators (stylegan2-ada-pytorch, or config 'stylegan2' of the StyleGAN3 repo) "
                              "can be converted")
    kw = G.init_kwargs
    syn_kw = dict(kw.get("synthesis_kwargs") or {})
    map_kw = dict(kw.get("mapping_kwargs") or {})
    mapping, synthesis = G.module("mapping"), G.module("synthesis")

    # --- mapping
    fc_idx = _res_list(keys, "mapping.fc")
    if not fc_idx or fc_idx != list(range(len(fc_idx))):
        raise ConversionError(f"mapping layers fc{fc_idx}: expected fc0, fc1, ...")
    n_fc = len(fc_idx)
    w_dim = sd[f"mapping.fc{n_fc - 1}.weight"].shape[0]
    c_dim, embed_features = 0, 0
    if "mapping.embed.weight" in sd:
        embed_features, c_dim = sd["mapping.embed.weight"].shape
    z_dim = sd["mapping.fc0.weight"].shape[1] - embed_features
    layer_features = sd["mapping.fc0.weight"].shape[0] if n_fc > 1 else w_dim
    if z_dim <= 0:
        raise ConversionError("generators without z input (z_dim = 0) are not supported")
    fc0 = mapping.module("fc0")
    lr_mul = _scalar(fc0.attr("bias_gain"))
    if lr_mul is None:
        lr_mul = float(map_kw.get("lr_multiplier", 0.01))
    for name, want in [("z_dim", z_dim), ("c_dim", c_dim), ("w_dim", w_dim)]:
        if name in kw and int(kw[name]) != want:
            raise ConversionError(f"init kwargs say {name}={kw[name]} but the tensors say {want}")
    for i in range(n_fc):
        a = mapping.module(f"fc{i}").attr("activation", map_kw.get("activation", "lrelu"))
        if a != "lrelu":
            raise ConversionError(f"mapping activation {a!r}: only 'lrelu' is supported")

    # --- synthesis
    res = _res_list(keys, "synthesis.b")
    resolution = _check_resolutions(res)
    if "img_resolution" in kw and int(kw["img_resolution"]) != resolution:
        raise ConversionError(f"init kwargs say img_resolution={kw['img_resolution']}, blocks go to {resolution}")
    img_channels = sd["synthesis.b4.torgb.weight"].shape[0]
    if "img_channels" in kw and int(kw["img_channels"]) != img_channels:
        raise ConversionError(f"init kwargs say img_channels={kw['img_channels']}, toRGB has {img_channels}")
    _check_image_channels(img_channels)
    channels = {r: int(sd[f"synthesis.b{r}.conv1.weight"].shape[0]) for r in res}
    num_ws = 2 * len(res)
    pickled_num_ws = synthesis.attr("num_ws", G.attr("num_ws"))
    if pickled_num_ws is not None and int(pickled_num_ws) != num_ws:
        raise ConversionError(f"the pickle says num_ws={pickled_num_ws}, the skip blocks give {num_ws}")
    clamps = set()
    for r in res:
        blk = synthesis.module(f"b{r}")
        arch = blk.attr("architecture", syn_kw.get("architecture", "skip"))
        if arch != "skip" or "skip" in blk.modules:
            raise ConversionError(f"block b{r} has architecture {arch!r}; only 'skip' generators are supported")
        layer_names = ["conv1"] if r == 4 else ["conv0", "conv1"]
        for ln in layer_names:
            layer = blk.module(ln)
            if layer.attr("activation", "lrelu") != "lrelu":
                raise ConversionError(f"b{r}.{ln}: activation {layer.attr('activation')!r} is not supported")
            if sd[f"synthesis.b{r}.{ln}.weight"].shape[2:] != (3, 3):
                raise ConversionError(f"b{r}.{ln}: only 3x3 kernels are supported")
            ag = _scalar(layer.attr("act_gain"))
            if ag is not None and abs(ag - math.sqrt(2)) > 1e-6:
                raise ConversionError(f"b{r}.{ln}: activation gain {ag} (expected sqrt 2)")
            clamps.add(_scalar(layer.attr("conv_clamp", syn_kw.get("conv_clamp"))))
            if ln == "conv0" and not _fir_ok(sd[f"synthesis.b{r}.conv0.resample_filter"], 1.0):
                raise ConversionError(f"b{r}.conv0: resample filter is not [1,3,3,1]")
        clamps.add(_scalar(blk.module("torgb").attr("conv_clamp", syn_kw.get("conv_clamp"))))
        if r > 4 and not _fir_ok(sd[f"synthesis.b{r}.resample_filter"], 1.0):
            raise ConversionError(f"b{r}: resample filter is not [1,3,3,1]")
    if len(clamps) != 1:
        raise ConversionError(f"layers use different conv_clamp values {sorted(map(str, clamps))}")
    conv_clamp = clamps.pop()
    fb = feature_block_rule(resolution) if feature_block is None else feature_block
    if not 0 <= fb < len(res):
        raise ConversionError(f"--feature-block {fb} out of range 0..{len(res) - 1}")

    P = stylegan2.Generator(z_dim=z_dim, w_dim=w_dim, resolution=resolution, img_channels=img_channels,
                            mapping_layers=n_fc, conv_clamp=float(conv_clamp or 0.0), feature_block=fb,
                            channels=channels, noise_seed=noise_seed, c_dim=c_dim,
                            embed_features=embed_features if c_dim else 0,
                            layer_features=layer_features if layer_features != w_dim else 0,
                            mapping_lr_mul=lr_mul)
    target = {}

    def fc(dst: str, src: str, module: PersistentObject, ours: stylegan2.FullyConnected):
        target[dst + ".weight"] = _fold(sd[src + ".weight"], _scalar(module.attr("weight_gain")), ours.weight_gain)
        target[dst + ".bias"] = _fold(sd[src + ".bias"], _scalar(module.attr("bias_gain")), ours.bias_gain)

    for i in range(n_fc):
        fc(f"mapping_net.fcs.{i}", f"mapping.fc{i}", mapping.module(f"fc{i}"), P.mapping_net.fcs[i])
    if c_dim:
        fc("mapping_net.embed.0", "mapping.embed", mapping.module("embed"), P.mapping_net.embed[0])
    w_avg_known = "mapping.w_avg" in sd
    target["mapping_net.w_avg"] = sd["mapping.w_avg"].float().clone() if w_avg_known else torch.zeros(w_dim)

    def layer(dst: str, src: str, blk: PersistentObject, name: str, ours: stylegan2.SynthesisLayer):
        m = blk.module(name)
        fc(dst + ".affine", src + ".affine", m.module("affine"), ours.affine)
        target[dst + ".weight"] = sd[src + ".weight"].float().clone()
        target[dst + ".bias"] = sd[src + ".bias"].float().clone()
        use_noise = m.attr("use_noise", True) and src + ".noise_const" in sd
        if use_noise:
            target[dst + ".noise_strength"] = sd[src + ".noise_strength"].float().reshape([]).clone()
            target[dst + ".noise_const"] = sd[src + ".noise_const"].float().clone()
        else:
            target[dst + ".noise_strength"] = torch.zeros([])
            target[dst + ".noise_const"] = torch.zeros_like(ours.noise_const)
        target[dst + ".resample_filter"] = stylegan2.fir_filter().reshape(1, 1, 4, 4) * 4.0

    def torgb(dst: str, src: str, blk: PersistentObject, ours: stylegan2.ToRGB):
        m = blk.module("torgb")
        fc(dst + ".affine", src + ".affine", m.module("affine"), ours.affine)
        target[dst + ".weight"] = _fold(sd[src + ".weight"], _scalar(m.attr("weight_gain")), ours.weight_gain)
        target[dst + ".bias"] = sd[src + ".bias"].float().clone()

    for i, r in enumerate(res):
        blk, ours, src = synthesis.module(f"b{r}"), P.blocks[i], f"synthesis.b{r}"
        if i == 0:
            target["blocks.0.const"] = sd[src + ".const"].float().clone()
        else:
            layer(f"blocks.{i}.conv0", src + ".conv0", blk, "conv0", ours.conv0)
            target[f"blocks.{i}.resample_filter"] = stylegan2.fir_filter().reshape(1, 1, 4, 4) * 4.0
        layer(f"blocks.{i}.conv1", src + ".conv1", blk, "conv1", ours.conv1)
        torgb(f"blocks.{i}.torgb", src + ".torgb", blk, ours.torgb)
    _load_exact(P, target)
    if not w_avg_known:
        with torch.no_grad():
            P.mapping_net.w_avg.copy_(export.compute_w_avg(P))
    _describe_channels(P, (syn_kw.get("channel_base", kw.get("channel_base")),
                           syn_kw.get("channel_max", kw.get("channel_max"))))
    fp16 = _fp16_resolutions(synthesis, res, kw, syn_kw)
    info = dict(format="nvidia-stylegan2-pickle", class_name=G.class_name, z_dim=z_dim, c_dim=c_dim, w_dim=w_dim,
                resolution=resolution, img_channels=img_channels, num_ws=num_ws, mapping_layers=n_fc,
                mapping_lr_mul=lr_mul, layer_features=layer_features, embed_features=embed_features,
                conv_clamp=conv_clamp, channels={str(k): v for k, v in channels.items()},
                num_fp16_res=len(fp16), fp16_resolutions=fp16, feature_block=fb,
                w_avg="from the pickle" if w_avg_known else "estimated from 10,000 samples (seed 123)",
                init_kwargs=_plain(kw))
    return P, info


def _load_exact(module: torch.nn.Module, target: Dict[str, torch.Tensor]):
    own = module.state_dict()
    missing = sorted(set(own) - set(target))
    extra = sorted(set(target) - set(own))
    if missing or extra:
        raise ConversionError(f"parameter mapping incomplete: missing {missing[:5]}, unexpected {extra[:5]}")
    for k, v in target.items():
        if tuple(own[k].shape) != tuple(v.shape):
            raise ConversionError(f"{k}: shape {tuple(v.shape)} from the file, {tuple(own[k].shape)} expected")
    module.load_state_dict(target, strict=True)


# ------------------------------------------------------------------------------ rosinality generator

def _refuse_other_rosinality_architectures(keys: List[str], args: dict):
    """rosinality's train.py also trains SWAGAN (--arch swagan, swagan.py): a generator whose toRGB layers make
    3 x 4 wavelet bands (12 channels) at half the resolution, ending in an inverse Haar transform. Its tensors
    otherwise look like a StyleGAN2's; converted as one it would give a 12-channel image of half the size."""
    arch = str(args.get("arch", "stylegan2"))
    signs = []
    if arch.lower() == "swagan":
        signs.append("args.arch is 'swagan'")
    if any(k.startswith("iwt.") or ".iwt." in k or ".dwt." in k for k in keys):
        signs.append("it has inverse-Haar-transform buffers (iwt.*)")
    if signs:
        raise ConversionError(f"this is a rosinality SWAGAN checkpoint ({'; '.join(signs)}): SWAGAN's wavelet "
                              f"generator is not StyleGAN2's skip generator, and only checkpoints of "
                              f"'train.py --arch stylegan2' can be converted")
    if arch != "stylegan2":
        raise ConversionError(f"the checkpoint's args.arch is {arch!r}: only rosinality's 'stylegan2' "
                              f"architecture can be converted")


def convert_rosinality_generator(sd: Dict[str, torch.Tensor], latent_avg: Optional[torch.Tensor],
                                 lr_mul: float = 0.01, feature_block: Optional[int] = None, noise_seed: int = 0,
                                 args: Optional[dict] = None):
    """rosinality stylegan2-pytorch Generator state dict ('g_ema') -> (project G, info). args: the checkpoint's
    training arguments (args.arch and args.size are checked against the tensors)."""
    args = dict(args or {})
    sd = {k: v for k, v in sd.items() if isinstance(v, torch.Tensor)}
    keys = list(sd)
    _refuse_other_rosinality_architectures(keys, args)
    style = _res_list(keys, "style.")
    if not style or style != list(range(1, len(style) + 1)):
        raise ConversionError(f"rosinality mapping layers style.{style}: expected style.1, style.2, ...")
    n_fc = len(style)
    z_dim = sd["style.1.weight"].shape[1]
    w_dim = sd[f"style.{n_fc}.weight"].shape[0]
    layer_features = sd["style.1.weight"].shape[0] if n_fc > 1 else w_dim
    n_convs = len(_res_list(keys, "convs."))
    n_rgbs = len(_res_list(keys, "to_rgbs."))
    if n_convs != 2 * n_rgbs or n_rgbs < 1:
        raise ConversionError(f"{n_convs} convs and {n_rgbs} to_rgbs: expected two convs per to_rgb")
    res = [4 * 2 ** i for i in range(n_rgbs + 1)]
    resolution = res[-1]
    c4 = sd["input.input"].shape[1]
    channels = {4: int(c4)}
    for k in range(n_rgbs):
        channels[res[k + 1]] = int(sd[f"convs.{2 * k}.conv.weight"].shape[1])
    img_channels = sd["to_rgb1.conv.weight"].shape[1]
    _check_image_channels(img_channels, " (12 would be 3 colours x 4 wavelet bands: rosinality's SWAGAN)"
                          if img_channels == 12 else "")
    size = args.get("size")
    if isinstance(size, (int, float)) and not isinstance(size, bool) and int(size) != resolution:
        raise ConversionError(f"the checkpoint's args.size is {int(size)} px but its tensors build a {resolution} px "
                              f"generator: not a StyleGAN2 generator this converter can map")
    for k in range(n_rgbs):
        if not _fir_ok(sd.get(f"convs.{2 * k}.conv.blur.kernel", torch.zeros(1)), 4.0):
            raise ConversionError(f"convs.{2 * k}: blur kernel is not [1,3,3,1] (x4)")
        if not _fir_ok(sd.get(f"to_rgbs.{k}.upsample.kernel", torch.zeros(1)), 4.0):
            raise ConversionError(f"to_rgbs.{k}: upsample kernel is not [1,3,3,1] (x4)")
    fb = feature_block_rule(resolution) if feature_block is None else feature_block
    if not 0 <= fb < len(res):
        raise ConversionError(f"--feature-block {fb} out of range 0..{len(res) - 1}")
    P = stylegan2.Generator(z_dim=z_dim, w_dim=w_dim, resolution=resolution, img_channels=img_channels,
                            mapping_layers=n_fc, conv_clamp=0.0, feature_block=fb, channels=channels,
                            noise_seed=noise_seed, layer_features=layer_features if layer_features != w_dim else 0,
                            mapping_lr_mul=lr_mul)
    target = {}
    for i in range(n_fc):
        target[f"mapping_net.fcs.{i}.weight"] = sd[f"style.{i + 1}.weight"].float().clone()
        target[f"mapping_net.fcs.{i}.bias"] = sd[f"style.{i + 1}.bias"].float().clone()
    target["mapping_net.w_avg"] = (latent_avg.float().reshape(-1).clone() if latent_avg is not None
                                   else torch.zeros(w_dim))
    noises_missing = []

    def styled(dst: str, src: str, noise_idx: int, ours: stylegan2.SynthesisLayer):
        w = sd[src + ".conv.weight"]  # [1, O, I, k, k]; rosinality multiplies by 1/sqrt(I k k) before demod
        fan_in = w.shape[2] * w.shape[3] * w.shape[4]
        target[dst + ".weight"] = w[0].float() / math.sqrt(fan_in)
        target[dst + ".affine.weight"] = sd[src + ".conv.modulation.weight"].float().clone()
        target[dst + ".affine.bias"] = sd[src + ".conv.modulation.bias"].float().clone()
        target[dst + ".bias"] = sd[src + ".activate.bias"].float().clone()
        target[dst + ".noise_strength"] = sd[src + ".noise.weight"].float().reshape([]).clone()
        nk = f"noises.noise_{noise_idx}"
        if nk in sd:
            target[dst + ".noise_const"] = sd[nk].float().reshape(ours.noise_const.shape).clone()
        else:
            noises_missing.append(nk)
            target[dst + ".noise_const"] = torch.zeros_like(ours.noise_const)
        target[dst + ".resample_filter"] = stylegan2.fir_filter().reshape(1, 1, 4, 4) * 4.0

    def to_rgb(dst: str, src: str):
        # rosinality: weight * 1/sqrt(I) * style, no demodulation; ours: the same gain on the style
        target[dst + ".weight"] = sd[src + ".conv.weight"][0].float().clone()
        target[dst + ".affine.weight"] = sd[src + ".conv.modulation.weight"].float().clone()
        target[dst + ".affine.bias"] = sd[src + ".conv.modulation.bias"].float().clone()
        target[dst + ".bias"] = sd[src + ".bias"].float().reshape(-1).clone()

    target["blocks.0.const"] = sd["input.input"][0].float().clone()
    styled("blocks.0.conv1", "conv1", 0, P.blocks[0].conv1)
    to_rgb("blocks.0.torgb", "to_rgb1")
    for k in range(n_rgbs):
        i = k + 1
        styled(f"blocks.{i}.conv0", f"convs.{2 * k}", 2 * k + 1, P.blocks[i].conv0)
        styled(f"blocks.{i}.conv1", f"convs.{2 * k + 1}", 2 * k + 2, P.blocks[i].conv1)
        to_rgb(f"blocks.{i}.torgb", f"to_rgbs.{k}")
        target[f"blocks.{i}.resample_filter"] = stylegan2.fir_filter().reshape(1, 1, 4, 4) * 4.0
    _load_exact(P, target)
    if latent_avg is None:
        with torch.no_grad():
            P.mapping_net.w_avg.copy_(export.compute_w_avg(P))
    _describe_channels(P)
    info = dict(format="rosinality-stylegan2-pytorch", z_dim=z_dim, c_dim=0, w_dim=w_dim, resolution=resolution,
                img_channels=img_channels, num_ws=2 * len(res), mapping_layers=n_fc, mapping_lr_mul=lr_mul,
                layer_features=layer_features, conv_clamp=None, channels={str(k): v for k, v in channels.items()},
                feature_block=fb,
                w_avg="latent_avg from the checkpoint" if latent_avg is not None
                else "estimated from 10,000 samples (seed 123)",
                missing_noise_buffers=noises_missing)
    return P, info


# ---------------------------------------------------------------------------------------- discriminators

def convert_nvidia_discriminator(D: PersistentObject) -> dict:
    """NVIDIA D -> a dict for discriminator.pt: stylegan2.Discriminator (the one train.py trains) if it can compute
    the same, else raw."""
    sd = D.tensors()
    keys = list(sd)
    res = _res_list(keys, "b")
    kw = D.init_kwargs
    raw = dict(kind="raw", family="nvidia-stylegan2", class_name=D.class_name, init_kwargs=_plain(kw),
               state_dict={k: v.float().clone() for k, v in sd.items()})
    why = None
    if "mapping.fc0.weight" in sd or int(kw.get("c_dim", 0) or 0) > 0:
        why = "conditional discriminator (label mapping)"
    elif any(D.module(f"b{r}").attr("architecture", "resnet") != "resnet" for r in res if r > 4):
        why = "architecture other than 'resnet'"
    else:
        mb = D.module("b4").modules.get("mbstd")
        if not isinstance(mb, PersistentObject) or int(mb.attr("num_channels", 1)) != 1 \
                or mb.attr("group_size", 4) is None:
            why = "minibatch-stddev layer with other than 1 channel or no group size"
    if why:
        raw["why_raw"] = why
        return raw
    R = res[-1]
    img_channels = sd[f"b{R}.fromrgb.weight"].shape[1]
    ch = {r: int(sd[f"b{r}.conv0.weight"].shape[0]) for r in res if r > 4}
    ch[4] = int(sd["b4.conv.weight"].shape[0])
    group = int(D.module("b4").module("mbstd").attr("group_size", 4))
    P = stylegan2.Discriminator(R, img_channels, ch, mbstd_group=group)
    target = {}

    def conv(dst: str, src: str, m: PersistentObject, ours, bias=True):
        target[dst + ".weight"] = _fold(sd[src + ".weight"], _scalar(m.attr("weight_gain")), ours.gain)
        if bias:
            target[dst + ".bias"] = sd[src + ".bias"].float().clone()
        target[dst + ".f"] = stylegan2.fir_filter().reshape(1, 1, 4, 4)
        if src + ".resample_filter" in sd and not _fir_ok(sd[src + ".resample_filter"], 1.0):
            raise ConversionError(f"D.{src}: resample filter is not [1,3,3,1]")

    blocks = [r for r in reversed(res) if r > 4]
    clamp = None
    for i, r in enumerate(blocks):
        b, ob = D.module(f"b{r}"), P.blocks[i]
        if i == 0:
            conv(f"blocks.{i}.fromrgb", f"b{r}.fromrgb", b.module("fromrgb"), ob.fromrgb)
        conv(f"blocks.{i}.conv0", f"b{r}.conv0", b.module("conv0"), ob.conv0)
        conv(f"blocks.{i}.conv1", f"b{r}.conv1", b.module("conv1"), ob.conv1)
        conv(f"blocks.{i}.skip", f"b{r}.skip", b.module("skip"), ob.skip, bias=False)
        clamp = clamp or _scalar(b.module("conv0").attr("conv_clamp"))
    e = D.module("b4")
    conv("conv", "b4.conv", e.module("conv"), P.conv)
    c4 = ch[4]
    target["fc"] = _fold(sd["b4.fc.weight"], _scalar(e.module("fc").attr("weight_gain")), 1 / math.sqrt(c4 * 16))
    target["fc_b"] = _fold(sd["b4.fc.bias"], _scalar(e.module("fc").attr("bias_gain")), 1.0)
    target["out"] = _fold(sd["b4.out.weight"], _scalar(e.module("out").attr("weight_gain")), 1 / math.sqrt(c4))
    target["out_b"] = _fold(sd["b4.out.bias"], _scalar(e.module("out").attr("bias_gain")), 1.0)
    _load_exact(P, target)
    return dict(kind="train.Discriminator", config=P.config, state_dict=P.state_dict(),
                notes="conv_clamp of the original (%s) is not applied by the project's Discriminator" % clamp
                if clamp else "")


def convert_rosinality_discriminator(sd: Dict[str, torch.Tensor]) -> dict:
    """rosinality Discriminator state dict ('d') -> stylegan2.Discriminator."""
    sd = {k: v for k, v in sd.items() if isinstance(v, torch.Tensor)}
    n = len(_res_list(list(sd), "convs."))  # convs.0 = fromRGB, convs.1.. = ResBlocks
    nblocks = n - 1
    R = 4 * 2 ** nblocks
    img_channels = sd["convs.0.0.weight"].shape[1]
    res_list = [R // 2 ** i for i in range(nblocks)]
    ch = {r: int(sd[f"convs.{i + 1}.conv1.0.weight"].shape[0]) for i, r in enumerate(res_list)}
    ch[4] = int(sd["final_conv.0.weight"].shape[0])
    P = stylegan2.Discriminator(R, img_channels, ch, mbstd_group=4)
    f = stylegan2.fir_filter().reshape(1, 1, 4, 4)
    target = {"blocks.0.fromrgb.weight": sd["convs.0.0.weight"].float().clone(),
              "blocks.0.fromrgb.bias": sd["convs.0.1.bias"].float().clone(), "blocks.0.fromrgb.f": f}
    for i in range(nblocks):
        s, d = f"convs.{i + 1}", f"blocks.{i}"
        for k in (f"{s}.conv2.0.kernel", f"{s}.skip.0.kernel"):
            if not _fir_ok(sd[k], 1.0):
                raise ConversionError(f"{k}: blur kernel is not [1,3,3,1]")
        target.update({f"{d}.conv0.weight": sd[f"{s}.conv1.0.weight"].float().clone(),
                       f"{d}.conv0.bias": sd[f"{s}.conv1.1.bias"].float().clone(), f"{d}.conv0.f": f,
                       f"{d}.conv1.weight": sd[f"{s}.conv2.1.weight"].float().clone(),
                       f"{d}.conv1.bias": sd[f"{s}.conv2.2.bias"].float().clone(), f"{d}.conv1.f": f,
                       f"{d}.skip.weight": sd[f"{s}.skip.1.weight"].float().clone(), f"{d}.skip.f": f})
    target.update({"conv.weight": sd["final_conv.0.weight"].float().clone(),
                   "conv.bias": sd["final_conv.1.bias"].float().clone(), "conv.f": f,
                   "fc": sd["final_linear.0.weight"].float().clone(), "fc_b": sd["final_linear.0.bias"].float().clone(),
                   "out": sd["final_linear.1.weight"].float().clone(),
                   "out_b": sd["final_linear.1.bias"].float().clone()})
    _load_exact(P, target)
    return dict(kind="train.Discriminator", config=P.config, state_dict=P.state_dict(),
                notes="rosinality's minibatch-stddev group falls back to 3 or the whole batch when the batch is not "
                      "divisible by 4; the project's Discriminator uses the largest divisor <= 4 (same for 1-4, 6, 8, 12, ...)")


# --------------------------------------------------------------------------------------------- driver

# What a file that unpickles but holds something other than the expected tensors makes the mapping code raise.
_MALFORMED = (KeyError, IndexError, TypeError, AttributeError, ValueError, RuntimeError, AssertionError,
              ZeroDivisionError, OverflowError)


def detect_and_convert(path: str, network: str = "G_ema", feature_block: Optional[int] = None,
                       discriminator: bool = False, mapping_lr_mul: Optional[float] = None,
                       check_sources: bool = True):
    """Reads IN and converts. Returns (G, info, D dict or None, extra info for the card). Raises RefusedPickle
    (UnreadableFile for files that cannot be read at all) or ConversionError, never anything else for a bad file."""
    obj, _ctx = load_file(path, check_sources)
    try:
        return _convert(obj, network, feature_block, discriminator, mapping_lr_mul)
    except (ConversionError, RefusedPickle):
        raise
    except _MALFORMED as e:
        what = " ".join(f"{type(e).__name__}: {e}".split())[:160]
        raise ConversionError(f"{os.path.basename(path)} holds a network in a shape this converter does not know "
                              f"({what}): only StyleGAN2 generators of NVIDIA's stylegan2-ada-pytorch/StyleGAN3 code "
                              f"and rosinality's stylegan2-pytorch can be converted") from e


def _convert(obj, network, feature_block, discriminator, mapping_lr_mul):
    extra = {}
    D = None
    if isinstance(obj, PersistentObject) or (isinstance(obj, dict) and any(
            isinstance(v, PersistentObject) for v in obj.values())):
        if isinstance(obj, PersistentObject):
            G, Dobj = obj, None
            network = "(the pickle's only object)"
        else:
            G = obj.get(network)
            if not isinstance(G, PersistentObject):
                raise ConversionError(f"the pickle has no network {network!r}; it holds "
                                      f"{sorted(k for k, v in obj.items() if isinstance(v, PersistentObject))}")
            Dobj = obj.get("D")
            if obj.get("training_set_kwargs") is not None:
                extra["training_set_kwargs"] = _plain(obj["training_set_kwargs"])
        P, info = convert_nvidia_generator(G, feature_block)
        info["network"] = network
        if discriminator:
            if not isinstance(Dobj, PersistentObject):
                raise ConversionError("--discriminator: the pickle holds no 'D'")
            D = convert_nvidia_discriminator(Dobj)
    elif isinstance(obj, dict) and isinstance(obj.get("g_ema"), dict):
        latent = obj.get("latent_avg")
        args = obj.get("args")
        lr = mapping_lr_mul
        if lr is None and isinstance(args, Namespace) and isinstance(getattr(args, "lr_mlp", None), float):
            lr = args.lr_mlp
        P, info = convert_rosinality_generator(obj["g_ema"], latent if isinstance(latent, torch.Tensor) else None,
                                               lr_mul=0.01 if lr is None else lr, feature_block=feature_block,
                                               args=args.to_dict() if isinstance(args, Namespace) else None)
        info["network"] = "g_ema"
        if isinstance(args, Namespace):
            extra["training_args"] = _plain(args.to_dict())
        if discriminator:
            if not isinstance(obj.get("d"), dict):
                raise ConversionError("--discriminator: the checkpoint holds no 'd'")
            D = convert_rosinality_discriminator(obj["d"])
    else:
        kind = type(obj).__name__
        keys = sorted(map(str, obj.keys()))[:10] if isinstance(obj, dict) else []
        raise ConversionError(f"not a StyleGAN2 network file I know (it holds a {kind}"
                              + (f" with keys {keys}" if keys else "") + "): give an NVIDIA network pickle (with "
                              "'G_ema') or a rosinality stylegan2-pytorch checkpoint (with 'g_ema')")
    return P, info, D, extra


DATASET_FILE = "draggan-dataset.json"  # app/DatasetUseCase.MAPPING_FILE
DATASET_FORMAT = "draggan-dataset"


def read_dataset_record(path: str) -> dict:
    """The record 'draggan dataset' writes into its zip (or the lone JSON file), checked."""
    try:
        if path.lower().endswith(".zip"):
            with zipfile.ZipFile(path) as z:
                if DATASET_FILE not in z.namelist():
                    raise ConversionError(f"{path} holds no {DATASET_FILE}: give a zip written by 'draggan dataset'")
                rec = json.loads(z.read(DATASET_FILE).decode("utf-8"))
        else:
            with open(path, encoding="utf-8") as f:
                rec = json.load(f)
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        raise ConversionError(f"cannot read the training set record {path} ({e})") from e
    if not isinstance(rec, dict) or rec.get("format") != DATASET_FORMAT:
        raise ConversionError(f"{path} is not a 'draggan dataset' record ({DATASET_FILE})")
    try:
        mapping = [[float(v) for v in ch.split()] for ch in rec["intensity"]["mapping"].split(";")]
        if any(len(m) != 4 for m in mapping) or len(mapping) != int(rec["channels"]):
            raise ValueError("four numbers per channel")
        rec["_mapping"] = mapping
    except (KeyError, ValueError, TypeError, AttributeError) as e:
        raise ConversionError(f"{path}: its intensity mapping is damaged ({e})") from e
    return rec


def drop_channels(P: stylegan2.Generator, keep: int) -> stylegan2.Generator:
    """The same generator making only its first `keep` image channels: every toRGB loses its later output rows.
    Exact: each image channel is its own toRGB row plus the up-sampled sum of the earlier ones, per channel."""
    sd = P.state_dict()
    for k in list(sd):
        if ".torgb.weight" in k or ".torgb.bias" in k:
            sd[k] = sd[k][:keep].clone()
    Q = stylegan2.build(dict(P.config, img_channels=keep))
    Q.load_state_dict(sd, strict=True)
    return Q.eval()


def apply_dataset(P: stylegan2.Generator, info: dict, rec: dict, path: str, pickle_path: str, extra: dict):
    """The generator fitted to the training set's channels, model.json's 'intensity.source' and 'training_set'
    fields, and a training_data sentence."""
    channels = int(rec["channels"])
    png_channels = 3 if rec.get("png_mode") == "RGB" else 1
    if info["img_channels"] != png_channels:
        raise ConversionError(f"the network makes {info['img_channels']} image channel(s) but the training set "
                              f"{os.path.basename(path)} has {png_channels}-channel PNGs: give the set it was "
                              f"trained on")
    if P.resolution != int(rec["size"]):
        raise ConversionError(f"the network makes {P.resolution} px images but the training set "
                              f"{os.path.basename(path)} has {rec['size']} px ones: give the set it was trained on")
    if channels < png_channels:
        P = drop_channels(P, channels)
        info["img_channels"] = channels
        info["dropped_channels"] = f"{png_channels - channels} empty PNG channel(s) of the training set"
    lo, hi = -1.0, 1.0  # NVIDIA's trainer: PNG value p is p / 127.5 - 1 (export.write_bundle's default range)
    gen = []
    for sl, sh, pl, ph in rec["_mapping"]:
        gen.append(f"{sl!r} {sh!r} {lo + pl / 255.0 * (hi - lo)!r} {lo + ph / 255.0 * (hi - lo)!r}")
    m = re.search(r"network-snapshot-(\d+)\.pkl$", os.path.basename(pickle_path))
    training_set = {"file": os.path.basename(path), "images": int(rec["images"]), "size": int(rec["size"]),
                    "channels": channels, "bit_depth": int(rec["bit_depth"]),
                    "sources": len(rec.get("sources") or []), "classes": rec.get("classes") or []}
    if m:
        training_set["kimg"] = int(m.group(1))
    tsk = extra.get("training_set_kwargs") or {}
    if tsk.get("xflip") is not None:
        training_set["mirror"] = bool(tsk["xflip"])
    intensity_source = {"bit_depth": int(rec["bit_depth"]), "mapping": ";".join(gen),
                        "rule": rec["intensity"].get("rule", ""),
                        "units": "per channel 'source_low source_high generator_low generator_high'"}
    described = (f"{rec['images']} images of {rec['size']} x {rec['size']} px from {training_set['sources']} "
                 f"{rec['bit_depth']}-bit {channels}-channel source image(s) ({os.path.basename(path)})"
                 + (f", {training_set['kimg']} kimg" if m else ""))
    return P, {"training_set": training_set, "_intensity_source": intensity_source}, described


def model_card(name: str, path: str, digest: str, info: dict, extra: dict, license: str, bundle: dict,
               D: Optional[dict]) -> str:
    ch = ", ".join(f"{k}: {v}" for k, v in info["channels"].items())
    lines = [
        f"# {name}",
        "",
        f"Converted by tools/convert.py from `{os.path.basename(path)}`; computation in float32.",
        "",
        "## Source",
        "",
        f"- file: `{os.path.basename(path)}`",
        f"- sha256: `{digest}`",
        f"- format: {info['format']}, network `{info.get('network')}`"
        + (f" (class {info['class_name']})" if info.get("class_name") else ""),
        f"- license: {license}" + (" (not stated by the file; ask its authors)" if license == "unknown" else ""),
        "",
        "## Architecture read from the file",
        "",
        f"- resolution {info['resolution']} px, {info['img_channels']} image channel(s), num_ws {info['num_ws']}",
        f"- z_dim {info['z_dim']}, w_dim {info['w_dim']}, c_dim {info['c_dim']} "
        f"({'conditional: choose the class with mapping_c' if info['c_dim'] else 'unconditional'})",
        f"- mapping: {info['mapping_layers']} layers, lr multiplier {info['mapping_lr_mul']}",
        f"- channels per resolution: {ch}",
        f"- conv_clamp: {info['conv_clamp']}",
        f"- w_avg: {info['w_avg']}",
        f"- feature block for the drag: index {bundle['feature_block']['index']} "
        f"({bundle['feature_block']['resolution']} px, {bundle['feature_block']['channels']} channels)",
    ]
    if info.get("num_fp16_res"):
        px = ", ".join(map(str, info.get("fp16_resolutions") or []))
        lines.append(f"- the original ran its {info['num_fp16_res']} highest-resolution blocks"
                     + (f" ({px} px)" if px else "") + " in float16 "
                     f"(with conv_clamp); the bundle computes everything in float32, so its images differ from "
                     f"NVIDIA's by float16 rounding (NVIDIA's float16 path also rescales weights and styles "
                     f"before demodulation, which cancels mathematically)")
    if info.get("missing_noise_buffers"):
        lines.append(f"- noise buffers missing in the file (zero noise used): {info['missing_noise_buffers']}")
    lines += ["", "## Training data", ""]
    if extra.get("training_set_kwargs"):
        lines += ["The pickle's training_set_kwargs:", "", "```json",
                  json.dumps(extra["training_set_kwargs"], indent=2, sort_keys=True), "```"]
    elif extra.get("training_args"):
        lines += ["The checkpoint's training arguments:", "", "```json",
                  json.dumps(extra["training_args"], indent=2, sort_keys=True, default=str), "```"]
    else:
        lines.append("Not recorded in the file.")
    if D is not None:
        lines += ["", "## Discriminator", "", f"`discriminator.pt`: kind `{D['kind']}`"
                  + (f" ({D['why_raw']})" if D.get("why_raw") else "") + (f"; {D['notes']}" if D.get("notes") else "")]
    lines += ["", "## Notes", "",
              "- Nothing in the source file was executed: it was read with a restricted unpickler "
              "(tensors, containers and numbers only); embedded Python sources were only parsed (checked for "
              "signs of tampering), never executed.",
              "- Noise is the file's constant noise (NVIDIA's noise_mode='const').", ""]
    return "\n".join(lines)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", help="NVIDIA network pickle (.pkl) or rosinality checkpoint (.pt)")
    ap.add_argument("out_dir", help="the bundle folder to write: must not exist yet, or be empty")
    ap.add_argument("--name", help="bundle name (default: the input's file name without extension)")
    ap.add_argument("--description", default="")
    ap.add_argument("--license", default="unknown", help="license of the weights (default: unknown)")
    ap.add_argument("--training-data", default="", help="what it was trained on (default: from the file)")
    ap.add_argument("--network", default="G_ema", help="which network of an NVIDIA pickle (default G_ema)")
    ap.add_argument("--feature-block", type=int, default=None,
                    help="block whose output the drag uses (default: the block at min(128, R/2) px)")
    ap.add_argument("--discriminator", action="store_true", help="also write D as discriminator.pt")
    ap.add_argument("--mapping-lr-mul", type=float, default=None,
                    help="rosinality only: the mapping's lr_mlp (default 0.01; not stored in checkpoints)")
    ap.add_argument("--no-source-check", action="store_true",
                    help="convert even if an embedded module source imports os/subprocess/... or calls eval "
                         "(it is never executed either way)")
    ap.add_argument("--dataset", default=None,
                    help="the training set 'draggan dataset' wrote (DATA.zip) or its draggan-dataset.json: the "
                         "bundle records its intensity mapping and provenance; a 2-channel set's empty third "
                         "(blue) channel is dropped")
    ap.add_argument("--psi", type=float, default=0.7)
    ap.add_argument("--learning-rate", type=float, default=0.002)
    ap.add_argument("--drag-layers", type=int, default=6)
    ap.add_argument("--verbose", action="store_true",
                    help="on failure, also print the Python traceback (stderr) before the one-line reason")
    return ap.parse_args(argv)


def main(argv=None):
    """Converts; returns the bundle's metadata. Errors are raised (cli() turns them into one line and exit 2)."""
    args = parse_args(argv)
    with torch.no_grad():  # not set_grad_enabled(False): that would leak into a caller (the tests call main)
        return run(args)


class OutputError(ValueError):
    """OUT_DIR cannot take the bundle (it exists and is not an empty folder)."""


def check_out_dir(out_dir: str):
    """A bundle goes into a new folder or an empty one: the converter never overwrites or mixes in files."""
    if os.path.isdir(out_dir):
        if os.listdir(out_dir):
            raise OutputError(f"the output folder {out_dir} already exists and is not empty: give a new folder "
                              f"(the converter never overwrites files)")
    elif os.path.lexists(out_dir):
        raise OutputError(f"{out_dir} exists and is not a folder: give the path of a new folder for the bundle")


def run(args):
    """main() after parsing: converts and writes the bundle; returns its metadata. The bundle is written into a
    hidden folder beside OUT_DIR and renamed to OUT_DIR only when complete, so a failure leaves nothing behind."""
    check_out_dir(args.out_dir)
    P, info, D, extra = detect_and_convert(args.input, network=args.network, feature_block=args.feature_block,
                                           discriminator=args.discriminator, mapping_lr_mul=args.mapping_lr_mul,
                                           check_sources=not args.no_source_check)
    digest = export.sha256(args.input)
    name = args.name or os.path.splitext(os.path.basename(args.input))[0]
    training_data = args.training_data
    dataset_extra = None
    if args.dataset:
        record = read_dataset_record(args.dataset)
        P, dataset_extra, described = apply_dataset(P, info, record, args.dataset, args.input, extra)
        if D is not None and info.get("dropped_channels"):
            raise ConversionError("--discriminator cannot be written for a 2-channel training set (the "
                                  "discriminator reads the 3-channel PNGs); convert without --discriminator")
        training_data = training_data or described
    if not training_data and extra.get("training_set_kwargs"):
        tsk = extra["training_set_kwargs"]
        training_data = "unknown (training_set_kwargs: " + ", ".join(
            f"{k}={tsk[k]}" for k in ("path", "resolution", "use_labels", "max_size", "xflip") if k in tsk) + ")"
    source = {"file": os.path.basename(args.input), "sha256": digest, "format": info["format"],
              "network": info.get("network"), "converted_by": "tools/convert.py", "computation": "float32"}

    def write(folder):
        meta = export.write_bundle(P, folder, name=name, description=args.description or
                                   f"StyleGAN2 converted from {os.path.basename(args.input)}",
                                   license=args.license, training_data=training_data or "unknown",
                                   learning_rate=args.learning_rate, psi=args.psi, drag_layers=args.drag_layers,
                                   extra={"c_dim": info["c_dim"], "source": source,
                                          **{k: v for k, v in (dataset_extra or {}).items() if k[0] != "_"}})
        if dataset_extra:
            meta["intensity"]["source"] = dataset_extra["_intensity_source"]
            with open(os.path.join(folder, "model.json"), "w") as f:
                json.dump(meta, f, indent=2)
                f.write("\n")
        if D is not None:
            torch.save(dict(D, format=stylegan2.DISCRIMINATOR_FORMAT, version=1, source=source),
                       os.path.join(folder, "discriminator.pt"))
        with open(os.path.join(folder, "MODEL_CARD.md"), "w") as f:
            f.write(model_card(name, args.input, digest, info, extra, args.license, meta, D))
        return meta

    meta = write_complete(args.out_dir, write)
    print(json.dumps(meta, indent=2))
    return meta


def write_complete(out_dir: str, write):
    """write(folder) into a fresh hidden folder next to out_dir, then renamed to out_dir (which must not exist or
    be empty). On any failure or interruption the partial folder, and parent folders made for it, are removed."""
    out_dir = os.path.abspath(out_dir)
    parent = os.path.dirname(out_dir)
    made = []
    p = parent
    while not os.path.isdir(p):
        made.append(p)
        p = os.path.dirname(p)
    staging = None
    try:
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=f".{os.path.basename(out_dir)}.converting-", dir=parent)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes it 0700; a bundle folder gets the usual permissions
        result = write(staging)
        check_out_dir(out_dir)
        if os.path.isdir(out_dir):
            os.rmdir(out_dir)  # empty (checked): replaced by the complete bundle
        os.rename(staging, out_dir)
        staging = None
        return result
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        for d in made:  # innermost first
            try:
                os.rmdir(d)
            except OSError:
                break
        raise


def _say(msg: str):
    """One line on stderr."""
    print("convert.py: " + " ".join(str(msg).split()), file=sys.stderr, flush=True)


def cli(argv=None) -> int:
    """The command line: 0 converted; 2 the input or OUT_DIR was refused or unreadable (one sentence on stderr
    saying what is wrong and what to do; --verbose adds the traceback); 1 an unexpected error of the converter."""
    args = parse_args(argv)
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))  # cleans up like Ctrl-C
    try:
        with torch.no_grad():
            run(args)
        return 0
    except (RefusedPickle, ConversionError, OutputError) as e:
        if args.verbose:
            traceback.print_exc()
        _say(e)
        return 2
    except OSError as e:
        if args.verbose:
            traceback.print_exc()
        _say(f"could not write the bundle into {args.out_dir} ({e.strerror or e}), and nothing was left there: "
             f"free some space or choose a folder you can write to")
        return 2
    except KeyboardInterrupt:
        _say(f"interrupted; nothing was left in {args.out_dir}")
        return 130
    except Exception as e:  # noqa: BLE001 - a bug of the converter: still one line (the traceback with --verbose)
        if args.verbose:
            traceback.print_exc()
        _say(f"unexpected error ({type(e).__name__}: {e}) while converting {args.input}; nothing was left in "
             f"{args.out_dir}: run again with --verbose and report the traceback")
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(cli())
