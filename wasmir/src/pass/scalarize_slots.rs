//! `scalarize-slots`: replaces stack slots whose address does not escape by `wasm.local`s, one
//! per accessed field.
use super::lower_slots::{entry_slots, slot_attrs};
use super::{Level, Pass, PassInfo, Statistics};
use crate::ir::{Attr, AttrData, Body, BodyId, Context, Module, Op, OpRef, Type, Value, ValueDef};
use rustc_hash::FxHashSet;

pub const INFO: PassInfo = PassInfo {
    name: "scalarize-slots",
    summary: "Replaces each `wasm.stack_slot` whose address does not escape by one `wasm.local` per field accessed, for `mem2reg` and the backends to keep in registers.",
    description: "The address of a slot may be used only as the address of a scalar load or \
                  store of the slot's memory, as the source or destination of a \
                  `wasm.memory.copy` of constant length, or as the destination of a \
                  `wasm.memory.fill` of constant value and length, directly or through `wasm.i32.add`s of \
                  constants; each access, its static `offset` included, must lie inside the slot. \
                  Any other use — a call argument, a stored value, a comparison, a local, a \
                  branch argument, an atomic or SIMD access, a fill of a computed value — lets the address \
                  escape and the slot stays (for `lower-stack-slots`).\n\n\
                  A *field* is the bytes and kind of an access: (offset, width, integer or \
                  float). Two accesses of different fields must not overlap, and one field must \
                  not be both integer and float (type punning through memory stays in memory). \
                  A field becomes a local of its wasm type: i64 for 8 integer bytes, i32 for 4 or \
                  fewer (a 1- or 2-byte field holds its bytes zero-extended), f32 or f64. A store \
                  writes the local (narrow stores mask, `i64.store32` wraps), a load reads it \
                  (sign or zero extension as the load asks). A copy into or out of the slot \
                  becomes one load and one store per field it covers, at the other address plus \
                  the field's place (alignment 1, since the other side's alignment is unknown); \
                  a field may not straddle the copy's edge. A fill becomes a constant per field \
                  it covers (each of the field's bytes the fill's byte, read as the field's \
                  type). Fills and copies of a slot in memory cannot trap, so nothing is lost \
                  with their traps. Bytes a copy moves or a fill writes that no \
                  scalar access names take integer fields of the largest naturally aligned size.\n\n\
                  Slots are taken in rounds: a slot whose copies cover bytes without a field \
                  waits for a later round, when the slot on the other side of the copy may have \
                  become fields (its copies then turn into typed loads and stores here), up to \
                  four rounds; the last round gives those bytes integer fields. A slot that \
                  would take more than 64 fields stays in memory. Each round is \
                  linear in the function. A slot's initial contents are unspecified, so a field \
                  read before any write reads the local's zero. Splitting a copy changes what a \
                  copy that traps part way leaves in memory (`memory.copy` writes nothing when \
                  it traps), which only a trap in the other operand's range can show.",
    level: Level::Function,
    options: &[],
    create: |opts| {
        super::no_options("scalarize-slots", opts)?;
        Ok(Box::new(ScalarizeSlots))
    },
};

struct ScalarizeSlots;

/// Rounds in which a slot may wait for the other side of its copies.
const ROUNDS: usize = 4;

/// A slot that would need more locals than this stays in memory: a large array moved by copies
/// would otherwise become a local per 8 bytes, and as many loads and stores per copy.
const MAX_FIELDS: usize = 64;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Int,
    Float,
}

/// What a scalar load or store does, from its name.
#[derive(Clone, Copy)]
struct Access {
    store: bool,
    width: u64,
    kind: Kind,
    /// The op's value type is i64 (for integers).
    wide: bool,
    signed: bool,
}

fn access_of(name: &str) -> Option<Access> {
    let name = name.strip_prefix("wasm.")?;
    let (ty, op) = name.split_once('.')?;
    let (kind, wide, natural) = match ty {
        "i32" => (Kind::Int, false, 4),
        "i64" => (Kind::Int, true, 8),
        "f32" => (Kind::Float, false, 4),
        "f64" => (Kind::Float, true, 8),
        _ => return None,
    };
    let (store, rest) = if let Some(r) = op.strip_prefix("load") {
        (false, r)
    } else if let Some(r) = op.strip_prefix("store") {
        (true, r)
    } else {
        return None;
    };
    let (bits, signed) = match rest {
        "" => (natural * 8, false),
        "8" | "16" | "32" if store => (rest.parse().ok()?, false),
        "8_s" | "16_s" | "32_s" => (rest[..rest.len() - 2].parse().ok()?, true),
        "8_u" | "16_u" | "32_u" => (rest[..rest.len() - 2].parse().ok()?, false),
        _ => return None,
    };
    Some(Access { store, width: bits / 8, kind, wide, signed })
}

