//! A fuzz driver for stable Rust, with no libFuzzer and no coverage feedback.
//!
//! ```text
//! cargo run --release --manifest-path fuzz/Cargo.toml --example stable -- replay parse fuzz/seeds fuzz/artifacts/parse
//! cargo run --release --manifest-path fuzz/Cargo.toml --example stable -- fuzz verify --secs 600 --seed 7
//! ```
//!
//! `replay TARGET PATH…` runs each file (or each file of each directory) through the target.
//! `fuzz TARGET [--secs N] [--seed S] [--seeds DIR] [--artifacts DIR]` mutates the seed corpus
//! at random (byte and token edits, splices) for N seconds; an input that parses joins the pool
//! (a crude stand-in for coverage feedback). A panic writes the input to
//! `ARTIFACTS/crash-<hash>` and the run continues; the exit code is 1 if anything crashed.
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn target_fn(name: &str) -> fn(&[u8]) {
    match name {
        "parse" => wasmir_fuzz::parse_target,
        "verify" => wasmir_fuzz::verify_target,
        "import" => wasmir_fuzz::import_target,
        "smith" => wasmir_fuzz::smith_target,
        "opt" => wasmir_fuzz::opt_target,
        "cranelift" => wasmir_fuzz::cranelift_target,
        other => {
            eprintln!("unknown target `{other}` (parse, verify, import, smith, opt, cranelift)");
            std::process::exit(2)
        }
    }
}

/// xorshift64*: small, deterministic, good enough for picking mutations.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

/// Fragments the grammar knows: op names, sigils, keywords, types, odd literals.
fn dictionary() -> Vec<Vec<u8>> {
    let mut d: Vec<String> = Vec::new();
    let ctx = wasmir::Context::new();
    for dialect in ctx.dialects() {
        for op in dialect.all_ops() {
            d.push(format!(" {} ", op.name));
            d.push(format!("\"{}\"(", op.name));
            if let Some(c) = op.custom_name {
                d.push(format!(" {c} "));
            }
        }
    }
    for s in [
        "%a", "%b", "%0", "%x#1", "%r:2 = ", "%v = ", "^bb0", "^bb1:", "^h(%i: i32):", "@f", "@\"q n\"", "@a::@b",
        "(", ")", "{", "}", "[", "]", "<", ">", ",", ":", "::", "=", "->", " : ", "() -> ()", "(i32) -> i64",
        "i1", "i32", "i64", "i128", "f32", "f64", "v128", "funcref", "externref", "!foo.bar<[1]>", "#foo.baz<\">\">",
        "attributes", "{a, b = 1 : i32}", "loc(", "loc(unknown)", "loc(\"f.rs\":1:2)", "fused[", "fused<1>[", "callsite(",
        " at ", "unknown", "true", "false", "unit", "private", "nested", "export \"e\"", "default: ", "0: ", "-1: ",
        "nan", "-nan:0x1", "nan:0x7fffff", "inf", "-0.0", "1e309", "0x7fffffffffffffff", "-170141183460469231731687303715884105728",
        "\"test.op\"() ({", "}) : () -> ()", "module {", "module attributes {wasmir.version = \"0.1\"} {",
        "func.func @f(%a: i32) -> i32 {", "func.return %a : i32", "cf.br ^bb1", "cf.cond_br %a, ^bb1, ^bb2",
        "cf.switch %a, [default: ^bb1, 0: ^bb2] : i32", "// -----\n", "\n", "\"\\n\\00\\\"\"", "\u{e9}",
    ] {
        d.push(s.to_string());
    }
    d.into_iter().map(String::into_bytes).collect()
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, pool: &[Vec<u8>], dict: &[Vec<u8>]) {
    let rounds = 1 + rng.below(6);
    for _ in 0..rounds {
        let len = input.len();
        match rng.below(9) {
            // Flip / replace a byte.
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] = if rng.below(2) == 0 { input[i] ^ (1 << rng.below(8)) } else { rng.next() as u8 };
            }
            // Delete a range.
            1 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(32));
                input.drain(i..i + n);
            }
            // Insert a dictionary fragment.
            2..=4 => {
                let frag = &dict[rng.below(dict.len())];
                let i = rng.below(len + 1);
                input.splice(i..i, frag.iter().copied());
            }
            // Replace a range by a fragment.
            5 if len > 0 => {
                let frag = &dict[rng.below(dict.len())];
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(16));
                input.splice(i..i + n, frag.iter().copied());
            }
            // Duplicate a range (nesting, repetition).
            6 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                let copy: Vec<u8> = input[i..i + n].to_vec();
                let at = rng.below(len + 1);
                input.splice(at..at, copy);
            }
            // Splice in part of another pool entry.
            7 if !pool.is_empty() => {
                let other = &pool[rng.below(pool.len())];
                if !other.is_empty() {
                    let i = rng.below(other.len());
                    let n = 1 + rng.below((other.len() - i).min(256));
                    let at = rng.below(len + 1);
                    input.splice(at..at, other[i..i + n].iter().copied());
                }
            }
            // Swap two bytes.
            _ if len > 1 => {
                let (a, b) = (rng.below(len), rng.below(len));
                input.swap(a, b);
            }
            _ => {}
        }
    }
    input.truncate(8192);
}

