#!/usr/bin/env python3
"""Evidence of quality: a generator's images against the simulator's (tools/simulate.py).

  /usr/bin/python3 tools/quality.py --checkpoint RUN_DIR/checkpoint.pt [--train-data DATA.npy] \\
      [--count 500] [--psi 1.0] [--threads 2] [--json FILE.json] [--sheet docs/sample-contact-sheet.png] \\
      [--c2st-epochs 10] [--compare-previous OLD.json]
  /usr/bin/python3 tools/quality.py --bundle sample-models/nuclei-128 --train-data DATA.npy ...

Exit code: 0 when every criterion passes (the six below and the stricter gate's six; two-channel images: three
more), 1 when at least one fails (or the copy check could not run: no training set), 2 for usage errors.
`--compare-previous` does not change the exit code; it prints "improved: yes|no" and stores the answer in the JSON ("compare_previous").

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
* Reference (the sim-vs-sim baselines): simulate(seed) for seeds 7_000_000 + i (i < --count), as many as
  generated. Every criterion is also computed for these images in place of the generated ones, against the same
  held-out set: what a generator that *is* the simulator would score with these sample sizes (JSON "baseline";
  the table's "sim-vs-sim" column).
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
Two-channel images (nuclei + cytoplasm) add three such medians on channel 1 (SECOND_CHANNEL_STATS): its mean
intensity, its background (10th percentile), and its brightness near the channel-0 objects against far from them
(mean within 12 px * R / 256 of an object, outside it, divided by the mean farther than 40 px * R / 256 from every
object; images without both are left out): the second stain must sit around the nuclei, not anywhere.
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

The stricter gate (issue: a model passing the six criteria above was told from the simulator by a small CNN
at 99.7 %: they do not see shape or texture). On the objects of the segmentation above that do not touch the
image border (object_features()):
  object area / solidity / eccentricity distributions
                     area in px; solidity = area / area of the convex hull of its pixels (as unit squares);
                     eccentricity of the ellipse with the same second moments. Figure: the two-sample
                     Kolmogorov-Smirnov statistic (largest difference of the two empirical CDFs) between the
                     generated and the simulated objects' values; the whole distribution, not only the median.
  texture inside objects
                     std of the high-pass image (pixel minus its Gaussian blur, sigma 2 px * R / 256, the blur taken
                     over the object's own pixels) over the object eroded by 2 px * R / 256 (at least 1), divided by
                     the mean intensity there: chromatin texture and camera noise relative to the brightness. Figure:
                     KS statistic as above.
  goal for these four: KS <= max(0.10, 3 x the sim-vs-sim KS) (DIST_FLOOR, DIST_FACTOR: the reasoning is at
                     the constants).
  merged objects     an object is merged (two or more nuclei, or an elongated / branched blob) when the core of its
                     distance transform (distance >= 0.5 x its largest inscribed radius r) falls into two or more
                     pieces of at least 12 px * (R / 256)^2, or its area exceeds 2.2 pi r^2; objects with r < 8 px *
                     R / 256 are not judged. On the simulator's labels (300 images at 128 px) it finds 84.5 % of the
                     truly merged objects with 90.5 % precision. Figure:
                     |merged fraction of the judged generated objects - the simulated one|; goal <= max(0.05, 3 x
                     the sim-vs-sim difference).
  classifier two-sample test (C2ST, Lopez-Paz & Oquab 2017)
                     a CNN (4 convolutions 3x3 of stride 2 with 16-32-64-64 channels, batch norm, ReLU; global average
                     pool; linear) on log(1 + uint8) / log(256), all channels, trained for 10 epochs (Adam 1e-3,
                     batch 32, a random rotation / flip per batch, torch seed 0) on 60 % of the generated and 60 %
                     of the held-out simulated images (numpy seed 0); figure: the balanced accuracy on the other
                     40 %. Goal <= 0.70 (0.5: chance). The baseline trains the same CNN on reference vs held-out
                     images. 500 images a side at 128 px: about 1.5 min per classifier on 2 cores.
                     Beside it, a diagnostic that is not a criterion (JSON c2st.blurred): the same test on both sets
                     blurred with a Gaussian of sigma 4 px * R / 256, which hides most of the camera noise; the
                     classifier also sees the noise's distribution (C2ST_BLUR_SIGMA_REF: the measurements), so a
                     model told apart as it is but near chance blurred differs mainly in its noise.
The strict criteria are JSON keys area_distribution, solidity, eccentricity, texture, merged_objects and c2st,
each with figure, baseline, goal, passed, score (figure / goal; C2ST: (accuracy - 0.5) / (goal - 0.5)) and
detail (one line for the model card); the medians of the per-object values are "generated" and "simulated".
The six earlier criteria keep their keys and gain "baseline" and "detail".

"Improved" (--compare-previous, function improved()): more criteria pass than in the previous result, or as
many pass and the deviation sum is smaller; deviation sum = sum over the four statistics of |relative
difference| + |diversity ratio - 1| + the strict criteria's scores (each 1 at its goal). A previous result with
another set of criteria (measured by an older quality.py) is never improved on: re-measure the previous model with
this one first.
"""
import argparse
import hashlib
import json
import math
import os
import sys
import time

