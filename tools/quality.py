#!/usr/bin/env python3
"""Evidence of quality: a generator's images against the simulator's (tools/simulate.py).

  /usr/bin/python3 tools/quality.py --checkpoint RUN_DIR/checkpoint.pt [--train-data DATA.npy] \\
      [--count 500] [--psi 1.0] [--threads 2] [--json FILE.json] [--sheet docs/sample-contact-sheet.png] \\
      [--compare-previous OLD.json]
  /usr/bin/python3 tools/quality.py --bundle sample-models/nuclei-128 --train-data DATA.npy ...

Exit code: 0 when every criterion passes, 1 when at least one fails (or the copy check could not run: no
training set), 2 for usage errors. `--compare-previous` does not change the exit code; it prints
"improved: yes|no" and stores the answer in the JSON ("compare_previous").

Images
------
* Generated: image i (i = 0 .. count-1) comes from z = torch.randn([1, z_dim], generator=
  torch.Generator().manual_seed(i)), one generator per image, so image i does not depend on --count or the batch
  size. ws = mapping(z, psi), image = synthesis(ws) (batches of 16, constant noise buffers as exported). Values
  are mapped with the model's intensity rule, (v - output_min) / (output_max - output_min) clipped to [0, 1]
  (a checkpoint: train.py's range -1 .. 1), then quantized as the training set was: round(255 * value), uint8.
* Simulated reference: simulate.simulate(seed) for seeds 5_000_000 + i (i < --sim-count, default 500), at the
  generator's resolution and channel count, same uint8 quantization. train.py trains on seeds 1_000_000 +
  i (i < 20,000), so these images were never seen in training.
* psi defaults to 1.0: truncation (psi < 1) pulls every w toward the average w, which trades diversity for
  typical-looking images; the statistics below compare against the simulator's *whole* distribution, which
  only the untruncated generator is meant to match (the same convention as FID). A bundle's truncation_psi
  is for display in the plugin.

Criteria (the numbers are module constants below)
--------------------------------------------------
Per-image statistics on channel 0, on the uint8 images (intensities reported in [0, 1] = uint8 / 255):
  mean intensity     mean of all pixels
  background         10th percentile of the pixels
  objects per image  foreground = Gaussian-smoothed image (sigma = 1 px * R / 256) > its Otsu threshold
                     (256-bin histogram of the smoothed uint8 values); objects = 8-connected components
                     (scipy.ndimage.label) with an area >= max(3, 30 px * (R / 256)^2); touching nuclei merge
                     into one object (no splitting), on both sides alike.
  object area        area in px of those objects, pooled over all images
For each: the median over images (object area: over all objects) for generated and simulated images;
relative difference = generated / simulated - 1; PASS when |relative difference| <= 0.25.
Diversity: mean over 2000 random pairs (i != j, numpy seed 0) of the RMS difference sqrt(mean((a - b)^2))
between two images (all channels, [0, 1] units), for the generated and for the simulated set; PASS when
generated >= 0.70 * simulated.
Copies: for the first 50 generated images, the nearest training images by RMS difference over all 8
rotations / flips of the generated image (train.py augments with them): the 20 closest training images on 32 x 32
block averages, refined at full resolution. A generated image is a copy when its nearest training image is less
than half as far as the next ones (distance < 0.5 * the median distance to the 2nd to 5th nearest training
images), i.e. it is close to one training image in particular, not just to images like it (a relative distance in
the spirit of Carlini et al. 2023, "Extracting training data from diffusion models"). PASS when there is none.
Measured on the 128 px data: a training image itself scores 0, a blurred copy of one 0.17, new simulator images
0.90-0.99. The same search for the first 50 simulated held-out images is reported for reference, as is the count
of the earlier absolute rule (distance < 0.5 * the 5th percentile of the held-out distances): that rule flagged
near-empty generated images (one or two faint nuclei), which lie close to every near-empty training image at
once (ratio 0.81-0.87), not copies.

"Improved" (--compare-previous, function improved()): more criteria pass than in the previous result, or as
many pass and the deviation sum is smaller; deviation sum = sum over the four statistics of |relative
difference| + |diversity ratio - 1|.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simulate  # noqa: E402

SIM_START_SEED = 5_000_000      # held-out simulator seeds (train.py uses 1_000_000 + i, i < dataset size)
TRAIN_START_SEED = 1_000_000
STAT_TOLERANCE = 0.25           # |generated median / simulated median - 1| must not exceed this
DIVERSITY_MIN_RATIO = 0.70      # generated mean pair distance >= this * the simulated one
COPY_RATIO = 0.5                # copy: NN distance < COPY_RATIO * median distance to the next COPY_OTHERS
COPY_OTHERS = 4
COPY_FACTOR = 0.5               # the earlier absolute rule, reported only: NN distance < COPY_FACTOR * percentile
COPY_PERCENTILE = 5.0           # COPY_PERCENTILE of the held-out images' NN distances
COPY_QUERIES = 50
DIVERSITY_PAIRS = 2000
NN_DOWN = 32                    # side of the coarse images of the nearest-neighbour search
NN_REFINE = 20                  # training images (the closest on the coarse images) refined at full resolution
SMOOTH_SIGMA_REF = 1.0          # px at 256 px, scaled with the resolution
MIN_AREA_REF = 30.0             # px at 256 px, scaled with the resolution squared (at least 3 px)

STATS = [  # (key, label in the table, unit)
    ("mean_intensity", "mean intensity", ""),
    ("background", "background p10", ""),
    ("objects_per_image", "objects per image", ""),
    ("object_area", "object area (px)", ""),
]


# ------------------------------------------------------------------------------------------- statistics

def smoothing_sigma(size: int) -> float:
    return SMOOTH_SIGMA_REF * size / 256.0


def min_object_area(size: int) -> float:
    return max(3.0, MIN_AREA_REF * (size / 256.0) ** 2)


def otsu_threshold(values: np.ndarray) -> float:
    """Otsu's threshold of values in [0, 255] (256 bins of width 1); foreground is values > threshold."""
    hist, edges = np.histogram(values, 256, (0.0, 256.0))
    centres = 0.5 * (edges[:-1] + edges[1:])
    w0 = np.cumsum(hist).astype(np.float64)
    m0 = np.cumsum(hist * centres)
    total, mtot = w0[-1], m0[-1]
    w1 = total - w0
    ok = (w0 > 0) & (w1 > 0)
    if not ok.any():                      # constant image: nothing is foreground
        return float(values.max())
    between = np.zeros_like(centres)
    between[ok] = (mtot * w0[ok] / total - m0[ok]) ** 2 / (w0[ok] * w1[ok])
    return float(edges[1:][np.argmax(between)])