/// How an op uses a slot's address.
enum Use {
    Scalar {
        op: Op,
        at: u64,
        access: Access,
    },
    /// A `memory.copy` of `len` bytes; the slot is its destination (`into`) or its source.
    Copy {
        op: Op,
        at: u64,
        len: u64,
        into: bool,
    },
    /// A `memory.fill` of `len` bytes of the slot with a constant byte.
    Fill {
        op: Op,
        at: u64,
        len: u64,
        byte: u8,
    },
}

/// A slot whose every use is understood.
struct Plan {
    uses: Vec<Use>,
    /// The `wasm.i32.add`s deriving addresses, in the order found.
    adds: Vec<Op>,
    /// (offset, width, kind), sorted by offset, disjoint.
    fields: Vec<(u64, u64, Kind)>,
}

enum Outcome {
    Keep,
    Wait,
    Scalarize(Plan),
}

fn int_attr(ctx: &Context, b: &Body, op: Op, key: &str) -> Option<i64> {
    match ctx.dict_get(b.op(op).attrs, key).map(|a| ctx.attr_data(a)) {
        Some(AttrData::Int { value, .. }) => Some(*value as i64),
        _ => None,
    }
}

pub(super) fn constant(ctx: &Context, b: &Body, v: Value) -> Option<i64> {
    let ValueDef::Result(op, 0) = b.value_def(v) else {
        return None;
    };
    if ctx.op_name(b.opcode(op)) != "wasm.i32.const" {
        return None;
    }
    int_attr(ctx, b, op, "value")
}

