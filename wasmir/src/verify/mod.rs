//! The verifier: structure (terminators, region and successor counts, parents, symbol tables),
//! each op's declared constraints and hook, and SSA dominance across blocks and nested regions.
//! It visits every op once, iteratively, and collects every error.
pub mod dominance;

use crate::diag::{Diagnostic, Span};
use crate::dialect::{AttrKind, Count, OpDef, TypeConstraint, Traits};
use crate::ir::*;
use crate::text::printer::type_to_string;
use cranelift_entity::SecondaryMap;
use dominance::DomTree;
use rustc_hash::FxHashMap;

/// What an op's verifier hook sees.
pub struct OpChecker<'a> {
    pub ctx: &'a Context,
    pub module: &'a Module,
    pub op: OpRef,
    symbols: &'a mut SymbolCache,
    diags: &'a mut Vec<Diagnostic>,
}

/// Symbol tables built on demand, keyed by the op owning the table.
#[derive(Default)]
struct SymbolCache {
    tables: FxHashMap<OpRef, FxHashMap<Ident, OpRef>>,
}

impl<'a> OpChecker<'a> {
    fn body(&self) -> &'a Body {
        self.module.body(self.op.body)
    }
    pub fn span(&self) -> Option<Span> {
        self.body().op_span(self.op.op)
    }
    /// Reports an error on the op.
    pub fn error(&mut self, msg: impl Into<String>) -> &mut Diagnostic {
        let mut d = Diagnostic::error(self.span(), msg);
        if d.span.is_none() {
            d.with_context(self.ctx.op_name(self.body().opcode(self.op.op)).to_string());
        }
        self.diags.push(d);
        self.diags.last_mut().expect("just pushed")
    }
    pub fn attr(&self, name: &str) -> Option<Attr> {
        self.ctx.dict_get(self.body().op(self.op.op).attrs, name)
    }
    pub fn function_type_attr(&self, name: &str) -> Option<Type> {
        match self.ctx.attr_data(self.attr(name)?) {
            AttrData::Type(t) if matches!(self.ctx.type_data(*t), TypeData::Function { .. }) => Some(*t),
            _ => None,
        }
    }
    pub fn operand_types(&self) -> Vec<Type> {
        let b = self.body();
        b.operands(self.op.op).map(|v| b.value_type(v)).collect()
    }
    pub fn result_types(&self) -> Vec<Type> {
        let b = self.body();
        b.results(self.op.op).map(|v| b.value_type(v)).collect()
    }
    pub fn result_type(&self, i: usize) -> Type {
        let b = self.body();
        b.value_type(b.result(self.op.op, i))
    }
    pub fn num_successors(&self) -> usize {
        self.body().successors(self.op.op).len()
    }
    pub fn type_str(&self, t: Type) -> String {
        type_to_string(self.ctx, t)
    }
    pub fn types_str(&self, ts: &[Type]) -> String {
        ts.iter().map(|&t| self.type_str(t)).collect::<Vec<_>>().join(", ")
    }
    /// Argument types of the entry block of region `idx`, or `None` when the region is empty.
    pub fn entry_block(&self, idx: usize) -> Option<Vec<Type>> {
        let r = *self.body().regions(self.op.op).get(idx)?;
        let rb = self.module.body(self.module.regions_body(self.op));
        let e = rb.first_block(r)?;
        Some(rb.block_args(e).iter().map(|&v| rb.value_type(v)).collect())
    }
    pub fn is_private(&self) -> bool {
        self.attr("sym_visibility")
            .is_some_and(|a| matches!(self.ctx.attr_data(a), AttrData::String(s) if self.ctx.str(*s) == "private"))
    }
    /// The nearest enclosing `func.func` and its signature.
    pub fn enclosing_function(&self) -> Option<(OpRef, Type)> {
        let mut cur = self.module.parent_op(self.op);
        while let Some(p) = cur {
            let b = self.module.body(p.body);
            if self.ctx.op_name(b.opcode(p.op)) == "func.func" {
                let fty = self.ctx.dict_get(b.op(p.op).attrs, "function_type")?;
                return match self.ctx.attr_data(fty) {
                    AttrData::Type(t) => Some((p, *t)),
                    _ => None,
                };
            }
            cur = self.module.parent_op(p);
        }
        None
    }
    /// Resolves a symbol reference in the nearest enclosing symbol table; reports unknown
    /// symbols and non-functions. Returns the definition's span and its function type.
    pub fn resolve_function(&mut self, sym: Attr) -> Option<(Option<Span>, Type)> {
        let target = self.resolve_symbol(sym)?;
        let b = self.module.body(target.body);
        let name = self.ctx.op_name(b.opcode(target.op));
        let span = b.op_span(target.op);
        let fty = self.ctx.dict_get(b.op(target.op).attrs, "function_type").and_then(|a| match self.ctx.attr_data(a) {
            AttrData::Type(t) => Some(*t),
            _ => None,
        });
        match fty {
            Some(t) if name == "func.func" => Some((span, t)),
            _ => {
                self.error(format!("`{}` is a `{name}`, not a function", self.sym_str(sym))).with_label(span, "defined here");
                None
            }
        }
    }

    fn sym_str(&self, sym: Attr) -> String {
        let mut s = String::new();
        crate::text::printer::write_attr(self.ctx, sym, &mut s);
        s
    }

    /// Looks a symbol up by name in the nearest enclosing symbol table, silently.
    pub fn find_symbol(&mut self, name: Ident) -> Option<OpRef> {
        let mut cur = self.module.parent_op(self.op);
        while let Some(p) = cur {
            let def = self.ctx.op_def(self.module.body(p.body).opcode(p.op));
            if def.is_some_and(|d| d.has(Traits::SYMBOL_TABLE)) {
                let table = self.symbols.tables.entry(p).or_insert_with(|| build_table(self.ctx, self.module, p));
                return table.get(&name).copied();
            }
            cur = self.module.parent_op(p);
        }
        None
    }

    /// Looks `name` up in the symbol tables enclosing `from`, innermost first (lexical scoping,
    /// as WIT resolves a name in its interface or world before the package), silently.
    pub fn lookup_scoped(&mut self, from: OpRef, name: Ident) -> Option<OpRef> {
        let mut cur = self.module.parent_op(from);
        while let Some(p) = cur {
            if let Some(t) = self.lookup_in(p, name) {
                return Some(t);
            }
            cur = self.module.parent_op(p);
        }
        None
    }

    /// Looks `name` up among the symbols directly inside `table` (an op with the
    /// `SymbolTable` trait; `None` for any other op), silently.
    pub fn lookup_in(&mut self, table: OpRef, name: Ident) -> Option<OpRef> {
        let def = self.ctx.op_def(self.module.body(table.body).opcode(table.op));
        if !def.is_some_and(|d| d.has(Traits::SYMBOL_TABLE)) {
            return None;
        }
        let t = self.symbols.tables.entry(table).or_insert_with(|| build_table(self.ctx, self.module, table));
        t.get(&name).copied()
    }

    /// The op being checked, for lookups that start from it.
    pub fn op_ref(&self) -> OpRef {
        self.op
    }

    /// Looks a (single-level) symbol reference up in the nearest enclosing symbol table.
    pub fn resolve_symbol(&mut self, sym: Attr) -> Option<OpRef> {
        let AttrData::SymbolRef(path) = self.ctx.attr_data(sym) else {
            self.error("expected a symbol reference");
            return None;
        };
        let name = path[0];
        let mut cur = self.module.parent_op(self.op);
        while let Some(p) = cur {
            let def = self.ctx.op_def(self.module.body(p.body).opcode(p.op));
            if def.is_some_and(|d| d.has(Traits::SYMBOL_TABLE)) {
                let table = self.symbols.tables.entry(p).or_insert_with(|| build_table(self.ctx, self.module, p));
                if let Some(&t) = table.get(&name) {
                    return Some(t);
                }
                break;
            }
            cur = self.module.parent_op(p);
        }
        let s = self.sym_str(sym);
        self.error(format!("unknown symbol `{s}`")).with_help("define a function with this name in the module");
        None
    }
}

