#!/usr/bin/env bash
# Launches plain ImageJ with DragGAN for Fiji from this checkout (for interactive use without Fiji):
#   tools/imagej.sh [ImageJ arguments, e.g. -macro file.ijm]
# The plugin jar is put in target/imagej/plugins/ (ImageJ reads its plugins.config there); its dependencies
# go on the class path. Models: this checkout's sample-models/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$here" && mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.includeScope=runtime \
	-Dmdep.outputFile=target/classpath.txt)
mkdir -p "$here/target/imagej/plugins"
rm -f "$here"/target/imagej/plugins/DragGAN_Fiji-*.jar
cp "$here"/target/DragGAN_Fiji-*[0-9T].jar "$here/target/imagej/plugins/"
exec java -Ddraggan.models="$here/sample-models" ${DRAGGAN_JAVA_OPTS:--Xmx4g} -Dplugins.dir="$here/target/imagej" \
	-cp "$(cat "$here/target/classpath.txt")" ij.ImageJ "$@"
