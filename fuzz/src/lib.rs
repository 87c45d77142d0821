//! The properties the fuzz targets check, shared by the libFuzzer targets (`fuzz_targets/`) and
//! the stable-Rust driver (`examples/stable.rs`). Every check panics on a violation, so libFuzzer
//! (or the driver) records the input as a crash.
//!
//! `parse` and `verify` check the text format and the verifier; `import` and `smith` check the
//! wasm importer and the direct exporter (`wasmir-translate`).
use wasmir::{Context, Module, ParseOptions, PrintOptions, parse, print_module, verify};

/// The three printed forms every parsed module is checked in.
pub const FORMS: [PrintOptions; 3] = [
    PrintOptions { generic: false, debuginfo: false },
    PrintOptions { generic: true, debuginfo: false },
    PrintOptions { generic: false, debuginfo: true },
];

fn form_name(p: PrintOptions) -> &'static str {
    match (p.generic, p.debuginfo) {
        (false, false) => "custom",
        (true, false) => "generic",
        (false, true) => "custom+debuginfo",
        (true, true) => "generic+debuginfo",
    }
}

/// Prints `m` in `form`, re-parses the text (which must succeed) and prints it again (which
/// must give the same text). Returns the re-parsed module.
pub fn check_round_trip(ctx: &mut Context, m: &Module, opts: ParseOptions, form: PrintOptions, input: &str) -> Module {
    let text = print_module(ctx, m, form);
    let again = match parse(ctx, &text, opts) {
        Ok(m2) => m2,
        Err(diags) => panic!(
            "printed {} form does not re-parse (allow_unregistered={}):\n--- input ---\n{input}\n--- printed ---\n{text}\n--- errors ---\n{diags:#?}",
            form_name(form),
            opts.allow_unregistered
        ),
    };
    let text2 = print_module(ctx, &again, form);
    if text != text2 {
        panic!(
            "{} form is not a fixpoint (allow_unregistered={}):\n--- input ---\n{input}\n--- print(parse(input)) ---\n{text}\n--- print(parse(print(parse(input)))) ---\n{text2}",
            form_name(form),
            opts.allow_unregistered
        );
    }
    again
}

/// Renders diagnostics as the tools do: must not panic whatever the spans.
fn render(diags: &[wasmir::Diagnostic], src: &str) {
    let file = wasmir::SourceFile { name: "fuzz.wir", text: src };
    let _ = wasmir::diag::render_all(diags, &file);
}

/// The options every input is parsed with.
pub const PARSE_OPTIONS: [ParseOptions; 2] =
    [ParseOptions { allow_unregistered: false }, ParseOptions { allow_unregistered: true }];

/// `parse` target: if `data` is UTF-8, parse it with and without `allow_unregistered`; whatever
/// parses must print, re-parse and print identically, in every form.
pub fn parse_target(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else { return };
    for opts in PARSE_OPTIONS {
        let mut ctx = Context::new();
        let m = match parse(&mut ctx, src, opts) {
            Ok(m) => m,
            Err(diags) => {
                assert!(diags.iter().any(|d| d.is_error()), "parse failed without an error: {diags:#?}");
                render(&diags, src);
                continue;
            }
        };
        for form in FORMS {
            check_round_trip(&mut ctx, &m, opts, form, src);
        }
    }
}

/// `verify` target: parse, verify, print in every form. A module the verifier accepts must
/// round-trip, and its re-parsed copy must verify too.
pub fn verify_target(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else { return };
    for opts in PARSE_OPTIONS {
        let mut ctx = Context::new();
        let Ok(m) = parse(&mut ctx, src, opts) else { continue };
        let diags = verify(&ctx, &m);
        // Rendering diagnostics must not panic either (spans point into `src`).
        render(&diags, src);
        let valid = !diags.iter().any(|d| d.is_error());
        for form in FORMS {
            let text = print_module(&ctx, &m, form);
            if valid {
                let again = check_round_trip(&mut ctx, &m, opts, form, src);
                let d2 = verify(&ctx, &again);
                assert!(
                    !d2.iter().any(|d| d.is_error()),
                    "a valid module printed in {} form re-parses into an invalid one:\n--- input ---\n{src}\n--- printed ---\n{text}\n--- errors ---\n{d2:#?}",
                    form_name(form)
                );
            }
        }
    }
}

/// Validates `bytes` with every feature the importer accepts.
fn validate_wasm(bytes: &[u8]) -> Result<(), wasmparser::BinaryReaderError> {
    wasmparser::Validator::new_with_features(wasmir_translate::import::features()).validate_all(bytes).map(|_| ())
}

