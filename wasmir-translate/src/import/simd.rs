//! SIMD, relaxed SIMD and atomic instructions whose immediates (lanes, shuffles, constants,
//! memory arguments) need more than the generic numeric path in `body.rs`.
//!
//! The payload-less SIMD instructions need nothing here: `body.rs` finds their op by name. The
//! others are found by their `VisitOperator` method name too, which is the op name with every
//! `.` written `_` (`visit_i32_atomic_rmw8_add_u` is `wasm.i32.atomic.rmw8.add_u`); their
//! memory argument becomes `@memory`/`offset`/`align` and their lane index `lane`.
use super::body::FuncTranslator;
use crate::TranslateError;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use std::sync::OnceLock;
use wasmir::{Attr, AttrData, Ident, Type};
use wasmparser::{MemArg, Operator};

/// The op of each SIMD and atomic instruction, by `VisitOperator` method name.
pub(crate) fn op_names() -> &'static FxHashMap<String, &'static str> {
    static NAMES: OnceLock<FxHashMap<String, &'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        use wasmir::dialect::{wasm_atomic, wasm_simd};
        wasm_simd::OPS
            .iter()
            .chain(wasm_atomic::OPS)
            .map(|d| (format!("visit_{}", d.name.trim_start_matches("wasm.").replace('.', "_")), d.name))
            .collect()
    })
}

/// The method name, memory argument and lane of a SIMD or atomic instruction whose immediates
/// are only those.
fn immediates(op: &Operator<'_>) -> Option<(&'static str, Option<MemArg>, Option<u8>)> {
    macro_rules! imm {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            $( imm!(one @$proposal $op $({ $($arg: $argty),* })? => $visit); )*
        };
        (one @simd $op:ident { memarg: $t:ty } => $visit:ident) => {
            if let Operator::$op { memarg } = op {
                return Some((stringify!($visit), Some(*memarg), None));
            }
        };
        (one @simd $op:ident { memarg: $t:ty, lane: $l:ty } => $visit:ident) => {
            if let Operator::$op { memarg, lane } = op {
                return Some((stringify!($visit), Some(*memarg), Some(*lane)));
            }
        };
        (one @simd $op:ident { lane: $l:ty } => $visit:ident) => {
            if let Operator::$op { lane } = op {
                return Some((stringify!($visit), None, Some(*lane)));
            }
        };
        (one @threads $op:ident { memarg: $t:ty } => $visit:ident) => {
            if let Operator::$op { memarg } = op {
                return Some((stringify!($visit), Some(*memarg), None));
            }
        };
        (one @$p:ident $op:ident $($rest:tt)*) => {};
    }
    wasmparser::for_each_operator!(imm);
    None
}

/// An array attribute of byte-sized integers (typed i64, as the keyword form writes them).
fn byte_array(t: &mut FuncTranslator<'_>, bytes: &[u8]) -> Attr {
    let i64t = t.ctx().i64();
    let items: Vec<Attr> = bytes.iter().map(|&b| t.ctx().int_attr(i128::from(b), i64t)).collect();
    t.ctx().attr(AttrData::Array(items.into_boxed_slice()))
}

/// Translates `op` if it is one of these; `Ok(false)` leaves it to the generic path.
pub(super) fn operator(t: &mut FuncTranslator<'_>, op: &Operator<'_>, offset: usize) -> Result<bool, TranslateError> {
    match op {
        Operator::V128Const { value } => {
            let bytes = byte_array(t, value.bytes());
            let a = t.attrs(&[("value", bytes)]);
            let v128 = t.ctx().v128();
            let op = t.emit("wasm.v128.const", &[], &[v128], a, &[]);
            t.push_results(op);
            return Ok(true);
        }
        Operator::I8x16Shuffle { lanes } => {
            let lanes = byte_array(t, lanes);
            let a = t.attrs(&[("lanes", lanes)]);
            let args = t.pop_n(2);
            let v128 = t.ctx().v128();
            let op = t.emit("wasm.i8x16.shuffle", &args, &[v128], a, &[]);
            t.push_results(op);
            return Ok(true);
        }
        _ => {}
    }
    let Some((visit, memarg, lane)) = immediates(op) else { return Ok(false) };
    let Some(&name) = op_names().get(visit) else {
        let n = visit.trim_start_matches("visit_");
        return Err(super::err(format!("the instruction `{n}` has no op in the wasm dialect"), offset));
    };
    let code = t.code(name);
    let def = t.ctx().op_def(code).expect("a registered op");
    let results: SmallVec<[Type; 1]> = def
        .results
        .iter()
        .map(|r| wasmir::ir::builder::fixed_type(t.ctx(), r.ty).expect("SIMD and atomic results have fixed types"))
        .collect();
    let mut entries: Vec<(Ident, Attr)> = Vec::new();
    if let Some(m) = memarg {
        let dict = t.memarg(&m);
        entries.extend_from_slice(t.ctx().dict_entries(dict));
    }
    if let Some(l) = lane {
        let i64t = t.ctx().i64();
        let key = t.ctx().ident("lane");
        let value = t.ctx().int_attr(i128::from(l), i64t);
        entries.push((key, value));
    }
    let attrs = t.ctx().dict_attr(entries);
    let args = t.pop_n(def.operands.len());
    let op = t.emit_code(code, &args, &results, attrs, &[]);
    t.push_results(op);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every SIMD, relaxed-SIMD and threads instruction has an op of the wasm dialect, found by
    /// the generic name rule (first `_` → `.`) or by [`op_names`].
    #[test]
    fn every_instruction_has_an_op() {
        let ctx = wasmir::Context::new();
        let names = op_names();
        let mut missing = Vec::new();
        let mut count = 0;
        macro_rules! check {
            ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
                $( check!(one @$proposal $visit); )*
            };
            (one @simd $visit:ident) => { check!(go $visit) };
            (one @relaxed_simd $visit:ident) => { check!(go $visit) };
            (one @threads $visit:ident) => { check!(go $visit) };
            (one @$p:ident $visit:ident) => {};
            (go $visit:ident) => {{
                count += 1;
                let v = stringify!($visit);
                let n = v.strip_prefix("visit_").unwrap();
                let rule = match n.split_once('_') {
                    Some((a, b)) => format!("wasm.{a}.{b}"),
                    None => format!("wasm.{n}"),
                };
                let found = names.get(v).copied().filter(|n| ctx.lookup_op(n).is_some()).is_some() || ctx.lookup_op(&rule).is_some();
                if !found {
                    missing.push(v);
                }
            }};
        }
        wasmparser::for_each_operator!(check);
        assert!(missing.is_empty(), "no op for {missing:?}");
        assert_eq!(count, names.len(), "every op of wasm_simd and wasm_atomic is one instruction");
    }
}
