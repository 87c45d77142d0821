//! `structurize`: a function in CFG form to wasm structured control flow, by the dominator-tree
//! method of Ramsey, "Beyond Relooper: recursive translation of unstructured control flow to
//! structured control flow" (ICFP 2022), run on an explicit work stack.
//!
//! The translation of a block `x` (`doTree` in the paper) is, in order: a `wasm.loop` if `x` is
//! the target of a back edge; `x`'s own ops; one `wasm.block` per *merge child* (a block `x`
//! immediately dominates that has two or more forward in-edges), the child with the highest
//! reverse-postorder number outermost, each child's code placed right after its block; and
//! innermost, the translation of `x`'s terminator. A branch goes to the enclosing loop's label
//! (back edge), to a merge child's block label, or — for the one forward edge into a block `x`
//! immediately dominates — is replaced by that block's code. Since `x`'s ops come before
//! everything it dominates and all of that is nested where `x`'s ops are, every value still
//! dominates its uses and SSA needs no repair; only CFG block arguments go through `wasm.local`s.
//!
//! Compactness: `x`'s ops sit outside the merge blocks (so values need no locals), a
//! `cf.cond_br` to a merge target is a `wasm.br_if`, a conditional whose arms both are inline
//! takes the innermost merge child's place as a `wasm.if`/`else` (no block around it), a branch
//! that falls out of its own block is left out, and a block nobody branches to is dissolved.
use super::cfg::{make, remove_unreachable_blocks};
use super::{Level, Pass, PassInfo, Statistics};
use crate::dialect::Traits;
use crate::ir::{AttrData, Block, Body, BodyId, Context, Loc, Module, Op, OpRef, Region, SuccSpec, Type, TypeData, Value};
use crate::verify::dominance::DomTree;
use rustc_hash::{FxHashMap, FxHashSet};

pub const INFO: PassInfo = PassInfo {
    name: "structurize",
    summary: "Turns a function in CFG form into wasm structured control flow (`wasm.block`, `wasm.loop`, `wasm.if`, branches to labels).",
    description: "The dominator-tree method of Ramsey's \"Beyond Relooper\" (2022): a block with \
                  several forward predecessors follows a `wasm.block` that its predecessors leave \
                  with `wasm.br`; a loop header becomes a `wasm.loop`; a block with one forward \
                  predecessor is placed at the branch. `cf.cond_br` becomes `wasm.br_if` or \
                  `wasm.if` (with `else` when both arms are placed there), `cf.switch` a \
                  `wasm.br_table` (case values that are not dense are compared one by one with \
                  `wasm.br_if`; i64 flags are range-checked and wrapped), `func.return` below the \
                  top level a `wasm.return`. Arguments of CFG blocks go through `wasm.local`s \
                  (a non-nullable reference through a nullable local and `wasm.ref.as_non_null`, \
                  since wasm only tracks a local's initialization within one block). Values never \
                  need locals otherwise: each block's code is nested where its dominator's is.\n\n\
                  Irreducible control flow (a cycle with several entries) is made reducible first \
                  by a dispatch loop: every value used outside its block goes through a local, and \
                  each branch into the offending cycle stores the target's number in a state \
                  local and jumps to a new block that `cf.switch`es on it; that block is then the \
                  cycle's only entry. Cycles nested in a reducible loop are handled the same way.\n\n\
                  Functions in structured form are left as they are. The pass uses explicit work \
                  stacks (no recursion on depth) and moves each op once.",
    level: Level::Function,
    options: &[],
    create: |opts| {
        super::no_options("structurize", opts)?;
        Ok(Box::new(Structurize))
    },
};

struct Structurize;

impl Pass for Structurize {
    fn run(&mut self, ctx: &mut Context, module: &mut Module, func: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let Some(body_id) = module.body(func.body).inner_body(func.op) else { return Ok(false) };
        let Some(&region) = module.body(body_id).roots().first() else { return Ok(false) };
        let Some(entry) = module.body(body_id).first_block(region) else { return Ok(false) };
        if module.body(body_id).next_block(entry).is_none() {
            return Ok(false);
        }
        let results = match ctx.dict_get(module.body(func.body).op(func.op).attrs, "function_type").map(|a| ctx.attr_data(a)) {
            Some(AttrData::Type(t)) => match ctx.type_data(*t) {
                TypeData::Function { results, .. } => !results.is_empty(),
                _ => return Err("the function type is not a function type".into()),
            },
            _ => return Err("a function without its `function_type`".into()),
        };
        remove_unreachable_blocks(module, body_id, region)?;
        let mut s = Structurizer {
            ctx,
            module,
            body: body_id,
            region,
            entry,
            returns_values: results,
            rpo: FxHashMap::default(),
            forward_in: FxHashMap::default(),
            loop_header: FxHashSet::default(),
            merge_children: FxHashMap::default(),
            target: FxHashMap::default(),
            fall_to: FxHashMap::default(),
            wrappers: Vec::new(),
            state: None,
        };
        s.check_terminators()?;
        s.block_args_to_locals();
        let dom = DomTree::compute(s.module.body(body_id), region);
        if !s.is_reducible(&dom) {
            s.demote_crossing_values();
            let n = s.make_reducible();
            stats.add("irreducible cycles dispatched", n as u64);
        }
        let dom = DomTree::compute(s.module.body(body_id), region);
        s.analyze(&dom);
        s.emit()?;
        s.dissolve_unlabelled_blocks()?;
        stats.add("functions structurized", 1);
        Ok(true)
    }
}

