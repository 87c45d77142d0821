//! `simplify-cfg`: folds branches on constants, removes unreachable and empty blocks, merges
//! straight-line blocks, and unwraps structured ops nobody branches out of.
use super::canonicalize::constant;
use super::{Level, Pass, PassInfo, Statistics};
use crate::ir::{Block, BodyId, Context, Module, Op, OpCode, OpRef, Region, Value};
use rustc_hash::{FxHashMap, FxHashSet};

pub const INFO: PassInfo = PassInfo {
    name: "simplify-cfg",
    summary: "Folds constant branches, removes unreachable blocks, threads jumps through empty blocks, merges straight-line blocks and unwraps unneeded wasm.block/wasm.if.",
    description: "In CFG form, to a fixpoint (with a cap of 16 rounds): `cf.cond_br` and `cf.switch` on \
                  a constant, or with one target for every case, become `cf.br`; blocks no path \
                  from the entry reaches are removed; a jump to a block that only jumps on is sent \
                  straight to the final target (the arguments substituted); a block whose only \
                  predecessor jumps to it unconditionally is merged into that predecessor.\n\n\
                  In structured form: a `wasm.block` whose label nothing uses is replaced by its \
                  contents; a `wasm.if` on a constant is replaced by the arm that runs (when that \
                  arm's label is unused and it ends by yielding); `wasm.br_if` on a constant \
                  becomes nothing or a `wasm.br` (the code after it is then unreachable and \
                  removed); a `wasm.return` that ends the function body becomes `func.return` \
                  (falling off the end, no bytes). Each removed construct saves its `block`/`end` bytes in the binary.",
    level: Level::Function,
    options: &[],
    create: |opts| {
        super::no_options("simplify-cfg", opts)?;
        Ok(Box::new(SimplifyCfg))
    },
};

struct SimplifyCfg;

struct Codes {
    br: Option<OpCode>,
    cond_br: Option<OpCode>,
    switch: Option<OpCode>,
    wasm_block: Option<OpCode>,
    wasm_if: Option<OpCode>,
    wasm_br: Option<OpCode>,
    wasm_br_if: Option<OpCode>,
    yield_: Option<OpCode>,
    wasm_return: Option<OpCode>,
    func_return: Option<OpCode>,
}

impl Pass for SimplifyCfg {
    fn run(&mut self, ctx: &mut Context, module: &mut Module, func: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let Some(body) = module.body(func.body).inner_body(func.op) else { return Ok(false) };
        let codes = Codes {
            br: ctx.lookup_op("cf.br"),
            cond_br: ctx.lookup_op("cf.cond_br"),
            switch: ctx.lookup_op("cf.switch"),
            wasm_block: ctx.lookup_op("wasm.block"),
            wasm_if: ctx.lookup_op("wasm.if"),
            wasm_br: Some(ctx.op_code("wasm.br")),
            wasm_br_if: ctx.lookup_op("wasm.br_if"),
            yield_: ctx.lookup_op("wasm.yield"),
            wasm_return: ctx.lookup_op("wasm.return"),
            func_return: Some(ctx.op_code("func.return")),
        };
        let mut changed = structured(ctx, module, body, &codes, stats)?;
        let roots = module.body(body).roots().to_vec();
        for r in roots {
            let b = module.body(body);
            if b.first_block(r).is_some_and(|e| b.next_block(e).is_some()) {
                for _ in 0..16 {
                    let c = cfg_round(ctx, module, body, r, &codes, stats)?;
                    changed |= c;
                    if !c {
                        break;
                    }
                }
            }
        }
        Ok(changed)
    }
}

