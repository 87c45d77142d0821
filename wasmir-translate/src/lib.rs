//! The library behind `wasmir-translate`: the bridge between WasmIR and wasm binaries.
//!
//! This build reads and verifies `.wir` input; the importer (`--import-wasm`) and the backends
//! (`--backend=direct|cranelift|llvm`) come with the wasm dialect and are refused with a clear
//! message until then, so that no command silently produces nothing.
pub mod export;
pub mod import;
pub mod wit;

use clap::{Parser, ValueEnum};
use std::io::{Read, Write};
use wasmir::diag::{Diagnostic, SourceFile, render_all};
use wasmir::{Context, ParseOptions};

/// Exit code for a diagnosed error in the input.
pub const EXIT_ERROR: i32 = 1;
/// Exit code for a malformed command line.
pub const EXIT_USAGE: i32 = 2;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Backend {
    Direct,
    Cranelift,
    Llvm,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Emit {
    /// WasmIR text (the default with --import-wasm).
    Wir,
    /// A wasm binary (the default otherwise).
    Wasm,
    Wat,
    Clif,
    LlvmIr,
    Obj,
}

/// What `--backend=llvm` compiles for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Target {
    /// WebAssembly (wasm32-unknown-unknown), linked by wasm-ld.
    Wasm32,
    /// The host: an ELF object in the vmctx ABI of native code (that of `--backend=cranelift
    /// --emit=obj`).
    Native,
}

#[derive(Parser, Debug)]
#[command(
    name = "wasmir-translate",
    version,
    about = "Translate between WasmIR (.wir) and WebAssembly",
    long_about = "Reads WasmIR and writes WebAssembly through a backend, or (--import-wasm) reads a \
                  wasm binary and prints WasmIR (or, with --emit=wasm, re-encodes it). -O<LEVEL> and \
                  --pass-pipeline run passes on the module in between, in the same process.\nExit codes: 0 success, 1 the input has \
                  errors or cannot be translated, 2 bad command line."
)]
struct Args {
    /// Input file; `-` reads standard input.
    input: String,
    /// Write the output here instead of standard output.
    #[arg(short = 'o', value_name = "OUT")]
    output: Option<String>,
    /// Read a wasm binary (or .wat) and print WasmIR.
    #[arg(long)]
    import_wasm: bool,
    /// Read a WIT package (a `.wit` file, or a directory with its `deps/`) and print the `cm`
    /// dialect's declarations of its interfaces and worlds.
    #[arg(long, conflicts_with = "import_wasm")]
    import_wit: bool,
    /// With --import-wit: only this world of the package, and the interfaces it needs.
    #[arg(long, value_name = "NAME", requires = "import_wit")]
    world: Option<String>,
    /// The code generator.
    #[arg(long, value_enum, default_value = "direct")]
    backend: Backend,
    /// What to write. Default: `wasm`; with --import-wasm, `wir`, or `wasm`/`wat` when -o names a
    /// `.wasm`/`.wat` file.
    #[arg(long, value_enum)]
    emit: Option<Emit>,
    /// Keep ops, types and attributes of unregistered dialects.
    #[arg(long)]
    allow_unregistered_dialect: bool,
    /// Run a standard pipeline (as `wasmir-opt -O<LEVEL>`) between reading and writing: 0, 1, 2,
    /// 3, s (size) or z (size, more aggressively).
    #[arg(short = 'O', value_name = "LEVEL", value_parser = ["0", "1", "2", "3", "s", "z"])]
    opt_level: Option<String>,
    /// Passes to run between reading and writing, after those of -O: `module(func(dce))`.
    #[arg(long, value_name = "PIPELINE")]
    pass_pipeline: Option<String>,
    /// Print on stderr how long each stage of the backend took (with --backend=cranelift: the
    /// lowering to CLIF, Cranelift's mid-end, the raise back to WasmIR, the encoding) and which
    /// functions passed through unchanged.
    #[arg(long)]
    timing: bool,
    /// With --backend=llvm: LLVM's features for the wasm32 target, `+name` or `-name` separated
    /// by commas. Default: +mutable-globals,+sign-ext,+bulk-memory,+bulk-memory-opt,
    /// +nontrapping-fptoint,+multivalue.
    #[arg(long, value_name = "FEATURES")]
    target_features: Option<String>,
    /// With --backend=llvm: compile for `wasm32` (the default) or `native`, the host, in the
    /// vmctx ABI of native code (--emit=obj or llvm-ir; `wasmir-run --backend=llvm-native` runs
    /// it).
    #[arg(long, value_enum)]
    target: Option<Target>,
}

