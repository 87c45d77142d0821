//! Differential tests of the Rust frontend and the tools after it. Each program in `tests/rust/`
//! is compiled to wasm in several **variants**, all in-process:
//!
//! - `emit`: `rustc-wasmir --emit=wasm` (the frontend's module, encoded as it is);
//! - `O2-direct`, `O2-cranelift`, `O2-llvm`: `rustc-wasmir --emit=wir` → `wasmir-opt -O2` →
//!   `wasmir-translate` with the direct encoder, with `--backend=cranelift -O2`, and (when the
//!   crate is built with its `llvm` feature, as CI does) with `--backend=llvm -O2`.
//!
//! Each `// invoke: FN ARGS…` line runs on every variant with `wasmir-run --invoke`, and the
//! outcome (a number as wasm prints it, or a trap) must equal that of both **references**:
//!
//! - `native`: the same program compiled by the same rustc for the host as an rlib and called from
//!   a generated `main` that prints each result and its size; a panic is a trap. The host's `usize`
//!   is 64 bits wide, so programs must not depend on its width.
//! - `build-std`: the same program built for wasm32-unknown-unknown by rustc-web and LLVM, with
//!   core and alloc built from rust-web-src by `cargo -Zbuild-std=core,alloc` (see [`BuildStd`]),
//!   and run with `wasmir-run`.
//!
//! `// flags: --overflow-checks` compiles every variant and both references with overflow checks
//! (in the user crate only, as `-C overflow-checks` does: core's `#[rustc_inherit_overflow_checks]`
//! bodies follow it). `// refused: TEXT` lines instead say the program must fail to lower with
//! each TEXT in the message, next to a `FILE:LINE:COL` location (in the program, or in core's
//! source for core's code inlined into it).
//!
//! `// then: FN ARGS…` is an invocation on the instance of the one before it (wasmtime lets an
//! instance be called again after a trap), so a program can show what a call left in its
//! statics — what a `#[panic_handler]` recorded before it trapped, say. `// references:
//! build-std` compares a program with the build-std reference only: a crate with its own
//! `#[panic_handler]` cannot be linked into a native program (std defines the `panic_impl` lang
//! item too), and a native process ends at its first panic, so it cannot run a `then:` after one.
//!
//! `WASMIR_RUST_PROGRAMS=TEXT` in the environment runs only the programs whose path contains TEXT.
//!
//! Without rustc 1.96 at /usr/bin/rustc the test says so and passes. Without the build-std
//! toolchain (Debian's cargo-web at /usr/bin/cargo, the vendored crates of rust-web-src, wasm-ld
//! of lld-22) it says so and compares with the native reference only.
use rustc_frontend::driver::Toolchain;
use std::cell::RefCell;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUSTC: &str = "/usr/bin/rustc";
/// Debian's `cargo-web`, the cargo of rustc-web: it drives `-Zbuild-std`.
const CARGO: &str = "/usr/bin/cargo";
/// The linker rustc uses for wasm32 (`rust-lld` is not in Debian's rustc-web).
const WASM_LD: &str = "/usr/lib/llvm-22/bin/wasm-ld";

/// What a call gives: a number (as the wasm value prints it, signed) or a trap.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    Value(i128),
    Trap,
}

struct Program {
    path: PathBuf,
    flags: Vec<String>,
    /// `// extern: NAME=PATH`: a library crate the program uses (its root; a path starting with
    /// `$RUST_SRC/` is in the compiler's library source, where the crates.io crates the standard
    /// library depends on are vendored; others are relative to `tests/rust`).
    externs: Vec<(String, PathBuf)>,
    invokes: Vec<(String, Vec<String>)>,
    /// Per invocation: it is a `// then:`, run on the instance of the one before.
    then: Vec<bool>,
    /// `// references: build-std`: not compared with the native reference.
    build_std_only: bool,
    refused: Vec<String>,
}

impl Program {
    fn file_name(&self) -> String {
        self.path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }

    fn overflow_checks(&self) -> bool {
        self.flags.iter().any(|f| f == "--overflow-checks")
    }

