//! The Rust frontend (`rustc-wasmir`): drives a real rustc to get the MIR of the user's crate and
//! of core, compiler_builtins and alloc for wasm32 (`driver`), and reads that MIR into a typed
//! model (`mir`), and lowers it to WasmIR (`lower`): `--emit=wir` prints the module,
//! `--emit=wasm` encodes it with the direct backend; `--emit=mir` and `--emit=mir-summary` show
//! what the frontend reads.
pub mod driver;
pub mod index;
pub mod lower;
pub mod mir;
pub mod resolve;
pub mod rustdoc;

use clap::{Parser, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Exit code for a diagnosed error.
pub const EXIT_ERROR: i32 = 1;
/// Exit code for a malformed command line.
pub const EXIT_USAGE: i32 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Emit {
    /// WasmIR text (the default).
    Wir,
    /// A wasm binary, through the direct backend.
    Wasm,
    /// The crate's MIR as rustc printed it.
    Mir,
    /// What the reader made of the crate's MIR: counts, and one body printed from the model.
    MirSummary,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum CrateType {
    Lib,
    Cdylib,
}

#[derive(Parser, Debug)]
#[command(
    name = "rustc-wasmir",
    version,
    about = "The Rust frontend of WasmIR: Rust (through rustc's MIR) to WasmIR",
    long_about = "Compiles FILE.rs to MIR for wasm32-unknown-unknown with rustc 1.96 (Debian: \
                  `apt-get install rustc-web rust-web-src`), against the MIR of core, \
                  compiler_builtins and alloc built once and cached ($WASMIR_CACHE_DIR, else \
                  $XDG_CACHE_HOME/wasmir, else ~/.cache/wasmir), and reads it. A `.mir` file is \
                  read as it is. The crate's exported functions (`#[unsafe(no_mangle)]`) and what \
                  they reach are lowered to WasmIR (--emit=wir) or to wasm (--emit=wasm); a \
                  construct the lowering does not handle yet is an error naming it and its \
                  source location.\n\
                  Exit codes: 0 success, 1 an error (rustc's, the reader's, or a missing piece), \
                  2 bad command line."
)]
struct Args {
    /// The crate root (`.rs`), or MIR text (`.mir`) to read without running rustc.
    input: PathBuf,
    /// Write the output here instead of standard output.
    #[arg(short = 'o', value_name = "OUT")]
    output: Option<PathBuf>,
    /// What to write.
    #[arg(long, value_enum, default_value = "wir")]
    emit: Emit,
    /// The crate type (the MIR is the same; it decides the lowering's roots).
    #[arg(long, value_enum, default_value = "lib")]
    crate_type: CrateType,
    /// The crate's name (default: the file's stem).
    #[arg(long, value_name = "NAME")]
    crate_name: Option<String>,
    /// The rustc to use (default /usr/bin/rustc).
    #[arg(long, value_name = "PATH")]
    rustc: Option<PathBuf>,
    /// The `library` directory of that rustc's source (default: in its sysroot).
    #[arg(long, value_name = "PATH")]
    rust_src: Option<PathBuf>,
    /// With --emit=mir-summary: the body to print (a substring of its path; default the first
    /// function).
    #[arg(long, value_name = "NAME")]
    dump: Option<String>,
    /// With --emit=mir-summary: also read the cached MIR of core, compiler_builtins and alloc and
    /// report their counts and reading times.
    #[arg(long)]
    with_library: bool,
    /// Compile with overflow checks (`-C overflow-checks=on`): overflowing arithmetic panics,
    /// which traps.
    #[arg(long)]
    overflow_checks: bool,
    /// Run WasmIR's standard pipeline (as `wasmir-opt -O<LEVEL>`) on the lowered module before
    /// writing it: 0, 1, 2, 3, s (size) or z (size, more aggressively).
    #[arg(short = 'O', value_name = "LEVEL", value_parser = ["0", "1", "2", "3", "s", "z"])]
    opt_level: Option<String>,
    /// With --emit=wir: leave out the source locations (`loc("FILE":LINE:COL)` after each op,
    /// which later tools such as `wasmir-opt --effect-check` report errors at).
    #[arg(long)]
    strip_debuginfo: bool,
    /// A library crate the crate uses, `NAME=FILE.rs` (its root; repeat for several, each after
    /// those it uses): compiled to MIR with no features enabled, its functions lowered as the
    /// crate's calls reach them.
    #[arg(long = "extern", value_name = "NAME=FILE.rs", value_parser = parse_extern)]
    externs: Vec<(String, PathBuf)>,
}

