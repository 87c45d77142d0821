//! Robustness: random valid modules built through the API round-trip exactly; randomly mutated
//! text never makes parse, verify or print panic; 100,000 nested regions (and Component Model
//! types) need no deep stack; a 1,000,000-op module parses, verifies and prints, with memory
//! linear in the input size.
//!
//! One test binary on purpose. The 1M-op test takes about 20 s unoptimized (1–2 s with
//! `cargo test -p wasmir --release --test robustness`).
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, FileFailurePersistence};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use wasmir::dialect::Syntax;
use wasmir::ir::builder::fixed_type;
use wasmir::*;

// ---------------------------------------------------------------------------------------------
// A counting allocator: live and peak bytes of the current thread (tests run on many threads).
// ---------------------------------------------------------------------------------------------

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn account(delta: isize) {
    let _ = LIVE.try_with(|l| {
        let now = l.get() + delta;
        l.set(now);
        let _ = PEAK.try_with(|p| {
            if now > p.get() {
                p.set(now)
            }
        });
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            account(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        account(-(layout.size() as isize));
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            account(layout.size() as isize);
        }
        p
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            account(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs `f` and returns its result and the peak of this thread's live heap bytes above the
/// level at the start.
fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let r = f();
    let peak = PEAK.with(Cell::get);
    (r, (peak - base).max(0) as usize)
}

// ---------------------------------------------------------------------------------------------
// Shared checks.
// ---------------------------------------------------------------------------------------------

const CUSTOM: PrintOptions = PrintOptions { generic: false, debuginfo: false };
const GENERIC: PrintOptions = PrintOptions { generic: true, debuginfo: false };
const DEBUGINFO: PrintOptions = PrintOptions { generic: false, debuginfo: true };
const STRICT: ParseOptions = ParseOptions { allow_unregistered: false };
const LOOSE: ParseOptions = ParseOptions { allow_unregistered: true };

fn errors(diags: &[Diagnostic]) -> Vec<String> {
    diags.iter().filter(|d| d.is_error()).map(|d| format!("{:?}: {}", d.span, d.message)).collect()
}

/// print → parse → print must give the same text; returns the re-parsed module.
fn round_trip(ctx: &mut Context, m: &Module, form: PrintOptions, opts: ParseOptions) -> Result<Module, String> {
    let text = print_module(ctx, m, form);
    let again = parse(ctx, &text, opts).map_err(|d| format!("printed text does not re-parse: {:?}\n{text}", errors(&d)))?;
    let text2 = print_module(ctx, &again, form);
    if text != text2 {
        return Err(format!("print is not a fixpoint:\n--- first ---\n{text}\n--- second ---\n{text2}"));
    }
    Ok(again)
}

/// Everything a tool does with untrusted text: parse (both modes), render errors, verify,
/// print in every form; what parses must round-trip.
fn exercise(src: &str) -> Result<(), String> {
    for opts in [STRICT, LOOSE] {
        let mut ctx = Context::new();
        let file = SourceFile { name: "input.wir", text: src };
        match parse(&mut ctx, src, opts) {
            Err(diags) => {
                if !diags.iter().any(|d| d.is_error()) {
                    return Err("parse failed without an error".into());
                }
                let _ = diag::render_all(&diags, &file);
            }
            Ok(m) => {
                let diags = verify(&ctx, &m);
                let _ = diag::render_all(&diags, &file);
                for form in [CUSTOM, GENERIC, DEBUGINFO] {
                    round_trip(&mut ctx, &m, form, opts)?;
                }
            }
        }
    }
    Ok(())
}

fn proptest_config(cases: u32) -> Config {
    Config { cases, failure_persistence: Some(Box::new(FileFailurePersistence::Off)), ..Config::default() }
}

// ---------------------------------------------------------------------------------------------
// (a) Random valid modules through the builder.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VT {
    I32,
    I64,
    F32,
    F64,
}

impl VT {
    fn ty(self, ctx: &Context) -> Type {
        match self {
            VT::I32 => ctx.i32(),
            VT::I64 => ctx.i64(),
            VT::F32 => ctx.f32(),
            VT::F64 => ctx.f64(),
        }
    }
    fn of(ctx: &Context, t: Type) -> VT {
        [VT::I32, VT::I64, VT::F32, VT::F64].into_iter().find(|v| v.ty(ctx) == t).expect("numeric type")
    }
}

fn vt() -> impl Strategy<Value = VT> {
    prop_oneof![Just(VT::I32), Just(VT::I64), Just(VT::F32), Just(VT::F64)]
}

/// Constant bits: plain values and the odd ones (NaN payloads, signed zeros, infinities,
/// subnormals, integer extremes).
fn const_bits(t: VT) -> BoxedStrategy<u64> {
    match t {
        VT::I32 => prop_oneof![
            any::<i32>().prop_map(|v| v as u32 as u64),
            Just(i32::MIN as u32 as u64),
            Just(i32::MAX as u64),
            Just(u32::MAX as u64),
            Just(0)
        ]
        .boxed(),
        VT::I64 => prop_oneof![any::<u64>(), Just(i64::MIN as u64), Just(i64::MAX as u64), Just(u64::MAX), Just(0)].boxed(),
        VT::F32 => prop_oneof![
            any::<u32>().prop_map(u64::from),
            Just(0x7fc0_0000u64),
            Just(0x7f80_0001),
            Just(0xffbf_ffff),
            Just(0x7fa0_0000),
            Just(0x8000_0000),
            Just(0x7f80_0000),
            Just(0xff80_0000),
            Just(0x0000_0001),
            Just(0x807f_ffff),
        ]
        .boxed(),
        VT::F64 => prop_oneof![
            any::<u64>(),
            Just(0x7ff8_0000_0000_0000u64),
            Just(0x7ff0_0000_0000_0001),
            Just(0xfff7_ffff_ffff_ffff),
            Just(0x8000_0000_0000_0000),
            Just(0x7ff0_0000_0000_0000),
            Just(0xfff0_0000_0000_0000),
            Just(1),
            Just(0x000f_ffff_ffff_ffff),
            Just(f64::MAX.to_bits()),
        ]
        .boxed(),
    }
}

#[derive(Debug, Clone)]
enum OpKind {
    Const(VT, u64),
    /// A numeric `wasm` op (index into the list of fixed-operand ops) and its operand picks.
    Numeric(Index, [Index; 2]),
    Select(VT, [Index; 3]),
    /// Calls a function of the module (index) with picked arguments.
    Call(Index, Vec<Index>),
}

#[derive(Debug, Clone)]
struct OpStep {
    kind: OpKind,
    /// A name for the first result (from `NAMES`), to exercise name uniquing.
    name: Option<Index>,
    /// A `"file":line:col` location.
    loc: Option<(u16, u16)>,
}

#[derive(Debug, Clone)]
enum Term {
    Return(Vec<Index>),
    Br(Index, Vec<Index>),
    CondBr(Index, [Index; 2], Vec<Index>),
    /// Wide flag (i64) or not, case values, targets (first = default), argument picks.
    Switch(bool, Vec<i64>, Vec<Index>, Vec<Index>),
}

#[derive(Debug, Clone)]
struct BlockPlan {
    args: Vec<VT>,
    ops: Vec<OpStep>,
    term: Term,
    name: Option<Index>,
}

#[derive(Debug, Clone)]
struct FuncPlan {
    params: Vec<VT>,
    results: Vec<VT>,
    /// A private declaration without a body.
    declaration: bool,
    export: bool,
    blocks: Vec<BlockPlan>,
}

const NAMES: &[&str] = &["x", "x", "x_1", "acc", "a.b", "$t", "-", "v_2", "sum"];
const BLOCK_NAMES: &[&str] = &["loop", "exit", "loop", "bb7", "head", "b-1", "loop_1"];

fn op_step() -> impl Strategy<Value = OpStep> {
    let kind = prop_oneof![
        2 => vt().prop_flat_map(|t| const_bits(t).prop_map(move |b| OpKind::Const(t, b))),
        6 => (any::<Index>(), any::<[Index; 2]>()).prop_map(|(i, o)| OpKind::Numeric(i, o)),
        1 => (vt(), any::<[Index; 3]>()).prop_map(|(t, o)| OpKind::Select(t, o)),
        1 => (any::<Index>(), prop::collection::vec(any::<Index>(), 4)).prop_map(|(f, a)| OpKind::Call(f, a)),
    ];
    (kind, prop::option::weighted(0.3, any::<Index>()), prop::option::weighted(0.2, (1u16..500, 1u16..80)))
        .prop_map(|(kind, name, loc)| OpStep { kind, name, loc })
}

fn term() -> impl Strategy<Value = Term> {
    let picks = || prop::collection::vec(any::<Index>(), 4);
    prop_oneof![
        2 => picks().prop_map(Term::Return),
        2 => (any::<Index>(), picks()).prop_map(|(t, a)| Term::Br(t, a)),
        2 => (any::<Index>(), any::<[Index; 2]>(), picks()).prop_map(|(c, t, a)| Term::CondBr(c, t, a)),
        1 => (any::<bool>(), prop::collection::vec(-3i64..1000, 0..4), prop::collection::vec(any::<Index>(), 5), picks())
            .prop_map(|(w, c, t, a)| Term::Switch(w, c, t, a)),
    ]
}

fn block_plan() -> impl Strategy<Value = BlockPlan> {
    (prop::collection::vec(vt(), 0..3), prop::collection::vec(op_step(), 0..10), term(), prop::option::weighted(0.3, any::<Index>()))
        .prop_map(|(args, ops, term, name)| BlockPlan { args, ops, term, name })
}

fn func_plan() -> impl Strategy<Value = FuncPlan> {
    (
        prop::collection::vec(vt(), 0..4),
        prop::collection::vec(vt(), 0..3),
        prop::bool::weighted(0.2),
        any::<bool>(),
        prop::collection::vec(block_plan(), 1..5),
    )
        .prop_map(|(params, results, declaration, export, blocks)| FuncPlan { params, results, declaration, export, blocks })
}

fn module_plan() -> impl Strategy<Value = Vec<FuncPlan>> {
    prop::collection::vec(func_plan(), 1..5)
}

/// The `wasm` ops whose operand and result types are all fixed, with at most two operands and
/// one result (every unary and binary numeric instruction; the generator picks two operands).
fn numeric_ops(ctx: &Context) -> Vec<&'static str> {
    let mut v = Vec::new();
    for d in ctx.dialects() {
        for op in d.all_ops() {
            if op.syntax == Syntax::FixedOperands
                && op.operands.len() <= 2
                && op.results.len() == 1
                && op.operands.iter().chain(op.results).all(|s| !s.variadic && fixed_type(ctx, s.ty).is_some())
            {
                v.push(op.name);
            }
        }
    }
    assert!(v.len() > 100, "expected the whole numeric instruction set, found {}", v.len());
    v
}

/// Values visible at the current point of one block: the entry block's (which dominate every
/// block), then this block's own.
struct Avail {
    vals: Vec<(VT, Value)>,
}

impl Avail {
    /// A value of type `t`, chosen by `pick`; materializes a constant when there is none.
    fn pick(&mut self, b: &mut Builder<'_>, t: VT, pick: &Index) -> Value {
        let cands: Vec<Value> = self.vals.iter().filter(|(vt, _)| *vt == t).map(|(_, v)| *v).collect();
        if !cands.is_empty() {
            return *pick.get(&cands);
        }
        let v = make_const(b, t, 0);
        self.vals.push((t, v));
        v
    }
}

fn make_const(b: &mut Builder<'_>, t: VT, bits: u64) -> Value {
    let op = match t {
        VT::I32 => return b.i32_const(bits as u32 as i32),
        VT::I64 => return b.i64_const(bits as i64),
        VT::F32 => {
            let ty = b.ctx.f32();
            let a = b.ctx.float_attr(bits & 0xffff_ffff, ty);
            b.create("wasm.f32.const", &[], &[ty], &[("value", a)], &[], &[])
        }
        VT::F64 => {
            let ty = b.ctx.f64();
            let a = b.ctx.float_attr(bits, ty);
            b.create("wasm.f64.const", &[], &[ty], &[("value", a)], &[], &[])
        }
    };
    b.module.body(b.body).result(op, 0)
}

fn build_module(ctx: &mut Context, plan: &[FuncPlan]) -> Module {
    let numeric = numeric_ops(ctx);
    let mut module = Module::new(ctx);
    let sigs: Vec<(String, Vec<VT>, Vec<VT>)> =
        plan.iter().enumerate().map(|(i, f)| (format!("f{i}"), f.params.clone(), f.results.clone())).collect();
    for (fi, f) in plan.iter().enumerate() {
        let params: Vec<Type> = f.params.iter().map(|t| t.ty(ctx)).collect();
        let results: Vec<Type> = f.results.iter().map(|t| t.ty(ctx)).collect();
        let name = &sigs[fi].0;
        let export = (f.export && !f.declaration).then(|| format!("e{fi}"));
        let (fop, inner, entry) = Builder::at_module_end(ctx, &mut module).func(name, &params, &results, export.as_deref());
        if f.declaration {
            module.body_mut(inner).detach_block(entry);
            let key = ctx.ident("sym_visibility");
            let private = ctx.string_attr("private");
            let attrs = module.body(fop.body).op(fop.op).attrs;
            let attrs = ctx.dict_with(attrs, key, Some(private));
            module.body_mut(fop.body).op_mut(fop.op).attrs = attrs;
            continue;
        }
        let region = module.body(inner).region_of(entry).expect("entry block in region");
        // Blocks first (they are branch targets), with their arguments.
        let mut blocks = vec![entry];
        for bp in &f.blocks[1..] {
            let body = module.body_mut(inner);
            let b = body.create_block();
            body.append_block(region, b);
            for t in &bp.args {
                body.add_block_arg(b, t.ty(ctx));
            }
            blocks.push(b);
        }
        for (bi, bp) in f.blocks.iter().enumerate() {
            if let Some(n) = &bp.name {
                let name: &&str = n.get(BLOCK_NAMES);
                let id = ctx.ident(name);
                module.body_mut(inner).set_block_name(blocks[bi], Some(id));
            }
        }
        let entry_vals: Vec<(VT, Value)> =
            module.body(inner).block_args(entry).iter().zip(&f.params).map(|(&v, &t)| (t, v)).collect();
        let mut entry_defs: Vec<(VT, Value)> = entry_vals.clone();
        for (bi, bp) in f.blocks.iter().enumerate() {
            let blk = blocks[bi];
            let mut avail = Avail { vals: entry_defs.clone() };
            if bi > 0 {
                let args: Vec<Value> = module.body(inner).block_args(blk).to_vec();
                avail.vals.extend(bp.args.iter().copied().zip(args));
            }
            let mut b = Builder::new(ctx, &mut module, inner, InsertPoint::End(blk));
            for step in &bp.ops {
                b.loc = match step.loc {
                    Some((l, c)) => b.ctx.file_loc("gen.rs", l.into(), c.into()),
                    None => b.ctx.unknown_loc(),
                };
                let made: Vec<(VT, Value)> = match &step.kind {
                    OpKind::Const(t, bits) => vec![(*t, make_const(&mut b, *t, *bits))],
                    OpKind::Numeric(which, picks) => {
                        let name = *which.get(&numeric);
                        let def = b.ctx.op_def(b.ctx.lookup_op(name).expect("registered")).expect("def");
                        let mut operands = Vec::new();
                        for (slot, pick) in def.operands.iter().zip(picks) {
                            let t = VT::of(b.ctx, fixed_type(b.ctx, slot.ty).expect("fixed"));
                            operands.push(avail.pick(&mut b, t, pick));
                        }
                        let rt = VT::of(b.ctx, fixed_type(b.ctx, def.results[0].ty).expect("fixed"));
                        vec![(rt, b.fixed(name, &operands))]
                    }
                    OpKind::Select(t, [c, x, y]) => {
                        let c = avail.pick(&mut b, VT::I32, c);
                        let x = avail.pick(&mut b, *t, x);
                        let y = avail.pick(&mut b, *t, y);
                        let ty = t.ty(b.ctx);
                        let op = b.create("wasm.select", &[c, x, y], &[ty], &[], &[], &[]);
                        vec![(*t, b.module.body(inner).result(op, 0))]
                    }
                    OpKind::Call(callee, picks) => {
                        let (cname, cparams, cresults) = callee.get(&sigs).clone();
                        let mut args = Vec::new();
                        for (i, t) in cparams.iter().enumerate() {
                            args.push(avail.pick(&mut b, *t, &picks[i % picks.len()]));
                        }
                        let rtys: Vec<Type> = cresults.iter().map(|t| t.ty(b.ctx)).collect();
                        let sym = b.ctx.ident(&cname);
                        let callee_attr = b.ctx.symbol_attr(sym);
                        let op = b.create("func.call", &args, &rtys, &[("callee", callee_attr)], &[], &[]);
                        let res: Vec<Value> = b.module.body(inner).results(op).collect();
                        cresults.iter().copied().zip(res).collect()
                    }
                };
                if let (Some(n), Some(&(_, v))) = (&step.name, made.first()) {
                    let name: &&str = n.get(NAMES);
                    let id = b.ctx.ident(name);
                    b.module.body_mut(inner).set_value_name(v, Some(id));
                }
                avail.vals.extend(made);
            }
            b.loc = b.ctx.unknown_loc();
            // Terminator. Branch targets are the non-entry blocks.
            let targets = &blocks[1..];
            let args_for = |b: &mut Builder<'_>, avail: &mut Avail, target: Block, picks: &[Index]| -> Vec<Value> {
                let tys: Vec<Type> =
                    b.module.body(inner).block_args(target).iter().map(|&v| b.module.body(inner).value_type(v)).collect();
                tys.iter().enumerate().map(|(i, &t)| avail.pick(b, VT::of(b.ctx, t), &picks[i % picks.len()])).collect()
            };
            let ret = |b: &mut Builder<'_>, avail: &mut Avail, picks: &[Index]| {
                let vals: Vec<Value> =
                    f.results.iter().enumerate().map(|(i, &t)| avail.pick(b, t, &picks[i % picks.len()])).collect();
                b.create("func.return", &vals, &[], &[], &[], &[]);
            };
            match &bp.term {
                Term::Br(_, picks) | Term::CondBr(_, _, picks) | Term::Switch(_, _, _, picks) if targets.is_empty() => {
                    ret(&mut b, &mut avail, picks)
                }
                Term::Return(picks) => ret(&mut b, &mut avail, picks),
                Term::Br(t, picks) => {
                    let target = *t.get(targets);
                    let args = args_for(&mut b, &mut avail, target, picks);
                    b.create("cf.br", &[], &[], &[], &[SuccSpec { block: target, args: &args }], &[]);
                }
                Term::CondBr(c, [t1, t2], picks) => {
                    let c = avail.pick(&mut b, VT::I32, c);
                    let (t1, t2) = (*t1.get(targets), *t2.get(targets));
                    let a1 = args_for(&mut b, &mut avail, t1, picks);
                    let a2 = args_for(&mut b, &mut avail, t2, &picks[1..]);
                    let succs = [SuccSpec { block: t1, args: &a1 }, SuccSpec { block: t2, args: &a2 }];
                    b.create("cf.cond_br", &[c], &[], &[], &succs, &[]);
                }
                Term::Switch(wide, cases, tgts, picks) => {
                    let (t, ty) = if *wide { (VT::I64, b.ctx.i64()) } else { (VT::I32, b.ctx.i32()) };
                    let flag = avail.pick(&mut b, t, &picks[0]);
                    let mut seen = std::collections::BTreeSet::new();
                    let cases: Vec<i64> = cases.iter().copied().filter(|c| seen.insert(*c)).collect();
                    let mut dests = Vec::new();
                    for i in 0..=cases.len() {
                        let target = *tgts[i % tgts.len()].get(targets);
                        dests.push((target, args_for(&mut b, &mut avail, target, &picks[i % picks.len()..])));
                    }
                    let succs: Vec<SuccSpec<'_>> = dests.iter().map(|(blk, a)| SuccSpec { block: *blk, args: a }).collect();
                    let case_attrs: Vec<Attr> = cases.iter().map(|&c| b.ctx.int_attr(c as i128, ty)).collect();
                    let arr = b.ctx.attr(AttrData::Array(case_attrs.into_boxed_slice()));
                    b.create("cf.switch", &[flag], &[], &[("case_values", arr)], &succs, &[]);
                }
            }
            if bi == 0 {
                entry_defs = avail.vals.clone();
            }
        }
    }
    module
}

