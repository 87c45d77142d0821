//! The library behind `wasmir-run`: executes a module with wasmtime and prints what an exported
//! function returns. Tests call [`run`] in-process; `main.rs` only forwards the process's
//! arguments and streams.
//!
//! # Input
//! `.wir` files are WasmIR, translated to wasm by [`wasmir_translate::wir_to_wasm`]; `.wasm` and
//! `.wat`/`.wast` files go to wasmtime as they are (binary or text). Any other extension, and
//! standard input (`-`), is sniffed: the `\0asm` magic means a wasm binary, text whose first token
//! is `(` means wat, anything else is WasmIR.
//!
//! # Imports
//! The `spectest` host module, and a `host` module for programs that pass external references to
//! the host: `host.ref_id` (externref → i32: the N of `ref.extern:N`, -1 for null or another
//! reference) and `host.ref_new` (i32 → externref: a new `ref.extern:N`). Any other import is
//! an error naming it.
//!
//! # Values
//! Arguments are parsed by the invoked function's parameter types; results are printed one per
//! line in the same syntax, so that every printed value parses back to the same bits:
//!
//! | type | argument | result |
//! |---|---|---|
//! | `i32`, `i64` | decimal, signed or unsigned range (`-1`, `4294967295`), or `0x` hex; `_` separators allowed | signed decimal |
//! | `f32`, `f64` | decimal (`1.5`, `-0`, `1e-3`), `inf`, `-inf`, `nan`, `nan:0xPAYLOAD` (with optional `-`), or the raw IEEE bits as `0x` + hex digits | shortest round-trip decimal (`1.0`, `-0.0`, `1e30`), `inf`, `-inf`, NaN as `[-]nan:0xPAYLOAD` |
//! | `v128` | `0x` + 32 hex digits, the 128-bit little-endian value (lane 0 is the rightmost digits) | the same |
//! | references | `null`; `ref.extern:N` (an `externref` holding the u32 `N`); `ref.i31:N` (for `anyref`/`eqref`/`i31ref`) | `null`, `ref.extern:N`, `ref.extern`, `ref.func`, `ref.i31:N`, `ref.struct`, `ref.array`, `ref.any`, `ref.exn`, `ref.cont` |
use clap::{Parser, ValueEnum};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::num::NonZeroUsize;
use std::path::Path;
#[cfg(any(feature = "cranelift", feature = "llvm"))]
mod native;

use wasmtime::{
    AnyRef, CodeBuilder, Config, Engine, ExnRef, ExternRef, ExternType, FuncType, Global,
    GlobalType, HeapType, I31, Linker, Memory, MemoryType, Module, Mutability, Ref, RefType, Store,
    StoreLimits, StoreLimitsBuilder, Table, TableType, ThrownException, Trap, V128, Val, ValType,
    WasmBacktrace, WasmBacktraceDetails,
};

/// Exit code for a diagnosed error: bad input, failed instantiation, a trap.
pub const EXIT_ERROR: i32 = 1;
/// Exit code for a malformed command line, including arguments that do not fit the signature.
pub const EXIT_USAGE: i32 = 2;

/// The default fuel: enough for a few hundred million instructions, so that a runaway loop stops
/// within seconds.
pub const DEFAULT_FUEL: u64 = 1_000_000_000;
/// The default cap on each linear memory, in bytes (1 GiB).
pub const DEFAULT_MAX_MEMORY: u64 = 1 << 30;
/// How many wasm frames a trap's backtrace shows at most.
const MAX_BACKTRACE_FRAMES: usize = 20;

#[derive(Parser, Debug)]
#[command(
    name = "wasmir-run",
    version,
    about = "Run a WasmIR (.wir), wasm or wat module with wasmtime",
    override_usage = "wasmir-run [OPTIONS] FILE [--invoke NAME [ARG]...]",
    long_about = "Instantiates the module (running its start function) and, with --invoke, calls \
                  an exported function with the given arguments and prints each result on its \
                  own line.\n\n\
                  INPUT: `.wir` is WasmIR (translated to wasm first); `.wasm` and `.wat`/`.wast` \
                  go to wasmtime as they are. Other extensions and `-` (standard input) are \
                  sniffed: the `\\0asm` magic is a wasm binary, text starting with `(` is wat, \
                  anything else is WasmIR.\n\n\
                  IMPORTS: the spectest host module is provided: spectest.print, print_i32, \
                  print_i64, print_f32, print_f64, print_i32_f32, print_f64_f64 (each value \
                  printed to stdout as `VALUE: TYPE`), global_i32/global_i64 (666), \
                  global_f32/global_f64 (666.6), table (10..20 funcref), table64, memory \
                  (1..2 pages). The host module: host.ref_id (externref -> i32: the N of \
                  ref.extern:N, -1 for null), host.ref_new (i32 -> externref: ref.extern:N). Any \
                  other import is an error.\n\n\
                  ARGUMENTS (parsed by the parameter types): i32/i64: decimal (signed or \
                  unsigned range) or 0x hex; f32/f64: decimal, inf, -inf, nan, \
                  [-]nan:0xPAYLOAD, or raw IEEE bits as 0x + hex digits (wat hex floats are not \
                  accepted); v128: 0x + 32 hex digits (lane 0 is the rightmost); references: \
                  null, ref.extern:N (externref), ref.i31:N (anyref/eqref/i31ref). Arguments \
                  may start with `-` (-1, -inf, -nan); options must come before them, since \
                  everything after the first argument is an argument.\n\n\
                  RESULTS, one per line: integers as signed decimal; floats as the shortest \
                  decimal that round-trips (1.0, -0.0, 1e30, inf, -inf) and NaN as \
                  [-]nan:0xPAYLOAD; v128 as 0x + 32 hex digits; references as null, \
                  ref.func, ref.extern[:N], ref.i31:N, ref.struct, ref.array, ref.any, ref.exn \
                  or ref.cont.\n\n\
                  LIMITS: --fuel (default 1000000000, about a second or two of a tight loop; 0 \
                  means unlimited) traps with `all fuel consumed by WebAssembly`; --max-memory \
                  (default 1 GiB) caps each memory (and tables at 8 bytes per element): a \
                  memory.grow beyond it returns -1, an initial size beyond it fails \
                  instantiation; deep recursion traps with `call stack exhausted`.\n\n\
                  BACKENDS: --backend=direct (the default) runs the module with wasmtime; \
                  --backend=cranelift compiles its WasmIR (wasm and wat are imported first) to \
                  native code with Cranelift's JIT and runs it in-process, for a subset: numeric \
                  values, direct calls, globals, one 32-bit memory, active data segments; \
                  anything else is refused with a message. Fuel counts loop iterations there. \
                  --backend=cranelift-wasm runs with wasmtime the wasm of the cranelift wasm path \
                  (every function through Cranelift's mid-end and back, as `wasmir-translate \
                  --backend=cranelift -O2`). --backend=llvm runs with wasmtime the wasm the LLVM \
                  backend makes at -O2 (`wasmir-translate --backend=llvm -O2`, without WasmIR's \
                  own -O2 passes; builds with the `llvm` feature); a module outside that \
                  backend's slice is refused with `error: `FILE` is outside what the llvm backend \
                  supports: REASON`. --backend=llvm-native (builds with the `llvm` feature) \
                  compiles the module with LLVM -O2 for the host, in the ABI of Cranelift's \
                  native code, loads the object with LLVM's JIT and runs it with the same \
                  runtime.\n\n\
                  EXIT CODES: 0 success, 1 error (bad module, unresolved import, missing export, \
                  trap: reported on stderr as `error: trap: REASON` with the wasm backtrace), 2 \
                  bad command line (including arguments that do not match the function's \
                  signature)."
)]
struct Args {
    /// The module: `.wir`, `.wasm`, `.wat`; `-` reads standard input.
    #[arg(value_name = "FILE")]
    input: String,
    /// The exported function to call; without it the module is only instantiated.
    #[arg(long, value_name = "NAME")]
    invoke: Option<String>,
    /// Fuel for the whole run (instantiation included); 0 means unlimited.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_FUEL)]
    fuel: u64,
    /// The maximum size of each linear memory, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_MEMORY)]
    max_memory: u64,
    /// How to run the module: `direct` (wasmtime), `cranelift` (compiled natively for the host
    /// by Cranelift, for the subset it covers), `cranelift-wasm` (wasmtime, on the wasm of the
    /// cranelift wasm path), `llvm` (wasmtime, on the wasm of the LLVM backend) or
    /// `llvm-native` (compiled natively by LLVM, same ABI and runtime as `cranelift`).
    #[arg(long, value_enum, value_name = "BACKEND", default_value = "direct")]
    backend: Backend,
    /// The arguments of the invoked function.
    #[arg(value_name = "ARG", allow_hyphen_values = true)]
    args: Vec<String>,
}

