//! `lower-to-cfg`: structured wasm control flow to blocks with `cf` branches.
use super::cfg::{make, remove_unreachable_blocks};
use super::{Level, Pass, PassInfo, Statistics};
use crate::ir::{AttrData, Block, Body, BodyId, Context, Module, Op, OpRef, Region, SuccSpec, Type, Value};
use rustc_hash::FxHashMap;

pub const INFO: PassInfo = PassInfo {
    name: "lower-to-cfg",
    summary: "Turns structured wasm control flow into blocks with `cf.br`, `cf.cond_br` and `cf.switch`.",
    description: "`wasm.block`, `wasm.loop` and `wasm.if` dissolve into the function's region: the \
                  code after a structured op starts a new block whose arguments are the op's \
                  results, a loop's body starts a block whose arguments are the loop's parameters, \
                  and the arms of an `if` become blocks of their own. `wasm.br`, `wasm.br_if` and \
                  `wasm.br_table` become `cf.br`, `cf.cond_br` and `cf.switch` to those blocks, \
                  `wasm.yield` a `cf.br` to the block after its op, and `wasm.return` a \
                  `func.return`. The GC branches become tests and a `cf.cond_br`: `br_on_null` and \
                  `br_on_non_null` test with `wasm.ref.is_null` (the non-null value is \
                  `wasm.ref.as_non_null`, which cannot trap there), `br_on_cast` and \
                  `br_on_cast_fail` with `wasm.ref.test` (the cast value is `wasm.ref.cast`, which \
                  cannot fail there). Other ops are moved into the new blocks, not copied. \
                  Blocks that no path reaches are removed.\n\n\
                  CFG block arguments have exact types while wasm branches may pass a subtype of \
                  what their target takes, so such a reference is cast up to the target's type \
                  with `wasm.ref.cast` (which always succeeds).\n\n\
                  A function holding something a CFG cannot express is left as it is and counted \
                  in the statistic `functions left structured`: a `wasm.try_table`, whose catch \
                  clauses branch to labels from inside calls, or an op of another dialect with \
                  regions. The pass uses explicit work stacks (no recursion on nesting depth) and \
                  moves each op once.",
    level: Level::Function,
    options: &[],
    create: |opts| {
        super::no_options("lower-to-cfg", opts)?;
        Ok(Box::new(LowerToCfg))
    },
};

struct LowerToCfg;

/// What to do next on the work stack.
enum Frame {
    /// Lower the ops of a region's block from `next` on. `start` becomes the current block first;
    /// `wasm.yield` (falling off the end) branches to `exit`.
    Region { next: Option<Op>, start: Option<Block>, exit: Option<Block> },
    /// A structured op whose regions are done: erase it and go on in `cont`.
    Resume { op: Op, cont: Block },
}

struct Lowering<'a> {
    ctx: &'a mut Context,
    module: &'a mut Module,
    body: BodyId,
    /// The block that receives moved ops, `None` after a terminator.
    cur: Option<Block>,
    /// Blocks in the order they became current: the new layout of the region.
    order: Vec<Block>,
    /// Where a branch to each label goes.
    labels: FxHashMap<Value, Block>,
}

/// Why a function is left structured, if it is.
fn unsupported(ctx: &Context, body: &Body, region: Region) -> Option<String> {
    let mut regions = vec![region];
    while let Some(r) = regions.pop() {
        for blk in body.region_blocks(r) {
            for op in body.block_ops(blk) {
                let name = ctx.op_name(body.opcode(op));
                let nested = body.regions(op);
                if !nested.is_empty() && !matches!(name, "wasm.block" | "wasm.loop" | "wasm.if") {
                    return Some(name.to_string());
                }
                regions.extend_from_slice(nested);
            }
        }
    }
    None
}

/// Whether the function has anything to lower.
fn has_structure(ctx: &Context, body: &Body, region: Region) -> bool {
    body.region_blocks(region).any(|blk| {
        body.block_ops(blk).any(|op| {
            let name = ctx.op_name(body.opcode(op));
            matches!(name, "wasm.block" | "wasm.loop" | "wasm.if" | "wasm.return") || name.starts_with("wasm.br")
        })
    })
}

