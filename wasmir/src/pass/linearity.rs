//! `linearity-check`: enforces the `own` dialect's rules (docs/architecture/ownership.md).
//!
//! A function is cut into *nodes*: straight runs of ops that end at a block's terminator, at a
//! structured op (`wasm.block`, `wasm.loop`, `wasm.if`, `wasm.try_table`, whose regions become
//! nodes of their own) or at an op that may branch to a label (`wasm.br_if`). CFG blocks and
//! structured regions so become one graph, and one forward dataflow over it covers both, with no
//! recursion on nesting depth. The state of each owned value is the set of what it may be on the
//! paths reaching a point: not yet defined, live, consumed (a 3-bit set; join is union), plus the
//! op that consumed it, for messages. The dataflow runs to a fixpoint silently; then each reached
//! node is replayed once with its final state to report errors, and the paths named in
//! "not consumed" errors are found by searching the recorded edges.
use super::{Level, Pass, PassInfo, Statistics};
use crate::diag::Diagnostic;
use crate::ir::{Block, Body, Context, Module, Op, OpRef, OwnKind, Region, Value, ValueDef};
use cranelift_entity::SecondaryMap;
use rustc_hash::{FxHashMap, FxHashSet};
use smallvec::SmallVec;
use std::collections::VecDeque;

pub const INFO: PassInfo = PassInfo {
    name: "linearity-check",
    summary: "Checks that linear values are used exactly once on every path, affine ones at most once, and borrows only while their owner lives.",
    description: "An analysis of the `own` dialect: it never changes the IR. A value of type \
                  `!own.linear<T>` must be consumed exactly once on every path from its definition \
                  to a function exit (`func.return`, `wasm.return`, tail calls; a trap or a throw \
                  is exempt); one of type `!own.affine<T>` at most once. Consuming means \
                  `own.move`, `own.consume`, `own.drop`, or passing the value on: as a call \
                  argument, a returned value, a branch argument (`cf` successors, `wasm.br`, \
                  `wasm.br_if` when taken, `wasm.yield`) or a loop's initial value. Any other op \
                  that takes an owned value may duplicate it and is an error. A `!own.borrow<T>` \
                  made by `own.borrow` is valid only while its owner is not consumed. Component \
                  Model handles follow the same rules: an `!cm.own<@r>` is linear (consumed by \
                  `cm.resource.drop`, `cm.lower` or passing it on), a `cm.borrow` of it is valid \
                  while it lives, and a `!cm.borrow` (or a value holding one) may not be returned: \
                  a borrow ends with the call that lent it. The check \
                  is a forward dataflow over the CFG and the structured regions (loops included) \
                  to a fixpoint. Each error points at the value's definition and at the offending \
                  use or the exit, and names the path. Violations fail the pass with diagnostics \
                  (exit code 1; `--verify-diagnostics` matches them).",
    level: Level::Function,
    options: &[],
    create: |opts| {
        super::no_options("linearity-check", opts)?;
        Ok(Box::new(LinearityCheck::default()))
    },
};

#[derive(Default)]
struct LinearityCheck {
    found: Vec<Diagnostic>,
}

impl Pass for LinearityCheck {
    fn run(&mut self, ctx: &mut Context, module: &mut Module, func: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let Some(body_id) = module.body(func.body).inner_body(func.op) else { return Ok(false) };
        let body = module.body(body_id);
        let mut diags = escaping_borrows(ctx, body);
        if let Some(checker) = Checker::new(ctx, body) {
            stats.add("owned values checked", checker.vals.len() as u64);
            diags.extend(checker.run());
        }
        if diags.is_empty() {
            return Ok(false);
        }
        let n = diags.len();
        stats.add("ownership errors", n as u64);
        self.found.extend(diags);
        Err(format!("{n} ownership error(s)"))
    }

    fn take_diagnostics(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.found)
    }
}

/// A Component Model borrow ends with the call that lent it: a function returning one (or a
/// value holding one) would let it outlive the call. Found by the returns' operand types, so no
/// dataflow is needed.
fn escaping_borrows(ctx: &Context, body: &Body) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut regions: Vec<Region> = body.roots().to_vec();
    while let Some(r) = regions.pop() {
        for b in body.region_blocks(r) {
            for op in body.block_ops(b) {
                if body.inner_body(op).is_none() {
                    regions.extend_from_slice(body.regions(op));
                }
                if !matches!(ctx.op_name(body.opcode(op)), "func.return" | "wasm.return") {
                    continue;
                }
                for v in body.operands(op) {
                    let t = body.value_type(v);
                    if ctx.cm_parts(t).is_some() && crate::dialect::cm::has_borrow(ctx, t) {
                        let ty = crate::text::printer::type_to_string(ctx, t);
                        let mut d = Diagnostic::error(body.op_span(op), format!("a borrowed handle ({ty}) escapes the function"));
                        d.with_label(body.value_span(v), "the borrow");
                        d.with_help("a `!cm.borrow` is valid only during the call that lent it: return an owning handle instead");
                        out.push(d);
                    }
                }
            }
        }
    }
    out
}

