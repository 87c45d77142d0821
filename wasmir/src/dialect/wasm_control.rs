//! The `wasm` dialect, control: structured control flow as region ops, branches to labels,
//! returns and tail calls, locals and indirect calls.
//!
//! A structured op (`wasm.block`, `wasm.loop`, `wasm.if`) holds single-block regions. A branch
//! names its target by a *label*: a `!wasm.label` value that is the first argument of the
//! target region's entry block. A label is visible only inside its region, so SSA visibility
//! alone guarantees that every branch targets an enclosing construct, and moving code never
//! silently retargets a branch (as relative depths would). A region nobody branches to may leave
//! the label out. A branch to a `block` or `if` label exits it, passing the op's results; a
//! branch to a `loop` label restarts the loop, passing new values for the loop's parameters (its
//! entry arguments after the label). Falling off the end of a region is `wasm.yield`.
use super::TypeConstraint::*;
use super::*;
use crate::ir::{Body, Op, Type, TypeData, Value, ValueDef};

/// The op a label belongs to, whether it is a loop, and the types a branch to it carries.
pub fn label_target(ctx: &crate::Context, body: &Body, label: Value) -> Option<(Op, bool, Vec<Type>)> {
    let ValueDef::Arg(block, 0) = body.value_def(label) else { return None };
    let region = body.region_of(block)?;
    if body.first_block(region) != Some(block) {
        return None;
    }
    let op = body.region_parent(region)?;
    let name = ctx.op_name(body.opcode(op));
    match name {
        "wasm.loop" => Some((op, true, body.block_args(block)[1..].iter().map(|&v| body.value_type(v)).collect())),
        "wasm.block" | "wasm.if" | "wasm.try_table" => Some((op, false, body.results(op).map(|v| body.value_type(v)).collect())),
        _ => None,
    }
}

fn body_of<'a>(c: &OpChecker<'a>) -> &'a Body {
    c.module.body(c.op.body)
}

/// Checks that `args` fit the types a branch to `label` carries.
fn check_branch(c: &mut OpChecker<'_>, label: Value, args: &[Value]) {
    let body = body_of(c);
    if body.value_type(label) != c.ctx.label_type() {
        return; // the operand constraint reports it
    }
    let Some((_, _, want)) = label_target(c.ctx, body, label) else {
        c.error("the target is not a label of an enclosing `wasm.block`, `wasm.loop` or `wasm.if`")
            .with_help("a label is the first argument of a structured op's entry block");
        return;
    };
    let got: Vec<Type> = args.iter().map(|&v| body.value_type(v)).collect();
    if !super::wasm_types::all_match(c, &got, &want) {
        let (g, w) = (c.types_str(&got), c.types_str(&want));
        c.error(format!("the branch passes ({g}) but its target takes ({w})"));
    }
}

fn verify_br(c: &mut OpChecker<'_>) {
    let ops: Vec<Value> = body_of(c).operands(c.op.op).collect();
    check_branch(c, ops[0], &ops[1..]);
}

fn verify_br_if(c: &mut OpChecker<'_>) {
    let ops: Vec<Value> = body_of(c).operands(c.op.op).collect();
    if ops.len() >= 2 {
        check_branch(c, ops[0], &ops[2..]);
    }
}

fn verify_br_table(c: &mut OpChecker<'_>) {
    let body = body_of(c);
    let ops: Vec<Value> = body.operands(c.op.op).collect();
    let label = c.ctx.label_type();
    let n = ops[1..].iter().take_while(|&&v| body.value_type(v) == label).count();
    if n == 0 {
        c.error("`wasm.br_table` needs at least one target label (the last is the default)");
        return;
    }
    let args = &ops[1 + n..];
    if args.iter().any(|&v| body.value_type(v) == label) {
        c.error("the labels of `wasm.br_table` must all come before its arguments");
        return;
    }
    for &l in &ops[1..1 + n] {
        check_branch(c, l, args);
    }
}