    /// Runs the invocations on `module`, each on a fresh instance but for a `then:`, which runs
    /// on the instance of the invocation before it.
    fn run(&self, module: &wasmir_run::Compiled) -> Vec<Result<Outcome, String>> {
        let mut out = Vec::with_capacity(self.invokes.len());
        let mut i = 0;
        while i < self.invokes.len() {
            let end = (i + 1..self.invokes.len())
                .find(|&j| !self.then[j])
                .unwrap_or(self.invokes.len());
            let calls: Vec<(&str, &[String])> = self.invokes[i..end]
                .iter()
                .map(|(f, args)| (f.as_str(), args.as_slice()))
                .collect();
            match module.invoke_all(&calls) {
                Ok(results) => out.extend(results.into_iter().map(outcome)),
                Err(e) => out.extend((i..end).map(|_| Err(format!("wasmir-run failed: {e}")))),
            }
            i = end;
        }
        out
    }
}

/// The programs: `tests/rust/*.rs`, the benchmark's kernels (`benches/rust/*.rs`) and the
/// bundled example (`examples/rust/*.rs`), each with its `// invoke:` lines.
fn programs() -> Vec<Program> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = root.join("tests/rust");
    let only = std::env::var("WASMIR_RUST_PROGRAMS").ok();
    let mut paths: Vec<PathBuf> = ["tests/rust", "benches/rust", "examples/rust"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter(|p| {
            only.as_ref()
                .is_none_or(|o| p.to_string_lossy().contains(o.as_str()))
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut p = Program {
                path,
                flags: Vec::new(),
                externs: Vec::new(),
                invokes: Vec::new(),
                then: Vec::new(),
                build_std_only: false,
                refused: Vec::new(),
            };
            for line in text.lines() {
                let call = line
                    .strip_prefix("// invoke:")
                    .map(|r| (r, false))
                    .or_else(|| line.strip_prefix("// then:").map(|r| (r, true)));
                if let Some((rest, then)) = call {
                    let mut w = rest.split_whitespace().map(str::to_string);
                    let f = w.next().expect("a function name after `invoke:`");
                    assert!(
                        !then || !p.invokes.is_empty(),
                        "`then:` follows an invocation"
                    );
                    p.invokes.push((f, w.collect()));
                    p.then.push(then);
                } else if line.trim() == "// references: build-std" {
                    p.build_std_only = true;
                } else if let Some(rest) = line.strip_prefix("// flags:") {
                    p.flags.extend(rest.split_whitespace().map(str::to_string));
                } else if let Some(rest) = line.strip_prefix("// refused:") {
                    p.refused.push(rest.trim().to_string());
                } else if let Some(rest) = line.strip_prefix("// extern:") {
                    let (name, file) = rest.trim().split_once('=').expect("`// extern: NAME=PATH`");
                    let file = match file.strip_prefix("$RUST_SRC/") {
                        Some(rel) => Toolchain::find(None, None)
                            .map(|tc| tc.library.join(rel))
                            .unwrap_or_else(|_| PathBuf::from(file)),
                        None => dir.join(file),
                    };
                    p.externs.push((name.to_string(), file));
                }
            }
            p
        })
        .collect()
}