const UNDEF: u8 = 1;
const LIVE: u8 = 2;
const CONSUMED: u8 = 4;

/// What one owned value may be at a point: a set of `UNDEF`, `LIVE`, `CONSUMED`, and an op that
/// consumed it on some path.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Cell {
    flags: u8,
    by: Option<Op>,
}

type State = Vec<Cell>;

/// What a node is, for naming paths.
#[derive(Clone, Copy)]
enum NodeKind {
    Block(Block),
    /// Region `usize` of a structured op.
    Region(Op, usize),
    /// The ops after a structured or branching op (not named in paths).
    After,
}

struct Node {
    start: Option<Op>,
    /// Owned values (indices) defined on entry: block arguments, a structured op's results.
    defs: SmallVec<[u32; 2]>,
    kind: NodeKind,
}

/// An edge taken in the reporting replay, with the values live along it.
struct EdgeRec {
    from: u32,
    to: u32,
    via: Option<Op>,
    live: Vec<u64>,
}

enum Leak {
    /// Live at the exit `exit` of node `node`.
    Exit { v: u32, node: u32, exit: Op },
    /// Live when its definition in `node` runs again.
    Again { v: u32, node: u32 },
}

/// What the replay collects; the silent fixpoint runs with `on == false`.
#[derive(Default)]
struct Report {
    on: bool,
    diags: Vec<Diagnostic>,
    leaks: Vec<Leak>,
    again_seen: FxHashSet<u32>,
    /// Borrows made of an already consumed owner: reported once, where they are made.
    poisoned: FxHashSet<Value>,
}

/// How an op treats its owned operands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OperandUse {
    /// Takes ownership (a move, a call argument, a returned or branched value).
    Consume,
    /// Looks at the owner without consuming it (`own.borrow`).
    Borrow,
    /// Handled on the op's edges (`wasm.br_if`'s values, passed only when it branches).
    OnEdge,
    /// May copy it: an error for an owned value.
    Capture,
}

struct Checker<'a> {
    ctx: &'a Context,
    body: &'a Body,
    /// Index + 1 of each owned (linear or affine) value; 0 for the others.
    index: SecondaryMap<Value, u32>,
    vals: Vec<Value>,
    kinds: Vec<OwnKind>,
    /// The owner of each borrow made by `own.borrow`.
    owner_of: FxHashMap<Value, Value>,
    nodes: Vec<Node>,
    terminal: Vec<Option<Op>>,
    block_node: FxHashMap<Block, u32>,
    region_node: FxHashMap<Region, u32>,
    /// The node after a structured op (its results are defined there) or a branching op.
    cont: FxHashMap<Op, u32>,
    node_of_op: SecondaryMap<Op, u32>,
    entry: u32,
}

