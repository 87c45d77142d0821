//! `canonicalize`: folds integer and float ops on constants and removes identities, to a fixpoint.
use super::{Level, Pass, PassInfo, Statistics};
use crate::ir::{AttrData, Context, Module, Op, OpRef, Type, Value, ValueDef};

pub const INFO: PassInfo = PassInfo {
    name: "canonicalize",
    summary: "Folds integer and float arithmetic, bitwise, shift and comparison ops on constants, and identities like `x + 0`.",
    description: "Folding follows wasm's semantics exactly: wrapping arithmetic, shift counts modulo \
                  the width, signed and unsigned comparisons. A division or remainder is folded only \
                  when it cannot trap (a non-zero divisor, and not `INT_MIN / -1` for `div_s`), so \
                  traps are never removed. A folded result becomes a constant op placed where the \
                  folded op was; identities (`x + 0`, `x - 0`, `x * 1`, `x | 0`, `x ^ 0`, \
                  `x & -1`, shifts by 0) reuse `x` and create nothing. The function is swept until \
                  nothing changes, at most `max-iterations` times.\n\n\
                  Float arithmetic (`add`, `sub`, `mul`, `div`, `sqrt`, `neg`, `abs`, `ceil`, \
                  `floor`, `trunc`, `nearest`, `copysign`) and comparisons fold with IEEE 754 \
                  round-to-nearest-even in the operands' own precision, as wasm computes them; \
                  nothing is folded when an operand or the result is a NaN (wasm leaves NaN \
                  payloads to the engine), and `min`/`max` are not folded.",
    level: Level::Function,
    options: &[super::PassOption { name: "max-iterations", summary: "sweeps over the function before giving up", default: "10" }],
    create: |opts| {
        let mut max = 10u32;
        for (k, v) in opts {
            match k.as_str() {
                "max-iterations" => max = v.parse().map_err(|_| format!("`max-iterations` takes a number, not `{v}`"))?,
                _ => return Err(format!("`canonicalize` has no option `{k}`")),
            }
        }
        Ok(Box::new(Canonicalize { max }))
    },
};

struct Canonicalize {
    max: u32,
}

/// What an op folds to.
enum Fold {
    /// An existing value (an identity).
    Value(Value),
    /// A constant of the op's result type (sign-extended from its width).
    Const(i64),
    /// A float constant of the op's result type, as its IEEE bits.
    Float(u64),
}

/// The float a value holds, if it is the result of a float constant op: its bits.
fn float_constant(ctx: &Context, module: &Module, body: crate::BodyId, v: Value) -> Option<u64> {
    let b = module.body(body);
    let ValueDef::Result(op, 0) = b.value_def(v) else { return None };
    if !matches!(ctx.op_name(b.opcode(op)), "wasm.f32.const" | "wasm.f64.const") {
        return None;
    }
    match ctx.dict_get(b.op(op).attrs, "value").map(|a| ctx.attr_data(a)) {
        Some(AttrData::Float { bits, .. }) => Some(*bits),
        _ => None,
    }
}

/// Folds f32/f64 arithmetic and comparisons on constants. Nothing is folded when an operand or
/// the result is a NaN: wasm leaves the NaN's payload open, and the host's choice must stay
/// the engine's. `min`/`max` are left alone (wasm orders -0 below +0; the host's min/max need
/// not). What is folded is exact IEEE 754 arithmetic (round to nearest even), as in wasm.
fn fold_float(ctx: &Context, module: &Module, body: crate::BodyId, op: Op, wide: bool, rest: &str) -> Option<Fold> {
    let b = module.body(body);
    let ops: smallvec::SmallVec<[Value; 2]> = b.operands(op).collect();
    let fty = if wide { ctx.f64() } else { ctx.f32() };
    if ops.is_empty() || ops.len() > 2 || ops.iter().any(|&v| b.value_type(v) != fty) {
        return None;
    }
    let get = |v: Value| -> Option<f64> {
        let bits = float_constant(ctx, module, body, v)?;
        let x = if wide { f64::from_bits(bits) } else { f32::from_bits(bits as u32) as f64 };
        (!x.is_nan()).then_some(x)
    };
    let a = get(ops[0])?;
    let cmp = |c: bool| Some(Fold::Const(c as i64));
    let out = |x: f64| -> Option<Fold> {
        if wide {
            (!x.is_nan()).then_some(Fold::Float(x.to_bits()))
        } else {
            let y = x as f32;
            (!y.is_nan()).then_some(Fold::Float(y.to_bits() as u64))
        }
    };
    if ops.len() == 1 {
        // Unary ops work on the value's own width (f32 values are exact in f64).
        return match rest {
            "neg" => out(-a),
            "abs" => out(a.abs()),
            "sqrt" if wide => out(a.sqrt()),
            "sqrt" => out((a as f32).sqrt() as f64),
            "ceil" => out(a.ceil()),
            "floor" => out(a.floor()),
            "trunc" => out(a.trunc()),
            "nearest" => out(a.round_ties_even()),
            _ => None,
        };
    }
    let c = get(ops[1])?;
    // Binary arithmetic in the operands' own precision: an f32 op rounds to f32 once.
    let arith = |f64op: fn(f64, f64) -> f64, f32op: fn(f32, f32) -> f32| -> Option<Fold> {
        if wide { out(f64op(a, c)) } else { out(f32op(a as f32, c as f32) as f64) }
    };
    match rest {
        "add" => arith(|x, y| x + y, |x, y| x + y),
        "sub" => arith(|x, y| x - y, |x, y| x - y),
        "mul" => arith(|x, y| x * y, |x, y| x * y),
        "div" => arith(|x, y| x / y, |x, y| x / y),
        "copysign" => out(a.copysign(c)),
        "eq" => cmp(a == c),
        "ne" => cmp(a != c),
        "lt" => cmp(a < c),
        "gt" => cmp(a > c),
        "le" => cmp(a <= c),
        "ge" => cmp(a >= c),
        _ => None,
    }
}