/// The rustc the frontend needs, or why the test is skipped.
fn have_rustc() -> Result<Toolchain, String> {
    let out = Command::new(RUSTC)
        .arg("-vV")
        .output()
        .map_err(|e| format!("no {RUSTC}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !text.contains("release: 1.96") {
        return Err(format!("{RUSTC} is not rustc 1.96"));
    }
    Toolchain::find(None, None).map_err(|e| e.0)
}

/// A reference implementation of the programs' functions.
trait Reference {
    fn name(&self) -> &'static str;
    /// The outcome of each invocation of `p`.
    fn outcomes(&self, p: &Program, work: &Path) -> Result<Vec<Outcome>, String>;
}

/// The program compiled by rustc for the host, called from a generated `main`.
struct Native;

impl Reference for Native {
    fn name(&self) -> &'static str {
        "native"
    }

    fn outcomes(&self, p: &Program, work: &Path) -> Result<Vec<Outcome>, String> {
        if p.then.contains(&true) {
            return Err("a `then:` invocation, which a native process cannot run after a panic (mark the program `// references: build-std`)".into());
        }
        // The program's dependencies, as cargo would build them: their edition, no features.
        let mut externs: Vec<String> = Vec::new();
        for (name, file) in &p.externs {
            let rlib = work.join(format!("lib{name}.rlib"));
            let edition = rustc_frontend::driver::package_edition(file);
            let mut dep = Command::new(RUSTC);
            dep.args([
                "--edition",
                &edition,
                "--crate-type",
                "rlib",
                "--crate-name",
                name,
            ])
            .args(["-O", "--cap-lints", "allow", "-L"])
            .arg(work)
            .args(externs.iter().flat_map(|e| ["--extern", e.as_str()]))
            .arg("-o")
            .arg(&rlib)
            .arg(file);
            run_ok(&mut dep)?;
            externs.push(format!("{name}={}", rlib.display()));
        }
        let mut lib = Command::new(RUSTC);
        lib.args([
            "--edition",
            "2024",
            "--crate-type",
            "rlib",
            "--crate-name",
            "prog",
            "-O",
        ])
        .args(externs.iter().flat_map(|e| ["--extern", e.as_str()]))
        .arg("-L")
        .arg(work)
        .args(p.overflow_checks().then_some("-Coverflow-checks=on"))
        .arg("-o")
        .arg(work.join("libprog.rlib"))
        .arg(&p.path);
        run_ok(&mut lib)?;
        let mut main = String::from(
            "fn show<T: std::fmt::Display>(v: T) { println!(\"{} {}\", v, std::mem::size_of::<T>()); }\n\
             fn main() {\n    let n: usize = std::env::args().nth(1).unwrap().parse().unwrap();\n    match n {\n",
        );
        for (i, (f, args)) in p.invokes.iter().enumerate() {
            main.push_str(&format!(
                "        {i} => show(prog::{f}({})),\n",
                args.join(", ")
            ));
        }
        main.push_str("        _ => {}\n    }\n}\n");
        let main_rs = work.join("main.rs");
        std::fs::write(&main_rs, main).unwrap();
        let exe = work.join("driver");
        let mut drv = Command::new(RUSTC);
        drv.args(["--edition", "2024", "-O", "--extern"])
            .arg(format!("prog={}", work.join("libprog.rlib").display()))
            .arg("-L")
            .arg(work)
            .arg("-o")
            .arg(&exe)
            .arg(&main_rs);
        run_ok(&mut drv)?;
        let mut out = Vec::new();
        for i in 0..p.invokes.len() {
            // Without the test's `RUST_BACKTRACE`: what a panic allocates (and so what a
            // program's own `#[global_allocator]`, which serves the whole driver, must hold)
            // does not depend on how the test was started.
            let o = Command::new(&exe)
                .arg(i.to_string())
                .env_remove("RUST_BACKTRACE")
                .output()
                .unwrap();
            if !o.status.success() {
                out.push(Outcome::Trap);
                continue;
            }
            let text = String::from_utf8_lossy(&o.stdout);
            let (v, size) = text.trim().split_once(' ').ok_or("driver output")?;
            let v: i128 = v.parse().map_err(|_| format!("driver printed `{v}`"))?;
            let size: u32 = size.parse().unwrap();
            // As wasm prints it: 32- and 64-bit values signed; narrower ones as held in an i32
            // (zero- or sign-extended as their type is).
            let v = if size >= 4 {
                let bits = size * 8;
                let m = v & ((1i128 << bits) - 1);
                if m >> (bits - 1) == 1 {
                    m - (1i128 << bits)
                } else {
                    m
                }
            } else {
                v
            };
            out.push(Outcome::Value(v));
        }
        Ok(out)
    }
}

/// The program built for wasm32-unknown-unknown by rustc-web and LLVM, as a Rust user would build
/// it without this project: `cargo build --release -Zbuild-std=core,alloc`, core and alloc built
/// from rust-web-src (the library source the frontend reads MIR from), linked by wasm-ld.
///
/// Each program becomes a generated cargo package (a `cdylib`, `panic = "abort"`, overflow checks
/// per `// flags:`) in the run's work directory. All packages share one target directory in the
/// frontend's cache (`CACHE/build-std/RELEASE-HASH/`), so core, compiler_builtins and alloc are
/// built once (about a minute) and each program then takes well under a second; cargo's own
/// fingerprints rebuild them when the compiler or the source changes, and its lock on the target
/// directory serializes concurrent runs. Cargo's environment (`RUSTFLAGS`, `CARGO_TARGET_DIR`, …)
/// is not passed on, so the reference does not depend on how the test was started.
struct BuildStd {
    /// A `CARGO_HOME` whose config replaces crates.io by the vendored crates of the library source
    /// (the build is offline) and links wasm32 with wasm-ld.
    cargo_home: PathBuf,
    target_dir: PathBuf,
    /// How long each program's build took, in order (the first one builds core and alloc).
    build_times: RefCell<Vec<Duration>>,
}

