//! The `wasm` dialect, typed references and GC: struct and array ops, i31, casts and type tests,
//! the null-checking branches, `ref.eq`, `ref.as_non_null`, the extern/any conversions and calls
//! through typed function references. Defined types are named by symbol (`@point`).
use super::TypeConstraint::*;
use super::wasm_types::{all_match, lookup, matches, Composite, TypeDefInfo};
use super::*;
use crate::ir::{AttrData, Ident, Type, TypeData, Value};

fn body_of<'a>(c: &OpChecker<'a>) -> &'a crate::Body {
    c.module.body(c.op.body)
}

/// The defined type named by the attribute `key`.
fn def_of(c: &mut OpChecker<'_>, key: &str) -> Option<(Ident, TypeDefInfo)> {
    let AttrData::SymbolRef(p) = c.ctx.attr_data(c.attr(key)?) else { return None };
    let name = p[0];
    match lookup(c, name) {
        Some(d) => Some((name, d)),
        None => {
            let n = c.ctx.str(name).to_string();
            c.error(format!("`{key}` must name a `wasm.type`; @{n} is not one"));
            None
        }
    }
}

/// A field's value type: packed `i8`/`i16` fields are read and written as i32.
fn unpacked(c: &OpChecker<'_>, t: Type) -> Type {
    if matches!(c.ctx.type_data(t), TypeData::Int(8 | 16)) { c.ctx.i32() } else { t }
}

fn struct_fields(c: &mut OpChecker<'_>, key: &str) -> Option<(Ident, Vec<(Type, bool)>)> {
    let (n, d) = def_of(c, key)?;
    match d.composite {
        Composite::Struct(f) => Some((n, f)),
        _ => {
            c.error(format!("`{key}` must name a struct type"));
            None
        }
    }
}

fn array_elem(c: &mut OpChecker<'_>, key: &str) -> Option<(Ident, Type, bool)> {
    let (n, d) = def_of(c, key)?;
    match d.composite {
        Composite::Array(t, m) => Some((n, t, m)),
        _ => {
            c.error(format!("`{key}` must name an array type"));
            None
        }
    }
}

fn field_index(c: &mut OpChecker<'_>, n: usize) -> Option<usize> {
    let AttrData::Int { value, .. } = c.ctx.attr_data(c.attr("field")?) else { return None };
    let i = *value as usize;
    if i >= n {
        c.error(format!("field {i} is out of range: the struct has {n} field(s)"));
        return None;
    }
    Some(i)
}

/// `want ⊒ got` for a checked operand, with a message naming it.
fn expect(c: &mut OpChecker<'_>, what: &str, got: Type, want: Type) {
    if !matches(c, got, want) {
        let (g, w) = (c.type_str(got), c.type_str(want));
        c.error(format!("the {what} has type {g} but {w} is expected"));
    }
}

/// A reference to the defined type `n` (nullable or not).
fn ref_to(c: &OpChecker<'_>, n: Ident, nullable: bool) -> Option<Type> {
    c.ctx.find_type(&TypeData::RefTo { nullable, exact: false, heap: crate::RefHeap::Defined(n) })
}

/// The reference operand fits a (nullable) reference to `n`.
fn expect_ref(c: &mut OpChecker<'_>, what: &str, v: Type, n: Ident) {
    match ref_to(c, n, true) {
        Some(want) => expect(c, what, v, want),
        None => {
            // `!wasm.ref<null @n>` is not interned: only a non-null reference can fit.
            if !ref_to(c, n, false).is_some_and(|w| matches(c, v, w)) {
                let g = c.type_str(v);
                let n = c.ctx.str(n).to_string();
                c.error(format!("the {what} has type {g} but a reference to @{n} is expected"));
            }
        }
    }
}

fn check_result_is_ref(c: &mut OpChecker<'_>, n: Ident) {
    let r = c.result_type(0);
    if ref_to(c, n, false) != Some(r) {
        let s = c.type_str(r);
        let n = c.ctx.str(n).to_string();
        c.error(format!("the result must be `!wasm.ref<@{n}>`, not {s}"));
    }
}

