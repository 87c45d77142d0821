//! `inline`: replaces calls to small functions, and to functions called once, by their bodies.
use super::{Level, Pass, PassInfo, PassOption, Statistics};
use crate::ir::{AttrData, Block, Body, BodyId, Context, Ident, Module, Op, OpRef, Region, Type, Value};
use rustc_hash::FxHashMap;

pub const INFO: PassInfo = PassInfo {
    name: "inline",
    summary: "Inlines calls to small functions and to functions with a single call site.",
    description: "A direct `func.call` is replaced by a `wasm.block` holding a copy of the callee's \
                  body when the callee has at most `threshold` ops, or when it is the only call of \
                  a function that nothing else can reach (not exported, never named by `ref.func` \
                  or an element segment); `symbol-dce` then removes the function. Returns become \
                  branches to the block's label; the callee's locals become locals of the caller, \
                  reset to their initial value at each inlined call (a call in a loop must see \
                  fresh zeros), and its `wasm.stack_slot`s become slots of the caller's frame.\n\n\
                  Recursion-safe: calls inside a cycle of the call graph (a strongly connected \
                  component, found without recursion) are never inlined, so the pass terminates \
                  and code does not grow without bound. Callees are processed bottom-up, so a \
                  chain of small functions collapses in one run. Not inlined: imports, \
                  CFG-form functions (several blocks) on either side, callees with tail calls \
                  (`return_call*` would return from the caller) or isolated nested ops.",
    level: Level::Module,
    options: &[PassOption { name: "threshold", summary: "the largest callee (in ops) inlined at every call site", default: "12" }],
    create: |opts| {
        let mut threshold = 12usize;
        for (k, v) in opts {
            match k.as_str() {
                "threshold" => threshold = v.parse().map_err(|_| format!("`threshold` must be a number of ops, not `{v}`"))?,
                _ => return Err(format!("`inline` has no option `{k}`; it takes `threshold`")),
            }
        }
        Ok(Box::new(Inline { threshold }))
    },
};

struct Inline {
    threshold: usize,
}

/// What the pass knows about one function.
struct FuncInfo {
    body: Option<BodyId>,
    size: usize,
    /// Inlinable as a callee (structured, no tail calls, nothing isolated inside).
    ok: bool,
    /// Reachable other than through direct calls (export, `ref.func`, element segments).
    escapes: bool,
    /// Direct call sites: (body of the caller, call op).
    calls: Vec<(usize, Op)>,
}