impl Pass for LowerToCfg {
    fn run(&mut self, ctx: &mut Context, module: &mut Module, func: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let Some(body_id) = module.body(func.body).inner_body(func.op) else { return Ok(false) };
        let Some(&region) = module.body(body_id).roots().first() else { return Ok(false) };
        if !has_structure(ctx, module.body(body_id), region) {
            return Ok(false);
        }
        if unsupported(ctx, module.body(body_id), region).is_some() {
            stats.add("functions left structured", 1);
            return Ok(false);
        }
        let blocks: Vec<Block> = module.body(body_id).region_blocks(region).collect();
        let mut l = Lowering { ctx, module, body: body_id, cur: None, order: Vec::new(), labels: FxHashMap::default() };
        for blk in blocks {
            // The block's ops wait in a detached block, so that ops moved into `blk` while it is
            // current never mix with those still to lower.
            let b = l.b();
            let hold = b.create_block();
            while let Some(op) = b.first_op(blk) {
                b.detach_op(op);
                b.append_op(hold, op);
            }
            l.cur = Some(blk);
            l.order.push(blk);
            let first = l.b().first_op(hold);
            l.lower(first)?;
        }
        let b = l.module.body_mut(body_id);
        for &blk in &l.order {
            b.detach_block(blk);
        }
        for &blk in &l.order {
            b.append_block(region, blk);
        }
        let removed = remove_unreachable_blocks(l.module, body_id, region)?;
        stats.add("functions lowered", 1);
        stats.add("unreachable blocks removed", removed as u64);
        Ok(true)
    }
}