def segment(img: np.ndarray):
    """uint8 [H, W] -> (label image of the kept objects, their areas in px). See the module doc for the rule."""
    size = img.shape[-1]
    sm = ndimage.gaussian_filter(img.astype(np.float32), smoothing_sigma(size), mode="nearest")
    fg = sm > otsu_threshold(sm)
    lab, n = ndimage.label(fg, structure=np.ones((3, 3), bool))
    areas = np.bincount(lab.ravel(), minlength=n + 1)[1:]
    keep = areas >= min_object_area(size)
    remap = np.zeros(n + 1, np.int32)
    remap[1:][keep] = np.arange(1, int(keep.sum()) + 1)
    return remap[lab], areas[keep]


def image_stats(img: np.ndarray) -> dict:
    """Statistics of one uint8 [H, W] image: mean and background in [0, 1], object count, object areas."""
    v = img.astype(np.float64) / 255.0
    _, areas = segment(img)
    return {"mean_intensity": float(v.mean()), "background": float(np.percentile(v, 10)),
            "objects": int(len(areas)), "areas": areas}


def distribution_stats(images: np.ndarray) -> dict:
    """uint8 [N, C, H, W] (channel 0 is used) -> per-image arrays and the pooled object areas."""
    per = [image_stats(im[0]) for im in images]
    return {
        "mean_intensity": np.array([p["mean_intensity"] for p in per]),
        "background": np.array([p["background"] for p in per]),
        "objects_per_image": np.array([p["objects"] for p in per], np.float64),
        "object_area": (np.concatenate([p["areas"] for p in per]).astype(np.float64)
                        if per else np.zeros(0)),
    }


def _quantiles(x: np.ndarray) -> dict:
    if len(x) == 0:
        return {"median": float("nan"), "p25": float("nan"), "p75": float("nan"), "n": 0}
    q = np.percentile(x, [25, 50, 75])
    return {"median": float(q[1]), "p25": float(q[0]), "p75": float(q[2]), "n": int(len(x))}


