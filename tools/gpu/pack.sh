#!/usr/bin/env bash
# Fills .gpu-pack/ (git-ignored) with what tools/gpu/run.sh needs on the lent GPU machine, which has Python and torch
# but no Java and no network: a jlink'd Java runtime, the project's jar and its runtime jars (without the CPU
# libtorch), DJL 0.35.1's JNI sources (shared/djl-jni) and the latest slim training checkpoint, if any.
#
#   tools/gpu/pack.sh [--checkpoint DIR | --no-checkpoint] [--train-only] [--djl-jni DIR]
#
# --checkpoint DIR  a slim checkpoint folder (train.py --slim: G.pt, G_ema.pt, D.pt); default .train/ when it holds
#                   one (tools/README.md); copy the G.pt, G_ema.pt, D.pt that a GPU run returned there first
# --train-only      a pack for a later window, once the Java checks have run on a GPU: only the checkpoint, no
#                   Java runtime, jars or JNI kit; run.sh then simulates the training set and trains (the 256 px
#                   checkpoint, 28 MB, does not fit beside the runtime and the working tree's sample models)
# --djl-jni DIR     DJL's JNI kit (default: shared/djl-jni in this checkout, else /work/shared/djl-jni)
#
# What travels is the working tree (tracked and untracked files that git does not ignore) plus this pack; the
# device tool takes 64 MiB. When the checkpoint does not fit whole, its G.pt is left out (train.py then starts the
# generator that trains from G_ema, as from a bundle; G_ema and D carry the run) and the pack says so; when it still
# does not fit, pack.sh refuses (exit 2). Run from any folder; builds the project first if needed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
pack=.gpu-pack
limit_mib=${GPU_PACK_LIMIT_MIB:-64}
ckpt=""; no_ckpt=0; djl=""; train_only=0
while [ $# -gt 0 ]; do
	case "$1" in
		--checkpoint) ckpt="$2"; shift 2 ;;
		--no-checkpoint) no_ckpt=1; shift ;;
		--train-only) train_only=1; shift ;;
		--djl-jni) djl="$2"; shift 2 ;;
		*) echo "usage: tools/gpu/pack.sh [--checkpoint DIR | --no-checkpoint] [--train-only] [--djl-jni DIR]" >&2
			exit 1 ;;
	esac
done
if [ -z "$djl" ]; then
	for d in shared/djl-jni /work/shared/djl-jni; do [ -f "$d/build.sh" ] && { djl="$d"; break; }; done
fi
[ -n "$djl" ] && [ -f "$djl/build.sh" ] || { echo "pack: DJL's JNI kit not found (--djl-jni DIR)" >&2; exit 1; }
if [ $no_ckpt = 0 ] && [ -z "$ckpt" ] && [ -f .train/G.pt ]; then ckpt=.train; fi
if [ $train_only = 1 ] && [ -z "$ckpt" ]; then
	echo "pack: --train-only needs a checkpoint (.train/ holds none; --checkpoint DIR)" >&2; exit 1
fi
if [ -n "$ckpt" ]; then
	for f in G.pt G_ema.pt D.pt; do
		[ -f "$ckpt/$f" ] || { echo "pack: $ckpt has no $f (a slim checkpoint: train.py --slim)" >&2; exit 1; }
	done
fi
git check-ignore -q "$pack/x" || { echo "pack: $pack/ is not git-ignored (.gitignore)" >&2; exit 1; }
if [ -n "$ckpt" ] && [ -n "$(git ls-files --others --exclude-standard -- "$ckpt" 2>/dev/null)" ]; then
	echo "pack: $ckpt is in the working tree and not git-ignored, so it would travel twice (.gitignore)" >&2; exit 1
fi

t0=$(date +%s)
mkdir -p "$pack"
rm -f "$pack/manifest.json"   # written last: run.sh refuses a pack without it
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [ $train_only = 1 ]; then
	# a later window's pack: the Java checks ran in the first one; the runtime would crowd out the checkpoint
	rm -f "$pack/jre.tar.xz" "$pack/jre.stamp" "$pack/lib.tar.xz" "$pack/djl-jni.tar.xz"
	stamp="none (--train-only)"
else
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
	/usr/bin/python3 - "$tmp/lib" "$tmp/jars.txt" <<-'PY'
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
fi

