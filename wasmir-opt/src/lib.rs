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
    about = "Parse, verify, transform and print WasmIR (.wir)",
    long_about = "Reads WasmIR text, parses and verifies it, runs the requested passes and prints it in \
                  canonical form.\nExit codes: 0 success, 1 the input has errors or a pass failed, 2 bad \
                  command line.",
    after_help = pass_list()
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
    /// Run a standard pipeline first: 0, 1, 2, 3, s (size) or z (size, more aggressively). The
    /// pipelines are listed in docs/Passes.md; `--dump-pass-pipeline` shows the one chosen.
    #[arg(short = 'O', value_name = "LEVEL", value_parser = ["0", "1", "2", "3", "s", "z"])]
    opt_level: Option<String>,
    /// The passes to run, as a pipeline: `module(func(dce))`. Each pass is also a flag (`--dce`);
    /// flags run after the pipeline, in order.
    #[arg(long, value_name = "PIPELINE")]
    pass_pipeline: Option<String>,
    /// Print the pipeline that will run, in canonical form (to stderr).
    #[arg(long)]
    dump_pass_pipeline: bool,
    /// Do not verify the module after each pass.
    #[arg(long)]
    no_verify_each: bool,
    /// Print the IR (to stderr) after every pass.
    #[arg(long)]
    print_ir_after_all: bool,
    /// Print the IR (to stderr) after each run of the named pass.
    #[arg(long, value_name = "PASS")]
    print_ir_after: Vec<String>,
    /// Print the IR only after passes that changed it.
    #[arg(long)]
    print_ir_after_change: bool,
    /// Print the IR when a pass fails or leaves invalid IR.
    #[arg(long)]
    print_ir_after_failure: bool,
    /// Report each pass's time (to stderr).
    #[arg(long)]
    timing: bool,
    /// Report each pass's statistics (to stderr).
    #[arg(long)]
    pass_statistics: bool,
    /// Where to write the reproducer when a pass fails (default: a new file in the temporary
    /// directory, named in the error).
    #[arg(long, value_name = "FILE")]
    crash_reproducer: Option<String>,
    /// Replay a reproducer written when a pass failed: its input and its pipeline.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["input", "pass_pipeline"])]
    run_reproducer: Option<String>,
}

/// The passes, for `--help`.
fn pass_list() -> String {
    let mut s = String::from("Passes (each is a flag `--NAME` and a pipeline element `NAME`):\n");
    for p in wasmir::pass::REGISTRY {
        s.push_str(&format!("  {:<22} {}\n", p.name, p.summary));
    }
    s
}

/// The first line of a reproducer file: the pipeline to replay.
const REPRO_HEADER: &str = "// wasmir-opt reproducer: --pass-pipeline=";