/// The constant a value holds, if it is the result of an integer constant op.
pub(super) fn constant(ctx: &Context, module: &Module, body: crate::BodyId, v: Value) -> Option<i64> {
    let b = module.body(body);
    let ValueDef::Result(op, 0) = b.value_def(v) else { return None };
    if !matches!(ctx.op_name(b.opcode(op)), "wasm.i32.const" | "wasm.i64.const") {
        return None;
    }
    match ctx.dict_get(b.op(op).attrs, "value").map(|a| ctx.attr_data(a)) {
        Some(AttrData::Int { value, .. }) => Some(*value as i64),
        _ => None,
    }
}

/// Folds `name` on 64-bit or 32-bit integers; `None` when it does not fold.
pub(super) fn fold_int(name: &str, a: i64, b: Option<i64>, wide: bool) -> Option<i64> {
    let bits = if wide { 64 } else { 32 };
    // Work on the value's own width, then sign-extend for storage.
    let (ua, sa) = if wide { (a as u64, a) } else { (a as u32 as u64, a as i32 as i64) };
    let norm = |x: u64| -> i64 { if wide { x as i64 } else { x as u32 as i32 as i64 } };
    let mask = |x: u64| -> u64 { if wide { x } else { x & 0xffff_ffff } };
    let bool_ = |c: bool| -> Option<i64> { Some(c as i64) };
    let Some(bv) = b else {
        return match name {
            "eqz" => bool_(ua == 0),
            "clz" => Some(if wide { ua.leading_zeros() as i64 } else { (ua as u32).leading_zeros() as i64 }),
            "ctz" => Some(if wide { ua.trailing_zeros() as i64 } else { (ua as u32).trailing_zeros() as i64 }),
            "popcnt" => Some(ua.count_ones() as i64),
            _ => None,
        };
    };
    let (ub, sb) = if wide { (bv as u64, bv) } else { (bv as u32 as u64, bv as i32 as i64) };
    let sh = (ub % bits as u64) as u32;
    Some(match name {
        "add" => norm(mask(ua.wrapping_add(ub))),
        "sub" => norm(mask(ua.wrapping_sub(ub))),
        "mul" => norm(mask(ua.wrapping_mul(ub))),
        "and" => norm(ua & ub),
        "or" => norm(ua | ub),
        "xor" => norm(ua ^ ub),
        "shl" => norm(mask(ua << sh)),
        "shr_u" => norm(ua >> sh),
        "shr_s" => sa >> sh,
        "rotl" => norm(if wide { ua.rotate_left(sh) } else { (ua as u32).rotate_left(sh) as u64 }),
        "rotr" => norm(if wide { ua.rotate_right(sh) } else { (ua as u32).rotate_right(sh) as u64 }),
        "eq" => (ua == ub) as i64,
        "ne" => (ua != ub) as i64,
        "lt_s" => (sa < sb) as i64,
        "lt_u" => (ua < ub) as i64,
        "gt_s" => (sa > sb) as i64,
        "gt_u" => (ua > ub) as i64,
        "le_s" => (sa <= sb) as i64,
        "le_u" => (ua <= ub) as i64,
        "ge_s" => (sa >= sb) as i64,
        "ge_u" => (ua >= ub) as i64,
        // Only when they cannot trap.
        "div_u" if ub != 0 => norm(ua / ub),
        "rem_u" if ub != 0 => norm(ua % ub),
        "div_s" if sb != 0 && !(sb == -1 && sa == if wide { i64::MIN } else { i32::MIN as i64 }) => norm(mask(sa.wrapping_div(sb) as u64)),
        "rem_s" if sb != 0 => norm(mask(sa.wrapping_rem(sb) as u64)),
        _ => return None,
    })
}