fn parse_extern(s: &str) -> Result<(String, PathBuf), String> {
    let (name, file) = s
        .split_once('=')
        .ok_or("expected NAME=FILE.rs (the crate's name and its root file)")?;
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "`{name}` is not a crate name (letters, digits and `_`; write `-` as `_`)"
        ));
    }
    if ["core", "alloc", "compiler_builtins", "std"].contains(&name) {
        return Err(format!("`{name}` is a crate of the standard library"));
    }
    Ok((name.to_string(), PathBuf::from(file)))
}

/// Runs `rustc-wasmir` with `args` (`args[0]` is the program name). Returns the exit code.
pub fn run(args: &[String], stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
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
    match run_args(&args, stdout) {
        Ok(()) => 0,
        Err(msg) => {
            let _ = writeln!(stderr, "error: {msg}");
            EXIT_ERROR
        }
    }
}

fn run_args(args: &Args, stdout: &mut dyn Write) -> Result<(), String> {
    if !args.input.exists() {
        return Err(format!(
            "cannot read `{}`: no such file",
            args.input.display()
        ));
    }
    let is_mir = args.input.extension().is_some_and(|e| e == "mir");
    let mut toolchain = None;
    let text = if is_mir {
        std::fs::read_to_string(&args.input)
            .map_err(|e| format!("cannot read `{}`: {e}", args.input.display()))?
    } else {
        let tc = driver::Toolchain::find(args.rustc.as_deref(), args.rust_src.as_deref())
            .map_err(|e| e.0)?;
        let lib = tc
            .library_mir(&driver::cache_root().map_err(|e| e.0)?)
            .map_err(|e| e.0)?;
        let name = match &args.crate_name {
            Some(n) => n.clone(),
            None => crate_name_of(&args.input),
        };
        // One directory per compilation, also within a process (the library's entry point may
        // run several at once): the lowering reads the dependencies' MIR and sources from it.
        static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = std::env::temp_dir().join(format!("rustc-wasmir-{}-{run}", std::process::id()));
        std::fs::create_dir_all(&tmp)
            .map_err(|e| format!("cannot create `{}`: {e}", tmp.display()))?;
        if matches!(args.emit, Emit::Wir | Emit::Wasm) {
            // Loading the cached libraries (their index and signatures) overlaps rustc's work
            // on the crate; the lowering waits for it when a call first needs one.
            // (Core only: most crates never reach alloc.)
            for spec in cached_libs(Some((&lib, &tc.library))).into_iter().take(1) {
                lower::preload(spec);
            }
        }
        let extra: &[&str] = if args.overflow_checks {
            &["-Coverflow-checks=on"]
        } else {
            &[]
        };
        let built = build_deps(&tc, &lib, &args.externs, &tmp, extra).and_then(|mut deps| {
            let text = tc.crate_mir(&lib, &args.input, &name, &tmp, extra, &deps)?;
            if needs_default_allocator(&text) {
                let file = tmp.join(format!("{DEFAULT_ALLOCATOR}.rs"));
                std::fs::write(&file, DEFAULT_ALLOCATOR_SOURCE).map_err(|e| {
                    driver::DriverError(format!("cannot write `{}`: {e}", file.display()))
                })?;
                let dep = tc.dep_mir(&lib, DEFAULT_ALLOCATOR, &file, &tmp, &[], &deps)?;
                deps.push(dep);
            }
            Ok((text, deps))
        });
        let (text, deps) = match built {
            Ok(b) => b,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(e.0);
            }
        };
        // The dependencies' MIR is read from `tmp` when the lowering needs it.
        toolchain = Some((tc, lib, deps, tmp));
        text
    };
    let result = emit(args, &text, &toolchain, stdout);
    if let Some((_, _, _, tmp)) = &toolchain {
        let _ = std::fs::remove_dir_all(tmp);
    }
    result
}

