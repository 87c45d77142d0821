//! Encodings of the typed-reference and GC ops (defined types by index, fields, casts).
use super::func::{Enc, FuncEmitter, Ins};
use super::{err, Space};
use crate::TranslateError;
use rustc_hash::FxHashMap;
use wasm_encoder as we;
use wasmir::{AttrData, Context, Op, OpCode};

type F = fn(&FuncEmitter<'_>, Op) -> Result<Ins, TranslateError>;

fn field(e: &FuncEmitter<'_>, op: Op) -> Result<u32, TranslateError> {
    match e.attr(op, "field") {
        Some(AttrData::Int { value, .. }) => Ok(*value as u32),
        _ => Err(err("a struct access needs its `field`")),
    }
}

fn to_type(e: &FuncEmitter<'_>, op: Op) -> Result<we::RefType, TranslateError> {
    match e.attr(op, "to") {
        Some(AttrData::Type(t)) => e.ref_type_of(*t),
        _ => Err(err("`wasm.ref.test` needs `to`")),
    }
}

/// Adds the encodings of these ops to `m`.
pub(super) fn encodings(ctx: &Context, m: &mut FxHashMap<OpCode, Enc>) {
    use we::Instruction as I;
    let table: &[(&str, F)] = &[
        ("wasm.struct.new", |e, op| Ok(I::StructNew(e.type_index(op, "type")?))),
        ("wasm.struct.new_default", |e, op| Ok(I::StructNewDefault(e.type_index(op, "type")?))),
        ("wasm.struct.get", |e, op| Ok(I::StructGet { struct_type_index: e.type_index(op, "type")?, field_index: field(e, op)? })),
        ("wasm.struct.get_s", |e, op| Ok(I::StructGetS { struct_type_index: e.type_index(op, "type")?, field_index: field(e, op)? })),
        ("wasm.struct.get_u", |e, op| Ok(I::StructGetU { struct_type_index: e.type_index(op, "type")?, field_index: field(e, op)? })),
        ("wasm.struct.set", |e, op| Ok(I::StructSet { struct_type_index: e.type_index(op, "type")?, field_index: field(e, op)? })),
        ("wasm.array.new", |e, op| Ok(I::ArrayNew(e.type_index(op, "type")?))),
        ("wasm.array.new_default", |e, op| Ok(I::ArrayNewDefault(e.type_index(op, "type")?))),
        ("wasm.array.new_fixed", |e, op| {
            let n = e.operand_count(op);
            Ok(I::ArrayNewFixed { array_type_index: e.type_index(op, "type")?, array_size: n as u32 })
        }),
        ("wasm.array.new_data", |e, op| {
            Ok(I::ArrayNewData { array_type_index: e.type_index(op, "type")?, array_data_index: e.sym(op, "segment", Space::Data)? })
        }),
        ("wasm.array.new_elem", |e, op| {
            Ok(I::ArrayNewElem { array_type_index: e.type_index(op, "type")?, array_elem_index: e.sym(op, "segment", Space::Elem)? })
        }),
        ("wasm.array.get", |e, op| Ok(I::ArrayGet(e.type_index(op, "type")?))),
        ("wasm.array.get_s", |e, op| Ok(I::ArrayGetS(e.type_index(op, "type")?))),
        ("wasm.array.get_u", |e, op| Ok(I::ArrayGetU(e.type_index(op, "type")?))),
        ("wasm.array.set", |e, op| Ok(I::ArraySet(e.type_index(op, "type")?))),
        ("wasm.array.len", |_, _| Ok(I::ArrayLen)),
        ("wasm.array.fill", |e, op| Ok(I::ArrayFill(e.type_index(op, "type")?))),
        ("wasm.array.copy", |e, op| {
            Ok(I::ArrayCopy { array_type_index_dst: e.type_index(op, "dst")?, array_type_index_src: e.type_index(op, "src")? })
        }),
        ("wasm.array.init_data", |e, op| {
            Ok(I::ArrayInitData { array_type_index: e.type_index(op, "type")?, array_data_index: e.sym(op, "segment", Space::Data)? })
        }),
        ("wasm.array.init_elem", |e, op| {
            Ok(I::ArrayInitElem { array_type_index: e.type_index(op, "type")?, array_elem_index: e.sym(op, "segment", Space::Elem)? })
        }),
        ("wasm.ref.i31", |_, _| Ok(I::RefI31)),
        ("wasm.i31.get_s", |_, _| Ok(I::I31GetS)),
        ("wasm.i31.get_u", |_, _| Ok(I::I31GetU)),
        ("wasm.ref.eq", |_, _| Ok(I::RefEq)),
        ("wasm.ref.as_non_null", |_, _| Ok(I::RefAsNonNull)),
        ("wasm.any.convert_extern", |_, _| Ok(I::AnyConvertExtern)),
        ("wasm.extern.convert_any", |_, _| Ok(I::ExternConvertAny)),
        ("wasm.ref.test", |e, op| {
            let t = to_type(e, op)?;
            Ok(if t.nullable { I::RefTestNullable(t.heap_type) } else { I::RefTestNonNull(t.heap_type) })
        }),
        ("wasm.ref.cast", |e, op| {
            let t = e.ref_type_of(e.result_type(op, 0))?;
            Ok(if t.nullable { I::RefCastNullable(t.heap_type) } else { I::RefCastNonNull(t.heap_type) })
        }),
        ("wasm.call_ref", |e, op| Ok(I::CallRef(e.type_index(op, "type")?))),
        ("wasm.return_call_ref", |e, op| Ok(I::ReturnCallRef(e.type_index(op, "type")?))),
    ];
    for &(name, f) in table {
        if let Some(c) = ctx.lookup_op(name) {
            m.insert(c, Enc::Imm(f));
        }
    }
}
