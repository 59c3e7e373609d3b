"""Tests of tools/convert.py (run: /usr/bin/python3 -m unittest discover -s tools -p 'test_*.py').

The test builds its own files in the structure NVIDIA's and rosinality's code write, with random weights:
NVIDIA network pickles through stand-in classes whose pickling emits what torch_utils.persistence emits
(a call of torch_utils.persistence._reconstruct_persistent_obj(meta) per module, meta holding the class name,
a module source and the module's __dict__ as state), with stylegan2-ada-pytorch's parameter names, shapes,
gains and init kwargs; rosinality checkpoints with torch.save. Converted bundles (the TorchScript file as
written) are compared with straightforward re-implementations of each code base's equations written here:
per-sample weight modulation, zero-insertion up-sampling, explicit padding and FIR filtering.
Malicious files must be refused before anything in them runs.
"""
import argparse
import collections
import contextlib
import io
import json
import math
import os
import pickle
import subprocess
import sys
import tempfile
import types
import unittest

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import convert  # noqa: E402

torch.set_num_threads(1)
SQRT2 = math.sqrt(2.0)
FAKE_SRC = ("# stand-in for training/networks.py (never executed by the converter)\n"
            "import numpy as np\nimport torch\nfrom torch_utils import misc, persistence\n"
            "from torch_utils.ops import conv2d_resample, upfirdn2d, bias_act, fma\n\n"
            "@persistence.persistent_class\nclass Generator(torch.nn.Module):\n    pass\n")


# ------------------------------------------------------------------ NVIDIA pickles, as persistence writes them

def _reconstruct_persistent_obj(meta):  # never called: only its name is pickled
    raise AssertionError("stand-in called")


_reconstruct_persistent_obj.__module__ = "torch_utils.persistence"


class EasyDict(dict):
    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name)


EasyDict.__module__ = "dnnlib.util"


@contextlib.contextmanager
def nvidia_module_names():
    """Registers torch_utils.persistence and dnnlib.util in sys.modules while pickles are *written*."""
    tu, tup = types.ModuleType("torch_utils"), types.ModuleType("torch_utils.persistence")
    tup._reconstruct_persistent_obj = _reconstruct_persistent_obj
    tu.persistence = tup
    dn, dnu = types.ModuleType("dnnlib"), types.ModuleType("dnnlib.util")
    dnu.EasyDict = EasyDict
    dn.util, dn.EasyDict = dnu, EasyDict
    added = {"torch_utils": tu, "torch_utils.persistence": tup, "dnnlib": dn, "dnnlib.util": dnu}
    assert not any(k in sys.modules for k in added)
    sys.modules.update(added)
    try:
        yield
    finally:
        for k in added:
            del sys.modules[k]


class Persistent(torch.nn.Module):
    """A module pickled the way torch_utils.persistence's decorator pickles one."""
    class_name = "?"
    module_src = FAKE_SRC

    def __reduce__(self):
        fields = list(super().__reduce__())
        fields += [None] * max(3 - len(fields), 0)
        meta = dict(type="class", version=6, module_src=self.module_src, class_name=self.class_name,
                    state=fields[2])
        fields[0], fields[1], fields[2] = _reconstruct_persistent_obj, (meta,), None
        return tuple(fields)


_CLASSES = {}


def nv(class_name, params=None, buffers=None, modules=None, init_kwargs=None, src=FAKE_SRC, **attrs):
    key = (class_name, src)
    if key not in _CLASSES:
        _CLASSES[key] = type(class_name, (Persistent,), {"class_name": class_name, "module_src": src})
    m = _CLASSES[key]()
    for k, v in (params or {}).items():
        if v is None:
            setattr(m, k, None)
        else:
            m.register_parameter(k, torch.nn.Parameter(v, requires_grad=False))
    for k, v in (buffers or {}).items():
        m.register_buffer(k, v)
    for k, v in (modules or {}).items():
        m.add_module(k, v)
    for k, v in attrs.items():
        setattr(m, k, v)
    m._init_args = ()
    m._init_kwargs = dict(init_kwargs or {})
    return m


def fir_nvidia():
    f = torch.tensor([1.0, 3.0, 3.0, 1.0])
    f = torch.outer(f, f)
    return f / f.sum()


class Rand:
    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def __call__(self, *shape, scale=1.0, offset=0.0):
        return torch.randn(list(shape), generator=self.g) * scale + offset


def nv_fc(rnd, fin, fout, lr=1.0, bias_init=0.0, activation="linear"):
    # NVIDIA stores weight = randn / lr and applies weight_gain = lr / sqrt(in), bias_gain = lr at run time
    return nv("FullyConnectedLayer", params={"weight": rnd(fout, fin) / lr,
                                             "bias": rnd(fout, scale=0.1 / lr, offset=bias_init / lr)},
              activation=activation, weight_gain=np.float64(lr / np.sqrt(fin)), bias_gain=lr,
              init_kwargs=dict(in_features=fin, out_features=fout, activation=activation, lr_multiplier=lr,
                               bias_init=bias_init))


