//! WasmIR through Cranelift: functions lowered to Cranelift IR (CLIF), optimized by Cranelift's
//! mid-end, and raised back into WasmIR.
//!
//! Each function goes to CFG form first (the library's `lower-stack-slots` and `lower-to-cfg` passes, on a copy), then
//! block by block to CLIF with `cranelift-frontend` ([`lower`]). The wasm semantics that CLIF
//! shares are used directly (wrapping arithmetic, shift counts modulo the width, trapping
//! `sdiv`/`udiv`/`srem`/`urem` and float-to-integer conversions, IEEE floats, NaN-propagating
//! `fmin`/`fmax`); what CLIF cannot see into stays an opaque call that the mid-end leaves alone.
//! After `Context::optimize`, [`raise`] turns the CLIF back into WasmIR in CFG form, which the
//! direct backend structurizes and encodes. A function outside the supported subset is left as
//! it was, with the reason, rather than approximated.
pub use cranelift_codegen;

pub mod lower;
#[cfg(feature = "native")]
pub mod native;
pub mod raise;

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir as cl;
use cranelift_codegen::settings::{self, Configurable};
use std::time::{Duration, Instant};
use wasmir::{AttrData, Context, Module, OpRef};

/// How much of Cranelift's mid-end to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptLevel {
    /// Only verify the CLIF.
    None,
    /// `opt_level=speed`: e-graph rewrites, GVN, alias analysis, unreachable-code elimination.
    Speed,
    /// `opt_level=speed_and_size`.
    SpeedAndSize,
}

/// The result of lowering a module: one CLIF function per lowered `func.func`, and the functions
/// left out with the reason.
pub struct Lowered {
    pub functions: Vec<(String, cl::Function)>,
    pub skipped: Vec<(String, String)>,
}

impl Lowered {
    /// The CLIF text of every lowered function, in module order.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (name, f) in &self.functions {
            out.push_str(&format!("; @{name}\n{}\n", f.display()));
        }
        out
    }
}

/// Lowers every function with a body in `module` to CLIF, and optimizes it at `level`.
pub fn lower_module(ctx: &Context, module: &Module, level: OptLevel) -> Result<Lowered, String> {
    let mut ctx = ctx.clone();
    let mut out = Lowered { functions: Vec::new(), skipped: Vec::new() };
    each_function(&mut ctx, module, level, &mut Timing::default(), |_, name, _, result| {
        match result {
            Ok((f, _)) => out.functions.push((name, f)),
            Err(why) => out.skipped.push((name, why)),
        }
        Ok(())
    })?;
    Ok(out)
}

/// What [`optimize_module`] did.
#[derive(Debug, Default)]
pub struct Report {
    /// Functions that went through Cranelift and came back.
    pub optimized: Vec<String>,
    /// Functions left as they were, with the reason.
    pub passed_through: Vec<(String, String)>,
    /// Wall time of each stage, summed over the functions.
    pub timing: Timing,
}

/// Where the time of [`optimize_module`] went.
#[derive(Debug, Default, Clone, Copy)]
pub struct Timing {
    /// `lower-to-cfg` on a copy of the module.
    pub to_cfg: Duration,
    /// WasmIR to CLIF, and the CLIF verifier.
    pub lower: Duration,
    /// Cranelift's mid-end (`Context::optimize`).
    pub optimize: Duration,
    /// CLIF back to WasmIR.
    pub raise: Duration,
}

