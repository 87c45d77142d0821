//! WasmIR through LLVM 22: functions lowered to LLVM IR for `wasm32-unknown-unknown` (or
//! `wasm64-unknown-unknown` for a 64-bit memory), optimized by LLVM's new pass manager, written
//! as a relocatable object and linked by wasm-ld.
//!
//! - [`items`] reads the module level (functions, the memory, globals, data segments, tables,
//!   element segments) and refuses what the backend does not support, as
//!   [`Error::Unsupported`];
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
    /// Keep every access to linear memory exactly as wasm has it: volatile (LLVM keeps each
    /// one, in order: no dead load removed, no store forwarded, no store loop made a
    /// `memory.fill`), and an address plus offset past the address space traps before the access
    /// instead of being poison. Most memory optimization is lost; this is for differential
    /// testing, where it tells the known deviations of docs/architecture/llvm.md from bugs.
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
    /// [`items::collect`], [`items::check_target`], the lowering or [`native`]'s subset before
    /// LLVM runs); the message names it. The module itself is fine: another backend can take it.
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

    /// The same kind of error with its message rewritten by `f`.
    pub fn map(self, f: impl FnOnce(String) -> String) -> Error {
        match self {
            Error::Unsupported(m) => Error::Unsupported(f(m)),
            Error::Failed(m) => Error::Failed(f(m)),
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
        lower::lower_function(&ll, &m, &decls, &ctx, &cfg, &cfg_items, f, opts)?;
    }
    lower::start_function(&ll, &m, &cfg_items, &decls)?;
    opts.opt.mark_size(&ll, &m);
    // No switch becomes a lookup table: that is a constant array in linear memory, which the
    // module's own layout has no room for (see link.rs). `no-jump-tables` is what keeps
    // SimplifyCFG from building one; it goes again before codegen, whose jump tables are
    // `br_table`s.
    let no_jump_tables = || ll.create_string_attribute("no-jump-tables", "true");
    for f in m.get_functions().filter(|f| f.count_basic_blocks() > 0) {
        f.add_attribute(inkwell::attributes::AttributeLoc::Function, no_jump_tables());
    }
    optimize(&m, &tm, opts.opt)?;
    for f in m.get_functions() {
        f.remove_string_attribute(inkwell::attributes::AttributeLoc::Function, "no-jump-tables");
    }
    expand_wide_multiplies(&ll, &m)?;
    keep_global_access_types(&ll, &m)?;
    lower::finish_references(&ll, &m)?;
    no_functions_stand_in(&ll, &m)?;
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
    let pipeline = wasmir::pass::pipeline::parse("module(func(lower-stack-slots,lower-to-cfg))").map_err(|d| d.message)?;
    let instr = wasmir::pass::manager::Instrumentation { verify_each: true, ..Default::default() };
    wasmir::pass::manager::run(&mut ctx, &mut cfg, &pipeline, &instr, &mut |_, _, _| {}).map_err(|(_, f)| format!("`{}` failed: {}", f.pass, f.message))?;
    Ok((ctx, cfg))
}

