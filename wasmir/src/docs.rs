//! Generates the op reference of `docs/LangRef.md` from the op declarations.
use crate::dialect::{Count, Dialect, OpDef, Syntax};
use std::fmt::Write;

/// Markdown for every op of `dialects`.
pub fn op_reference(dialects: &[&Dialect]) -> String {
    let mut out = String::new();
    for d in dialects {
        let _ = writeln!(out, "### Dialect `{}`\n\n{}\n", d.name, d.summary);
        for op in d.ops {
            write_op(op, &mut out);
        }
    }
    out
}

fn write_op(op: &OpDef, out: &mut String) {
    let _ = writeln!(out, "#### `{}`\n\n{}\n", op.name, op.summary);
    if !op.description.is_empty() {
        let _ = writeln!(out, "{}\n", op.description);
    }
    if !op.example.is_empty() {
        let _ = writeln!(out, "```\n{}\n```\n", op.example);
    }
    let vals = |v: &[crate::dialect::ValueDef]| -> String {
        if v.is_empty() {
            return "none".into();
        }
        v.iter()
            .map(|x| format!("`{}`: {}{}", x.name, x.ty.describe(), if x.variadic { " (variadic)" } else { "" }))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(out, "- operands: {}", vals(op.operands));
    let _ = writeln!(out, "- results: {}", vals(op.results));
    if !op.attrs.is_empty() {
        let a: Vec<String> = op
            .attrs
            .iter()
            .map(|a| format!("`{}`: {}{} — {}", a.name, a.kind.describe(), if a.optional { " (optional)" } else { "" }, a.doc))
            .collect();
        let _ = writeln!(out, "- attributes: {}", a.join("; "));
    }
    if op.regions != Count::Exact(0) {
        let _ = writeln!(out, "- regions: {}", op.regions.describe());
    }
    if op.successors != Count::Exact(0) {
        let _ = writeln!(out, "- successors: {}", op.successors.describe());
    }
    let traits = op.traits.names();
    if !traits.is_empty() {
        let _ = writeln!(out, "- traits: {}", traits.join(", "));
    }
    if let Some(p) = op.parent {
        let _ = writeln!(out, "- parent: `{p}`");
    }
    let syntax = match op.syntax {
        Syntax::GenericOnly => "generic form only",
        Syntax::FixedOperands => "`name %a, %b` (types fixed by the op)",
        Syntax::TypeVarOperands => "`name %a, %b : T`",
        Syntax::Constant => "`name LITERAL`",
        Syntax::VariadicOperands => "`name %a, %b : T1, T2`",
        Syntax::Call => "`name @callee(%a) : (T) -> R`",
        Syntax::Branch => "`name ^bb(%a)`",
        Syntax::CondBranch => "`name %c, ^t(%a), ^f`",
        Syntax::Switch => "`name %flag, [default: ^d, 0: ^b] : T`",
        Syntax::Function => "`name [private|nested] @f(%a: T) [-> R] [export \"n\"] [attributes {…}] [{…}]`",
        Syntax::SymbolRegion => "`name [@sym] [attributes {…}] {…}`",
    };
    let _ = writeln!(out, "- custom form: {syntax}\n");
}
