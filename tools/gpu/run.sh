#!/usr/bin/env bash
# The first GPU window as ONE command (at most 9.5 minutes), from the repository root of the lent machine:
#   bash tools/gpu/run.sh                       # device tool: carry [".gpu-pack"], timeout_s 600
# and its rehearsal on a CPU here, the very same steps with tiny durations (tools/gpu/README.md):
#   REHEARSAL=1 TORCH_DIR=/tmp/torch-2.13/torch bash tools/gpu/run.sh
#
# Needs .gpu-pack/ (tools/gpu/pack.sh). Steps, each time-boxed and never past the deadline, so that one that fails
# or hangs cannot eat the others: unpack; DJL's JNI built against the machine's torch (--cuda) while the 256 px
# training set is simulated and a 512 px config-f random bundle exported; the Java checks on the GPU (info, bench on
# nuclei-128 and the 512 px bundle, a masked drag on each, a short inversion: projection + tuning); the Python
# reference (tools/reference_drag.py --bench) on the same GPU and bundles; then tools/train.py at 256 px for the
# time that is left, resuming from the pack's slim checkpoint. Writes to $OUT: figures.json (updated after every
# step, so it is there even if the command is killed), logs.tar.xz, and the slim checkpoint G.pt, G_ema.pt, D.pt.
#
# Environment: REHEARSAL=1 (CPU, tiny durations), BUDGET_S (seconds for the whole command; 560 on the GPU),
# TORCH_DIR (the torch package folder to build the JNI against; default: python3's torch), PY (python; default
# python3, /usr/bin/python3 in rehearsal), OUT (default /tmp/draggan-gpu/out), GPU_WORK (default /tmp/draggan-gpu),
# JNI_SO (a libdjl_torch.so built before: skips the build), TRAIN_MINUTES (cap on training; default: all that is left),
# REHEARSAL_DEVICE=gpu (rehearses the branch where no GPU is usable: the product's message and CPU fallback).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
T0=$(date +%s)
REHEARSAL=${REHEARSAL:-0}
work=${GPU_WORK:-/tmp/draggan-gpu}
out=${OUT:-$work/out}
pack=${GPU_PACK:-$root/.gpu-pack}
export PYTHONUNBUFFERED=1
if [ "$REHEARSAL" = 1 ]; then
	budget=${BUDGET_S:-3000}; dev=${REHEARSAL_DEVICE:-cpu}; pydev=cpu; PY=${PY:-/usr/bin/python3}; jobs=$(nproc); cuda_flag=""
	threads=$(nproc)
	# step sizes: warm-up / steps of the benches, drag steps, inversion steps, training set, training minutes
	b_warm=1; b128=2; b512=1; d128=3; d512=2; inv_p=3; inv_t=2; dsize=64; sim_workers=1; t_min_cap=0.3
	scale=5   # step time limits x5 on 2 shared cores (the JNI alone takes 4-12 min there)
else
	budget=${BUDGET_S:-560}; dev=gpu; pydev=cuda; PY=${PY:-python3}; jobs=$(nproc); cuda_flag=--cuda
	threads=0
	b_warm=5; b128=50; b512=30; d128=200; d512=60; inv_p=100; inv_t=100; dsize=20000; sim_workers=10; t_min_cap=60
	scale=1
