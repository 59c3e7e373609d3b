#!/usr/bin/env python3
"""Procedural simulator of widefield fluorescence images of cell nuclei.

Produces deterministic, seed-addressable training images (DAPI/Hoechst-like
nuclear stain, optionally a second cytoplasm channel) for a small StyleGAN2.
Only numpy and scipy are used.

Image-formation model
---------------------
All lengths in :class:`SimParams` are given for a *reference* image side of
256 px and are multiplied by ``s = size / 256``, so an image at 64 px shows the
same field of view as one at 256 px, just sampled more coarsely.

1. **Geometry.**  ``n`` interphase nuclei (``n`` uniform in
   ``n_nuclei_range``) and 0-3 mitotic cells are placed sequentially.  A
   per-image mean radius is drawn (capped so that the field does not exceed
   ``max_coverage``) and every nucleus gets a log-normally jittered radius,
   an axis ratio, an orientation and an outline perturbation
   ``R(phi) = R_ellipse(phi) * (1 + sum_k a_k cos(k phi) + b_k sin(k phi))``
   with low-order random Fourier harmonics (k = 2 ... 1 + n_harmonics).
   Centres keep a *soft* minimum distance: a candidate is accepted when its
   distance to every placed nucleus exceeds ``t * (r_i + r_j)`` with ``t``
   drawn per candidate from ``min_dist_range`` (values < 1 let nuclei touch
   or overlap).  With probability ``cluster_prob`` a candidate is proposed
   next to an existing nucleus, which produces clumps.
2. **Fluorophore density** (units: mean density of an average interphase
   nucleus = 1).  Inside each outline: a flat-topped dome profile, a slightly
   brighter heterochromatin rim, multiplicative band-pass (difference of
   Gaussians) chromatin texture at a fine and a coarse scale, a few bright
   Gaussian chromocenters and a few darker nucleoli.  Mitotic cells are
   small, compact, 2-3x brighter, strongly textured and irregular.  Each
   object is rendered on its own bounding box and *added*, so overlaps are
   brighter.  The outline is anti-aliased over ~``edge_width_px`` pixels.
3. **Optics.**  The density is convolved with a Gaussian approximation of the
   widefield PSF (``psf_sigma_px``) and an out-of-focus glow (a wide Gaussian
   of the density, weight ``glow_fraction``) is added.  A smooth
   autofluorescence haze (constant + a few random low-frequency cosine
   modes) is added, and everything is multiplied by an illumination field
   with radial vignetting and a linear gradient.
4. **Camera.**  Expected photons per pixel = ``photons_per_unit * exposure *
   signal`` (``exposure`` is a per-image log-normal factor; photons per pixel
   do not depend on ``size``).  Photon counts are Poisson, then converted to
   ADU: ``adu = camera_offset_adu + adu_per_photon * photons + N(0,
   read_noise_adu^2)``, rounded to integers.
5. **Fixed output mapping.**  ``value = (adu - display_black_adu) /
   (display_white_adu - display_black_adu)`` clipped to [0, 1].  This mapping
   is the same for every image (no per-image normalisation), so absolute
   brightness differences between images are preserved.  With the defaults
   the camera offset maps to ~0.004, an average nucleus (300 photons) to ~0.3
   and mitotic cells to ~0.6-1.0.

Channel 2 (``channels=2``): a dimmer cytoplasm around every nucleus (larger,
offset, more irregular blob with its own texture, partly excluded from the
nucleus, slightly brighter cortex), with its own haze and independent noise.

Public API
----------
``simulate(seed, size=256, channels=1, params=SimParams()) -> float32 [C,H,W]``
``simulate_with_labels(seed, size=256, channels=1, params=SimParams())
   -> (image float32 [C,H,W], labels int32 [H,W])``
``generate_dataset(count, size=256, channels=1, start_seed=0, params=...)
   -> uint8 [N,C,H,W]``

CLI
---
``python3 tools/simulate.py --out DIR --count N --size 256 --channels 1
--start-seed 0`` writes 16-bit PNGs ``sim_000000.png`` ... (``--format npy``
for float32 .npy; 2-channel PNGs are 16-bit RGB with R = nuclei,
G = cytoplasm, B = 0).  ``--sheet FILE.png --count 16`` writes a 4x4 contact
sheet, ``--dataset FILE.npy`` a uint8 array [N, C, size, size]
(``round(255 * value)``), ``--labels`` additionally writes ``*_labels.png``.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import struct
import sys
import time
import zlib
from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np
from scipy import ndimage

__all__ = [
    "SimParams",
    "simulate",
    "simulate_with_labels",
    "generate_dataset",
    "write_png",
    "contact_sheet",
    "param_docs",
]

REFERENCE_SIZE = 256


@dataclass(frozen=True)
class SimParams:
    """All parameters of the simulator (lengths in px at a 256 px image side).

    Ranges ``(lo, hi)`` are sampled uniformly per image or per object unless
    stated otherwise.  Intensities are in *density units*: 1.0 is the mean
    fluorophore density of an average interphase nucleus.
    """

    # ----------------------------------------------------------- geometry --
    n_nuclei_range: Tuple[int, int] = (3, 25)
    """count, inclusive range of interphase nuclei per image; default (3, 25)."""
    nucleus_radius_frac: Tuple[float, float] = (0.04, 0.09)
    """fraction of image side; min/max equivalent radius of a nucleus; default (0.04, 0.09)."""
    radius_jitter: float = 0.15
    """log-normal sigma of a nucleus radius around the per-image mean radius; default 0.15."""
    max_coverage: float = 0.40
    """fraction of image area; caps the per-image mean radius so n*pi*r^2 <= max_coverage*size^2; default 0.40."""
    axis_ratio_range: Tuple[float, float] = (0.55, 1.0)
    """minor/major axis ratio of interphase nuclei (1 = circle); default (0.55, 1.0)."""
    n_harmonics: int = 4
    """number of outline Fourier harmonics, orders k = 2 .. 1 + n_harmonics; default 4."""
    harmonic_amp: float = 0.05
    """relative radius; std of the order-2 coefficients, order k uses harmonic_amp * 2 / k; default 0.05."""
    edge_width_px: float = 0.8
    """output px (not scaled); width of the anti-aliased outline ramp; default 0.8."""
    min_dist_range: Tuple[float, float] = (0.72, 1.05)
    """fraction of r_i + r_j; per-candidate soft minimum centre distance; default (0.72, 1.05)."""
    cluster_prob_max: float = 0.6
    """probability; per-image cluster probability is uniform in [0, cluster_prob_max]; default 0.6."""
    placement_tries: int = 60
    """attempts per nucleus before the distance threshold is relaxed further; default 60."""

    # --------------------------------------------------- nuclear intensity --
    brightness_sigma: float = 0.25
    """log-normal sigma of the per-nucleus mean density (DNA content / staining); default 0.25."""
    flatness_range: Tuple[float, float] = (0.45, 0.8)
    """weight of the flat part of the profile vs. the projected-ellipsoid dome sqrt(1-rho^2); default (0.45, 0.8)."""
    rim_strength: Tuple[float, float] = (0.0, 0.25)
    """relative density added at the nuclear periphery (heterochromatin rim); default (0.0, 0.25)."""
    rim_width_frac: float = 0.12
    """fraction of nucleus radius; 1/e width of the rim; default 0.12."""
    tilt_amp: float = 0.12
    """relative density; max linear intensity tilt across a nucleus; default 0.12."""
    tex_fine_sigmas_px: Tuple[float, float] = (0.8, 2.0)
    """px; inner/outer Gaussian sigmas of the fine band-pass chromatin texture; default (0.8, 2.0)."""
    tex_fine_amp: Tuple[float, float] = (0.08, 0.22)
    """relative density (std); per-nucleus amplitude of the fine texture; default (0.08, 0.22)."""
    tex_coarse_sigmas_px: Tuple[float, float] = (2.5, 6.0)
    """px; inner/outer Gaussian sigmas of the coarse band-pass texture; default (2.5, 6.0)."""
    tex_coarse_amp: Tuple[float, float] = (0.05, 0.15)
    """relative density (std); per-nucleus amplitude of the coarse texture; default (0.05, 0.15)."""
    chromocenters_max: float = 7.0
    """count; per-image mean number of chromocenters per nucleus is uniform in [0, chromocenters_max] (Poisson); default 7."""
    chromocenter_sigma_frac: Tuple[float, float] = (0.05, 0.09)
    """fraction of nucleus radius; Gaussian sigma of a chromocenter; default (0.05, 0.09)."""
    chromocenter_amp: Tuple[float, float] = (0.3, 0.9)
    """relative density added at a chromocenter peak; default (0.3, 0.9)."""
    nucleoli_range: Tuple[int, int] = (0, 3)
    """count, inclusive range of dark nucleoli per nucleus; default (0, 3)."""
    nucleolus_sigma_frac: Tuple[float, float] = (0.09, 0.16)
    """fraction of nucleus radius; Gaussian sigma of a nucleolus; default (0.09, 0.16)."""
    nucleolus_depth: Tuple[float, float] = (0.25, 0.5)
    """relative density removed at a nucleolus centre; default (0.25, 0.5)."""
    defocus_prob: float = 0.15
    """probability that a nucleus lies out of the focal plane (rendered softer); default 0.15."""
    defocus_sigma_px: Tuple[float, float] = (1.0, 3.5)
    """px; extra Gaussian blur of an out-of-focus nucleus (edges, texture, spots); default (1.0, 3.5)."""

    # ---------------------------------------------------------- mitoses --
    mitotic_count_probs: Tuple[float, float, float, float] = (0.45, 0.30, 0.17, 0.08)
    """probabilities of 0, 1, 2, 3 mitotic cells per image; default (0.45, 0.30, 0.17, 0.08)."""
    mitotic_radius_frac: Tuple[float, float] = (0.45, 0.65)
    """fraction of the per-image mean nucleus radius; equivalent radius of a mitotic cell; default (0.45, 0.65)."""
    mitotic_axis_ratio: Tuple[float, float] = (0.35, 0.9)
    """minor/major axis ratio of mitotic chromatin (low = metaphase plate); default (0.35, 0.9)."""
    mitotic_brightness: Tuple[float, float] = (1.8, 2.8)
    """density units; mean density of a mitotic cell; default (1.8, 2.8)."""
    mitotic_harmonic_amp: float = 0.12
    """relative radius; outline harmonic std for mitotic cells (orders 2..7); default 0.12."""
    mitotic_tex_amp: float = 0.3
    """relative density (std); fine texture amplitude of condensed chromatin; default 0.3."""

    # --------------------------------------------------- optics, background --
    psf_sigma_px: Tuple[float, float] = (1.0, 1.5)
    """px; sigma of the Gaussian widefield PSF approximation, per image; default (1.0, 1.5)."""
    glow_fraction: Tuple[float, float] = (0.04, 0.12)
    """fraction of density spread as out-of-focus glow, per image; default (0.04, 0.12)."""
    glow_sigma_px: float = 10.0
    """px; sigma of the out-of-focus glow; default 10."""
    vignetting: Tuple[float, float] = (0.10, 0.35)
    """relative illumination loss at the frame corners, per image; default (0.10, 0.35)."""
    vignetting_center_jitter: float = 0.2
    """fraction of image side; random offset of the illumination centre; default 0.2."""
    gradient: float = 0.15
    """relative illumination; max amplitude of a linear gradient across the frame; default 0.15."""
    haze_level: Tuple[float, float] = (0.02, 0.07)
    """density units; mean autofluorescence / background haze, per image; default (0.02, 0.07)."""
    haze_variation: float = 0.5
    """relative; amplitude of the low-frequency haze modulation; default 0.5."""
    haze_modes: int = 4
    """count; random cosine modes (0.3 - 2 cycles per frame) in the haze; default 4."""

    # -------------------------------------------------------------- camera --
    photons_per_unit: float = 300.0
    """photons per pixel for density 1 at full illumination (average nucleus); default 300."""
    exposure_sigma: float = 0.2
    """log-normal sigma of the per-image exposure / staining factor; default 0.2."""
    camera_offset_adu: float = 100.0
    """ADU; camera bias added to every pixel; default 100."""
    adu_per_photon: float = 1.0
    """ADU per detected photon (conversion gain); default 1.0."""
    read_noise_adu: float = 2.0
    """ADU rms; Gaussian read noise; default 2.0."""
    display_black_adu: float = 96.0
    """ADU mapped to output 0.0 (fixed for all images); default 96."""
    display_white_adu: float = 1100.0
    """ADU mapped to output 1.0 (fixed for all images); default 1100."""

    # ------------------------------------------------- channel 2: cytoplasm --
    cyto_scale: Tuple[float, float] = (1.5, 2.2)
    """multiple of the nucleus radii; size of the cytoplasm blob; default (1.5, 2.2)."""
    cyto_offset_frac: float = 0.3
    """fraction of nucleus radius; max displacement of the cytoplasm centre; default 0.3."""
    cyto_harmonic_amp: float = 0.10
    """relative radius; std of cytoplasm outline harmonics (orders 2..6); default 0.10."""
    cyto_brightness: Tuple[float, float] = (0.25, 0.45)
    """density units (channel-2 photons_per_unit); mean cytoplasm density, per image; default (0.25, 0.45)."""
    cyto_brightness_sigma: float = 0.3
    """log-normal sigma of the per-cell cytoplasm density; default 0.3."""
    cyto_nuclear_exclusion: Tuple[float, float] = (0.3, 0.8)
    """fraction of cytoplasm density removed over the nucleus, per image; default (0.3, 0.8)."""
    cyto_cortex: Tuple[float, float] = (0.0, 0.5)
    """relative density added at the cell edge (membrane/cortex), per image; default (0.0, 0.5)."""
    cyto_tex_sigmas_px: Tuple[float, float] = (1.0, 4.0)
    """px; inner/outer sigmas of the cytoplasm band-pass texture; default (1.0, 4.0)."""
    cyto_tex_amp: Tuple[float, float] = (0.15, 0.35)
    """relative density (std); cytoplasm texture amplitude, per cell; default (0.15, 0.35)."""
    cyto_haze_level: Tuple[float, float] = (0.03, 0.08)
    """density units; channel-2 background haze, per image; default (0.03, 0.08)."""


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def _u(rng: np.random.Generator, rng_pair) -> float:
    lo, hi = rng_pair
    return float(rng.uniform(lo, hi))


def _dog_std_ref(s1: float, s2: float) -> float:
    """Std of a DoG of unit-density continuous white noise (reference px)."""
    var = 1.0 / (4 * math.pi * s1 * s1) + 1.0 / (4 * math.pi * s2 * s2) \
        - 2.0 / (2 * math.pi * (s1 * s1 + s2 * s2))
    return math.sqrt(max(var, 1e-12))


def _bandpass_noise(rng, shape, sigmas_ref, scale) -> np.ndarray:
    """Band-pass (DoG) noise with unit std at the reference scale.

    White noise has per-pixel std ``scale`` (unit density per reference
    pixel), so texture contrast is consistent across image sizes (coarser
    sampling averages fine texture away, as a real camera would).
    """
    s1, s2 = sigmas_ref
    w = rng.standard_normal(shape, dtype=np.float32) * np.float32(scale)
    a = ndimage.gaussian_filter(w, s1 * scale, mode="wrap")
    b = ndimage.gaussian_filter(w, s2 * scale, mode="wrap")
    a -= b
    a *= np.float32(1.0 / _dog_std_ref(s1, s2))
    return a


def _lowpass(img: np.ndarray, sigma: float) -> np.ndarray:
    """Wide Gaussian blur; computed on a block-averaged grid for large sigma."""
    if sigma < 3.0:
        return ndimage.gaussian_filter(img, sigma, mode="nearest")
    f = int(sigma // 1.5)
    h, w = img.shape
    H, W = -(-h // f) * f, -(-w // f) * f
    if (H, W) != (h, w):
        img = np.pad(img, ((0, H - h), (0, W - w)), mode="edge")
    small = img.reshape(H // f, f, W // f, f).mean(axis=(1, 3))
    small = ndimage.gaussian_filter(small, sigma / f, mode="nearest")
    big = ndimage.zoom(small, f, order=1, mode="nearest", grid_mode=True)
    return big[:h, :w]


@dataclass
class _Obj:
    cy: float
    cx: float
    r: float          # equivalent radius sqrt(a*b), px
    ratio: float      # b / a
    theta: float
    coef: np.ndarray  # complex harmonic coefficients for orders 2..
    mitotic: bool


def _harmonics(rng, n, amp, first=2) -> np.ndarray:
    k = np.arange(first, first + n, dtype=np.float64)
    sd = amp * 2.0 / k
    re = rng.normal(0.0, 1.0, n) * sd
    im = rng.normal(0.0, 1.0, n) * sd
    return (re + 1j * im).astype(np.complex64)


def _shape_field(obj_cy, obj_cx, r, ratio, theta, coef, size, pad=2.0,
                 first_order=2):
    """Normalised radius ``rho`` (outline at rho = 1) on the bounding box.

    Returns (y0, y1, x0, x1, rho, u_norm, v_norm, reff) or None when the box is
    outside the frame.  u_norm/v_norm are the rotated coordinates divided by
    the semi-axes (so u^2 + v^2 = ellipse radius^2).
    """
    a = r / math.sqrt(ratio)
    b = r * math.sqrt(ratio)
    ext = a * (1.0 + float(np.abs(coef).sum())) + pad
    y0 = max(int(math.floor(obj_cy - ext)), 0)
    y1 = min(int(math.ceil(obj_cy + ext)) + 1, size)
    x0 = max(int(math.floor(obj_cx - ext)), 0)
    x1 = min(int(math.ceil(obj_cx + ext)) + 1, size)
    if y1 <= y0 or x1 <= x0:
        return None
    dy = (np.arange(y0, y1, dtype=np.float32) - np.float32(obj_cy))[:, None]
    dx = (np.arange(x0, x1, dtype=np.float32) - np.float32(obj_cx))[None, :]
    c, s = math.cos(theta), math.sin(theta)
    un = (dx * np.float32(c) + dy * np.float32(s)) * np.float32(1.0 / a)
    vn = (dy * np.float32(c) - dx * np.float32(s)) * np.float32(1.0 / b)
    re = np.sqrt(un * un + vn * vn)
    inv = np.float32(1.0) / np.maximum(re, np.float32(1e-6))
    z = (un + 1j * vn).astype(np.complex64) * inv        # e^{i phi}
    zk = z * z                                            # order 2
    for _ in range(first_order - 2):
        zk = zk * z
    mod = np.ones(re.shape, np.float32)
    for ck in coef:
        # a_k cos(k phi) + b_k sin(k phi) = Re(conj(c_k) * z^k)
        mod += (np.conj(ck) * zk).real
        zk = zk * z
    np.maximum(mod, np.float32(0.3), out=mod)
    rho = re / mod
    return y0, y1, x0, x1, rho, un, vn


# --------------------------------------------------------------------------
# main simulator
# --------------------------------------------------------------------------


def _place(rng, p: SimParams, size: int, s: float):
    """Sample nucleus / mitosis geometry.  Returns (list of _Obj, mean r)."""
    n_lo, n_hi = p.n_nuclei_range
    n = int(rng.integers(n_lo, n_hi + 1))
    rmin, rmax = (f * size for f in p.nucleus_radius_frac)
    r_cap = math.sqrt(p.max_coverage / (math.pi * n)) * size
    r_mean = float(rng.uniform(rmin * 1.1, min(rmax * 0.85, max(r_cap, rmin * 1.15))))
    cluster_prob = float(rng.uniform(0.0, p.cluster_prob_max))
    probs = np.asarray(p.mitotic_count_probs, np.float64)
    n_mit = int(rng.choice(len(probs), p=probs / probs.sum()))

    objs = []
    cys = np.empty(n + n_mit)
    cxs = np.empty(n + n_mit)
    rs = np.empty(n + n_mit)
    for i in range(n + n_mit):
        mitotic = i >= n
        if mitotic:
            r = r_mean * _u(rng, p.mitotic_radius_frac)
            ratio = _u(rng, p.mitotic_axis_ratio)
            coef = _harmonics(rng, 6, p.mitotic_harmonic_amp)
        else:
            r = float(np.clip(r_mean * math.exp(rng.normal(0.0, p.radius_jitter)),
                              rmin, rmax))
            ratio = _u(rng, p.axis_ratio_range)
            coef = _harmonics(rng, p.n_harmonics, p.harmonic_amp)
        theta = float(rng.uniform(0.0, math.pi))
        t = _u(rng, p.min_dist_range)
        cy = cx = 0.0
        for attempt in range(p.placement_tries * 3):
            if i > 0 and rng.random() < cluster_prob:
                j = int(rng.integers(0, i))
                ang = rng.uniform(0.0, 2 * math.pi)
                d = (r + rs[j]) * rng.uniform(0.85, 1.25)
                cy = cys[j] + d * math.sin(ang)
                cx = cxs[j] + d * math.cos(ang)
                if not (0.0 <= cy < size and 0.0 <= cx < size):
                    continue
            else:
                cy = rng.uniform(0.0, size - 1.0)
                cx = rng.uniform(0.0, size - 1.0)
            if i == 0:
                break
            d = np.hypot(cys[:i] - cy, cxs[:i] - cx) / (rs[:i] + r)
            if d.min() >= t:
                break
            if attempt % p.placement_tries == p.placement_tries - 1:
                t *= 0.9  # relax when the field is crowded
        cys[i], cxs[i], rs[i] = cy, cx, r
        objs.append(_Obj(cy, cx, r, ratio, theta, coef, mitotic))
    return objs, r_mean


def _render(seed: int, size: int, channels: int, p: SimParams, clean: bool = False):
    if channels not in (1, 2):
        raise ValueError("channels must be 1 or 2")
    if size < 16:
        raise ValueError("size must be >= 16")
    rng = np.random.default_rng(seed)
    s = size / REFERENCE_SIZE
    f32 = np.float32

    objs, r_mean = _place(rng, p, size, s)

    # -- per-image appearance parameters
    flat_img = _u(rng, p.flatness_range)
    rim_img = _u(rng, p.rim_strength)
    chromo_mean = float(rng.uniform(0.0, p.chromocenters_max))
    psf = _u(rng, p.psf_sigma_px) * s
    glow = _u(rng, p.glow_fraction)
    exposure = math.exp(rng.normal(0.0, p.exposure_sigma))

    tex_f = _bandpass_noise(rng, (size, size), p.tex_fine_sigmas_px, s)
    tex_c = _bandpass_noise(rng, (size, size), p.tex_coarse_sigmas_px, s)

    dens = np.zeros((size, size), f32)
    owner = np.zeros((size, size), f32)
    nmask = np.zeros((size, size), f32) if channels == 2 else None
    labels = np.zeros((size, size), np.int32)
    ew = p.edge_width_px
    for idx, o in enumerate(objs, start=1):
        # out-of-focus nuclei: softer edge, attenuated texture, wider spots
        dfs = 0.0
        if rng.random() < p.defocus_prob:
            dfs = _u(rng, p.defocus_sigma_px) * s
        w_edge = ew + 2.5 * dfs
        sh = _shape_field(o.cy, o.cx, o.r, o.ratio, o.theta, o.coef, size,
                          pad=2.0 + w_edge)
        if sh is None:
            continue
        y0, y1, x0, x1, rho, un, vn = sh
        depth = (1.0 - rho) * f32(o.r)                      # ~px inside edge
        mask = np.clip(depth * f32(1.0 / w_edge) + f32(0.5), 0.0, 1.0)
        if dfs > 0:
            mask = mask * mask * (f32(3.0) - f32(2.0) * mask)   # smoothstep
        # texture, sampled at a random offset so nuclei are decorrelated
        oy, ox = rng.integers(0, size, 2)
        iy = (np.arange(y0, y1) + oy) % size
        ix = (np.arange(x0, x1) + ox) % size
        tf = tex_f[np.ix_(iy, ix)]
        tc = tex_c[np.ix_(iy, ix)]
        if dfs > 0:
            tf = tf * f32(1.0 / (1.0 + (dfs / (p.tex_fine_sigmas_px[0] * s)) ** 2))
            tc = tc * f32(1.0 / (1.0 + (dfs / (p.tex_coarse_sigmas_px[0] * s)) ** 2))
        rho2 = np.minimum(rho * rho, f32(1.0))
        if o.mitotic:
            bright = _u(rng, p.mitotic_brightness)
            prof = f32(0.75) + f32(0.25) * np.sqrt(f32(1.0) - rho2)
            tex = f32(1.0) + f32(p.mitotic_tex_amp) * tf + f32(0.1) * tc
        else:
            bright = math.exp(rng.normal(0.0, p.brightness_sigma))
            fl = float(np.clip(flat_img + rng.normal(0, 0.08), 0.0, 1.0))
            prof = f32(fl) + f32(1.0 - fl) * np.sqrt(f32(1.0) - rho2)
            rim = rim_img * rng.uniform(0.5, 1.5)
            if rim > 0:
                rw = p.rim_width_frac * o.r
                prof = prof + f32(rim) * np.exp(-np.square(np.maximum(depth, 0) / f32(rw)))
            ta = rng.uniform(-p.tilt_amp, p.tilt_amp, 2)
            prof = prof * (f32(1.0) + f32(ta[0]) * un + f32(ta[1]) * vn)
            tex = (f32(1.0) + f32(_u(rng, p.tex_fine_amp)) * tf
                   + f32(_u(rng, p.tex_coarse_amp)) * tc)
            # spots: chromocenters (bright, +) and nucleoli (dark, -)
            n_cc = int(rng.poisson(chromo_mean))
            n_nl = int(rng.integers(p.nucleoli_range[0], p.nucleoli_range[1] + 1))
            n_sp = n_cc + n_nl
            if n_sp:
                a_ax = o.r / math.sqrt(o.ratio)
                b_ax = o.r * math.sqrt(o.ratio)
                rr = np.sqrt(rng.uniform(0, 1, n_sp)) * 0.72
                aa = rng.uniform(0, 2 * math.pi, n_sp)
                uu = rr * np.cos(aa) * a_ax
                vv = rr * np.sin(aa) * b_ax
                c, sn = math.cos(o.theta), math.sin(o.theta)
                sy = o.cy + uu * sn + vv * c - y0
                sx = o.cx + uu * c - vv * sn - x0
                sig = np.concatenate([
                    rng.uniform(*p.chromocenter_sigma_frac, n_cc),
                    rng.uniform(*p.nucleolus_sigma_frac, n_nl)]) * o.r
                amp = np.concatenate([
                    rng.uniform(*p.chromocenter_amp, n_cc),
                    -rng.uniform(*p.nucleolus_depth, n_nl)])
                # sub-pixel spots: widen to >= 0.5 px, conserve integral
                sig_e = np.sqrt(sig * sig + 0.25 + dfs * dfs)
                amp = amp * (sig * sig) / (sig_e * sig_e)
                gy = np.exp(-0.5 * np.square(
                    (np.arange(y1 - y0)[None, :] - sy[:, None]) / sig_e[:, None])).astype(f32)
                gx = np.exp(-0.5 * np.square(
                    (np.arange(x1 - x0)[None, :] - sx[:, None]) / sig_e[:, None])).astype(f32)
                spots = np.einsum("k,ky,kx->yx", amp.astype(f32), gy, gx,
                                  optimize=False)
                tex = tex + spots
        obj = mask * np.maximum(prof * tex, f32(0.0)) * f32(bright)
        dens[y0:y1, x0:x1] += obj
        if nmask is not None:
            np.maximum(nmask[y0:y1, x0:x1], mask, out=nmask[y0:y1, x0:x1])
        # label ownership: pixel belongs to the object it is deepest inside
        own = owner[y0:y1, x0:x1]
        score = f32(1.0) - rho
        sel = (rho < 1.0) & (score > own)
        own[sel] = score[sel]
        labels[y0:y1, x0:x1][sel] = idx

    # -- optics
    blurred = ndimage.gaussian_filter(dens, psf, mode="nearest") if psf > 0.3 else dens
    blurred += f32(glow) * _lowpass(dens, p.glow_sigma_px * s)

    yy = (np.arange(size, dtype=np.float32) / f32(size) - f32(0.5))[:, None]
    xx = (np.arange(size, dtype=np.float32) / f32(size) - f32(0.5))[None, :]
    vig = _u(rng, p.vignetting)
    ccy, ccx = rng.uniform(-p.vignetting_center_jitter, p.vignetting_center_jitter, 2)
    gy_, gx_ = rng.uniform(-p.gradient, p.gradient, 2)
    illum = (f32(1.0) - f32(vig * 2.0) * (np.square(yy - f32(ccy)) + np.square(xx - f32(ccx)))
             + f32(gy_) * yy + f32(gx_) * xx)
    np.maximum(illum, f32(0.2), out=illum)

    def haze(level_range):
        lvl = _u(rng, level_range)
        h = np.full((size, size), f32(1.0))
        for _ in range(p.haze_modes):
            fr = rng.uniform(0.3, 2.0)
            ang = rng.uniform(0, 2 * math.pi)
            ph = rng.uniform(0, 2 * math.pi)
            amp = rng.uniform(0.3, 1.0) * p.haze_variation / math.sqrt(p.haze_modes)
            ky, kx = 2 * math.pi * fr * math.sin(ang), 2 * math.pi * fr * math.cos(ang)
            ay = (ky * yy + ph).astype(f32)
            ax = (kx * xx).astype(f32)
            # cos(ay + ax) = cos ay cos ax - sin ay sin ax  (outer products)
            h += f32(amp) * (np.cos(ay) * np.cos(ax) - np.sin(ay) * np.sin(ax))
        return np.maximum(h, f32(0.1)) * f32(lvl)

    # -- camera (channel 0 is finished before anything of channel 1 is drawn,
    #    so channel 0 of a 2-channel image equals the 1-channel image)
    out = np.empty((channels, size, size), np.float32)
    scale_out = 1.0 / (p.display_white_adu - p.display_black_adu)

    def camera(sig):
        lam = sig * illum * f32(p.photons_per_unit * exposure)
        np.maximum(lam, f32(0.0), out=lam)
        photons = rng.poisson(lam.astype(np.float64))
        adu = (photons * p.adu_per_photon + p.camera_offset_adu
               + rng.normal(0.0, p.read_noise_adu, lam.shape))
        if clean:   # the noise is still drawn, so everything drawn after it is unchanged
            adu = lam.astype(np.float64) * p.adu_per_photon + p.camera_offset_adu
        else:
            adu = np.rint(adu)
        v = (adu - p.display_black_adu) * scale_out
        return np.clip(v, 0.0, 1.0)

    out[0] = camera(blurred + haze(p.haze_level))

    if channels == 2:
        cyto = np.zeros((size, size), f32)
        tex_y = _bandpass_noise(rng, (size, size), p.cyto_tex_sigmas_px, s)
        cb = _u(rng, p.cyto_brightness)
        excl = _u(rng, p.cyto_nuclear_exclusion)
        cortex = _u(rng, p.cyto_cortex)
        for o in objs:
            k = _u(rng, p.cyto_scale)
            off = rng.uniform(0, p.cyto_offset_frac) * o.r
            ang = rng.uniform(0, 2 * math.pi)
            ratio = float(np.clip(o.ratio * rng.uniform(0.8, 1.2), 0.4, 1.0))
            if o.mitotic:   # rounded-up mitotic cell: round, bright cytoplasm
                k = max(k * 1.1, 1.1 * r_mean / o.r)
                ratio, bright = max(ratio, 0.85), cb * 1.8
            else:
                bright = cb * math.exp(rng.normal(0.0, p.cyto_brightness_sigma))
            coef = _harmonics(rng, 5, p.cyto_harmonic_amp)
            theta = o.theta + rng.normal(0, 0.3)
            sc = _shape_field(o.cy + off * math.sin(ang), o.cx + off * math.cos(ang),
                              o.r * k, ratio, theta, coef, size)
            if sc is None:
                continue
            y0, y1, x0, x1, rho, _, _ = sc
            depth = (1.0 - rho) * f32(o.r * k)
            mask = np.clip(depth * f32(1.0 / p.edge_width_px) + f32(0.5), 0.0, 1.0)
            rho2 = np.minimum(rho * rho, f32(1.0))
            prof = f32(0.4) + f32(0.6) * np.sqrt(f32(1.0) - rho2)
            if cortex > 0:
                prof = prof + f32(cortex) * np.exp(-np.square(np.maximum(depth, 0) / f32(1.5 * s + 0.5)))
            oy, ox = rng.integers(0, size, 2)
            iy = (np.arange(y0, y1) + oy) % size
            ix = (np.arange(x0, x1) + ox) % size
            tex = f32(1.0) + f32(_u(rng, p.cyto_tex_amp)) * tex_y[np.ix_(iy, ix)]
            cyto[y0:y1, x0:x1] += mask * np.maximum(prof * tex, f32(0.0)) * f32(bright)
        # exclusion of the cytoplasm signal over nuclei (nuclear mask)
        cyto *= f32(1.0) - f32(excl) * nmask
        cb_blur = ndimage.gaussian_filter(cyto, psf * 1.1, mode="nearest") if psf > 0.3 else cyto
        cb_blur += f32(glow) * _lowpass(cyto, p.glow_sigma_px * s)
        out[1] = camera(cb_blur + haze(p.cyto_haze_level))

    info = {"n_nuclei": sum(not o.mitotic for o in objs),
            "n_mitotic": sum(o.mitotic for o in objs)}
    return out, labels, info


def simulate(seed: int, size: int = 256, channels: int = 1,
             params: SimParams = SimParams()) -> np.ndarray:
    """Simulated image, float32 array [channels, size, size] in [0, 1].

    The same (seed, size, channels, params) always gives a bit-identical
    image.  Channel 0 = nuclei, channel 1 (if channels == 2) = cytoplasm.
    """
    return _render(int(seed), int(size), int(channels), params)[0]


def simulate_clean(seed: int, size: int = 256, channels: int = 1,
                   params: SimParams = SimParams()) -> np.ndarray:
    """The noise-free version of :func:`simulate` (same seed, same scene): the camera's expected signal, without
    photon, read-out or rounding noise. For measuring reconstructions against the truth rather than against one
    noisy exposure of it (tools' inversion figures)."""
    return _render(int(seed), int(size), int(channels), params, clean=True)[0]


def simulate_with_labels(seed: int, size: int = 256, channels: int = 1,
                         params: SimParams = SimParams(),
                         return_info: bool = False):
    """Like :func:`simulate`, plus an int32 [size, size] label image.

    Returns ``(image, labels)``, or ``(image, labels, info)`` when
    ``return_info`` is true, where ``info = {"n_nuclei": n, "n_mitotic": m}``.
    Label 0 is background; 1..n are interphase nuclei, n+1..n+m mitotic
    cells.  Labels are the in-focus outlines (rho < 1); overlapping pixels
    belong to the object they lie deepest inside, so a label can in rare
    cases be fully hidden.  The image is identical to
    ``simulate(seed, size, channels, params)``.
    """
    img, lab, info = _render(int(seed), int(size), int(channels), params)
    if return_info:
        return img, lab, info
    return img, lab


def generate_dataset(count: int, size: int = 256, channels: int = 1,
                     start_seed: int = 0, params: SimParams = SimParams(),
                     progress: bool = False) -> np.ndarray:
    """uint8 array [count, channels, size, size] = round(255 * image)."""
    data = np.empty((count, channels, size, size), np.uint8)
    t0 = time.time()
    for i in range(count):
        img = simulate(start_seed + i, size, channels, params)
        data[i] = np.rint(img * 255.0).astype(np.uint8)
        if progress and (i + 1) % 500 == 0:
            el = time.time() - t0
            print(f"{i + 1}/{count} images, {1000 * el / (i + 1):.1f} ms/image",
                  file=sys.stderr)
    return data


# --------------------------------------------------------------------------
# PNG output (zlib only, no Pillow needed)
# --------------------------------------------------------------------------


def write_png(path: str, arr: np.ndarray) -> None:
    """Write uint8/uint16 array [H,W] (gray) or [H,W,3] (RGB) as PNG."""
    arr = np.asarray(arr)
    if arr.dtype not in (np.uint8, np.uint16):
        raise ValueError("write_png needs uint8 or uint16")
    if arr.ndim == 2:
        ctype = 0
        rows = arr
    elif arr.ndim == 3 and arr.shape[2] == 3:
        ctype = 2
        rows = arr.reshape(arr.shape[0], -1)
    else:
        raise ValueError("shape must be [H,W] or [H,W,3]")
    depth = 8 if arr.dtype == np.uint8 else 16
    h, w = arr.shape[:2]
    data = rows.astype(">u2" if depth == 16 else np.uint8).tobytes()
    stride = len(data) // h
    raw = b"".join(b"\x00" + data[i * stride:(i + 1) * stride] for i in range(h))

    def chunk(tag, payload):
        c = struct.pack(">I", len(payload)) + tag + payload
        return c + struct.pack(">I", zlib.crc32(tag + payload) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n"
           + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 6))
           + chunk(b"IEND", b""))
    with open(path, "wb") as fh:
        fh.write(png)


