//! The effects of functions: the module analysis, `infer-effects` (records them) and
//! `effect-check` (checks them against what functions declare). `dce` and `cse` use the analysis
//! to remove and merge calls.
//!
//! A function's effects are the union of its ops' effects (see [`crate::effects`]) and of its
//! callees' effects. They are computed bottom-up over the call graph by a worklist that runs to
//! a fixpoint, so recursion needs no special case; sets only grow and have 14 bits, so each
//! function is re-evaluated at most 14 times after its first visit, and the whole takes time
//! linear in the module.
use super::walk::{Event, Walker};
use super::{Level, Pass, PassInfo, Statistics};
use crate::diag::Diagnostic;
use crate::effects::{Effects, op_effects};
use crate::ir::{AttrData, BodyId, Context, Ident, Module, Op, OpRef};
use cranelift_entity::{PrimaryMap, SecondaryMap, entity_impl};
use rustc_hash::FxHashMap;
use std::collections::VecDeque;

/// A function of the module, in the analysis.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncId(u32);
entity_impl!(FuncId, "fn");

/// An op of a function that has effects of its own or calls a function of the module.
struct Site {
    op: Op,
    /// The op's own effects.
    own: Effects,
    callee: Option<FuncId>,
}

/// What the analysis knows about one function.
pub struct FuncInfo {
    /// The `func.func` op.
    pub op: OpRef,
    pub name: Ident,
    /// The body; `None` for a declaration (an import).
    pub body: Option<BodyId>,
    /// The `effects` the function declares, if any.
    pub declared: Option<Effects>,
    /// The effects of the function: its ops and everything it calls.
    pub effects: Effects,
    /// The function certainly returns or traps when called: no loop, no CFG cycle, no
    /// recursion, and every callee terminates too. A call to a function with no effects may only
    /// be removed when it terminates, or removing it would turn a hang into a return.
    pub terminates: bool,
    sites: Vec<Site>,
}

/// The effects of every function of a module.
pub struct Summary {
    pub funcs: PrimaryMap<FuncId, FuncInfo>,
    by_name: FxHashMap<Ident, FuncId>,
}

/// The function a call names, if it is a top-level function of the module.
fn callee_symbol(ctx: &Context, attrs: crate::ir::Attr) -> Option<Ident> {
    match ctx.dict_get(attrs, "callee").map(|a| ctx.attr_data(a)) {
        Some(AttrData::SymbolRef(path)) if path.len() == 1 => Some(path[0]),
        _ => None,
    }
}

/// Whether an op is a direct call (its callee is added by the analysis).
fn is_direct_call(name: &str) -> bool {
    matches!(name, "func.call" | "wasm.return_call")
}

impl Summary {
    /// Analyses every top-level function of `module`.
    pub fn compute(ctx: &Context, module: &Module) -> Summary {
        let mut funcs: PrimaryMap<FuncId, FuncInfo> = PrimaryMap::new();
        let mut by_name = FxHashMap::default();
        if let Some((mbody, block)) = module.module_block() {
            let b = module.body(mbody);
            for op in b.block_ops(block) {
                if ctx.op_name(b.opcode(op)) != "func.func" {
                    continue;
                }
                let attrs = b.op(op).attrs;
                let Some(AttrData::String(name)) = ctx.dict_get(attrs, "sym_name").map(|a| ctx.attr_data(a)) else { continue };
                // A declaration that does not verify counts as declaring nothing.
                let declared = ctx.dict_get(attrs, "effects").and_then(|a| Effects::from_attr(ctx, a).ok());
                let info = FuncInfo {
                    op: OpRef { body: mbody, op },
                    name: *name,
                    // A declaration has a body with an empty region.
                    body: b.inner_body(op).filter(|&ib| module.body(ib).roots().iter().any(|&r| module.body(ib).first_block(r).is_some())),
                    declared,
                    effects: Effects::NONE,
                    terminates: false,
                    sites: Vec::new(),
                };
                let id = funcs.push(info);
                by_name.insert(*name, id);
            }
        }
        let mut s = Summary { funcs, by_name };
        s.scan_bodies(ctx, module);
        s.solve();
        s
    }