#[cfg(feature = "cranelift")]
pub use wasmir_cranelift as cranelift;
#[cfg(feature = "llvm")]
pub use wasmir_llvm as llvm;

/// `--import-wit`: WIT in, the `cm` dialect's declarations out (with their WIT locations).
fn import_wit_command(args: &Args, stdin: &mut dyn Read, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    if args.emit.is_some_and(|e| !matches!(e, Emit::Wir)) || args.opt_level.is_some() || args.pass_pipeline.is_some() {
        let _ = writeln!(stderr, "error: --import-wit prints WasmIR declarations: it takes no --emit other than wir, -O or --pass-pipeline");
        return EXIT_USAGE;
    }
    let mut stdin_text = String::new();
    let (path, text) = if args.input == "-" {
        if let Err(e) = stdin.read_to_string(&mut stdin_text) {
            let _ = writeln!(stderr, "error: cannot read standard input as WIT text: {e}");
            return EXIT_ERROR;
        }
        ("<stdin>.wit", Some(stdin_text.as_str()))
    } else {
        (args.input.as_str(), None)
    };
    let wir = match wit::import_wit(path, text, args.world.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            let msg = e.to_string();
            let _ = writeln!(stderr, "error: {}", msg.trim_end());
            return EXIT_ERROR;
        }
    };
    let mut ctx = Context::new();
    let src = SourceFile { name: "<imported WIT>", text: &wir };
    let module = match wasmir::parse(&mut ctx, &wir, ParseOptions::default()) {
        Ok(m) => m,
        Err(diags) => {
            let _ = writeln!(stderr, "internal error: the declarations imported from `{path}` do not parse:");
            let _ = stderr.write_all(render_all(&diags, &src).as_bytes());
            return EXIT_ERROR;
        }
    };
    let diags = wasmir::verify(&ctx, &module);
    if diags.iter().any(Diagnostic::is_error) {
        let _ = writeln!(stderr, "internal error: the declarations imported from `{path}` do not verify:");
        let _ = stderr.write_all(render_all(&diags, &src).as_bytes());
        return EXIT_ERROR;
    }
    let out = wasmir::print_module(&ctx, &module, wasmir::PrintOptions { generic: false, debuginfo: true });
    write_output(args.output.as_deref(), out.as_bytes(), stdout, stderr)
}

