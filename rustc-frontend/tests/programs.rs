//! Differential tests of the lowering: each program in `tests/rust/` is compiled by
//! `rustc-wasmir --emit=wasm`, and each of its `// invoke: FN ARGS…` lines is run with
//! `wasmir-run --invoke` and compared with a reference: the same program compiled by the same
//! rustc for the host and called from a generated driver. A panic of the reference must be a trap
//! of the wasm. `// flags: --overflow-checks` compiles both with overflow checks.
//! `// refused: TEXT` lines instead say the program must fail to lower with each TEXT in the
//! message, next to a `FILE:LINE:COL` location.
//!
//! References are `Reference` values, so that another one — the wasm rustc-web builds with
//! `-Zbuild-std` (issue 7, point 5b) — can be added beside `native`. The host reference requires
//! programs whose results do not depend on the width of `usize`.
//!
//! Without rustc 1.96 at /usr/bin/rustc the test says so and passes.
use std::path::{Path, PathBuf};
use std::process::Command;

const RUSTC: &str = "/usr/bin/rustc";

/// What a call gives: a number (as the wasm value prints it, signed) or a trap.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    Value(i128),
    Trap,
}

struct Program {
    path: PathBuf,
    flags: Vec<String>,
    invokes: Vec<(String, Vec<String>)>,
    refused: Vec<String>,
}

fn programs() -> Vec<Program> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/rust");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut p = Program {
                path,
                flags: Vec::new(),
                invokes: Vec::new(),
                refused: Vec::new(),
            };
            for line in text.lines() {
                if let Some(rest) = line.strip_prefix("// invoke:") {
                    let mut w = rest.split_whitespace().map(str::to_string);
                    let f = w.next().expect("a function name after `invoke:`");
                    p.invokes.push((f, w.collect()));
                } else if let Some(rest) = line.strip_prefix("// flags:") {
                    p.flags.extend(rest.split_whitespace().map(str::to_string));
                } else if let Some(rest) = line.strip_prefix("// refused:") {
                    p.refused.push(rest.trim().to_string());
                }
            }
            p
        })
        .collect()
}

