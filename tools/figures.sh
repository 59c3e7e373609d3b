#!/usr/bin/env bash
# Regenerates the README's and the user guide's pictures from real runs on a sample model:
#   tools/figures.sh [MODEL] [OUT_DIR]        (defaults: nuclei-128, docs/images)
# 1. demo.png        ./draggan demo's montage (start, steps, end; handles red, targets blue, track yellow)
# 2. inversion.png   a simulator image the model never saw (seed 6,000,000), its reconstruction (projection +
#                    pivotal tuning), a drag of the inverted image with paste-back (the default: every pixel outside
#                    the movable region is the original's) and the same drag's raw generator output (--raw)
# 3. screenshot.png  ImageJ with Generate Image... and Drag... run (tools/screenshot.sh; needs Xvfb, ImageMagick)
# Pause CPU-heavy work (a training run) first.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model=${1:-nuclei-128}
dest=$(realpath -m "${2:-$here/docs/images}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"
cd "$here"

./draggan demo --model "$model" --out "$work/demo" | tee "$work/demo.txt"
cp "$work/demo/montage.png" "$dest/demo.png"

/usr/bin/python3 tools/simulate.py --out "$work/real" --count 1 --size 128 --start-seed 6000000 >/dev/null
real="$work/real/sim_6000000.png"
# A handle on the nucleus nearest the image centre (its centroid, after an Otsu-like threshold of the smoothed
# image), dragged 8 px towards the centre, as a user drags a whole nucleus.
points=$(/usr/bin/python3 - "$real" <<'PY'
import sys
import numpy as np
from PIL import Image
from scipy import ndimage
img = np.asarray(Image.open(sys.argv[1]), dtype=float)  # 16-bit: no conversion to 8 bits
s = ndimage.gaussian_filter(img, 1)
t = s.mean() + 0.5 * s.std()
lab, n = ndimage.label(s > t)
c = np.array([(img.shape[1] - 1) / 2, (img.shape[0] - 1) / 2])
best = None
for k in range(1, n + 1):
    ys, xs = np.nonzero(lab == k)
    if len(xs) < 40:
        continue
    p = np.array([xs.mean(), ys.mean()])
    r = np.linalg.norm(p - c)
    if 6 < r and (best is None or r < best[0]):
        best = (r, p)
x, y = np.round(best[1]).astype(int)
d = (c - best[1]) / best[0] * 8
print(f"{x},{y},{int(round(x + d[0]))},{int(round(y + d[1]))}")
PY
)
DRAGGAN_JAVA_OPTS="-Xmx4g ${DRAGGAN_JAVA_OPTS:-} -Ddraggan.userModels=$work/user-models" ./draggan invert --image "$real" --model "$model" \
	--out "$work/inverted.tif" | tee "$work/invert.txt"
DRAGGAN_JAVA_OPTS="-Xmx4g ${DRAGGAN_JAVA_OPTS:-} -Ddraggan.userModels=$work/user-models" ./draggan drag --image "$work/inverted.tif" \
	--points "$points" --steps 200 --out "$work/drag" | tee "$work/drag.txt"
DRAGGAN_JAVA_OPTS="-Xmx4g ${DRAGGAN_JAVA_OPTS:-} -Ddraggan.userModels=$work/user-models" ./draggan drag --image "$work/inverted.tif" \
	--points "$points" --steps 200 --raw --out "$work/drag-raw" | tee "$work/drag-raw.txt"
/usr/bin/python3 - "$real" "$work/inverted_reconstruction.tif" "$work/drag/drag.tif" "$work/drag-raw/drag.tif" \
	"$dest/inversion.png" "$(grep '^PSNR' "$work/invert.txt" | grep -o 'PSNR [0-9.]* dB' | head -1)" <<'PY'
import sys
import numpy as np
from PIL import Image, ImageDraw, ImageSequence
real, recon, pasted, raw, out, psnr = sys.argv[1:7]
side = 256
src = np.asarray(Image.open(real), dtype=float)  # 16-bit: one display range for every panel
lo, hi = np.percentile(src, [0.5, 99.8])
show = lambda x: Image.fromarray(np.uint8(np.clip((x - lo) / (hi - lo), 0, 1) * 255)).convert("RGB").resize(
    (side, side), Image.NEAREST)  # noqa: E731
last = lambda f: np.asarray([p for p in ImageSequence.Iterator(Image.open(f))][-1], dtype=float)  # noqa: E731
panels = [show(src), show(np.asarray(Image.open(recon), dtype=float)), show(last(pasted)), show(last(raw))]
labels = ["simulated, never seen in training", f"reconstruction: {psnr}", "drag with paste-back (default)",
          "drag, raw generator output"]
sheet = Image.new("RGB", (4 * side + 12, side + 22), "white")
draw = ImageDraw.Draw(sheet)
for i, (im, text) in enumerate(zip(panels, labels)):
    sheet.paste(im, (i * (side + 4), 22))
    draw.text((i * (side + 4) + 4, 5), text, fill="black")
sheet.save(out)
PY

tools/screenshot.sh "$dest/screenshot.png" "$model"
echo "wrote $dest/demo.png, inversion.png, screenshot.png"
