#!/usr/bin/env python3
"""DragGAN's loop in Python, following the official code (XingangPan/DragGAN, viz/renderer.py), on a bundle.

It is the reference for the Java engine: the parity fixture (--fixture) and the benchmark (--bench) come from here.
Per step, as the official code: features of the bundle's head, F.interpolate(..., 'bilinear') to the image size;
step 0 stores F0 and the reference features at the (rounded) handles, later steps track each handle to the nearest
neighbour (L2 over channels, or L1) in a square of radius r2; motion supervision over the disk |q - p| < r1 with
F(q) detached and F(q + d) from grid_sample(align_corners=True); mask term lambda * l1_loss(F * fixed, F0 * fixed);
torch.optim.Adam on the first `layers` W+ layers (or one shared w), the rest at w0. The image of each step comes
from the bundle's tail, without gradients. Differences from the official code, shared with the Java engine: the
disk uses the exact integer pixel grid (the official code's linspace grid is off by h/(h-1)), and the stop rule
is the paper's (1 px, 2 px with 5 or more handles).

  /usr/bin/python3 tools/reference_drag.py --fixture src/test/resources/fixtures/tiny-drag.json
  /usr/bin/python3 tools/reference_drag.py --bundle sample-models/X --bench --threads 2
  python3 tools/reference_drag.py --bundle sample-models/X --bench --device cuda      (tools/gpu/README.md)
"""
import argparse
import json
import math
import os
import resource
import statistics
import time

import torch
import torch.nn.functional as F


def disk(px, py, r, size):
    out = []
    for y in range(max(0, py - r), min(size - 1, py + r) + 1):
        for x in range(max(0, px - r), min(size - 1, px + r) + 1):
            if (x - px) ** 2 + (y - py) ** 2 < r * r:
                out.append((x, y))
    return out


