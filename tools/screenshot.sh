#!/usr/bin/env bash
# Takes the README's screenshot of a real drag in ImageJ under a virtual display (Xvfb):
#   tools/screenshot.sh OUT.png [MODEL] [SEED] [HX,HY,TX,TY] [STEPS]
# Starts plain ImageJ with the plugin (tools/imagej.sh), runs Generate Image... and Drag... as a macro, arranges
# the source image, the result stack (last slice, zoomed) and the Results table, grabs the screen and crops it.
# Needs: apt-get install xvfb imagemagick (x11-apps optional). Models: this checkout's sample-models/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out=$(realpath -m "${1:?usage: tools/screenshot.sh OUT.png [MODEL] [SEED] [HX,HY,TX,TY] [STEPS]}")
model=${2:-nuclei-128}
seed=${3:-3}
IFS=, read -r hx hy tx ty <<<"${4:-91,77,91,70}"
steps=${5:-200}
display=:${SCREENSHOT_DISPLAY:-77}
work=$(mktemp -d)
trap 'kill $xvfb $ij 2>/dev/null || true; rm -rf "$work"' EXIT
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
sleep 1
cat >"$work/shot.ijm" <<EOF
run("Generate Image...", "model=$model seed=$seed truncation=0.7 bit=8-bit device=auto");
src = getTitle();
setLocation(0, 90);
makeSelection("point", newArray($hx, $tx), newArray($hy, $ty));
run("Drag...", "max=$steps device=auto record=1");
wait(500);
res = src + " drag";
selectWindow(res);
setSlice(nSlices);
setLocation(270, 90);
if (isOpen("Log")) { selectWindow("Log"); run("Close"); }
if (isOpen("DragGAN Results")) Table.setLocationAndSize(0, 400, 900, 110, "DragGAN Results");
selectWindow(res);
wait(1500);
File.saveString("done", "$work/done");
EOF
cd "$here"
DISPLAY=$display DRAGGAN_JAVA_OPTS="-Xmx3g ${DRAGGAN_JAVA_OPTS:-}" tools/imagej.sh -macro "$work/shot.ijm" \
	>"$work/ij.log" 2>&1 &
ij=$!
for _ in $(seq 1 600); do
	[ -f "$work/done" ] && break
	kill -0 $ij 2>/dev/null || { cat "$work/ij.log"; echo "ImageJ ended before the screenshot" >&2; exit 1; }
	sleep 1
done
[ -f "$work/done" ] || { echo "timed out waiting for the drag" >&2; exit 1; }
DISPLAY=$display import -window root "$work/screen.png"
# Crop to what the windows cover (the root window's background is black).
convert "$work/screen.png" -trim +repage "$out"
echo "wrote $out"
