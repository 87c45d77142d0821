//! The machinery behind the lit test runner (`tests/lit.rs`): finding the RUN lines of a case
//! file, parsing them shell-style into pipelines, running those pipelines in-process against the
//! tool libraries, and rendering the result as the text that gets snapshotted.
//!
//! The runner itself (discovery, threads, snapshots, reporting) lives in `tests/lit.rs`; this part
//! is a library so that it can be unit tested with fake tools. How to write a case is described in
//! `tests/lit/README.md`.

use std::cell::{Cell, RefCell};
use std::io::{Read, Write};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

/// The entry point every tool library exposes: `args[0]` is the program name; the result is
/// the exit code (0 success, 1 diagnosed error, 2 usage error).
pub type ToolFn = fn(&[String], &mut dyn Read, &mut dyn Write, &mut dyn Write) -> i32;

/// The tools a RUN line may name. They run in-process; adding one is a line here plus a
/// dependency in `tests/harness/Cargo.toml`.
pub const TOOLS: &[(&str, ToolFn)] = &[
    ("wasmir-opt", wasmir_opt::run),
    ("wasmir-translate", wasmir_translate::run),
    ("wasmir-run", wasmir_run::run),
];

/// The optional features this harness was built with (cargo features of `lit-harness`). A case
/// with `// REQUIRES: llvm` runs only when `llvm` is here, and is skipped, with a notice,
/// otherwise; `// UNSUPPORTED: llvm` is the opposite.
pub const FEATURES: &[&str] = &[
    #[cfg(feature = "llvm")]
    "llvm",
];

/// Why a case cannot run in this build (a `REQUIRES:` feature that is missing or an
/// `UNSUPPORTED:` one that is present), or `None` when it can.
pub fn skip_reason(source: &str, features: &[&str]) -> Option<String> {
    for line in source.lines() {
        for (marker, wanted) in [("REQUIRES:", true), ("UNSUPPORTED:", false)] {
            let Some(at) = line.find(marker) else { continue };
            // Only in a comment at the start of the line, as RUN lines.
            let leader = line[..at].trim();
            if leader.is_empty() || !leader.chars().all(|c| matches!(c, '/' | ';' | '#')) {
                continue;
            }
            for f in line[at + marker.len()..].split(',').map(str::trim).filter(|f| !f.is_empty()) {
                if features.contains(&f) != wanted {
                    return Some(if wanted {
                        format!("needs the `{f}` feature (cargo test -p lit-harness --features {f})")
                    } else {
                        format!("does not apply when built with the `{f}` feature")
                    });
                }
            }
        }
    }
    None
}

/// The exit code recorded for a stage that panicked (what a Rust binary exits with).
pub const PANIC_EXIT_CODE: i32 = 101;

// ---------------------------------------------------------------------------------------------
// RUN lines

/// Markers that introduce a RUN line, one per comment style (`;` also covers wat's `;;`).
const RUN_MARKERS: &[&str] = &["// RUN:", "; RUN:", "# RUN:"];

/// One command of a case: a RUN line, with its continuation lines joined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunCommand {
    /// 1-based line number of the command's first RUN line.
    pub line: usize,
    /// The command as written (substitutions not applied); continuation pieces joined by a space.
    pub text: String,
}

/// Returns the RUN commands of a case file in file order. A RUN line ending in `\` continues on
/// the next line, which must be a RUN line too.
pub fn run_commands(source: &str) -> Result<Vec<RunCommand>, String> {
    let mut commands = Vec::new();
    let mut pending: Option<RunCommand> = None;
    for (index, line) in source.lines().enumerate() {
        let Some(body) = run_line_body(line) else {
            if pending.is_some() {
                return Err(format!(
                    "line {}: RUN line ends with `\\` but line {} is not a RUN line",
                    index,
                    index + 1,
                ));
            }
            continue;
        };
        let body = body.trim();
        let (body, continues) = match body.strip_suffix('\\') {
            Some(body) => (body.trim_end(), true),
            None => (body, false),
        };
        let command = pending.get_or_insert_with(|| RunCommand {
            line: index + 1,
            text: String::new(),
        });
        if !command.text.is_empty() && !body.is_empty() {
            command.text.push(' ');
        }
        command.text.push_str(body);
        if !continues {
            commands.extend(pending.take());
        }
    }
    match pending {
        Some(command) => Err(format!(
            "line {}: the last RUN line ends with `\\`",
            command.line
        )),
        None => Ok(commands),
    }
}