/// Runs `wasmir-translate` with `args` (`args[0]` is the program name). Returns the exit code.
pub fn run(args: &[String], stdin: &mut dyn Read, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let args = match Args::try_parse_from(args) {
        Ok(a) => a,
        Err(e) => {
            let text = e.render().to_string();
            if e.use_stderr() {
                let _ = stderr.write_all(text.as_bytes());
                return EXIT_USAGE;
            }
            let _ = stdout.write_all(text.as_bytes());
            return 0;
        }
    };
    let pipeline = match pipeline_of(args.opt_level.as_deref(), args.pass_pipeline.as_deref()) {
        Ok(p) => p,
        Err(text) => {
            let _ = stderr.write_all(text.as_bytes());
            return EXIT_USAGE;
        }
    };
    if args.import_wit {
        return import_wit_command(&args, stdin, stdout, stderr);
    }
    let mut bytes = Vec::new();
    let read = if args.input == "-" {
        stdin.read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(&args.input).map(|b| bytes = b)
    };
    if let Err(e) = read {
        let _ = writeln!(stderr, "error: cannot read `{}`: {e}", args.input);
        return EXIT_ERROR;
    }
    let name = if args.input == "-" { "<stdin>".to_string() } else { args.input.clone() };
    let mut ctx = Context::new();
    let text;
    let mut module = if args.import_wasm {
        let module = match import_wasm(&mut ctx, &bytes) {
            Ok(m) => m,
            Err(e) => {
                let _ = writeln!(stderr, "error: `{name}` cannot be imported: {e}");
                return EXIT_ERROR;
            }
        };
        // The importer's output is checked like any other input: a verifier error here is a bug
        // in the importer, reported rather than printed as if valid.
        let diags = wasmir::verify(&ctx, &module);
        if diags.iter().any(Diagnostic::is_error) {
            let text = wasmir::print_module(&ctx, &module, Default::default());
            let src = SourceFile { name: "<imported>", text: &text };
            let _ = writeln!(stderr, "internal error: the module imported from `{name}` does not verify:");
            let _ = stderr.write_all(render_all(&diags, &src).as_bytes());
            return EXIT_ERROR;
        }
        module
    } else {
        text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                let _ = writeln!(stderr, "error: `{name}` is not UTF-8 WasmIR text; to read a wasm binary pass --import-wasm");
                return EXIT_ERROR;
            }
        };
        let src = SourceFile { name: &name, text: &text };
        let module = match wasmir::parse(&mut ctx, &text, ParseOptions { allow_unregistered: args.allow_unregistered_dialect }) {
            Ok(m) => m,
            Err(diags) => {
                let _ = stderr.write_all(render_all(&diags, &src).as_bytes());
                return EXIT_ERROR;
            }
        };
        let diags = wasmir::verify(&ctx, &module);
        if !diags.is_empty() {
            let _ = stderr.write_all(render_all(&diags, &src).as_bytes());
        }
        if diags.iter().any(Diagnostic::is_error) {
            return EXIT_ERROR;
        }
        module
    };
    if !pipeline.is_empty()
        && let Err(e) = run_passes(&mut ctx, &mut module, &pipeline)
    {
        let _ = write!(stderr, "{e}");
        return EXIT_ERROR;
    }
    let emit = args.emit.unwrap_or(match args.output.as_deref() {
        _ if !args.import_wasm => Emit::Wasm,
        Some(o) if o.ends_with(".wasm") => Emit::Wasm,
        Some(o) if o.ends_with(".wat") => Emit::Wat,
        _ => Emit::Wir,
    });
    if let Emit::Wir = emit {
        let text = wasmir::print_module(&ctx, &module, Default::default());
        return write_output(args.output.as_deref(), text.as_bytes(), stdout, stderr);
    }
    if args.target.is_some() && !matches!(args.backend, Backend::Llvm) {
        let _ = writeln!(stderr, "error: --target applies to --backend=llvm (--backend=cranelift --emit=obj always writes native code)");
        return EXIT_USAGE;
    }
    match args.backend {
        Backend::Direct => {}
        #[cfg(feature = "cranelift")]
        Backend::Cranelift => return cranelift(&mut ctx, &mut module, emit, &args, &name, stdout, stderr),
        #[cfg(not(feature = "cranelift"))]
        Backend::Cranelift => {
            let _ = writeln!(stderr, "error: the cranelift backend is not in this build (cargo feature `cranelift`); use --backend=direct (the default)");
            return EXIT_ERROR;
        }
        #[cfg(feature = "llvm")]
        Backend::Llvm => return llvm(&ctx, &module, emit, &args, stdout, stderr),
        #[cfg(not(feature = "llvm"))]
        Backend::Llvm => {
            let _ = writeln!(
                stderr,
                "error: the llvm backend is not in this build: it needs LLVM 22 and wasm-ld (Debian: llvm-22-dev lld-22) and the cargo feature `llvm` (`cargo build --features wasmir-translate/llvm`); or use --backend=direct (the default) or --backend=cranelift"
            );
            return EXIT_ERROR;
        }
    }
    let wasm = match export_wasm(&ctx, &module) {
        Ok(w) => w,
        Err(e) => {
            let _ = writeln!(stderr, "error: `{name}` cannot be encoded as wasm: {e}");
            return EXIT_ERROR;
        }
    };
    match emit {
        Emit::Wir => unreachable!("written above"),
        Emit::Wasm | Emit::Wat => write_wasm(emit, &wasm, args.output.as_deref(), stdout, stderr),
        Emit::Clif | Emit::LlvmIr | Emit::Obj => {
            let _ = writeln!(
                stderr,
                "error: --emit={} needs another backend (--emit=clif: --backend=cranelift; obj: --backend=cranelift or llvm; llvm-ir: --backend=llvm); the direct backend writes wasm or wat",
                match emit {
                    Emit::Clif => "clif",
                    Emit::LlvmIr => "llvm-ir",
                    _ => "obj",
                }
            );
            EXIT_ERROR
        }
    }
}

