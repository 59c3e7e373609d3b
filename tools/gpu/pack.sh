#!/usr/bin/env bash
# Fills .gpu-pack/ (git-ignored) with what tools/gpu/run.sh needs on the lent GPU machine, which has Python and torch
# but no Java and no network: a jlink'd Java runtime, the project's jar and its runtime jars (without the CPU
# libtorch), DJL 0.35.1's JNI sources (shared/djl-jni) and the latest slim training checkpoint, if any.
#
#   tools/gpu/pack.sh [--checkpoint DIR | --no-checkpoint] [--djl-jni DIR]
#
# --checkpoint DIR  a slim checkpoint folder (train.py --slim: G.pt, G_ema.pt, D.pt); default .train/ when it holds
#                   one (tools/README.md); copy the G.pt, G_ema.pt, D.pt that a GPU run returned there first
# --djl-jni DIR     DJL's JNI kit (default: shared/djl-jni in this checkout, else /work/shared/djl-jni)
#
# Refuses (exit 2) when the working tree that travels would pass the device tool's 64 MiB: tracked and untracked
# files that git does not ignore, plus this pack. Run from any folder; builds the project first if needed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
pack=.gpu-pack
limit_mib=${GPU_PACK_LIMIT_MIB:-64}
ckpt=""; no_ckpt=0; djl=""
while [ $# -gt 0 ]; do
	case "$1" in
		--checkpoint) ckpt="$2"; shift 2 ;;
		--no-checkpoint) no_ckpt=1; shift ;;
		--djl-jni) djl="$2"; shift 2 ;;
		*) echo "usage: tools/gpu/pack.sh [--checkpoint DIR | --no-checkpoint] [--djl-jni DIR]" >&2; exit 1 ;;
	esac
done
if [ -z "$djl" ]; then
	for d in shared/djl-jni /work/shared/djl-jni; do [ -f "$d/build.sh" ] && { djl="$d"; break; }; done
fi
[ -n "$djl" ] && [ -f "$djl/build.sh" ] || { echo "pack: DJL's JNI kit not found (--djl-jni DIR)" >&2; exit 1; }
if [ $no_ckpt = 0 ] && [ -z "$ckpt" ] && [ -f .train/G.pt ]; then ckpt=.train; fi
if [ -n "$ckpt" ]; then
	for f in G.pt G_ema.pt D.pt; do
		[ -f "$ckpt/$f" ] || { echo "pack: $ckpt has no $f (a slim checkpoint: train.py --slim)" >&2; exit 1; }
	done
fi
git check-ignore -q "$pack/x" || { echo "pack: $pack/ is not git-ignored (.gitignore)" >&2; exit 1; }

t0=$(date +%s)
mkdir -p "$pack"
rm -f "$pack/manifest.json"   # written last: run.sh refuses a pack without it
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# 1. The project, built as ./draggan builds it (Maven, only when sources changed).
./draggan --help >/dev/null
jar=$(command -v jar || echo /usr/lib/jvm/java-17-openjdk-amd64/bin/jar)
jdk="$(dirname "$(dirname "$(readlink -f "$(command -v jlink || echo /usr/lib/jvm/java-17-openjdk-amd64/bin/jlink)")")")"

