#!/usr/bin/env bash
# Drag benchmark: the Java engine (DJL, libtorch 2.7.1) and the Python reference (tools/reference_drag.py,
# Debian's torch) on the same bundle, the same drag and thread count; prints both and the Java/Python ratio.
#   tools/bench.sh BUNDLE_DIR [THREADS|auto] [STEPS] [BUSY]
# THREADS: a fixed count for both, or auto (default): Java's own choice as in Fiji (all cores, fewer when the
# cores are busy; the Python reference then uses all cores). BUSY: how many busy processes (a plain CPU loop each)
# run beside both benchmarks, to measure a contended machine (default 0 = idle).
# Stop other CPU-heavy work first (e.g. kill -STOP a training run): timings on 2 cores are noisy (+-15 %).
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=${1:?usage: tools/bench.sh BUNDLE_DIR [THREADS|auto] [STEPS] [BUSY]}
threads=${2:-auto}
steps=${3:-50}
busy=${4:-0}
[ -f target/classpath.txt ] && [ -d target/classes/io ] || mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=target/classpath.txt
java_threads=() py_threads=$(nproc)
if [ "$threads" != auto ]; then java_threads=(--threads "$threads"); py_threads=$threads; fi
pids=()
stop_busy() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pids=(); }
trap stop_busy EXIT
for _ in $(seq 1 "$busy"); do (while :; do :; done) & pids+=($!); done
java_line=$(java -Xmx2g -cp "target/classes:$(cat target/classpath.txt)" io.github.dragganfiji.cli.Main bench \
	--bundle "$bundle" "${java_threads[@]}" --steps "$steps" 2>/dev/null | tail -1)
py_line=$(/usr/bin/python3 tools/reference_drag.py --bundle "$bundle" --bench --threads "$py_threads" --steps "$steps" | tail -1)
stop_busy
echo "$java_line"
echo "$py_line"
/usr/bin/python3 - "$java_line" "$py_line" "$threads" "$busy" <<'PY'
import json, sys
j, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
threads, busy = sys.argv[3], int(sys.argv[4])
load = "idle" if busy == 0 else f"{busy} busy process{'es' if busy > 1 else ''}"
print(f"| {j['resolution']} px | {threads} | {load} | {j['median_ms']:.0f} ms | {p['median_ms']:.0f} ms | "
      f"{j['median_ms'] / p['median_ms']:.2f} | {j['first_step_ms']:.0f} / {p['first_step_ms']:.0f} ms | "
      f"{j['peak_rss_mb']:.0f} / {p['peak_rss_mb']:.0f} MB |")
PY