fi
[ -n "${TRAIN_MINUTES:-}" ] && t_min_cap=$TRAIN_MINUTES
DEADLINE=$((T0 + budget))
RESERVE=25   # seconds kept for the final figures, logs and checkpoint copies
rm -rf "$work"; mkdir -p "$work/logs" "$out"
steps="$work/steps.jsonl"; : >"$steps"
elapsed() { echo $(($(date +%s) - T0)); }
say() { echo "[$(printf '%4d' "$(elapsed)") s] $*"; }
collect() {
	timeout 30 "$PY" tools/gpu/figures.py --work "$work" --out "$out/figures.json" --rehearsal "$REHEARSAL" \
		--t0 "$T0" --budget "$budget" >/dev/null 2>>"$work/logs/figures.log" || true
}
# step NAME MAX_S CMD...: CMD with its output in logs/NAME.log, at most MAX_S seconds and never past the deadline
step() {
	local name=$1 max=$(($2 * scale)); shift 2
	local left=$((DEADLINE - RESERVE - $(date +%s)))
	local limit=$((max < left ? max : left))
	if [ $limit -lt 5 ]; then
		echo "{\"step\": \"$name\", \"skipped\": \"no time left\"}" >>"$steps"; say "$name: skipped (no time left)"
		return 99
	fi
	local s e rc
	s=$(date +%s.%N)
	timeout -k 15 "$limit" "$@" >"$work/logs/$name.log" 2>&1
	rc=$?
	e=$(date +%s.%N)
	echo "{\"step\": \"$name\", \"rc\": $rc, \"start\": $s, \"end\": $e, \"limit_s\": $limit}" >>"$steps"
	say "$name: rc $rc, $(awk -v a="$s" -v b="$e" 'BEGIN {printf "%.1f", b - a}') s (limit $limit s)"
	[ $rc = 0 ] || tail -5 "$work/logs/$name.log" | sed 's/^/    | /'
	collect
	return $rc
}
skip() { echo "{\"step\": \"$1\", \"skipped\": \"$2\"}" >>"$steps"; say "$1: skipped ($2)"; }
pack_logs() {   # logs.tar.xz: the logs, the drag/inversion summaries and pictures, the training log and samples
	local list=(logs steps.jsonl)
	for f in drag128/summary.txt drag128/montage.png drag512/summary.txt drag512/montage.png train/nuclei-256/log.txt \
		train/nuclei-256/samples.png env.txt; do [ -f "$work/$f" ] && list+=("$f"); done
	tar -C "$work" -cJf "$out/logs.tar.xz" "${list[@]}" 2>/dev/null
	if [ "$(stat -c %s "$out/logs.tar.xz" 2>/dev/null || echo 0)" -gt 15000000 ]; then
		tar -C "$work" -cJf "$out/logs.tar.xz" logs steps.jsonl 2>/dev/null
	fi
}

say "DragGAN GPU run$([ "$REHEARSAL" = 1 ] && echo ' (REHEARSAL on the CPU)'): budget $budget s, work $work, out $out"
if [ ! -f "$pack/manifest.json" ]; then
	echo '{"error": "no .gpu-pack/manifest.json: run tools/gpu/pack.sh here and carry .gpu-pack"}' >"$out/figures.json"
	say "no pack: run tools/gpu/pack.sh and carry [\".gpu-pack\"]"; exit 2
fi

# ---- 0. the machine, the pack
{
	echo "date: $(date -Is)"; echo "host: $(uname -a)"; echo "cores: $(nproc)"
	free -g 2>/dev/null | head -2
	command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
	command -v nvcc >/dev/null && nvcc --version | tail -2
	command -v cmake >/dev/null && cmake --version | head -1
	"$PY" --version
	echo "pack: $(tr -d '\n' <"$pack/manifest.json" | head -c 400)"
} >"$work/env.txt" 2>&1
if [ -z "${TORCH_DIR:-}" ]; then
	TORCH_DIR=$(timeout 60 "$PY" -c 'import os, torch; print(os.path.dirname(torch.__file__))' 2>>"$work/env.txt")
fi
torch_version=$(sed -n "s/^__version__ = '\(.*\)'/\1/p" "$TORCH_DIR/version.py" 2>/dev/null)
echo "torch for the JNI: $TORCH_DIR ($torch_version)" >>"$work/env.txt"
say "torch $torch_version at $TORCH_DIR; $(grep -m1 -i 'nvidia\|h100\|h200' "$work/env.txt" || echo 'no GPU listed')"
smi_pid=""
if command -v nvidia-smi >/dev/null; then   # GPU memory in use, about 4 times a second, for each step's peak
	(while :; do echo "$(date +%s.%N) $(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1)"
		sleep 0.2; done) >"$work/logs/gpu-memory.txt" 2>/dev/null &
	smi_pid=$!
fi
train_only=0; grep -q '"train_only": true' "$pack/manifest.json" && train_only=1
if [ $train_only = 1 ]; then
	say "a training-only pack (pack.sh --train-only): no Java or Python checks, training for the whole window"
	step unpack 90 tar -C "$work" -xJf "$pack/train.tar.xz"
else
	step unpack 90 bash -c "tar -C '$work' -xJf '$pack/jre.tar.xz' && tar -C '$work' -xJf '$pack/lib.tar.xz' &&
		tar -C '$work' -xJf '$pack/djl-jni.tar.xz' && '$work/jre/bin/java' -version &&
		{ [ ! -f '$pack/train.tar.xz' ] || tar -C '$work' -xJf '$pack/train.tar.xz'; }"
fi