import numpy as np
from scipy import ndimage
from scipy.spatial import ConvexHull, QhullError

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

# The stricter gate. Every figure below is also computed for a second, independent simulator set (seeds
# REF_START_SEED + i, as many images as generated) against the same held-out set: the sim-vs-sim baseline, i.e.
# what a generator that *is* the simulator would score with these sample sizes.
REF_START_SEED = 7_000_000
C2ST_MAX_ACCURACY = 0.70        # goal: held-out balanced accuracy of the classifier two-sample test (chance: 0.5)
C2ST_EPOCHS = 10                # the shipped nuclei-128 is told apart at 0.89 after 3 epochs, 1.0 from 4 on
C2ST_TRAIN_FRACTION = 0.6       # of each set; the rest is held out
C2ST_CHANNELS = (16, 32, 64, 64)  # 3x3 convolutions of stride 2, batch norm, ReLU; global average pool; linear
C2ST_BATCH = 32
C2ST_LR = 1e-3                  # Adam
C2ST_SEED = 0
# A diagnostic beside the classifier test, not a criterion: the same test on images blurred with this sigma (px at
# 256 px, scaled with the resolution), which hides most of the camera noise. Measured at 128 px (300 images a side):
# the simulator's own noise-free scenes are told from simulator images at 1.000 as they are and 0.63 blurred; with a
# Gaussian noise of the right strength per image, 0.96 and 0.75; nuclei-128 at 1.000 and 0.97. So the classifier
# also sees the camera's noise distribution (a generator with the simulator's shapes but a Gaussian noise would fail
# the test); the blurred figure says how much of a model's difference is more than that noise.
C2ST_BLUR_SIGMA_REF = 4.0
# Distribution criteria (KS statistic between the generated and the simulated per-object values): goal
# KS <= max(DIST_FLOOR, DIST_FACTOR * the sim-vs-sim KS). Measured at 128 px, 500 images a side, four reference
# sets (seeds 6, 7, 8, 9 million + i) against the held-out set: sim-vs-sim KS 0.014-0.027 for area, solidity and
# eccentricity, 0.018-0.053 for texture (the noisiest: the exposure varies per image). 0.10 (no quantile of the two
# distributions differs by more than 10 percentage points) is a small effect, about 2-7x that sampling noise, and
# below what the eye notices (the shipped nuclei-128: 0.17-0.20). With few images (tests, --count 100) the sampling
# noise itself grows towards 0.1, and DIST_FACTOR x the measured baseline keeps a simulator-like set from failing
# by chance.
DIST_FLOOR = 0.10
DIST_FACTOR = 3.0
# Merged objects: goal |merged rate generated - simulated| <= max(MERGE_FLOOR, DIST_FACTOR * the sim-vs-sim
# difference). The simulator's rate is about 0.2 (nuclei touch in clusters); 0.05 is a quarter of it, the old
# criteria's +-25 %, and 4x or more the sim-vs-sim difference at 500 images (0.0005-0.011, the four sets above).
MERGE_FLOOR = 0.05
MERGE_CORE_FRACTION = 0.5       # core = distance to the background >= this * the object's largest inscribed radius
MERGE_FILL = 2.2                # merged when the area exceeds this many discs of the largest inscribed radius
MERGE_MIN_RADIUS_REF = 8.0      # px at 256 px: objects with a smaller inscribed radius are not judged
MERGE_CORE_PX_REF = 12.0        # px at 256 px (scaled with the resolution squared, at least 1): a core piece
TEXTURE_SIGMA_REF = 2.0         # px at 256 px: texture = object's pixels minus their Gaussian blur of this sigma
TEXTURE_EROSION_REF = 2.0       # px at 256 px (at least 1): the outline's ramp is not texture
TEXTURE_MIN_PX = 10             # objects with fewer pixels left after the erosion have no texture value

STRICT_DISTRIBUTIONS = [  # (key, label, object_features field): KS criteria of the stricter gate
    ("area_distribution", "object area distribution", "area"),
    ("solidity", "object solidity", "solidity"),
    ("eccentricity", "object eccentricity", "eccentricity"),
    ("texture", "texture inside objects", "texture"),
]

STATS = [  # (key, label in the table, unit)
    ("mean_intensity", "mean intensity", ""),
    ("background", "background p10", ""),
    ("objects_per_image", "objects per image", ""),
    ("object_area", "object area (px)", ""),
]
SECOND_CHANNEL_STATS = [  # the same rule (median, |relative difference| <= 0.25) on channel 1 of 2-channel images
    ("ch2_mean_intensity", "channel 2 mean intensity", ""),
    ("ch2_background", "channel 2 background p10", ""),
    ("ch2_around_objects", "channel 2 near/far ratio", ""),
]
NEAR_REF_PX = 12.0              # channel 2 "near": within this distance (px at 256) of a channel-0 object
FAR_REF_PX = 40.0               # channel 2 "far": farther than this from every channel-0 object


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


def image_stats(img: np.ndarray, seg=None) -> dict:
    """Statistics of one uint8 [H, W] image: mean and background in [0, 1], object count, object areas. `seg`:
    segment(img) when the caller already has it."""
    v = img.astype(np.float64) / 255.0
    _, areas = seg if seg is not None else segment(img)
    return {"mean_intensity": float(v.mean()), "background": float(np.percentile(v, 10)),
            "objects": int(len(areas)), "areas": areas}