impl Pass for Inline {
    fn run(&mut self, ctx: &mut Context, module: &mut Module, _target: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let Some((top, block)) = module.module_block() else { return Ok(false) };
        let mut funcs: Vec<FuncInfo> = Vec::new();
        let mut by_name: FxHashMap<Ident, usize> = FxHashMap::default();
        for op in module.body(top).block_ops(block) {
            let b = module.body(top);
            if ctx.op_name(b.opcode(op)) != "func.func" {
                continue;
            }
            let attrs = b.op(op).attrs;
            if let Some(AttrData::String(n)) = ctx.dict_get(attrs, "sym_name").map(|a| ctx.attr_data(a)) {
                by_name.insert(*n, funcs.len());
            }
            let escapes = ctx.dict_get(attrs, "export").is_some();
            funcs.push(FuncInfo { body: b.inner_body(op), size: 0, ok: false, escapes, calls: Vec::new() });
        }
        // Sizes, call sites, and everything that lets a function escape.
        let call_code = ctx.lookup_op("func.call");
        for f in 0..funcs.len() {
            let Some(body) = funcs[f].body else { continue };
            let b = module.body(body);
            let single_block = b.roots().len() == 1 && b.first_block(b.roots()[0]).is_some_and(|e| b.next_block(e).is_none());
            let mut ok = single_block;
            let mut size = 0;
            let mut calls = Vec::new();
            for op in super::walk::preorder(b, b.roots()) {
                size += 1;
                let name = ctx.op_name(b.opcode(op));
                if name.starts_with("wasm.return_call") || b.inner_body(op).is_some() {
                    ok = false;
                }
                if Some(b.opcode(op)) == call_code {
                    if let Some(&g) = callee(ctx, b, op).and_then(|n| by_name.get(&n)) {
                        calls.push((g, op));
                    }
                }
            }
            funcs[f].size = size;
            funcs[f].ok = ok;
            for (g, op) in calls {
                funcs[g].calls.push((f, op));
            }
        }
        let mut escaping: Vec<Ident> = Vec::new();
        module.walk(|o| {
            let b = module.body(o.body);
            let name = ctx.op_name(b.opcode(o.op));
            if name == "func.call" || name == "func.func" {
                return;
            }
            // Any other op naming a function (`ref.func`, `wasm.export`, `wasm.start`, …).
            for (_, a) in ctx.dict_entries(b.op(o.op).attrs) {
                if let AttrData::SymbolRef(p) = ctx.attr_data(*a) {
                    escaping.push(p[0]);
                }
            }
        });
        for n in escaping {
            if let Some(&f) = by_name.get(&n) {
                funcs[f].escapes = true;
            }
        }

        // Calls inside a strongly connected component are recursion: never inlined.
        let scc = components(&funcs);
        let order = bottom_up(&funcs, &scc);
        let mut inlined = 0u64;
        for g in order {
            let callee_info = &funcs[g];
            let Some(callee_body) = callee_info.body else { continue };
            if !callee_info.ok || callee_info.calls.is_empty() {
                continue;
            }
            let once = callee_info.calls.len() == 1 && !callee_info.escapes;
            if callee_info.size > self.threshold && !once {
                continue;
            }
            let sites: Vec<(usize, Op)> = callee_info.calls.iter().copied().filter(|&(f, _)| scc[f] != scc[g]).collect();
            let added = callee_info.size;
            for (f, call) in sites {
                let Some(caller_body) = funcs[f].body else { continue };
                let b = module.body(caller_body);
                // Only structured callers: a region op cannot sit between CFG blocks' terminators
                // in a way the structurizer would need to know about.
                if b.roots().len() != 1 || b.first_block(b.roots()[0]).is_some_and(|e| b.next_block(e).is_some()) {
                    continue;
                }
                inline_call(ctx, module, caller_body, call, callee_body)?;
                funcs[f].size += added;
                inlined += 1;
            }
        }
        stats.add("calls inlined", inlined);
        Ok(inlined > 0)
    }
}

fn callee(ctx: &Context, b: &Body, call: Op) -> Option<Ident> {
    match ctx.dict_get(b.op(call).attrs, "callee").map(|a| ctx.attr_data(a)) {
        Some(AttrData::SymbolRef(p)) => Some(p[0]),
        _ => None,
    }
}

/// The strongly connected component of each function in the call graph, numbered callees first.
fn components(funcs: &[FuncInfo]) -> Vec<usize> {
    let n = funcs.len();
    // Successors: the functions each one calls.
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (g, f) in funcs.iter().enumerate() {
        for &(caller, _) in &f.calls {
            succ[caller].push(g);
        }
    }
    let mut comp = vec![0; n];
    for (k, c) in super::cfg::strongly_connected(&succ).into_iter().enumerate() {
        for f in c {
            comp[f] = k;
        }
    }
    comp
}

/// Callees before their callers: Tarjan numbers components in reverse topological order of the
/// call graph, so sorting by component gives the order.
fn bottom_up(funcs: &[FuncInfo], scc: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..funcs.len()).collect();
    order.sort_by_key(|&f| scc[f]);
    order
}

