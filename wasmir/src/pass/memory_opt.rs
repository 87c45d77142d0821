//! `memory-opt`: redundant-load and dead-store elimination on linear memory, within a block.
use super::walk::{Event, Walker};
use super::{Level, Pass, PassInfo, Statistics};
use crate::dialect::Traits;
use crate::ir::{AttrData, Block, Context, Ident, Module, Op, OpCode, OpRef, Value};
use rustc_hash::{FxHashMap, FxHashSet};

pub const INFO: PassInfo = PassInfo {
    name: "memory-opt",
    summary: "Replaces a load by the value an earlier load or store of the same location left, and removes a store that the next store overwrites.",
    description: "A *location* is a memory symbol, an address SSA value, a static `offset` and an \
                  access: two accesses meet only when all of these are equal. Addresses are \
                  compared as values, never as arithmetic: `load (add %p, 4)` and `load %p offset \
                  4` differ in wasm (the address wraps before the offset is added), so they are \
                  different locations. Both rewrites work on the straight-line ops of one block; \
                  each block starts with nothing known, and an op with regions (`wasm.block`, \
                  `wasm.loop`, `wasm.if`, …) is a barrier.\n\n\
                  **Redundant loads.** A load is replaced by the result of an earlier load with \
                  the same op (so the same width, type and extension) at the same location, or by \
                  what an earlier store of the same type left there: the stored value for a load \
                  of the same width (`i32.store` → `i32.load`, likewise i64, f32, f64 and v128; \
                  the bits are kept exactly, NaN payloads included), or its low bytes for a \
                  narrower integer load (memory is little-endian): after `i32.store` or \
                  `i32.store8`, `i32.load8_u` becomes `wasm.i32.and` with 255 and `i32.load8_s` \
                  becomes `wasm.i32.extend8_s`, and likewise for 16 and 32 bits and for i64. A \
                  load of another type (`f32.load` after `i32.store`) or wider than the store \
                  stays. Nothing in between may write that memory: only ops known not to write \
                  linear memory are transparent — `Pure` ops, loads, the trapping numeric ops \
                  (division, float-to-int truncation), and local and global reads and writes. Any \
                  other op (calls, `call_indirect`, bulk memory ops, `memory.grow`, atomics, lane \
                  stores, unregistered ops) forgets everything known. A store forgets what it may \
                  overwrite: what is known about its memory through other address values, and \
                  what overlaps its bytes through the same address value — two accesses through \
                  one address value with disjoint `[offset, offset + width)` never overlap, since \
                  the effective address does not wrap (so a stack frame's slots, `%sp offset 8` \
                  and `%sp offset 12`, stay known across each other's stores). Stores to one \
                  imported memory also count for every other imported memory, since two imports \
                  may be the same memory. The \
                  replaced load would not have trapped: the earlier access to the same bytes \
                  succeeded and memories never shrink.\n\n\
                  **Stack slots.** An address made from a `wasm.stack_slot` by `wasm.i32.add`s \
                  of constants, inside the slot, is taken as the slot's address with the constant \
                  added to the static offset (the slot lies in memory, so the add cannot wrap), \
                  so all accesses of one slot meet and distinct slots never overlap. A slot whose \
                  address does not escape — every address made from it only the address of plain \
                  loads and stores inside its bytes — is reached by nothing else (a slot is \
                  private to its call, and only addresses made from it reach it): stores \
                  through other addresses, calls and other memory-writing ops leave what is \
                  known about it alone; only the start of a block and ops with regions forget \
                  it. A slot whose address escapes is memory like any other.\n\n\
                  **Dead stores.** A store is removed when a later store of the same width writes \
                  the same location and only ops that cannot trap and have no effect visible \
                  after a trap lie in between (`Pure` ops, local reads and writes, global reads). \
                  In particular any load, call or other store in between keeps it: a trap in \
                  between would leave memory — which outlives the trap — showing the first \
                  store. The removed store traps exactly when the later one does, and nothing \
                  observable runs between them.\n\n\
                  Loads and stores of a `shared` memory are left alone: another thread may write \
                  or read it between any two accesses. Atomic accesses are never changed. Runs \
                  in time linear in the function: one hash map lookup per access, and forgetting \
                  is a counter increment.",
    level: Level::Function,
    options: &[],
    create: |opts| {
        super::no_options("memory-opt", opts)?;
        Ok(Box::new(MemoryOpt))
    },
};

struct MemoryOpt;

