//! WasmIR through LLVM 22: functions lowered to LLVM IR for `wasm32-unknown-unknown` (or
//! `wasm64-unknown-unknown` for a 64-bit memory), optimized by LLVM's new pass manager, written
//! as a relocatable object and linked by wasm-ld.
//!
//! - [`items`] reads the module level (functions, the memory, globals, data segments, tables,
//!   element segments) and refuses what the backend does not support;
//! - [`lower`] turns each function, in CFG form (`lower-to-cfg` on a copy), into LLVM IR with
//!   wasm's semantics made explicit (traps are branches to `llvm.trap`, never LLVM UB);
//! - [`link`] runs wasm-ld and gives the linked module the WasmIR module's memory, data segments,
//!   global initializers, tables and element segments, which never go through LLVM;
//! - [`native`] compiles for the host instead, in the vmctx ABI of `wasmir_native` (the one of
//!   Cranelift's native code): an ELF object, or code loaded in this process.
//!
//! See docs/architecture/llvm.md for the reasoning.
pub mod items;
pub mod link;
pub mod lower;
pub mod native;

use inkwell::OptimizationLevel;
use inkwell::context::Context as LlContext;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{CodeModel, FileType, InitializationConfig, RelocMode, Target, TargetMachineOptions, TargetTriple};
use wasmir::{Context, Module};

/// The target triple of the generated code.
pub const TRIPLE: &str = "wasm32-unknown-unknown";

/// The target triple of a module whose memory is 64-bit (memory64): addresses and LLVM's
/// pointers are 64-bit.
pub const TRIPLE64: &str = "wasm64-unknown-unknown";

/// The target ABI. With `experimental-mv` (and the `multivalue` feature) the wasm32 target
/// returns an LLVM struct as the results of a multi-result wasm function; with the default ABI
/// it would return it through memory, on a shadow stack. It changes nothing else.
pub const TARGET_ABI: &str = "experimental-mv";

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

    /// For -Os and -Oz, gives every function `optsize` (and `minsize` for -Oz), as clang does:
    /// LLVM's `default<Os>`/`default<Oz>` pipelines and its code generator read these
    /// attributes, and without them produce what -O2 does.
    fn mark_size<'ll>(self, ll: &'ll LlContext, m: &inkwell::module::Module<'ll>) {
        let kinds: &[&str] = match self {
            OptLevel::Os => &["optsize"],
            OptLevel::Oz => &["optsize", "minsize"],
            _ => return,
        };
        for f in m.get_functions().filter(|f| f.count_basic_blocks() > 0) {
            for k in kinds {
                f.add_attribute(inkwell::attributes::AttributeLoc::Function, ll.create_enum_attribute(inkwell::attributes::Attribute::get_named_enum_kind_id(k), 0));
            }
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
}

