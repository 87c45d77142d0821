//! Which blocks of a body run: runtime checks that are off (`UbChecks`, `ContractChecks`, and
//! `OverflowChecks` without `--overflow-checks`) decide their `switchInt`s at compile time, so
//! the blocks behind them — core's precondition checks — are never lowered.
use super::*;

impl FnLower<'_, '_, '_> {
    /// Which blocks run: those reachable from `bb0` when a `switchInt` on a runtime check
    /// (`UbChecks`, `ContractChecks`, `OverflowChecks`) follows only the edge the build takes.
    /// Core's precondition checks (behind `UbChecks`, off in an optimized build) are never
    /// lowered.
    pub(super) fn live_blocks(&mut self) -> Vec<bool> {
        let mir = self.mir;
        let mut live = vec![false; mir.blocks.len()];
        let mut stack = vec![Block::new(0)];
        while let Some(b) = stack.pop() {
            if live[b.index()] {
                continue;
            }
            live[b.index()] = true;
            let term = &mir.blocks[b].term.kind;
            if let TerminatorKind::SwitchInt {
                discr: Operand::RuntimeChecks(s),
                values,
                targets,
                otherwise,
            } = term
            {
                let s = self.mir_sym(*s);
                let on = self.sh.names.str(s) == "OverflowChecks" && self.sh.overflow_checks;
                let taken = values
                    .iter()
                    .position(|&v| v == u128::from(on))
                    .map_or(*otherwise, |i| targets[i]);
                stack.push(taken);
                continue;
            }
            stack.extend(successors(term));
        }
        live
    }
}

/// The blocks a terminator may continue to (unwind edges are not: panics trap).
fn successors(t: &TerminatorKind) -> Vec<Block> {
    match t {
        TerminatorKind::Goto(b) => vec![*b],
        TerminatorKind::SwitchInt {
            targets, otherwise, ..
        } => targets.iter().copied().chain([*otherwise]).collect(),
        TerminatorKind::Drop { target, .. } | TerminatorKind::Assert { target, .. } => {
            vec![*target]
        }
        TerminatorKind::Call { target, .. } => target.iter().copied().collect(),
        TerminatorKind::FalseEdge { real, imaginary } => vec![*real, *imaginary],
        TerminatorKind::FalseUnwind { real, .. } => vec![*real],
        _ => Vec::new(),
    }
}