/// Finds every use of the slot `op`, and its fields; `Keep` when the address escapes or the
/// accesses do not split into fields.
fn analyze(ctx: &Context, b: &Body, slot: Op, last_round: bool) -> Result<Outcome, String> {
    let attrs = slot_attrs(ctx, b, slot)?;
    let memory = attrs.memory;
    let same_memory = |op: Op, key: &str| ctx.dict_get(b.op(op).attrs, key) == Some(memory);
    let mut uses = Vec::new();
    let mut adds = Vec::new();
    let mut copies: FxHashSet<Op> = FxHashSet::default();
    let mut work: Vec<(Value, i64)> = vec![(b.result(slot, 0), 0)];
    let in_slot = |at: i64, len: u64| at >= 0 && (at as u64).checked_add(len).is_some_and(|end| end <= attrs.size);
    while let Some((addr, base)) = work.pop() {
        for u in b.uses(addr) {
            let op = b.use_data(u).user;
            let name = ctx.op_name(b.opcode(op));
            let operands: Vec<Value> = b.operands(op).collect();
            if name == "wasm.i32.add" {
                let other = if operands[0] == addr { operands[1] } else { operands[0] };
                let Some(c) = constant(ctx, b, other).filter(|_| other != addr) else {
                    return Ok(Outcome::Keep);
                };
                adds.push(op);
                work.push((b.result(op, 0), base + c as i32 as i64));
                continue;
            }
            if name == "wasm.memory.copy" {
                let (dst, src, len) = (operands[0], operands[1], operands[2]);
                // Both sides in this slot (met twice), or the address as the length.
                let twice = !copies.insert(op);
                if twice || len == addr || (dst == addr && src == addr) || !same_memory(op, "dst") || !same_memory(op, "src") {
                    return Ok(Outcome::Keep);
                }
                let Some(len) = constant(ctx, b, len).map(|l| l as u32 as u64) else {
                    return Ok(Outcome::Keep);
                };
                if !in_slot(base, len) {
                    return Ok(Outcome::Keep);
                }
                uses.push(Use::Copy { op, at: base as u64, len, into: dst == addr });
                continue;
            }
            if name == "wasm.memory.fill" {
                let (dst, value, len) = (operands[0], operands[1], operands[2]);
                let (Some(byte), Some(len)) = (constant(ctx, b, value), constant(ctx, b, len).map(|l| l as u32 as u64)) else {
                    return Ok(Outcome::Keep);
                };
                if dst != addr || value == addr || !same_memory(op, "memory") || !in_slot(base, len) {
                    return Ok(Outcome::Keep);
                }
                uses.push(Use::Fill { op, at: base as u64, len, byte: byte as u8 });
                continue;
            }
            let Some(access) = access_of(name) else {
                return Ok(Outcome::Keep);
            };
            let is_address = operands[0] == addr && (!access.store || operands[1] != addr);
            if !is_address || !same_memory(op, "memory") {
                return Ok(Outcome::Keep);
            }
            let at = base + int_attr(ctx, b, op, "offset").unwrap_or(0);
            if !in_slot(at, access.width) {
                return Ok(Outcome::Keep);
            }
            uses.push(Use::Scalar { op, at: at as u64, access });
        }
    }
    let mut fields: Vec<(u64, u64, Kind)> = uses
        .iter()
        .filter_map(|u| match u {
            Use::Scalar { at, access, .. } => Some((*at, access.width, access.kind)),
            Use::Copy { .. } | Use::Fill { .. } => None,
        })
        .collect();
    fields.sort_unstable_by_key(|&(at, width, kind)| (at, width, kind == Kind::Float));
    fields.dedup();
    for w in fields.windows(2) {
        let ((a, aw, _), (c, _, _)) = (w[0], w[1]);
        // Equal places with different kinds, or overlapping different places.
        if c < a + aw {
            return Ok(Outcome::Keep);
        }
    }
    // Each copy or fill must cover whole fields; bytes it writes or moves that no field holds
    // need fields of their own.
    let mut gaps: Vec<(u64, u64)> = Vec::new();
    for u in &uses {
        let (Use::Copy { at, len, .. } | Use::Fill { at, len, .. }) = *u else {
            continue;
        };
        let end = at + len;
        let first = fields.partition_point(|&(f, fw, _)| f + fw <= at);
        let mut cursor = at;
        for &(f, fw, _) in fields[first..].iter().take_while(|&&(f, _, _)| f < end) {
            if f < at || f + fw > end {
                return Ok(Outcome::Keep);
            }
            if f > cursor {
                gaps.push((cursor, f));
            }
            cursor = f + fw;
        }
        if cursor < end {
            gaps.push((cursor, end));
        }
    }
    if !gaps.is_empty() {
        if !last_round {
            return Ok(Outcome::Wait);
        }
        gaps.sort_unstable();
        // Copies may overlap one another: merge their gaps before cutting them into fields.
        let mut merged: Vec<(u64, u64)> = Vec::new();
        for (s, e) in gaps {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        for (mut s, e) in merged {
            while s < e {
                let w = [8, 4, 2, 1].into_iter().find(|&w| s % w == 0 && s + w <= e).unwrap_or(1);
                fields.push((s, w, Kind::Int));
                if fields.len() > MAX_FIELDS {
                    return Ok(Outcome::Keep);
                }
                s += w;
            }
        }
        fields.sort_unstable_by_key(|&(at, _, _)| at);
    }
    if fields.len() > MAX_FIELDS {
        return Ok(Outcome::Keep);
    }
    Ok(Outcome::Scalarize(Plan { uses, adds, fields }))
}

fn field_type(ctx: &Context, width: u64, kind: Kind) -> Type {
    match (kind, width) {
        (Kind::Float, 4) => ctx.f32(),
        (Kind::Float, _) => ctx.f64(),
        (Kind::Int, 8) => ctx.i64(),
        (Kind::Int, _) => ctx.i32(),
    }
}

/// The load and store that move a field whole, for a split copy.
fn field_ops(width: u64, kind: Kind) -> (&'static str, &'static str) {
    match (kind, width) {
        (Kind::Float, 4) => ("wasm.f32.load", "wasm.f32.store"),
        (Kind::Float, _) => ("wasm.f64.load", "wasm.f64.store"),
        (Kind::Int, 8) => ("wasm.i64.load", "wasm.i64.store"),
        (Kind::Int, 4) => ("wasm.i32.load", "wasm.i32.store"),
        (Kind::Int, 2) => ("wasm.i32.load16_u", "wasm.i32.store16"),
        (Kind::Int, _) => ("wasm.i32.load8_u", "wasm.i32.store8"),
    }
}

/// Creates ops before one op of a body.
struct Emitter<'a> {
    ctx: &'a mut Context,
    b: &'a mut Body,
    before: Op,
}

