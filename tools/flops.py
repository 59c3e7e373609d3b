#!/usr/bin/env python3
"""The arithmetic of one drag step (issue #35, docs/engine.md "Where a step's time goes"): the floating-point
operations of a bundle's generator per phase, from its model.json architecture (NVIDIA's StyleGAN2 "skip" generator
as tools/stylegan2.py builds it: modulated 3x3 convolutions on the activations, an up-sampling transposed convolution
followed by a 4x4 blur, 1x1 toRGB), against this CPU's peak (cores x vector lanes x 2 for the fused multiply-add x
FMA units x clock). Counts multiply-adds of convolutions and blurs (the bulk); bias, activation, noise and the
mapping network are left out (under 1 % here). Usage:

    tools/flops.py sample-models/nuclei-128 [--ms HEAD BACKWARD TAIL] [--threads N]

With --ms (a step's phase times from ``draggan bench``, milliseconds) it prints the fraction of peak each phase runs at.
No PyTorch needed.
"""
import argparse
import json
import os
import re
import sys


def layer_macs(arch):
    """[(block resolution, layer name, multiply-adds)] of the synthesis network at batch 1."""
    ch = {int(k): v for k, v in arch["channels"].items()}
    img = arch["img_channels"]
    if img == 1 and arch.get("one_channel") == "as-two":
        img = 2  # grayscale generators compute two channels and keep one (docs/reproducibility.md)
    res = arch["resolution"]
    out = [(4, "conv1", ch[4] * ch[4] * 9 * 4 * 4), (4, "torgb", ch[4] * img * 4 * 4)]
    r = 8
    while r <= res:
        cin, cout, h = ch[r // 2], ch[r], r // 2
        out.append((r, "conv0 (transposed, stride 2)", cin * cout * 9 * h * h))
        out.append((r, "conv0 blur (4x4 depthwise)", cout * 16 * r * r))
        out.append((r, "conv1", cout * cout * 9 * r * r))
        out.append((r, "torgb", cout * img * r * r))
        out.append((r, "image up-sampling (4x4 depthwise)", img * 16 * r * r))
        r *= 2
    return out


def peak(threads):
    """(GFLOP/s, a description) of fp32 peak on `threads` cores, from /proc/cpuinfo and lscpu."""
    flags, mhz, model = set(), None, "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
        m = re.search(r"^flags\s*:\s*(.*)$", text, re.M)
        flags = set(m.group(1).split()) if m else set()
        m = re.search(r"^model name\s*:\s*(.*)$", text, re.M)
        model = m.group(1).strip() if m else model
        m = re.search(r"^cpu MHz\s*:\s*([0-9.]+)", text, re.M)
        mhz = float(m.group(1)) if m else None
    except OSError:
        pass
    try:
        with os.popen("lscpu 2>/dev/null") as pipe:
            lscpu = pipe.read()
        m = re.search(r"CPU max MHz:\s*([0-9.]+)", lscpu)
        if m:
            mhz = float(m.group(1))
    except OSError:
        pass
    lanes = 16 if "avx512f" in flags else 8 if "avx2" in flags or "avx" in flags else 4
    fma = 2 if "fma" in flags or "avx512f" in flags else 1
    units = 2  # two vector FMA pipes per core (Zen 2-5, Intel since Haswell)
    if "avx512f" in flags and "AMD" in model and "avx512_vp2intersect" not in flags:
        lanes = 8  # Zen 4 runs AVX-512 as two 256-bit halves; Zen 5 (the one AMD core with VP2INTERSECT) at full width
    ghz = (mhz or 2000.0) / 1000.0
    gflops = threads * lanes * fma * units * ghz
    isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE"
    desc = (f"{model}, {threads} core(s) x {lanes} fp32 lanes ({isa}) x {fma} (FMA) x {units} FMA units x "
            f"{ghz:.2f} GHz{'' if mhz else ' (clock unknown: 2 GHz assumed)'}")
    return gflops, desc


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("bundle", help="a bundle folder (its model.json)")
    p.add_argument("--ms", type=float, nargs=3, metavar=("HEAD", "BACKWARD", "TAIL"),
                   help="measured phase times of a step, ms (draggan bench's phases: head, backward, render)")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="cores the step ran on (default: all)")
    a = p.parse_args(argv)
    with open(os.path.join(a.bundle, "model.json")) as f:
        meta = json.load(f)
    arch = meta["architecture"]
    feature_res = meta["feature_block"]["resolution"]
    layers = layer_macs(arch)
    head = sum(m for r, _, m in layers if r <= feature_res)
    tail = sum(m for r, _, m in layers if r > feature_res)
    g = 1e9
    print(f"{meta['name']}: {arch['resolution']} px, features of the {feature_res} px block; multiply-adds at batch 1")
    print(f"{'block':>6} {'layer':<36} {'MFLOP':>9}")
    for r, name, m in layers:
        print(f"{r:>6} {name:<36} {2 * m / 1e6:>9.1f}")
    # The backward pass of the head: the gradient of every convolution's input, as many multiply-adds as its forward
    # (the weights are frozen at load, GeneratorBundle, so libtorch computes no weight gradients in a drag).
    rows = [("head forward (to the feature block)", 2 * head),
            ("backward (the convolutions' inputs; the weights are frozen)", 2 * head),
            ("tail forward (the rest of the image)", 2 * tail)]
    print()
    for name, fl in rows:
        print(f"{name:<64} {fl / g:7.3f} GFLOP")
    step = 2 * head + 2 * head + 2 * tail
    print(f"{'a rendered step (head + backward + tail)':<64} {step / g:7.3f} GFLOP")
    gflops, desc = peak(a.threads)
    print(f"\npeak: {gflops:.0f} GFLOP/s ({desc})")
    print(f"a rendered step at peak: {step / g / gflops * 1e3:.1f} ms")
    if a.ms:
        h, b, t = a.ms
        print("\nmeasured against peak:")
        for name, fl, ms in (("head forward", 2 * head, h), ("backward", 2 * head, b),
                             ("tail (render)", 2 * tail, t), ("the three together", step, h + b + t)):
            rate = fl / g / (ms / 1e3)
            print(f"  {name:<32} {ms:6.1f} ms  {rate:6.1f} GFLOP/s  {100 * rate / gflops:5.1f} % of peak")
    return 0


if __name__ == "__main__":
    sys.exit(main())
