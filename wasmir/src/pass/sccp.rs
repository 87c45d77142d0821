//! `sccp`: sparse conditional constant propagation over CFG blocks and structured regions.
use super::canonicalize::fold_int;
use super::{Level, Pass, PassInfo, Statistics};
use crate::ir::{AttrData, Block, Body, BodyId, Context, Module, Op, OpCode, OpRef, Type, Value, ValueDef};
use cranelift_entity::SecondaryMap;

pub const INFO: PassInfo = PassInfo {
    name: "sccp",
    summary: "Sparse conditional constant propagation: finds integer values that are constant on every path that can run.",
    description: "Values start unknown and only go down the lattice unknown → constant → varying; \
                  blocks start unreachable. Only code that can run contributes: a `wasm.if`, \
                  `wasm.br_if`, `cf.cond_br` or `cf.switch` on a known constant makes only the \
                  chosen successor reachable, so a value is constant if every *reachable* \
                  definition agrees — through block arguments, loop parameters, block and if \
                  results, and branches to labels. Integer ops fold with wasm semantics (never \
                  folding away a trap). Runs to a fixpoint with worklists, linear in the function \
                  times the lattice height.\n\n\
                  Constants found are materialized (`wasm.i32.const`/`wasm.i64.const`) and replace \
                  the uses; `simplify-cfg` then removes the branches that became constant and \
                  `dce` the computations left unused. `br_table`, `br_on_*`, `try_table` and \
                  calls make their targets varying.",
    level: Level::Function,
    options: &[],
    create: |opts| {
        super::no_options("sccp", opts)?;
        Ok(Box::new(Sccp))
    },
};

struct Sccp;

#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
enum Lat {
    #[default]
    Unknown,
    Const(i64),
    Varying,
}

fn meet(a: Lat, b: Lat) -> Lat {
    match (a, b) {
        (Lat::Unknown, x) | (x, Lat::Unknown) => x,
        (Lat::Const(x), Lat::Const(y)) if x == y => a,
        _ => Lat::Varying,
    }
}

struct Codes {
    block: Option<OpCode>,
    loop_: Option<OpCode>,
    if_: Option<OpCode>,
    yield_: Option<OpCode>,
    br: Option<OpCode>,
    br_if: Option<OpCode>,
    cf_br: Option<OpCode>,
    cond_br: Option<OpCode>,
    switch: Option<OpCode>,
}

struct Solver<'a> {
    ctx: &'a Context,
    b: &'a Body,
    codes: Codes,
    lat: SecondaryMap<Value, Lat>,
    live: SecondaryMap<Block, bool>,
    ops: Vec<Op>,
    blocks: Vec<Block>,
}

impl<'a> Solver<'a> {
    fn get(&self, v: Value) -> Lat {
        self.lat[v]
    }

    fn set(&mut self, v: Value, l: Lat) {
        let new = meet(self.lat[v], l);
        if new != self.lat[v] {
            self.lat[v] = new;
            for u in self.b.uses(v) {
                self.ops.push(self.b.use_data(u).user);
            }
        }
    }

    fn reach(&mut self, blk: Block) {
        if !self.live[blk] {
            self.live[blk] = true;
            self.blocks.push(blk);
        }
    }

    /// A region's entry block becomes reachable.
    fn enter(&mut self, op: Op, i: usize) -> Option<Block> {
        let r = *self.b.regions(op).get(i)?;
        let e = self.b.first_block(r)?;
        self.reach(e);
        Some(e)
    }

    /// Values flowing to the target of label `l`: a loop's parameters, or a block's/if's results.
    fn to_label(&mut self, l: Value, vals: &[Lat]) {
        let ValueDef::Arg(entry, 0) = self.b.value_def(l) else { return };
        let Some(target) = self.b.region_of(entry).and_then(|r| self.b.region_parent(r)) else { return };
        if Some(self.b.opcode(target)) == self.codes.loop_ {
            let params: Vec<Value> = self.b.block_args(entry).iter().skip(1).copied().collect();
            for (p, &v) in params.into_iter().zip(vals) {
                self.set(p, v);
            }
        } else {
            let results: Vec<Value> = self.b.results(target).collect();
            for (r, &v) in results.into_iter().zip(vals) {
                self.set(r, v);
            }
        }
    }

    fn varying_all(&mut self, vs: impl IntoIterator<Item = Value>) {
        for v in vs {
            self.set(v, Lat::Varying);
        }
    }