impl Emitter<'_> {
    fn op(&mut self, name: &str, operands: &[Value], attrs: &[(&str, Attr)], result: Option<Type>) -> Option<Value> {
        let code = self.ctx.op_code(name);
        let entries = attrs.iter().map(|&(k, v)| (self.ctx.ident(k), v)).collect();
        let dict = self.ctx.dict_attr(entries);
        let loc = self.b.op(self.before).loc;
        let tys: Vec<Type> = result.into_iter().collect();
        let op = self.b.create_op(code, operands, &tys, &[], &[], None, dict, loc);
        self.b.insert_op_before(op, self.before);
        result.map(|_| self.b.result(op, 0))
    }
    fn value(&mut self, name: &str, operands: &[Value], ty: Type) -> Value {
        self.op(name, operands, &[], Some(ty)).expect("a result was asked for")
    }
    fn i32_const(&mut self, v: i64) -> Value {
        let i32t = self.ctx.i32();
        let a = self.ctx.int_attr(v as i32 as i128, i32t);
        self.op("wasm.i32.const", &[], &[("value", a)], Some(i32t)).expect("a constant has a result")
    }
    fn get(&mut self, local: Value, ty: Type) -> Value {
        self.value("wasm.local.get", &[local], ty)
    }
    fn set(&mut self, local: Value, v: Value) {
        self.op("wasm.local.set", &[local, v], &[], None);
    }
}

/// The mask keeping a narrow field's bytes.
fn narrow_mask(width: u64) -> Option<i64> {
    match width {
        1 => Some(0xff),
        2 => Some(0xffff),
        _ => None,
    }
}