/// How `wasmir-run` executes a module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[non_exhaustive]
enum Backend {
    /// wasmtime (`.wir` translated to wasm by the direct backend).
    Direct,
    /// Native code from the module's WasmIR, through Cranelift's JIT (see `native.rs`).
    Cranelift,
    /// wasmtime, on the wasm of the cranelift wasm path (`wasmir-translate --backend=cranelift
    /// -O2`: every function through Cranelift's mid-end and back).
    CraneliftWasm,
    /// wasmtime, on the wasm of the LLVM backend at -O2 (`wasmir-translate --backend=llvm -O2`,
    /// LLVM's pipeline only); a module outside the backend's slice is refused with
    /// [`LLVM_UNSUPPORTED`].
    Llvm,
    /// Native code from the module's WasmIR, through LLVM (`wasmir-translate --backend=llvm
    /// --target=native -O2`), loaded by LLVM's JIT and run by the same runtime as `cranelift`.
    LlvmNative,
}

/// What `--backend=llvm` says (after the file name) when the LLVM backend refuses the module as
/// outside the slice it supports, rather than failing on it: the message is
/// `` error: `FILE` is outside what the llvm backend supports: REASON ``. A differential test
/// skips such modules.
pub const LLVM_UNSUPPORTED: &str = "is outside what the llvm backend supports";

/// What the store carries: the resource limits and the output of the spectest print functions
/// (copied to stdout when the call returns, as host functions cannot borrow the caller's stream).
struct Host {
    limits: StoreLimits,
    printed: Vec<u8>,
}

/// A failure, with its exit code; the message is written after `error: `.
struct Failure {
    code: i32,
    message: String,
    /// Whether the message is already rendered (diagnostics) and is printed without `error: `.
    rendered: bool,
}

impl Failure {
    fn error(message: impl Into<String>) -> Self {
        Failure { code: EXIT_ERROR, message: message.into(), rendered: false }
    }
    fn usage(message: impl Into<String>) -> Self {
        Failure { code: EXIT_USAGE, message: message.into(), rendered: false }
    }
}

/// Runs `wasmir-run` with `args` (`args[0]` is the program name). Returns the exit code.
pub fn run(args: &[String], stdin: &mut dyn Read, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let args = match Args::try_parse_from(args) {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let text = e.render().to_string();
            let _ = if e.use_stderr() { stderr.write_all(text.as_bytes()) } else { stdout.write_all(text.as_bytes()) };
            return code;
        }
    };
    match execute(&args, stdin, stdout) {
        Ok(()) => 0,
        Err(f) => {
            let _ = write!(stderr, "{}{}", if f.rendered { "" } else { "error: " }, f.message);
            if !f.message.ends_with('\n') {
                let _ = writeln!(stderr);
            }
            f.code
        }
    }
}

/// The module's wasm after the cranelift wasm path (`--backend=cranelift-wasm`).
#[cfg(feature = "cranelift")]
fn through_cranelift(name: &str, bytes: &[u8], kind: Kind) -> Result<Vec<u8>, Failure> {
    use wasmir_translate::cranelift::OptLevel;
    match kind {
        Kind::Wir => {
            let text = std::str::from_utf8(bytes).map_err(|_| Failure::error(format!("`{name}` is not UTF-8 WasmIR text (give a wasm binary the `.wasm` extension)")))?;
            wasmir_translate::wir_to_wasm_through_cranelift(text, name, OptLevel::Speed).map_err(|message| Failure { code: EXIT_ERROR, message, rendered: true })
        }
        Kind::Wasm | Kind::Wat => wasmir_translate::cranelift_wasm(bytes, OptLevel::Speed)
            .map(|(wasm, _)| wasm)
            .map_err(|e| Failure::error(format!("`{name}` cannot go through the cranelift wasm path: {e}"))),
    }
}