/// Replaces `call` (in `caller`) by a `wasm.block` holding a copy of `callee`'s body.
fn inline_call(ctx: &mut Context, module: &mut Module, caller: BodyId, call: Op, callee: BodyId) -> Result<(), String> {
    let src: Body = module.body(callee).clone();
    let src_root = src.roots()[0];
    let src_entry = src.first_block(src_root).ok_or("a function body without a block")?;
    let b = module.body(caller);
    let args: Vec<Value> = b.operands(call).collect();
    let result_types: Vec<Type> = b.results(call).map(|v| b.value_type(v)).collect();
    let loc = b.op(call).loc;
    let caller_entry = b.first_block(b.roots()[0]).ok_or("a function body without a block")?;

    let codes = Codes::new(ctx);
    let empty = ctx.empty_dict();
    let label_ty = ctx.label_type();
    let dst = module.body_mut(caller);
    let region = dst.create_region();
    let entry = dst.create_block();
    dst.append_block(region, entry);
    let label = dst.add_block_arg(entry, label_ty);
    let block_op = dst.create_op(codes.block, &[], &result_types, &[], &[region], None, empty, loc);
    dst.insert_op_before(block_op, call);
    // Locals go first in the caller (computed now: the block may be the first op).
    let caller_first = dst.first_op(caller_entry);

    let mut map: FxHashMap<Value, Value> = FxHashMap::default();
    for (&p, &a) in src.block_args(src_entry).iter().zip(&args) {
        map.insert(p, a);
    }
    // Locals move to the caller's entry block and are reset where the inlined body starts.
    let mut resets: Vec<(Value, Option<Value>, Type)> = Vec::new();
    // (source block, destination block, is the callee's top-level block)
    let mut work: Vec<(Block, Block, bool)> = vec![(src_entry, entry, true)];
    let mut region_pairs: Vec<(Region, Region)> = Vec::new();
    while let Some((sb, db, top)) = work.pop() {
        let last = src.last_op(sb);
        for op in src.block_ops(sb) {
            let code = src.opcode(op);
            let operands: Vec<Value> = src.operands(op).map(|v| map.get(&v).copied().unwrap_or(v)).collect();
            let dst = module.body_mut(caller);
            if code == codes.local {
                let ty = match ctx.dict_get(src.op(op).attrs, "type").map(|a| ctx.attr_data(a)) {
                    Some(AttrData::Type(t)) => *t,
                    _ => return Err("a `wasm.local` without its type".into()),
                };
                let attrs = src.op(op).attrs;
                let l = dst.create_op(code, &[], &[ctx.local_type()], &[], &[], None, attrs, src.op(op).loc);
                match caller_first {
                    Some(first) => dst.insert_op_before(l, first),
                    None => dst.append_op(caller_entry, l),
                }
                let nl = dst.result(l, 0);
                map.insert(src.result(op, 0), nl);
                resets.push((nl, operands.first().copied(), ty));
                continue;
            }
            if code == codes.stack_slot {
                // The caller's frame holds the callee's slots: one per inlined call, each
                // call's own, as the callee's own frame was.
                let slot = dst.create_op(code, &[], &[ctx.i32()], &[], &[], None, src.op(op).attrs, src.op(op).loc);
                match caller_first {
                    Some(first) => dst.insert_op_before(slot, first),
                    None => dst.append_op(caller_entry, slot),
                }
                map.insert(src.result(op, 0), dst.result(slot, 0));
                continue;
            }
            let is_return = code == codes.func_return || code == codes.wasm_return;
            let new = if is_return {
                if top && Some(op) == last {
                    dst.create_op(codes.yield_, &operands, &[], &[], &[], None, empty, src.op(op).loc)
                } else {
                    let mut ops = vec![label];
                    ops.extend(operands);
                    dst.create_op(codes.br, &ops, &[], &[], &[], None, empty, src.op(op).loc)
                }
            } else {
                let tys: Vec<Type> = src.results(op).map(|v| src.value_type(v)).collect();
                let regions: Vec<Region> = src.regions(op).iter().map(|_| dst.create_region()).collect();
                let succs = src.successors(op);
                if !succs.is_empty() {
                    return Err("internal error: a branch between blocks in a structured callee".into());
                }
                let n = dst.create_op(code, &operands, &tys, &[], &regions, None, src.op(op).attrs, src.op(op).loc);
                for (i, r) in src.results(op).enumerate() {
                    map.insert(r, dst.result(n, i));
                }
                region_pairs.extend(src.regions(op).iter().copied().zip(regions));
                n
            };
            dst.append_op(db, new);
            // Nested regions: their blocks and arguments now, their ops from the work list.
            for (sr, dr) in region_pairs.drain(..) {
                let mut pending = Vec::new();
                for sblk in src.region_blocks(sr) {
                    let dblk = dst.create_block();
                    dst.append_block(dr, dblk);
                    for &a in src.block_args(sblk) {
                        let na = dst.add_block_arg(dblk, src.value_type(a));
                        map.insert(a, na);
                    }
                    pending.push((sblk, dblk, false));
                }
                // Ops of nested regions are cloned after the rest of this block has been, which
                // is fine: values flow only inward (a nested region never defines what its
                // enclosing block uses later).
                work.extend(pending.into_iter().rev());
            }
        }
    }
    // The resets go first in the inlined block.
    let first_in_block = module.body(caller).first_op(entry);
    for (l, init, ty) in resets {
        let value = match init {
            Some(v) => Some(v),
            None => super::default_value(ctx, module, caller, ty, first_in_block, entry, ctx.unknown_loc()),
        };
        if let Some(v) = value {
            let dst = module.body_mut(caller);
            let set = dst.create_op(codes.local_set, &[l, v], &[], &[], &[], None, empty, loc);
            match first_in_block {
                Some(f) => dst.insert_op_before(set, f),
                None => dst.append_op(entry, set),
            }
        }
    }
    let dst = module.body_mut(caller);
    let old: Vec<Value> = dst.results(call).collect();
    for (i, r) in old.into_iter().enumerate() {
        let nr = dst.result(block_op, i);
        dst.replace_all_uses(r, nr);
    }
    module.erase_op(OpRef { body: caller, op: call }).map_err(|e| e.to_string())?;
    // Nothing branches out early: the body goes in place, without a block around it.
    let dst = module.body_mut(caller);
    if !dst.has_uses(label) {
        let ops: Vec<Op> = dst.block_ops(entry).collect();
        if let Some((&yield_op, body_ops)) = ops.split_last().filter(|(y, _)| dst.opcode(**y) == codes.yield_) {
            for &op in body_ops {
                dst.detach_op(op);
                dst.insert_op_before(op, block_op);
            }
            let vals: Vec<Value> = dst.operands(yield_op).collect();
            let results: Vec<Value> = dst.results(block_op).collect();
            for (r, v) in results.into_iter().zip(vals) {
                dst.replace_all_uses(r, v);
            }
            module.erase_op(OpRef { body: caller, op: block_op }).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

struct Codes {
    block: crate::ir::OpCode,
    br: crate::ir::OpCode,
    yield_: crate::ir::OpCode,
    local: crate::ir::OpCode,
    local_set: crate::ir::OpCode,
    stack_slot: crate::ir::OpCode,
    func_return: crate::ir::OpCode,
    wasm_return: crate::ir::OpCode,
}

impl Codes {
    fn new(ctx: &mut Context) -> Self {
        Codes {
            block: ctx.op_code("wasm.block"),
            br: ctx.op_code("wasm.br"),
            yield_: ctx.op_code("wasm.yield"),
            local: ctx.op_code("wasm.local"),
            local_set: ctx.op_code("wasm.local.set"),
            stack_slot: ctx.op_code("wasm.stack_slot"),
            func_return: ctx.op_code("func.return"),
            wasm_return: ctx.op_code("wasm.return"),
        }
    }
}
