//! The system under test, wrapped so that the harness survives it: panics are caught and turned
//! into failures ("panic: …"), a watchdog aborts the run with a clear message if one call hangs,
//! and `WASMIR_CONFORMANCE_IDENTITY=1` swaps in an identity round trip (a self-check of the
//! harness against wasmtime; never used for the ratchet).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, Once, OnceLock};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

/// `WASMIR_CONFORMANCE_IDENTITY=1`: skip the round trip (bytes unchanged) and let wasmtime's
/// validator stand in for the importer on `assert_invalid`/`assert_malformed`.
pub fn identity_mode() -> bool {
    FORCE_IDENTITY.with(Cell::get)
        || std::env::var("WASMIR_CONFORMANCE_IDENTITY").is_ok_and(|v| v == "1")
}

thread_local! {
    static FORCE_IDENTITY: Cell<bool> = const { Cell::new(false) };
}

/// Forces identity mode on the current thread (the harness's own self-check).
pub fn force_identity_on_this_thread(on: bool) {
    FORCE_IDENTITY.with(|f| f.set(on));
}

/// `WASMIR_BLESS_CONFORMANCE=1`: rewrite the ratchet file and `docs/conformance.md`.
pub fn bless_mode() -> bool {
    // A test that chose its own passes checks the ratchet but never rewrites it.
    std::env::var("WASMIR_BLESS_CONFORMANCE").is_ok_and(|v| v == "1") && pipeline_override().is_none() && !cranelift_mode() && !llvm_mode()
}

/// How the run is set up, for the console summaries: `identity`, or the passes in between.
pub fn mode_label(identity: &str) -> String {
    if identity_mode() {
        return identity.to_string();
    }
    if cranelift_mode() {
        return " (through --backend=cranelift -O2: Cranelift's mid-end, raised back to WasmIR)".to_string();
    }
    if llvm_mode() {
        return format!(" (through --backend=llvm -O{}: LLVM and wasm-ld; modules it refuses take the direct path)", llvm_level_flag());
    }
    match pipeline() {
        Some(p) => format!(" (passes between import and export: {})", p.to_text()),
        None => String::new(),
    }
}

/// Worker threads: `WASMIR_CONFORMANCE_JOBS`, else the available parallelism.
pub fn jobs() -> usize {
    std::env::var("WASMIR_CONFORMANCE_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or_else(|| thread::available_parallelism().map_or(2, |n| n.get()))
}

/// Stack size of the worker threads: generous, so that deep host recursion (debug builds of the
/// parser, the importer, Cranelift) does not overflow before wasm's own stack limit does.
pub const WORKER_STACK: usize = 64 << 20;

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                let loc = info
                    .location()
                    .map(|l| format!(" at {}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                LAST_PANIC.with(|p| {
                    *p.borrow_mut() = Some(format!("{}{loc}", payload_text(info.payload())))
                });
            } else {
                previous(info);
            }
        }));
    });
}

fn payload_text(payload: &dyn std::any::Any) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}

/// Runs `f` (a call into the system under test, or anything else that may panic on strange
/// input) with panics caught and reported as `Err("panic: …")`, quietly, under the watchdog.
pub fn guarded<R>(what: &str, f: impl FnOnce() -> R) -> Result<R, String> {
    install_panic_hook();
    let _watch = Watch::start(what);
    let was_quiet = QUIET.with(|q| q.replace(true));
    let r = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was_quiet));
    r.map_err(|payload| {
        let text = LAST_PANIC
            .with(|p| p.borrow_mut().take())
            .unwrap_or_else(|| payload_text(&*payload));
        format!("panic: {text}")
    })
}

/// `WASMIR_CONFORMANCE_PIPELINE`: passes run between import and export (e.g.
/// `module(func(cse,dce))`, or an optimization level such as `-O2`), so the suite checks that
/// they keep every module's behaviour. A test may set its own with [`with_pipeline`].
pub fn pipeline() -> Option<wasmir::pass::pipeline::Pipeline> {
    if let Some(s) = OVERRIDE.with(|o| o.borrow().clone()) {
        return s.pipeline;
    }
    static P: std::sync::OnceLock<Option<wasmir::pass::pipeline::Pipeline>> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let text = std::env::var("WASMIR_CONFORMANCE_PIPELINE").ok().filter(|t| !t.is_empty())?;
        match parse_pipeline(&text) {
            Ok(p) => Some(p),
            Err(m) => panic!("WASMIR_CONFORMANCE_PIPELINE: {m}"),
        }
    })
    .clone()
}

