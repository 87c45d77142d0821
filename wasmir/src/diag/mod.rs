//! Diagnostics: errors, warnings, notes and remarks tied to byte spans of the input text, rendered
//! with ariadne. Every stage reports through [`Diagnostic`] so tools print them one way.
pub mod expect;

use ariadne::{Config, IndexType, Label as ALabel, Report, ReportKind, Source};

/// A byte range of the input. Empty means "no position known".
#[derive(Copy, Clone, Default, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: u32, end: u32) -> Self {
        Span { start, end }
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Note,
    Remark,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
            Severity::Remark => "remark",
        }
    }
}

/// A secondary position with its own message ("defined here").
#[derive(Clone, Debug)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Where the problem is; `None` when the construct has no position in the text (for
    /// instance an op created by a pass), in which case `context` says what it is.
    pub span: Option<Span>,
    pub message: String,
    /// What the primary span is, when no span is known (e.g. the printed op).
    pub context: Option<String>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, span: Option<Span>, message: impl Into<String>) -> Self {
        Diagnostic { severity, span, message: message.into(), context: None, labels: Vec::new(), help: None }
    }
    pub fn error(span: Option<Span>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, span, message)
    }
    pub fn error_at(span: Span, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, Some(span), message)
    }
    pub fn with_label(&mut self, span: Option<Span>, message: impl Into<String>) -> &mut Self {
        if let Some(span) = span {
            self.labels.push(Label { span, message: message.into() });
        }
        self
    }
    pub fn with_help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }
    pub fn with_context(&mut self, context: impl Into<String>) -> &mut Self {
        self.context = Some(context.into());
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The text diagnostics point into, with a name for the report header.
#[derive(Clone, Copy)]
pub struct SourceFile<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

impl SourceFile<'_> {
    /// 1-based line and column (in characters) of byte offset `pos`.
    pub fn line_col(&self, pos: u32) -> (usize, usize) {
        let pos = (pos as usize).min(self.text.len());
        let before = &self.text[..floor_char_boundary(self.text, pos)];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let col = before.rfind('\n').map_or(before.chars().count(), |i| before[i + 1..].chars().count()) + 1;
        (line, col)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Renders `diag` as text (no colour), pointing into `src`.
pub fn render(diag: &Diagnostic, src: &SourceFile<'_>) -> String {
    let kind = match diag.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
        Severity::Note => ReportKind::Custom("note", ariadne::Color::Blue),
        Severity::Remark => ReportKind::Custom("remark", ariadne::Color::Blue),
    };
    let len = src.text.len();
    let clamp = |s: Span| {
        let a = floor_char_boundary(src.text, (s.start as usize).min(len));
        let b = floor_char_boundary(src.text, (s.end as usize).min(len)).max(a);
        a..b
    };
    let Some(span) = diag.span else {
        let mut out = format!("{}: {}\n", diag.severity.name(), diag.message);
        if let Some(c) = &diag.context {
            out.push_str(&format!("  in: {c}\n"));
        }
        if let Some(h) = &diag.help {
            out.push_str(&format!("  help: {h}\n"));
        }
        return out;
    };
    let name = src.name.to_string();
    let primary = clamp(span);
    let mut report = Report::build(kind, (name.clone(), primary.clone()))
        .with_config(Config::default().with_color(false).with_index_type(IndexType::Byte))
        .with_message(&diag.message)
        .with_label(ALabel::new((name.clone(), primary)).with_message(primary_label(diag)));
    for l in &diag.labels {
        report = report.with_label(ALabel::new((name.clone(), clamp(l.span))).with_message(&l.message));
    }
    if let Some(h) = &diag.help {
        report = report.with_help(h);
    }
    let mut out = Vec::new();
    let _ = report.finish().write((name, Source::from(src.text)), &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn primary_label(diag: &Diagnostic) -> String {
    match diag.severity {
        Severity::Error => "here".into(),
        _ => diag.severity.name().into(),
    }
}

/// Renders every diagnostic in order.
pub fn render_all(diags: &[Diagnostic], src: &SourceFile<'_>) -> String {
    diags.iter().map(|d| render(d, src)).collect()
}