def relative_difference(gen: float, sim: float) -> float:
    if not (math.isfinite(gen) and math.isfinite(sim)):
        return float("inf")
    if sim == 0:
        return 0.0 if gen == 0 else float("inf")
    return gen / sim - 1.0


def diversity(images: np.ndarray, pairs: int = DIVERSITY_PAIRS, seed: int = 0) -> float:
    """Mean RMS difference ([0, 1] units, all channels) over random pairs i != j."""
    n = len(images)
    if n < 2:
        return float("nan")
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, pairs)
    j = (i + rng.integers(1, n, pairs)) % n          # uniform over j != i
    flat = images.reshape(n, -1)
    d = np.empty(pairs)
    for k in range(0, pairs, 256):
        a = flat[i[k:k + 256]].astype(np.float32) / 255.0
        b = flat[j[k:k + 256]].astype(np.float32) / 255.0
        d[k:k + 256] = np.sqrt(np.square(a - b).mean(axis=1))
    return float(d.mean())


# -------------------------------------------------------------------------------------- nearest neighbours

def _downsample(images: np.ndarray, side: int) -> np.ndarray:
    """uint8/float [N, C, R, R] -> float32 [N, C, side, side] block means in [0, 1] (side >= R: unchanged)."""
    n, c, r, _ = images.shape
    x = images.astype(np.float32) / 255.0
    if r <= side:
        return x
    f = r // side
    return x.reshape(n, c, side, f, side, f).mean(axis=(3, 5))


def _dihedral(x: np.ndarray) -> list:
    """The 8 rotations / flips of [..., H, W] arrays (index t: rot90 by t % 4, flipped when t >= 4)."""
    out = []
    for flip in (False, True):
        y = x[..., ::-1] if flip else x
        for k in range(4):
            out.append(np.ascontiguousarray(np.rot90(y, k, axes=(-2, -1))))
    return out


def downsample_dataset(data: np.ndarray, side: int = NN_DOWN, chunk: int = 1000) -> np.ndarray:
    """Coarse copy of a (possibly memory-mapped) uint8 training set, flattened: float32 [N, C*side*side]."""
    n = data.shape[0]
    r = data.shape[-1]
    s = min(side, r)
    out = np.empty((n, data.shape[1] * s * s), np.float32)
    for k in range(0, n, chunk):
        out[k:k + chunk] = _downsample(np.asarray(data[k:k + chunk]), s).reshape(min(chunk, n - k), -1)
    return out


def nearest_neighbours(queries: np.ndarray, data: np.ndarray, coarse: np.ndarray = None,
                       side: int = NN_DOWN, refine: int = NN_REFINE, others: int = 0):
    """For each uint8 query [C, R, R]: the smallest full-resolution RMS difference ([0, 1] units) to a training
    image over the 8 rotations / flips of the query. Returns (distances, training indices, transforms, the
    distances to the next `others` nearest distinct training images [Q, others])."""
    if coarse is None:
        coarse = downsample_dataset(data, side)
    tnorm = np.square(coarse).sum(axis=1)                     # [T]
    s = min(side, queries.shape[-1])
    q_coarse = _downsample(queries, s)                         # [Q, C, s, s]
    variants = _dihedral(q_coarse)                             # 8 x [Q, C, s, s]
    k = min(max(refine, others + 1), coarse.shape[0])
    dist, idx, trans, nxt = [], [], [], []
    for qi in range(len(queries)):
        qv = np.stack([v[qi].reshape(-1) for v in variants])  # [8, D]
        d2 = np.square(qv).sum(axis=1)[:, None] + tnorm[None, :] - 2.0 * (qv @ coarse.T)  # [8, T]
        per_image = d2.min(axis=0)
        cand = np.argpartition(per_image, k - 1)[:k]
        full = _dihedral(queries[qi].astype(np.float32) / 255.0)
        found = []
        for ti in cand:
            ref = np.asarray(data[ti], np.float32) / 255.0
            dd = [float(np.sqrt(np.square(f - ref).mean())) for f in full]
            t = int(np.argmin(dd))
            found.append((dd[t], int(ti), t))
        found.sort()
        dist.append(found[0][0])
        idx.append(found[0][1])
        trans.append(found[0][2])
        nxt.append([f[0] for f in found[1:1 + others]])
    return np.array(dist), np.array(idx), np.array(trans), np.array(nxt).reshape(len(queries), others)