/// `--backend=cranelift`. `--emit=clif` prints the CLIF, before Cranelift's mid-end without
/// `-O` (or with `-O0`), after it with `-O1`…`-O3` (`opt_level=speed`) or `-Os`/`-Oz`
/// (`speed_and_size`). `--emit=wasm`/`wat` raise the optimized CLIF back into WasmIR and encode
/// it with the direct backend. `--emit=obj` writes a relocatable object for the host, in the
/// ABI of `wasmir_cranelift::native` (native code is always `opt_level=speed`). Functions outside the supported subset are named on stderr with
/// the reason (and, for wasm, pass through unchanged).
#[cfg(feature = "cranelift")]
fn cranelift(ctx: &mut Context, module: &mut wasmir::Module, emit: Emit, args: &Args, name: &str, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let opt = cranelift_level(args.opt_level.as_deref());
    let output = args.output.as_deref();
    match emit {
        Emit::Clif => match wasmir_cranelift::lower_module(ctx, module, opt) {
            Ok(lowered) => {
                for (name, why) in &lowered.skipped {
                    let _ = writeln!(stderr, "remark: @{name} is not lowered to CLIF: {why}");
                }
                write_output(output, lowered.to_text().as_bytes(), stdout, stderr)
            }
            Err(e) => {
                let _ = writeln!(stderr, "error: lowering to Cranelift IR: {e}");
                EXIT_ERROR
            }
        },
        Emit::Wasm | Emit::Wat => {
            let report = match wasmir_cranelift::optimize_module(ctx, module, opt) {
                Ok(r) => r,
                Err(e) => {
                    let _ = writeln!(stderr, "error: optimizing through Cranelift: {e}");
                    return EXIT_ERROR;
                }
            };
            for (name, why) in &report.passed_through {
                let _ = writeln!(stderr, "remark: @{name} passes through unchanged: {why}");
            }
            let start = std::time::Instant::now();
            let encoded = export_wasm(ctx, module);
            if args.timing {
                let _ = write!(stderr, "{}", report.timing_text(start.elapsed()));
            }
            let wasm = match encoded {
                Ok(w) => w,
                Err(e) => {
                    let _ = writeln!(stderr, "error: `{name}` cannot be encoded as wasm after Cranelift's mid-end: {e}");
                    return EXIT_ERROR;
                }
            };
            write_wasm(emit, &wasm, output, stdout, stderr)
        }
        Emit::Obj => match wasmir_cranelift::native::object::emit(ctx, module) {
            Ok(bytes) => write_output(output, &bytes, stdout, stderr),
            Err(e) => {
                let _ = writeln!(stderr, "error: wasmir-translate --emit=obj: {e}; --backend=direct writes wasm for any module");
                EXIT_ERROR
            }
        },
        Emit::Wir | Emit::LlvmIr => {
            let _ = writeln!(stderr, "error: the cranelift backend writes wasm, wat, clif or obj; --emit=llvm-ir needs --backend=llvm");
            EXIT_ERROR
        }
    }
}