/// The module's wasm from the LLVM backend at -O2 (`--backend=llvm`).
#[cfg(feature = "llvm")]
fn through_llvm(name: &str, bytes: &[u8], kind: Kind) -> Result<Vec<u8>, Failure> {
    use wasmir_translate::llvm::{Error, OptLevel};
    let r = match kind {
        Kind::Wir => {
            let text = std::str::from_utf8(bytes).map_err(|_| Failure::error(format!("`{name}` is not UTF-8 WasmIR text (give a wasm binary the `.wasm` extension)")))?;
            wasmir_translate::wir_to_wasm_through_llvm(text, name, OptLevel::O2)
        }
        Kind::Wasm | Kind::Wat => wasmir_translate::llvm_wasm(bytes, OptLevel::O2),
    };
    r.map_err(|e| match e {
        Error::Unsupported(why) => Failure::error(format!("`{name}` {LLVM_UNSUPPORTED}: {why}")),
        Error::Failed(m) if kind == Kind::Wir => Failure { code: EXIT_ERROR, message: m, rendered: true },
        Error::Failed(m) => Failure::error(format!("`{name}` cannot go through the llvm backend: {m}")),
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Wir,
    Wasm,
    Wat,
}

fn execute(args: &Args, stdin: &mut dyn Read, stdout: &mut dyn Write) -> Result<(), Failure> {
    if args.invoke.is_none() && !args.args.is_empty() {
        return Err(Failure::usage(format!(
            "arguments given without --invoke: `{}`; use `--invoke NAME ARG...`",
            args.args.join(" ")
        )));
    }
    let (name, bytes) = read_input(&args.input, stdin)?;
    let ext = if args.input == "-" { None } else { Path::new(&args.input).extension().and_then(|e| e.to_str()) };
    let kind = match ext {
        Some("wir") => Kind::Wir,
        Some("wasm") => Kind::Wasm,
        Some("wat" | "wast") => Kind::Wat,
        _ => sniff(&bytes),
    };
    let (kind, bytes) = match args.backend {
        Backend::Direct => (kind, bytes),
        #[cfg(feature = "cranelift")]
        Backend::Cranelift => return native::execute(args, &name, &bytes, kind, native::Compiler::Cranelift, stdout),
        #[cfg(feature = "llvm")]
        Backend::LlvmNative => return native::execute(args, &name, &bytes, kind, native::Compiler::Llvm, stdout),
        #[cfg(not(feature = "llvm"))]
        Backend::LlvmNative => {
            return Err(Failure::error("the llvm backend is not in this build: it needs LLVM 22 and the cargo feature `llvm` of wasmir-run; run without --backend (wasmtime)"));
        }
        #[cfg(feature = "cranelift")]
        Backend::CraneliftWasm => (Kind::Wasm, through_cranelift(&name, &bytes, kind)?),
        #[cfg(not(feature = "cranelift"))]
        Backend::Cranelift | Backend::CraneliftWasm => {
            return Err(Failure::error("the cranelift backend is not in this build (cargo feature `cranelift`); run without --backend (wasmtime)"));
        }
        #[cfg(feature = "llvm")]
        Backend::Llvm => (Kind::Wasm, through_llvm(&name, &bytes, kind)?),
        #[cfg(not(feature = "llvm"))]
        Backend::Llvm => {
            return Err(Failure::error("the llvm backend is not in this build (cargo feature `llvm`, which needs LLVM 22 and wasm-ld); run without --backend (wasmtime)"));
        }
    };

    let engine = Engine::new(&config(args.fuel != 0))
        .map_err(|e| Failure::error(format!("cannot configure wasmtime: {}", chain(&e))))?;
    let module = match kind {
        Kind::Wir => {
            let Ok(text) = std::str::from_utf8(&bytes) else {
                return Err(Failure::error(format!(
                    "`{name}` is not UTF-8 WasmIR text (give a wasm binary the `.wasm` extension)"
                )));
            };
            // The diagnostics come rendered; print them as they are.
            let wasm = wasmir_translate::wir_to_wasm(text, &name)
                .map_err(|message| Failure { code: EXIT_ERROR, message, rendered: true })?;
            compile(&engine, &wasm, None).map_err(|e| {
                Failure::error(format!("the wasm translated from `{name}` is invalid: {}", chain(&e)))
            })?
        }
        Kind::Wasm | Kind::Wat => {
            let path = Path::new(&name);
            compile(&engine, &bytes, Some(path))
                .map_err(|e| Failure::error(format!("`{name}` is not a valid module: {}", chain(&e))))?
        }
    };

    let invoke = args.invoke.as_deref().map(|f| (f, args.args.as_slice()));
    instantiate_and_invoke(&engine, &module, args.fuel, args.max_memory, invoke, stdout)
}

/// Instantiates `module` in a fresh store (with `fuel`, 0 for unlimited, and `max_memory` per
/// memory) and, given `invoke`, calls that export with those arguments and prints its results.
fn instantiate_and_invoke(
    engine: &Engine,
    module: &Module,
    fuel: u64,
    max_memory: u64,
    invoke: Option<(&str, &[String])>,
    stdout: &mut dyn Write,
) -> Result<(), Failure> {
    let mut store = new_store(engine, fuel, max_memory)?;

    // Check the function and its arguments before running anything, so that a usage error does
    // not follow the output of a start function.
    let invoke = match invoke {
        Some((func_name, func_args)) => Some((func_name, func_args, export_type(module, func_name)?)),
        None => None,
    };

    let linker = linker(&mut store, module)?;
    let instance = linker.instantiate(&mut store, module);
    flush_printed(&mut store, stdout);
    let instance = instance.map_err(|e| runtime_error(&mut store, &e, "cannot instantiate the module"))?;

    let Some((func_name, func_args, ty)) = invoke else { return Ok(()) };
    call_export(&mut store, &instance, func_name, func_args, &ty, stdout)
}

/// A store with the memory limits and the fuel of one run.
fn new_store(engine: &Engine, fuel: u64, max_memory: u64) -> Result<Store<Host>, Failure> {
    let max_memory = usize::try_from(max_memory).unwrap_or(usize::MAX);
    let limits = StoreLimitsBuilder::new()
        .memory_size(max_memory)
        .table_elements(max_memory / 8)
        .build();
    let mut store = Store::new(engine, Host { limits, printed: Vec::new() });
    store.limiter(|h| &mut h.limits);
    if fuel != 0 {
        store
            .set_fuel(fuel)
            .map_err(|e| Failure::error(format!("cannot set fuel: {}", chain(&e))))?;
    }
    Ok(store)
}

/// Calls the export `func_name` (of type `ty`) of `instance` and prints its results.
fn call_export(
    store: &mut Store<Host>,
    instance: &wasmtime::Instance,
    func_name: &str,
    func_args: &[String],
    ty: &FuncType,
    stdout: &mut dyn Write,
) -> Result<(), Failure> {
    let mut store = store;
    let params = parse_args(&mut store, func_name, ty, func_args)?;
    let Some(func) = instance.get_func(&mut store, func_name) else {
        return Err(Failure::error(format!("export `{func_name}` is not a function")));
    };
    let mut results: Vec<Val> = ty.results().map(|_| Val::I32(0)).collect();
    let outcome = func.call(&mut store, &params, &mut results);
    flush_printed(&mut store, stdout);
    outcome.map_err(|e| runtime_error(&mut store, &e, &format!("calling `{func_name}` failed")))?;
    let mut out = String::new();
    for r in &results {
        out.push_str(&format_val(&mut store, r));
        out.push('\n');
    }
    let _ = stdout.write_all(out.as_bytes());
    Ok(())
}

/// A module compiled once and invoked many times, each call in a fresh instance: what
/// `wasmir-run FILE --invoke NAME ARG...` does, without compiling the module again for every
/// call (tests that call many exports of one module spend most of their time there otherwise).
#[derive(Debug)]
pub struct Compiled {
    engine: Engine,
    module: Module,
    fuel: u64,
}

impl Compiled {
    /// Compiles a wasm binary (or wat text); `fuel` is every later call's fuel (0: unlimited).
    pub fn new(wasm: &[u8], fuel: u64) -> Result<Compiled, String> {
        let engine = Engine::new(&config(fuel != 0)).map_err(|e| format!("cannot configure wasmtime: {}", chain(&e)))?;
        let mut builder = CodeBuilder::new(&engine);
        let module = builder
            .wasm_binary_or_text(wasm, None)
            .and_then(|b| b.compile_module())
            .map_err(|e| format!("not a valid module: {}", chain(&e)))?;
        Ok(Compiled { engine, module, fuel })
    }

    /// Instantiates the module afresh and calls `func` with `args` (in the command line's
    /// syntax): what `wasmir-run` would print on stdout, or its error message (a trap is
    /// `trap: REASON` followed by the backtrace).
    pub fn invoke(&self, func: &str, args: &[String]) -> Result<String, String> {
        let mut out = Vec::new();
        instantiate_and_invoke(&self.engine, &self.module, self.fuel, DEFAULT_MAX_MEMORY, Some((func, args)), &mut out)
            .map(|()| String::from_utf8_lossy(&out).into_owned())
            .map_err(|f| f.message)
    }

    /// Instantiates the module afresh and calls each of `calls` in turn on that one instance,
    /// as [`Compiled::invoke`] reports each. A trap ends its call, not the instance (wasmtime
    /// lets an instance be called again), so a later call sees what earlier ones stored. `Err`:
    /// the module could not be instantiated.
    pub fn invoke_all(&self, calls: &[(&str, &[String])]) -> Result<Vec<Result<String, String>>, String> {
        let mut store = new_store(&self.engine, self.fuel, DEFAULT_MAX_MEMORY).map_err(|f| f.message)?;
        let linker = linker(&mut store, &self.module).map_err(|f| f.message)?;
        let instance = linker.instantiate(&mut store, &self.module);
        let instance = instance
            .map_err(|e| runtime_error(&mut store, &e, "cannot instantiate the module").message)?;
        let mut outcomes = Vec::with_capacity(calls.len());
        for (func, args) in calls {
            let mut out = Vec::new();
            let outcome = export_type(&self.module, func)
                .and_then(|ty| call_export(&mut store, &instance, func, args, &ty, &mut out));
            outcomes.push(outcome.map(|()| String::from_utf8_lossy(&out).into_owned()).map_err(|f| f.message));
        }
        Ok(outcomes)
    }
}

fn read_input(input: &str, stdin: &mut dyn Read) -> Result<(String, Vec<u8>), Failure> {
    if input == "-" {
        let mut buf = Vec::new();
        stdin
            .read_to_end(&mut buf)
            .map_err(|e| Failure::error(format!("cannot read standard input: {e}")))?;
        Ok(("<stdin>".to_string(), buf))
    } else {
        let bytes = std::fs::read(input).map_err(|e| Failure::error(format!("cannot read `{input}`: {e}")))?;
        Ok((input.to_string(), bytes))
    }
}

/// Guesses the kind of an input whose name says nothing: the wasm magic, else wat when the first
/// token (after whitespace and wat comments) is `(`, else WasmIR.
fn sniff(bytes: &[u8]) -> Kind {
    if bytes.starts_with(b"\0asm") {
        return Kind::Wasm;
    }
    let mut rest = bytes;
    loop {
        match rest {
            [c, tail @ ..] if c.is_ascii_whitespace() => rest = tail,
            [b';', b';', tail @ ..] => {
                let end = tail.iter().position(|&c| c == b'\n').map_or(tail.len(), |p| p + 1);
                rest = &tail[end..];
            }
            [b'(', ..] => return Kind::Wat,
            _ => return Kind::Wir,
        }
    }
}

fn config(fuel: bool) -> Config {
    let mut c = Config::new();
    c.wasm_reference_types(true)
        .wasm_function_references(true)
        .wasm_gc(true)
        .wasm_multi_value(true)
        .wasm_multi_memory(true)
        .wasm_memory64(true)
        .wasm_bulk_memory(true)
        .wasm_tail_call(true)
        .wasm_exceptions(true)
        .wasm_threads(true)
        .shared_memory(true)
        .wasm_simd(true)
        .wasm_relaxed_simd(true)
        .wasm_wide_arithmetic(true)
        .wasm_extended_const(true)
        .wasm_custom_page_sizes(true)
        .wasm_backtrace_details(WasmBacktraceDetails::Disable)
        .wasm_backtrace_max_frames(NonZeroUsize::new(MAX_BACKTRACE_FRAMES + 1))
        .consume_fuel(fuel);
    c
}

fn compile(engine: &Engine, bytes: &[u8], path: Option<&Path>) -> wasmtime::Result<Module> {
    let mut builder = CodeBuilder::new(engine);
    match path {
        Some(p) => builder.wasm_binary_or_text(bytes, Some(p))?,
        None => builder.wasm_binary(bytes, None)?,
    };
    builder.compile_module()
}

/// An error and its causes, `: `-separated.
fn chain(e: &wasmtime::Error) -> String {
    let mut s = String::new();
    for (i, cause) in e.chain().enumerate() {
        if i > 0 {
            s.push_str(": ");
        }
        let _ = write!(s, "{cause}");
    }
    s
}

/// The type of the exported function `name`, or an error that lists the exported functions.
fn export_type(module: &Module, name: &str) -> Result<FuncType, Failure> {
    let mut funcs = Vec::new();
    let mut found = None;
    for export in module.exports() {
        if let ExternType::Func(ty) = export.ty() {
            funcs.push(format!("{}{}", export.name(), signature(&ty)));
            if export.name() == name {
                return Ok(ty);
            }
        } else if export.name() == name {
            found = Some(kind_name(&export.ty()));
        }
    }
    let listing = if funcs.is_empty() {
        "the module exports no functions".to_string()
    } else {
        format!("exported functions:\n{}", funcs.iter().map(|f| format!("  {f}\n")).collect::<String>())
    };
    let head = match found {
        Some(kind) => format!("export `{name}` is a {kind}, not a function"),
        None => format!("the module has no export named `{name}`"),
    };
    Err(Failure::error(format!("{head}; {listing}")))
}

fn kind_name(ty: &ExternType) -> &'static str {
    match ty {
        ExternType::Func(_) => "function",
        ExternType::Global(_) => "global",
        ExternType::Table(_) => "table",
        ExternType::Memory(_) => "memory",
        ExternType::Tag(_) => "tag",
    }
}

/// `(i32, i32) -> (i64)`.
fn signature(ty: &FuncType) -> String {
    let params: Vec<String> = ty.params().map(|t| type_name(&t)).collect();
    let results: Vec<String> = ty.results().map(|t| type_name(&t)).collect();
    format!("({}) -> ({})", params.join(", "), results.join(", "))
}

/// A value type in wat syntax, with the shorthands for nullable abstract references.
fn type_name(ty: &ValType) -> String {
    let ValType::Ref(r) = ty else { return ty.to_string() };
    let heap = match r.heap_type() {
        HeapType::ConcreteFunc(_) => "<func type>".to_string(),
        HeapType::ConcreteArray(_) => "<array type>".to_string(),
        HeapType::ConcreteStruct(_) => "<struct type>".to_string(),
        HeapType::ConcreteExn(_) => "<exn type>".to_string(),
        HeapType::ConcreteCont(_) => "<cont type>".to_string(),
        h => h.to_string(),
    };
    let abstract_ = !heap.starts_with('<');
    if r.is_nullable() && abstract_ {
        let short = match heap.as_str() {
            "none" => "nullref".to_string(),
            "noextern" => "nullexternref".to_string(),
            "nofunc" => "nullfuncref".to_string(),
            "noexn" => "nullexnref".to_string(),
            "nocont" => "nullcontref".to_string(),
            h => format!("{h}ref"),
        };
        return short;
    }
    format!("(ref {}{heap})", if r.is_nullable() { "null " } else { "" })
}

// ---------------------------------------------------------------------------------------------
// Imports: the spectest host module

/// The spectest names and kinds this runner provides.
const SPECTEST: &[(&str, &str)] = &[
    ("print", "func"),
    ("print_i32", "func"),
    ("print_i64", "func"),
    ("print_f32", "func"),
    ("print_f64", "func"),
    ("print_i32_f32", "func"),
    ("print_f64_f64", "func"),
    ("global_i32", "global"),
    ("global_i64", "global"),
    ("global_f32", "global"),
    ("global_f64", "global"),
    ("table", "table"),
    ("table64", "table"),
    ("memory", "memory"),
];

/// The `host` module's functions: a host that hands out and recognises external references,
/// for programs that pass `externref`s to their imports (`ref.extern:N` is a reference holding
/// the u32 `N`, as in arguments and results).
const HOST: &[(&str, &str)] = &[
    // (externref) -> i32: the N of `ref.extern:N`; -1 for null or a reference holding no u32.
    ("ref_id", "func"),
    // (i32) -> externref: a new reference holding N.
    ("ref_new", "func"),
];

fn extern_kind(ty: &ExternType) -> &'static str {
    match ty {
        ExternType::Func(_) => "func",
        ExternType::Global(_) => "global",
        ExternType::Table(_) => "table",
        ExternType::Memory(_) => "memory",
        ExternType::Tag(_) => "tag",
    }
}