fn check_built(plan: &[FuncPlan]) -> Result<(), TestCaseError> {
    let mut ctx = Context::new();
    let m = build_module(&mut ctx, plan);
    let diags = verify(&ctx, &m);
    let custom = print_module(&ctx, &m, CUSTOM);
    prop_assert!(errors(&diags).is_empty(), "builder made an invalid module: {:?}\n{custom}", errors(&diags));
    for form in [CUSTOM, GENERIC, DEBUGINFO] {
        let again = round_trip(&mut ctx, &m, form, STRICT).map_err(TestCaseError::fail)?;
        let d2 = verify(&ctx, &again);
        prop_assert!(errors(&d2).is_empty(), "re-parsed module is invalid: {:?}", errors(&d2));
        // Every form describes the same module: its custom print is the original's.
        prop_assert_eq!(print_module(&ctx, &again, CUSTOM), custom.clone());
    }
    // Printing is deterministic and independent of the context that printed it before.
    let mut fresh = Context::new();
    let m3 = parse(&mut fresh, &custom, STRICT).map_err(|d| TestCaseError::fail(format!("{:?}", errors(&d))))?;
    prop_assert_eq!(print_module(&fresh, &m3, CUSTOM), custom.clone());
    // Random CFGs (irreducible ones included) structurize, lower and structurize again into IR
    // that verifies.
    let mut m4 = m3;
    let pipeline = wasmir::pass::pipeline::parse("module(func(structurize,lower-to-cfg,structurize))").map_err(|d| TestCaseError::fail(d.message))?;
    let instr = wasmir::pass::manager::Instrumentation { verify_each: true, ..Default::default() };
    if let Err((_, f)) = wasmir::pass::manager::run(&mut fresh, &mut m4, &pipeline, &instr, &mut |_, _, _| {}) {
        let diags: Vec<String> = f.diagnostics.iter().map(|d| d.message.clone()).collect();
        prop_assert!(false, "`{}` failed: {} {:?}\n{}", f.pass, f.message, diags, custom);
    }
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config(96))]

    #[test]
    fn built_modules_verify_and_round_trip(plan in module_plan()) {
        check_built(&plan)?;
    }
}