/// The entry block of each region has no argument, or the label, then (for a loop) the params.
fn verify_structured(c: &mut OpChecker<'_>) {
    let body = body_of(c);
    let op = c.op.op;
    let is_loop = c.ctx.op_name(body.opcode(op)) == "wasm.loop";
    let label = c.ctx.label_type();
    let operand_types: Vec<Type> = body.operands(op).map(|v| body.value_type(v)).collect();
    let regions = body.regions(op).to_vec();
    if c.ctx.op_name(body.opcode(op)) == "wasm.if" && regions.len() > 2 {
        c.error("`wasm.if` has a then region and at most an else region");
    }
    for (i, r) in regions.into_iter().enumerate() {
        let Some(entry) = body.first_block(r) else {
            if i == 0 {
                c.error("the region of a structured op needs its block");
            }
            continue;
        };
        if body.next_block(entry).is_some() {
            c.error("a structured op's region has exactly one block; use `cf` branches only in function bodies in CFG form");
        }
        let args: Vec<Type> = body.block_args(entry).iter().map(|&v| body.value_type(v)).collect();
        if let Some(&first) = args.first() {
            if first != label {
                let t = c.type_str(first);
                c.error(format!("the first entry argument of region #{i} must be the label `!wasm.label`, not {t}"));
                continue;
            }
        }
        let params = if args.is_empty() { &[][..] } else { &args[1..] };
        if is_loop {
            let want: &[Type] = if operand_types.is_empty() { &[] } else { &operand_types[..] };
            if params != want && !(args.is_empty() && operand_types.is_empty()) {
                let (g, w) = (c.types_str(params), c.types_str(want));
                c.error(format!("the loop's parameters are ({g}) but its initial values are ({w})"))
                    .with_help("the entry block takes `%label: !wasm.label` and then one argument per operand");
            }
        } else if !params.is_empty() {
            c.error("only the label may be an entry argument here: values from outside are visible inside the region");
        }
    }
}

/// `wasm.yield` returns to the parent: a structured op's results, or an initializer's value.
fn verify_yield(c: &mut OpChecker<'_>) {
    let Some(parent) = c.module.parent_op(c.op) else { return };
    let pb = c.module.body(parent.body);
    let pname = c.ctx.op_name(pb.opcode(parent.op));
    let got: Vec<Type> = body_of(c).operands(c.op.op).map(|v| body_of(c).value_type(v)).collect();
    let want: Vec<Type> = match pname {
        "wasm.block" | "wasm.loop" | "wasm.if" | "wasm.try_table" => pb.results(parent.op).map(|v| pb.value_type(v)).collect(),
        "wasm.global" | "wasm.table" => match c.ctx.dict_get(pb.op(parent.op).attrs, "type").map(|a| c.ctx.attr_data(a)) {
            Some(crate::AttrData::Type(t)) => vec![*t],
            _ => return,
        },
        "wasm.data" => vec![got.first().copied().unwrap_or(c.ctx.i32())],
        "wasm.elem" => {
            let b = body_of(c);
            let is_offset = b.block_of(c.op.op).and_then(|bl| b.region_of(bl)).is_some_and(|r| pb.regions(parent.op).get(1) == Some(&r));
            if is_offset {
                return;
            }
            let Some(crate::AttrData::Type(t)) = c.ctx.dict_get(pb.op(parent.op).attrs, "type").map(|a| c.ctx.attr_data(a)) else { return };
            vec![*t; got.len()]
        }
        _ => {
            c.error(format!("`wasm.yield` ends a region of a structured op or an initializer, not of `{pname}`"));
            return;
        }
    };
    if !super::wasm_types::all_match(c, &got, &want) {
        let (g, w) = (c.types_str(&got), c.types_str(&want));
        c.error(format!("yields ({g}) but `{pname}` expects ({w})"));
    }
}

