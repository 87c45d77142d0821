#!/usr/bin/env python3
"""The Cranelift wasm path: compile time and run time against the direct path, Binaryen's
`wasm-opt -O2` and clang -O2.

Kernels: the C programs in benches/opt_quality/*.c (sha256, sort, matmul, vm, json) and
benches/cranelift/*.c (sieve, crc32, nbody, fannkuch, mandel). Each exports `run(n) -> i32`,
which does measurable work and returns a checksum. Each is built by
`clang-22 --target=wasm32-unknown-unknown -O1 -nostdlib -Wl,--no-entry` (`--input-opt O0` for
unoptimized input) into the input module IN.wasm, and by the same command with -O2 as the
clang reference.

Variants (compile time = wall time of the command, min of R runs after one warm-up):
- roundtrip:    wasmir-translate --import-wasm IN.wasm -o OUT.wasm            (no passes)
- wasmir -O2:   wasmir-translate --import-wasm IN.wasm -O2 -o OUT.wasm        (WasmIR's -O2)
- cranelift:    wasmir-translate --import-wasm IN.wasm --backend=cranelift -O2 -o OUT.wasm
                (WasmIR's -O2 pipeline, then every function through Cranelift's mid-end at
                opt_level=speed and back; functions it cannot take pass through unchanged and
                are counted from the remarks on stderr)
- wasm-opt -O2: wasm-opt -O2 IN.wasm -o OUT.wasm                              (Binaryen)
- clang -O2:    clang-22 ... -O2 KERNEL.c -o OUT.wasm (from source: compile + link, reference)

Run time: `wasmir-run --fuel 0 X --invoke run N` (wasmtime 48 in-process), min of E runs after
one warm-up, for the input and every output; it includes process start and wasmtime's own
compilation of the module (`startup`, measured on the input without a call, is printed). Every
output must print the input's checksum; a mismatch is printed, the variant is marked WRONG,
left out of the ratios, and the exit code is 1.

Ratios: compile time of the cranelift path over each other variant (< 1: faster) and run time
of the cranelift path's output over wasm-opt -O2's and clang -O2's (< 1: faster). Totals are
geometric means over the kernels.

    python3 benches/cranelift.py                  # -r 10 -e 5, -O1 input
    python3 benches/cranelift.py --input-opt O0 --only sieve,nbody -r 3 -e 3

Python 3.11 standard library only; needs clang-22, wasm-ld-22 (lld-22) and Binaryen's wasm-opt.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in benches/
sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_export import Failed, run_pipeline, sections  # noqa: E402
from opt_quality import finish, fmt_ms, fmt_r, fmt_s, geomean, run_main, tools  # noqa: E402
from parse_verify_print import cpu_model, first_version_line, nproc  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent

# Kernel -> (source, argument of `run`). The arguments make the -O1 input run about 0.3-1.5 s
# under wasmtime on the machine of the results in docs/perf.md.
KERNELS = {
    "sha256": (HERE / "opt_quality" / "sha256.c", 5000),
    "sort": (HERE / "opt_quality" / "sort.c", 800),
    "matmul": (HERE / "opt_quality" / "matmul.c", 600),
    "vm": (HERE / "opt_quality" / "vm.c", 120),
    "json": (HERE / "opt_quality" / "json.c", 3000),
    "sieve": (HERE / "cranelift" / "sieve.c", 300),
    "crc32": (HERE / "cranelift" / "crc32.c", 600),
    "nbody": (HERE / "cranelift" / "nbody.c", 5000000),
    "fannkuch": (HERE / "cranelift" / "fannkuch.c", 10),
    "mandel": (HERE / "cranelift" / "mandel.c", 35),
}
# Variant keys in table order; "input" is the clang -O1 (or -O0) module itself.
VARIANTS = ["roundtrip", "wasmir-O2", "cranelift", "wasm-opt-O2", "clang-O2"]
LABELS = {"input": "input", "roundtrip": "roundtrip", "wasmir-O2": "wasmir -O2", "cranelift": "cranelift -O2",
          "wasm-opt-O2": "wasm-opt -O2", "clang-O2": "clang -O2"}


def clang_cmd(clang: str, level: str, src: Path, out: Path) -> list[str]:
    return [clang, "--target=wasm32-unknown-unknown", f"-{level}", "-nostdlib", "-Wl,--no-entry",
            "-o", str(out), str(src)]


def optimizer_cmds(translate: str, wasm_opt: str, inp: Path, outs: dict[str, Path]) -> dict[str, list[str]]:
    """The commands of the variants that read the wasm module `inp` (all but clang -O2)."""
    imp = [translate, "--import-wasm", str(inp)]
    return {
        "roundtrip": [*imp, "-o", str(outs["roundtrip"])],
        "wasmir-O2": [*imp, "-O2", "-o", str(outs["wasmir-O2"])],
        "cranelift": [*imp, "--backend=cranelift", "-O2", "-o", str(outs["cranelift"])],
        "wasm-opt-O2": [wasm_opt, "-O2", str(inp), "-o", str(outs["wasm-opt-O2"])],
    }


def timed(cmd: list[str], out: Path | None, runs: int, workdir: Path) -> tuple[float, str]:
    """Min wall time of `runs` runs of cmd after one untimed warm-up, and the warm-up's stderr.
    Fails on a non-zero exit or a missing output."""
    err = workdir / "stderr.txt"
    best = math.inf
    first_err = ""
    for i in range(runs + 1):
        if out is not None and out.exists():
            out.unlink()
        wall, codes, _ = run_pipeline([cmd], [err])
        text = err.read_text(errors="replace")
        if codes[0] != 0 or (out is not None and not out.exists()):
            raise Failed(f"error: `{' '.join(cmd)}` failed (exit {codes[0]}):\n{text[-4000:]}")
        if i == 0:
            first_err = text
        else:
            best = min(best, wall)
    return best, first_err


def invoke(run_exe: str, path: Path, n: int) -> str:
    try:
        p = subprocess.run([run_exe, "--fuel", "0", str(path), "--invoke", "run", str(n)],
                           capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return "no result within 300 s"
    if p.returncode != 0:
        return f"exit {p.returncode}: " + (p.stderr.strip().splitlines() or [""])[0]
    return p.stdout.strip()


def invoke_selftest(run_exe: str, path: Path) -> str:
    """Instantiate (full validation by wasmtime) and call `selftest` if the module exports it."""
    p = subprocess.run([run_exe, "--fuel", "0", str(path), "--invoke", "selftest"], capture_output=True,
                       text=True, timeout=300)
    if p.returncode == 0:
        return p.stdout.strip()
    q = subprocess.run([run_exe, "--fuel", "0", str(path)], capture_output=True, text=True, timeout=300)
    return "instantiates, no selftest" if q.returncode == 0 else \
        f"exit {q.returncode}: " + (q.stderr.strip().splitlines() or [""])[0]


def setup(args, prefix: str, features: tuple[str, ...] = ()):
    """What a kernel benchmark needs: the release tools (built with cargo `features`), the peers
    (wasm-opt, clang-22 and wasm-ld-22), the work directory and the kernels `--only` selects."""
    translate, run_exe = tools(args.no_build, features)
    wasm_opt = shutil.which("wasm-opt")
    clang = shutil.which("clang-22")
    if not wasm_opt:
        raise Failed("error: wasm-opt not found (apt-get install -y binaryen)")
    if not clang or not shutil.which("wasm-ld-22"):
        raise Failed("error: clang-22 / wasm-ld-22 not found (apt-get install -y clang-22 lld-22)")
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(
        prefix=prefix, dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    work.mkdir(parents=True, exist_ok=True)
    kernels = {k: v for k, v in KERNELS.items() if not args.only or k in args.only.split(",")}
    return translate, run_exe, wasm_opt, clang, work, kernels


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-r", "--runs", type=int, default=10, help="timed runs per compile command (min reported)")
    ap.add_argument("-e", "--exec-runs", type=int, default=5, help="timed runs of each module (min reported)")
    ap.add_argument("--input-opt", default="O1", choices=["O0", "O1"], help="clang level of the input (default O1)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every kernel's argument by this")
    ap.add_argument("--no-build", action="store_true", help="use the existing release binaries")
    ap.add_argument("--only", help="comma-separated kernel names")
    ap.add_argument("--workdir", help="keep inputs and outputs here")
    ap.add_argument("--json", help="write the raw numbers here (- for stdout)")
    ap.add_argument("--module", action="append", default=[], metavar="IN.wasm",
                    help="also time the compile commands on this real module (no run time; if it "
                         "exports `selftest`, every output must return the input's value); repeatable")
    args = ap.parse_args()

    translate, run_exe, wasm_opt, clang, work, kernels = setup(args, "wasmir-cranelift-")

    rows = []
    wrong: list[str] = []
    for name, (src, n0) in kernels.items():
        n = max(1, round(n0 * args.scale))
        print(f"== {name} (run {n})", file=sys.stderr)
        inp = work / f"{name}.{args.input_opt}.wasm"
        subprocess.run(clang_cmd(clang, args.input_opt, src, inp), check=True)
        outs = {v: work / f"{name}.{v}.wasm" for v in VARIANTS}
        cmds = optimizer_cmds(translate, wasm_opt, inp, outs)
        cmds["clang-O2"] = clang_cmd(clang, "O2", src, outs["clang-O2"])
        row: dict = {"kernel": name, "n": n, "input_bytes": inp.stat().st_size,
                     "functions": sections(inp).get("code entries", 0), "compile_s": {}, "run_s": {},
                     "bytes": {}, "check": {}}
        for v in VARIANTS:
            try:
                row["compile_s"][v], err = timed(cmds[v], outs[v], args.runs, work)
                row["bytes"][v] = outs[v].stat().st_size
            except Failed as e:
                print(str(e), file=sys.stderr)
                row["compile_s"][v] = None
                row["check"][v] = "failed"
                continue
            if v == "cranelift":
                passed = [ln for ln in err.splitlines() if "passes through unchanged" in ln]
                row["passed_through"] = len(passed)
                row["passed_through_why"] = passed
        expect = invoke(run_exe, inp, n)
        row["expect"] = expect
        row["got"] = {}
        for v in VARIANTS:
            if row["check"].get(v) == "failed":
                continue
            got = invoke(run_exe, outs[v], n)
            row["got"][v] = got
            if got == expect:
                row["check"][v] = "ok"
            else:
                row["check"][v] = "WRONG"
                wrong.append(f"{name} / {v}: run {n} gave {got!r}, the input gives {expect!r}")
        row["startup_s"], _ = timed([run_exe, "--fuel", "0", str(inp)], None, args.exec_runs, work)
        for v, path in [("input", inp), *outs.items()]:
            if v != "input" and row["check"].get(v) != "ok":
                row["run_s"][v] = None
                continue
            row["run_s"][v], _ = timed([run_exe, "--fuel", "0", str(path), "--invoke", "run", str(n)], None,
                                       args.exec_runs, work)
        rows.append(row)

    modules = []
    for path in map(Path, args.module):
        print(f"== module {path}", file=sys.stderr)
        outs = {v: work / f"module-{path.stem}.{v}.wasm" for v in VARIANTS if v != "clang-O2"}
        cmds = optimizer_cmds(translate, wasm_opt, path, outs)
        sec = sections(path)
        m: dict = {"module": str(path), "input_bytes": path.stat().st_size, "code_bytes": sec.get("code", 0),
                   "functions": sec.get("code entries", 0), "compile_s": {}, "bytes": {}, "check": {}}
        expect = invoke_selftest(run_exe, path)
        m["selftest"] = expect
        for v, cmd in cmds.items():
            try:
                m["compile_s"][v], err = timed(cmd, outs[v], args.runs, work)
                m["bytes"][v] = outs[v].stat().st_size
            except Failed as e:
                print(str(e), file=sys.stderr)
                m["compile_s"][v] = None
                m["check"][v] = "failed: " + str(e).strip().splitlines()[-1][:300]
                continue
            if v == "cranelift":
                m["passed_through"] = sum(1 for ln in err.splitlines() if "passes through unchanged" in ln)
                whys: dict[str, int] = {}
                for ln in err.splitlines():
                    if "passes through unchanged" in ln:
                        why = ln.split(": ", 2)[-1].split(" (")[0]
                        whys[why] = whys.get(why, 0) + 1
                m["passed_through_why"] = [f"{k}: {c} functions" for k, c in sorted(whys.items(), key=lambda x: -x[1])]
            got = invoke_selftest(run_exe, outs[v])
            m["check"][v] = "ok" if got == expect else "WRONG"
            if got != expect:
                wrong.append(f"module {path.name} / {v}: selftest gave {got!r}, the input gives {expect!r}")
        modules.append(m)

    def ratio(a, b):
        return a / b if a is not None and b else None

    for r in rows:
        c, t = r["compile_s"], r["run_s"]
        r["compile_vs"] = {v: ratio(c.get("cranelift"), c.get(v)) for v in VARIANTS if v != "cranelift"}
        r["run_vs"] = {v: ratio(t.get("cranelift"), t.get(v)) for v in ("input", "wasmir-O2", "wasm-opt-O2",
                                                                         "clang-O2")}

    print(f"\ninput: clang-22 -{args.input_opt}; compile ms = min of {args.runs} runs; "
          f"run s = min of {args.exec_runs} runs of `wasmir-run --fuel 0 X --invoke run N`\n")
    print("| kernel | N | fns (passed through) | compile ms: " + " / ".join(LABELS[v] for v in VARIANTS)
          + " | cranelift ÷ roundtrip | ÷ wasmir -O2 | ÷ wasm-opt -O2 | run s: "
          + " / ".join(LABELS[v] for v in ["input", *VARIANTS]) + " | run cranelift ÷ wasm-opt -O2 | ÷ clang -O2 | check |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        c, t, cv, rv = r["compile_s"], r["run_s"], r["compile_vs"], r["run_vs"]
        bad = {v: s for v, s in r["check"].items() if s != "ok"}
        check = "ok" if not bad else ", ".join(f"{LABELS[v]} {s}" for v, s in bad.items())
        print(f"| {r['kernel']} | {r['n']:,} | {r['functions']} ({r.get('passed_through', '—')}) "
              f"| {' / '.join(fmt_ms(c.get(v)) for v in VARIANTS)} "
              f"| {fmt_r(cv['roundtrip'])} | {fmt_r(cv['wasmir-O2'])} | {fmt_r(cv['wasm-opt-O2'])} "
              f"| {' / '.join(fmt_s(t.get(v)) for v in ['input', *VARIANTS])} "
              f"| {fmt_r(rv['wasm-opt-O2'])} | {fmt_r(rv['clang-O2'])} | {check} |")
    print("\n| geometric mean over kernels | cranelift ÷ roundtrip | ÷ wasmir -O2 | ÷ wasm-opt -O2 "
          "| wasm-opt -O2 ÷ cranelift (speed-up) | run: cranelift ÷ input | ÷ wasmir -O2 | ÷ wasm-opt -O2 | ÷ clang -O2 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")

    full = [r for r in rows if r.get("passed_through") == 0]
    for gname, rs in (("all kernels", rows), ("no function passed through", full)):
        if not rs:
            continue

        def gm_c(v):
            return geomean([r["compile_vs"][v] for r in rs if r["compile_vs"].get(v)])

        def gm_r(v):
            return geomean([r["run_vs"][v] for r in rs if r["run_vs"].get(v)])

        counted = [r["kernel"] for r in rs if r["check"].get("cranelift") == "ok"]
        sp = gm_c("wasm-opt-O2")
        print(f"| {gname}: {len(counted)} ({', '.join(counted)}) "
              f"| {fmt_r(gm_c('roundtrip'))} | {fmt_r(gm_c('wasmir-O2'))} "
              f"| {fmt_r(sp)} | {fmt_r(1 / sp if sp and math.isfinite(sp) else None)} "
              f"| {fmt_r(gm_r('input'))} | {fmt_r(gm_r('wasmir-O2'))} | {fmt_r(gm_r('wasm-opt-O2'))} "
              f"| {fmt_r(gm_r('clang-O2'))} |")
    if modules:
        mv = [v for v in VARIANTS if v != "clang-O2"]
        print("\n| real module | input B (code B) | fns (passed through) | compile ms: "
              + " / ".join(LABELS[v] for v in mv) + " | cranelift ÷ roundtrip | ÷ wasmir -O2 | ÷ wasm-opt -O2 "
              "| out B: " + " / ".join(LABELS[v] for v in mv) + " | check |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for m in modules:
            c = m["compile_s"]
            bad = {v: s for v, s in m["check"].items() if s != "ok"}
            check = f"ok (selftest {m['selftest']})" if not bad else "; ".join(f"{LABELS[v]} {s}" for v, s in bad.items())
            print(f"| {Path(m['module']).name} | {m['input_bytes']:,} ({m['code_bytes']:,}) "
                  f"| {m['functions']:,} ({m.get('passed_through', '—')}) "
                  f"| {' / '.join(fmt_ms(c.get(v)) for v in mv)} | {fmt_r(ratio(c.get('cranelift'), c.get('roundtrip')))} "
                  f"| {fmt_r(ratio(c.get('cranelift'), c.get('wasmir-O2')))} "
                  f"| {fmt_r(ratio(c.get('cranelift'), c.get('wasm-opt-O2')))} "
                  f"| {' / '.join(format(m['bytes'].get(v, 0), ',') for v in mv)} | {check} |")
            for why in m.get("passed_through_why", []):
                print(f"passed through ({Path(m['module']).name}): {why}")
    print("\nsizes B (" + " / ".join(LABELS[v] for v in ["input", *VARIANTS]) + "): "
          + "; ".join(f"{r['kernel']} {r['input_bytes']:,} / "
                      + " / ".join(f"{r['bytes'].get(v, 0):,}" for v in VARIANTS) for r in rows))
    startup = [r["startup_s"] for r in rows]
    if startup:
        print(f"\nstartup (`wasmir-run --fuel 0 IN.wasm`, no call, min per kernel): "
              f"{min(startup) * 1000:.0f}–{max(startup) * 1000:.0f} ms, included in the run times")
    for r in rows:
        for why in sorted(set(r.get("passed_through_why", []))):
            print(f"passed through ({r['kernel']}): {why}")
    print(f"\nmachine: {nproc()} CPUs, {cpu_model()}, {platform.platform()}, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; wasm-opt: {first_version_line(wasm_opt)}; "
          f"clang: {first_version_line(clang)}; work dir {work}")
    return finish(args.json, {"input_opt": args.input_opt, "rows": rows, "modules": modules, "wrong": wrong},
                  wrong, "an output does not behave like its input")


if __name__ == "__main__":
    run_main(main)
