#!/usr/bin/env python3
"""Train the project's StyleGAN2 (tools/stylegan2.py) on simulated fluorescence images (tools/simulate.py).

StyleGAN2 as in NVIDIA's stylegan2-ada-pytorch, without ADA and path-length regularisation:
non-saturating logistic loss, lazy R1 on reals (every 16 steps), generator EMA, style mixing (p = 0.9),
a ResNet discriminator with minibatch standard deviation. The simulated domain has no preferred orientation,
so reals are randomly flipped and rotated by multiples of 90 degrees (always valid here, unlike for faces).

Resumable: everything lives in --run-dir (keep it outside the work tree, e.g. ~/.cache/draggan-train/nuclei-128);
starting again with the same --run-dir continues from the last checkpoint. The same code runs on CPU and CUDA.

  nice -n 19 /usr/bin/python3 tools/train.py --run-dir ~/.cache/draggan-train/nuclei-128 --resolution 128 \\
      --threads 2 --minutes 120
  /usr/bin/python3 tools/export.py ~/.cache/draggan-train/nuclei-128/checkpoint.pt sample-models/nuclei-128 ...

Debian's torch: install libopenblas0-openmp and pass --threads, or it is many times slower (tools/README.md).
"""
import argparse
import copy
import json
import math
import os
import signal
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stylegan2  # noqa: E402
from stylegan2 import PRESETS, Discriminator  # noqa: E402  (the networks live in stylegan2.py)

# ---------------------------------------------------------------------------------------------------- data

def _simulate_range(args):
    """Worker: simulates seeds [start, stop) as uint8 (top level so that multiprocessing can pickle it)."""
    start, stop, resolution, channels = args
    import simulate
    out = np.empty((stop - start, channels, resolution, resolution), dtype=np.uint8)
    for i, seed in enumerate(range(start, stop)):
        img = simulate.simulate(seed, size=resolution, channels=channels)
        out[i] = np.clip(np.rint(img * 255.0), 0, 255).astype(np.uint8)
    return out


def make_dataset(path, count, resolution, channels, start_seed, log, workers=1):
    """Simulates `count` images (uint8, [N, C, R, R]) once and caches them in `path`; `workers` processes."""
    if os.path.exists(path):
        data = np.load(path, mmap_mode="r")
        if data.shape[0] >= count and data.shape[1:] == (channels, resolution, resolution):
            return data
    log(f"simulating {count} training images at {resolution} px into {path} with {workers} process(es) ...")
    t0 = time.time()
    chunk = 500
    jobs = [(start_seed + a, start_seed + min(a + chunk, count), resolution, channels) for a in range(0, count, chunk)]
    if workers > 1:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_simulate_range, jobs)
    else:
        parts = [_simulate_range(j) for j in jobs]
    out = np.concatenate(parts)
    tmp = path + ".tmp.npy"
    np.save(tmp, out)
    os.replace(tmp, path)
    log(f"dataset done in {time.time() - t0:.0f} s")
    return np.load(path, mmap_mode="r")


def real_batch(data, batch, rng, device):
    idx = rng.integers(0, data.shape[0], size=batch)
    x = torch.from_numpy(np.ascontiguousarray(data[np.sort(idx)])).float().to(device) / 127.5 - 1.0
    k = int(rng.integers(0, 4))
    if k:
        x = torch.rot90(x, k, dims=[2, 3])
    if rng.random() < 0.5:
        x = x.flip(3)
    return x


# ------------------------------------------------------------------------------------------------ training

def noise_layers_below(G, min_res):
    """The synthesis layers below `min_res`, whose noise strengths train.py holds at 0. With noise at 16 x 16,
    the nuclei-128 generator learned to place its nuclei from the random noise instead of from w (noise strength
    0.06 there; 16 samples of one w with fresh noise spread as much as real images do, 16 different w with fixed
    noise a quarter of that): fine for the GAN loss, useless for dragging, which needs the layout in w, and the
    exported generator's constant noise then draws one layout for every z."""
    return [m for m in G.modules() if isinstance(m, stylegan2.SynthesisLayer) and m.noise_const.shape[-1] < min_res]


