//! The textual pipeline: `module(func(dce),other{key=value})`.
//!
//! A pipeline lists passes, separated by commas, optionally nested under an anchor: `module(…)`
//! (the whole module) or `func(…)` (each `func.func`). A function pass written at module level
//! runs on every function. Errors point into the pipeline text.
use super::{Level, PassInfo};
use crate::diag::{Diagnostic, Span};

/// What a nest runs on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Anchor {
    Module,
    Func,
}

/// One element of a pipeline.
#[derive(Clone, Debug)]
pub enum Node {
    Pass { info: &'static PassInfo, options: Vec<(String, String)>, span: Span },
    Nest { anchor: Anchor, children: Vec<Node>, span: Span },
}

impl std::fmt::Debug for PassInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// A parsed pipeline: the passes that run on the module, in order.
#[derive(Clone, Debug, Default)]
pub struct Pipeline {
    pub nodes: Vec<Node>,
}

impl Pipeline {
    /// Adds a pass at module level (a function pass then runs on every function).
    pub fn push(&mut self, info: &'static PassInfo, options: Vec<(String, String)>) {
        self.nodes.push(Node::Pass { info, options, span: Span::new(0, 0) });
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The canonical text: every pass under its anchor, consecutive function passes in one
    /// `func(…)`: `module(func(dce,dce))`.
    pub fn to_text(&self) -> String {
        let mut out = String::from("module(");
        let mut in_func = false;
        let mut first = true;
        // Flatten the nests: the anchors are implied by each pass's level.
        let mut stack: Vec<std::slice::Iter<'_, Node>> = vec![self.nodes.iter()];
        while let Some(it) = stack.last_mut() {
            let Some(n) = it.next() else {
                stack.pop();
                continue;
            };
            match n {
                Node::Nest { children, .. } => stack.push(children.iter()),
                Node::Pass { info, options, .. } => {
                    let func = info.level == Level::Function;
                    if func != in_func {
                        if in_func {
                            out.push(')');
                        }
                        if !first {
                            out.push(',');
                        }
                        if func {
                            out.push_str("func(");
                        }
                        in_func = func;
                        // The separator, or the opening of the nest, is written.
                        first = true;
                    }
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    out.push_str(info.name);
                    if !options.is_empty() {
                        out.push('{');
                        let parts: Vec<String> = options.iter().map(|(k, v)| format!("{k}={v}")).collect();
                        out.push_str(&parts.join(" "));
                        out.push('}');
                    }
                }
            }
        }
        if in_func {
            out.push(')');
        }
        out.push(')');
        out
    }
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
}

/// Parses a pipeline; the error's span is a byte range of `text`.
pub fn parse(text: &str) -> Result<Pipeline, Diagnostic> {
    let b = text.as_bytes();
    let mut i = 0;
    let err = |s: usize, e: usize, m: String| Diagnostic::error_at(Span::new(s as u32, e.max(s + 1).min(b.len().max(1)) as u32), m);
    // Open nests: (anchor, children, start).
    let mut stack: Vec<(Option<Anchor>, Vec<Node>, usize)> = vec![(None, Vec::new(), 0)];
    let skip_ws = |i: &mut usize| {
        while *i < b.len() && b[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    let mut expect_item = true;
    loop {
        skip_ws(&mut i);
        if i >= b.len() {
            break;
        }
        match b[i] {
            b',' if !expect_item => {
                i += 1;
                expect_item = true;
            }
            b')' if !expect_item || stack.last().is_some_and(|s| s.1.is_empty()) => {
                if stack.len() == 1 {
                    return Err(err(i, i + 1, "unmatched `)`".into()));
                }
                let (anchor, children, start) = stack.pop().expect("checked");
                let node = Node::Nest { anchor: anchor.expect("nests have anchors"), children, span: Span::new(start as u32, (i + 1) as u32) };
                stack.last_mut().expect("outer").1.push(node);
                i += 1;
                expect_item = false;
            }
            c if is_word(c) && expect_item => {
                let s = i;
                while i < b.len() && is_word(b[i]) {
                    i += 1;
                }
                let word = &text[s..i];
                skip_ws(&mut i);
                if i < b.len() && b[i] == b'(' {
                    let anchor = match word {
                        "module" | "builtin.module" => Anchor::Module,
                        "func" | "func.func" => Anchor::Func,
                        _ => return Err(err(s, i, format!("unknown anchor `{word}`: nest passes under `module(…)` or `func(…)`"))),
                    };
                    let outer = stack.last().and_then(|x| x.0);
                    if anchor == Anchor::Module && outer.is_some() {
                        return Err(err(s, i, "`module(…)` can only be the outermost nest".into()));
                    }
                    if anchor == Anchor::Func && outer == Some(Anchor::Func) {
                        return Err(err(s, i, "`func(…)` cannot be nested in `func(…)`".into()));
                    }
                    stack.push((Some(anchor), Vec::new(), s));
                    i += 1;
                    expect_item = true;
                    continue;
                }
                let Some(info) = super::lookup(word) else {
                    let known: Vec<&str> = super::REGISTRY.iter().map(|p| p.name).collect();
                    return Err(err(s, s + word.len(), format!("unknown pass `{word}`; the passes are: {}", known.join(", "))));
                };
                if info.level == Level::Module && stack.last().and_then(|x| x.0) == Some(Anchor::Func) {
                    return Err(err(s, s + word.len(), format!("`{word}` runs on the whole module; it cannot be nested in `func(…)`")));
                }
                let mut options = Vec::new();
                if i < b.len() && b[i] == b'{' {
                    let open = i;
                    i += 1;
                    loop {
                        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b',') {
                            i += 1;
                        }
                        if i >= b.len() {
                            return Err(err(open, open + 1, "unterminated `{`".into()));
                        }
                        if b[i] == b'}' {
                            i += 1;
                            break;
                        }
                        let ks = i;
                        while i < b.len() && is_word(b[i]) {
                            i += 1;
                        }
                        let key = &text[ks..i];
                        if key.is_empty() || i >= b.len() || b[i] != b'=' {
                            return Err(err(ks, i.max(ks + 1), "expected `key=value` in pass options".into()));
                        }
                        i += 1;
                        let vs = i;
                        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'}' && b[i] != b',' {
                            i += 1;
                        }
                        let value = &text[vs..i];
                        if !info.options.iter().any(|o| o.name == key) {
                            let known: Vec<&str> = info.options.iter().map(|o| o.name).collect();
                            let hint = if known.is_empty() { "it takes none".to_string() } else { format!("it takes {}", known.join(", ")) };
                            return Err(err(ks, ks + key.len(), format!("`{}` has no option `{key}`; {hint}", info.name)));
                        }
                        options.push((key.to_string(), value.to_string()));
                    }
                }
                if let Err(m) = (info.create)(&options) {
                    return Err(err(s, i, m));
                }
                stack.last_mut().expect("nest").1.push(Node::Pass { info, options, span: Span::new(s as u32, i as u32) });
                expect_item = false;
            }
            _ => {
                let what = if expect_item { "a pass name or `module(`/`func(`" } else { "`,` or `)`" };
                return Err(err(i, i + 1, format!("expected {what}, found `{}`", &text[i..].chars().next().unwrap_or(' '))));
            }
        }
    }
    if stack.len() > 1 {
        let start = stack.last().expect("open").2;
        return Err(err(start, text.len(), "unterminated nest: a `)` is missing".into()));
    }
    if expect_item && !stack[0].1.is_empty() {
        return Err(err(text.len().saturating_sub(1), text.len(), "expected a pass after `,`".into()));
    }
    let (_, nodes, _) = stack.pop().expect("root");
    Ok(Pipeline { nodes })
}
