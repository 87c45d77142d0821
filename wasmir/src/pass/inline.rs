//! `inline`: replaces calls to small functions, and to functions called once, by their bodies.
use super::{Level, Pass, PassInfo, PassOption, Statistics};
use crate::ir::{AttrData, Block, Body, BodyId, Context, Ident, Module, Op, OpRef, Region, Type, Value};
use rustc_hash::FxHashMap;

pub const INFO: PassInfo = PassInfo {
    name: "inline",
    summary: "Inlines calls to small functions and to functions with a single call site.",
    description: "A direct `func.call` is replaced by a copy of the callee's body when the callee \
                  has at most `threshold` ops, or when it is the only call of a function that \
                  nothing else can reach (not exported, never named by `ref.func` or an element \
                  segment); `symbol-dce` then removes the function. A function's size counts the \
                  ops that compute: declarations (`wasm.local`, `wasm.stack_slot`), local reads \
                  and writes, constants and `cf.br` are free, since after inlining `mem2reg`, \
                  `canonicalize` and the backends remove most of them (`-O2` cleans every \
                  function up before inlining, so the sizes are those of what is copied).\n\n\
                  A *structured* callee (one block) goes into a `wasm.block` at the call, in a \
                  caller of either form: returns become branches to the block's label, and when \
                  the callee returns only at its end the body goes in place without the block. A \
                  *CFG-form* callee (several blocks, `cf` branches) is spliced into the caller's \
                  top-level region: the call's block is split at the call, the ops after it \
                  moving to a new continuation block; the callee's entry code takes the call's \
                  place (its arguments are the call's operands), its other blocks follow, and each \
                  return becomes a `cf.br` to the continuation. With one return, the returned \
                  values stand for the call's results; with several, they are the continuation's \
                  block arguments. A structured caller that takes a CFG-form callee at its top \
                  level is in CFG form after. Not spliced: a call inside a `wasm.block`, \
                  `wasm.if` or `wasm.loop` (a region cannot hold the callee's blocks), a CFG-form \
                  callee with a return inside such a region (it would have to leave the region \
                  for the continuation), and a call in the entry block followed by declarations \
                  (they must stay in the entry block).\n\n\
                  The callee's locals become locals of the caller, set to their initial value \
                  where the callee declared them (a call in a loop must see fresh zeros), and its \
                  `wasm.stack_slot`s become slots of the caller's frame, so a slot whose address \
                  was passed only to inlined callees no longer escapes and `scalarize-slots` can \
                  take it. Recursion-safe: calls inside a cycle of the call graph (a strongly \
                  connected component, found without recursion) are never inlined, so the pass \
                  terminates and code does not grow without bound. Callees are processed \
                  bottom-up, so a chain of small functions collapses in one run. Not inlined: \
                  imports, callees with tail calls (`return_call*` would return from the caller) \
                  or isolated nested ops. Each inlined call costs time linear in the callee, with \
                  no recursion on nesting depth.",
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
    /// Inlinable as a callee as far as its ops go (no tail calls, nothing isolated inside).
    ok: bool,
    /// In CFG form (several blocks): its blocks are spliced into the caller's.
    cfg: bool,
    /// Has a return inside a region. A CFG-form callee's returns must all be in blocks of the
    /// top-level region (a nested one would have to leave its region for the continuation).
    nested_return: bool,
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
            funcs.push(FuncInfo { body: b.inner_body(op), size: 0, ok: false, cfg: false, nested_return: false, escapes, calls: Vec::new() });
        }
        // Sizes, call sites, and everything that lets a function escape.
        let call_code = ctx.lookup_op("func.call");
        for f in 0..funcs.len() {
            let Some(body) = funcs[f].body else { continue };
            let b = module.body(body);
            let entry = b.roots().first().and_then(|&r| b.first_block(r)).filter(|_| b.roots().len() == 1);
            let mut ok = entry.is_some();
            let mut nested_return = false;
            let mut size = 0;
            let mut calls = Vec::new();
            for op in super::walk::preorder(b, b.roots()) {
                let name = ctx.op_name(b.opcode(op));
                size += cost(name);
                if name.starts_with("wasm.return_call") || b.inner_body(op).is_some() {
                    ok = false;
                }
                if matches!(name, "func.return" | "wasm.return") && b.parent_op(op).is_some() {
                    nested_return = true;
                }
                if Some(b.opcode(op)) == call_code {
                    if let Some(&g) = callee(ctx, b, op).and_then(|n| by_name.get(&n)) {
                        calls.push((g, op));
                    }
                }
            }
            funcs[f].cfg = entry.is_some_and(|e| b.next_block(e).is_some());
            funcs[f].nested_return = nested_return;
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
            if !callee_info.ok || (callee_info.cfg && callee_info.nested_return) || callee_info.calls.is_empty() {
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
                let done = if funcs[g].cfg {
                    // The callee's blocks join the caller's top-level region: the call must be
                    // in it, not inside a `wasm.block`, `wasm.if` or `wasm.loop`.
                    let b = module.body(caller_body);
                    b.parent_op(call).is_none() && inline_cfg(ctx, module, caller_body, call, callee_body)?
                } else {
                    inline_structured(ctx, module, caller_body, call, callee_body)?;
                    true
                };
                if done {
                    // A structured caller that took a CFG-form callee is in CFG form now.
                    funcs[f].cfg |= funcs[g].cfg;
                    funcs[f].size += added;
                    inlined += 1;
                }
            }
        }
        stats.add("calls inlined", inlined);
        Ok(inlined > 0)
    }
}