fn rewrite(ctx: &mut Context, module: &mut Module, body: BodyId, slot: Op, plan: Plan) -> Result<(), String> {
    let (i32t, i64t) = (ctx.i32(), ctx.i64());
    let memory = slot_attrs(ctx, module.body(body), slot)?.memory;
    let local_ty = ctx.local_type();
    // One local per field, where the slot was.
    let mut locals: Vec<(Value, Type)> = Vec::with_capacity(plan.fields.len());
    let local_code = ctx.op_code("wasm.local");
    for &(_, width, kind) in &plan.fields {
        let ty = field_type(ctx, width, kind);
        let ta = ctx.type_attr(ty);
        let key = ctx.ident("type");
        let dict = ctx.dict_attr(vec![(key, ta)]);
        let b = module.body_mut(body);
        let loc = b.op(slot).loc;
        let l = b.create_op(local_code, &[], &[local_ty], &[], &[], None, dict, loc);
        b.insert_op_before(l, slot);
        locals.push((b.result(l, 0), ty));
    }
    let field_at = |at: u64| plan.fields.binary_search_by_key(&at, |&(f, _, _)| f).map_err(|_| "internal error: an access without its field".to_string());
    let align1 = ctx.int_attr(1, i64t);
    let mut gone: Vec<Op> = Vec::with_capacity(plan.uses.len());
    for u in &plan.uses {
        match *u {
            Use::Scalar { op, at, access } => {
                let i = field_at(at)?;
                let (local, ty) = locals[i];
                let width = plan.fields[i].1;
                let b = module.body_mut(body);
                let operands: Vec<Value> = b.operands(op).collect();
                let mut e = Emitter { ctx, b, before: op };
                if access.store {
                    let mut v = operands[1];
                    if access.kind == Kind::Int && access.wide && width < 8 {
                        v = e.value("wasm.i32.wrap_i64", &[v], i32t);
                    }
                    if let Some(m) = narrow_mask(width) {
                        let m = e.i32_const(m);
                        v = e.value("wasm.i32.and", &[v, m], i32t);
                    }
                    e.set(local, v);
                } else {
                    let mut v = e.get(local, ty);
                    if access.signed && width < 4 {
                        v = e.value(if width == 1 { "wasm.i32.extend8_s" } else { "wasm.i32.extend16_s" }, &[v], i32t);
                    }
                    if access.kind == Kind::Int && access.wide && width < 8 {
                        v = e.value(if access.signed { "wasm.i64.extend_i32_s" } else { "wasm.i64.extend_i32_u" }, &[v], i64t);
                    }
                    let r = e.b.result(op, 0);
                    e.b.replace_all_uses(r, v);
                }
                gone.push(op);
            }
            Use::Copy { op, at, len, into } => {
                let b = module.body_mut(body);
                let other = b.operand(op, if into { 1 } else { 0 });
                let first = plan.fields.partition_point(|&(f, _, _)| f < at);
                let mut e = Emitter { ctx, b, before: op };
                for (i, &(f, width, kind)) in plan.fields.iter().enumerate().skip(first).take_while(|(_, f)| f.0 < at + len) {
                    let (local, ty) = locals[i];
                    let (load, store) = field_ops(width, kind);
                    let offset = e.ctx.int_attr((f - at) as i128, i64t);
                    let attrs = [("memory", memory), ("offset", offset), ("align", align1)];
                    if into {
                        let v = e.op(load, &[other], &attrs, Some(ty)).expect("a load has a result");
                        e.set(local, v);
                    } else {
                        let v = e.get(local, ty);
                        e.op(store, &[other, v], &attrs, None);
                    }
                }
                gone.push(op);
            }
            Use::Fill { op, at, len, byte } => {
                let b = module.body_mut(body);
                let first = plan.fields.partition_point(|&(f, _, _)| f < at);
                let mut e = Emitter { ctx, b, before: op };
                for (i, &(_, width, kind)) in plan.fields.iter().enumerate().skip(first).take_while(|(_, f)| f.0 < at + len) {
                    let (local, ty) = locals[i];
                    // The field's bytes, each `byte`, read as the field's type.
                    let bits = (0..width).fold(0u64, |acc, _| (acc << 8) | u64::from(byte));
                    let (name, value) = match kind {
                        Kind::Float => (if width == 4 { "wasm.f32.const" } else { "wasm.f64.const" }, e.ctx.float_attr(bits, ty)),
                        Kind::Int => (if width == 8 { "wasm.i64.const" } else { "wasm.i32.const" }, e.ctx.int_attr(if width == 8 { bits as i64 as i128 } else { bits as u32 as i32 as i128 }, ty)),
                    };
                    let v = e.op(name, &[], &[("value", value)], Some(ty)).expect("a constant has a result");
                    e.set(local, v);
                }
                gone.push(op);
            }
        }
    }
    for op in gone {
        module.erase_op(OpRef { body, op }).map_err(|e| e.to_string())?;
    }
    // Derived addresses were found before the adds deriving from them: erase users first.
    for &op in plan.adds.iter().rev() {
        module.erase_op(OpRef { body, op }).map_err(|e| e.to_string())?;
    }
    module.erase_op(OpRef { body, op: slot }).map_err(|e| e.to_string())
}

/// One round over `slots`: those that wait are returned.
fn round(ctx: &mut Context, module: &mut Module, body: BodyId, slots: Vec<Op>, last: bool, stats: &mut Statistics) -> Result<Vec<Op>, String> {
    let mut waiting = Vec::new();
    for slot in slots {
        match analyze(ctx, module.body(body), slot, last)? {
            Outcome::Keep => {}
            Outcome::Wait => waiting.push(slot),
            Outcome::Scalarize(plan) => {
                stats.add("slots scalarized", 1);
                stats.add("locals made", plan.fields.len() as u64);
                rewrite(ctx, module, body, slot, plan)?;
            }
        }
    }
    Ok(waiting)
}

impl Pass for ScalarizeSlots {
    fn run(&mut self, ctx: &mut Context, module: &mut Module, func: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let Some(body) = module.body(func.body).inner_body(func.op) else {
            return Ok(false);
        };
        let slots = entry_slots(ctx, module.body(body));
        if slots.is_empty() {
            return Ok(false);
        }
        let before = slots.len();
        let mut pending = slots;
        for r in 0..ROUNDS {
            let n = pending.len();
            // A round that scalarized nothing would repeat itself: go to the last round.
            let last = r + 1 == ROUNDS;
            pending = round(ctx, module, body, pending, last, stats)?;
            if pending.is_empty() || last {
                break;
            }
            if pending.len() == n {
                round(ctx, module, body, pending, true, stats)?;
                break;
            }
        }
        let kept = entry_slots(ctx, module.body(body)).len();
        stats.add("slots kept", kept as u64);
        Ok(kept < before)
    }
}