def second_channel_stats(img: np.ndarray, lab: np.ndarray) -> dict:
    """Channel 1 of one uint8 [C, H, W] image (e.g. cytoplasm beside nuclei in channel 0), `lab` the label image of
    segment(img[0]): mean and background p10 in [0, 1], and how much brighter it is near channel 0's objects than
    far from them: mean within NEAR_REF_PX * R / 256 of an object (outside it) / mean farther than FAR_REF_PX * R /
    256 from all (NaN when one is empty)."""
    size = img.shape[-1]
    v = img[1].astype(np.float64) / 255.0
    dist = ndimage.distance_transform_edt(lab == 0)
    near = (dist > 0) & (dist <= NEAR_REF_PX * size / 256.0)
    far = dist > FAR_REF_PX * size / 256.0
    ratio = float(v[near].mean() / max(v[far].mean(), 1.0 / 255.0)) if near.any() and far.any() else float("nan")
    return {"ch2_mean_intensity": float(v.mean()), "ch2_background": float(np.percentile(v, 10)),
            "ch2_around_objects": ratio}


def distribution_stats(images: np.ndarray) -> dict:
    """uint8 [N, C, H, W] (channel 0 is used; with two or more channels also channel 1, SECOND_CHANNEL_STATS)
    -> per-image arrays and the pooled object areas."""
    segs = [segment(im[0]) for im in images]  # once per image, for both channels' statistics
    per = [image_stats(im[0], seg) for im, seg in zip(images, segs)]
    out = {
        "mean_intensity": np.array([p["mean_intensity"] for p in per]),
        "background": np.array([p["background"] for p in per]),
        "objects_per_image": np.array([p["objects"] for p in per], np.float64),
        "object_area": (np.concatenate([p["areas"] for p in per]).astype(np.float64)
                        if per else np.zeros(0)),
    }
    if images.ndim == 4 and images.shape[1] >= 2:
        per2 = [second_channel_stats(im, seg[0]) for im, seg in zip(images, segs)]
        for key, _, _ in SECOND_CHANNEL_STATS:
            x = np.array([p[key] for p in per2], np.float64)
            out[key] = x[np.isfinite(x)]
    return out


def stats_for(channels: int):
    """The median criteria for images of this many channels: STATS, and SECOND_CHANNEL_STATS from two on."""
    return STATS + (SECOND_CHANNEL_STATS if channels >= 2 else [])


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


# ------------------------------------------------------------------------------ objects: shape and texture

def _hull_area(mask: np.ndarray) -> float:
    """Area of the convex hull of the mask's pixels taken as unit squares (their corners), in px."""
    edge = mask & ~ndimage.binary_erosion(mask)          # the hull's vertices are corners of boundary pixels
    ys, xs = np.nonzero(edge)
    pts = np.concatenate([np.stack([ys + dy, xs + dx], 1) for dy in (-0.5, 0.5) for dx in (-0.5, 0.5)])
    try:
        return float(ConvexHull(pts).volume)             # 2-D "volume" is the area
    except QhullError:                                   # all corners on one line cannot happen; be safe
        return float(mask.sum())


def _eccentricity(mask: np.ndarray) -> float:
    """Eccentricity of the ellipse with the same second moments as the mask's pixels (unit squares): 0 for a
    disc, towards 1 for a line."""
    ys, xs = np.nonzero(mask)
    c = np.cov(np.stack([ys, xs]).astype(np.float64), bias=True) + np.eye(2) / 12.0
    lo, hi = np.linalg.eigvalsh(c)
    return float(math.sqrt(max(0.0, 1.0 - lo / hi)))


def _merged(mask: np.ndarray, size: int):
    """(judged, merged) for one object mask: merged when it does not look like one nucleus, i.e. the core
    {distance to the background >= MERGE_CORE_FRACTION * its maximum R} falls apart into two or more pieces of at
    least merge_core_px() (two round nuclei joined by a neck), or the object's area exceeds MERGE_FILL * pi R^2
    (more than MERGE_FILL inscribed discs: elongated or branched blobs of one width). Objects with R below
    merge_min_radius() are too small to judge."""
    d = ndimage.distance_transform_edt(np.pad(mask, 1))
    r = float(d.max())
    if r < merge_min_radius(size):
        return False, False
    core, n = ndimage.label(d >= MERGE_CORE_FRACTION * r, structure=np.ones((3, 3), bool))
    pieces = int((np.bincount(core.ravel(), minlength=n + 1)[1:] >= merge_core_px(size)).sum())
    return True, bool(pieces >= 2 or mask.sum() > MERGE_FILL * math.pi * r * r)


def texture_sigma(size: int) -> float:
    return TEXTURE_SIGMA_REF * size / 256.0


def texture_erosion(size: int) -> int:
    return max(1, int(round(TEXTURE_EROSION_REF * size / 256.0)))


def merge_min_radius(size: int) -> float:
    return MERGE_MIN_RADIUS_REF * size / 256.0