def copy_ratio(nearest: np.ndarray, following: np.ndarray) -> np.ndarray:
    """Distance to the nearest training image over the median distance to the next ones (copies: well below 1)."""
    return nearest / np.maximum(np.median(following, axis=1), 1e-12)


# ------------------------------------------------------------------------------------------------ evaluate

def evaluate(gen: np.ndarray, sim: np.ndarray, train: np.ndarray = None, *, copy_queries: int = COPY_QUERIES,
             pairs: int = DIVERSITY_PAIRS, log=None) -> dict:
    """All criteria for uint8 image arrays [N, C, R, R]: generated `gen`, simulated held-out `sim`, training set
    `train` (None: the copy check is skipped and counts as not passed). Works on any uint8 arrays, e.g.
    simulated images passed as `gen` for a sanity check."""
    if gen.dtype != np.uint8 or sim.dtype != np.uint8:
        raise ValueError("images must be uint8")
    if gen.shape[1:] != sim.shape[1:]:
        raise ValueError(f"generated {gen.shape[1:]} and simulated {sim.shape[1:]} images differ in shape")
    log = log or (lambda msg: None)
    timing = {}
    t0 = time.time()
    gs, ss = distribution_stats(gen), distribution_stats(sim)
    timing["statistics"] = time.time() - t0
    criteria = {}
    for key, label, _ in STATS:
        g, s = _quantiles(gs[key]), _quantiles(ss[key])
        rel = relative_difference(g["median"], s["median"])
        criteria[key] = {"label": label, "generated": g["median"], "simulated": s["median"],
                         "generated_quartiles": [g["p25"], g["p75"]], "simulated_quartiles": [s["p25"], s["p75"]],
                         "generated_n": g["n"], "simulated_n": s["n"],
                         "rel_diff": rel, "limit": f"|rel_diff| <= {STAT_TOLERANCE}",
                         "passed": bool(abs(rel) <= STAT_TOLERANCE)}
    t0 = time.time()
    dg, dsim = diversity(gen, pairs), diversity(sim, pairs)
    ratio = dg / dsim if dsim > 0 else float("nan")
    criteria["diversity"] = {"label": "diversity (pair RMS)", "generated": dg, "simulated": dsim, "ratio": ratio,
                             "pairs": pairs, "limit": f"ratio >= {DIVERSITY_MIN_RATIO}",
                             "passed": bool(ratio >= DIVERSITY_MIN_RATIO)}
    timing["diversity"] = time.time() - t0
    copies = {"label": "copies of training images", "limit": f"NN < {COPY_RATIO} * median of the next "
                                                              f"{COPY_OTHERS}: none"}
    if train is None:
        copies.update(passed=False, skipped=True, reason="no training set given (--train-data)")
    else:
        if tuple(train.shape[1:]) != tuple(gen.shape[1:]):
            raise ValueError(f"training set images {tuple(train.shape[1:])} differ from generated "
                             f"{tuple(gen.shape[1:])}")
        t0 = time.time()
        log(f"nearest neighbours in {train.shape[0]} training images ...")
        coarse = downsample_dataset(train)
        nq = min(copy_queries, len(gen))
        nh = min(copy_queries, len(sim))
        gd, gi, gt, gn = nearest_neighbours(gen[:nq], train, coarse, others=COPY_OTHERS)
        hd, _, _, hn = nearest_neighbours(sim[:nh], train, coarse, others=COPY_OTHERS)
        gr, hr = copy_ratio(gd, gn), copy_ratio(hd, hn)
        thr = COPY_FACTOR * float(np.percentile(hd, COPY_PERCENTILE))
        flagged = [int(k) for k in np.nonzero(gr < COPY_RATIO)[0]]
        copies.update(
            passed=not flagged, skipped=False, ratio_limit=COPY_RATIO, training_images=int(train.shape[0]),
            generated_ratio=_quantiles(gr), heldout_ratio=_quantiles(hr),
            generated_ratio_min=float(gr.min()), heldout_ratio_min=float(hr.min()),
            generated_nn=_quantiles(gd), heldout_nn=_quantiles(hd),
            generated_nn_min=float(gd.min()), heldout_nn_min=float(hd.min()),
            heldout_nn_p5=float(np.percentile(hd, COPY_PERCENTILE)), threshold=thr,
            absolute_rule_flagged=int((gd < thr).sum()),
            queries=nq, heldout_queries=nh, copies=len(flagged),
            flagged=[{"generated_index": k, "training_index": int(gi[k]), "transform": int(gt[k]),
                      "distance": float(gd[k]), "ratio": float(gr[k])} for k in flagged],
            generated_nn_distances=[float(x) for x in gd], heldout_nn_distances=[float(x) for x in hd])
        timing["copies"] = time.time() - t0
    criteria["copies"] = copies
    n_pass = sum(1 for c in criteria.values() if c["passed"])
    return {"criteria": criteria, "passed_count": n_pass, "criteria_count": len(criteria),
            "all_passed": n_pass == len(criteria), "deviation_sum": deviation_sum(criteria),
            "images": {"generated": int(len(gen)), "simulated": int(len(sim)),
                       "resolution": int(gen.shape[-1]), "channels": int(gen.shape[1])},
            "timing_s": timing}


