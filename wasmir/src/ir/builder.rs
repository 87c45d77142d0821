//! Building and rewriting: an insertion-point builder, plus the module-level rewrites that cross
//! regions (erase an op with everything nested in it, clone a region).
use super::body::{Body, SuccSpec, ValueDef};
use super::context::Context;
use super::entities::*;
use super::module::{Module, OpRef};
use crate::dialect::TypeConstraint;
use rustc_hash::FxHashMap;

/// Where the next op goes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum InsertPoint {
    /// At the end of the block.
    End(Block),
    /// Right before the op.
    Before(Op),
    /// Nowhere: ops are created detached.
    Detached,
}

/// Creates ops at an insertion point in one body.
pub struct Builder<'a> {
    pub ctx: &'a mut Context,
    pub module: &'a mut Module,
    pub body: BodyId,
    pub ip: InsertPoint,
    pub loc: Loc,
}

impl<'a> Builder<'a> {
    pub fn new(ctx: &'a mut Context, module: &'a mut Module, body: BodyId, ip: InsertPoint) -> Self {
        let loc = ctx.unknown_loc();
        Builder { ctx, module, body, ip, loc }
    }

    /// A builder at the end of the module's top-level block.
    pub fn at_module_end(ctx: &'a mut Context, module: &'a mut Module) -> Self {
        let (body, block) = module.module_block().expect("module has a block");
        Self::new(ctx, module, body, InsertPoint::End(block))
    }

    pub fn b(&mut self) -> &mut Body {
        &mut self.module.bodies[self.body]
    }

    fn place(&mut self, op: Op) {
        let ip = self.ip;
        let body = self.b();
        match ip {
            InsertPoint::End(b) => body.append_op(b, op),
            InsertPoint::Before(o) => body.insert_op_before(op, o),
            InsertPoint::Detached => {}
        }
    }

    /// Creates and inserts an op with all parts given; `name` must be registered or the op is kept
    /// as an unregistered op.
    pub fn create(
        &mut self,
        name: &str,
        operands: &[Value],
        result_types: &[Type],
        attrs: &[(&str, Attr)],
        successors: &[SuccSpec<'_>],
        regions: &[Region],
    ) -> Op {
        let code = self.ctx.op_code(name);
        let entries: Vec<(Ident, Attr)> = attrs.iter().map(|(k, v)| (self.ctx.ident(k), *v)).collect();
        let dict = self.ctx.dict_attr(entries);
        let loc = self.loc;
        let op = self.module.bodies[self.body].create_op(code, operands, result_types, successors, regions, None, dict, loc);
        self.place(op);
        op
    }

    /// Creates a registered op whose result types are fixed by its definition (e.g. every
    /// numeric `wasm` op) and returns its first result.
    pub fn fixed(&mut self, name: &str, operands: &[Value]) -> Value {
        let def = self.ctx.op_def(self.ctx.lookup_op(name).expect("op is registered")).expect("registered");
        let tys: Vec<Type> = def.results.iter().map(|r| fixed_type(self.ctx, r.ty).expect("fixed result type")).collect();
        let op = self.create(name, operands, &tys, &[], &[], &[]);
        self.module.bodies[self.body].result(op, 0)
    }

    pub fn i32_const(&mut self, v: i32) -> Value {
        let ty = self.ctx.i32();
        let a = self.ctx.int_attr(v as i128, ty);
        let op = self.create("wasm.i32.const", &[], &[ty], &[("value", a)], &[], &[]);
        self.module.bodies[self.body].result(op, 0)
    }

    pub fn i64_const(&mut self, v: i64) -> Value {
        let ty = self.ctx.i64();
        let a = self.ctx.int_attr(v as i128, ty);
        let op = self.create("wasm.i64.const", &[], &[ty], &[("value", a)], &[], &[]);
        self.module.bodies[self.body].result(op, 0)
    }

    /// Creates `func.func @name` with a body; returns the op, its body and its entry block (whose
    /// arguments are the parameters). The builder keeps its own insertion point.
    pub fn func(&mut self, name: &str, params: &[Type], results: &[Type], export: Option<&str>) -> (OpRef, BodyId, Block) {
        let fty = self.ctx.function_type(params, results);
        let mut attrs = vec![("sym_name", self.ctx.string_attr(name)), ("function_type", self.ctx.type_attr(fty))];
        if let Some(e) = export {
            attrs.push(("export", self.ctx.string_attr(e)));
        }
        let code = self.ctx.op_code("func.func");
        let entries: Vec<(Ident, Attr)> = attrs.iter().map(|(k, v)| (self.ctx.ident(k), *v)).collect();
        let dict = self.ctx.dict_attr(entries);
        let inner = self.module.new_body(None);
        let region = self.module.add_root_region(inner);
        let ib = &mut self.module.bodies[inner];
        let entry = ib.create_block();
        ib.append_block(region, entry);
        for &p in params {
            ib.add_block_arg(entry, p);
        }
        let loc = self.loc;
        let op = self.module.bodies[self.body].create_op(code, &[], &[], &[], &[region], Some(inner), dict, loc);
        self.module.bodies[inner].owner = Some((self.body, op));
        self.place(op);
        (OpRef { body: self.body, op }, inner, entry)
    }
}

impl Builder<'_> {
    /// Creates a private function declaration (no body) `func.func private @name(…) -> …` with
    /// extra attributes (`import`).
    pub fn func_decl(&mut self, name: &str, fty: Type, extra: &[(&str, Attr)]) -> OpRef {
        let mut attrs = vec![
            ("sym_name", self.ctx.string_attr(name)),
            ("function_type", self.ctx.type_attr(fty)),
            ("sym_visibility", self.ctx.string_attr("private")),
        ];
        attrs.extend_from_slice(extra);
        let code = self.ctx.op_code("func.func");
        let entries: Vec<(Ident, Attr)> = attrs.iter().map(|(k, v)| (self.ctx.ident(k), *v)).collect();
        let dict = self.ctx.dict_attr(entries);
        let inner = self.module.new_body(None);
        let region = self.module.add_root_region(inner);
        let loc = self.loc;
        let op = self.module.bodies[self.body].create_op(code, &[], &[], &[], &[region], Some(inner), dict, loc);
        self.module.bodies[inner].owner = Some((self.body, op));
        self.place(op);
        OpRef { body: self.body, op }
    }
}

