#!/usr/bin/env bash
# Builds DragGAN's Fiji update site into a local folder with the real ImageJ updater (its upload-complete-site
# and file: uploader), ready for Fiji's Help > Update... > Manage Update Sites > Add Unlisted Site (docs/install.md):
#   tools/update-site.sh SITE_FOLDER [PLATFORM...]
# The site holds the plugin jar (plugins/), DJL's jars (jars/), the CPU libtorch natives per platform
# (jars/linux64/ always; PLATFORM adds more: osx-aarch64, osx-x86_64, win-x86_64, linux-aarch64, fetched from Maven
# Central) and the sample models (models/draggan/). Run it again to upload a newer build; Fiji's updater then
# offers the changed files. The updater comes from lib/maven (lib/README.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
site="${1:?usage: tools/update-site.sh SITE_FOLDER [osx-aarch64|osx-x86_64|win-x86_64|linux-aarch64...]}"
shift
for p in "$@"; do
	case "$p" in
	osx-aarch64 | osx-x86_64 | win-x86_64 | linux-aarch64) ;;
	*) echo "Unknown platform: $p (one of osx-aarch64, osx-x86_64, win-x86_64, linux-aarch64)." >&2; exit 2 ;;
	esac
done
mkdir -p "$site"
site="$(cd "$site" && pwd)"
cd "$here"
mvn -B -q package -DskipTests
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt >/dev/null
repo="$(mvn -B -q help:evaluate -Dexpression=settings.localRepository -DforceStdout | sed "s/\x1b\[[0-9;]*m//g")"
natives=()
for p in "$@"; do
	mvn -B -q dependency:get -Dartifact="ai.djl.pytorch:pytorch-native-cpu:2.7.1:jar:$p" -Dtransitive=false >/dev/null
	natives+=("$repo/ai/djl/pytorch/pytorch-native-cpu/2.7.1/pytorch-native-cpu-2.7.1-$p.jar")
done
java -cp "target/test-classes:$(cat target/test-classpath.txt)" io.github.dragganfiji.site.FijiSite "$site" \
	"${natives[@]}"