/// Keeps every `global.get` and `global.set` of the global's own type. LLVM reads and writes
/// memory as whatever type is convenient, and a wasm global (address space 1) is memory to it:
/// InstCombine makes `i32.reinterpret_f32 (global.get $f)` a `load i32` from the f32 global, and
/// at instruction selection the DAG combiner folds a bitcast into the load or store next to it
/// (volatile or not), stores a float constant as an integer, makes a conversion of the value an
/// extending or truncating access, and narrows an access to the bytes used. For linear memory that is
/// harmless; for a global the wasm32 target writes a `global.get`/`global.set` of the wrong
/// type, and the module does not validate. So, after the optimizer (codegen runs no
/// interprocedural pass), such an access becomes a call to a small `noinline` function that
/// reads or writes the global with its own type (`__wasmir.get.SYM`, `__wasmir.set.SYM`),
/// where nothing next to the access can be folded into it: an access of another type, a read
/// whose value is converted or masked, a write of a converted value or a float constant, and a
/// write of a bitwise operation (which may be a narrowed read-modify-write of the global). Plain
/// reads and writes, the common case, stay `global.get`/`global.set`.
fn keep_global_access_types<'ll>(ll: &'ll LlContext, m: &inkwell::module::Module<'ll>) -> Result<(), Error> {
    use inkwell::attributes::AttributeLoc;
    use inkwell::module::Linkage;
    use inkwell::types::{BasicType, BasicTypeEnum};
    use inkwell::values::{AnyValueEnum, BasicValue, BasicValueEnum, FunctionValue, InstructionOpcode, Operand};
    let space = inkwell::AddressSpace::from(lower::WASM_GLOBAL_SPACE);
    // The wasm globals: the numeric globals of address space 1 (the tables live there too).
    let wasm_globals: Vec<_> = m
        .get_globals()
        .filter(|g| g.as_pointer_value().get_type().get_address_space() == space)
        .filter_map(|g| Some((g, BasicTypeEnum::try_from(g.get_value_type()).ok()?)))
        .filter(|(_, t)| t.is_int_type() || t.is_float_type())
        .collect();
    let global_of = |op: Option<Operand<'ll>>| match op {
        Some(Operand::Value(BasicValueEnum::PointerValue(p))) => wasm_globals.iter().find(|(g, _)| g.as_pointer_value() == p).copied(),
        _ => None,
    };
    // What instruction selection folds into a load: a conversion of its value (into an
    // extending, narrowed or retyped load), a mask or a shift (a narrowed or extending load), or
    // a sign operation (`fneg`, `fabs`, `copysign`: an integer operation on the bits, whose
    // bitcast then folds into the load).
    let folds_into_load = |u: AnyValueEnum<'ll>| {
        let i = match u {
            AnyValueEnum::IntValue(v) => v.as_instruction(),
            AnyValueEnum::FloatValue(v) => v.as_instruction(),
            _ => None,
        };
        i.is_some_and(|i| {
            matches!(
                i.get_opcode(),
                InstructionOpcode::BitCast
                    | InstructionOpcode::ZExt
                    | InstructionOpcode::SExt
                    | InstructionOpcode::Trunc
                    | InstructionOpcode::FPExt
                    | InstructionOpcode::And
                    | InstructionOpcode::Shl
                    | InstructionOpcode::LShr
                    | InstructionOpcode::AShr
                    | InstructionOpcode::FNeg
                    | InstructionOpcode::Call
            )
        })
    };
    // ... and into a store: a conversion of the value stored (a truncating or retyped store), or
    // a bitwise operation on the global's own value (a narrowed read-modify-write).
    let folds_into_store = |v: BasicValueEnum<'ll>| {
        v.as_instruction_value().is_some_and(|i| {
            matches!(i.get_opcode(), InstructionOpcode::BitCast | InstructionOpcode::Trunc | InstructionOpcode::FPTrunc | InstructionOpcode::And | InstructionOpcode::Or | InstructionOpcode::Xor)
        })
    };
    let bug = |e: &dyn std::fmt::Debug| Error::Failed(format!("internal error: keeping an access to a wasm global of its type: {e:?}"));
    let builder = ll.create_builder();
    let noinline = ll.create_enum_attribute(inkwell::attributes::Attribute::get_named_enum_kind_id("noinline"), 0);
    // The accessor of `g`, made on first use: `get` or `set`.
    let accessor = |g: inkwell::values::GlobalValue<'ll>, t: BasicTypeEnum<'ll>, set: bool| -> Result<FunctionValue<'ll>, Error> {
        let sym = g.get_name().to_string_lossy().into_owned();
        let name = format!("{}{}.{sym}", items::RESERVED, if set { "set" } else { "get" });
        if let Some(f) = m.get_function(&name) {
            return Ok(f);
        }
        let fty = if set { ll.void_type().fn_type(&[t.into()], false) } else { t.fn_type(&[], false) };
        let f = m.add_function(&name, fty, Some(Linkage::Internal));
        f.add_attribute(AttributeLoc::Function, noinline);
        let b = ll.create_builder();
        b.position_at_end(ll.append_basic_block(f, ""));
        if set {
            let x = f.get_nth_param(0).ok_or_else(|| bug(&"an accessor without its parameter"))?;
            b.build_store(g.as_pointer_value(), x).map_err(|e| bug(&e))?;
            b.build_return(None).map_err(|e| bug(&e))?;
        } else {
            let v = b.build_load(t, g.as_pointer_value(), "").map_err(|e| bug(&e))?;
            b.build_return(Some(&v)).map_err(|e| bug(&e))?;
        }
        Ok(f)
    };
    for f in m.get_functions().collect::<Vec<_>>() {
        for bb in f.get_basic_blocks() {
            for i in bb.get_instructions().collect::<Vec<_>>() {
                match i.get_opcode() {
                    InstructionOpcode::Load => {
                        let Some((g, t)) = global_of(i.get_operand(0)) else { continue };
                        let Ok(used_as) = BasicTypeEnum::try_from(i.get_type()) else { continue };
                        let mut folds = false;
                        let mut u = i.get_first_use();
                        while let Some(x) = u {
                            folds |= folds_into_load(x.get_user());
                            u = x.get_next_use();
                        }
                        if used_as == t && !folds {
                            continue;
                        }
                        builder.position_before(&i);
                        let call = builder.build_call(accessor(g, t, false)?, &[], "").map_err(|e| bug(&e))?;
                        let v = call.try_as_basic_value().basic().ok_or_else(|| bug(&"a getter without its value"))?;
                        let v = if used_as == t { v } else { builder.build_bit_cast(v, used_as, "").map_err(|e| bug(&e))? };
                        i.replace_all_uses_with(&v.as_instruction_value().ok_or_else(|| bug(&"a value that is not an instruction"))?);
                        i.erase_from_basic_block();
                    }
                    InstructionOpcode::Store => {
                        let Some((g, t)) = global_of(i.get_operand(1)) else { continue };
                        let Some(Operand::Value(v)) = i.get_operand(0) else { continue };
                        let float_const = matches!(v, BasicValueEnum::FloatValue(x) if x.is_const());
                        if v.get_type() == t && !float_const && !folds_into_store(v) {
                            continue;
                        }
                        builder.position_before(&i);
                        let v = if v.get_type() == t { v } else { builder.build_bit_cast(v, t, "").map_err(|e| bug(&e))? };
                        builder.build_call(accessor(g, t, true)?, &[v.into()], "").map_err(|e| bug(&e))?;
                        i.erase_from_basic_block();
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

/// Multiplications of 128-bit integers become 64-bit code again. LLVM's AggressiveInstCombine
/// recognizes the 32-bit ladder that computes the high half of a 64-bit product (which Rust's
/// `u128` arithmetic becomes in WasmIR) and rewrites it as a `mul i128`, which the wasm32 code
/// generator then turns into a call to compiler-rt's `__multi3`: a function nothing defines here
/// (and one that returns its result through a shadow stack). So, after the optimizer, each
/// `mul i128` is computed from its operands' 64-bit halves: the full 128-bit product of the low
/// halves from four 32-bit partial products, plus the low halves of the two cross products in the
/// high half. Code generation does not put the ladder back together.
fn expand_wide_multiplies<'ll>(ll: &'ll LlContext, m: &inkwell::module::Module<'ll>) -> Result<(), Error> {
    use inkwell::values::{BasicValue, BasicValueEnum, InstructionOpcode, IntValue, Operand};
    let bug = |e: &dyn std::fmt::Debug| Error::Failed(format!("internal error: expanding a 128-bit multiplication: {e:?}"));
    let (i64t, i128t) = (ll.i64_type(), ll.i128_type());
    let b = ll.create_builder();
    for f in m.get_functions().collect::<Vec<_>>() {
        for bb in f.get_basic_blocks() {
            for i in bb.get_instructions().collect::<Vec<_>>() {
                if i.get_opcode() != InstructionOpcode::Mul || i.get_type() != i128t.into() {
                    continue;
                }
                let operand = |k: u32| match i.get_operand(k) {
                    Some(Operand::Value(BasicValueEnum::IntValue(v))) => Ok(v),
                    other => Err(bug(&other)),
                };
                let (x, y) = (operand(0)?, operand(1)?);
                b.position_before(&i);
                let c64 = i128t.const_int(64, false);
                let halves = |v: IntValue<'ll>| -> Result<(IntValue<'ll>, IntValue<'ll>), Error> {
                    let lo = b.build_int_truncate(v, i64t, "").map_err(|e| bug(&e))?;
                    let shifted = b.build_right_shift(v, c64, false, "").map_err(|e| bug(&e))?;
                    let hi = b.build_int_truncate(shifted, i64t, "").map_err(|e| bug(&e))?;
                    Ok((lo, hi))
                };
                let ((xl, xh), (yl, yh)) = (halves(x)?, halves(y)?);
                let mask = i64t.const_int(0xffff_ffff, false);
                let c32 = i64t.const_int(32, false);
                let and = |a, m| b.build_and(a, m, "").map_err(|e| bug(&e));
                let shr = |a| b.build_right_shift(a, c32, false, "").map_err(|e| bug(&e));
                let mul = |a, c| b.build_int_mul(a, c, "").map_err(|e| bug(&e));
                let add = |a, c| b.build_int_add(a, c, "").map_err(|e| bug(&e));
                let (x0, x1, y0, y1) = (and(xl, mask)?, shr(xl)?, and(yl, mask)?, shr(yl)?);
                let (p00, p01, p10, p11) = (mul(x0, y0)?, mul(x0, y1)?, mul(x1, y0)?, mul(x1, y1)?);
                // Three values below 2^32 each: the sum fits in 64 bits.
                let mid = add(add(shr(p00)?, and(p01, mask)?)?, and(p10, mask)?)?;
                let lo = b.build_or(and(p00, mask)?, b.build_left_shift(mid, c32, "").map_err(|e| bug(&e))?, "").map_err(|e| bug(&e))?;
                let hi = add(add(add(p11, shr(p01)?)?, shr(p10)?)?, shr(mid)?)?;
                let hi = add(add(hi, mul(xl, yh)?)?, mul(xh, yl)?)?;
                let lo = b.build_int_z_extend(lo, i128t, "").map_err(|e| bug(&e))?;
                let hi = b.build_int_z_extend(hi, i128t, "").map_err(|e| bug(&e))?;
                let hi = b.build_left_shift(hi, c64, "").map_err(|e| bug(&e))?;
                let product = b.build_or(lo, hi, "").map_err(|e| bug(&e))?;
                let product = product.as_instruction_value().ok_or_else(|| bug(&"a product that is not an instruction"))?;
                i.replace_all_uses_with(&product);
                i.erase_from_basic_block();
            }
        }
    }
    Ok(())
}

/// The wasm32 target learns how to write wasm globals from the first function it compiles: in
/// a module without a function body (none written, or all gone in the optimizer) LLVM aborts
/// the process ("Aggregate globals not yet implemented"). An empty internal function, which
/// wasm-ld drops, stands in; codegen removes no function.
fn no_functions_stand_in<'ll>(ll: &'ll LlContext, m: &inkwell::module::Module<'ll>) -> Result<(), Error> {
    if m.get_globals().next().is_none() || m.get_functions().any(|f| f.count_basic_blocks() > 0) {
        return Ok(());
    }
    let f = m.add_function(&format!("{}no_functions", items::RESERVED), ll.void_type().fn_type(&[], false), Some(inkwell::module::Linkage::Internal));
    let b = ll.create_builder();
    b.position_at_end(ll.append_basic_block(f, ""));
    b.build_return(None).map_err(|e| format!("internal error: building LLVM IR: {e}"))?;
    Ok(())
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
