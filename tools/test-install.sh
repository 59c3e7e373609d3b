#!/usr/bin/env bash
# The install test: installs into a throwaway folder laid out like Fiji.app and checks what arrives.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fiji="$tmp/Fiji.app"
mkdir -p "$fiji/jars" "$fiji/plugins"
"$here/tools/install-fiji.sh" "$fiji"
fail=0
passed=0
check() { if [ -e "$1" ]; then echo "ok   $2"; passed=$((passed + 1)); else echo "FAIL $2 ($1 missing)"; fail=$((fail + 1)); fi; }
jar=$(ls "$fiji"/plugins/DragGAN_Fiji-*.jar 2>/dev/null | head -1)
check "$jar" "plugin jar in plugins/ (name with an underscore)"
for dep in api-0.35.1 pytorch-engine-0.35.1 pytorch-jni-2.7.1-0.35.1 gson- ij-; do
	check "$(ls "$fiji"/jars/$dep*.jar 2>/dev/null | head -1)" "jars/$dep*.jar"
done
check "$(ls "$fiji"/jars/linux64/pytorch-native-cpu-2.7.1-linux-x86_64.jar 2>/dev/null | head -1)" \
	"CPU libtorch natives in jars/linux64/"
entries=$(unzip -p "$jar" plugins.config | grep -c '^Plugins>DragGAN' || true)
if [ "$entries" -ge 3 ]; then echo "ok   plugins.config in the jar with $entries DragGAN menu entries"; passed=$((passed + 1))
else echo "FAIL plugins.config in the jar has $entries DragGAN entries"; fail=$((fail + 1)); fi
for m in "$here"/sample-models/*/; do
	[ -f "$m/model.json" ] && check "$fiji/models/draggan/$(basename "$m")/model.json" "sample model $(basename "$m")"
	if [ -f "$fiji/models/draggan/$(basename "$m")/discriminator.pt" ]; then
		echo "FAIL sample model $(basename "$m"): its training-only discriminator.pt was installed"; fail=$((fail + 1))
	fi
done
# The installed jars run: list the commands' classes from the installed class path.
cp_list=$(find "$fiji/jars" "$fiji/plugins" -name '*.jar' | tr '\n' ':')
if java -cp "$cp_list" -Djava.awt.headless=true io.github.dragganfiji.cli.Main info >"$tmp/info.txt" 2>&1; then
	echo "ok   the installed jars start the engine: $(grep -m1 'DJL PyTorch engine' "$tmp/info.txt")"
	passed=$((passed + 1))
else
	echo "FAIL the installed jars do not start:"; cat "$tmp/info.txt"; fail=$((fail + 1))
fi
# Spark is for draggan batch only (provided scope): none of it, nor Scala, may reach Fiji.
spark_jars=$(find "$fiji" -name '*.jar' | grep -E '/(spark-[^/]*|scala-library[^/]*|hadoop-client[^/]*)\.jar$' || true)
if [ -z "$spark_jars" ]; then echo "ok   no Spark, Scala or Hadoop jar in Fiji"; passed=$((passed + 1))
else echo "FAIL Spark reached Fiji: $spark_jars"; fail=$((fail + 1)); fi
if java -cp "$cp_list" -Djava.awt.headless=true io.github.dragganfiji.cli.Main batch x.csv --out "$tmp/b" >"$tmp/batch.txt" 2>&1
then echo "FAIL draggan batch ran without Spark"; fail=$((fail + 1))
elif grep -q 'needs Apache Spark on the class path' "$tmp/batch.txt"; then
	echo "ok   without Spark, draggan batch says so in one sentence"; passed=$((passed + 1))
else echo "FAIL draggan batch without Spark:"; cat "$tmp/batch.txt"; fail=$((fail + 1)); fi
echo "install test: $passed passed, $fail failed"
[ "$fail" -eq 0 ]