fn build_table(ctx: &Context, module: &Module, owner: OpRef) -> FxHashMap<Ident, OpRef> {
    let mut t = FxHashMap::default();
    let rb = module.regions_body(owner);
    let body = module.body(rb);
    for &r in module.body(owner.body).regions(owner.op) {
        for b in body.region_blocks(r) {
            for op in body.block_ops(b) {
                if let Some(AttrData::String(s)) = ctx.dict_get(body.op(op).attrs, "sym_name").map(|a| ctx.attr_data(a)) {
                    t.entry(*s).or_insert(OpRef { body: rb, op });
                }
            }
        }
    }
    t
}

/// Verifies the whole module; returns every problem found (empty when valid).
pub fn verify(ctx: &Context, module: &Module) -> Vec<Diagnostic> {
    let mut v = Verifier { ctx, module, diags: Vec::new(), symbols: SymbolCache::default() };
    v.run();
    v.diags
}

struct Verifier<'a> {
    ctx: &'a Context,
    module: &'a Module,
    diags: Vec<Diagnostic>,
    symbols: SymbolCache,
}

/// Per-body state for dominance: op positions in blocks, the region nesting path of the walk,
/// and dominator trees of multi-block regions.
struct BodyState {
    pos: SecondaryMap<Op, u32>,
    level: SecondaryMap<Region, u32>,
    doms: FxHashMap<Region, DomTree>,
}

