//! The public Rust API: a third party registers its own dialect, and passes build and rewrite IR
//! through the builder and rewriter, keeping the module valid.
use wasmir::dialect::{AttrDef, AttrKind, BASE, Dialect, OpDef, Syntax, Traits, TypeConstraint, arg};
use wasmir::verify::OpChecker;
use wasmir::*;

fn verify_double(c: &mut OpChecker<'_>) {
    if c.attr("forbidden").is_some() {
        c.error("`toy.double` must not carry `forbidden`").with_help("remove the attribute");
    }
}

static TOY_OPS: &[OpDef] = &[
    OpDef {
        name: "toy.double",
        summary: "Doubles an i32.",
        operands: &[arg("x", TypeConstraint::I32)],
        results: &[arg("r", TypeConstraint::I32)],
        attrs: &[AttrDef { name: "forbidden", kind: AttrKind::Unit, optional: true, doc: "never allowed", positional: false }],
        traits: Traits::PURE,
        syntax: Syntax::FixedOperands,
        verify: Some(verify_double),
        example: "%r = toy.double %x",
        ..BASE
    },
    // Everything else from the template: no operands, results, regions or successors.
    OpDef { name: "toy.blob", summary: "Anything, in generic form only.", example: "\"toy.blob\"() : () -> ()", ..BASE },
];

static TOY: Dialect = Dialect { name: "toy", summary: "A third-party test dialect.", ops: &[TOY_OPS], types: &[] };

fn parse_print(ctx: &mut Context, src: &str) -> Result<String, Vec<Diagnostic>> {
    let m = parse(ctx, src, ParseOptions::default())?;
    let diags = verify(ctx, &m);
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(print_module(ctx, &m, PrintOptions::default()))
}

#[test]
fn third_party_dialect_parses_prints_and_verifies() {
    let src = "func.func @f(%a: i32) -> i32 {\n  %d = toy.double %a\n  \"toy.blob\"() : () -> ()\n  func.return %d : i32\n}\n";
    // Unregistered: rejected with a clear error.
    let mut plain = Context::new();
    let errs = parse_print(&mut plain, src).unwrap_err();
    assert!(errs.iter().any(|d| d.message.contains("unknown operation `toy.double`")), "{errs:?}");

    let mut ctx = Context::new();
    ctx.register_dialect(&TOY);
    let out = parse_print(&mut ctx, src).expect("toy ops parse once registered");
    assert!(out.contains("%d = toy.double %a"), "{out}");
    assert!(out.contains("\"toy.blob\"() : () -> ()"), "{out}");
    assert_eq!(parse_print(&mut ctx, &out).unwrap(), out);

    // Its declared constraints and its hook run in the verifier.
    let bad = "func.func @f(%a: i64) {\n  %d = \"toy.double\"(%a) {forbidden} : (i64) -> i32\n  func.return\n}\n";
    let errs = parse_print(&mut ctx, bad).unwrap_err();
    let msgs: Vec<&str> = errs.iter().map(|d| d.message.as_str()).collect();
    assert!(msgs.iter().any(|m| m.contains("operand #0 (`x`) of `toy.double` must be i32")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("must not carry `forbidden`")), "{msgs:?}");

    // It shows up in the generated reference.
    let doc = wasmir::docs::op_reference(&[&TOY]);
    assert!(doc.contains("toy.double") && doc.contains("Doubles an i32."), "{doc}");
}