/// `--backend=llvm`: the module goes to LLVM IR, through LLVM's pipeline at `-O<level>` (-O0
/// without one), to a wasm32 object (`--emit=obj`), and through wasm-ld to the final module
/// (`--emit=wasm`/`wat`). `--emit=llvm-ir` prints the optimized LLVM IR.
#[cfg(feature = "llvm")]
fn llvm(ctx: &Context, module: &wasmir::Module, emit: Emit, args: &Args, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    if args.target == Some(Target::Native) {
        return llvm_native(ctx, module, emit, args, stdout, stderr);
    }
    let features = args.target_features.clone().unwrap_or_else(|| wasmir_llvm::DEFAULT_FEATURES.to_string());
    if let Err(e) = wasmir_llvm::check_features(&features) {
        let _ = writeln!(stderr, "error: {e}");
        return EXIT_USAGE;
    }
    if matches!(emit, Emit::Clif | Emit::Wir) {
        let _ = writeln!(stderr, "error: the llvm backend writes wasm, wat, llvm-ir or obj; --emit=clif needs --backend=cranelift");
        return EXIT_ERROR;
    }
    let opts = wasmir_llvm::Options { opt: wasmir_llvm::OptLevel::from_flag(args.opt_level.as_deref()), features, ..Default::default() };
    let compiled = match wasmir_llvm::compile(ctx, module, &opts) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e}");
            return EXIT_ERROR;
        }
    };
    let output = args.output.as_deref();
    match emit {
        Emit::LlvmIr => write_output(output, compiled.llvm_ir.as_bytes(), stdout, stderr),
        Emit::Obj => write_output(output, &compiled.object, stdout, stderr),
        _ => match compiled.link() {
            Ok(wasm) => write_wasm(emit, &wasm, output, stdout, stderr),
            Err(e) => {
                let _ = writeln!(stderr, "error: {e}");
                EXIT_ERROR
            }
        },
    }
}

/// `--backend=llvm --target=native`: the module compiled for the host in the vmctx ABI
/// (`wasmir_llvm::native`), written as an object (`--emit=obj`) or as the optimized LLVM IR.
#[cfg(feature = "llvm")]
fn llvm_native(ctx: &Context, module: &wasmir::Module, emit: Emit, args: &Args, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    if args.target_features.is_some() {
        let _ = writeln!(stderr, "error: --target-features names wasm32 features; native code is for the generic host CPU");
        return EXIT_USAGE;
    }
    if !matches!(emit, Emit::Obj | Emit::LlvmIr) {
        let _ = writeln!(stderr, "error: --target=native writes obj or llvm-ir; wasmir-run --backend=llvm-native runs the module natively");
        return EXIT_ERROR;
    }
    let compiled = match wasmir_llvm::native::compile(ctx, module, wasmir_llvm::OptLevel::from_flag(args.opt_level.as_deref())) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(stderr, "error: wasmir-translate --target=native: {e}; --backend=llvm (wasm32) or --backend=direct writes wasm for more modules");
            return EXIT_ERROR;
        }
    };
    match emit {
        Emit::Obj => write_output(args.output.as_deref(), &compiled.object, stdout, stderr),
        _ => write_output(args.output.as_deref(), compiled.llvm_ir.as_bytes(), stdout, stderr),
    }
}

/// How much of Cranelift's mid-end `-O<level>` asks for.
#[cfg(feature = "cranelift")]
fn cranelift_level(level: Option<&str>) -> wasmir_cranelift::OptLevel {
    use wasmir_cranelift::OptLevel;
    match level {
        None | Some("0") => OptLevel::None,
        Some("s" | "z") => OptLevel::SpeedAndSize,
        Some(_) => OptLevel::Speed,
    }
}