/// The concrete type a constraint names, if it names exactly one.
pub fn fixed_type(ctx: &Context, c: TypeConstraint) -> Option<Type> {
    Some(match c {
        TypeConstraint::I32 => ctx.i32(),
        TypeConstraint::I64 => ctx.i64(),
        TypeConstraint::F32 => ctx.f32(),
        TypeConstraint::F64 => ctx.f64(),
        TypeConstraint::V128 => ctx.v128(),
        TypeConstraint::Label => ctx.label_type(),
        TypeConstraint::Local => ctx.local_type(),
        _ => return None,
    })
}

/// Why a rewrite was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RewriteError {
    /// A result of the op to erase is still used.
    ResultStillUsed(Value),
}

impl std::fmt::Display for RewriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RewriteError::ResultStillUsed(v) => write!(f, "cannot erase an op whose result {v} is still used"),
        }
    }
}

impl Module {
    /// Erases `op` and everything nested in it. Refused while a result is still used.
    pub fn erase_op(&mut self, op: OpRef) -> Result<(), RewriteError> {
        let body = &self.bodies[op.body];
        if let Some(v) = body.results(op.op).find(|&v| body.has_uses(v)) {
            return Err(RewriteError::ResultStillUsed(v));
        }
        // Drop every reference made from inside the op, so values outside it forget these uses.
        let mut work = vec![op];
        let mut dead_bodies = Vec::new();
        while let Some(o) = work.pop() {
            self.bodies[o.body].drop_references(o.op);
            if let Some(inner) = self.bodies[o.body].inner_body(o.op) {
                dead_bodies.push(inner);
            }
            let rb = self.regions_body(o);
            let regions: Vec<Region> = self.bodies[o.body].regions(o.op).to_vec();
            for r in regions {
                let blocks: Vec<Block> = self.bodies[rb].region_blocks(r).collect();
                for b in blocks {
                    let ops: Vec<Op> = self.bodies[rb].block_ops(b).collect();
                    work.extend(ops.into_iter().map(|x| OpRef { body: rb, op: x }));
                }
            }
        }
        self.bodies[op.body].detach_op(op.op);
        for b in dead_bodies {
            // The slot stays (handles are never reused) but its storage is freed.
            self.bodies[b] = Body::new();
        }
        Ok(())
    }

    /// Moves `op` to just before `before` (same body).
    pub fn move_op_before(&mut self, body: BodyId, op: Op, before: Op) {
        let b = &mut self.bodies[body];
        b.detach_op(op);
        b.insert_op_before(op, before);
    }