/// A linker that resolves the module's imports, or an error naming every import it cannot.
fn linker(store: &mut Store<Host>, module: &Module) -> Result<Linker<Host>, Failure> {
    let mut unresolved = Vec::new();
    let mut needs_spectest = false;
    let mut needs_host = false;
    for import in module.imports() {
        let kind = extern_kind(&import.ty());
        if import.module() == "spectest" && SPECTEST.iter().any(|&(n, k)| n == import.name() && k == kind) {
            needs_spectest = true;
        } else if import.module() == "host" && HOST.iter().any(|&(n, k)| n == import.name() && k == kind) {
            needs_host = true;
        } else {
            unresolved.push(format!("  `{}`.`{}` ({kind})\n", import.module(), import.name()));
        }
    }
    if !unresolved.is_empty() {
        return Err(Failure::error(format!(
            "unresolved import{}:\n{}wasmir-run provides only the `spectest` host module ({}) and the `host` module ({})",
            if unresolved.len() == 1 { "" } else { "s" },
            unresolved.concat(),
            SPECTEST.iter().map(|(n, k)| format!("{n} ({k})")).collect::<Vec<_>>().join(", "),
            HOST.iter().map(|(n, k)| format!("{n} ({k})")).collect::<Vec<_>>().join(", "),
        )));
    }
    let mut linker = Linker::new(store.engine());
    if needs_spectest {
        define_spectest(&mut linker, store)
            .map_err(|e| Failure::error(format!("cannot create the spectest module: {}", chain(&e))))?;
    }
    if needs_host {
        define_host(&mut linker).map_err(|e| Failure::error(format!("cannot create the host module: {}", chain(&e))))?;
    }
    Ok(linker)
}

