#!/usr/bin/env bash
# The DragGAN tool, driven by java.awt.Robot in a real ImageJ window under a virtual display (Xvfb), as the test
# DragToolGuiTest does, but with a longer edit: prints the measured figures (in-place updates per second, Space to
# the first visible change, the engine alone on a thread of its own before and after) and writes the session as
# an animated GIF:
#   tools/tool-demo.sh [OUT.gif] [RUN_STEPS]        (default docs/images/drag-tool.gif, 40 steps)
# Needs: apt-get install xvfb openjdk-17-jre. Model: this checkout's sample-models/nuclei-128, seed 5.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out=$(realpath -m "${1:-$here/docs/images/drag-tool.gif}")
steps=${2:-40}
cd "$here"
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt
exec 3< <(exec Xvfb -displayfd 1 -screen 0 1024x768x24 -nolisten tcp 2>/dev/null)
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
read -r -t 30 display <&3
DISPLAY=":$display" java -Xmx1g -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
	io.github.dragganfiji.ij.DragToolRobot --models "$here/sample-models" --model nuclei-128 --seed 5 --zoom 200 \
	--points "40,60,56,52;90,30,90,50" --run-steps "$steps" --baseline-steps 30 --gif "$out" 2>&1 |
	grep -v -e '^ok: ' -e ' WARN '