def noise_layers_from(G, min_res):
    """The synthesis layers at `min_res` and above: those whose noise strengths train (or --noise-strength holds)."""
    return [m for m in G.modules() if isinstance(m, stylegan2.SynthesisLayer) and m.noise_const.shape[-1] >= min_res]


def frozen_below(G, res):
    """The generator's parameters that --freeze-below RES holds fixed: the mapping network and the synthesis blocks
    below RES px, except their toRGB layers (which write the image's channels: a new channel is learned at every
    resolution). For transfer to a new stain: the layout and shape of the nuclei live in the low blocks and stay
    as the bundle had them, the upper blocks and the image layers learn the new channel, and a step needs no
    gradients below RES."""
    if not res:
        return []
    out = list(G.mapping_net.parameters())
    for block in G.blocks:
        if block.conv1.noise_const.shape[-1] < res:
            out += [p for n, p in block.named_parameters() if not n.startswith("torgb.")]
    return out


def noise_strength_arg(text):
    """--noise-strength: 'keep' or a number."""
    if text == "keep":
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is neither 'keep' nor a number") from None


def d_channels(specs, resolution):
    """--d-channels RES=CH ... as {res: ch}, each resolution one of the discriminator's (4 .. resolution)."""
    out = {}
    for spec in specs:
        res, _, ch = spec.partition("=")
        if not (res.isdigit() and ch.isdigit() and int(ch) > 0):
            raise SystemExit(f"--d-channels: '{spec}' is not RES=CH with two whole numbers (e.g. 128=64)")
        if int(res) not in PRESETS[resolution]["channels"]:
            raise SystemExit(f"--d-channels: a {resolution} px discriminator has no {res} px block "
                             f"(its resolutions: {sorted(PRESETS[resolution]['channels'])})")
        out[int(res)] = int(ch)
    return out


def save_grid(G, z, path):
    with torch.no_grad():
        imgs = G.synthesis(G.mapping_net(z, 1.0)).clamp(-1, 1).add(1).mul(127.5).round().byte().cpu().numpy()
    n, c, h, w = imgs.shape
    cols = int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / cols))
    sheet = np.zeros((rows * h, cols * w), dtype=np.uint8)
    for i in range(n):
        r, q = divmod(i, cols)
        sheet[r * h:(r + 1) * h, q * w:(q + 1) * w] = imgs[i, 0]
    try:
        from PIL import Image
        Image.fromarray(sheet).save(path)
    except ImportError:
        np.save(path + ".npy", sheet)


SLIM_FILES = ("G.pt", "G_ema.pt", "D.pt")
PAUSED_STEP_S = 60.0   # no training step takes this long (about 3 s on 2 CPU cores at 128 px): it was paused


def write_slim(folder, G, G_ema, D, state):
    """G, G_ema and D in float16, one file each (each under the device tool's 16 MB per file at 256 px)."""
    os.makedirs(folder, exist_ok=True)
    half = lambda sd: {k: (v.half() if v.is_floating_point() else v) for k, v in sd.items()}  # noqa: E731
    for name, net in zip(SLIM_FILES, (G, G_ema, D)):
        torch.save(dict(config=G.config, D_config=D.config, state=state, weights=half(net.state_dict())),
                   os.path.join(folder, name))


def read_slim(folder, log=print):
    """A checkpoint dict (without optimizer state) from write_slim's folder. G.pt may be missing (tools/gpu/pack.sh
    leaves it out when the device tool's 64 MiB would not hold it): G then starts from G_ema, as from a bundle."""
    paths = [os.path.join(folder, f) for f in SLIM_FILES]
    missing = [f for f, p in zip(SLIM_FILES[1:], paths[1:]) if not os.path.isfile(p)]
    if missing:
        raise SystemExit(f"{folder} is not a slim checkpoint (train.py --slim): it has no {' or '.join(missing)}")
    ema, D = (torch.load(p, map_location="cpu") for p in paths[1:])
    if os.path.isfile(paths[0]):
        G = torch.load(paths[0], map_location="cpu")
    else:
        G = ema
        log(f"{folder} has no {SLIM_FILES[0]}: the generator that trains starts from G_ema (as from a bundle)")
    return dict(config=ema["config"], D_config=ema["D_config"], state=ema["state"],
                G=G["weights"], G_ema=ema["weights"], D=D["weights"])


