//! Encodings of SIMD, relaxed SIMD and atomic ops with immediates.
//!
//! The payload-less SIMD ops are encoded by `func.rs` through the name rule. Here: every op with
//! a memory argument, a lane, shuffle lanes or a v128 constant, and `atomic.fence`. An op is
//! matched to its instruction by the instruction's `VisitOperator` method name, which is the op
//! name with every `.` written `_`.
use super::err;
use super::func::{Enc, FuncEmitter, Ins};
use crate::TranslateError;
use rustc_hash::FxHashMap;
use wasm_encoder as we;
use wasmir::dialect::{wasm_atomic, wasm_simd};
use wasmir::{AttrData, Context, Op, OpCode};

type ImmFn = fn(&FuncEmitter<'_>, Op) -> Result<Ins, TranslateError>;

/// The memory argument; `align` defaults to the op's natural alignment.
fn memarg(e: &FuncEmitter<'_>, op: Op) -> Result<we::MemArg, TranslateError> {
    let name = e.name(op);
    let natural = wasm_simd::natural_align(name)
        .or_else(|| wasm_atomic::natural_align(name))
        .ok_or_else(|| err(format!("`{name}` is not a memory access")))?;
    e.memarg(op, natural.trailing_zeros())
}

fn lane(e: &FuncEmitter<'_>, op: Op) -> Result<u8, TranslateError> {
    match e.attr(op, "lane") {
        Some(AttrData::Int { value, .. }) if (0..=255).contains(value) => Ok(*value as u8),
        _ => Err(err(format!("`{}` needs a `lane` index", e.name(op)))),
    }
}

/// The 16 byte-sized integers of the array attribute `key`.
fn bytes16(e: &FuncEmitter<'_>, op: Op, key: &str) -> Result<[u8; 16], TranslateError> {
    let bad = || err(format!("`{}` needs `{key}`: 16 integers from 0 to 255", e.name(op)));
    let Some(AttrData::Array(items)) = e.attr(op, key) else { return Err(bad()) };
    if items.len() != 16 {
        return Err(bad());
    }
    let mut out = [0u8; 16];
    for (o, &i) in out.iter_mut().zip(items.iter()) {
        match e.ctx().attr_data(i) {
            AttrData::Int { value, .. } if (0..=255).contains(value) => *o = *value as u8,
            _ => return Err(bad()),
        }
    }
    Ok(out)
}

/// Adds the encodings of these ops to `m`.
pub(super) fn encodings(ctx: &Context, m: &mut FxHashMap<OpCode, Enc>) {
    let mut imm: Vec<(&'static str, ImmFn)> = Vec::new();
    macro_rules! collect {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            $( collect!(one @$proposal $op $({ $($arg: $argty),* })? => $visit); )*
        };
        (one @simd $op:ident { memarg: $t:ty } => $visit:ident) => {
            imm.push((stringify!($visit), |e, op| Ok(Ins::$op(memarg(e, op)?))));
        };
        (one @simd $op:ident { memarg: $t:ty, lane: $l:ty } => $visit:ident) => {
            imm.push((stringify!($visit), |e, op| Ok(Ins::$op { memarg: memarg(e, op)?, lane: lane(e, op)? })));
        };
        (one @simd $op:ident { lane: $l:ty } => $visit:ident) => {
            imm.push((stringify!($visit), |e, op| Ok(Ins::$op(lane(e, op)?))));
        };
        (one @threads $op:ident { memarg: $t:ty } => $visit:ident) => {
            imm.push((stringify!($visit), |e, op| Ok(Ins::$op(memarg(e, op)?))));
        };
        (one @$p:ident $op:ident $($rest:tt)*) => {};
    }
    wasmparser::for_each_operator!(collect);
    imm.push(("visit_v128_const", |e, op| Ok(Ins::V128Const(i128::from_le_bytes(bytes16(e, op, "value")?)))));
    imm.push(("visit_i8x16_shuffle", |e, op| Ok(Ins::I8x16Shuffle(bytes16(e, op, "lanes")?))));
    let by_visit: FxHashMap<&str, ImmFn> = imm.into_iter().collect();
    for def in wasm_simd::OPS.iter().chain(wasm_atomic::OPS) {
        let visit = format!("visit_{}", def.name.trim_start_matches("wasm.").replace('.', "_"));
        if let (Some(&f), Some(code)) = (by_visit.get(visit.as_str()), ctx.lookup_op(def.name)) {
            m.insert(code, Enc::Imm(f));
        }
    }
    // The only payload-less threads instruction (`func.rs` maps the SIMD groups only).
    if let Some(code) = ctx.lookup_op("wasm.atomic.fence") {
        m.insert(code, Enc::Plain(Ins::AtomicFence));
    }
}

#[cfg(test)]
mod tests {
    /// Every op of `wasm_simd` and `wasm_atomic` has an encoding: here, or in `func.rs` by the
    /// name rule (payload-less SIMD and relaxed-SIMD instructions).
    #[test]
    fn every_op_is_encoded() {
        let ctx = wasmir::Context::new();
        let mut m = rustc_hash::FxHashMap::default();
        super::encodings(&ctx, &mut m);
        let mut plain: Vec<String> = Vec::new();
        macro_rules! collect {
            ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
                $( collect!(one @$proposal $op $({ $($arg: $argty),* })? => $visit); )*
            };
            (one @simd $op:ident => $visit:ident) => { collect!(rule $visit) };
            (one @relaxed_simd $op:ident => $visit:ident) => { collect!(rule $visit) };
            (one @$p:ident $op:ident $($rest:tt)*) => {};
            (rule $visit:ident) => {{
                let n = stringify!($visit).strip_prefix("visit_").unwrap();
                let (a, b) = n.split_once('_').unwrap();
                plain.push(format!("wasm.{a}.{b}"));
            }};
        }
        wasmparser::for_each_operator!(collect);
        let missing: Vec<&str> = wasmir::dialect::wasm_simd::OPS
            .iter()
            .chain(wasmir::dialect::wasm_atomic::OPS)
            .filter(|d| !m.contains_key(&ctx.lookup_op(d.name).unwrap()) && !plain.iter().any(|p| p == d.name))
            .map(|d| d.name)
            .collect();
        assert!(missing.is_empty(), "no encoding for {missing:?}");
    }
}
