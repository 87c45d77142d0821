//! In-process wasm round trip through the wasmir-translate library, for benches/import_export.py.
//!
//! Not a workspace crate: the script compiles this file with `rustc` against the release rlibs
//! that `cargo build --release -p wasmir-translate` leaves in the target directory:
//!
//!     rustc --edition 2024 -C opt-level=3 benches/inprocess_roundtrip.rs -o BIN \
//!         --extern wasmir=LIBWASMIR.rlib --extern wasmir_translate=LIBWASMIR_TRANSLATE.rlib \
//!         -L dependency=TARGET/release/deps
//!
//! Usage: `BIN direct IN.wasm OUT.wasm` reads IN, imports it (wasmparser validation + import),
//! verifies the module and exports it straight back (no text), writing OUT -- the round trip
//! without the .wir text in the middle. `BIN phases IN.wasm OUT.wasm` does the same and then the
//! text path (print, parse, verify, export) and prints one JSON object with the seconds of each
//! phase on stdout.
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 || !matches!(args[1].as_str(), "direct" | "phases") {
        eprintln!("usage: {} direct|phases IN.wasm OUT.wasm", args[0]);
        std::process::exit(2);
    }
    let phases = args[1] == "phases";
    let mut times: Vec<(&str, f64)> = Vec::new();
    let mut t = Instant::now();
    let mut lap = |name: &'static str, times: &mut Vec<(&str, f64)>| {
        let now = Instant::now();
        times.push((name, (now - t).as_secs_f64()));
        t = now;
    };

    let bytes = std::fs::read(&args[2]).unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", args[2])));
    lap("read", &mut times);
    let mut ctx = wasmir::Context::new();
    let module = wasmir_translate::import_wasm(&mut ctx, &bytes).unwrap_or_else(|e| fail(&format!("import: {e}")));
    lap("import", &mut times);
    let diags = wasmir::verify(&ctx, &module);
    if diags.iter().any(wasmir::Diagnostic::is_error) {
        fail("the imported module does not verify");
    }
    lap("verify (imported)", &mut times);
    let out = wasmir_translate::export_wasm(&ctx, &module).unwrap_or_else(|e| fail(&format!("export: {e}")));
    lap("export (imported)", &mut times);
    std::fs::write(&args[3], &out).unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", args[3])));
    lap("write", &mut times);
    if !phases {
        return;
    }

    let text = wasmir::print_module(&ctx, &module, Default::default());
    lap("print", &mut times);
    let mut ctx2 = wasmir::Context::new();
    let parsed = wasmir::parse(&mut ctx2, &text, wasmir::ParseOptions::default())
        .unwrap_or_else(|_| fail("the printed module does not parse"));
    lap("parse", &mut times);
    let diags = wasmir::verify(&ctx2, &parsed);
    if diags.iter().any(wasmir::Diagnostic::is_error) {
        fail("the re-parsed module does not verify");
    }
    lap("verify (parsed)", &mut times);
    let out2 = wasmir_translate::export_wasm(&ctx2, &parsed).unwrap_or_else(|e| fail(&format!("export: {e}")));
    lap("export (parsed)", &mut times);
    if out2 != out {
        eprintln!("note: the export of the re-parsed module differs from the direct export");
    }

    let fields: Vec<String> = times.iter().map(|(k, v)| format!("\"{k}\": {v:.6}")).collect();
    println!(
        "{{{}, \"wir_bytes\": {}, \"out_bytes\": {}, \"same_output\": {}}}",
        fields.join(", "),
        text.len(),
        out.len(),
        out2 == out
    );
}

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(1);
}