fn verify_struct_new(c: &mut OpChecker<'_>) {
    let Some((n, fields)) = struct_fields(c, "type") else { return };
    let ops = c.operand_types();
    let default = c.ctx.op_name(body_of(c).opcode(c.op.op)).ends_with("default");
    if default {
        if !ops.is_empty() {
            c.error("`wasm.struct.new_default` takes no operands");
        }
    } else {
        let want: Vec<Type> = fields.iter().map(|&(t, _)| unpacked(c, t)).collect();
        if !all_match(c, &ops, &want) {
            let (g, w) = (c.types_str(&ops), c.types_str(&want));
            c.error(format!("the field values are ({g}) but the struct's fields are ({w})"));
        }
    }
    check_result_is_ref(c, n);
}

fn verify_struct_get(c: &mut OpChecker<'_>) {
    let Some((n, fields)) = struct_fields(c, "type") else { return };
    let Some(i) = field_index(c, fields.len()) else { return };
    let ops = c.operand_types();
    expect_ref(c, "struct operand", ops[0], n);
    let name = c.ctx.op_name(body_of(c).opcode(c.op.op));
    let packed = matches!(c.ctx.type_data(fields[i].0), TypeData::Int(8 | 16));
    if packed == name.ends_with(".get") {
        c.error(if packed { "a packed field is read with `get_s` or `get_u`" } else { "`get_s`/`get_u` read packed fields only" });
    }
    if c.result_type(0) != unpacked(c, fields[i].0) {
        c.error("the result type must be the field's type");
    }
}

fn verify_struct_set(c: &mut OpChecker<'_>) {
    let Some((n, fields)) = struct_fields(c, "type") else { return };
    let Some(i) = field_index(c, fields.len()) else { return };
    if !fields[i].1 {
        c.error(format!("field {i} is immutable"));
    }
    let ops = c.operand_types();
    expect_ref(c, "struct operand", ops[0], n);
    let want = unpacked(c, fields[i].0);
    expect(c, "value", ops[1], want);
}

fn verify_array_new(c: &mut OpChecker<'_>) {
    let Some((n, elem, _)) = array_elem(c, "type") else { return };
    let name = c.ctx.op_name(body_of(c).opcode(c.op.op)).to_string();
    let ops = c.operand_types();
    let e = unpacked(c, elem);
    match name.as_str() {
        "wasm.array.new" => expect(c, "initial value", ops[0], e),
        "wasm.array.new_fixed" => {
            for &t in &ops {
                expect(c, "element", t, e);
            }
        }
        "wasm.array.new_data" => {
            let _ = c.attr("segment").and_then(|s| c.resolve_symbol(s));
        }
        "wasm.array.new_elem" => {
            let _ = c.attr("segment").and_then(|s| c.resolve_symbol(s));
        }
        _ => {}
    }
    check_result_is_ref(c, n);
}

fn verify_array_access(c: &mut OpChecker<'_>) {
    let Some((n, elem, mutable)) = array_elem(c, "type") else { return };
    let name = c.ctx.op_name(body_of(c).opcode(c.op.op)).to_string();
    let ops = c.operand_types();
    expect_ref(c, "array operand", ops[0], n);
    let e = unpacked(c, elem);
    let packed = matches!(c.ctx.type_data(elem), TypeData::Int(8 | 16));
    match name.as_str() {
        "wasm.array.get" | "wasm.array.get_s" | "wasm.array.get_u" => {
            if packed == name.ends_with(".get") {
                c.error(if packed { "a packed array is read with `get_s` or `get_u`" } else { "`get_s`/`get_u` read packed arrays only" });
            }
            if c.result_type(0) != e {
                c.error("the result type must be the element type");
            }
        }
        "wasm.array.set" | "wasm.array.fill" => {
            if !mutable {
                c.error("the array type is immutable");
            }
            expect(c, "value", ops[2], e);
        }
        _ => {
            if !mutable {
                c.error("the array type is immutable");
            }
        }
    }
}

fn verify_array_copy(c: &mut OpChecker<'_>) {
    let Some((dn, de, dm)) = array_elem(c, "dst") else { return };
    let Some((sn, se, _)) = array_elem(c, "src") else { return };
    if !dm {
        c.error("the destination array type is immutable");
    }
    if !matches(c, se, de) {
        c.error("the source elements do not fit the destination elements");
    }
    let ops = c.operand_types();
    expect_ref(c, "destination", ops[0], dn);
    expect_ref(c, "source", ops[2], sn);
}

