//! The spec testsuite on the native JIT (`wasmir_cranelift::native::jit`): every `module` of a
//! `.wast` script is imported to WasmIR and compiled to machine code; the script's assertions on
//! it run against the native instance instead of wasmtime.
//!
//! Only what the native subset can hold is run; the rest is skipped and counted:
//! - a module outside the subset (`jit::compile` refuses it), with imports, a component, a
//!   `module definition`/`module instance`, or one the importer rejects: the module and every
//!   directive on it until the next module;
//! - an instance once it is `register`ed: the modules importing from it are skipped, yet they
//!   could change its memory or globals;
//! - directives the native instance cannot answer: `get` of a global, `register`, assertions on
//!   modules (other than `assert_trap` on one), reference or v128 arguments and results,
//!   `assert_exception`, `assert_unlinkable`, `thread`/`wait`.
//!
//! `assert_invalid`, `assert_malformed` and the custom-section assertions are about validation,
//! not execution, and are ignored.
//!
//! Checked: `assert_return` (integers exactly, floats by bits, `nan:canonical` and
//! `nan:arithmetic` by their definition), `assert_trap` on an invoke or on a module's
//! instantiation (any trap but running out of fuel; a differing text is counted apart),
//! `assert_exhaustion` (`call stack exhausted`) and bare `invoke`s (must not trap).

use crate::spec::{TestFile, eq_or, match_f32, match_f64};
use crate::sut::{self, first_line, truncate};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};
use wasmir_translate::cranelift::native::Trap;
use wasmir_translate::cranelift::native::jit::{self, DEFAULT_DEPTH_LIMIT, Limits};
use wast::core::{WastArgCore, WastRetCore};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::token::Span;
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

/// Files left out, each with the bug that fails it (none at present).
const EXCLUDED: &[&str] = &[];

/// Linear memory per instance (bytes), as on the wasmtime path.
const MEMORY_CAP: u64 = 1 << 30;
/// Fuel per instance (the JIT's fuel lasts for the instance's whole life, one unit per loop
/// iteration): ten times the per-call fuel of the wasmtime path.
const FUEL: u64 = 10 * crate::spec::FUEL;
/// Stack kept free below the limit given to compiled code: the harness's own frames above the
/// point the limit is measured from, and the callbacks.
const STACK_MARGIN: usize = 4 << 20;

/// The counts for one file.
#[derive(Debug, Clone, Default)]
pub struct NativeResult {
    pub key: String,
    pub modules_native: u64,
    pub modules_skipped: u64,
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
    /// `assert_trap` passes whose trap text differs from the expected message.
    pub trap_text_mismatches: u64,
    /// Passed assertions by directive (`assert_return`, `assert_trap`, …).
    pub passed_by_kind: std::collections::BTreeMap<&'static str, u64>,
    /// `file:line: what: expected …, got …`, the first few.
    pub failures: Vec<String>,
    /// Why modules were skipped (first line of the reason, with a count).
    pub skip_reasons: HashMap<String, u64>,
    pub elapsed: Duration,
}

/// Failures kept per file.
const KEEP_FAILURES: usize = 5;

enum Outcome {
    Pass,
    Fail(String),
    Skip,
}

struct Runner<'a> {
    file: &'a TestFile,
    /// The current module: `None` when it was skipped.
    current: Option<jit::Instance>,
    /// Named instances (`None`: skipped).
    named: HashMap<String, Option<usize>>,
    /// Every native instance of the file, kept alive for named lookups.
    instances: Vec<jit::Instance>,
    /// Index of `current` in `instances` once it is named; `current` is moved there then.
    current_index: Option<usize>,
    stack_limit: u64,
    res: NativeResult,
}

/// Runs one file; the whole file runs on the calling thread, which must have a stack of
/// [`sut::WORKER_STACK`] bytes (a worker of [`crate::parallel_map`]).
pub fn run_file(file: &TestFile) -> NativeResult {
    let start = Instant::now();
    sut::set_context(file.key());
    let here = 0u8;
    let top = std::ptr::addr_of!(here) as u64;
    let stack_limit = top.saturating_sub((sut::WORKER_STACK - STACK_MARGIN) as u64);
    let mut r = Runner {
        file,
        current: None,
        named: HashMap::new(),
        instances: Vec::new(),
        current_index: None,
        stack_limit,
        res: NativeResult {
            key: file.key(),
            ..Default::default()
        },
    };
    let mut lexer = Lexer::new(file.text);
    lexer.allow_confusing_unicode(true);
    let parsed = ParseBuffer::new_with_lexer(lexer)
        .map_err(|e| e.to_string())
        .and_then(|buf| {
            let wast = parser::parse::<Wast>(&buf).map_err(|e| e.to_string())?;
            for d in wast.directives {
                r.directive(d);
            }
            Ok(())
        });
    if let Err(e) = parsed {
        r.res.failed += 1;
        r.res
            .failures
            .push(format!("{}: wast: {}", file.key(), first_line(&e)));
    }
    let mut res = r.res;
    res.elapsed = start.elapsed();
    res
}

