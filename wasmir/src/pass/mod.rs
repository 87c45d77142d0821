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
mod lower_cfg;
mod structurize;
pub mod manager;
pub mod pipeline;

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
pub static REGISTRY: &[PassInfo] = &[canonicalize::INFO, cse::INFO, dce::INFO, lower_cfg::INFO, structurize::INFO];

/// The pass named `name`.
pub fn lookup(name: &str) -> Option<&'static PassInfo> {
    REGISTRY.iter().find(|p| p.name == name)
}

/// The reference of every pass, as Markdown (`docs/Passes.md` between its markers).
pub fn reference() -> String {
    use std::fmt::Write;
    let mut out = String::new();
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