def is_bundle(folder):
    return os.path.isfile(os.path.join(folder, "model.json"))


def read_bundle(folder):
    """A checkpoint dict (without optimizer state) from a released bundle: G and G_ema both from generator.pt
    (a bundle keeps only G_ema), D from discriminator.pt when the bundle has one (release_model.py writes it, so
    that a later session can go on training), otherwise None: build_networks then makes a new D and
    main trains it alone first (--d-warmup). The training state comes from model.json's "training" entry."""
    with open(os.path.join(folder, "model.json")) as f:
        meta = json.load(f)
    config = {k: v for k, v in meta["architecture"].items() if k != "family"}
    config["channels"] = {int(k): v for k, v in config["channels"].items()}
    weights = torch.jit.load(os.path.join(folder, meta["weights"]["file"]), map_location="cpu").state_dict()
    weights = {k: v.detach().clone() for k, v in weights.items()}
    state = dict(step=0, kimg=0.0, seconds=0.0)
    state.update(meta.get("training", {}))
    D_config, D = None, None
    d_path = os.path.join(folder, "discriminator.pt")
    if os.path.exists(d_path):
        d = torch.load(d_path, map_location="cpu")
        if d.get("format") != stylegan2.DISCRIMINATOR_FORMAT or d.get("kind") != "train.Discriminator":
            raise SystemExit(f"{d_path} is not a discriminator train.py can continue (kind {d.get('kind')!r})")
        D_config, D = d["config"], d["state_dict"]
    return dict(config=config, D_config=D_config, state=state, G=weights, G_ema=dict(weights), D=D)


