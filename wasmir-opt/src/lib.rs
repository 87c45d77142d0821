//! The library behind `wasmir-opt`: reads WasmIR text, parses and verifies it, and prints it back
//! in canonical form. Tests call [`run`] in-process; `main.rs` only forwards the process's
//! arguments and streams.
use clap::Parser;
use std::io::{Read, Write};
use wasmir::diag::expect;
use wasmir::diag::{Diagnostic, SourceFile, render_all};
use wasmir::{Context, ParseOptions, PrintOptions};

/// Exit code for a diagnosed error in the input.
pub const EXIT_ERROR: i32 = 1;
/// Exit code for a malformed command line.
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "wasmir-opt",
    version,
    about = "Parse, verify and print WasmIR (.wir)",
    long_about = "Reads WasmIR text, parses and verifies it, and prints it in canonical form.\n\
                  Exit codes: 0 success, 1 the input has errors, 2 bad command line."
)]
struct Args {
    /// Input file; `-` or nothing reads standard input.
    input: Option<String>,
    /// Write the output here instead of standard output.
    #[arg(short = 'o', value_name = "OUT")]
    output: Option<String>,
    /// Treat `// -----` lines as separators of independent inputs; outputs are joined by the same
    /// separator.
    #[arg(long)]
    split_input_file: bool,
    /// Check the reported diagnostics against `// expected-error {{…}}` annotations in the input:
    /// succeed only when every annotation is matched and nothing unexpected is reported.
    #[arg(long)]
    verify_diagnostics: bool,
    /// Print every op in generic form (`"dialect.op"(…) : (…) -> …`).
    #[arg(long)]
    print_op_generic: bool,
    /// Print source locations (`loc(…)`) after each op that has one.
    #[arg(long)]
    print_debuginfo: bool,
    /// Keep ops, types and attributes of unregistered dialects (in generic form).
    #[arg(long)]
    allow_unregistered_dialect: bool,
    /// Skip the verifier (parse errors are still reported).
    #[arg(long)]
    no_verify: bool,
}

/// Runs `wasmir-opt` with `args` (`args[0]` is the program name). Returns the exit code.
pub fn run(args: &[String], stdin: &mut dyn Read, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let args = match Args::try_parse_from(args) {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let text = e.render().to_string();
            let _ = if e.use_stderr() { stderr.write_all(text.as_bytes()) } else { stdout.write_all(text.as_bytes()) };
            return code;
        }
    };
    let (name, text) = match read_input(args.input.as_deref(), stdin) {
        Ok(x) => x,
        Err(msg) => {
            let _ = writeln!(stderr, "error: {msg}");
            return EXIT_ERROR;
        }
    };
    let src = SourceFile { name: &name, text: &text };
    let ranges = if args.split_input_file { wasmir::text::split_input(&text) } else { vec![0..text.len()] };
    let parse_opts = ParseOptions { allow_unregistered: args.allow_unregistered_dialect };
    let print_opts = PrintOptions { generic: args.print_op_generic, debuginfo: args.print_debuginfo };

    let mut out = String::new();
    let mut failed = false;
    let mut first = true;
    for range in ranges {
        // Each split is independent: a fresh context, so one case's names never leak into another.
        let mut ctx = Context::new();
        let (printed, diags) = process(&mut ctx, &src, range.clone(), parse_opts, print_opts, !args.no_verify);
        if args.verify_diagnostics {
            let problems = match expect::collect(&src, range) {
                Ok(mut expected) => expect::check(&src, &mut expected, &diags),
                Err(bad) => bad,
            };
            if !problems.is_empty() {
                failed = true;
                let _ = stderr.write_all(render_all(&problems, &src).as_bytes());
            }
        } else if !diags.is_empty() {
            let _ = stderr.write_all(render_all(&diags, &src).as_bytes());
            if diags.iter().any(Diagnostic::is_error) {
                failed = true;
            }
        }
        if let Some(p) = printed {
            if !first {
                out.push_str("// -----\n");
            }
            first = false;
            out.push_str(&p);
        }
    }
    if let Err(msg) = write_output(args.output.as_deref(), &out, stdout) {
        let _ = writeln!(stderr, "error: {msg}");
        return EXIT_ERROR;
    }
    if failed { EXIT_ERROR } else { 0 }
}

/// Parses, verifies and prints one input range. Returns the printed module (when the input had
/// no error) and every diagnostic reported on the way.
fn process(
    ctx: &mut Context,
    src: &SourceFile<'_>,
    range: std::ops::Range<usize>,
    parse_opts: ParseOptions,
    print_opts: PrintOptions,
    verify: bool,
) -> (Option<String>, Vec<Diagnostic>) {
    let module = match wasmir::text::parse_range(ctx, src.text, range, parse_opts) {
        Ok(m) => m,
        Err(diags) => return (None, diags),
    };
    if verify {
        let diags = wasmir::verify(ctx, &module);
        if diags.iter().any(Diagnostic::is_error) {
            return (None, diags);
        }
        let printed = wasmir::print_module(ctx, &module, print_opts);
        return (Some(printed), diags);
    }
    (Some(wasmir::print_module(ctx, &module, print_opts)), Vec::new())
}

fn read_input(path: Option<&str>, stdin: &mut dyn Read) -> Result<(String, String), String> {
    let (name, bytes) = match path {
        None | Some("-") => {
            let mut buf = Vec::new();
            stdin.read_to_end(&mut buf).map_err(|e| format!("cannot read standard input: {e}"))?;
            ("<stdin>".to_string(), buf)
        }
        Some(p) => (p.to_string(), std::fs::read(p).map_err(|e| format!("cannot read `{p}`: {e}"))?),
    };
    match String::from_utf8(bytes) {
        Ok(t) => Ok((name, t)),
        Err(e) => Err(format!(
            "`{name}` is not UTF-8 text (invalid byte at offset {}); wasmir-opt reads WasmIR text — \
             to read a wasm binary use `wasmir-translate --import-wasm`",
            e.utf8_error().valid_up_to()
        )),
    }
}

fn write_output(path: Option<&str>, text: &str, stdout: &mut dyn Write) -> Result<(), String> {
    match path {
        None | Some("-") => stdout.write_all(text.as_bytes()).map_err(|e| format!("cannot write output: {e}")),
        Some(p) => std::fs::write(p, text).map_err(|e| format!("cannot write `{p}`: {e}")),
    }
}