/// The text after the RUN marker, if `line` is a RUN line. The marker must sit in a comment at
/// the start of the line (only whitespace and comment leaders such as `;;` or `///` before
/// it), so that a `RUN:` inside, say, a string in the IR is not taken for one.
fn run_line_body(line: &str) -> Option<&str> {
    RUN_MARKERS.iter().find_map(|marker| {
        let at = line.find(marker)?;
        let leader = &line[..at];
        leader
            .chars()
            .all(|c| c.is_whitespace() || matches!(c, '/' | ';' | '#'))
            .then(|| &line[at + marker.len()..])
    })
}

// ---------------------------------------------------------------------------------------------
// Parsing a command into a pipeline

/// Values of the `%` substitutions for one command.
#[derive(Clone, Debug)]
pub struct Substitutions {
    /// `%s`: the case file's absolute path.
    pub file: String,
    /// `%S`: the directory holding the case file.
    pub dir: String,
    /// `%t`: a temporary file path unique to this case and RUN line.
    pub temp: String,
}

/// One stage of a pipeline: a tool and its arguments.
#[derive(Clone)]
pub struct Stage {
    pub run: ToolFn,
    /// The tool's arguments, `args[0]` being the tool's name.
    pub args: Vec<String>,
}

/// Parses a command into its pipeline stages: the command is split on unquoted `|` and each
/// stage is split into words shell-style (single and double quotes, backslash escapes); then
/// the substitutions are applied to every word, and each stage's first word (after any `not`)
/// is looked up in `tools`.
pub fn parse_pipeline(
    command: &str,
    substitutions: &Substitutions,
    tools: &[(&str, ToolFn)],
) -> Result<Vec<Stage>, String> {
    let stages = split_words(command)?;
    if stages.len() == 1 && stages[0].is_empty() {
        return Err("empty RUN line".to_string());
    }
    stages
        .into_iter()
        .map(|words| {
            // `not` marks a stage that is expected to fail. The exit code is in the snapshot
            // anyway, so the prefix is documentation only.
            let words: Vec<&String> = words.iter().skip_while(|word| *word == "not").collect();
            let Some(tool) = words.first() else {
                return Err(format!("empty pipeline stage in `{command}`"));
            };
            let Some(&(_, run)) = tools.iter().find(|(name, _)| name == tool) else {
                let known: Vec<&str> = tools.iter().map(|(name, _)| *name).collect();
                return Err(format!(
                    "unknown tool `{tool}` (known tools: {})",
                    known.join(", ")
                ));
            };
            let args = words
                .iter()
                .map(|word| substitute(word, substitutions))
                .collect();
            Ok(Stage { run, args })
        })
        .collect()
}