impl BuildStd {
    /// The reference, or why it cannot be built on this machine.
    fn find(tc: &Toolchain, cache: &Path, run_root: &Path) -> Result<BuildStd, String> {
        let apt = "apt-get install cargo-web rust-web-src lld-22";
        let version = Command::new(CARGO)
            .arg("-V")
            .output()
            .map_err(|e| format!("no {CARGO} ({e}); on Debian: {apt}"))?;
        let version = String::from_utf8_lossy(&version.stdout).into_owned();
        let release = tc
            .release
            .rsplit_once('.')
            .map_or(&*tc.release, |(mm, _)| mm);
        if !version.starts_with(&format!("cargo {release}.")) {
            return Err(format!(
                "{CARGO} is `{}`, not the cargo of rustc {} (Debian's cargo-web: {apt})",
                version.trim(),
                tc.release
            ));
        }
        let vendor = tc.library.join("vendor");
        if !vendor.is_dir() {
            return Err(format!(
                "no vendored crates at `{}` for core and alloc's dependencies ({apt})",
                vendor.display()
            ));
        }
        if !Path::new(WASM_LD).exists() {
            return Err(format!("no linker at {WASM_LD} ({apt})"));
        }
        let cargo_home = run_root.join("cargo-home");
        std::fs::create_dir_all(&cargo_home).map_err(|e| e.to_string())?;
        let config = format!(
            "[source.crates-io]\nreplace-with = \"rust-library-vendor\"\n\n\
             [source.rust-library-vendor]\ndirectory = \"{}\"\n\n\
             [target.wasm32-unknown-unknown]\nlinker = \"{WASM_LD}\"\n",
            vendor.display()
        );
        std::fs::write(cargo_home.join("config.toml"), config).map_err(|e| e.to_string())?;
        let hash: String = tc.commit_hash.chars().take(12).collect();
        let target_dir = cache
            .join("build-std")
            .join(format!("{}-{hash}", tc.release));
        Ok(BuildStd {
            cargo_home,
            target_dir,
            build_times: RefCell::new(Vec::new()),
        })
    }

    /// Builds `p`'s package: the path of its wasm.
    fn build(&self, p: &Program, work: &Path) -> Result<PathBuf, String> {
        let stem = p.path.file_stem().unwrap().to_string_lossy();
        let package: String = format!("program_{stem}")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let dir = work.join("build-std");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        // Overflow checks for the program's package only: `-Zbuild-std` builds core with the
        // same profile, and core must stay as the native reference's precompiled one is (and is
        // built once, whatever the program's flags).
        let checks = if p.overflow_checks() {
            format!("\n[profile.release.package.{package}]\noverflow-checks = true\n")
        } else {
            String::new()
        };
        let mut deps = String::new();
        for (name, file) in &p.externs {
            let dir = rustc_frontend::driver::package_dir(file)
                .ok_or_else(|| format!("no Cargo.toml beside `{}`", file.display()))?;
            deps.push_str(&format!(
                "{name} = {{ path = \"{}\", default-features = false }}\n",
                dir.display()
            ));
        }
        let manifest = format!(
            "[package]\nname = \"{package}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n\
             [lib]\ncrate-type = [\"cdylib\"]\npath = \"lib.rs\"\n\n\
             [dependencies]\n{deps}\n\
             [profile.release]\npanic = \"abort\"\n{checks}\n[workspace]\n"
        );
        std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
        // A `no_std` cdylib needs a panic handler, which the programs leave to the frontend (its
        // default traps). The crate root is the program's own text with a handler that traps
        // appended, rather than a wrapper that `mod`s or `include!`s it: the items stay at the
        // crate root, so `crate::` paths and crate-level attributes (`#![no_std]`, which
        // `include!` refuses as an inner attribute) mean what they mean to the other compilers.
        let mut source = std::fs::read_to_string(&p.path).map_err(|e| e.to_string())?;
        if !source.contains("#[panic_handler]") {
            source.push_str(
                "\n#[panic_handler]\nfn reference_panic_handler(_: &core::panic::PanicInfo) -> ! {\n    \
                 core::arch::wasm32::unreachable()\n}\n",
            );
        }
        std::fs::write(dir.join("lib.rs"), source).map_err(|e| e.to_string())?;
        let artifacts = dir.join("out");
        let mut cargo = Command::new(CARGO);
        cargo
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("CARGO_HOME", &self.cargo_home)
            .env("RUSTC", RUSTC)
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_TERM_COLOR", "never")
            .current_dir(&dir)
            .args([
                "build",
                "--offline",
                "--release",
                "--quiet",
                "-Zbuild-std=core,alloc",
                "--target",
                "wasm32-unknown-unknown",
                // The wasm is copied out of the shared target directory while cargo holds its
                // lock, so a concurrent run cannot replace it before it is read.
                "-Zunstable-options",
                "--artifact-dir",
            ])
            .arg(&artifacts)
            .arg("--target-dir")
            .arg(&self.target_dir);
        let start = Instant::now();
        run_ok(&mut cargo)?;
        self.build_times.borrow_mut().push(start.elapsed());
        Ok(artifacts.join(format!("{package}.wasm")))
    }