# ---- 1. in parallel: DJL's JNI, the training set, the 512 px config-f bundle
data="$work/train/data-256-1.npy"
mkdir -p "$work/train"
(step simulate 300 nice -n 5 "$PY" tools/train.py --run-dir "$work/train/sim" --resolution 256 --device cpu \
	--threads 1 --dataset-size $dsize --dataset "$data" --workers $sim_workers --dataset-only) &
sim_pid=$!
if [ $train_only = 0 ]; then
	(step export512 240 "$PY" tools/gpu/configf_bundle.py "$work/configf512") &
	export_pid=$!
	jni_ok=0
	if [ -n "${JNI_SO:-}" ]; then
		mkdir -p "$work/jni" && cp "$JNI_SO" "$work/jni/libdjl_torch.so" && skip jni "JNI_SO given" && jni_ok=1
	else
		nvcc=$(command -v nvcc || true)
		export CUDACXX=${CUDACXX:-$nvcc}
		[ -n "$nvcc" ] && export CUDAToolkit_ROOT=${CUDAToolkit_ROOT:-$(dirname "$(dirname "$(readlink -f "$nvcc")")")}
		t_jni=$(date +%s)
		if step jni 300 env JNI_INCLUDE="$work/djl-jni/jni" bash "$work/djl-jni/build.sh" "$TORCH_DIR" "$work/jni" \
			$cuda_flag -j"$jobs"; then
			jni_ok=1
		elif [ -n "$cuda_flag" ] && [ $(($(date +%s) - t_jni)) -lt 150 ]; then
			# failed early (configuration, CUDA headers): USE_CUDA only adds emptyCache and a separate inference
			# stream, so build without it (a late failure is not retried: it would starve everything after it)
			step jni_nocuda 200 env JNI_INCLUDE="$work/djl-jni/jni" bash "$work/djl-jni/build.sh" "$TORCH_DIR" \
				"$work/jni" -j"$jobs" && jni_ok=1
		fi
	fi
	wait $export_pid
	# the timings below should not share the CPU with the simulation: wait for it, at most 90 s more
	lim=$(($(date +%s) + 90)); while kill -0 $sim_pid 2>/dev/null && [ "$(date +%s)" -lt $lim ]; do sleep 1; done
	kill -0 $sim_pid 2>/dev/null && say "simulation still running during the timings (noted in figures.json)" &&
		echo '{"step": "simulate_overlaps_timings", "rc": 0}' >>"$steps"

	# ---- 2. the Java engine on the machine's libtorch
	libdir="$TORCH_DIR/lib"
	if [ $jni_ok = 1 ]; then
		if ! cp "$work/jni/libdjl_torch.so" "$libdir/" 2>/dev/null; then
			# read-only torch: a folder of links (then the CUDA libraries' $ORIGIN paths need LD_LIBRARY_PATH, below)
			libdir="$work/libtorch"; mkdir -p "$libdir"; ln -sf "$TORCH_DIR"/lib/* "$libdir/"
			cp "$work/jni/libdjl_torch.so" "$libdir/"; echo "libtorch: links in $libdir" >>"$work/env.txt"
		fi
	fi
	jopts=(-Xmx16g -XX:ErrorFile="$work/logs/hs_err_%p.log" -XX:-CreateCoredumpOnCrash -Djava.awt.headless=true -Ddraggan.models="$root/sample-models" -Ddraggan.userModels="$work/usermodels")
	java_env=(env PYTORCH_LIBRARY_PATH="$libdir")
	draggan="$work/bin/draggan"   # a script, so that timeout can run it; rewritten when the settings change
	wrapper() {
		mkdir -p "$work/bin"
		{ echo '#!/usr/bin/env bash'; printf 'exec'; printf ' %q' "${java_env[@]}" "$work/jre/bin/java" "${jopts[@]}" \
			-cp "$work/lib/*" io.github.dragganfiji.cli.Main; echo ' "$@"'; } >"$draggan"
		chmod +x "$draggan"
	}
	wrapper
	gpu_ok=0
	if [ $jni_ok = 1 ]; then
		# first the product alone: NativeLibrarySelector must find version, flavor and libcudart by itself
		step java_info 90 "$draggan" info --device $dev
		if grep -q "device: Using GPU" "$work/logs/java_info.log"; then gpu_ok=1
		elif [ $dev = gpu ]; then   # then with help: the CUDA runtime folders on LD_LIBRARY_PATH and jna.library.path
			site="$(dirname "$TORCH_DIR")"
			cudart_dirs=$(find "$site/nvidia" /usr/local/cuda/lib64 /usr/local/cuda/targets -name 'libcudart.so*' \
				-printf '%h\n' 2>/dev/null | sort -u | paste -sd:)
			nv_dirs=$(find "$site/nvidia" -maxdepth 3 -type d -name lib 2>/dev/null | paste -sd:)
			java_env=(env PYTORCH_LIBRARY_PATH="$libdir" LD_LIBRARY_PATH="$nv_dirs:$cudart_dirs:${LD_LIBRARY_PATH:-}")
			jopts+=(-Djna.library.path="$cudart_dirs")
			wrapper
			step java_info_assisted 90 "$draggan" info --device $dev
			grep -q "device: Using GPU" "$work/logs/java_info_assisted.log" && gpu_ok=1
		fi
		if [ $dev = cpu ] || [ $gpu_ok = 1 ]; then
			step java_bench_128 120 "$draggan" bench --bundle sample-models/nuclei-128 --device $dev --warmup $b_warm \
				--steps $b128 --threads $threads
			[ -f "$work/configf512/model.json" ] && step java_bench_512 180 "$draggan" bench --bundle "$work/configf512" \
				--device $dev --warmup $b_warm --steps $b512 --threads $threads
			step java_drag_128 120 "$draggan" drag --model "$root/sample-models/nuclei-128" --seed 3 --points 91,77,91,70 \
				--mask-rect 66,52,50,50 --steps $d128 --mode paper --device $dev --out "$work/drag128"
			[ -f "$work/configf512/model.json" ] && step java_drag_512 180 "$draggan" drag --model "$work/configf512" \
				--seed 0 --points 216,256,256,256 --mask-rect 136,176,240,160 --steps $d512 --mode paper --device $dev \
				--out "$work/drag512"
			if [ -f "$work/drag128/start.tif" ]; then
				step java_invert 150 "$draggan" invert --image "$work/drag128/start.tif" --model "$root/sample-models/nuclei-128" \
					--steps $inv_p --tune-steps $inv_t --device $dev --out "$work/invert.tif"
			else skip java_invert "no drag128/start.tif"; fi
		else   # the fallback the user sees: a clear message, then the CPU
			step java_bench_128_fallback 60 "$draggan" bench --bundle sample-models/nuclei-128 --device gpu --warmup 1 --steps 3
		fi
	else
		skip java "the JNI did not build"
	fi

	# ---- 3. the Python reference on the same device and bundles
	step python_bench_128 120 "$PY" tools/reference_drag.py --bundle sample-models/nuclei-128 --bench --device $pydev \
		--warmup $b_warm --steps $b128 --threads $threads
	[ -f "$work/configf512/model.json" ] && step python_bench_512 150 "$PY" tools/reference_drag.py \
		--bundle "$work/configf512" --bench --device $pydev --warmup $b_warm --steps $b512 --threads $threads
	pack_logs
else
	skip java "a training-only pack"
	skip python "a training-only pack"
	collect
fi

# ---- 4. training at 256 px for what is left (SIGTERM at the limit: train.py stops cleanly and writes its slim files)
wait $sim_pid
resume=(); [ -f "$work/train/G_ema.pt" ] && resume=(--resume-from "$work/train")   # G.pt may stay behind (pack.sh)
left=$((DEADLINE - RESERVE - $(date +%s) - 10))
minutes=$(awk -v l=$left -v c=$t_min_cap 'BEGIN {m = (l - 45) / 60; if (m > c) m = c; printf "%.2f", m}')
if awk -v m="$minutes" 'BEGIN {exit !(m >= 0.2)}' && [ -f "$data" ]; then
	tdev=$([ $dev = gpu ] && echo cuda || echo cpu)
	step train $left "$PY" tools/train.py --run-dir "$work/train/nuclei-256" --resolution 256 --device $tdev \
		--threads $threads --dataset-size $dsize --dataset "$data" --minutes "$minutes" --checkpoint-minutes 1000 \
		--slim "$work/slim" "${resume[@]}"
	for f in G.pt G_ema.pt D.pt; do [ -f "$work/slim/$f" ] && cp "$work/slim/$f" "$out/"; done
else
	skip train "$([ -f "$data" ] && echo "$minutes min left" || echo 'no training set')"
fi

# ---- 5. what comes back
[ -n "$smi_pid" ] && kill "$smi_pid" 2>/dev/null
pack_logs
collect
"$PY" tools/gpu/figures.py --work "$work" --out "$out/figures.json" --rehearsal "$REHEARSAL" --t0 "$T0" \
	--budget "$budget" --print 2>&1 || cat "$work/logs/figures.log"
say "done; in $out: $(cd "$out" && ls | tr '\n' ' ')"