/// Plain loads, with the bytes they read: their only operand is the address and they read
/// `memory` at `offset`. The op name fixes width, type and extension, so two loads with the same
/// opcode read the same thing.
const LOADS: &[(&str, u8)] = &[
    ("wasm.i32.load", 4),
    ("wasm.i64.load", 8),
    ("wasm.f32.load", 4),
    ("wasm.f64.load", 8),
    ("wasm.i32.load8_s", 1),
    ("wasm.i32.load8_u", 1),
    ("wasm.i32.load16_s", 2),
    ("wasm.i32.load16_u", 2),
    ("wasm.i64.load8_s", 1),
    ("wasm.i64.load8_u", 1),
    ("wasm.i64.load16_s", 2),
    ("wasm.i64.load16_u", 2),
    ("wasm.i64.load32_s", 4),
    ("wasm.i64.load32_u", 4),
    ("wasm.v128.load", 16),
    ("wasm.v128.load8x8_s", 8),
    ("wasm.v128.load8x8_u", 8),
    ("wasm.v128.load16x4_s", 8),
    ("wasm.v128.load16x4_u", 8),
    ("wasm.v128.load32x2_s", 8),
    ("wasm.v128.load32x2_u", 8),
    ("wasm.v128.load8_splat", 1),
    ("wasm.v128.load16_splat", 2),
    ("wasm.v128.load32_splat", 4),
    ("wasm.v128.load64_splat", 8),
    ("wasm.v128.load32_zero", 4),
    ("wasm.v128.load64_zero", 8),
];

/// How a load's result follows from a value known to be in memory at its location.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fix {
    /// The value itself.
    Exact,
    /// The low bytes, zero-extended: `and` with this mask.
    Mask(u32),
    /// The low bytes, sign-extended: this op (`wasm.i32.extend8_s`, …).
    Extend(&'static str),
}

/// Plain stores (address, value): the bytes they write, and the loads of the same type that read
/// back the stored value, or its low bytes (memory is little-endian, so a narrower load at the
/// same address and offset reads the value's low bytes), with how to compute what they read.
const STORES: &[(&str, u8, &[(&str, Fix)])] = &[
    ("wasm.i32.store", 4, &[
        ("wasm.i32.load", Fix::Exact),
        ("wasm.i32.load8_u", Fix::Mask(0xff)),
        ("wasm.i32.load8_s", Fix::Extend("wasm.i32.extend8_s")),
        ("wasm.i32.load16_u", Fix::Mask(0xffff)),
        ("wasm.i32.load16_s", Fix::Extend("wasm.i32.extend16_s")),
    ]),
    ("wasm.i64.store", 8, &[
        ("wasm.i64.load", Fix::Exact),
        ("wasm.i64.load8_u", Fix::Mask(0xff)),
        ("wasm.i64.load8_s", Fix::Extend("wasm.i64.extend8_s")),
        ("wasm.i64.load16_u", Fix::Mask(0xffff)),
        ("wasm.i64.load16_s", Fix::Extend("wasm.i64.extend16_s")),
        ("wasm.i64.load32_u", Fix::Mask(0xffff_ffff)),
        ("wasm.i64.load32_s", Fix::Extend("wasm.i64.extend32_s")),
    ]),
    ("wasm.f32.store", 4, &[("wasm.f32.load", Fix::Exact)]),
    ("wasm.f64.store", 8, &[("wasm.f64.load", Fix::Exact)]),
    ("wasm.v128.store", 16, &[("wasm.v128.load", Fix::Exact)]),
    ("wasm.i32.store8", 1, &[("wasm.i32.load8_u", Fix::Mask(0xff)), ("wasm.i32.load8_s", Fix::Extend("wasm.i32.extend8_s"))]),
    ("wasm.i32.store16", 2, &[("wasm.i32.load16_u", Fix::Mask(0xffff)), ("wasm.i32.load16_s", Fix::Extend("wasm.i32.extend16_s"))]),
    ("wasm.i64.store8", 1, &[("wasm.i64.load8_u", Fix::Mask(0xff)), ("wasm.i64.load8_s", Fix::Extend("wasm.i64.extend8_s"))]),
    ("wasm.i64.store16", 2, &[("wasm.i64.load16_u", Fix::Mask(0xffff)), ("wasm.i64.load16_s", Fix::Extend("wasm.i64.extend16_s"))]),
    ("wasm.i64.store32", 4, &[("wasm.i64.load32_u", Fix::Mask(0xffff_ffff)), ("wasm.i64.load32_s", Fix::Extend("wasm.i64.extend32_s"))]),
];

