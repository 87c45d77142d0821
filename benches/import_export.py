#!/usr/bin/env python3
"""Import + export benchmark: wasmir-translate round trip vs Binaryen's wasm-opt.

Times reading a large real wasm module and writing it back, and compares the
output sizes with the input size:

- wasmir round trip: `wasmir-translate --import-wasm IN.wasm | wasmir-translate - -o OUT.wasm`
  (two processes joined by a pipe, spawned directly -- no shell);
- its two halves, for the breakdown: `wasmir-translate --import-wasm IN.wasm -o IN.wir`
  (decode + import + verify + print) and `wasmir-translate IN.wir -o OUT.wasm`
  (read + parse + verify + export + encode);
- `wasm-opt IN.wasm -o OUT.wasm` (no passes; Binaryen drops the name section unless -g) and
  `wasm-opt -g IN.wasm -o OUT.wasm` (keeps names, like wasmir-translate does).

    python3 benches/import_export.py                    # builds the module if missing
    python3 benches/import_export.py --input some.wasm -r 10

The default input is the module that benches/build_big_module.sh builds (a no_std Rust
cdylib compiled by rustc 1.96/LLVM for wasm32-unknown-unknown, ~1.26 MB, ~1.0 MB of code);
it is built on first use into /tmp/wasmir-bigmod/big.wasm.

Every output is checked: it must be non-empty, must instantiate under wasmtime
(`wasmir-run OUT.wasm`, which validates the whole module), and, when the input exports a
`selftest` function (the default module does), `wasmir-run --invoke selftest` must print the
same value for the output as for the input.

Timing: each command runs R times (after W untimed warm-up runs); wall time is
time.perf_counter() around spawn + wait (for the pipeline: until both processes have exited);
min, median and max are reported. Peak RSS (single-process commands only) is measured on the
untimed warm-up runs with GNU /usr/bin/time, as in benches/parse_verify_print.py.

Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in benches/
sys.path.insert(0, str(Path(__file__).resolve().parent))
from parse_verify_print import (  # noqa: E402  (shared helpers of the existing benchmark)
    GNU_TIME, cpu_model, first_version_line, fs_type, have_gnu_time, nproc, sha256,
)
import platform  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = Path("/tmp/wasmir-bigmod/big.wasm")
BUILD_SCRIPT = Path(__file__).resolve().parent / "build_big_module.sh"

SECTION_NAMES = {0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory",
                 6: "global", 7: "export", 8: "start", 9: "element", 10: "code", 11: "data",
                 12: "datacount", 13: "tag"}


# --------------------------------------------------------------------------
# wasm helpers
# --------------------------------------------------------------------------

def _leb(b: bytes, i: int) -> tuple[int, int]:
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def sections(path: Path) -> dict[str, int]:
    """Payload bytes per section (`custom:NAME` for custom sections); code/function counts."""
    b = path.read_bytes()
    if b[:4] != b"\0asm":
        raise ValueError(f"{path} is not a wasm binary")
    out: dict[str, int] = {}
    i = 8
    while i < len(b):
        sid = b[i]
        n, j = _leb(b, i + 1)
        key = SECTION_NAMES.get(sid, str(sid))
        if sid == 0:
            ln, k = _leb(b, j)
            key = "custom:" + b[k:k + ln].decode("utf-8", "replace")
        if sid == 10:
            out["code entries"], _ = _leb(b, j)
        out[key] = out.get(key, 0) + n
        i = j + n
    return out


# --------------------------------------------------------------------------
# Running commands
# --------------------------------------------------------------------------

class Failed(Exception):
    pass


def run_pipeline(cmds: list[list[str]], stderr_paths: list[Path]) -> tuple[float, list[int], float]:
    """Run cmd0 | cmd1 | ... with real pipes, no shell.

    Returns (wall s, exit codes, CPU s = user + system time summed over the processes)."""
    errs = [open(p, "wb") for p in stderr_paths]
    try:
        t0 = time.perf_counter()
        procs: list[subprocess.Popen] = []
        prev = subprocess.DEVNULL
        for k, cmd in enumerate(cmds):
            last = k == len(cmds) - 1
            p = subprocess.Popen(cmd, stdin=prev,
                                 stdout=subprocess.DEVNULL if last else subprocess.PIPE,
                                 stderr=errs[k])
            if prev is not subprocess.DEVNULL:
                prev.close()  # only the child holds the read end now
            prev = p.stdout
            procs.append(p)
        codes: list[int] = []
        cpu = 0.0
        for p in procs:
            _, status, ru = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from re-waiting
            codes.append(p.returncode)
            cpu += ru.ru_utime + ru.ru_stime
        t1 = time.perf_counter()
    finally:
        for e in errs:
            e.close()
    return t1 - t0, codes, cpu


def peak_rss_kib(cmd: list[str], workdir: Path) -> int | None:
    rss_path = workdir / "rss.txt"
    p = subprocess.run([GNU_TIME, "-f", "%M", "-o", str(rss_path)] + cmd,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    if p.returncode != 0:
        return None
    try:
        return int(rss_path.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def bench(name: str, cmds: list[list[str]], out: Path, workdir: Path, runs: int, warmup: int,
          rss: bool) -> dict:
    errs = [workdir / f"{name.replace(' ', '_')}.{k}.stderr" for k in range(len(cmds))]
    times: list[float] = []
    cpus: list[float] = []
    peak = None
    for i in range(warmup + runs):
        if out.exists():
            out.unlink()
        wall, codes, cpu = run_pipeline(cmds, errs)
        if any(codes) or not out.exists() or out.stat().st_size == 0:
            msg = [f"error: {name} failed (exit codes {codes})"]
            msg += [" | ".join(" ".join(c) for c in cmds)]
            for e in errs:
                text = e.read_text(encoding="utf-8", errors="replace")
                if text:
                    msg.append(f"---- {e.name} ----\n{text[-20000:]}")
            raise Failed("\n".join(msg))
        timed = i >= warmup
        tag = f"run {i - warmup + 1}/{runs}" if timed else f"warm-up {i + 1}/{warmup} (untimed)"
        print(f"  {name} {tag}: {wall:.3f} s (CPU {cpu:.3f} s)", file=sys.stderr)
        if timed:
            times.append(wall)
            cpus.append(cpu)
    if rss and len(cmds) == 1:
        peak = peak_rss_kib(cmds[0], workdir)
    return {
        "name": name,
        "commands": cmds,
        "times_s": times,
        "min_s": min(times),
        "median_s": statistics.median(times),
        "max_s": max(times),
        "cpu_s": cpus,
        "cpu_median_s": statistics.median(cpus),
        "peak_rss_kib": peak,
        "output": str(out),
        "output_bytes": out.stat().st_size,
    }


def check_output(run_exe: str, path: Path, expect_selftest: str | None) -> tuple[bool, str]:
    """Instantiate under wasmtime (full validation); compare `selftest` if the input has it."""
    p = subprocess.run([run_exe, str(path)], capture_output=True, text=True)
    if p.returncode != 0:
        return False, f"does not instantiate: {p.stderr.strip()[:500]}"
    if expect_selftest is None:
        return True, "instantiates"
    p = subprocess.run([run_exe, "--invoke", "selftest", str(path)], capture_output=True, text=True)
    got = p.stdout.strip()
    if p.returncode != 0 or got != expect_selftest:
        return False, f"selftest gave {got!r} (exit {p.returncode}), input gives {expect_selftest!r}"
    return True, f"instantiates, selftest = {got}"


def cargo_build(packages: list[str], features: tuple[str, ...] = ()) -> tuple[dict[str, str], dict[str, str]]:
    """Builds the packages (with cargo `features` such as `wasmir-translate/llvm`); returns
    (executables by target name, rlibs by crate name)."""
    cmd = ["cargo", "build", "--release"] + [a for p in packages for a in ("-p", p)]
    if features:
        cmd += ["--features", ",".join(features)]
    print(f"$ {' '.join(cmd)}", file=sys.stderr)
    p = subprocess.run(cmd + ["--message-format=json-render-diagnostics"], cwd=REPO_ROOT,
                       stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise Failed("error: cargo build failed")
    exes: dict[str, str] = {}
    rlibs: dict[str, str] = {}
    for line in p.stdout.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("reason") != "compiler-artifact":
            continue
        if msg.get("executable"):
            exes[msg["target"]["name"]] = msg["executable"]
        for f in msg.get("filenames", []):
            if f.endswith(".rlib"):
                rlibs[msg["target"]["name"].replace("-", "_")] = f
    return exes, rlibs


def build_inprocess(rlibs: dict[str, str], tdir: Path, out: Path) -> str:
    """Compiles benches/inprocess_roundtrip.rs against the release rlibs (no workspace crate)."""
    def rlib(name: str, fallback: list[Path]) -> str:
        if name in rlibs:
            return rlibs[name]
        cands = sorted((c for c in fallback if c.exists()), key=lambda c: c.stat().st_mtime)
        if not cands:
            raise Failed(f"error: no rlib for {name} in {tdir} (build it, or pass --no-inprocess)")
        return str(cands[-1])
    wasmir = rlib("wasmir", [tdir / "libwasmir.rlib", *tdir.glob("deps/libwasmir-*.rlib")])
    translate = rlib("wasmir_translate", [tdir / "libwasmir_translate.rlib",
                                          *tdir.glob("deps/libwasmir_translate-*.rlib")])
    deps = str(Path(translate).parent if Path(translate).parent.name == "deps" else tdir / "deps")
    rustc = os.environ.get("RUSTC", "rustc")
    cmd = [rustc, "--edition", "2024", "-C", "opt-level=3", "-C", "debuginfo=line-tables-only",
           str(Path(__file__).resolve().parent / "inprocess_roundtrip.rs"), "-o", str(out),
           "--extern", f"wasmir={wasmir}", "--extern", f"wasmir_translate={translate}",
           "-L", f"dependency={deps}"]
    print(f"$ {' '.join(cmd)}", file=sys.stderr)
    if subprocess.run(cmd, cwd=REPO_ROOT).returncode != 0:
        raise Failed("error: compiling benches/inprocess_roundtrip.rs failed (or pass --no-inprocess)")
    return str(out)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", default=None,
                    help=f"wasm module (default {DEFAULT_INPUT}, built by "
                         f"benches/build_big_module.sh if missing)")
    ap.add_argument("-r", "--runs", type=int, default=10, help="timed runs per command (default 10)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed warm-up runs (default 1)")
    ap.add_argument("--no-build", action="store_true",
                    help="skip `cargo build --release -p wasmir-translate -p wasmir-run`")
    ap.add_argument("--wasmir-translate", default=None, help="wasmir-translate binary")
    ap.add_argument("--wasmir-run", default=None, help="wasmir-run binary (output validation)")
    ap.add_argument("--wasm-opt", default=None, help="wasm-opt binary (default: on PATH)")
    ap.add_argument("--no-inprocess", action="store_true",
                    help="do not compile and time benches/inprocess_roundtrip.rs (the library "
                         "round trip without text, and the per-phase breakdown)")
    ap.add_argument("--skip-halves", action="store_true",
                    help="do not time the two halves of the round trip separately")
    ap.add_argument("--workdir", default=None,
                    help="where outputs go (default: fresh dir in /dev/shm, else /tmp)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--json", metavar="FILE", default=None,
                    help="also dump raw numbers as JSON to FILE ('-' for stdout)")
    args = ap.parse_args()
    if args.runs < 1 or args.warmup < 0:
        ap.error("--runs must be >= 1, --warmup >= 0")

    try:
        tdir = Path(os.environ.get("CARGO_TARGET_DIR") or REPO_ROOT / "target") / "release"
        rlibs: dict[str, str] = {}
        if not args.no_build:
            built, rlibs = cargo_build(["wasmir-translate", "wasmir-run"])
            args.wasmir_translate = args.wasmir_translate or built.get("wasmir-translate")
            args.wasmir_run = args.wasmir_run or built.get("wasmir-run")
        translate = args.wasmir_translate or str(tdir / "wasmir-translate")
        run_exe = args.wasmir_run or str(tdir / "wasmir-run")
        for exe in (translate, run_exe):
            if not os.access(exe, os.X_OK):
                raise Failed(f"error: {exe} is not an executable (build it, or pass its path)")
        wasm_opt = args.wasm_opt or shutil.which("wasm-opt")
        if not wasm_opt:
            raise Failed("error: wasm-opt not found (apt-get install -y binaryen)")

        inp = Path(args.input) if args.input else DEFAULT_INPUT
        if not inp.exists():
            if args.input:
                raise Failed(f"error: {inp} does not exist")
            print(f"$ sh {BUILD_SCRIPT} {inp}", file=sys.stderr)
            if subprocess.run(["sh", str(BUILD_SCRIPT), str(inp)]).returncode != 0:
                raise Failed("error: building the big module failed")
        inp = inp.resolve()
    except Failed as e:
        print(e, file=sys.stderr)
        return 1

    if args.workdir:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        own_workdir = False
    else:
        base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        workdir = Path(tempfile.mkdtemp(prefix="wasmir-ie-", dir=base))
        own_workdir = True

    try:
        # The input is copied next to the outputs, so that every command reads from the same
        # (tmpfs) filesystem and the file is in the page cache.
        src = workdir / "in.wasm"
        shutil.copyfile(inp, src)
        inproc = None if args.no_inprocess else build_inprocess(rlibs, Path(translate).resolve().parent,
                                                                   workdir / "inprocess_roundtrip")
        wir = workdir / "in.wir"
        outs = {k: workdir / f"{k}.wasm"
                for k in ("wasmir", "wasmir-halves", "inprocess", "wasm-opt", "wasm-opt-g")}
        plan: list[tuple[str, list[list[str]], Path]] = [
            ("wasmir round trip", [[translate, "--import-wasm", str(src)],
                                   [translate, "-", "-o", str(outs["wasmir"])]], outs["wasmir"]),
        ]
        if not args.skip_halves:
            plan += [
                ("wasmir import half", [[translate, "--import-wasm", str(src), "-o", str(wir)]], wir),
                ("wasmir export half", [[translate, str(wir), "-o", str(outs["wasmir-halves"])]],
                 outs["wasmir-halves"]),
            ]
        if inproc:
            plan.append(("wasmir in-process, no text", [[inproc, "direct", str(src),
                                                          str(outs["inprocess"])]], outs["inprocess"]))
        plan += [
            ("wasm-opt", [[wasm_opt, str(src), "-o", str(outs["wasm-opt"])]], outs["wasm-opt"]),
            ("wasm-opt -g", [[wasm_opt, "-g", str(src), "-o", str(outs["wasm-opt-g"])]],
             outs["wasm-opt-g"]),
        ]

        rss = have_gnu_time()
        results: dict[str, dict] = {}
        for name, cmds, out in plan:
            print("$ " + " | ".join(" ".join(c) for c in cmds), file=sys.stderr)
            results[name] = bench(name, cmds, out, workdir, args.runs, args.warmup, rss)

        phases: dict[str, list[float]] = {}
        if inproc:
            print(f"$ {inproc} phases {src} {outs['inprocess']}  (x{args.runs})", file=sys.stderr)
            for _ in range(args.runs):
                p = subprocess.run([inproc, "phases", str(src), str(outs["inprocess"])],
                                   capture_output=True, text=True)
                if p.returncode != 0:
                    raise Failed(f"error: in-process phases failed:\n{p.stderr}")
                for k, v in json.loads(p.stdout).items():
                    if isinstance(v, float):
                        phases.setdefault(k, []).append(v)

        in_bytes = src.stat().st_size
        in_secs = sections(src)
        exports_selftest = False
        p = subprocess.run([run_exe, "--invoke", "selftest", str(src)], capture_output=True, text=True)
        expect = p.stdout.strip() if p.returncode == 0 else None
        exports_selftest = expect is not None
        for name, res in results.items():
            if name == "wasmir import half":
                res["valid"], res["check"] = True, "(WasmIR text)"
                continue
            res["valid"], res["check"] = check_output(run_exe, Path(res["output"]), expect)
            res["sections"] = sections(Path(res["output"]))

        machine = {
            "nproc": nproc(),
            "cpu_model": cpu_model(),
            "kernel": platform.release(),
            "python": platform.python_version(),
            "workdir": str(workdir),
            "workdir_fs": fs_type(workdir),
            "wasmir_translate": translate,
            "wasm_opt": wasm_opt,
            "wasm_opt_version": first_version_line(wasm_opt),
            "loadavg_after": os.getloadavg(),
        }

        print()
        print("## Machine")
        print()
        print(f"- nproc: {machine['nproc']}, CPU: {machine['cpu_model']}, kernel {machine['kernel']}, "
              f"Python {machine['python']}")
        print(f"- wasm-opt: {wasm_opt} ({machine['wasm_opt_version']})")
        print(f"- wasmir-translate: {translate}")
        print(f"- files in: {workdir} ({machine['workdir_fs']}); load average after the runs: "
              + ", ".join(f"{x:.2f}" for x in machine["loadavg_after"]))
        print(f"- input {inp}: {in_bytes:,} bytes, sha256 {sha256(src)[:16]}…, "
              f"{in_secs.get('code entries', 0):,} functions, code section {in_secs.get('code', 0):,} bytes"
              + (", exports `selftest`" if exports_selftest else ""))
        print()
        print(f"## Import + export: min / median / max of {args.runs} runs ({args.warmup} warm-up)")
        print()
        print("| command | min s | median s | max s | CPU s (median) | output bytes | output / input "
              "| code bytes | custom bytes | peak RSS MiB | check |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for name, res in results.items():
            secs = res.get("sections", {})
            code = f"{secs['code']:,}" if "code" in secs else "—"
            custom = sum(v for k, v in secs.items() if k.startswith("custom:"))
            custom_txt = f"{custom:,}" if secs else "—"
            ratio = f"{res['output_bytes'] / in_bytes * 100:.1f} %" if secs else "—"
            peak = res["peak_rss_kib"]
            peak_txt = f"{peak / 1024:.0f}" if peak is not None else "—"
            ok = ("ok: " if res["valid"] else "**FAIL**: ") + res["check"]
            print(f"| {name} | {res['min_s']:.3f} | {res['median_s']:.3f} | {res['max_s']:.3f} | "
                  f"{res['cpu_median_s']:.3f} | {res['output_bytes']:,} | {ratio} | {code} | {custom_txt} | {peak_txt} | {ok} |")
        print(f"| (input) | | | | | {in_bytes:,} | 100 % | {in_secs.get('code', 0):,} | "
              f"{sum(v for k, v in in_secs.items() if k.startswith('custom:')):,} | | |")
        ours = results["wasmir round trip"]
        print()
        for ref in ("wasm-opt", "wasm-opt -g"):
            r = results[ref]
            print(f"- **{ref} / wasmir round trip time: {r['min_s'] / ours['min_s']:.2f}× (min), "
                  f"{r['median_s'] / ours['median_s']:.2f}× (median)**, CPU time "
                  f"{r['cpu_median_s'] / ours['cpu_median_s']:.2f}× (median) (> 1: wasmir faster; "
                  f"target ≥ 2×)")
        if not args.skip_halves:
            imp, exp = results["wasmir import half"], results["wasmir export half"]
            print(f"- halves (median): import {imp['median_s']:.3f} s + export "
                  f"{exp['median_s']:.3f} s = {imp['median_s'] + exp['median_s']:.3f} s; "
                  f"intermediate .wir {imp['output_bytes']:,} bytes")
        if inproc:
            r = results["wasmir in-process, no text"]
            for ref in ("wasm-opt", "wasm-opt -g"):
                print(f"- {ref} / wasmir in-process (no text) time: "
                      f"{results[ref]['min_s'] / r['min_s']:.2f}× (min), "
                      f"{results[ref]['median_s'] / r['median_s']:.2f}× (median), CPU time "
                      f"{results[ref]['cpu_median_s'] / r['cpu_median_s']:.2f}× (median)")
        if phases:
            print()
            print(f"### In-process phases (`inprocess_roundtrip phases`, median of {args.runs} processes)")
            print()
            print("| phase | median s | min s |")
            print("|---|---:|---:|")
            for k, v in phases.items():
                print(f"| {k} | {statistics.median(v):.3f} | {min(v):.3f} |")
            direct = ("import", "verify (imported)", "export (imported)")
            text = ("import", "verify (imported)", "print", "parse", "verify (parsed)", "export (parsed)")
            for label, keys in (("no text: import + verify + export", direct),
                                ("through text: import + verify + print + parse + verify + export", text)):
                print(f"| **{label}** | {sum(statistics.median(phases[k]) for k in keys):.3f} | |")
        print()
        print(f"- output sections (bytes): input {in_secs}")
        for name, res in results.items():
            if "sections" in res:
                print(f"  - {name}: {res['sections']}")

        if args.json:
            blob = {"benchmark": "import_export",
                    "config": {"runs": args.runs, "warmup": args.warmup, "input": str(inp)},
                    "machine": machine, "input_bytes": in_bytes, "input_sections": in_secs,
                    "results": results, "inprocess_phases_s": phases}
            text = json.dumps(blob, indent=2)
            if args.json == "-":
                print(text)
            else:
                Path(args.json).write_text(text + "\n", encoding="utf-8")
                print(f"wrote {args.json}", file=sys.stderr)
        bad = [n for n, r in results.items() if not r["valid"]]
        return 1 if bad else 0
    except Failed as e:
        print(e, file=sys.stderr)
        return 1
    finally:
        if own_workdir and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif own_workdir:
            print(f"kept {workdir}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
