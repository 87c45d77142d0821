//! The MIR reader on all of core, compiler_builtins and alloc, built for wasm32 by the rustc the
//! driver finds (Debian's rustc-web 1.96 with rust-web-src) and cached: every body reads without
//! error, and every body printed back from the model equals rustc's text. Without that compiler
//! the test says why and passes.
use rustc_frontend::driver::{self, LibraryMir, Toolchain};
use rustc_frontend::mir::print::Printer;
use rustc_frontend::mir::{self, ParseOptions};
use rustc_frontend::{Counts, run};
use std::time::Instant;

fn toolchain() -> Option<Toolchain> {
    match Toolchain::find(None, None) {
        Ok(tc) => Some(tc),
        Err(e) => {
            eprintln!("skipped: no usable rustc for the Rust frontend: {e}");
            None
        }
    }
}

#[test]
fn core_compiler_builtins_and_alloc_read_and_print_back() {
    let Some(tc) = toolchain() else { return };
    let start = Instant::now();
    let lib = tc
        .library_mir(&driver::cache_root().unwrap())
        .unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "library MIR ready in {:.1} s: {}",
        start.elapsed().as_secs_f64(),
        lib.dir.display()
    );
    for krate in LibraryMir::CRATES {
        let text = std::fs::read_to_string(lib.mir_path(krate)).unwrap();
        let start = Instant::now();
        let out = mir::parse(&text, ParseOptions::default());
        let took = start.elapsed();
        let shown: Vec<String> = out.errors.iter().take(10).map(|e| e.to_string()).collect();
        assert!(
            out.errors.is_empty(),
            "{krate}: {} errors, first: {shown:#?}",
            out.errors.len()
        );
        let c = Counts::of(&out.file);
        eprintln!(
            "{krate}: {} bodies ({} fns), {} blocks, {} statements, {} allocations, {} MB read in {:.2} s",
            c.bodies,
            c.fns,
            c.blocks,
            c.stmts,
            out.file.allocs.len(),
            text.len() / 1_000_000,
            took.as_secs_f64()
        );
        // Printed back, each body is rustc's text (spans and `// DBG:` lines aside: the library is
        // built without spans).
        let p = Printer {
            names: &out.file.names,
            body: None,
        };
        let mut differ = Vec::new();
        for b in out.file.bodies.values().filter(|b| !b.trivial) {
            let rest = &text[b.offset as usize..];
            let end = rest.find("\n}\n").map_or(rest.len(), |i| i + 3);
            let orig: String = rest[..end]
                .lines()
                .filter(|l| !l.trim_start().starts_with("// DBG:"))
                .map(|l| format!("{l}\n"))
                .collect();
            if p.body(b) != orig {
                differ.push(p.path(b.name));
            }
        }
        assert!(
            differ.is_empty(),
            "{krate}: {} bodies print differently, first: {:?}",
            differ.len(),
            &differ[..differ.len().min(5)]
        );
        if krate == "core" {
            // The brief's figure: about 17.5k runtime bodies.
            assert!(c.fns > 15_000, "{c:?}");
        }
    }
}

