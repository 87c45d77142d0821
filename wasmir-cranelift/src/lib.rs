//! Lowering WasmIR functions to Cranelift IR (CLIF), and running Cranelift's mid-end on them.
//!
//! Each function goes to CFG form first (the library's `lower-to-cfg` pass, on a copy), then
//! block by block to CLIF with `cranelift-frontend`: WasmIR blocks and block arguments become
//! CLIF blocks and block parameters, so no SSA construction is needed. The wasm semantics that
//! CLIF shares are used directly (wrapping arithmetic, shift counts modulo the width, trapping
//! `sdiv`/`udiv`/`srem`/`urem` and float-to-integer conversions, IEEE floats, NaN-propagating
//! `fmin`/`fmax`); a function using anything outside the supported subset is left
//! out, with the reason, rather than approximated.
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self as cl, AbiParam, InstBuilder, Signature, UserFuncName, types};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use rustc_hash::FxHashMap;
use wasmir::{AttrData, Context, Module, OpRef, Type, TypeData, Value};

/// How much of Cranelift's mid-end to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptLevel {
    /// Only verify the CLIF.
    None,
    /// `opt_level=speed`: e-graph rewrites, GVN, alias analysis, unreachable-code elimination.
    Speed,
    /// `opt_level=speed_and_size`.
    SpeedAndSize,
}

/// The result of lowering a module: one CLIF function per lowered `func.func`, and the functions
/// left out with the reason.
pub struct Lowered {
    pub functions: Vec<(String, cl::Function)>,
    pub skipped: Vec<(String, String)>,
}

impl Lowered {
    /// The CLIF text of every lowered function, in module order.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (name, f) in &self.functions {
            out.push_str(&format!("; @{name}\n{}\n", f.display()));
        }
        out
    }
}

/// Lowers every function with a body in `module` to CLIF, and optimizes it at `level`.
pub fn lower_module(ctx: &Context, module: &Module, level: OptLevel) -> Result<Lowered, String> {
    let (mut ctx, mut module) = (ctx.clone(), module.clone());
    let pipeline = wasmir::pass::pipeline::parse("module(func(lower-to-cfg))").map_err(|d| d.message)?;
    let instr = wasmir::pass::manager::Instrumentation { verify_each: true, ..Default::default() };
    wasmir::pass::manager::run(&mut ctx, &mut module, &pipeline, &instr, &mut |_, _, _| {})
        .map_err(|(_, f)| format!("`{}` failed: {}", f.pass, f.message))?;
    let isa = isa(level)?;
    let mut out = Lowered { functions: Vec::new(), skipped: Vec::new() };
    let Some((top, block)) = module.module_block() else { return Ok(out) };
    let b = module.body(top);
    let funcs: Vec<_> = b.block_ops(block).filter(|&op| ctx.op_name(b.opcode(op)) == "func.func" && b.inner_body(op).is_some()).collect();
    for (i, op) in funcs.into_iter().enumerate() {
        let attrs = b.op(op).attrs;
        let name = match ctx.dict_get(attrs, "sym_name").map(|a| ctx.attr_data(a)) {
            Some(AttrData::String(n)) => ctx.str(*n).to_string(),
            _ => format!("func{i}"),
        };
        match lower_function(&ctx, &module, OpRef { body: top, op }, i as u32, isa.frontend_config()) {
            Ok(f) => {
                let mut c = cranelift_codegen::Context::for_function(f);
                cranelift_codegen::verify_function(&c.func, isa.as_ref())
                    .map_err(|e| format!("internal error: the CLIF of @{name} does not verify: {e}"))?;
                if level != OptLevel::None {
                    c.optimize(isa.as_ref(), &mut ControlPlane::default()).map_err(|e| format!("optimizing @{name}: {e:?}"))?;
                }
                out.functions.push((name, c.func));
            }
            Err(why) => out.skipped.push((name, why)),
        }
    }
    Ok(out)
}