/// What an op adds to a function's size. The frame's declarations and jumps a layout falls
/// through are not code; local reads and writes and constants are free too, since once inlined,
/// `mem2reg`, `canonicalize` and the backends' register allocation remove most of them (a
/// frontend's unoptimized output is mostly such ops).
fn cost(name: &str) -> usize {
    match name {
        "wasm.local" | "wasm.stack_slot" | "cf.br" | "wasm.local.get" | "wasm.local.set" | "wasm.local.tee" => 0,
        "wasm.i32.const" | "wasm.i64.const" | "wasm.f32.const" | "wasm.f64.const" => 0,
        _ => 1,
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

/// Replaces `call` (in `caller`) by a `wasm.block` holding a copy of the structured `callee`'s
/// body, or by that body itself when it returns only at its end.
fn inline_structured(ctx: &mut Context, module: &mut Module, caller: BodyId, call: Op, callee: BodyId) -> Result<(), String> {
    let src: Body = module.body(callee).clone();
    let src_entry = src.first_block(src.roots()[0]).ok_or("a function body without a block")?;
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

    let mut copy = Copier::new(&src, ctx, caller_entry, caller_first);
    for (&p, &a) in src.block_args(src_entry).iter().zip(&args) {
        copy.map.insert(p, a);
    }
    copy.run(ctx, module, caller, &codes, vec![(src_entry, entry, true)], &Exit::Block { label, last: src.last_op(src_entry) })?;

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

/// Splices the CFG-form `callee` into `caller` at `call`, which sits in a block of the caller's
/// top-level region: the ops after the call move to a new continuation block, the callee's entry
/// code follows the call's predecessors in the call's block, its other blocks go between that
/// block and the continuation, and each return branches to the continuation. `Ok(false)` when
/// the call's block cannot be split there.
fn inline_cfg(ctx: &mut Context, module: &mut Module, caller: BodyId, call: Op, callee: BodyId) -> Result<bool, String> {
    let codes = Codes::new(ctx);
    let b = module.body(caller);
    let Some(blk) = b.block_of(call) else { return Ok(false) };
    let caller_entry = b.first_block(b.roots()[0]).ok_or("a function body without a block")?;
    // The ops after the call become a block of their own: it needs the block's terminator, and
    // cannot take the frame's declarations out of the entry block.
    let ends_in_terminator = b.last_op(blk).and_then(|t| ctx.op_def(b.opcode(t))).is_some_and(|d| d.has(crate::dialect::Traits::TERMINATOR));
    let mut after_call = std::iter::successors(b.next_op(call), |&o| b.next_op(o));
    if !ends_in_terminator || (blk == caller_entry && after_call.any(|o| b.opcode(o) == codes.local || b.opcode(o) == codes.stack_slot)) {
        return Ok(false);
    }
    let src: Body = module.body(callee).clone();
    let src_root = src.roots()[0];
    let src_entry = src.first_block(src_root).ok_or("a function body without a block")?;
    let b = module.body(caller);
    let args: Vec<Value> = b.operands(call).collect();
    let result_types: Vec<Type> = b.results(call).map(|v| b.value_type(v)).collect();
    let caller_first = b.first_op(caller_entry);
    let returns = src.region_blocks(src_root).filter(|&sb| src.last_op(sb).is_some_and(|t| codes.is_return(src.opcode(t)))).count();

    let dst = module.body_mut(caller);
    let cont = dst.create_block();
    dst.insert_block_after(cont, blk);
    let mut next = dst.next_op(call);
    while let Some(op) = next {
        next = dst.next_op(op);
        dst.detach_op(op);
        dst.append_op(cont, op);
    }
    // One return dominates the continuation, so its values stand for the results directly; with
    // several, they meet in the continuation's arguments.
    let with_args = returns != 1;
    if with_args {
        for &ty in &result_types {
            dst.add_block_arg(cont, ty);
        }
    }
    let mut copy = Copier::new(&src, ctx, caller_entry, caller_first);
    for (&p, &a) in src.block_args(src_entry).iter().zip(&args) {
        copy.map.insert(p, a);
    }
    let mut top = vec![(src_entry, blk, true)];
    let mut at = blk;
    for sb in src.region_blocks(src_root).skip(1) {
        let db = dst.create_block();
        dst.insert_block_after(db, at);
        at = db;
        copy.blocks.insert(sb, db);
        for &a in src.block_args(sb) {
            let na = dst.add_block_arg(db, src.value_type(a));
            copy.map.insert(a, na);
        }
        top.push((sb, db, true));
    }
    // The callee's entry code follows the call in its block; the call goes once it is copied.
    copy.run(ctx, module, caller, &codes, top.into_iter().rev().collect(), &Exit::Cont { block: cont, args: with_args })?;

    let dst = module.body_mut(caller);
    let old: Vec<Value> = dst.results(call).collect();
    let new: Vec<Value> = if with_args { dst.block_args(cont).to_vec() } else { copy.returned.iter().map(|v| copy.map[v]).collect() };
    for (r, n) in old.into_iter().zip(new) {
        dst.replace_all_uses(r, n);
    }
    module.erase_op(OpRef { body: caller, op: call }).map_err(|e| e.to_string())?;
    Ok(true)
}

/// Where an inlined callee's returns go.
enum Exit {
    /// Out of the `wasm.block` around a structured callee: the last op of its body yields, an
    /// earlier return branches to the block's label.
    Block { label: Value, last: Option<Op> },
    /// To the continuation of a CFG callee: with the returned values as the block's arguments,
    /// or, without arguments, from the one return there is (its values are kept in `returned`).
    Cont { block: Block, args: bool },
}

/// Copies a callee's ops into the caller.
struct Copier<'a> {
    src: &'a Body,
    /// Callee values to caller values. A value used before the op defining it is copied (a
    /// block earlier in layout than its dominator) gets a placeholder, replaced when defined.
    map: FxHashMap<Value, Value>,
    placeholders: usize,
    /// Callee blocks to caller blocks (successors are in the same region, made before its ops).
    blocks: FxHashMap<Block, Block>,
    /// The callee values of the one return of a CFG callee copied without continuation arguments.
    returned: Vec<Value>,
    caller_entry: Block,
    caller_first: Option<Op>,
    empty: crate::ir::Attr,
    local_ty: Type,
    i32: Type,
}

impl<'a> Copier<'a> {
    fn new(src: &'a Body, ctx: &mut Context, caller_entry: Block, caller_first: Option<Op>) -> Self {
        Copier {
            src,
            map: FxHashMap::default(),
            placeholders: 0,
            blocks: FxHashMap::default(),
            returned: Vec::new(),
            caller_entry,
            caller_first,
            empty: ctx.empty_dict(),
            local_ty: ctx.local_type(),
            i32: ctx.i32(),
        }
    }

    fn value(&mut self, dst: &mut Body, v: Value) -> Value {
        if let Some(&n) = self.map.get(&v) {
            return n;
        }
        let p = dst.create_placeholder(self.src.value_type(v));
        self.placeholders += 1;
        self.map.insert(v, p);
        p
    }

    fn bind(&mut self, dst: &mut Body, v: Value, new: Value) {
        if let Some(p) = self.map.insert(v, new) {
            dst.replace_all_uses(p, new);
            self.placeholders -= 1;
        }
    }

    /// The frame's declarations go first in the caller's entry block.
    fn declare(&self, dst: &mut Body, op: Op) {
        match self.caller_first {
            Some(first) => dst.insert_op_before(op, first),
            None => dst.append_op(self.caller_entry, op),
        }
    }

    /// Copies the ops of each (callee block, caller block, top level) in `work` (popped from the
    /// end), and of the regions nested in them, without recursion.
    fn run(&mut self, ctx: &mut Context, module: &mut Module, caller: BodyId, codes: &Codes, mut work: Vec<(Block, Block, bool)>, exit: &Exit) -> Result<(), String> {
        let src = self.src;
        let mut region_pairs: Vec<(Region, Region)> = Vec::new();
        while let Some((sb, db, top)) = work.pop() {
            for op in src.block_ops(sb) {
                let code = src.opcode(op);
                let dst = module.body_mut(caller);
                let operands: Vec<Value> = src.operands(op).map(|v| self.value(dst, v)).collect();
                let loc = src.op(op).loc;
                if code == codes.local {
                    // Locals live in the caller's frame. Each inlined call starts them afresh
                    // where the callee declared them (a call in a loop must see fresh zeros).
                    let ty = match ctx.dict_get(src.op(op).attrs, "type").map(|a| ctx.attr_data(a)) {
                        Some(AttrData::Type(t)) => *t,
                        _ => return Err("a `wasm.local` without its type".into()),
                    };
                    let l = dst.create_op(code, &[], &[self.local_ty], &[], &[], None, src.op(op).attrs, loc);
                    self.declare(dst, l);
                    let nl = dst.result(l, 0);
                    self.bind(dst, src.result(op, 0), nl);
                    let init = match operands.first() {
                        Some(&v) => Some(v),
                        None => super::default_value(ctx, module, caller, ty, None, db, ctx.unknown_loc()),
                    };
                    if let Some(v) = init {
                        let dst = module.body_mut(caller);
                        let set = dst.create_op(codes.local_set, &[nl, v], &[], &[], &[], None, self.empty, loc);
                        dst.append_op(db, set);
                    }
                    continue;
                }
                if code == codes.stack_slot {
                    // The caller's frame holds the callee's slots: one per inlined call, each
                    // call's own, as the callee's own frame was.
                    let slot = dst.create_op(code, &[], &[self.i32], &[], &[], None, src.op(op).attrs, loc);
                    self.declare(dst, slot);
                    let r = dst.result(slot, 0);
                    self.bind(dst, src.result(op, 0), r);
                    continue;
                }
                let new = if codes.is_return(code) {
                    match *exit {
                        Exit::Block { label, last } => {
                            if top && Some(op) == last {
                                dst.create_op(codes.yield_, &operands, &[], &[], &[], None, self.empty, loc)
                            } else {
                                let mut ops = vec![label];
                                ops.extend(operands);
                                dst.create_op(codes.br, &ops, &[], &[], &[], None, self.empty, loc)
                            }
                        }
                        Exit::Cont { block, args } => {
                            if !top {
                                return Err("internal error: a return inside a region of a CFG-form callee".into());
                            }
                            let succ_args = if args { operands } else {
                                self.returned = src.operands(op).collect();
                                Vec::new()
                            };
                            dst.create_op(codes.cf_br, &[], &[], &[crate::ir::SuccSpec { block, args: &succ_args }], &[], None, self.empty, loc)
                        }
                    }
                } else {
                    let tys: Vec<Type> = src.results(op).map(|v| src.value_type(v)).collect();
                    let regions: Vec<Region> = src.regions(op).iter().map(|_| dst.create_region()).collect();
                    let mut succ_args: Vec<(Block, Vec<Value>)> = Vec::new();
                    for &s in src.successors(op) {
                        let target = *self.blocks.get(&src.succ_block(s)).ok_or("internal error: a branch out of its region in a callee")?;
                        let a: Vec<Value> = src.succ_args(s).map(|v| self.value(dst, v)).collect();
                        succ_args.push((target, a));
                    }
                    let succs: Vec<crate::ir::SuccSpec<'_>> = succ_args.iter().map(|(block, args)| crate::ir::SuccSpec { block: *block, args }).collect();
                    let n = dst.create_op(code, &operands, &tys, &succs, &regions, None, src.op(op).attrs, loc);
                    for (i, r) in src.results(op).enumerate() {
                        let nr = dst.result(n, i);
                        self.bind(dst, r, nr);
                    }
                    region_pairs.extend(src.regions(op).iter().copied().zip(regions));
                    n
                };
                let dst = module.body_mut(caller);
                dst.append_op(db, new);
                // Nested regions: their blocks and arguments now, their ops from the work list.
                for (sr, dr) in region_pairs.drain(..) {
                    let mut pending = Vec::new();
                    for sblk in src.region_blocks(sr) {
                        let dblk = dst.create_block();
                        dst.append_block(dr, dblk);
                        self.blocks.insert(sblk, dblk);
                        for &a in src.block_args(sblk) {
                            let na = dst.add_block_arg(dblk, src.value_type(a));
                            self.bind(dst, a, na);
                        }
                        pending.push((sblk, dblk, false));
                    }
                    work.extend(pending.into_iter().rev());
                }
            }
        }
        if self.placeholders != 0 {
            return Err("internal error: a value of the callee used but never defined".into());
        }
        Ok(())
    }
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
    cf_br: crate::ir::OpCode,
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
            cf_br: ctx.op_code("cf.br"),
        }
    }

    fn is_return(&self, code: crate::ir::OpCode) -> bool {
        code == self.func_return || code == self.wasm_return
    }
}