/// Writes an encoded module as wasm or, with `--emit=wat`, as text.
fn write_wasm(emit: Emit, wasm: &[u8], output: Option<&str>, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    match emit {
        Emit::Wat => match wasmprinter::print_bytes(wasm) {
            Ok(text) => write_output(output, text.as_bytes(), stdout, stderr),
            Err(e) => {
                let _ = writeln!(stderr, "error: cannot print the module as wat: {e}");
                EXIT_ERROR
            }
        },
        _ => write_output(output, wasm, stdout, stderr),
    }
}

/// Parses and verifies `.wir` text and sends it through the cranelift wasm path at `level`
/// (as `wasmir-translate --backend=cranelift`); errors come back rendered.
#[cfg(feature = "cranelift")]
pub fn wir_to_wasm_through_cranelift(text: &str, name: &str, level: wasmir_cranelift::OptLevel) -> Result<Vec<u8>, String> {
    let src = SourceFile { name, text };
    let mut ctx = Context::new();
    let mut module = wasmir::parse(&mut ctx, text, ParseOptions::default()).map_err(|d| render_all(&d, &src))?;
    let diags = wasmir::verify(&ctx, &module);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(render_all(&diags, &src));
    }
    wasmir_cranelift::optimize_module(&mut ctx, &mut module, level).map_err(|e| format!("error: optimizing through Cranelift: {e}\n"))?;
    export_wasm(&ctx, &module).map_err(|e| format!("error: {e}\n"))
}

/// Compiles a verified module with the LLVM backend at `level` (the default target features)
/// and links it: the wasm of `wasmir-translate --backend=llvm`, without WasmIR's own passes.
#[cfg(feature = "llvm")]
fn llvm_compile(ctx: &Context, module: &wasmir::Module, opts: &wasmir_llvm::Options) -> Result<Vec<u8>, wasmir_llvm::Error> {
    Ok(wasmir_llvm::compile(ctx, module, opts)?.link()?)
}

/// Parses and verifies `.wir` text and compiles it with the LLVM backend at `level`. A module
/// outside the backend's slice is [`wasmir_llvm::Error::Unsupported`]; everything else that goes
/// wrong, errors in the input included, is `Failed`, rendered and ready for a terminal.
#[cfg(feature = "llvm")]
pub fn wir_to_wasm_through_llvm(text: &str, name: &str, level: wasmir_llvm::OptLevel) -> Result<Vec<u8>, wasmir_llvm::Error> {
    let src = SourceFile { name, text };
    let mut ctx = Context::new();
    let module = wasmir::parse(&mut ctx, text, ParseOptions::default()).map_err(|d| render_all(&d, &src))?;
    let diags = wasmir::verify(&ctx, &module);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(render_all(&diags, &src).into());
    }
    llvm_compile(&ctx, &module, &wasmir_llvm::Options { opt: level, ..Default::default() }).map_err(|e| match e {
        wasmir_llvm::Error::Failed(m) => wasmir_llvm::Error::Failed(format!("error: {m}\n")),
        refused => refused,
    })
}

/// Imports a wasm binary and compiles it with the LLVM backend at `level` (as
/// `wasmir-translate --import-wasm` then `--backend=llvm`). A module outside the backend's
/// slice comes back as [`wasmir_llvm::Error::Unsupported`], so that a caller can fall back to
/// another backend; a failure of the importer or of the backend is `Failed`.
#[cfg(feature = "llvm")]
pub fn llvm_wasm(bytes: &[u8], level: wasmir_llvm::OptLevel) -> Result<Vec<u8>, wasmir_llvm::Error> {
    llvm_wasm_with(bytes, &wasmir_llvm::Options { opt: level, ..Default::default() })
}