/// A pipeline text, or an optimization level (`-O2`).
pub fn parse_pipeline(text: &str) -> Result<wasmir::pass::pipeline::Pipeline, String> {
    let text = match text.strip_prefix("-O") {
        Some(level) => wasmir::pass::preset(level).ok_or_else(|| format!("no optimization level `{text}`"))?.pipeline,
        None => text,
    };
    wasmir::pass::pipeline::parse(text).map_err(|d| d.message)
}

/// How a test routes modules, over the environment's choice.
#[derive(Clone, Default)]
pub struct Setup {
    /// Passes between import and export.
    pub pipeline: Option<wasmir::pass::pipeline::Pipeline>,
    /// Send every function through the cranelift wasm path (`--backend=cranelift -O2`),
    /// counting what it did here.
    pub cranelift: Option<std::sync::Arc<Mutex<CraneliftTally>>>,
    /// Compile every module with the LLVM backend (`--backend=llvm`), counting here what it
    /// compiled and what it refused.
    pub llvm: Option<std::sync::Arc<Mutex<LlvmTally>>>,
}

thread_local! {
    /// The setup chosen by the running test, over the environment's.
    static OVERRIDE: RefCell<Option<Setup>> = const { RefCell::new(None) };
}

/// Runs `f` with `pipeline` between import and export on this thread and on the workers it
/// starts through [`crate::parallel_map`].
pub fn with_pipeline<R>(pipeline: Option<wasmir::pass::pipeline::Pipeline>, f: impl FnOnce() -> R) -> R {
    with_setup(Setup { pipeline, ..Setup::default() }, f)
}

/// Runs `f` with every module sent through `--backend=cranelift -O2` (Cranelift's mid-end at
/// `opt_level=speed`, raised back to WasmIR and encoded by the direct backend).
pub fn with_cranelift<R>(f: impl FnOnce() -> R) -> R {
    with_setup(Setup { cranelift: Some(Default::default()), ..Setup::default() }, f)
}

/// Runs `f` with every module compiled by the LLVM backend (`--backend=llvm` at
/// [`llvm_level_flag`]); a module it refuses as outside its slice takes the direct path instead
/// and is counted ([`llvm_summary`]).
#[cfg(feature = "llvm")]
pub fn with_llvm<R>(f: impl FnOnce() -> R) -> R {
    with_setup(Setup { llvm: Some(Default::default()), ..Setup::default() }, f)
}

fn with_setup<R>(setup: Setup, f: impl FnOnce() -> R) -> R {
    let old = OVERRIDE.with(|o| o.replace(Some(setup)));
    let r = f();
    OVERRIDE.with(|o| *o.borrow_mut() = old);
    r
}

/// The override of this thread, for handing to worker threads.
pub(crate) fn pipeline_override() -> Option<Setup> {
    OVERRIDE.with(|o| o.borrow().clone())
}

pub(crate) fn set_pipeline_override(p: Option<Setup>) {
    OVERRIDE.with(|o| *o.borrow_mut() = p);
}

/// `WASMIR_CONFORMANCE_BACKEND=cranelift`, or a test's [`with_cranelift`]: modules go through
/// the cranelift wasm path.
pub fn cranelift_mode() -> bool {
    cranelift_tally().is_some()
}

/// Where the cranelift wasm path's counts go: the test's own tally, or (chosen by the
/// environment) the process's.
fn cranelift_tally() -> Option<std::sync::Arc<Mutex<CraneliftTally>>> {
    match OVERRIDE.with(|o| o.borrow().as_ref().map(|s| s.cranelift.clone())) {
        Some(c) => c,
        None if std::env::var("WASMIR_CONFORMANCE_BACKEND").is_ok_and(|v| v == "cranelift") => {
            static GLOBAL: OnceLock<std::sync::Arc<Mutex<CraneliftTally>>> = OnceLock::new();
            Some(GLOBAL.get_or_init(Default::default).clone())
        }
        None => None,
    }
}

