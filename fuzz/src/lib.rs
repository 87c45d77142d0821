//! The properties the fuzz targets check, shared by the libFuzzer targets (`fuzz_targets/`) and
//! the stable-Rust driver (`examples/stable.rs`). Every check panics on a violation, so libFuzzer
//! (or the driver) records the input as a crash.
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