/// The structured rewrites, one walk over the function.
fn structured(ctx: &Context, module: &mut Module, body: BodyId, codes: &Codes, stats: &mut Statistics) -> Result<bool, String> {
    let ops = super::walk::preorder(module.body(body), module.body(body).roots());
    let mut gone: FxHashSet<Op> = FxHashSet::default();
    let mut changed = false;
    for op in ops {
        if gone.contains(&op) || module.body(body).block_of(op).is_none() {
            continue;
        }
        let code = Some(module.body(body).opcode(op));
        if code == codes.wasm_br_if {
            let Some(c) = constant(ctx, module, body, module.body(body).operand(op, 1)) else { continue };
            if c == 0 {
                module.erase_op(OpRef { body, op }).map_err(|e| e.to_string())?;
            } else {
                let b = module.body_mut(body);
                let mut operands: Vec<Value> = b.operands(op).collect();
                operands.remove(1);
                let loc = b.op(op).loc;
                let attrs = b.op(op).attrs;
                let br = b.create_op(codes.wasm_br.expect("interned"), &operands, &[], &[], &[], None, attrs, loc);
                b.insert_op_before(br, op);
                // Everything after the branch can never run.
                let mut dead = Vec::new();
                let mut cur = Some(op);
                while let Some(o) = cur {
                    cur = b.next_op(o);
                    dead.push(o);
                }
                for &o in &dead {
                    module.walk_op(OpRef { body, op: o }, |x| {
                        gone.insert(x.op);
                    });
                    drop_all(module, body, o);
                }
                for &o in dead.iter().rev() {
                    module.erase_op(OpRef { body, op: o }).map_err(|e| e.to_string())?;
                }
                exit_to_yield(module, body, br, codes, stats)?;
            }
            stats.add("constant branches folded", 1);
            changed = true;
        } else if code == codes.wasm_return && ends_function(module.body(body), op) {
            // Returning from the end of the body is falling off it: `func.return`, which the
            // backend writes as nothing.
            let b = module.body_mut(body);
            let vals: Vec<Value> = b.operands(op).collect();
            let (loc, attrs) = (b.op(op).loc, b.op(op).attrs);
            let r = b.create_op(codes.func_return.expect("interned"), &vals, &[], &[], &[], None, attrs, loc);
            b.insert_op_before(r, op);
            module.erase_op(OpRef { body, op }).map_err(|e| e.to_string())?;
            stats.add("final returns made func.return", 1);
            changed = true;
        } else if code == codes.wasm_br {
            changed |= exit_to_yield(module, body, op, codes, stats)?;
        } else if code == codes.wasm_block || code == codes.wasm_if {
            let b = module.body(body);
            let region = if code == codes.wasm_if {
                let Some(c) = constant(ctx, module, body, b.operand(op, 0)) else { continue };
                match (c != 0, b.regions(op)) {
                    (true, [then, ..]) => Some(*then),
                    (false, [_, els]) => Some(*els),
                    _ => None,
                }
            } else {
                Some(b.regions(op)[0])
            };
            if unwrap(module, body, op, region, codes)? {
                stats.add(if code == codes.wasm_if { "constant ifs unwrapped" } else { "blocks unwrapped" }, 1);
                gone.insert(op);
                changed = true;
            }
        }
    }
    Ok(changed)
}

/// Replaces the structured `op` by the ops of `region` (none: by nothing) when the region's label
/// is unused and it ends by yielding; the yielded values replace the op's results.
fn unwrap(module: &mut Module, body: BodyId, op: Op, region: Option<Region>, codes: &Codes) -> Result<bool, String> {
    let b = module.body_mut(body);
    let Some(region) = region else {
        // A false `if` without `else`: it has no results.
        if b.num_results(op) != 0 {
            return Ok(false);
        }
        module.erase_op(OpRef { body, op }).map_err(|e| e.to_string())?;
        return Ok(true);
    };
    let Some(entry) = b.first_block(region) else { return Ok(false) };
    if b.next_block(entry).is_some() || b.block_args(entry).iter().any(|&a| b.has_uses(a)) {
        return Ok(false);
    }
    let Some(last) = b.last_op(entry) else { return Ok(false) };
    if Some(b.opcode(last)) != codes.yield_ {
        return Ok(false);
    }
    let inner: Vec<Op> = b.block_ops(entry).filter(|&o| o != last).collect();
    for o in inner {
        b.detach_op(o);
        b.insert_op_before(o, op);
    }
    let vals: Vec<Value> = b.operands(last).collect();
    let results: Vec<Value> = b.results(op).collect();
    for (r, v) in results.into_iter().zip(vals) {
        b.replace_all_uses(r, v);
    }
    module.erase_op(OpRef { body, op }).map_err(|e| e.to_string())?;
    Ok(true)
}