thread_local! {
    /// In llvm mode: compile with `Options::strict_memory` on this thread.
    static LLVM_STRICT: Cell<bool> = const { Cell::new(false) };
    /// In llvm mode: leave the LLVM backend out on this thread (every module takes the direct
    /// path).
    static LLVM_OFF: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with every module on the direct path on this thread, in llvm mode too.
pub fn without_llvm<R>(f: impl FnOnce() -> R) -> R {
    let was = LLVM_OFF.with(|s| s.replace(true));
    let r = f();
    LLVM_OFF.with(|s| s.set(was));
    r
}

/// Runs `f` with the LLVM backend's strict memory accesses on this thread (llvm mode).
pub fn with_llvm_strict_memory<R>(f: impl FnOnce() -> R) -> R {
    let was = LLVM_STRICT.with(|s| s.replace(true));
    let r = f();
    LLVM_STRICT.with(|s| s.set(was));
    r
}

/// `WASMIR_CONFORMANCE_BACKEND=llvm`, or a test's [`with_llvm`]: modules go through the LLVM
/// backend where it takes them.
pub fn llvm_mode() -> bool {
    llvm_tally().is_some()
}

/// Where the LLVM backend's counts go: the test's own tally, or (chosen by the environment) the
/// process's.
fn llvm_tally() -> Option<std::sync::Arc<Mutex<LlvmTally>>> {
    match OVERRIDE.with(|o| o.borrow().as_ref().map(|s| s.llvm.clone())) {
        Some(t) => t,
        None if cfg!(feature = "llvm") && std::env::var("WASMIR_CONFORMANCE_BACKEND").is_ok_and(|v| v == "llvm") => {
            static GLOBAL: OnceLock<std::sync::Arc<Mutex<LlvmTally>>> = OnceLock::new();
            Some(GLOBAL.get_or_init(Default::default).clone())
        }
        None => None,
    }
}

/// LLVM's optimization level in llvm mode: `WASMIR_CONFORMANCE_LLVM_LEVEL` (`0`, `1`, `2`, `3`,
/// `s`, `z`), else `2`.
pub fn llvm_level_flag() -> String {
    std::env::var("WASMIR_CONFORMANCE_LLVM_LEVEL").ok().filter(|l| ["0", "1", "2", "3", "s", "z"].contains(&l.as_str())).unwrap_or_else(|| "2".into())
}

/// The round trip under test: `wasmir_translate::roundtrip_wasm` (with the passes of
/// `WASMIR_CONFORMANCE_PIPELINE` in between, if set), the cranelift wasm path in cranelift mode,
/// or the identity in identity mode. Returns the bytes to run, or the first line of the error.
pub fn roundtrip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    roundtrip_via(bytes).map(|(out, _)| out)
}

/// The LLVM backend's options in llvm mode: the level of [`llvm_level_flag`], strict memory
/// accesses inside [`with_llvm_strict_memory`].
#[cfg(feature = "llvm")]
pub fn llvm_options() -> wasmir_translate::llvm::Options {
    wasmir_translate::llvm::Options {
        opt: wasmir_translate::llvm::OptLevel::from_flag(Some(llvm_level_flag().as_str())),
        strict_memory: LLVM_STRICT.with(Cell::get),
        ..Default::default()
    }
}