/// The input as text for a panic message: wat text as is, a binary in hex.
fn describe_input(data: &[u8]) -> String {
    if data.starts_with(b"\0asm") || std::str::from_utf8(data).is_err() {
        data.iter().map(|b| format!("{b:02x}")).collect()
    } else {
        String::from_utf8_lossy(data).into_owned()
    }
}

/// With `WASMIR_FUZZ_STRICT` set, the targets do not step over the known bugs below.
fn strict() -> bool {
    static STRICT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *STRICT.get_or_init(|| std::env::var_os("WASMIR_FUZZ_STRICT").is_some())
}

/// Known, reported bugs the `import` and `smith` targets step over (unless [`strict`]) so that
/// fuzzing goes on past them; each has an ignored reproducer in
/// `wasmir-translate/tests/fuzz_regressions.rs`. Returns the bug's name if `d` is one of them.
/// **Remove an entry once its bug is fixed.**
///
/// `text` is the source the diagnostic's span points into, if any.
pub fn known_bug(d: &wasmir::Diagnostic, text: Option<&str>) -> Option<&'static str> {
    if strict() {
        return None;
    }
    // (Bug 1, `wasm.br_on_non_null` checked without its non-null type when that type was never
    // interned, is fixed.)
    // The op a diagnostic is about: its `context` (no span), or the op name at the start of the
    // spanned text (`%r = wasm.x …` or, generic, `%r = "wasm.x"(…`).
    let op_is = |name: &str| {
        d.context.as_deref() == Some(name)
            || d.span.zip(text).is_some_and(|(s, t)| {
                let op = t.get(s.start as usize..s.end as usize).unwrap_or("");
                let op = op.split_once(" = ").filter(|(r, _)| r.starts_with('%')).map_or(op, |(_, o)| o);
                op.trim_start_matches('"').starts_with(name)
            })
    };
    // Bugs 2 (`local.tee` typed by its value rather than its local) and 3 (a typed `select`
    // typed by its first alternative) are fixed as well. `d` and `text` are what a new entry
    // matches.
    let _ = op_is;
    None
}

const BUG_SELECT: &str = "typed select typed by its first alternative";
/// Known bugs that also make the module's export fail: the export is not checked after them.
const KNOWN_BUGS_BREAKING_EXPORT: &[&str] = &[BUG_SELECT];

/// The error diagnostics of `d` that are not [`known_bug`]s, and the known bugs seen.
fn unknown_errors(d: &[wasmir::Diagnostic], text: Option<&str>) -> (Vec<String>, Vec<&'static str>) {
    let mut known = Vec::new();
    let mut rest = Vec::new();
    for d in d.iter().filter(|d| d.is_error()) {
        match known_bug(d, text) {
            Some(k) => known.push(k),
            None => rest.push(format!("{d:?}")),
        }
    }
    (rest, known)
}

/// The checks on a module `import_wasm` accepted (shared by `import` and `smith`): it must
/// verify; print, re-parse in a fresh context and print identically; verify again after the
/// re-parse; export — where an export error is a bug if `any_export_error_is_bug`, and otherwise
/// only if it says "internal error" (other errors are refusals); and the exported binary must
/// validate with the importer's features. Known bugs ([`known_bug`]) are stepped over; returns
/// whether one was met.
pub fn check_imported(ctx: &Context, m: &Module, data: &[u8], any_export_error_is_bug: bool) -> bool {
    let text = print_module(ctx, m, PrintOptions::default());
    let input = || describe_input(data);
    let (e0, mut known) = unknown_errors(&verify(ctx, m), None);
    assert!(
        e0.is_empty(),
        "the imported module does not verify:\n--- input ---\n{}\n--- imported ---\n{text}\n--- errors ---\n{e0:#?}",
        input()
    );
    let mut ctx2 = Context::new();
    let again = match parse(&mut ctx2, &text, ParseOptions::default()) {
        Ok(m2) => m2,
        Err(diags) => panic!(
            "the printed imported module does not re-parse:\n--- input ---\n{}\n--- imported ---\n{text}\n--- errors ---\n{diags:#?}",
            input()
        ),
    };
    let text2 = print_module(&ctx2, &again, PrintOptions::default());
    assert!(
        text == text2,
        "the printed imported module is not a fixpoint:\n--- input ---\n{}\n--- imported ---\n{text}\n--- re-parsed and printed ---\n{text2}",
        input()
    );
    let (e1, known1) = unknown_errors(&verify(&ctx2, &again), Some(&text));
    known.extend(known1);
    assert!(
        e1.is_empty(),
        "the re-parsed imported module does not verify:\n--- input ---\n{}\n--- imported ---\n{text}\n--- errors ---\n{e1:#?}",
        input()
    );
    if known.iter().any(|k| KNOWN_BUGS_BREAKING_EXPORT.contains(k)) {
        return true;
    }
    let out = match wasmir_translate::export_wasm(&ctx2, &again) {
        Ok(out) => out,
        Err(e) => {
            let msg = e.to_string();
            assert!(
                !any_export_error_is_bug && !msg.contains("internal error"),
                "export of the imported module fails: {msg}\n--- input ---\n{}\n--- imported ---\n{text}",
                input()
            );
            return !known.is_empty();
        }
    };
    if let Err(e) = validate_wasm(&out) {
        panic!(
            "the exported binary does not validate: {e}\n--- input ---\n{}\n--- imported ---\n{text}\n--- exported ---\n{}",
            input(),
            describe_input(&out)
        );
    }
    !known.is_empty()
}

