//! `lower-stack-slots`: gives a function's `wasm.stack_slot`s their places in one frame on the
//! shadow stack.
use super::walk::{Event, Walker};
use super::{Level, Pass, PassInfo, Statistics};
use crate::ir::{Attr, AttrData, Body, BodyId, Context, Module, Op, OpRef, Value};

pub const INFO: PassInfo = PassInfo {
    name: "lower-stack-slots",
    summary: "Lays a function's `wasm.stack_slot`s out in one frame taken from the shadow stack on entry and given back before every return.",
    description: "The slots are placed by decreasing alignment (then in op order), so padding \
                  is only needed at the end; the frame is rounded up to 16 bytes, which keeps the \
                  stack pointer 16-aligned. The entry block starts with the prologue: the frame \
                  pointer is the stack pointer minus the frame size, and is written back to the \
                  stack pointer. Each slot becomes the frame pointer plus its offset. Before every \
                  `func.return` and `wasm.return` the stack pointer is set back to the frame \
                  pointer plus the frame size. The stack pointer is the global each slot names \
                  (`stack`); slots of one function that name different globals or memories are \
                  refused, and so is a function with slots that tail-calls (`return_call*`: the \
                  callee could be handed an address in a frame that is gone). Nothing checks the \
                  stack against overflow (as in clang's wasm32 code).\n\n\
                  Every backend runs this pass on its copy of a module that still has slots, so \
                  it is only needed in a pipeline to see the result; `-O1` and higher run \
                  `scalarize-slots` first, which leaves here only the slots whose address escapes.",
    level: Level::Function,
    options: &[],
    create: |opts| {
        super::no_options("lower-stack-slots", opts)?;
        Ok(Box::new(LowerStackSlots))
    },
};

struct LowerStackSlots;

/// A slot's attributes: its memory and stack pointer, size and alignment.
pub(crate) struct SlotAttrs {
    pub memory: Attr,
    pub stack: Attr,
    pub size: u64,
    pub align: u64,
}

/// The attributes of a `wasm.stack_slot` (which the verifier has checked).
pub(crate) fn slot_attrs(ctx: &Context, b: &Body, op: Op) -> Result<SlotAttrs, String> {
    let attrs = b.op(op).attrs;
    let get = |k: &str| ctx.dict_get(attrs, k).ok_or_else(|| format!("a `wasm.stack_slot` without `{k}`"));
    let int = |k: &str| -> Result<u64, String> {
        match ctx.attr_data(get(k)?) {
            AttrData::Int { value, .. } if *value >= 1 => Ok(*value as u64),
            _ => Err(format!("a `wasm.stack_slot` whose `{k}` is not a positive integer")),
        }
    };
    Ok(SlotAttrs { memory: get("memory")?, stack: get("stack")?, size: int("size")?, align: int("align")? })
}

/// The `wasm.stack_slot`s of the entry block of `body` (the verifier allows them nowhere else).
pub(crate) fn entry_slots(ctx: &Context, b: &Body) -> Vec<Op> {
    let Some(code) = ctx.lookup_op("wasm.stack_slot") else {
        return Vec::new();
    };
    let Some(entry) = b.roots().first().and_then(|&r| b.first_block(r)) else {
        return Vec::new();
    };
    b.block_ops(entry).filter(|&op| b.opcode(op) == code).collect()
}

/// Whether any function of the module has a stack slot: the backends lower them first.
pub fn has_stack_slots(ctx: &Context, module: &Module) -> bool {
    let Some((top, block)) = module.module_block() else {
        return false;
    };
    let b = module.body(top);
    b.block_ops(block).filter_map(|op| b.inner_body(op)).any(|inner| !entry_slots(ctx, module.body(inner)).is_empty())
}

fn create(ctx: &mut Context, b: &mut Body, name: &str, operands: &[Value], attrs: &[(&str, Attr)], results: bool, before: Op) -> Option<Value> {
    let code = ctx.op_code(name);
    let entries = attrs.iter().map(|&(k, v)| (ctx.ident(k), v)).collect();
    let dict = ctx.dict_attr(entries);
    let tys = if results { vec![ctx.i32()] } else { Vec::new() };
    let loc = b.op(before).loc;
    let op = b.create_op(code, operands, &tys, &[], &[], None, dict, loc);
    b.insert_op_before(op, before);
    results.then(|| b.result(op, 0))
}

fn i32_const(ctx: &mut Context, b: &mut Body, v: u64, before: Op) -> Value {
    let i32t = ctx.i32();
    let value = ctx.int_attr(v as i32 as i128, i32t);
    create(ctx, b, "wasm.i32.const", &[], &[("value", value)], true, before).expect("a constant has a result")
}

