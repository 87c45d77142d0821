//! `--verify-diagnostics`: checks the diagnostics of a run against `// expected-error {{…}}`
//! annotations in the input, as MLIR does. Forms: `expected-error`, `-warning`, `-note` (matches
//! a secondary label), `-remark`; optionally `@+N`, `@-N`, `@above`, `@below`, `@unknown`
//! (a diagnostic with no position); the text in `{{…}}` must occur in the message.
use super::{Diagnostic, Severity, SourceFile, Span};

#[derive(Debug, Clone)]
pub struct Expected {
    pub severity: Severity,
    /// 1-based line, or `None` for `@unknown`.
    pub line: Option<usize>,
    pub text: String,
    pub span: Span,
    pub matched: bool,
}

/// Reads the annotations in `src.text[range]`; malformed ones are reported as errors.
pub fn collect(src: &SourceFile<'_>, range: std::ops::Range<usize>) -> Result<Vec<Expected>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    let text = &src.text[range.clone()];
    let lines: Vec<(usize, &str)> = {
        let mut v = Vec::new();
        let mut off = range.start;
        for l in text.split_inclusive('\n') {
            v.push((off, l));
            off += l.len();
        }
        v
    };
    let first_line = src.line_col(range.start as u32).0;
    let is_annotation = |l: &str| l.contains("expected-error") || l.contains("expected-warning") || l.contains("expected-note") || l.contains("expected-remark");
    for (idx, &(off, line)) in lines.iter().enumerate() {
        let Some(c) = line.find("// expected-") else { continue };
        let rest = &line[c + "// expected-".len()..];
        let (sev, rest) = if let Some(r) = rest.strip_prefix("error") {
            (Severity::Error, r)
        } else if let Some(r) = rest.strip_prefix("warning") {
            (Severity::Warning, r)
        } else if let Some(r) = rest.strip_prefix("note") {
            (Severity::Note, r)
        } else if let Some(r) = rest.strip_prefix("remark") {
            (Severity::Remark, r)
        } else {
            continue;
        };
        let span = Span::new((off + c) as u32, (off + line.trim_end().len()) as u32);
        let rest = rest.trim_start();
        let this_line = first_line + idx;
        let (line_no, rest) = if let Some(r) = rest.strip_prefix('@') {
            let end = r.find(|ch: char| ch.is_whitespace() || ch == '{').unwrap_or(r.len());
            let designator = &r[..end];
            let target = match designator {
                "above" => (0..idx).rev().find(|&j| !is_annotation(lines[j].1)).map(|j| Some(first_line + j)),
                "below" => (idx + 1..lines.len()).find(|&j| !is_annotation(lines[j].1)).map(|j| Some(first_line + j)),
                "unknown" => Some(None),
                d => d.parse::<i64>().ok().and_then(|n| {
                    let l = this_line as i64 + n;
                    (l >= 1).then_some(Some(l as usize))
                }),
            };
            match target {
                Some(t) => (t, &r[end..]),
                None => {
                    let mut d = Diagnostic::error_at(span, format!("bad line designator `@{designator}`"));
                    d.with_help("use @+N, @-N, @above, @below or @unknown");
                    errs.push(d);
                    continue;
                }
            }
        } else {
            (Some(this_line), rest)
        };
        let rest = rest.trim_start();
        let Some(body) = rest.strip_prefix("{{") else {
            errs.push(Diagnostic::error_at(span, "expected `{{` with the expected message after the annotation"));
            continue;
        };
        let Some(end) = body.find("}}") else {
            errs.push(Diagnostic::error_at(span, "the expected message is missing its closing `}}`"));
            continue;
        };
        out.push(Expected { severity: sev, line: line_no, text: body[..end].to_string(), span, matched: false });
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

/// Matches `diags` against `expected`; returns the problems (unexpected diagnostics and
/// expectations that nothing produced), empty when everything matched.
pub fn check(src: &SourceFile<'_>, expected: &mut [Expected], diags: &[Diagnostic]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let find = |sev: Severity, line: Option<usize>, msg: &str, expected: &mut [Expected]| -> bool {
        if let Some(e) = expected.iter_mut().find(|e| !e.matched && e.severity == sev && e.line == line && msg.contains(&e.text)) {
            e.matched = true;
            true
        } else {
            false
        }
    };
    for d in diags {
        let line = d.span.map(|s| src.line_col(s.start).0);
        if !find(d.severity, line, &d.message, expected) {
            let mut u = d.clone();
            u.message = format!("unexpected {}: {}", d.severity.name(), d.message);
            u.severity = Severity::Error;
            problems.push(u);
        }
        for l in &d.labels {
            // Labels are matched by `expected-note` when one names them; otherwise they are fine.
            let line = Some(src.line_col(l.span.start).0);
            find(Severity::Note, line, &l.message, expected);
        }
    }
    for e in expected.iter().filter(|e| !e.matched) {
        let mut d = Diagnostic::error_at(e.span, format!("expected {} \"{}\" was not produced", e.severity.name(), e.text));
        if let Some(l) = e.line {
            d.with_help(format!("no {} with this text was reported on line {l}", e.severity.name()));
        }
        problems.push(d);
    }
    problems
}
