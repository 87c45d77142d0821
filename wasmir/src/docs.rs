//! Generates the op reference of `docs/LangRef.md` from the op declarations.
use crate::dialect::{Count, Dialect, OpDef, Syntax};
use std::fmt::Write;

/// Markdown for every op of `dialects`. Ops that are fully described by their operand and result
/// types (one wasm instruction each) go in one table per dialect; the others get a section each.
pub fn op_reference(dialects: &[&Dialect]) -> String {
    let mut out = String::new();
    for d in dialects {
        let _ = writeln!(out, "### Dialect `{}`\n\n{}\n", d.name, d.summary);
        let (simple, full): (Vec<&OpDef>, Vec<&OpDef>) = d.all_ops().partition(|op| is_simple(op));
        for op in full {
            write_op(op, &mut out);
        }
        if !simple.is_empty() {
            let _ = writeln!(
                out,
                "#### Instructions of `{}`\n\nEach is written `%r = NAME %a[, %b]`; operand and result \
                 types are fixed by the op, so the custom form spells none.\n",
                d.name
            );
            let _ = writeln!(out, "| op | type | traits | semantics |\n|---|---|---|---|");
            for op in simple {
                let tys = |v: &[crate::dialect::ValueDef]| v.iter().map(|x| x.ty.describe()).collect::<Vec<_>>().join(", ");
                let _ = writeln!(
                    out,
                    "| `{}` | ({}) -> {} | {} | {} |",
                    op.name,
                    tys(op.operands),
                    tys(op.results),
                    op.traits.names().join(", "),
                    op.summary
                );
            }
            out.push('\n');
        }
    }
    out
}

