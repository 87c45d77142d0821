//! `--backend=cranelift` and `--backend=llvm-native`: the module's WasmIR compiled to native
//! code by Cranelift's JIT (`wasmir_cranelift::native`) or by LLVM (`wasmir_llvm::native`, the
//! object loaded by LLVM's JIT), both in the ABI of `wasmir_native`, and run in-process by its
//! runtime. Values are parsed and printed as on the wasmtime path; traps are reported in
//! wasmtime's words.
use super::{EXIT_ERROR, F32, F64, Failure, Kind, format_f32, format_f64, parse_float, parse_int};
use std::io::Write;
use wasmir::diag::{Diagnostic, SourceFile, render_all};
use wasmir_native::ValType;
use wasmir_native::runtime::{self as jit, DEFAULT_DEPTH_LIMIT, Instance, Limits};

/// The stack of the thread that runs compiled code: deep recursion is stopped by the depth
/// limit (or the stack check) long before it is used up.
const STACK_SIZE: usize = 256 << 20;
/// Stack kept free below the limit given to compiled code, for the callbacks and the frames a
/// single function may need past the check.
const STACK_MARGIN: usize = 1 << 20;

/// The backend that compiles the module.
#[derive(Clone, Copy)]
pub(crate) enum Compiler {
    #[cfg(feature = "cranelift")]
    Cranelift,
    #[cfg(feature = "llvm")]
    Llvm,
}

/// Instantiates a compiled module (on the thread that runs it).
type Instantiate = Box<dyn FnOnce(Limits) -> Result<Instance, jit::Failure> + Send>;

/// Compiles `module` with `compiler`: its exports, and how to instantiate it.
fn compile(compiler: Compiler, ctx: &wasmir::Context, module: &wasmir::Module) -> Result<(Vec<wasmir_native::Export>, Instantiate), Failure> {
    match compiler {
        #[cfg(feature = "cranelift")]
        Compiler::Cranelift => {
            let compiled = wasmir_cranelift::native::jit::compile(ctx, module).map_err(|e| Failure::error(format!("wasmir-run --backend=cranelift: {e}; run without --backend (wasmtime)")))?;
            Ok((compiled.exports().cloned().collect(), Box::new(move |limits| compiled.instantiate(limits))))
        }
        #[cfg(feature = "llvm")]
        Compiler::Llvm => {
            let compiled = wasmir_llvm::native::compile(ctx, module, wasmir_llvm::OptLevel::O2).map_err(|e| Failure::error(format!("wasmir-run --backend=llvm-native: {e}; run without --backend (wasmtime)")))?;
            Ok((compiled.exports.clone(), Box::new(move |limits| compiled.instantiate(limits))))
        }
    }
}