fn define_host(linker: &mut Linker<Host>) -> wasmtime::Result<()> {
    linker.func_wrap("host", "ref_id", |c: wasmtime::Caller<'_, Host>, r: Option<wasmtime::Rooted<ExternRef>>| -> i32 {
        let held = r.and_then(|r| r.data(&c).ok().flatten().and_then(|d| d.downcast_ref::<u32>().copied()));
        held.map_or(-1, |n| n as i32)
    })?;
    linker.func_wrap("host", "ref_new", |mut c: wasmtime::Caller<'_, Host>, n: i32| -> wasmtime::Result<Option<wasmtime::Rooted<ExternRef>>> {
        Ok(Some(ExternRef::new(&mut c, n as u32)?))
    })?;
    Ok(())
}

fn define_spectest(linker: &mut Linker<Host>, store: &mut Store<Host>) -> wasmtime::Result<()> {
    fn print(caller: &mut wasmtime::Caller<'_, Host>, line: String) {
        caller.data_mut().printed.extend_from_slice(line.as_bytes());
    }
    linker.func_wrap("spectest", "print", || {})?;
    linker.func_wrap("spectest", "print_i32", |mut c: wasmtime::Caller<'_, Host>, v: i32| {
        print(&mut c, format!("{v}: i32\n"))
    })?;
    linker.func_wrap("spectest", "print_i64", |mut c: wasmtime::Caller<'_, Host>, v: i64| {
        print(&mut c, format!("{v}: i64\n"))
    })?;
    linker.func_wrap("spectest", "print_f32", |mut c: wasmtime::Caller<'_, Host>, v: f32| {
        print(&mut c, format!("{}: f32\n", format_f32(v.to_bits())))
    })?;
    linker.func_wrap("spectest", "print_f64", |mut c: wasmtime::Caller<'_, Host>, v: f64| {
        print(&mut c, format!("{}: f64\n", format_f64(v.to_bits())))
    })?;
    linker.func_wrap("spectest", "print_i32_f32", |mut c: wasmtime::Caller<'_, Host>, i: i32, f: f32| {
        print(&mut c, format!("{i}: i32\n{}: f32\n", format_f32(f.to_bits())))
    })?;
    linker.func_wrap("spectest", "print_f64_f64", |mut c: wasmtime::Caller<'_, Host>, a: f64, b: f64| {
        print(&mut c, format!("{}: f64\n{}: f64\n", format_f64(a.to_bits()), format_f64(b.to_bits())))
    })?;
    let globals = [
        ("global_i32", ValType::I32, Val::I32(666)),
        ("global_i64", ValType::I64, Val::I64(666)),
        ("global_f32", ValType::F32, Val::F32(666.6f32.to_bits())),
        ("global_f64", ValType::F64, Val::F64(666.6f64.to_bits())),
    ];
    for (name, ty, val) in globals {
        let g = Global::new(&mut *store, GlobalType::new(ty, Mutability::Const), val)?;
        linker.define(&mut *store, "spectest", name, g)?;
    }
    let table = Table::new(&mut *store, TableType::new(RefType::FUNCREF, 10, Some(20)), Ref::Func(None))?;
    linker.define(&mut *store, "spectest", "table", table)?;
    let table64 = Table::new(&mut *store, TableType::new64(RefType::FUNCREF, 10, Some(20)), Ref::Func(None))?;
    linker.define(&mut *store, "spectest", "table64", table64)?;
    let memory = Memory::new(&mut *store, MemoryType::new(1, Some(2)))?;
    linker.define(&mut *store, "spectest", "memory", memory)?;
    Ok(())
}