def write_discriminator(D, path, source):
    """D as docs/model-format.md's discriminator.pt (kind train.Discriminator), its weights in float16."""
    sd = {k: (v.detach().half() if v.is_floating_point() else v) for k, v in D.state_dict().items()}
    torch.save(dict(format=stylegan2.DISCRIMINATOR_FORMAT, version=1, source=source, kind="train.Discriminator",
                    config=D.config, state_dict=sd, notes="weights stored in float16"), path)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run-dir", required=True, help="checkpoints, samples and the log (outside the work tree)")
    ap.add_argument("--resolution", type=int, default=128, choices=sorted(PRESETS))
    ap.add_argument("--channels", type=int, default=1, help="image channels (1 nuclei, 2 nuclei + cytoplasm)")
    ap.add_argument("--dataset-size", type=int, default=20000)
    ap.add_argument("--dataset", help="cached dataset .npy (default: RUN_DIR/../data-RES-CH.npy)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=0.0025,
                    help="Adam learning rate of G (D: x 16/17 for the lazy R1); it also replaces a resumed Adam's")
    ap.add_argument("--ema-rampup", type=float, default=0.05,
                    help="G_ema's half-life is at most this fraction of the images seen so far (NVIDIA's 'auto' "
                         "configuration; 0 = a fixed half-life of batch * 10 / 32 kimg): a young model's G_ema then "
                         "does not lag thousands of images behind G")
    ap.add_argument("--d-mbstd-res", type=int, nargs="*", default=[32],
                    help="resolutions at which the discriminator also sees the minibatch stddev of the image pooled to "
                         "that size (see Discriminator; none = NVIDIA's discriminator). A checkpoint without them "
                         "gains them on resume.")
    ap.add_argument("--noise-min-res", type=int,
                    help="per-pixel noise inputs only at this resolution and above; below it their strengths are held "
                         "at 0 (default: the output resolution, i.e. only the last block's). See noise_layers_below.")
    ap.add_argument("--noise-strength", type=noise_strength_arg, metavar="S|keep",
                    help="hold the strengths of the noise inputs that train (from --noise-min-res on) instead of "
                         "training them: 'keep' holds each layer's strength as the checkpoint or bundle has it, a "
                         "number sets them all to it. The pixel texture rides on them (nuclei-128's last layer: "
                         "-0.036, the one before it about 0), and a new discriminator drove them to 0 in the "
                         "two-channel runs (tools/README.md)")
    ap.add_argument("--d-channels", nargs="*", default=[], metavar="RES=CH",
                    help="a new discriminator's width at these resolutions instead of the preset's (the 128 px preset's "
                         "D reads the 128 px image with 32 channels: 128=64 64=128 doubles it there); a discriminator "
                         "that exists (the run's, the bundle's) keeps its own widths")
    ap.add_argument("--d-view", choices=Discriminator.VIEWS,
                    help="how a new discriminator reads the image (default linear, NVIDIA's): 'log' reads it as "
                         "quality.py's classifier does, log(1 + 8-bit value) after rounding to 8 bits (straight-through "
                         "gradient), which magnifies the background and the gaps between nuclei but compresses the "
                         "texture inside them; 'both' reads the linear and the log view side by side; 'smooth-log' the "
                         "linear image beside the log of its blur (sigma 1 px at 128 px: no per-pixel noise, no 8-bit "
                         "levels). R1 is taken in the view. A discriminator that exists keeps its view")
    ap.add_argument("--gamma", type=float, help="R1 weight (default: NVIDIA's heuristic 2e-4 * res^2 / batch)")
    ap.add_argument("--minutes", type=float, default=60.0, help="stop (and checkpoint) after this long")
    ap.add_argument("--kimg", type=float, default=1e9, help="stop after this many thousand real images shown")
    ap.add_argument("--checkpoint-minutes", type=float, default=10.0)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = all cores)")
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=1, help="processes that simulate the training set (first run)")
    ap.add_argument("--slim", help="also write a slim checkpoint into this folder at the end: G.pt, G_ema.pt, D.pt in "
                                   "float16, no optimizer state (about 10 MB each at 256 px; for carrying between "
                                   "machines)")
    ap.add_argument("--resume-from", help="a slim checkpoint folder, or a released bundle (generator.pt, model.json "
                                          "and, when it has one, discriminator.pt), to start from when RUN_DIR has "
                                          "no checkpoint")
    ap.add_argument("--freeze-below", type=int, default=0,
                    help="hold the generator's mapping network and its blocks below this resolution fixed (toRGB "
                         "layers excepted): transfer learning that keeps what the low blocks drew (e.g. the nuclei "
                         "while --channels 2 learns a cytoplasm); 0 = train everything")
    ap.add_argument("--d-warmup", type=int,
                    help="steps that train only the discriminator when it is new but the generator is not (resuming "
                         "from a bundle without discriminator.pt; default 400): a new D's first gradients are noise "
                         "that would undo what the generator learned. Given with --resume-from a bundle that has its "
                         "discriminator.pt, that D catches up alone too (default 0: it was trained with this "
                         "generator; a discriminator.pt from another run, e.g. a later checkpoint, was not)")
    ap.add_argument("--dataset-only", action="store_true",
                    help="only simulate (or find) the cached training set, then stop (e.g. for quality.py's copy check "
                         "on another machine than the one that trained)")
    return ap.parse_args(argv)


def make_log(run_dir):
    """A log function that prints a time-stamped line and appends it to RUN_DIR/log.txt."""
    log_path = os.path.join(run_dir, "log.txt")

    def log(msg):
        line = time.strftime("%Y-%m-%d %H:%M:%S ") + msg
        print(line, flush=True)
        with open(log_path, "a") as f:
            f.write(line + "\n")
    return log


# ------------------------------------------------------------------------------------------------ setup

REG_EVERY = 16  # lazy R1: every 16 steps, scaled by 16 (and D's Adam adjusted for it, as NVIDIA)


