#!/usr/bin/env python3
"""Checks a training set the way NVIDIA's stylegan2-ada-pytorch / stylegan3 train.py reads it (our own code).

  /usr/bin/python3 tools/nvlabs_dataset.py DATA.zip [--augpipe bgc] [--cond]

Their training/dataset.py (ImageFolderDataset) takes a folder or a .zip; every file whose extension PIL knows is
an image, in sorted order; image 0's shape (HWC from PIL, an HW array made HW1) fixes the shape every other image
must have, dtype uint8; dataset.json's "labels" is null or a list of [file name, label] pairs that must name every
image (ints: classes, lists of floats: vectors). train.py then asks for a square image (Dataset.resolution), the
generator for a power of two of 4 or more; the default augmentation (--augpipe bgc, colour transforms) and the
default metric (fid50k_full, Inception on 1 or 3 channels) take 1 or 3 channels only. This module applies the same
checks (without their code, whose licence forbids copying it) and also reads 'draggan dataset''s mapping record.
Exit 0 and a summary line if their trainer reads the set; else exit 2 and one sentence.
"""
import argparse
import io
import json
import os
import sys
import zipfile

import numpy as np
from PIL import Image

COLOUR_AUGPIPES = {"bgc", "bgcf", "bgcfn", "bgcfnc", "color"}
RECORD = "draggan-dataset.json"


class DatasetError(ValueError):
    """The trainer would refuse the set (or fail on it), with why."""


def _files(path):
    if os.path.isdir(path):
        names = {os.path.relpath(os.path.join(root, f), start=path) for root, _dirs, fs in os.walk(path) for f in fs}
        return names, lambda n: open(os.path.join(path, n), "rb")
    if os.path.splitext(path)[1].lower() == ".zip":
        z = zipfile.ZipFile(path)
        return set(z.namelist()), lambda n: z.open(n, "r")
    raise DatasetError("Path must point to a directory or zip")


def _image(opener, name):
    with opener(name) as f:
        a = np.array(Image.open(io.BytesIO(f.read())))
    if a.ndim == 2:
        a = a[:, :, np.newaxis]
    return a.transpose(2, 0, 1)


def check(path, augpipe="bgc", cond=False, metrics=True):
    """Reads the whole set as their loader does; returns a summary dict, or raises DatasetError."""
    names, opener = _files(path)
    Image.init()
    images = sorted(n for n in names if os.path.splitext(n)[1].lower() in Image.EXTENSION)
    if not images:
        raise DatasetError("No image files found in the specified path")
    shape = list(_image(opener, images[0]).shape)
    for n in images:
        a = _image(opener, n)
        if list(a.shape) != shape:
            raise DatasetError(f"{n} has shape {list(a.shape)}, image 0 has {shape} (their __getitem__ asserts it)")
        if a.dtype != np.uint8:
            raise DatasetError(f"{n} has dtype {a.dtype}, not uint8 (their __getitem__ asserts it)")
    c, h, w = shape
    if h != w:
        raise DatasetError(f"images are {w} x {h}: Dataset.resolution asserts square images")
    if h < 4 or h & (h - 1):
        raise DatasetError(f"resolution {h} is not a power of two of 4 or more (SynthesisNetwork asserts it)")
    if augpipe in COLOUR_AUGPIPES and c not in (1, 3):
        raise DatasetError(f"{c} channels: --augpipe {augpipe} has colour transforms, which raise 'Image must be RGB "
                           f"(3 channels) or L (1 channel)'")
    if metrics and c not in (1, 3):
        raise DatasetError(f"{c} channels: the FID metric's Inception network takes 1 or 3 channels")
    labels = None
    if "dataset.json" in names:
        with opener("dataset.json") as f:
            raw = json.load(f)["labels"]
        if raw is not None:
            d = dict(raw)
            missing = [n for n in images if n.replace("\\", "/") not in d]
            if missing:
                raise DatasetError(f"dataset.json has no label for {missing[0]} (their loader raises KeyError)")
            arr = np.array([d[n.replace("\\", "/")] for n in images])
            if arr.ndim not in (1, 2):
                raise DatasetError("labels must be ints or lists of floats")
            labels = arr.astype({1: np.int64, 2: np.float32}[arr.ndim])
    if cond and labels is None:
        raise DatasetError("--cond=True requires labels specified in dataset.json")
    record = None
    if RECORD in names:
        with opener(RECORD) as f:
            record = json.load(f)
    label_dim = 0 if labels is None else (int(labels.max()) + 1 if labels.ndim == 1 else labels.shape[1])
    return dict(images=len(images), channels=c, resolution=h, label_dim=label_dim, record=record,
                first=images[0], last=images[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data")
    ap.add_argument("--augpipe", default="bgc")
    ap.add_argument("--cond", action="store_true")
    ap.add_argument("--metrics", default="fid50k_full")
    a = ap.parse_args(argv)
    try:
        s = check(a.data, a.augpipe, a.cond, a.metrics != "none")
    except (DatasetError, OSError, zipfile.BadZipFile, ValueError, KeyError) as e:
        print(f"nvlabs_dataset.py: {a.data}: {e}", file=sys.stderr)
        return 2
    print(json.dumps({k: v for k, v in s.items() if k != "record"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
