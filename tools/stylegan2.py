"""The project's StyleGAN2 networks: the generator (written to be scripted by TorchScript), the discriminator
that tools/train.py trains and tools/convert.py writes (``Discriminator``), and train.py's architectures per
resolution (``PRESETS``). train.py, export.py, convert.py and release_model.py import them from here.

The generator:

It computes what NVIDIA's stylegan2-ada-pytorch generator computes (skip architecture, config F style):

* Mapping: z is normalised by its second moment, then ``mapping_layers`` fully connected layers with an
  equalised learning rate (weight gain ``lr_mul / sqrt(fan_in)``, bias gain ``lr_mul``, ``lr_mul = 0.01``),
  each followed by leaky ReLU (slope 0.2) times sqrt(2). The result w is broadcast to ``num_ws`` layers and
  truncated towards the tracked average: ``w = w_avg + psi * (w - w_avg)``.
* Synthesis: a learned 4x4 constant, then one block per resolution 4, 8, ..., R. Each block runs
  modulated 3x3 convolutions (style ``s = A(w)``, weight ``W * s`` demodulated by
  ``1 / sqrt(sum((W * s)^2) + 1e-8)``), adds constant noise times a learned strength, adds the bias and applies
  leaky ReLU times sqrt(2), clamped to +-``conv_clamp``. Up-sampling blocks use a stride-2 transposed
  convolution followed by the [1,3,3,1] FIR filter (gain 4), as NVIDIA's ``conv2d_resample`` does.
* Skip toRGB: every block has a modulated 1x1 toRGB (no demodulation, weight gain ``1/sqrt(fan_in)``); the
  running image is up-sampled with the same FIR filter and the block's toRGB output is added.

Conditional models (``c_dim > 0``, converted from NVIDIA pickles) add a label embedding to the mapping; see
``Mapping``.

The module exports ``mapping(z, psi)``, ``mapping_c(z, c, psi)`` (with a label), ``head(ws)`` (blocks up to
and including the feature block: returns the feature block's output and the running RGB image),
``tail(feat, img, ws)`` (the remaining blocks) and
``synthesis(ws)`` (= tail(head(ws))). ``w_avg()`` returns the tracked average w.

The discriminator (``Discriminator``) is NVIDIA's ResNet discriminator with minibatch standard deviation, and
optionally extra minibatch-stddev inputs of the pooled image (see its docstring). It is not scripted.
"""
import math
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F


# ONE_CHANNEL: a grayscale generator computes its image as two channels and keeps the first, in toRGB (a second,
# empty output channel) and in the up-sampling of the running image (two copies, a grouped transposed
# convolution). With one channel these are the only convolutions with one input or one output channel, and
# libtorch 2.7.1 hands them to oneDNN (a transposed convolution ic1/oc1 always; a 1x1 convolution oc1 from 2
# threads on, at 1 thread its own kernel); 2 and 3 channels take the grouped and many-channel paths instead. On
# AVX-512 CPUs one-channel images depended on the thread count (up to 4 levels of 255 on nuclei-128, up to 255 on
# a converted grayscale model) where two- and three-channel ones did not. The function is the same (the second
# channel is dropped); model.json records it as architecture.one_channel = "as-two" (docs/reproducibility.md).
ONE_CHANNEL = "as-two"


