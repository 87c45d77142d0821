//! `mem2reg`: promotes reads of `wasm.local`s to the SSA values that reach them.
use super::walk::{Event, Walker};
use super::{Level, Pass, PassInfo, Statistics};
use crate::ir::{Block, Context, Module, Op, OpRef, Type, Value};
use cranelift_entity::SecondaryMap;
use rustc_hash::FxHashMap;

pub const INFO: PassInfo = PassInfo {
    name: "mem2reg",
    summary: "Replaces `wasm.local.get`s by the value last written to the local, and removes locals that are no longer read.",
    description: "A read is replaced when the write that reaches it is certain: the last write \
                  before it in program order (or the local's initial value: its init operand, or \
                  zero for a numeric local) is in a block that encloses the read, and no other write \
                  to the local can run in between — none later in an enclosing `wasm.loop` that \
                  started after the write, since the next iteration would see it. Writes inside a \
                  region that has ended, or in another block of a CFG-form function, make the \
                  local unknown, and the read stays. A local with no read left loses its writes \
                  and its `wasm.local`. Runs in time linear in the function (one walk to number \
                  the ops, one to rewrite, a binary search per read).\n\n\
                  Locals keep the value types of wasm, so a read is only replaced by a value of \
                  exactly the local's type (a subtype would change the types of its users).",
    level: Level::Function,
    options: &[],
    create: |opts| {
        super::no_options("mem2reg", opts)?;
        Ok(Box::new(Mem2Reg))
    },
};

struct Mem2Reg;

/// What one local is: its op and the positions of its writes.
struct LocalInfo {
    /// `(position, op)` of every write in program order; the first is the `wasm.local` itself.
    writes: Vec<(u32, Op)>,
    gets: u32,
    ty: Type,
}

fn local_of(ctx: &Context, b: &crate::Body, op: Op, locals: &FxHashMap<Value, usize>) -> Option<usize> {
    let name = ctx.op_name(b.opcode(op));
    if !matches!(name, "wasm.local.get" | "wasm.local.set" | "wasm.local.tee") {
        return None;
    }
    locals.get(&b.operand(op, 0)).copied()
}