    /// Finds each function's own effects and calls, and whether it certainly returns.
    fn scan_bodies(&mut self, ctx: &Context, module: &Module) {
        // Whether a function contains a loop or a CFG region of more than one block.
        let mut loops: SecondaryMap<FuncId, bool> = SecondaryMap::new();
        let ids: Vec<FuncId> = self.funcs.keys().collect();
        for f in ids {
            let Some(body) = self.funcs[f].body else {
                // Defined outside the module (by the host): trusted when it declares its
                // effects, anything otherwise.
                let info = &mut self.funcs[f];
                info.effects = info.declared.unwrap_or(Effects::HOST_CALL | Effects::UNKNOWN);
                info.terminates = info.declared.is_some_and(|d| !d.contains(Effects::UNKNOWN));
                continue;
            };
            let b = module.body(body);
            let mut own = Effects::NONE;
            let mut sites = Vec::new();
            let mut w = Walker::new(b.roots());
            while let Some(e) = w.next(b) {
                let op = match e {
                    Event::Enter(op) => op,
                    Event::EnterBlock(blk) => {
                        // A region with several blocks is a CFG, which may loop.
                        loops[f] |= b.next_block(blk).is_some();
                        continue;
                    }
                    _ => continue,
                };
                let code = b.opcode(op);
                let name = ctx.op_name(code);
                loops[f] |= name == "wasm.loop";
                // Ops of unregistered dialects may do anything.
                let mut e = ctx.op_def(code).map_or(Effects::UNKNOWN, op_effects);
                let mut callee = None;
                if is_direct_call(name) {
                    callee = callee_symbol(ctx, b.op(op).attrs).and_then(|n| self.by_name.get(&n).copied());
                    if callee.is_none() {
                        e |= Effects::UNKNOWN;
                    }
                }
                if !e.is_empty() || callee.is_some() {
                    own |= e;
                    sites.push(Site { op, own: e, callee });
                }
            }
            self.funcs[f].effects = own;
            self.funcs[f].sites = sites;
        }
        loops_into_terminates(self, &loops);
    }

    /// The fixpoint: each function's effects include its callees'.
    fn solve(&mut self) {
        let callers = self.callers();
        let mut queue: VecDeque<FuncId> = self.funcs.keys().collect();
        let mut queued: SecondaryMap<FuncId, bool> = SecondaryMap::new();
        for f in self.funcs.keys() {
            queued[f] = true;
        }
        while let Some(f) = queue.pop_front() {
            queued[f] = false;
            let mut e = self.funcs[f].effects;
            for s in &self.funcs[f].sites {
                if let Some(c) = s.callee {
                    e |= self.funcs[c].effects;
                }
            }
            if e != self.funcs[f].effects {
                self.funcs[f].effects = e;
                for &g in &callers[f] {
                    if !queued[g] {
                        queued[g] = true;
                        queue.push_back(g);
                    }
                }
            }
        }
    }

    /// Each function's callers, each once.
    fn callers(&self) -> SecondaryMap<FuncId, Vec<FuncId>> {
        let mut callers: SecondaryMap<FuncId, Vec<FuncId>> = SecondaryMap::new();
        for (f, info) in &self.funcs {
            for c in info.sites.iter().filter_map(|s| s.callee) {
                if callers[c].last() != Some(&f) {
                    callers[c].push(f);
                }
            }
        }
        callers
    }

    /// The function named `name`.
    pub fn lookup(&self, name: Ident) -> Option<&FuncInfo> {
        self.by_name.get(&name).map(|&f| &self.funcs[f])
    }

    /// The callee of a direct call op with attributes `attrs`, if it is a function of the module.
    pub fn callee(&self, ctx: &Context, attrs: crate::ir::Attr) -> Option<&FuncInfo> {
        callee_symbol(ctx, attrs).and_then(|n| self.lookup(n))
    }

    /// Whether a call with attributes `attrs` may be removed when its results are unused, or
    /// merged with an identical call: its callee has no effect at all and certainly returns.
    pub fn call_is_pure(&self, ctx: &Context, attrs: crate::ir::Attr) -> bool {
        self.callee(ctx, attrs).is_some_and(|f| f.effects.is_empty() && f.terminates)
    }