impl Pass for LowerStackSlots {
    fn run(&mut self, ctx: &mut Context, module: &mut Module, func: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let Some(body) = module.body(func.body).inner_body(func.op) else {
            return Ok(false);
        };
        let slots = entry_slots(ctx, module.body(body));
        let Some(&first_slot) = slots.first() else {
            return Ok(false);
        };
        let name = match ctx.dict_get(module.body(func.body).op(func.op).attrs, "sym_name").map(|a| ctx.attr_data(a)) {
            Some(AttrData::String(s)) => ctx.str(*s).to_string(),
            _ => String::from("?"),
        };
        let b = module.body(body);
        let first = slot_attrs(ctx, b, first_slot)?;
        let mut placed: Vec<(Op, u64, u64)> = Vec::with_capacity(slots.len());
        for &op in &slots {
            let a = slot_attrs(ctx, b, op)?;
            if a.stack != first.stack || a.memory != first.memory {
                return Err(format!("the stack slots of @{name} name different stack pointers or memories; one frame cannot hold them"));
            }
            placed.push((op, a.size, a.align));
        }
        let returns = returns_of(ctx, module.body(body)).map_err(|e| format!("@{name}: {e}"))?;

        // Largest alignment first: each slot then starts aligned without padding before it.
        placed.sort_by_key(|&(_, _, align)| std::cmp::Reverse(align));
        let mut offsets: Vec<(Op, u64)> = Vec::with_capacity(placed.len());
        let mut top = 0u64;
        for &(op, size, align) in &placed {
            let off = top.next_multiple_of(align);
            offsets.push((op, off));
            top = off + size;
        }
        let frame = top.next_multiple_of(crate::dialect::wasm_memory::MAX_SLOT_ALIGN);
        if frame > i32::MAX as u64 {
            return Err(format!("the function's stack frame would take {frame} bytes, more than a 32-bit memory can give"));
        }

        let b = module.body_mut(body);
        let entry = b.block_of(first_slot).ok_or("a stack slot outside any block")?;
        let start = b.first_op(entry).ok_or("an empty entry block")?;
        let sp = create(ctx, b, "wasm.global.get", &[], &[("global", first.stack)], true, start).expect("a read has a result");
        let size = i32_const(ctx, b, frame, start);
        let fp = create(ctx, b, "wasm.i32.sub", &[sp, size], &[], true, start).expect("a subtraction has a result");
        create(ctx, b, "wasm.global.set", &[fp], &[("global", first.stack)], false, start);
        for &(op, off) in &offsets {
            let addr = if off == 0 {
                fp
            } else {
                let c = i32_const(ctx, b, off, op);
                create(ctx, b, "wasm.i32.add", &[fp, c], &[], true, op).expect("an addition has a result")
            };
            let slot = b.result(op, 0);
            b.replace_all_uses(slot, addr);
        }
        for &ret in &returns {
            let size = i32_const(ctx, b, frame, ret);
            let restored = create(ctx, b, "wasm.i32.add", &[fp, size], &[], true, ret).expect("an addition has a result");
            create(ctx, b, "wasm.global.set", &[restored], &[("global", first.stack)], false, ret);
        }
        for &op in &slots {
            module.erase_op(OpRef { body, op }).map_err(|e| e.to_string())?;
        }
        stats.add("slots lowered", slots.len() as u64);
        stats.add("frame bytes", frame);
        Ok(true)
    }
}

/// Every op that returns from the function; a tail call is refused.
fn returns_of(ctx: &Context, b: &Body) -> Result<Vec<Op>, String> {
    let mut out = Vec::new();
    let mut w = Walker::new(b.roots());
    while let Some(e) = w.next(b) {
        let Event::Enter(op) = e else { continue };
        match ctx.op_name(b.opcode(op)) {
            "func.return" | "wasm.return" => out.push(op),
            name @ ("wasm.return_call" | "wasm.return_call_indirect" | "wasm.return_call_ref") => {
                return Err(format!("a function with stack slots cannot tail-call (`{name}`): its frame would have to outlive the call"));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Lowers the slots of every function of `module` (for a backend, on its own copy).
pub fn lower_all(ctx: &mut Context, module: &mut Module) -> Result<(), String> {
    let Some((top, block)) = module.module_block() else {
        return Ok(());
    };
    let funcs: Vec<(Op, BodyId)> = {
        let b = module.body(top);
        b.block_ops(block).filter_map(|op| b.inner_body(op).map(|inner| (op, inner))).collect()
    };
    let mut stats = Statistics::default();
    for (op, inner) in funcs {
        if ctx.op_name(module.body(top).opcode(op)) != "func.func" || entry_slots(ctx, module.body(inner)).is_empty() {
            continue;
        }
        LowerStackSlots.run(ctx, module, OpRef { body: top, op }, &mut stats)?;
    }
    Ok(())
}