/// The host ISA, which the mid-end needs for its legality rules; the CLIF itself does not depend
/// on it (addresses and pointers never appear in it).
fn isa(level: OptLevel) -> Result<std::sync::Arc<dyn cranelift_codegen::isa::TargetIsa>, String> {
    let mut flags = settings::builder();
    let opt = match level {
        OptLevel::None => "none",
        OptLevel::Speed => "speed",
        OptLevel::SpeedAndSize => "speed_and_size",
    };
    flags.set("opt_level", opt).map_err(|e| e.to_string())?;
    let builder = cranelift_native::builder().map_err(|e| format!("Cranelift does not support this host: {e}"))?;
    builder.finish(settings::Flags::new(flags)).map_err(|e| e.to_string())
}

fn clif_type(ctx: &Context, t: Type) -> Result<cl::Type, String> {
    match ctx.type_data(t) {
        TypeData::Int(32) => Ok(types::I32),
        TypeData::Int(64) => Ok(types::I64),
        TypeData::Float(wasmir::FloatKind::F32) => Ok(types::F32),
        TypeData::Float(wasmir::FloatKind::F64) => Ok(types::F64),
        _ => Err("it uses a type other than i32, i64, f32 and f64".to_string()),
    }
}

/// One function in CFG form to CLIF; `Err` says what is outside the supported subset.
fn lower_function(ctx: &Context, module: &Module, func: OpRef, index: u32, frontend: TargetFrontendConfig) -> Result<cl::Function, String> {
    let attrs = module.body(func.body).op(func.op).attrs;
    let Some(AttrData::Type(fty)) = ctx.dict_get(attrs, "function_type").map(|a| ctx.attr_data(a)) else {
        return Err("it has no function type".into());
    };
    let TypeData::Function { params, results } = ctx.type_data(*fty) else { return Err("its type is not a function type".into()) };
    let mut sig = Signature::new(CallConv::SystemV);
    for &p in params.iter() {
        sig.params.push(AbiParam::new(clif_type(ctx, p)?));
    }
    for &r in results.iter() {
        sig.returns.push(AbiParam::new(clif_type(ctx, r)?));
    }
    let mut f = cl::Function::with_name_signature(UserFuncName::user(0, index), sig);
    let mut fctx = FunctionBuilderContext::new();
    let mut fb = FunctionBuilder::new(&mut f, &mut fctx);
    let body_id = module.body(func.body).inner_body(func.op).ok_or("it has no body")?;
    let b = module.body(body_id);
    let region = *b.roots().first().ok_or("it has no body")?;
    let mut blocks = FxHashMap::default();
    let mut vals: FxHashMap<Value, cl::Value> = FxHashMap::default();
    for blk in b.region_blocks(region) {
        let cb = fb.create_block();
        for &a in b.block_args(blk) {
            let v = fb.append_block_param(cb, clif_type(ctx, b.value_type(a))?);
            vals.insert(a, v);
        }
        blocks.insert(blk, cb);
    }
    let get = |vals: &FxHashMap<Value, cl::Value>, v: Value| vals.get(&v).copied().ok_or_else(|| "it uses a value from outside its blocks".to_string());
    for blk in b.region_blocks(region) {
        fb.switch_to_block(blocks[&blk]);
        for op in b.block_ops(blk) {
            let name = ctx.op_name(b.opcode(op));
            if !b.regions(op).is_empty() {
                return Err(format!("`{name}` keeps structured control flow (not lowered to CFG form)"));
            }
            let args: Vec<cl::Value> = b.operands(op).map(|v| get(&vals, v)).collect::<Result<_, _>>()?;
            let result = match name {
                "cf.br" => {
                    let s = b.successors(op)[0];
                    let a: Vec<cl::BlockArg> = b.succ_args(s).map(|v| get(&vals, v).map(cl::BlockArg::Value)).collect::<Result<_, _>>()?;
                    fb.ins().jump(blocks[&b.succ_block(s)], &a);
                    None
                }
                "cf.cond_br" => {
                    let s = b.successors(op);
                    let t: Vec<cl::BlockArg> = b.succ_args(s[0]).map(|v| get(&vals, v).map(cl::BlockArg::Value)).collect::<Result<_, _>>()?;
                    let e: Vec<cl::BlockArg> = b.succ_args(s[1]).map(|v| get(&vals, v).map(cl::BlockArg::Value)).collect::<Result<_, _>>()?;
                    fb.ins().brif(args[0], blocks[&b.succ_block(s[0])], &t, blocks[&b.succ_block(s[1])], &e);
                    None
                }
                "func.return" => {
                    fb.ins().return_(&args);
                    None
                }
                "wasm.unreachable" => {
                    fb.ins().trap(cl::TrapCode::user(1).ok_or("a trap code")?);
                    None
                }
                _ => Some(lower_op(ctx, &mut fb, b, op, name, &args)?),
            };
            if let Some(v) = result {
                vals.insert(b.result(op, 0), v);
            }
        }
    }
    fb.seal_all_blocks();
    fb.finalize(frontend);
    Ok(f)
}

