//! The public Rust API: a third party registers its own dialect, and passes build and rewrite IR
//! through the builder and rewriter, keeping the module valid.
use wasmir::dialect::{AttrDef, AttrKind, Count, Dialect, OpDef, Syntax, Traits, TypeConstraint, arg};
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
        custom_name: None,
        summary: "Doubles an i32.",
        description: "",
        operands: &[arg("x", TypeConstraint::I32)],
        results: &[arg("r", TypeConstraint::I32)],
        attrs: &[AttrDef { name: "forbidden", kind: AttrKind::Unit, optional: true, doc: "never allowed" }],
        regions: Count::Exact(0),
        successors: Count::Exact(0),
        traits: Traits::PURE,
        parent: None,
        syntax: Syntax::FixedOperands,
        verify: Some(verify_double),
        example: "%r = toy.double %x",
    },
    OpDef {
        name: "toy.blob",
        custom_name: None,
        summary: "Anything, in generic form only.",
        description: "",
        operands: &[],
        results: &[],
        attrs: &[],
        regions: Count::Exact(0),
        successors: Count::Exact(0),
        traits: Traits::NONE,
        parent: None,
        syntax: Syntax::GenericOnly,
        verify: None,
        example: "\"toy.blob\"() : () -> ()",
    },
];

static TOY: Dialect = Dialect { name: "toy", summary: "A third-party test dialect.", ops: TOY_OPS };

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