def merge_core_px(size: int) -> int:
    return max(1, int(round(MERGE_CORE_PX_REF * (size / 256.0) ** 2)))


def object_features(img: np.ndarray) -> dict:
    """Per-object measurements of one uint8 [H, W] image, for the objects of segment() that do not touch the image
    border (a cut object's shape is not its own): area (px), solidity (area / convex hull area), eccentricity,
    texture and the merge test (_merged). Texture: the high-pass image img - G_sigma * img, the blur taken over the
    object's own pixels only (normalized convolution: the dark background and the outline's step do not leak in),
    its std over the object eroded by texture_erosion() px divided by the mean intensity there (NaN when fewer than
    TEXTURE_MIN_PX remain): chromatin texture and camera noise, relative to the brightness."""
    size = img.shape[-1]
    lab, _ = segment(img)
    f = img.astype(np.float64)
    sigma = texture_sigma(size)
    pad = int(math.ceil(3 * sigma)) + 1
    er = texture_erosion(size)
    out = {k: [] for k in ("area", "solidity", "eccentricity", "texture", "judged", "merged")}
    for k, sl in enumerate(ndimage.find_objects(lab), 1):
        if sl is None:
            continue
        ys, xs = sl
        if ys.start == 0 or xs.start == 0 or ys.stop == lab.shape[0] or xs.stop == lab.shape[1]:
            continue
        m = lab[sl] == k
        area = int(m.sum())
        out["area"].append(area)
        out["solidity"].append(area / max(_hull_area(m), 1e-9))
        out["eccentricity"].append(_eccentricity(m))
        inner = ndimage.binary_erosion(np.pad(m, 1), iterations=er)[1:-1, 1:-1]
        if inner.sum() >= TEXTURE_MIN_PX:
            fm = np.pad(np.where(m, f[sl], 0.0), pad)
            w = ndimage.gaussian_filter(np.pad(m, pad).astype(np.float64), sigma, mode="constant")
            blur = ndimage.gaussian_filter(fm, sigma, mode="constant") / np.maximum(w, 1e-12)
            hp = (fm - blur)[pad:-pad, pad:-pad]
            out["texture"].append(float(hp[inner].std() / max(f[sl][inner].mean(), 1.0)))
        else:
            out["texture"].append(float("nan"))
        judged, merged = _merged(m, size)
        out["judged"].append(judged)
        out["merged"].append(merged)
    return {k: np.array(v, bool if k in ("judged", "merged") else np.float64) for k, v in out.items()}


def object_distribution(images: np.ndarray) -> dict:
    """uint8 [N, C, H, W] (channel 0) -> object_features() pooled over all images (texture: NaNs dropped)."""
    per = [object_features(im[0]) for im in images]
    out = {}
    for k in ("area", "solidity", "eccentricity", "texture", "judged", "merged"):
        out[k] = np.concatenate([p[k] for p in per]) if per else np.zeros(0)
    out["texture"] = out["texture"][np.isfinite(out["texture"])]
    return out


_MEASURED = {}                  # (function, images' shape and SHA-1) -> result; a few entries, see _measured()


def _measured(fn, images: np.ndarray):
    """fn(images), remembered for the last few image sets: the held-out and reference simulator sets are the same in
    every evaluate() of a process (the tests evaluate many sets against them)."""
    key = (fn.__name__, images.shape, hashlib.sha1(np.ascontiguousarray(images).tobytes()).hexdigest())
    if key not in _MEASURED:
        if len(_MEASURED) >= 8:
            _MEASURED.pop(next(iter(_MEASURED)))
        _MEASURED[key] = fn(images)
    return _MEASURED[key]


def merged_rate(objs: dict) -> float:
    """Fraction of the judged objects (R large enough) that are merged; NaN when none is judged."""
    n = int(objs["judged"].sum())
    return float(objs["merged"].sum() / n) if n else float("nan")