impl Default for Options {
    fn default() -> Self {
        Options { opt: OptLevel::O0, features: DEFAULT_FEATURES.to_string() }
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
pub fn compile(ctx: &Context, module: &Module, opts: &Options) -> Result<Compiled, String> {
    let (ctx, cfg) = to_cfg(ctx, module)?;
    // lower-to-cfg leaves the module level as it was: its items are the input's.
    let cfg_items = items::collect(&ctx, &cfg)?;

    Target::initialize_webassembly(&InitializationConfig::default());
    let triple = TargetTriple::create(if cfg_items.memory64() { TRIPLE64 } else { TRIPLE });
    let target = Target::from_triple(&triple).map_err(|e| format!("LLVM has no WebAssembly target: {e}"))?;
    items::check_target(&ctx, &cfg, &cfg_items, &opts.features)?;
    // At -O0 LLVM selects instructions with FastISel, which calls a `funcref` as if it were a
    // table index (invalid wasm); SelectionDAG, from the lowest optimizing level on, does not.
    let codegen = match opts.opt.codegen() {
        OptimizationLevel::None if cfg_items.uses_references => OptimizationLevel::Less,
        level => level,
    };
    let tm_options = TargetMachineOptions::new()
        .set_cpu("generic")
        .set_features(&opts.features)
        .set_abi(TARGET_ABI)
        .set_level(codegen)
        .set_reloc_mode(RelocMode::Static)
        .set_code_model(CodeModel::Default);
    let tm = target.create_target_machine_from_options(&triple, tm_options).ok_or("LLVM cannot make a WebAssembly target machine")?;
    let ll = LlContext::create();
    let m = new_module(&ll, &tm);
    let decls = lower::declare(&ll, &m, &cfg_items)?;
    for f in cfg_items.functions.iter().filter(|f| f.import.is_none()) {
        lower::lower_function(&ll, &m, &decls, &ctx, &cfg, &cfg_items, f)?;
    }
    lower::start_function(&ll, &m, &cfg_items, &decls)?;
    opts.opt.mark_size(&ll, &m);
    optimize(&m, &tm, opts.opt)?;
    lower::finish_references(&ll, &m)?;
    let (llvm_ir, object) = emit(&m, &tm)?;
    Ok(Compiled { llvm_ir, object, layout: cfg_items.layout() })
}

/// An empty module `wasmir` (also its source file name, so the IR names no path) for `tm`.
fn new_module<'ll>(ll: &'ll LlContext, tm: &inkwell::targets::TargetMachine) -> inkwell::module::Module<'ll> {
    let m = ll.create_module("wasmir");
    m.set_source_file_name("wasmir");
    m.set_triple(&tm.get_triple());
    m.set_data_layout(&tm.get_target_data().get_data_layout());
    m
}

/// Verifies `m` and runs LLVM's pipeline at `opt` on it.
fn optimize(m: &inkwell::module::Module<'_>, tm: &inkwell::targets::TargetMachine, opt: OptLevel) -> Result<(), String> {
    // LLVM's passes assume valid IR: anything wrong here is reported, never handed on.
    m.verify().map_err(|e| format!("internal error: the LLVM IR does not verify: {}", e.to_string().trim_end()))?;
    m.run_passes(opt.passes(), tm, PassBuilderOptions::create()).map_err(|e| format!("LLVM's passes failed: {e}"))
}

/// The (optimized) IR as text, and the object.
fn emit(m: &inkwell::module::Module<'_>, tm: &inkwell::targets::TargetMachine) -> Result<(String, Vec<u8>), String> {
    let llvm_ir = m.print_to_string().to_string();
    let object = tm.write_to_memory_buffer(m, FileType::Object).map_err(|e| format!("LLVM cannot write the object: {e}"))?.as_slice().to_vec();
    Ok((llvm_ir, object))
}

/// Function bodies in CFG form, on a copy: the caller's module stays as it is.
fn to_cfg(ctx: &Context, module: &Module) -> Result<(Context, Module), String> {
    let mut ctx = ctx.clone();
    let mut cfg = module.clone();
    let pipeline = wasmir::pass::pipeline::parse("module(func(lower-to-cfg))").map_err(|d| d.message)?;
    let instr = wasmir::pass::manager::Instrumentation { verify_each: true, ..Default::default() };
    wasmir::pass::manager::run(&mut ctx, &mut cfg, &pipeline, &instr, &mut |_, _, _| {}).map_err(|(_, f)| format!("`{}` failed: {}", f.pass, f.message))?;
    Ok((ctx, cfg))
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

/// The features LLVM 22's `generic` CPU enables for wasm32 before `--target-features` applies.
const GENERIC_FEATURES: &[&str] = &["bulk-memory", "bulk-memory-opt", "call-indirect-overlong", "multivalue", "mutable-globals", "nontrapping-fptoint", "reference-types", "sign-ext"];

/// Whether the feature `name` is on with the `--target-features` list `features`: its last
/// mention (`+name`/`-name`) decides, else the `generic` CPU's default. (LLVM then adds implied
/// features: `bulk-memory` brings `bulk-memory-opt`, whatever the list says about the latter.)
pub fn feature_enabled(features: &str, name: &str) -> bool {
    let last = features.split(',').rev().find(|f| f.get(1..) == Some(name));
    match last {
        Some(f) => f.starts_with('+'),
        None => GENERIC_FEATURES.contains(&name),
    }
}

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
