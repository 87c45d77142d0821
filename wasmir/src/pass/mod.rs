//! Passes and the pass manager.
//!
//! Every pass is declared once in [`REGISTRY`] (name, one-line summary, the level it runs at, its
//! options); the registry drives `wasmir-opt`'s flags and `--help`, the textual pipeline, and the
//! generated `docs/Passes.md`. A pipeline nests passes as MLIR does: `module(func(dce))` runs
//! `dce` on every `func.func` of the module. Function passes see one function and may not touch
//! its siblings, so a pipeline may run them on functions independently.
mod canonicalize;
mod cfg;
mod cse;
mod dce;
pub mod effects;
mod inline;
mod licm;
mod linearity;
mod lower_cfg;
mod lower_ownership;
mod lower_slots;
pub mod manager;
mod mem2reg;
mod memory_opt;
pub mod pipeline;
mod scalarize_slots;
mod sccp;
mod simplify_cfg;
mod structurize;
mod symbol_dce;
pub mod walk;

pub use lower_ownership::has_ownership;
pub use lower_slots::{has_stack_slots, lower_all as lower_stack_slots};

use crate::ir::{Context, Module, OpRef};

/// Where a pass runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Level {
    /// On the whole module.
    Module,
    /// On one `func.func` at a time.
    Function,
}

/// An option a pass takes in a pipeline: `name{key=value}`.
#[derive(Clone, Copy, Debug)]
pub struct PassOption {
    pub name: &'static str,
    pub summary: &'static str,
    pub default: &'static str,
}

/// The declaration of a pass.
pub struct PassInfo {
    pub name: &'static str,
    pub summary: &'static str,
    /// Longer description (Markdown) for the reference.
    pub description: &'static str,
    pub level: Level,
    pub options: &'static [PassOption],
    /// Builds the pass from its option values (`key`, `value`), checked against `options`.
    pub create: fn(&[(String, String)]) -> Result<Box<dyn Pass>, String>,
}

/// A pass. `run` returns whether it changed the IR; an `Err` is a pass failure (its message names
/// what went wrong).
pub trait Pass {
    /// Runs on `target`: the module op for a module pass, a `func.func` for a function pass.
    fn run(&mut self, ctx: &mut Context, module: &mut Module, target: OpRef, stats: &mut Statistics) -> Result<bool, String>;
    /// Called once before the pass runs on its targets, with the whole module: where a function
    /// pass computes what it needs to know about the other functions (they are not changed yet).
    fn prepare(&mut self, _ctx: &Context, _module: &Module) {}
    /// After a failed `run`: the diagnostics a checking pass found in its input (errors with
    /// spans, for `--verify-diagnostics`). A pass that reports some has diagnosed the input
    /// rather than failed itself. Empty by default.
    fn take_diagnostics(&mut self) -> Vec<crate::diag::Diagnostic> {
        Vec::new()
    }
}

/// Named counters a pass reports (`--pass-statistics`).
#[derive(Default, Debug, Clone)]
pub struct Statistics {
    pub counters: Vec<(&'static str, u64)>,
}

impl Statistics {
    pub fn add(&mut self, name: &'static str, n: u64) {
        match self.counters.iter_mut().find(|(k, _)| *k == name) {
            Some((_, v)) => *v += n,
            None => self.counters.push((name, n)),
        }
    }
}

/// Every pass.
pub static REGISTRY: &[PassInfo] = &[
    canonicalize::INFO,
    cse::INFO,
    dce::INFO,
    effects::CHECK_INFO,
    effects::INFER_INFO,
    inline::INFO,
    licm::INFO,
    linearity::INFO,
    lower_cfg::INFO,
    lower_ownership::INFO,
    lower_slots::INFO,
    mem2reg::INFO,
    memory_opt::INFO,
    scalarize_slots::INFO,
    sccp::INFO,
    simplify_cfg::INFO,
    structurize::INFO,
    symbol_dce::INFO,
];

/// The pass named `name`.
pub fn lookup(name: &str) -> Option<&'static PassInfo> {
    REGISTRY.iter().find(|p| p.name == name)
}

/// The reference of every pass, as Markdown (`docs/Passes.md` between its markers).
pub fn reference() -> String {
    use std::fmt::Write;
    let mut out = String::from("## Optimization levels\n\n`wasmir-opt -O<level>` runs a standard pipeline before `--pass-pipeline` and the pass flags.\n\n| level | what | pipeline |\n|---|---|---|\n");
    for p in PRESETS {
        let pipeline = if p.pipeline.is_empty() { "(none)".to_string() } else { format!("`{}`", p.pipeline) };
        let _ = writeln!(out, "| `-O{}` | {} | {} |", p.level, p.summary, pipeline);
    }
    out.push_str("\n## Passes\n\n");
    for p in REGISTRY {
        let level = match p.level {
            Level::Module => "module",
            Level::Function => "function (runs on each `func.func`)",
        };
        let _ = writeln!(out, "### `{}`\n\n{}\n", p.name, p.summary);
        if !p.description.is_empty() {
            let _ = writeln!(out, "{}\n", p.description);
        }
        let _ = writeln!(out, "- level: {level}");
        let _ = writeln!(out, "- flag: `--{}`; in a pipeline: `{}`", p.name, p.name);
        for o in p.options {
            let _ = writeln!(out, "- option `{}` (default `{}`): {}", o.name, o.default, o.summary);
        }
        out.push('\n');
    }
    out
}

/// Options given to a pass that takes none are refused by name.
pub(crate) fn no_options(pass: &str, opts: &[(String, String)]) -> Result<(), String> {
    match opts.first() {
        Some((k, _)) => Err(format!("`{pass}` takes no options, but `{k}` is given")),
        None => Ok(()),
    }
}