/// [`roundtrip`], also saying whether the LLVM backend compiled the module (in llvm mode; a
/// module it refuses takes the direct path and is counted in the tally).
pub fn roundtrip_via(bytes: &[u8]) -> Result<(Vec<u8>, bool), String> {
    if identity_mode() {
        return Ok((bytes.to_vec(), false));
    }
    #[cfg(feature = "llvm")]
    if let Some(tally) = llvm_tally().filter(|_| !LLVM_OFF.with(Cell::get)) {
        let r = guarded("llvm_wasm", || wasmir_translate::llvm_wasm_with(bytes, &llvm_options()));
        let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
        match r {
            Ok(Ok(out)) => {
                t.compiled += 1;
                return Ok((out, true));
            }
            Ok(Err(wasmir_translate::llvm::Error::Unsupported(why))) => *t.refused.entry(refusal_reason(&why)).or_default() += 1,
            Ok(Err(wasmir_translate::llvm::Error::Failed(e))) => return Err(t.failure(format!("llvm backend: {}", first_line(&e)))),
            Err(p) => return Err(t.failure(format!("llvm backend: {p}"))),
        }
    }
    if let Some(tally) = cranelift_tally() {
        return match guarded("cranelift_wasm", || wasmir_translate::cranelift_wasm(bytes, wasmir_translate::cranelift::OptLevel::Speed)) {
            Ok(Ok((out, report))) => {
                let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
                t.optimized += report.optimized.len();
                for (_, why) in report.passed_through {
                    *t.reasons.entry(why).or_default() += 1;
                }
                Ok((out, false))
            }
            Ok(Err(e)) => Err(first_line(&e)),
            Err(p) => Err(p),
        };
    }
    match guarded("roundtrip_wasm", || wasmir_translate::roundtrip_wasm_with(bytes, pipeline().as_ref())) {
        Ok(Ok((_text, out))) => Ok((out, false)),
        Ok(Err(e)) => Err(first_line(&e)),
        Err(p) => Err(p),
    }
}

/// The LLVM backend's tally so far (llvm mode), as lines for the console.
pub fn llvm_summary() -> String {
    llvm_tally().map(|t| t.lock().unwrap_or_else(|e| e.into_inner()).summary()).unwrap_or_default()
}

/// How many modules the LLVM backend failed on so far (llvm mode).
pub fn llvm_failures() -> usize {
    llvm_tally().map_or(0, |t| t.lock().unwrap_or_else(|e| e.into_inner()).failed)
}

/// What the LLVM backend did with the modules it was given.
#[derive(Default, Debug)]
pub struct LlvmTally {
    /// Modules compiled and linked by the LLVM backend.
    pub compiled: usize,
    /// Modules it refused as outside its slice (run through the direct path instead), by reason.
    pub refused: std::collections::BTreeMap<String, usize>,
    /// Modules it failed on (an error other than a refusal, or a panic): always a bug.
    pub failed: usize,
    /// The first few failures, with what the thread worked on.
    pub failures: Vec<String>,
}

impl LlvmTally {
    #[cfg_attr(not(feature = "llvm"), allow(dead_code))]
    fn failure(&mut self, message: String) -> String {
        self.failed += 1;
        if self.failures.len() < 10 {
            let on = CONTEXT.with(|c| c.borrow().clone());
            self.failures.push(format!("{on}: {message}"));
        }
        message
    }

    /// Lines for the console: how many modules the backend compiled, refused and failed on, and
    /// the most common refusals.
    pub fn summary(&self) -> String {
        let refused: usize = self.refused.values().sum();
        let mut out = format!(
            "llvm backend: {} modules compiled (inside the subset; a file run again with strict memory accesses counts twice), {refused} refused (outside the subset: direct path), {} failed\n",
            self.compiled, self.failed
        );
        let mut reasons: Vec<(&String, &usize)> = self.refused.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (why, n) in reasons.into_iter().take(12) {
            out.push_str(&format!("  {n:>6}  {}\n", truncate(why, 160)));
        }
        for f in &self.failures {
            out.push_str(&format!("  failed: {f}\n"));
        }
        out
    }
}

/// A refusal without what differs from module to module (the names of items), so that equal
/// reasons count together: `` `wasm.table` (@t0) is not supported …`` becomes
/// `` `wasm.table` (@…) is not supported …``; the advice every refusal ends with is dropped.
#[cfg(feature = "llvm")]
pub fn refusal_reason(why: &str) -> String {
    let why = why.strip_suffix(wasmir_translate::llvm::items::OTHER_BACKENDS).map_or(why, |w| w.trim_end_matches([';', ' ']));
    let mut out = String::with_capacity(why.len());
    let mut chars = why.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '@' {
            out.push('…');
            while chars.peek().is_some_and(|&c| !matches!(c, ' ' | ')' | ':' | ',' | ';')) {
                chars.next();
            }
        } else if c == '"' {
            // An export's name.
            out.push('…');
            for c in chars.by_ref() {
                if c == '"' {
                    out.push('"');
                    break;
                }
            }
        }
    }
    out
}