/// A `return` or tail call must fit the enclosing function's results.
fn check_returns(c: &mut OpChecker<'_>, got: &[Type]) {
    let Some((_, fty)) = c.enclosing_function() else {
        c.error("returns from outside any function");
        return;
    };
    let TypeData::Function { results, .. } = c.ctx.type_data(fty) else { return };
    if !super::wasm_types::all_match(c, got, results) {
        let (g, w) = (c.types_str(got), c.types_str(results));
        c.error(format!("returns ({g}) but the function returns ({w})"));
    }
}

fn verify_return(c: &mut OpChecker<'_>) {
    let got = c.operand_types();
    check_returns(c, &got);
}

fn verify_return_call(c: &mut OpChecker<'_>) {
    let Some(callee) = c.attr("callee") else { return };
    let Some((_, fty)) = c.resolve_function(callee) else { return };
    let TypeData::Function { params, results } = c.ctx.type_data(fty).clone() else { return };
    let got = c.operand_types();
    if !super::wasm_types::all_match(c, &got, &params) {
        let (g, w) = (c.types_str(&got), c.types_str(&params));
        c.error(format!("passes ({g}) but the callee takes ({w})"));
    }
    check_returns(c, &results);
}

fn call_indirect_type(c: &mut OpChecker<'_>) -> Option<(Vec<Type>, Vec<Type>)> {
    let fty = c.function_type_attr("type")?;
    let TypeData::Function { params, results } = c.ctx.type_data(fty) else { return None };
    let (params, results) = (params.to_vec(), results.to_vec());
    let table = c.attr("table")?;
    let t = c.resolve_symbol(table)?;
    let tb = c.module.body(t.body);
    if c.ctx.op_name(tb.opcode(t.op)) != "wasm.table" {
        c.error("the table of an indirect call must be a `wasm.table`");
        return None;
    }
    let got: Vec<Type> = c.operand_types()[1..].to_vec();
    if !super::wasm_types::all_match(c, &got, &params) {
        let (g, w) = (c.types_str(&got), c.types_str(&params));
        c.error(format!("passes ({g}) but the signature takes ({w})"));
    }
    Some((params, results))
}

fn verify_call_indirect(c: &mut OpChecker<'_>) {
    let _ = call_indirect_type(c);
}

fn verify_return_call_indirect(c: &mut OpChecker<'_>) {
    if let Some((_, results)) = call_indirect_type(c) {
        check_returns(c, &results);
    }
}

/// A local lives for the whole function: it is made in the function's entry block.
fn verify_local(c: &mut OpChecker<'_>) {
    let body = body_of(c);
    let ops: Vec<Value> = body.operands(c.op.op).collect();
    if ops.len() > 1 {
        c.error("`wasm.local` takes at most one initial value");
    }
    let Some(crate::AttrData::Type(t)) = c.attr("type").map(|a| c.ctx.attr_data(a)) else { return };
    let t = *t;
    if !crate::verify::is_wasm_value(c.ctx, t) {
        let s = c.type_str(t);
        c.error(format!("a local holds a wasm value type, not {s}"));
    }
    if let Some(&v) = ops.first() {
        if !super::wasm_types::matches(c, body.value_type(v), t) {
            let (g, w) = (c.type_str(body.value_type(v)), c.type_str(t));
            c.error(format!("the initial value has type {g} but the local holds {w}"));
        }
    }
    let in_entry = body.block_of(c.op.op).is_some_and(|b| {
        body.region_of(b).is_some_and(|r| body.region_parent(r).is_none() && body.first_block(r) == Some(b))
    });
    let in_function = c.module.parent_op(c.op).is_some_and(|p| c.ctx.op_name(c.module.body(p.body).opcode(p.op)) == "func.func");
    if !(in_entry && in_function) {
        c.error("`wasm.local` must be in the entry block of its function").with_help("a local lives for the whole call; declare it at the top of the function");
    }
}