    /// Whether `op` of `b` may be removed when unused or merged with an identical op, as `dce`
    /// and `cse` decide it: a `Pure` op that is no terminator, or a pure call (see
    /// [`Summary::call_is_pure`]).
    pub fn op_is_pure(summary: Option<&Summary>, ctx: &Context, b: &crate::Body, op: Op) -> bool {
        let code = b.opcode(op);
        let Some(def) = ctx.op_def(code) else { return false };
        if def.has(crate::dialect::Traits::PURE) {
            return !def.has(crate::dialect::Traits::TERMINATOR);
        }
        def.name == "func.call" && summary.is_some_and(|s| s.call_is_pure(ctx, b.op(op).attrs))
    }

    /// For the effect `bit`, how each function that has it gets it: from an op of its own, from
    /// its declaration (an import), or through the first call of a shortest chain of calls to
    /// one of those. One breadth-first search backwards from every function that has the effect
    /// itself serves all functions, in time linear in the call graph; recursion cannot make it
    /// loop, and following the calls always ends, since each step is one call closer.
    fn witnesses(&self, bit: Effects, callers: &SecondaryMap<FuncId, Vec<FuncId>>) -> SecondaryMap<FuncId, Option<Witness>> {
        let mut w: SecondaryMap<FuncId, Option<Witness>> = SecondaryMap::new();
        let mut queue = VecDeque::new();
        for (f, info) in &self.funcs {
            let own = match info.sites.iter().find(|s| s.own.contains(bit)) {
                Some(s) => Some(Witness::Op(s.op)),
                None if info.body.is_none() && info.effects.contains(bit) => Some(Witness::External),
                None => None,
            };
            if own.is_some() {
                w[f] = own;
                queue.push_back(f);
            }
        }
        while let Some(g) = queue.pop_front() {
            for &h in &callers[g] {
                if w[h].is_some() || !self.funcs[h].effects.contains(bit) {
                    continue;
                }
                // Each function is reached once, so its calls are searched once.
                if let Some(call) = self.funcs[h].sites.iter().find(|s| s.callee == Some(g)) {
                    w[h] = Some(Witness::Call(call.op, g));
                    queue.push_back(h);
                }
            }
        }
        w
    }

    /// Why `f` has the effect that `w` (from [`Summary::witnesses`]) explains: the calls from
    /// `f` down to the function that has it itself (each `(caller, call op)`), and where.
    fn explain(&self, f: FuncId, w: &SecondaryMap<FuncId, Option<Witness>>) -> Option<(Vec<(FuncId, Op)>, Source)> {
        let mut calls = Vec::new();
        let mut at = f;
        loop {
            match w[at]? {
                Witness::Op(op) => return Some((calls, Source::Op(at, op))),
                Witness::External => return Some((calls, Source::External(at))),
                Witness::Call(op, callee) => {
                    calls.push((at, op));
                    at = callee;
                }
            }
        }
    }
}

/// How a function has an effect (see [`Summary::witnesses`]).
#[derive(Clone, Copy)]
enum Witness {
    /// This op of the function has it.
    Op(Op),
    /// The function is defined outside the module and has it by its declaration.
    External,
    /// This call has it, and the callee's witness says why.
    Call(Op, FuncId),
}

/// Where a function's effect comes from in the end.
enum Source {
    /// An op of this function.
    Op(FuncId, Op),
    /// A function defined outside the module (an import), by its declaration.
    External(FuncId),
}

/// Which functions certainly return: those without loops whose callees all certainly return,
/// found as in a topological sort (Kahn), so a function on a call cycle never qualifies.
fn loops_into_terminates(s: &mut Summary, loops: &SecondaryMap<FuncId, bool>) {
    let callers = s.callers();
    let mut pending: SecondaryMap<FuncId, u32> = SecondaryMap::new();
    let mut ready = Vec::new();
    for (f, info) in &s.funcs {
        if info.body.is_none() {
            // Decided by the declaration (set above); no callees.
            if info.terminates {
                ready.push(f);
            }
            continue;
        }
        let mut callees: Vec<FuncId> = info.sites.iter().filter_map(|x| x.callee).collect();
        callees.sort_unstable();
        callees.dedup();
        pending[f] = callees.len() as u32;
        if pending[f] == 0 && !loops[f] {
            ready.push(f);
        }
    }
    while let Some(f) = ready.pop() {
        s.funcs[f].terminates = true;
        for &g in &callers[f] {
            pending[g] -= 1;
            if pending[g] == 0 && !loops[g] && s.funcs[g].body.is_some() {
                ready.push(g);
            }
        }
    }
}

