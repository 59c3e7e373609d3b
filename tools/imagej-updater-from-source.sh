#!/usr/bin/env bash
# Rebuilds lib/maven/net/imagej/imagej-updater/2.0.1/ (the ImageJ updater the update-site test, UpdateSiteIT, and
# tools/update-site.sh use) from its released source. net.imagej:imagej-updater is published on maven.scijava.org
# only, which this project's build does not reach (it uses Maven Central alone), so the jar lives in the repository,
# in a file: Maven repository the pom names (lib/README.md).
#   tools/imagej-updater-from-source.sh IMAGEJ_UPDATER_GIT IMAGEJ_COMMON_GIT
# (clones of github.com/imagej/imagej-updater and github.com/imagej/imagej-common, plain or bare; the tags are read
# with git archive, the clones are not changed).
# What the jar holds: the updater's own code and resources at tag imagej-updater-2.0.1 (the version pom-scijava 45
# manages), unchanged, and the three classes it uses from net.imagej:imagej-common, unchanged from tag
# imagej-common-2.1.1 (ImageJService, ImageJPlugin, MediaWikiClient), so that nothing else of imagej-common (and its
# image libraries) is needed. Its runtime dependencies, scijava-common 2.100.1 and app-launcher 2.3.1 (with
# parsington), come from Maven Central through the pom written next to it. The jar's entries carry the updater tag's
# commit date, so the same JDK (17) gives the same bytes; lib/README.md records the sha256.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
updater="${1:?usage: tools/imagej-updater-from-source.sh IMAGEJ_UPDATER_GIT IMAGEJ_COMMON_GIT}"
common="${2:?usage: tools/imagej-updater-from-source.sh IMAGEJ_UPDATER_GIT IMAGEJ_COMMON_GIT}"
version=2.0.1
git_dir() { if [ -d "$1/.git" ]; then echo "$1/.git"; else echo "$1"; fi; }
updater="$(git_dir "$updater")"
common="$(git_dir "$common")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
git --git-dir="$updater" archive "imagej-updater-$version" src/main LICENSE.txt | tar -x -C "$tmp"
git --git-dir="$common" archive imagej-common-2.1.1 src/main/java/net/imagej/ImageJService.java \
	src/main/java/net/imagej/ImageJPlugin.java src/main/java/net/imagej/util/MediaWikiClient.java | tar -x -C "$tmp"
date="$(git --git-dir="$updater" log -1 --format=%cI "imagej-updater-$version")"
repo="$(mvn -B -q help:evaluate -Dexpression=settings.localRepository -DforceStdout | sed "s/\x1b\[[0-9;]*m//g")"
for a in org.scijava:scijava-common:2.100.1 org.scijava:parsington:3.1.0 org.scijava:app-launcher:2.3.1; do
	mvn -B -q dependency:get -Dartifact="$a" -Dtransitive=false >/dev/null
done
cp="$repo/org/scijava/scijava-common/2.100.1/scijava-common-2.100.1.jar"
cp="$cp:$repo/org/scijava/parsington/3.1.0/parsington-3.1.0.jar:$repo/org/scijava/app-launcher/2.3.1/app-launcher-2.3.1.jar"
mkdir -p "$tmp/classes"
# scijava-common's annotation processor writes META-INF/json/org.scijava.plugin.Plugin (the updater's plugins).
javac -nowarn -encoding UTF-8 --release 8 -cp "$cp" -d "$tmp/classes" \
	$(find "$tmp/src/main/java" -name '*.java' | sort) 2>&1 | grep -v '^warning\|^Note:\|^[0-9]* warning' || true
[ -d "$tmp/src/main/resources" ] && cp -r "$tmp/src/main/resources/." "$tmp/classes/"
[ -f "$tmp/classes/net/imagej/updater/CommandLine.class" ] || { echo "The updater did not compile." >&2; exit 1; }
cp "$tmp/LICENSE.txt" "$tmp/classes/META-INF/LICENSE-imagej-updater.txt" 2>/dev/null ||
	{ mkdir -p "$tmp/classes/META-INF" && cp "$tmp/LICENSE.txt" "$tmp/classes/META-INF/LICENSE-imagej-updater.txt"; }
out="$here/lib/maven/net/imagej/imagej-updater/$version"
mkdir -p "$out"
(cd "$tmp/classes" && find . -type f | LC_ALL=C sort >"$tmp/files")
(cd "$tmp/classes" && jar --create --date="$date" --file "$tmp/imagej-updater-$version.jar" @"$tmp/files")
cat >"$tmp/imagej-updater-$version.pom" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
	<modelVersion>4.0.0</modelVersion>
	<groupId>net.imagej</groupId>
	<artifactId>imagej-updater</artifactId>
	<version>$version</version>
	<description>Built from tags imagej-updater-$version and imagej-common-2.1.1 by DragGAN_Fiji's tools/imagej-updater-from-source.sh</description>
	<licenses>
		<license>
			<name>Simplified BSD License</name>
			<url>https://opensource.org/licenses/BSD-2-Clause</url>
		</license>
	</licenses>
	<dependencies>
		<dependency><groupId>org.scijava</groupId><artifactId>scijava-common</artifactId><version>2.100.1</version></dependency>
		<dependency><groupId>org.scijava</groupId><artifactId>app-launcher</artifactId><version>2.3.1</version></dependency>
	</dependencies>
</project>
POM
for f in "imagej-updater-$version.jar" "imagej-updater-$version.pom"; do
	mv "$tmp/$f" "$out/$f"
	sha1sum "$out/$f" | cut -d' ' -f1 | tr -d '\n' >"$out/$f.sha1"
done
cp "$tmp/LICENSE.txt" "$here/lib/LICENSE-imagej-updater.txt"
echo "Wrote $out/imagej-updater-$version.jar, sha256 $(sha256sum "$out/imagej-updater-$version.jar" | cut -d' ' -f1)"