/// The type a local holds, from its `wasm.local`.
fn local_type(c: &OpChecker<'_>, local: Value) -> Option<Type> {
    let body = body_of(c);
    let ValueDef::Result(op, 0) = body.value_def(local) else { return None };
    if c.ctx.op_name(body.opcode(op)) != "wasm.local" {
        return None;
    }
    match c.ctx.dict_get(body.op(op).attrs, "type").map(|a| c.ctx.attr_data(a)) {
        Some(crate::AttrData::Type(t)) => Some(*t),
        _ => None,
    }
}

fn verify_local_access(c: &mut OpChecker<'_>) {
    let body = body_of(c);
    let local = body.operand(c.op.op, 0);
    if body.value_type(local) != c.ctx.local_type() {
        return;
    }
    let Some(t) = local_type(c, local) else {
        c.error("the local operand must be the result of a `wasm.local`");
        return;
    };
    let check = |what: &str, v: Value, c: &mut OpChecker<'_>| {
        let got = body.value_type(v);
        let ok = if what == "result" { got == t } else { super::wasm_types::matches(c, got, t) };
        if !ok {
            let (g, w) = (c.type_str(got), c.type_str(t));
            c.error(format!("the {what} has type {g} but the local holds {w}"));
        }
    };
    if body.num_operands(c.op.op) > 1 {
        check("stored value", body.operand(c.op.op, 1), c);
    }
    if body.num_results(c.op.op) > 0 {
        check("result", body.result(c.op.op, 0), c);
    }
}

/// The values a catch clause passes to its label: the tag's parameters, then the exception
/// reference for the `_ref` kinds.
fn verify_try_table(c: &mut OpChecker<'_>) {
    verify_structured(c);
    let body = body_of(c);
    let labels: Vec<Value> = body.operands(c.op.op).collect();
    let clauses: Vec<String> = match c.attr("clauses").map(|a| c.ctx.attr_data(a)) {
        Some(crate::AttrData::Array(v)) => v.iter().map(|&a| c.ctx.attr_bytes(a).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default()).collect(),
        None => Vec::new(),
        _ => return,
    };
    let tags: Vec<crate::Attr> = match c.attr("tags").map(|a| c.ctx.attr_data(a)) {
        Some(crate::AttrData::Array(v)) => v.to_vec(),
        _ => Vec::new(),
    };
    if clauses.len() != labels.len() {
        c.error(format!("{} catch clause(s) but {} label(s): each clause names the label it branches to", clauses.len(), labels.len()));
        return;
    }
    let mut tag_iter = tags.into_iter();
    // A `_ref` clause passes the caught exception as a non-null `(ref exn)`.
    let exnref = c
        .ctx
        .find_type(&TypeData::RefTo { nullable: false, exact: false, heap: crate::RefHeap::Abstract(crate::HeapType::Exn) })
        .or_else(|| c.ctx.find_type(&TypeData::Ref(crate::HeapType::Exn)));
    for (clause, &label) in clauses.iter().zip(&labels) {
        let mut carried: Vec<Type> = match clause.as_str() {
            "catch" | "catch_ref" => {
                let Some(tag) = tag_iter.next() else {
                    c.error(format!("`{clause}` needs a tag in `tags`"));
                    return;
                };
                match tag_params(c, tag) {
                    Some(p) => p,
                    None => return,
                }
            }
            "catch_all" | "catch_all_ref" => Vec::new(),
            other => {
                c.error(format!("unknown catch clause `{other}`; expected catch, catch_ref, catch_all or catch_all_ref"));
                return;
            }
        };
        if clause.ends_with("_ref") {
            match exnref {
                Some(t) => carried.push(t),
                None => return,
            }
        }
        if body.value_type(label) != c.ctx.label_type() {
            continue;
        }
        let Some((_, _, want)) = label_target(c.ctx, body, label) else {
            c.error("a catch clause must branch to a label of an enclosing structured op");
            continue;
        };
        if !super::wasm_types::all_match(c, &carried, &want) {
            let (g, w) = (c.types_str(&carried), c.types_str(&want));
            c.error(format!("the `{clause}` clause passes ({g}) but its label takes ({w})"));
        }
    }
    if tag_iter.next().is_some() {
        c.error("more tags than `catch`/`catch_ref` clauses");
    }
}

