//! `dce`: removes ops that have no effect and whose results are unused.
use super::{Level, Pass, PassInfo, Statistics};
use super::effects::Summary;
use crate::ir::{Context, Module, Op, OpRef, ValueDef};

pub const INFO: PassInfo = PassInfo {
    name: "dce",
    summary: "Removes pure ops and calls to effect-free functions whose results are unused, and the ops that only fed them.",
    description: "An op is removed when it is `Pure` (no effect, cannot trap), has no regions and \
                  none of its results is used. Removing it may leave its operands' definitions \
                  unused in turn; those are removed too, to a fixpoint, in one pass over the \
                  function (a worklist). Ops that may trap (`wasm.i32.div_s`, loads) stay: \
                  removing them would remove the trap.\n\n\
                  A `func.call` is removed the same way when its callee has no effect at all \
                  (not even `trap`) and certainly returns (no loop, no recursion). The callees' \
                  effects are computed once, for the whole module, before the pass changes \
                  anything (the analysis of `infer-effects`; an `inferred_effects` attribute is \
                  not needed and not read). Removing ops never adds effects, so that summary \
                  stays true while the pass runs.\n\n\
                  Dead code at other scales has its own passes: unreachable blocks and \
                  structured ops nobody enters go with `simplify-cfg` (and `sccp` finds which \
                  branches cannot be taken); functions, globals, tags, types and segments that \
                  nothing reachable from the exports uses go with `symbol-dce`.",
    level: Level::Function,
    options: &[],
    create: |opts| {
        super::no_options("dce", opts)?;
        Ok(Box::new(Dce { summary: None }))
    },
};

struct Dce {
    /// The effects of the module's functions, computed in `prepare`.
    summary: Option<Summary>,
}

impl Pass for Dce {
    fn prepare(&mut self, ctx: &Context, module: &Module) {
        self.summary = Some(Summary::compute(ctx, module));
    }

    fn run(&mut self, ctx: &mut Context, module: &mut Module, func: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let Some(body_id) = module.body(func.body).inner_body(func.op) else { return Ok(false) };
        let summary = self.summary.as_ref();
        let removable = |ctx: &Context, module: &Module, op: Op| -> bool {
            let b = module.body(body_id);
            Summary::op_is_pure(summary, ctx, b, op)
                && b.regions(op).is_empty()
                && b.results(op).all(|v| !b.has_uses(v))
        };
        let mut work = super::walk::preorder(module.body(body_id), module.body(body_id).roots());
        let mut removed = 0u64;
        let mut gone = std::collections::HashSet::new();
        while let Some(op) = work.pop() {
            if gone.contains(&op) || !removable(ctx, module, op) {
                continue;
            }
            // The definitions of its operands may become dead once it is gone.
            let b = module.body(body_id);
            let feeders: Vec<Op> = b
                .operands(op)
                .filter_map(|v| match b.value_def(v) {
                    ValueDef::Result(d, _) => Some(d),
                    _ => None,
                })
                .collect();
            module.erase_op(OpRef { body: body_id, op }).map_err(|e| e.to_string())?;
            gone.insert(op);
            removed += 1;
            work.extend(feeders);
        }
        stats.add("ops removed", removed);
        Ok(removed > 0)
    }
}