    fn visit(&mut self, op: Op) {
        let b = self.b;
        if !b.block_of(op).is_some_and(|blk| self.live[blk]) {
            return;
        }
        let code = Some(b.opcode(op));
        let operands: Vec<Lat> = b.operands(op).map(|v| self.get(v)).collect();
        let c = &self.codes;
        if code == c.block {
            self.enter(op, 0);
        } else if code == c.loop_ {
            if let Some(e) = self.enter(op, 0) {
                let params: Vec<Value> = b.block_args(e).iter().skip(1).copied().collect();
                for (p, &v) in params.into_iter().zip(&operands) {
                    self.set(p, v);
                }
            }
        } else if code == c.if_ {
            match operands[0] {
                Lat::Unknown => {}
                Lat::Const(0) => {
                    self.enter(op, 1);
                }
                Lat::Const(_) => {
                    self.enter(op, 0);
                }
                Lat::Varying => {
                    self.enter(op, 0);
                    self.enter(op, 1);
                }
            }
        } else if code == c.yield_ {
            let Some(parent) = b.block_of(op).and_then(|blk| b.region_of(blk)).and_then(|r| b.region_parent(r)) else { return };
            let pc = Some(b.opcode(parent));
            if pc == c.block || pc == c.if_ || pc == c.loop_ {
                let results: Vec<Value> = b.results(parent).collect();
                for (r, v) in results.into_iter().zip(operands) {
                    self.set(r, v);
                }
            }
        } else if code == c.br {
            self.to_label(b.operand(op, 0), &operands[1..]);
        } else if code == c.br_if {
            if operands[1] != Lat::Const(0) && operands[1] != Lat::Unknown {
                self.to_label(b.operand(op, 0), &operands[2..]);
            }
        } else if code == c.cf_br || code == c.cond_br || code == c.switch {
            let succs = b.successors(op).to_vec();
            let taken: Vec<usize> = if code == c.cf_br {
                vec![0]
            } else if code == c.cond_br {
                match operands[0] {
                    Lat::Unknown => vec![],
                    Lat::Const(0) => vec![1],
                    Lat::Const(_) => vec![0],
                    Lat::Varying => vec![0, 1],
                }
            } else {
                match operands[0] {
                    Lat::Unknown => vec![],
                    Lat::Const(k) => vec![switch_case(self.ctx, b, op, k)],
                    Lat::Varying => (0..succs.len()).collect(),
                }
            };
            for i in taken {
                let s = succs[i];
                let target = b.succ_block(s);
                self.reach(target);
                let args: Vec<Lat> = b.succ_args(s).map(|v| self.get(v)).collect();
                let params: Vec<Value> = b.block_args(target).to_vec();
                for (p, v) in params.into_iter().zip(args) {
                    self.set(p, v);
                }
            }
        } else if let Some(v) = self.constant_of(op, &operands) {
            let r = b.result(op, 0);
            self.set(r, v);
        } else {
            // Anything else: results vary; labels it names (br_table, br_on_*, try_table catches)
            // get varying values; nested regions all run.
            self.varying_all(b.results(op));
            let labels: Vec<Value> = b.operands(op).filter(|&v| b.value_type(v) == self.ctx.label_type()).collect();
            for l in labels {
                let n = self.label_arity(l);
                self.to_label(l, &vec![Lat::Varying; n]);
            }
            for i in 0..b.regions(op).len() {
                if let Some(e) = self.enter(op, i) {
                    let args: Vec<Value> = b.block_args(e).to_vec();
                    self.varying_all(args);
                }
            }
        }
    }

    fn label_arity(&self, l: Value) -> usize {
        let ValueDef::Arg(entry, 0) = self.b.value_def(l) else { return 0 };
        let Some(target) = self.b.region_of(entry).and_then(|r| self.b.region_parent(r)) else { return 0 };
        if Some(self.b.opcode(target)) == self.codes.loop_ { self.b.block_args(entry).len() - 1 } else { self.b.num_results(target) }
    }

    /// The lattice value of a single-result op that is a constant or folds: `None` if the op
    /// is of another kind (its results then vary).
    fn constant_of(&self, op: Op, operands: &[Lat]) -> Option<Lat> {
        let b = self.b;
        let name = self.ctx.op_name(b.opcode(op));
        let (ty, rest) = name.strip_prefix("wasm.")?.split_once('.')?;
        let wide = match ty {
            "i32" => false,
            "i64" => true,
            _ => return None,
        };
        if b.num_results(op) != 1 || !b.regions(op).is_empty() {
            return None;
        }
        if rest == "const" {
            return match self.ctx.dict_get(b.op(op).attrs, "value").map(|a| self.ctx.attr_data(a)) {
                Some(AttrData::Int { value, .. }) => Some(Lat::Const(*value as i64)),
                _ => Some(Lat::Varying),
            };
        }
        let int = if wide { self.ctx.i64() } else { self.ctx.i32() };
        if operands.is_empty() || operands.len() > 2 || b.operands(op).any(|v| b.value_type(v) != int) {
            return None;
        }
        if operands.contains(&Lat::Varying) {
            return Some(Lat::Varying);
        }
        if operands.contains(&Lat::Unknown) {
            return Some(Lat::Unknown);
        }
        let k = |l: Lat| if let Lat::Const(x) = l { x } else { 0 };
        let b2 = operands.get(1).map(|&l| k(l));
        // Not folding (unknown name, or a trap such as division by zero): varying.
        Some(fold_int(rest, k(operands[0]), b2, wide).map_or(Lat::Varying, Lat::Const))
    }