    /// Appends clones of `src`'s blocks to `dst` (a region of the same body). Values defined
    /// outside `src` are read through `map` when present, else used as they are; `map` is
    /// extended with every cloned value. Nested isolated bodies are cloned whole.
    pub fn clone_region(&mut self, body: BodyId, src: Region, dst: Region, map: &mut FxHashMap<Value, Value>) {
        let mut block_map: FxHashMap<Block, Block> = FxHashMap::default();
        // Pairs (source region, destination region) still to clone, in order.
        let mut regions = vec![(src, dst)];
        let mut fixups: Vec<(Value, Value)> = Vec::new();
        let mut i = 0;
        while i < regions.len() {
            let (s, d) = regions[i];
            i += 1;
            let blocks: Vec<Block> = self.bodies[body].region_blocks(s).collect();
            for &b in &blocks {
                let nb = self.bodies[body].create_block();
                self.bodies[body].append_block(d, nb);
                let name = self.bodies[body].block_name(b);
                self.bodies[body].set_block_name(nb, name);
                let args: Vec<Value> = self.bodies[body].block_args(b).to_vec();
                for a in args {
                    let ty = self.bodies[body].value_type(a);
                    let na = self.bodies[body].add_block_arg(nb, ty);
                    let name = self.bodies[body].value_name(a);
                    self.bodies[body].set_value_name(na, name);
                    map.insert(a, na);
                }
                block_map.insert(b, nb);
            }
            for &b in &blocks {
                let nb = block_map[&b];
                let ops: Vec<Op> = self.bodies[body].block_ops(b).collect();
                for op in ops {
                    let new = self.clone_op_shallow(body, op, map, &block_map, &mut fixups, &mut regions);
                    self.bodies[body].append_op(nb, new);
                }
            }
        }
        // Operands that referred to values defined later in the region.
        for (placeholder, orig) in fixups {
            let real = map.get(&orig).copied().unwrap_or(orig);
            self.bodies[body].replace_all_uses(placeholder, real);
        }
    }

    fn clone_op_shallow(
        &mut self,
        body: BodyId,
        op: Op,
        map: &mut FxHashMap<Value, Value>,
        block_map: &FxHashMap<Block, Block>,
        fixups: &mut Vec<(Value, Value)>,
        regions: &mut Vec<(Region, Region)>,
    ) -> Op {
        let b = &mut self.bodies[body];
        let mut resolve = |b: &mut Body, v: Value| -> Value {
            if let Some(&m) = map.get(&v) {
                return m;
            }
            // Defined inside the region but later in layout order: patch once it is cloned.
            let inside = !matches!(b.value_def(v), ValueDef::Placeholder);
            if inside {
                let ph = b.create_placeholder(b.value_type(v));
                fixups.push((ph, v));
                ph
            } else {
                v
            }
        };
        let operands: Vec<Value> = b.operands(op).collect();
        let operands: Vec<Value> = operands.into_iter().map(|v| resolve(b, v)).collect();
        let succs: Vec<Succ> = b.successors(op).to_vec();
        let mut succ_args: Vec<(Block, Vec<Value>)> = Vec::new();
        for s in succs {
            let blk = b.succ_block(s);
            let args: Vec<Value> = b.succ_args(s).collect();
            let args = args.into_iter().map(|v| resolve(b, v)).collect();
            succ_args.push((*block_map.get(&blk).unwrap_or(&blk), args));
        }
        let specs: Vec<SuccSpec<'_>> = succ_args.iter().map(|(blk, a)| SuccSpec { block: *blk, args: a }).collect();
        let tys: Vec<Type> = b.results(op).map(|v| b.value_type(v)).collect();
        let data = b.op(op).clone();
        let old_regions: Vec<Region> = b.regions(op).to_vec();
        let inner = b.inner_body(op);
        let new_regions: Vec<Region> = match inner {
            Some(_) => Vec::new(),
            None => old_regions.iter().map(|_| b.create_region()).collect(),
        };
        let new_inner = inner.map(|ib| {
            let copy = self.bodies[ib].clone();
            self.bodies.push(copy)
        });
        let b = &mut self.bodies[body];
        let regions_for_op: Vec<Region> = if inner.is_some() { old_regions.clone() } else { new_regions.clone() };
        let new = b.create_op(data.opcode, &operands, &tys, &specs, &regions_for_op, new_inner, data.attrs, data.loc);
        if let Some(span) = b.op_span(op) {
            b.set_op_span(new, span);
        }
        let old_results: Vec<Value> = b.results(op).collect();
        for (i, r) in old_results.into_iter().enumerate() {
            let nr = b.result(new, i);
            let name = b.value_name(r);
            b.set_value_name(nr, name);
            map.insert(r, nr);
        }
        if let Some(ni) = new_inner {
            self.bodies[ni].owner = Some((body, new));
            // Nested isolated bodies inside the copy still point at the original bodies.
            self.deep_copy_nested_bodies(ni);
        } else {
            regions.extend(old_regions.into_iter().zip(new_regions));
        }
        new
    }

    /// After cloning body `b` wholesale, gives each isolated op inside it its own copy of its body.
    fn deep_copy_nested_bodies(&mut self, b: BodyId) {
        let mut work = vec![b];
        while let Some(cur) = work.pop() {
            let n = self.bodies[cur].num_ops();
            for i in 0..n {
                let op = Op::from_u32(i as u32);
                if let Some(ib) = self.bodies[cur].inner_body(op) {
                    let copy = self.bodies[ib].clone();
                    let nb = self.bodies.push(copy);
                    self.bodies[nb].owner = Some((cur, op));
                    self.bodies[cur].op_mut(op).inner = nb.into();
                    work.push(nb);
                }
            }
        }
    }
}