/// Ops that neither trap nor do anything a trap would leave visible, beyond `Pure` ones: locals
/// (declared, read or written) die with the frame, and reading a global changes nothing.
const QUIET: &[&str] = &["wasm.local", "wasm.local.get", "wasm.local.set", "wasm.local.tee", "wasm.global.get", "wasm.nop"];

/// Ops that never write linear memory, beyond quiet ones and loads: they may trap or write a
/// global, which no load can see. (Lane loads read memory and write nothing.)
const NO_MEMORY_WRITE: &[&str] = &["wasm.global.set", "wasm.v128.load8_lane", "wasm.v128.load16_lane", "wasm.v128.load32_lane", "wasm.v128.load64_lane"];

#[derive(Clone, Copy)]
enum Access {
    None,
    Load { bytes: u8 },
    Store { bytes: u8, forwards: &'static [(&'static str, Fix)] },
}

/// What the pass needs to know about an opcode.
#[derive(Clone, Copy)]
struct OpClass {
    access: Access,
    /// Cannot trap, and has no effect a trap would leave visible: a dead store may be removed
    /// across it.
    quiet: bool,
    /// Writes no linear memory: what is known about memory stays true across it.
    no_memory_write: bool,
}

fn classify(ctx: &Context, code: OpCode) -> OpClass {
    let name = ctx.op_name(code);
    let barrier = OpClass { access: Access::None, quiet: false, no_memory_write: false };
    // Unregistered ops may do anything.
    let Some(def) = ctx.op_def(code) else { return barrier };
    if let Some(&(_, bytes)) = LOADS.iter().find(|l| l.0 == name) {
        return OpClass { access: Access::Load { bytes }, quiet: false, no_memory_write: true };
    }
    if let Some(&(_, bytes, forwards)) = STORES.iter().find(|s| s.0 == name) {
        return OpClass { access: Access::Store { bytes, forwards }, quiet: false, no_memory_write: false };
    }
    let quiet = (def.has(Traits::PURE) && !def.has(Traits::TERMINATOR)) || QUIET.contains(&name);
    // `MayTrap` alone is not trusted to mean "no effect" outside the numeric core: only the
    // numeric ops (division, truncation) are known to do nothing but trap.
    let numeric_trap = def.has(Traits::MAY_TRAP) && !def.has(Traits::TERMINATOR) && crate::dialect::wasm::OPS.iter().any(|d| d.name == def.name);
    let no_memory_write = quiet || numeric_trap || NO_MEMORY_WRITE.contains(&name);
    OpClass { access: Access::None, quiet, no_memory_write }
}

/// A memory of the module, as far as aliasing goes.
#[derive(Clone, Copy)]
struct MemInfo {
    shared: bool,
    imported: bool,
}

/// Memories that may be the same: each defined memory is its own, and all imported memories
/// are one class (a module may import one memory twice).
#[derive(Clone, Copy, Hash, PartialEq, Eq)]
enum AliasClass {
    Defined(Ident),
    Imported,
    /// A stack slot whose address does not escape: only accesses through it reach its bytes.
    Slot(Value),
}

#[derive(Clone, Copy, Hash, PartialEq, Eq)]
struct Key {
    memory: Ident,
    address: Value,
    offset: i128,
    /// The load that would read the value: loads and stores meet under the load's opcode.
    load: OpCode,
}

/// A value known to be in memory at bytes `[lo, hi)` past its address: valid while the block's
/// epoch is the one it was recorded at and every store to its memory class since went through
/// the same address value (those that overlapped it removed it).
struct Known {
    value: Value,
    fix: Fix,
    epoch: u32,
    /// Stores to the memory class, and through this address, when it was recorded.
    class_stores: u32,
    base_stores: u32,
    lo: i128,
    hi: i128,
}

/// Store counts: per memory class, and per (class, address value).
#[derive(Default)]
struct Stores {
    class: FxHashMap<AliasClass, u32>,
    base: FxHashMap<(AliasClass, Value), u32>,
    /// The keys recorded per (class, address value), to find those a store overlaps.
    keys: FxHashMap<(AliasClass, Value), Vec<Key>>,
}

/// More keys than this under one address value are dropped rather than searched.
const MAX_KEYS_PER_BASE: usize = 64;

impl Stores {
    fn counts(&self, alias: AliasClass, address: Value) -> (u32, u32) {
        (self.class.get(&alias).copied().unwrap_or(0), self.base.get(&(alias, address)).copied().unwrap_or(0))
    }