/// `import` target: arbitrary bytes (a wasm binary, or wat text, as `import_wasm` accepts both)
/// → `import_wasm`, which must not panic (errors are fine); a module that imports goes through
/// [`check_imported`] (export refusals allowed, "internal error" not).
pub fn import_target(data: &[u8]) {
    let mut ctx = Context::new();
    let Ok(m) = wasmir_translate::import_wasm(&mut ctx, data) else { return };
    check_imported(&ctx, &m, data, false);
}

/// The wasm-smith configuration of the `smith` target: every feature the importer supports
/// (`wasmir_translate::import::features()`: no stack switching, shared-everything threads,
/// custom descriptors or legacy exceptions — wasm-smith never generates the legacy ones), each
/// switched on or off by the input so that modules without GC or reference types (whose
/// translation differs) are covered too; limits kept moderate for throughput.
pub fn smith_config(u: &mut arbitrary::Unstructured<'_>) -> arbitrary::Result<wasm_smith::Config> {
    let mut c = wasm_smith::Config {
        gc_enabled: u.arbitrary()?,
        reference_types_enabled: u.arbitrary()?,
        simd_enabled: u.arbitrary()?,
        relaxed_simd_enabled: u.arbitrary()?,
        threads_enabled: u.arbitrary()?,
        exceptions_enabled: u.arbitrary()?,
        tail_call_enabled: u.arbitrary()?,
        memory64_enabled: u.arbitrary()?,
        bulk_memory_enabled: u.arbitrary()?,
        multi_value_enabled: u.arbitrary()?,
        extended_const_enabled: u.arbitrary()?,
        wide_arithmetic_enabled: u.arbitrary()?,
        custom_page_sizes_enabled: u.arbitrary()?,
        saturating_float_to_int_enabled: true,
        sign_extension_ops_enabled: true,
        shared_everything_threads_enabled: false,
        custom_descriptors_enabled: false,
        export_everything: u.arbitrary()?,
        generate_custom_sections: u.arbitrary()?,
        max_memories: u.int_in_range(1..=4)?, // more than 1: multi-memory
        max_tables: u.int_in_range(1..=4)?,
        max_types: 40,
        max_funcs: 40,
        max_imports: 20,
        max_globals: 20,
        max_exports: 40,
        max_tags: 10,
        max_element_segments: 10,
        max_elements: 20,
        max_data_segments: 10,
        max_instructions: 200,
        max_nesting_depth: 10,
        max_table_elements: 10_000,
        ..wasm_smith::Config::default()
    };
    // What wasm-smith's own `Config::arbitrary` enforces (its `sanitize` is private).
    if !c.reference_types_enabled {
        c.max_tables = 1;
        c.gc_enabled = false;
    }
    if !c.simd_enabled {
        c.relaxed_simd_enabled = false;
    }
    Ok(c)
}