def deviation_sum(criteria: dict) -> float:
    """Sum over the four statistics of |relative difference| plus |diversity ratio - 1|."""
    total = sum(abs(criteria[k]["rel_diff"]) for k, _, _ in STATS)
    return float(total + abs(criteria["diversity"]["ratio"] - 1.0))


def _num(x) -> float:
    return float("inf") if x is None else float(x)


def improved(current: dict, previous: dict):
    """(bool, reason): more criteria pass, or as many and a smaller deviation sum."""
    cp, pp = current["passed_count"], previous["passed_count"]
    if cp != pp:
        return cp > pp, f"{cp} criteria pass (previous: {pp})"
    cd, pd = _num(current["deviation_sum"]), _num(previous["deviation_sum"])
    return cd < pd, f"{cp} criteria pass as before; deviation sum {cd:.4f} (previous: {pd:.4f})"


# ------------------------------------------------------------------------------------------------ output

def _fmt(x, digits=4):
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    if abs(x) >= 100:
        return f"{x:.0f}"
    return f"{x:.{digits}f}" if abs(x) < 1 or x != int(x) else f"{x:.1f}"


def format_table(result: dict) -> str:
    cr = result["criteria"]
    lines = [f"{'criterion':<28}{'generated':>11}{'simulated':>11}{'deviation':>12}  {'limit':<22}result",
             "-" * 92]
    for key, _, _ in STATS:
        c = cr[key]
        lines.append(f"{c['label'] + ' (median)':<28}{_fmt(c['generated']):>11}{_fmt(c['simulated']):>11}"
                     f"{c['rel_diff'] * 100:>+11.1f}%  {'within +-25%':<22}{'PASS' if c['passed'] else 'FAIL'}")
    d = cr["diversity"]
    lines.append(f"{d['label']:<28}{_fmt(d['generated']):>11}{_fmt(d['simulated']):>11}"
                 f"{'ratio ' + format(d['ratio'], '.3f'):>12}  {'ratio >= 0.70':<22}{'PASS' if d['passed'] else 'FAIL'}")
    c = cr["copies"]
    if c.get("skipped"):
        lines.append(f"{c['label']:<28}{'skipped':>11}{'':>11}{'':>12}  {'none':<22}FAIL ({c['reason']})")
    else:
        lines.append(f"{c['label']:<28}{str(c['copies']) + ' of ' + str(c['queries']):>11}{'':>11}{'':>12}  "
                     f"{'none':<22}{'PASS' if c['passed'] else 'FAIL'}")
        g, h = c["generated_nn"], c["heldout_nn"]
        lines.append(f"  nearest / next nearest training image: generated min {c['generated_ratio_min']:.2f} "
                     f"(median {c['generated_ratio']['median']:.2f}), held-out simulated min "
                     f"{c['heldout_ratio_min']:.2f}; copy below {c['ratio_limit']}")
        lines.append(f"  NN RMS distance to the {c['training_images']} training images: generated median "
                     f"{g['median']:.4f} (min {c['generated_nn_min']:.4f}), held-out simulated median "
                     f"{h['median']:.4f} (p5 {c['heldout_nn_p5']:.4f}); the earlier absolute rule (< "
                     f"{c['threshold']:.4f}) would flag {c['absolute_rule_flagged']}")
    lines.append("-" * 92)
    lines.append(f"{result['passed_count']} of {result['criteria_count']} criteria pass; deviation sum "
                 f"{result['deviation_sum']:.4f}; {'ALL PASS' if result['all_passed'] else 'FAIL'}")
    return "\n".join(lines)


