#!/usr/bin/env bash
# The Drag command with a display: ImageJ under Xvfb, the result stack growing in its window. Prints the mean time
# per step (including the window updates) beside the command line's for the same drag, and how long ImageJ's event
# thread took to answer meanwhile (median, 99th percentile, max).
#   tools/gui-bench.sh [MODEL] [SEED] [HX,HY,TX,TY] [STEPS]      (needs xvfb; apt-get install xvfb)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-nuclei-128} seed=${2:-3} points=${3:-91,77,91,60} steps=${4:-60}
mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
display=:${GUI_BENCH_DISPLAY:-78}
Xvfb "$display" -screen 0 1280x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
sleep 1
DISPLAY=$display java -Ddraggan.models="$PWD/sample-models" -Xmx3g \
	-cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.github.dragganfiji.ij.GuiBench \
	"$model" "$seed" "$points" "$steps" 2>/dev/null | tail -1
out=$(mktemp -d)
./draggan drag --model "$model" --seed "$seed" --points "$points" --steps "$steps" --stop 1 --device cpu \
	--out "$out" 2>/dev/null | head -1 | sed 's/^/command line: /'
rm -rf "$out"