impl Report {
    /// The `--timing` report: each stage's wall time and share, then `encode` (the direct
    /// backend, measured by the caller), and the functions that passed through.
    pub fn timing_text(&self, encode: Duration) -> String {
        let t = &self.timing;
        let stages = [("lower-to-cfg", t.to_cfg), ("lower to CLIF", t.lower), ("Cranelift mid-end", t.optimize), ("raise to WasmIR", t.raise), ("structurize + encode", encode)];
        let total: Duration = stages.iter().map(|s| s.1).sum();
        let mut out = format!("===- cranelift wasm path: {} functions through Cranelift, {} passed through -===\n", self.optimized.len(), self.passed_through.len());
        for (name, d) in stages {
            let share = if total.is_zero() { 0.0 } else { 100.0 * d.as_secs_f64() / total.as_secs_f64() };
            out.push_str(&format!("  {:>10.4} s ({share:>5.1}%)  {name}\n", d.as_secs_f64()));
        }
        out.push_str(&format!("  {:>10.4} s (100.0%)  total\n", total.as_secs_f64()));
        out
    }
}

/// The wasm path: every function Cranelift can take is lowered to CLIF, optimized at `level`
/// and raised back, in CFG form, replacing its body; the others stay as they were.
pub fn optimize_module(ctx: &mut Context, module: &mut Module, level: OptLevel) -> Result<Report, String> {
    let mut report = Report::default();
    let mut timing = Timing::default();
    each_function(ctx, &module.clone(), level, &mut timing, |ctx, name, func, result| {
        let start = Instant::now();
        let raised = result.and_then(|(f, orig)| raise::raise(ctx, module, func, &f, &orig));
        report.timing.raise += start.elapsed();
        match raised {
            Ok(()) => report.optimized.push(name),
            Err(why) => report.passed_through.push((name, why)),
        }
        Ok(())
    })?;
    report.timing = Timing { raise: report.timing.raise, ..timing };
    Ok(report)
}