    fn valid(&self, k: &Known, alias: AliasClass, address: Value) -> bool {
        let (c, b) = self.counts(alias, address);
        c.wrapping_sub(k.class_stores) == b.wrapping_sub(k.base_stores)
    }

    /// A store of `[lo, hi)` through `address`: what it overlaps under that address is forgotten
    /// (entries under other addresses go stale through the counts).
    fn store(&mut self, known: &mut FxHashMap<Key, Known>, alias: AliasClass, address: Value, lo: i128, hi: i128) {
        let list = self.keys.entry((alias, address)).or_default();
        if list.len() > MAX_KEYS_PER_BASE {
            for k in list.drain(..) {
                known.remove(&k);
            }
        } else {
            list.retain(|k| match known.get(k) {
                Some(e) if e.lo < hi && lo < e.hi => {
                    known.remove(k);
                    false
                }
                Some(_) => true,
                None => false,
            });
        }
        *self.class.entry(alias).or_insert(0) += 1;
        *self.base.entry((alias, address)).or_insert(0) += 1;
    }

    fn record(&mut self, known: &mut FxHashMap<Key, Known>, alias: AliasClass, key: Key, value: Value, fix: Fix, epoch: u32, lo: i128, hi: i128) {
        let (class_stores, base_stores) = self.counts(alias, key.address);
        self.keys.entry((alias, key.address)).or_default().push(key);
        known.insert(key, Known { value, fix, epoch, class_stores, base_stores, lo, hi });
    }
}

/// The last store of a block, while only quiet ops follow it.
struct Pending {
    op: Op,
    memory: Ident,
    address: Value,
    offset: i128,
    bytes: u8,
}

/// The memory an access names, with its offset (0 when absent).
fn access_of(ctx: &Context, attrs: crate::ir::Attr) -> Option<(Ident, i128)> {
    let memory = match ctx.dict_get(attrs, "memory").map(|a| ctx.attr_data(a)) {
        Some(AttrData::SymbolRef(path)) if path.len() == 1 => path[0],
        _ => return None,
    };
    let offset = match ctx.dict_get(attrs, "offset").map(|a| ctx.attr_data(a)) {
        None => 0,
        Some(AttrData::Int { value, .. }) => *value,
        Some(_) => return None,
    };
    Some((memory, offset))
}

/// The memories declared at the top level of the module.
fn memories(ctx: &Context, module: &Module) -> FxHashMap<Ident, MemInfo> {
    let mut out = FxHashMap::default();
    let Some((body, block)) = module.module_block() else { return out };
    let b = module.body(body);
    for op in b.block_ops(block) {
        if ctx.op_name(b.opcode(op)) != "wasm.memory" {
            continue;
        }
        let attrs = b.op(op).attrs;
        if let Some(AttrData::String(n)) = ctx.dict_get(attrs, "sym_name").map(|a| ctx.attr_data(a)) {
            out.insert(*n, MemInfo { shared: ctx.dict_get(attrs, "shared").is_some(), imported: ctx.dict_get(attrs, "import").is_some() });
        }
    }
    out
}

/// What the function's stack slots are, for aliasing: each address derived from a slot by
/// `wasm.i32.add`s of constants, as the slot and the offset from its start (such an address is
/// inside the slot, which lies in memory, so the add cannot wrap and equals a static `offset`),
/// and the slots whose address escapes.
#[derive(Default)]
struct Slots {
    base: FxHashMap<Value, (Value, i128)>,
    escaping: FxHashSet<Value>,
}

impl Slots {
    /// The address, offset and alias class of an access: through a slot, the slot's address and
    /// the offset from its start, so all accesses of a slot meet (and a slot whose address does
    /// not escape is a class of its own).
    fn place(&self, address: Value, offset: i128, memory: Ident, info: MemInfo) -> (Value, i128, AliasClass) {
        match self.base.get(&address) {
            Some(&(slot, off)) if !self.escaping.contains(&slot) => (slot, offset + off, AliasClass::Slot(slot)),
            Some(&(slot, off)) => (slot, offset + off, alias_class(memory, info)),
            None => (address, offset, alias_class(memory, info)),
        }
    }

