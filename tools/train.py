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
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stylegan2  # noqa: E402

# Architectures per resolution: small enough to train on a few CPU cores, wide enough at the feature block.
PRESETS = {
    64: dict(z_dim=256, w_dim=256, mapping_layers=4, feature_block=3,
             channels={4: 256, 8: 256, 16: 128, 32: 96, 64: 48}),
    128: dict(z_dim=256, w_dim=256, mapping_layers=4, feature_block=4,
              channels={4: 256, 8: 256, 16: 128, 32: 96, 64: 64, 128: 32}),
    # About 5.3 M generator parameters: a float32 bundle of about 21 MB, under the repository's 25 MB limit.
    256: dict(z_dim=256, w_dim=256, mapping_layers=8, feature_block=5,
              channels={4: 256, 8: 256, 16: 256, 32: 128, 64: 128, 128: 64, 256: 32}),
}


# ---------------------------------------------------------------------------------------------- discriminator

class Conv(nn.Module):
    """Equalised-lr convolution; optional FIR blur + stride-2 down-sampling, bias, leaky ReLU * sqrt(2)."""

    def __init__(self, cin, cout, k, bias=True, act=True, down=False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin, k, k))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
        self.gain = 1.0 / math.sqrt(cin * k * k)
        self.act, self.down, self.k = act, down, k
        self.register_buffer("f", stylegan2.fir_filter().reshape(1, 1, 4, 4))

    def forward(self, x, gain=1.0):
        w = self.weight * self.gain
        if self.down:
            c = x.shape[1]
            pad = (self.k + 1) // 2  # NVIDIA: blur with padding so that the strided conv halves the size
            x = F.conv2d(F.pad(x, [pad, pad, pad, pad]), self.f.expand(c, 1, 4, 4), groups=c)
            x = F.conv2d(x, w, stride=2)
        else:
            x = F.conv2d(x, w, padding=self.k // 2)
        if self.bias is not None:
            x = x + self.bias.reshape(1, -1, 1, 1)
        if self.act:
            x = F.leaky_relu(x, 0.2) * math.sqrt(2)
        return x * gain if gain != 1.0 else x


def group_std(x, group):
    """NVIDIA's minibatch standard deviation: per group of `group` samples (samples i, i + n/group, ...), the std
    across the group of every value, averaged to one number per group; returned per sample as [n, 1, 1, 1]."""
    n = x.shape[0]
    g = min(group, n)
    while n % g:
        g -= 1
    y = x.reshape(g, -1, *x.shape[1:])
    y = (y - y.mean(dim=0)).square().mean(dim=0).add(1e-8).sqrt().flatten(1).mean(dim=1)
    return y.reshape(-1, 1, 1, 1).repeat(g, 1, 1, 1)


def minibatch_std(x, group):
    """x with its group_std appended as one constant channel (NVIDIA's layer before the 4x4 convolution)."""
    n, c, h, w = x.shape
    return torch.cat([x, group_std(x, group).expand(n, 1, h, w)], dim=1)


class DBlock(nn.Module):
    def __init__(self, cin, cout, img_channels, first, extra_channel=False):
        super().__init__()
        self.fromrgb = Conv(img_channels, cin, 1) if first else None
        self.conv0 = Conv(cin + (1 if extra_channel else 0), cin, 3)
        self.conv1 = Conv(cin, cout, 3, down=True)
        self.skip = Conv(cin, cout, 1, bias=False, act=False, down=True)

    def forward(self, x, img, extra=None):
        if self.fromrgb is not None:
            x = self.fromrgb(img)
        y = self.skip(x, gain=math.sqrt(0.5))
        if extra is not None:
            x = torch.cat([x, extra.expand(x.shape[0], 1, *x.shape[2:])], dim=1)
        x = self.conv1(self.conv0(x), gain=math.sqrt(0.5))
        return y + x


class Discriminator(nn.Module):
    """NVIDIA's ResNet discriminator. `mbstd_res`: resolutions r at which the block reading r x r features also
    gets the minibatch standard deviation of the *image* average-pooled to r x r, as one more input channel.
    NVIDIA's single minibatch-stddev layer (on the 4x4 features) did not stop the generator from drawing one layout
    of nuclei for every z, and neither did one on the 32 x 32 features: measured on nuclei-128, fakes and reals had
    the same feature spread there (the generator's per-pixel noise varies as much as real layouts do), and D
    scored 16 copies of one real image like 16 different ones. The pooled image's spread is layout only
    (std across images, pooled to 32 px: 0.20 for real images, 0.03 for that generator's); see image_spread."""

    def __init__(self, resolution, img_channels, channels, mbstd_group=4, mbstd_res=()):
        super().__init__()
        ch = {int(k): int(v) for k, v in channels.items()}
        res_list = [2 ** i for i in range(int(math.log2(resolution)), 2, -1)]
        mbstd_res = sorted({int(r) for r in mbstd_res}, reverse=True)
        self.res_list = res_list
        self.blocks = nn.ModuleList([DBlock(ch[r], ch[r // 2], img_channels, i == 0, r in mbstd_res)
                                     for i, r in enumerate(res_list)])
        c4 = ch[4]
        self.mbstd_group = mbstd_group
        self.mbstd_res = mbstd_res
        self.conv = Conv(c4 + 1, c4, 3)
        self.fc = nn.Parameter(torch.randn(c4, c4 * 16))
        self.fc_b = nn.Parameter(torch.zeros(c4))
        self.out = nn.Parameter(torch.randn(1, c4))
        self.out_b = nn.Parameter(torch.zeros(1))
        self.config = dict(resolution=resolution, img_channels=img_channels, channels={str(k): v for k, v in ch.items()},
                           mbstd_group=mbstd_group, mbstd_res=mbstd_res)

    def image_spread(self, img, r):
        """group_std of the images average-pooled to r x r, divided by the std of all those pooled values: about
        0.9 for real images, near 0 when a group shares one layout: [n, 1, 1, 1]. Unscaled (0.13 real, 0.07 for
        a half-collapsed generator) the channel was too small beside D's features to matter: 15 kimg in, its
        weights had not moved from their initial values and D scored 16 copies of one real image like reals."""
        p = F.avg_pool2d(img, img.shape[-1] // r) if img.shape[-1] > r else img
        return group_std(p, self.mbstd_group) / (p.std() + 1e-8)

    def features(self, img):
        """Every block's output (used by inversion as a perceptual feature extractor)."""
        x, out = None, []
        for r, b in zip(self.res_list, self.blocks):
            x = b(x, img, self.image_spread(img, r) if r in self.mbstd_res else None)
            out.append(x)
        return out

    def forward(self, img):
        x = minibatch_std(self.features(img)[-1], self.mbstd_group)
        c = x.shape[1] - 1
        x = self.conv(x)
        x = F.leaky_relu(x.flatten(1) @ (self.fc / math.sqrt(c * 16)).t() + self.fc_b, 0.2) * math.sqrt(2)
        return x @ (self.out / math.sqrt(c)).t() + self.out_b

    def load_adding_mbstd(self, state):
        """Loads the state of a discriminator without some of this one's extra minibatch-stddev channels: the new
        input channel of those convolutions starts from random weights, everything else computes as trained (the
        old weights are rescaled for the equalised-lr gain of the larger fan-in)."""
        own = self.state_dict()
        for k, v in state.items():
            if k not in own or own[k].shape == v.shape:
                continue
            if v.shape[1] > own[k].shape[1]:
                raise ValueError(f"the checkpoint's discriminator has more minibatch-stddev inputs than asked for ({k}: "
                                 f"{v.shape[1]} input channels, {own[k].shape[1]} now): resume with the --d-mbstd-res "
                                 "it was trained with")
            grown = own[k].clone()  # conv0.weight of a block that gained the channel: [cout, cin + 1, 3, 3]
            grown[:, :v.shape[1]] = v * math.sqrt(grown.shape[1] / v.shape[1])
            state = dict(state, **{k: grown})
        self.load_state_dict(state)


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


def read_slim(folder):
    """A checkpoint dict (without optimizer state) from write_slim's folder."""
    parts = [torch.load(os.path.join(folder, f), map_location="cpu") for f in SLIM_FILES]
    return dict(config=parts[0]["config"], D_config=parts[0]["D_config"], state=parts[0]["state"],
                G=parts[0]["weights"], G_ema=parts[1]["weights"], D=parts[2]["weights"])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run-dir", required=True, help="checkpoints, samples and the log (outside the work tree)")
    ap.add_argument("--resolution", type=int, default=128, choices=sorted(PRESETS))
    ap.add_argument("--channels", type=int, default=1, help="image channels (1 nuclei, 2 nuclei + cytoplasm)")
    ap.add_argument("--dataset-size", type=int, default=20000)
    ap.add_argument("--dataset", help="cached dataset .npy (default: RUN_DIR/../data-RES-CH.npy)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=0.0025)
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
    ap.add_argument("--resume-from", help="a slim checkpoint folder to start from when RUN_DIR has no checkpoint")
    ap.add_argument("--dataset-only", action="store_true",
                    help="only simulate (or find) the cached training set, then stop (e.g. for quality.py's copy check "
                         "on another machine than the one that trained)")
    args = ap.parse_args(argv)

    os.makedirs(args.run_dir, exist_ok=True)
    log_path = os.path.join(args.run_dir, "log.txt")

    def log(msg):
        line = time.strftime("%Y-%m-%d %H:%M:%S ") + msg
        print(line, flush=True)
        with open(log_path, "a") as f:
            f.write(line + "\n")

    torch.set_num_threads(args.threads or os.cpu_count())
    device = torch.device("cuda" if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
                          else "cpu")
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    ckpt_path = os.path.join(args.run_dir, "checkpoint.pt")
    if args.resume_from and not os.path.exists(ckpt_path):
        torch.save(read_slim(args.resume_from), ckpt_path)
    resume = os.path.exists(ckpt_path)
    if resume:
        ckpt = torch.load(ckpt_path, map_location="cpu")
        gcfg, dcfg = ckpt["config"], ckpt["D_config"]
    else:
        preset = dict(PRESETS[args.resolution])
        gcfg = dict(preset, resolution=args.resolution, img_channels=args.channels, conv_clamp=256.0, noise_seed=0)
        dcfg = dict(resolution=args.resolution, img_channels=args.channels, channels=preset["channels"])
    grow_d = resume and sorted(dcfg.get("mbstd_res", [])) != sorted(args.d_mbstd_res)
    dcfg = dict(dcfg, mbstd_res=args.d_mbstd_res)
    G = stylegan2.build(gcfg).to(device)
    D = Discriminator(**dcfg).to(device)
    G_ema = copy.deepcopy(G).eval()
    G.set_random_noise(True)
    G_ema.set_random_noise(False)
    for p in G_ema.parameters():
        p.requires_grad_(False)
    reg_every = 16
    ratio = reg_every / (reg_every + 1)
    opt_G = torch.optim.Adam(G.parameters(), lr=args.lr, betas=(0.0, 0.99))
    opt_D = torch.optim.Adam(D.parameters(), lr=args.lr * ratio, betas=(0.0, 0.99 ** ratio))
    state = dict(step=0, kimg=0.0, seconds=0.0)
    if resume:
        G.load_state_dict(ckpt["G"])
        G_ema.load_state_dict(ckpt["G_ema"])
        if grow_d:
            D.load_adding_mbstd(ckpt["D"])
            log(f"discriminator: image minibatch-stddev channels now at {args.d_mbstd_res} px; its Adam restarts")
        else:
            D.load_state_dict(ckpt["D"])
        if "opt_G" in ckpt:  # a slim checkpoint has no optimizer state: Adam starts afresh
            opt_G.load_state_dict(ckpt["opt_G"])
            if not grow_d:
                opt_D.load_state_dict(ckpt["opt_D"])
        state = ckpt["state"]
        log(f"resumed at step {state['step']}, {state['kimg']:.1f} kimg, {state['seconds'] / 3600:.2f} h trained")
        del ckpt
    res = gcfg["resolution"]
    noise_min = args.noise_min_res or res
    quiet = noise_layers_below(G, noise_min)  # their gradients are dropped every step (below)
    with torch.no_grad():
        for m in quiet + noise_layers_below(G_ema, noise_min):
            m.noise_strength.zero_()
    gamma = args.gamma if args.gamma is not None else 2e-4 * res * res / args.batch
    ema_nimg_max = 10_000 * args.batch / 32
    data_path = args.dataset or os.path.join(os.path.dirname(os.path.abspath(args.run_dir)),
                                             f"data-{res}-{gcfg['img_channels']}.npy")
    data = make_dataset(data_path, args.dataset_size, res, gcfg["img_channels"], 1_000_000, log, args.workers)
    if args.dataset_only:
        log(f"training set ready: {data_path} {tuple(data.shape)}")
        return
    log(f"training {res} px on {device} with {torch.get_num_threads()} threads, batch {args.batch}, "
        f"gamma {gamma:.3g}, noise from {noise_min} px, {sum(p.numel() for p in G.parameters()) / 1e6:.2f} M G params, "
        f"{sum(p.numel() for p in D.parameters()) / 1e6:.2f} M D params, {data.shape[0]} reals")

    rng = np.random.default_rng(args.seed + state["step"])
    torch.manual_seed(args.seed + state["step"])
    fixed_z = torch.randn(16, gcfg["z_dim"], generator=torch.Generator().manual_seed(1234)).to(device)
    stop = {"flag": False}
    signal.signal(signal.SIGTERM, lambda *a: stop.update(flag=True))
    signal.signal(signal.SIGINT, lambda *a: stop.update(flag=True))

    def save():
        tmp = ckpt_path + ".tmp"
        torch.save(dict(config=G.config, D_config=D.config, G=G.state_dict(), G_ema=G_ema.state_dict(),
                        D=D.state_dict(), opt_G=opt_G.state_dict(), opt_D=opt_D.state_dict(), state=state), tmp)
        os.replace(tmp, ckpt_path)
        save_grid(G_ema, fixed_z, os.path.join(args.run_dir, "samples.png"))
        with open(os.path.join(args.run_dir, "state.json"), "w") as f:
            json.dump(state, f)
        log(f"checkpoint: step {state['step']}, {state['kimg']:.1f} kimg, {state['seconds'] / 3600:.2f} h")

    def ws_with_mixing(z_count):
        z = torch.randn(z_count, gcfg["z_dim"], device=device)
        ws = G.mapping_net(z, 1.0, update_w_avg=True)
        if rng.random() < 0.9:
            cut = int(rng.integers(1, G.num_ws))
            ws2 = G.mapping_net(torch.randn_like(z), 1.0)
            ws = torch.cat([ws[:, :cut], ws2[:, cut:]], dim=1)
        return ws

    t_start = time.time()
    t_last_ckpt = t_start
    t_last_log = t_start
    step_last_log = state["step"]
    t_prev, last_dt = t_start, 0.0
    while not stop["flag"]:
        # Generator: non-saturating logistic loss.
        G.requires_grad_(True)
        D.requires_grad_(False)
        fake = G.synthesis(ws_with_mixing(args.batch))
        loss_G = F.softplus(-D(fake)).mean()
        opt_G.zero_grad(set_to_none=True)
        loss_G.backward()
        for m in quiet:
            m.noise_strength.grad = None  # Adam skips a parameter without a gradient: the strength stays 0
        opt_G.step()
        # Discriminator: logistic loss, lazy R1 on reals.
        G.requires_grad_(False)
        D.requires_grad_(True)
        with torch.no_grad():
            fake = G.synthesis(ws_with_mixing(args.batch))
        real = real_batch(data, args.batch, rng, device)
        loss_D = F.softplus(D(fake)).mean() + F.softplus(-D(real)).mean()
        opt_D.zero_grad(set_to_none=True)
        loss_D.backward()
        opt_D.step()
        if state["step"] % reg_every == 0:
            real = real_batch(data, max(args.batch // 2, 2), rng, device).requires_grad_(True)
            (grad,) = torch.autograd.grad(D(real).sum(), real, create_graph=True)
            r1 = grad.square().sum(dim=[1, 2, 3]).mean()
            opt_D.zero_grad(set_to_none=True)
            (r1 * (gamma / 2) * reg_every).backward()
            opt_D.step()
        # EMA of the generator (parameters and buffers such as w_avg).
        ema_nimg = ema_nimg_max
        if args.ema_rampup > 0:
            ema_nimg = min(ema_nimg, state["kimg"] * 1000.0 * args.ema_rampup)
        ema_beta = 0.5 ** (args.batch / max(ema_nimg, 1e-8))
        with torch.no_grad():
            for pe, p in zip(G_ema.parameters(), G.parameters()):
                pe.copy_(p.lerp(pe, ema_beta))
            for be, b in zip(G_ema.buffers(), G.buffers()):
                be.copy_(b)
        state["step"] += 1
        state["kimg"] += args.batch / 1000.0
        now = time.time()
        # Training time, not wall time: a step that took over PAUSED_STEP_S was paused (SIGSTOP while something
        # was measured) and counts as long as the step before it.
        dt, t_prev = now - t_prev, now
        if dt > PAUSED_STEP_S:
            dt = last_dt
        last_dt = dt
        state["seconds"] += dt
        if now - t_last_log > 60:
            per_step = (now - t_last_log) / max(1, state["step"] - step_last_log)
            log(f"step {state['step']} kimg {state['kimg']:.2f} loss_G {loss_G.item():.3f} "
                f"loss_D {loss_D.item():.3f} {per_step:.2f} s/step")
            t_last_log, step_last_log = now, state["step"]
        if now - t_last_ckpt > args.checkpoint_minutes * 60:
            save()
            t_last_ckpt = now
        if now - t_start > args.minutes * 60 or state["kimg"] >= args.kimg:
            break
    save()
    if args.slim:
        write_slim(args.slim, G, G_ema, D, state)
        log(f"slim checkpoint in {args.slim}: " + ", ".join(
            f"{f} {os.path.getsize(os.path.join(args.slim, f)) / 1e6:.1f} MB" for f in SLIM_FILES))


if __name__ == "__main__":
    main()