impl<'a> Checker<'a> {
    /// Builds the node graph; `None` when the function has no owned value (nothing to check).
    fn new(ctx: &'a Context, body: &'a Body) -> Option<Self> {
        let root = *body.roots().first()?;
        let first = body.first_block(root)?;
        let mut c = Checker {
            ctx,
            body,
            index: SecondaryMap::new(),
            vals: Vec::new(),
            kinds: Vec::new(),
            owner_of: FxHashMap::default(),
            nodes: Vec::new(),
            terminal: Vec::new(),
            block_node: FxHashMap::default(),
            region_node: FxHashMap::default(),
            cont: FxHashMap::default(),
            node_of_op: SecondaryMap::with_default(u32::MAX),
            entry: 0,
        };
        // Every owned value, without recursion on region nesting.
        let mut regions: Vec<Region> = body.roots().to_vec();
        while let Some(r) = regions.pop() {
            for b in body.region_blocks(r) {
                for &a in body.block_args(b) {
                    c.track(a);
                }
                for op in body.block_ops(b) {
                    for v in body.results(op) {
                        c.track(v);
                    }
                    // Borrows and their owners (the verifier has checked the owner's type).
                    if matches!(c.name(op), "own.borrow" | "cm.borrow") && body.num_operands(op) == 1 && body.num_results(op) == 1 {
                        c.owner_of.insert(body.result(op, 0), body.operand(op, 0));
                    }
                    if body.inner_body(op).is_none() {
                        regions.extend_from_slice(body.regions(op));
                    }
                }
            }
        }
        if c.vals.is_empty() {
            return None;
        }
        // The nodes: each CFG block starts one; scanning a node makes the nodes it leads to.
        let mut scan: Vec<u32> = Vec::new();
        for b in body.region_blocks(root) {
            let defs = c.owned(body.block_args(b));
            let n = c.add_node(body.first_op(b), defs, NodeKind::Block(b));
            c.block_node.insert(b, n);
            scan.push(n);
        }
        c.entry = c.block_node[&first];
        while let Some(n) = scan.pop() {
            let mut cur = c.nodes[n as usize].start;
            while let Some(op) = cur {
                c.node_of_op[op] = n;
                if c.is_structured(op) {
                    c.terminal[n as usize] = Some(op);
                    let results: Vec<Value> = body.results(op).collect();
                    let after = c.add_node(body.next_op(op), c.owned(&results), NodeKind::After);
                    c.cont.insert(op, after);
                    scan.push(after);
                    for (i, &r) in body.regions(op).iter().enumerate() {
                        let Some(e) = body.first_block(r) else { continue };
                        let defs = c.owned(body.block_args(e));
                        let rn = c.add_node(body.first_op(e), defs, NodeKind::Region(op, i));
                        c.region_node.insert(r, rn);
                        scan.push(rn);
                    }
                    break;
                }
                if c.is_terminator(op) {
                    c.terminal[n as usize] = Some(op);
                    break;
                }
                if c.has_label_operand(op) {
                    // `wasm.br_if` and the `br_on_*` ops: they may leave here for a label.
                    c.terminal[n as usize] = Some(op);
                    let after = c.add_node(body.next_op(op), SmallVec::new(), NodeKind::After);
                    c.cont.insert(op, after);
                    scan.push(after);
                    break;
                }
                if body.next_op(op).is_none() {
                    c.terminal[n as usize] = Some(op);
                }
                cur = body.next_op(op);
            }
        }
        Some(c)
    }

    fn track(&mut self, v: Value) {
        if let Some(kind @ (OwnKind::Linear | OwnKind::Affine)) = self.ctx.linearity(self.body.value_type(v)) {
            self.vals.push(v);
            self.kinds.push(kind);
            self.index[v] = self.vals.len() as u32;
        }
    }

    fn idx(&self, v: Value) -> Option<u32> {
        match self.index.get(v).copied().unwrap_or(0) {
            0 => None,
            i => Some(i - 1),
        }
    }

    fn owned(&self, vs: &[Value]) -> SmallVec<[u32; 2]> {
        vs.iter().filter_map(|&v| self.idx(v)).collect()
    }

    fn add_node(&mut self, start: Option<Op>, defs: SmallVec<[u32; 2]>, kind: NodeKind) -> u32 {
        self.nodes.push(Node { start, defs, kind });
        self.terminal.push(None);
        (self.nodes.len() - 1) as u32
    }