fn flush_printed(store: &mut Store<Host>, stdout: &mut dyn Write) {
    let printed = std::mem::take(&mut store.data_mut().printed);
    let _ = stdout.write_all(&printed);
}

// ---------------------------------------------------------------------------------------------
// Traps and other runtime errors

/// Describes an error raised while running wasm: a trap with its backtrace, an uncaught
/// exception, or (for anything else) `context` and the error chain.
fn runtime_error(store: &mut Store<Host>, e: &wasmtime::Error, context: &str) -> Failure {
    let mut msg = if let Some(trap) = e.downcast_ref::<Trap>() {
        let text = trap.to_string();
        format!("trap: {}", text.strip_prefix("wasm trap: ").unwrap_or(&text))
    } else if e.downcast_ref::<ThrownException>().is_some() {
        match store.take_pending_exception() {
            Some(exn) => format!("uncaught exception{}", describe_exception(store, &exn)),
            None => "uncaught exception".to_string(),
        }
    } else {
        format!("{context}: {}", chain(e))
    };
    msg.push('\n');
    if let Some(bt) = e.downcast_ref::<WasmBacktrace>() {
        let frames = bt.frames();
        if !frames.is_empty() {
            msg.push_str("wasm backtrace:\n");
            let lines: Vec<String> = frames.iter().take(MAX_BACKTRACE_FRAMES).map(describe_frame).collect();
            let mut i = 0;
            while i < lines.len() {
                let _ = writeln!(msg, "  {i}: {}", lines[i]);
                // Collapse a run of identical frames (deep recursion) into one line.
                let same = lines[i + 1..].iter().take_while(|l| **l == lines[i]).count();
                if same > 1 {
                    let _ = writeln!(msg, "  ... the frame above {same} more times");
                    i += same;
                }
                i += 1;
            }
            if frames.len() > MAX_BACKTRACE_FRAMES {
                msg.push_str("  ... (more frames)\n");
            }
        }
    }
    Failure::error(msg)
}

/// `$module::$func (func N) at 0xOFFSET`, leaving out what the module does not say.
fn describe_frame(frame: &wasmtime::FrameInfo) -> String {
    let mut s = String::new();
    if let Some(m) = frame.module().name() {
        let _ = write!(s, "${m}::");
    }
    match frame.func_name() {
        Some(n) => {
            let _ = write!(s, "${n} (func {})", frame.func_index());
        }
        None => {
            let _ = write!(s, "func {}", frame.func_index());
        }
    }
    if let Some(o) = frame.module_offset() {
        let _ = write!(s, " at 0x{o:x}");
    }
    s
}

/// ` (payload: 1, 2.5)` for an exception that carries values.
fn describe_exception(store: &mut Store<Host>, exn: &wasmtime::Rooted<ExnRef>) -> String {
    let Ok(ty) = exn.ty(&*store) else { return String::new() };
    let count = ty.fields().len();
    if count == 0 {
        return String::new();
    }
    let mut values = Vec::new();
    for i in 0..count {
        match exn.field(&mut *store, i) {
            Ok(v) => values.push(format_val(store, &v)),
            Err(_) => values.push("?".to_string()),
        }
    }
    format!(" (payload: {})", values.join(", "))
}

// ---------------------------------------------------------------------------------------------
// Values

/// Parses the command-line arguments by the function's parameter types.
fn parse_args(store: &mut Store<Host>, name: &str, ty: &FuncType, args: &[String]) -> Result<Vec<Val>, Failure> {
    let expected = || format!("`{name}` has signature {}", signature(ty));
    if args.len() != ty.params().len() {
        return Err(Failure::usage(format!(
            "`{name}` takes {} argument{}, {} given; {}{}",
            ty.params().len(),
            if ty.params().len() == 1 { "" } else { "s" },
            args.len(),
            expected(),
            if args.iter().any(|a| a.starts_with("--")) {
                " (options must come before the function's arguments)"
            } else {
                ""
            }
        )));
    }
    ty.params()
        .zip(args)
        .enumerate()
        .map(|(i, (t, a))| {
            parse_val(store, &t, a).map_err(|why| {
                Failure::usage(format!(
                    "argument {} `{a}` is not a valid {}: {why}; {}",
                    i + 1,
                    type_name(&t),
                    expected()
                ))
            })
        })
        .collect()
}