pub(crate) fn execute(args: &super::Args, name: &str, bytes: &[u8], kind: Kind, compiler: Compiler, stdout: &mut dyn Write) -> Result<(), Failure> {
    let mut ctx = wasmir::Context::new();
    let module = match kind {
        Kind::Wir => {
            let Ok(text) = std::str::from_utf8(bytes) else {
                return Err(Failure::error(format!("`{name}` is not UTF-8 WasmIR text (give a wasm binary the `.wasm` extension)")));
            };
            let src = SourceFile { name, text };
            let rendered = |message| Failure { code: EXIT_ERROR, message, rendered: true };
            let module = wasmir::parse(&mut ctx, text, wasmir::ParseOptions::default()).map_err(|d| rendered(render_all(&d, &src)))?;
            let diags = wasmir::verify(&ctx, &module);
            if diags.iter().any(Diagnostic::is_error) {
                return Err(rendered(render_all(&diags, &src)));
            }
            module
        }
        Kind::Wasm | Kind::Wat => wasmir_translate::import_wasm(&mut ctx, bytes).map_err(|e| Failure::error(format!("`{name}` is not a valid module: {e}")))?,
    };
    let (exports, instantiate) = compile(compiler, &ctx, &module)?;

    // Check the function and its arguments before running anything, as the wasmtime path does.
    let invoke = match &args.invoke {
        Some(func) => {
            let Some(e) = exports.iter().find(|e| e.name == *func) else {
                let listing: String = exports.iter().map(|e| format!("  {}{}\n", e.name, signature(&e.params, &e.results))).collect();
                let listing = if listing.is_empty() { "the module exports no functions".to_string() } else { format!("exported functions:\n{listing}") };
                return Err(Failure::error(format!("the module has no exported function named `{func}`; {listing}")));
            };
            Some((func.clone(), parse_args(func, &e.params, &e.results, &args.args)?, e.results.clone()))
        }
        None => None,
    };
    let fuel = (args.fuel != 0).then_some(args.fuel);
    let max_memory = args.max_memory;
    let outcome = std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("wasmir-run native".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(s, move || {
                let here = 0u8;
                let top = std::ptr::addr_of!(here) as u64;
                let stack_limit = top.saturating_sub((STACK_SIZE - STACK_MARGIN) as u64);
                let limits = Limits { max_memory, fuel, depth_limit: DEFAULT_DEPTH_LIMIT, stack_limit };
                let mut instance = instantiate(limits).map_err(|f| failure(f, "cannot instantiate the module"))?;
                match invoke {
                    Some((func, params, types)) => {
                        let results = instance.invoke(&func, &params).map_err(|f| failure(f, &format!("calling `{func}` failed")))?;
                        Ok(results.iter().zip(&types).map(|(&r, &t)| format!("{}\n", format_bits(r, t))).collect::<String>())
                    }
                    None => Ok(String::new()),
                }
            })
            .map_err(|e| Failure::error(format!("cannot start a thread for native code: {e}")))?
            .join()
            .unwrap_or_else(|_| Err(Failure::error("internal error: native code panicked")))
    })?;
    let _ = stdout.write_all(outcome.as_bytes());
    Ok(())
}

fn failure(f: jit::Failure, context: &str) -> Failure {
    match f {
        jit::Failure::Trap(t) => Failure::error(format!("trap: {}", t.message())),
        jit::Failure::Error(e) => Failure::error(format!("{context}: {e}")),
    }
}

/// `(i32, i32) -> (i64)`.
fn signature(params: &[ValType], results: &[ValType]) -> String {
    let list = |ts: &[ValType]| ts.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
    format!("({}) -> ({})", list(params), list(results))
}

/// The arguments' bits, parsed as on the wasmtime path.
fn parse_args(func: &str, params: &[ValType], results: &[ValType], args: &[String]) -> Result<Vec<u64>, Failure> {
    let expected = || format!("`{func}` has signature {}", signature(params, results));
    if args.len() != params.len() {
        return Err(Failure::usage(format!(
            "`{func}` takes {} argument{}, {} given; {}{}",
            params.len(),
            if params.len() == 1 { "" } else { "s" },
            args.len(),
            expected(),
            if args.iter().any(|a| a.starts_with("--")) { " (options must come before the function's arguments)" } else { "" }
        )));
    }
    params
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (&t, a))| {
            let parsed = match t {
                ValType::I32 => parse_int(a, 32),
                ValType::I64 => parse_int(a, 64),
                ValType::F32 => parse_float(a, &F32),
                ValType::F64 => parse_float(a, &F64),
            };
            parsed.map_err(|why| Failure::usage(format!("argument {} `{a}` is not a valid {t}: {why}; {}", i + 1, expected())))
        })
        .collect()
}

fn format_bits(bits: u64, t: ValType) -> String {
    match t {
        ValType::I32 => (bits as u32 as i32).to_string(),
        ValType::I64 => (bits as i64).to_string(),
        ValType::F32 => format_f32(bits as u32),
        ValType::F64 => format_f64(bits),
    }
}