/// The libraries of the compiler-keyed cache the lowering links, in link order: core first
/// (`Krate::CORE`), then alloc (`Krate::ALLOC`), which names core and compiler_builtins by their
/// names.
/// `cached`: the cache entry and the library source it was built from.
fn cached_libs(cached: Option<(&driver::LibraryMir, &Path)>) -> Vec<lower::LibSpec> {
    [
        ("core", &[][..]),
        ("alloc", &["core", "compiler_builtins"][..]),
    ]
    .into_iter()
    .map(|(name, externs)| lower::LibSpec {
        name: name.into(),
        mir: cached.map(|(lib, _)| lib.mir_path(name)),
        cached: true,
        externs: externs.iter().map(|e| e.to_string()).collect(),
        defs: cached.map(|(lib, _)| lib.defs_path(name)),
        src: cached.map(|(_, src)| src.join(name).join("src")),
    })
    .collect()
}

/// The crate name and source of the global allocator linked when the crate uses `alloc` without
/// a `#[global_allocator]` (see the source for its design).
const DEFAULT_ALLOCATOR: &str = "wasmir_default_alloc";
const DEFAULT_ALLOCATOR_SOURCE: &str = include_str!("../runtime/default_alloc.rs");

/// Whether the crate's MIR names the alloc crate (`alloc::…` standing alone, not
/// `core::alloc::…`) but has no `#[global_allocator]`, whose expansion rustc prints as
/// `fn _::__rust_alloc`.
fn needs_default_allocator(mir: &str) -> bool {
    let names_alloc = mir.match_indices("alloc::").any(|(i, _)| {
        !mir[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
    });
    names_alloc && !mir.contains("fn _::__rust_alloc(")
}

/// Builds the `--extern` crates, each against those before it.
fn build_deps(
    tc: &driver::Toolchain,
    lib: &driver::LibraryMir,
    externs: &[(String, PathBuf)],
    tmp: &Path,
    extra: &[&str],
) -> Result<Vec<driver::Dep>, driver::DriverError> {
    let mut deps: Vec<driver::Dep> = Vec::new();
    for (name, file) in externs {
        if !file.exists() {
            return Err(driver::DriverError(format!(
                "cannot read `{}` (the root of `--extern {name}`): no such file",
                file.display()
            )));
        }
        let dep = tc.dep_mir(lib, name, file, tmp, extra, &deps)?;
        deps.push(dep);
    }
    Ok(deps)
}

type Built = Option<(
    driver::Toolchain,
    driver::LibraryMir,
    Vec<driver::Dep>,
    PathBuf,
)>;

fn emit(args: &Args, text: &str, toolchain: &Built, stdout: &mut dyn Write) -> Result<(), String> {
    if args.emit == Emit::Mir {
        return write_output(args.output.as_deref(), text.as_bytes(), stdout);
    }
    let name = args.input.display().to_string();
    let mut out = String::new();
    let mut file = read_mir(&name, text, &mut out)?;
    if matches!(args.emit, Emit::Wir | Emit::Wasm) {
        let cached = match toolchain {
            Some((tc, lib, _, _)) => Some((lib.clone(), tc.library.clone())),
            // A `.mir` input: core's MIR if the toolchain's cache can give it.
            None => driver::Toolchain::find(args.rustc.as_deref(), args.rust_src.as_deref())
                .and_then(|tc| Ok((tc.library_mir(&driver::cache_root()?)?, tc.library)))
                .ok(),
        };
        let mut libs = cached_libs(cached.as_ref().map(|(m, l)| (m, l.as_path())));
        let mut lib_sources = Vec::new();
        let mut deps_before: Vec<String> = ["core", "alloc", "compiler_builtins"]
            .map(String::from)
            .into();
        for d in toolchain.iter().flat_map(|t| &t.2) {
            libs.push(lower::LibSpec {
                name: d.name.clone(),
                mir: Some(d.mir.clone()),
                cached: false,
                externs: deps_before.clone(),
                defs: None,
                src: d.file.parent().map(Path::to_path_buf),
            });
            deps_before.push(d.name.clone());
            lib_sources.extend(crate_sources(&d.file)?);
        }
        return emit_module(args, &mut file, libs, &lib_sources, stdout);
    }
    dump_body(&file, args.dump.as_deref(), &mut out)?;
    if args.with_library {
        let lib = match toolchain {
            Some((_, lib, _, _)) => lib.clone(),
            None => {
                let tc = driver::Toolchain::find(args.rustc.as_deref(), args.rust_src.as_deref())
                    .map_err(|e| e.0)?;
                tc.library_mir(&driver::cache_root().map_err(|e| e.0)?)
                    .map_err(|e| e.0)?
            }
        };
        for krate in driver::LibraryMir::CRATES {
            let path = lib.mir_path(krate);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            read_mir(&path.display().to_string(), &text, &mut out)?;
        }
    }
    write_output(args.output.as_deref(), out.as_bytes(), stdout)
}

/// Lowers the crate and writes WasmIR or wasm.
fn emit_module(
    args: &Args,
    file: &mut mir::MirFile,
    libs: Vec<lower::LibSpec>,
    lib_sources: &[String],
    stdout: &mut dyn Write,
) -> Result<(), String> {
    // The source the MIR came from: the input, or for a `.mir` input the file its spans name.
    let source_path = if args.input.extension().is_some_and(|e| e == "mir") {
        file.bodies
            .values()
            .flat_map(|b| b.locals.values())
            .find_map(|l| l.span)
            .map(|s| PathBuf::from(file.names.str(s.file)))
            .ok_or("the MIR has no source spans (compile with -Zmir-include-spans): the exported functions cannot be found")?
    } else {
        args.input.clone()
    };
    let source = std::fs::read_to_string(&source_path)
        .map_err(|e| format!("cannot read `{}`: {e}", source_path.display()))?;
    let (mut ctx, mut module) =
        lower::lower_crate(file, &source, args.overflow_checks, libs, lib_sources)
            .map_err(|errs| errs.join("\nerror: "))?;
    let diags = wasmir::verify(&ctx, &module);
    if diags.iter().any(wasmir::Diagnostic::is_error) {
        let text = wasmir::print_module(&ctx, &module, Default::default());
        let src = wasmir::SourceFile {
            name: "<lowered>",
            text: &text,
        };
        return Err(format!(
            "internal error: the lowered module does not verify:\n{}",
            wasmir::diag::render_all(&diags, &src)
        ));
    }
    if args.opt_level.is_some() {
        let pipeline = wasmir_translate::pipeline_of(args.opt_level.as_deref(), None)?;
        wasmir_translate::run_passes(&mut ctx, &mut module, &pipeline).map_err(|e| {
            e.strip_prefix("error: ")
                .unwrap_or(&e)
                .trim_end()
                .to_string()
        })?;
    }
    match args.emit {
        Emit::Wasm => {
            let wasm = wasmir_translate::export_wasm(&ctx, &module)
                .map_err(|e| format!("the lowered module cannot be encoded as wasm: {e}"))?;
            write_output(args.output.as_deref(), &wasm, stdout)
        }
        _ => {
            let options = wasmir::PrintOptions {
                debuginfo: !args.strip_debuginfo,
                ..Default::default()
            };
            let text = wasmir::print_module(&ctx, &module, options);
            write_output(args.output.as_deref(), text.as_bytes(), stdout)
        }
    }
}

/// The source files of the crate rooted at `root`: the root and the files of its `mod NAME;`
/// declarations (`NAME.rs` or `NAME/mod.rs` beside a root or `mod.rs`, `DIR/NAME.rs` under a
/// file's own directory otherwise), found without recursion. Their structs and enums are what
/// the lowering lays out.
fn crate_sources(root: &Path) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut todo = vec![(root.to_path_buf(), true)];
    while let Some((file, owns_dir)) = todo.pop() {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
        let dir = match (owns_dir, file.parent()) {
            (true, Some(d)) => d.to_path_buf(),
            (false, Some(d)) => d.join(file.file_stem().unwrap_or_default()),
            (_, None) => PathBuf::new(),
        };
        for name in mod_declarations(&text) {
            let flat = dir.join(format!("{name}.rs"));
            let nested = dir.join(&name).join("mod.rs");
            if flat.exists() {
                todo.push((flat, false));
            } else if nested.exists() {
                todo.push((nested, true));
            }
        }
        out.push(text);
    }
    Ok(out)
}