    /// The first build's time and the mean of the others, for the test's output.
    fn timing(&self) -> String {
        let times = self.build_times.borrow();
        let Some((first, rest)) = times.split_first() else {
            return "no builds".to_string();
        };
        let mean = rest.iter().sum::<Duration>() / (rest.len().max(1) as u32);
        format!(
            "first build {:.1} s, the {} others {:.2} s each on average",
            first.as_secs_f64(),
            rest.len(),
            mean.as_secs_f64()
        )
    }
}

impl Reference for BuildStd {
    fn name(&self) -> &'static str {
        "build-std"
    }

    fn outcomes(&self, p: &Program, work: &Path) -> Result<Vec<Outcome>, String> {
        let module = compiled(&self.build(p, work)?)?;
        p.run(&module).into_iter().collect()
    }
}

/// How a program reaches wasm through the project's tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    /// `rustc-wasmir --emit=wasm`.
    Emit,
    /// `rustc-wasmir --emit=wir` → `wasmir-opt -O2` → `wasmir-translate`.
    O2Direct,
    /// … → `wasmir-translate --backend=cranelift -O2` (Cranelift's mid-end and back).
    O2Cranelift,
    /// … → `wasmir-translate --backend=llvm -O2` (LLVM and wasm-ld).
    O2Llvm,
}

impl Variant {
    const ALL: [Variant; 4] = [
        Variant::Emit,
        Variant::O2Direct,
        Variant::O2Cranelift,
        Variant::O2Llvm,
    ];

    fn name(self) -> &'static str {
        match self {
            Variant::Emit => "emit",
            Variant::O2Direct => "O2-direct",
            Variant::O2Cranelift => "O2-cranelift",
            Variant::O2Llvm => "O2-llvm",
        }
    }

    /// Whether this build has the variant's backend.
    fn available(self) -> bool {
        self != Variant::O2Llvm || cfg!(feature = "llvm")
    }

    /// `wasmir-translate`'s flags for the variant's backend.
    fn translate_flags(self) -> &'static [&'static str] {
        match self {
            Variant::Emit | Variant::O2Direct => &[],
            Variant::O2Cranelift => &["--backend=cranelift", "-O2"],
            Variant::O2Llvm => &["--backend=llvm", "-O2"],
        }
    }
}

fn run_ok(cmd: &mut Command) -> Result<(), String> {
    let o = cmd.output().map_err(|e| e.to_string())?;
    if o.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed:\n{}",
            String::from_utf8_lossy(&o.stderr)
        ))
    }
}

/// A tool's library entry point, as `main.rs` calls it.
type Tool = fn(&[String], &mut dyn Read, &mut dyn Write, &mut dyn Write) -> i32;

