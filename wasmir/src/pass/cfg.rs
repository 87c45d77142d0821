//! Helpers shared by the control-flow passes (`lower-to-cfg`, `structurize`, `simplify-cfg`) and
//! the call-graph passes (`inline`).
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

/// The strongly connected components of the graph `succ` (node `i`'s successors are `succ[i]`),
/// by Tarjan's algorithm with an explicit stack. A component comes after every component it
/// reaches (reverse topological order), so callees come before callers in a call graph.
pub(crate) fn strongly_connected(succ: &[Vec<usize>]) -> Vec<Vec<usize>> {
    const UNSEEN: u32 = u32::MAX;
    let n = succ.len();
    let (mut index, mut low, mut on_stack) = (vec![UNSEEN; n], vec![0u32; n], vec![false; n]);
    let mut stack: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    let mut counter = 0u32;
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = counter;
        low[root] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut i)) = call.last_mut() {
            if let Some(&w) = succ[v].get(*i) {
                *i += 1;
                if index[w] == UNSEEN {
                    index[w] = counter;
                    low[w] = counter;
                    counter += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            call.pop();
            if let Some(&(p, _)) = call.last() {
                low[p] = low[p].min(low[v]);
            }
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(comp);
            }
        }
    }
    out
}