/// The rustc the frontend needs, or why the test is skipped.
fn have_rustc() -> Result<(), String> {
    let out = Command::new(RUSTC)
        .arg("-vV")
        .output()
        .map_err(|e| format!("no {RUSTC}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !text.contains("release: 1.96") {
        return Err(format!("{RUSTC} is not rustc 1.96"));
    }
    rustc_frontend::driver::Toolchain::find(None, None).map_err(|e| e.0)?;
    Ok(())
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
        "native rustc"
    }

    fn outcomes(&self, p: &Program, work: &Path) -> Result<Vec<Outcome>, String> {
        let checks = p.flags.iter().any(|f| f == "--overflow-checks");
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
        .args(checks.then_some("-Coverflow-checks=on"))
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
            let o = Command::new(&exe).arg(i.to_string()).output().unwrap();
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

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// Compiles `p` to wasm with `rustc-wasmir`: the module's path, or the error text.
fn compile(p: &Program, work: &Path) -> Result<PathBuf, String> {
    let wasm = work.join("prog.wasm");
    let mut args = s(&[
        "rustc-wasmir",
        p.path.to_str().unwrap(),
        "--emit=wasm",
        "-o",
        wasm.to_str().unwrap(),
    ]);
    args.extend(p.flags.iter().cloned());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    match rustc_frontend::run(&args, &mut out, &mut err) {
        0 => Ok(wasm),
        _ => Err(String::from_utf8_lossy(&err).into_owned()),
    }
}

fn run_wasm(wasm: &Path, f: &str, args: &[String]) -> Result<Outcome, String> {
    let mut argv = s(&["wasmir-run", wasm.to_str().unwrap(), "--invoke", f]);
    argv.extend(args.iter().cloned());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = wasmir_run::run(&argv, &mut std::io::empty(), &mut out, &mut err);
    let err = String::from_utf8_lossy(&err);
    match code {
        0 => {
            let text = String::from_utf8_lossy(&out);
            text.trim()
                .parse()
                .map(Outcome::Value)
                .map_err(|_| format!("wasmir-run printed `{}`", text.trim()))
        }
        _ if err.contains("trap") => Ok(Outcome::Trap),
        _ => Err(format!("wasmir-run failed: {err}")),
    }
}

#[test]
fn programs_match_their_references() {
    if let Err(why) = have_rustc() {
        eprintln!("skipped: {why}");
        return;
    }
    let references: Vec<Box<dyn Reference>> = vec![Box::new(Native)];
    let root = std::env::temp_dir().join(format!("wasmir-rust-programs-{}", std::process::id()));
    let mut failures = Vec::new();
    let mut checked = 0;
    for p in programs() {
        let name = p.path.file_name().unwrap().to_string_lossy().to_string();
        let work = root.join(&name);
        std::fs::create_dir_all(&work).unwrap();
        let compiled = compile(&p, &work);
        if !p.refused.is_empty() {
            match compiled {
                Ok(_) => failures.push(format!("{name}: lowered, but should be refused")),
                Err(e) => {
                    for r in &p.refused {
                        let located = e
                            .lines()
                            .any(|l| l.contains(r.as_str()) && l.contains(&format!("{name}:")));
                        if !located {
                            failures
                                .push(format!("{name}: no error `{r}` with a location in:\n{e}"));
                        }
                    }
                }
            }
            continue;
        }
        let wasm = match compiled {
            Ok(w) => w,
            Err(e) => {
                failures.push(format!("{name}: rustc-wasmir failed:\n{e}"));
                continue;
            }
        };
        for r in &references {
            let expected = match r.outcomes(&p, &work) {
                Ok(o) => o,
                Err(e) => {
                    failures.push(format!("{name}: the {} reference failed: {e}", r.name()));
                    continue;
                }
            };
            for ((f, args), want) in p.invokes.iter().zip(expected) {
                let got = run_wasm(&wasm, f, args);
                checked += 1;
                if got.as_ref() != Ok(&want) {
                    failures.push(format!(
                        "{name}: {f}({}) gave {got:?}, the {} reference {want:?}",
                        args.join(", "),
                        r.name()
                    ));
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    eprintln!("{checked} invocations checked");
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
    if let Err(why) = have_rustc() {
        eprintln!("skipped: {why}");
        return;
    }
    let tc = rustc_frontend::driver::Toolchain::find(None, None).unwrap();
    let lib = tc
        .library_mir(&rustc_frontend::driver::cache_root().unwrap())
        .unwrap();
    let work = std::env::temp_dir().join(format!("wasmir-rust-layouts-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let (mut failures, mut compared) = (Vec::new(), 0);
    let mut skipped = std::collections::BTreeSet::new();
    for p in programs().into_iter().filter(|p| p.refused.is_empty()) {
        let name = p.path.file_name().unwrap().to_string_lossy().to_string();
        let source = std::fs::read_to_string(&p.path).unwrap();
        let printed = tc.type_sizes(&lib, &p.path, &work).unwrap();
        // The crate's MIR tells the captures of its closures.
        let mir = tc.crate_mir(&lib, &p.path, "layouts", &work, &[]).unwrap();
        for (ty, want) in rustc_summaries(&printed) {
            if ty.starts_with('{') && !ty.starts_with("{closure@") {
                continue;
            }
            match rustc_frontend::lower::layout::summary_in_crate(&source, &mir, &ty) {
                Ok(got) if got == want => compared += 1,
                // Types of core the frontend does not define yet, fat pointers, core's closures.
                Err(e)
                    if e.contains("definition is not known")
                        || e.contains("unsized")
                        || e.contains("outside the crate") =>
                {
                    skipped.insert(ty);
                }
                got => failures.push(format!("{name}: `{ty}`: rustc {want}, ours {got:?}")),
            }
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    eprintln!("{compared} layouts compared; not known to the frontend: {skipped:?}");
    assert!(compared > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
