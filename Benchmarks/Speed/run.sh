#!/usr/bin/env bash
# The speed benchmark, end to end (see README.md): builds wai in release mode, installs the
# peers (DuckDB, Polars, pandas, NumPy from PyPI) into a virtual environment, generates the
# data into $DATA (default /tmp/wai-speed, never into git) and prints the results table.
#
#     bash Benchmarks/Speed/run.sh [bench.py options, e.g. --repeat 5 --big-rows 0]
set -euo pipefail
cd "$(dirname "$0")/../.."
SCRATCH=${SCRATCH:-.build-speed}
DATA=${DATA:-/tmp/wai-speed}
VENV=${VENV:-/tmp/wai-bench-venv}
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)

need_apt=()
[ -x /usr/bin/time ] || need_apt+=(time)
command -v cc >/dev/null || need_apt+=(gcc)
pkg-config --exists openblas 2>/dev/null || need_apt+=(libopenblas-dev pkg-config)
[ -f /usr/include/readstat.h ] || need_apt+=(libreadstat-dev)
pkg-config --exists libcurl 2>/dev/null || need_apt+=(libcurl4-openssl-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# As `make release` builds the binary users install: the Swift runtime and Foundation linked in.
swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product wai-speed
swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product wai

if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
"$VENV/bin/python" -c "import duckdb, polars, pandas, numpy" 2>/dev/null ||
  "$VENV/bin/pip" install -q duckdb polars pandas numpy

mkdir -p "$DATA"
SCRATCH="$SCRATCH" python3 Benchmarks/Speed/bench.py --python "$VENV/bin/python" --data "$DATA" --out "$DATA/results.md" "$@"