/// A `wasm.br` to its own block's label as the block's last op is just falling off the end:
/// it becomes a yield, and the block is unwrapped if nothing else branches to it.
fn exit_to_yield(module: &mut Module, body: BodyId, br: Op, codes: &Codes, stats: &mut Statistics) -> Result<bool, String> {
    if !is_exit_branch(module.body(body), br, codes) {
        return Ok(false);
    }
    let b = module.body_mut(body);
    let vals: Vec<Value> = b.operands(br).skip(1).collect();
    let (loc, attrs) = (b.op(br).loc, b.op(br).attrs);
    let y = b.create_op(codes.yield_.expect("a block region ends with wasm.yield"), &vals, &[], &[], &[], None, attrs, loc);
    b.insert_op_before(y, br);
    module.erase_op(OpRef { body, op: br }).map_err(|e| e.to_string())?;
    stats.add("exit branches made yields", 1);
    let b = module.body(body);
    if let Some(parent) = b.block_of(y).and_then(|blk| b.region_of(blk)).and_then(|r| b.region_parent(r)) {
        let region = b.regions(parent)[0];
        if unwrap(module, body, parent, Some(region), codes)? {
            stats.add("blocks unwrapped", 1);
        }
    }
    Ok(true)
}

/// Is `op` the last op of the function body's top-level block?
fn ends_function(b: &crate::Body, op: Op) -> bool {
    b.block_of(op).is_some_and(|blk| b.last_op(blk) == Some(op) && b.region_of(blk).is_some_and(|r| b.region_parent(r).is_none() && b.first_block(r) == Some(blk) && b.next_block(blk).is_none()))
}

/// Is `br` the last op of a `wasm.block`'s region, branching to that block's own label?
fn is_exit_branch(b: &crate::Body, br: Op, codes: &Codes) -> bool {
    let Some(blk) = b.block_of(br) else { return false };
    let Some(parent) = b.region_of(blk).and_then(|r| b.region_parent(r)) else { return false };
    b.last_op(blk) == Some(br)
        && Some(b.opcode(parent)) == codes.wasm_block
        && b.block_args(blk).first() == Some(&b.operand(br, 0))
}

/// Drops every use made from inside `op` (so erasing dead code in any order is allowed).
fn drop_all(module: &mut Module, body: BodyId, op: Op) {
    let mut ops = Vec::new();
    module.walk_op(OpRef { body, op }, |x| ops.push(x));
    for x in ops {
        module.body_mut(x.body).drop_references(x.op);
    }
}

/// One round of the CFG rewrites on region `r`. Returns whether anything changed.
fn cfg_round(ctx: &mut Context, module: &mut Module, body: BodyId, r: Region, codes: &Codes, stats: &mut Statistics) -> Result<bool, String> {
    let mut changed = false;
    let blocks: Vec<Block> = module.body(body).region_blocks(r).collect();
    let entry = blocks[0];

    // Constant and trivial conditional branches.
    for &blk in &blocks {
        let b = module.body(body);
        let Some(term) = b.last_op(blk) else { continue };
        let code = Some(b.opcode(term));
        let succs = b.successors(term).to_vec();
        let target = if code == codes.cond_br {
            let same = b.succ_block(succs[0]) == b.succ_block(succs[1]) && b.succ_args(succs[0]).eq(b.succ_args(succs[1]));
            match constant(ctx, module, body, b.operand(term, 0)) {
                Some(c) => Some(if c != 0 { succs[0] } else { succs[1] }),
                None if same => Some(succs[0]),
                None => None,
            }
        } else if code == codes.switch {
            switch_target(ctx, module, body, term, &succs)
        } else {
            None
        };
        let Some(s) = target else { continue };
        let b = module.body_mut(body);
        let (to, args): (Block, Vec<Value>) = (b.succ_block(s), b.succ_args(s).collect());
        replace_terminator(ctx, module, body, term, to, &args, codes);
        stats.add("constant branches folded", 1);
        changed = true;
    }

    let removed = super::cfg::remove_unreachable_blocks(module, body, r)?;
    if removed > 0 {
        stats.add("unreachable blocks removed", removed as u64);
        changed = true;
    }
    if changed {
        return Ok(true);
    }
    let preds = predecessors(module.body(body), r);

    // Jump threading: a block holding only `cf.br` passes its predecessors on.
    for &blk in &blocks {
        let b = module.body(body);
        if blk == entry || b.first_op(blk) != b.last_op(blk) {
            continue;
        }
        let Some(term) = b.last_op(blk) else { continue };
        if Some(b.opcode(term)) != codes.br {
            continue;
        }
        let s = b.successors(term)[0];
        let to = b.succ_block(s);
        if to == blk {
            continue;
        }
        let through: Vec<Value> = b.succ_args(s).collect();
        let params: Vec<Value> = b.block_args(blk).to_vec();
        let Some(incoming) = preds.get(&blk) else { continue };
        for &(pred_term, succ) in incoming {
            let b = module.body(body);
            if b.succ_block(succ) != blk || pred_term == term {
                continue;
            }
            let given: Vec<Value> = b.succ_args(succ).collect();
            let map: FxHashMap<Value, Value> = params.iter().copied().zip(given).collect();
            let args: Vec<Value> = through.iter().map(|v| map.get(v).copied().unwrap_or(*v)).collect();
            module.body_mut(body).set_successor(succ, to, &args);
            stats.add("jumps threaded", 1);
            changed = true;
        }
    }
    if changed {
        return Ok(true);
    }

    // Merge a block into its only predecessor when that one jumps to it unconditionally.
    for &blk in &blocks {
        if blk == entry {
            continue;
        }
        let Some(incoming) = preds.get(&blk) else { continue };
        let [(pred_term, succ)] = incoming[..] else { continue };
        let b = module.body(body);
        if Some(b.opcode(pred_term)) != codes.br || b.block_of(pred_term) == Some(blk) {
            continue;
        }
        let Some(pred) = b.block_of(pred_term) else { continue };
        let args: Vec<Value> = b.succ_args(succ).collect();
        let params: Vec<Value> = b.block_args(blk).to_vec();
        let ops: Vec<Op> = b.block_ops(blk).collect();
        let bm = module.body_mut(body);
        for (p, a) in params.into_iter().zip(args) {
            bm.replace_all_uses(p, a);
        }
        module.erase_op(OpRef { body, op: pred_term }).map_err(|e| e.to_string())?;
        let bm = module.body_mut(body);
        for o in ops {
            bm.detach_op(o);
            bm.append_op(pred, o);
        }
        bm.detach_block(blk);
        stats.add("blocks merged", 1);
        // Predecessor lists are stale now; the next round recomputes them.
        return Ok(true);
    }
    Ok(changed)
}

