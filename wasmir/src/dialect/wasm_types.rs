//! The `wasm` dialect, defined types: `wasm.type` (function, struct and array types, with
//! recursion groups and declared subtyping) and the subtyping relation the verifier checks wasm
//! values with.
//!
//! A defined type is a symbol; references to it are `!wasm.ref<@t>`. Types are compared by
//! symbol: the importer names every group of equivalent types (wasm's iso-recursive type
//! equality) by one canonical symbol, so two references to equal types always name the same
//! symbol. Hand-written IR that defines the same structure twice gets two distinct types.
use super::*;
use crate::ir::{AttrData, HeapType, Ident, OpRef, RefHeap, Type, TypeData};

/// The shape of a defined type, read from its `wasm.type` op.
#[derive(Clone, Debug)]
pub enum Composite {
    Func(Type),
    /// Field types (`i8`/`i16` are packed) with their mutability.
    Struct(Vec<(Type, bool)>),
    Array(Type, bool),
}

/// A defined type: its shape, declared supertype and finality.
#[derive(Clone, Debug)]
pub struct TypeDefInfo {
    pub composite: Composite,
    pub supertype: Option<Ident>,
    pub open: bool,
}

/// Reads a `wasm.type` op.
pub fn type_def_info(ctx: &crate::Context, module: &crate::Module, t: OpRef) -> Option<TypeDefInfo> {
    let b = module.body(t.body);
    if ctx.op_name(b.opcode(t.op)) != "wasm.type" {
        return None;
    }
    let attrs = b.op(t.op).attrs;
    let get = |k: &str| ctx.dict_get(attrs, k).map(|a| ctx.attr_data(a));
    let fields: Vec<Type> = match get("fields") {
        Some(AttrData::Array(v)) => v
            .iter()
            .filter_map(|&a| match ctx.attr_data(a) {
                AttrData::Type(t) => Some(*t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let mutable: Vec<usize> = match get("mutable") {
        Some(AttrData::Array(v)) => v
            .iter()
            .filter_map(|&a| match ctx.attr_data(a) {
                AttrData::Int { value, .. } => Some(*value as usize),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let composite = if get("func").is_some() {
        Composite::Func(*fields.first()?)
    } else if get("array").is_some() {
        Composite::Array(*fields.first()?, mutable.contains(&0))
    } else {
        Composite::Struct(fields.iter().enumerate().map(|(i, &t)| (t, mutable.contains(&i))).collect())
    };
    let supertype = match get("super") {
        Some(AttrData::SymbolRef(p)) => Some(p[0]),
        _ => None,
    };
    Some(TypeDefInfo { composite, supertype, open: get("open").is_some() })
}

/// The type definition a symbol names, as seen from the op being verified.
pub fn lookup(c: &mut OpChecker<'_>, name: Ident) -> Option<TypeDefInfo> {
    let t = c.find_symbol(name)?;
    type_def_info(c.ctx, c.module, t)
}

fn abstract_sub(a: HeapType, b: HeapType) -> bool {
    use HeapType::*;
    a == b
        || match b {
            Any => matches!(a, Eq | I31 | Struct | Array | None),
            Eq => matches!(a, I31 | Struct | Array | None),
            I31 | Struct | Array => a == None,
            Func => a == NoFunc,
            Extern => a == NoExtern,
            Exn => a == NoExn,
            _ => false,
        }
}

/// The abstract heap type a defined type's references belong to.
fn kind_top(d: &TypeDefInfo) -> HeapType {
    match d.composite {
        Composite::Func(_) => HeapType::Func,
        Composite::Struct(_) => HeapType::Struct,
        Composite::Array(..) => HeapType::Array,
    }
}

/// Whether a value of type `a` may be used where `b` is expected (wasm's subtyping).
pub fn matches(c: &mut OpChecker<'_>, a: Type, b: Type) -> bool {
    if a == b {
        return true;
    }
    let (Some((an, ae, ah)), Some((bn, be, bh))) = (c.ctx.ref_parts(a), c.ctx.ref_parts(b)) else { return false };
    if an && !bn {
        return false;
    }
    match (ah, bh) {
        (RefHeap::Abstract(x), RefHeap::Abstract(y)) => abstract_sub(x, y),
        (RefHeap::Defined(t), RefHeap::Abstract(y)) => match lookup(c, t) {
            Some(d) => abstract_sub(kind_top(&d), y),
            None => false,
        },
        (RefHeap::Abstract(x), RefHeap::Defined(t)) => match lookup(c, t) {
            // The bottom type of a hierarchy is below every defined type in it.
            Some(d) => matches!((x, kind_top(&d)), (HeapType::None, HeapType::Struct | HeapType::Array) | (HeapType::NoFunc, HeapType::Func)),
            None => false,
        },
        (RefHeap::Defined(x), RefHeap::Defined(y)) => {
            if be {
                return x == y && ae;
            }
            // Walk the declared supertypes (bounded, so a cycle in invalid IR cannot hang).
            let mut cur = x;
            for _ in 0..10_000 {
                if cur == y {
                    return true;
                }
                match lookup(c, cur).and_then(|d| d.supertype) {
                    Some(s) => cur = s,
                    None => return false,
                }
            }
            false
        }
    }
}

/// Whether `t` is a function reference type (funcref, `!wasm.ref<func>`, `!wasm.ref<@sig>`, …).
pub fn is_func_ref(c: &mut OpChecker<'_>, t: Type) -> bool {
    match c.ctx.ref_parts(t) {
        Some((_, _, RefHeap::Abstract(h))) => matches!(h, HeapType::Func | HeapType::NoFunc),
        Some((_, _, RefHeap::Defined(s))) => lookup(c, s).is_some_and(|d| matches!(d.composite, Composite::Func(_))),
        None => false,
    }
}

/// Checks `got` against `want` element-wise with subtyping.
pub fn all_match(c: &mut OpChecker<'_>, got: &[Type], want: &[Type]) -> bool {
    got.len() == want.len() && got.iter().zip(want).all(|(&g, &w)| matches(c, g, w))
}

fn verify_type(c: &mut OpChecker<'_>) {
    let kinds = ["func", "struct", "array"].iter().filter(|k| c.attr(k).is_some()).count();
    if kinds != 1 {
        c.error("a type is exactly one of `func`, `struct` or `array`");
        return;
    }
    let fields: Vec<Type> = match c.attr("fields").map(|a| c.ctx.attr_data(a)) {
        Some(AttrData::Array(v)) => v
            .iter()
            .filter_map(|&a| match c.ctx.attr_data(a) {
                AttrData::Type(t) => Some(*t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    if c.attr("func").is_some() && !(fields.len() == 1 && matches!(c.ctx.type_data(fields[0]), TypeData::Function { .. })) {
        c.error("a `func` type gives one function type after `:`");
    }
    if c.attr("array").is_some() && fields.len() != 1 {
        c.error("an `array` type gives one element type after `:`");
    }
    if c.attr("struct").is_some() || c.attr("array").is_some() {
        for &t in &fields {
            let ok = crate::verify::is_wasm_value(c.ctx, t) || matches!(c.ctx.type_data(t), TypeData::Int(8 | 16));
            if !ok {
                let s = c.type_str(t);
                c.error(format!("a field holds a value type or a packed i8/i16, not {s}"));
            }
        }
    }
    if let Some(s) = c.attr("super") {
        let Some(t) = c.resolve_symbol(s) else { return };
        match type_def_info(c.ctx, c.module, t) {
            Some(d) if d.open => {}
            Some(_) => {
                c.error("the supertype is final; declare it `open` to allow subtypes");
            }
            None => {
                c.error("`super` must name a `wasm.type`");
            }
        }
    }
}

pub static OPS: &[OpDef] = &[OpDef {
    name: "wasm.type",
    summary: "A defined type: a function, struct or array type, in a recursion group, with its supertype.",
    description: "The types after `:` are the function type (`func`), the field types (`struct`; \
                  `i8`/`i16` are packed fields) or the element type (`array`); `mutable` lists the \
                  indices of mutable fields (0 for a mutable array). `open` allows subtypes (wasm's \
                  non-final `sub`); `super @t` declares the supertype. Consecutive types with the \
                  same `rec` number form one recursion group.",
    attrs: &[
        pos_attr("sym_name", AttrKind::String, "the type's symbol"),
        opt_attr("rec", AttrKind::Int, "the recursion group it belongs to"),
        opt_attr("open", AttrKind::Unit, "not final: may have subtypes"),
        opt_attr("super", AttrKind::SymbolRef, "the declared supertype"),
        opt_attr("func", AttrKind::Unit, "a function type"),
        opt_attr("struct", AttrKind::Unit, "a struct type"),
        opt_attr("array", AttrKind::Unit, "an array type"),
        opt_attr("mutable", AttrKind::Array, "indices of the mutable fields"),
        attr("fields", AttrKind::Array, "the types after `:`"),
    ],
    traits: Traits::SYMBOL,
    syntax: Syntax::Keyword,
    sig: Sig::Fields,
    verify: Some(verify_type),
    example: "wasm.type @vec2 open struct mutable 1 : i32, f64",
    effects: fx::NONE,
    ..BASE
}];