/// Runs `wasmir-opt` with `args` (`args[0]` is the program name). Returns the exit code.
pub fn run(args: &[String], stdin: &mut dyn Read, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    // Pass flags (`--dce`) come from the registry; clap sees the rest.
    let mut flag_passes: Vec<&'static wasmir::pass::PassInfo> = Vec::new();
    let args: Vec<String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            let p = (*i > 0).then(|| a.strip_prefix("--")).flatten().and_then(wasmir::pass::lookup);
            if let Some(p) = p {
                flag_passes.push(p);
            }
            p.is_none()
        })
        .map(|(_, a)| a.clone())
        .collect();
    let args = match Args::try_parse_from(&args) {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let text = e.render().to_string();
            let _ = if e.use_stderr() { stderr.write_all(text.as_bytes()) } else { stdout.write_all(text.as_bytes()) };
            return code;
        }
    };
    let input = args.run_reproducer.as_deref().or(args.input.as_deref());
    let (name, text) = match read_input(input, stdin) {
        Ok(x) => x,
        Err(msg) => {
            let _ = writeln!(stderr, "error: {msg}");
            return EXIT_ERROR;
        }
    };
    // The pipeline: the reproducer's, or `--pass-pipeline`, then the pass flags.
    let pipeline_text = match &args.run_reproducer {
        Some(file) => match text.lines().next().and_then(|l| l.strip_prefix(REPRO_HEADER)) {
            Some(p) => Some(p.trim().trim_matches('\'').to_string()),
            None => {
                let _ = writeln!(stderr, "error: `{file}` is not a wasmir-opt reproducer (its first line must start with `{REPRO_HEADER}`)");
                return EXIT_USAGE;
            }
        },
        None => args.pass_pipeline.clone(),
    };
    let mut pipeline = match pipeline_text.as_deref().map(wasmir::pass::pipeline::parse) {
        None => wasmir::pass::pipeline::Pipeline::default(),
        Some(Ok(p)) => p,
        Some(Err(d)) => {
            let text = pipeline_text.as_deref().unwrap_or("");
            let src = SourceFile { name: "<pass-pipeline>", text };
            let _ = stderr.write_all(render_all(&[d], &src).as_bytes());
            return EXIT_USAGE;
        }
    };
    if let Some(level) = &args.opt_level {
        let preset = wasmir::pass::preset(level).map(|p| p.pipeline).unwrap_or("");
        match wasmir::pass::pipeline::parse(preset) {
            Ok(mut p) if args.run_reproducer.is_none() => {
                p.nodes.append(&mut pipeline.nodes);
                pipeline = p;
            }
            Ok(_) => {}
            Err(d) => {
                let _ = writeln!(stderr, "internal error: the -O{level} pipeline does not parse: {}", d.message);
                return EXIT_ERROR;
            }
        }
    }
    for p in flag_passes {
        pipeline.push(p, Vec::new());
    }
    if args.dump_pass_pipeline {
        let _ = writeln!(stderr, "Pass Manager with {} passes:\n{}", count_passes(&pipeline), pipeline.to_text());
    }
    let passes = PassSetup {
        pipeline,
        instr: wasmir::pass::manager::Instrumentation {
            verify_each: !args.no_verify_each,
            print_after_all: args.print_ir_after_all,
            print_after: args.print_ir_after.clone(),
            print_after_change: args.print_ir_after_change,
            print_after_failure: args.print_ir_after_failure,
        },
        timing: args.timing,
        statistics: args.pass_statistics,
        print_opts: PrintOptions { generic: args.print_op_generic, debuginfo: args.print_debuginfo },
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
        let (printed, diags, report) = process(&mut ctx, &src, range.clone(), parse_opts, print_opts, !args.no_verify, &passes);
        if !report.text.is_empty() {
            let _ = stderr.write_all(report.text.as_bytes());
        }
        // A pass that diagnosed the input (a check) failed because of the input: its
        // diagnostics decide, like the verifier's, and there is nothing to reproduce.
        if let (Some(pass), Some(file)) = (report.failed_pass.filter(|_| !report.diagnosed), &args.run_reproducer) {
            // Replaying: the reproducer is already there.
            failed = true;
            let _ = writeln!(stderr, "note: pass `{pass}` failed again when replaying `{file}`");
        } else if let Some(pass) = report.failed_pass.filter(|_| !report.diagnosed) {
            failed = true;
            // A reproducer: the pipeline and this input, replayable with one flag.
            let path = match &args.crash_reproducer {
                Some(p) => std::path::PathBuf::from(p),
                None => std::env::temp_dir().join(format!("wasmir-opt-reproducer-{}.wir", std::process::id())),
            };
            let body = format!("{REPRO_HEADER}'{}'\n{}", passes.pipeline.to_text(), &src.text[range.clone()]);
            match std::fs::write(&path, body) {
                Ok(()) => {
                    let _ = writeln!(stderr, "note: pass `{pass}` failed; a reproducer is in {}; replay it with `wasmir-opt --run-reproducer {}`", path.display(), path.display());
                }
                Err(e) => {
                    let _ = writeln!(stderr, "note: pass `{pass}` failed; the reproducer could not be written: {e}");
                }
            }
        }
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

/// The passes to run and how to report on them.
struct PassSetup {
    pipeline: wasmir::pass::pipeline::Pipeline,
    instr: wasmir::pass::manager::Instrumentation,
    timing: bool,
    statistics: bool,
    print_opts: PrintOptions,
}

/// What running the passes wrote (IR dumps, timing, statistics, a failure) and which pass failed.
#[derive(Default)]
struct PassReport {
    text: String,
    failed_pass: Option<&'static str>,
    /// The failed pass reported what is wrong with the input (they are in the diagnostics).
    diagnosed: bool,
}

fn count_passes(p: &wasmir::pass::pipeline::Pipeline) -> usize {
    use wasmir::pass::pipeline::Node;
    let mut n = 0;
    let mut stack: Vec<&Node> = p.nodes.iter().collect();
    while let Some(x) = stack.pop() {
        match x {
            Node::Pass { .. } => n += 1,
            Node::Nest { children, .. } => stack.extend(children.iter()),
        }
    }
    n
}

/// Parses, verifies, runs the passes and prints one input range. Returns the printed module
/// (when nothing failed), every diagnostic reported on the way, and the passes' report.
fn process(
    ctx: &mut Context,
    src: &SourceFile<'_>,
    range: std::ops::Range<usize>,
    parse_opts: ParseOptions,
    print_opts: PrintOptions,
    verify: bool,
    passes: &PassSetup,
) -> (Option<String>, Vec<Diagnostic>, PassReport) {
    let mut module = match wasmir::text::parse_range(ctx, src.text, range, parse_opts) {
        Ok(m) => m,
        Err(diags) => return (None, diags, PassReport::default()),
    };
    let diags = if verify { wasmir::verify(ctx, &module) } else { Vec::new() };
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags, PassReport::default());
    }
    let mut diags = diags;
    let mut report = PassReport::default();
    if !passes.pipeline.is_empty() {
        let start = std::time::Instant::now();
        let mut dumps = String::new();
        let result = wasmir::pass::manager::run(ctx, &mut module, &passes.pipeline, &passes.instr, &mut |ctx, m, d| {
            let what = if d.failed { "Failure" } else { "" };
            dumps.push_str(&format!("// -----// IR Dump After {}{what} //----- //\n", d.after));
            dumps.push_str(&wasmir::print_module(ctx, m, passes.print_opts));
        });
        report.text.push_str(&dumps);
        let records = match result {
            Ok(r) => r,
            Err((r, failure)) if !failure.reported.is_empty() => {
                // A checking pass diagnosed the input: its errors are the input's, reported (and
                // matched by `--verify-diagnostics`) like the verifier's; no reproducer is needed.
                diags.extend(failure.reported);
                report.failed_pass = Some(failure.pass);
                report.diagnosed = true;
                r
            }
            Err((r, failure)) => {
                report.text.push_str(&format!("error: pass `{}` failed: {}\n", failure.pass, failure.message));
                if !failure.diagnostics.is_empty() {
                    report.text.push_str(&render_all(&failure.diagnostics, src));
                }
                report.failed_pass = Some(failure.pass);
                r
            }
        };
        if passes.timing {
            report.text.push_str(&wasmir::pass::manager::timing_report(&records, start.elapsed()));
        }
        if passes.statistics {
            report.text.push_str(&wasmir::pass::manager::statistics_report(&records));
        }
        if report.failed_pass.is_some() {
            return (None, diags, report);
        }
    }
    (Some(wasmir::print_module(ctx, &module, print_opts)), diags, report)
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