# 2. Java runtime: the modules the CLI loads (measured with -Xlog:class+load over info, bench, drag and invert:
#    java.base, java.desktop, java.logging, java.sql (gson), jdk.unsupported; jlink adds what they require),
#    uncompressed in the image and stripped, then xz over all: 16 MB instead of 29 MB with jlink's --compress=2.
modules=java.base,java.desktop,java.logging,java.sql,jdk.unsupported
stamp="$("$jdk/bin/java" -version 2>&1 | head -1) $modules"
if [ ! -f "$pack/jre.tar.xz" ] || [ "$(cat "$pack/jre.stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "pack: jlink ($modules) ..." >&2
	"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=0 \
		--output "$tmp/jre"
	find "$tmp/jre" -name '*.so' -exec strip --strip-unneeded {} + 2>/dev/null || true
	"$tmp/jre/bin/java" -version >/dev/null 2>&1
	tar -C "$tmp" -cf - jre | nice -n 10 xz -9 -T2 >"$pack/jre.tar.xz.tmp"
	mv "$pack/jre.tar.xz.tmp" "$pack/jre.tar.xz"
	echo "$stamp" >"$pack/jre.stamp"
fi

# 3. Jars: the project's classes and its runtime class path, without the CPU libtorch (pytorch-native-cpu), the
#    test framework and the jars no CLI command loads a class from (same measurement; GPU_PACK_ALL_JARS=1 keeps them).
#    Each jar is rewritten uncompressed (JNA without the natives of other platforms), so that xz compresses it.
mkdir -p "$tmp/lib"
"$jar" --create --file "$tmp/lib/draggan.jar" -C target/classes .
skip='pytorch-native-|junit-|opentest4j-|apiguardian-'
[ "${GPU_PACK_ALL_JARS:-0}" = 1 ] ||
	skip="$skip|pytorch-jni-|commons-compress-|commons-io-|commons-codec-|classgraph-|javassist-|scijava-common-|parsington-|ij1-patcher-"
tr ':' '\n' <target/classpath.txt | grep -Ev "/($skip)[^/]*\.jar$" | grep '\.jar$' >"$tmp/jars.txt"
/usr/bin/python3 - "$tmp/lib" "$tmp/jars.txt" <<'PY'
import os, re, sys, zipfile
out = sys.argv[1]
other_native = re.compile(r"^com/sun/jna/(?!linux-x86-64/)[^/]+/.*\.(so|a|dll|jnilib|dylib)$")
for line in open(sys.argv[2]):
    src = line.strip()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(os.path.join(out, os.path.basename(src)), "w",
                                                     zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            if other_native.match(info.filename):
                continue
            zout.writestr(info, zin.read(info.filename), compress_type=zipfile.ZIP_STORED)
PY
(cd "$tmp" && tar -cf - lib | nice -n 10 xz -9 -T2 >"$root/$pack/lib.tar.xz")

# 4. DJL's JNI kit (sources, headers, build.sh), as is.
tar -C "$(dirname "$djl")" -cf - "$(basename "$djl")" | xz -9 >"$pack/djl-jni.tar.xz"

# 5. The slim checkpoint, xz'd (float16 weights: 8 % smaller; about 28 MB at 256 px); kept when unchanged.
if [ -n "$ckpt" ]; then
	cstamp="$(cd "$ckpt" && stat -c '%n %s %Y' G.pt G_ema.pt D.pt | tr '\n' ' ')"
	if [ ! -f "$pack/train.tar.xz" ] || [ "$(cat "$pack/train.stamp" 2>/dev/null)" != "$cstamp" ]; then
		echo "pack: xz of the checkpoint in $ckpt ..." >&2
		mkdir -p "$tmp/train" && cp "$ckpt/G.pt" "$ckpt/G_ema.pt" "$ckpt/D.pt" "$tmp/train/"
		tar -C "$tmp" -cf - train | nice -n 10 xz -9 -T2 >"$pack/train.tar.xz.tmp"
		mv "$pack/train.tar.xz.tmp" "$pack/train.tar.xz"
		echo "$cstamp" >"$pack/train.stamp"
	fi
else
	rm -f "$pack/train.tar.xz" "$pack/train.stamp"
fi
rm -rf "$pack/train"   # the layout before xz

# 6. Sizes: what travels = tracked + untracked-not-ignored files + this pack.
pack_bytes=$(find "$pack" -type f ! -name manifest.json -printf '%s\n' | awk '{s+=$1} END {print s+0}')
tree_bytes=$( { git ls-files -z --cached; git ls-files -z --others --exclude-standard; } |
	xargs -0 -r stat -c %s 2>/dev/null | awk '{s+=$1} END {print s+0}')
total=$((pack_bytes + tree_bytes))
limit=$((limit_mib * 1048576))
mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
echo "pack: $(mib "$(stat -c %s "$pack/jre.tar.xz")") MiB runtime," \
	"$(mib "$(stat -c %s "$pack/lib.tar.xz")") MiB jars, $(mib "$(stat -c %s "$pack/djl-jni.tar.xz")") MiB djl-jni," \
	"checkpoint: ${ckpt:-none}; pack $(mib $pack_bytes) MiB + working tree $(mib $tree_bytes) MiB =" \
	"$(mib $total) MiB of $limit_mib MiB"
if [ $total -gt $limit ]; then
	echo "pack: REFUSED: $(mib $total) MiB would travel, over the device tool's $limit_mib MiB" \
		"(leave the checkpoint out with --no-checkpoint, or make the working tree smaller)" >&2
	exit 2
fi
/usr/bin/python3 - "$pack" "$ckpt" "$pack_bytes" "$tree_bytes" "$(git rev-parse HEAD)" "$stamp" <<'PY'
import json, os, sys, time
pack, ckpt, pack_bytes, tree_bytes, commit, jre = sys.argv[1:]
files = {}
for d, _, names in os.walk(pack):
    for n in names:
        if n != "manifest.json":
            p = os.path.join(d, n)
            files[os.path.relpath(p, pack)] = os.path.getsize(p)
with open(os.path.join(pack, "manifest.json"), "w") as f:
    json.dump(dict(created=time.strftime("%Y-%m-%dT%H:%M:%S%z"), commit=commit, jre=jre, checkpoint=ckpt or None,
                   pack_mib=int(pack_bytes) / 2 ** 20, tree_mib=int(tree_bytes) / 2 ** 20,
                   total_mib=(int(pack_bytes) + int(tree_bytes)) / 2 ** 20, files=files), f, indent=1)
PY
echo "pack: ready in $(($(date +%s) - t0)) s: $pack/ (device tool: carry [\"$pack\"])"