// ---------------- infer-effects ----------------

pub const INFER_INFO: PassInfo = PassInfo {
    name: "infer-effects",
    summary: "Computes the effects of every function and records them in its `inferred_effects` attribute.",
    description: "A function's effects are those of its ops and of every function it calls, \
                  computed bottom-up over the call graph to a fixpoint (recursion included). An \
                  import, or any function without a body, has the effects it declares in \
                  `effects`, or else `[\"host_call\", \"unknown\"]`. Indirect calls \
                  (`wasm.call_indirect`, `wasm.call_ref`) have `unknown` effects. The result is \
                  written as `inferred_effects = [...]` on each `func.func` with a body (`[]`: \
                  none), replacing an earlier one. See docs/architecture/effects.md.",
    level: Level::Module,
    options: &[],
    create: |opts| {
        super::no_options("infer-effects", opts)?;
        Ok(Box::new(InferEffects))
    },
};

struct InferEffects;

impl Pass for InferEffects {
    fn run(&mut self, ctx: &mut Context, module: &mut Module, _: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let summary = Summary::compute(ctx, module);
        let key = ctx.ident("inferred_effects");
        let mut changed = false;
        for info in summary.funcs.values().filter(|f| f.body.is_some()) {
            let value = info.effects.to_attr(ctx);
            let old = module.body(info.op.body).op(info.op.op).attrs;
            let new = ctx.dict_with(old, key, Some(value));
            if new != old {
                module.body_mut(info.op.body).op_mut(info.op.op).attrs = new;
                changed = true;
            }
            stats.add("functions", 1);
            if info.effects.is_empty() {
                stats.add("functions without effects", 1);
            }
        }
        Ok(changed)
    }
}

// ---------------- effect-check ----------------

pub const CHECK_INFO: PassInfo = PassInfo {
    name: "effect-check",
    summary: "Reports every function whose effects exceed the `effects` it declares, and fails.",
    description: "For each function with a body that declares `effects = [...]`, the pass \
                  infers its effects as `infer-effects` does and reports each effect beyond the \
                  declaration: an error at the function, with a note at the op that has the \
                  effect — or, when it comes from a callee, at the call, naming the chain of \
                  calls down to the op that has it. Declaring `unknown` allows everything. The \
                  IR is not changed.",
    level: Level::Module,
    options: &[],
    create: |opts| {
        super::no_options("effect-check", opts)?;
        Ok(Box::new(EffectCheck { diags: Vec::new() }))
    },
};

struct EffectCheck {
    diags: Vec<Diagnostic>,
}

/// `@name`, as functions are written.
fn sym(ctx: &Context, name: Ident) -> String {
    let mut s = String::new();
    crate::text::printer::write_symbol(ctx.str(name), &mut s);
    s
}

impl Pass for EffectCheck {
    fn run(&mut self, ctx: &mut Context, module: &mut Module, _: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let summary = Summary::compute(ctx, module);
        let mut bad_funcs = 0u64;
        let callers = summary.callers();
        // Per effect, computed when a function first needs it explained.
        let mut witnesses: FxHashMap<u16, SecondaryMap<FuncId, Option<Witness>>> = FxHashMap::default();
        for (f, info) in &summary.funcs {
            let (Some(declared), Some(_)) = (info.declared, info.body) else { continue };
            let excess = info.effects.exceeding(declared);
            if excess.is_empty() {
                continue;
            }
            bad_funcs += 1;
            let fname = sym(ctx, info.name);
            let fspan = header_span(module, info.op);
            let declared_text = ctx.dict_get(module.body(info.op.body).op(info.op.op).attrs, "effects").map_or_else(String::new, |a| attr_text(ctx, a));
            // A frontend's location of the function (`loc("lib.rs":3:1)`) names it in the source.
            let at = ctx.source_position(module.body(info.op.body).op(info.op.op).loc).map_or_else(String::new, |p| format!(" ({p})"));
            for bit in excess.iter() {
                let mut d = Diagnostic::error(
                    fspan,
                    format!("{fname}{at} has effect \"{}\", which its declaration `effects = {declared_text}` does not allow", bit.name()),
                );
                if fspan.is_none() {
                    d.with_context(format!("func.func {fname}"));
                }
                let w = witnesses.entry(bit.0).or_insert_with(|| summary.witnesses(bit, &callers));
                if let Some((calls, source)) = summary.explain(f, w) {
                    describe_path(ctx, module, &summary, &calls, &source, bit, &mut d);
                }
                d.with_help(format!("add \"{}\" to the `effects` of {fname}, or remove what causes it", bit.name()));
                self.diags.push(d);
            }
        }
        stats.add("functions checked", summary.funcs.values().filter(|f| f.declared.is_some() && f.body.is_some()).count() as u64);
        if bad_funcs == 0 {
            return Ok(false);
        }
        Err(format!("{bad_funcs} function{} exceed{} the effects declared", if bad_funcs == 1 { "" } else { "s" }, if bad_funcs == 1 { "s" } else { "" }))
    }