fn is_simple(op: &OpDef) -> bool {
    op.syntax == Syntax::FixedOperands
        && op.attrs.is_empty()
        && op.description.is_empty()
        && op.regions == Count::Exact(0)
        && op.successors == Count::Exact(0)
        && op.parent.is_none()
        && op.verify.is_none()
        && op.results.len() == 1
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
    let effects = crate::effects::op_effects(op);
    if !effects.is_empty() {
        let names: Vec<&str> = effects.iter().map(|e| e.name()).collect();
        let _ = writeln!(out, "- effects: {}", names.join(", "));
    }
    if let Some(p) = op.parent {
        let _ = writeln!(out, "- parent: `{p}`");
    }
    let keyword;
    let syntax = match op.syntax {
        Syntax::Keyword => {
            keyword = keyword_synopsis(op);
            keyword.as_str()
        }
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

/// The keyword form of `op`, read off its definition: `name @pos %operand [kw N] : …`.
fn keyword_synopsis(op: &OpDef) -> String {
    use crate::dialect::{AttrKind, Sig};
    let mut s = format!("`{}", op.printed_name());
    let value = |k: AttrKind, name: &str| match k {
        AttrKind::SymbolRef => "@sym".to_string(),
        AttrKind::String if name == "sym_name" => "@name".to_string(),
        AttrKind::String => "\"…\"".to_string(),
        AttrKind::Int => "N".to_string(),
        AttrKind::Array => "ITEM…".to_string(),
        AttrKind::Bool => "true|false".to_string(),
        _ => "…".to_string(),
    };
    for a in op.attrs.iter().filter(|a| a.positional) {
        let v = value(a.kind, a.name);
        s.push(' ');
        s.push_str(&if a.optional { format!("[{v}]") } else { v });
    }
    for (i, o) in op.operands.iter().enumerate() {
        s.push_str(if i == 0 { " " } else { ", " });
        s.push('%');
        s.push_str(o.name);
        if o.variadic {
            s.push('…');
        }
    }
    for a in op.attrs.iter().filter(|a| !a.positional && !(a.name == "type" && matches!(op.sig, Sig::TypeAttr | Sig::FuncType)) && !(a.name == "fields" && op.sig == Sig::Fields)) {
        let kw = if a.kind == AttrKind::Unit { a.name.to_string() } else { format!("{} {}", a.name, value(a.kind, a.name)) };
        s.push(' ');
        s.push_str(&if a.optional { format!("[{kw}]") } else { kw });
    }
    s.push_str(match op.sig {
        Sig::None => "",
        Sig::Var => " : T",
        Sig::TypeAttr => " : TYPE",
        Sig::Variadic => " : T…",
        Sig::Results => " [: R…]",
        Sig::FuncType => " : (P…) -> (R…)",
        Sig::Fields => " : T…",
    });
    if op.regions != crate::dialect::Count::Exact(0) {
        s.push_str(" {…}");
        for k in op.region_keywords {
            s.push_str(&format!(" [{k} {{…}}]"));
        }
    }
    s.push('`');
    s
}

/// Markers around the generated part of `docs/Passes.md`.
pub const PASSES_BEGIN: &str = "<!-- BEGIN GENERATED: pass reference (cargo test -p wasmir docs; WASMIR_BLESS_DOCS=1 rewrites) -->";
pub const PASSES_END: &str = "<!-- END GENERATED: pass reference -->";

/// Markers around the generated part of `docs/LangRef.md`.
pub const BEGIN_MARKER: &str = "<!-- BEGIN GENERATED: op reference (cargo test -p wasmir docs; WASMIR_BLESS_DOCS=1 rewrites) -->";
pub const END_MARKER: &str = "<!-- END GENERATED: op reference -->";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::Traits;
    use crate::{Context, ParseOptions, PrintOptions};

    /// `docs/LangRef.md` holds exactly what the op declarations generate.
    #[test]
    fn langref_matches_declarations() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/LangRef.md");
        let text = std::fs::read_to_string(&path).expect("docs/LangRef.md exists");
        let start = text.find(BEGIN_MARKER).expect("LangRef.md has the begin marker") + BEGIN_MARKER.len();
        let end = text.find(END_MARKER).expect("LangRef.md has the end marker");
        let ctx = Context::new();
        let generated = format!("\n\n{}", op_reference(ctx.dialects()));
        if text[start..end] != generated {
            if std::env::var_os("WASMIR_BLESS_DOCS").is_some() {
                let new = format!("{}{}{}", &text[..start], generated, &text[end..]);
                std::fs::write(&path, new).expect("write LangRef.md");
            } else {
                panic!("docs/LangRef.md is out of date with the op declarations; run `WASMIR_BLESS_DOCS=1 cargo test -p wasmir docs` and commit it");
            }
        }
    }

    /// `docs/Passes.md` holds exactly what the pass registry generates.
    #[test]
    fn passes_doc_matches_registry() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/Passes.md");
        let text = std::fs::read_to_string(&path).expect("docs/Passes.md exists");
        let start = text.find(PASSES_BEGIN).expect("Passes.md has the begin marker") + PASSES_BEGIN.len();
        let end = text.find(PASSES_END).expect("Passes.md has the end marker");
        let generated = format!("\n\n{}", crate::pass::reference());
        if text[start..end] != generated {
            if std::env::var_os("WASMIR_BLESS_DOCS").is_some() {
                let new = format!("{}{}{}", &text[..start], generated, &text[end..]);
                std::fs::write(&path, new).expect("write Passes.md");
            } else {
                panic!("docs/Passes.md is out of date with the pass registry; run `WASMIR_BLESS_DOCS=1 cargo test -p wasmir docs` and commit it");
            }
        }
    }

    /// Every op's documented example parses, verifies inside a function, and round-trips through
    /// the custom and the generic form.
    #[test]
    fn every_example_round_trips() {
        let ctx0 = Context::new();
        let mut checked = 0;
        for d in ctx0.dialects() {
            for op in d.all_ops() {
                assert!(!op.example.is_empty(), "{} has no example", op.name);
                let src = example_module(op);
                let mut ctx = Context::new();
                let m = crate::parse(&mut ctx, &src, ParseOptions::default())
                    .unwrap_or_else(|e| panic!("example of {} does not parse: {:?}\n{src}", op.name, e));
                let errs = crate::verify(&ctx, &m);
                assert!(errs.is_empty(), "example of {} does not verify: {:?}\n{src}", op.name, errs);
                let custom = crate::print_module(&ctx, &m, PrintOptions::default());
                assert!(custom.contains(op.printed_name()), "{} is not printed in custom form:\n{custom}", op.name);
                let generic = crate::print_module(&ctx, &m, PrintOptions { generic: true, debuginfo: false });
                for text in [&custom, &generic] {
                    let mut ctx2 = Context::new();
                    let m2 = crate::parse(&mut ctx2, text, ParseOptions::default())
                        .unwrap_or_else(|e| panic!("printed {} does not re-parse: {:?}\n{text}", op.name, e));
                    assert_eq!(crate::print_module(&ctx2, &m2, PrintOptions::default()), custom, "{} changes in a round trip", op.name);
                }
                checked += 1;
            }
        }
        assert!(checked >= 148, "only {checked} ops checked");
    }

    /// Module items and a function defining the names the `wasm` examples use.
    fn wasm_example_module(op: &OpDef) -> String {
        use crate::dialect::TypeConstraint as T;
        let ex = op.example;
        let prelude = "wasm.memory @mem min 1\nwasm.table @table min 4 : funcref\n\
            wasm.global @counter mutable : i32 {\n  %z = wasm.i32.const 0\n  wasm.yield %z : i32\n}\n\
            wasm.data @data \"x\"\n\
            wasm.elem @elems : funcref {\n  %e = wasm.ref.func @callee : funcref\n  wasm.yield %e : funcref\n}\n\
            func.func @callee(%a: i32) -> i32 {\n  func.return %a : i32\n}\n\
            func.func @f(%a: i32) -> i32 {\n  func.return %a : i32\n}\n\
            func.func @init() {\n  func.return\n}\n\
            wasm.tag @oops : (i32) -> ()\n\
            wasm.type @point struct mutable 1 : i32, i32\n\
            wasm.type @packed struct : i8\n\
            wasm.type @bytes array mutable 0 : i8\n\
            wasm.type @words array mutable 0 : i32\n\
            wasm.type @fnarr array mutable 0 : funcref\n\
            wasm.type @sig func : (i32) -> i32\n";
        let module_level = op.has(Traits::SYMBOL) || matches!(op.name, "wasm.export" | "wasm.start" | "wasm.custom");
        if module_level {
            return format!("{prelude}{ex}");
        }
        // `%v` takes the type of the stored (or compared) value.
        let v = match op.operands.iter().find(|o| matches!(o.name, "value" | "expected")).map(|o| o.ty) {
            Some(T::I64) => "i64",
            Some(T::F32) => "f32",
            Some(T::F64) => "f64",
            Some(T::V128) => "v128",
            _ => "i32",
        };
        let terminator = op.has(Traits::TERMINATOR);
        let returns = op.name.contains("return");
        let body = match op.name {
            "wasm.br" => format!("%blk = wasm.block : i32 {{\n^bb0(%exit: !wasm.label):\n  {ex}\n}}\nfunc.return"),
            "wasm.br_if" => format!("%blk = wasm.block : i32 {{\n^bb0(%exit: !wasm.label):\n  {ex}\n  wasm.yield %v : i32\n}}\nfunc.return"),
            "wasm.br_table" => format!(
                "%r1 = wasm.block : i32 {{\n^bb0(%default: !wasm.label):\n\
                 %r2 = wasm.block : i32 {{\n^bb0(%b: !wasm.label):\n\
                 %r3 = wasm.block : i32 {{\n^bb0(%a: !wasm.label):\n  {ex}\n}}\n\
                 wasm.yield %r3 : i32\n}}\nwasm.yield %r2 : i32\n}}\nfunc.return"
            ),
            "wasm.yield" => format!("%blk:2 = wasm.block : i32, i32 {{\n  {ex}\n}}\nfunc.return"),
            // The `br_on_*` branches: a block whose label takes what the branch passes.
            "wasm.br_on_null" => format!("wasm.block {{\n^bb0(%exit: !wasm.label):\n  {ex}\n  wasm.unreachable\n}}\nfunc.return"),
            "wasm.br_on_non_null" => format!("%blk = wasm.block : !wasm.ref<any> {{\n^bb0(%exit: !wasm.label):\n  {ex}\n  wasm.unreachable\n}}\nfunc.return"),
            "wasm.br_on_cast" => format!("%blk = wasm.block : !wasm.ref<@point> {{\n^bb0(%exit: !wasm.label):\n  {ex}\n  wasm.unreachable\n}}\nfunc.return"),
            "wasm.br_on_cast_fail" => format!("%blk = wasm.block : anyref {{\n^bb0(%exit: !wasm.label):\n  {ex}\n  wasm.unreachable\n}}\nfunc.return"),
            _ if terminator => ex.to_string(),
            _ => format!("{ex}\nfunc.return"),
        };
        let result = if returns { " -> i32" } else { "" };
        format!(
            "{prelude}func.func @t(%x: i32, %addr: i32, %i: i32, %n: i32, %d: i32, %s: i32, %delta: i32, %c: i32, \
             %v: {v}, %f: funcref, %null: funcref, %r: funcref, %exn: exnref, %va: v128, %vb: v128, %timeout: i64, \
             %pt: !wasm.ref<@point>, %pk: !wasm.ref<@packed>, %by: !wasm.ref<@bytes>, %wd: !wasm.ref<@words>, \
             %fa: !wasm.ref<@fnarr>, %an: anyref, %ex: externref, %iv: !wasm.ref<i31>, %fnr: !wasm.ref<@sig>){result} {{\n  %l = wasm.local : i32\n{body}\n}}"
        )
    }

    /// Wraps an op's example in a module that defines every value it uses.
    fn example_module(op: &OpDef) -> String {
        let ex = op.example;
        if ex.starts_with("module") || ex.starts_with("func.func") {
            return ex.to_string();
        }
        let crypto = "cm.interface @crypto {\n  cm.resource @key-pair\n}\n";
        let demo = |inner: &str| format!("cm.interface @demo {{\n  {inner}\n}}");
        match op.name {
            "cm.interface" | "cm.world" => ex.to_string(),
            "cm.import" | "cm.export" => format!("{crypto}cm.world @w {{\n  {ex}\n}}"),
            "cm.use" => format!("{crypto}{}", demo(ex)),
            "cm.func" => demo(&format!("cm.resource @key-pair\n  {ex}")),
            "cm.field" => demo(&format!("cm.record @r {{\n    {ex}\n  }}")),
            "cm.case" => demo(&format!("cm.variant @v {{\n    {ex}\n  }}")),
            n if n.starts_with("cm.resource.") || n == "cm.borrow" => format!(
                "{crypto}func.func @t(%rep: i32, %h: !cm.own<@crypto::@key-pair>, %b: !cm.borrow<@crypto::@key-pair>) {{\n  {ex}\n  func.return\n}}"
            ),
            "cm.lift" | "cm.lower" => format!("func.func @t(%ptr: i32, %len: i32, %str: !cm.string) {{\n  {ex}\n  func.return\n}}"),
            n if n.starts_with("cm.") => demo(ex),
            n if n.starts_with("own.") => format!(
                "func.func @t(%v: i32, %x: !own.linear<i32>, %b: !own.borrow<i32>) {{\n  {ex}\n  func.return\n}}"
            ),
            "func.call" => format!(
                "func.func private @add(i32, i32) -> i32\nfunc.func @t(%x: i32, %y: i32) {{\n  {ex}\n  func.return\n}}"
            ),
            "func.return" => format!("func.func @t(%x: i32, %y: f64) -> (i32, f64) {{\n  {ex}\n}}"),
            "cf.br" => format!(
                "func.func @t(%i: i32, %acc: i64) {{\n  {ex}\n^loop(%a: i32, %b: i64):\n  func.return\n}}"
            ),
            "cf.cond_br" => format!(
                "func.func @t(%c: i32, %x: f32) {{\n  {ex}\n^then(%a: f32):\n  func.return\n^else:\n  func.return\n}}"
            ),
            "cf.switch" => format!(
                "func.func @t(%flag: i32, %x: i64) {{\n  {ex}\n^other:\n  func.return\n^zero(%a: i64):\n  func.return\n^one:\n  func.return\n}}"
            ),
            _ if op.syntax == crate::dialect::Syntax::Keyword => wasm_example_module(op),
            _ => {
                // Numeric ops: operands named %x/%y/%c of the declared types.
                let ty = |c: crate::dialect::TypeConstraint| match c {
                    crate::dialect::TypeConstraint::I64 => "i64",
                    crate::dialect::TypeConstraint::F32 => "f32",
                    crate::dialect::TypeConstraint::F64 => "f64",
                    _ => "i32",
                };
                let (x, y) = match op.operands {
                    [a] => (ty(a.ty), "i32"),
                    [a, b] => (ty(a.ty), ty(b.ty)),
                    // select: condition first; the example's alternatives are i64
                    [_, _, _] => ("i64", "i64"),
                    // wide arithmetic: two 128-bit values as halves
                    [a, _, _, _] => (ty(a.ty), ty(a.ty)),
                    _ => ("i32", "i32"),
                };
                if op.operands.is_empty() {
                    return format!("func.func @t() {{\n  {ex}\n  func.return\n}}");
                }
                format!("func.func @t(%x: {x}, %y: {y}, %c: i32) {{\n  {ex}\n  func.return\n}}")
            }
        }
    }
}