impl Runner<'_> {
    fn line(&self, span: Span) -> usize {
        span.linecol_in(self.file.text).0 + 1
    }

    fn record(&mut self, span: Span, what: &'static str, o: Outcome) {
        match o {
            Outcome::Pass => {
                self.res.passed += 1;
                *self.res.passed_by_kind.entry(what).or_default() += 1;
            }
            Outcome::Skip => self.res.skipped += 1,
            Outcome::Fail(why) => {
                self.res.failed += 1;
                if self.res.failures.len() < KEEP_FAILURES {
                    let line = self.line(span);
                    self.res.failures.push(format!(
                        "{}:{line}: {what}: {}",
                        self.file.key(),
                        truncate(&why, 300)
                    ));
                }
            }
        }
    }

    fn skip_module(&mut self, reason: &str) {
        self.res.modules_skipped += 1;
        *self
            .res
            .skip_reasons
            .entry(truncate(reason, 120))
            .or_default() += 1;
        self.current = None;
        self.current_index = None;
    }

    /// Encodes, imports and compiles a module; `Err` says why it is not run natively.
    fn compile(&mut self, qw: &mut QuoteWat<'_>) -> Result<jit::Compiled, String> {
        if matches!(
            qw,
            QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_))
        ) {
            return Err("component".into());
        }
        let bytes = qw
            .encode()
            .map_err(|e| format!("wast cannot encode it: {}", first_line(&e.to_string())))?;
        if has_imports(&bytes) {
            return Err("imports".into());
        }
        sut::guarded("native compile", || {
            let mut ctx = wasmir::Context::new();
            let module = wasmir_translate::import_wasm(&mut ctx, &bytes)
                .map_err(|e| format!("import_wasm: {}", first_line(&e.to_string())))?;
            jit::compile(&ctx, &module).map_err(|e| {
                match e.find("which the native subset does not cover") {
                    // `` `@f` uses v128 arithmetic, which … `` → `v128 arithmetic`: the reasons group.
                    Some(_) => outside_reason(&e),
                    None => format!("compile error: {}", first_line(&e)),
                }
            })
        })?
    }

    fn limits(&self) -> Limits {
        Limits {
            max_memory: MEMORY_CAP,
            fuel: Some(FUEL),
            depth_limit: DEFAULT_DEPTH_LIMIT,
            stack_limit: self.stack_limit,
        }
    }

    fn directive(&mut self, d: WastDirective<'_>) {
        match d {
            WastDirective::Module(mut qw) => {
                let span = qw.span();
                let name = qw.name().map(|i| i.name().to_string());
                match self.compile(&mut qw) {
                    Err(why) => {
                        self.skip_module(&why);
                        if let Some(n) = name {
                            self.named.insert(n, None);
                        }
                    }
                    Ok(compiled) => {
                        self.current = None;
                        self.current_index = None;
                        let limits = self.limits();
                        match sut::guarded("native instantiate", || compiled.instantiate(limits)) {
                            Ok(Ok(inst)) => {
                                self.res.modules_native += 1;
                                match name {
                                    Some(n) => {
                                        self.instances.push(inst);
                                        let i = self.instances.len() - 1;
                                        self.named.insert(n, Some(i));
                                        self.current_index = Some(i);
                                    }
                                    None => self.current = Some(inst),
                                }
                            }
                            Ok(Err(f)) => {
                                self.res.modules_native += 1;
                                self.record(
                                    span,
                                    "module",
                                    Outcome::Fail(format!(
                                        "instantiation failed: {}",
                                        show_failure(&f)
                                    )),
                                );
                                if let Some(n) = name {
                                    self.named.insert(n, None);
                                }
                            }
                            Err(panic) => {
                                self.res.modules_native += 1;
                                self.record(span, "module", Outcome::Fail(panic));
                            }
                        }
                    }
                }
            }
            WastDirective::ModuleDefinition(qw) => {
                self.skip_module("module definition");
                if let Some(n) = qw.name() {
                    self.named.insert(n.name().to_string(), None);
                }
            }
            WastDirective::ModuleInstance { instance, .. } => {
                self.skip_module("module instance");
                if let Some(n) = instance {
                    self.named.insert(n.name().to_string(), None);
                }
            }
            WastDirective::Register { span, module, .. } => {
                // Modules importing the registered instance are skipped, yet they may change its
                // memory or globals (`linking.wast`): from here on it is not run natively.
                let index = match module {
                    Some(id) => self.named.get(id.name()).copied().flatten(),
                    None => {
                        self.current = None;
                        self.current_index.take()
                    }
                };
                if let Some(i) = index {
                    self.named
                        .values_mut()
                        .filter(|v| **v == Some(i))
                        .for_each(|v| *v = None);
                    if self.current_index == Some(i) {
                        self.current_index = None;
                    }
                }
                self.record(span, "register", Outcome::Skip);
            }
            WastDirective::Invoke(inv) => {
                let span = inv.span;
                let o = match self.invoke(&inv) {
                    None => Outcome::Skip,
                    Some(Ok(_)) => Outcome::Pass,
                    Some(Err(f)) => Outcome::Fail(format!(
                        "invoke `{}`: expected a return, got {}",
                        inv.name,
                        show_failure(&f)
                    )),
                };
                self.record(span, "invoke", o);
            }
            WastDirective::AssertReturn {
                span,
                exec,
                results,
            } => {
                let o = match exec {
                    WastExecute::Invoke(inv) => match self.invoke(&inv) {
                        None => Outcome::Skip,
                        Some(Err(f)) => Outcome::Fail(format!(
                            "`{}`: expected a return, got {}",
                            inv.name,
                            show_failure(&f)
                        )),
                        Some(Ok(vals)) => match_results(&vals, &results).map_or_else(
                            || Outcome::Skip,
                            |r| match r {
                                Ok(()) => Outcome::Pass,
                                Err(why) => Outcome::Fail(format!("`{}`: {why}", inv.name)),
                            },
                        ),
                    },
                    _ => Outcome::Skip,
                };
                self.record(span, "assert_return", o);
            }
            WastDirective::AssertTrap {
                span,
                exec,
                message,
            } => {
                let what = if matches!(exec, WastExecute::Wat(_)) {
                    "assert_trap (module)"
                } else {
                    "assert_trap"
                };
                let got = match exec {
                    WastExecute::Invoke(inv) => self.invoke(&inv).map(|r| r.map(|_| ())),
                    WastExecute::Wat(Wat::Module(m)) => {
                        let mut qw = QuoteWat::Wat(Wat::Module(m));
                        match self.compile(&mut qw) {
                            Err(_) => None,
                            Ok(compiled) => {
                                let limits = self.limits();
                                match sut::guarded("native instantiate", || {
                                    compiled.instantiate(limits).map(drop)
                                }) {
                                    Ok(r) => Some(r),
                                    Err(panic) => Some(Err(jit::Failure::Error(panic))),
                                }
                            }
                        }
                    }
                    _ => None,
                };
                let o = match got {
                    None => Outcome::Skip,
                    Some(Ok(())) => {
                        Outcome::Fail(format!("expected trap `{message}`, got a normal return"))
                    }
                    Some(Err(jit::Failure::Trap(Trap::OutOfFuel))) => {
                        Outcome::Fail(format!("expected trap `{message}`, ran out of fuel"))
                    }
                    Some(Err(jit::Failure::Trap(t))) => {
                        if !t.message().contains(message) {
                            self.res.trap_text_mismatches += 1;
                        }
                        Outcome::Pass
                    }
                    Some(Err(jit::Failure::Error(e))) => {
                        Outcome::Fail(format!("expected trap `{message}`, got an error: {e}"))
                    }
                };
                self.record(span, what, o);
            }
            WastDirective::AssertExhaustion {
                span,
                call,
                message,
            } => {
                let o = match self.invoke(&call) {
                    None => Outcome::Skip,
                    Some(Err(jit::Failure::Trap(Trap::StackExhausted))) => Outcome::Pass,
                    Some(Ok(_)) => {
                        Outcome::Fail(format!("expected `{message}`, got a normal return"))
                    }
                    Some(Err(f)) => {
                        Outcome::Fail(format!("expected `{message}`, got {}", show_failure(&f)))
                    }
                };
                self.record(span, "assert_exhaustion", o);
            }
            WastDirective::AssertException { span, .. }
            | WastDirective::AssertUnlinkable { span, .. }
            | WastDirective::AssertSuspension { span, .. }
            | WastDirective::Wait { span, .. } => self.record(span, "assertion", Outcome::Skip),
            WastDirective::Thread(t) => self.record(t.span, "thread", Outcome::Skip),
            WastDirective::AssertInvalid { .. }
            | WastDirective::AssertMalformed { .. }
            | WastDirective::AssertInvalidCustom { .. }
            | WastDirective::AssertMalformedCustom { .. } => {}
        }
    }

    /// Runs an invocation on its native instance; `None` if it cannot run natively (the module
    /// was skipped, or an argument is not a number).
    fn invoke(&mut self, inv: &WastInvoke<'_>) -> Option<Result<Vec<u64>, jit::Failure>> {
        let args = inv
            .args
            .iter()
            .map(arg_bits)
            .collect::<Option<Vec<u64>>>()?;
        let stack_limit = self.stack_limit;
        let inst = match inv.module {
            Some(id) => {
                let i = (*self.named.get(id.name())?)?;
                &mut self.instances[i]
            }
            None => match self.current_index {
                Some(i) => &mut self.instances[i],
                None => self.current.as_mut()?,
            },
        };
        inst.set_stack_limit(stack_limit);
        let name = inv.name;
        Some(
            sut::guarded("native invoke", || inst.invoke(name, &args))
                .unwrap_or_else(|panic| Err(jit::Failure::Error(panic))),
        )
    }
}