    fn find(ctx: &Context, b: &crate::Body) -> Slots {
        let mut out = Slots::default();
        let add = ctx.lookup_op("wasm.i32.add");
        for slot in super::lower_slots::entry_slots(ctx, b) {
            let Ok(attrs) = super::lower_slots::slot_attrs(ctx, b, slot) else { continue };
            let (v, size) = (b.result(slot, 0), i128::from(attrs.size));
            let memory = match ctx.attr_data(attrs.memory) {
                AttrData::SymbolRef(p) if p.len() == 1 => p[0],
                _ => continue,
            };
            let mut escapes = false;
            let mut work = vec![(v, 0i128)];
            while let Some((a, off)) = work.pop() {
                out.base.insert(a, (v, off));
                for u in b.uses(a) {
                    let user = b.use_data(u).user;
                    let name = ctx.op_name(b.opcode(user));
                    let bytes = LOADS.iter().find(|l| l.0 == name).map(|l| l.1).filter(|_| b.num_operands(user) == 1);
                    let bytes = bytes.or_else(|| STORES.iter().find(|st| st.0 == name).map(|st| st.1).filter(|_| b.num_operands(user) == 2 && b.operand(user, 1) != a));
                    if let Some(bytes) = bytes {
                        // An access through the slot: it must stay inside it.
                        let inside = access_of(ctx, b.op(user).attrs).is_some_and(|(m, o)| m == memory && off + o >= 0 && off + o + i128::from(bytes) <= size);
                        escapes |= !inside || !b.successors(user).is_empty();
                        continue;
                    }
                    if Some(b.opcode(user)) == add && b.successors(user).is_empty() {
                        let other = if b.operand(user, 0) == a { b.operand(user, 1) } else { b.operand(user, 0) };
                        if let Some(c) = super::scalarize_slots::constant(ctx, b, other).filter(|_| other != a) {
                            let next = off + i128::from(c);
                            if (0..=size).contains(&next) {
                                work.push((b.result(user, 0), next));
                                continue;
                            }
                        }
                    }
                    escapes = true;
                }
            }
            if escapes {
                out.escaping.insert(v);
            }
        }
        out
    }
}