/// A new constant op holding wasm's default value of `ty` (what a local starts with), placed
/// before `at` (or at the end of `blk`);
/// `None` for types without a default (non-nullable references: wasm guarantees they are set
/// before being read).
pub(crate) fn default_value(ctx: &mut Context, module: &mut Module, body: crate::BodyId, ty: crate::Type, at: Option<crate::Op>, blk: crate::Block, loc: crate::Loc) -> Option<crate::Value> {
    let (name, attrs): (&str, Vec<(&str, crate::Attr)>) = if ty == ctx.i32() || ty == ctx.i64() {
        (if ty == ctx.i32() { "wasm.i32.const" } else { "wasm.i64.const" }, vec![("value", ctx.int_attr(0, ty))])
    } else if ty == ctx.f32() || ty == ctx.f64() {
        (if ty == ctx.f32() { "wasm.f32.const" } else { "wasm.f64.const" }, vec![("value", ctx.float_attr(0, ty))])
    } else if ty == ctx.v128() {
        // The bytes, as the importer writes them: 16 integers of type i64.
        let i64t = ctx.i64();
        let zeros: Vec<crate::Attr> = (0..16).map(|_| ctx.int_attr(0, i64t)).collect();
        let arr = ctx.attr(crate::AttrData::Array(zeros.into()));
        ("wasm.v128.const", vec![("value", arr)])
    } else if ctx.ref_parts(ty).is_some_and(|(nullable, _, _)| nullable) {
        ("wasm.ref.null", vec![])
    } else {
        return None;
    };
    let code = ctx.op_code(name);
    let entries: Vec<(crate::Ident, crate::Attr)> = attrs.into_iter().map(|(k, v)| (ctx.ident(k), v)).collect();
    let dict = ctx.dict_attr(entries);
    let b = module.body_mut(body);
    let k = b.create_op(code, &[], &[ty], &[], &[], None, dict, loc);
    match at {
        Some(a) => b.insert_op_before(k, a),
        None => b.append_op(blk, k),
    }
    Some(b.result(k, 0))
}

/// A standard pipeline, selected with `-O<level>`.
pub struct Preset {
    pub level: &'static str,
    pub summary: &'static str,
    pub pipeline: &'static str,
}

/// The `-O` levels. Each is a pipeline of registered passes, so `--dump-pass-pipeline` shows it and
/// `--pass-pipeline` can reproduce or vary it.
pub static PRESETS: &[Preset] = &[
    Preset { level: "0", summary: "no optimization", pipeline: "" },
    Preset {
        level: "1",
        summary: "quick clean-up: promote stack slots and locals, fold, share and remove dead code",
        pipeline: "module(func(scalarize-slots,mem2reg,canonicalize,cse,dce))",
    },
    Preset {
        level: "2",
        summary: "the default optimization pipeline: callees cleaned up first (so their sizes are what inlining copies), inlined, then the function pipeline",
        pipeline: "module(func(mem2reg,scalarize-slots,mem2reg,canonicalize,simplify-cfg,dce),inline{threshold=40},symbol-dce,func(mem2reg,scalarize-slots,mem2reg,canonicalize,sccp,simplify-cfg,cse,memory-opt,licm,dce,mem2reg,canonicalize,simplify-cfg,dce))",
    },
    Preset {
        level: "3",
        summary: "-O2, with the function pipeline run twice",
        pipeline: "module(func(mem2reg,scalarize-slots,mem2reg,canonicalize,simplify-cfg,dce),inline{threshold=80},symbol-dce,func(mem2reg,scalarize-slots,mem2reg,canonicalize,sccp,simplify-cfg,cse,memory-opt,licm,dce,mem2reg,canonicalize,simplify-cfg,cse,memory-opt,licm,dce,mem2reg,canonicalize,simplify-cfg,dce))",
    },
    Preset {
        level: "s",
        summary: "optimize for size: -O2 without hoisting out of loops (a hoisted value needs a local)",
        pipeline: "module(func(mem2reg,scalarize-slots,mem2reg,canonicalize,simplify-cfg,dce),inline{threshold=4},symbol-dce,func(mem2reg,scalarize-slots,mem2reg,canonicalize,sccp,simplify-cfg,cse,memory-opt,dce,mem2reg,canonicalize,simplify-cfg,dce))",
    },
    Preset {
        level: "z",
        summary: "optimize for size, more aggressively: only tiny callees inlined, the clean-up run twice",
        pipeline: "module(func(mem2reg,scalarize-slots,mem2reg,canonicalize,simplify-cfg,dce),inline{threshold=2},symbol-dce,func(mem2reg,scalarize-slots,mem2reg,canonicalize,sccp,simplify-cfg,cse,memory-opt,dce,mem2reg,canonicalize,sccp,simplify-cfg,cse,memory-opt,dce),symbol-dce)",
    },
];

/// The pipeline of `-O<level>` (`level` is `2`, `s`, …, with or without the `-O`).
pub fn preset(level: &str) -> Option<&'static Preset> {
    let level = level.strip_prefix("-O").unwrap_or(level);
    PRESETS.iter().find(|p| p.level == level)
}

#[cfg(test)]
mod tests {
    /// Every `-O` level is a pipeline of registered passes.
    #[test]
    fn presets_parse() {
        for p in super::PRESETS {
            if let Err(d) = super::pipeline::parse(p.pipeline) {
                panic!("-O{}: {}", p.level, d.message);
            }
        }
    }
}