impl Lowering<'_> {
    fn b(&mut self) -> &mut Body {
        self.module.body_mut(self.body)
    }

    fn name(&self, op: Op) -> &str {
        self.ctx.op_name(self.module.body(self.body).opcode(op))
    }

    /// A new block taking values of `types`.
    fn new_block(&mut self, types: &[Type]) -> Block {
        let b = self.b();
        let blk = b.create_block();
        for &t in types {
            b.add_block_arg(blk, t);
        }
        blk
    }

    fn enter(&mut self, blk: Block) {
        self.cur = Some(blk);
        self.order.push(blk);
    }

    fn current(&self, op: Op) -> Result<Block, String> {
        self.cur.ok_or_else(|| format!("`{}` follows a terminator in its block", self.name(op)))
    }

    /// Appends a detached op to the current block.
    fn emit(&mut self, at: Op, op: Op) -> Result<(), String> {
        let c = self.current(at)?;
        self.b().append_op(c, op);
        Ok(())
    }

    /// Creates `name` at the end of the current block with `at`'s location.
    fn op(&mut self, at: Op, name: &str, operands: &[Value], results: &[Type], succs: &[SuccSpec<'_>], attrs: &[(&str, crate::Attr)]) -> Result<Op, String> {
        let loc = self.b().op(at).loc;
        let op = make(self.ctx, self.module.body_mut(self.body), name, operands, results, succs, attrs, loc);
        self.emit(at, op)?;
        Ok(op)
    }

    /// `args` as block `target` takes them: a reference of a strict subtype is cast up, since
    /// block arguments have exact types.
    fn coerce(&mut self, at: Op, target: Block, args: &[Value]) -> Result<Vec<Value>, String> {
        let b = self.module.body(self.body);
        let want: Vec<Type> = b.block_args(target).iter().map(|&a| b.value_type(a)).collect();
        if want.len() != args.len() {
            return Err(format!("`{}` passes {} value(s) to a target that takes {}", self.name(at), args.len(), want.len()));
        }
        let mut out = Vec::with_capacity(args.len());
        for (&v, &t) in args.iter().zip(&want) {
            if self.module.body(self.body).value_type(v) == t {
                out.push(v);
            } else {
                let cast = self.op(at, "wasm.ref.cast", &[v], &[t], &[], &[])?;
                out.push(self.module.body(self.body).result(cast, 0));
            }
        }
        Ok(out)
    }

    fn target(&self, at: Op, label: Value) -> Result<Block, String> {
        self.labels.get(&label).copied().ok_or_else(|| format!("`{}` branches to a label of no enclosing structured op", self.name(at)))
    }

    /// Ends the current block with `cf.br target(args)`.
    fn br(&mut self, at: Op, target: Block, args: &[Value]) -> Result<(), String> {
        let args = self.coerce(at, target, args)?;
        self.op(at, "cf.br", &[], &[], &[SuccSpec { block: target, args: &args }], &[])?;
        self.cur = None;
        Ok(())
    }

    /// Ends the current block with `cf.cond_br cond, yes(yes_args), no(no_args)`.
    fn cond_br(&mut self, at: Op, cond: Value, yes: Block, yes_args: &[Value], no: Block, no_args: &[Value]) -> Result<(), String> {
        let ya = self.coerce(at, yes, yes_args)?;
        let na = self.coerce(at, no, no_args)?;
        self.op(at, "cf.cond_br", &[cond], &[], &[SuccSpec { block: yes, args: &ya }, SuccSpec { block: no, args: &na }], &[])?;
        self.cur = None;
        Ok(())
    }

    fn erase(&mut self, op: Op) -> Result<(), String> {
        self.module.erase_op(OpRef { body: self.body, op }).map_err(|e| e.to_string())
    }

    /// The label of a region (its entry's first argument, if it has one) now means `to`.
    fn bind_label(&mut self, region: Region, to: Block) -> Option<Block> {
        let b = self.module.body(self.body);
        let entry = b.first_block(region)?;
        if let Some(&l) = b.block_args(entry).first() {
            if b.value_type(l) == self.ctx.label_type() {
                self.labels.insert(l, to);
            }
        }
        Some(entry)
    }

    /// Lowers the ops from `first` on, and everything nested in them, with an explicit stack.
    fn lower(&mut self, first: Option<Op>) -> Result<(), String> {
        let mut stack = vec![Frame::Region { next: first, start: None, exit: None }];
        while let Some(frame) = stack.last_mut() {
            let (op, exit) = match frame {
                Frame::Resume { op, cont } => {
                    let (op, cont) = (*op, *cont);
                    stack.pop();
                    self.erase(op)?;
                    self.enter(cont);
                    continue;
                }
                Frame::Region { next, start, exit } => {
                    if let Some(s) = start.take() {
                        self.enter(s);
                    }
                    match *next {
                        Some(op) => {
                            *next = self.module.body(self.body).next_op(op);
                            (op, *exit)
                        }
                        None => {
                            // A region must end with a terminator; falling off an empty one is a
                            // yield of nothing.
                            let exit = *exit;
                            stack.pop();
                            if let (Some(c), Some(e)) = (self.cur, exit) {
                                let loc = self.ctx.unknown_loc();
                                let br = make(self.ctx, self.module.body_mut(self.body), "cf.br", &[], &[], &[SuccSpec { block: e, args: &[] }], &[], loc);
                                self.b().append_op(c, br);
                                self.cur = None;
                            }
                            continue;
                        }
                    }
                }
            };
            self.lower_op(op, exit, &mut stack)?;
        }
        Ok(())
    }

    fn lower_op(&mut self, op: Op, exit: Option<Block>, stack: &mut Vec<Frame>) -> Result<(), String> {
        let name = self.name(op).to_string();
        let b = self.module.body(self.body);
        let operands: Vec<Value> = b.operands(op).collect();
        let results: Vec<Value> = b.results(op).collect();
        let result_types: Vec<Type> = results.iter().map(|&v| b.value_type(v)).collect();
        let regions: Vec<Region> = b.regions(op).to_vec();
        match name.as_str() {
            "wasm.block" => {
                let cont = self.new_block(&result_types);
                self.replace_results(&results, cont);
                let entry = self.bind_label(regions[0], cont);
                stack.push(Frame::Resume { op, cont });
                let first = entry.and_then(|e| self.module.body(self.body).first_op(e));
                stack.push(Frame::Region { next: first, start: None, exit: Some(cont) });
            }
            "wasm.loop" => {
                let entry = self.module.body(self.body).first_block(regions[0]).ok_or("a `wasm.loop` without its block")?;
                let params: Vec<Value> = self.module.body(self.body).block_args(entry).iter().skip(1).copied().collect();
                let types: Vec<Type> = params.iter().map(|&v| self.module.body(self.body).value_type(v)).collect();
                let header = self.new_block(&types);
                let hargs: Vec<Value> = self.module.body(self.body).block_args(header).to_vec();
                for (&p, &h) in params.iter().zip(&hargs) {
                    self.b().replace_all_uses(p, h);
                }
                self.bind_label(regions[0], header);
                self.br(op, header, &operands)?;
                let cont = self.new_block(&result_types);
                self.replace_results(&results, cont);
                stack.push(Frame::Resume { op, cont });
                let first = self.module.body(self.body).first_op(entry);
                stack.push(Frame::Region { next: first, start: Some(header), exit: Some(cont) });
            }
            "wasm.if" => {
                let cont = self.new_block(&result_types);
                self.replace_results(&results, cont);
                let then_blk = self.new_block(&[]);
                let else_blk = if regions.len() > 1 { self.new_block(&[]) } else { cont };
                self.cond_br(op, operands[0], then_blk, &[], else_blk, &[])?;
                stack.push(Frame::Resume { op, cont });
                if regions.len() > 1 {
                    let e = self.bind_label(regions[1], cont);
                    let first = e.and_then(|e| self.module.body(self.body).first_op(e));
                    stack.push(Frame::Region { next: first, start: Some(else_blk), exit: Some(cont) });
                }
                let t = self.bind_label(regions[0], cont);
                let first = t.and_then(|e| self.module.body(self.body).first_op(e));
                stack.push(Frame::Region { next: first, start: Some(then_blk), exit: Some(cont) });
            }
            "wasm.yield" => {
                let e = exit.ok_or("`wasm.yield` outside a structured op")?;
                self.br(op, e, &operands)?;
                self.erase(op)?;
            }
            "wasm.br" => {
                let t = self.target(op, operands[0])?;
                self.br(op, t, &operands[1..])?;
                self.erase(op)?;
            }
            "wasm.br_if" => {
                let t = self.target(op, operands[0])?;
                let next = self.new_block(&[]);
                self.cond_br(op, operands[1], t, &operands[2..], next, &[])?;
                self.erase(op)?;
                self.enter(next);
            }
            "wasm.br_table" => self.br_table(op, &operands)?,
            "wasm.return" => {
                self.op(op, "func.return", &operands, &[], &[], &[])?;
                self.cur = None;
                self.erase(op)?;
            }
            "wasm.br_on_null" | "wasm.br_on_non_null" | "wasm.br_on_cast" | "wasm.br_on_cast_fail" => {
                self.br_on(op, &name, &operands, &results)?;
            }
            _ => {
                let c = self.current(op)?;
                let b = self.b();
                b.detach_op(op);
                b.append_op(c, op);
                let is_term = self.ctx.op_def(self.module.body(self.body).opcode(op)).is_some_and(|d| d.has(crate::dialect::Traits::TERMINATOR));
                if is_term {
                    self.cur = None;
                }
            }
        }
        Ok(())
    }

    fn replace_results(&mut self, results: &[Value], cont: Block) {
        let args: Vec<Value> = self.module.body(self.body).block_args(cont).to_vec();
        for (&r, &a) in results.iter().zip(&args) {
            self.b().replace_all_uses(r, a);
        }
    }

    /// `wasm.br_table %i, %l0, …, %default, args` → `cf.switch %i [default: …, 0: …, …]`.
    fn br_table(&mut self, op: Op, operands: &[Value]) -> Result<(), String> {
        let label = self.ctx.label_type();
        let b = self.module.body(self.body);
        let n = operands[1..].iter().take_while(|&&v| b.value_type(v) == label).count();
        if n == 0 {
            return Err("`wasm.br_table` without a target".into());
        }
        let (labels, args) = (&operands[1..1 + n], &operands[1 + n..]);
        let mut targets = Vec::with_capacity(n);
        for &l in labels {
            let t = self.target(op, l)?;
            targets.push((t, self.coerce(op, t, args)?));
        }
        // The default first, then one case per table entry.
        targets.rotate_right(1);
        let i32t = self.ctx.i32();
        let cases: Vec<crate::Attr> = (0..n - 1).map(|i| self.ctx.int_attr(i as i128, i32t)).collect();
        let cases = self.ctx.attr(AttrData::Array(cases.into()));
        let specs: Vec<SuccSpec<'_>> = targets.iter().map(|(t, a)| SuccSpec { block: *t, args: a }).collect();
        let loc = self.b().op(op).loc;
        let sw = make(self.ctx, self.module.body_mut(self.body), "cf.switch", &operands[..1], &[], &specs, &[("case_values", cases)], loc);
        self.emit(op, sw)?;
        self.cur = None;
        self.erase(op)
    }

    /// The GC branches: a test, a `cf.cond_br`, and the value each side sees made explicit.
    fn br_on(&mut self, op: Op, name: &str, operands: &[Value], results: &[Value]) -> Result<(), String> {
        let t = self.target(op, operands[0])?;
        let r = operands[1];
        let args = &operands[2..];
        let loc = self.b().op(op).loc;
        let i32t = self.ctx.i32();
        let rty = self.module.body(self.body).value_type(r);
        // The type the branch passes (its last value) is the target's last argument, up to
        // subtyping; the type going on is the op's result.
        let taken_ty = self.module.body(self.body).block_args(t).last().map(|&a| self.module.body(self.body).value_type(a));
        let (test, branch_if_true) = match name {
            "wasm.br_on_null" | "wasm.br_on_non_null" => {
                let z = self.op(op, "wasm.ref.is_null", &[r], &[i32t], &[], &[])?;
                (self.module.body(self.body).result(z, 0), name == "wasm.br_on_null")
            }
            _ => {
                let to = match self.ctx.dict_get(self.module.body(self.body).op(op).attrs, "to").map(|a| self.ctx.attr_data(a)) {
                    Some(AttrData::Type(to)) => *to,
                    _ => return Err(format!("`{name}` without its `to` type")),
                };
                let to_attr = self.ctx.type_attr(to);
                let z = self.op(op, "wasm.ref.test", &[r], &[i32t], &[], &[("to", to_attr)])?;
                (self.module.body(self.body).result(z, 0), name == "wasm.br_on_cast")
            }
        };
        let taken = self.new_block(&[]);
        let goes_on = self.new_block(&[]);
        let (yes, no) = if branch_if_true { (taken, goes_on) } else { (goes_on, taken) };
        let c = self.current(op)?;
        let cb = make(self.ctx, self.module.body_mut(self.body), "cf.cond_br", &[test], &[], &[SuccSpec { block: yes, args: &[] }, SuccSpec { block: no, args: &[] }], &[], loc);
        self.b().append_op(c, cb);
        // The taken side: br_on_null passes only the arguments; the others add the reference,
        // non-null or cast.
        self.enter(taken);
        let mut passed = args.to_vec();
        if name != "wasm.br_on_null" {
            let ty = taken_ty.ok_or_else(|| format!("the target of `{name}` takes no reference"))?;
            passed.push(self.refine(op, r, rty, ty)?);
        }
        self.br(op, t, &passed)?;
        // Going on: the result, if any, is the reference refined to the result's type.
        self.enter(goes_on);
        if let Some(&res) = results.first() {
            let ty = self.module.body(self.body).value_type(res);
            let v = self.refine(op, r, rty, ty)?;
            self.b().replace_all_uses(res, v);
        }
        self.erase(op)
    }

    /// `r` (of type `have`) as a `want`, on a path where it is known to be one: itself, its
    /// non-null version, or a cast that cannot fail.
    fn refine(&mut self, at: Op, r: Value, have: Type, want: Type) -> Result<Value, String> {
        if have == want {
            return Ok(r);
        }
        let non_null = match (self.ctx.ref_parts(have), self.ctx.ref_parts(want)) {
            (Some((true, e1, h1)), Some((false, e2, h2))) => e1 == e2 && h1 == h2,
            _ => false,
        };
        let name = if non_null { "wasm.ref.as_non_null" } else { "wasm.ref.cast" };
        let op = self.op(at, name, &[r], &[want], &[], &[])?;
        Ok(self.module.body(self.body).result(op, 0))
    }
}