def _finite(o):
    """Non-finite floats become null (strict JSON has no Infinity / NaN)."""
    if isinstance(o, float) and not math.isfinite(o):
        return None
    if isinstance(o, dict):
        return {k: _finite(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_finite(v) for v in o]
    return o


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o))


# ------------------------------------------------------------------------------------------------ images

class GeneratorSource:
    """A bundle (TorchScript generator.pt + model.json) or a train.py checkpoint (config + G_ema)."""

    def __init__(self, bundle: str = None, checkpoint: str = None):
        import torch
        self.torch = torch
        if bundle:
            with open(os.path.join(bundle, "model.json")) as f:
                meta = json.load(f)
            self.module = torch.jit.load(os.path.join(bundle, meta.get("weights", {}).get("file", "generator.pt")),
                                         map_location="cpu")
            self.resolution, self.channels = int(meta["resolution"]), int(meta["image_channels"])
            self.z_dim = int(meta["z_dim"])
            self.out_min = float(meta["intensity"]["output_min"])
            self.out_max = float(meta["intensity"]["output_max"])
            self.description = {"bundle": os.path.abspath(bundle), "name": meta.get("name")}
        else:
            import stylegan2
            ckpt = torch.load(checkpoint, map_location="cpu")
            G = stylegan2.build(ckpt["config"])
            G.load_state_dict(ckpt["G_ema"])
            G.eval()
            G.set_random_noise(False)
            for p in G.parameters():
                p.requires_grad_(False)
            self.module = G
            self.resolution, self.channels, self.z_dim = G.resolution, G.img_channels, G.z_dim
            self.out_min, self.out_max = -1.0, 1.0        # train.py: reals = uint8 / 127.5 - 1
            self.description = {"checkpoint": os.path.abspath(checkpoint), "state": ckpt.get("state")}

    def z(self, seed: int):
        return self.torch.randn([1, self.z_dim], generator=self.torch.Generator().manual_seed(int(seed)))

    def generate(self, seeds, psi: float = 1.0, batch: int = 16) -> np.ndarray:
        """uint8 [N, C, R, R] for the given seeds (see the module doc for the z and intensity rules)."""
        torch = self.torch
        seeds = list(seeds)
        out = np.empty((len(seeds), self.channels, self.resolution, self.resolution), np.uint8)
        psi_t = torch.tensor(float(psi))
        with torch.no_grad():
            for k in range(0, len(seeds), batch):
                z = torch.cat([self.z(s) for s in seeds[k:k + batch]])
                img = self.module.synthesis(self.module.mapping(z, psi_t))
                v = ((img - self.out_min) / (self.out_max - self.out_min)).clamp(0.0, 1.0)
                out[k:k + len(z)] = (v * 255.0).round().to(torch.uint8).numpy()
        return out


def simulated_images(count: int, size: int, channels: int, start_seed: int = SIM_START_SEED) -> np.ndarray:
    """uint8 [count, channels, size, size] = round(255 * simulate(start_seed + i)), as train.py's data."""
    return simulate.generate_dataset(count, size, channels, start_seed)


def default_train_data(checkpoint: str, resolution: int, channels: int):
    """train.py's cache: RUN_DIR/../data-RES-CH.npy, RUN_DIR being the checkpoint's folder."""
    run_dir = os.path.dirname(os.path.abspath(checkpoint))
    path = os.path.join(os.path.dirname(run_dir), f"data-{resolution}-{channels}.npy")
    return path if os.path.exists(path) else None


def write_sheet(path: str, images: np.ndarray) -> None:
    simulate.write_png(path, simulate.contact_sheet([im.astype(np.float32) / 255.0 for im in images]))