struct Structurizer<'a> {
    ctx: &'a mut Context,
    module: &'a mut Module,
    body: BodyId,
    region: Region,
    entry: Block,
    /// Whether the function returns values (the top level then cannot end in an empty return).
    returns_values: bool,
    rpo: FxHashMap<Block, u32>,
    /// Number of successor slots that reach each block along a forward edge.
    forward_in: FxHashMap<Block, u32>,
    loop_header: FxHashSet<Block>,
    /// Merge children by immediate dominator, highest reverse-postorder number first.
    merge_children: FxHashMap<Block, Vec<Block>>,
    /// The entry block of the region whose label a branch to a block uses: the loop of a loop
    /// header, the `wasm.block` a merge node (or an inline `cf.switch` target) follows.
    target: FxHashMap<Block, Block>,
    /// Region entry block → the CFG block whose code follows when control falls off its end.
    fall_to: FxHashMap<Block, Block>,
    /// The `wasm.block`s made for merge nodes and `cf.switch` targets, outermost first.
    wrappers: Vec<Op>,
    /// The state local of dispatch loops.
    state: Option<Value>,
}

/// One unit of the work stack: the code of `block` and what it dominates, appended to `into`.
struct Item {
    block: Block,
    into: Block,
    /// Rebinds a merge node to another region before starting (the arms of a fused `wasm.if`).
    bind: Option<(Block, Block)>,
}

