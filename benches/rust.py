#!/usr/bin/env python3
"""The Rust frontend against the rustc/LLVM wasm build of the same Rust: build time, size and
run time.

Kernels: benches/rust/*.rs, each a `no_std` library exporting `run(n)` that does measurable work
and returns a checksum (`adler32.rs` through the crates.io crate `adler2`, a `// extern:` line).

Variants (build time = wall time of the commands, min of R runs after one warm-up):
- wasmir direct:    rustc-wasmir K.rs -O2 --emit=wasm
- wasmir cranelift: rustc-wasmir K.rs -O2 --emit=wir, then wasmir-translate --backend=cranelift -O2
- wasmir llvm:      rustc-wasmir K.rs -O2 --emit=wir, then wasmir-translate --backend=llvm -O2
- wasmir llvm -Oz:  the same with -Oz (size)
- rustc -O3:        `cargo build --release -Zbuild-std=core,alloc --target wasm32-unknown-unknown`
                    (rustc-web 1.96, panic=abort, a trapping panic handler, wasm-ld), the crate
                    rebuilt after touching it: core and alloc are built once beforehand, as the
                    frontend's MIR cache is
- rustc -Oz:        the same with opt-level = "z"

Run time: `wasmir-run --fuel 0 X --invoke run N` (wasmtime 48 in-process), min of E runs after
one warm-up; it includes process start and wasmtime's compilation of the module. Every output
must print the reference's checksum, else the variant is marked WRONG and left out of the ratios.

    cargo build --release -p rustc-frontend -p wasmir-run -p wasmir-translate --features wasmir-translate/llvm
    python3 benches/rust.py                 # -r 5 -e 5
    python3 benches/rust.py --only sieve -r 3 -e 3

Python 3.11 standard library only; needs rustc-web, rust-web-src, cargo-web and lld-22.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REL = ROOT / "target" / "release"
RUST_SRC = Path("/usr/src/rustc-1.96.0/library")
CARGO = "/usr/bin/cargo"
RUSTC = "/usr/bin/rustc"
WASM_LD = "/usr/lib/llvm-22/bin/wasm-ld"

# Kernel -> argument of `run`. The reference finishes each in 25-60 ms of which ~20 ms is process
# start and wasmtime compilation, so its run times are mostly fixed cost (docs/perf.md).
KERNELS = {"sieve": 300, "adler32": 400, "sort": 60, "dispatch": 3000}


def externs(src: Path) -> list[tuple[str, Path]]:
    out = []
    for line in src.read_text().splitlines():
        if line.startswith("// extern:"):
            name, path = line[len("// extern:"):].strip().split("=", 1)
            out.append((name, RUST_SRC / path.removeprefix("$RUST_SRC/")))
    return out


def timed(cmd: list[str], runs: int, env=None, cwd=None, before=None) -> float:
    best = math.inf
    for i in range(runs + 1):
        if before:
            before()
        t = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
        dt = time.perf_counter() - t
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{r.stderr[-2000:]}")
        if i > 0:
            best = min(best, dt)
    return best


def run_out(wasm: Path, n: int) -> str:
    r = subprocess.run([str(REL / "wasmir-run"), "--fuel", "0", str(wasm), "--invoke", "run", str(n)],
                       capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else f"error: {r.stderr.strip()[:200]}"


def reference_setup(work: Path) -> dict:
    home = work / "cargo-home"
    home.mkdir(parents=True)
    (home / "config.toml").write_text(
        '[source.crates-io]\nreplace-with = "vendored"\n\n'
        f'[source.vendored]\ndirectory = "{RUST_SRC / "vendor"}"\n\n'
        f'[target.wasm32-unknown-unknown]\nlinker = "{WASM_LD}"\n')
    env = {"PATH": os.environ.get("PATH", ""), "CARGO_HOME": str(home), "RUSTC": RUSTC,
           "RUSTC_BOOTSTRAP": "1", "CARGO_TERM_COLOR": "never",
           "CARGO_TARGET_DIR": str(work / "ref-target")}
    return env


def reference_package(work: Path, name: str, src: Path, opt: str) -> Path:
    """A cdylib package of kernel `name` at `opt-level = opt` (`3` or `z`)."""
    level = opt if opt.isdigit() else f'"{opt}"'
    d = work / f"ref-{name}-{opt}"
    d.mkdir(parents=True, exist_ok=True)
    deps = "".join(f'{n} = {{ path = "{p.parent.parent}", default-features = false }}\n'
                   for n, p in externs(src))
    (d / "Cargo.toml").write_text(
        f'[package]\nname = "k_{name}_{opt}"\nversion = "0.0.0"\nedition = "2024"\n\n'
        '[lib]\ncrate-type = ["cdylib"]\npath = "lib.rs"\n\n'
        f'[dependencies]\n{deps}\n'
        f'[profile.release]\npanic = "abort"\nopt-level = {level}\n\n[workspace]\n')
    text = src.read_text()
    text += ("\n#[panic_handler]\nfn reference_panic_handler(_: &core::panic::PanicInfo) -> ! {\n"
             "    core::arch::wasm32::unreachable()\n}\n")
    (d / "lib.rs").write_text(text)
    return d


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-r", "--runs", type=int, default=5, help="build runs per variant (min)")
    ap.add_argument("-e", "--exec-runs", type=int, default=5, help="run-time runs (min)")
    ap.add_argument("--only", help="comma-separated kernels")
    args = ap.parse_args()
    for tool in ["rustc-wasmir", "wasmir-translate", "wasmir-run"]:
        if not (REL / tool).exists():
            print(f"missing {REL / tool}: build it first (see the docstring)", file=sys.stderr)
            return 2
    kernels = [k for k in KERNELS if not args.only or k in args.only.split(",")]
    work = Path(tempfile.mkdtemp(prefix="wasmir-rust-bench-"))
    env = reference_setup(work)
    rows = []
    failed = False
    try:
        for k in kernels:
            src = HERE / "rust" / f"{k}.rs"
            n = KERNELS[k]
            ext = [f"--extern={a}={b}" for a, b in externs(src)]
            outs: dict[str, Path] = {}
            build: dict[str, float] = {}
            wasm = work / f"{k}.direct.wasm"
            build["wasmir direct"] = timed([str(REL / "rustc-wasmir"), str(src), "-O2", "--emit=wasm",
                                            "-o", str(wasm), *ext], args.runs)
            outs["wasmir direct"] = wasm
            wir = work / f"{k}.wir"
            t_wir = timed([str(REL / "rustc-wasmir"), str(src), "-O2", "--emit=wir", "-o", str(wir),
                           *ext], args.runs)
            for name, backend, opt in [("wasmir cranelift", "cranelift", "-O2"),
                                       ("wasmir llvm", "llvm", "-O2"), ("wasmir llvm -Oz", "llvm", "-Oz")]:
                out = work / f"{k}.{backend}{opt}.wasm"
                t = timed([str(REL / "wasmir-translate"), str(wir), f"--backend={backend}", opt,
                           "-o", str(out)], args.runs)
                build[name] = t_wir + t
                outs[name] = out
            for name, opt in [("rustc -O3", "3"), ("rustc -Oz", "z")]:
                d = reference_package(work, k, src, opt)
                cmd = [CARGO, "build", "--offline", "--release", "--quiet", "-Zbuild-std=core,alloc",
                       "--target", "wasm32-unknown-unknown"]
                # core and alloc once, outside the timing.
                subprocess.run(cmd, env=env, cwd=d, check=True, capture_output=True)
                lib = d / "lib.rs"
                build[name] = timed(cmd, args.runs, env=env, cwd=d, before=lambda: os.utime(lib))
                pkg = f"k_{k}_{opt}"
                outs[name] = Path(env["CARGO_TARGET_DIR"]) / "wasm32-unknown-unknown" / "release" / f"{pkg}.wasm"
            expect = run_out(outs["rustc -O3"], n)
            row = {"kernel": k, "n": n, "expect": expect, "build": build, "size": {}, "run": {}, "wrong": []}
            for v, path in outs.items():
                row["size"][v] = path.stat().st_size
                got = run_out(path, n)
                if got != expect:
                    row["wrong"].append(v)
                    failed = True
                    print(f"{k}: {v} printed {got}, rustc -O3 {expect}", file=sys.stderr)
                    continue
                row["run"][v] = timed([str(REL / "wasmir-run"), "--fuel", "0", str(path), "--invoke",
                                       "run", str(n)], args.exec_runs)
            rows.append(row)
            print(f"{k}: done", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    variants = list(rows[0]["build"]) if rows else []

    def table(title: str, key: str, fmt) -> None:
        print(f"\n{title}\n")
        print("| kernel | " + " | ".join(variants) + " |")
        print("|---|" + "---|" * len(variants))
        for r in rows:
            cells = [fmt(r[key][v]) if v in r[key] else "WRONG" for v in variants]
            print(f"| {r['kernel']} | " + " | ".join(cells) + " |")

    table("Build time (s, min of runs)", "build", lambda x: f"{x:.3f}")
    table("Size (bytes)", "size", str)
    table("Run time (s, min of runs, incl. process start and wasmtime compile)", "run", lambda x: f"{x:.3f}")

    def geo(key: str, a: str, b: str) -> str:
        xs = [r[key][a] / r[key][b] for r in rows if a in r[key] and b in r[key]]
        return f"{math.exp(sum(map(math.log, xs)) / len(xs)):.2f}x" if xs else "n/a"

    print("\nRatios (geometric mean over kernels):\n")
    print(f"- build: rustc -O3 / wasmir direct = {geo('build', 'rustc -O3', 'wasmir direct')}, "
          f"rustc -O3 / wasmir cranelift = {geo('build', 'rustc -O3', 'wasmir cranelift')} (target >= 5x)")
    print(f"- size: wasmir direct / rustc -O3 = {geo('size', 'wasmir direct', 'rustc -O3')}, "
          f"wasmir llvm -Oz / rustc -Oz = {geo('size', 'wasmir llvm -Oz', 'rustc -Oz')}, "
          f"wasmir llvm / rustc -O3 = {geo('size', 'wasmir llvm', 'rustc -O3')} (target <= 0.8x)")
    print(f"- run: wasmir llvm / rustc -O3 = {geo('run', 'wasmir llvm', 'rustc -O3')}, "
          f"wasmir direct / rustc -O3 = {geo('run', 'wasmir direct', 'rustc -O3')} (target <= 1.05x via LLVM)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