# ------------------------------------------------------------------------------------------------ main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--bundle", help="a bundle folder (generator.pt + model.json)")
    src.add_argument("--checkpoint", help="a train.py checkpoint (config + G_ema)")
    src.add_argument("--sim-as-generated", type=int, metavar="START_SEED",
                     help="sanity check: use simulated images from START_SEED + i as the 'generated' images "
                          "(--resolution and --channels give their shape)")
    ap.add_argument("--resolution", type=int, default=128, help="only with --sim-as-generated")
    ap.add_argument("--channels", type=int, default=1, help="only with --sim-as-generated")
    ap.add_argument("--count", type=int, default=500, help="generated images (seeds 0 .. count-1)")
    ap.add_argument("--sim-count", type=int, default=500,
                    help=f"simulated held-out images (seeds {SIM_START_SEED} + i)")
    ap.add_argument("--psi", type=float, default=1.0,
                    help="truncation for the statistics (default 1.0: truncation shrinks diversity)")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = all cores)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--train-data", help="the training set, uint8 .npy [N, C, R, R] (default for a checkpoint: "
                                         "RUN_DIR/../data-RES-CH.npy if it exists)")
    ap.add_argument("--json", help="write all numbers and the pass/fail of every criterion here")
    ap.add_argument("--sheet", help="write a 4x4 contact sheet of generated seeds 0..15 (PNG)")
    ap.add_argument("--sheet-psi", type=float, help="truncation for the sheet (default: --psi)")
    ap.add_argument("--compare-previous", metavar="FILE.json",
                    help="a previous --json result: print whether this one improved on it")
    a = ap.parse_args(argv)
    if a.count < 2 or a.sim_count < 2:
        ap.error("--count and --sim-count must be at least 2")

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    t_all = time.time()
    timing = {}
    source = None
    if a.sim_as_generated is not None:
        res, ch = a.resolution, a.channels
        t0 = time.time()
        gen = simulated_images(a.count, res, ch, a.sim_as_generated)
        timing["generate"] = time.time() - t0
        desc = {"simulated_as_generated": a.sim_as_generated}
    else:
        import torch
        torch.set_num_threads(a.threads or os.cpu_count())
        source = GeneratorSource(a.bundle, a.checkpoint)
        res, ch = source.resolution, source.channels
        log(f"generating {a.count} images at {res} px, psi {a.psi}, {torch.get_num_threads()} threads ...")
        t0 = time.time()
        gen = source.generate(range(a.count), a.psi, a.batch)
        timing["generate"] = time.time() - t0
        desc = source.description
    log(f"simulating {a.sim_count} held-out images ...")
    t0 = time.time()
    sim = simulated_images(a.sim_count, res, ch)
    timing["simulate"] = time.time() - t0

    train_path = a.train_data
    if train_path is None and a.checkpoint:
        train_path = default_train_data(a.checkpoint, res, ch)
    train = np.load(train_path, mmap_mode="r") if train_path else None

    result = evaluate(gen, sim, train, log=log)
    timing.update(result.pop("timing_s"))
    if a.sheet:
        if source is None:
            sheet_imgs = gen[:16]
        else:
            sp = a.psi if a.sheet_psi is None else a.sheet_psi
            sheet_imgs = gen[:16] if sp == a.psi else source.generate(range(16), sp, a.batch)
        write_sheet(a.sheet, sheet_imgs)
        log(f"contact sheet: {a.sheet}")
    timing["total"] = time.time() - t_all
    result.update(source=desc, psi=a.psi, generated_seeds=f"0..{a.count - 1}",
                  simulated_seeds=f"{SIM_START_SEED}..{SIM_START_SEED + a.sim_count - 1}",
                  train_data=os.path.abspath(train_path) if train_path else None,
                  threads=(None if source is None else source.torch.get_num_threads()), timing_s=timing,
                  rules={"stat_tolerance": STAT_TOLERANCE, "diversity_min_ratio": DIVERSITY_MIN_RATIO,
                         "copy_ratio": COPY_RATIO, "copy_others": COPY_OTHERS,
                         "copy_factor": COPY_FACTOR, "copy_percentile": COPY_PERCENTILE,
                         "smoothing_sigma_px": smoothing_sigma(res), "min_object_area_px": min_object_area(res)})
    print(format_table(result))
    print("time: " + ", ".join(f"{k} {v:.1f} s" for k, v in timing.items()))
    if a.compare_previous:
        with open(a.compare_previous) as f:
            prev = json.load(f)
        better, why = improved(result, prev)
        result["compare_previous"] = {"file": os.path.abspath(a.compare_previous), "improved": better,
                                      "reason": why}
        print(f"improved: {'yes' if better else 'no'} ({why})")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(_finite(json.loads(json.dumps(result, default=_json_default))), f, indent=2)
            f.write("\n")
    return 0 if result["all_passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