/// Whether the binary has an import section with entries.
fn has_imports(bytes: &[u8]) -> bool {
    wasmparser::Parser::new(0)
        .parse_all(bytes)
        .any(|p| matches!(p, Ok(wasmparser::Payload::ImportSection(s)) if s.count() > 0))
}

/// `` `@f` uses v128 arithmetic, which the native subset does not cover `` → `uses v128
/// arithmetic`: the function's name dropped, so that the reasons group.
fn outside_reason(e: &str) -> String {
    let e = first_line(e);
    let e = e.trim_end_matches(", which the native subset does not cover");
    match e.strip_prefix("`@") {
        Some(rest) => rest.split_once("` ").map_or(e, |(_, r)| r).to_string(),
        None => e.to_string(),
    }
}

fn show_failure(f: &jit::Failure) -> String {
    match f {
        jit::Failure::Trap(t) => format!("trap `{}`", t.message()),
        jit::Failure::Error(e) => format!("error: {e}"),
    }
}

/// A numeric argument's bits (i32 and f32 zero-extended); `None` for anything else.
fn arg_bits(a: &WastArg<'_>) -> Option<u64> {
    let WastArg::Core(a) = a else { return None };
    Some(match a {
        WastArgCore::I32(x) => u64::from(*x as u32),
        WastArgCore::I64(x) => *x as u64,
        WastArgCore::F32(x) => u64::from(x.bits),
        WastArgCore::F64(x) => x.bits,
        _ => return None,
    })
}