# 5. The slim checkpoint, xz'd (float16 weights: 8 % smaller; about 28 MB at 256 px, 19 MB without G.pt); kept when
#    unchanged. pack_checkpoint FILES...: train.tar.xz with those files.
pack_checkpoint() {
	local cstamp
	cstamp="$(cd "$ckpt" && stat -c '%n %s %Y' "$@" | tr '\n' ' ')"
	if [ ! -f "$pack/train.tar.xz" ] || [ "$(cat "$pack/train.stamp" 2>/dev/null)" != "$cstamp" ]; then
		echo "pack: xz of $* from $ckpt ..." >&2
		rm -rf "$tmp/train" && mkdir -p "$tmp/train" && (cd "$ckpt" && cp "$@" "$tmp/train/")
		tar -C "$tmp" -cf - train | nice -n 10 xz -9 -T2 >"$pack/train.tar.xz.tmp"
		mv "$pack/train.tar.xz.tmp" "$pack/train.tar.xz"
		echo "$cstamp" >"$pack/train.stamp"
	fi
}
if [ -n "$ckpt" ]; then
	pack_checkpoint G.pt G_ema.pt D.pt
else
	rm -f "$pack/train.tar.xz" "$pack/train.stamp"
fi
rm -rf "$pack/train"   # the layout before xz

# 6. Sizes: what travels = tracked + untracked-not-ignored files + this pack; a checkpoint that does not fit whole
#    travels without G.pt.
tree_bytes=$( { git ls-files -z --cached; git ls-files -z --others --exclude-standard; } |
	xargs -0 -r stat -c %s 2>/dev/null | awk '{s+=$1} END {print s+0}')
limit=$((limit_mib * 1048576))
pack_size() { find "$pack" -type f ! -name manifest.json -printf '%s\n' | awk '{s+=$1} END {print s+0}'; }
mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
ckpt_note="${ckpt:-none}"
if [ -n "$ckpt" ] && [ $(($(pack_size) + tree_bytes)) -gt $limit ]; then
	echo "pack: the whole checkpoint would pass $limit_mib MiB ($(mib $(($(pack_size) + tree_bytes))) MiB);" \
		"G.pt stays here: train.py starts the generator that trains from G_ema" >&2
	pack_checkpoint G_ema.pt D.pt
	ckpt_note="$ckpt without G.pt"
fi
pack_bytes=$(pack_size)
total=$((pack_bytes + tree_bytes))
if [ $train_only = 1 ]; then
	what="only the checkpoint (--train-only)"
else
	what="$(mib "$(stat -c %s "$pack/jre.tar.xz")") MiB runtime, $(mib "$(stat -c %s "$pack/lib.tar.xz")") MiB jars,"
	what="$what $(mib "$(stat -c %s "$pack/djl-jni.tar.xz")") MiB djl-jni"
fi
echo "pack: $what, checkpoint: $ckpt_note; pack $(mib $pack_bytes) MiB + working tree $(mib $tree_bytes) MiB =" \
	"$(mib $total) MiB of $limit_mib MiB"
if [ $total -gt $limit ]; then
	hint="leave the checkpoint out with --no-checkpoint, or make the working tree smaller"
	[ -n "$ckpt" ] && [ $train_only = 0 ] &&
		hint="after a first window, --train-only carries the checkpoint without the Java runtime; or --no-checkpoint"
	echo "pack: REFUSED: $(mib $total) MiB would travel, over the device tool's $limit_mib MiB ($hint)" >&2
	exit 2
fi
/usr/bin/python3 - "$pack" "$ckpt_note" "$pack_bytes" "$tree_bytes" "$(git rev-parse HEAD)" "$stamp" "$train_only" <<'PY'
import json, os, sys, time
pack, ckpt, pack_bytes, tree_bytes, commit, jre, train_only = sys.argv[1:]
files = {}
for d, _, names in os.walk(pack):
    for n in names:
        if n != "manifest.json":
            p = os.path.join(d, n)
            files[os.path.relpath(p, pack)] = os.path.getsize(p)
with open(os.path.join(pack, "manifest.json"), "w") as f:
    json.dump(dict(created=time.strftime("%Y-%m-%dT%H:%M:%S%z"), commit=commit, jre=jre,
                   checkpoint=None if ckpt == "none" else ckpt, train_only=train_only == "1",
                   pack_mib=int(pack_bytes) / 2 ** 20, tree_mib=int(tree_bytes) / 2 ** 20,
                   total_mib=(int(pack_bytes) + int(tree_bytes)) / 2 ** 20, files=files), f, indent=1)
PY
echo "pack: ready in $(($(date +%s) - t0)) s: $pack/ (device tool: carry [\"$pack\"])"
