#!/usr/bin/env bash
# The batch benchmark of docs/batch.md (issue #32): N one-handle drags of STEPS steps on nuclei-128 (seeds 1..N,
# points 60,64,68,64, the default mode), run
#   loop      a shell loop of ./draggan drag (a JVM, a libtorch and a model load a drag)
#   batch     ./draggan batch --master 'local[2]' (the default: two jobs side by side, one thread each)
#   turns     the same with spark.task.cpus=2 (one job at a time with both cores: the batch before side by side)
#   one-core  ./draggan batch --master 'local[1]' (one job at a time, one thread: each job's own drag time on a core)
#   cluster   a standalone Spark cluster on 127.0.0.1 (a Master, one Worker of 2 cores), the driver in ./draggan
# and prints a table: wall time, the sum of the drags' own loop times (their summaries), and against the ideal
# (the one-core run's drag times divided by the cores). Usage: tools/batch-bench.sh [RUN ...] (default: all).
# Everything it starts binds to 127.0.0.1 and is stopped by its process id on exit.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
N="${N:-20}"
STEPS="${STEPS:-50}"
CORES="${CORES:-2}"
runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=(loop batch turns one-core cluster)
work="$(mktemp -d)"
pids=()
cleanup() {
	for p in "${pids[@]+"${pids[@]}"}"; do
		pkill -TERM -P "$p" 2>/dev/null || true # the executor a Worker started
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
base_opts="-Xmx4g -XX:+UseSerialGC -XX:MaxNewSize=64m"

./draggan info >/dev/null 2>&1 || ./draggan info
./draggan batch --help >/dev/null 2>&1 || true # finds Spark's class path once, outside the timings
{
	echo "id,model,seed,points,steps"
	for s in $(seq 1 "$N"); do echo "s$s,nuclei-128,$s,\"60,64,68,64\",$STEPS"; done
} >"$work/jobs.csv"

now() { date +%s.%N; }
# The sum of the drag loops' own times in a run's summaries ("... after 50 steps in 4.1 s ...").
drag_seconds() {
	find "$1" -name summary.txt -print0 | xargs -0 cat | sed -n 's/.* after [0-9]* steps in \([0-9.]*\) s.*/\1/p' |
		awk '{ s += $1 } END { printf "%.1f", s }'
}
steps_total() {
	find "$1" -name summary.txt -print0 | xargs -0 cat | sed -n 's/.* after \([0-9]*\) steps in .*/\1/p' |
		awk '{ s += $1 } END { print s }'
}
# The sum of the jobs' own wall times in a batch's results.csv (each job: its drag and writing its outputs).
job_seconds() {
	[ -f "$1/results.csv" ] || { echo "-"; return; }
	awk -F, 'NR > 1 { s += $(NF - 2) } END { printf "%.1f", s }' "$1/results.csv"
}
declare -A wall drag steps jobs

batch() { # name, then the batch's extra arguments
	local name="$1"; shift
	local t0; t0="$(now)"
	./draggan batch "$work/jobs.csv" --out "$work/$name" "$@" >"$work/$name.log" 2>&1 || { cat "$work/$name.log"; exit 1; }
	wall[$name]="$(echo "$(now) - $t0" | bc)"
}

for r in "${runs[@]}"; do
	echo "running $r ..." >&2
	case "$r" in
	loop)
		t0="$(now)"
		for s in $(seq 1 "$N"); do
			./draggan drag --model nuclei-128 --seed "$s" --points "60,64,68,64" --steps "$STEPS" --out "$work/loop/s$s" \
				>"$work/loop-$s.log" 2>&1 || { cat "$work/loop-$s.log"; exit 1; }
		done
		wall[loop]="$(echo "$(now) - $t0" | bc)"
		;;
	batch) batch batch --master "local[$CORES]" ;;
	turns) DRAGGAN_JAVA_OPTS="$base_opts -Dspark.task.cpus=$CORES" batch turns --master "local[$CORES]" ;;
	one-core) batch one-core --master "local[1]" ;;
	cluster)
		cp="$here/target/classes:$(cat target/classpath.txt):$(cat target/classpath-batch.txt)"
		opens=""
		for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
			java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
			opens="$opens --add-opens=java.base/$p=ALL-UNNAMED"
		done
		opens="$opens -Djdk.reflect.useDirectMethodHandle=false"
		port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
		mkdir -p "$work/spark-home/jars" "$work/spark-work"
		export SPARK_HOME="$work/spark-home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=127.0.0.1
		# shellcheck disable=SC2086
		java -Xmx256m $opens -cp "$cp" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" \
			--webui-port 0 >"$work/master.log" 2>&1 &
		pids+=($!)
		for _ in $(seq 1 60); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 1; done
		# shellcheck disable=SC2086
		java -Xmx256m $opens -cp "$cp" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --webui-port 0 \
			--cores "$CORES" --memory 6g --work-dir "$work/spark-work" "spark://127.0.0.1:$port" >"$work/worker.log" 2>&1 &
		pids+=($!)
		sleep 5
		# The driver as ./draggan starts it, with the executors' class path and JVM options (spark-submit --jars and
		# --conf would give them; the Worker's executor gets the --add-opens Spark's launcher gives its own JVMs).
		t0="$(now)"
		# shellcheck disable=SC2086
		java -Ddraggan.models="$here/sample-models" $base_opts $opens -Dspark.executor.extraClassPath="$cp" \
			-Dspark.executor.extraJavaOptions="$opens -XX:+UseSerialGC -XX:MaxNewSize=64m" -Dspark.executor.memory=4g \
			-Dspark.cores.max="$CORES" -Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1 -cp "$cp" \
			io.github.dragganfiji.cli.Main batch "$work/jobs.csv" --out "$work/cluster" --master "spark://127.0.0.1:$port" \
			>"$work/cluster.log" 2>&1 || { cat "$work/cluster.log"; exit 1; }
		wall[cluster]="$(echo "$(now) - $t0" | bc)"
		for p in "${pids[@]}"; do # stopped now, not at the end: the runs after it have the machine to themselves
			pkill -TERM -P "$p" 2>/dev/null || true
			kill "$p" 2>/dev/null || true
			wait "$p" 2>/dev/null || true
		done
		pids=()
		;;
	*) echo "unknown run $r (loop, batch, turns, one-core, cluster)" >&2; exit 2 ;;
	esac
	out="$work/$r"; [ "$r" = loop ] && out="$work/loop"
	drag[$r]="$(drag_seconds "$out")"
	steps[$r]="$(steps_total "$out")"
	jobs[$r]="$(job_seconds "$out")"