impl Pass for Mem2Reg {
    fn run(&mut self, ctx: &mut Context, module: &mut Module, func: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let Some(body) = module.body(func.body).inner_body(func.op) else { return Ok(false) };
        let roots = module.body(body).roots().to_vec();
        let loop_code = ctx.lookup_op("wasm.loop");
        let local_code = ctx.lookup_op("wasm.local");
        let get_code = ctx.lookup_op("wasm.local.get");

        // Number the ops; find the locals, their writes, and where each loop ends.
        let mut locals: FxHashMap<Value, usize> = FxHashMap::default();
        let mut infos: Vec<LocalInfo> = Vec::new();
        let mut loop_end: FxHashMap<Op, u32> = FxHashMap::default();
        {
            let b = module.body(body);
            let mut pos = 0u32;
            let mut w = Walker::new(&roots);
            while let Some(e) = w.next(b) {
                match e {
                    Event::Enter(op) => {
                        let code = Some(b.opcode(op));
                        if code == local_code {
                            let ty = match ctx.dict_get(b.op(op).attrs, "type").map(|a| ctx.attr_data(a)) {
                                Some(crate::AttrData::Type(t)) => *t,
                                _ => return Err("a `wasm.local` without its type".into()),
                            };
                            locals.insert(b.result(op, 0), infos.len());
                            infos.push(LocalInfo { writes: vec![(pos, op)], gets: 0, ty });
                        } else if let Some(l) = local_of(ctx, b, op, &locals) {
                            if code == get_code {
                                infos[l].gets += 1;
                            } else {
                                infos[l].writes.push((pos, op));
                            }
                        }
                        pos += 1;
                    }
                    Event::Exit(op) if Some(b.opcode(op)) == loop_code => {
                        loop_end.insert(op, pos - 1);
                    }
                    _ => {}
                }
            }
        }
        if infos.is_empty() {
            return Ok(false);
        }

        // Rewrite the reads whose reaching write is certain.
        let mut open: SecondaryMap<Block, bool> = SecondaryMap::new();
        let mut loops: Vec<(u32, u32)> = Vec::new();
        let mut promoted = 0u64;
        let mut pos = 0u32;
        let mut w = Walker::new(&roots);
        loop {
            let Some(e) = w.next(module.body(body)) else { break };
            match e {
                Event::EnterBlock(blk) => open[blk] = true,
                Event::ExitBlock(blk) => open[blk] = false,
                Event::Exit(op) if Some(module.body(body).opcode(op)) == loop_code => {
                    loops.pop();
                }
                Event::Exit(_) => {}
                Event::Enter(op) => {
                    let q = pos;
                    pos += 1;
                    let b = module.body(body);
                    let code = Some(b.opcode(op));
                    if code == loop_code {
                        loops.push((q, loop_end[&op]));
                        continue;
                    }
                    if code != get_code {
                        continue;
                    }
                    let Some(l) = local_of(ctx, b, op, &locals) else { continue };
                    let info = &infos[l];
                    let Some(reaching) = reaching_value(ctx, b, info, q, &open, &loops) else { continue };
                    let get_result = b.result(op, 0);
                    let value = match reaching {
                        Reaching::Value(v) => v,
                        Reaching::Zero => {
                            // Numeric locals only: a reference or v128 read stays a read.
                            let numeric = [ctx.i32(), ctx.i64(), ctx.f32(), ctx.f64()].contains(&info.ty);
                            let loc = module.body(body).op(op).loc;
                            let block = module.body(body).block_of(op).ok_or("a read outside any block")?;
                            match numeric.then(|| super::default_value(ctx, module, body, info.ty, Some(op), block, loc)).flatten() {
                                Some(v) => v,
                                None => continue,
                            }
                        }
                    };
                    let b = module.body_mut(body);
                    b.replace_all_uses(get_result, value);
                    module.erase_op(OpRef { body, op }).map_err(|e| e.to_string())?;
                    infos[l].gets -= 1;
                    promoted += 1;
                }
            }
        }

        // A local nobody reads is gone with its writes; a tee passes its value on.
        let mut removed = 0u64;
        for info in &infos {
            if info.gets > 0 {
                continue;
            }
            let b = module.body(body);
            let tee_kept = info.writes[1..].iter().any(|&(_, w)| b.num_results(w) == 1 && b.value_type(b.operand(w, 1)) != b.value_type(b.result(w, 0)) && b.has_uses(b.result(w, 0)));
            if tee_kept {
                continue;
            }
            for &(_, w) in info.writes[1..].iter().rev() {
                let b = module.body_mut(body);
                if b.num_results(w) == 1 {
                    let (r, v) = (b.result(w, 0), b.operand(w, 1));
                    b.replace_all_uses(r, v);
                }
                module.erase_op(OpRef { body, op: w }).map_err(|e| e.to_string())?;
            }
            module.erase_op(OpRef { body, op: info.writes[0].1 }).map_err(|e| e.to_string())?;
            removed += 1;
        }
        stats.add("reads promoted", promoted);
        stats.add("locals removed", removed);
        Ok(promoted + removed > 0)
    }
}

enum Reaching {
    Value(Value),
    /// The zero a local starts with.
    Zero,
}

/// The value a read at position `q` certainly sees, if any.
fn reaching_value(ctx: &Context, b: &crate::Body, info: &LocalInfo, q: u32, open: &SecondaryMap<Block, bool>, loops: &[(u32, u32)]) -> Option<Reaching> {
    let i = info.writes.partition_point(|&(p, _)| p < q);
    let (p, wop) = *info.writes.get(i.checked_sub(1)?)?;
    // The write must be in a block enclosing the read, so it ran on every path to it and its
    // value is visible there.
    if !b.block_of(wop).is_some_and(|blk| open[blk]) {
        return None;
    }
    // A loop that started after the write runs again: a later write in it reaches the read too.
    let k = loops.partition_point(|&(start, _)| start <= p);
    if let Some(&(_, end)) = loops.get(k) {
        if info.writes.get(i).is_some_and(|&(next, _)| next <= end) {
            return None;
        }
    }
    let v = if Some(b.opcode(wop)) == ctx.lookup_op("wasm.local") {
        match b.operands(wop).next() {
            Some(v) => v,
            None => return Some(Reaching::Zero),
        }
    } else {
        b.operand(wop, 1)
    };
    (b.value_type(v) == info.ty).then_some(Reaching::Value(v))
}
