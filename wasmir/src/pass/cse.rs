//! `cse`: replaces a pure op by an identical one that dominates it.
use super::{Level, Pass, PassInfo, Statistics};
use crate::dialect::Traits;
use super::effects::Summary;
use crate::ir::{Attr, Context, Module, Op, OpCode, OpRef, Type, Value};
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

pub const INFO: PassInfo = PassInfo {
    name: "cse",
    summary: "Eliminates common subexpressions: a pure op (or a call to an effect-free function) identical to a dominating one is replaced by it.",
    description: "Two ops are identical when they have the same name, operands, attributes and result \
                  types; the operands of a `Commutative` op (`add`, `mul`, `and`, …) are compared \
                  in either order. Only `Pure` ops without regions take part (an op that may trap or has an \
                  effect is never merged). An op is replaced by an identical op earlier in its \
                  block, or earlier in an enclosing block before the region it is in — both \
                  dominate it. Across blocks of a CFG region nothing is merged (a conservative \
                  choice: an earlier block need not dominate a later one).\n\n\
                  Two `func.call`s of the same callee with the same operands are merged the same \
                  way when the callee has no effect at all and certainly returns, as `dce` \
                  decides it (the module's function effects, computed once before the pass \
                  changes anything).",
    level: Level::Function,
    options: &[],
    create: |opts| {
        super::no_options("cse", opts)?;
        Ok(Box::new(Cse { summary: None }))
    },
};

struct Cse {
    /// The effects of the module's functions, computed in `prepare`.
    summary: Option<Summary>,
}

#[derive(Hash, PartialEq, Eq)]
struct Key {
    code: OpCode,
    operands: SmallVec<[Value; 3]>,
    attrs: Attr,
    results: SmallVec<[Type; 1]>,
}

impl Pass for Cse {
    fn prepare(&mut self, ctx: &Context, module: &Module) {
        self.summary = Some(Summary::compute(ctx, module));
    }

    fn run(&mut self, ctx: &mut Context, module: &mut Module, func: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let Some(body_id) = module.body(func.body).inner_body(func.op) else { return Ok(false) };
        let mut known: FxHashMap<Key, Op> = FxHashMap::default();
        // Keys added in the open scopes, to forget when a scope closes.
        let mut log: Vec<Key> = Vec::new();
        // One frame per block being walked: the next op, and where its scope starts in `log`.
        let mut frames: Vec<(Option<Op>, usize)> = Vec::new();
        for &r in module.body(body_id).roots() {
            for blk in module.body(body_id).region_blocks(r) {
                frames.push((module.body(body_id).first_op(blk), 0));
            }
        }
        frames.reverse();
        let mut replaced = 0u64;
        while let Some(top) = frames.last_mut() {
            let Some(op) = top.0 else {
                let (_, mark) = frames.pop().expect("non-empty");
                for k in log.drain(mark..) {
                    known.remove(&k);
                }
                continue;
            };
            let b = module.body(body_id);
            top.0 = b.next_op(op);
            if !b.regions(op).is_empty() {
                // Its regions are walked now, before the ops after it, each block in a scope of
                // its own over the current one.
                let mark = log.len();
                let mut nested: SmallVec<[(Option<Op>, usize); 4]> = SmallVec::new();
                for &r in b.regions(op) {
                    for blk in b.region_blocks(r) {
                        nested.push((b.first_op(blk), mark));
                    }
                }
                frames.extend(nested.into_iter().rev());
                continue;
            }
            if !Summary::op_is_pure(self.summary.as_ref(), ctx, b, op) || !b.successors(op).is_empty() || b.num_results(op) == 0 {
                continue;
            }
            let mut operands: SmallVec<[Value; 3]> = b.operands(op).collect();
            // `a + b` and `b + a` are the same computation.
            if operands.len() == 2 && ctx.op_def(b.opcode(op)).is_some_and(|d| d.has(Traits::COMMUTATIVE)) {
                operands.sort_unstable();
            }
            let key = Key {
                code: b.opcode(op),
                operands,
                attrs: b.op(op).attrs,
                results: b.results(op).map(|v| b.value_type(v)).collect(),
            };
            match known.get(&key) {
                Some(&earlier) => {
                    let olds: SmallVec<[Value; 2]> = b.results(op).collect();
                    let news: SmallVec<[Value; 2]> = b.results(earlier).collect();
                    let bm = module.body_mut(body_id);
                    for (o, n) in olds.into_iter().zip(news) {
                        bm.replace_all_uses(o, n);
                    }
                    module.erase_op(OpRef { body: body_id, op }).map_err(|e| e.to_string())?;
                    replaced += 1;
                }
                None => {
                    // Keys are small: keep one copy in the map and one in the undo log.
                    let copy = Key { code: key.code, operands: key.operands.clone(), attrs: key.attrs, results: key.results.clone() };
                    known.insert(key, op);
                    log.push(copy);
                }
            }
        }
        stats.add("ops replaced", replaced);
        Ok(replaced > 0)
    }
}
