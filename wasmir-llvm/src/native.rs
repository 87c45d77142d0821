//! Native code: a WasmIR module compiled by LLVM for the host, in the vmctx ABI of
//! [`wasmir_native`] (the one Cranelift's native code follows), so that one runtime runs either
//! backend's code. [`compile`] writes a relocatable ELF object (`wasmir-translate
//! --backend=llvm --emit=obj --target=native`); [`Compiled::instantiate`] loads that very object
//! into this process with LLVM's ORC JIT and instantiates it with [`wasmir_native::runtime`]
//! (`wasmir-run --backend=llvm-native`).
//!
//! The module level is read by [`crate::items`], as for wasm32, with imports refused in
//! addition; the functions are lowered by [`crate::lower`] in native mode
//! (`lower/native.rs`). Each module function is an internal `wasmir_func_<name>` taking `vmctx`
//! first; each export gets an `extern "C"` entry point `wasmir_entry_<name>`, and
//! `wasmir_start` does nothing (the start function is refused). The target machine is the
//! host's triple with the generic CPU (no host-specific features) and position-independent
//! code.
use crate::items::{Function, Items, OTHER_BACKENDS, ValType};
use crate::lower::native::{Env, OUTSIDE};
use crate::lower::{self, Decls, llvm_type};
use crate::{Error, OptLevel, items};
use inkwell::AddressSpace;
use inkwell::context::Context as LlContext;
use inkwell::module::{Linkage, Module as LlModule};
use inkwell::targets::{CodeModel, InitializationConfig, RelocMode, Target, TargetMachine};
use inkwell::types::{BasicMetadataTypeEnum, BasicType};
use inkwell::values::BasicMetadataValueEnum;
use rustc_hash::FxHashMap;
use wasmir::{Context, Module};
use wasmir_native::runtime::{self, Failure, Instance, Limits};
use wasmir_native::{ENTRY_PREFIX, Export, FUNC_PREFIX, Image, MemoryPlan, START};

mod jit;

/// A module compiled for the host.
pub struct Compiled {
    /// The optimized LLVM IR.
    pub llvm_ir: String,
    /// The relocatable object (ELF on Linux).
    pub object: Vec<u8>,
    /// The exported functions, in module order.
    pub exports: Vec<Export>,
    /// What instantiation copies in (also in the object's data, see [`Image::object_data`]).
    pub image: Image,
}

impl Compiled {
    /// The exported functions, in module order.
    pub fn exports(&self) -> impl Iterator<Item = &Export> {
        self.exports.iter()
    }

    /// Loads the object into this process (LLVM's ORC JIT links it) and instantiates it:
    /// memory, globals, data segments, then the start function.
    pub fn instantiate(self, limits: Limits) -> Result<Instance, Failure> {
        let code = jit::load(&self.object, self.exports).map_err(Failure::Error)?;
        // SAFETY: the object's entry points follow the ABI (`compile`), and the code lives as
        // long as the instance holds `code.owner`.
        unsafe { runtime::instantiate(code, &self.image, limits) }
    }
}

/// A refusal of the module level (by [`items::collect`]) or of the shared lowering, reworded
/// for native code; a failure stays as it is.
fn outside_module(e: Error) -> Error {
    e.map(|e| {
        if e.contains(OUTSIDE) {
            return e;
        }
        let e = e.strip_suffix(&format!("; {OTHER_BACKENDS}")).unwrap_or(&e).to_string();
        format!("{e}: a construct {OUTSIDE}")
    })
}