/// Splits a command into pipeline stages made of words, shell-style. There is no variable
/// expansion, globbing or redirection: redirection and command separators are rejected rather
/// than passed to a tool as arguments, which would hide the mistake.
fn split_words(command: &str) -> Result<Vec<Vec<String>>, String> {
    let mut stages = vec![Vec::new()];
    let mut word = String::new();
    // Whether a word has been started; distinguishes an empty argument (`''`) from none.
    let mut in_word = false;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '|' => {
                if in_word {
                    stages.last_mut().unwrap().push(std::mem::take(&mut word));
                    in_word = false;
                }
                if c == '|' {
                    stages.push(Vec::new());
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(format!("unterminated `'` in `{command}`")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        // As in a shell, inside double quotes a backslash only escapes these.
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(format!("unterminated `\"` in `{command}`")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(format!("unterminated `\"` in `{command}`")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err(format!("trailing `\\` in `{command}`")),
                }
            }
            '<' | '>' | '&' | ';' | '`' => {
                return Err(format!(
                    "unsupported shell syntax `{c}` in `{command}` (quote it if it is part of an \
                     argument; write output files with `-o %t` instead of redirecting)"
                ));
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        stages.last_mut().unwrap().push(word);
    }
    Ok(stages)
}

/// Applies `%s`, `%S`, `%t` and `%%` (a literal `%`) to a word; any other `%` is left as is.
fn substitute(word: &str, substitutions: &Substitutions) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        let replacement = match (c, chars.peek()) {
            ('%', Some('s')) => &substitutions.file,
            ('%', Some('S')) => &substitutions.dir,
            ('%', Some('t')) => &substitutions.temp,
            ('%', Some('%')) => "%",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(replacement);
        chars.next();
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Running a pipeline

/// What one stage of a pipeline did.
#[derive(Clone, Debug, Default)]
pub struct StageOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub exit: i32,
    /// The panic message, if the tool panicked (its exit code is then [`PANIC_EXIT_CODE`]).
    pub panic: Option<String>,
}

/// Runs the stages in order, in-process: the first reads empty stdin, each next one reads the
/// previous one's stdout (whatever its exit code, as in a shell pipeline). A panicking tool is
/// caught and recorded rather than taking the runner down.
pub fn run_pipeline(stages: &[Stage]) -> Vec<StageOutput> {
    let mut outputs: Vec<StageOutput> = Vec::with_capacity(stages.len());
    for stage in stages {
        let stdin = outputs
            .last()
            .map_or(&[][..], |previous| &previous.stdout[..]);
        let mut output = StageOutput::default();
        let result = catch_panic(|| {
            (stage.run)(
                &stage.args,
                &mut &stdin[..],
                &mut output.stdout,
                &mut output.stderr,
            )
        });
        match result {
            Ok(exit) => output.exit = exit,
            Err(message) => {
                output.exit = PANIC_EXIT_CODE;
                output.panic = Some(message);
            }
        }
        outputs.push(output);
    }
    outputs
}

thread_local! {
    /// Whether this thread is inside [`catch_panic`], whose panics the hook must not print.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// The last panic message the hook recorded on this thread.
    static PANIC_MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f`, turning a panic into `Err(message)`, where the message includes the panic's
/// location. The panic is not printed: the default hook would write a backtrace note to the
/// test's output for a panic that the runner reports anyway.
pub fn catch_panic<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    // The hook is global, so install it once and have it decide per thread: panics outside
    // `catch_panic` still go to the previous (default) hook.
    static INSTALL_HOOK: Once = Once::new();
    INSTALL_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CATCHING.get() {
                return previous(info);
            }
            let message = info
                .payload_as_str()
                .unwrap_or("<panic payload is not a string>");
            let message = match info.location() {
                Some(location) => format!("{message} (at {location})"),
                None => message.to_string(),
            };
            PANIC_MESSAGE.set(Some(message));
        }));
    });
    let was_catching = CATCHING.replace(true);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.set(was_catching);
    result.map_err(|_| {
        PANIC_MESSAGE
            .take()
            .unwrap_or_else(|| "<panic message lost>".to_string())
    })
}

// ---------------------------------------------------------------------------------------------
// Rendering

/// The text recorded for one RUN line.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub text: String,
    /// Whether some stage panicked; such a run fails whatever its snapshot says.
    pub panicked: bool,
}

/// Renders a pipeline's outcome for the snapshot:
///
/// ```text
/// $ <command as written>
/// <stdout of the last stage>
/// --- stderr ---
/// <stderr of every stage, in order; a panic shows as `PANIC: <message>`>
/// --- exit (stage K): N ---     (for each earlier stage that exited non-zero)
/// --- exit: N ---
/// ```
///
/// The stderr section appears only when some stage wrote to stderr or panicked. In the output
/// of the tools (not in the command line), each `(from, to)` of `replacements` is applied in
/// order, so that machine-specific paths do not end up in snapshots.
pub fn render(
    command: &str,
    outputs: &[StageOutput],
    replacements: &[(String, String)],
) -> Rendered {
    let mut body = String::new();
    if let Some(last) = outputs.last() {
        push_block(&mut body, &String::from_utf8_lossy(&last.stdout));
    }
    let mut stderr = String::new();
    for output in outputs {
        push_block(&mut stderr, &String::from_utf8_lossy(&output.stderr));
        if let Some(message) = &output.panic {
            push_block(&mut stderr, &format!("PANIC: {message}"));
        }
    }
    if !stderr.is_empty() {
        body.push_str("--- stderr ---\n");
        body.push_str(&stderr);
    }
    if let Some((last, earlier)) = outputs.split_last() {
        for (index, output) in earlier.iter().enumerate() {
            if output.exit != 0 {
                body.push_str(&format!(
                    "--- exit (stage {}): {} ---\n",
                    index + 1,
                    output.exit
                ));
            }
        }
        body.push_str(&format!("--- exit: {} ---\n", last.exit));
    }
    for (from, to) in replacements {
        if !from.is_empty() {
            body = body.replace(from.as_str(), to);
        }
    }
    Rendered {
        text: format!("$ {command}\n{body}"),
        panicked: outputs.iter().any(|output| output.panic.is_some()),
    }
}

/// Appends `text`, making sure what follows starts on a new line.
fn push_block(out: &mut String, text: &str) {
    out.push_str(text);
    if !text.is_empty() && !text.ends_with('\n') {
        out.push('\n');
    }
}

// ---------------------------------------------------------------------------------------------
// Differential runs: wasmtime on the direct backend's wasm, against another backend

/// What a stage printed to stderr when `--backend=cranelift` refused the module as outside the
/// native subset.
pub const NATIVE_UNSUPPORTED: &str = "which the native subset does not cover";

/// For a pipeline whose last stage is `wasmir-run … --invoke …` on the default backend (no
/// `--backend`), the same pipeline with `--backend=BACKEND` in that stage.
pub fn with_backend(stages: &[Stage], backend: &str) -> Option<Vec<Stage>> {
    let last = stages.last()?;
    let args = &last.args;
    if args.first().map(String::as_str) != Some("wasmir-run")
        || !args.iter().any(|a| a == "--invoke")
        || args.iter().any(|a| a.starts_with("--backend"))
    {
        return None;
    }
    let mut other = stages.to_vec();
    let last = other.last_mut().expect("not empty");
    last.args.insert(1, format!("--backend={backend}"));
    Some(other)
}

/// The outcome of running a pipeline through wasmtime and through another backend.
#[derive(Debug, PartialEq, Eq)]
pub enum Differential {
    /// Same stdout and exit code.
    Same,
    /// The backend refused the module (outside its subset).
    Unsupported,
    /// Different stdout or exit code, described.
    Differs(String),
}

/// Runs the pipeline as written and with its `wasmir-run` stage on `backend` (`cranelift`:
/// native code; `cranelift-wasm`: wasmtime on the cranelift wasm path's output; `llvm`:
/// wasmtime on the LLVM backend's output; `llvm-native`: LLVM's native code), and compares
/// stdout and exit codes. `None` when the pipeline does not end in an invocation.
pub fn compare_backends(stages: &[Stage], backend: &str) -> Option<Differential> {
    let other = with_backend(stages, backend)?;
    let direct = run_pipeline(stages);
    let other = run_pipeline(&other);
    let (d, n) = (direct.last()?, other.last()?);
    if n.panic.is_some() || d.panic.is_some() {
        return Some(Differential::Differs(format!(
            "a tool panicked: {:?} / {:?}",
            d.panic, n.panic
        )));
    }
    let refusal = if backend == "llvm" { wasmir_run::LLVM_UNSUPPORTED } else { NATIVE_UNSUPPORTED };
    if n.exit != 0 && String::from_utf8_lossy(&n.stderr).contains(refusal) {
        return Some(Differential::Unsupported);
    }
    if d.stdout == n.stdout && d.exit == n.exit {
        return Some(Differential::Same);
    }
    Some(Differential::Differs(format!(
        "direct: exit {}, stdout {:?}, stderr {:?}\n    {backend}: exit {}, stdout {:?}, stderr {:?}",
        d.exit,
        String::from_utf8_lossy(&d.stdout),
        String::from_utf8_lossy(&d.stderr),
        n.exit,
        String::from_utf8_lossy(&n.stdout),
        String::from_utf8_lossy(&n.stderr),
    )))
}

// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn words(command: &str) -> Vec<Vec<String>> {
        split_words(command).unwrap()
    }

    #[test]
    fn run_lines_in_every_comment_style() {
        let source = "// RUN: a %s\nfoo\n;; RUN: b\n# RUN: c\n  /// RUN: d\nx = \"// RUN: no\"\n";
        let texts: Vec<String> = run_commands(source)
            .unwrap()
            .into_iter()
            .map(|c| c.text)
            .collect();
        assert_eq!(texts, ["a %s", "b", "c", "d"]);
    }

    #[test]
    fn continuation_lines_are_joined() {
        let source = "// RUN: a %s \\\n// RUN:    --flag \\\n// RUN: | b -\n// RUN: c\n";
        let commands = run_commands(source).unwrap();
        assert_eq!(
            commands[0],
            RunCommand {
                line: 1,
                text: "a %s --flag | b -".into()
            }
        );
        assert_eq!(
            commands[1],
            RunCommand {
                line: 4,
                text: "c".into()
            }
        );
        assert!(
            run_commands("// RUN: a \\\nnot a run line\n")
                .unwrap_err()
                .contains("line 2")
        );
        assert!(run_commands("// RUN: a \\\n").is_err());
    }

    #[test]
    fn words_and_pipes() {
        assert_eq!(words("a  b|c -"), [vec!["a", "b"], vec!["c", "-"]]);
        assert_eq!(
            words("a 'x | y' \"p \\\"q\\\" \\n\" r\\ s ''"),
            [vec!["a", "x | y", "p \"q\" \\n", "r s", ""]]
        );
        assert_eq!(words("a '--x=\"y\"'\"'\"z"), [vec!["a", "--x=\"y\"'z"]]);
        assert!(split_words("a 'b").is_err());
        assert!(split_words("a \"b").is_err());
        assert!(
            split_words("a > out")
                .unwrap_err()
                .contains("unsupported shell syntax `>`")
        );
        assert!(split_words("a; b").is_err());
    }

    #[test]
    fn substitutions() {
        let s = Substitutions {
            file: "/r/x.wir".into(),
            dir: "/r".into(),
            temp: "/tmp/t".into(),
        };
        assert_eq!(substitute("%s", &s), "/r/x.wir");
        assert_eq!(substitute("--in=%S/y.wat", &s), "--in=/r/y.wat");
        assert_eq!(substitute("%t.wasm", &s), "/tmp/t.wasm");
        assert_eq!(substitute("100%% %s%", &s), "100% /r/x.wir%");
        assert_eq!(substitute("%%s %x", &s), "%s %x");
    }

    fn echo(_: &[String], stdin: &mut dyn Read, stdout: &mut dyn Write, _: &mut dyn Write) -> i32 {
        std::io::copy(stdin, stdout).unwrap();
        0
    }
    fn print_args(
        args: &[String],
        _: &mut dyn Read,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> i32 {
        writeln!(out, "{}", args.join(" ")).unwrap();
        write!(err, "warning: {}", args[0]).unwrap();
        1
    }
    fn boom(_: &[String], _: &mut dyn Read, out: &mut dyn Write, _: &mut dyn Write) -> i32 {
        write!(out, "partial").unwrap();
        panic!("boom");
    }
    const FAKE_TOOLS: &[(&str, ToolFn)] = &[("echo", echo), ("args", print_args), ("boom", boom)];

    fn run(command: &str) -> Rendered {
        let s = Substitutions {
            file: "/root/lit/dir/case.wir".into(),
            dir: "/root/lit/dir".into(),
            temp: "/tmp/x/case.run1.tmp".into(),
        };
        let stages = parse_pipeline(command, &s, FAKE_TOOLS).unwrap();
        let replacements = [
            (s.temp.clone(), "%t".to_string()),
            ("/root/lit/".to_string(), String::new()),
        ];
        render(command, &run_pipeline(&stages), &replacements)
    }

    #[test]
    fn requirements() {
        assert_eq!(skip_reason("// REQUIRES: llvm\n// RUN: x", &["llvm"]), None);
        assert!(skip_reason("// REQUIRES: llvm\n// RUN: x", &[]).is_some_and(|r| r.contains("`llvm`")));
        assert!(skip_reason("; UNSUPPORTED: llvm", &["llvm"]).is_some());
        assert_eq!(skip_reason("; UNSUPPORTED: llvm", &[]), None);
        // Only in a comment at the start of a line.
        assert_eq!(skip_reason("wasm.custom \"REQUIRES: llvm\"", &[]), None);
    }

    #[test]
    fn pipeline_output() {
        let rendered = run("not args %s -o %t 'a b' | echo");
        assert!(!rendered.panicked);
        assert_eq!(
            rendered.text,
            "$ not args %s -o %t 'a b' | echo\n\
             args dir/case.wir -o %t a b\n\
             --- stderr ---\n\
             warning: args\n\
             --- exit (stage 1): 1 ---\n\
             --- exit: 0 ---\n"
        );
        assert_eq!(run("echo").text, "$ echo\n--- exit: 0 ---\n");
    }

    #[test]
    fn panics_are_recorded() {
        let rendered = run("boom | args x");
        assert!(rendered.panicked);
        assert!(rendered.text.starts_with(
            "$ boom | args x\nargs x\n--- stderr ---\nPANIC: boom (at tests/harness/src/lib.rs:"
        ));
        assert!(
            rendered
                .text
                .ends_with(")\nwarning: args\n--- exit (stage 1): 101 ---\n--- exit: 1 ---\n")
        );
        // Nested catches each see their own panic.
        let inner = catch_panic(|| catch_panic(|| panic!("inner")).unwrap_err()).unwrap();
        assert!(inner.starts_with("inner (at "), "{inner}");
    }

    #[test]
    fn parse_errors() {
        let s = Substitutions {
            file: String::new(),
            dir: String::new(),
            temp: String::new(),
        };
        let error = |command| parse_pipeline(command, &s, FAKE_TOOLS).err().unwrap();
        assert_eq!(
            error("wasmir-frob %s"),
            "unknown tool `wasmir-frob` (known tools: echo, args, boom)"
        );
        assert!(error("echo | | echo").contains("empty pipeline stage"));
        assert!(error("not").contains("empty pipeline stage"));
        assert_eq!(error("  "), "empty RUN line");
    }
}