def nv_generator(seed, *, res, img_ch, channels, z_dim, w_dim, c_dim=0, layers=3, layer_features=None,
                 conv_clamp=256.0, num_fp16_res=0, lr=0.01):
    rnd = Rand(seed)
    block_res = [2 ** i for i in range(2, int(math.log2(res)) + 1)]
    num_ws = 2 * len(block_res)
    embed_features = w_dim if c_dim else 0
    lf = layer_features or w_dim
    feats = [z_dim + embed_features] + [lf] * (layers - 1) + [w_dim]
    mods = collections.OrderedDict()
    if c_dim:
        mods["embed"] = nv_fc(rnd, c_dim, embed_features)
    for i in range(layers):
        mods[f"fc{i}"] = nv_fc(rnd, feats[i], feats[i + 1], lr=lr, activation="lrelu")
    mapping = nv("MappingNetwork", buffers={"w_avg": rnd(w_dim, scale=0.3)}, modules=mods,
                 z_dim=z_dim, c_dim=c_dim, w_dim=w_dim, num_ws=num_ws, num_layers=layers, w_avg_beta=0.995,
                 init_kwargs=dict(z_dim=z_dim, c_dim=c_dim, w_dim=w_dim, num_ws=num_ws, num_layers=layers))

    def layer(cin, cout, r, up):
        return nv("SynthesisLayer",
                  params={"weight": rnd(cout, cin, 3, 3), "noise_strength": rnd(scale=0.2).reshape([]),
                          "bias": rnd(cout, scale=0.2)},
                  buffers={"resample_filter": fir_nvidia(), "noise_const": rnd(r, r)},
                  modules={"affine": nv_fc(rnd, w_dim, cin, bias_init=1.0)},
                  in_channels=cin, out_channels=cout, w_dim=w_dim, resolution=r, up=up, use_noise=True,
                  activation="lrelu", conv_clamp=conv_clamp, padding=1, act_gain=np.float64(np.sqrt(2)))

    def torgb(cin):
        return nv("ToRGBLayer", params={"weight": rnd(img_ch, cin, 1, 1), "bias": rnd(img_ch, scale=0.2)},
                  modules={"affine": nv_fc(rnd, w_dim, cin, bias_init=1.0)}, conv_clamp=conv_clamp,
                  weight_gain=np.float64(1 / np.sqrt(cin)))

    fp16_res = max(2 ** (int(math.log2(res)) + 1 - num_fp16_res), 8)
    blocks = collections.OrderedDict()
    for r in block_res:
        cin = 0 if r == 4 else channels[r // 2]
        cout = channels[r]
        m = collections.OrderedDict()
        params = {}
        if r == 4:
            params["const"] = rnd(cout, 4, 4)
        else:
            m["conv0"] = layer(cin, cout, r, 2)
        m["conv1"] = layer(cout, cout, r, 1)
        m["torgb"] = torgb(cout)
        blocks[f"b{r}"] = nv("SynthesisBlock", params=params, buffers={"resample_filter": fir_nvidia()}, modules=m,
                             in_channels=cin, w_dim=w_dim, resolution=r, img_channels=img_ch, is_last=r == res,
                             architecture="skip", use_fp16=r >= fp16_res, channels_last=False,
                             num_conv=1 if r == 4 else 2, num_torgb=1)
    syn_kw = EasyDict(channel_base=32768, channel_max=512, num_fp16_res=num_fp16_res, conv_clamp=conv_clamp,
                      architecture="skip")
    synthesis = nv("SynthesisNetwork", modules=blocks, w_dim=w_dim, img_resolution=res,
                   img_resolution_log2=int(math.log2(res)), img_channels=img_ch, block_resolutions=block_res,
                   num_ws=num_ws, init_kwargs=dict(syn_kw, w_dim=w_dim, img_resolution=res, img_channels=img_ch))
    map_kw = EasyDict(num_layers=layers)
    if layer_features:
        map_kw["layer_features"] = layer_features
    G = nv("Generator", modules={"synthesis": synthesis, "mapping": mapping},
           z_dim=z_dim, c_dim=c_dim, w_dim=w_dim, img_resolution=res, img_channels=img_ch, num_ws=num_ws,
           init_kwargs=dict(z_dim=z_dim, c_dim=c_dim, w_dim=w_dim, img_resolution=res, img_channels=img_ch,
                            mapping_kwargs=map_kw, synthesis_kwargs=syn_kw))
    return G


def nv_discriminator(seed, *, res, img_ch, channels, c_dim=0, conv_clamp=256.0):
    rnd = Rand(seed)

    def conv(cin, cout, k, bias=True, act="lrelu", down=1):
        return nv("Conv2dLayer",
                  params={"weight": rnd(cout, cin, k, k), "bias": rnd(cout, scale=0.2) if bias else None},
                  buffers={"resample_filter": fir_nvidia()}, activation=act, up=1, down=down, conv_clamp=conv_clamp,
                  padding=k // 2, weight_gain=np.float64(1 / np.sqrt(cin * k * k)),
                  act_gain=np.float64(np.sqrt(2) if act == "lrelu" else 1.0))

    blocks = collections.OrderedDict()
    rs = [2 ** i for i in range(int(math.log2(res)), 2, -1)]
    for i, r in enumerate(rs):
        tmp, out = channels[r], channels[r // 2]
        m = collections.OrderedDict()
        if i == 0:
            m["fromrgb"] = conv(img_ch, tmp, 1)
        m["conv0"] = conv(tmp, tmp, 3)
        m["conv1"] = conv(tmp, out, 3, down=2)
        m["skip"] = conv(tmp, out, 1, bias=False, act="linear", down=2)
        blocks[f"b{r}"] = nv("DiscriminatorBlock", buffers={"resample_filter": fir_nvidia()}, modules=m,
                             in_channels=0 if i == 0 else tmp, resolution=r, img_channels=img_ch,
                             architecture="resnet", use_fp16=False, channels_last=False)
    c4 = channels[4]
    blocks["b4"] = nv("DiscriminatorEpilogue", modules={
        "mbstd": nv("MinibatchStdLayer", group_size=4, num_channels=1),
        "conv": conv(c4 + 1, c4, 3),
        "fc": nv_fc(rnd, c4 * 16, c4, activation="lrelu"),
        "out": nv_fc(rnd, c4, 1)}, in_channels=c4, cmap_dim=0, resolution=4, img_channels=img_ch,
        architecture="resnet")
    if c_dim:
        blocks["mapping"] = nv("MappingNetwork", modules={"embed": nv_fc(rnd, c_dim, 8),
                                                          "fc0": nv_fc(rnd, 8, 8, lr=0.01, activation="lrelu")})
    return nv("Discriminator", modules=blocks, c_dim=c_dim, img_resolution=res, img_channels=img_ch,
              init_kwargs=dict(c_dim=c_dim, img_resolution=res, img_channels=img_ch,
                               architecture="resnet", channel_base=32768, channel_max=512, conv_clamp=conv_clamp))


def write_nvidia_pickle(path, G, D=None, extra=None):
    data = dict(G=G, D=D, G_ema=G, augment_pipe=None,
                training_set_kwargs=EasyDict(class_name="training.dataset.ImageFolderDataset",
                                             path="~/datasets/cells.zip", use_labels=True, max_size=1000,
                                             xflip=False, resolution=64))
    data.update(extra or {})
    with nvidia_module_names(), open(path, "wb") as f:
        pickle.dump(data, f)


def state_of(module, prefix=""):
    """Flat name -> tensor of a stand-in network (the raw state the reference works on)."""
    out = {}
    for k, v in module._parameters.items():
        if v is not None:
            out[prefix + k] = v.detach()
    for k, v in module._buffers.items():
        out[prefix + k] = v
    for k, m in module._modules.items():
        out.update(state_of(m, prefix + k + "."))
    return out


# ---------------------------------------------------------------------- reference equations (written here)

def lrelu(x):
    return torch.where(x >= 0, x, 0.2 * x)


def upfirdn2d(x, k, up=1, down=1, pad=(0, 0)):
    """Zero insertion by `up`, padding (pad0 before, pad1 after), convolution with k, keep every `down`."""
    n, c, h, w = x.shape
    if up > 1:
        z = torch.zeros(n, c, h * up, w * up, dtype=x.dtype)
        z[:, :, ::up, ::up] = x
        x = z
    x = F.pad(x, [pad[0], pad[1], pad[0], pad[1]])
    kk = k.flip([0, 1]).reshape(1, 1, *k.shape).repeat(c, 1, 1, 1)
    x = F.conv2d(x, kk, groups=c)
    return x[:, :, ::down, ::down]


def norm2(x):
    return x / torch.sqrt((x * x).mean(dim=1, keepdim=True) + 1e-8)


def fc_eq(x, w, b, lr=1.0, act=False):
    y = x @ (w * (lr / math.sqrt(w.shape[1]))).t() + b * lr
    return lrelu(y) * SQRT2 if act else y


def ref_nvidia_generator(sd, z, c, psi, *, layers, lr, clamp):
    """NVIDIA's generator (stylegan2-ada-pytorch, skip, noise_mode='const'), one sample at a time."""
    x = norm2(z)
    if "mapping.embed.weight" in sd:
        y = norm2(fc_eq(c, sd["mapping.embed.weight"], sd["mapping.embed.bias"]))
        x = torch.cat([x, y], dim=1)
    for i in range(layers):
        x = fc_eq(x, sd[f"mapping.fc{i}.weight"], sd[f"mapping.fc{i}.bias"], lr, act=True)
    w_avg = sd["mapping.w_avg"]
    res = sorted({int(k.split(".")[1][1:]) for k in sd if k.startswith("synthesis.b")})
    ws = (w_avg + psi * (x - w_avg)).unsqueeze(1).repeat(1, 2 * len(res), 1)
    f4 = fir_nvidia() * 4

    def act(v):
        v = lrelu(v) * SQRT2
        return v.clamp(-clamp, clamp) if clamp else v

    images = []
    for n in range(z.shape[0]):
        def layer(xn, w, p, up):
            s = fc_eq(w[None], sd[p + ".affine.weight"], sd[p + ".affine.bias"])[0]
            wt = sd[p + ".weight"] * s.reshape(1, -1, 1, 1)
            wt = wt / torch.sqrt((wt * wt).sum(dim=[1, 2, 3], keepdim=True) + 1e-8)
            if up:  # transposed conv = full convolution of the zero-inserted input, then pad 1 + FIR (gain 4)
                h = xn.shape[2]
                zi = torch.zeros(1, xn.shape[1], 2 * h, 2 * h)
                zi[:, :, ::2, ::2] = xn
                t = F.conv2d(F.pad(zi, [2, 2, 2, 2]), wt.flip([2, 3]))[:, :, :2 * h + 1, :2 * h + 1]
                y = upfirdn2d(t, f4, pad=(1, 1))
            else:
                y = F.conv2d(xn, wt, padding=1)
            y = y + sd[p + ".noise_const"] * sd[p + ".noise_strength"]
            return act(y + sd[p + ".bias"].reshape(1, -1, 1, 1))

        def torgb(xn, w, p):
            s = fc_eq(w[None], sd[p + ".affine.weight"], sd[p + ".affine.bias"])[0] / math.sqrt(xn.shape[1])
            y = F.conv2d(xn, sd[p + ".weight"] * s.reshape(1, -1, 1, 1)) + sd[p + ".bias"].reshape(1, -1, 1, 1)
            return y.clamp(-clamp, clamp) if clamp else y

        wn = ws[n]
        xn = sd["synthesis.b4.const"][None]
        xn = layer(xn, wn[0], "synthesis.b4.conv1", False)
        img = torgb(xn, wn[1], "synthesis.b4.torgb")
        k = 1
        for r in res[1:]:
            p = f"synthesis.b{r}"
            xn = layer(xn, wn[k], p + ".conv0", True)
            xn = layer(xn, wn[k + 1], p + ".conv1", False)
            img = upfirdn2d(img, f4, up=2, pad=(2, 1)) + torgb(xn, wn[k + 2], p + ".torgb")
            k += 2
        images.append(img)
    return torch.cat(images)


def ref_nvidia_discriminator(sd, img, res, clamp=256.0):
    f = fir_nvidia()

    def conv(x, p, k, act=True, down=False, gain=1.0):
        w = sd[p + ".weight"] / math.sqrt(sd[p + ".weight"][0].numel())
        if down:  # conv2d_resample(down=2): FIR with padding, then the strided conv
            x = upfirdn2d(x, f, pad=(2, 2)) if k == 3 else upfirdn2d(x, f, down=2, pad=(1, 1))
            x = F.conv2d(x, w, stride=2 if k == 3 else 1)
        else:
            x = F.conv2d(x, w, padding=k // 2)
        if p + ".bias" in sd:
            x = x + sd[p + ".bias"].reshape(1, -1, 1, 1)
        x = lrelu(x) * SQRT2 * gain if act else x * gain
        return x.clamp(-clamp * gain, clamp * gain)

    x = None
    for r in [2 ** i for i in range(int(math.log2(res)), 2, -1)]:
        p = f"b{r}"
        if x is None:
            x = conv(img, p + ".fromrgb", 1)
        y = conv(x, p + ".skip", 1, act=False, down=True, gain=math.sqrt(0.5))
        x = conv(conv(x, p + ".conv0", 3), p + ".conv1", 3, down=True, gain=math.sqrt(0.5))
        x = y + x
    n, ch, h, w = x.shape
    g = min(4, n)
    y = x.reshape(g, -1, 1, ch, h, w)
    y = (y - y.mean(dim=0)).square().mean(dim=0)
    y = (y + 1e-8).sqrt().mean(dim=[2, 3, 4]).reshape(-1, 1, 1, 1).repeat(g, 1, h, w)
    x = conv(torch.cat([x, y], dim=1), "b4.conv", 3)
    x = fc_eq(x.flatten(1), sd["b4.fc.weight"], sd["b4.fc.bias"], act=True)
    return fc_eq(x, sd["b4.out.weight"], sd["b4.out.bias"])


# --------------------------------------------------------------------------------- rosinality

def ros_kernel(scale=1.0):
    k = torch.tensor([1.0, 3.0, 3.0, 1.0])
    k = k[None, :] * k[:, None]
    return k / k.sum() * scale


def ros_generator_state(seed, *, res, channels, style_dim, n_mlp, img_ch=3):
    rnd = Rand(seed)
    sd = collections.OrderedDict()
    for i in range(1, n_mlp + 1):
        sd[f"style.{i}.weight"] = rnd(style_dim, style_dim) / 0.01
        sd[f"style.{i}.bias"] = rnd(style_dim, scale=0.1 / 0.01)
    sd["input.input"] = rnd(1, channels[4], 4, 4)

    def styled(p, cin, cout, up):
        sd[p + ".conv.weight"] = rnd(1, cout, cin, 3, 3)
        sd[p + ".conv.modulation.weight"] = rnd(cin, style_dim)
        sd[p + ".conv.modulation.bias"] = rnd(cin, scale=0.1, offset=1.0)
        if up:
            sd[p + ".conv.blur.kernel"] = ros_kernel(4.0)
        sd[p + ".noise.weight"] = rnd(1, scale=0.2)
        sd[p + ".activate.bias"] = rnd(cout, scale=0.2)

    def to_rgb(p, cin, up):
        if up:
            sd[p + ".upsample.kernel"] = ros_kernel(4.0)
        sd[p + ".conv.weight"] = rnd(1, img_ch, cin, 1, 1)
        sd[p + ".conv.modulation.weight"] = rnd(cin, style_dim)
        sd[p + ".conv.modulation.bias"] = rnd(cin, scale=0.1, offset=1.0)
        sd[p + ".bias"] = rnd(1, img_ch, 1, 1, scale=0.2)

    styled("conv1", channels[4], channels[4], False)
    to_rgb("to_rgb1", channels[4], False)
    res_list = [2 ** i for i in range(3, int(math.log2(res)) + 1)]
    for k, r in enumerate(res_list):
        styled(f"convs.{2 * k}", channels[r // 2], channels[r], True)
        styled(f"convs.{2 * k + 1}", channels[r], channels[r], False)
        to_rgb(f"to_rgbs.{k}", channels[r], True)
    for i in range(2 * len(res_list) + 1):
        r = 2 ** ((i + 5) // 2)
        sd[f"noises.noise_{i}"] = rnd(1, 1, r, r)
    return sd


def ros_discriminator_state(seed, *, res, channels, img_ch=3):
    rnd = Rand(seed)
    sd = collections.OrderedDict()
    sd["convs.0.0.weight"] = rnd(channels[res], img_ch, 1, 1)
    sd["convs.0.1.bias"] = rnd(channels[res], scale=0.2)
    rs = [2 ** i for i in range(int(math.log2(res)), 2, -1)]
    for i, r in enumerate(rs):
        p, cin, cout = f"convs.{i + 1}", channels[r], channels[r // 2]
        sd[p + ".conv1.0.weight"] = rnd(cin, cin, 3, 3)
        sd[p + ".conv1.1.bias"] = rnd(cin, scale=0.2)
        sd[p + ".conv2.0.kernel"] = ros_kernel()
        sd[p + ".conv2.1.weight"] = rnd(cout, cin, 3, 3)
        sd[p + ".conv2.2.bias"] = rnd(cout, scale=0.2)
        sd[p + ".skip.0.kernel"] = ros_kernel()
        sd[p + ".skip.1.weight"] = rnd(cout, cin, 1, 1)
    c4 = channels[4]
    sd["final_conv.0.weight"] = rnd(c4, c4 + 1, 3, 3)
    sd["final_conv.1.bias"] = rnd(c4, scale=0.2)
    sd["final_linear.0.weight"] = rnd(c4, c4 * 16)
    sd["final_linear.0.bias"] = rnd(c4, scale=0.2)
    sd["final_linear.1.weight"] = rnd(1, c4)
    sd["final_linear.1.bias"] = rnd(1, scale=0.2)
    return sd


def ros_swagan_state(seed, *, size, channels, style_dim, n_mlp):
    """rosinality's swagan.py Generator ('train.py --arch swagan') at `size` px: StyleGAN2-like convs up to size / 2,
    toRGB layers of 3 colours x 4 Haar bands (12 channels), inverse/forward Haar transform buffers (iwt, dwt)."""
    sd = ros_generator_state(seed, res=size // 2, channels=channels, style_dim=style_dim, n_mlp=n_mlp, img_ch=12)
    haar = {"ll": torch.tensor([[0.5, 0.5], [0.5, 0.5]]), "lh": torch.tensor([[-0.5, -0.5], [0.5, 0.5]]),
            "hl": torch.tensor([[-0.5, 0.5], [-0.5, 0.5]]), "hh": torch.tensor([[0.5, -0.5], [-0.5, 0.5]])}
    n_rgbs = len({k.split(".")[1] for k in sd if k.startswith("to_rgbs.")})
    for band, f in haar.items():
        sd[f"iwt.{band}"] = f
        for k in range(n_rgbs):
            sd[f"to_rgbs.{k}.iwt.{band}"] = f
            sd[f"to_rgbs.{k}.dwt.{band}"] = f
    return sd


def to_stylegan3_repo_kwargs(G):
    """The init kwargs as the StyleGAN3 repository's networks_stylegan2.Generator records them: its signature is
    (z_dim, c_dim, w_dim, img_resolution, img_channels, mapping_kwargs={}, **synthesis_kwargs), so num_fp16_res,
    channel_base, conv_clamp, ... are top-level keys (no 'synthesis_kwargs')."""
    kw = dict(G._init_kwargs)
    kw.update(kw.pop("synthesis_kwargs"))
    kw["fused_modconv_default"] = "inference_only"
    G._init_kwargs = kw
    return G


def ref_rosinality_generator(sd, z, psi, latent_avg, n_mlp, lr_mlp=0.01):
    """rosinality's Generator.forward (randomize_noise=False, truncation toward latent_avg)."""
    x = norm2(z)  # PixelNorm
    for i in range(1, n_mlp + 1):  # EqualLinear(lr_mul) + fused_leaky_relu(out, bias * lr_mul)
        x = fc_eq(x, sd[f"style.{i}.weight"], sd[f"style.{i}.bias"], lr_mlp, act=True)
    if latent_avg is not None:
        x = latent_avg + psi * (x - latent_avg)
    n_rgbs = len({k.split(".")[1] for k in sd if k.startswith("to_rgbs.")})
    latent = x.unsqueeze(1).repeat(1, 2 * (n_rgbs + 1), 1)
    k4 = ros_kernel(4.0)
    out_all = []
    for n in range(z.shape[0]):
        def modconv(x, style, p, demod, up):
            w = sd[p + ".conv.weight"]
            fan_in = w[0, 0].numel()
            s = style @ (sd[p + ".conv.modulation.weight"] / math.sqrt(style.shape[0])).t() \
                + sd[p + ".conv.modulation.bias"]
            weight = (1 / math.sqrt(fan_in)) * w * s.reshape(1, 1, -1, 1, 1)
            if demod:
                d = torch.rsqrt(weight.pow(2).sum([2, 3, 4]) + 1e-8)
                weight = weight * d.reshape(1, -1, 1, 1, 1)
            weight = weight[0]
            if up:  # conv_transpose2d(stride 2, padding 0) then Blur(pad=(1, 1), kernel x4)
                y = F.conv_transpose2d(x, weight.transpose(0, 1), stride=2, padding=0)
                return upfirdn2d(y, k4, pad=(1, 1))
            return F.conv2d(x, weight, padding=weight.shape[-1] // 2)

        def styled(x, style, p, noise, up=False):
            y = modconv(x, style, p, True, up)
            y = y + sd[p + ".noise.weight"] * noise
            return lrelu(y + sd[p + ".activate.bias"].reshape(1, -1, 1, 1)) * SQRT2

        def to_rgb(x, style, p, skip=None):
            y = modconv(x, style, p, False, False) + sd[p + ".bias"]
            if skip is not None:
                y = y + upfirdn2d(skip, k4, up=2, pad=(2, 1))
            return y

        lat = latent[n]
        out = sd["input.input"]
        out = styled(out, lat[0], "conv1", sd["noises.noise_0"])
        skip = to_rgb(out, lat[1], "to_rgb1")
        i = 1
        for k in range(n_rgbs):
            out = styled(out, lat[i], f"convs.{2 * k}", sd[f"noises.noise_{2 * k + 1}"], up=True)
            out = styled(out, lat[i + 1], f"convs.{2 * k + 1}", sd[f"noises.noise_{2 * k + 2}"])
            skip = to_rgb(out, lat[i + 2], f"to_rgbs.{k}", skip)
            i += 2
        out_all.append(skip)
    return torch.cat(out_all)


def ref_rosinality_discriminator(sd, img):
    k = ros_kernel()

    def convlayer(x, p, ksize, down=False, act=True, bias_key=None):
        w = sd[p + ".weight"]
        scale = 1 / math.sqrt(w[0].numel())
        if down:
            pp = (4 - 2) + (ksize - 1)
            x = upfirdn2d(x, k, pad=((pp + 1) // 2, pp // 2))
            x = F.conv2d(x, w * scale, stride=2)
        else:
            x = F.conv2d(x, w * scale, padding=ksize // 2)
        if act:
            x = lrelu(x + sd[bias_key].reshape(1, -1, 1, 1)) * SQRT2
        return x

    out = convlayer(img, "convs.0.0", 1, bias_key="convs.0.1.bias")
    i = 1
    while f"convs.{i}.conv1.0.weight" in sd:
        p = f"convs.{i}"
        o = convlayer(out, p + ".conv1.0", 3, bias_key=p + ".conv1.1.bias")
        o = convlayer(o, p + ".conv2.1", 3, down=True, bias_key=p + ".conv2.2.bias")
        s = convlayer(out, p + ".skip.1", 1, down=True, act=False)
        out = (o + s) / math.sqrt(2)
        i += 1
    batch, channel, height, width = out.shape
    group = min(batch, 4)
    stddev = out.view(group, -1, 1, channel, height, width)
    stddev = torch.sqrt(stddev.var(0, unbiased=False) + 1e-8)
    stddev = stddev.mean([2, 3, 4], keepdims=True).squeeze(2).repeat(group, 1, height, width)
    out = convlayer(torch.cat([out, stddev], 1), "final_conv.0", 3, bias_key="final_conv.1.bias")
    out = fc_eq(out.view(batch, -1), sd["final_linear.0.weight"], sd["final_linear.0.bias"], act=True)
    return fc_eq(out, sd["final_linear.1.weight"], sd["final_linear.1.bias"])


# ------------------------------------------------------------------------------------------- tests

def load_D(path):
    import stylegan2
    d = torch.load(path)
    D = stylegan2.Discriminator(**{k: v for k, v in d["config"].items()})
    D.load_state_dict(d["state_dict"])
    return D, d


class ConvertTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def convert(self, src, *args):
        out = os.path.join(self.dir, "bundle-" + os.path.basename(src))
        n = 1
        while os.path.exists(out):  # the converter refuses a non-empty OUT_DIR: a new folder per conversion
            out = os.path.join(self.dir, f"bundle-{n}-" + os.path.basename(src))
            n += 1
        with contextlib.redirect_stdout(io.StringIO()):
            meta = convert.main([src, out, *args])
        return out, meta, torch.jit.load(os.path.join(out, "generator.pt"))

    def test_nvidia_64_gray_unconditional_with_clamp_and_discriminator(self):
        ch = {4: 12, 8: 10, 16: 9, 32: 7, 64: 6}  # deliberately not channel_base / res
        G = nv_generator(1, res=64, img_ch=1, channels=ch, z_dim=16, w_dim=12, layers=3, conv_clamp=0.6,
                         num_fp16_res=2)
        dch = {64: 6, 32: 7, 16: 8, 8: 9, 4: 10}
        D = nv_discriminator(2, res=64, img_ch=1, channels=dch)
        src = os.path.join(self.dir, "network-snapshot-000123.pkl")
        write_nvidia_pickle(src, G, D)
        out, meta, S = self.convert(src, "--discriminator", "--license", "CC-BY-4.0")
        # everything read from the pickle
        self.assertEqual((meta["resolution"], meta["image_channels"], meta["num_ws"]), (64, 1, 10))
        self.assertEqual((meta["z_dim"], meta["w_dim"], meta["c_dim"]), (16, 12, 0))
        self.assertEqual(meta["architecture"]["channels"], {str(k): v for k, v in ch.items()})
        self.assertEqual(meta["architecture"]["mapping_layers"], 3)
        self.assertEqual(meta["feature_block"], {"index": 3, "resolution": 32, "channels": 7})
        self.assertEqual(meta["license"], "CC-BY-4.0")
        self.assertEqual(meta["source"]["sha256"], convert.export.sha256(src))
        with open(os.path.join(out, "model.json")) as f:
            self.assertEqual(json.load(f), meta)
        with open(os.path.join(out, "MODEL_CARD.md")) as f:
            card = f.read()
        for text in (meta["source"]["sha256"], "network-snapshot-000123.pkl", "float32", "cells.zip",
                     "converted by tools/convert.py".lower()):
            self.assertIn(text, card.lower() if text.islower() else card)

        sd = state_of(G)
        z = Rand(5)(3, 16)
        for psi in (1.0, 0.6):
            ref = ref_nvidia_generator(sd, z, None, psi, layers=3, lr=0.01, clamp=0.6)
            ws = S.mapping(z, torch.tensor(psi))
            img = S.synthesis(ws)
            err = (img - ref).abs().max().item()
            self.assertLess(err, 1e-4, f"psi {psi}")
            self.max_err("nvidia 64 gray clamp", err)
        # the clamp matters here (so its position is tested)
        noclamp = ref_nvidia_generator(sd, z, None, 1.0, layers=3, lr=0.01, clamp=None)
        self.assertGreater((noclamp - ref_nvidia_generator(sd, z, None, 1.0, layers=3, lr=0.01, clamp=0.6))
                           .abs().max().item(), 0.1)
        feat, part = S.head(ws)
        self.assertLess((S.tail(feat, part, ws) - img).abs().max().item(), 1e-6)

        # discriminator as train.py's Discriminator
        Dp, d = load_D(os.path.join(out, "discriminator.pt"))
        self.assertEqual(d["kind"], "train.Discriminator")
        x = Rand(6)(4, 1, 64, 64)
        err = (Dp(x) - ref_nvidia_discriminator(state_of(D), x, 64)).abs().max().item()
        self.assertLess(err, 1e-4)
        self.max_err("nvidia D 64", err)

    def test_nvidia_256_rgb_conditional(self):
        ch = {4: 8, 8: 8, 16: 7, 32: 6, 64: 5, 128: 4, 256: 3}
        G = nv_generator(3, res=256, img_ch=3, channels=ch, z_dim=10, w_dim=8, c_dim=4, layers=2,
                         layer_features=14, conv_clamp=None, num_fp16_res=4)
        D = nv_discriminator(4, res=256, img_ch=3, channels={256: 3, 128: 3, 64: 3, 32: 3, 16: 3, 8: 3, 4: 3},
                             c_dim=4)
        src = os.path.join(self.dir, "cond.pkl")
        write_nvidia_pickle(src, G, D)
        out, meta, S = self.convert(src, "--discriminator")
        self.assertEqual((meta["resolution"], meta["image_channels"], meta["num_ws"], meta["c_dim"]),
                         (256, 3, 14, 4))
        self.assertEqual(meta["feature_block"], {"index": 5, "resolution": 128, "channels": 4})
        self.assertEqual(meta["license"], "unknown")
        sd = state_of(G)
        rnd = Rand(7)
        z = rnd(2, 10)
        c = F.one_hot(torch.tensor([2, 1]), 4).float()
        ref = ref_nvidia_generator(sd, z, c, 0.7, layers=2, lr=0.01, clamp=None)
        img = S.synthesis(S.mapping_c(z, c, torch.tensor(0.7)))
        self.assertEqual(tuple(img.shape), (2, 3, 256, 256))
        err = (img - ref).abs().max().item()
        self.assertLess(err, 1e-4)
        self.max_err("nvidia 256 rgb conditional", err)
        # mapping(z, psi) of a conditional bundle is class 0
        c0 = F.one_hot(torch.tensor([0, 0]), 4).float()
        self.assertLess((S.mapping(z, torch.tensor(0.7)) - S.mapping_c(z, c0, torch.tensor(0.7))).abs().max(), 1e-6)
        # a conditional D is written raw, with its reason
        d = torch.load(os.path.join(out, "discriminator.pt"))
        self.assertEqual(d["kind"], "raw")
        self.assertIn("conditional", d["why_raw"])
        self.assertIn("b256.fromrgb.weight", d["state_dict"])

    def test_pickle_holding_only_the_generator_and_stylegan3_refused(self):
        G = nv_generator(8, res=64, img_ch=3, channels={4: 4, 8: 4, 16: 4, 32: 4, 64: 4}, z_dim=4, w_dim=4,
                         layers=1)
        src = os.path.join(self.dir, "only-g.pkl")
        with nvidia_module_names(), open(src, "wb") as f:
            pickle.dump(G, f)
        _, meta, S = self.convert(src)
        self.assertEqual(meta["num_ws"], 10)
        z = Rand(9)(1, 4)
        ref = ref_nvidia_generator(state_of(G), z, None, 1.0, layers=1, lr=0.01, clamp=256.0)
        self.assertLess((S.synthesis(S.mapping(z, torch.tensor(1.0))) - ref).abs().max().item(), 1e-4)
        # StyleGAN3 alias-free generator: refused with a clear message
        G.synthesis.add_module("input", nv("SynthesisInput", params={"weight": torch.zeros(4, 4)}))
        src3 = os.path.join(self.dir, "sg3.pkl")
        write_nvidia_pickle(src3, G)
        with self.assertRaisesRegex(convert.ConversionError, "StyleGAN3"):
            self.convert(src3)

    def test_rosinality_zip_checkpoint_with_latent_avg_and_discriminator(self):
        ch = {4: 8, 8: 8, 16: 6, 32: 5, 64: 4}
        g = ros_generator_state(10, res=64, channels=ch, style_dim=12, n_mlp=3)
        d = ros_discriminator_state(11, res=64, channels={64: 4, 32: 5, 16: 6, 8: 7, 4: 8})
        latent_avg = Rand(12)(12, scale=0.3)
        src = os.path.join(self.dir, "010000.pt")
        torch.save({"g": g, "d": d, "g_ema": g, "latent_avg": latent_avg,
                    "g_optim": {"state": {}, "param_groups": [{"lr": 0.002, "params": [0, 1]}]},
                    "args": argparse.Namespace(size=64, batch=16, path="lmdb/cells", channel_multiplier=2)}, src)
        out, meta, S = self.convert(src, "--discriminator")
        self.assertEqual((meta["resolution"], meta["image_channels"], meta["num_ws"]), (64, 3, 10))
        self.assertEqual(meta["source"]["format"], "rosinality-stylegan2-pytorch")
        z = Rand(13)(3, 12)
        for psi in (1.0, 0.5):
            ref = ref_rosinality_generator(g, z, psi, latent_avg, 3)
            err = (S.synthesis(S.mapping(z, torch.tensor(psi))) - ref).abs().max().item()
            self.assertLess(err, 1e-4)
            self.max_err("rosinality 64 rgb", err)
        Dp, dd = load_D(os.path.join(out, "discriminator.pt"))
        x = Rand(14)(4, 3, 64, 64)
        err = (Dp(x) - ref_rosinality_discriminator(d, x)).abs().max().item()
        self.assertLess(err, 1e-4)
        self.max_err("rosinality D 64", err)
        with open(os.path.join(out, "MODEL_CARD.md")) as f:
            self.assertIn("lmdb/cells", f.read())

    def test_rosinality_legacy_checkpoint_without_latent_avg(self):
        ch = {4: 4, 8: 4, 16: 4, 32: 3, 64: 3}
        g = ros_generator_state(20, res=64, channels=ch, style_dim=8, n_mlp=2, img_ch=1)
        src = os.path.join(self.dir, "legacy.pt")
        torch.save({"g_ema": g}, src, _use_new_zipfile_serialization=False)
        _, meta, S = self.convert(src)
        self.assertEqual(meta["image_channels"], 1)
        z = Rand(21)(2, 8)
        ref = ref_rosinality_generator(g, z, 1.0, None, 2)
        err = (S.synthesis(S.mapping(z, torch.tensor(1.0))) - ref).abs().max().item()
        self.assertLess(err, 1e-4)
        self.max_err("rosinality legacy 64 gray", err)
        # w_avg estimated by sampling: psi = 0 gives it
        self.assertLess((S.mapping(z, torch.tensor(0.0))[0, 0] - S.w_avg()).abs().max().item(), 1e-6)

    def test_model_json_channel_base_and_max_describe_the_model(self):
        def arch(src):
            return self.convert(src)[1]["architecture"]

        # irregular widths (no channel_base / channel_max gives them): the fields are left out
        src = os.path.join(self.dir, "irregular.pkl")
        ch = {4: 12, 8: 10, 16: 9, 32: 7, 64: 6}
        write_nvidia_pickle(src, nv_generator(40, res=64, img_ch=1, channels=ch, z_dim=4, w_dim=4, layers=1))
        a = arch(src)
        self.assertNotIn("channel_base", a)
        self.assertNotIn("channel_max", a)
        self.assertEqual(a["channels"], {str(k): v for k, v in ch.items()})
        # NVIDIA's rule: the pickle's own values when they give the tensors' widths ...
        ch = {4: 8, 8: 8, 16: 8, 32: 8, 64: 4}
        G = nv_generator(41, res=64, img_ch=1, channels=ch, z_dim=4, w_dim=4, layers=1)
        G._init_kwargs["synthesis_kwargs"].update(channel_base=300, channel_max=8)
        write_nvidia_pickle(src, G)
        a = arch(src)
        self.assertEqual((a["channel_base"], a["channel_max"]), (300, 8))
        # ... else the smallest that do (the fixture's kwargs say 32768 / 512, which give 512 everywhere)
        G._init_kwargs["synthesis_kwargs"].update(channel_base=32768, channel_max=512)
        write_nvidia_pickle(src, G)
        a = arch(src)
        self.assertEqual((a["channel_base"], a["channel_max"]), (256, 8))
        # rosinality (nothing stated in the file): derived from the widths
        src = os.path.join(self.dir, "ros-rule.pt")
        torch.save({"g_ema": ros_generator_state(42, res=64, channels={4: 16, 8: 16, 16: 16, 32: 16, 64: 8},
                                                 style_dim=4, n_mlp=1)}, src)
        a = arch(src)
        self.assertEqual((a["channel_base"], a["channel_max"]), (512, 16))
        for a in (arch(src), arch(os.path.join(self.dir, "irregular.pkl"))):
            if "channel_base" in a:
                self.assertEqual({str(k): v for k, v in convert.stylegan2.default_channels(
                    a["resolution"], a["channel_base"], a["channel_max"]).items()}, a["channels"])

    def test_float16_note_for_a_stylegan3_repo_stylegan2_pickle(self):
        ch = {4: 4, 8: 4, 16: 4, 32: 4, 64: 4}
        G = to_stylegan3_repo_kwargs(nv_generator(43, res=64, img_ch=1, channels=ch, z_dim=4, w_dim=4, layers=1,
                                                  num_fp16_res=2))
        self.assertNotIn("synthesis_kwargs", G._init_kwargs)
        self.assertEqual([r for r in (4, 8, 16, 32, 64) if getattr(G.synthesis, f"b{r}").use_fp16], [32, 64])
        src = os.path.join(self.dir, "sg3-repo-stylegan2.pkl")
        write_nvidia_pickle(src, G)
        out, meta, _ = self.convert(src)
        with open(os.path.join(out, "MODEL_CARD.md")) as f:
            card = f.read()
        self.assertIn("2 highest-resolution blocks (32, 64 px) in float16", card)
        self.assertEqual((meta["architecture"]["channel_base"], meta["architecture"]["channel_max"]), (256, 4))
        # no block in float16: no note
        G = to_stylegan3_repo_kwargs(nv_generator(44, res=64, img_ch=1, channels=ch, z_dim=4, w_dim=4, layers=1))
        write_nvidia_pickle(src, G)
        out, _, _ = self.convert(src)
        with open(os.path.join(out, "MODEL_CARD.md")) as f:
            self.assertNotIn("float16", f.read())

    # ----------------------------------------------------------------------- hostile and wrong inputs

    def run_cli(self, *args):
        """tools/convert.py as a command: (exit code, stderr)."""
        p = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "convert.py"),
                            *args], capture_output=True, text=True, timeout=300)
        return p.returncode, p.stderr

    def call_cli(self, *args):
        """convert.cli in this process (faster): (exit code, stderr)."""
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = convert.cli(list(args))
        return code, err.getvalue()

    def assert_one_line_refusal(self, code, err, out, *words):
        self.assertEqual(code, 2, err)
        self.assertNotIn("Traceback", err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertTrue(err.startswith("convert.py: "), err)
        for w in words:
            self.assertIn(w, err)
        self.assertFalse(os.path.exists(out), "no bundle folder is left behind")
        parent = os.path.dirname(out)
        self.assertEqual([f for f in os.listdir(parent) if f.startswith(".")] if os.path.isdir(parent) else [], [],
                         "no partial folder is left behind")

    def test_swagan_checkpoints_are_refused_naming_swagan(self):
        ch = {4: 8, 8: 8, 16: 6, 32: 5}
        g = ros_swagan_state(50, size=64, channels=ch, style_dim=8, n_mlp=2)
        src = os.path.join(self.dir, "swagan.pt")
        torch.save({"g_ema": g, "latent_avg": torch.zeros(8),
                    "args": argparse.Namespace(arch="swagan", size=64, channel_multiplier=2)}, src)
        out = os.path.join(self.dir, "models", "swagan")
        self.assert_one_line_refusal(*self.run_cli(src, out), out, "SWAGAN", "args.arch is 'swagan'")
        self.assertFalse(os.path.exists(os.path.dirname(out)), "the parent folder made for it is gone too")
        # without args (older checkpoints): the Haar buffers give it away
        torch.save({"g_ema": g}, src)
        self.assert_one_line_refusal(*self.call_cli(src, out), out, "SWAGAN", "iwt")
        # a StyleGAN2 checkpoint whose args.size disagrees with its tensors
        torch.save({"g_ema": ros_generator_state(51, res=32, channels=ch, style_dim=8, n_mlp=2),
                    "args": argparse.Namespace(arch="stylegan2", size=64)}, src)
        self.assert_one_line_refusal(*self.call_cli(src, out), out, "args.size is 64 px", "32 px")

    def test_random_empty_and_text_files_end_with_one_sentence_and_exit_2(self):
        rnd = np.random.default_rng(7)
        files = {"random.pkl": rnd.integers(0, 256, 4096, dtype=np.uint8).tobytes(), "empty.pkl": b"",
                 "notes.txt": b"not a network, just some text\nsecond line\n"}
        said = {"random.pkl": "not a network file", "empty.pkl": "empty", "notes.txt": "is text"}
        for name, data in files.items():
            src = os.path.join(self.dir, name)
            with open(src, "wb") as f:
                f.write(data)
            out = os.path.join(self.dir, "out-" + name)
            self.assert_one_line_refusal(*self.run_cli(src, out), out, name, said[name])

    def test_truncated_missing_and_folder_inputs_end_with_one_sentence(self):
        ch = {4: 4, 8: 4, 16: 4}
        zip_src, pkl_src = os.path.join(self.dir, "full.pt"), os.path.join(self.dir, "full.pkl")
        torch.save({"g_ema": ros_generator_state(52, res=16, channels=ch, style_dim=4, n_mlp=1)}, zip_src)
        write_nvidia_pickle(pkl_src, nv_generator(53, res=16, img_ch=1, channels=ch, z_dim=4, w_dim=4, layers=1))
        out = os.path.join(self.dir, "out")
        for src in (zip_src, pkl_src):
            with open(src, "rb") as f:
                data = f.read()
            cut = src + ".part"
            with open(cut, "wb") as f:
                f.write(data[:len(data) // 2])
            self.assert_one_line_refusal(*self.call_cli(cut, out), out, "ends early or is damaged")
        self.assert_one_line_refusal(*self.call_cli(os.path.join(self.dir, "nope.pkl"), out), out, "no such file")
        folder = os.path.join(self.dir, "a-folder")
        os.mkdir(folder)
        self.assert_one_line_refusal(*self.call_cli(folder, out), out, "is a folder")
        # --verbose adds the traceback, still ending with the sentence
        code, err = self.call_cli(cut, out, "--verbose")
        self.assertEqual(code, 2)
        self.assertIn("Traceback", err)
        self.assertTrue(err.strip().splitlines()[-1].startswith("convert.py: "), err)

    def test_out_dir_is_never_overwritten_and_a_failed_write_leaves_nothing(self):
        ch = {4: 4, 8: 4, 16: 4}
        src = os.path.join(self.dir, "small.pt")
        torch.save({"g_ema": ros_generator_state(54, res=16, channels=ch, style_dim=4, n_mlp=1)}, src)
        out = os.path.join(self.dir, "existing")
        os.mkdir(out)
        with open(os.path.join(out, "model.json"), "w") as f:
            f.write("mine")
        code, err = self.call_cli(src, out)
        self.assertEqual(code, 2, err)
        self.assertIn("not empty", err)
        with open(os.path.join(out, "model.json")) as f:
            self.assertEqual(f.read(), "mine", "an existing folder's files are left alone")
        self.assertEqual(os.listdir(out), ["model.json"])
        # an empty folder is fine
        empty = os.path.join(self.dir, "empty-folder")
        os.mkdir(empty)
        self.assertEqual(self.call_cli(src, empty)[0], 0)
        self.assertTrue(os.path.exists(os.path.join(empty, "generator.pt")))
        # the disk fills up after generator.pt was written: no half bundle
        real = convert.export.write_bundle

        def full_disk(G, folder, **kw):
            real(G, folder, **kw)
            raise OSError(28, "No space left on device", os.path.join(folder, "model.json"))

        convert.export.write_bundle = full_disk
        try:
            out = os.path.join(self.dir, "new", "bundle")
            self.assert_one_line_refusal(*self.call_cli(src, out), out, "No space left on device")
            self.assertFalse(os.path.exists(os.path.dirname(out)))
        finally:
            convert.export.write_bundle = real

    # -------------------------------------------------------------------------- malicious files

    def assert_refused(self, src, pattern, marker):
        with self.assertRaisesRegex(convert.RefusedPickle, pattern):
            self.convert(src)
        self.assertFalse(os.path.exists(marker), "the payload ran")

    def test_malicious_pickles_are_refused_and_nothing_runs(self):
        marker = os.path.join(self.dir, "pwned")
        cmd = f"touch {marker}"

        class Reduce:
            def __init__(self, fn, args):
                self.fn, self.args = fn, args

            def __reduce__(self):
                return self.fn, self.args

        import importlib
        payloads = {
            "posix.system": Reduce(os.system, (cmd,)),
            "builtins.eval": Reduce(eval, (f"__import__('os').system({cmd!r})",)),
            "builtins.exec": Reduce(exec, (f"import os; os.system({cmd!r})",)),
            "subprocess.Popen": Reduce(subprocess.Popen, (["touch", marker],)),
            "builtins.__import__": Reduce(__import__, ("os",)),
            "importlib.import_module": Reduce(importlib.import_module, ("os",)),
        }
        G = nv_generator(30, res=64, img_ch=1, channels={4: 2, 8: 2, 16: 2, 32: 2, 64: 2}, z_dim=2, w_dim=2,
                         layers=1)
        for name, payload in payloads.items():
            # hidden deep inside the generator's state, where an unpickler meets it before anything else
            G.synthesis.b64.conv1.payload = payload
            src = os.path.join(self.dir, f"evil-{name}.pkl")
            write_nvidia_pickle(src, G)
            self.assert_refused(src, name.replace(".", r"\."), marker)
            # and at the top level, as a plain pickle
            with open(src, "wb") as f:
                pickle.dump(payload, f)
            self.assert_refused(src, name.replace(".", r"\."), marker)
        del G.synthesis.b64.conv1.payload

        # inside a tensor storage's nested torch.save bytes (torch.storage._load_from_bytes)
        buf = io.BytesIO()
        torch.save(payloads["posix.system"], buf, _use_new_zipfile_serialization=False)
        src = os.path.join(self.dir, "evil-storage.pkl")
        with open(src, "wb") as f:
            pickle.dump({"G_ema": Reduce(torch.storage._load_from_bytes, (buf.getvalue(),))}, f)
        self.assert_refused(src, r"posix\.system", marker)

        # inside a torch zip checkpoint (rosinality path)
        src = os.path.join(self.dir, "evil.pt")
        torch.save({"g_ema": {"style.1.weight": payloads["subprocess.Popen"]}}, src)
        self.assert_refused(src, r"'commands\.Popen' \(Python 3: subprocess\.Popen\)", marker)  # protocol 2 names

        # an embedded module source that would run code if executed: refused, and never executed
        evil_src = f"import os\nos.system({cmd!r})\n" + FAKE_SRC
        G2 = nv("Generator", src=evil_src, modules={"mapping": G.mapping, "synthesis": G.synthesis})
        src = os.path.join(self.dir, "evil-src.pkl")
        write_nvidia_pickle(src, G2)
        self.assert_refused(src, r"import os", marker)
        G3 = nv("Generator", src=FAKE_SRC + f"\n__import__('os').system({cmd!r})\n",
                modules={"mapping": G.mapping, "synthesis": G.synthesis})
        write_nvidia_pickle(src, G3)
        self.assert_refused(src, r"__import__", marker)
        # --no-source-check converts it, and still runs nothing
        self.convert(src, "--no-source-check")
        self.assertFalse(os.path.exists(marker), "the embedded source ran")
        # the same network with a clean source converts
        write_nvidia_pickle(src, nv("Generator", modules={"mapping": G.mapping, "synthesis": G.synthesis}))
        self.convert(src)

    def test_restricted_loader_never_imports_the_named_modules(self):
        before = set(sys.modules)
        src = os.path.join(self.dir, "imp.pkl")
        with open(src, "wb") as f:
            f.write(b"\x80\x02cantigrav\nfly\n)R.")  # antigrav.fly(): a module that import would run
        with self.assertRaisesRegex(convert.RefusedPickle, r"antigrav\.fly"):
            convert.load_file(src)
        self.assertEqual(set(sys.modules) - before, set())

    # ------------------------------------------------------------------------------------ bookkeeping

    ERRORS = {}

    def max_err(self, name, err):
        ConvertTest.ERRORS[name] = max(err, ConvertTest.ERRORS.get(name, 0.0))

    @classmethod
    def tearDownClass(cls):
        if os.environ.get("CONVERT_TEST_VERBOSE"):
            for k, v in sorted(cls.ERRORS.items()):
                print(f"max abs error {k}: {v:.2e}", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
