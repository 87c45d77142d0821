//! A body: the arena that holds the ops, values, blocks and regions of one isolated scope, with
//! the layout (op order in blocks, block order in regions) kept apart from the entity data.
use super::entities::*;
use crate::diag::Span;
use cranelift_entity::packed_option::PackedOption;
use cranelift_entity::{EntityList, ListPool, PrimaryMap, SecondaryMap};

/// What an op is: everything but its position.
#[derive(Clone)]
pub struct OpData {
    pub opcode: OpCode,
    /// Operands that are not successor arguments.
    pub(crate) operands: EntityList<Use>,
    pub(crate) first_result: PackedOption<Value>,
    pub(crate) num_results: u32,
    pub(crate) successors: EntityList<Succ>,
    pub(crate) regions: EntityList<Region>,
    /// For `IsolatedFromAbove` ops: the body that holds `regions`. Otherwise they are in this body.
    pub(crate) inner: PackedOption<BodyId>,
    /// A dictionary attribute.
    pub attrs: Attr,
    pub loc: Loc,
}

#[derive(Clone, Copy, Default)]
struct OpLink {
    prev: PackedOption<Op>,
    next: PackedOption<Op>,
    block: PackedOption<Block>,
}

/// Where a value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueDef {
    Result(Op, u32),
    Arg(Block, u32),
    /// A value referenced before its definition was seen (parser-only; replaced when defined).
    Placeholder,
}

#[derive(Clone)]
pub struct ValueData {
    pub ty: Type,
    pub def: ValueDef,
    first_use: PackedOption<Use>,
}

#[derive(Clone, Copy)]
pub struct UseData {
    pub value: Value,
    pub user: Op,
    prev: PackedOption<Use>,
    next: PackedOption<Use>,
}

#[derive(Clone)]
pub struct SuccData {
    pub block: Block,
    pub(crate) args: EntityList<Use>,
    /// The terminator this successor belongs to.
    pub owner: Op,
}

#[derive(Clone, Default)]
pub struct BlockData {
    pub(crate) args: EntityList<Value>,
    first_op: PackedOption<Op>,
    last_op: PackedOption<Op>,
    region: PackedOption<Region>,
    prev: PackedOption<Block>,
    next: PackedOption<Block>,
}

#[derive(Clone, Default)]
pub struct RegionData {
    /// The op owning this region, when it is in the same body (`None` for a body's root regions:
    /// their owner is [`Body::owner`]).
    parent: PackedOption<Op>,
    first_block: PackedOption<Block>,
    last_block: PackedOption<Block>,
}

/// One isolated scope's arena.
#[derive(Default, Clone)]
pub struct Body {
    ops: PrimaryMap<Op, OpData>,
    op_links: SecondaryMap<Op, OpLink>,
    values: PrimaryMap<Value, ValueData>,
    uses: PrimaryMap<Use, UseData>,
    succs: PrimaryMap<Succ, SuccData>,
    blocks: PrimaryMap<Block, BlockData>,
    regions: PrimaryMap<Region, RegionData>,
    use_pool: ListPool<Use>,
    value_pool: ListPool<Value>,
    succ_pool: ListPool<Succ>,
    region_pool: ListPool<Region>,
    /// Names given in the text (`%sum`, `^loop`), kept so they survive a round trip.
    value_names: SecondaryMap<Value, PackedOption<Ident>>,
    block_names: SecondaryMap<Block, PackedOption<Ident>>,
    /// Byte spans in the parsed text, for diagnostics.
    op_spans: SecondaryMap<Op, Span>,
    value_spans: SecondaryMap<Value, Span>,
    block_spans: SecondaryMap<Block, Span>,
    /// Source locations of block arguments (function parameters included).
    arg_locs: SecondaryMap<Value, PackedOption<Loc>>,
    /// The op (in another body) whose regions are this body's roots.
    pub(crate) owner: Option<(BodyId, Op)>,
    pub(crate) roots: Vec<Region>,
}

/// A successor with its arguments, for creating ops.
pub struct SuccSpec<'a> {
    pub block: Block,
    pub args: &'a [Value],
}

impl Body {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes room for about `ops` more ops (with as many values and twice as many uses), so a
    /// producer that knows its size (the wasm importer) does not regrow the arenas.
    pub fn reserve(&mut self, ops: usize) {
        self.ops.reserve(ops);
        self.values.reserve(ops);
        self.uses.reserve(ops * 2);
    }

    // ---------------- creation ----------------