impl<'a> Verifier<'a> {
    fn err(&mut self, body: BodyId, op: Op, msg: impl Into<String>) -> &mut Diagnostic {
        let b = self.module.body(body);
        let mut d = Diagnostic::error(b.op_span(op), msg);
        if d.span.is_none() {
            d.with_context(self.ctx.op_name(b.opcode(op)).to_string());
        }
        self.diags.push(d);
        self.diags.last_mut().expect("just pushed")
    }

    fn run(&mut self) {
        // The module op itself, then every body below it.
        let root = self.module.module_op();
        self.check_op(root);
        let mut bodies = Vec::new();
        if let Some(inner) = self.module.body(root.body).inner_body(root.op) {
            bodies.push(inner);
        }
        while let Some(b) = bodies.pop() {
            self.check_body(b, &mut bodies);
        }
    }

    /// Walks one body in pre-order, checking each op and the dominance of each use.
    fn check_body(&mut self, bid: BodyId, more: &mut Vec<BodyId>) {
        let body = self.module.body(bid);
        let mut st = BodyState { pos: SecondaryMap::new(), level: SecondaryMap::new(), doms: FxHashMap::default() };
        // path[i] = (region at level i, op in level i-1 through which it was entered)
        let mut path: Vec<(Region, Option<Op>)> = Vec::new();
        enum Step {
            Enter(Region, Option<Op>, u32),
            Exit,
        }
        let mut stack: Vec<Step> = body.roots().iter().rev().map(|&r| Step::Enter(r, None, 0)).collect();
        while let Some(step) = stack.pop() {
            let (r, via, level) = match step {
                Step::Exit => {
                    path.pop();
                    continue;
                }
                Step::Enter(r, via, level) => (r, via, level),
            };
            path.truncate(level as usize);
            path.push((r, via));
            st.level[r] = level;
            self.prepare_region(bid, r, via, &mut st);
            stack.push(Step::Exit);
            // Ops of this region are checked now; their nested regions are queued in order.
            let mut nested: Vec<Step> = Vec::new();
            for b in body.region_blocks(r) {
                for op in body.block_ops(b) {
                    self.check_op(OpRef { body: bid, op });
                    self.check_uses(bid, op, &path, &st);
                    match body.inner_body(op) {
                        Some(inner) => more.push(inner),
                        None => {
                            for &nr in body.regions(op) {
                                nested.push(Step::Enter(nr, Some(op), level + 1));
                            }
                        }
                    }
                }
            }
            // Nested regions are visited after the whole region so positions are all known;
            // each re-establishes its path.
            for s in nested.into_iter().rev() {
                stack.push(s);
            }
        }
    }