fn parse_val(store: &mut Store<Host>, ty: &ValType, s: &str) -> Result<Val, String> {
    Ok(match ty {
        ValType::I32 => Val::I32(parse_int(s, 32)? as u32 as i32),
        ValType::I64 => Val::I64(parse_int(s, 64)? as i64),
        ValType::F32 => Val::F32(parse_float(s, &F32)? as u32),
        ValType::F64 => Val::F64(parse_float(s, &F64)?),
        ValType::V128 => Val::V128(V128::from(parse_v128(s)?)),
        ValType::Ref(r) => parse_ref(store, r, s)?,
    })
}

/// Parses an integer of `bits` bits: decimal or `0x` hex, with an optional sign, in the signed
/// or the unsigned range. Returns the bits.
pub(crate) fn parse_int(s: &str, bits: u32) -> Result<u64, String> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = match body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        Some(d) => (16, d),
        None => (10, body),
    };
    let digits = clean_digits(digits, radix)?;
    let magnitude = u64::from_str_radix(&digits, radix).map_err(|_| "out of range".to_string())?;
    let max_unsigned = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
    let min_magnitude = 1u64 << (bits - 1);
    if neg {
        if magnitude > min_magnitude {
            return Err("out of range".to_string());
        }
        Ok(magnitude.wrapping_neg() & max_unsigned)
    } else if magnitude > max_unsigned {
        Err("out of range".to_string())
    } else {
        Ok(magnitude)
    }
}

/// Removes `_` separators (each between two digits) and checks the digits.
fn clean_digits(digits: &str, radix: u32) -> Result<String, String> {
    if digits.is_empty() {
        return Err("expected digits".to_string());
    }
    if digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return Err("`_` must sit between digits".to_string());
    }
    if let Some(c) = digits.chars().find(|&c| c != '_' && !c.is_digit(radix)) {
        return Err(format!("unexpected character `{c}`"));
    }
    Ok(digits.replace('_', ""))
}

/// The layout of an IEEE binary float.
pub(crate) struct FloatFormat {
    bits: u32,
    mantissa_bits: u32,
    name: &'static str,
}

pub(crate) const F32: FloatFormat = FloatFormat { bits: 32, mantissa_bits: 23, name: "f32" };
pub(crate) const F64: FloatFormat = FloatFormat { bits: 64, mantissa_bits: 52, name: "f64" };

impl FloatFormat {
    fn sign_bit(&self) -> u64 {
        1 << (self.bits - 1)
    }
    fn exponent_mask(&self) -> u64 {
        ((1u64 << (self.bits - 1 - self.mantissa_bits)) - 1) << self.mantissa_bits
    }
    fn mantissa_mask(&self) -> u64 {
        (1u64 << self.mantissa_bits) - 1
    }
}

/// Parses a float argument into its bits (see the module docs for the syntax).
pub(crate) fn parse_float(s: &str, fmt: &FloatFormat) -> Result<u64, String> {
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if hex.contains(['.', 'p', 'P']) {
            return Err("hex float literals are not accepted; give a decimal or the raw bits as 0x + hex digits".to_string());
        }
        let digits = clean_digits(hex, 16)?;
        let bits = u64::from_str_radix(&digits, 16).map_err(|_| "out of range".to_string())?;
        if fmt.bits < 64 && bits >> fmt.bits != 0 {
            return Err(format!("raw bits wider than {} bits", fmt.bits));
        }
        return Ok(bits);
    }
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let sign = if neg { fmt.sign_bit() } else { 0 };
    if body == "inf" {
        return Ok(sign | fmt.exponent_mask());
    }
    if body == "nan" {
        return Ok(sign | fmt.exponent_mask() | 1 << (fmt.mantissa_bits - 1));
    }
    if let Some(payload) = body.strip_prefix("nan:0x") {
        let digits = clean_digits(payload, 16)?;
        let payload = u64::from_str_radix(&digits, 16).map_err(|_| "NaN payload out of range".to_string())?;
        if payload == 0 || payload > fmt.mantissa_mask() {
            return Err(format!("a NaN payload must be between 0x1 and 0x{:x}", fmt.mantissa_mask()));
        }
        return Ok(sign | fmt.exponent_mask() | payload);
    }
    let decimal = body.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
        && body.bytes().next().is_some_and(|c| c.is_ascii_digit() || c == b'.');
    if !decimal {
        return Err("expected a decimal, inf, nan, nan:0xPAYLOAD or raw bits as 0x + hex digits".to_string());
    }
    let bits = if fmt.bits == 32 {
        let v: f32 = body.parse().map_err(|_| "malformed decimal".to_string())?;
        if v.is_infinite() {
            return Err(format!("out of range for {}", fmt.name));
        }
        u64::from(v.to_bits())
    } else {
        let v: f64 = body.parse().map_err(|_| "malformed decimal".to_string())?;
        if v.is_infinite() {
            return Err(format!("out of range for {}", fmt.name));
        }
        v.to_bits()
    };
    Ok(sign | bits)
}

fn parse_v128(s: &str) -> Result<u128, String> {
    let hex = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).ok_or("expected 0x + 32 hex digits")?;
    let digits = clean_digits(hex, 16)?;
    if digits.len() != 32 {
        return Err(format!("expected 0x + 32 hex digits, got {} digits", digits.len()));
    }
    u128::from_str_radix(&digits, 16).map_err(|e| e.to_string())
}

fn parse_ref(store: &mut Store<Host>, r: &RefType, s: &str) -> Result<Val, String> {
    let heap = r.heap_type();
    if s == "null" {
        if !r.is_nullable() {
            return Err("the parameter is not nullable".to_string());
        }
        return Ok(Val::null_ref(heap));
    }
    if let Some(n) = s.strip_prefix("ref.extern:") {
        if !matches!(heap, HeapType::Extern) {
            return Err("ref.extern:N is accepted only for externref parameters".to_string());
        }
        let n = parse_int(n, 32)? as u32;
        let r = ExternRef::new(&mut *store, n).map_err(|e| chain(&e))?;
        return Ok(Val::ExternRef(Some(r)));
    }
    if let Some(n) = s.strip_prefix("ref.i31:") {
        if !matches!(heap, HeapType::Any | HeapType::Eq | HeapType::I31) {
            return Err("ref.i31:N is accepted only for anyref, eqref and i31ref parameters".to_string());
        }
        let n = parse_int(n, 32)? as u32 as i32;
        return Ok(Val::AnyRef(Some(AnyRef::from_i31(&mut *store, I31::wrapping_i32(n)))));
    }
    Err("expected `null`, `ref.extern:N` (externref) or `ref.i31:N` (anyref, eqref, i31ref)".to_string())
}