def drag(S, meta, ws0, handles, targets, movable=None, steps=30, lr=2e-3, r1=3, r2=12, lam=20.0, layers=6,
         w_plus=True, norm="l2", stop=None, on_step=None):
    """Runs the loop; returns a list of per-step dicts (loss, handles, distances, margins, seconds)."""
    res = meta["resolution"]
    dev = ws0.device
    w0 = ws0.detach().clone()
    wopt = (w0[:, :layers] if w_plus else w0[:, :1]).clone().requires_grad_(True)
    opt = torch.optim.Adam([wopt], lr=lr)
    fixed = None
    if movable is not None and 0 < int(movable.sum()) < movable.numel() and lam > 0:
        fixed = (1.0 - movable.float()).reshape(1, 1, res, res).to(dev)
    points = [(math.floor(x + 0.5), math.floor(y + 0.5)) for x, y in handles]  # halves up, as ImageJ and Java
    stop_at = stop if stop is not None else (2.0 if len(points) >= 5 else 1.0)
    refs, feat0 = None, None
    log = []
    t0 = time.perf_counter()
    for step in range(steps + 1):
        head = wopt if w_plus else wopt.repeat(1, layers, 1)
        ws = torch.cat([head, w0[:, layers:]], dim=1)
        feat, part = S.head(ws)
        feat_r = F.interpolate(feat, [res, res], mode="bilinear", align_corners=False)
        margins = []
        if step == 0:
            feat0 = feat_r.detach().clone()
            refs = [feat0[0, :, y, x] for x, y in points]
        else:
            with torch.no_grad():
                for j, (x, y) in enumerate(points):
                    x0, x1 = max(0, x - r2), min(res - 1, x + r2)
                    y0, y1 = max(0, y - r2), min(res - 1, y + r2)
                    patch = feat_r[0, :, y0:y1 + 1, x0:x1 + 1]
                    diff = patch - refs[j].reshape(-1, 1, 1)
                    score = diff.abs().sum(dim=0) if norm == "l1" else diff.square().sum(dim=0)
                    flat = score.reshape(-1)
                    best = int(torch.argmin(flat))
                    srt = torch.sort(flat).values
                    margins.append(float((srt[1] - srt[0]) / (srt[0].abs() + 1e-12)) if flat.numel() > 1 else 1.0)
                    w = x1 - x0 + 1
                    points[j] = (x0 + best % w, y0 + best // w)
        with torch.no_grad():
            S.tail(feat.detach(), part.detach(), ws.detach())
        dist = [((tx - x) ** 2 + (ty - y) ** 2) ** 0.5 for (x, y), (tx, ty) in zip(points, targets)]
        arrived = all(d <= stop_at for d in dist)
        entry = dict(step=step, handles=[list(p) for p in points], distances=dist, margins=margins, loss=None)
        if arrived or step == steps:
            entry["seconds"] = time.perf_counter() - t0
            log.append(entry)
            if on_step:
                on_step(entry)
            break
        loss = torch.zeros([], device=dev)
        for j, ((x, y), (tx, ty)) in enumerate(zip(points, targets)):
            if dist[j] <= 1:
                continue
            dx, dy = (tx - x) / dist[j], (ty - y) / dist[j]
            q = disk(x, y, r1, res)
            qx = torch.tensor([a for a, _ in q], dtype=torch.float32, device=dev)
            qy = torch.tensor([b for _, b in q], dtype=torch.float32, device=dev)
            grid = torch.stack([(qx + dx) / (res - 1) * 2 - 1, (qy + dy) / (res - 1) * 2 - 1], dim=-1)
            target = F.grid_sample(feat_r, grid.reshape(1, 1, -1, 2), align_corners=True)[:, :, 0, :]
            current = feat_r[:, :, qy.long(), qx.long()].detach()
            loss = loss + F.l1_loss(current, target)
        if fixed is not None:
            loss = loss + lam * F.l1_loss(feat_r * fixed, feat0 * fixed)
        opt.zero_grad()
        loss.backward()
        opt.step()
        entry["loss"] = float(loss)
        entry["seconds"] = time.perf_counter() - t0
        log.append(entry)
        if on_step:
            on_step(entry)
    return log


def load(bundle, device="cpu"):
    with open(os.path.join(bundle, "model.json")) as f:
        meta = json.load(f)
    S = torch.jit.load(os.path.join(bundle, meta["weights"]["file"]), map_location=device)
    for p in S.parameters():
        p.requires_grad_(False)
    return S, meta


def rect_mask(res, x0, y0, x1, y1):
    m = torch.zeros(res, res, dtype=torch.bool)
    m[y0:y1, x0:x1] = True
    return m


def make_fixture(path, norm="l2"):
    """The tiny-bundle drag fixture for the Java test: 30 steps from the parity fixture's ws."""
    here = os.path.dirname(os.path.abspath(path))
    S, meta = load(os.path.join(here, "tiny"))
    with open(os.path.join(here, "tiny-parity.json")) as f:
        ws0 = torch.tensor(json.load(f)["ws"]).reshape(1, meta["num_ws"], meta["w_dim"])
    cfg = dict(handles=[[10, 12], [20, 8]], targets=[[16.0, 14.0], [14.0, 4.0]], mask=[4, 2, 28, 24], steps=30,
               lr=0.05, r1=3, r2=4, lam=20.0, layers=6, w_plus=True, norm=norm)
    log = drag(S, meta, ws0, cfg["handles"], cfg["targets"], rect_mask(meta["resolution"], *cfg["mask"]),
               steps=cfg["steps"], lr=cfg["lr"], r1=cfg["r1"], r2=cfg["r2"], lam=cfg["lam"], layers=cfg["layers"],
               w_plus=cfg["w_plus"], norm=cfg["norm"])
    for e in log:
        e.pop("seconds")
    with open(path, "w") as f:
        json.dump(dict(description="tools/reference_drag.py --fixture: tiny bundle, ws from tiny-parity.json; mask "
                                   "= movable rectangle [x0, y0, x1, y1)", torch=torch.__version__, config=cfg,
                       steps=log), f, indent=1)
    print("wrote", path, "with", len(log), "steps; final handles", log[-1]["handles"])


def bench(bundle, steps, warmup, threads, seed, device="cpu"):
    """Median ms per step after warm-up, time to first step and peak RSS, as the Java benchmark measures.
    On CUDA each step ends in a synchronisation anyway (the loss and the tracked points are read back)."""
    S, meta = load(bundle, device)
    res = meta["resolution"]
    z = torch.randn(1, meta["z_dim"], generator=torch.Generator().manual_seed(seed)).to(device)
    ws0 = S.mapping(z, torch.tensor(meta["truncation_psi"], device=device))
    c = res // 2
    handles, targets = [[c - res // 4, c]], [[c + res // 4, c]]  # too far to arrive within the run
    times = []
    last = [time.perf_counter()]

    def on_step(e):
        now = time.perf_counter()
        times.append(now - last[0])
        last[0] = now

    t0 = time.perf_counter()
    last[0] = t0
    drag(S, meta, ws0, handles, targets, None, steps=warmup + steps, lr=meta["learning_rate"],
         r1=max(1, round(3 * res / 512)), r2=max(1, round(12 * res / 512)), layers=meta["drag_layers"],
         norm="l1", on_step=on_step)  # the Java engine's defaults
    steady = times[warmup:warmup + steps]
    out = dict(engine="python", torch=torch.__version__, device=str(device), threads=threads, resolution=res,
               first_step_ms=times[0] * 1000, median_ms=statistics.median(steady) * 1000, steps=len(steady),
               peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if torch.device(device).type == "cuda":
        out["gpu_name"] = torch.cuda.get_device_name(device)
        out["peak_gpu_allocated_mb"] = torch.cuda.max_memory_allocated(device) / 2 ** 20
        out["peak_gpu_reserved_mb"] = torch.cuda.max_memory_reserved(device) / 2 ** 20
    print(json.dumps(out))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixture", help="write the Java parity fixture for the tiny bundle to this path")
    ap.add_argument("--bundle")
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--device", default="cpu", help="torch device for --bench, e.g. cuda")
    args = ap.parse_args()
    torch.set_num_threads(args.threads or os.cpu_count())
    if args.fixture:
        torch.set_num_threads(1)
        make_fixture(args.fixture)
        make_fixture(args.fixture.replace(".json", "-l1.json"), norm="l1")
    if args.bench:
        bench(args.bundle, args.steps, args.warmup, torch.get_num_threads(), args.seed, args.device)


if __name__ == "__main__":
    main()