impl Structurizer<'_> {
    fn b(&mut self) -> &mut Body {
        self.module.body_mut(self.body)
    }
    fn bref(&self) -> &Body {
        self.module.body(self.body)
    }
    fn name(&self, op: Op) -> &str {
        self.ctx.op_name(self.bref().opcode(op))
    }
    fn op(&mut self, name: &str, operands: &[Value], results: &[Type], succs: &[SuccSpec<'_>], attrs: &[(&str, crate::Attr)], loc: Loc) -> Op {
        make(self.ctx, self.module.body_mut(self.body), name, operands, results, succs, attrs, loc)
    }
    /// Creates `name` at the end of `blk` and returns its first result, if any.
    fn append(&mut self, blk: Block, name: &str, operands: &[Value], results: &[Type], attrs: &[(&str, crate::Attr)], loc: Loc) -> Option<Value> {
        let op = self.op(name, operands, results, &[], attrs, loc);
        self.b().append_op(blk, op);
        (!results.is_empty()).then(|| self.bref().result(op, 0))
    }
    fn successors(&self, blk: Block) -> Vec<Block> {
        let b = self.bref();
        b.last_op(blk).map(|t| b.successors(t).iter().map(|&s| b.succ_block(s)).collect()).unwrap_or_default()
    }
    fn blocks(&self) -> Vec<Block> {
        self.bref().region_blocks(self.region).collect()
    }

    fn check_terminators(&self) -> Result<(), String> {
        let b = self.bref();
        for blk in b.region_blocks(self.region) {
            let Some(t) = b.last_op(blk) else { return Err("a block without a terminator".into()) };
            let name = self.name(t);
            if !b.successors(t).is_empty() && !matches!(name, "cf.br" | "cf.cond_br" | "cf.switch") {
                return Err(format!("`{name}` branches between blocks; `structurize` knows `cf.br`, `cf.cond_br` and `cf.switch`"));
            }
            if !self.ctx.op_def(b.opcode(t)).is_some_and(|d| d.has(Traits::TERMINATOR)) {
                return Err(format!("a block ends with `{name}`, which is not a terminator"));
            }
        }
        Ok(())
    }

    /// A new local holding values of type `t` at the top of the function, and the type it reads
    /// back as: a non-nullable reference is kept nullable (wasm checks that a non-defaultable
    /// local is set before it is read only within one block).
    fn new_local(&mut self, t: Type) -> (Value, Type) {
        let held = match self.ctx.ref_parts(t) {
            Some((false, exact, heap)) => self.ctx.ref_type(true, exact, heap),
            _ => t,
        };
        let loc = self.ctx.unknown_loc();
        let lt = self.ctx.local_type();
        let ta = self.ctx.type_attr(held);
        let op = self.op("wasm.local", &[], &[lt], &[], &[("type", ta)], loc);
        let entry = self.entry;
        match self.bref().first_op(entry) {
            Some(f) => self.b().insert_op_before(op, f),
            None => self.b().append_op(entry, op),
        }
        (self.bref().result(op, 0), held)
    }

    /// Reads `local` (holding `held`) as a `want` before `before`.
    fn read_local(&mut self, local: Value, held: Type, want: Type, before: Op) -> Value {
        let loc = self.bref().op(before).loc;
        let get = self.op("wasm.local.get", &[local], &[held], &[], &[], loc);
        self.b().insert_op_before(get, before);
        let v = self.bref().result(get, 0);
        if held == want {
            return v;
        }
        let nn = self.op("wasm.ref.as_non_null", &[v], &[want], &[], &[], loc);
        self.b().insert_op_before(nn, before);
        self.bref().result(nn, 0)
    }

    /// Arguments of CFG blocks become locals: each edge sets them (on a block of its own when its
    /// terminator has several successors), the block reads them at its top. A block reached by
    /// one edge needs no local: its source dominates it, so the values passed can stand for the
    /// arguments.
    fn block_args_to_locals(&mut self) {
        // Every successor slot, by target.
        let mut incoming: FxHashMap<Block, Vec<(Op, crate::Succ)>> = FxHashMap::default();
        {
            let b = self.bref();
            for p in b.region_blocks(self.region) {
                let Some(t) = b.last_op(p) else { continue };
                for &s in b.successors(t) {
                    incoming.entry(b.succ_block(s)).or_default().push((t, s));
                }
            }
        }
        // The read of each argument's local at the top of its block, and the first set of every
        // edge's group of sets.
        let mut reads: Vec<(Value, Value, Type, Type)> = Vec::new();
        let mut group_first: FxHashMap<Op, Op> = FxHashMap::default();
        for blk in self.blocks() {
            let args: Vec<Value> = self.bref().block_args(blk).to_vec();
            if args.is_empty() || blk == self.entry {
                continue;
            }
            let slots = incoming.remove(&blk).unwrap_or_default();
            if let [(_, s)] = slots[..] {
                let vals: Vec<Value> = self.bref().succ_args(s).collect();
                self.b().set_successor(s, blk, &[]);
                for (&a, &v) in args.iter().zip(&vals) {
                    self.b().replace_all_uses(a, v);
                }
                continue;
            }
            let Some(first) = self.bref().first_op(blk) else { continue };
            let mut locals = Vec::with_capacity(args.len());
            for &a in &args {
                let t = self.bref().value_type(a);
                let (l, held) = self.new_local(t);
                let v = self.read_local(l, held, t, first);
                self.b().replace_all_uses(a, v);
                locals.push(l);
                reads.push((v, l, held, t));
            }
            for (term, s) in slots {
                let vals: Vec<Value> = self.bref().succ_args(s).collect();
                let loc = self.bref().op(term).loc;
                let sets: Vec<Op> = locals.iter().zip(&vals).map(|(&l, &v)| self.op("wasm.local.set", &[l, v], &[], &[], &[], loc)).collect();
                for &set in &sets {
                    group_first.insert(set, sets[0]);
                }
                if self.bref().successors(term).len() == 1 {
                    for set in sets {
                        self.b().insert_op_before(set, term);
                    }
                    self.b().set_successor(s, blk, &[]);
                } else {
                    let edge = self.b().create_block();
                    let region = self.region;
                    self.b().append_block(region, edge);
                    for set in sets {
                        self.b().append_op(edge, set);
                    }
                    let br = self.op("cf.br", &[], &[], &[SuccSpec { block: blk, args: &[] }], &[], loc);
                    self.b().append_op(edge, br);
                    self.b().set_successor(s, edge, &[]);
                }
            }
        }
        self.reread_arguments(&reads, &group_first);
    }

    /// Reads an argument's local again right before each use, instead of once at the top of its
    /// block: the value then need not be kept in a second local by the exporter. This is exact
    /// because the local is written only by the sets on edges into its block, each group followed
    /// at once by the jump there; so between the block's top and any use it dominates, the local
    /// holds the argument. A use by one of those sets reads before the first set of its group,
    /// since the sets of one edge are a parallel copy.
    fn reread_arguments(&mut self, reads: &[(Value, Value, Type, Type)], group_first: &FxHashMap<Op, Op>) {
        for &(v, local, held, want) in reads {
            let uses: Vec<(crate::Use, Op)> = {
                let b = self.bref();
                b.uses(v).map(|u| (u, b.use_data(u).user)).collect()
            };
            for (u, user) in uses {
                let anchor = group_first.get(&user).copied().unwrap_or(user);
                let again = self.read_local(local, held, want, anchor);
                if let Some(i) = self.bref().operand_uses(user).iter().position(|&x| x == u) {
                    self.b().set_operand(user, i, again);
                }
            }
            // The read at the top (and its non-null cast) is now unused.
            let mut dead = Some(v);
            while let Some(d) = dead.take() {
                let crate::ValueDef::Result(op, _) = self.bref().value_def(d) else { break };
                if self.bref().has_uses(d) {
                    break;
                }
                let operand = self.bref().operands(op).next().filter(|_| self.name(op) == "wasm.ref.as_non_null");
                self.b().drop_references(op);
                self.b().detach_op(op);
                dead = operand;
            }
        }
    }

    /// Whether every retreating edge goes to a block that dominates its source.
    fn is_reducible(&self, dom: &DomTree) -> bool {
        let rpo: FxHashMap<Block, usize> = dom.reverse_postorder().enumerate().map(|(i, b)| (b, i)).collect();
        dom.reverse_postorder().all(|u| self.successors(u).into_iter().all(|v| rpo[&v] > rpo[&u] || dom.dominates(v, u)))
    }

    /// The block of the function region that holds `op`, however deep.
    fn top_block(&self, mut op: Op) -> Option<Block> {
        let b = self.bref();
        loop {
            let blk = b.block_of(op)?;
            if b.region_of(blk) == Some(self.region) {
                return Some(blk);
            }
            op = b.parent_op(op)?;
        }
    }

    /// The op of `blk` that holds `op`.
    fn top_op(&self, mut op: Op, blk: Block) -> Op {
        let b = self.bref();
        while b.block_of(op) != Some(blk) {
            match b.parent_op(op) {
                Some(p) => op = p,
                None => break,
            }
        }
        op
    }

    /// Before the CFG is reshaped (which changes dominance), every value used outside its block
    /// goes through a local, but for the entry's: the entry still dominates everything after.
    fn demote_crossing_values(&mut self) {
        for blk in self.blocks() {
            if blk == self.entry {
                continue;
            }
            let ops: Vec<Op> = self.bref().block_ops(blk).collect();
            for def in ops {
                let results: Vec<Value> = self.bref().results(def).collect();
                for r in results {
                    let outside: Vec<(crate::Use, Op)> = {
                        let b = self.bref();
                        b.uses(r).map(|u| (u, b.use_data(u).user)).filter(|&(_, user)| self.top_block(user) != Some(blk)).collect()
                    };
                    if outside.is_empty() {
                        continue;
                    }
                    let t = self.bref().value_type(r);
                    let (l, held) = self.new_local(t);
                    let loc = self.bref().op(def).loc;
                    let set = self.op("wasm.local.set", &[l, r], &[], &[], &[], loc);
                    self.b().insert_op_after(set, def);
                    for (u, user) in outside {
                        let Some(ub) = self.top_block(user) else { continue };
                        let anchor = self.top_op(user, ub);
                        let v = self.read_local(l, held, t, anchor);
                        let i = self.bref().operand_uses(user).iter().position(|&x| x == u);
                        if let Some(i) = i {
                            self.b().set_operand(user, i, v);
                        }
                    }
                }
            }
        }
    }

    /// Gives every cycle a single entry (see the pass description). Returns how many cycles
    /// were dispatched.
    fn make_reducible(&mut self) -> usize {
        let mut preds: FxHashMap<Block, Vec<Block>> = FxHashMap::default();
        for blk in self.blocks() {
            for s in self.successors(blk) {
                preds.entry(s).or_default().push(blk);
            }
        }
        let live = super::cfg::reachable(self.bref(), self.region);
        let mut work: Vec<Vec<Block>> = vec![self.blocks().into_iter().filter(|b| *b != self.entry && live.contains(b)).collect()];
        let mut dispatched = 0;
        while let Some(sub) = work.pop() {
            for scc in self.sccs(&sub) {
                let set: FxHashSet<Block> = scc.iter().copied().collect();
                let cyclic = scc.len() > 1 || self.successors(scc[0]).contains(&scc[0]);
                if !cyclic {
                    continue;
                }
                let entries: Vec<Block> = scc.iter().copied().filter(|v| preds.get(v).is_some_and(|ps| ps.iter().any(|p| !set.contains(p)))).collect();
                if entries.len() == 1 {
                    work.push(scc.into_iter().filter(|&b| b != entries[0]).collect());
                } else {
                    self.dispatch(&scc, &set, &preds);
                    dispatched += 1;
                }
            }
        }
        dispatched
    }

    /// Routes every branch into `scc` through a new block that switches on a state local.
    fn dispatch(&mut self, scc: &[Block], set: &FxHashSet<Block>, preds: &FxHashMap<Block, Vec<Block>>) {
        let i32t = self.ctx.i32();
        let state = match self.state {
            Some(s) => s,
            None => {
                let (s, _) = self.new_local(i32t);
                self.state = Some(s);
                s
            }
        };
        let loc = self.ctx.unknown_loc();
        let region = self.region;
        let d = self.b().create_block();
        self.b().append_block(region, d);
        let number: FxHashMap<Block, usize> = scc.iter().enumerate().map(|(i, &b)| (b, i)).collect();
        let mut sources: Vec<Block> = scc.iter().flat_map(|v| preds.get(v).into_iter().flatten().copied()).collect();
        sources.sort();
        sources.dedup();
        for p in sources {
            let Some(term) = self.bref().last_op(p) else { continue };
            let slots: Vec<crate::Succ> = self.bref().successors(term).to_vec();
            for s in slots {
                let v = self.bref().succ_block(s);
                let Some(&k) = number.get(&v) else { continue };
                if !set.contains(&v) {
                    continue;
                }
                let edge = self.b().create_block();
                self.b().append_block(region, edge);
                let kv = self.ctx.int_attr(k as i128, i32t);
                let c = self.append(edge, "wasm.i32.const", &[], &[i32t], &[("value", kv)], loc).expect("one result");
                self.append(edge, "wasm.local.set", &[state, c], &[], &[], loc);
                let br = self.op("cf.br", &[], &[], &[SuccSpec { block: d, args: &[] }], &[], loc);
                self.b().append_op(edge, br);
                self.b().set_successor(s, edge, &[]);
            }
        }
        let s = self.append(d, "wasm.local.get", &[state], &[i32t], &[], loc).expect("one result");
        let cases: Vec<crate::Attr> = (0..scc.len() - 1).map(|i| self.ctx.int_attr(i as i128, i32t)).collect();
        let cases = self.ctx.attr(AttrData::Array(cases.into()));
        // The last block is the default.
        let mut specs: Vec<SuccSpec<'_>> = vec![SuccSpec { block: scc[scc.len() - 1], args: &[] }];
        specs.extend(scc[..scc.len() - 1].iter().map(|&b| SuccSpec { block: b, args: &[] }));
        let sw = self.op("cf.switch", &[s], &[], &specs, &[("case_values", cases)], loc);
        self.b().append_op(d, sw);
    }

    /// The strongly connected components of the subgraph `sub` (Tarjan's algorithm, iterative).
    fn sccs(&self, sub: &[Block]) -> Vec<Vec<Block>> {
        let idx: FxHashMap<Block, usize> = sub.iter().enumerate().map(|(i, &b)| (b, i)).collect();
        let succ: Vec<Vec<usize>> = sub.iter().map(|&b| self.successors(b).into_iter().filter_map(|s| idx.get(&s).copied()).collect()).collect();
        super::cfg::strongly_connected(&succ).into_iter().map(|c| c.into_iter().map(|i| sub[i]).collect()).collect()
    }

    /// Reverse-postorder numbers, forward in-edges, loop headers and merge children.
    fn analyze(&mut self, dom: &DomTree) {
        for (i, b) in dom.reverse_postorder().enumerate() {
            self.rpo.insert(b, i as u32);
        }
        let order: Vec<Block> = dom.reverse_postorder().collect();
        for &u in &order {
            for v in self.successors(u) {
                if self.rpo[&v] > self.rpo[&u] {
                    *self.forward_in.entry(v).or_default() += 1;
                } else {
                    self.loop_header.insert(v);
                }
            }
        }
        for &v in &order {
            if self.forward_in.get(&v).copied().unwrap_or(0) >= 2 {
                if let Some(d) = dom.idom(v) {
                    self.merge_children.entry(d).or_default().push(v);
                }
            }
        }
        let rpo = &self.rpo;
        for kids in self.merge_children.values_mut() {
            kids.sort_by_key(|k| std::cmp::Reverse(rpo[k]));
        }
    }

    fn is_merge(&self, b: Block) -> bool {
        self.forward_in.get(&b).copied().unwrap_or(0) >= 2
    }

    /// Whether the edge `from → to` is a branch to a label (not code placed at the branch).
    fn by_label(&self, from: Block, to: Block) -> bool {
        self.rpo[&to] <= self.rpo[&from] || self.is_merge(to)
    }

    /// The label of a region's entry block, added on first use.
    fn label(&mut self, entry: Block) -> Value {
        if let Some(&l) = self.bref().block_args(entry).first() {
            return l;
        }
        let lt = self.ctx.label_type();
        self.b().add_block_arg(entry, lt)
    }

    /// A structured op with `n` fresh regions, appended to `into`; returns it and the regions'
    /// entry blocks.
    fn structured(&mut self, into: Block, name: &str, operands: &[Value], n: usize, loc: Loc) -> (Op, Vec<Block>) {
        let code = self.ctx.op_code(name);
        let attrs = self.ctx.empty_dict();
        let b = self.b();
        let mut regions = Vec::with_capacity(n);
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let r = b.create_region();
            let e = b.create_block();
            b.append_block(r, e);
            regions.push(r);
            entries.push(e);
        }
        let op = b.create_op(code, operands, &[], &[], &regions, None, attrs, loc);
        b.append_op(into, op);
        (op, entries)
    }

    /// A branch from `from` to `to` that ends `into`: a `wasm.br` to a label, nothing when it
    /// falls out of `into` there, or `to`'s code placed here.
    fn jump(&mut self, from: Block, to: Block, into: Block, loc: Loc, work: &mut Vec<Item>) -> Result<(), String> {
        if !self.by_label(from, to) {
            work.push(Item { block: to, into, bind: None });
            return Ok(());
        }
        self.jump_label(to, into, loc)
    }

    /// Ends `into` with a branch to the label of `to`'s region (or a yield when it falls there).
    fn jump_label(&mut self, to: Block, into: Block, loc: Loc) -> Result<(), String> {
        if self.fall_to.get(&into) == Some(&to) {
            self.append(into, "wasm.yield", &[], &[], &[], loc);
            return Ok(());
        }
        let l = self.label_for(to)?;
        self.append(into, "wasm.br", &[l], &[], &[], loc);
        Ok(())
    }

    fn label_for(&mut self, to: Block) -> Result<Value, String> {
        let region = *self.target.get(&to).ok_or("internal error: a branch to a block with no enclosing label")?;
        Ok(self.label(region))
    }

    /// After an op that never falls through at the end of `into`, the terminator `into` needs.
    fn close(&mut self, into: Block, loc: Loc) {
        if into != self.entry {
            self.append(into, "wasm.yield", &[], &[], &[], loc);
        } else if self.returns_values {
            self.append(into, "wasm.unreachable", &[], &[], &[], loc);
        } else {
            self.append(into, "func.return", &[], &[], &[], loc);
        }
    }

    fn emit(&mut self) -> Result<(), String> {
        let mut work = vec![Item { block: self.entry, into: self.entry, bind: None }];
        while let Some(Item { block: x, into, bind }) = work.pop() {
            if let Some((y, r)) = bind {
                self.target.insert(y, r);
            }
            let term = self.bref().last_op(x).ok_or("a block without a terminator")?;
            let loc = self.bref().op(term).loc;
            let mut q = into;
            if self.loop_header.contains(&x) {
                let (_, e) = self.structured(q, "wasm.loop", &[], 1, loc);
                self.close(q, loc);
                self.target.insert(x, e[0]);
                q = e[0];
            }
            // The block's own ops first, outside the merge blocks, so that what it dominates
            // sees its values.
            self.b().detach_op(term);
            if x != q {
                while let Some(op) = self.bref().first_op(x) {
                    self.b().detach_op(op);
                    self.b().append_op(q, op);
                }
            }
            let merges = self.merge_children.get(&x).cloned().unwrap_or_default();
            let name = self.name(term).to_string();
            let succs: Vec<Block> = self.bref().successors(term).iter().map(|&s| self.bref().succ_block(s)).collect();
            // A conditional whose arms are placed here takes the innermost merge child's place.
            let fuse = match (name.as_str(), merges.last()) {
                ("cf.cond_br", Some(&y1)) => {
                    let (t, f) = (succs[0], succs[1]);
                    let (bt, bf) = (self.by_label(x, t), self.by_label(x, f));
                    (!bt && (!bf || f == y1)).then_some(y1)
                }
                _ => None,
            };
            for &y in &merges {
                if Some(y) == fuse {
                    work.push(Item { block: y, into: q, bind: None });
                    break;
                }
                let (w, e) = self.structured(q, "wasm.block", &[], 1, loc);
                self.wrappers.push(w);
                work.push(Item { block: y, into: q, bind: None });
                self.target.insert(y, e[0]);
                self.fall_to.insert(e[0], y);
                q = e[0];
            }
            match name.as_str() {
                "cf.br" => self.jump(x, succs[0], q, loc, &mut work)?,
                "cf.cond_br" => {
                    let c = self.bref().operand(term, 0);
                    let (t, f) = (succs[0], succs[1]);
                    let (bt, bf) = (self.by_label(x, t), self.by_label(x, f));
                    if let Some(y1) = fuse {
                        let both = !bf;
                        let (_, e) = self.structured(q, "wasm.if", &[c], if both { 2 } else { 1 }, loc);
                        if both {
                            self.fall_to.insert(e[1], y1);
                            work.push(Item { block: f, into: e[1], bind: Some((y1, e[1])) });
                        }
                        self.fall_to.insert(e[0], y1);
                        work.push(Item { block: t, into: e[0], bind: Some((y1, e[0])) });
                    } else if bt {
                        let l = self.label_for(t)?;
                        self.append(q, "wasm.br_if", &[l, c], &[], &[], loc);
                        self.jump(x, f, q, loc, &mut work)?;
                    } else {
                        // `t` is placed in a `wasm.if` that never falls through; `f` after it.
                        let (_, e) = self.structured(q, "wasm.if", &[c], 1, loc);
                        self.jump(x, f, q, loc, &mut work)?;
                        work.push(Item { block: t, into: e[0], bind: None });
                    }
                }
                "cf.switch" => self.switch(x, term, &succs, q, loc, &mut work)?,
                "func.return" if q == self.entry => {
                    self.b().append_op(q, term);
                    continue;
                }
                "func.return" => {
                    let vals: Vec<Value> = self.bref().operands(term).collect();
                    self.append(q, "wasm.return", &vals, &[], &[], loc);
                }
                _ => {
                    self.b().append_op(q, term);
                    continue;
                }
            }
            self.module.erase_op(OpRef { body: self.body, op: term }).map_err(|e| e.to_string())?;
        }
        for blk in self.blocks() {
            if blk == self.entry {
                continue;
            }
            if self.bref().first_op(blk).is_some() {
                return Err("internal error: a block was not placed".into());
            }
            self.b().detach_block(blk);
        }
        Ok(())
    }

    /// `cf.switch` → a `wasm.br_table` on a dense index, or `wasm.br_if`s when the case values
    /// are sparse. Targets placed here get a `wasm.block` each, like merge children.
    fn switch(&mut self, x: Block, term: Op, succs: &[Block], mut q: Block, loc: Loc, work: &mut Vec<Item>) -> Result<(), String> {
        let flag = self.bref().operand(term, 0);
        let ft = self.bref().value_type(flag);
        let cases: Vec<i128> = match self.ctx.dict_get(self.bref().op(term).attrs, "case_values").map(|a| self.ctx.attr_data(a)) {
            Some(AttrData::Array(v)) => v
                .iter()
                .map(|&a| match self.ctx.attr_data(a) {
                    AttrData::Int { value, .. } => Ok(*value),
                    _ => Err("`cf.switch` case values must be integers".to_string()),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err("`cf.switch` without `case_values`".into()),
        };
        if cases.len() + 1 != succs.len() {
            return Err("`cf.switch` has not one case value per case successor".into());
        }
        // Inline targets, the default innermost (its jump may then fall through).
        let mut inline: Vec<Block> = succs.iter().copied().filter(|&t| !self.by_label(x, t)).collect();
        inline.sort_by_key(|&t| (t != succs[0], std::cmp::Reverse(self.rpo[&t])));
        inline.reverse();
        for &t in &inline {
            let (w, e) = self.structured(q, "wasm.block", &[], 1, loc);
            self.wrappers.push(w);
            work.push(Item { block: t, into: q, bind: None });
            self.target.insert(t, e[0]);
            self.fall_to.insert(e[0], t);
            q = e[0];
        }
        let i32t = self.ctx.i32();
        let is64 = ft == self.ctx.i64();
        let (lo, hi) = (cases.iter().copied().min(), cases.iter().copied().max());
        let dense = match (lo, hi) {
            (Some(lo), Some(hi)) => {
                let span = hi - lo + 1;
                span <= 1 << 16 && span <= 2 * cases.len() as i128 + 16
            }
            _ => false,
        };
        if !dense {
            let (ct, eq) = if is64 { ("wasm.i64.const", "wasm.i64.eq") } else { ("wasm.i32.const", "wasm.i32.eq") };
            for (k, &v) in cases.iter().enumerate() {
                let va = self.ctx.int_attr(v, ft);
                let c = self.append(q, ct, &[], &[ft], &[("value", va)], loc).expect("one result");
                let e = self.append(q, eq, &[flag, c], &[i32t], &[], loc).expect("one result");
                let l = self.label_for(succs[k + 1])?;
                self.append(q, "wasm.br_if", &[l, e], &[], &[], loc);
            }
            return self.jump_label(succs[0], q, loc);
        }
        let (lo, hi) = (lo.unwrap_or(0), hi.unwrap_or(0));
        let span = (hi - lo + 1) as usize;
        let mut idx = flag;
        if lo != 0 {
            let (ct, sub) = if is64 { ("wasm.i64.const", "wasm.i64.sub") } else { ("wasm.i32.const", "wasm.i32.sub") };
            let la = self.ctx.int_attr(lo, ft);
            let c = self.append(q, ct, &[], &[ft], &[("value", la)], loc).expect("one result");
            idx = self.append(q, sub, &[flag, c], &[ft], &[], loc).expect("one result");
        }
        if is64 {
            // Out of range must not wrap into range: such flags become `span`, the default.
            let i64t = self.ctx.i64();
            let sa = self.ctx.int_attr(span as i128, i64t);
            let s64 = self.append(q, "wasm.i64.const", &[], &[i64t], &[("value", sa)], loc).expect("one result");
            let inr = self.append(q, "wasm.i64.lt_u", &[idx, s64], &[i32t], &[], loc).expect("one result");
            let w = self.append(q, "wasm.i32.wrap_i64", &[idx], &[i32t], &[], loc).expect("one result");
            let sa32 = self.ctx.int_attr(span as i128, i32t);
            let s32 = self.append(q, "wasm.i32.const", &[], &[i32t], &[("value", sa32)], loc).expect("one result");
            idx = self.append(q, "wasm.select", &[inr, w, s32], &[i32t], &[], loc).expect("one result");
        } else if ft != i32t {
            return Err("`cf.switch` on a flag that is neither i32 nor i64".into());
        }
        let default = self.label_for(succs[0])?;
        let mut table = vec![default; span];
        for (k, &v) in cases.iter().enumerate() {
            table[(v - lo) as usize] = self.label_for(succs[k + 1])?;
        }
        let mut operands = vec![idx];
        operands.extend(table);
        operands.push(default);
        self.append(q, "wasm.br_table", &operands, &[], &[], loc);
        Ok(())
    }

    /// A `wasm.block` nobody branches to is only its contents.
    fn dissolve_unlabelled_blocks(&mut self) -> Result<(), String> {
        for w in std::mem::take(&mut self.wrappers) {
            let Some(&r) = self.bref().regions(w).first() else { continue };
            let Some(e) = self.bref().first_block(r) else { continue };
            // Only a block that ends by falling out of itself can give way to its contents.
            let falls = self.bref().last_op(e).is_some_and(|t| self.name(t) == "wasm.yield");
            if !self.bref().block_args(e).is_empty() || !falls {
                continue;
            }
            while let Some(op) = self.bref().first_op(e) {
                self.b().detach_op(op);
                if self.name(op) == "wasm.yield" {
                    self.module.erase_op(OpRef { body: self.body, op }).map_err(|e| e.to_string())?;
                } else {
                    self.b().insert_op_before(op, w);
                }
            }
            self.module.erase_op(OpRef { body: self.body, op: w }).map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::pass::pipeline;
    use crate::pass::manager::{Instrumentation, run};
    use crate::{Context, ParseOptions, parse};

    /// Runs `passes` on `text`; the failure message, if any.
    fn failure(text: &str, passes: &str) -> Option<String> {
        let mut ctx = Context::new();
        let mut m = parse(&mut ctx, text, ParseOptions { allow_unregistered: true }).expect("parses");
        let p = pipeline::parse(passes).expect("pipeline");
        let instr = Instrumentation { verify_each: true, ..Default::default() };
        run(&mut ctx, &mut m, &p, &instr, &mut |_, _, _| {}).err().map(|(_, f)| f.message)
    }

    #[test]
    fn refuses_branches_it_does_not_know() {
        let text = "func.func @f(%c: i32) -> i32 {\n  \"toy.jump\"()[^next] : () -> ()\n^next:\n  func.return %c : i32\n}\n";
        let msg = failure(text, "module(func(structurize))").expect("refused");
        assert!(msg.contains("`toy.jump` branches between blocks"), "{msg}");
    }

    #[test]
    fn leaves_structured_functions_alone() {
        let text = "func.func @f(%c: i32) -> i32 {\n  %r = wasm.if %c : i32 {\n    wasm.yield %c : i32\n  } else {\n    wasm.yield %c : i32\n  }\n  func.return %r : i32\n}\n";
        assert_eq!(failure(text, "module(func(structurize))"), None);
    }
}