/// The command line on a small crate: `--emit=mir-summary` reads it; `--emit=wir` (the default)
/// lowers it to an exported function.
#[test]
fn cli_reads_and_lowers_a_crate() {
    let Some(_) = toolchain() else { return };
    let dir = std::env::temp_dir().join(format!("rustc-wasmir-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("add.rs");
    std::fs::write(&file, "#![no_std]\n#[unsafe(no_mangle)]\npub extern \"C\" fn add(a: u32, b: u32) -> u32 { a.wrapping_add(b) }\n").unwrap();
    let run_with = |extra: &[&str]| {
        let mut args = vec!["rustc-wasmir".to_string(), file.display().to_string()];
        args.extend(extra.iter().map(|s| s.to_string()));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run(&args, &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    };
    let (code, out, err) = run_with(&["--emit=mir-summary"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("1 bodies (1 functions)") && out.contains("fn add(_1: u32, _2: u32) -> u32 {"),
        "{out}"
    );
    let (code, out, err) = run_with(&[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("func.func @add(")
            && out.contains("export \"add\"")
            && out.contains("wasm.i32.add"),
        "{out}"
    );
    // Each op carries the location of the statement it comes from: `a.wrapping_add(b)` is on
    // line 3 (the add itself is core's `wrapping_add`, inlined, and located there).
    assert!(out.contains("add.rs\":3:"), "{out}");
    let (code, out, err) = run_with(&["--strip-debuginfo"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("wasm.i32.add") && !out.contains("loc("),
        "{out}"
    );
    let (code, _, err) = run_with(&["--emit=mir-summary", "--rustc", "/nonexistent/rustc"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("apt-get install rustc-web rust-web-src"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Name resolution on core: how its call sites resolve to core's own bodies. Printed; the
/// assertions only keep the share of resolved calls from falling back.
#[test]
fn core_call_sites_resolve() {
    let Some(tc) = toolchain() else { return };
    let lib = tc
        .library_mir(&driver::cache_root().unwrap())
        .unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(lib.mir_path("core")).unwrap();
    let mut file = mir::parse(&text, ParseOptions::default()).file;
    let start = Instant::now();
    let r = rustc_frontend::resolve::Resolver::new(&mut file);
    let (s, missing) = rustc_frontend::resolve::call_stats(&mut file, &r);
    eprintln!("impl bodies: {:?}", r.stats);
    eprintln!(
        "core call sites: {s:?} in {:.2} s",
        start.elapsed().as_secs_f64()
    );
    let mut counts: std::collections::HashMap<&str, usize> = Default::default();
    for m in &missing {
        *counts.entry(m.as_str()).or_default() += 1;
    }
    let mut top: Vec<_> = counts.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    eprintln!("most frequent unresolved:");
    for (p, n) in top.iter().take(40) {
        eprintln!("{n:6} {p}");
    }
    // Of the calls that can be resolved before monomorphization (not through a type parameter,
    // a vtable or a pointer), at least 93% find their body (94.0% when this was written).
    let by_name = s.body + s.default;
    let resolvable = s.calls - s.deferred - s.virtual_ - s.indirect;
    assert!(by_name * 100 >= resolvable * 93, "{s:?}");
}

/// `rustc-wasmir SOURCE FLAGS --emit=wasm -o WASM`, which must succeed.
fn compile_to_wasm(source: &std::path::Path, flags: &[&str], wasm: &std::path::Path) {
    let mut args = vec!["rustc-wasmir".to_string(), source.display().to_string()];
    args.extend(flags.iter().map(|f| f.to_string()));
    args.extend(["--emit=wasm", "-o"].map(String::from));
    args.push(wasm.display().to_string());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(
        run(&args, &mut out, &mut err),
        0,
        "{}",
        String::from_utf8_lossy(&err)
    );
}

/// `wasmir-run WASM --invoke ARGS…`: the number printed, or the error (a trap).
fn invoke_wasm(wasm: &std::path::Path, args: &[&str]) -> Result<i64, String> {
    let mut argv = vec![
        "wasmir-run".to_string(),
        wasm.display().to_string(),
        "--invoke".into(),
    ];
    argv.extend(args.iter().map(|s| s.to_string()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    match wasmir_run::run(&argv, &mut std::io::empty(), &mut out, &mut err) {
        0 => Ok(String::from_utf8(out).unwrap().trim().parse().unwrap()),
        _ => Err(String::from_utf8(err).unwrap()),
    }
}

/// README's first command: the bundled example through `-O2` to wasm, run in wasmtime.
#[test]
fn readme_example_compiles_and_runs() {
    let Some(_) = toolchain() else { return };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let example = root.join("examples/rust/primes.rs");
    let dir = std::env::temp_dir().join(format!("rustc-wasmir-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wasm = dir.join("primes.wasm");
    compile_to_wasm(&example, &["-O2"], &wasm);
    let invoke = |f: &str, arg: &str| {
        let argv: Vec<String> = ["wasmir-run", wasm.to_str().unwrap(), "--invoke", f, arg]
            .map(String::from)
            .into();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = wasmir_run::run(&argv, &mut std::io::empty(), &mut out, &mut err);
        assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
        String::from_utf8(out).unwrap().trim().to_string()
    };
    assert_eq!(invoke("count_primes", "10000"), "1229");
    assert_eq!(invoke("nth_prime", "1000"), "7919");
    // A level the pipeline does not have is a usage error.
    let bad: Vec<String> = ["rustc-wasmir", example.to_str().unwrap(), "-O9"]
        .map(String::from)
        .into();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(run(&bad, &mut out, &mut err), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--extern NAME=FILE.rs`: a dependency (edition 2021, a module, a struct, an enum, a generic
/// function) is compiled to MIR and its functions are lowered as the crate's calls reach them;
/// the results are those of the same Fletcher sum and fold computed here. Malformed or missing
/// `--extern`s are diagnosed.
#[test]
fn extern_crates_are_linked() {
    let Some(_) = toolchain() else { return };
    let deps = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/rust/deps");
    let user = deps.join("use_checksum.rs");
    let dep = deps.join("checksum/src/lib.rs");
    let dir = std::env::temp_dir().join(format!("rustc-wasmir-extern-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wasm = dir.join("use.wasm");
    let compile = |ext: &str| {
        let args: Vec<String> = vec![
            "rustc-wasmir".into(),
            user.display().to_string(),
            "--extern".into(),
            ext.into(),
            "--emit=wasm".into(),
            "-o".into(),
            wasm.display().to_string(),
        ];
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run(&args, &mut out, &mut err);
        (code, String::from_utf8(err).unwrap())
    };
    let (code, err) = compile(&format!("checksum={}", dep.display()));
    assert_eq!(code, 0, "{err}");
    let invoke = |args: &[&str]| invoke_wasm(&wasm, args).unwrap();
    let fletcher = |n: u32| {
        let (mut a, mut b) = (0u32, 0u32);
        for i in 0..n {
            a = (a + (i * 31) as u8 as u32) % 255;
            b = (b + a) % 255;
        }
        (b << 8 | a) as i64
    };
    let fold = |k: u32, n: u32| {
        let mut acc = 0u32;
        for i in 0..n {
            acc = if k == 0 {
                acc ^ i
            } else {
                acc.wrapping_add(i).wrapping_mul(k)
            };
        }
        acc.max(n) as i32 as i64
    };
    for n in [0, 1, 100, 1000] {
        assert_eq!(
            invoke(&["fletcher", &n.to_string()]),
            fletcher(n),
            "fletcher({n})"
        );
    }
    for (k, n) in [(0, 10), (3, 10), (7, 1000), (0, 0)] {
        assert_eq!(
            invoke(&["fold", &k.to_string(), &n.to_string()]),
            fold(k, n),
            "fold({k}, {n})"
        );
    }
    let (code, err) = compile("checksum");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("expected NAME=FILE.rs"), "{err}");
    let (code, err) = compile("core=x.rs");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("a crate of the standard library"), "{err}");
    let (code, err) = compile("checksum=/nonexistent/lib.rs");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no such file"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The index of a library's MIR (`lower::load_lib`) on all of core, in a directory of its own:
/// the first load parses the whole text and writes the index, the second reads only the index
/// and the bodies' signatures. Both must give the same bodies (each parsed on demand, printed
/// back identically), the same allocations, and the same resolution of every call of core.
/// A truncated or corrupt index is rebuilt, never read.
#[test]
fn core_index_gives_what_a_full_parse_gives() {
    use rustc_frontend::lower::{index_path, load_lib};
    use rustc_frontend::mir::{ConstKind, Operand, TerminatorKind};
    let Some(tc) = toolchain() else { return };
    let lib = tc
        .library_mir(&driver::cache_root().unwrap())
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = std::env::temp_dir().join(format!("rustc-wasmir-index-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("core.mir");
    std::fs::copy(lib.mir_path("core"), &path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let load = || load_lib("core", &path, text.clone(), true).unwrap_or_else(|e| panic!("{e}"));
    let start = Instant::now();
    let full = load();
    eprintln!(
        "full parse and index: {:.2} s",
        start.elapsed().as_secs_f64()
    );
    assert!(!full.indexed);
    let start = Instant::now();
    let lazy = load();
    eprintln!(
        "load from the index: {:.2} s",
        start.elapsed().as_secs_f64()
    );
    assert!(lazy.indexed, "the index written by the first load is used");
    assert_eq!(
        format!("{:?}", full.resolver.stats),
        format!("{:?}", lazy.resolver.stats)
    );
    let ids: Vec<_> = full.body_ids().collect();
    assert_eq!(ids, lazy.body_ids().collect::<Vec<_>>());
    let (mut calls, mut bodies) = (0, 0);
    for &id in &ids {
        let (a, b) = (full.body(id).unwrap(), lazy.body(id).unwrap());
        let mut an = full.names.lock().unwrap();
        let mut bn = lazy.names.lock().unwrap();
        let pa = Printer {
            names: &an,
            body: None,
        };
        let pb = Printer {
            names: &bn,
            body: None,
        };
        assert_eq!(pa.path(a.name), pb.path(b.name));
        // Printing every body doubles the test's time; one in eight covers every kind.
        if id.as_u32() % 8 == 0 {
            assert_eq!(pa.body(a), pb.body(b));
            bodies += 1;
        }
        let callees = |body: &mir::Body| -> Vec<_> {
            body.blocks
                .values()
                .filter_map(|d| match &d.term.kind {
                    TerminatorKind::Call {
                        func: Operand::Const(c),
                        ..
                    } => match body.consts[*c] {
                        ConstKind::FnItem(p) => Some(p),
                        _ => None,
                    },
                    _ => None,
                })
                .collect()
        };
        for (fa, fb) in callees(a).into_iter().zip(callees(b)) {
            let ra = full.resolver.resolve(&mut an, fa);
            let rb = lazy.resolver.resolve(&mut bn, fb);
            assert_eq!(
                ra,
                rb,
                "{}",
                Printer {
                    names: &an,
                    body: None
                }
                .path(fa)
            );
            calls += 1;
        }
    }
    let mut allocs: Vec<u32> = full.alloc_ids().collect();
    allocs.sort_unstable();
    let mut lazy_allocs: Vec<u32> = lazy.alloc_ids().collect();
    lazy_allocs.sort_unstable();
    assert_eq!(allocs, lazy_allocs);
    for &id in &allocs {
        let (a, b) = (full.alloc(id).unwrap(), lazy.alloc(id).unwrap());
        assert_eq!(
            (a.size, a.align, &a.bytes, &a.relocs),
            (b.size, b.align, &b.bytes, &b.relocs)
        );
    }
    eprintln!(
        "{} bodies ({bodies} printed), {calls} calls, {} allocations agree",
        ids.len(),
        allocs.len()
    );
    // A truncated index and one with a flipped byte are not read: the library is parsed whole
    // again and a good index written back (on compiler_builtins, whose full parse is quicker).
    let path = dir.join("compiler_builtins.mir");
    std::fs::copy(lib.mir_path("compiler_builtins"), &path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let load = || {
        load_lib("compiler_builtins", &path, text.clone(), true).unwrap_or_else(|e| panic!("{e}"))
    };
    assert!(!load().indexed);
    let index = std::fs::read(index_path(&path)).unwrap();
    let mut flipped = index.clone();
    flipped[index.len() / 2] ^= 0x10;
    for bad in [&index[..index.len() / 3], &flipped[..]] {
        std::fs::write(index_path(&path), bad).unwrap();
        assert!(!load().indexed);
        assert_eq!(std::fs::read(index_path(&path)).unwrap(), index);
    }
    assert!(load().indexed);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A crate that uses alloc without a `#[global_allocator]` gets the default allocator: its
/// heap starts at the end of the initial memory (above the static data and the shadow stack),
/// freed blocks are reused by their size class, blocks are aligned, memory grows, contents
/// survive reallocation, and a request that cannot be met takes alloc's error path (a trap).
#[test]
fn default_allocator_serves_alloc() {
    let Some(_) = toolchain() else { return };
    let file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/alloc/default_alloc.rs");
    let dir = std::env::temp_dir().join(format!("rustc-wasmir-alloc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wasm = dir.join("default_alloc.wasm");
    compile_to_wasm(&file, &[], &wasm);
    let invoke = |args: &[&str]| invoke_wasm(&wasm, args);
    let initial_memory = (rustc_frontend::lower::MEMORY_PAGES * 65536) as i64;
    assert_eq!(invoke(&["first_block"]), Ok(initial_memory));
    for size in ["1", "8", "100", "4096"] {
        assert_eq!(invoke(&["reused", size]), Ok(1), "size {size}");
    }
    for align in ["8", "64", "4096"] {
        assert_eq!(invoke(&["aligned", align]), Ok(1), "align {align}");
    }
    let big = |kib: u32| (0..kib * 1024).fold(0u32, |s, i| s.wrapping_add(i & 0xff)) as i32;
    assert_eq!(invoke(&["big", "300"]), Ok(i64::from(big(300))));
    let grown = |n: u32| (0..n).fold(0u32, |s, i| s.wrapping_add(i * 7)) as i32;
    for n in ["1", "5", "1000"] {
        let v = grown(n.parse().unwrap());
        assert_eq!(invoke(&["grown", n]), Ok(i64::from(v)), "grown({n})");
    }
    let trap = invoke(&["too_big", "1500"]).unwrap_err();
    assert!(trap.contains("trap"), "{trap}");
    assert_eq!(invoke(&["null_when_too_big"]), Ok(1));
    let _ = std::fs::remove_dir_all(&dir);
}