fn verify_call_ref(c: &mut OpChecker<'_>) {
    let Some((n, d)) = def_of(c, "type") else { return };
    let Composite::Func(f) = d.composite else {
        c.error("`type` must name a function type");
        return;
    };
    let TypeData::Function { params, results } = c.ctx.type_data(f).clone() else { return };
    let ops = c.operand_types();
    let Some((&callee, args)) = ops.split_last() else {
        c.error("the callee reference is the last operand");
        return;
    };
    expect_ref(c, "callee", callee, n);
    if !all_match(c, args, &params) {
        let (g, w) = (c.types_str(args), c.types_str(&params));
        c.error(format!("passes ({g}) but the function type takes ({w})"));
    }
    let tail = c.ctx.op_name(body_of(c).opcode(c.op.op)) == "wasm.return_call_ref";
    if !tail {
        let got = c.result_types();
        if got != results.to_vec() {
            let (g, w) = (c.types_str(&got), c.types_str(&results));
            c.error(format!("results ({g}) but the function type returns ({w})"));
        }
    }
}

/// The label target of a `br_on_*` and the values it passes.
fn check_br_on(c: &mut OpChecker<'_>, passed: Vec<Type>) {
    let label: Value = body_of(c).operand(c.op.op, 0);
    if body_of(c).value_type(label) != c.ctx.label_type() {
        return;
    }
    let Some((_, _, want)) = super::wasm_control::label_target(c.ctx, body_of(c), label) else {
        c.error("the target is not a label of an enclosing structured op");
        return;
    };
    if !all_match(c, &passed, &want) {
        let (g, w) = (c.types_str(&passed), c.types_str(&want));
        c.error(format!("the branch passes ({g}) but its target takes ({w})"));
    }
}

fn verify_br_on(c: &mut OpChecker<'_>) {
    let name = c.ctx.op_name(body_of(c).opcode(c.op.op)).to_string();
    let ops = c.operand_types();
    if ops.len() < 2 {
        return;
    }
    let r = ops[1];
    let args = ops[2..].to_vec();
    let Some((_, _, heap)) = c.ctx.ref_parts(r) else { return };
    let non_null = c.ctx.find_type(&TypeData::RefTo { nullable: false, exact: false, heap }).or_else(|| match heap {
        crate::RefHeap::Abstract(_) | crate::RefHeap::Defined(_) => None,
    });
    match name.as_str() {
        "wasm.br_on_null" => {
            check_br_on(c, args);
            if let Some(nn) = non_null {
                if c.result_type(0) != nn {
                    c.error("the result is the operand's reference type without null");
                }
            }
        }
        "wasm.br_on_non_null" => {
            let mut passed = args;
            match non_null {
                Some(t) => passed.push(t),
                // `!wasm.ref<heap>` was never made, so the label cannot take exactly it: it must
                // take a nullable supertype, which the operand's own type then fits too.
                None => passed.push(r),
            }
            check_br_on(c, passed);
        }
        _ => {
            let to = match c.attr("to").map(|a| c.ctx.attr_data(a)) {
                Some(AttrData::Type(t)) => *t,
                _ => return,
            };
            let from = match c.attr("from").map(|a| c.ctx.attr_data(a)) {
                Some(AttrData::Type(t)) => *t,
                _ => return,
            };
            expect(c, "operand", r, from);
            if !matches(c, to, from) {
                c.error("the cast target must be a subtype of `from`");
            }
            // A failed cast passes the operand's type minus what the cast would have matched.
            let diff = c.ctx.ref_parts(from).zip(c.ctx.ref_parts(to)).and_then(|((fnull, fexact, fheap), (tnull, _, _))| {
                let nullable = fnull && !tnull;
                let data = match fheap {
                    crate::RefHeap::Abstract(h) if nullable && !fexact => TypeData::Ref(h),
                    heap => TypeData::RefTo { nullable, exact: fexact, heap },
                };
                c.ctx.find_type(&data)
            });
            let mut passed = args;
            match (name == "wasm.br_on_cast", diff) {
                (true, _) => passed.push(to),
                (false, Some(d)) => passed.push(d),
                (false, None) => return,
            }
            check_br_on(c, passed);
        }
    }
}

const TYPE: AttrDef = pos_attr("type", AttrKind::SymbolRef, "the defined type");
const FIELD: AttrDef = attr("field", AttrKind::Int, "the field index");

