#!/usr/bin/env bash
# Builds and runs the JMH benchmarks. Arguments go to JMH (e.g. a benchmark name regex, -f 1 -wi 2 -i 3).
#   benchmarks/run.sh                       every benchmark
#   benchmarks/run.sh TransitionCheck       one class
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/install-build-deps.sh
mvn -B -q -ntp -DskipTests -pl benchmarks -am package
echo "cores: $(nproc)" >&2
exec java -jar "$root/benchmarks/target/benchmarks.jar" "$@"