/// The parameter types of the tag `sym`.
fn tag_params(c: &mut OpChecker<'_>, sym: crate::Attr) -> Option<Vec<Type>> {
    let t = c.resolve_symbol(sym)?;
    let tb = c.module.body(t.body);
    if c.ctx.op_name(tb.opcode(t.op)) != "wasm.tag" {
        c.error("a catch clause or throw must name a `wasm.tag`");
        return None;
    }
    match c.ctx.dict_get(tb.op(t.op).attrs, "type").map(|a| c.ctx.attr_data(a)) {
        Some(crate::AttrData::Type(f)) => match c.ctx.type_data(*f) {
            TypeData::Function { params, .. } => Some(params.to_vec()),
            _ => None,
        },
        _ => None,
    }
}

fn verify_throw(c: &mut OpChecker<'_>) {
    let Some(tag) = c.attr("tag") else { return };
    let Some(params) = tag_params(c, tag) else { return };
    let got = c.operand_types();
    if !super::wasm_types::all_match(c, &got, &params) {
        let (g, w) = (c.types_str(&got), c.types_str(&params));
        c.error(format!("throws ({g}) but the tag carries ({w})"));
    }
}

const BLOCK_DOC: &str = "The region's entry block may take the label `%l: !wasm.label`; \
    `wasm.br %l, …` leaves the block with the op's results. Falling off the end is `wasm.yield`.";