/// A value-producing op; `Err` names it when CLIF lowering does not know it.
fn lower_op(ctx: &Context, fb: &mut FunctionBuilder<'_>, b: &wasmir::Body, op: wasmir::Op, name: &str, a: &[cl::Value]) -> Result<cl::Value, String> {
    let unsupported = || format!("`{name}` has no CLIF lowering yet");
    let Some((ty, rest)) = name.strip_prefix("wasm.").and_then(|n| n.split_once('.')) else { return Err(unsupported()) };
    let it = match ty {
        "i32" => types::I32,
        "i64" => types::I64,
        "f32" | "f64" => return lower_float(ctx, fb, b, op, if ty == "f32" { types::F32 } else { types::F64 }, rest, a).ok_or_else(unsupported)?,
        _ => return Err(unsupported()),
    };
    let bool_ = |fb: &mut FunctionBuilder<'_>, cc: IntCC| {
        let c = fb.ins().icmp(cc, a[0], a[1]);
        fb.ins().uextend(types::I32, c)
    };
    let ins = fb.ins();
    Ok(match rest {
        "const" => match ctx.dict_get(b.op(op).attrs, "value").map(|x| ctx.attr_data(x)) {
            Some(AttrData::Int { value, .. }) => ins.iconst(it, *value as i64),
            _ => return Err("an integer constant without its value".into()),
        },
        "add" => ins.iadd(a[0], a[1]),
        "sub" => ins.isub(a[0], a[1]),
        "mul" => ins.imul(a[0], a[1]),
        "and" => ins.band(a[0], a[1]),
        "or" => ins.bor(a[0], a[1]),
        "xor" => ins.bxor(a[0], a[1]),
        "shl" => ins.ishl(a[0], a[1]),
        "shr_s" => ins.sshr(a[0], a[1]),
        "shr_u" => ins.ushr(a[0], a[1]),
        "rotl" => ins.rotl(a[0], a[1]),
        "rotr" => ins.rotr(a[0], a[1]),
        // CLIF's divisions trap as wasm's do: on zero, and `sdiv` on INT_MIN / -1.
        "div_s" => ins.sdiv(a[0], a[1]),
        "div_u" => ins.udiv(a[0], a[1]),
        "rem_s" => ins.srem(a[0], a[1]),
        "rem_u" => ins.urem(a[0], a[1]),
        "clz" => ins.clz(a[0]),
        "ctz" => ins.ctz(a[0]),
        "popcnt" => ins.popcnt(a[0]),
        "eqz" => {
            let c = ins.icmp_imm_u(IntCC::Equal, a[0], 0);
            fb.ins().uextend(types::I32, c)
        }
        "eq" => bool_(fb, IntCC::Equal),
        "ne" => bool_(fb, IntCC::NotEqual),
        "lt_s" => bool_(fb, IntCC::SignedLessThan),
        "lt_u" => bool_(fb, IntCC::UnsignedLessThan),
        "gt_s" => bool_(fb, IntCC::SignedGreaterThan),
        "gt_u" => bool_(fb, IntCC::UnsignedGreaterThan),
        "le_s" => bool_(fb, IntCC::SignedLessThanOrEqual),
        "le_u" => bool_(fb, IntCC::UnsignedLessThanOrEqual),
        "ge_s" => bool_(fb, IntCC::SignedGreaterThanOrEqual),
        "ge_u" => bool_(fb, IntCC::UnsignedGreaterThanOrEqual),
        "wrap_i64" => ins.ireduce(types::I32, a[0]),
        // Float to integer: CLIF's conversions trap on NaN and out-of-range values, as wasm's.
        "trunc_f32_s" | "trunc_f64_s" => ins.fcvt_to_sint(it, a[0]),
        "trunc_f32_u" | "trunc_f64_u" => ins.fcvt_to_uint(it, a[0]),
        "trunc_sat_f32_s" | "trunc_sat_f64_s" => ins.fcvt_to_sint_sat(it, a[0]),
        "trunc_sat_f32_u" | "trunc_sat_f64_u" => ins.fcvt_to_uint_sat(it, a[0]),
        "extend_i32_s" => ins.sextend(types::I64, a[0]),
        "extend_i32_u" => ins.uextend(types::I64, a[0]),
        _ => return Err(unsupported()),
    })
}

