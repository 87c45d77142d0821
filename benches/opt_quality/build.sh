#!/bin/sh
# Builds the opt_quality benchmark programs as unoptimized wasm32 modules (no libc, no imports):
#   sh benches/opt_quality/build.sh [OUTDIR]     (default: /tmp/wasmir-opt-quality)
# Each module exports `memory` and the functions marked EXPORT(...) in its source (`run` among
# them). clang-22 drives wasm-ld-22 (Debian `clang-22`, `lld-22`).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-/tmp/wasmir-opt-quality}
mkdir -p "$out"
for src in "$here"/*.c; do
    name=$(basename "$src" .c)
    clang-22 --target=wasm32-unknown-unknown -O0 -nostdlib -Wl,--no-entry \
        -o "$out/$name.wasm" "$src"
    echo "$out/$name.wasm"
done