fn fold(ctx: &Context, module: &Module, body: crate::BodyId, op: Op) -> Option<Fold> {
    let b = module.body(body);
    let name = ctx.op_name(b.opcode(op));
    let (ty, rest) = name.strip_prefix("wasm.")?.split_once('.')?;
    if rest == "const" || b.num_results(op) != 1 {
        return None;
    }
    let wide = match ty {
        "i32" => false,
        "i64" => true,
        "f32" => return fold_float(ctx, module, body, op, false, rest),
        "f64" => return fold_float(ctx, module, body, op, true, rest),
        _ => return None,
    };
    let ops: smallvec::SmallVec<[Value; 2]> = b.operands(op).collect();
    // Operands must be of the op's own integer type (not e.g. `i64.extend_i32_s`).
    let int = if wide { ctx.i64() } else { ctx.i32() };
    if ops.is_empty() || ops.len() > 2 || ops.iter().any(|&v| b.value_type(v) != int) {
        return None;
    }
    let ca = constant(ctx, module, body, ops[0]);
    let cb = ops.get(1).and_then(|&v| constant(ctx, module, body, v));
    match (ca, ops.len()) {
        (Some(a), 1) => return fold_int(rest, a, None, wide).map(Fold::Const),
        (Some(a), 2) => {
            if let Some(c) = cb {
                return fold_int(rest, a, Some(c), wide).map(Fold::Const);
            }
            // `0 + x`, `1 * x`, `0 | x`, `0 ^ x`, `-1 & x`.
            return match (rest, a) {
                ("add" | "or" | "xor", 0) | ("mul", 1) | ("and", -1) => Some(Fold::Value(ops[1])),
                _ => None,
            };
        }
        _ => {}
    }
    match (rest, cb?) {
        ("add" | "sub" | "or" | "xor" | "shl" | "shr_s" | "shr_u" | "rotl" | "rotr", 0) | ("mul" | "div_s" | "div_u", 1) | ("and", -1) => Some(Fold::Value(ops[0])),
        _ => None,
    }
}

impl Pass for Canonicalize {
    fn run(&mut self, ctx: &mut Context, module: &mut Module, func: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let Some(body) = module.body(func.body).inner_body(func.op) else { return Ok(false) };
        let mut any = false;
        for _ in 0..self.max {
            let mut changed = false;
            let all = super::walk::preorder(module.body(body), module.body(body).roots());
            for op in all {
                let Some(f) = fold(ctx, module, body, op) else { continue };
                let old = module.body(body).result(op, 0);
                let ty: Type = module.body(body).value_type(old);
                let constant = match f {
                    Fold::Value(v) => Err(v),
                    Fold::Const(c) => Ok((if ty == ctx.i64() { "wasm.i64.const" } else { "wasm.i32.const" }, ctx.int_attr(c as i128, ty))),
                    Fold::Float(bits) => Ok((if ty == ctx.f64() { "wasm.f64.const" } else { "wasm.f32.const" }, ctx.float_attr(bits, ty))),
                };
                let new = match constant {
                    Err(v) => v,
                    Ok((name, v)) => {
                        let code = ctx.op_code(name);
                        let key = ctx.ident("value");
                        let attrs = ctx.dict_attr(vec![(key, v)]);
                        let loc = module.body(body).op(op).loc;
                        let b = module.body_mut(body);
                        let k = b.create_op(code, &[], &[ty], &[], &[], None, attrs, loc);
                        b.insert_op_before(k, op);
                        stats.add("constants materialized", 1);
                        b.result(k, 0)
                    }
                };
                module.body_mut(body).replace_all_uses(old, new);
                module.erase_op(OpRef { body, op }).map_err(|e| e.to_string())?;
                stats.add("ops folded", 1);
                changed = true;
            }
            if !changed {
                break;
            }
            any = true;
        }
        Ok(any)
    }
}
