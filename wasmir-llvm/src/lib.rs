//! WasmIR through LLVM 22: functions lowered to LLVM IR for `wasm32-unknown-unknown`, optimized
//! by LLVM's new pass manager, written as a relocatable object and linked by wasm-ld.
//!
//! - [`items`] reads the module level (functions, the memory, globals, data segments) and
//!   refuses what the backend does not support;
//! - [`lower`] turns each function, in CFG form (`lower-to-cfg` on a copy), into LLVM IR with
//!   wasm's semantics made explicit (traps are branches to `llvm.trap`, never LLVM UB);
//! - [`link`] runs wasm-ld and gives the linked module the WasmIR module's memory, data segments
//!   and global initializers, which never go through LLVM.
//!
//! See docs/architecture/llvm.md for the reasoning.
pub mod items;
pub mod link;
pub mod lower;

use inkwell::OptimizationLevel;
use inkwell::context::Context as LlContext;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{CodeModel, FileType, InitializationConfig, RelocMode, Target, TargetTriple};
use wasmir::{Context, Module};

/// The target triple of the generated code.
pub const TRIPLE: &str = "wasm32-unknown-unknown";

/// The default `--target-features`: what the lowering relies on (sign extension, saturating
/// conversions, bulk memory for LLVM's own `memset`/`memcpy`) and what every current engine has.
pub const DEFAULT_FEATURES: &str = "+mutable-globals,+sign-ext,+bulk-memory,+bulk-memory-opt,+nontrapping-fptoint,+multivalue";

/// LLVM's optimization level (`-O<level>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptLevel {
    O0,
    O1,
    O2,
    O3,
    Os,
    Oz,
}

impl OptLevel {
    /// The level of `-O<level>`; no flag is -O0.
    pub fn from_flag(level: Option<&str>) -> OptLevel {
        match level {
            Some("1") => OptLevel::O1,
            Some("2") => OptLevel::O2,
            Some("3") => OptLevel::O3,
            Some("s") => OptLevel::Os,
            Some("z") => OptLevel::Oz,
            _ => OptLevel::O0,
        }
    }

    /// The new pass manager's pipeline. `mem2reg` runs first at every level: locals are
    /// allocas, and an alloca left in place would put a shadow stack in linear memory.
    fn passes(self) -> &'static str {
        match self {
            OptLevel::O0 => "function(mem2reg),default<O0>",
            OptLevel::O1 => "function(mem2reg),default<O1>",
            OptLevel::O2 => "function(mem2reg),default<O2>",
            OptLevel::O3 => "function(mem2reg),default<O3>",
            OptLevel::Os => "function(mem2reg),default<Os>",
            OptLevel::Oz => "function(mem2reg),default<Oz>",
        }
    }

    fn codegen(self) -> OptimizationLevel {
        match self {
            OptLevel::O0 => OptimizationLevel::None,
            OptLevel::O1 => OptimizationLevel::Less,
            OptLevel::O3 => OptimizationLevel::Aggressive,
            _ => OptimizationLevel::Default,
        }
    }
}

/// How to compile.
#[derive(Clone, Debug)]
pub struct Options {
    pub opt: OptLevel,
    /// LLVM's feature string for the wasm32 target: `+simd128,-sign-ext,…`.
    pub features: String,
    /// Keep every access to linear memory exactly as wasm has it: volatile (LLVM keeps each
    /// one, in order: no dead load removed, no store forwarded, no store loop made a
    /// `memory.fill`), and an address plus offset past 4 GiB traps before the access instead of
    /// being poison. Most memory optimization is lost; this is for differential testing, where it
    /// tells the known deviations of docs/architecture/llvm.md from bugs.
    pub strict_memory: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { opt: OptLevel::O0, features: DEFAULT_FEATURES.to_string(), strict_memory: false }
    }
}

/// Why a module was not compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The module uses something outside the slice the backend supports (refused by
    /// [`items::collect`] or the lowering before LLVM runs); the message names it and ends with
    /// [`items::OTHER_BACKENDS`]. The module itself is fine: another backend can take it.
    Unsupported(String),
    /// Anything else: an internal error, LLVM or wasm-ld failing.
    Failed(String),
}

