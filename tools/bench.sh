#!/usr/bin/env bash
# Drag benchmark: the Java engine (DJL, libtorch 2.7.1) and the Python reference (tools/reference_drag.py,
# Debian's torch) on the same bundle, the same drag and thread count; prints both and the Java/Python ratio.
#   tools/bench.sh BUNDLE_DIR [THREADS] [STEPS]
# Stop other CPU-heavy work first (e.g. kill -STOP a training run): timings on 2 cores are noisy (+-15 %).
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=${1:?usage: tools/bench.sh BUNDLE_DIR [THREADS] [STEPS]}
threads=${2:-$(nproc)}
steps=${3:-50}
[ -f target/classpath.txt ] && [ -d target/classes/io ] || mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=target/classpath.txt
java_line=$(java -Xmx2g -cp "target/classes:$(cat target/classpath.txt)" io.github.dragganfiji.cli.Main bench \
	--bundle "$bundle" --threads "$threads" --steps "$steps" 2>/dev/null | tail -1)
py_line=$(/usr/bin/python3 tools/reference_drag.py --bundle "$bundle" --bench --threads "$threads" --steps "$steps" | tail -1)
echo "$java_line"
echo "$py_line"
/usr/bin/python3 - "$java_line" "$py_line" <<'PY'
import json, sys
j, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"| {j['resolution']} px | {j['threads']} | {j['median_ms']:.0f} ms | {p['median_ms']:.0f} ms | "
      f"{j['median_ms'] / p['median_ms']:.2f} | {j['first_step_ms']:.0f} / {p['first_step_ms']:.0f} ms | "
      f"{j['peak_rss_mb']:.0f} / {p['peak_rss_mb']:.0f} MB |")
PY
