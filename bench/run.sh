#!/usr/bin/env bash
# Runs the DiskStore benchmark suite (bench/, JMH) and prints the scenario table with the ratios
# DiskStore / baseline computed from the JSON results (dev.diskstore.bench.Summary), then the peers
# table (scenario x system, ratios to the floor) and its plot (dev.diskstore.bench.Plot).
#
#   bench/run.sh full    # every scenario at the sizes of the issue (about 30-40 min on 2 cores)
#   bench/run.sh quick   # 1 fork, short iterations, a 100,000-artifact listing disk (a few minutes)
#   bench/run.sh smoke   # CI: 1 fork, one 100 ms iteration, small data sets (keeps them compiling
#                        # and running; timings mean nothing)
#   bench/run.sh proto   # the design prototypes behind BENCHMARKS.md's recommendations
#   bench/run.sh quick LocalUpsert   # extra arguments: a JMH include regex and/or JMH options
#                                    # (-f/-wi/-w/-i/-r given here replace the mode's)
#
# Needs bench/target/benchmarks.jar (built by `mvn -B verify` or `mvn -q -pl bench -am package
# -DskipTests`). Results go to bench/target/results/<mode>/: run-NN.json (one per scenario),
# cold.json (cold start, run separately: its forks must not warm up), summary.md, peers.png (the
# peers plot) and the JMH console output (jmh.log, cold.log). The peer scenarios (Peer*) run with
# the CPU-per-operation profiler (secondary result cpu/op); the smoke pass runs every benchmark
# with it, to keep it working. Data sets that are slow to build (the listing disks, the 10,000-file
# search disk, the 1 GiB stream source) are kept in $DISKSTORE_BENCH_DIR (default
# bench/target/bench-data) and reused by later runs. Exit code: non-zero only when a benchmark
# crashed, never because of a timing.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-quick}
shift || true
jar=bench/target/benchmarks.jar
if [ ! -f "$jar" ]; then
  echo "missing $jar: build it first (mvn -q -pl bench -am package -DskipTests)" >&2
  exit 2
fi
out=bench/target/results/$mode
mkdir -p "$out"
export DISKSTORE_BENCH_DIR=${DISKSTORE_BENCH_DIR:-$PWD/bench/target/bench-data}

case "$mode" in
  full)
    # the annotations' settings: 2 forks, 3 x 1 s warm-up, 5 x 2 s measurement (single-shot
    # classes: their own counts); cold start: 10 fresh JVMs
    opts=()
    cold=(-f 10)
    ;;
  quick)
    opts=(-f 1 -wi 1 -w 1s -i 3 -r 1s -p listArtifacts=1000,100000)
    cold=(-f 3)
    ;;
  smoke)
    opts=(-f 1 -wi 0 -i 1 -r 100ms -p listArtifacts=1000,3000 -p searchFiles=300
          -p streamBytes=16777216 -p size=1024,65536 -p s3Bytes=1024 -p protoBytes=16777216)
    cold=(-f 1)
    ;;
  proto)
    # the design prototypes behind BENCHMARKS.md's recommendations (Proto*Bench), at their
    # annotations' settings
    opts=()
    cold=()
    ;;
  *)
    echo "usage: bench/run.sh full|quick|smoke|proto [JMH include regex] [JMH options]" >&2
    exit 2
    ;;
esac