impl Pass for MemoryOpt {
    fn run(&mut self, ctx: &mut Context, module: &mut Module, func: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let Some(body) = module.body(func.body).inner_body(func.op) else { return Ok(false) };
        let mems = memories(ctx, module);
        if mems.is_empty() {
            return Ok(false);
        }
        let blocks: Vec<Block> = {
            let b = module.body(body);
            let mut out = Vec::new();
            let mut w = Walker::new(b.roots());
            while let Some(e) = w.next(b) {
                if let Event::EnterBlock(blk) = e {
                    out.push(blk);
                }
            }
            out
        };

        let mut classes: FxHashMap<OpCode, OpClass> = FxHashMap::default();
        let mut known: FxHashMap<Key, Known> = FxHashMap::default();
        // Forgetting everything is O(1): what is known carries the epoch it was learnt at, and is
        // stale once the epoch has moved on. A store forgets only what it may overwrite (see
        // `Stores`).
        let mut epoch = 0u32;
        // What is known about slots whose address does not escape survives calls and stores
        // elsewhere: only the start of a block and ops with regions forget it.
        let slots = Slots::find(ctx, module.body(body));
        let mut slot_epoch = 0u32;
        let mut st = Stores::default();
        let (mut loads, mut stores) = (0u64, 0u64);
        for blk in blocks {
            epoch += 1;
            slot_epoch += 1;
            let mut pending: Option<Pending> = None;
            let mut next = module.body(body).first_op(blk);
            while let Some(op) = next {
                let b = module.body(body);
                next = b.next_op(op);
                let code = b.opcode(op);
                let class = *classes.entry(code).or_insert_with(|| classify(ctx, code));
                // Ops with regions or successors run other code: a barrier for both rewrites.
                if !b.regions(op).is_empty() || !b.successors(op).is_empty() {
                    epoch += 1;
                    slot_epoch += 1;
                    pending = None;
                    continue;
                }
                // The memory accessed, when the access is one this pass may touch.
                let target = match class.access {
                    Access::None => None,
                    Access::Load { .. } | Access::Store { .. } => access_of(ctx, b.op(op).attrs).and_then(|(m, off)| mems.get(&m).map(|info| (m, off, *info))),
                };
                match (class.access, target) {
                    (Access::Load { bytes }, Some((memory, offset, info))) if !info.shared && b.num_operands(op) == 1 && b.num_results(op) == 1 => {
                        let (address, offset, alias) = slots.place(b.operand(op, 0), offset, memory, info);
                        let key = Key { memory, address, offset, load: code };
                        let now = if matches!(alias, AliasClass::Slot(_)) { slot_epoch } else { epoch };
                        let result = b.result(op, 0);
                        let hit = known.get(&key).filter(|k| k.epoch == now && st.valid(k, alias, address)).map(|k| (k.value, k.fix));
                        match hit {
                            Some((v, fix)) if b.value_type(v) == b.value_type(result) => {
                                let v = fixed(ctx, module, body, v, fix, op);
                                module.body_mut(body).replace_all_uses(result, v);
                                module.erase_op(OpRef { body, op }).map_err(|e| e.to_string())?;
                                loads += 1;
                                // The load is gone, so it no longer stands between two stores.
                                continue;
                            }
                            _ => {
                                st.record(&mut known, alias, key, result, Fix::Exact, now, offset, offset + i128::from(bytes));
                            }
                        }
                        pending = None;
                    }
                    (Access::Load { .. }, _) => pending = None,
                    (Access::Store { bytes, forwards }, Some((memory, offset, info))) if !info.shared && b.num_operands(op) == 2 => {
                        let value = b.operand(op, 1);
                        let (address, offset, alias) = slots.place(b.operand(op, 0), offset, memory, info);
                        let now = if matches!(alias, AliasClass::Slot(_)) { slot_epoch } else { epoch };
                        if let Some(p) = pending.take() {
                            if p.memory == memory && p.address == address && p.offset == offset && p.bytes == bytes {
                                module.erase_op(OpRef { body, op: p.op }).map_err(|e| e.to_string())?;
                                stores += 1;
                            }
                        }
                        let (lo, hi) = (offset, offset + i128::from(bytes));
                        st.store(&mut known, alias, address, lo, hi);
                        for &(name, fix) in forwards {
                            if let Some(load) = ctx.lookup_op(name) {
                                st.record(&mut known, alias, Key { memory, address, offset, load }, value, fix, now, lo, hi);
                            }
                        }
                        pending = Some(Pending { op, memory, address, offset, bytes });
                    }
                    (Access::Store { .. }, Some((memory, _, info))) if b.num_operands(op) == 2 => {
                        // A store to a shared memory: it writes only its own class.
                        *st.class.entry(alias_class(memory, info)).or_insert(0) += 1;
                        pending = None;
                    }
                    (Access::Store { .. }, _) => {
                        // A store to a memory not found: it may be any of them.
                        epoch += 1;
                        pending = None;
                    }
                    (Access::None, _) => {
                        if !class.no_memory_write {
                            epoch += 1;
                        }
                        if !class.quiet {
                            pending = None;
                        }
                    }
                }
            }
        }
        stats.add("loads replaced", loads);
        stats.add("stores removed", stores);
        Ok(loads + stores > 0)
    }
}

fn alias_class(memory: Ident, info: MemInfo) -> AliasClass {
    if info.imported { AliasClass::Imported } else { AliasClass::Defined(memory) }
}

/// What a load reads, given the value `v` known at its location: `v`, or its low bytes
/// zero- or sign-extended, computed by new pure ops placed before the load `at`.
fn fixed(ctx: &mut Context, module: &mut Module, body: crate::BodyId, v: Value, fix: Fix, at: Op) -> Value {
    let ty = module.body(body).value_type(v);
    let loc = module.body(body).op(at).loc;
    let i64 = ty == ctx.i64();
    let (code, operands) = match fix {
        Fix::Exact => return v,
        Fix::Mask(mask) => {
            let code = ctx.op_code(if i64 { "wasm.i64.const" } else { "wasm.i32.const" });
            let attr = ctx.int_attr(i128::from(mask), ty);
            let key = ctx.ident("value");
            let attrs = ctx.dict_attr(vec![(key, attr)]);
            let b = module.body_mut(body);
            let k = b.create_op(code, &[], &[ty], &[], &[], None, attrs, loc);
            b.insert_op_before(k, at);
            let m = b.result(k, 0);
            (ctx.op_code(if i64 { "wasm.i64.and" } else { "wasm.i32.and" }), vec![v, m])
        }
        Fix::Extend(name) => (ctx.op_code(name), vec![v]),
    };
    let attrs = ctx.empty_dict();
    let b = module.body_mut(body);
    let op = b.create_op(code, &operands, &[ty], &[], &[], None, attrs, loc);
    b.insert_op_before(op, at);
    // The new value stands for the load's result: it keeps the load's name in the text.
    let (r, name) = (b.result(op, 0), b.value_name(b.result(at, 0)));
    b.set_value_name(r, name);
    r
}