    /// Creates a detached op. `regions` are regions of this body, or of `inner` when given.
    #[allow(clippy::too_many_arguments)]
    pub fn create_op(
        &mut self,
        opcode: OpCode,
        operands: &[Value],
        result_types: &[Type],
        successors: &[SuccSpec<'_>],
        regions: &[Region],
        inner: Option<BodyId>,
        attrs: Attr,
        loc: Loc,
    ) -> Op {
        let op = self.ops.push(OpData {
            opcode,
            operands: EntityList::new(),
            first_result: PackedOption::default(),
            num_results: result_types.len() as u32,
            successors: EntityList::new(),
            regions: EntityList::new(),
            inner: inner.into(),
            attrs,
            loc,
        });
        let mut list = EntityList::new();
        for &v in operands {
            let u = self.new_use(v, op);
            list.push(u, &mut self.use_pool);
        }
        self.ops[op].operands = list;
        for (i, &ty) in result_types.iter().enumerate() {
            let v = self.values.push(ValueData {
                ty,
                def: ValueDef::Result(op, i as u32),
                first_use: None.into(),
            });
            if i == 0 {
                self.ops[op].first_result = v.into();
            }
        }
        let mut slist = EntityList::new();
        for s in successors {
            let mut args = EntityList::new();
            for &v in s.args {
                let u = self.new_use(v, op);
                args.push(u, &mut self.use_pool);
            }
            let sc = self.succs.push(SuccData { block: s.block, args, owner: op });
            slist.push(sc, &mut self.succ_pool);
        }
        self.ops[op].successors = slist;
        self.ops[op].regions = EntityList::from_slice(regions, &mut self.region_pool);
        if inner.is_none() {
            for &r in regions {
                self.regions[r].parent = op.into();
            }
        }
        op
    }

    /// Appends a region of this body to an op whose regions are in this body (`} else {`).
    pub fn add_region(&mut self, op: Op, region: Region) {
        debug_assert!(self.ops[op].inner.is_none(), "an isolated op's regions live in its own body");
        self.ops[op].regions.push(region, &mut self.region_pool);
        self.regions[region].parent = op.into();
    }

    pub fn create_block(&mut self) -> Block {
        self.blocks.push(BlockData::default())
    }

    pub fn add_block_arg(&mut self, block: Block, ty: Type) -> Value {
        let idx = self.blocks[block].args.len(&self.value_pool) as u32;
        let v = self.values.push(ValueData { ty, def: ValueDef::Arg(block, idx), first_use: None.into() });
        self.blocks[block].args.push(v, &mut self.value_pool);
        v
    }

    pub fn create_region(&mut self) -> Region {
        self.regions.push(RegionData::default())
    }

    /// A value with no definition yet, to be replaced with [`Body::replace_all_uses`].
    pub fn create_placeholder(&mut self, ty: Type) -> Value {
        self.values.push(ValueData { ty, def: ValueDef::Placeholder, first_use: None.into() })
    }

    fn new_use(&mut self, value: Value, user: Op) -> Use {
        let head = self.values[value].first_use;
        let u = self.uses.push(UseData { value, user, prev: None.into(), next: head });
        if let Some(h) = head.expand() {
            self.uses[h].prev = u.into();
        }
        self.values[value].first_use = u.into();
        u
    }

    fn unlink_use(&mut self, u: Use) {
        let UseData { value, prev, next, .. } = self.uses[u];
        // Already unlinked (its op's references were dropped before): unlinking again would cut
        // the value's whole use list.
        if prev.is_none() && self.values[value].first_use.expand() != Some(u) {
            return;
        }
        match prev.expand() {
            Some(p) => self.uses[p].next = next,
            None => self.values[value].first_use = next,
        }
        if let Some(n) = next.expand() {
            self.uses[n].prev = prev;
        }
        self.uses[u].prev = None.into();
        self.uses[u].next = None.into();
    }

    fn link_use(&mut self, u: Use, value: Value) {
        let head = self.values[value].first_use;
        self.uses[u] = UseData { value, user: self.uses[u].user, prev: None.into(), next: head };
        if let Some(h) = head.expand() {
            self.uses[h].prev = u.into();
        }
        self.values[value].first_use = u.into();
    }

    // ---------------- layout ----------------

    pub fn append_op(&mut self, block: Block, op: Op) {
        debug_assert!(self.op_links[op].block.is_none(), "op is already in a block");
        let last = self.blocks[block].last_op;
        self.op_links[op] = OpLink { prev: last, next: None.into(), block: block.into() };
        match last.expand() {
            Some(l) => self.op_links[l].next = op.into(),
            None => self.blocks[block].first_op = op.into(),
        }
        self.blocks[block].last_op = op.into();
    }

    pub fn insert_op_before(&mut self, op: Op, before: Op) {
        debug_assert!(self.op_links[op].block.is_none(), "op is already in a block");
        let block = self.op_links[before].block.expand().expect("anchor op is not in a block");
        let prev = self.op_links[before].prev;
        self.op_links[op] = OpLink { prev, next: before.into(), block: block.into() };
        self.op_links[before].prev = op.into();
        match prev.expand() {
            Some(p) => self.op_links[p].next = op.into(),
            None => self.blocks[block].first_op = op.into(),
        }
    }

    pub fn insert_op_after(&mut self, op: Op, after: Op) {
        match self.op_links[after].next.expand() {
            Some(n) => self.insert_op_before(op, n),
            None => {
                let block = self.op_links[after].block.expand().expect("anchor op is not in a block");
                self.append_op(block, op)
            }
        }
    }

    /// Removes `op` from its block without destroying it.
    pub fn detach_op(&mut self, op: Op) {
        let OpLink { prev, next, block } = self.op_links[op];
        let Some(block) = block.expand() else { return };
        match prev.expand() {
            Some(p) => self.op_links[p].next = next,
            None => self.blocks[block].first_op = next,
        }
        match next.expand() {
            Some(n) => self.op_links[n].prev = prev,
            None => self.blocks[block].last_op = prev,
        }
        self.op_links[op] = OpLink::default();
    }

    pub fn append_block(&mut self, region: Region, block: Block) {
        debug_assert!(self.blocks[block].region.is_none(), "block is already in a region");
        let last = self.regions[region].last_block;
        self.blocks[block].prev = last;
        self.blocks[block].next = None.into();
        self.blocks[block].region = region.into();
        match last.expand() {
            Some(l) => self.blocks[l].next = block.into(),
            None => self.regions[region].first_block = block.into(),
        }
        self.regions[region].last_block = block.into();
    }

    /// Places `block` right after `after`, in `after`'s region.
    pub fn insert_block_after(&mut self, block: Block, after: Block) {
        debug_assert!(self.blocks[block].region.is_none(), "block is already in a region");
        let region = self.blocks[after].region.expand().expect("anchor block is not in a region");
        let next = self.blocks[after].next;
        self.blocks[block].prev = after.into();
        self.blocks[block].next = next;
        self.blocks[block].region = region.into();
        self.blocks[after].next = block.into();
        match next.expand() {
            Some(n) => self.blocks[n].prev = block.into(),
            None => self.regions[region].last_block = block.into(),
        }
    }

    pub fn detach_block(&mut self, block: Block) {
        let Some(region) = self.blocks[block].region.expand() else { return };
        let (prev, next) = (self.blocks[block].prev, self.blocks[block].next);
        match prev.expand() {
            Some(p) => self.blocks[p].next = next,
            None => self.regions[region].first_block = next,
        }
        match next.expand() {
            Some(n) => self.blocks[n].prev = prev,
            None => self.regions[region].last_block = prev,
        }
        let b = &mut self.blocks[block];
        b.prev = None.into();
        b.next = None.into();
        b.region = None.into();
    }

    // ---------------- queries ----------------

    pub fn op(&self, op: Op) -> &OpData {
        &self.ops[op]
    }
    pub fn op_mut(&mut self, op: Op) -> &mut OpData {
        &mut self.ops[op]
    }
    pub fn num_ops(&self) -> usize {
        self.ops.len()
    }
    pub fn num_values(&self) -> usize {
        self.values.len()
    }
    pub fn num_blocks(&self) -> usize {
        self.blocks.len()
    }
    pub fn num_regions(&self) -> usize {
        self.regions.len()
    }
    pub fn opcode(&self, op: Op) -> OpCode {
        self.ops[op].opcode
    }
    /// The values read by `op` (successor arguments excluded).
    pub fn operands(&self, op: Op) -> impl ExactSizeIterator<Item = Value> + '_ {
        self.ops[op].operands.as_slice(&self.use_pool).iter().map(|&u| self.uses[u].value)
    }
    pub fn operand(&self, op: Op, i: usize) -> Value {
        let u = self.ops[op].operands.as_slice(&self.use_pool)[i];
        self.uses[u].value
    }
    pub fn num_operands(&self, op: Op) -> usize {
        self.ops[op].operands.len(&self.use_pool)
    }
    pub fn operand_uses(&self, op: Op) -> &[Use] {
        self.ops[op].operands.as_slice(&self.use_pool)
    }
    pub fn use_data(&self, u: Use) -> &UseData {
        &self.uses[u]
    }
    pub fn results(&self, op: Op) -> impl ExactSizeIterator<Item = Value> + use<> {
        let d = &self.ops[op];
        let start = d.first_result.expand().map_or(0, |v| v.as_u32());
        (start..start + d.num_results).map(Value::from_u32)
    }
    pub fn result(&self, op: Op, i: usize) -> Value {
        let d = &self.ops[op];
        assert!(i < d.num_results as usize, "result index out of range");
        Value::from_u32(d.first_result.unwrap().as_u32() + i as u32)
    }
    pub fn num_results(&self, op: Op) -> usize {
        self.ops[op].num_results as usize
    }
    pub fn successors(&self, op: Op) -> &[Succ] {
        self.ops[op].successors.as_slice(&self.succ_pool)
    }
    pub fn succ_block(&self, s: Succ) -> Block {
        self.succs[s].block
    }
    pub fn succ_args(&self, s: Succ) -> impl ExactSizeIterator<Item = Value> + '_ {
        self.succs[s].args.as_slice(&self.use_pool).iter().map(|&u| self.uses[u].value)
    }
    pub fn succ_arg_uses(&self, s: Succ) -> &[Use] {
        self.succs[s].args.as_slice(&self.use_pool)
    }
    /// Regions of `op`; they live in [`Body::inner_body`] when that is set.
    pub fn regions(&self, op: Op) -> &[Region] {
        self.ops[op].regions.as_slice(&self.region_pool)
    }
    pub fn inner_body(&self, op: Op) -> Option<BodyId> {
        self.ops[op].inner.expand()
    }
    pub fn value_type(&self, v: Value) -> Type {
        self.values[v].ty
    }
    pub fn set_value_type(&mut self, v: Value, ty: Type) {
        self.values[v].ty = ty;
    }
    pub fn value_def(&self, v: Value) -> ValueDef {
        self.values[v].def
    }
    /// Iterates the uses of `v`.
    pub fn uses(&self, v: Value) -> UseIter<'_> {
        UseIter { body: self, cur: self.values[v].first_use }
    }
    pub fn has_uses(&self, v: Value) -> bool {
        self.values[v].first_use.is_some()
    }
    pub fn block_args(&self, b: Block) -> &[Value] {
        self.blocks[b].args.as_slice(&self.value_pool)
    }
    pub fn block_of(&self, op: Op) -> Option<Block> {
        self.op_links[op].block.expand()
    }
    pub fn region_of(&self, b: Block) -> Option<Region> {
        self.blocks[b].region.expand()
    }
    /// The op owning `r` when it is in this body.
    pub fn region_parent(&self, r: Region) -> Option<Op> {
        self.regions[r].parent.expand()
    }
    /// The op that contains `op`, when it is in this body.
    pub fn parent_op(&self, op: Op) -> Option<Op> {
        let b = self.block_of(op)?;
        self.region_parent(self.region_of(b)?)
    }
    pub fn first_op(&self, b: Block) -> Option<Op> {
        self.blocks[b].first_op.expand()
    }
    pub fn last_op(&self, b: Block) -> Option<Op> {
        self.blocks[b].last_op.expand()
    }
    pub fn next_op(&self, op: Op) -> Option<Op> {
        self.op_links[op].next.expand()
    }
    pub fn prev_op(&self, op: Op) -> Option<Op> {
        self.op_links[op].prev.expand()
    }
    pub fn block_ops(&self, b: Block) -> OpIter<'_> {
        OpIter { body: self, cur: self.blocks[b].first_op }
    }
    pub fn first_block(&self, r: Region) -> Option<Block> {
        self.regions[r].first_block.expand()
    }
    pub fn next_block(&self, b: Block) -> Option<Block> {
        self.blocks[b].next.expand()
    }
    pub fn region_blocks(&self, r: Region) -> BlockIter<'_> {
        BlockIter { body: self, cur: self.regions[r].first_block }
    }
    pub fn roots(&self) -> &[Region] {
        &self.roots
    }
    pub fn owner(&self) -> Option<(BodyId, Op)> {
        self.owner
    }

    // ---------------- names and spans ----------------

    pub fn value_name(&self, v: Value) -> Option<Ident> {
        self.value_names.get(v).and_then(|n| n.expand())
    }
    pub fn set_value_name(&mut self, v: Value, name: Option<Ident>) {
        self.value_names[v] = name.into();
    }
    pub fn block_name(&self, b: Block) -> Option<Ident> {
        self.block_names.get(b).and_then(|n| n.expand())
    }
    pub fn set_block_name(&mut self, b: Block, name: Option<Ident>) {
        self.block_names[b] = name.into();
    }
    pub fn op_span(&self, op: Op) -> Option<Span> {
        self.op_spans.get(op).copied().filter(|s| !s.is_empty())
    }
    pub fn set_op_span(&mut self, op: Op, s: Span) {
        self.op_spans[op] = s;
    }
    /// Where `v` is defined in the text: the block argument, or the op producing it.
    pub fn value_span(&self, v: Value) -> Option<Span> {
        if let Some(s) = self.value_spans.get(v).copied().filter(|s| !s.is_empty()) {
            return Some(s);
        }
        match self.values[v].def {
            ValueDef::Result(op, _) => self.op_span(op),
            _ => None,
        }
    }
    pub fn set_value_span(&mut self, v: Value, s: Span) {
        self.value_spans[v] = s;
    }
    pub fn block_span(&self, b: Block) -> Option<Span> {
        self.block_spans.get(b).copied().filter(|s| !s.is_empty())
    }
    pub fn set_block_span(&mut self, b: Block, s: Span) {
        self.block_spans[b] = s;
    }
    /// The source location of block argument `v`, when one was given.
    pub fn arg_loc(&self, v: Value) -> Option<Loc> {
        self.arg_locs.get(v).and_then(|l| l.expand())
    }
    pub fn set_arg_loc(&mut self, v: Value, loc: Option<Loc>) {
        self.arg_locs[v] = loc.into();
    }

    // ---------------- rewriting ----------------

    /// Makes every use of `old` read `new` instead. O(number of uses).
    pub fn replace_all_uses(&mut self, old: Value, new: Value) {
        if old == new {
            return;
        }
        while let Some(u) = self.values[old].first_use.expand() {
            self.unlink_use(u);
            self.link_use(u, new);
        }
    }

    /// Sets operand `i` of `op` to `v`.
    pub fn set_operand(&mut self, op: Op, i: usize, v: Value) {
        let u = self.ops[op].operands.as_slice(&self.use_pool)[i];
        self.unlink_use(u);
        self.link_use(u, v);
    }

    /// Points successor `s` at `block` with `args`.
    pub fn set_successor(&mut self, s: Succ, block: Block, args: &[Value]) {
        let old = self.succs[s].args;
        let n = old.len(&self.use_pool);
        for i in 0..n {
            let u = old.as_slice(&self.use_pool)[i];
            self.unlink_use(u);
        }
        let user = self.succs[s].owner;
        let mut list = EntityList::new();
        for &v in args {
            let u = self.new_use(v, user);
            list.push(u, &mut self.use_pool);
        }
        self.succs[s] = SuccData { block, args: list, owner: user };
    }

    /// Drops the operands and successor arguments of `op` from their values' use lists.
    pub fn drop_references(&mut self, op: Op) {
        let ops: Vec<Use> = self.ops[op].operands.as_slice(&self.use_pool).to_vec();
        for u in ops {
            self.unlink_use(u);
        }
        let succs: Vec<Succ> = self.ops[op].successors.as_slice(&self.succ_pool).to_vec();
        for s in succs {
            let args: Vec<Use> = self.succs[s].args.as_slice(&self.use_pool).to_vec();
            for u in args {
                self.unlink_use(u);
            }
        }
    }
}

pub struct UseIter<'a> {
    body: &'a Body,
    cur: PackedOption<Use>,
}
impl Iterator for UseIter<'_> {
    type Item = Use;
    fn next(&mut self) -> Option<Use> {
        let u = self.cur.expand()?;
        self.cur = self.body.uses[u].next;
        Some(u)
    }
}

pub struct OpIter<'a> {
    body: &'a Body,
    cur: PackedOption<Op>,
}
impl Iterator for OpIter<'_> {
    type Item = Op;
    fn next(&mut self) -> Option<Op> {
        let op = self.cur.expand()?;
        self.cur = self.body.op_links[op].next;
        Some(op)
    }
}

pub struct BlockIter<'a> {
    body: &'a Body,
    cur: PackedOption<Block>,
}
impl Iterator for BlockIter<'_> {
    type Item = Block;
    fn next(&mut self) -> Option<Block> {
        let b = self.cur.expand()?;
        self.cur = self.body.blocks[b].next;
        Some(b)
    }
}
