#!/usr/bin/env python3
"""Parse + verify + print benchmark: wasmir-opt vs mlir-opt-22.

Generates one synthetic program in two isomorphic syntaxes -- WasmIR (.wir,
`wasm.i32.*` ops) and MLIR (.mlir, `arith.*` ops) -- and times each tool
reading it, verifying it and printing it back to a file.

    python3 benches/parse_verify_print.py                 # full run, both tools
    python3 benches/parse_verify_print.py --tools mlir    # mlir-opt only
    python3 benches/parse_verify_print.py --only-generate /tmp/pvp

Program shape (N functions x K ops, defaults 2000 x 250, seed 1):
every function takes two i32 params and returns i32; op i is one of
add/mul/xor/sub on two operands drawn uniformly (with replacement) from the
values defined before it in that function (the two params and results 0..i-1);
the function returns its last result.

Randomness uses only `random.Random(seed).random()`, whose sequence Python
guarantees to be stable across versions, so a given (N, K, seed) yields
byte-identical inputs everywhere; the SHA-256 of each input is printed.

Timing: each tool runs R times (after W untimed warm-up runs); wall time is
time.perf_counter() around spawn + wait; min and median are reported. Peak RSS
is measured on the untimed warm-up runs (at least one), by GNU
`/usr/bin/time -f %M` wrapped around the tool (apt package
`time`); without it, os.wait4()'s ru_maxrss is used, which is only an upper
bound (Linux counts the forking Python process's RSS high-water into it).
Outputs go to a fresh directory on /dev/shm (tmpfs) unless --workdir says
otherwise.

Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# op kind -> (WasmIR op name, MLIR op name); order matters for the RNG stream.
OPS = (
    ("wasm.i32.add", "arith.addi"),
    ("wasm.i32.mul", "arith.muli"),
    ("wasm.i32.xor", "arith.xori"),
    ("wasm.i32.sub", "arith.subi"),
)

RSS_DESC = {
    "time": "GNU `/usr/bin/time -f %M`",
    "wait4": "os.wait4 ru_maxrss (upper bound: includes this script's own RSS high-water)",
    "none": "nothing (not measured)",
}

TOOL_NAMES = {"wasmir": "wasmir-opt", "mlir": "mlir-opt-22"}


# --------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------

def generate(n_funcs: int, k_ops: int, seed: int) -> tuple[str, str]:
    """Return (wir_text, mlir_text) for the same random program."""
    if n_funcs < 1 or k_ops < 1:
        raise ValueError("need at least 1 function and 1 op per function")
    rng = random.Random(seed)
    r = rng.random
    # Value j of a function: 0 -> %arg0, 1 -> %arg1, j >= 2 -> %(j-2).
    names = ["%arg0", "%arg1"] + [f"%{i}" for i in range(k_ops)]
    nops = len(OPS)
    last = names[-1]

    wir = ['module attributes {wasmir.version = "0.1"} {\n']
    mlir = ["module {\n"]
    for f in range(n_funcs):
        header = f"  func.func @f{f}(%arg0: i32, %arg1: i32) -> i32 {{\n"
        wir.append(header)
        mlir.append(header)
        for i in range(k_ops):
            kind = int(r() * nops)
            avail = i + 2
            a = names[int(r() * avail)]
            b = names[int(r() * avail)]
            w_op, m_op = OPS[kind]
            res = names[i + 2]
            wir.append(f"    {res} = {w_op} {a}, {b}\n")
            mlir.append(f"    {res} = {m_op} {a}, {b} : i32\n")
        wir.append(f"    func.return {last} : i32\n  }}\n")
        mlir.append(f"    return {last} : i32\n  }}\n")
    wir.append("}\n")
    mlir.append("}\n")
    return "".join(wir), "".join(mlir)


def op_count(n_funcs: int, k_ops: int) -> int:
    """N*K arithmetic ops + N returns + N func.func ops + 1 module op."""
    return n_funcs * k_ops + 2 * n_funcs + 1


def write_inputs(directory: Path, n: int, k: int, seed: int) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    wir_text, mlir_text = generate(n, k, seed)
    stem = f"pvp-n{n}-k{k}-s{seed}"
    paths = {"wasmir": directory / f"{stem}.wir", "mlir": directory / f"{stem}.mlir"}
    paths["wasmir"].write_text(wir_text, encoding="ascii")
    paths["mlir"].write_text(mlir_text, encoding="ascii")
    return paths


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------
# Machine info
# --------------------------------------------------------------------------

def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def nproc() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 0


def first_version_line(exe: str) -> str:
    try:
        p = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unavailable ({e})"
    text = (p.stdout + p.stderr).strip()
    for line in text.splitlines():
        if "version" in line.lower():
            return line.strip()
    return text.splitlines()[0].strip() if text else f"unknown (exit {p.returncode})"


def fs_type(path: Path) -> str:
    """Filesystem type of the mount holding `path` (from /proc/mounts)."""
    try:
        real = str(path.resolve())
        best, best_type = "", "unknown"
        with open("/proc/mounts", encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 3:
                    mnt = parts[1]
                    if (real == mnt or real.startswith(mnt.rstrip("/") + "/")) and len(mnt) > len(best):
                        best, best_type = mnt, parts[2]
        return best_type
    except OSError:
        return "unknown"


# --------------------------------------------------------------------------
# Running the tools
# --------------------------------------------------------------------------

def find_mlir_opt(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    for cand in ("mlir-opt-22", "/usr/lib/llvm-22/bin/mlir-opt"):
        found = shutil.which(cand)
        if found:
            return found
    return None


GNU_TIME = "/usr/bin/time"


def have_gnu_time() -> bool:
    if not os.access(GNU_TIME, os.X_OK):
        return False
    try:
        p = subprocess.run([GNU_TIME, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "GNU" in (p.stdout + p.stderr)


def run_once(cmd: list[str], out: Path, err_path: Path, rss_method: str,
             rss_path: Path) -> tuple[float, int, int | None]:
    """Run cmd once; return (wall seconds, exit code, peak RSS KiB or None).

    rss_method "time": wrap in `/usr/bin/time -f %M -o rss_path` (GNU time
    forks a small child, so %M is the tool's own peak RSS; the wrapper adds
    about a millisecond of wall time). "wait4": ru_maxrss from os.wait4() of
    the direct child -- an upper bound only: Linux folds the pre-exec memory
    of the (v)forked child, i.e. this Python process's RSS high-water mark,
    into it. "none": no RSS, no wrapper.
    """
    if out.exists():
        out.unlink()
    if rss_method == "time":
        if rss_path.exists():
            rss_path.unlink()
        cmd = [GNU_TIME, "-f", "%M", "-o", str(rss_path)] + cmd
    with open(err_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
        _, status, ru = os.wait4(proc.pid, 0)
        t1 = time.perf_counter()
    proc.returncode = code = os.waitstatus_to_exitcode(status)  # keep Popen from re-waiting
    rss: int | None = None
    if rss_method == "wait4":
        rss = ru.ru_maxrss  # KiB on Linux
    elif rss_method == "time":
        try:
            # GNU time may put "Command exited with non-zero status N" first.
            rss = int(rss_path.read_text().split()[-1])
        except (OSError, ValueError, IndexError):
            rss = None
    return t1 - t0, code, rss


def bench_tool(key: str, cmd: list[str], inp: Path, out: Path, workdir: Path,
               runs: int, warmup: int, rss_method: str) -> dict:
    """Warm-up runs (at least one when RSS is measured) measure peak RSS and
    are not timed; the timed runs are plain spawns with no wrapper, so the
    time and RSS numbers never disturb each other."""
    err_path = workdir / f"{key}.stderr"
    rss_path = workdir / f"{key}.rss"
    times: list[float] = []
    rss: list[int] = []
    n_rss = max(warmup, 1) if rss_method != "none" else warmup
    plan = [("rss", i) for i in range(n_rss)] + [("timed", i) for i in range(runs)]
    for kind, i in plan:
        method = rss_method if kind == "rss" else "none"
        wall, code, maxrss = run_once(cmd, out, err_path, method, rss_path)
        out_size = out.stat().st_size if out.exists() else 0
        if code != 0 or out_size == 0:
            why = f"exit code {code}" if code != 0 else f"empty or missing output {out}"
            print(f"\nerror: {TOOL_NAMES[key]} failed ({why})", file=sys.stderr)
            print(f"command: {' '.join(cmd)}", file=sys.stderr)
            stderr = err_path.read_text(encoding="utf-8", errors="replace")
            print("---- stderr ----", file=sys.stderr)
            print(stderr[-20000:] if stderr else "(empty)", file=sys.stderr)
            sys.exit(1)
        if kind == "timed":
            times.append(wall)
            print(f"  {TOOL_NAMES[key]} run {i + 1}/{runs}: {wall:.3f} s", file=sys.stderr)
        else:
            if maxrss is not None:
                rss.append(maxrss)
            rss_txt = f", peak RSS {maxrss / 1024:.0f} MiB" if maxrss is not None else ""
            print(f"  {TOOL_NAMES[key]} warm-up {i + 1}/{n_rss} (untimed): {wall:.3f} s{rss_txt}",
                  file=sys.stderr)
    return {
        "tool": TOOL_NAMES[key],
        "command": cmd,
        "input": str(inp),
        "input_bytes": inp.stat().st_size,
        "input_sha256": sha256(inp),
        "output_bytes": out.stat().st_size,
        "times_s": times,
        "min_s": min(times),
        "median_s": statistics.median(times),
        "peak_rss_method": rss_method,
        "peak_rss_kib_per_warmup_run": rss,
        "peak_rss_kib": max(rss, default=None),
    }


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def parse_tools(s: str) -> list[str]:
    if s in ("both", "all"):
        return ["wasmir", "mlir"]
    out = []
    for part in s.split(","):
        part = part.strip()
        alias = {"wasmir-opt": "wasmir", "mlir-opt": "mlir", "mlir-opt-22": "mlir"}.get(part, part)
        if alias not in TOOL_NAMES:
            raise argparse.ArgumentTypeError(f"unknown tool {part!r} (use wasmir, mlir or both)")
        if alias not in out:
            out.append(alias)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--functions", type=int, default=2000, help="functions (default 2000)")
    ap.add_argument("-k", "--ops", type=int, default=250, help="ops per function (default 250)")
    ap.add_argument("--seed", type=int, default=1, help="RNG seed (default 1)")
    ap.add_argument("-r", "--runs", type=int, default=5, help="timed runs per tool (default 5)")
    ap.add_argument("--warmup", type=int, default=1,
                    help="untimed warm-up runs per tool before the timed ones; they also "
                         "measure peak RSS, so at least one is done unless --rss none (default 1)")
    ap.add_argument("--tools", type=parse_tools, default=parse_tools("both"),
                    help="comma list of wasmir,mlir, or 'both' (default both)")
    ap.add_argument("--no-build", action="store_true",
                    help="skip `cargo build --release -p wasmir-opt`")
    ap.add_argument("--wasmir-opt", default=None,
                    help="wasmir-opt binary (default: the one cargo just built, else "
                         "$CARGO_TARGET_DIR or target/ + release/wasmir-opt)")
    ap.add_argument("--mlir-opt", default=None,
                    help="mlir-opt binary (default mlir-opt-22 on PATH, "
                         "else /usr/lib/llvm-22/bin/mlir-opt)")
    ap.add_argument("--workdir", default=None,
                    help="where inputs/outputs go (default: fresh dir in /dev/shm, else /tmp)")
    ap.add_argument("--rss", choices=("auto", "time", "wait4", "none"), default="auto",
                    help="peak-RSS method: GNU /usr/bin/time wrapper (auto if present), "
                         "os.wait4 ru_maxrss (upper bound), or none (default auto)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--json", metavar="FILE", default=None,
                    help="also dump raw numbers as JSON to FILE ('-' for stdout)")
    ap.add_argument("--only-generate", metavar="DIR", default=None,
                    help="only write the .wir and .mlir inputs into DIR and exit")
    args = ap.parse_args()

    n, k = args.functions, args.ops
    if n < 1 or k < 1 or args.runs < 1 or args.warmup < 0:
        ap.error("--functions, --ops and --runs must be >= 1, --warmup >= 0")

    if args.only_generate:
        paths = write_inputs(Path(args.only_generate), n, k, args.seed)
        for key in ("wasmir", "mlir"):
            p = paths[key]
            print(f"{p}  {p.stat().st_size} bytes  sha256 {sha256(p)}")
        return 0

    tools = args.tools
    exes: dict[str, str] = {}
    if "mlir" in tools:
        exe = find_mlir_opt(args.mlir_opt)
        if exe is None:
            print("error: mlir-opt-22 not found (apt-get install -y mlir-22-tools)", file=sys.stderr)
            return 1
        exes["mlir"] = exe
    if "wasmir" in tools:
        if not args.no_build:
            build = ["cargo", "build", "--release", "-p", "wasmir-opt"]
            print(f"$ {' '.join(build)}", file=sys.stderr)
            # JSON messages tell us where the binary landed (honours
            # CARGO_TARGET_DIR / build.target-dir); diagnostics still go to stderr.
            p = subprocess.run(build + ["--message-format=json-render-diagnostics"],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
            if p.returncode != 0:
                print("error: cargo build failed", file=sys.stderr)
                return 1
            if args.wasmir_opt is None:
                for line in p.stdout.splitlines():
                    try:
                        msg = json.loads(line)
                    except ValueError:
                        continue
                    if (msg.get("reason") == "compiler-artifact"
                            and msg.get("target", {}).get("name") == "wasmir-opt"
                            and msg.get("executable")):
                        args.wasmir_opt = msg["executable"]
        if args.wasmir_opt is None:
            tdir = os.environ.get("CARGO_TARGET_DIR") or str(REPO_ROOT / "target")
            args.wasmir_opt = str(Path(tdir) / "release" / "wasmir-opt")
        if not os.access(args.wasmir_opt, os.X_OK):
            print(f"error: {args.wasmir_opt} is not an executable (build it, or pass --wasmir-opt)",
                  file=sys.stderr)
            return 1
        exes["wasmir"] = args.wasmir_opt

    if args.workdir:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        own_workdir = False
    else:
        base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        workdir = Path(tempfile.mkdtemp(prefix="wasmir-pvp-", dir=base))
        own_workdir = True

    try:
        t0 = time.perf_counter()
        paths = write_inputs(workdir, n, k, args.seed)
        gen_s = time.perf_counter() - t0
        print(f"generated {n} x {k} in {gen_s:.1f} s into {workdir} ({fs_type(workdir)})",
              file=sys.stderr)

        machine = {
            "nproc": nproc(),
            "cpu_model": cpu_model(),
            "kernel": platform.release(),
            "python": platform.python_version(),
            "workdir": str(workdir),
            "workdir_fs": fs_type(workdir),
        }
        if "mlir" in exes:
            machine["mlir_opt"] = exes["mlir"]
            machine["mlir_opt_version"] = first_version_line(exes["mlir"])
        if "wasmir" in exes:
            machine["wasmir_opt"] = exes["wasmir"]

        rss_method = args.rss
        if rss_method == "auto":
            rss_method = "time" if have_gnu_time() else "wait4"
        elif rss_method == "time" and not have_gnu_time():
            print(f"error: {GNU_TIME} (GNU time) not found (apt-get install -y time)",
                  file=sys.stderr)
            return 1
        machine["rss_method"] = rss_method

        results: dict[str, dict] = {}
        for key in tools:
            inp = paths[key]
            out = workdir / (inp.stem + (".out.wir" if key == "wasmir" else ".out.mlir"))
            cmd = [exes[key], str(inp), "-o", str(out)]
            print(f"$ {' '.join(cmd)}", file=sys.stderr)
            results[key] = bench_tool(key, cmd, inp, out, workdir, args.runs, args.warmup,
                                      rss_method)

        ops = op_count(n, k)
        print()
        print("## Machine")
        print()
        print(f"- nproc: {machine['nproc']}")
        print(f"- CPU: {machine['cpu_model']}")
        print(f"- kernel: {machine['kernel']}, Python {machine['python']}")
        if "mlir_opt_version" in machine:
            print(f"- mlir-opt: {machine['mlir_opt']} ({machine['mlir_opt_version']})")
        if "wasmir_opt" in machine:
            print(f"- wasmir-opt: {machine['wasmir_opt']}")
        print(f"- files in: {machine['workdir']} ({machine['workdir_fs']})")
        for key in tools:
            print(f"- input {paths[key].name}: {results[key]['input_bytes']:,} bytes, "
                  f"sha256 {results[key]['input_sha256'][:16]}…")
        print()
        print(f"## Parse + verify + print: {n} functions x {k} ops, seed {args.seed}, "
              f"min/median of {args.runs} runs ({args.warmup} warm-up)")
        print()
        print("| tool | input MB | ops¹ | min s | median s | MB/s | Mops/s | peak RSS MiB |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for key in tools:
            res = results[key]
            mb = res["input_bytes"] / 1e6
            tmin = res["min_s"]
            res["ops"] = ops
            res["mb_per_s"] = mb / tmin
            res["mops_per_s"] = ops / 1e6 / tmin
            peak = res["peak_rss_kib"]
            peak_txt = f"{peak / 1024:.0f}" if peak is not None else "n/a"
            print(f"| {res['tool']} | {mb:.2f} | {ops:,} | {tmin:.3f} | {res['median_s']:.3f} | "
                  f"{res['mb_per_s']:.1f} | {res['mops_per_s']:.2f} | {peak_txt} |")
        print()
        print(f"¹ ops = N*K + 2*N + 1 = {n}*{k} + 2*{n} + 1: the N*K arithmetic ops, one return "
              f"per function, the N func.func ops and the module op. MB = 10^6 bytes of that "
              f"tool's own input; MB/s and Mops/s use the min time. Peak RSS (MiB) = max over "
              f"the untimed warm-up runs, via {RSS_DESC[rss_method]}.")
        ratio = None
        if "wasmir" in results and "mlir" in results:
            ratio = results["mlir"]["min_s"] / results["wasmir"]["min_s"]
            ratio_med = results["mlir"]["median_s"] / results["wasmir"]["median_s"]
            print()
            print(f"**mlir-opt / wasmir-opt time: {ratio:.2f}x (min), {ratio_med:.2f}x (median)** "
                  f"(> 1 means wasmir-opt is faster)")

        if args.json:
            blob = {
                "benchmark": "parse_verify_print",
                "config": {"functions": n, "ops_per_function": k, "seed": args.seed,
                           "runs": args.runs, "warmup": args.warmup, "tools": tools,
                           "ops_counted": ops, "generate_s": gen_s},
                "machine": machine,
                "results": {results[key]["tool"]: results[key] for key in tools},
                "ratio_mlir_over_wasmir_min": ratio,
            }
            text = json.dumps(blob, indent=2)
            if args.json == "-":
                print(text)
            else:
                Path(args.json).write_text(text + "\n", encoding="utf-8")
                print(f"wrote {args.json}", file=sys.stderr)
    finally:
        if own_workdir and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif own_workdir:
            print(f"kept {workdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