// ---------------------------------------------------------------------------------------------
// (b) Mutated text never panics.
// ---------------------------------------------------------------------------------------------

const BASE_TEXTS: &[&str] = &[
    r#"module attributes {wasmir.version = "0.1"} {
  func.func @add(%a: i32, %b: i32) -> i32 export "add" {
    %s = wasm.i32.add %a, %b
    %c = wasm.i32.const 42
    %sel = wasm.select %s, %a, %b : i32
    func.return %sel : i32
  }
  func.func private @ext(i32) -> i64
  func.func @loop(%n: i32) -> i32 {
    %z = wasm.i32.const 0
    cf.br ^head(%z)
  ^head(%i: i32):
    %done = wasm.i32.ge_s %i, %n
    cf.cond_br %done, ^exit, ^body
  ^body:
    %r = func.call @ext(%i) : (i32) -> i64
    cf.switch %i, [default: ^head(%i), 0: ^exit] : i32
  ^exit:
    func.return %i : i32
  }
}
"#,
    r#"func.func @f(%a: i32 loc("lib.rs":3:8), %b: i32) -> i32 {
  %s = wasm.i32.add %a, %b loc("lib.rs":4:5)
  %t = wasm.f64.const nan:0x8000000000001 loc("x"("lib.rs":5:9))
  %u = wasm.f32.const -0.0 loc(callsite("inlined.rs":1:1 at "lib.rs":6:2))
  %r:2 = "acme.split"(%s) {k = [1 : i32, "two", {d = unit}], t = (i32) -> (i64, f32)} : (i32) -> (i32, !acme.token<"x">)
  "test.wrap"(%r#0) ({
    %x = wasm.i32.mul %r#0, %a
    "test.yield"(%x) : (i32) -> ()
  ^other(%y: i32):
    "test.yield"(%y) : (i32) -> ()
  }, {
  }) {flag, attr = #acme.layout<"row", 4>} : (i32) -> () loc(fused<"cse">["a.rs":1:2, unknown])
  func.return %s : i32
}
"#,
    r#""builtin.module"() ({
  "func.func"() ({
  ^bb0(%0: i32, %1: i32):
    %2 = "wasm.i32.mul"(%0, %1) : (i32, i32) -> i32
    "cf.cond_br"(%2)[^bb1(%2), ^bb2] : (i32) -> ()
  ^bb1(%3: i32):
    "func.return"(%3) : (i32) -> ()
  ^bb2:
    %4 = "wasm.i64.const"() {value = -1 : i64} : () -> i64
    "func.return"(%0) : (i32) -> ()
  }) {function_type = (i32, i32) -> i32, sym_name = "g"} : () -> ()
}) {wasmir.version = "0.1"} : () -> ()
"#,
];

