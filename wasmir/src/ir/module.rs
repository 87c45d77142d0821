//! A module: the bodies of one program and the `builtin.module` op at its root.
use super::body::Body;
use super::context::Context;
use super::entities::*;
use crate::dialect::builtin::{FORMAT_VERSION, VERSION_ATTR};
use cranelift_entity::PrimaryMap;

/// An op anywhere in a module: its body and its handle there.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct OpRef {
    pub body: BodyId,
    pub op: Op,
}

#[derive(Clone)]
pub struct Module {
    pub bodies: PrimaryMap<BodyId, Body>,
    /// The body holding the module op (and nothing else).
    pub top: BodyId,
    /// The `builtin.module` op.
    pub op: Op,
}

impl Module {
    /// An empty module with the current format version, one block ready for functions.
    pub fn new(ctx: &mut Context) -> Module {
        let code = ctx.lookup_op("builtin.module").expect("the builtin dialect is registered");
        let key = ctx.ident(VERSION_ATTR);
        let ver = ctx.string_attr(&format!("{}.{}", FORMAT_VERSION.0, FORMAT_VERSION.1));
        let attrs = ctx.dict_attr(vec![(key, ver)]);
        let mut bodies = PrimaryMap::new();
        let top = bodies.push(Body::new());
        let inner = bodies.push(Body::new());
        let region = bodies[inner].create_region();
        let block = bodies[inner].create_block();
        bodies[inner].append_block(region, block);
        let loc = ctx.unknown_loc();
        let op = bodies[top].create_op(code, &[], &[], &[], &[region], Some(inner), attrs, loc);
        bodies[inner].owner = Some((top, op));
        bodies[inner].roots.push(region);
        Module { bodies, top, op }
    }

    pub fn module_op(&self) -> OpRef {
        OpRef { body: self.top, op: self.op }
    }

    /// The body and block that hold the module's top-level items.
    pub fn module_block(&self) -> Option<(BodyId, Block)> {
        let inner = self.bodies[self.top].inner_body(self.op)?;
        let r = *self.bodies[self.top].regions(self.op).first()?;
        Some((inner, self.bodies[inner].first_block(r)?))
    }

    pub fn body(&self, b: BodyId) -> &Body {
        &self.bodies[b]
    }
    pub fn body_mut(&mut self, b: BodyId) -> &mut Body {
        &mut self.bodies[b]
    }

    /// A new empty body whose root regions belong to `owner`.
    pub fn new_body(&mut self, owner: Option<OpRef>) -> BodyId {
        let b = self.bodies.push(Body::new());
        self.bodies[b].owner = owner.map(|o| (o.body, o.op));
        b
    }

    /// Adds a root region to `body` (the regions of its isolated owner op).
    pub fn add_root_region(&mut self, body: BodyId) -> Region {
        let r = self.bodies[body].create_region();
        self.bodies[body].roots.push(r);
        r
    }

    /// Exchanges the contents of two bodies, each slot keeping its owner: how a function's body
    /// is replaced wholesale by one built beside it.
    pub fn swap_bodies(&mut self, a: BodyId, b: BodyId) {
        if a == b {
            return;
        }
        let (oa, ob) = (self.bodies[a].owner, self.bodies[b].owner);
        let tmp = std::mem::take(&mut self.bodies[a]);
        self.bodies[a] = std::mem::replace(&mut self.bodies[b], tmp);
        self.bodies[a].owner = oa;
        self.bodies[b].owner = ob;
    }

    /// The body in which `op`'s regions live.
    pub fn regions_body(&self, op: OpRef) -> BodyId {
        self.bodies[op.body].inner_body(op.op).unwrap_or(op.body)
    }

    /// The op containing `op`, crossing into the enclosing body at an isolated boundary.
    pub fn parent_op(&self, op: OpRef) -> Option<OpRef> {
        let body = &self.bodies[op.body];
        let block = body.block_of(op.op)?;
        let region = body.region_of(block)?;
        match body.region_parent(region) {
            Some(p) => Some(OpRef { body: op.body, op: p }),
            None => body.owner.map(|(b, o)| OpRef { body: b, op: o }),
        }
    }

    /// Calls `f` on every op in pre-order (an op before the ops in its regions), iteratively.
    pub fn walk(&self, f: impl FnMut(OpRef)) {
        self.walk_op(OpRef { body: self.top, op: self.op }, f)
    }

    /// Calls `f` on `start` and every op nested in it (through isolated bodies too), in
    /// program order, without recursion.
    pub fn walk_op(&self, start: OpRef, mut f: impl FnMut(OpRef)) {
        let mut stack: Vec<(BodyId, Option<Op>)> = vec![(start.body, Some(start.op))];
        while let Some((b, cur)) = stack.pop() {
            let Some(op) = cur else { continue };
            let body = &self.bodies[b];
            f(OpRef { body: b, op });
            // Continue with the next sibling after this op's regions (the start op has none).
            let next = if b == start.body && op == start.op { None } else { body.next_op(op) };
            stack.push((b, next));
            let rb = body.inner_body(op).unwrap_or(b);
            let rbody = &self.bodies[rb];
            for &r in body.regions(op).iter().rev() {
                let blocks: Vec<Block> = rbody.region_blocks(r).collect();
                for &blk in blocks.iter().rev() {
                    stack.push((rb, rbody.first_op(blk)));
                }
            }
        }
    }

    /// Counts every op in the module.
    pub fn num_ops(&self) -> usize {
        let mut n = 0;
        self.walk(|_| n += 1);
        n
    }
}