def default_channels(resolution: int, channel_base: int, channel_max: int) -> Dict[int, int]:
    """NVIDIA's rule: ``min(channel_base // res, channel_max)`` channels at each resolution."""
    out = {}
    res = 4
    while res <= resolution:
        out[res] = min(channel_base // res, channel_max)
        res *= 2
    return out


def channel_rule(channels: Dict[int, int]) -> Optional[Tuple[int, int]]:
    """(channel_base, channel_max) for which ``default_channels`` gives exactly these channels per resolution,
    or None when NVIDIA's rule does not describe them. Of several fitting values, the smallest channel_base
    (with channel_max = the widest block)."""
    ch = {int(k): int(v) for k, v in channels.items()}
    if not ch or min(ch.values()) < 1:
        return None
    cmax = max(ch.values())
    lo, hi = 1, None  # channel_base in [lo, hi]
    for r, c in ch.items():
        if c == cmax:
            lo = max(lo, cmax * r)  # base // r >= cmax
        else:
            lo, hi = max(lo, c * r), (c + 1) * r - 1 if hi is None else min(hi, (c + 1) * r - 1)
    if hi is not None and lo > hi:
        return None
    base = lo
    if default_channels(max(ch), base, cmax) != ch:
        return None
    return base, cmax


def fir_filter() -> torch.Tensor:
    """The normalised 4x4 [1,3,3,1] x [1,3,3,1] resampling filter (sums to 1)."""
    f = torch.tensor([1.0, 3.0, 3.0, 1.0])
    f = torch.outer(f, f)
    return f / f.sum()


def bias_act(x: torch.Tensor, b: torch.Tensor, lrelu: bool, gain: float, clamp: float) -> torch.Tensor:
    """Bias, optional leaky ReLU (0.2), gain, optional clamp (clamp <= 0 means none)."""
    x = x + b.reshape(1, -1, 1, 1)
    if lrelu:
        x = F.leaky_relu(x, 0.2)
    if gain != 1.0:
        x = x * gain
    if clamp > 0:
        x = x.clamp(-clamp, clamp)
    return x


class FullyConnected(nn.Module):
    """Equalised-learning-rate linear layer (optionally leaky ReLU * sqrt(2))."""

    def __init__(self, in_features: int, out_features: int, lrelu: bool, lr_mul: float = 1.0,
                 bias_init: float = 0.0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_mul)
        self.bias = nn.Parameter(torch.full([out_features], float(bias_init)))
        self.weight_gain = lr_mul / math.sqrt(in_features)
        self.bias_gain = lr_mul
        self.lrelu = lrelu

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.weight * self.weight_gain
        b = self.bias * self.bias_gain
        x = torch.addmm(b.unsqueeze(0), x, w.t())
        if self.lrelu:
            x = F.leaky_relu(x, 0.2) * 1.4142135623730951
        return x


class Mapping(nn.Module):
    """z (and, for conditional models, a label c) -> w, broadcast to num_ws layers and truncated.

    Conditional models (``c_dim > 0``) follow NVIDIA: ``y = embed(c)`` (an equalised-lr linear layer with
    lr_mul 1) normalised by its second moment is concatenated to the normalised z before the first layer.
    Without a label, class 0 (one-hot) is used.
    """

    def __init__(self, z_dim: int, w_dim: int, num_ws: int, layers: int, lr_mul: float = 0.01,
                 w_avg_beta: float = 0.995, c_dim: int = 0, embed_features: int = 0, layer_features: int = 0):
        super().__init__()
        embed_features = (embed_features or w_dim) if c_dim > 0 else 0
        layer_features = layer_features or w_dim
        dims = [z_dim + embed_features] + [layer_features] * (layers - 1) + [w_dim]
        self.fcs = nn.ModuleList([FullyConnected(dims[i], dims[i + 1], True, lr_mul) for i in range(layers)])
        # Empty for unconditional models, so that their state dicts keep the keys they always had.
        self.embed = nn.ModuleList([FullyConnected(c_dim, embed_features, False)] if c_dim > 0 else [])
        self.c_dim = c_dim
        self.num_ws = num_ws
        self.w_avg_beta = w_avg_beta
        self.register_buffer("w_avg", torch.zeros([w_dim]))

    def forward(self, z: torch.Tensor, psi: float, update_w_avg: bool = False,
                c: Optional[torch.Tensor] = None) -> torch.Tensor:
        x = z * (z.square().mean(dim=1, keepdim=True) + 1e-8).rsqrt()
        if self.c_dim > 0:
            if c is None:
                label = torch.zeros(z.shape[0], self.c_dim, dtype=z.dtype, device=z.device)
                label[:, 0] = 1.0
            else:
                label = c.to(z.dtype)
            for emb in self.embed:
                y = emb(label)
                y = y * (y.square().mean(dim=1, keepdim=True) + 1e-8).rsqrt()
                x = torch.cat([x, y], dim=1)
        for fc in self.fcs:
            x = fc(x)
        if update_w_avg:
            self.w_avg.copy_(x.detach().mean(dim=0).lerp(self.w_avg, self.w_avg_beta))
        x = x.unsqueeze(1).repeat(1, self.num_ws, 1)
        if psi != 1.0:
            x = self.w_avg.lerp(x, psi)
        return x


class SynthesisLayer(nn.Module):
    """Modulated 3x3 convolution (optionally up-sampling by 2), noise, bias, leaky ReLU, clamp."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, resolution: int, up: bool,
                 conv_clamp: float, noise_seed: int):
        super().__init__()
        self.affine = FullyConnected(w_dim, in_channels, False, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, 3, 3))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.noise_strength = nn.Parameter(torch.zeros([]))
        gen = torch.Generator().manual_seed(noise_seed)
        self.register_buffer("noise_const", torch.randn(resolution, resolution, generator=gen))
        self.register_buffer("resample_filter", fir_filter().reshape(1, 1, 4, 4) * 4.0)
        self.up = up
        self.conv_clamp = conv_clamp
        self.random_noise = False  # training draws fresh noise; exported generators use noise_const

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        styles = self.affine(w)  # [N, I]
        n, c = x.shape[0], x.shape[1]
        wt = self.weight.unsqueeze(0) * styles.reshape(n, 1, -1, 1, 1)  # [N, O, I, 3, 3]
        dcoefs = (wt.square().sum(dim=[2, 3, 4]) + 1e-8).rsqrt()  # [N, O]
        x = x * styles.reshape(n, -1, 1, 1)
        if self.up:
            x = F.conv_transpose2d(x, self.weight.transpose(0, 1), stride=2)  # [N, O, 2H+1, 2W+1]
            o = x.shape[1]
            x = F.pad(x, [1, 1, 1, 1])
            f = self.resample_filter.expand(o, 1, 4, 4)
            x = F.conv2d(x, f, groups=o)  # [N, O, 2H, 2W]
        else:
            x = F.conv2d(x, self.weight, padding=1)
        x = x * dcoefs.reshape(n, -1, 1, 1)
        if self.random_noise:
            noise = torch.randn(n, 1, x.shape[2], x.shape[3], dtype=x.dtype, device=x.device)
            x = x + noise * self.noise_strength
        else:
            x = x + self.noise_const * self.noise_strength
        return bias_act(x, self.bias, True, 1.4142135623730951, self.conv_clamp)


class ToRGB(nn.Module):
    def __init__(self, in_channels: int, img_channels: int, w_dim: int, conv_clamp: float):
        super().__init__()
        self.affine = FullyConnected(w_dim, in_channels, False, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(img_channels, in_channels, 1, 1))
        self.bias = nn.Parameter(torch.zeros(img_channels))
        self.weight_gain = 1.0 / math.sqrt(in_channels)
        self.conv_clamp = conv_clamp
        self.one_channel_as_two = True  # ONE_CHANNEL; False only to write a fixture as earlier exports were

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        styles = self.affine(w) * self.weight_gain
        x = x * styles.reshape(x.shape[0], -1, 1, 1)
        if self.weight.shape[0] == 1 and self.one_channel_as_two:
            # One image channel: computed as two (the second empty) and the first kept, so that no convolution
            # with one output channel runs (see ONE_CHANNEL below).
            x = F.conv2d(x, torch.cat([self.weight, torch.zeros_like(self.weight)], 0))[:, :1]
        else:
            x = F.conv2d(x, self.weight)
        return bias_act(x, self.bias, False, 1.0, self.conv_clamp)


class ConstBlock(nn.Module):
    """The 4x4 block: learned constant, one conv, toRGB. Uses 2 ws (conv1, torgb)."""

    def __init__(self, out_channels: int, img_channels: int, w_dim: int, conv_clamp: float, noise_seed: int):
        super().__init__()
        self.const = nn.Parameter(torch.randn(out_channels, 4, 4))
        self.conv1 = SynthesisLayer(out_channels, out_channels, w_dim, 4, False, conv_clamp, noise_seed)
        self.torgb = ToRGB(out_channels, img_channels, w_dim, conv_clamp)

    def forward(self, x: torch.Tensor, img: torch.Tensor, ws: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        x = self.const.unsqueeze(0).repeat(ws.shape[0], 1, 1, 1)
        x = self.conv1(x, ws[:, 0])
        img = self.torgb(x, ws[:, 1])
        return x, img


class UpBlock(nn.Module):
    """A doubling block: up-sampling conv0, conv1, toRGB added to the up-sampled image. Uses 3 ws."""

    def __init__(self, in_channels: int, out_channels: int, img_channels: int, w_dim: int, resolution: int,
                 conv_clamp: float, noise_seed: int):
        super().__init__()
        self.conv0 = SynthesisLayer(in_channels, out_channels, w_dim, resolution, True, conv_clamp, noise_seed)
        self.conv1 = SynthesisLayer(out_channels, out_channels, w_dim, resolution, False, conv_clamp,
                                    noise_seed + 1)
        self.torgb = ToRGB(out_channels, img_channels, w_dim, conv_clamp)
        self.register_buffer("resample_filter", fir_filter().reshape(1, 1, 4, 4) * 4.0)
        self.one_channel_as_two = True  # ONE_CHANNEL

    def upsample_image(self, img: torch.Tensor) -> torch.Tensor:
        c = img.shape[1]
        if c == 1 and self.one_channel_as_two:
            # One image channel: up-sampled as two copies and the first kept (see ONE_CHANNEL below).
            two = F.conv_transpose2d(torch.cat([img, img], 1), self.resample_filter.expand(2, 1, 4, 4), stride=2,
                                     padding=1, groups=2)
            return two[:, :1]
        return F.conv_transpose2d(img, self.resample_filter.expand(c, 1, 4, 4), stride=2, padding=1, groups=c)

    def forward(self, x: torch.Tensor, img: torch.Tensor, ws: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        x = self.conv0(x, ws[:, 0])
        x = self.conv1(x, ws[:, 1])
        img = self.upsample_image(img) + self.torgb(x, ws[:, 2])
        return x, img


class Generator(nn.Module):
    """Mapping + synthesis with a head/tail split at ``feature_block`` (0 = the 4x4 block)."""

    def __init__(self, z_dim: int = 512, w_dim: int = 512, resolution: int = 256, img_channels: int = 1,
                 channel_base: int = 16384, channel_max: int = 512, mapping_layers: int = 8,
                 conv_clamp: float = 256.0, feature_block: int = 5, channels: Optional[Dict[int, int]] = None,
                 noise_seed: int = 0, c_dim: int = 0, embed_features: int = 0, layer_features: int = 0,
                 mapping_lr_mul: float = 0.01):
        super().__init__()
        log2 = int(math.log2(resolution))
        assert 2 ** log2 == resolution and resolution >= 8, "resolution must be a power of two >= 8"
        ch = channels if channels is not None else default_channels(resolution, channel_base, channel_max)
        resolutions = [2 ** i for i in range(2, log2 + 1)]
        assert all(ch.get(r, 0) >= 1 for r in resolutions), "every resolution needs at least one channel"
        assert 0 <= feature_block < len(resolutions), "feature_block out of range"
        blocks: List[nn.Module] = [ConstBlock(ch[4], img_channels, w_dim, conv_clamp, noise_seed)]
        starts = [0]
        for i, res in enumerate(resolutions[1:]):
            blocks.append(UpBlock(ch[res // 2], ch[res], img_channels, w_dim, res, conv_clamp,
                                  noise_seed + 2 * i + 1))
            starts.append(1 + 2 * i)
        self.blocks = nn.ModuleList(blocks)
        self.ws_starts: List[int] = starts
        self.num_ws = 2 + 2 * (len(resolutions) - 1)
        self.mapping_net = Mapping(z_dim, w_dim, self.num_ws, mapping_layers, lr_mul=mapping_lr_mul, c_dim=c_dim,
                                   embed_features=embed_features, layer_features=layer_features)
        self.c_dim = c_dim
        self.feature_block = feature_block
        self.z_dim, self.w_dim = z_dim, w_dim
        self.resolution, self.img_channels = resolution, img_channels
        self.feature_resolution = resolutions[feature_block]
        self.feature_channels = ch[resolutions[feature_block]]
        self.config = dict(z_dim=z_dim, w_dim=w_dim, resolution=resolution, img_channels=img_channels,
                           channel_base=channel_base, channel_max=channel_max, mapping_layers=mapping_layers,
                           conv_clamp=conv_clamp, feature_block=feature_block,
                           channels={str(k): int(v) for k, v in ch.items()}, noise_seed=noise_seed)
        # Conditional / converted models only (kept out of the config otherwise, so it reads as before).
        for key, value, default in [("c_dim", c_dim, 0), ("embed_features", embed_features, 0),
                                    ("layer_features", layer_features, 0), ("mapping_lr_mul", mapping_lr_mul, 0.01)]:
            if value != default:
                self.config[key] = value

    def forward(self, ws: torch.Tensor) -> torch.Tensor:
        return self.synthesis(ws)

    @torch.jit.ignore
    def set_one_channel_as_two(self, on: bool):
        """ONE_CHANNEL on (the default) or off (only to write a test fixture the way earlier exports were)."""
        for m in self.modules():
            if isinstance(m, (ToRGB, UpBlock)):
                m.one_channel_as_two = on

    @torch.jit.ignore
    def set_random_noise(self, on: bool):
        """Fresh noise per call (training) or the constant noise buffers (export, drag)."""
        for m in self.modules():
            if isinstance(m, SynthesisLayer):
                m.random_noise = on

    @torch.jit.export
    def mapping(self, z: torch.Tensor, psi: torch.Tensor) -> torch.Tensor:
        """z [N, z_dim], psi a scalar tensor -> ws [N, num_ws, w_dim]."""
        return self.mapping_net(z, float(psi.item()))

    @torch.jit.export
    def mapping_c(self, z: torch.Tensor, c: torch.Tensor, psi: torch.Tensor) -> torch.Tensor:
        """z [N, z_dim], label c [N, c_dim] (one-hot class; ignored when c_dim = 0), psi -> ws.
        ``mapping(z, psi)`` of a conditional model is ``mapping_c`` with class 0."""
        return self.mapping_net(z, float(psi.item()), False, c)

    @torch.jit.export
    def w_avg(self) -> torch.Tensor:
        return self.mapping_net.w_avg

    @torch.jit.export
    def head(self, ws: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Blocks 0..feature_block: (features [N, C, r, r], running image [N, img_channels, r, r])."""
        x = torch.zeros(0)
        img = torch.zeros(0)
        for i, block in enumerate(self.blocks):
            if i <= self.feature_block:
                s = self.ws_starts[i]
                x, img = block(x, img, ws[:, s:s + 3])
        return x, img

    @torch.jit.export
    def tail(self, feat: torch.Tensor, img: torch.Tensor, ws: torch.Tensor) -> torch.Tensor:
        """Blocks feature_block+1..end from the head's output -> image [N, img_channels, R, R]."""
        x = feat
        for i, block in enumerate(self.blocks):
            if i > self.feature_block:
                s = self.ws_starts[i]
                x, img = block(x, img, ws[:, s:s + 3])
        return img

    @torch.jit.export
    def synthesis(self, ws: torch.Tensor) -> torch.Tensor:
        feat, img = self.head(ws)
        return self.tail(feat, img, ws)

    @torch.jit.export
    def synthesis_features(self, ws: torch.Tensor) -> List[torch.Tensor]:
        """Every block's output followed by the image (for inspection and tests)."""
        x = torch.zeros(0)
        img = torch.zeros(0)
        out: List[torch.Tensor] = []
        for i, block in enumerate(self.blocks):
            s = self.ws_starts[i]
            x, img = block(x, img, ws[:, s:s + 3])
            out.append(x)
        out.append(img)
        return out


def build(config: dict) -> Generator:
    """The generator a model.json architecture describes. Its one_channel entry (ONE_CHANNEL) names how a one-channel
    image is computed; both formulations compute the same function, so a bundle without it (an earlier export) is
    rebuilt in today's formulation."""
    cfg = dict(config)
    one_channel = cfg.pop("one_channel", ONE_CHANNEL)
    if one_channel != ONE_CHANNEL:
        raise ValueError(f"unknown architecture.one_channel {one_channel!r} (this version knows {ONE_CHANNEL!r})")
    if "channels" in cfg and cfg["channels"] is not None:
        cfg["channels"] = {int(k): int(v) for k, v in cfg["channels"].items()}
    return Generator(**cfg)


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
        self.register_buffer("f", fir_filter().reshape(1, 1, 4, 4))

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


def log_levels(v):
    """8-bit values v (0..255) as quality.py's classifier reads them, log(1 + v) / log(256), mapped to [-1, 1]."""
    return torch.log1p(v).mul(2.0 / math.log(256.0)).sub(1.0)


def gaussian_blur(x, sigma):
    """x [N, C, H, W] blurred in each channel with a Gaussian of sigma px (separable, truncated at 3 sigma,
    reflected at the border)."""
    r = max(1, int(math.ceil(3 * sigma)))
    k = torch.exp(-0.5 * (torch.arange(-r, r + 1, dtype=x.dtype, device=x.device) / sigma) ** 2)
    k = k / k.sum()
    c = x.shape[1]
    x = F.pad(x, (r, r, r, r), mode="reflect")
    x = F.conv2d(x, k.reshape(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c)
    return F.conv2d(x, k.reshape(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c)


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


# The format tag of discriminator.pt in a bundle (docs/model-format.md, "--discriminator: discriminator.pt"),
# written by convert.py and release_model.py (through train.write_discriminator), read by train.read_bundle.
DISCRIMINATOR_FORMAT = "draggan-fiji-discriminator"


class Discriminator(nn.Module):
    """NVIDIA's ResNet discriminator. `mbstd_res`: resolutions r at which the block reading r x r features also
    gets the minibatch standard deviation of the *image* average-pooled to r x r, as one more input channel.
    NVIDIA's single minibatch-stddev layer (on the 4x4 features) did not stop the generator from drawing one layout
    of nuclei for every z, and neither did one on the 32 x 32 features: measured on nuclei-128, fakes and reals had
    the same feature spread there (the generator's per-pixel noise varies as much as real layouts do), and D
    scored 16 copies of one real image like 16 different ones. The pooled image's spread is layout only
    (std across images, pooled to 32 px: 0.20 for real images, 0.03 for that generator's); see image_spread."""

    VIEWS = ("linear", "log", "both", "smooth-log")

    def __init__(self, resolution, img_channels, channels, mbstd_group=4, mbstd_res=(), input_view="linear"):
        super().__init__()
        if input_view not in self.VIEWS:
            raise ValueError(f"input_view {input_view!r}: one of {self.VIEWS}")
        self.input_view = input_view
        ch = {int(k): int(v) for k, v in channels.items()}
        res_list = [2 ** i for i in range(int(math.log2(resolution)), 2, -1)]
        mbstd_res = sorted({int(r) for r in mbstd_res}, reverse=True)
        self.res_list = res_list
        view_channels = img_channels * (1 if input_view in ("linear", "log") else 2)
        self.blocks = nn.ModuleList([DBlock(ch[r], ch[r // 2], view_channels, i == 0, r in mbstd_res)
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
                           mbstd_group=mbstd_group, mbstd_res=mbstd_res, input_view=input_view)

    def image_spread(self, img, r):
        """group_std of the images average-pooled to r x r, divided by the std of all those pooled values: about
        0.9 for real images, near 0 when a group shares one layout: [n, 1, 1, 1]. Unscaled (0.13 real, 0.07 for
        a half-collapsed generator) the channel was too small beside D's features to matter: 15 kimg in, its
        weights had not moved from their initial values and D scored 16 copies of one real image like reals."""
        p = F.avg_pool2d(img, img.shape[-1] // r) if img.shape[-1] > r else img
        return group_std(p, self.mbstd_group) / (p.std() + 1e-8)

    def features(self, img):
        """Every block's output for an image in D's view (see view)."""
        x, out = None, []
        for r, b in zip(self.res_list, self.blocks):
            x = b(x, img, self.image_spread(img, r) if r in self.mbstd_res else None)
            out.append(x)
        return out

    def view(self, img):
        """The image as D reads it. "linear": as it is ([-1, 1]). "log": as quality.py's classifier two-sample test
        reads images, log(1 + v) / log(256) of the 8-bit value v, mapped to [-1, 1], after rounding to the 8-bit
        levels the gate (and every saved image) rounds to, with a straight-through gradient (the round passes the
        gradient unchanged). The log view magnifies the dark half: the background, its camera noise and the gaps
        between nuclei that a bridge fills, where the linear view is nearly flat; the rounding keeps D from telling
        the training images' 8-bit levels from the generator's continuous values instead (though not from the
        simulator's uneven use of the levels, a comb the generator cannot draw: tools/README.md, the classifier's
        blurred diagnostic). But it compresses the bright half, where the texture inside nuclei is (the texture
        drifted in a run with it, tools/README.md): "both" gives D the linear and the log view side by side (twice
        the image channels). "smooth-log": the linear image as it is beside the log of the image blurred with a
        Gaussian of sigma 1 px at 128 px (no rounding): the dark gaps between nuclei magnified, without the
        per-pixel noise and the comb of levels."""
        if self.input_view == "linear":
            return img
        v = img.clamp(-1, 1).add(1).mul(127.5)  # the 8-bit scale
        if self.input_view == "smooth-log":
            return torch.cat([img, log_levels(gaussian_blur(v, self.config["resolution"] / 128.0))], dim=1)
        v = v + (v.round() - v).detach()
        return log_levels(v) if self.input_view == "log" else torch.cat([v / 127.5 - 1.0, log_levels(v)], dim=1)

    def forward(self, img):
        return self.judge(self.view(img))

    def judge(self, img):
        """D's score of an image already in its view (see view; R1 is taken in that space)."""
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