/// Fragments inserted by the mutator.
const TOKENS: &[&str] = &[
    "%a", "%x#1", "%r:2 = ", "^bb1", "^h(%i: i32):", "@f", "@\"q\\\"n\"", "(", ")", "{", "}", "[", "]", "<", ">", ",", ":",
    "::", "=", "->", "i32", "f64", "i128", "funcref", "!d.t<[>]>", "#d.a<\"<\">", "attributes", "{k = 1 : i8}", "loc(",
    "fused[", "callsite(", " at ", "unknown", "true", "unit", "private", "export \"e\"", "default: ", "-1: ", "nan:0x1",
    "-inf", "1e999", "0x8000000000000000", "\"test.op\"() ({", "}) : () -> ()", "module {", "func.func @g() {",
    "func.return", "cf.br ^bb1", "wasm.select", "wasm.i64.const", "wasm.f32.const", "// -----\n", "\n", "é", "\"\\0\"",
];

#[derive(Debug, Clone)]
enum Mutation {
    DeleteBytes(Index, u8),
    InsertBytes(Index, Vec<u8>),
    InsertToken(Index, Index),
    ReplaceByte(Index, u8),
    ReplaceWithToken(Index, u8, Index),
    Duplicate(Index, u8, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 1u8..40).prop_map(|(i, n)| Mutation::DeleteBytes(i, n)),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..4)).prop_map(|(i, b)| Mutation::InsertBytes(i, b)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, t)| Mutation::InsertToken(i, t)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::ReplaceByte(i, b)),
        (any::<Index>(), 1u8..12, any::<Index>()).prop_map(|(i, n, t)| Mutation::ReplaceWithToken(i, n, t)),
        (any::<Index>(), 1u8..80, any::<Index>()).prop_map(|(i, n, d)| Mutation::Duplicate(i, n, d)),
    ]
}