pub static OPS: &[OpDef] = &[
    OpDef {
        name: "wasm.block",
        summary: "A block: a branch to its label exits it with the results.",
        description: BLOCK_DOC,
        results: &[variadic("results", WasmValue)],
        regions: Count::Exact(1),
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_structured),
        example: "%res = wasm.block : i32 {\n^bb0(%exit: !wasm.label):\n  %one = wasm.i32.const 1\n  wasm.br %exit, %one : i32\n}",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.loop",
        summary: "A loop: a branch to its label starts the next iteration with new parameters.",
        description: "The operands are the parameters' initial values; the entry block takes the \
                      label and then the parameters. Falling off the end leaves the loop with \
                      `wasm.yield`.",
        operands: &[variadic("inits", WasmValue)],
        results: &[variadic("results", WasmValue)],
        regions: Count::Exact(1),
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_structured),
        example: "%res = wasm.loop %n : i32 {\n^bb0(%next: !wasm.label, %k: i32):\n  %one = wasm.i32.const 1\n  %j = wasm.i32.sub %k, %one\n  wasm.br_if %next, %j, %j : i32\n  wasm.yield %j : i32\n}",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.if",
        summary: "Runs the then region if the condition is non-zero, else the else region.",
        description: "Each region may take its own label (both exit the `if`). Without an else \
                      region, the `if` has no results.",
        operands: &[arg("condition", I32)],
        results: &[variadic("results", WasmValue)],
        regions: Count::AtLeast(1),
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        region_keywords: &["else"],
        verify: Some(verify_structured),
        example: "%res = wasm.if %c : i32 {\n  %a = wasm.i32.const 1\n  wasm.yield %a : i32\n} else {\n  %b = wasm.i32.const 2\n  wasm.yield %b : i32\n}",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.try_table",
        summary: "A block whose exceptions are caught by its clauses, each branching to a label.",
        description: "The operands are the clauses' target labels (from enclosing ops), one per \
                      entry of `clauses` (`\"catch\"`, `\"catch_ref\"`, `\"catch_all\"`, \
                      `\"catch_all_ref\"`); `tags` lists the tags of the `catch`/`catch_ref` \
                      clauses in order. A clause passes the tag's values, then for the `_ref` kinds \
                      the exception as an exnref. The region's own label exits the block.",
        operands: &[variadic("handlers", Label)],
        results: &[variadic("results", WasmValue)],
        attrs: &[attr("clauses", AttrKind::Array, "the kind of each catch clause"), opt_attr("tags", AttrKind::Array, "the tags of the catch and catch_ref clauses")],
        regions: Count::Exact(1),
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_try_table),
        example: "%res = wasm.block : i32 {\n^bb0(%h: !wasm.label):\n  %got = wasm.try_table %h clauses \"catch\" tags @oops : i32 {\n    %one = wasm.i32.const 1\n    wasm.throw @oops %one : i32\n  }\n  wasm.yield %got : i32\n}",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.throw",
        summary: "Throws an exception of a tag with its values.",
        operands: &[variadic("values", WasmValue)],
        attrs: &[pos_attr("tag", AttrKind::SymbolRef, "the tag")],
        traits: Traits::TERMINATOR,
        syntax: Syntax::Keyword,
        sig: Sig::Variadic,
        verify: Some(verify_throw),
        example: "wasm.throw @oops %x : i32",
        effects: Some(Effects::THROWS),
        ..BASE
    },
    OpDef {
        name: "wasm.throw_ref",
        summary: "Rethrows a caught exception (traps on null).",
        operands: &[arg("exn", AnyRef)],
        traits: Traits::TERMINATOR,
        syntax: Syntax::Keyword,
        example: "wasm.throw_ref %exn",
        effects: Some(Effects::THROWS.union(Effects::TRAP)),
        ..BASE
    },
    OpDef {
        name: "wasm.yield",
        summary: "Ends a region of a structured op (its results) or an initializer (its value).",
        operands: &[variadic("values", WasmValue)],
        traits: Traits::TERMINATOR.union(Traits::PURE),
        syntax: Syntax::Keyword,
        sig: Sig::Variadic,
        verify: Some(verify_yield),
        example: "wasm.yield %x, %v : i32, i32",
        ..BASE
    },
    OpDef {
        name: "wasm.br",
        summary: "Branches to a label with its values.",
        operands: &[arg("target", Label), variadic("args", WasmValue)],
        traits: Traits::TERMINATOR,
        syntax: Syntax::Keyword,
        sig: Sig::Variadic,
        verify: Some(verify_br),
        example: "wasm.br %exit, %v : i32",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.br_if",
        summary: "Branches to a label with its values if the condition is non-zero; else goes on.",
        description: "The values stay available after a branch not taken (they are SSA values).",
        operands: &[arg("target", Label), arg("condition", I32), variadic("args", WasmValue)],
        syntax: Syntax::Keyword,
        sig: Sig::Variadic,
        verify: Some(verify_br_if),
        example: "wasm.br_if %exit, %c, %v : i32",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.br_table",
        summary: "Branches to the label the index selects (the last label when out of range).",
        description: "Operands: the index, then the target labels (the last is the default), then \
                      the values passed; only the values' types are written after `:`.",
        operands: &[arg("index", I32), variadic("targets_and_args", Any)],
        traits: Traits::TERMINATOR,
        syntax: Syntax::Keyword,
        sig: Sig::Variadic,
        verify: Some(verify_br_table),
        example: "wasm.br_table %i, %a, %b, %default, %v : i32",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.return",
        summary: "Returns from the function, from any depth of structured control flow.",
        operands: &[variadic("values", WasmValue)],
        traits: Traits::TERMINATOR.union(Traits::RETURN_LIKE),
        syntax: Syntax::Keyword,
        sig: Sig::Variadic,
        verify: Some(verify_return),
        example: "wasm.return %v : i32",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.unreachable",
        summary: "Traps unconditionally.",
        traits: Traits::TERMINATOR.union(Traits::MAY_TRAP),
        syntax: Syntax::Keyword,
        example: "wasm.unreachable",
        ..BASE
    },
    OpDef {
        name: "wasm.nop",
        summary: "Does nothing (kept so a module round-trips byte for byte).",
        syntax: Syntax::Keyword,
        example: "wasm.nop",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.return_call",
        summary: "Tail-calls a function: returns what the callee returns.",
        operands: &[variadic("args", WasmValue)],
        attrs: &[pos_attr("callee", AttrKind::SymbolRef, "the function called")],
        traits: Traits::TERMINATOR,
        syntax: Syntax::Keyword,
        sig: Sig::Variadic,
        verify: Some(verify_return_call),
        example: "wasm.return_call @f %x : i32",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.call_indirect",
        summary: "Calls the function at an index of a table, checking its signature (traps on mismatch or null).",
        operands: &[arg("index", WasmInt), variadic("args", WasmValue)],
        results: &[variadic("results", WasmValue)],
        attrs: &[
            pos_attr("table", AttrKind::SymbolRef, "the table"),
            opt_attr("typedef", AttrKind::SymbolRef, "the `wasm.type` of the expected signature, when its identity matters (recursion groups, subtyping)"),
            attr("type", AttrKind::FunctionType, "the expected signature"),
        ],
        traits: Traits::MAY_TRAP,
        syntax: Syntax::Keyword,
        sig: Sig::FuncType,
        verify: Some(verify_call_indirect),
        example: "%res = wasm.call_indirect @table %i, %x : (i32) -> i32",
        effects: fx::INDIRECT,
        ..BASE
    },
    OpDef {
        name: "wasm.return_call_indirect",
        summary: "Tail-calls the function at an index of a table.",
        operands: &[arg("index", WasmInt), variadic("args", WasmValue)],
        attrs: &[
            pos_attr("table", AttrKind::SymbolRef, "the table"),
            opt_attr("typedef", AttrKind::SymbolRef, "the `wasm.type` of the expected signature, when its identity matters (recursion groups, subtyping)"),
            attr("type", AttrKind::FunctionType, "the expected signature"),
        ],
        traits: Traits::TERMINATOR,
        syntax: Syntax::Keyword,
        sig: Sig::FuncType,
        verify: Some(verify_return_call_indirect),
        example: "wasm.return_call_indirect @table %i, %x : (i32) -> i32",
        effects: fx::INDIRECT,
        ..BASE
    },
    OpDef {
        name: "wasm.local",
        summary: "A mutable local variable of the function, zero (or null) unless an initial value is given.",
        description: "Locals are how wasm code keeps mutable state; a promotion pass turns them into \
                      SSA values. A written parameter becomes a local initialized from the entry \
                      argument. Must be in the function's entry block.",
        operands: &[variadic("init", WasmValue)],
        results: &[arg("local", Local)],
        attrs: &[attr("type", AttrKind::Type, "the type of the values it holds")],
        syntax: Syntax::Keyword,
        sig: Sig::TypeAttr,
        verify: Some(verify_local),
        example: "%acc = wasm.local : i32",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.local.get",
        summary: "Reads a local.",
        operands: &[arg("local", Local)],
        results: &[arg("value", WasmValue)],
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_local_access),
        example: "%val = wasm.local.get %l : i32",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.local.set",
        summary: "Writes a local.",
        operands: &[arg("local", Local), arg("value", WasmValue)],
        syntax: Syntax::Keyword,
        verify: Some(verify_local_access),
        example: "wasm.local.set %l, %v",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.local.tee",
        summary: "Writes a local and returns the value written, typed as the local.",
        operands: &[arg("local", Local), arg("value", WasmValue)],
        results: &[arg("result", WasmValue)],
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_local_access),
        example: "%t = wasm.local.tee %l, %v : i32",
        effects: fx::NONE,
        ..BASE
    },
];