impl Error {
    pub fn message(&self) -> &str {
        match self {
            Error::Unsupported(m) | Error::Failed(m) => m,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Error {}

/// Plain messages are failures: a refusal is always made as [`Error::Unsupported`].
impl From<String> for Error {
    fn from(m: String) -> Error {
        Error::Failed(m)
    }
}

impl From<&str> for Error {
    fn from(m: &str) -> Error {
        Error::Failed(m.to_string())
    }
}

/// A compiled module: the optimized LLVM IR, the object, and what the link adds.
pub struct Compiled {
    pub llvm_ir: String,
    pub object: Vec<u8>,
    pub layout: items::Layout,
}

impl Compiled {
    /// Links the object with wasm-ld into the final module.
    pub fn link(&self) -> Result<Vec<u8>, String> {
        link::link(&self.object, &self.layout)
    }
}

/// Lowers a verified module to LLVM IR, optimizes it and writes the object.
pub fn compile(ctx: &Context, module: &Module, opts: &Options) -> Result<Compiled, Error> {
    // Function bodies in CFG form, on a copy: the caller's module stays as it is.
    let mut ctx = ctx.clone();
    let mut cfg = module.clone();
    let pipeline = wasmir::pass::pipeline::parse("module(func(lower-to-cfg))").map_err(|d| d.message)?;
    let instr = wasmir::pass::manager::Instrumentation { verify_each: true, ..Default::default() };
    wasmir::pass::manager::run(&mut ctx, &mut cfg, &pipeline, &instr, &mut |_, _, _| {}).map_err(|(_, f)| format!("`{}` failed: {}", f.pass, f.message))?;
    // lower-to-cfg leaves the module level as it was: its items are the input's.
    let cfg_items = items::collect(&ctx, &cfg)?;

    Target::initialize_webassembly(&InitializationConfig::default());
    let triple = TargetTriple::create(TRIPLE);
    let target = Target::from_triple(&triple).map_err(|e| format!("LLVM has no wasm32 target: {e}"))?;
    let tm = target
        .create_target_machine(&triple, "generic", &opts.features, opts.opt.codegen(), RelocMode::Static, CodeModel::Default)
        .ok_or("LLVM cannot make a wasm32 target machine")?;
    let ll = LlContext::create();
    let m = ll.create_module("wasmir");
    m.set_source_file_name("wasmir");
    m.set_triple(&triple);
    m.set_data_layout(&tm.get_target_data().get_data_layout());
    let decls = lower::declare(&ll, &m, &cfg_items)?;
    for f in cfg_items.functions.iter().filter(|f| f.import.is_none()) {
        lower::lower_function(&ll, &m, &decls, &ctx, &cfg, &cfg_items, f, opts)?;
    }
    // LLVM's passes assume valid IR: anything wrong here is reported, never handed on.
    m.verify().map_err(|e| format!("internal error: the LLVM IR does not verify: {}", e.to_string().trim_end()))?;
    m.run_passes(opts.opt.passes(), &tm, PassBuilderOptions::create()).map_err(|e| format!("LLVM's passes failed: {e}"))?;
    let llvm_ir = m.print_to_string().to_string();
    let object = tm.write_to_memory_buffer(&m, FileType::Object).map_err(|e| format!("LLVM cannot write the object: {e}"))?.as_slice().to_vec();
    Ok(Compiled { llvm_ir, object, layout: cfg_items.layout() })
}

/// The features of LLVM 22's wasm32 target (`llc -mtriple=wasm32 -mattr=help`).
pub const WASM_FEATURES: &[&str] = &[
    "atomics",
    "bulk-memory",
    "bulk-memory-opt",
    "call-indirect-overlong",
    "exception-handling",
    "extended-const",
    "fp16",
    "gc",
    "multimemory",
    "multivalue",
    "mutable-globals",
    "nontrapping-fptoint",
    "reference-types",
    "relaxed-simd",
    "sign-ext",
    "simd128",
    "tail-call",
    "wide-arithmetic",
];

/// Checks that `features` is a list LLVM's wasm32 target accepts: `+name` or `-name`, separated
/// by commas.
pub fn check_features(features: &str) -> Result<(), String> {
    // LLVM only warns about an unknown feature, on the process's stderr, and ignores it.
    let known = WASM_FEATURES;
    for f in features.split(',').filter(|f| !f.is_empty()) {
        let name = f.strip_prefix(['+', '-']).ok_or_else(|| format!("--target-features: `{f}` must start with `+` or `-`"))?;
        if !known.contains(&name) {
            return Err(format!("--target-features: LLVM's wasm32 target has no feature `{name}` (it knows {})", known.join(", ")));
        }
    }
    Ok(())
}
