//! `licm`: hoists loop-invariant computations out of `wasm.loop`s.
use super::walk::{Event, Walker};
use super::{Level, Pass, PassInfo, Statistics};
use crate::dialect::Traits;
use crate::ir::{Context, Module, Op, OpRef, Value, ValueDef};
use rustc_hash::{FxHashMap, FxHashSet};

pub const INFO: PassInfo = PassInfo {
    name: "licm",
    summary: "Moves pure computations whose operands are defined outside a `wasm.loop` to just before it.",
    description: "An op moves when it is `Pure` (no effect and cannot trap, so running it even when \
                  the loop would not have is harmless), has no regions, and each operand is defined \
                  outside the loop or by an op already moved. Loops are handled innermost first, so \
                  a computation invariant in several nested loops leaves all of them. Ops without \
                  operands (constants) stay: in wasm a constant costs no more than the `local.get` \
                  a hoisted value would need, and hoisting it would take a local.\n\n\
                  Works on structured control flow; loops of a CFG-form function (back edges \
                  between blocks) are not recognised — run `structurize` first.",
    level: Level::Function,
    options: &[],
    create: |opts| {
        super::no_options("licm", opts)?;
        Ok(Box::new(Licm))
    },
};

struct Licm;

impl Pass for Licm {
    fn run(&mut self, ctx: &mut Context, module: &mut Module, func: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let Some(body) = module.body(func.body).inner_body(func.op) else { return Ok(false) };
        let Some(loop_code) = ctx.lookup_op("wasm.loop") else { return Ok(false) };
        // Positions in program order, and each loop's span; loops listed innermost first (in the
        // order they close).
        let mut pos: FxHashMap<Op, u32> = FxHashMap::default();
        let mut loops: Vec<(Op, u32, u32)> = Vec::new();
        let mut open: Vec<(Op, u32)> = Vec::new();
        {
            let b = module.body(body);
            let mut n = 0u32;
            let mut w = Walker::new(b.roots());
            while let Some(e) = w.next(b) {
                match e {
                    Event::Enter(op) => {
                        pos.insert(op, n);
                        if b.opcode(op) == loop_code {
                            open.push((op, n));
                        }
                        n += 1;
                    }
                    Event::Exit(op) if b.opcode(op) == loop_code => {
                        if let Some((l, start)) = open.pop() {
                            loops.push((l, start, n - 1));
                        }
                    }
                    _ => {}
                }
            }
        }
        if loops.is_empty() {
            return Ok(false);
        }
        let mut moved = 0u64;
        for &(lp, start, end) in &loops {
            let inside = |op: Op| pos.get(&op).is_some_and(|&p| p > start && p <= end);
            // Ops moved out of this loop so far: outside although their position is inside.
            let mut out: FxHashSet<Op> = FxHashSet::default();
            let ops = super::walk::preorder(module.body(body), module.body(body).regions(lp));
            for op in ops {
                let b = module.body(body);
                let invariant = ctx.op_def(b.opcode(op)).is_some_and(|d| d.has(Traits::PURE) && !d.has(Traits::TERMINATOR))
                    && b.regions(op).is_empty()
                    && b.num_operands(op) > 0
                    && b.operands(op).all(|v| defined_outside(b, v, lp, &inside, &out));
                if invariant {
                    module.move_op_before(body, op, lp);
                    out.insert(op);
                    moved += 1;
                }
            }
        }
        stats.add("ops hoisted", moved);
        Ok(moved > 0)
    }
}

/// Is `v` defined outside the loop whose inside is `inside`, given the ops already moved out?
fn defined_outside(b: &crate::Body, v: Value, lp: Op, inside: &impl Fn(Op) -> bool, out: &FxHashSet<Op>) -> bool {
    match b.value_def(v) {
        ValueDef::Result(d, _) => out.contains(&d) || !inside(d),
        // A block argument belongs to the op owning its region (none: the function's own).
        ValueDef::Arg(blk, _) => match b.region_of(blk).and_then(|r| b.region_parent(r)) {
            // The loop's own label and parameters change every iteration.
            Some(owner) => owner != lp && !inside(owner),
            None => true,
        },
        ValueDef::Placeholder => false,
    }
}