done

ideal="" ideal_jobs=""
[ -n "${drag[one-core]:-}" ] && ideal="$(echo "scale=1; ${drag[one-core]} / $CORES" | bc)"
[ -n "${jobs[one-core]:-}" ] && ideal_jobs="$(echo "scale=1; ${jobs[one-core]} / $CORES" | bc)"
echo
echo "$N drags of $STEPS steps on nuclei-128, $CORES cores ($(lscpu | sed -n 's/^Model name: *//p'))"
[ -n "$ideal" ] && echo "ideal (drags): the one-core run's drag loops / $CORES cores = $ideal s"
[ -n "$ideal_jobs" ] && echo "ideal (jobs): the one-core run's whole jobs (drag and outputs) / $CORES cores = $ideal_jobs s"
printf '| %-9s | %8s | %13s | %12s | %6s | %14s | %13s |\n' run "wall, s" "drags' own, s" "jobs' own, s" steps \
	"/ ideal drags" "/ ideal jobs"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ----------- ---------- --------------- -------------- -------- ---------------- \
	---------------
for r in "${runs[@]}"; do
	ratio="-" ratio_jobs="-"
	[ -n "$ideal" ] && ratio="$(echo "scale=2; ${wall[$r]} / $ideal" | bc)"
	[ -n "$ideal_jobs" ] && ratio_jobs="$(echo "scale=2; ${wall[$r]} / $ideal_jobs" | bc)"
	printf '| %-9s | %8.1f | %13s | %12s | %6s | %14s | %13s |\n' "$r" "${wall[$r]}" "${drag[$r]}" "${jobs[$r]}" \
		"${steps[$r]}" "$ratio" "$ratio_jobs"
done