def ks_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov statistic: the largest difference of the two empirical CDFs (0 .. 1); 1 when
    exactly one sample is empty, 0 when both are."""
    if len(a) == 0 or len(b) == 0:
        return 0.0 if len(a) == len(b) else 1.0
    grid = np.concatenate([a, b])
    ca = np.searchsorted(np.sort(a), grid, side="right") / len(a)
    cb = np.searchsorted(np.sort(b), grid, side="right") / len(b)
    return float(np.abs(ca - cb).max())


# ------------------------------------------------------------------------------ classifier two-sample test

def _c2st_net(channels: int):
    import torch.nn as nn
    layers, ch = [], [channels] + list(C2ST_CHANNELS)
    for a, b in zip(ch[:-1], ch[1:]):
        layers += [nn.Conv2d(a, b, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(b), nn.ReLU()]
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(ch[-1], 1))


def c2st_blur_sigma(size: int) -> float:
    return C2ST_BLUR_SIGMA_REF * size / 256.0


def blurred(images: np.ndarray, sigma: float) -> np.ndarray:
    """uint8 images [N, C, R, R] blurred in each image plane with a Gaussian of sigma px, back on 8-bit levels."""
    out = ndimage.gaussian_filter(images.astype(np.float32), (0, 0, sigma, sigma), mode="reflect")
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def c2st(a: np.ndarray, b: np.ndarray, *, epochs: int = C2ST_EPOCHS, train_fraction: float = C2ST_TRAIN_FRACTION,
         seed: int = C2ST_SEED, batch: int = C2ST_BATCH) -> dict:
    """Classifier two-sample test (Lopez-Paz & Oquab 2017): a small CNN learns to tell uint8 images `a` [N, C, R, R]
    from `b` on a random train_fraction of each set and is scored on the rest. Returns the balanced held-out
    accuracy (mean of the two per-set accuracies: 0.5 when the sets cannot be told apart, 1.0 when always), the
    training accuracy of the last epoch and the set sizes. Deterministic for a given seed and thread count."""
    import torch
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    ia, ib = rng.permutation(len(a)), rng.permutation(len(b))
    na = min(max(1, int(round(train_fraction * len(a)))), len(a) - 1)
    nb = min(max(1, int(round(train_fraction * len(b)))), len(b) - 1)

    def prep(x):                      # log scale: dim nuclei and the background count as much as bright ones
        return torch.from_numpy(np.log1p(x.astype(np.float32)) / np.float32(math.log(256.0)))
    xtr = prep(np.concatenate([a[ia[:na]], b[ib[:nb]]]))
    ytr = torch.cat([torch.ones(na), torch.zeros(nb)])
    xte = prep(np.concatenate([a[ia[na:]], b[ib[nb:]]]))
    yte = torch.cat([torch.ones(len(a) - na), torch.zeros(len(b) - nb)])
    net = _c2st_net(a.shape[1])
    opt = torch.optim.Adam(net.parameters(), C2ST_LR)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    correct = seen = 0
    for _ in range(epochs):
        net.train()
        order = torch.from_numpy(rng.permutation(len(xtr)))
        correct = seen = 0
        for k in range(0, len(xtr), batch):
            idx = order[k:k + batch]
            t = int(rng.integers(8))            # a random rotation / flip per batch, as train.py augments
            x = torch.rot90(xtr[idx], t % 4, (2, 3))
            x = torch.flip(x, (3,)) if t >= 4 else x
            logits = net(x).squeeze(1)
            loss = loss_fn(logits, ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            correct += int(((logits > 0).float() == ytr[idx]).sum())
            seen += len(idx)
    # Batch norm's running statistics lag behind the fast-changing weights of a short training (held-out accuracy
    # stayed at 0.5 for blurred vs sharp images that the training batches told apart perfectly): recompute them
    # with the final weights over the training images (cumulative averages), then classify in eval mode.
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    with torch.no_grad():
        for k in range(0, len(xtr), batch):
            net(xtr[k:k + batch])
    net.eval()
    with torch.no_grad():
        pred = torch.cat([net(xte[k:k + 256]).squeeze(1) for k in range(0, len(xte), 256)]) > 0
    acc_a = float((pred[yte == 1]).float().mean())
    acc_b = float((~pred[yte == 0]).float().mean())
    return {"accuracy": 0.5 * (acc_a + acc_b), "accuracy_a": acc_a, "accuracy_b": acc_b,
            "train_accuracy": correct / seen if seen else float("nan"), "train_images": [na, nb],
            "test_images": [len(a) - na, len(b) - nb], "epochs": epochs}


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

def evaluate(gen: np.ndarray, sim: np.ndarray, train: np.ndarray = None, *, ref: np.ndarray = None,
             copy_queries: int = COPY_QUERIES, pairs: int = DIVERSITY_PAIRS, c2st_epochs: int = C2ST_EPOCHS,
             log=None) -> dict:
    """All criteria for uint8 image arrays [N, C, R, R]: generated `gen`, simulated held-out `sim`, training set
    `train` (None: the copy check is skipped and counts as not passed), and `ref`, a second simulator set for the
    sim-vs-sim baselines (None: len(gen) images from seeds REF_START_SEED + i). c2st_epochs=0 skips the classifier
    test (it then counts as not passed). Works on any uint8 arrays, e.g. simulated images passed as `gen` for a
    sanity check."""
    if gen.dtype != np.uint8 or sim.dtype != np.uint8:
        raise ValueError("images must be uint8")
    if gen.shape[1:] != sim.shape[1:]:
        raise ValueError(f"generated {gen.shape[1:]} and simulated {sim.shape[1:]} images differ in shape")
    log = log or (lambda msg: None)
    timing = {}
    t0 = time.time()
    if ref is None:
        ref = simulated_images(len(gen), gen.shape[-1], gen.shape[1], REF_START_SEED)
    if ref.dtype != np.uint8 or ref.shape[1:] != sim.shape[1:]:
        raise ValueError("the reference simulator set must be uint8 images of the same shape")
    timing["reference_set"] = time.time() - t0
    t0 = time.time()
    gs, ss, rs = distribution_stats(gen), _measured(distribution_stats, sim), _measured(distribution_stats, ref)
    timing["statistics"] = time.time() - t0
    criteria = {}
    for key, label, _ in stats_for(gen.shape[1]):
        g, s = _quantiles(gs[key]), _quantiles(ss[key])
        rel = relative_difference(g["median"], s["median"])
        base = relative_difference(_quantiles(rs[key])["median"], s["median"])
        criteria[key] = {"label": label, "generated": g["median"], "simulated": s["median"],
                         "generated_quartiles": [g["p25"], g["p75"]], "simulated_quartiles": [s["p25"], s["p75"]],
                         "generated_n": g["n"], "simulated_n": s["n"],
                         "rel_diff": rel, "limit": f"|rel_diff| <= {STAT_TOLERANCE}",
                         "passed": bool(abs(rel) <= STAT_TOLERANCE), "baseline": base,
                         "detail": f"{rel:+.0%} (sim-vs-sim {base:+.0%}; |rel_diff| <= {STAT_TOLERANCE})"}
    t0 = time.time()
    dg, dsim, dref = diversity(gen, pairs), diversity(sim, pairs), diversity(ref, pairs)
    ratio = dg / dsim if dsim > 0 else float("nan")
    base = dref / dsim if dsim > 0 else float("nan")
    criteria["diversity"] = {"label": "diversity (pair RMS)", "generated": dg, "simulated": dsim, "ratio": ratio,
                             "pairs": pairs, "limit": f"ratio >= {DIVERSITY_MIN_RATIO}",
                             "passed": bool(ratio >= DIVERSITY_MIN_RATIO), "baseline": base,
                             "detail": f"ratio {ratio:.2f} (sim-vs-sim {base:.2f}; ratio >= {DIVERSITY_MIN_RATIO})"}
    timing["diversity"] = time.time() - t0
    copies = {"label": "copies of training images", "limit": f"NN < {COPY_RATIO} * median of the next "
                                                              f"{COPY_OTHERS}: none"}
    if train is None:
        copies.update(passed=False, skipped=True, reason="no training set given (--train-data)",
                      detail="skipped: no training set given (counts as failed)")
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
            generated_nn_distances=[float(x) for x in gd], heldout_nn_distances=[float(x) for x in hd],
            baseline=int((hr < COPY_RATIO).sum()),
            detail=f"{len(flagged)} of {nq} flagged (sim-vs-sim: {int((hr < COPY_RATIO).sum())} of {nh} held-out "
                   f"simulated images; NN < {COPY_RATIO} * median of the next {COPY_OTHERS}: none)")
        timing["copies"] = time.time() - t0
    criteria["copies"] = copies

    # ---- the stricter gate: per-object shape, texture and merges, and a classifier two-sample test
    t0 = time.time()
    go, so, ro = object_distribution(gen), _measured(object_distribution, sim), _measured(object_distribution, ref)
    for key, label, field in STRICT_DISTRIBUTIONS:
        fig, base = ks_distance(go[field], so[field]), ks_distance(ro[field], so[field])
        goal = max(DIST_FLOOR, DIST_FACTOR * base)
        g, s = _quantiles(go[field]), _quantiles(so[field])
        criteria[key] = {"label": label, "generated": g["median"], "simulated": s["median"],
                         "generated_quartiles": [g["p25"], g["p75"]], "simulated_quartiles": [s["p25"], s["p75"]],
                         "generated_n": g["n"], "simulated_n": s["n"], "reference_n": int(len(ro[field])),
                         "figure": fig, "baseline": base, "goal": goal, "statistic": "KS",
                         "limit": f"KS <= max({DIST_FLOOR}, {DIST_FACTOR} x sim-vs-sim)",
                         "passed": bool(fig <= goal), "score": fig / goal,
                         "detail": f"KS {fig:.3f} (sim-vs-sim {base:.3f}; goal <= {goal:.2f})"}
    gr, sr, rr = merged_rate(go), merged_rate(so), merged_rate(ro)
    fig, base = abs(gr - sr), abs(rr - sr)
    if not math.isfinite(fig):
        fig = float("inf")
    goal = max(MERGE_FLOOR, DIST_FACTOR * base) if math.isfinite(base) else MERGE_FLOOR
    criteria["merged_objects"] = {
        "label": "merged objects (rate)", "generated": gr, "simulated": sr, "reference": rr,
        "generated_judged": int(go["judged"].sum()), "simulated_judged": int(so["judged"].sum()),
        "reference_judged": int(ro["judged"].sum()),
        "figure": fig, "baseline": base, "goal": goal,
        "limit": f"|rate difference| <= max({MERGE_FLOOR}, {DIST_FACTOR} x sim-vs-sim)",
        "passed": bool(fig <= goal), "score": fig / goal,
        "detail": f"rate {gr:.3f} vs {sr:.3f}: difference {fig:.3f} (sim-vs-sim {base:.3f}; goal <= {goal:.2f})"}
    timing["objects"] = time.time() - t0
    crit = {"label": "classifier two-sample test", "goal": C2ST_MAX_ACCURACY,
            "limit": f"held-out accuracy <= {C2ST_MAX_ACCURACY}"}
    if c2st_epochs <= 0:
        crit.update(passed=False, skipped=True, generated=None, simulated=None, figure=None, baseline=None,
                    score=0.5 / (C2ST_MAX_ACCURACY - 0.5), detail="skipped (counts as failed)")
    else:
        t0 = time.time()
        log(f"classifier two-sample test: generated vs simulated, {c2st_epochs} epochs ...")
        cg = c2st(gen, sim, epochs=c2st_epochs)
        log("classifier two-sample test: simulated vs simulated (baseline) ...")
        cr = c2st(ref, sim, epochs=c2st_epochs)
        fig, base = cg["accuracy"], cr["accuracy"]
        crit.update(passed=bool(fig <= C2ST_MAX_ACCURACY), skipped=False, generated=fig, simulated=base,
                    figure=fig, baseline=base, score=max(0.0, fig - 0.5) / (C2ST_MAX_ACCURACY - 0.5),
                    generated_vs_simulated=cg, simulated_vs_simulated=cr,
                    detail=f"held-out accuracy {fig:.3f} (sim-vs-sim {base:.3f}; goal <= {C2ST_MAX_ACCURACY})")
        timing["c2st"] = time.time() - t0
        t0 = time.time()
        sigma = c2st_blur_sigma(gen.shape[-1])
        log(f"classifier two-sample test on images blurred with sigma {sigma:g} px (diagnostic) ...")
        blur_sim = blurred(sim, sigma)
        bg = c2st(blurred(gen, sigma), blur_sim, epochs=c2st_epochs)
        br = c2st(blurred(ref, sigma), blur_sim, epochs=c2st_epochs)
        crit["blurred"] = dict(sigma_px=sigma, generated=bg["accuracy"], baseline=br["accuracy"],
                               detail=f"blurred with sigma {sigma:g} px (most camera noise hidden): held-out accuracy "
                                      f"{bg['accuracy']:.3f} (sim-vs-sim {br['accuracy']:.3f}); a diagnostic, "
                                      f"not a criterion")
        timing["c2st_blurred"] = time.time() - t0
    criteria["c2st"] = crit
    n_pass = sum(1 for c in criteria.values() if c["passed"])
    return {"criteria": criteria, "passed_count": n_pass, "criteria_count": len(criteria),
            "all_passed": n_pass == len(criteria), "deviation_sum": deviation_sum(criteria),
            "images": {"generated": int(len(gen)), "simulated": int(len(sim)), "reference": int(len(ref)),
                       "resolution": int(gen.shape[-1]), "channels": int(gen.shape[1])},
            "timing_s": timing}


def deviation_sum(criteria: dict) -> float:
    """Sum over the four statistics (seven with two channels) of |relative difference|, plus |diversity ratio - 1|,
    plus the stricter criteria's scores (figure / goal; the classifier test: (accuracy - 0.5) / (goal - 0.5)),
    each 1 at its goal."""
    total = sum(abs(c["rel_diff"]) for c in criteria.values() if "rel_diff" in c)  # STATS (and channel 2's)
    total += abs(criteria["diversity"]["ratio"] - 1.0)
    total += sum(_num(c["score"]) for c in criteria.values() if "score" in c)
    return float(total)


def _num(x) -> float:
    return float("inf") if x is None or not math.isfinite(float(x)) else float(x)


def improved(current: dict, previous: dict):
    """(bool, reason): more criteria pass, or as many and a smaller deviation sum. A previous result measured with
    another set of criteria (an older quality.py) is not comparable: never an improvement; re-measure it."""
    ck, pk = list(current.get("criteria", {})), list(previous.get("criteria", {}))
    if ck and pk and set(ck) != set(pk):
        missing = [k for k in ck if k not in pk]
        return False, (f"the previous result has other criteria (missing: {', '.join(missing) or 'none'}): "
                       f"re-measure the previous model with this quality.py first")
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
    ok = {True: "PASS", False: "FAIL"}
    lines = [f"{'criterion':<34}{'generated':>11}{'simulated':>11}{'deviation':>12}{'sim-vs-sim':>12}  "
             f"{'limit':<22}result", "-" * 110]
    for key, _, _ in stats_for(result.get("images", {}).get("channels", 1)):
        c = cr[key]
        lines.append(f"{c['label'] + ' (median)':<34}{_fmt(c['generated']):>11}{_fmt(c['simulated']):>11}"
                     f"{c['rel_diff'] * 100:>+11.1f}%{c['baseline'] * 100:>+11.1f}%  {'within +-25%':<22}"
                     f"{ok[c['passed']]}")
    d = cr["diversity"]
    lines.append(f"{d['label']:<34}{_fmt(d['generated']):>11}{_fmt(d['simulated']):>11}"
                 f"{'ratio ' + format(d['ratio'], '.3f'):>12}{format(d['baseline'], '.3f'):>12}  "
                 f"{'ratio >= 0.70':<22}{ok[d['passed']]}")
    c = cr["copies"]
    if c.get("skipped"):
        lines.append(f"{c['label']:<34}{'skipped':>11}{'':>11}{'':>12}{'':>12}  {'none':<22}FAIL ({c['reason']})")
    else:
        lines.append(f"{c['label']:<34}{str(c['copies']) + ' of ' + str(c['queries']):>11}{'':>11}{'':>12}"
                     f"{str(c['baseline']) + ' of ' + str(c['heldout_queries']):>12}  {'none':<22}"
                     f"{ok[c['passed']]}")
        g, h = c["generated_nn"], c["heldout_nn"]
        lines.append(f"  nearest / next nearest training image: generated min {c['generated_ratio_min']:.2f} "
                     f"(median {c['generated_ratio']['median']:.2f}), held-out simulated min "
                     f"{c['heldout_ratio_min']:.2f}; copy below {c['ratio_limit']}")
        lines.append(f"  NN RMS distance to the {c['training_images']} training images: generated median "
                     f"{g['median']:.4f} (min {c['generated_nn_min']:.4f}), held-out simulated median "
                     f"{h['median']:.4f} (p5 {c['heldout_nn_p5']:.4f}); the earlier absolute rule (< "
                     f"{c['threshold']:.4f}) would flag {c['absolute_rule_flagged']}")
    lines.append(f"{'stricter gate (medians; figures)':<34}{'generated':>11}{'simulated':>11}{'figure':>12}"
                 f"{'sim-vs-sim':>12}  {'goal':<22}result")
    for key, _, _ in STRICT_DISTRIBUTIONS:
        c = cr[key]
        lines.append(f"{c['label']:<34}{_fmt(c['generated']):>11}{_fmt(c['simulated']):>11}"
                     f"{'KS ' + format(c['figure'], '.3f'):>12}{format(c['baseline'], '.3f'):>12}  "
                     f"{'KS <= ' + format(c['goal'], '.3f'):<22}{ok[c['passed']]}")
    c = cr["merged_objects"]
    lines.append(f"{c['label']:<34}{_fmt(c['generated']):>11}{_fmt(c['simulated']):>11}"
                 f"{'diff ' + format(c['figure'], '.3f'):>12}{format(c['baseline'], '.3f'):>12}  "
                 f"{'diff <= ' + format(c['goal'], '.3f'):<22}{ok[c['passed']]}")
    c = cr["c2st"]
    if c.get("skipped"):
        lines.append(f"{c['label']:<34}{'skipped':>11}{'':>11}{'':>12}{'':>12}  "
                     f"{'accuracy <= ' + str(c['goal']):<22}FAIL (skipped)")
    else:
        lines.append(f"{c['label']:<34}{'':>11}{'':>11}{'acc ' + format(c['figure'], '.3f'):>12}"
                     f"{format(c['baseline'], '.3f'):>12}  {'accuracy <= ' + str(c['goal']):<22}{ok[c['passed']]}")
        g = c["generated_vs_simulated"]
        lines.append(f"  a CNN trained {g['epochs']} epochs on {g['train_images'][0]} + {g['train_images'][1]} "
                     f"images, held-out accuracy on {g['test_images'][0]} + {g['test_images'][1]} (0.5: chance; "
                     f"last epoch's training accuracy {g['train_accuracy']:.3f})")
        if c.get("blurred"):
            b = c["blurred"]
            lines.append(f"  {'the same on images blurred (sigma ' + format(b['sigma_px'], 'g') + ' px)':<32}"
                         f"{'':>11}{'':>11}{'acc ' + format(b['generated'], '.3f'):>12}{format(b['baseline'], '.3f'):>12}"
                         f"  diagnostic: most camera noise hidden")
    lines.append("-" * 110)
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
    ap.add_argument("--c2st-epochs", type=int, default=C2ST_EPOCHS,
                    help="epochs of the classifier two-sample test (0 skips it: the criterion then fails)")
    ap.add_argument("--compare-previous", metavar="FILE.json",
                    help="a previous --json result: print whether this one improved on it")
    a = ap.parse_args(argv)
    if a.count < 2 or a.sim_count < 2:
        ap.error("--count and --sim-count must be at least 2")

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    import torch
    torch.set_num_threads(a.threads or os.cpu_count())   # the generator and the classifier test
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

    log(f"simulating {a.count} reference images (seeds {REF_START_SEED} + i) for the sim-vs-sim baselines ...")
    t0 = time.time()
    ref = simulated_images(a.count, res, ch, REF_START_SEED)
    timing["simulate_reference"] = time.time() - t0
    result = evaluate(gen, sim, train, ref=ref, c2st_epochs=a.c2st_epochs, log=log)
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
                  reference_seeds=f"{REF_START_SEED}..{REF_START_SEED + a.count - 1}",
                  threads=torch.get_num_threads(), timing_s=timing,
                  rules={"stat_tolerance": STAT_TOLERANCE, "diversity_min_ratio": DIVERSITY_MIN_RATIO,
                         "copy_ratio": COPY_RATIO, "copy_others": COPY_OTHERS,
                         "copy_factor": COPY_FACTOR, "copy_percentile": COPY_PERCENTILE,
                         "smoothing_sigma_px": smoothing_sigma(res), "min_object_area_px": min_object_area(res),
                         "c2st_max_accuracy": C2ST_MAX_ACCURACY, "c2st_epochs": a.c2st_epochs,
                         "c2st_train_fraction": C2ST_TRAIN_FRACTION, "c2st_channels": list(C2ST_CHANNELS),
                         "dist_floor": DIST_FLOOR, "dist_factor": DIST_FACTOR, "merge_floor": MERGE_FLOOR,
                         "merge_core_fraction": MERGE_CORE_FRACTION, "merge_fill": MERGE_FILL,
                         "merge_min_radius_px": merge_min_radius(res), "merge_core_px": merge_core_px(res),
                         "texture_sigma_px": texture_sigma(res), "texture_erosion_px": texture_erosion(res)})
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
