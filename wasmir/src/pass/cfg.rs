//! Helpers shared by the control-flow passes (`lower-to-cfg`, `structurize`).
use crate::ir::{Attr, Block, Body, BodyId, Context, Loc, Module, Op, OpRef, Region, SuccSpec, Type, Value};
use rustc_hash::FxHashSet;

/// Creates a detached op `name` in `body`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn make(
    ctx: &mut Context,
    body: &mut Body,
    name: &str,
    operands: &[Value],
    results: &[Type],
    succs: &[SuccSpec<'_>],
    attrs: &[(&str, Attr)],
    loc: Loc,
) -> Op {
    let code = ctx.op_code(name);
    let entries = attrs.iter().map(|(k, v)| (ctx.ident(k), *v)).collect();
    let dict = ctx.dict_attr(entries);
    body.create_op(code, operands, results, succs, &[], None, dict, loc)
}

/// The blocks of `region` reachable from its entry, found without recursion.
pub(crate) fn reachable(body: &Body, region: Region) -> FxHashSet<Block> {
    let mut seen = FxHashSet::default();
    let Some(entry) = body.first_block(region) else { return seen };
    let mut stack = vec![entry];
    seen.insert(entry);
    while let Some(b) = stack.pop() {
        let Some(t) = body.last_op(b) else { continue };
        for &s in body.successors(t) {
            let target = body.succ_block(s);
            if seen.insert(target) {
                stack.push(target);
            }
        }
    }
    seen
}

/// Deletes the blocks of `region` that no path from the entry reaches. Their values can only be
/// used in other unreachable blocks (a definition must dominate its uses), so those uses are
/// pointed at placeholders first and vanish with the ops that hold them. Returns how many blocks
/// went.
pub(crate) fn remove_unreachable_blocks(module: &mut Module, body_id: BodyId, region: Region) -> Result<usize, String> {
    let live = reachable(module.body(body_id), region);
    let dead: Vec<Block> = module.body(body_id).region_blocks(region).filter(|b| !live.contains(b)).collect();
    for &blk in &dead {
        let b = module.body_mut(body_id);
        let mut values: Vec<Value> = b.block_args(blk).to_vec();
        let ops: Vec<Op> = b.block_ops(blk).collect();
        for &op in &ops {
            values.extend(b.results(op));
        }
        for v in values {
            if b.has_uses(v) {
                let ph = b.create_placeholder(b.value_type(v));
                b.replace_all_uses(v, ph);
            }
        }
    }
    for &blk in &dead {
        let ops: Vec<Op> = module.body(body_id).block_ops(blk).collect();
        for op in ops.into_iter().rev() {
            module.erase_op(OpRef { body: body_id, op }).map_err(|e| e.to_string())?;
        }
        module.body_mut(body_id).detach_block(blk);
    }
    Ok(dead.len())
}