/// [`llvm_wasm`] with all of the backend's options.
#[cfg(feature = "llvm")]
pub fn llvm_wasm_with(bytes: &[u8], opts: &wasmir_llvm::Options) -> Result<Vec<u8>, wasmir_llvm::Error> {
    let mut ctx = Context::new();
    let module = import_wasm(&mut ctx, bytes).map_err(|e| format!("import: {e}"))?;
    llvm_compile(&ctx, &module, opts)
}

/// Imports a wasm binary and sends it through the cranelift wasm path at `level`: every function
/// Cranelift can take is lowered to CLIF, optimized and raised back; the module is encoded again.
#[cfg(feature = "cranelift")]
pub fn cranelift_wasm(bytes: &[u8], level: wasmir_cranelift::OptLevel) -> Result<(Vec<u8>, wasmir_cranelift::Report), String> {
    let mut ctx = Context::new();
    let mut module = import_wasm(&mut ctx, bytes).map_err(|e| format!("import: {e}"))?;
    let report = wasmir_cranelift::optimize_module(&mut ctx, &mut module, level)?;
    let diags = wasmir::verify(&ctx, &module);
    if diags.iter().any(Diagnostic::is_error) {
        let text = wasmir::print_module(&ctx, &module, Default::default());
        return Err(format!("internal error: the module raised from Cranelift does not verify:\n{}", render_all(&diags, &SourceFile { name: "<raised>", text: &text })));
    }
    let wasm = export_wasm(&ctx, &module).map_err(|e| format!("export: {e}"))?;
    Ok((wasm, report))
}

/// The pipeline of `-O<level>` followed by `--pass-pipeline`; a bad pipeline comes back as a
/// rendered diagnostic.
/// The pipeline of `-O<level>` followed by the passes of `text` (textual pipeline syntax). A
/// malformed `text` comes back as its rendered diagnostic.
pub fn pipeline_of(level: Option<&str>, text: Option<&str>) -> Result<wasmir::pass::pipeline::Pipeline, String> {
    use wasmir::pass::pipeline::{Pipeline, parse};
    let mut pipeline = match level.and_then(wasmir::pass::preset) {
        Some(p) => parse(p.pipeline).map_err(|d| format!("internal error: the -O{} pipeline does not parse: {}\n", p.level, d.message))?,
        None => Pipeline::default(),
    };
    if let Some(text) = text {
        let mut extra = parse(text).map_err(|d| render_all(&[d], &SourceFile { name: "<pass-pipeline>", text }))?;
        pipeline.nodes.append(&mut extra.nodes);
    }
    Ok(pipeline)
}

/// Runs `pipeline` on a verified module, then verifies the result once. Errors come back
/// rendered against the printed module.
pub fn run_passes(ctx: &mut Context, module: &mut wasmir::Module, pipeline: &wasmir::pass::pipeline::Pipeline) -> Result<(), String> {
    let instr = wasmir::pass::manager::Instrumentation::default();
    let render = |ctx: &Context, module: &wasmir::Module, diags: &[Diagnostic]| {
        let text = wasmir::print_module(ctx, module, Default::default());
        render_all(diags, &SourceFile { name: "<after passes>", text: &text })
    };
    if let Err((_, f)) = wasmir::pass::manager::run(ctx, module, pipeline, &instr, &mut |_, _, _| {}) {
        let mut out = format!("error: pass `{}` failed: {}\n", f.pass, f.message);
        out.push_str(&render(ctx, module, &f.reported));
        return Err(out);
    }
    let diags = wasmir::verify(ctx, module);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(format!(
            "internal error: the passes `{}` left a module that does not verify (`wasmir-opt`, which verifies after each pass, names the pass):\n{}",
            pipeline.to_text(),
            render(ctx, module, &diags)
        ));
    }
    Ok(())
}

