//! Running a pipeline, with verification after each pass and the printing and timing
//! instrumentation of `wasmir-opt`.
use super::pipeline::{Node, Pipeline};
use super::{Level, Statistics};
use crate::diag::Diagnostic;
use crate::ir::{Context, Module, OpRef};
use std::time::{Duration, Instant};

/// What to do around each pass.
#[derive(Clone, Debug, Default)]
pub struct Instrumentation {
    /// Verify the module after each pass (on by default in `wasmir-opt`).
    pub verify_each: bool,
    pub print_after_all: bool,
    /// Print after the passes with these names.
    pub print_after: Vec<String>,
    /// Print after a pass only when it changed the IR.
    pub print_after_change: bool,
    /// Print the IR when a pass fails (or breaks the verifier).
    pub print_after_failure: bool,
}

/// One pass run: its name, time and statistics.
#[derive(Clone, Debug)]
pub struct PassRecord {
    pub name: &'static str,
    /// Nesting depth in the pipeline (for the timing tree).
    pub depth: usize,
    pub time: Duration,
    pub changed: bool,
    pub stats: Statistics,
}

/// Why a pipeline stopped.
#[derive(Debug)]
pub struct Failure {
    pub pass: &'static str,
    pub message: String,
    /// The verifier's diagnostics when the pass left invalid IR.
    pub diagnostics: Vec<Diagnostic>,
    /// What a checking pass found wrong with its input (`--linearity-check`): errors in the
    /// input, not in the pass, so a tool reports them as it reports the verifier's.
    pub reported: Vec<Diagnostic>,
}

/// A module printout requested by the instrumentation, with the pass it follows.
pub struct Dump {
    pub after: &'static str,
    pub failed: bool,
}

/// Runs `pipeline` on `module`. `dump` is called whenever the instrumentation asks for the IR.
pub fn run(
    ctx: &mut Context,
    module: &mut Module,
    pipeline: &Pipeline,
    instr: &Instrumentation,
    dump: &mut dyn FnMut(&Context, &Module, Dump),
) -> Result<Vec<PassRecord>, (Vec<PassRecord>, Failure)> {
    let mut records = Vec::new();
    // Flatten the nests: each pass runs over its whole scope before the next one starts, which
    // gives the same result for passes that touch only their own function.
    let mut stack: Vec<(std::slice::Iter<'_, Node>, usize)> = vec![(pipeline.nodes.iter(), 0)];
    while let Some((it, depth)) = stack.last_mut() {
        let depth = *depth;
        let Some(n) = it.next() else {
            stack.pop();
            continue;
        };
        let (info, options) = match n {
            Node::Nest { children, .. } => {
                stack.push((children.iter(), depth + 1));
                continue;
            }
            Node::Pass { info, options, .. } => (*info, options),
        };
        let mut pass = (info.create)(options).map_err(|m| (records.clone(), Failure { pass: info.name, message: m, diagnostics: Vec::new(), reported: Vec::new() }))?;
        let targets: Vec<OpRef> = match info.level {
            Level::Module => vec![module.module_op()],
            Level::Function => functions(ctx, module),
        };
        let mut stats = Statistics::default();
        let start = Instant::now();
        let mut changed = false;
        // A checking pass that reports diagnostics goes on to the other functions, so one run
        // shows every error; the pipeline stops after it.
        let mut reported: Vec<Diagnostic> = Vec::new();
        let mut reported_message = String::new();
        pass.prepare(ctx, module);
        for t in targets {
            match pass.run(ctx, module, t, &mut stats) {
                Ok(c) => changed |= c,
                Err(m) => {
                    let found = pass.take_diagnostics();
                    if !found.is_empty() {
                        reported.extend(found);
                        reported_message = m;
                        continue;
                    }
                    if instr.print_after_failure {
                        dump(ctx, module, Dump { after: info.name, failed: true });
                    }
                    return Err((records, Failure { pass: info.name, message: m, diagnostics: Vec::new(), reported }));
                }
            }
        }
        if !reported.is_empty() {
            if instr.print_after_failure {
                dump(ctx, module, Dump { after: info.name, failed: true });
            }
            return Err((records, Failure { pass: info.name, message: reported_message, diagnostics: Vec::new(), reported }));
        }
        let time = start.elapsed();
        if instr.verify_each {
            let diags = crate::verify(ctx, module);
            if diags.iter().any(Diagnostic::is_error) {
                if instr.print_after_failure {
                    dump(ctx, module, Dump { after: info.name, failed: true });
                }
                let message = "the pass left IR that does not verify".to_string();
                return Err((records, Failure { pass: info.name, message, diagnostics: diags, reported: Vec::new() }));
            }
        }
        // `--print-ir-after-change` alone selects every pass; with the others it filters them.
        let selected = instr.print_after_all
            || instr.print_after.iter().any(|p| p == info.name)
            || (instr.print_after_change && instr.print_after.is_empty());
        if selected && (changed || !instr.print_after_change) {
            dump(ctx, module, Dump { after: info.name, failed: false });
        }
        records.push(PassRecord { name: info.name, depth, time, changed, stats });
    }
    Ok(records)
}

/// The functions with a body at the top level of the module.
fn functions(ctx: &Context, module: &Module) -> Vec<OpRef> {
    let Some((body, block)) = module.module_block() else { return Vec::new() };
    let b = module.body(body);
    b.block_ops(block)
        .filter(|&op| ctx.op_name(b.opcode(op)) == "func.func" && b.inner_body(op).is_some())
        .map(|op| OpRef { body, op })
        .collect()
}

/// `--timing`: each pass with its wall time and share, as a list and as a tree of the pipeline.
pub fn timing_report(records: &[PassRecord], total: Duration) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let total_s = total.as_secs_f64().max(1e-9);
    let _ = writeln!(out, "===-------------------------------------------------------------------------===");
    let _ = writeln!(out, "                         ... Execution time report ...");
    let _ = writeln!(out, "===-------------------------------------------------------------------------===");
    let _ = writeln!(out, "  Total Execution Time: {:.4} seconds\n", total.as_secs_f64());
    let _ = writeln!(out, "  ----Wall Time----  ----Name----");
    for r in records {
        let s = r.time.as_secs_f64();
        let _ = writeln!(out, "  {s:.4} ({:5.1}%)  {}{}", 100.0 * s / total_s, "  ".repeat(r.depth), r.name);
    }
    let _ = writeln!(out, "  {total_s:.4} (100.0%)  Total");
    out
}

/// `--pass-statistics`: each pass's counters.
pub fn statistics_report(records: &[PassRecord]) -> String {
    use std::fmt::Write;
    let mut out = String::from("===-------------------------------------------------------------------------===\n");
    out.push_str("                         ... Pass statistics report ...\n");
    out.push_str("===-------------------------------------------------------------------------===\n");
    for r in records {
        let _ = writeln!(out, "{}", r.name);
        for (k, v) in &r.stats.counters {
            let _ = writeln!(out, "  ({v}) {k}");
        }
    }
    out
}