    fn name(&self, op: Op) -> &'a str {
        self.ctx.op_name(self.body.opcode(op))
    }

    fn is_structured(&self, op: Op) -> bool {
        self.body.inner_body(op).is_none() && !self.body.regions(op).is_empty()
    }

    fn is_terminator(&self, op: Op) -> bool {
        self.ctx.op_def(self.body.opcode(op)).is_some_and(|d| d.has(crate::dialect::Traits::TERMINATOR))
    }

    fn has_label_operand(&self, op: Op) -> bool {
        let label = self.ctx.label_type();
        self.body.operands(op).any(|v| self.body.value_type(v) == label)
    }

    /// The node a branch to `label` goes to: a loop's body, or what follows a block or if.
    fn label_target(&self, label: Value) -> Option<u32> {
        let (op, is_loop, _) = crate::dialect::wasm_control::label_target(self.ctx, self.body, label)?;
        if is_loop {
            let ValueDef::Arg(b, _) = self.body.value_def(label) else { return None };
            self.region_node.get(&self.body.region_of(b)?).copied()
        } else {
            self.cont.get(&op).copied()
        }
    }

    fn operand_use(&self, op: Op) -> OperandUse {
        match self.name(op) {
            "own.move" | "own.consume" | "own.drop" | "func.call" | "func.return" | "wasm.call_indirect" | "wasm.call_ref"
            | "wasm.return" | "wasm.return_call" | "wasm.return_call_indirect" | "wasm.return_call_ref" | "wasm.yield" | "wasm.br"
            | "wasm.br_table" | "wasm.throw" | "wasm.loop" | "cm.resource.drop" | "cm.lower" => OperandUse::Consume,
            "own.borrow" | "cm.borrow" => OperandUse::Borrow,
            "wasm.br_if" => OperandUse::OnEdge,
            _ => OperandUse::Capture,
        }
    }

    fn is_exit(&self, op: Op) -> bool {
        matches!(self.name(op), "func.return" | "wasm.return" | "wasm.return_call" | "wasm.return_call_indirect" | "wasm.return_call_ref")
    }

    // ---------------- the dataflow ----------------

    fn run(&self) -> Vec<Diagnostic> {
        let n = self.nodes.len();
        let nv = self.vals.len();
        let mut input: Vec<Option<State>> = vec![None; n];
        input[self.entry as usize] = Some(vec![Cell { flags: UNDEF, by: None }; nv]);
        let mut queue: VecDeque<u32> = VecDeque::from([self.entry]);
        let mut queued = vec![false; n];
        queued[self.entry as usize] = true;
        let mut silent = Report::default();
        // Nodes in the order they are first reached: a node's dominators come before it, so the
        // replay sees a borrow made before its uses.
        let mut order: Vec<u32> = vec![self.entry];
        while let Some(node) = queue.pop_front() {
            queued[node as usize] = false;
            let Some(st) = input[node as usize].clone() else { continue };
            for (to, out, _) in self.transfer(node, st, &mut silent) {
                let changed = match &mut input[to as usize] {
                    slot @ None => {
                        *slot = Some(out);
                        order.push(to);
                        true
                    }
                    Some(cur) => join(cur, &out),
                };
                if changed && !queued[to as usize] {
                    queued[to as usize] = true;
                    queue.push_back(to);
                }
            }
        }
        // Replay each reached node once with its final state, reporting.
        let mut rep = Report { on: true, ..Report::default() };
        let mut edges: Vec<EdgeRec> = Vec::new();
        for node in order {
            let Some(st) = input[node as usize].clone() else { continue };
            for (to, out, via) in self.transfer(node, st, &mut rep) {
                let mut live = vec![0u64; nv.div_ceil(64)];
                for (i, c) in out.iter().enumerate() {
                    if c.flags & LIVE != 0 {
                        live[i / 64] |= 1 << (i % 64);
                    }
                }
                edges.push(EdgeRec { from: node, to, via, live });
            }
        }
        let mut diags = rep.diags;
        for leak in &rep.leaks {
            diags.push(self.leak_diag(leak, &edges));
        }
        diags.sort_by_key(|d| d.span.map_or(u32::MAX, |s| s.start));
        diags
    }

    /// Runs node `n` from state `st`; returns the edges taken with their states and the op
    /// that takes each.
    fn transfer(&self, n: u32, mut st: State, rep: &mut Report) -> Vec<(u32, State, Option<Op>)> {
        let body = self.body;
        let node = &self.nodes[n as usize];
        for &i in &node.defs {
            self.define(i, n, &mut st, rep);
        }
        let terminal = self.terminal[n as usize];
        let mut cur = node.start;
        while let Some(op) = cur {
            if Some(op) == terminal {
                break;
            }
            self.apply(op, n, &mut st, rep);
            cur = body.next_op(op);
        }
        let Some(op) = terminal else { return Vec::new() };
        let mut out = Vec::new();
        if self.is_structured(op) {
            self.apply_operands(op, &mut st, rep);
            let regions = body.regions(op);
            for r in regions {
                if let Some(&rn) = self.region_node.get(r) {
                    out.push((rn, st.clone(), Some(op)));
                }
            }
            // An `if` without else falls through when the condition is zero.
            if self.name(op) == "wasm.if" && regions.len() == 1 {
                if let Some(&c) = self.cont.get(&op) {
                    out.push((c, st.clone(), Some(op)));
                }
            }
            return out;
        }
        if !self.is_terminator(op) && self.has_label_operand(op) {
            // Taken: `wasm.br_if` passes its values; not taken, they stay with us.
            let mut taken = st.clone();
            let operands: Vec<Value> = body.operands(op).collect();
            if self.name(op) == "wasm.br_if" {
                let mut seen = SmallVec::new();
                for &v in operands.iter().skip(2) {
                    if let Some(i) = self.idx(v) {
                        self.consume(i, op, &mut taken, &mut seen, rep);
                    }
                }
                for &v in operands.iter().skip(2) {
                    self.check_borrow(v, op, &taken, rep);
                }
            }
            self.apply(op, n, &mut st, rep);
            let label = self.ctx.label_type();
            for &l in operands.iter().filter(|&&v| body.value_type(v) == label) {
                if let Some(t) = self.label_target(l) {
                    out.push((t, taken.clone(), Some(op)));
                }
            }
            if let Some(&c) = self.cont.get(&op) {
                out.push((c, st, Some(op)));
            }
            return out;
        }
        // A terminator (or the last op of a region that needs none).
        self.apply(op, n, &mut st, rep);
        let name = self.name(op);
        if self.is_exit(op) {
            if rep.on {
                for (i, c) in st.iter().enumerate() {
                    if c.flags & LIVE != 0 && self.kinds[i] == OwnKind::Linear {
                        rep.leaks.push(Leak::Exit { v: i as u32, node: n, exit: op });
                    }
                }
            }
            return out;
        }
        for &s in body.successors(op) {
            let mut es = st.clone();
            let args: Vec<Value> = body.succ_args(s).collect();
            let mut seen = SmallVec::new();
            for &v in &args {
                if let Some(i) = self.idx(v) {
                    self.consume(i, op, &mut es, &mut seen, rep);
                }
            }
            for &v in &args {
                self.check_borrow(v, op, &es, rep);
            }
            if let Some(&t) = self.block_node.get(&body.succ_block(s)) {
                out.push((t, es, Some(op)));
            }
        }
        match name {
            "wasm.br" | "wasm.br_table" => {
                let label = self.ctx.label_type();
                for l in body.operands(op).filter(|&v| body.value_type(v) == label) {
                    if let Some(t) = self.label_target(l) {
                        out.push((t, st.clone(), Some(op)));
                    }
                }
            }
            // A throw inside a `wasm.try_table` goes to its catch clauses' labels, with what
            // the throw passed consumed. (Calls that throw are not modelled.)
            "wasm.throw" | "wasm.throw_ref" => {
                let mut cur = body.parent_op(op);
                while let Some(p) = cur {
                    if self.name(p) == "wasm.try_table" {
                        let label = self.ctx.label_type();
                        for l in body.operands(p).filter(|&v| body.value_type(v) == label) {
                            if let Some(t) = self.label_target(l) {
                                out.push((t, st.clone(), Some(op)));
                            }
                        }
                        break;
                    }
                    cur = body.parent_op(p);
                }
            }
            "wasm.yield" => {
                if let Some(t) = body.parent_op(op).and_then(|p| self.cont.get(&p)) {
                    out.push((*t, st, Some(op)));
                }
            }
            _ => {}
        }
        out
    }

    /// An op in the middle of a node: its operands, then its results.
    fn apply(&self, op: Op, n: u32, st: &mut State, rep: &mut Report) {
        self.apply_operands(op, st, rep);
        if self.is_structured(op) {
            return; // its results are defined where it is left
        }
        for v in self.body.results(op) {
            if let Some(i) = self.idx(v) {
                self.define(i, n, st, rep);
            }
        }
    }

    fn apply_operands(&self, op: Op, st: &mut State, rep: &mut Report) {
        let how = self.operand_use(op);
        let mut seen: SmallVec<[u32; 4]> = SmallVec::new();
        for v in self.body.operands(op) {
            let Some(i) = self.idx(v) else { continue };
            match how {
                OperandUse::Consume => self.consume(i, op, st, &mut seen, rep),
                OperandUse::Borrow => {
                    if self.borrow(i, op, st, rep) {
                        rep.poisoned.extend(self.body.results(op));
                    }
                }
                OperandUse::OnEdge => {}
                OperandUse::Capture => {
                    if rep.on {
                        let what = self.describe(i);
                        let name = self.name(op);
                        let mut d = Diagnostic::error(self.body.op_span(op), format!("{what} captured by `{name}`, an op that may duplicate it"));
                        d.with_label(self.body.value_span(v), "defined here").with_help(
                            "only ownership-aware ops may take an owned value: `own.*`, calls, returns and branches; unwrap it with `own.consume` first",
                        );
                        rep.diags.push(d);
                    }
                    // Counted as consumed, so one mistake gives one error.
                    st[i as usize] = Cell { flags: CONSUMED, by: Some(op) };
                }
            }
        }
        for v in self.body.operands(op) {
            self.check_borrow(v, op, st, rep);
        }
    }

    /// `v` (index `i`) gets a new value; a linear one still live from an earlier run of this
    /// definition was never consumed on the way around.
    fn define(&self, i: u32, n: u32, st: &mut State, rep: &mut Report) {
        let c = &mut st[i as usize];
        if rep.on && c.flags & LIVE != 0 && self.kinds[i as usize] == OwnKind::Linear && rep.again_seen.insert(i) {
            rep.leaks.push(Leak::Again { v: i, node: n });
        }
        *c = Cell { flags: LIVE, by: None };
    }

    fn consume(&self, i: u32, at: Op, st: &mut State, seen: &mut SmallVec<[u32; 4]>, rep: &mut Report) {
        let c = st[i as usize];
        if rep.on && c.flags & CONSUMED != 0 {
            let here = seen.contains(&i);
            let prior = if here { Some(at) } else { c.by };
            self.conflict(i, at, prior, here, c.flags & LIVE != 0, rep);
        }
        seen.push(i);
        st[i as usize] = Cell { flags: CONSUMED, by: Some(at) };
    }

    /// `own.borrow` of `i`; whether its owner was already consumed (reported).
    fn borrow(&self, i: u32, at: Op, st: &State, rep: &mut Report) -> bool {
        let c = st[i as usize];
        let bad = c.flags & CONSUMED != 0;
        if rep.on && bad {
            let what = self.describe(i);
            let mut d = Diagnostic::error(self.body.op_span(at), format!("borrow after consume: {what} is already consumed"));
            d.with_label(self.body.value_span(self.vals[i as usize]), "defined here");
            d.with_label(c.by.and_then(|o| self.body.op_span(o)), "consumed here");
            d.with_help("borrow the value before it is consumed");
            rep.diags.push(d);
        }
        bad
    }

    /// A use of a borrow made by `own.borrow` needs its owner unconsumed.
    fn check_borrow(&self, b: Value, at: Op, st: &State, rep: &mut Report) {
        if !rep.on || rep.poisoned.contains(&b) {
            return;
        }
        let Some(&owner) = self.owner_of.get(&b) else { return };
        let Some(i) = self.idx(owner) else { return };
        let c = st[i as usize];
        if c.flags & CONSUMED != 0 {
            let mut d = Diagnostic::error(self.body.op_span(at), "borrow used after its owner was consumed");
            d.with_label(self.body.value_span(b), "borrowed here");
            d.with_label(c.by.and_then(|o| self.body.op_span(o)), "owner consumed here");
            d.with_help("a borrow is valid only while its owner is live: use it before the owner is consumed");
            rep.diags.push(d);
        }
    }

    /// A second consumption of `i` at `at`; `prior` consumed it first.
    fn conflict(&self, i: u32, at: Op, prior: Option<Op>, here: bool, maybe: bool, rep: &mut Report) {
        let body = self.body;
        let v = self.vals[i as usize];
        let what = self.describe(i);
        let in_loop = if here { None } else { self.repeating_loop(v, at, prior) };
        let mut d;
        if let Some(l) = in_loop {
            d = Diagnostic::error(body.op_span(at), format!("{what} consumed in a loop"));
            d.with_label(body.value_span(v), "defined outside the loop here");
            if let Some(l) = l {
                d.with_label(body.op_span(l), "the loop repeats here");
            }
            d.with_help("every iteration would consume it again: consume it after the loop, or pass it through the loop as a loop parameter");
        } else if prior.is_some_and(|p| self.name(p) == "own.move") {
            d = Diagnostic::error(body.op_span(at), format!("use after move: {what} was moved"));
            d.with_label(body.value_span(v), "defined here");
            d.with_label(prior.and_then(|p| body.op_span(p)), "moved here");
            d.with_help("use the result of `own.move` instead");
        } else {
            d = Diagnostic::error(body.op_span(at), format!("{what} used twice"));
            d.with_label(body.value_span(v), "defined here");
            if !here {
                d.with_label(prior.and_then(|p| body.op_span(p)), "first used here");
            }
            d.with_help(match self.kinds[i as usize] {
                OwnKind::Affine => "an affine value may be used at most once",
                _ if self.is_handle(i) => "an owning handle is dropped, lowered or passed on exactly once",
                _ => "a linear value must be used exactly once",
            });
        }
        if maybe && in_loop.is_none() {
            d.with_help("it is already consumed on some of the paths that reach this use");
        }
        rep.diags.push(d);
    }

    /// Whether the second consumption comes from going around a loop: the innermost `wasm.loop`
    /// around `at` that holds the first consumption but not the definition (`Some(Some(loop))`),
    /// or a CFG cycle back to the same op (`Some(None)`).
    fn repeating_loop(&self, v: Value, at: Op, prior: Option<Op>) -> Option<Option<Op>> {
        let body = self.body;
        let mut cur = body.parent_op(at);
        while let Some(l) = cur {
            if self.name(l) == "wasm.loop" && !self.defined_inside(v, l) && prior.is_some_and(|p| self.inside(p, l)) {
                return Some(Some(l));
            }
            cur = body.parent_op(l);
        }
        (prior == Some(at)).then_some(None)
    }

    /// Whether `op` is nested in one of `l`'s regions.
    fn inside(&self, op: Op, l: Op) -> bool {
        let mut cur = self.body.parent_op(op);
        while let Some(p) = cur {
            if p == l {
                return true;
            }
            cur = self.body.parent_op(p);
        }
        false
    }

    fn defined_inside(&self, v: Value, l: Op) -> bool {
        match self.body.value_def(v) {
            ValueDef::Result(op, _) => self.inside(op, l),
            ValueDef::Arg(b, _) => match self.body.region_of(b).and_then(|r| self.body.region_parent(r)) {
                Some(p) => p == l || self.inside(p, l),
                None => false,
            },
            ValueDef::Placeholder => false,
        }
    }

    /// Whether owned value `i` is a Component Model resource handle.
    fn is_handle(&self, i: u32) -> bool {
        self.ctx.cm_parts(self.body.value_type(self.vals[i as usize])).is_some()
    }

    /// "linear value `%x`".
    fn describe(&self, i: u32) -> String {
        let t = self.body.value_type(self.vals[i as usize]);
        let kind = match self.kinds[i as usize] {
            OwnKind::Affine => "affine value",
            _ if self.ctx.cm_parts(t).is_some() => "owning resource handle",
            _ => "linear value",
        };
        let v = self.vals[i as usize];
        let mut text = match self.body.value_name(v) {
            Some(n) => format!("{kind} `%{}`", self.ctx.str(n)),
            None => kind.to_string(),
        };
        // A frontend's location (`loc("lib.rs":12:5)`) says where the value is in the source.
        if let ValueDef::Result(op, _) = self.body.value_def(v)
            && let Some(at) = self.ctx.source_position(self.body.op(op).loc)
        {
            text.push_str(&format!(" (made at {at})"));
        }
        text
    }

    // ---------------- paths ----------------

    /// The node where `v` is defined.
    fn def_node(&self, v: Value) -> Option<u32> {
        match self.body.value_def(v) {
            ValueDef::Result(op, _) if self.is_structured(op) => self.cont.get(&op).copied(),
            ValueDef::Result(op, _) => Some(self.node_of_op[op]).filter(|&n| n != u32::MAX),
            ValueDef::Arg(b, _) => {
                let r = self.body.region_of(b)?;
                self.block_node.get(&b).or_else(|| self.region_node.get(&r)).copied()
            }
            ValueDef::Placeholder => None,
        }
    }

    fn leak_diag(&self, leak: &Leak, edges: &[EdgeRec]) -> Diagnostic {
        let body = self.body;
        let (i, node) = match *leak {
            Leak::Exit { v, node, .. } | Leak::Again { v, node } => (v, node),
        };
        let v = self.vals[i as usize];
        let what = self.describe(i);
        let def = self.def_node(v).unwrap_or(node);
        let live = |e: &EdgeRec| e.live[i as usize / 64] & (1 << (i % 64)) != 0;
        let mut d;
        match *leak {
            Leak::Exit { exit, .. } => {
                let mut path = self.entry_path(def, edges);
                path.extend(self.live_path(def, &[node], edges, &live).into_iter().skip(1));
                let names = self.path_names(&path);
                let exit_name = self.name(exit);
                d = Diagnostic::error(body.value_span(v), format!("{what} not consumed on the path {names} → {exit_name}"));
                d.with_label(body.op_span(exit), "the path leaves the function here");
                d.with_help(if self.is_handle(i) {
                    "consume it on this path: `cm.resource.drop`, `cm.lower`, or pass it on (a call, a branch, a return)"
                } else {
                    "consume it on this path: `own.consume`, `own.drop`, or pass it on (a call, a branch, a return)"
                });
            }
            Leak::Again { .. } => {
                // Around a cycle: from the definition to a node that branches back to it.
                let back: Vec<&EdgeRec> = edges.iter().filter(|e| e.to == def && live(e)).collect();
                let starts: Vec<u32> = back.iter().map(|e| e.from).collect();
                let mut path = self.entry_path(def, edges);
                let around = self.live_path(def, &starts, edges, &live);
                let last = around.last().copied();
                path.extend(around.into_iter().skip(1));
                path.push(def);
                let names = self.path_names(&path);
                d = Diagnostic::error(body.value_span(v), format!("{what} not consumed on the path {names}, which reaches its definition again"));
                let via = back.iter().find(|e| Some(e.from) == last).and_then(|e| e.via);
                d.with_label(via.and_then(|o| body.op_span(o)), "this branch goes back to the definition");
                d.with_help("consume it before the loop repeats, or pass it to the next iteration as a loop parameter");
            }
        }
        d
    }

    /// The shortest path from the function's entry to `to` (both included).
    fn entry_path(&self, to: u32, edges: &[EdgeRec]) -> Vec<u32> {
        self.live_path(self.entry, &[to], edges, &|_| true)
    }

    /// A shortest path from `from` to one of `ends` along edges on which the value is live
    /// (`from` first; just `[from]` when `from` is one of `ends` or no such path is found).
    fn live_path(&self, from: u32, ends: &[u32], edges: &[EdgeRec], live: &dyn Fn(&EdgeRec) -> bool) -> Vec<u32> {
        if ends.contains(&from) {
            return vec![from];
        }
        let n = self.nodes.len();
        let mut succ: Vec<Vec<u32>> = vec![Vec::new(); n];
        for e in edges.iter().filter(|e| live(e)) {
            succ[e.from as usize].push(e.to);
        }
        let mut parent = vec![u32::MAX; n];
        let mut seen = vec![false; n];
        seen[from as usize] = true;
        let mut q = VecDeque::from([from]);
        let mut found = None;
        while let Some(x) = q.pop_front() {
            if ends.contains(&x) {
                found = Some(x);
                break;
            }
            for &y in &succ[x as usize] {
                if !seen[y as usize] {
                    seen[y as usize] = true;
                    parent[y as usize] = x;
                    q.push_back(y);
                }
            }
        }
        let Some(mut cur) = found else { return vec![from] };
        let mut path = vec![cur];
        while parent[cur as usize] != u32::MAX {
            cur = parent[cur as usize];
            path.push(cur);
        }
        path.reverse();
        path
    }

    /// `^bb0 → wasm.if then → ^exit`: blocks by name, structured regions by op and role.
    fn path_names(&self, path: &[u32]) -> String {
        let mut parts: Vec<String> = Vec::new();
        for (k, &n) in path.iter().enumerate() {
            // An `if` without else that is skipped: name it, or the path would hide it.
            if let (Some(&prev), NodeKind::After) = (k.checked_sub(1).and_then(|p| path.get(p)), self.nodes[n as usize].kind) {
                if let Some(op) = self.terminal[prev as usize] {
                    if self.name(op) == "wasm.if" && self.body.regions(op).len() == 1 && self.cont.get(&op) == Some(&n) {
                        parts.push("wasm.if (condition false)".to_string());
                    }
                }
            }
            let s = match self.nodes[n as usize].kind {
                NodeKind::Block(b) => self.block_label(b),
                NodeKind::Region(op, i) => {
                    let name = self.name(op);
                    let role = match (name, i) {
                        ("wasm.if", 0) => "then",
                        ("wasm.if", _) => "else",
                        _ => "body",
                    };
                    format!("{name} {role}")
                }
                NodeKind::After => continue,
            };
            parts.push(s);
        }
        parts.join(" → ")
    }

    fn block_label(&self, b: Block) -> String {
        if let Some(n) = self.body.block_name(b) {
            return format!("^{}", self.ctx.str(n));
        }
        // Unnamed blocks print as `^bbN`, numbered in their region.
        let idx = self.body.region_of(b).map_or(0, |r| self.body.region_blocks(r).position(|x| x == b).unwrap_or(0));
        format!("^bb{idx}")
    }
}

/// `cur ⊔= other`; whether `cur` changed.
fn join(cur: &mut State, other: &State) -> bool {
    let mut changed = false;
    for (c, o) in cur.iter_mut().zip(other) {
        let flags = c.flags | o.flags;
        if flags != c.flags {
            c.flags = flags;
            changed = true;
        }
        if c.by.is_none() && o.by.is_some() {
            c.by = o.by;
            changed = true;
        }
    }
    changed
}