/// The names of `mod NAME;` declarations (not inline modules) in a source file.
fn mod_declarations(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let l = line.trim_start();
        let l = l
            .strip_prefix("pub(crate) ")
            .or_else(|| l.strip_prefix("pub "))
            .unwrap_or(l);
        if let Some(rest) = l.strip_prefix("mod ")
            && let Some(name) = rest.trim().strip_suffix(';')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            out.push(name.to_string());
        }
    }
    out
}

/// Reads MIR text and appends its counts to `out`; a syntax error is returned with its place.
fn read_mir(name: &str, text: &str, out: &mut String) -> Result<mir::MirFile, String> {
    let start = Instant::now();
    let parsed = mir::parse(text, mir::ParseOptions::default());
    let took = start.elapsed();
    if let Some(e) = parsed.errors.first() {
        let more = if parsed.errors.len() > 1 {
            format!(" (and {} more errors)", parsed.errors.len() - 1)
        } else {
            String::new()
        };
        return Err(format!("{name}:{e}{more}"));
    }
    let f = parsed.file;
    let c = Counts::of(&f);
    out.push_str(&format!(
        "{name}: {} bodies ({} functions), {} blocks, {} statements, {} locals, {} allocations; {} types, {} paths; read {} bytes in {:.1} ms\n",
        c.bodies,
        c.fns,
        c.blocks,
        c.stmts,
        c.locals,
        f.allocs.len(),
        f.names.num_types(),
        f.names.num_paths(),
        text.len(),
        took.as_secs_f64() * 1e3
    ));
    Ok(f)
}