/// Lowers `module` to LLVM IR for the host, optimizes it at `opt` and writes the object. `Err`
/// names the first construct outside the native subset, as [`Error::Unsupported`].
pub fn compile(ctx: &Context, module: &Module, opt: OptLevel) -> Result<Compiled, Error> {
    if !cfg!(target_pointer_width = "64") {
        return Err(Error::Unsupported("native code needs a 64-bit host".into()));
    }
    let (ctx, cfg) = crate::to_cfg(ctx, module)?;
    let items = items::collect(&ctx, &cfg).map_err(outside_module)?;
    let (globals, data) = native_subset(&items)?;

    Target::initialize_native(&InitializationConfig::default()).map_err(|e| format!("LLVM cannot target this host: {e}"))?;
    let triple = TargetMachine::get_default_triple();
    let target = Target::from_triple(&triple).map_err(|e| format!("LLVM has no target for this host: {e}"))?;
    let tm = target
        .create_target_machine(&triple, "generic", "", opt.codegen(), RelocMode::PIC, CodeModel::Default)
        .ok_or("LLVM cannot make a target machine for this host")?;
    let ll = LlContext::create();
    let m = crate::new_module(&ll, &tm);

    let decls = declare(&ll, &m, &items);
    let env = Env { globals: items.globals.iter().enumerate().map(|(i, g)| (g.name.clone(), (i as u32, g.ty))).collect() };
    for f in &items.functions {
        // What the shared lowering refuses is outside the native subset too; bugs stay bugs.
        lower::native::lower_function(&ll, &m, &decls, &ctx, &cfg, &items, f, &env).map_err(outside_module)?;
    }
    let mut exports = Vec::new();
    for f in items.functions.iter().filter(|f| f.export.is_some()) {
        let e = Export { name: f.export.clone().unwrap_or_default(), params: f.params.iter().map(|&t| abi_type(t)).collect(), results: f.results.iter().map(|&t| abi_type(t)).collect() };
        entry_point(&ll, &m, &decls, f, &e)?;
        exports.push(e);
    }
    let start = m.add_function(START, ll.void_type().fn_type(&[ll.ptr_type(AddressSpace::default()).into()], false), Some(Linkage::External));
    let builder = ll.create_builder();
    builder.position_at_end(ll.append_basic_block(start, ""));
    builder.build_return(None).map_err(bug)?;

    let image = Image {
        memory: items.memory.as_ref().map(|m| MemoryPlan { min_pages: m.min, max_pages: m.max }),
        globals,
        data,
    };
    for (name, bytes) in image.object_data() {
        let init = ll.const_string(&bytes, false);
        let g = m.add_global(init.get_type(), None, name);
        g.set_initializer(&init);
        g.set_constant(true);
        g.set_alignment(8);
        g.set_linkage(Linkage::External);
    }
    crate::optimize(&m, &tm, opt)?;
    let (llvm_ir, object) = crate::emit(&m, &tm)?;
    Ok(Compiled { llvm_ir, object, exports, image })
}

fn bug(e: impl std::fmt::Display) -> String {
    format!("internal error: building LLVM IR: {e}")
}

/// The type of a value at an entry point; [`native_subset`] has refused references.
fn abi_type(t: ValType) -> wasmir_native::ValType {
    match t {
        ValType::I32 => wasmir_native::ValType::I32,
        ValType::I64 => wasmir_native::ValType::I64,
        ValType::F32 => wasmir_native::ValType::F32,
        ValType::F64 | ValType::ExternRef | ValType::FuncRef => wasmir_native::ValType::F64,
    }
}

/// Refuses what the wasm32 path's module level takes but native code does not; gives the
/// globals' initial bits and the active data segments at their offsets.
#[allow(clippy::type_complexity)]
fn native_subset(items: &Items) -> Result<(Vec<u64>, Vec<(u64, Vec<u8>)>), Error> {
    let outside = |m: String| Err(Error::Unsupported(m));
    if let Some(f) = items.functions.iter().find(|f| f.import.is_some()) {
        return outside(format!("the module imports @{}; imports, {OUTSIDE}", f.name));
    }
    if items.memory.as_ref().is_some_and(|m| m.import.is_some()) {
        return outside(format!("the module imports its memory; imports, {OUTSIDE}"));
    }
    if items.memory64() {
        return outside(format!("a 64-bit memory (memory64), {OUTSIDE}"));
    }
    for f in &items.functions {
        if f.results.len() > 1 {
            return outside(format!("@{} returns {} values; multiple results, {OUTSIDE}", f.name, f.results.len()));
        }
        if f.params.iter().chain(&f.results).any(|t| matches!(t, ValType::ExternRef | ValType::FuncRef)) {
            return outside(format!("@{} takes or returns a reference; reference values, {OUTSIDE}", f.name));
        }
    }
    if items.start.is_some() {
        return outside(format!("the start function, {OUTSIDE}"));
    }
    if let Some(t) = items.tables.first() {
        return outside(format!("the table @{}: tables, {OUTSIDE}", t.name));
    }
    if !items.elems.is_empty() {
        return outside(format!("element segments, {OUTSIDE}"));
    }
    let constant = |e: Option<&items::InitExpr>| e.and_then(|e| e.constant());
    let mut globals = Vec::with_capacity(items.globals.len());
    for g in &items.globals {
        if g.import.is_some() {
            return outside(format!("the module imports @{}; imports, {OUTSIDE}", g.name));
        }
        let c = constant(g.init.as_ref()).ok_or_else(|| Error::Unsupported(format!("@{}: an initializer other than one constant, {OUTSIDE}", g.name)))?;
        globals.push(c.bits);
    }
    let mut data = Vec::with_capacity(items.data.len());
    for d in &items.data {
        let c = constant(d.offset.as_ref()).ok_or_else(|| Error::Unsupported(format!("@{}: a passive data segment or an offset other than one constant, {OUTSIDE}", d.name)))?;
        data.push((c.bits, d.bytes.clone()));
    }
    Ok((globals, data))
}

