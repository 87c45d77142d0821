#!/usr/bin/env python3
"""The LLVM backend (`wasmir-translate --backend=llvm`): output run time and size against the
direct backend after WasmIR's -O2, Binaryen's `wasm-opt -O2/-Oz` and clang -O2; compile time
against the Cranelift wasm path.

Kernels: the C programs of benches/cranelift.py (benches/opt_quality/*.c and
benches/cranelift/*.c), each exporting `run(n) -> i32`, built by
`clang-22 --target=wasm32-unknown-unknown -O1 -nostdlib -Wl,--no-entry` into the input module
IN.wasm (`--input-opt O0` for unoptimized input), and with -O2 as the clang reference.

Variants (compile time = wall time of the command, min of R runs after one warm-up):
- wasmir -O2:   wasmir-translate --import-wasm IN.wasm -O2 -o OUT.wasm        (direct backend)
- cranelift:    wasmir-translate --import-wasm IN.wasm --backend=cranelift -O2 -o OUT.wasm
- llvm -O2:     wasmir-translate --import-wasm IN.wasm --backend=llvm -O2 -o OUT.wasm
                (WasmIR's -O2 pipeline, then LLVM's default<O2>, the wasm32 object, wasm-ld)
- llvm -Oz:     the same with -Oz
- wasm-opt -O2, wasm-opt -Oz: wasm-opt -O2|-Oz IN.wasm -o OUT.wasm             (Binaryen)
- clang -O2:    clang-22 ... -O2 KERNEL.c -o OUT.wasm (from source: reference for run time)

Run time: `wasmir-run --fuel 0 X --invoke run N` (wasmtime 48 in-process), min of E runs after
one warm-up; it includes process start and wasmtime's compilation of the module. Every output
must print the input's checksum; a mismatch marks the variant WRONG, leaves it out of the
ratios and makes the exit code 1. A module the LLVM backend refuses (outside its subset) is
marked `refused` with the backend's message and also left out.

Ratios (< 1: the LLVM output is faster / smaller, the LLVM compile is faster):
- run: llvm -O2 over wasmir -O2, wasm-opt -O2 and clang -O2;
- size: llvm -O2 over wasmir -O2 and wasm-opt -O2, llvm -Oz over wasm-opt -Oz;
- compile: llvm -O2 over cranelift.
Totals are geometric means over the kernels.

    python3 benches/llvm.py                          # -r 5 -e 5, -O1 input
    python3 benches/llvm.py --only sieve,nbody -r 3 -e 3 --module /tmp/wasmir-bigmod/big.wasm

Python 3.11 standard library only; needs clang-22, wasm-ld-22 (lld-22), llvm-22-dev (the backend
is built with `--features wasmir-translate/llvm`) and Binaryen's wasm-opt.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in benches/
sys.path.insert(0, str(Path(__file__).resolve().parent))
from cranelift import clang_cmd, invoke, invoke_selftest, setup, timed  # noqa: E402
from import_export import Failed, sections  # noqa: E402
from opt_quality import finish, fmt_ms, fmt_r, fmt_s, geomean, run_main, tools  # noqa: E402
from parse_verify_print import cpu_model, first_version_line, nproc  # noqa: E402

VARIANTS = ["wasmir-O2", "cranelift", "llvm-O2", "llvm-Oz", "wasm-opt-O2", "wasm-opt-Oz", "clang-O2"]
LABELS = {"input": "input", "wasmir-O2": "wasmir -O2", "cranelift": "cranelift -O2", "llvm-O2": "llvm -O2",
          "llvm-Oz": "llvm -Oz", "wasm-opt-O2": "wasm-opt -O2", "wasm-opt-Oz": "wasm-opt -Oz",
          "clang-O2": "clang -O2"}
# (numerator, denominator) of each ratio column, in table order.
RUN_RATIOS = [("llvm-O2", "wasmir-O2"), ("llvm-O2", "wasm-opt-O2"), ("llvm-O2", "clang-O2")]
SIZE_RATIOS = [("llvm-O2", "wasmir-O2"), ("llvm-O2", "wasm-opt-O2"), ("llvm-Oz", "wasm-opt-Oz")]
COMPILE_RATIOS = [("llvm-O2", "cranelift"), ("llvm-O2", "wasm-opt-O2")]


def optimizer_cmds(translate: str, wasm_opt: str, inp: Path, outs: dict[str, Path]) -> dict[str, list[str]]:
    """The commands of the variants that read the wasm module `inp` (all but clang -O2)."""
    imp = [translate, "--import-wasm", str(inp)]
    return {
        "wasmir-O2": [*imp, "-O2", "-o", str(outs["wasmir-O2"])],
        "cranelift": [*imp, "--backend=cranelift", "-O2", "-o", str(outs["cranelift"])],
        "llvm-O2": [*imp, "--backend=llvm", "-O2", "-o", str(outs["llvm-O2"])],
        "llvm-Oz": [*imp, "--backend=llvm", "-Oz", "-o", str(outs["llvm-Oz"])],
        "wasm-opt-O2": [wasm_opt, "-O2", str(inp), "-o", str(outs["wasm-opt-O2"])],
        "wasm-opt-Oz": [wasm_opt, "-Oz", str(inp), "-o", str(outs["wasm-opt-Oz"])],
    }


def compile_all(cmds: dict[str, list[str]], outs: dict[str, Path], runs: int, work: Path, rec: dict) -> None:
    """Times every command into rec["compile_s"], records output sizes; a failure (an LLVM
    refusal included) is recorded in rec["check"] with the last line of its message."""
    for v, cmd in cmds.items():
        try:
            rec["compile_s"][v], _ = timed(cmd, outs[v], runs, work)
            rec["bytes"][v] = outs[v].stat().st_size
        except Failed as e:
            last = str(e).strip().splitlines()[-1][:300]
            print(str(e), file=sys.stderr)
            rec["compile_s"][v] = None
            rec["check"][v] = ("refused: " if "--backend=direct" in last else "failed: ") + last


def ratio(d: dict, a: str, b: str):
    x, y = d.get(a), d.get(b)
    return x / y if x is not None and y else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-r", "--runs", type=int, default=5, help="timed runs per compile command (min reported)")
    ap.add_argument("-e", "--exec-runs", type=int, default=5, help="timed runs of each module (min reported)")
    ap.add_argument("--input-opt", default="O1", choices=["O0", "O1"], help="clang level of the input (default O1)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every kernel's argument by this")
    ap.add_argument("--no-build", action="store_true", help="use the existing release binaries")
    ap.add_argument("--only", help="comma-separated kernel names")
    ap.add_argument("--workdir", help="keep inputs and outputs here")
    ap.add_argument("--json", help="write the raw numbers here (- for stdout)")
    ap.add_argument("--module", action="append", default=[], metavar="IN.wasm",
                    help="also compile this real module (sizes and compile times; if it exports "
                         "`selftest`, every output must return the input's value); repeatable")
    args = ap.parse_args()

    translate, run_exe, wasm_opt, clang, work, kernels = setup(args, "wasmir-llvm-", ("wasmir-translate/llvm",))

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
                     "bytes": {"input": inp.stat().st_size}, "check": {}}
        compile_all(cmds, outs, args.runs, work, row)
        expect = invoke(run_exe, inp, n)
        row["expect"] = expect
        for v in VARIANTS:
            if v in row["check"]:
                continue
            got = invoke(run_exe, outs[v], n)
            row["check"][v] = "ok" if got == expect else "WRONG"
            if got != expect:
                wrong.append(f"{name} / {v}: run {n} gave {got!r}, the input gives {expect!r}")
        for v, path in [("input", inp), *outs.items()]:
            if v != "input" and row["check"].get(v) != "ok":
                continue
            row["run_s"][v], _ = timed([run_exe, "--fuel", "0", str(path), "--invoke", "run", str(n)], None,
                                       args.exec_runs, work)
        rows.append(row)

    modules = []
    for path in map(Path, args.module):
        print(f"== module {path}", file=sys.stderr)
        outs = {v: work / f"module-{path.stem}.{v}.wasm" for v in VARIANTS if v != "clang-O2"}
        sec = sections(path)
        m: dict = {"module": str(path), "input_bytes": path.stat().st_size, "code_bytes": sec.get("code", 0),
                   "functions": sec.get("code entries", 0), "compile_s": {}, "bytes": {}, "check": {}}
        compile_all(optimizer_cmds(translate, wasm_opt, path, outs), outs, args.runs, work, m)
        m["selftest"] = expect = invoke_selftest(run_exe, path)
        for v in outs:
            if v in m["check"]:
                continue
            got = invoke_selftest(run_exe, outs[v])
            m["check"][v] = "ok" if got == expect else "WRONG"
            if got != expect:
                wrong.append(f"module {path.name} / {v}: selftest gave {got!r}, the input gives {expect!r}")
        modules.append(m)

    def check_text(rec: dict) -> str:
        bad = {v: s for v, s in rec["check"].items() if s != "ok"}
        return "ok" if not bad else "; ".join(f"{LABELS[v]} {s}" for v, s in bad.items())

    def ok_ratio(rec: dict, key: str, a: str, b: str):
        good = all(rec["check"].get(v) == "ok" for v in (a, b))
        return ratio(rec[key], a, b) if good else None

    def rlabel(pairs):
        return " | ".join(f"{LABELS[a]} ÷ {LABELS[b]}" for a, b in pairs)

    print(f"\ninput: clang-22 -{args.input_opt}; compile ms = min of {args.runs} runs; "
          f"run s = min of {args.exec_runs} runs of `wasmir-run --fuel 0 X --invoke run N`\n")
    rv = ["input", *VARIANTS]
    print(f"| kernel | N | run s: {' / '.join(LABELS[v] for v in rv)} | {rlabel(RUN_RATIOS)} | check |")
    print("|---|---:|---:|" + "---:|" * len(RUN_RATIOS) + "---|")
    for r in rows:
        print(f"| {r['kernel']} | {r['n']:,} | {' / '.join(fmt_s(r['run_s'].get(v)) for v in rv)} | "
              + " | ".join(fmt_r(ok_ratio(r, 'run_s', a, b)) for a, b in RUN_RATIOS) + f" | {check_text(r)} |")
    sv = ["input", *VARIANTS]
    print(f"\n| kernel | bytes: {' / '.join(LABELS[v] for v in sv)} | {rlabel(SIZE_RATIOS)} |")
    print("|---|---:|" + "---:|" * len(SIZE_RATIOS))
    for r in rows:
        print(f"| {r['kernel']} | {' / '.join(format(r['bytes'].get(v, 0), ',') for v in sv)} | "
              + " | ".join(fmt_r(ok_ratio(r, 'bytes', a, b)) for a, b in SIZE_RATIOS) + " |")
    cv = VARIANTS[:-1]
    print(f"\n| kernel | fns | compile ms: {' / '.join(LABELS[v] for v in cv)} | {rlabel(COMPILE_RATIOS)} |")
    print("|---|---:|---:|" + "---:|" * len(COMPILE_RATIOS))
    for r in rows:
        print(f"| {r['kernel']} | {r['functions']} | {' / '.join(fmt_ms(r['compile_s'].get(v)) for v in cv)} | "
              + " | ".join(fmt_r(ok_ratio(r, 'compile_s', a, b)) for a, b in COMPILE_RATIOS) + " |")

    def gm(key: str, a: str, b: str):
        return geomean([x for r in rows if (x := ok_ratio(r, key, a, b))])

    counted = [r["kernel"] for r in rows if r["check"].get("llvm-O2") == "ok"]
    print(f"\ngeometric means over {len(counted)} kernels ({', '.join(counted)}):")
    heads = [(what, a, b) for what, pairs in (("run", RUN_RATIOS), ("size", SIZE_RATIOS), ("compile", COMPILE_RATIOS))
             for a, b in pairs]
    print("| | " + " | ".join(f"{what}: {LABELS[a]} ÷ {LABELS[b]}" for what, a, b in heads) + " |")
    print("|---|" + "---:|" * (len(RUN_RATIOS) + len(SIZE_RATIOS) + len(COMPILE_RATIOS)))
    print("| | " + " | ".join(fmt_r(gm("run_s", a, b)) for a, b in RUN_RATIOS) + " | "
          + " | ".join(fmt_r(gm("bytes", a, b)) for a, b in SIZE_RATIOS) + " | "
          + " | ".join(fmt_r(gm("compile_s", a, b)) for a, b in COMPILE_RATIOS) + " |")

    if modules:
        mv = VARIANTS[:-1]
        print(f"\n| real module | input B (code B) | fns | compile ms: {' / '.join(LABELS[v] for v in mv)} "
              f"| out B: {' / '.join(LABELS[v] for v in mv)} | check |")
        print("|---|---:|---:|---:|---:|---|")
        for m in modules:
            print(f"| {Path(m['module']).name} | {m['input_bytes']:,} ({m['code_bytes']:,}) | {m['functions']:,} "
                  f"| {' / '.join(fmt_ms(m['compile_s'].get(v)) for v in mv)} "
                  f"| {' / '.join(format(m['bytes'].get(v, 0), ',') for v in mv)} | {check_text(m)} |")
    print(f"\nmachine: {nproc()} CPUs, {cpu_model()}, {platform.platform()}, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; wasm-opt: {first_version_line(wasm_opt)}; "
          f"clang: {first_version_line(clang)}; work dir {work}")
    return finish(args.json, {"input_opt": args.input_opt, "rows": rows, "modules": modules, "wrong": wrong},
                  wrong, "an output does not behave like its input")


if __name__ == "__main__":
    run_main(main)