/// Counts of what a MIR file holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub bodies: usize,
    pub fns: usize,
    pub blocks: usize,
    pub stmts: usize,
    pub locals: usize,
}

impl Counts {
    pub fn of(f: &mir::MirFile) -> Counts {
        let mut c = Counts {
            bodies: f.bodies.len(),
            ..Counts::default()
        };
        for b in f.bodies.values() {
            c.fns += usize::from(b.kind == mir::BodyKind::Fn);
            c.blocks += b.blocks.len();
            c.stmts += b.stmts.len();
            c.locals += b.locals.len();
        }
        c
    }
}

fn dump_body(f: &mir::MirFile, which: Option<&str>, out: &mut String) -> Result<(), String> {
    let printer = mir::print::Printer {
        names: &f.names,
        body: None,
    };
    let found = f.bodies.values().find(|b| match which {
        Some(name) => printer.path(b.name).contains(name),
        None => b.kind == mir::BodyKind::Fn,
    });
    match (found, which) {
        (Some(b), _) => {
            out.push('\n');
            out.push_str(&printer.body(b));
            Ok(())
        }
        (None, Some(name)) => Err(format!("no body whose path contains `{name}`")),
        (None, None) => Ok(()),
    }
}

/// A crate name from a file name: its stem, with characters rustc refuses replaced by `_`.
fn crate_name_of(file: &Path) -> String {
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("main");
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name
    }
}

fn write_output(path: Option<&Path>, bytes: &[u8], stdout: &mut dyn Write) -> Result<(), String> {
    match path {
        Some(p) => {
            std::fs::write(p, bytes).map_err(|e| format!("cannot write `{}`: {e}", p.display()))
        }
        None => stdout
            .write_all(bytes)
            .map_err(|e| format!("cannot write the output: {e}")),
    }
}