    /// Numbers ops, checks terminators and successors, and builds the dominator tree of `r`.
    fn prepare_region(&mut self, bid: BodyId, r: Region, owner: Option<Op>, st: &mut BodyState) {
        let body = self.module.body(bid);
        let owner_ref = match owner {
            Some(o) => Some(OpRef { body: bid, op: o }),
            None => body.owner().map(|(b, o)| OpRef { body: b, op: o }),
        };
        let owner_def = owner_ref.and_then(|o| self.ctx.op_def(self.module.body(o.body).opcode(o.op)));
        let needs_terminator = owner_def.is_some_and(|d| !d.has(Traits::NO_TERMINATOR));
        let single_block = owner_def.is_some_and(|d| d.has(Traits::SINGLE_BLOCK));
        let entry = body.first_block(r);
        let mut nblocks = 0;
        for b in body.region_blocks(r) {
            nblocks += 1;
            for (i, op) in body.block_ops(b).enumerate() {
                st.pos[op] = i as u32;
                let def = self.ctx.op_def(body.opcode(op));
                let is_term = def.is_some_and(|d| d.has(Traits::TERMINATOR));
                let is_last = body.next_op(op).is_none();
                if is_term && !is_last {
                    let name = self.ctx.op_name(body.opcode(op)).to_string();
                    let next_span = body.next_op(op).and_then(|n| body.op_span(n));
                    self.err(bid, op, format!("`{name}` is a terminator and must be the last op of its block"))
                        .with_label(next_span, "this op follows it")
                        .with_help("move the ops after it into another block, or delete them");
                }
                if is_last && needs_terminator && def.is_some() && !is_term {
                    let name = self.ctx.op_name(body.opcode(op)).to_string();
                    self.err(bid, op, format!("block ends with `{name}`, which is not a terminator"))
                        .with_help("end the block with a terminator such as `func.return` or `cf.br`");
                }
                for &s in body.successors(op) {
                    let target = body.succ_block(s);
                    if body.region_of(target) != Some(r) {
                        self.err(bid, op, "a successor must be a block of the same region");
                    } else if Some(target) == entry {
                        self.err(bid, op, "the entry block of a region cannot be a branch target")
                            .with_label(body.block_span(target), "entry block")
                            .with_help("branch to a new block that follows the entry block");
                    }
                }
            }
            if needs_terminator && body.first_op(b).is_none() {
                let span = body.block_span(b).or_else(|| owner_ref.and_then(|o| self.module.body(o.body).op_span(o.op)));
                let mut d = Diagnostic::error(span, "empty block: a block in this region must end with a terminator");
                d.with_help("add a terminator such as `func.return`");
                self.diags.push(d);
            }
        }
        if single_block && nblocks > 1 {
            if let Some(o) = owner_ref {
                let name = self.ctx.op_name(self.module.body(o.body).opcode(o.op)).to_string();
                self.err(o.body, o.op, format!("the region of `{name}` must have at most one block"));
            }
        }
        if nblocks > 1 {
            st.doms.insert(r, DomTree::compute(body, r));
        }
    }