class Training:
    """Everything a training run holds between steps (built by setup, advanced by step, saved by save_checkpoint)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def choose_device(args):
    torch.set_num_threads(args.threads or os.cpu_count())
    device = torch.device("cuda" if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
                          else "cpu")
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    return device


def read_checkpoint(args, ckpt_path, log):
    """RUN_DIR's checkpoint (made from --resume-from's slim folder when there is none yet), or None."""
    if args.resume_from and not os.path.exists(ckpt_path):
        tmp = ckpt_path + ".tmp"  # whole or not at all, as save_checkpoint
        torch.save(read_bundle(args.resume_from) if is_bundle(args.resume_from) else read_slim(args.resume_from, log),
                   tmp)
        os.replace(tmp, ckpt_path)
    return torch.load(ckpt_path, map_location="cpu") if os.path.exists(ckpt_path) else None


def widen_image_channels(weights, old, new):
    """A generator's state dict with its image layers (the toRGB weights and biases, dimension 0 = image
    channels) grown from `old` to `new` channels: channel c starts as a copy of channel c % old. Every other
    layer is independent of the image channels. Transfer learning: a second stain is learned from a generator
    that already draws the first (train.py --resume-from BUNDLE --channels 2, with a new discriminator)."""
    out = {}
    for k, v in weights.items():
        if k.rsplit(".", 2)[-2:] in (["torgb", "weight"], ["torgb", "bias"]):
            v = v[[c % old for c in range(new)]].clone()
        out[k] = v
    return out


def build_networks(args, ckpt, device, log):
    """G, G_ema, D and their optimizers, fresh from PRESETS or loaded from the checkpoint (D gains the
    minibatch-stddev channels of --d-mbstd-res it lacks; its Adam then restarts). Returns them and the state."""
    if ckpt is not None:
        gcfg, dcfg = ckpt["config"], ckpt["D_config"]
    else:
        gcfg = dict(PRESETS[args.resolution], resolution=args.resolution, img_channels=args.channels,
                    conv_clamp=256.0, noise_seed=0)
        dcfg = None
    grow = ckpt is not None and args.channels > gcfg["img_channels"]  # e.g. nuclei -> nuclei + cytoplasm
    if grow and "opt_G" in ckpt:
        raise SystemExit(f"{args.run_dir} holds a {gcfg['img_channels']}-channel run; a model of "
                         f"{args.channels} channels starts in a new run folder from a bundle (--resume-from)")
    if grow and ckpt["D"] is not None:
        log("discriminator: the bundle's sees fewer channels; a new one")
        ckpt["D"], dcfg = None, None
    new_d = ckpt is not None and ckpt["D"] is None  # a bundle without discriminator.pt (or of fewer channels)
    if grow:
        log(f"generator: image channels {gcfg['img_channels']} -> {args.channels}; the new channels' toRGB "
            f"weights start as copies of the first channel's, everything else as in the bundle")
        for key in ("G", "G_ema"):
            ckpt[key] = widen_image_channels(ckpt[key], gcfg["img_channels"], args.channels)
        gcfg = dict(gcfg, img_channels=args.channels)
        if args.resume_from:  # the model card says
            ckpt["state"]["started_from"] = os.path.basename(os.path.normpath(args.resume_from))
    widths = d_channels(args.d_channels, gcfg["resolution"])
    if dcfg is None:  # a new D, the preset's for the generator's resolution (widened where --d-channels says)
        dcfg = dict(resolution=gcfg["resolution"], img_channels=gcfg["img_channels"],
                    channels={**PRESETS[gcfg["resolution"]]["channels"], **widths}, input_view=args.d_view or "linear")
        if widths:
            log(f"discriminator: widths {dcfg['channels']}")
        if dcfg["input_view"] != "linear":
            names = {"log": "log view", "both": "linear and the log view", "smooth-log": "linear and the smoothed log view"}
            log(f"discriminator: reads the {names[args.d_view]} of the image (--d-view {args.d_view})")
    elif any({int(k): int(v) for k, v in dcfg["channels"].items()}.get(r) != c for r, c in widths.items()):
        raise SystemExit(f"--d-channels: this run's discriminator already has its widths {dcfg['channels']}; "
                         f"a discriminator of other widths starts in a new run folder (from a bundle without "
                         f"discriminator.pt, or from scratch)")
    if args.d_view is not None and dcfg.get("input_view", "linear") != args.d_view:
        raise SystemExit(f"--d-view {args.d_view}: this run's discriminator reads the {dcfg.get('input_view', 'linear')} "
                         f"view; a discriminator with another view starts in a new run folder (from a bundle "
                         f"without discriminator.pt, or from scratch)")
    grow_d = not new_d and ckpt is not None and sorted(dcfg.get("mbstd_res", [])) != sorted(args.d_mbstd_res)
    dcfg = dict(dcfg, mbstd_res=args.d_mbstd_res)
    G = stylegan2.build(gcfg).to(device)
    D = Discriminator(**dcfg).to(device)
    G_ema = copy.deepcopy(G).eval()
    G.set_random_noise(True)
    G_ema.set_random_noise(False)
    for p in G_ema.parameters():
        p.requires_grad_(False)
    ratio = REG_EVERY / (REG_EVERY + 1)
    opt_G = torch.optim.Adam(G.parameters(), lr=args.lr, betas=(0.0, 0.99))
    opt_D = torch.optim.Adam(D.parameters(), lr=args.lr * ratio, betas=(0.0, 0.99 ** ratio))
    state = dict(step=0, kimg=0.0, seconds=0.0)
    if ckpt is not None:
        G.load_state_dict(ckpt["G"])
        G_ema.load_state_dict(ckpt["G_ema"])
        if new_d:
            log("discriminator: new (the bundle has none); it trains alone first (--d-warmup)")
        elif grow_d:
            D.load_adding_mbstd(ckpt["D"])
            log(f"discriminator: image minibatch-stddev channels now at {args.d_mbstd_res} px; its Adam restarts")
        else:
            D.load_state_dict(ckpt["D"])
        if "opt_G" in ckpt:  # a slim checkpoint has no optimizer state: Adam starts afresh
            opt_G.load_state_dict(ckpt["opt_G"])
            if not grow_d:
                opt_D.load_state_dict(ckpt["opt_D"])
            # Adam's saved state carries the learning rate it ran with; --lr decides (on resume too).
            for opt, lr in ((opt_G, args.lr), (opt_D, args.lr * ratio)):
                for group in opt.param_groups:
                    group["lr"] = lr
        state = ckpt["state"]
        if new_d:
            state["d_only_until"] = state["step"] + (400 if args.d_warmup is None else args.d_warmup)
        elif "opt_G" not in ckpt and args.d_warmup:  # the start from --resume-from, its own D
            state["d_only_until"] = state["step"] + args.d_warmup
            log(f"discriminator: the one from --resume-from, alone for {args.d_warmup} steps first (--d-warmup)")
        log(f"resumed at step {state['step']}, {state['kimg']:.1f} kimg, {state['seconds'] / 3600:.2f} h trained")
    return G, G_ema, D, opt_G, opt_D, state


def setup(args, log):
    """Networks (new or resumed), noise held at 0 below --noise-min-res, R1 weight, EMA length, training set,
    random generators. Returns a Training, or None with --dataset-only (after making the training set)."""
    device = choose_device(args)
    ckpt_path = os.path.join(args.run_dir, "checkpoint.pt")
    ckpt = read_checkpoint(args, ckpt_path, log)
    G, G_ema, D, opt_G, opt_D, state = build_networks(args, ckpt, device, log)
    del ckpt
    res = G.config["resolution"]
    noise_min = args.noise_min_res or res
    quiet = noise_layers_below(G, noise_min)  # their gradients are dropped every step (see step)
    with torch.no_grad():
        for m in quiet + noise_layers_below(G_ema, noise_min):
            m.noise_strength.zero_()
    if args.noise_strength is not None:  # the layers that keep noise: strength fixed, not trained
        held = noise_layers_from(G, noise_min)
        if args.noise_strength != "keep":
            with torch.no_grad():
                for m in held + noise_layers_from(G_ema, noise_min):
                    m.noise_strength.fill_(args.noise_strength)
        quiet = quiet + held
        log(f"noise strengths held from {noise_min} px: {', '.join(f'{float(m.noise_strength):.4g}' for m in held)}")
    gamma = args.gamma if args.gamma is not None else 2e-4 * res * res / args.batch
    channels = G.config["img_channels"]
    data_path = args.dataset or os.path.join(os.path.dirname(os.path.abspath(args.run_dir)),
                                             f"data-{res}-{channels}.npy")
    data = make_dataset(data_path, args.dataset_size, res, channels, 1_000_000, log, args.workers)
    if args.dataset_only:
        log(f"training set ready: {data_path} {tuple(data.shape)}")
        return None
    log(f"training {res} px on {device} with {torch.get_num_threads()} threads, batch {args.batch}, "
        f"gamma {gamma:.3g}, noise from {noise_min} px, {sum(p.numel() for p in G.parameters()) / 1e6:.2f} M G params, "
        f"{sum(p.numel() for p in D.parameters()) / 1e6:.2f} M D params, {data.shape[0]} reals")
    rng = np.random.default_rng(args.seed + state["step"])
    torch.manual_seed(args.seed + state["step"])
    fixed_z = torch.randn(16, G.z_dim, generator=torch.Generator().manual_seed(1234)).to(device)
    frozen = frozen_below(G, args.freeze_below)
    if frozen:
        log(f"generator: {sum(p.numel() for p in frozen) / 1e6:.2f} M parameters held fixed (mapping and blocks "
            f"below {args.freeze_below} px, their toRGB layers excepted)")
    return Training(G=G, G_ema=G_ema, D=D, opt_G=opt_G, opt_D=opt_D, state=state, device=device, quiet=quiet,
                    frozen=frozen,
                    gamma=gamma, ema_nimg_max=10_000 * args.batch / 32, data=data, rng=rng, fixed_z=fixed_z,
                    ckpt_path=ckpt_path)


# ------------------------------------------------------------------------------------------------- step

def ws_with_mixing(t, z_count):
    """W+ of fresh z, with style mixing (a second z from a random layer on) with probability 0.9."""
    G = t.G
    z = torch.randn(z_count, G.z_dim, device=t.device)
    ws = G.mapping_net(z, 1.0, update_w_avg=True)
    if t.rng.random() < 0.9:
        cut = int(t.rng.integers(1, G.num_ws))
        ws2 = G.mapping_net(torch.randn_like(z), 1.0)
        ws = torch.cat([ws[:, :cut], ws2[:, cut:]], dim=1)
    return ws


def step(t, args):
    """One training step: a generator update, a discriminator update (with lazy R1), the EMA; returns the losses
    (loss_G None while a new discriminator trains alone)."""
    G, D, opt_G, opt_D, state = t.G, t.D, t.opt_G, t.opt_D, t.state
    if state["step"] < state.get("d_only_until", 0):  # a new discriminator catches up first (--d-warmup)
        loss_G = None
    else:
        # Generator: non-saturating logistic loss.
        G.requires_grad_(True)
        for p in t.frozen:
            p.requires_grad_(False)
        D.requires_grad_(False)
        fake = G.synthesis(ws_with_mixing(t, args.batch))
        loss_G = F.softplus(-D(fake)).mean()
        opt_G.zero_grad(set_to_none=True)
        loss_G.backward()
        for m in t.quiet:
            m.noise_strength.grad = None  # Adam skips a parameter without a gradient: the strength stays (0 or held)
        opt_G.step()
    # Discriminator: logistic loss, lazy R1 on reals.
    G.requires_grad_(False)
    D.requires_grad_(True)
    with torch.no_grad():
        fake = G.synthesis(ws_with_mixing(t, args.batch))
    real = real_batch(t.data, args.batch, t.rng, t.device)
    loss_D = F.softplus(D(fake)).mean() + F.softplus(-D(real)).mean()
    opt_D.zero_grad(set_to_none=True)
    loss_D.backward()
    opt_D.step()
    if state["step"] % REG_EVERY == 0:
        real = D.view(real_batch(t.data, max(args.batch // 2, 2), t.rng, t.device)).detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(D.judge(real).sum(), real, create_graph=True)  # R1 in D's view (linear: the image)
        r1 = grad.square().sum(dim=[1, 2, 3]).mean()
        opt_D.zero_grad(set_to_none=True)
        (r1 * (t.gamma / 2) * REG_EVERY).backward()
        opt_D.step()
    # EMA of the generator (parameters and buffers such as w_avg).
    ema_nimg = t.ema_nimg_max
    if args.ema_rampup > 0:
        ema_nimg = min(ema_nimg, state["kimg"] * 1000.0 * args.ema_rampup)
    ema_beta = 0.5 ** (args.batch / max(ema_nimg, 1e-8))
    with torch.no_grad():
        for pe, p in zip(t.G_ema.parameters(), G.parameters()):
            pe.copy_(p.lerp(pe, ema_beta))
        for be, b in zip(t.G_ema.buffers(), G.buffers()):
            be.copy_(b)
    state["step"] += 1
    state["kimg"] += args.batch / 1000.0
    return loss_G, loss_D


# ------------------------------------------------------------------------------------------- checkpoint

def save_checkpoint(t, args, log):
    """RUN_DIR/checkpoint.pt (written to a temporary file, then renamed), samples.png of G_ema, state.json."""
    tmp = t.ckpt_path + ".tmp"
    torch.save(dict(config=t.G.config, D_config=t.D.config, G=t.G.state_dict(), G_ema=t.G_ema.state_dict(),
                    D=t.D.state_dict(), opt_G=t.opt_G.state_dict(), opt_D=t.opt_D.state_dict(), state=t.state), tmp)
    os.replace(tmp, t.ckpt_path)
    save_grid(t.G_ema, t.fixed_z, os.path.join(args.run_dir, "samples.png"))
    with open(os.path.join(args.run_dir, "state.json"), "w") as f:
        json.dump(t.state, f)
    state = t.state
    log(f"checkpoint: step {state['step']}, {state['kimg']:.1f} kimg, {state['seconds'] / 3600:.2f} h")


def save_slim(t, folder, log):
    write_slim(folder, t.G, t.G_ema, t.D, t.state)
    log(f"slim checkpoint in {folder}: " + ", ".join(
        f"{f} {os.path.getsize(os.path.join(folder, f)) / 1e6:.1f} MB" for f in SLIM_FILES))


# ------------------------------------------------------------------------------------------------- main

class Clock:
    """Training time, not wall time: a step that took over PAUSED_STEP_S was paused (SIGSTOP while something was
    measured) and counts as long as the step before it."""

    def __init__(self, now):
        self.prev, self.last_dt = now, 0.0

    def tick(self, now):
        dt, self.prev = now - self.prev, now
        if dt > PAUSED_STEP_S:
            dt = self.last_dt
        self.last_dt = dt
        return dt


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.run_dir, exist_ok=True)
    log = make_log(args.run_dir)
    t = setup(args, log)
    if t is None:
        return
    stop = {"flag": False}
    signal.signal(signal.SIGTERM, lambda *a: stop.update(flag=True))
    signal.signal(signal.SIGINT, lambda *a: stop.update(flag=True))
    state = t.state
    t_start = time.time()
    t_last_ckpt = t_last_log = t_start
    step_last_log = state["step"]
    clock = Clock(t_start)
    while not stop["flag"]:
        loss_G, loss_D = step(t, args)
        now = time.time()
        state["seconds"] += clock.tick(now)
        if now - t_last_log > 60:
            per_step = (now - t_last_log) / max(1, state["step"] - step_last_log)
            g = "- (D alone)" if loss_G is None else f"{loss_G.item():.3f}"
            log(f"step {state['step']} kimg {state['kimg']:.2f} loss_G {g} "
                f"loss_D {loss_D.item():.3f} {per_step:.2f} s/step")
            t_last_log, step_last_log = now, state["step"]
        if now - t_last_ckpt > args.checkpoint_minutes * 60:
            save_checkpoint(t, args, log)
            t_last_ckpt = now
        if now - t_start > args.minutes * 60 or state["kimg"] >= args.kimg:
            break
    save_checkpoint(t, args, log)
    if args.slim:
        save_slim(t, args.slim, log)


if __name__ == "__main__":
    main()