/// Declares every function of `items` as an internal `wasmir_func_<name>(vmctx, params…)`.
/// Globals live in `vmctx`, not in LLVM.
fn declare<'ll>(ll: &'ll LlContext, m: &LlModule<'ll>, items: &Items) -> Decls<'ll> {
    let mut functions = FxHashMap::default();
    for f in &items.functions {
        let mut params: Vec<BasicMetadataTypeEnum> = vec![ll.ptr_type(AddressSpace::default()).into()];
        params.extend(f.params.iter().map(|&p| BasicMetadataTypeEnum::from(llvm_type(ll, p))));
        let fty = match f.results[..] {
            [r] => llvm_type(ll, r).fn_type(&params, false),
            _ => ll.void_type().fn_type(&params, false),
        };
        functions.insert(f.name.clone(), m.add_function(&format!("{FUNC_PREFIX}{}", f.name), fty, Some(Linkage::Internal)));
    }
    Decls { functions, globals: FxHashMap::default() }
}

/// `wasmir_entry_<name>(vmctx, args, results)`: loads the arguments (8 bytes each), calls the
/// export, stores its result.
fn entry_point<'ll>(ll: &'ll LlContext, m: &LlModule<'ll>, decls: &Decls<'ll>, f: &Function, e: &Export) -> Result<(), String> {
    let ptr = ll.ptr_type(AddressSpace::default());
    let entry = m.add_function(&format!("{ENTRY_PREFIX}{}", e.name), ll.void_type().fn_type(&[ptr.into(), ptr.into(), ptr.into()], false), Some(Linkage::External));
    let b = ll.create_builder();
    b.position_at_end(ll.append_basic_block(entry, ""));
    let param = |i| entry.get_nth_param(i).map(|p| p.into_pointer_value()).ok_or_else(|| bug("an entry without its parameters"));
    let (vmctx, args, results) = (param(0)?, param(1)?, param(2)?);
    let slot = |base, i: usize| unsafe { b.build_in_bounds_gep(ll.i8_type(), base, &[ll.i64_type().const_int(8 * i as u64, false)], "") }.map_err(bug);
    let mut call_args: Vec<BasicMetadataValueEnum> = vec![vmctx.into()];
    for (i, &t) in f.params.iter().enumerate() {
        call_args.push(b.build_load(llvm_type(ll, t), slot(args, i)?, "").map_err(bug)?.into());
    }
    let r = b.build_call(decls.functions[&f.name], &call_args, "").map_err(bug)?.try_as_basic_value().basic();
    if let Some(r) = r {
        b.build_store(slot(results, 0)?, r).map_err(bug)?;
    }
    b.build_return(None).map_err(bug)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use object::{Object, ObjectSymbol};
    use wasmir_native::runtime::{DEFAULT_DEPTH_LIMIT, Failure, Limits};
    use wasmir_native::{Trap, ValType};

    const MODULE: &str = "wasm.memory @mem min 1\n\
                          func.func @add(%a: i32, %b: i32) -> i32 export \"add\" {\n\
                          %s = wasm.i32.add %a, %b\n\
                          func.return %s : i32\n\
                          }\n\
                          func.func @peek(%p: i32) -> i64 export \"peek\" {\n\
                          %v = wasm.i64.load8_u @mem %p offset 2\n\
                          func.return %v : i64\n\
                          }\n\
                          wasm.data @d \"\\01\\02\\03\" memory @mem {\n\
                          %0 = wasm.i32.const 65533\n\
                          wasm.yield %0 : i32\n\
                          }\n";

    fn compiled() -> super::Compiled {
        let mut ctx = wasmir::Context::new();
        let module = wasmir::parse(&mut ctx, MODULE, Default::default()).expect("parses");
        super::compile(&ctx, &module, crate::OptLevel::O2).expect("compiles")
    }

    #[test]
    fn object_has_the_abi_symbols() {
        let c = compiled();
        let file = object::File::parse(&*c.object).expect("a valid object");
        assert_eq!(file.format(), object::BinaryFormat::Elf);
        assert!(file.is_64());
        let names: Vec<&str> = file.symbols().filter_map(|s| s.name().ok()).collect();
        for want in ["wasmir_entry_add", "wasmir_entry_peek", "wasmir_start", "wasmir_layout", "wasmir_globals_init", "wasmir_segments"] {
            let s = file.symbols().find(|s| s.name() == Ok(want)).unwrap_or_else(|| panic!("{want} missing from {names:?}"));
            assert!(s.is_global() && s.is_definition(), "{want} is not a global definition");
        }
    }

    #[test]
    fn the_runtime_runs_the_object() {
        let c = compiled();
        assert_eq!(c.exports[0].params, [ValType::I32, ValType::I32]);
        let limits = Limits { max_memory: 1 << 20, fuel: None, depth_limit: DEFAULT_DEPTH_LIMIT, stack_limit: 0 };
        let mut inst = c.instantiate(limits).map_err(|e| format!("{e:?}")).expect("instantiates");
        assert_eq!(inst.invoke("add", &[2, u32::MAX as u64]).expect("runs"), [1]);
        assert_eq!(inst.invoke("peek", &[65531]).expect("runs"), [1]);
        assert_eq!(inst.invoke("peek", &[65533]).expect("runs"), [3]);
        assert!(matches!(inst.invoke("peek", &[65534]), Err(Failure::Trap(Trap::OutOfBounds))));
    }
}