/// What the cranelift wasm path did with the functions it was given.
#[derive(Default)]
pub struct CraneliftTally {
    pub optimized: usize,
    /// Functions passed through unchanged, by reason.
    pub reasons: std::collections::BTreeMap<String, usize>,
}

/// The tally so far, as lines for the console: how many functions went through Cranelift, how
/// many passed through, and the most common reasons.
pub fn cranelift_summary() -> String {
    let Some(tally) = cranelift_tally() else { return String::new() };
    let t = tally.lock().unwrap_or_else(|e| e.into_inner());
    let passed: usize = t.reasons.values().sum();
    let mut out = format!("cranelift wasm path: {} functions optimized by Cranelift and raised back, {passed} passed through unchanged\n", t.optimized);
    let mut reasons: Vec<(&String, &usize)> = t.reasons.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (why, n) in reasons.into_iter().take(12) {
        out.push_str(&format!("  {n:>6}  {}\n", truncate(why, 160)));
    }
    out
}

/// Does the importer reject `bytes` (an `assert_invalid`/`assert_malformed` module)? `Ok(true)`
/// if it does, `Ok(false)` if it accepted the module, `Err` on a panic. In identity mode,
/// `stand_in` answers instead (the spec driver has already checked that wasmtime's validator
/// rejects the module, so it answers `true`).
pub fn importer_rejects(
    bytes: &[u8],
    stand_in: impl FnOnce(&[u8]) -> bool,
) -> Result<bool, String> {
    if identity_mode() {
        return Ok(stand_in(bytes));
    }
    guarded("import_wasm", || {
        let mut ctx = wasmir::Context::new();
        wasmir_translate::import_wasm(&mut ctx, bytes).is_err()
    })
}

/// The first non-empty line of an error message (joined with the next ones while it ends in a
/// colon, as in "after import:\nerror: …"), trimmed to a readable length.
pub fn first_line(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines().map(str::trim).filter(|l| !l.is_empty()).take(4) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(line);
        if !line.ends_with(':') {
            break;
        }
    }
    if out.is_empty() {
        out.push_str("<empty error message>");
    }
    truncate(&out, 200)
}

pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

// ---------------------------------------------------------------------------------------------
// Watchdog

/// Seconds one guarded call may take before the whole run is aborted:
/// `WASMIR_CONFORMANCE_TIMEOUT` (default 300).
fn timeout() -> Duration {
    Duration::from_secs(
        std::env::var("WASMIR_CONFORMANCE_TIMEOUT")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300),
    )
}

type Watched = Mutex<HashMap<ThreadId, (Instant, String)>>;

fn watched() -> &'static Watched {
    static W: OnceLock<Watched> = OnceLock::new();
    W.get_or_init(|| {
        let limit = timeout();
        thread::Builder::new()
            .name("conformance-watchdog".into())
            .spawn(move || {
                loop {
                    thread::sleep(Duration::from_secs(1));
                    let map = watched().lock().unwrap_or_else(|e| e.into_inner());
                    if let Some((start, what)) = map.values().find(|(s, _)| s.elapsed() > limit) {
                        eprintln!(
                            "conformance watchdog: `{what}` has run for {:?} (limit {limit:?}, \
                             WASMIR_CONFORMANCE_TIMEOUT); aborting the run",
                            start.elapsed()
                        );
                        std::process::exit(101);
                    }
                }
            })
            .ok();
        Mutex::new(HashMap::new())
    })
}

thread_local! {
    static CONTEXT: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Names what the current thread works on (a file, a seed), for the watchdog's message.
pub fn set_context(s: String) {
    CONTEXT.with(|c| *c.borrow_mut() = s);
}

struct Watch;

impl Watch {
    fn start(what: &str) -> Watch {
        let ctx = CONTEXT.with(|c| c.borrow().clone());
        let desc = if ctx.is_empty() {
            what.to_string()
        } else {
            format!("{what} on {ctx}")
        };
        watched()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(thread::current().id(), (Instant::now(), desc));
        Watch
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        watched()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&thread::current().id());
    }
}