/// Writes the result to `-o FILE` or to standard output.
fn write_output(path: Option<&str>, bytes: &[u8], stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let res = match path {
        Some(p) if p != "-" => std::fs::write(p, bytes),
        _ => stdout.write_all(bytes),
    };
    match res {
        Ok(()) => 0,
        Err(e) => {
            let _ = writeln!(stderr, "error: cannot write the output: {e}");
            EXIT_ERROR
        }
    }
}

/// A failure to import or export, with the byte offset in the wasm binary where there is one.
#[derive(Debug, Clone)]
pub struct TranslateError {
    pub message: String,
    pub offset: Option<usize>,
}

impl std::fmt::Display for TranslateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.offset {
            Some(o) => write!(f, "{} (at offset 0x{o:x})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for TranslateError {}

/// Validates a wasm binary and translates it into a WasmIR module.
pub fn import_wasm(ctx: &mut wasmir::Context, bytes: &[u8]) -> Result<wasmir::Module, TranslateError> {
    import::import(ctx, bytes)
}

/// Encodes a verified WasmIR module as a wasm binary (the direct backend).
pub fn export_wasm(ctx: &wasmir::Context, module: &wasmir::Module) -> Result<Vec<u8>, TranslateError> {
    export::export(ctx, module)
}

/// Parses, verifies and exports `.wir` text; errors come back rendered, ready for a terminal.
pub fn wir_to_wasm(text: &str, name: &str) -> Result<Vec<u8>, String> {
    let src = SourceFile { name, text };
    let mut ctx = Context::new();
    let module = wasmir::parse(&mut ctx, text, ParseOptions::default()).map_err(|d| render_all(&d, &src))?;
    let diags = wasmir::verify(&ctx, &module);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(render_all(&diags, &src));
    }
    export_wasm(&ctx, &module).map_err(|e| format!("error: {e}\n"))
}

/// Imports a wasm binary, runs `pipeline` on it and exports the result, all in memory (no
/// `.wir` text in between).
pub fn optimize_wasm(bytes: &[u8], pipeline: &wasmir::pass::pipeline::Pipeline) -> Result<Vec<u8>, String> {
    let mut ctx = Context::new();
    let mut module = import_wasm(&mut ctx, bytes).map_err(|e| format!("import: {e}"))?;
    let diags = wasmir::verify(&ctx, &module);
    if diags.iter().any(Diagnostic::is_error) {
        return Err("internal error: the imported module does not verify".to_string());
    }
    run_passes(&mut ctx, &mut module, pipeline)?;
    export_wasm(&ctx, &module).map_err(|e| format!("export: {e}"))
}

/// The whole round trip through text: import, print, re-parse, verify, export. Returns the
/// printed WasmIR and the exported binary.
pub fn roundtrip_wasm(bytes: &[u8]) -> Result<(String, Vec<u8>), String> {
    roundtrip_wasm_with(bytes, None)
}

/// The round trip with a pass pipeline run on the imported module (verified after each pass)
/// before it is printed.
pub fn roundtrip_wasm_with(bytes: &[u8], pipeline: Option<&wasmir::pass::pipeline::Pipeline>) -> Result<(String, Vec<u8>), String> {
    let mut ctx = Context::new();
    let mut module = import_wasm(&mut ctx, bytes).map_err(|e| format!("import: {e}"))?;
    if let Some(p) = pipeline {
        let instr = wasmir::pass::manager::Instrumentation { verify_each: true, ..Default::default() };
        if let Err((_, f)) = wasmir::pass::manager::run(&mut ctx, &mut module, p, &instr, &mut |_, _, _| {}) {
            let text = wasmir::print_module(&ctx, &module, Default::default());
            let src = SourceFile { name: "<after passes>", text: &text };
            return Err(format!("pass `{}` failed: {}\n{}", f.pass, f.message, render_all(&f.diagnostics, &src)));
        }
    }
    let text = wasmir::print_module(&ctx, &module, Default::default());
    let out = wir_to_wasm(&text, "<imported>").map_err(|e| format!("after import:\n{e}"))?;
    Ok((text, out))
}