#[test]
fn builder_and_rewriter_keep_the_module_valid() {
    let mut ctx = Context::new();
    let mut m = Module::new(&mut ctx);
    let i32t = ctx.i32();
    let (func, body, entry) = {
        let mut b = Builder::at_module_end(&mut ctx, &mut m);
        b.func("f", &[i32t, i32t], &[i32t], Some("f"))
    };
    let (x, y) = {
        let args = m.body(body).block_args(entry);
        (args[0], args[1])
    };
    let mut b = Builder::new(&mut ctx, &mut m, body, InsertPoint::End(entry));
    let sum = b.fixed("wasm.i32.add", &[x, y]);
    let prod = b.fixed("wasm.i32.mul", &[sum, y]);
    let ret = b.create("func.return", &[prod], &[], &[], &[], &[]);
    assert!(verify(&ctx, &m).is_empty(), "{:?}", verify(&ctx, &m));
    let before = print_module(&ctx, &m, PrintOptions::default());
    assert!(before.contains("wasm.i32.mul"), "{before}");

    // Insert before the return, then replace all uses of the product with the new value.
    let mut b = Builder::new(&mut ctx, &mut m, body, InsertPoint::Before(ret));
    let c = b.i32_const(3);
    let shifted = b.fixed("wasm.i32.shl", &[prod, c]);
    m.body_mut(body).replace_all_uses(prod, shifted);
    // The shift itself read `prod`; its operand was redirected too and must be restored.
    let shl_op = match m.body(body).value_def(shifted) {
        ValueDef::Result(op, _) => op,
        _ => unreachable!(),
    };
    m.body_mut(body).set_operand(shl_op, 0, prod);
    assert!(verify(&ctx, &m).is_empty(), "{:?}", verify(&ctx, &m));
    assert_eq!(m.body(body).uses(prod).count(), 1);

    // Erasing a used op is refused; once unused it goes.
    let mul_op = match m.body(body).value_def(prod) {
        ValueDef::Result(op, _) => op,
        _ => unreachable!(),
    };
    assert!(m.erase_op(OpRef { body, op: mul_op }).is_err());
    m.body_mut(body).replace_all_uses(prod, sum);
    m.erase_op(OpRef { body, op: mul_op }).expect("now unused");
    assert!(!m.body(body).has_uses(prod));

    // Moving the constant to the top keeps dominance.
    let const_op = match m.body(body).value_def(c) {
        ValueDef::Result(op, _) => op,
        _ => unreachable!(),
    };
    let first = m.body(body).first_op(entry).unwrap();
    m.move_op_before(body, const_op, first);
    assert!(verify(&ctx, &m).is_empty(), "{:?}", verify(&ctx, &m));
    let text = print_module(&ctx, &m, PrintOptions::default());
    let reparsed = {
        let mut ctx2 = Context::new();
        let m2 = parse(&mut ctx2, &text, ParseOptions::default()).expect("printed module parses");
        print_module(&ctx2, &m2, PrintOptions::default())
    };
    assert_eq!(reparsed, text);
    let _ = func;
}

#[test]
fn clone_region_copies_blocks_and_remaps_values() {
    let mut ctx = Context::new();
    let src = "func.func @f(%a: i32) -> i32 {\n  %r = \"test.wrap\"() ({\n    %b = wasm.i32.add %a, %a\n    cf.br ^next(%b)\n  ^next(%c: i32):\n    \"test.yield\"(%c) : (i32) -> ()\n  }, {\n  }) : () -> i32\n  func.return %r : i32\n}\n";
    let mut m = parse(&mut ctx, src, ParseOptions { allow_unregistered: true }).expect("parses");
    // Find the wrap op and clone its first region into its second.
    let mut wrap = None;
    m.walk(|o| {
        if ctx.op_name(m.body(o.body).opcode(o.op)) == "test.wrap" {
            wrap = Some(o);
        }
    });
    let wrap = wrap.expect("wrap op");
    let regions = m.body(wrap.body).regions(wrap.op).to_vec();
    let mut map = Default::default();
    m.clone_region(wrap.body, regions[0], regions[1], &mut map);
    let diags = verify(&ctx, &m);
    assert!(diags.is_empty(), "{diags:?}");
    let text = print_module(&ctx, &m, PrintOptions::default());
    // Both regions now hold the same code; the clone reads the outer %a and its own block arg.
    assert_eq!(text.matches("wasm.i32.add %a, %a").count(), 2, "{text}");
    assert_eq!(text.matches("\"test.yield\"").count(), 2, "{text}");
    let mut ctx2 = Context::new();
    let m2 = parse(&mut ctx2, &text, ParseOptions { allow_unregistered: true }).expect("clone re-parses");
    assert_eq!(print_module(&ctx2, &m2, PrintOptions::default()), text);
}