include=()
extra=()
for arg in "$@"; do
  if [ ${#include[@]} -eq 0 ] && [ ${#extra[@]} -eq 0 ] && [[ "$arg" != -* ]]; then
    include=("$arg")
  else
    extra+=("$arg")
  fi
done

status=0
echo "== bench ($mode): JMH, results in $out"
echo "load before: $(cat /proc/loadavg 2>/dev/null || uptime)" | tee "$out/load.txt"
rm -f "$out"/*.json "$out"/*.log "$out/peers.png"
# Each scenario's DiskStore method and its baseline run in one JMH invocation, one parameter
# combination at a time, so that they run back to back (JMH orders by method, then parameters):
# on a shared machine the load drifts, and the ratio should compare like with like.
scenarios=()
if [ ${#include[@]} -gt 0 ]; then
  [[ "${include[0]}" == *ColdStart* ]] || scenarios=("${include[0]}")
elif [ "$mode" = smoke ]; then
  scenarios=(".*")
elif [ "$mode" = proto ]; then
  scenarios=("ProtoShardsBench" "ProtoReadPatternBench" "ProtoHashPipelineBench" "ProtoColdBench"
             "ProtoTextIndexBench")
else
  for kind in text binary; do
    for size in 1024 65536 1048576; do
      scenarios+=("LocalUpsertBench -p kind=$kind -p size=$size")
    done
  done
  scenarios+=("ConcurrentUpsertBench" "GetBench" "ListBench" "SearchBench"
              "S3UpsertBench -p s3Bytes=1024" "S3UpsertBench -p s3Bytes=8388608"
              "LargeStreamBench" "PdfBench" "PostgresIndexBench" "PostgresScaleBench" "HistoryBench"
              "PeerBench" "PeerConcurrentBench" "PeerStreamBench" "ColdProcessBench"
              "UpsertCostBench")
  # the HTTP path (Jetty, HttpClient) needs ~10 s of JIT warm-up to settle: 1 x 1 s is not enough
  if [ "$mode" = quick ]; then scenarios+=("ServerBench -wi 5 -w 2s"); else scenarios+=("ServerBench"); fi
fi
# The mode's single-valued options (-f, -wi, -w, -i, -r) yield to the same option given by a
# scenario (e.g. ServerBench's longer warm-up) or on the command line: JMH refuses an option twice.
mode_opts() {
  local given=" $1 ${extra[*]} " i=0
  effective=()
  while [ $i -lt ${#opts[@]} ]; do
    local o=${opts[$i]}
    if [[ "$o" == -* ]] && [ "$o" != -p ] && [[ "$given" == *" $o "* ]]; then
      i=$((i + 2))
      continue
    fi
    effective+=("$o")
    i=$((i + 1))
  done
}
# -Djmh.ignoreLock: JMH refuses to start while another JMH run on the machine holds /tmp/jmh.lock
# (another session's benchmarks); the runs share the cores either way, which load.txt records.
jmh=(java -Djmh.ignoreLock=true -jar "$jar")
n=0
for scenario in "${scenarios[@]}"; do
  n=$((n + 1))
  mode_opts "$scenario"
  # CPU per operation (secondary result cpu/op) for the peer scenarios, and everywhere in smoke
  prof=()
  if [[ "$scenario" == *Peer* || "$scenario" == *UpsertCost* || "$scenario" == ".*" ]]; then
    prof=(-prof dev.diskstore.bench.CpuPerOpProfiler)
  fi
  # the scenario string is a regex plus JMH options: split it into words, but never glob (".*")
  set -f
  # shellcheck disable=SC2086
  "${jmh[@]}" $scenario -e 'ColdStartBench' -foe true "${prof[@]}" "${effective[@]}" "${extra[@]}" \
    -rf json -rff "$out/run-$(printf %02d $n).json" 2>&1 | tee -a "$out/jmh.log" || status=$?
  set +f
done
if [ "$mode" != proto ] && { [ ${#include[@]} -eq 0 ] || [[ "${include[0]}" == *ColdStart* ]]; }; then
  "${jmh[@]}" 'ColdStartBench' -foe true -wi 0 -i 1 "${cold[@]}" "${extra[@]}" \
    -rf json -rff "$out/cold.json" 2>&1 | tee "$out/cold.log" || status=$?
fi
echo "load after: $(cat /proc/loadavg 2>/dev/null || uptime)" | tee -a "$out/load.txt"
java -cp "$jar" dev.diskstore.bench.Summary --out "$out/summary.md" "$out"/*.json || status=$?
# the peers plot (ratio to the floor per scenario and system; about 1 s): never fails the run
if [ "$mode" != proto ]; then
  java -Djava.awt.headless=true -cp "$jar" dev.diskstore.bench.Plot --out "$out/peers.png" \
    "$out"/*.json || echo "== no peers plot (see above); the results and summary are complete" >&2
fi
# JMH exits 0 even when a benchmark threw; its log says so
if grep -q "<failure>" "$out"/*.log; then
  echo "== a benchmark crashed (see <failure> in $out/*.log)" >&2
  status=1
fi
exit "$status"