/// `None` when an expected value is not numeric (skipped); otherwise whether all match.
fn match_results(actual: &[u64], expected: &[WastRet<'_>]) -> Option<Result<(), String>> {
    let expected: Vec<&WastRetCore<'_>> = expected
        .iter()
        .map(|e| match e {
            WastRet::Core(c) => Some(c),
            _ => None,
        })
        .collect::<Option<_>>()?;
    if expected.iter().any(|e| !numeric(e)) {
        return None;
    }
    if actual.len() != expected.len() {
        return Some(Err(format!(
            "expected {} results, got {}",
            expected.len(),
            actual.len()
        )));
    }
    for (i, (&a, e)) in actual.iter().zip(&expected).enumerate() {
        if let Err(why) = match_val(a, e) {
            return Some(Err(if expected.len() == 1 {
                why
            } else {
                format!("result {i}: {why}")
            }));
        }
    }
    Some(Ok(()))
}

fn numeric(e: &WastRetCore<'_>) -> bool {
    match e {
        WastRetCore::I32(_) | WastRetCore::I64(_) | WastRetCore::F32(_) | WastRetCore::F64(_) => {
            true
        }
        WastRetCore::Either(alts) => alts.iter().all(numeric),
        _ => false,
    }
}

fn match_val(actual: u64, e: &WastRetCore<'_>) -> Result<(), String> {
    match e {
        WastRetCore::I32(x) => eq_or(actual == u64::from(*x as u32), || {
            format!("expected i32 {x}, got {}", actual as u32 as i32)
        }),
        WastRetCore::I64(x) => eq_or(actual == *x as u64, || {
            format!("expected i64 {x}, got {}", actual as i64)
        }),
        WastRetCore::F32(p) => match_f32(actual as u32, p),
        WastRetCore::F64(p) => match_f64(actual, p),
        WastRetCore::Either(alts) => {
            let whys: Vec<String> = alts
                .iter()
                .filter_map(|a| match_val(actual, a).err())
                .collect();
            eq_or(whys.len() < alts.len(), || {
                format!("no alternative matched: {}", whys.join("; "))
            })
        }
        _ => Err("not a number".into()),
    }
}

/// The console summary of a run.
pub fn console(results: &[NativeResult], elapsed: Duration, jobs: usize) -> String {
    let sum = |f: fn(&NativeResult) -> u64| results.iter().map(f).sum::<u64>();
    let mut out = format!(
        "spec testsuite on the native JIT: {} files in {:.1} s on {jobs} threads\n",
        results.len(),
        elapsed.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "modules: {} compiled natively, {} skipped",
        sum(|r| r.modules_native),
        sum(|r| r.modules_skipped)
    );
    let _ = writeln!(
        out,
        "assertions: {} passed, {} failed, {} skipped (assert_trap passes with a different trap text: {})",
        sum(|r| r.passed),
        sum(|r| r.failed),
        sum(|r| r.skipped),
        sum(|r| r.trap_text_mismatches)
    );
    let mut kinds: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    for r in results {
        for (k, n) in &r.passed_by_kind {
            *kinds.entry(k).or_default() += n;
        }
    }
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let _ = writeln!(out, "passed by kind: {}", kinds.join(", "));
    let mut reasons: HashMap<&str, u64> = HashMap::new();
    for r in results {
        for (why, n) in &r.skip_reasons {
            *reasons.entry(why).or_default() += n;
        }
    }
    let mut reasons: Vec<_> = reasons.into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let top: Vec<String> = reasons
        .iter()
        .take(8)
        .map(|(w, n)| format!("{n} {w}"))
        .collect();
    let _ = writeln!(
        out,
        "modules skipped, most common reasons: {}",
        top.join("; ")
    );
    let mut per_file: Vec<&NativeResult> =
        results.iter().filter(|r| r.modules_native > 0).collect();
    per_file.sort_by_key(|r| std::cmp::Reverse(r.passed));
    let top: Vec<String> = per_file
        .iter()
        .take(12)
        .map(|r| format!("{} {}", r.key, r.passed))
        .collect();
    let _ = writeln!(
        out,
        "files with native modules: {} (most assertions passed: {})",
        per_file.len(),
        top.join(", ")
    );
    let failures: Vec<&String> = results.iter().flat_map(|r| &r.failures).take(10).collect();
    if !failures.is_empty() {
        let _ = writeln!(out, "first failures:");
        for f in failures {
            let _ = writeln!(out, "  {f}");
        }
    }
    out
}

/// The body of `#[test] fn spec_testsuite_native`.
pub fn native_test() {
    let filter = std::env::var("WASMIR_CONFORMANCE_FILTER")
        .ok()
        .filter(|f| !f.is_empty());
    let mut files = crate::spec::all_files();
    files.retain(|t| {
        !EXCLUDED.contains(&t.key().as_str())
            && filter.as_ref().is_none_or(|f| t.key().contains(f.as_str()))
    });
    let jobs = sut::jobs();
    let start = Instant::now();
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(files[i].text.len()));
    let results: Vec<NativeResult> =
        crate::parallel_map(files.len(), &order, jobs, |i| run_file(&files[i]))
            .into_iter()
            .zip(&files)
            .map(|(r, f)| r.unwrap_or_else(|| panic!("{}: no result (worker died)", f.key())))
            .collect();
    println!("{}", console(&results, start.elapsed(), jobs));
    let failed: u64 = results.iter().map(|r| r.failed).sum();
    assert_eq!(
        failed, 0,
        "native JIT: {failed} assertions failed (see above)"
    );
    if filter.is_none() {
        let native: u64 = results.iter().map(|r| r.modules_native).sum();
        let passed: u64 = results.iter().map(|r| r.passed).sum();
        assert!(
            native >= 100 && passed >= 1000,
            "too little ran natively: {native} modules, {passed} assertions"
        );
    }
}