/// Verifier rules that text cannot violate (the parser's scoping rules out the situation), but a
/// pass building IR through the API can.
#[test]
fn verifier_catches_what_only_the_api_can_build() {
    let mut ctx = Context::new();
    let src = "func.func @f(%a: i32) -> i32 {\n  %r = \"test.wrap\"() ({\n    %inner = wasm.i32.add %a, %a\n    \"test.yield\"() : () -> ()\n  }) : () -> i32\n  cf.br ^next\n^next:\n  func.return %a : i32\n}\n";
    let opts = ParseOptions { allow_unregistered: true };
    let messages = |ctx: &Context, m: &Module| -> Vec<String> { verify(ctx, m).into_iter().map(|d| d.message).collect() };

    // A value defined inside a nested region, used after it.
    let mut m = parse(&mut ctx, src, opts).unwrap();
    let (body, inner_val, ret) = find(&ctx, &m, "wasm.i32.add", "func.return");
    m.body_mut(body).set_operand(ret, 0, inner_val);
    let msgs = messages(&ctx, &m);
    assert!(msgs.iter().any(|s| s.contains("is not visible here")), "{msgs:?}");

    // A successor in another region.
    let mut m = parse(&mut ctx, src, opts).unwrap();
    let (body, inner_val, _) = find(&ctx, &m, "wasm.i32.add", "func.return");
    let inner_block = match m.body(body).value_def(inner_val) {
        ValueDef::Result(op, _) => m.body(body).block_of(op).unwrap(),
        _ => unreachable!(),
    };
    let br = op_named(&ctx, &m, "cf.br");
    let succ = m.body(body).successors(br)[0];
    m.body_mut(body).set_successor(succ, inner_block, &[]);
    let msgs = messages(&ctx, &m);
    assert!(msgs.iter().any(|s| s.contains("a successor must be a block of the same region")), "{msgs:?}");

    // An operand whose defining op was detached from its block.
    let mut m = parse(&mut ctx, src, opts).unwrap();
    let (body, inner_val, ret) = find(&ctx, &m, "wasm.i32.add", "func.return");
    let def = match m.body(body).value_def(inner_val) {
        ValueDef::Result(op, _) => op,
        _ => unreachable!(),
    };
    m.body_mut(body).set_operand(ret, 0, inner_val);
    m.body_mut(body).detach_op(def);
    let msgs = messages(&ctx, &m);
    assert!(msgs.iter().any(|s| s.contains("defined by an op that is not in any block")), "{msgs:?}");

    // An isolated op whose region was created in the enclosing body.
    let mut m = Module::new(&mut ctx);
    let (mbody, mblock) = m.module_block().unwrap();
    let code = ctx.lookup_op("func.func").unwrap();
    let fty = ctx.function_type(&[], &[]);
    let entries = vec![(ctx.ident("sym_name"), ctx.string_attr("g")), (ctx.ident("function_type"), ctx.type_attr(fty))];
    let attrs = ctx.dict_attr(entries);
    let loc = ctx.unknown_loc();
    let region = m.body_mut(mbody).create_region();
    let op = m.body_mut(mbody).create_op(code, &[], &[], &[], &[region], None, attrs, loc);
    m.body_mut(mbody).append_op(mblock, op);
    let msgs = messages(&ctx, &m);
    assert!(msgs.iter().any(|s| s.contains("is isolated from above but its regions share the enclosing body")), "{msgs:?}");
}

/// `SameOperandsAndResultType`, for dialects that declare it.
#[test]
fn same_operands_and_result_type_trait() {
    static OPS: &[OpDef] = &[OpDef {
        name: "same.op",
        summary: "All the same type.",
        operands: &[wasmir::dialect::variadic("xs", TypeConstraint::Any)],
        results: &[arg("r", TypeConstraint::Any)],
        traits: Traits::SAME_OPERANDS_AND_RESULT_TYPE,
        ..BASE
    }];
    static SAME: Dialect = Dialect { name: "same", summary: "", ops: &[OPS], types: &[] };
    let mut ctx = Context::new();
    ctx.register_dialect(&SAME);
    let good = "func.func @f(%a: i64) {\n  %r = \"same.op\"(%a, %a) : (i64, i64) -> i64\n  func.return\n}\n";
    let m = parse(&mut ctx, good, ParseOptions::default()).unwrap();
    assert!(verify(&ctx, &m).is_empty());
    let bad = "func.func @f(%a: i64, %b: i32) {\n  %r = \"same.op\"(%a, %b) : (i64, i32) -> i64\n  func.return\n}\n";
    let m = parse(&mut ctx, bad, ParseOptions::default()).unwrap();
    let msgs: Vec<String> = verify(&ctx, &m).into_iter().map(|d| d.message).collect();
    assert!(msgs.iter().any(|s| s.contains("requires all operands and results to have the same type")), "{msgs:?}");
}

fn op_named(ctx: &Context, m: &Module, name: &str) -> Op {
    let mut found = None;
    m.walk(|o| {
        if found.is_none() && ctx.op_name(m.body(o.body).opcode(o.op)) == name {
            found = Some(o.op);
        }
    });
    found.unwrap_or_else(|| panic!("no {name}"))
}

/// The function body, the result of the first `def` op and the first `user` op.
fn find(ctx: &Context, m: &Module, def: &str, user: &str) -> (BodyId, Value, Op) {
    let mut body = None;
    m.walk(|o| {
        if body.is_none() && ctx.op_name(m.body(o.body).opcode(o.op)) == def {
            body = Some(o.body);
        }
    });
    let body = body.expect("def op");
    let d = op_named(ctx, m, def);
    (body, m.body(body).result(d, 0), op_named(ctx, m, user))
}