/// Runs a tool in-process with `args` (`args[0]` is its name): its stderr when it fails.
fn run_tool(tool: Tool, args: &[&str]) -> Result<(), String> {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    match tool(&args, &mut std::io::empty(), &mut out, &mut err) {
        0 => Ok(()),
        code => Err(format!(
            "`{}` exited with {code}:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&err)
        )),
    }
}

fn rustc_wasmir(
    args: &[String],
    _: &mut dyn Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    rustc_frontend::run(args, out, err)
}

/// Compiles `p` with `rustc-wasmir --emit=EMIT` to `out`.
fn frontend(p: &Program, emit: &str, out: &Path) -> Result<PathBuf, String> {
    let mut args = vec![
        "rustc-wasmir",
        p.path.to_str().unwrap(),
        emit,
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend(p.flags.iter().map(String::as_str));
    let externs: Vec<String> = p
        .externs
        .iter()
        .map(|(n, f)| format!("--extern={n}={}", f.display()))
        .collect();
    args.extend(externs.iter().map(String::as_str));
    run_tool(rustc_wasmir, &args).map(|()| out.to_path_buf())
}

/// `rustc-wasmir --emit=wir` → `wasmir-opt -O2`: the optimized module's path.
fn optimized_wir(p: &Program, work: &Path) -> Result<PathBuf, String> {
    let wir = frontend(p, "--emit=wir", &work.join("prog.wir"))?;
    let opt = work.join("prog.O2.wir");
    run_tool(
        wasmir_opt::run,
        &[
            "wasmir-opt",
            wir.to_str().unwrap(),
            "-O2",
            "-o",
            opt.to_str().unwrap(),
        ],
    )?;
    Ok(opt)
}

/// The wasm of `variant`, from the optimized module `wir` (for the `O2-*` variants).
fn translate(wir: &Path, variant: Variant, work: &Path) -> Result<PathBuf, String> {
    let wasm = work.join(format!("prog.{}.wasm", variant.name()));
    let mut args = vec!["wasmir-translate", wir.to_str().unwrap()];
    args.extend_from_slice(variant.translate_flags());
    args.extend(["-o", wasm.to_str().unwrap()]);
    run_tool(wasmir_translate::run, &args).map(|()| wasm)
}

/// The module at `wasm`, compiled once for all of a program's invocations.
fn compiled(wasm: &Path) -> Result<wasmir_run::Compiled, String> {
    let bytes = std::fs::read(wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
    wasmir_run::Compiled::new(&bytes, wasmir_run::DEFAULT_FUEL)
        .map_err(|e| format!("wasmir-run failed: {}: {e}", wasm.display()))
}

/// What `wasmir-run WASM --invoke F ARGS…` printed, or its error, as an outcome.
fn outcome(printed: Result<String, String>) -> Result<Outcome, String> {
    match printed {
        Ok(text) => text
            .trim()
            .parse()
            .map(Outcome::Value)
            .map_err(|_| format!("wasmir-run printed `{}`", text.trim())),
        Err(e) if e.contains("trap") => Ok(Outcome::Trap),
        Err(e) => Err(format!("wasmir-run failed: {e}")),
    }
}

/// Checks that a program with `// refused:` lines fails to lower, naming each construct with a
/// location.
fn check_refused(p: &Program, work: &Path, failures: &mut Vec<String>) {
    let name = p.file_name();
    match frontend(p, "--emit=wasm", &work.join("prog.wasm")) {
        Ok(_) => failures.push(format!("{name}: lowered, but should be refused")),
        Err(e) => {
            for r in &p.refused {
                // Located in the program, or in core's source for core's code that rustc
                // inlined into it.
                let located = e.lines().any(|l| {
                    l.contains(r.as_str())
                        && (l.contains(&format!("{name}:")) || l.contains("/library/core/src/"))
                });
                if !located {
                    failures.push(format!("{name}: no error `{r}` with a location in:\n{e}"));
                }
            }
        }
    }
}

#[test]
fn programs_match_their_references() {
    let tc = match have_rustc() {
        Ok(tc) => tc,
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    let root = std::env::temp_dir().join(format!("wasmir-rust-programs-{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
    let cache = rustc_frontend::driver::cache_root().unwrap();
    let build_std = match BuildStd::find(&tc, &cache, &root) {
        Ok(b) => Some(b),
        Err(why) => {
            eprintln!("the build-std reference is skipped: {why}");
            None
        }
    };
    let mut all_references: Vec<&dyn Reference> = vec![&Native];
    if let Some(b) = &build_std {
        all_references.push(b);
    }
    let variants: Vec<Variant> = Variant::ALL.into_iter().filter(|v| v.available()).collect();
    if !Variant::O2Llvm.available() {
        eprintln!("the O2-llvm variant is skipped: built without the `llvm` feature");
    }
    let mut failures = Vec::new();
    // Invocations compared with every reference, per variant.
    let mut checked = vec![0usize; variants.len()];
    // Programs compared with the build-std reference only.
    let mut build_std_only = 0;
    for p in programs() {
        let name = p.file_name();
        let work = root.join(&name);
        std::fs::create_dir_all(&work).unwrap();
        if !p.refused.is_empty() {
            check_refused(&p, &work, &mut failures);
            continue;
        }
        let references: Vec<&dyn Reference> = all_references
            .iter()
            .copied()
            .filter(|r| !p.build_std_only || r.name() != "native")
            .collect();
        if references.is_empty() {
            eprintln!("{name}: skipped (compared with the build-std reference only)");
            continue;
        }
        build_std_only += usize::from(p.build_std_only);
        let mut expected = Vec::new();
        for r in &references {
            match r.outcomes(&p, &work) {
                Ok(o) => expected.push((r.name(), o)),
                Err(e) => failures.push(format!("{name}: the {} reference failed: {e}", r.name())),
            }
        }
        let optimized = optimized_wir(&p, &work);
        for (slot, &variant) in variants.iter().enumerate() {
            let wasm = match (variant, &optimized) {
                (Variant::Emit, _) => frontend(&p, "--emit=wasm", &work.join("prog.emit.wasm")),
                (_, Ok(wir)) => translate(wir, variant, &work),
                (_, Err(e)) => Err(e.clone()),
            };
            let module = match wasm.and_then(|w| compiled(&w)) {
                Ok(m) => m,
                Err(e) => {
                    failures.push(format!("{name} [{}]: {e}", variant.name()));
                    continue;
                }
            };
            let outcomes = p.run(&module);
            for (i, ((f, args), got)) in p.invokes.iter().zip(outcomes).enumerate() {
                let mut agrees = true;
                for (reference, outcomes) in &expected {
                    if got.as_ref() != Ok(&outcomes[i]) {
                        agrees = false;
                        failures.push(format!(
                            "{name} [{}]: {f}({}) gave {got:?}, the {reference} reference {:?}",
                            variant.name(),
                            args.join(", "),
                            outcomes[i]
                        ));
                    }
                }
                if agrees && expected.len() == references.len() {
                    checked[slot] += 1;
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    for (variant, n) in variants.iter().zip(&checked) {
        eprintln!(
            "{}: {n} invocations agree with the references ({}; build-std only for {build_std_only} program(s))",
            variant.name(),
            all_references
                .iter()
                .map(|r| r.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(b) = &build_std {
        eprintln!("build-std reference: {}", b.timing());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One type of `-Zprint-type-sizes`' output, summarized as `lower::layout::summary` does.
fn rustc_summaries(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String, Vec<String>)> = Vec::new();
    // (variant name, fields, next offset) of the variant being read.
    let mut variant: Option<(String, String, u64)> = None;
    let mut discr = 0u64;
    let mut pos = 0u64;
    let flush = |out: &mut Vec<(String, String, Vec<String>)>,
                 v: &mut Option<(String, String, u64)>| {
        if let (Some((name, fields, _)), Some(last)) = (v.take(), out.last_mut()) {
            last.2.push(format!(" | variant {name}:{fields}"));
        }
    };
    let bytes = |s: &str| -> u64 { s.trim().trim_end_matches(" bytes").parse().unwrap() };
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("print-type-size ") else {
            continue;
        };
        let body = rest.trim_start();
        if let Some(t) = body.strip_prefix("type: `") {
            flush(&mut out, &mut variant);
            let (name, sizes) = t.rsplit_once("`: ").unwrap();
            let (size, align) = sizes.split_once(", alignment: ").unwrap();
            out.push((
                name.to_string(),
                format!("size {} align {}", bytes(size), bytes(align)),
                Vec::new(),
            ));
            discr = 0;
            pos = 0;
        } else if let Some(d) = body.strip_prefix("discriminant: ") {
            discr = bytes(d);
            out.last_mut()
                .unwrap()
                .1
                .push_str(&format!(" discr {discr}"));
        } else if let Some(v) = body.strip_prefix("variant `") {
            flush(&mut out, &mut variant);
            let name = v.split('`').next().unwrap().to_string();
            variant = Some((name, String::new(), discr));
        } else if let Some(p) = body.strip_prefix("padding: ") {
            match &mut variant {
                Some((_, _, at)) => *at += bytes(p),
                None => pos += bytes(p),
            }
        } else if let Some(f) = body.strip_prefix("field `.") {
            let (name, rest) = f.split_once("`: ").unwrap();
            let size = bytes(rest.split(',').next().unwrap());
            let at = match &mut variant {
                Some((_, _, at)) => at,
                None => &mut pos,
            };
            if size > 0 {
                let field = format!(" .{name}@{at}");
                match &mut variant {
                    Some((_, fields, _)) => fields.push_str(&field),
                    None => {
                        let last = out.last_mut().unwrap();
                        if last.2.is_empty() {
                            last.2.push(" |".to_string());
                        }
                        last.2.push(field);
                    }
                }
            }
            match &mut variant {
                Some((_, _, at)) => *at += size,
                None => pos += size,
            }
        }
    }
    flush(&mut out, &mut variant);
    out.into_iter()
        .map(|(name, head, mut parts)| {
            if parts.first().is_some_and(|p| p.starts_with(" | variant")) {
                parts.sort();
            }
            (name, format!("{head}{}", parts.concat()))
        })
        .collect()
}

/// The layouts of the types rustc's code generation of each program touches
/// (`-Zprint-type-sizes` for wasm32) are the frontend's: sizes, alignments, the tag's size,
/// and every variant's field offsets; closures' sizes and alignments (rustc lists no captures).
#[test]
fn layouts_match_print_type_sizes() {
    let tc = match have_rustc() {
        Ok(tc) => tc,
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    let lib = tc
        .library_mir(&rustc_frontend::driver::cache_root().unwrap())
        .unwrap();
    let core_defs = std::fs::read_to_string(lib.defs_path("core")).unwrap();
    let work = std::env::temp_dir().join(format!("wasmir-rust-layouts-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let (mut failures, mut compared) = (Vec::new(), 0);
    let mut skipped = std::collections::BTreeSet::new();
    // (Programs with dependencies are left out: their types are the dependencies'.)
    for p in programs()
        .into_iter()
        .filter(|p| p.refused.is_empty() && p.externs.is_empty())
    {
        let name = p.file_name();
        let source = std::fs::read_to_string(&p.path).unwrap();
        let printed = tc.type_sizes(&lib, &p.path, &work).unwrap();
        // The crate's MIR tells the captures of its closures.
        let mir = tc
            .crate_mir(&lib, &p.path, "layouts", &work, &[], &[])
            .unwrap();
        for (ty, want) in rustc_summaries(&printed) {
            if ty.starts_with('{') && !ty.starts_with("{closure@") {
                continue;
            }
            match rustc_frontend::lower::layout::summary_in_crate(&source, &core_defs, &mir, &ty) {
                Ok(got) if got == want => compared += 1,
                // Types of core the frontend does not define yet, fat pointers, core's closures,
                // closures of generic functions (one layout per instance, under one name).
                Err(e)
                    if e.contains("definition is not known")
                        || e.contains("unsized")
                        || e.contains("outside the crate")
                        || e.contains("a value of a generic type") =>
                {
                    skipped.insert(ty);
                }
                got => failures.push(format!("{name}: `{ty}`: rustc {want}, ours {got:?}")),
            }
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    eprintln!("{compared} layouts compared; not known to the frontend: {skipped:?}");
    // (A selection of programs, `WASMIR_RUST_PROGRAMS`, may hold no layout to compare.)
    assert!(compared > 0 || std::env::var_os("WASMIR_RUST_PROGRAMS").is_some());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