def _to_display(img: np.ndarray, gamma: float = 1.0) -> np.ndarray:
    """[C,H,W] float in [0,1] -> gray [H,W] or RGB [H,W,3] float (composite:
    nuclei blue/cyan-ish, cytoplasm green)."""
    if gamma != 1.0:
        img = np.power(img, 1.0 / gamma)
    if img.shape[0] == 1:
        return img[0]
    n, c = img[0], img[1]
    return np.stack([0.15 * n, c + 0.15 * n, n], axis=-1).clip(0, 1)


def contact_sheet(images, cols: int = 4, gap: int = 2, gamma: float = 1.0
                  ) -> np.ndarray:
    """Tile [C,H,W] images into one uint8 sheet (gray or RGB)."""
    tiles = [_to_display(im, gamma) for im in images]
    rows = -(-len(tiles) // cols)
    h, w = tiles[0].shape[:2]
    shape = (rows * h + (rows + 1) * gap, cols * w + (cols + 1) * gap) + tiles[0].shape[2:]
    sheet = np.full(shape, 0.35, np.float32)
    for i, t in enumerate(tiles):
        r, c = divmod(i, cols)
        y, x = gap + r * (h + gap), gap + c * (w + gap)
        sheet[y:y + h, x:x + w] = t
    return np.rint(sheet * 255).astype(np.uint8)


def _label_png(labels: np.ndarray) -> np.ndarray:
    return labels.astype(np.uint16)


def param_docs() -> dict:
    """{field name: docstring line} of :class:`SimParams` (read from source)."""
    import ast
    import inspect
    tree = ast.parse(inspect.getsource(SimParams))
    body = tree.body[0].body
    docs = {}
    for stmt, nxt in zip(body, body[1:]):
        if (isinstance(stmt, ast.AnnAssign) and isinstance(nxt, ast.Expr)
                and isinstance(getattr(nxt, "value", None), ast.Constant)
                and isinstance(nxt.value.value, str)):
            docs[stmt.target.id] = nxt.value.value.strip()
    return docs


def _write_image(base: str, img: np.ndarray, fmt: str) -> None:
    """[C, H, W] in [0, 1] -> base.npy (float32) or base.png (16-bit; 2 channels as red and green)."""
    if fmt == "npy":
        np.save(base + ".npy", img)
        return
    q = np.rint(img * 65535.0).astype(np.uint16)
    if img.shape[0] == 1:
        write_png(base + ".png", q[0])
    else:
        write_png(base + ".png", np.stack([q[0], q[1], np.zeros_like(q[0])], axis=-1))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", help="directory for sim_XXXXXX.png / .npy files")
    ap.add_argument("--count", type=int, default=16)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--channels", type=int, default=1, choices=(1, 2))
    ap.add_argument("--start-seed", type=int, default=0)
    ap.add_argument("--format", choices=("png", "npy"), default="png",
                    help="per-image format for --out (png: 16-bit; npy: float32)")
    ap.add_argument("--labels", action="store_true",
                    help="with --out also write sim_XXXXXX_labels.png (uint16)")
    ap.add_argument("--clean", action="store_true",
                    help="with --out also write sim_XXXXXX_clean.png/.npy: the same scene without camera noise")
    ap.add_argument("--sheet", help="write a contact sheet PNG (4 columns)")
    ap.add_argument("--sheet-cols", type=int, default=4)
    ap.add_argument("--sheet-gamma", type=float, default=1.0,
                    help="display gamma for the sheet only (1 = raw mapping)")
    ap.add_argument("--dataset", help="write uint8 .npy array [N, C, size, size]")
    ap.add_argument("--print-params", action="store_true",
                    help="print the default SimParams and exit")
    a = ap.parse_args(argv)

    if a.print_params:
        docs = param_docs()
        for f in dataclasses.fields(SimParams):
            print(f"{f.name} = {f.default!r}\n    {docs.get(f.name, '')}")
        return 0
    if not (a.out or a.sheet or a.dataset):
        ap.error("give at least one of --out, --sheet, --dataset")

    t0 = time.time()
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        for i in range(a.count):
            seed = a.start_seed + i
            img, lab = simulate_with_labels(seed, a.size, a.channels)
            base = os.path.join(a.out, f"sim_{seed:06d}")
            _write_image(base, img, a.format)
            if a.clean:
                _write_image(base + "_clean", simulate_clean(seed, a.size, a.channels), a.format)
            if a.labels:
                write_png(base + "_labels.png", _label_png(lab))
    if a.sheet:
        imgs = [simulate(a.start_seed + i, a.size, a.channels) for i in range(a.count)]
        write_png(a.sheet, contact_sheet(imgs, a.sheet_cols, gamma=a.sheet_gamma))
    if a.dataset:
        data = generate_dataset(a.count, a.size, a.channels, a.start_seed,
                                progress=True)
        np.save(a.dataset, data)
    print(f"done in {time.time() - t0:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