    /// Every operand and successor argument of `op` must be defined where it is visible and
    /// dominates the use; successor arguments must match the target's block arguments.
    fn check_uses(&mut self, bid: BodyId, op: Op, path: &[(Region, Option<Op>)], st: &BodyState) {
        let body = self.module.body(bid);
        let check = |this: &mut Self, v: Value| {
            let (def_block, def_op) = match body.value_def(v) {
                ValueDef::Result(d, _) => match body.block_of(d) {
                    Some(b) => (b, Some(d)),
                    None => {
                        this.err(bid, op, "operand is defined by an op that is not in any block");
                        return;
                    }
                },
                ValueDef::Arg(b, _) => (b, None),
                ValueDef::Placeholder => {
                    this.err(bid, op, "operand refers to a value that was never defined");
                    return;
                }
            };
            let Some(def_region) = body.region_of(def_block) else {
                this.err(bid, op, "operand is defined in a block that is not in any region");
                return;
            };
            let level = st.level.get(def_region).copied().unwrap_or(u32::MAX) as usize;
            let visible = level < path.len() && path[level].0 == def_region;
            if !visible {
                this.err(bid, op, "operand is not visible here: it is defined in a region that does not enclose this use")
                    .with_label(body.value_span(v), "defined here")
                    .with_help("values defined inside a region can only be used inside that region");
                return;
            }
            // The op in the defining region that contains the use.
            let anc = if level + 1 < path.len() { path[level + 1].1.expect("nested levels are entered through an op") } else { op };
            let Some(anc_block) = body.block_of(anc) else { return };
            let ok = if anc_block == def_block {
                match def_op {
                    None => true,
                    Some(d) => d != anc && st.pos[d] < st.pos[anc],
                }
            } else {
                st.doms.get(&def_region).is_some_and(|t| t.dominates(def_block, anc_block))
            };
            if !ok {
                let what = match body.value_name(v) {
                    Some(n) => format!("`%{}`", this.ctx.str(n)),
                    None => "operand".to_string(),
                };
                let mut d = Diagnostic::error(body.op_span(op), format!("{what} does not dominate this use"));
                if d.span.is_none() {
                    d.with_context(this.ctx.op_name(body.opcode(op)).to_string());
                }
                d.with_label(body.value_span(v), "defined here");
                if def_op == Some(anc) {
                    d.with_help("an op cannot use its own result, not even inside its regions");
                } else if anc_block == def_block {
                    d.with_help("move the definition before its use");
                } else {
                    d.with_help("the defining block must dominate the using block: every path from the entry to the use must pass through the definition");
                }
                this.diags.push(d);
            }
        };
        // A value read twice by one op is reported once.
        let mut seen: smallvec::SmallVec<[Value; 4]> = smallvec::SmallVec::new();
        for v in body.operands(op) {
            if !seen.contains(&v) {
                seen.push(v);
                check(self, v);
            }
        }
        for &s in body.successors(op) {
            let target = body.succ_block(s);
            let args: Vec<Value> = body.succ_args(s).collect();
            for &v in &args {
                check(self, v);
            }
            let params = body.block_args(target);
            if params.len() != args.len() {
                self.err(bid, op, format!(
                    "branch passes {} argument(s) to a block that takes {}",
                    args.len(),
                    params.len()
                ))
                .with_label(body.block_span(target), "block defined here");
            } else {
                for (i, (&a, &p)) in args.iter().zip(params).enumerate() {
                    let (ta, tp) = (body.value_type(a), body.value_type(p));
                    if ta != tp {
                        let (ta, tp) = (type_to_string(self.ctx, ta), type_to_string(self.ctx, tp));
                        self.err(bid, op, format!("branch argument {i} has type {ta} but the block argument is {tp}"))
                            .with_label(body.block_span(target), "block defined here");
                    }
                }
            }
        }
    }