/// Runs `lower-to-cfg` on a copy of `module`, then lowers (and optimizes) each function with a
/// body and hands `visit` its name, its op and the CLIF with the ops it names, or why there is none.
fn each_function(
    ctx: &mut Context,
    module: &Module,
    level: OptLevel,
    timing: &mut Timing,
    mut visit: impl FnMut(&mut Context, String, OpRef, Result<(cl::Function, raise::Originals<'_>), String>) -> Result<(), String>,
) -> Result<(), String> {
    let start = Instant::now();
    let cfg = to_cfg(ctx, module)?;
    timing.to_cfg += start.elapsed();
    let isa = isa(level)?;
    let memories = lower::Memories::of(ctx, &cfg);
    let Some((top, block)) = cfg.module_block() else { return Ok(()) };
    let b = cfg.body(top);
    // Functions with a body: an import's body has no blocks.
    let has_body = |op| b.inner_body(op).is_some_and(|i| cfg.body(i).roots().first().is_some_and(|&r| cfg.body(i).first_block(r).is_some()));
    let funcs: Vec<_> = b.block_ops(block).filter(|&op| ctx.op_name(b.opcode(op)) == "func.func" && has_body(op)).collect();
    for (i, op) in funcs.into_iter().enumerate() {
        let func = OpRef { body: top, op };
        let name = match ctx.dict_get(b.op(op).attrs, "sym_name").map(|a| ctx.attr_data(a)) {
            Some(AttrData::String(n)) => ctx.str(*n).to_string(),
            _ => format!("func{i}"),
        };
        let inner = b.inner_body(op).expect("filtered on a body");
        let start = Instant::now();
        let lowered = lower::lower_function(ctx, &cfg, func, i as u32, isa.frontend_config(), lower::Mode::Wasm(&memories));
        let result = match lowered {
            Ok(l) => {
                let mut c = cranelift_codegen::Context::for_function(l.func);
                cranelift_codegen::verify_function(&c.func, isa.as_ref())
                    .map_err(|e| format!("internal error: the CLIF of @{name} does not verify: {e}"))?;
                timing.lower += start.elapsed();
                let start = Instant::now();
                if level != OptLevel::None {
                    c.optimize(isa.as_ref(), &mut ControlPlane::default()).map_err(|e| format!("optimizing @{name}: {e:?}"))?;
                }
                timing.optimize += start.elapsed();
                Ok((c.func, l.originals))
            }
            Err(why) => Err(why),
        };
        let result = result.as_ref().map(|(f, ops)| (f.clone(), raise::Originals { module: &cfg, body: inner, ops })).map_err(Clone::clone);
        visit(ctx, name, func, result)?;
    }
    Ok(())
}

/// A copy of `module` with its functions in CFG form (the library's `lower-to-cfg` pass).
fn to_cfg(ctx: &mut Context, module: &Module) -> Result<Module, String> {
    let mut cfg = module.clone();
    let pipeline = wasmir::pass::pipeline::parse("module(func(lower-stack-slots,lower-to-cfg))").map_err(|d| d.message)?;
    let instr = wasmir::pass::manager::Instrumentation { verify_each: true, ..Default::default() };
    wasmir::pass::manager::run(ctx, &mut cfg, &pipeline, &instr, &mut |_, _, _| {}).map_err(|(_, f)| format!("`{}` failed: {}", f.pass, f.message))?;
    Ok(cfg)
}

/// The host ISA, which the mid-end needs for its legality rules; the CLIF itself does not depend
/// on it (addresses and pointers never appear in it).
fn isa(level: OptLevel) -> Result<std::sync::Arc<dyn cranelift_codegen::isa::TargetIsa>, String> {
    isa_with(level, &[])
}

/// The host ISA at `level`, with extra shared `settings` (`is_pic` for objects).
pub(crate) fn isa_with(level: OptLevel, extra: &[(&str, &str)]) -> Result<std::sync::Arc<dyn cranelift_codegen::isa::TargetIsa>, String> {
    let mut flags = settings::builder();
    for (k, v) in extra {
        flags.set(k, v).map_err(|e| e.to_string())?;
    }
    let opt = match level {
        OptLevel::None => "none",
        OptLevel::Speed => "speed",
        OptLevel::SpeedAndSize => "speed_and_size",
    };
    flags.set("opt_level", opt).map_err(|e| e.to_string())?;
    let builder = cranelift_native::builder().map_err(|e| format!("Cranelift does not support this host: {e}"))?;
    builder.finish(settings::Flags::new(flags)).map_err(|e| e.to_string())
}



#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = r#"
wasm.memory @mem min 1
func.func @inc(%p: i32) -> i32 export "inc" {
  %v = wasm.i32.load @mem %p offset 8
  %one = wasm.i32.const 1
  %w = wasm.i32.add %v, %one
  wasm.i32.store @mem %p, %w offset 8
  %again = wasm.i32.load @mem %p offset 8
  func.return %again : i32
}
func.func @keep(%r: externref) -> externref export "keep" {
  func.return %r : externref
}
"#;

    #[test]
    fn optimize_module_raises_what_it_can_and_keeps_the_rest() {
        let mut ctx = Context::new();
        let mut module = wasmir::parse(&mut ctx, MODULE, Default::default()).expect("parses");
        let before_keep = wasmir::print_module(&ctx, &module, Default::default());
        let report = optimize_module(&mut ctx, &mut module, OptLevel::Speed).expect("optimizes");
        assert_eq!(report.optimized, ["inc"]);
        assert_eq!(report.passed_through.len(), 1);
        assert!(report.passed_through[0].1.contains("externref"), "{:?}", report.passed_through);
        let diags = wasmir::verify(&ctx, &module);
        assert!(diags.is_empty(), "{diags:?}");
        let after = wasmir::print_module(&ctx, &module, Default::default());
        // Alias analysis forwards the stored value: one load and one store are left.
        assert_eq!(after.matches("wasm.i32.load").count(), 1, "{after}");
        assert_eq!(after.matches("wasm.i32.store").count(), 1, "{after}");
        let keep = |t: &str| t[t.find("func.func @keep").expect("kept")..].to_string();
        assert_eq!(keep(&after), keep(&before_keep));
        let text = report.timing_text(Duration::from_millis(1));
        for stage in ["lower-to-cfg", "lower to CLIF", "Cranelift mid-end", "raise to WasmIR", "structurize + encode", "total"] {
            assert!(text.contains(stage), "{text}");
        }
    }
}