    fn take_diagnostics(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.diags)
    }
}

/// Notes on `d` for what `explain` found: the op itself; or the first call, naming the chain
/// of calls, and the op (or import) at its end.
fn describe_path(ctx: &Context, module: &Module, s: &Summary, calls: &[(FuncId, Op)], source: &Source, bit: Effects, d: &mut Diagnostic) {
    let span_of = |f: FuncId, op: Op| s.funcs[f].body.and_then(|b| module.body(b).op_span(op));
    let op_name = |f: FuncId, op: Op| s.funcs[f].body.map_or("?", |b| ctx.op_name(module.body(b).opcode(op))).to_string();
    let what = bit.describe();
    let (end_f, why, end_label) = match *source {
        Source::Op(f, op) => {
            let name = op_name(f, op);
            let at = s.funcs[f].body.and_then(|b| ctx.source_position(module.body(b).op(op).loc)).map_or_else(String::new, |p| format!(" ({p})"));
            (f, format!("where `{name}`{at} does"), (span_of(f, op), format!("`{name}`{at} {what}")))
        }
        Source::External(f) => {
            let info = &s.funcs[f];
            let decl = match ctx.dict_get(module.body(info.op.body).op(info.op.op).attrs, "effects") {
                Some(a) => format!("declares `effects = {}`", attr_text(ctx, a)),
                None => "declares no `effects`, so it may do anything".to_string(),
            };
            let name = sym(ctx, info.name);
            (f, "which is defined outside the module".to_string(), (header_span(module, info.op), format!("{name} has no body and {decl}")))
        }
    };
    let Some(&(f0, call)) = calls.first() else {
        d.with_label(end_label.0, end_label.1);
        return;
    };
    let mut funcs: Vec<FuncId> = calls.iter().map(|&(f, _)| f).collect();
    funcs.push(end_f);
    // A long chain is shortened in the middle; its ends say where to look.
    let names = |fs: &[FuncId]| fs.iter().map(|&f| sym(ctx, s.funcs[f].name)).collect::<Vec<_>>().join(" → ");
    let chain = if funcs.len() > 8 {
        format!("{} → … ({} calls) … → {}", names(&funcs[..4]), funcs.len() - 1, names(&funcs[funcs.len() - 3..]))
    } else {
        names(&funcs)
    };
    let callee = sym(ctx, s.funcs[funcs[1]].name);
    let at = s.funcs[f0].body.and_then(|b| ctx.source_position(module.body(b).op(call).loc)).map_or_else(String::new, |p| format!(" ({p})"));
    d.with_label(span_of(f0, call), format!("this call{at} to {callee} {what}: {chain}, {why}"));
    d.with_label(end_label.0, format!("{} (reached through {chain})", end_label.1));
}

/// An attribute as it is written.
fn attr_text(ctx: &Context, a: crate::ir::Attr) -> String {
    let mut s = String::new();
    crate::text::printer::write_attr(ctx, a, &mut s);
    s
}

/// The span of a function's `func.func` keyword, so a report on a function underlines its
/// first line rather than its whole body.
fn header_span(module: &Module, f: OpRef) -> Option<crate::diag::Span> {
    let span = module.body(f.body).op_span(f.op)?;
    Some(crate::diag::Span::new(span.start, (span.start + "func.func".len() as u32).min(span.end)))
}