    /// The op's declared constraints and its own hook.
    fn check_op(&mut self, opr: OpRef) {
        let body = self.module.body(opr.body);
        let op = opr.op;
        let Some(def) = self.ctx.op_def(body.opcode(op)) else { return };
        let ctx = self.ctx;
        let nops = body.num_operands(op);
        let nres = body.num_results(op);
        // Operand and result counts and types.
        let mut var: Option<Type> = None;
        let operands: smallvec::SmallVec<[Value; 4]> = body.operands(op).collect();
        let results: smallvec::SmallVec<[Value; 2]> = body.results(op).collect();
        self.check_values(opr, def, "operand", def.operands, &operands, &mut var);
        self.check_values(opr, def, "result", def.results, &results, &mut var);
        if def.has(Traits::SAME_OPERANDS_AND_RESULT_TYPE) {
            let mut tys = operands.iter().chain(&results).map(|&v| body.value_type(v));
            let first = tys.next();
            if tys.any(|t| Some(t) != first) {
                self.err(opr.body, op, format!("`{}` requires all operands and results to have the same type", def.name));
            }
        }
        let _ = (nops, nres);
        // Attributes.
        let attrs = body.op(op).attrs;
        for a in def.attrs {
            match ctx.dict_get(attrs, a.name) {
                None if !a.optional => {
                    self.err(opr.body, op, format!("`{}` requires the attribute `{}` ({})", def.name, a.name, a.kind.describe()));
                }
                None => {}
                Some(v) => {
                    if !attr_kind_ok(ctx, a.kind, v) {
                        self.err(opr.body, op, format!("attribute `{}` of `{}` must be {}", a.name, def.name, a.kind.describe()));
                    }
                }
            }
        }
        // Regions and successors.
        let nreg = body.regions(op).len();
        if !def.regions.accepts(nreg) {
            self.err(opr.body, op, format!("`{}` takes {} region(s) but has {nreg}", def.name, def.regions.describe()));
        }
        let nsucc = body.successors(op).len();
        if !def.successors.accepts(nsucc) {
            self.err(opr.body, op, format!("`{}` takes {} successor(s) but has {nsucc}", def.name, def.successors.describe()));
        }
        if nsucc > 0 && !def.has(Traits::TERMINATOR) {
            self.err(opr.body, op, format!("`{}` has successors but is not a terminator", def.name));
        }
        if def.has(Traits::ISOLATED_FROM_ABOVE) && nreg > 0 && body.inner_body(op).is_none() {
            self.err(opr.body, op, format!("`{}` is isolated from above but its regions share the enclosing body", def.name));
        }
        // Parent.
        if let Some(parent) = def.parent {
            let p = self.module.parent_op(opr);
            let pname = p.map(|p| ctx.op_name(self.module.body(p.body).opcode(p.op)));
            if pname != Some(parent) {
                let got = pname.map_or("the top level".to_string(), |n| format!("`{n}`"));
                self.err(opr.body, op, format!("`{}` must be directly inside `{parent}`, not in {got}", def.name));
            }
        }
        // Symbols.
        if def.has(Traits::SYMBOL) && !matches!(ctx.dict_get(attrs, "sym_name").map(|a| ctx.attr_data(a)), Some(AttrData::String(_))) {
            self.err(opr.body, op, format!("`{}` defines a symbol and needs a string `sym_name`", def.name));
        }
        if def.has(Traits::SYMBOL_TABLE) {
            self.check_symbol_table(opr);
        }
        if let Some(f) = def.verify {
            let mut c = OpChecker { ctx, module: self.module, op: opr, symbols: &mut self.symbols, diags: &mut self.diags };
            f(&mut c);
        }
    }