/// `smith` target: the input drives wasm-smith to a valid module (with the features above),
/// which must validate with the importer's features; `roundtrip_wasm` (import, print, re-parse,
/// verify, export) must then succeed and its output must validate. If it fails, the steps are
/// redone one by one ([`check_imported`], any export error a bug): a failure explained only by
/// [`known_bug`]s is stepped over, any other is reported.
pub fn smith_target(data: &[u8]) {
    let mut u = arbitrary::Unstructured::new(data);
    let Ok(config) = smith_config(&mut u) else { return };
    let Ok(module) = wasm_smith::Module::new(config, &mut u) else { return };
    let bytes = module.to_bytes();
    if let Err(e) = validate_wasm(&bytes) {
        panic!("wasm-smith generated a module the importer's features reject: {e}\n--- module ---\n{}", describe_input(&bytes));
    }
    let wat = || wasmprinter::print_bytes(&bytes).unwrap_or_else(|e| format!("<wasmprinter: {e}>"));
    match wasmir_translate::roundtrip_wasm(&bytes) {
        Ok((text, out)) => {
            if let Err(e) = validate_wasm(&out) {
                panic!(
                    "the round-tripped binary does not validate: {e}\n--- module ---\n{}\n--- as wat ---\n{}\n--- imported ---\n{text}",
                    describe_input(&bytes),
                    wat()
                );
            }
        }
        Err(e) => {
            if !strict() {
                let mut ctx = Context::new();
                if let Ok(m) = wasmir_translate::import_wasm(&mut ctx, &bytes) {
                    if check_imported(&ctx, &m, &bytes, true) {
                        return; // only known bugs
                    }
                }
            }
            panic!("roundtrip_wasm fails: {e}\n--- module ---\n{}\n--- as wat ---\n{}", describe_input(&bytes), wat());
        }
    }
}

/// `opt` target: a wasm-smith module (as for [`smith_target`]) goes through import, one of the
/// optimization levels (chosen by the input), the verifier after every pass, and export; all must
/// succeed and the output must validate.
pub fn opt_target(data: &[u8]) {
    let mut u = arbitrary::Unstructured::new(data);
    let Ok(level) = u.choose(&["1", "2", "3", "s", "z"]) else { return };
    let Ok(config) = smith_config(&mut u) else { return };
    let Ok(module) = wasm_smith::Module::new(config, &mut u) else { return };
    let bytes = module.to_bytes();
    if validate_wasm(&bytes).is_err() {
        return; // the smith target reports these
    }
    let text = wasmir::pass::preset(level).map(|p| p.pipeline).unwrap_or("");
    let pipeline = wasmir::pass::pipeline::parse(text).unwrap_or_else(|d| panic!("-O{level} does not parse: {}", d.message));
    let wat = || wasmprinter::print_bytes(&bytes).unwrap_or_else(|e| format!("<wasmprinter: {e}>"));
    match wasmir_translate::roundtrip_wasm_with(&bytes, Some(&pipeline)) {
        Ok((text, out)) => {
            if let Err(e) = validate_wasm(&out) {
                panic!("-O{level}: the optimized binary does not validate: {e}\n--- module ---\n{}\n--- as wat ---\n{}\n--- optimized ---\n{text}", describe_input(&bytes), wat());
            }
        }
        Err(e) => panic!("-O{level}: the round trip fails: {e}\n--- module ---\n{}\n--- as wat ---\n{}", describe_input(&bytes), wat()),
    }
}

/// `cranelift` target: a wasm-smith module (as for [`smith_target`]) goes through the cranelift
/// wasm path (each function lowered to CLIF, optimized by Cranelift's mid-end at a level chosen
/// by the input, raised back) and is encoded; that must succeed and the output must validate.
pub fn cranelift_target(data: &[u8]) {
    use wasmir_translate::cranelift::OptLevel;
    let mut u = arbitrary::Unstructured::new(data);
    let Ok(&level) = u.choose(&[OptLevel::None, OptLevel::Speed, OptLevel::SpeedAndSize]) else { return };
    let Ok(config) = smith_config(&mut u) else { return };
    let Ok(module) = wasm_smith::Module::new(config, &mut u) else { return };
    let bytes = module.to_bytes();
    if validate_wasm(&bytes).is_err() {
        return; // the smith target reports these
    }
    let wat = || wasmprinter::print_bytes(&bytes).unwrap_or_else(|e| format!("<wasmprinter: {e}>"));
    match wasmir_translate::cranelift_wasm(&bytes, level) {
        Ok((out, _)) => {
            if let Err(e) = validate_wasm(&out) {
                panic!("{level:?}: the module from the cranelift path does not validate: {e}\n--- module ---\n{}\n--- as wat ---\n{}", describe_input(&bytes), wat());
            }
        }
        Err(e) => panic!("{level:?}: the cranelift path fails: {e}\n--- module ---\n{}\n--- as wat ---\n{}", describe_input(&bytes), wat()),
    }
}