/// A float op: `None` when it has no lowering. Results are IEEE 754 as in wasm; NaN payloads are
/// whatever the host produces, which wasm allows (non-deterministic NaNs).
fn lower_float(ctx: &Context, fb: &mut FunctionBuilder<'_>, b: &wasmir::Body, op: wasmir::Op, ft: cl::Type, rest: &str, a: &[cl::Value]) -> Option<Result<cl::Value, String>> {
    use cranelift_codegen::ir::condcodes::FloatCC;
    let cmp = |fb: &mut FunctionBuilder<'_>, cc: FloatCC| {
        let c = fb.ins().fcmp(cc, a[0], a[1]);
        fb.ins().uextend(types::I32, c)
    };
    let ins = fb.ins();
    Some(Ok(match rest {
        "const" => match ctx.dict_get(b.op(op).attrs, "value").map(|x| ctx.attr_data(x)) {
            Some(AttrData::Float { bits, .. }) if ft == types::F32 => ins.f32const(cl::immediates::Ieee32::with_bits(*bits as u32)),
            Some(AttrData::Float { bits, .. }) => ins.f64const(cl::immediates::Ieee64::with_bits(*bits)),
            _ => return Some(Err("a float constant without its value".into())),
        },
        "add" => ins.fadd(a[0], a[1]),
        "sub" => ins.fsub(a[0], a[1]),
        "mul" => ins.fmul(a[0], a[1]),
        "div" => ins.fdiv(a[0], a[1]),
        // CLIF's fmin/fmax propagate NaN and order -0 below +0, as wasm's min/max.
        "min" => ins.fmin(a[0], a[1]),
        "max" => ins.fmax(a[0], a[1]),
        "copysign" => ins.fcopysign(a[0], a[1]),
        "neg" => ins.fneg(a[0]),
        "abs" => ins.fabs(a[0]),
        "sqrt" => ins.sqrt(a[0]),
        "ceil" => ins.ceil(a[0]),
        "floor" => ins.floor(a[0]),
        "trunc" => ins.trunc(a[0]),
        "nearest" => ins.nearest(a[0]),
        "eq" => cmp(fb, FloatCC::Equal),
        "ne" => cmp(fb, FloatCC::NotEqual),
        "lt" => cmp(fb, FloatCC::LessThan),
        "gt" => cmp(fb, FloatCC::GreaterThan),
        "le" => cmp(fb, FloatCC::LessThanOrEqual),
        "ge" => cmp(fb, FloatCC::GreaterThanOrEqual),
        "convert_i32_s" | "convert_i64_s" => ins.fcvt_from_sint(ft, a[0]),
        "convert_i32_u" | "convert_i64_u" => ins.fcvt_from_uint(ft, a[0]),
        "demote_f64" => ins.fdemote(ft, a[0]),
        "promote_f32" => ins.fpromote(ft, a[0]),
        _ => return None,
    }))
}