    fn check_values(&mut self, opr: OpRef, def: &OpDef, what: &str, slots: &[crate::dialect::ValueDef], vals: &[Value], var: &mut Option<Type>) {
        let body = self.module.body(opr.body);
        let variadic = slots.last().is_some_and(|s| s.variadic);
        let fixed = slots.len() - usize::from(variadic);
        if vals.len() < fixed || (!variadic && vals.len() != fixed) {
            let want = if variadic { format!("at least {fixed}") } else { format!("{fixed}") };
            self.err(opr.body, opr.op, format!("`{}` takes {want} {what}(s) but has {}", def.name, vals.len()));
            return;
        }
        for (i, &v) in vals.iter().enumerate() {
            let slot = slots.get(i).or(slots.last()).expect("counted above");
            let t = body.value_type(v);
            let ok = match slot.ty {
                TypeConstraint::Any => true,
                TypeConstraint::Var => match *var {
                    None => {
                        *var = Some(t);
                        true
                    }
                    Some(vt) => vt == t,
                },
                TypeConstraint::AnyInt => self.ctx.int_width(t).is_some(),
                TypeConstraint::WasmInt => t == self.ctx.i32() || t == self.ctx.i64(),
                TypeConstraint::AnyFloat => self.ctx.float_kind(t).is_some(),
                TypeConstraint::AnyRef => self.ctx.is_ref(t),
                TypeConstraint::WasmValue => {
                    is_wasm_value(self.ctx, t) || self.ctx.owned_parts(t).is_some_and(|(_, inner)| is_wasm_value(self.ctx, inner))
                }
                TypeConstraint::Owned => matches!(self.ctx.owned_parts(t), Some((OwnKind::Linear | OwnKind::Affine, _))),
                TypeConstraint::Borrow => matches!(self.ctx.owned_parts(t), Some((OwnKind::Borrow, _))),
                c => crate::ir::builder::fixed_type(self.ctx, c) == Some(t),
            };
            if !ok {
                let got = type_to_string(self.ctx, t);
                let want = match (slot.ty, *var) {
                    (TypeConstraint::Var, Some(vt)) => format!("{} (the type of the other `T` values)", type_to_string(self.ctx, vt)),
                    (c, _) => c.describe().to_string(),
                };
                let span = if what == "operand" { body.value_span(v) } else { None };
                self.err(opr.body, opr.op, format!("{what} #{i} (`{}`) of `{}` must be {want}, but is {got}", slot.name, def.name))
                    .with_label(span, format!("this value has type {got}"));
            }
        }
    }

    fn check_symbol_table(&mut self, opr: OpRef) {
        let rb = self.module.regions_body(opr);
        let body = self.module.body(rb);
        let mut seen: FxHashMap<Ident, Op> = FxHashMap::default();
        for &r in self.module.body(opr.body).regions(opr.op) {
            for b in body.region_blocks(r) {
                for op in body.block_ops(b) {
                    let Some(AttrData::String(s)) = self.ctx.dict_get(body.op(op).attrs, "sym_name").map(|a| self.ctx.attr_data(a)) else {
                        continue;
                    };
                    if let Some(&prev) = seen.get(s) {
                        let name = self.ctx.str(*s).to_string();
                        let prev_span = body.op_span(prev);
                        self.err(rb, op, format!("redefinition of symbol `@{name}`"))
                            .with_label(prev_span, "previously defined here")
                            .with_help("symbol names must be unique within a module");
                    } else {
                        seen.insert(*s, op);
                    }
                }
            }
        }
    }
}

/// i32, i64, f32, f64, v128 or a reference.
pub fn is_wasm_value(ctx: &Context, t: Type) -> bool {
    t == ctx.i32() || t == ctx.i64() || matches!(ctx.type_data(t), TypeData::Float(_) | TypeData::V128 | TypeData::Ref(_) | TypeData::RefTo { .. })
}

fn attr_kind_ok(ctx: &Context, k: AttrKind, a: Attr) -> bool {
    let d = ctx.attr_data(a);
    match k {
        AttrKind::Any => true,
        AttrKind::Unit => matches!(d, AttrData::Unit),
        AttrKind::Bool => matches!(d, AttrData::Bool(_)),
        AttrKind::Int => matches!(d, AttrData::Int { .. }),
        AttrKind::Float => matches!(d, AttrData::Float { .. }),
        AttrKind::String => matches!(d, AttrData::String(_) | AttrData::Bytes(_)),
        AttrKind::SymbolRef => matches!(d, AttrData::SymbolRef(_)),
        AttrKind::Type => matches!(d, AttrData::Type(_)),
        AttrKind::FunctionType => matches!(d, AttrData::Type(t) if matches!(ctx.type_data(*t), TypeData::Function { .. })),
        AttrKind::Array => matches!(d, AttrData::Array(_)),
        AttrKind::Dict => matches!(d, AttrData::Dict(_)),
    }
}

#[allow(dead_code)]
fn count_ok(c: Count, n: usize) -> bool {
    c.accepts(n)
}
