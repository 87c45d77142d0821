//! The `func` dialect: functions, calls and returns.
use super::TypeConstraint::Any;
use super::*;
use crate::{AttrData, TypeData};

fn verify_func(c: &mut OpChecker<'_>) {
    let Some(fty) = c.function_type_attr("function_type") else { return };
    let (params, results) = match c.ctx.type_data(fty) {
        TypeData::Function { params, results } => (params.clone(), results.clone()),
        _ => return,
    };
    let _ = results;
    for key in ["effects", "inferred_effects"] {
        // An attribute that is no array is reported by the declared kind already.
        if let Some(a) = c.attr(key)
            && matches!(c.ctx.attr_data(a), AttrData::Array(_))
            && let Err(m) = crate::effects::Effects::from_attr(c.ctx, a)
        {
            c.error(format!("`{key}`: {m}")).with_help(format!("the effects are {}; `[]` is none", crate::effects::Effects::all_names()));
        }
    }
    if let Some(v) = c.attr("sym_visibility") {
        let ok = matches!(c.ctx.attr_data(v), AttrData::String(s) if matches!(c.ctx.str(*s), "public" | "private" | "nested"));
        if !ok {
            c.error("`sym_visibility` must be \"public\", \"private\" or \"nested\"");
        }
    }
    match c.entry_block(0) {
        None => {
            if c.attr("sym_visibility").is_none() {
                c.error("a function declaration (no body) cannot be public")
                    .with_help("add `private` after `func.func`, or give the function a body");
            }
            if c.attr("export").is_some() {
                c.error("a function declaration (no body) cannot be exported");
            }
        }
        Some(args) => {
            if args.len() != params.len() {
                c.error(format!(
                    "the entry block has {} arguments but the signature has {} parameters",
                    args.len(),
                    params.len()
                ));
            } else {
                for (i, (&a, &p)) in args.iter().zip(params.iter()).enumerate() {
                    if a != p {
                        let (a, p) = (c.type_str(a), c.type_str(p));
                        c.error(format!("entry block argument {i} has type {a} but parameter {i} is {p}"));
                    }
                }
            }
        }
    }
}

fn verify_return(c: &mut OpChecker<'_>) {
    let Some((_, fty)) = c.enclosing_function() else { return };
    let results = match c.ctx.type_data(fty) {
        TypeData::Function { results, .. } => results.clone(),
        _ => return,
    };
    let got = c.operand_types();
    if got.len() != results.len() {
        let want = c.types_str(&results);
        c.error(format!(
            "returns {} values but the function returns {}",
            got.len(),
            results.len()
        ))
        .with_help(format!("the function's result types are ({want})"));
        return;
    }
    for (i, (&g, &w)) in got.iter().zip(results.iter()).enumerate() {
        if !crate::dialect::wasm_types::matches(c, g, w) {
            let (g, w) = (c.type_str(g), c.type_str(w));
            c.error(format!("returned value {i} has type {g} but the function returns {w}"));
        }
    }
}

fn verify_call(c: &mut OpChecker<'_>) {
    let Some(callee) = c.attr("callee") else { return };
    let Some((target, fty)) = c.resolve_function(callee) else { return };
    let (params, results) = match c.ctx.type_data(fty) {
        TypeData::Function { params, results } => (params.clone(), results.clone()),
        _ => return,
    };
    let args = c.operand_types();
    let res = c.result_types();
    let sig = c.type_str(fty);
    if args.len() != params.len() || res.len() != results.len() {
        c.error(format!(
            "call passes {} arguments and expects {} results, but the callee has type {sig}",
            args.len(),
            res.len()
        ))
        .with_label(target, "callee defined here");
        return;
    }
    for (i, (&a, &p)) in args.iter().zip(params.iter()).enumerate() {
        if !crate::dialect::wasm_types::matches(c, a, p) {
            let (a, p) = (c.type_str(a), c.type_str(p));
            c.error(format!("argument {i} has type {a} but the callee expects {p}"))
                .with_label(target, "callee defined here");
        }
    }
    for (i, (&a, &p)) in res.iter().zip(results.iter()).enumerate() {
        if !crate::dialect::wasm_types::matches(c, p, a) {
            let (a, p) = (c.type_str(a), c.type_str(p));
            c.error(format!("result {i} has type {a} but the callee returns {p}"))
                .with_label(target, "callee defined here");
        }
    }
}

pub static OPS: &[OpDef] = &[
    OpDef {
        name: "func.func",
        summary: "A function: a symbol with a signature and a body (or none, for a declaration).",
        description: "Parameters are the entry block's arguments, written in the signature. \
                      Visibility is public unless `private` or `nested` is written. `export \"name\"` \
                      exports the function from the wasm module under that name; a declaration with \
                      `import \"module\" \"name\"` imports it.",
        attrs: &[
            AttrDef { name: "sym_name", kind: AttrKind::String, optional: false, doc: "the function's symbol", positional: false },
            AttrDef { name: "function_type", kind: AttrKind::FunctionType, optional: false, doc: "the signature", positional: false },
            AttrDef { name: "sym_visibility", kind: AttrKind::String, optional: true, doc: "\"private\" or \"nested\"; public when absent", positional: false },
            AttrDef { name: "export", kind: AttrKind::String, optional: true, doc: "wasm export name", positional: false },
            AttrDef { name: "import", kind: AttrKind::Array, optional: true, doc: "wasm import: module and name (a declaration)", positional: false },
            AttrDef { name: "typedef", kind: AttrKind::SymbolRef, optional: true, doc: "the `wasm.type` that gives the function its type identity (recursion group, supertype)", positional: false },
            AttrDef { name: "exact", kind: AttrKind::Unit, optional: true, doc: "an import that requires exactly its type, not a subtype", positional: false },
            AttrDef { name: "effects", kind: AttrKind::Array, optional: true, doc: "the declared effects, like `[\"reads(mem)\", \"trap\"]` (`[]`: none); `--effect-check` checks a body against them, and an import's are trusted", positional: false },
            AttrDef { name: "inferred_effects", kind: AttrKind::Array, optional: true, doc: "the effects `--infer-effects` computed", positional: false },
        ],
        regions: Count::Exact(1),
        traits: Traits::ISOLATED_FROM_ABOVE.union(Traits::SYMBOL),
        syntax: Syntax::Function,
        verify: Some(verify_func),
        example: "func.func @add(%a: i32, %b: i32) -> i32 export \"add\" {\n  %s = wasm.i32.add %a, %b\n  func.return %s : i32\n}",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "func.call",
        summary: "Calls a function by symbol.",
        operands: &[variadic("args", Any)],
        results: &[variadic("results", Any)],
        attrs: &[AttrDef { name: "callee", kind: AttrKind::SymbolRef, optional: false, doc: "the function called", positional: false }],
        syntax: Syntax::Call,
        verify: Some(verify_call),
        example: "%r = func.call @add(%x, %y) : (i32, i32) -> i32",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "func.return",
        summary: "Returns from the enclosing function with its results.",
        operands: &[variadic("values", Any)],
        traits: Traits::TERMINATOR.union(Traits::RETURN_LIKE).union(Traits::PURE),
        parent: Some("func.func"),
        syntax: Syntax::VariadicOperands,
        verify: Some(verify_return),
        example: "func.return %x, %y : i32, f64",
        ..BASE
    },
];

pub static DIALECT: Dialect = Dialect { name: "func", summary: "Functions, calls and returns.", ops: &[OPS], types: &[] };