macro_rules! gc_op {
    ($name:literal, $ops:expr, $res:expr, $attrs:expr, $traits:expr, $fx:expr, $sig:expr, $verify:expr, $ex:literal, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: $ops,
            results: $res,
            attrs: $attrs,
            traits: $traits,
            effects: $fx,
            syntax: Syntax::Keyword,
            sig: $sig,
            verify: $verify,
            example: $ex,
            ..BASE
        }
    };
}

const T: Traits = Traits::MAY_TRAP;
const N: Traits = Traits::NONE;
const P: Traits = Traits::PURE;

pub static OPS: &[OpDef] = &[
    gc_op!("struct.new", &[variadic("fields", WasmValue)], &[arg("result", AnyRef)], &[TYPE], N, fx::ALLOC, Sig::Results, Some(verify_struct_new),
        "%np = wasm.struct.new @point %x, %d : !wasm.ref<@point>", "Allocates a struct with the given field values."),
    gc_op!("struct.new_default", &[], &[arg("result", AnyRef)], &[TYPE], N, fx::ALLOC, Sig::Results, Some(verify_struct_new),
        "%np = wasm.struct.new_default @point : !wasm.ref<@point>", "Allocates a struct with zero or null fields."),
    gc_op!("struct.get", &[arg("ref", AnyRef)], &[arg("value", WasmValue)], &[TYPE, FIELD], T, fx::HEAP_READ, Sig::Results, Some(verify_struct_get),
        "%val = wasm.struct.get @point %pt field 0 : i32", "Reads a field; traps on null."),
    gc_op!("struct.get_s", &[arg("ref", AnyRef)], &[arg("value", I32)], &[TYPE, FIELD], T, fx::HEAP_READ, Sig::None, Some(verify_struct_get),
        "%val = wasm.struct.get_s @packed %pk field 0", "Reads a packed field, sign-extended; traps on null."),
    gc_op!("struct.get_u", &[arg("ref", AnyRef)], &[arg("value", I32)], &[TYPE, FIELD], T, fx::HEAP_READ, Sig::None, Some(verify_struct_get),
        "%val = wasm.struct.get_u @packed %pk field 0", "Reads a packed field, zero-extended; traps on null."),
    gc_op!("struct.set", &[arg("ref", AnyRef), arg("value", WasmValue)], &[], &[TYPE, FIELD], T, fx::HEAP_WRITE, Sig::None, Some(verify_struct_set),
        "wasm.struct.set @point %pt, %d field 1", "Writes a mutable field; traps on null."),
    gc_op!("array.new", &[arg("init", WasmValue), arg("len", I32)], &[arg("result", AnyRef)], &[TYPE], N, fx::ALLOC, Sig::Results, Some(verify_array_new),
        "%a = wasm.array.new @bytes %x, %n : !wasm.ref<@bytes>", "Allocates an array filled with a value."),
    gc_op!("array.new_default", &[arg("len", I32)], &[arg("result", AnyRef)], &[TYPE], N, fx::ALLOC, Sig::Results, Some(verify_array_new),
        "%a = wasm.array.new_default @bytes %n : !wasm.ref<@bytes>", "Allocates an array of zeros or nulls."),
    gc_op!("array.new_fixed", &[variadic("elems", WasmValue)], &[arg("result", AnyRef)], &[TYPE], N, fx::ALLOC, Sig::Results, Some(verify_array_new),
        "%a = wasm.array.new_fixed @bytes %x, %n : !wasm.ref<@bytes>", "Allocates an array of the operands."),
    gc_op!("array.new_data", &[arg("offset", I32), arg("len", I32)], &[arg("result", AnyRef)], &[TYPE, pos_attr("segment", AttrKind::SymbolRef, "the data segment")], T, Some(Effects::ALLOC.union(Effects::READS_MEM).union(Effects::TRAP)), Sig::Results, Some(verify_array_new),
        "%a = wasm.array.new_data @bytes @data %i, %n : !wasm.ref<@bytes>", "Allocates an array from a data segment's bytes; traps out of bounds."),
    gc_op!("array.new_elem", &[arg("offset", I32), arg("len", I32)], &[arg("result", AnyRef)], &[TYPE, pos_attr("segment", AttrKind::SymbolRef, "the element segment")], T, Some(Effects::ALLOC.union(Effects::READS_TABLE).union(Effects::TRAP)), Sig::Results, Some(verify_array_new),
        "%a = wasm.array.new_elem @fnarr @elems %i, %n : !wasm.ref<@fnarr>", "Allocates an array from an element segment; traps out of bounds."),
    gc_op!("array.get", &[arg("ref", AnyRef), arg("index", I32)], &[arg("value", WasmValue)], &[TYPE], T, fx::HEAP_READ, Sig::Results, Some(verify_array_access),
        "%val = wasm.array.get @words %wd, %i : i32", "Reads an element; traps on null or out of bounds."),
    gc_op!("array.get_s", &[arg("ref", AnyRef), arg("index", I32)], &[arg("value", I32)], &[TYPE], T, fx::HEAP_READ, Sig::None, Some(verify_array_access),
        "%val = wasm.array.get_s @bytes %by, %i", "Reads a packed element, sign-extended."),
    gc_op!("array.get_u", &[arg("ref", AnyRef), arg("index", I32)], &[arg("value", I32)], &[TYPE], T, fx::HEAP_READ, Sig::None, Some(verify_array_access),
        "%val = wasm.array.get_u @bytes %by, %i", "Reads a packed element, zero-extended."),
    gc_op!("array.set", &[arg("ref", AnyRef), arg("index", I32), arg("value", WasmValue)], &[], &[TYPE], T, fx::HEAP_WRITE, Sig::None, Some(verify_array_access),
        "wasm.array.set @bytes %by, %i, %x", "Writes an element; traps on null or out of bounds."),
    gc_op!("array.len", &[arg("ref", AnyRef)], &[arg("len", I32)], &[], T, None, Sig::None, None,
        "%n2 = wasm.array.len %by", "The length of an array; traps on null."),
    gc_op!("array.fill", &[arg("ref", AnyRef), arg("index", I32), arg("value", WasmValue), arg("len", I32)], &[], &[TYPE], T, fx::HEAP_WRITE, Sig::None, Some(verify_array_access),
        "wasm.array.fill @bytes %by, %i, %x, %n", "Sets a range of elements; traps on null or out of bounds."),
    gc_op!("array.copy", &[arg("dst", AnyRef), arg("dst_index", I32), arg("src", AnyRef), arg("src_index", I32), arg("len", I32)], &[],
        &[pos_attr("dst", AttrKind::SymbolRef, "the destination array type"), pos_attr("src", AttrKind::SymbolRef, "the source array type")], T, Some(Effects::READS_HEAP.union(Effects::WRITES_HEAP).union(Effects::TRAP)), Sig::None, Some(verify_array_copy),
        "wasm.array.copy @bytes @bytes %by, %i, %by, %x, %n", "Copies a range of elements (ranges may overlap); traps on null or out of bounds."),
    gc_op!("array.init_data", &[arg("ref", AnyRef), arg("index", I32), arg("offset", I32), arg("len", I32)], &[], &[TYPE, pos_attr("segment", AttrKind::SymbolRef, "the data segment")], T, Some(Effects::WRITES_HEAP.union(Effects::READS_MEM).union(Effects::TRAP)), Sig::None, Some(verify_array_access),
        "wasm.array.init_data @bytes @data %by, %i, %x, %n", "Copies bytes of a data segment into an array."),
    gc_op!("array.init_elem", &[arg("ref", AnyRef), arg("index", I32), arg("offset", I32), arg("len", I32)], &[], &[TYPE, pos_attr("segment", AttrKind::SymbolRef, "the element segment")], T, Some(Effects::WRITES_HEAP.union(Effects::READS_TABLE).union(Effects::TRAP)), Sig::None, Some(verify_array_access),
        "wasm.array.init_elem @fnarr @elems %fa, %i, %x, %n", "Copies references of an element segment into an array."),
    gc_op!("ref.i31", &[arg("value", I32)], &[arg("result", AnyRef)], &[], P, None, Sig::Results, None,
        "%r31 = wasm.ref.i31 %x : !wasm.ref<i31>", "Packs the low 31 bits of an i32 as an i31 reference."),
    gc_op!("i31.get_s", &[arg("ref", AnyRef)], &[arg("value", I32)], &[], T, None, Sig::None, None,
        "%val = wasm.i31.get_s %iv", "The 31-bit value, sign-extended; traps on null."),
    gc_op!("i31.get_u", &[arg("ref", AnyRef)], &[arg("value", I32)], &[], T, None, Sig::None, None,
        "%val = wasm.i31.get_u %iv", "The 31-bit value, zero-extended; traps on null."),
    gc_op!("ref.test", &[arg("ref", AnyRef)], &[arg("result", I32)], &[attr("to", AttrKind::Type, "the type tested for")], P, None, Sig::None, None,
        "%tb = wasm.ref.test %an to !wasm.ref<@point>", "1 if the reference is of the type, else 0."),
    gc_op!("ref.cast", &[arg("ref", AnyRef)], &[arg("result", AnyRef)], &[], T, None, Sig::Results, None,
        "%p2 = wasm.ref.cast %an : !wasm.ref<@point>", "The reference as the result type; traps if it is not of that type."),
    gc_op!("ref.eq", &[arg("lhs", AnyRef), arg("rhs", AnyRef)], &[arg("result", I32)], &[], P, None, Sig::None, None,
        "%eqb = wasm.ref.eq %pt, %pt", "1 if both references are the same (or both null), else 0."),
    gc_op!("ref.as_non_null", &[arg("ref", AnyRef)], &[arg("result", AnyRef)], &[], T, None, Sig::Results, None,
        "%nn = wasm.ref.as_non_null %an : !wasm.ref<any>", "The reference, trapping if it is null."),
    gc_op!("any.convert_extern", &[arg("ref", AnyRef)], &[arg("result", AnyRef)], &[], P, None, Sig::Results, None,
        "%a2 = wasm.any.convert_extern %ex : anyref", "An external reference as an internal one."),
    gc_op!("extern.convert_any", &[arg("ref", AnyRef)], &[arg("result", AnyRef)], &[], P, None, Sig::Results, None,
        "%e2 = wasm.extern.convert_any %an : externref", "An internal reference as an external one."),
    gc_op!("br_on_null", &[arg("target", Label), arg("ref", AnyRef), variadic("args", WasmValue)], &[arg("result", AnyRef)], &[], N, fx::NONE, Sig::Results, Some(verify_br_on),
        "%nn = wasm.br_on_null %exit, %an : !wasm.ref<any>", "Branches (with the arguments) if the reference is null; else goes on with it, non-null."),
    gc_op!("br_on_non_null", &[arg("target", Label), arg("ref", AnyRef), variadic("args", WasmValue)], &[], &[], N, fx::NONE, Sig::None, Some(verify_br_on),
        "wasm.br_on_non_null %exit, %an", "Branches with the arguments and the non-null reference; goes on if it is null."),
    gc_op!("br_on_cast", &[arg("target", Label), arg("ref", AnyRef), variadic("args", WasmValue)], &[arg("rest", AnyRef)],
        &[attr("from", AttrKind::Type, "the operand's type"), attr("to", AttrKind::Type, "the cast target")], N, fx::NONE, Sig::Results, Some(verify_br_on),
        "%rest = wasm.br_on_cast %exit, %an from anyref to !wasm.ref<@point> : anyref", "Branches with the reference cast to `to` if the cast succeeds; else goes on."),
    gc_op!("br_on_cast_fail", &[arg("target", Label), arg("ref", AnyRef), variadic("args", WasmValue)], &[arg("cast", AnyRef)],
        &[attr("from", AttrKind::Type, "the operand's type"), attr("to", AttrKind::Type, "the cast target")], N, fx::NONE, Sig::Results, Some(verify_br_on),
        "%cast = wasm.br_on_cast_fail %exit, %an from anyref to !wasm.ref<@point> : !wasm.ref<@point>", "Branches with the reference if the cast fails; else goes on with it cast."),
    gc_op!("call_ref", &[variadic("args_and_callee", WasmValue)], &[variadic("results", WasmValue)], &[TYPE], N, fx::INDIRECT, Sig::Results, Some(verify_call_ref),
        "%res = wasm.call_ref @sig %x, %fnr : i32", "Calls a typed function reference (the last operand) with the arguments; traps on null."),
    gc_op!("return_call_ref", &[variadic("args_and_callee", WasmValue)], &[], &[TYPE], Traits::TERMINATOR, fx::INDIRECT, Sig::None, Some(verify_call_ref),
        "wasm.return_call_ref @sig %x, %fnr", "Tail-calls a typed function reference; traps on null."),
];