fn files_of(p: &Path) -> Vec<PathBuf> {
    if p.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(p)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect())
            .unwrap_or_default();
        v.sort();
        v
    } else {
        vec![p.to_path_buf()]
    }
}

/// Runs `f` on `data`; returns the panic message if it panicked.
fn run_one(f: fn(&[u8]), data: &[u8]) -> Option<String> {
    catch_unwind(AssertUnwindSafe(|| f(data))).err().map(|e| {
        e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()
    })
}

fn save_crash(dir: &Path, data: &[u8]) -> PathBuf {
    let mut h = DefaultHasher::new();
    data.hash(&mut h);
    let _ = std::fs::create_dir_all(dir);
    let p = dir.join(format!("crash-{:016x}", h.finish()));
    let _ = std::fs::write(&p, data);
    p
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 || args[0] == "--help" {
        eprintln!("usage: stable replay TARGET PATH... | stable fuzz TARGET [--secs N] [--seed S] [--seeds DIR] [--artifacts DIR]");
        std::process::exit(2);
    }
    let f = target_fn(&args[1]);
    // Panics are reported by the driver, not printed by the default hook.
    std::panic::set_hook(Box::new(|_| {}));
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    match args[0].as_str() {
        "replay" => {
            let mut failed = 0;
            let mut n = 0;
            for p in &args[2..] {
                for file in files_of(Path::new(p)) {
                    let data = std::fs::read(&file).unwrap_or_default();
                    n += 1;
                    if let Some(msg) = run_one(f, &data) {
                        failed += 1;
                        println!("CRASH {}: {msg}", file.display());
                    }
                }
            }
            println!("replayed {n} input(s): {} passed, {failed} failed", n - failed);
            std::process::exit(i32::from(failed > 0));
        }
        "fuzz" => {
            let mut secs = 60u64;
            let mut seed = 1u64;
            let mut seeds = here.join("seeds");
            let mut artifacts = here.join("artifacts").join(&args[1]);
            let mut i = 2;
            while i < args.len() {
                let v = args.get(i + 1).cloned().unwrap_or_default();
                match args[i].as_str() {
                    "--secs" => secs = v.parse().unwrap_or(60),
                    "--seed" => seed = v.parse().unwrap_or(1),
                    "--seeds" => seeds = PathBuf::from(v),
                    "--artifacts" => artifacts = PathBuf::from(v),
                    other => {
                        eprintln!("unknown option `{other}`");
                        std::process::exit(2);
                    }
                }
                i += 2;
            }
            let mut pool: Vec<Vec<u8>> = files_of(&seeds).iter().filter_map(|p| std::fs::read(p).ok()).collect();
            if pool.is_empty() {
                pool.push(b"module {\n}\n".to_vec());
            }
            let dict = dictionary();
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let start = Instant::now();
            let (mut execs, mut crashes, mut parsed) = (0u64, 0u64, 0u64);
            let mut last_report = Instant::now();
            while start.elapsed() < Duration::from_secs(secs) {
                let mut input = pool[rng.below(pool.len())].clone();
                mutate(&mut rng, &mut input, &pool, &dict);
                execs += 1;
                if let Some(msg) = run_one(f, &input) {
                    crashes += 1;
                    let p = save_crash(&artifacts, &input);
                    let first = msg.lines().next().unwrap_or("");
                    println!("CRASH #{crashes} -> {}: {first}", p.display());
                    continue;
                }
                // Inputs that parse reach the printer and verifier: keep them as new material.
                if let Ok(s) = std::str::from_utf8(&input) {
                    let mut ctx = wasmir::Context::new();
                    let ok = wasmir::parse(&mut ctx, s, wasmir::ParseOptions { allow_unregistered: true }).is_ok();
                    if ok && pool.len() < 20_000 && input.len() < 4096 {
                        parsed += 1;
                        pool.push(input);
                    }
                }
                if last_report.elapsed() > Duration::from_secs(30) {
                    last_report = Instant::now();
                    println!(
                        "#{execs} {:.0}s pool={} new-parsing={parsed} crashes={crashes} exec/s={:.0}",
                        start.elapsed().as_secs_f64(),
                        pool.len(),
                        execs as f64 / start.elapsed().as_secs_f64()
                    );
                }
            }
            println!(
                "done: {execs} execs in {:.0}s, pool {} ({parsed} new parsing inputs), {crashes} crash(es)",
                start.elapsed().as_secs_f64(),
                pool.len()
            );
            std::process::exit(i32::from(crashes > 0));
        }
        other => {
            eprintln!("unknown mode `{other}` (replay, fuzz)");
            std::process::exit(2);
        }
    }
}