/// Formats a value in the syntax [`parse_val`] reads back.
fn format_val(store: &mut Store<Host>, v: &Val) -> String {
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(bits) => format_f32(*bits),
        Val::F64(bits) => format_f64(*bits),
        Val::V128(x) => format!("0x{:032x}", x.as_u128()),
        Val::FuncRef(None)
        | Val::ExternRef(None)
        | Val::AnyRef(None)
        | Val::ExnRef(None)
        | Val::ContRef(None) => "null".to_string(),
        Val::FuncRef(Some(_)) => "ref.func".to_string(),
        Val::ExternRef(Some(r)) => match r.data(&*store) {
            Ok(Some(data)) => match data.downcast_ref::<u32>() {
                Some(n) => format!("ref.extern:{n}"),
                None => "ref.extern".to_string(),
            },
            _ => "ref.extern".to_string(),
        },
        Val::AnyRef(Some(r)) => {
            if let Ok(Some(i)) = r.as_i31(&*store) {
                format!("ref.i31:{}", i.get_i32())
            } else if r.is_struct(&*store).unwrap_or(false) {
                "ref.struct".to_string()
            } else if r.is_array(&*store).unwrap_or(false) {
                "ref.array".to_string()
            } else {
                "ref.any".to_string()
            }
        }
        Val::ExnRef(Some(_)) => "ref.exn".to_string(),
        Val::ContRef(Some(_)) => "ref.cont".to_string(),
    }
}

/// An f32 as its shortest round-trip decimal, or `[-]nan:0xPAYLOAD`.
pub fn format_f32(bits: u32) -> String {
    let v = f32::from_bits(bits);
    if v.is_nan() {
        let sign = if bits >> 31 != 0 { "-" } else { "" };
        return format!("{sign}nan:0x{:x}", bits & 0x7f_ffff);
    }
    format!("{v:?}")
}

/// An f64 as its shortest round-trip decimal, or `[-]nan:0xPAYLOAD`.
pub fn format_f64(bits: u64) -> String {
    let v = f64::from_bits(bits);
    if v.is_nan() {
        let sign = if bits >> 63 != 0 { "-" } else { "" };
        return format!("{sign}nan:0x{:x}", bits & 0xf_ffff_ffff_ffff);
    }
    format!("{v:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints() {
        assert_eq!(parse_int("-1", 32), Ok(0xffff_ffff));
        assert_eq!(parse_int("4294967295", 32), Ok(0xffff_ffff));
        assert_eq!(parse_int("-2147483648", 32), Ok(0x8000_0000));
        assert!(parse_int("-2147483649", 32).is_err());
        assert!(parse_int("4294967296", 32).is_err());
        assert_eq!(parse_int("0x7fff_ffff", 32), Ok(0x7fff_ffff));
        assert_eq!(parse_int("-9223372036854775808", 64), Ok(1 << 63));
        assert_eq!(parse_int("18446744073709551615", 64), Ok(u64::MAX));
        assert!(parse_int("", 32).is_err());
        assert!(parse_int("1_", 32).is_err());
        assert!(parse_int("12a", 32).is_err());
    }

    #[test]
    fn floats_round_trip() {
        for bits in [0u32, 0x8000_0000, 0x7fc0_0000, 0xffc0_0000, 0x7f80_0001, 0x7f80_0000, 0xff80_0000, 1, 0x3fc0_0000, 0x7f7f_ffff] {
            let text = format_f32(bits);
            assert_eq!(parse_float(&text, &F32), Ok(u64::from(bits)), "{text}");
        }
        for bits in [0u64, 1 << 63, 0x7ff8_0000_0000_0000, 0xfff0_0000_0000_0001, 1, 0x3ff0_0000_0000_0000, 0x7fef_ffff_ffff_ffff] {
            let text = format_f64(bits);
            assert_eq!(parse_float(&text, &F64), Ok(bits), "{text}");
        }
        assert_eq!(format_f32(0x7fc0_0000), "nan:0x400000");
        assert_eq!(format_f64((-0.0f64).to_bits()), "-0.0");
        assert_eq!(parse_float("nan", &F32), Ok(0x7fc0_0000));
        assert_eq!(parse_float("-inf", &F64), Ok(0xfff0_0000_0000_0000));
        assert_eq!(parse_float("0x3f800000", &F32), Ok(0x3f80_0000));
        assert!(parse_float("0x1p3", &F32).is_err());
        assert!(parse_float("1e39", &F32).is_err());
        assert!(parse_float("nan:0x0", &F32).is_err());
        assert!(parse_float("nan:0x800000", &F32).is_err());
        assert!(parse_float("infinity", &F32).is_err());
        assert!(parse_float("--1", &F32).is_err());
    }

    #[test]
    fn compiled_modules_run_each_call_in_a_fresh_instance() {
        let wat = br#"(module
            (global $n (mut i32) (i32.const 0))
            (func (export "bump") (param i32) (result i32)
                (global.set $n (i32.add (global.get $n) (local.get 0)))
                (global.get $n))
            (func (export "spin") (loop (br 0)))
            (func (export "trap") unreachable))"#;
        let m = Compiled::new(wat, 10_000).unwrap();
        assert_eq!(m.invoke("bump", &["5".to_string()]), Ok("5\n".to_string()));
        assert_eq!(m.invoke("bump", &["-1".to_string()]), Ok("-1\n".to_string()));
        let spin = m.invoke("spin", &[]).unwrap_err();
        assert!(spin.contains("all fuel consumed"), "{spin}");
        let bad = m.invoke("bump", &["x".to_string()]).unwrap_err();
        assert!(bad.contains("bump"), "{bad}");
        assert!(Compiled::new(b"\0asm", 0).unwrap_err().contains("not a valid module"));
        // One instance for all the calls: a trap ends its call, and the next sees the global.
        let five = ["5".to_string()];
        let calls: [(&str, &[String]); 4] = [("bump", &five), ("trap", &[]), ("bump", &five), ("nope", &[])];
        let got = m.invoke_all(&calls).unwrap();
        assert_eq!(got[0], Ok("5\n".to_string()));
        assert!(got[1].as_ref().unwrap_err().contains("trap"), "{:?}", got[1]);
        assert_eq!(got[2], Ok("10\n".to_string()));
        assert!(got[3].as_ref().unwrap_err().contains("nope"), "{:?}", got[3]);
    }

    #[test]
    fn sniffing() {
        assert!(sniff(b"\0asm\x01\0\0\0") == Kind::Wasm);
        assert!(sniff(b"  ;; c\n(module)") == Kind::Wat);
        assert!(sniff(b"func.func @f() {}") == Kind::Wir);
    }
}