fn apply(text: &str, muts: &[Mutation]) -> String {
    let mut b = text.as_bytes().to_vec();
    for m in muts {
        let len = b.len();
        let at = |i: &Index| if len == 0 { 0 } else { i.index(len + 1) };
        match m {
            Mutation::DeleteBytes(i, n) => {
                let s = at(i).min(len);
                b.drain(s..(s + *n as usize).min(len));
            }
            Mutation::InsertBytes(i, bytes) => {
                let s = at(i);
                b.splice(s..s, bytes.iter().copied());
            }
            Mutation::InsertToken(i, t) => {
                let s = at(i);
                b.splice(s..s, t.get(TOKENS).bytes());
            }
            Mutation::ReplaceByte(i, byte) => {
                if len > 0 {
                    let s = i.index(len);
                    b[s] = *byte;
                }
            }
            Mutation::ReplaceWithToken(i, n, t) => {
                let s = at(i).min(len);
                b.splice(s..(s + *n as usize).min(len), t.get(TOKENS).bytes());
            }
            Mutation::Duplicate(i, n, d) => {
                let s = at(i).min(len);
                let piece: Vec<u8> = b[s..(s + *n as usize).min(len)].to_vec();
                let dst = at(d);
                b.splice(dst..dst, piece);
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn mutation_base() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(BASE_TEXTS).prop_map(str::to_string),
        1 => (module_plan(), any::<bool>()).prop_map(|(plan, generic)| {
            let mut ctx = Context::new();
            let m = build_module(&mut ctx, &plan);
            print_module(&ctx, &m, if generic { GENERIC } else { DEBUGINFO })
        }),
    ]
}

proptest! {
    #![proptest_config(proptest_config(512))]

    #[test]
    fn mutated_text_never_panics(base in mutation_base(), muts in prop::collection::vec(mutation(), 1..8)) {
        let src = apply(&base, &muts);
        let r = std::panic::catch_unwind(|| exercise(&src));
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => prop_assert!(false, "{e}\n--- input ---\n{src}"),
            Err(_) => prop_assert!(false, "panicked on input:\n{src}"),
        }
    }
}

#[test]
fn base_texts_are_valid() {
    for t in BASE_TEXTS {
        let mut ctx = Context::new();
        let m = parse(&mut ctx, t, LOOSE).unwrap_or_else(|d| panic!("{:?}", errors(&d)));
        assert!(errors(&verify(&ctx, &m)).is_empty(), "{:?}", errors(&verify(&ctx, &m)));
        exercise(t).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// (c) Deep nesting on an ordinary 8 MiB stack.
// ---------------------------------------------------------------------------------------------

fn on_8mib_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(8 << 20).spawn(f).expect("spawn").join().expect("no stack overflow or panic")
}

fn nested_regions(depth: usize) -> String {
    let mut s = String::with_capacity(depth * 32);
    for _ in 0..depth {
        s.push_str("\"test.wrap\"() ({\n");
    }
    for _ in 0..depth {
        s.push_str("}) : () -> ()\n");
    }
    s
}

#[test]
fn hundred_thousand_nested_regions() {
    on_8mib_stack(|| {
        const DEPTH: usize = 100_000;
        let src = nested_regions(DEPTH);
        let mut ctx = Context::new();
        let m = parse(&mut ctx, &src, LOOSE).unwrap_or_else(|d| panic!("{:?}", errors(&d)));
        assert_eq!(m.num_ops(), DEPTH + 1, "the wrapping ops and the implicit module");
        assert!(errors(&verify(&ctx, &m)).is_empty());
        for form in [CUSTOM, GENERIC] {
            let text = print_module(&ctx, &m, form);
            // Output stays linear in the depth (indentation is capped).
            assert!(text.len() < 400 * DEPTH, "printed {} bytes for depth {DEPTH}", text.len());
            let again = parse(&mut ctx, &text, LOOSE).unwrap_or_else(|d| panic!("{:?}", errors(&d)));
            assert_eq!(print_module(&ctx, &again, form), text);
            drop(again);
        }
        drop(m);
    });
}

/// Long tokens: a 4 MB string (a data segment's bytes), a 1 MB quoted symbol, a 1 MB comment
/// line and a 1 MB identifier lex in a loop, not in a call per character.
#[test]
fn megabyte_tokens() {
    on_8mib_stack(|| {
        let bytes = "\\01".repeat(1 << 20);
        let symbol = "s".repeat(1 << 20);
        let word = "w".repeat(1 << 20);
        let comment = "c".repeat(1 << 20);
        let src = format!(
            "// {comment}\n\"test.big\"() {{d = \"{bytes}\", s = @\"{symbol}\", w = @{word}}} : () -> ()\n"
        );
        let mut ctx = Context::new();
        let m = parse(&mut ctx, &src, LOOSE).unwrap_or_else(|d| panic!("{:?}", errors(&d)));
        assert_eq!(m.num_ops(), 2, "the op and the implicit module");
        let text = print_module(&ctx, &m, GENERIC);
        assert!(text.contains(&bytes) && text.contains(&symbol) && text.contains(&word));
    });
}

#[test]
fn deeply_nested_types_attributes_and_locations() {
    on_8mib_stack(|| {
        const DEPTH: usize = 100_000;
        // ((…(i32) -> i32…) -> i32), [[…[1]…]], {a = {a = …}}, loc("n"("n"(…))), fused[fused[…]]
        let nest = |open: &str, inner: &str, close: &str, n: usize| format!("{}{inner}{}", open.repeat(n), close.repeat(n));
        let ty = nest("(", "i32", ") -> i32", DEPTH / 4);
        let arr = nest("[", "1", "]", DEPTH);
        let dict = nest("{a = ", "unit", "}", DEPTH);
        let loc = nest("\"n\"(", "unknown", ")", DEPTH);
        let fused = nest("fused[", "unknown", "]", DEPTH);
        let src = format!(
            "\"test.deep\"() {{t = {ty}, arr = {arr}, d = {dict}}} : () -> () loc({loc})\n\"test.fused\"() : () -> () loc({fused})\n"
        );
        let mut ctx = Context::new();
        let m = parse(&mut ctx, &src, LOOSE).unwrap_or_else(|d| panic!("{:?}", errors(&d)));
        assert!(errors(&verify(&ctx, &m)).is_empty());
        for form in [CUSTOM, GENERIC, DEBUGINFO] {
            round_trip(&mut ctx, &m, form, LOOSE).unwrap();
        }
    });
}

/// Component Model types nest on an explicit stack in the parser, the printer and the checks of
/// the verifier and `--linearity-check`; flattening for `cm.lift` stops at a fixed depth with an
/// error instead of recursing further.
#[test]
fn deeply_nested_component_model_types() {
    on_8mib_stack(|| {
        const DEPTH: usize = 100_000;
        let nest = |open: &str, inner: &str, close: &str, n: usize| format!("{}{inner}{}", open.repeat(n), close.repeat(n));
        let list = nest("!cm.list<", "!cm.borrow<@i::@r>", ">", DEPTH);
        let tuple = nest("!cm.tuple<!cm.u8, ", "!cm.string", ">", DEPTH);
        let option = nest("!cm.option<", "!cm.u8", ">", DEPTH);
        let src = format!(
            "cm.interface @i {{\n  cm.resource @r\n  cm.func @f params \"a\" \"b\" : ({list}, {tuple}) -> ()\n}}\n\
             func.func @g(%a: {list}, %p: i32) -> {list} {{\n  %o = cm.lift %p : (i32) -> {option}\n  func.return %a : {list}\n}}\n"
        );
        let mut ctx = Context::new();
        let m = parse(&mut ctx, &src, STRICT).unwrap_or_else(|d| panic!("{:?}", errors(&d)));
        let errs = errors(&verify(&ctx, &m));
        assert!(errs.len() == 1 && errs[0].ends_with("the type nests deeper than 64 levels"), "{errs:?}");
        for form in [CUSTOM, GENERIC] {
            round_trip(&mut ctx, &m, form, STRICT).unwrap();
        }
        // The checker walks the returned type for a borrow, however deep it sits.
        let mut m = m;
        let pipeline = wasmir::pass::pipeline::parse("module(func(linearity-check))").expect("pipeline");
        let instr = wasmir::pass::manager::Instrumentation::default();
        let Err((_, f)) = wasmir::pass::manager::run(&mut ctx, &mut m, &pipeline, &instr, &mut |_, _, _| {}) else {
            panic!("a returned borrow passed --linearity-check");
        };
        assert_eq!(f.reported.len(), 1);
        assert!(f.reported[0].message.contains("escapes the function"), "{}", f.reported[0].message);
    });
}

// ---------------------------------------------------------------------------------------------
// (d) Large modules: 1,000,000 ops; memory linear in the input.
// ---------------------------------------------------------------------------------------------

/// A module of `funcs` functions of about `ops_per_func` ops each, in canonical printed form:
/// arithmetic chains, constants, selects, calls, and a branch to a new block every 50 ops.
fn big_module(funcs: usize, ops_per_func: usize) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(funcs * ops_per_func * 40);
    s.push_str("module attributes {wasmir.version = \"0.1\"} {\n");
    for f in 0..funcs {
        let _ = writeln!(s, "  func.func @f{f}(%a: i32, %b: i64) -> i32 {{");
        let mut last = "a".to_string();
        let mut block = 0;
        let mut i = 0;
        while i < ops_per_func {
            match i % 5 {
                0 => {
                    let _ = writeln!(s, "    %c{i} = wasm.i32.const {}", i as i32 - 7);
                    let _ = writeln!(s, "    %v{i} = wasm.i32.add %{last}, %c{i}");
                    i += 2;
                    last = format!("v{}", i - 2);
                }
                1 | 2 => {
                    let _ = writeln!(s, "    %v{i} = wasm.i32.mul %{last}, %a");
                    last = format!("v{i}");
                    i += 1;
                }
                3 => {
                    let _ = writeln!(s, "    %v{i} = wasm.select %{last}, %a, %{last} : i32");
                    last = format!("v{i}");
                    i += 1;
                }
                _ => {
                    if f > 0 {
                        let _ = writeln!(s, "    %v{i} = func.call @f{}(%{last}, %b) : (i32, i64) -> i32", f - 1);
                    } else {
                        let _ = writeln!(s, "    %v{i} = wasm.i32.popcnt %{last}");
                    }
                    last = format!("v{i}");
                    i += 1;
                }
            }
            if i / 50 > block && i < ops_per_func {
                block = i / 50;
                let _ = writeln!(s, "    cf.br ^bb{block}(%{last})");
                let _ = writeln!(s, "  ^bb{block}(%p{block}: i32):");
                last = format!("p{block}");
                i += 1;
            }
        }
        let _ = writeln!(s, "    func.return %{last} : i32");
        s.push_str("  }\n");
    }
    s.push_str("}\n");
    s
}

/// Parses, verifies and prints `src` (which is canonical text, so it must print back exactly);
/// returns the op count and the peak heap bytes used.
fn parse_verify_print(src: &str) -> (usize, usize) {
    let (n, peak) = peak_heap(|| {
        let mut ctx = Context::new();
        let m = parse(&mut ctx, src, STRICT).unwrap_or_else(|d| panic!("{:?}", &errors(&d)[..errors(&d).len().min(5)]));
        let diags = verify(&ctx, &m);
        assert!(diags.is_empty(), "{:?}", &errors(&diags)[..errors(&diags).len().min(5)]);
        let out = print_module(&ctx, &m, CUSTOM);
        assert!(out == src, "canonical text must print back unchanged");
        let generic = print_module(&ctx, &m, GENERIC);
        assert!(generic.len() > src.len());
        m.num_ops()
    });
    (n, peak)
}

fn large_module(funcs: usize, ops: usize) {
    on_8mib_stack(move || {
        let src = big_module(funcs, ops);
        let (n, _) = parse_verify_print(&src);
        assert!(n >= funcs * ops, "{n} ops");
    });
}

/// 1,000 functions of 1,000 ops. About 20 s and 300 MB in an unoptimized build, 1–2 s optimized.
#[test]
fn million_op_module() {
    large_module(1000, 1000);
}

#[test]
fn memory_is_linear_in_input_size() {
    on_8mib_stack(|| {
        let small = big_module(20, 1000);
        let large = big_module(80, 1000);
        let (n_small, peak_small) = parse_verify_print(&small);
        let (n_large, peak_large) = parse_verify_print(&large);
        let r_small = peak_small as f64 / small.len() as f64;
        let r_large = peak_large as f64 / large.len() as f64;
        eprintln!(
            "memory: {} B text, {n_small} ops -> peak {peak_small} B ({r_small:.1} B/B); {} B text, {n_large} ops -> peak {peak_large} B ({r_large:.1} B/B)",
            small.len(),
            large.len()
        );
        assert!(n_large >= 4 * n_small - 100);
        // Four times the input may take at most ~1.5x the bytes per input byte (amortized
        // vector doubling alone can account for some of it); quadratic growth would be ~4x.
        assert!(r_large < 1.5 * r_small, "peak heap per input byte grew from {r_small:.1} to {r_large:.1}");
        assert!(r_large > r_small / 1.5, "peak heap per input byte shrank from {r_small:.1} to {r_large:.1}");
    });
}

// ---------------------------------------------------------------------------------------------
// Regressions found by fuzzing (fuzz/README.md) and by the tests above.
// ---------------------------------------------------------------------------------------------

/// Each input must parse (or fail to) without panicking and, where it parses, print to a fixpoint
/// in every form.
#[test]
fn fuzz_regressions() {
    let inputs: &[&str] = &[
        // Empty input: the implicit module's block must survive `module {}` → parse.
        "",
        "module {\n}\n",
        // Escapes in a generic op name are resolved, not doubled at each round trip.
        "\"te\\\\st.op\\\"q\"() : () -> ()\n",
        // A branch to an entry block (invalid) prints a label to refer to, also in a function's
        // custom form whose entry arguments are in the signature.
        "\"func.func\"() ({\n^bb0(%0: i32):\n  \"cf.br\"()[^bb0(%0)] : () -> ()\n}) {function_type = (i32) -> (), sym_name = \"g\"} : () -> ()\n",
        "\"test.op\"() ({\n  \"cf.br\"()[^bb0] : () -> ()\n}) : () -> ()\n",
        // An empty entry block before other blocks keeps its label (the next label would
        // otherwise start the region, or clash with the signature's arguments).
        "\"func.func\"() ({\n^bb0(%0: i32):\n^bb1(%1: i32):\n  \"func.return\"() : () -> ()\n}) {function_type = (i32) -> (), sym_name = \"g\"} : () -> ()\n",
        "\"test.op\"() ({\n^bb0:\n^bb1:\n  \"test.end\"() : () -> ()\n}) : () -> ()\n",
        // A named entry block whose label is not printed: other blocks keep their numbers.
        "func.func @f() {\n^entry:\n  cf.br ^bb5\n^bb5:\n  func.return\n}\n",
        // A value used in an isolated op's signature and defined in its body lived in two arenas.
        "func.func @f(%a) {\n  %a = wasm.i32.const 1\n  func.return\n}\n",
        "func.func @f(%a) -> i32 {\n  %b = wasm.i32.add %a, %a\n  %a = wasm.i32.const 1\n  func.return %b : i32\n}\n",
        "%x = wasm.i32.const 1\n\"builtin.module\"(%x) ({\n  %x = wasm.i64.const 2\n}) : (i32) -> ()\n",
        // Attribute keys that are not bare words for the lexer (a `-`, an op name) are quoted.
        "\"test.op\"() {\"a-b\" = 1, \"func.return\", \"module\" = unit, \"$x\", \".y\", \"9\", loc, \"wasm.i32.add\" = {\"cf.br\"}} : () -> ()\n",
        // Extra attributes on an op whose custom form cannot spell them: printed generic.
        "func.func @f(%a: i32) -> i32 {\n  %b = \"wasm.i32.mul\"(%a, %a) {k, n = 1 : i32} : (i32, i32) -> i32\n  %c = \"wasm.i32.const\"() {value = 7 : i32, z} : () -> i32\n  \"cf.br\"(%b)[^x] {q} : (i32) -> ()\n^x:\n  \"func.return\"(%c) {r} : (i32) -> ()\n}\n",
        // A result group of four billion names: counted, never expanded (was an 80 GB allocation).
        "func.func @g() {\n  %q:4000000000 = func.call @g() : () -> ()\n  func.return\n}\n",
        "%q:4294967295, %r:4294967295 = \"test.op\"() : () -> (i32, i32)\n",
    ];
    for src in inputs {
        exercise(src).unwrap_or_else(|e| panic!("{e}\n--- input ---\n{src}"));
    }
    // Undefined values and blocks at the top level are errors, as anywhere else.
    let mut ctx = Context::new();
    let errs = parse(&mut ctx, "cf.switch %a, [default: ^bb1, 0: ^bb2] : i32\n", STRICT).err().expect("undefined names");
    let msgs: Vec<&str> = errs.iter().map(|d| d.message.as_str()).collect();
    assert!(msgs.iter().any(|m| m.contains("undefined value `%a`")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("undefined block `^bb1`")), "{msgs:?}");
    // An isolated op's operands come from the enclosing scope.
    let src = "%x = wasm.i32.const 1\n\"builtin.module\"(%x) ({\n}) : (i32) -> ()\n";
    let m = parse(&mut ctx, src, STRICT).unwrap_or_else(|d| panic!("{:?}", errors(&d)));
    assert!(print_module(&ctx, &m, GENERIC).contains("\"builtin.module\"(%x)"));
}

/// Many values (and blocks) with the same name in one body: naming them is linear, and the
/// printed suffixes never clash with a name given as is.
#[test]
fn repeated_names_are_named_in_linear_time() {
    on_8mib_stack(|| {
        use std::fmt::Write;
        const N: usize = 50_000;
        let mut src = String::from("func.func @f() {\n  %x_1 = wasm.i32.const 7\n");
        for _ in 0..N {
            src.push_str("  \"test.r\"() ({\n    %x = wasm.i32.const 0\n    \"test.use\"(%x, %x_1) : (i32, i32) -> ()\n  }) : () -> ()\n");
        }
        src.push_str("  func.return\n}\n");
        let mut ctx = Context::new();
        let m = parse(&mut ctx, &src, LOOSE).unwrap_or_else(|d| panic!("{:?}", errors(&d)));
        let text = print_module(&ctx, &m, CUSTOM);
        let mut last = String::new();
        let _ = write!(last, "%x_{} = wasm.i32.const 0", N);
        assert!(text.contains(&last), "the last of {N} `%x` is `%x_{N}` (`%x_1` is taken)");
        assert!(!text.contains("%x_1 = wasm.i32.const 0"));
        round_trip(&mut ctx, &m, CUSTOM, LOOSE).unwrap();
    });
}

/// Dropping an op's references twice (a pass drops a dead region's uses, then erases it) must
/// not cut the use lists of the values it read.
#[test]
fn dropping_references_twice_keeps_other_uses() {
    let mut ctx = Context::new();
    let text = "func.func @f(%a: i32) -> i32 {\n  %b = wasm.i32.add %a, %a\n  %c = wasm.i32.mul %a, %a\n  func.return %c : i32\n}\n";
    let mut m = parse(&mut ctx, text, ParseOptions::default()).expect("parses");
    let (top, block) = m.module_block().expect("module block");
    let func = m.body(top).first_op(block).expect("function");
    let body = m.body(top).inner_body(func).expect("body");
    let b = m.body(body);
    let entry = b.first_block(b.roots()[0]).expect("entry");
    let add = b.first_op(entry).expect("add");
    let a = b.block_args(entry)[0];
    m.body_mut(body).drop_references(add);
    m.body_mut(body).drop_references(add);
    m.erase_op(OpRef { body, op: add }).expect("erased");
    assert_eq!(m.body(body).uses(a).count(), 2, "the mul still reads %a twice");
    assert!(verify(&ctx, &m).iter().all(|d| !d.is_error()));
}