/// The successor a `cf.switch` takes for certain: on a constant flag, or when every case goes to
/// the same block with the same arguments.
fn switch_target(ctx: &Context, module: &Module, body: BodyId, term: Op, succs: &[crate::ir::Succ]) -> Option<crate::ir::Succ> {
    let b = module.body(body);
    let all_same = succs.iter().all(|&s| b.succ_block(s) == b.succ_block(succs[0]) && b.succ_args(s).eq(b.succ_args(succs[0])));
    if all_same {
        return Some(succs[0]);
    }
    let flag = constant(ctx, module, body, b.operand(term, 0))?;
    let cases = match ctx.dict_get(b.op(term).attrs, "case_values").map(|a| ctx.attr_data(a)) {
        Some(crate::ir::AttrData::Array(v)) => v.clone(),
        _ => return None,
    };
    for (i, c) in cases.iter().enumerate() {
        if let crate::ir::AttrData::Int { value, .. } = ctx.attr_data(*c) {
            if *value as i64 == flag {
                return succs.get(i + 1).copied();
            }
        }
    }
    Some(succs[0])
}

/// Replaces terminator `term` by `cf.br ^to(args)`.
fn replace_terminator(ctx: &mut Context, module: &mut Module, body: BodyId, term: Op, to: Block, args: &[Value], codes: &Codes) {
    let empty = ctx.empty_dict();
    let br = codes.br.unwrap_or_else(|| ctx.op_code("cf.br"));
    let b = module.body_mut(body);
    let loc = b.op(term).loc;
    let new = b.create_op(br, &[], &[], &[crate::ir::SuccSpec { block: to, args }], &[], None, empty, loc);
    b.insert_op_before(new, term);
    // A terminator has no results, so erasing it cannot fail.
    let _ = module.erase_op(OpRef { body, op: term });
}

/// For each block of `r`, the (terminator, successor slot) pairs that jump to it.
fn predecessors(b: &crate::Body, r: Region) -> FxHashMap<Block, Vec<(Op, crate::ir::Succ)>> {
    let mut preds: FxHashMap<Block, Vec<(Op, crate::ir::Succ)>> = FxHashMap::default();
    for blk in b.region_blocks(r) {
        if let Some(t) = b.last_op(blk) {
            for &s in b.successors(t) {
                preds.entry(b.succ_block(s)).or_default().push((t, s));
            }
        }
    }
    preds
}