    fn run(&mut self, roots: &[crate::ir::Region]) {
        for &r in roots {
            if let Some(e) = self.b.first_block(r) {
                self.reach(e);
                let args: Vec<Value> = self.b.block_args(e).to_vec();
                self.varying_all(args);
            }
        }
        loop {
            if let Some(op) = self.ops.pop() {
                self.visit(op);
            } else if let Some(blk) = self.blocks.pop() {
                let ops: Vec<Op> = self.b.block_ops(blk).collect();
                self.ops.extend(ops.into_iter().rev());
            } else {
                break;
            }
        }
    }
}

/// The successor index of `cf.switch` for flag `k`.
fn switch_case(ctx: &Context, b: &Body, op: Op, k: i64) -> usize {
    if let Some(AttrData::Array(cases)) = ctx.dict_get(b.op(op).attrs, "case_values").map(|a| ctx.attr_data(a)) {
        for (i, c) in cases.iter().enumerate() {
            if let AttrData::Int { value, .. } = ctx.attr_data(*c) {
                if *value as i64 == k {
                    return i + 1;
                }
            }
        }
    }
    0
}

impl Pass for Sccp {
    fn run(&mut self, ctx: &mut Context, module: &mut Module, func: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let Some(body) = module.body(func.body).inner_body(func.op) else { return Ok(false) };
        let codes = Codes {
            block: ctx.lookup_op("wasm.block"),
            loop_: ctx.lookup_op("wasm.loop"),
            if_: ctx.lookup_op("wasm.if"),
            yield_: ctx.lookup_op("wasm.yield"),
            br: ctx.lookup_op("wasm.br"),
            br_if: ctx.lookup_op("wasm.br_if"),
            cf_br: ctx.lookup_op("cf.br"),
            cond_br: ctx.lookup_op("cf.cond_br"),
            switch: ctx.lookup_op("cf.switch"),
        };
        // Solve, then collect the values found constant that are not constants already.
        let found: Vec<(Value, i64)> = {
            let b = module.body(body);
            let roots = b.roots().to_vec();
            let mut s = Solver { ctx, b, codes, lat: SecondaryMap::new(), live: SecondaryMap::new(), ops: Vec::new(), blocks: Vec::new() };
            s.run(&roots);
            let mut found = Vec::new();
            for op in super::walk::preorder(b, &roots) {
                let is_const = ctx.op_name(b.opcode(op)).ends_with(".const");
                if !is_const {
                    for r in b.results(op) {
                        if let Lat::Const(k) = s.lat[r] {
                            found.push((r, k));
                        }
                    }
                }
                for &reg in b.regions(op) {
                    for blk in b.region_blocks(reg) {
                        for &a in b.block_args(blk) {
                            if let Lat::Const(k) = s.lat[a] {
                                found.push((a, k));
                            }
                        }
                    }
                }
            }
            for &r in &roots {
                for blk in b.region_blocks(r).skip(1) {
                    for &a in b.block_args(blk) {
                        if let Lat::Const(k) = s.lat[a] {
                            found.push((a, k));
                        }
                    }
                }
            }
            found.retain(|&(v, _)| module.body(body).has_uses(v));
            found
        };
        let mut n = 0u64;
        for (v, k) in found {
            let ty = module.body(body).value_type(v);
            if ty != ctx.i32() && ty != ctx.i64() {
                continue;
            }
            let c = materialize(ctx, module, body, v, ty, k);
            module.body_mut(body).replace_all_uses(v, c);
            n += 1;
        }
        stats.add("values made constant", n);
        Ok(n > 0)
    }
}

/// A constant op for `v`'s value, placed where `v` becomes available: after its op, or first in
/// its block.
fn materialize(ctx: &mut Context, module: &mut Module, body: BodyId, v: Value, ty: Type, k: i64) -> Value {
    let name = if ty == ctx.i64() { "wasm.i64.const" } else { "wasm.i32.const" };
    let code = ctx.op_code(name);
    let a = ctx.int_attr(k as i128, ty);
    let key = ctx.ident("value");
    let attrs = ctx.dict_attr(vec![(key, a)]);
    let b = module.body_mut(body);
    let (loc, place) = match b.value_def(v) {
        ValueDef::Result(op, _) => (b.op(op).loc, Place::After(op)),
        ValueDef::Arg(blk, _) => (ctx.unknown_loc(), Place::First(blk)),
        ValueDef::Placeholder => (ctx.unknown_loc(), Place::None),
    };
    let op = b.create_op(code, &[], &[ty], &[], &[], None, attrs, loc);
    match place {
        Place::After(o) => b.insert_op_after(op, o),
        Place::First(blk) => match b.first_op(blk) {
            Some(f) => b.insert_op_before(op, f),
            None => b.append_op(blk, op),
        },
        Place::None => {}
    }
    b.result(op, 0)
}

enum Place {
    After(Op),
    First(Block),
    None,
}
