//! Native code: a WasmIR module compiled by Cranelift for the host, run in-process by the JIT
//! ([`jit`], `wasmir-run --backend=cranelift`) or written as a relocatable object ([`object`],
//! `wasmir-translate --backend=cranelift --emit=obj`).
//!
//! # The subset
//! Functions in CFG form (after `lower-to-cfg`) over i32, i64, f32 and f64: locals, block
//! arguments, branches, `select`, every numeric op, direct calls, numeric globals with constant
//! initializers, one 32-bit linear memory (loads, stores, `memory.size`, `memory.grow`,
//! `memory.fill`, `memory.copy`) with active data segments at constant offsets, and a start
//! function. Anything else (imports, tables, indirect calls, references, v128, exceptions, GC,
//! atomics, tail calls, memory64, several memories, passive segments) is refused with a message
//! naming it; wasmtime (the default backend) runs those.
//!
//! # The ABI
//! The one of [`wasmir_native`] (the context, entry points, trap codes, objects' data), shared
//! with the LLVM backend; its definitions are re-exported here. Module functions use
//! Cranelift's `tail` calling convention (which, unlike the C one, returns any number of
//! values); the host calls them only through the `extern "C"` entry points.
use crate::lower::{self as shared, Mode};
use cranelift_codegen::ir::{self as cl, AbiParam, InstBuilder, MemFlagsData, Signature, UserFuncName, types};
use cranelift_codegen::isa::{CallConv, TargetIsa};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use rustc_hash::FxHashMap;
use wasmir::{AttrData, Body, Context, Ident, Module, Op, OpRef, TypeData};

pub mod jit;
pub(crate) mod lower;
pub mod object;

pub use wasmir_native::{
    Image, MemoryPlan, OFFSET_DEPTH, OFFSET_DEPTH_LIMIT, OFFSET_FUEL, OFFSET_GLOBALS, OFFSET_MEMORY_BASE, OFFSET_MEMORY_COPY, OFFSET_MEMORY_FILL, OFFSET_MEMORY_GROW, OFFSET_MEMORY_SIZE, OFFSET_STACK_LIMIT,
    OFFSET_TRAP, Trap, VmCtx,
};

/// A module function, as the lowering of its callers sees it.
pub struct Callee {
    /// Its index among the module's functions: the CLIF name `u0:id` and the `FuncId`.
    pub id: u32,
    pub params: Vec<cl::Type>,
    pub results: Vec<cl::Type>,
}

/// What the native lowering knows about the module.
pub struct Env {
    /// The calling convention of module functions (`tail`); host entries use the C one.
    pub funcs: FxHashMap<Ident, Callee>,
    /// Global symbol → (index in `vmctx.globals`, type).
    pub globals: FxHashMap<Ident, (u32, cl::Type)>,
    pub pointer: cl::Type,
    pub call_conv: CallConv,
}

/// An exported function.
#[derive(Clone, Debug)]
pub struct Export {
    pub name: String,
    pub func: u32,
    pub params: Vec<cl::Type>,
    pub results: Vec<cl::Type>,
}

impl Export {
    /// The export as the runtime sees it.
    pub fn abi(&self) -> wasmir_native::Export {
        let abi = |ts: &[cl::Type]| ts.iter().map(|&t| abi_type(t)).collect();
        wasmir_native::Export { name: self.name.clone(), params: abi(&self.params), results: abi(&self.results) }
    }
}

/// The ABI's name for a CLIF type of the subset.
fn abi_type(t: cl::Type) -> wasmir_native::ValType {
    use wasmir_native::ValType;
    match t {
        types::I32 => ValType::I32,
        types::I64 => ValType::I64,
        types::F32 => ValType::F32,
        _ => ValType::F64,
    }
}

/// A module in CLIF, ready for [`jit`] or [`object`]: `functions[i]` is `u0:i`; then one host
/// entry per export (`u0:(n + k)`) and the start entry (`u0:(n + exports)`).
pub struct Program {
    /// Symbol name and CLIF of each function.
    pub functions: Vec<(String, cl::Function)>,
    pub entries: Vec<(Export, cl::Function)>,
    /// `extern "C" fn(vmctx)` running the start function (or nothing).
    pub start: cl::Function,
    /// The memory, the globals' initial bits and the data segments.
    pub image: Image,
}

/// The message for a module outside the native subset.
fn outside(what: impl std::fmt::Display) -> String {
    format!("{what}, which the native subset does not cover")
}

/// `` `@f` uses … `` from the lowering's `it uses …`.
fn in_function(name: &str, why: String) -> String {
    match why.strip_prefix("it ") {
        Some(rest) => format!("`@{name}` {rest}"),
        None => format!("`@{name}`: {why}"),
    }
}

/// Lowers `module` to CLIF for `isa`. `Err` names the first construct outside the subset.
pub fn compile(ctx: &Context, module: &Module, isa: &dyn TargetIsa) -> Result<Program, String> {
    if isa.pointer_type() != types::I64 {
        return Err("native code needs a 64-bit host".into());
    }
    let mut ctx = ctx.clone();
    let cfg = crate::to_cfg(&mut ctx, module)?;
    let ctx = &ctx;
    let (top, block) = cfg.module_block().ok_or("the module has no body")?;
    let b = cfg.body(top);
    let name_of = |op: Op| ctx.op_name(b.opcode(op));
    let mut env = Env { funcs: FxHashMap::default(), globals: FxHashMap::default(), pointer: isa.pointer_type(), call_conv: CallConv::Tail };
    let mut funcs: Vec<(String, Op)> = Vec::new();
    let mut memory = None;
    let mut global_ops = Vec::new();
    let mut data = Vec::new();
    let mut exports = Vec::new();
    // `wasm.export NAME @sym`, resolved once every function is known (it may come first).
    let mut late_exports = Vec::new();
    let mut start = None;
    for op in b.block_ops(block) {
        let sym = sym_name(ctx, b, op);
        let label = || sym.map(|s| format!("@{}", ctx.str(s))).unwrap_or_default();
        if ctx.dict_get(b.op(op).attrs, "import").is_some() {
            return Err(outside(format!("the module imports {} (`{}`); imports", label(), name_of(op))));
        }
        match name_of(op) {
            "func.func" => {
                let name = sym.map(|s| ctx.str(s).to_string()).unwrap_or_else(|| format!("func{}", funcs.len()));
                let (params, results) = shared::signature_types(ctx, &cfg, OpRef { body: top, op })?;
                let clif = |ts: &[wasmir::Type]| ts.iter().map(|&t| Mode::Native(&env).value_type(ctx, t)).collect::<Result<Vec<_>, _>>();
                let (params, results) = match (clif(&params), clif(&results)) {
                    (Ok(p), Ok(r)) => (p, r),
                    (Err(e), _) | (_, Err(e)) => return Err(in_function(&name, e)),
                };
                if let Some(s) = sym {
                    env.funcs.insert(s, Callee { id: funcs.len() as u32, params: params.clone(), results: results.clone() });
                }
                if let Some(e) = str_attr(ctx, b, op, "export") {
                    exports.push(Export { name: e, func: funcs.len() as u32, params, results });
                }
                funcs.push((name, op));
            }
            "wasm.memory" => {
                if memory.is_some() {
                    return Err(outside("the module has several memories"));
                }
                for key in ["i64", "shared", "page_size_log2"] {
                    if ctx.dict_get(b.op(op).attrs, key).is_some() {
                        return Err(outside(format!("memory {} is {}", label(), if key == "i64" { "a memory64" } else if key == "shared" { "shared" } else { "of a custom page size" })));
                    }
                }
                memory = Some(MemoryPlan { min_pages: int_attr(ctx, b, op, "min").unwrap_or(0), max_pages: int_attr(ctx, b, op, "max") });
            }
            "wasm.global" => {
                let ty = match ctx.dict_get(b.op(op).attrs, "type").map(|a| ctx.attr_data(a)) {
                    Some(AttrData::Type(t)) => *t,
                    _ => return Err("a global without its type".into()),
                };
                let ct = shared::scalar_type(ctx, ty).ok_or(()).map_err(|_| outside(format!("global {} is of type {}", label(), wasmir::text::printer::type_to_string(ctx, ty))))?;
                if let Some(s) = sym {
                    env.globals.insert(s, (global_ops.len() as u32, ct));
                }
                global_ops.push((op, ct));
            }
            "wasm.data" => match ctx.dict_get(b.op(op).attrs, "memory").map(|a| ctx.attr_data(a)) {
                Some(AttrData::SymbolRef(_)) => data.push(op),
                _ => return Err(outside(format!("data segment {} is passive (memory.init)", label()))),
            },
            "wasm.export" => {
                let target = match ctx.dict_get(b.op(op).attrs, "target").map(|a| ctx.attr_data(a)) {
                    Some(AttrData::SymbolRef(p)) => p[0],
                    _ => return Err("`wasm.export` without a target".into()),
                };
                let name = str_attr(ctx, b, op, "name").ok_or("`wasm.export` without a name")?;
                late_exports.push((name, target));
            }
            "wasm.start" => match ctx.dict_get(b.op(op).attrs, "function").map(|a| ctx.attr_data(a)) {
                Some(AttrData::SymbolRef(p)) => start = Some(p[0]),
                _ => return Err("`wasm.start` without a function".into()),
            },
            "wasm.custom" | "wasm.type" => {}
            "wasm.table" | "wasm.elem" => return Err(outside(format!("the module has a table or element segment (`{}`)", name_of(op)))),
            "wasm.tag" => return Err(outside("the module declares an exception tag")),
            other => return Err(outside(format!("the module uses `{other}`"))),
        }
    }
    // Exports of a memory or a global are of no use to an invocation.
    for (name, target) in late_exports {
        if let Some(c) = env.funcs.get(&target) {
            exports.push(Export { name, func: c.id, params: c.params.clone(), results: c.results.clone() });
        }
    }

    let mut functions = Vec::with_capacity(funcs.len());
    for (i, (name, op)) in funcs.iter().enumerate() {
        let func = OpRef { body: top, op: *op };
        let l = shared::lower_function(ctx, &cfg, func, i as u32, isa.frontend_config(), Mode::Native(&env)).map_err(|why| in_function(name, why))?;
        functions.push((name.clone(), l.func));
    }
    let mut globals = Vec::with_capacity(global_ops.len());
    for &(op, ct) in &global_ops {
        let region = *b.regions(op).first().ok_or("a global without initializer")?;
        let v = const_expr(ctx, &cfg, OpRef { body: top, op }, region, &env, &globals).map_err(|why| format!("the initializer of global {}: {why}", sym_name(ctx, b, op).map(|s| format!("@{}", ctx.str(s))).unwrap_or_default()))?;
        // Narrow values live in the low bytes, the rest zero.
        globals.push(if ct.bits() == 32 { v & 0xffff_ffff } else { v });
    }
    let mut segments = Vec::with_capacity(data.len());
    for op in data {
        let region = *b.regions(op).first().ok_or("an active data segment without offset")?;
        let offset = const_expr(ctx, &cfg, OpRef { body: top, op }, region, &env, &globals).map_err(|why| format!("a data segment's offset: {why}"))?;
        let bytes = ctx.dict_get(b.op(op).attrs, "bytes").and_then(|a| ctx.attr_bytes(a)).unwrap_or(&[]).to_vec();
        segments.push((offset & 0xffff_ffff, bytes));
    }
    let start = match start {
        Some(s) => Some(env.funcs.get(&s).ok_or_else(|| format!("the start function @{} is not defined", ctx.str(s)))?.id),
        None => None,
    };
    let n = functions.len() as u32;
    let entries = exports.iter().enumerate().map(|(k, e)| (e.clone(), entry_function(&env, e, n + k as u32, isa))).collect();
    let start = start_function(&env, n + exports.len() as u32, start, isa);
    Ok(Program { functions, entries, start, image: Image { memory, globals, data: segments } })
}

fn sym_name(ctx: &Context, b: &Body, op: Op) -> Option<Ident> {
    match ctx.dict_get(b.op(op).attrs, "sym_name").map(|a| ctx.attr_data(a)) {
        Some(AttrData::String(s)) => Some(*s),
        _ => None,
    }
}

fn str_attr(ctx: &Context, b: &Body, op: Op, key: &str) -> Option<String> {
    let a = ctx.dict_get(b.op(op).attrs, key)?;
    ctx.attr_bytes(a).map(|b| String::from_utf8_lossy(b).into_owned())
}

fn int_attr(ctx: &Context, b: &Body, op: Op, key: &str) -> Option<u64> {
    match ctx.dict_get(b.op(op).attrs, key).map(|a| ctx.attr_data(a))? {
        AttrData::Int { value, .. } => Some(*value as u64),
        _ => None,
    }
}

/// Evaluates a constant expression (constants, `global.get` of an earlier global, and
/// extended-const `add`/`sub`/`mul`) to the bits of its single result.
fn const_expr(ctx: &Context, module: &Module, owner: OpRef, region: wasmir::Region, env: &Env, globals: &[u64]) -> Result<u64, String> {
    let b = module.body(module.regions_body(owner));
    let entry = b.first_block(region).ok_or("it is empty")?;
    let mut vals: FxHashMap<wasmir::Value, u64> = FxHashMap::default();
    for op in b.block_ops(entry) {
        let name = ctx.op_name(b.opcode(op));
        let arg = |i: usize| vals.get(&b.operand(op, i)).copied().ok_or("it uses a value it does not compute");
        let attr = |k: &str| ctx.dict_get(b.op(op).attrs, k).map(|a| ctx.attr_data(a));
        let v = match name {
            "wasm.yield" => return arg(0).map_err(str::to_string),
            "wasm.i32.const" | "wasm.i64.const" => match attr("value") {
                Some(AttrData::Int { value, .. }) => *value as u64,
                _ => return Err("a constant without its value".into()),
            },
            "wasm.f32.const" | "wasm.f64.const" => match attr("value") {
                Some(AttrData::Float { bits, .. }) => *bits,
                _ => return Err("a constant without its value".into()),
            },
            "wasm.global.get" => match attr("global") {
                Some(AttrData::SymbolRef(p)) => {
                    let &(i, _) = env.globals.get(&p[0]).ok_or("it reads an unknown global")?;
                    *globals.get(i as usize).ok_or("it reads a global defined after it")?
                }
                _ => return Err("`wasm.global.get` without a global".into()),
            },
            "wasm.i32.add" | "wasm.i64.add" => arg(0)?.wrapping_add(arg(1)?),
            "wasm.i32.sub" | "wasm.i64.sub" => arg(0)?.wrapping_sub(arg(1)?),
            "wasm.i32.mul" | "wasm.i64.mul" => arg(0)?.wrapping_mul(arg(1)?),
            other => return Err(outside(format!("it uses `{other}`"))),
        };
        let is32 = matches!(ctx.type_data(b.value_type(b.result(op, 0))), TypeData::Int(32));
        vals.insert(b.result(op, 0), if is32 { v & 0xffff_ffff } else { v });
    }
    Err("it yields nothing".into())
}

fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// A CLIF function of the host's calling convention with `params` and no results.
fn host_function(index: u32, params: &[cl::Type], isa: &dyn TargetIsa) -> cl::Function {
    let mut sig = Signature::new(isa.default_call_conv());
    sig.params.extend(params.iter().map(|&t| AbiParam::new(t)));
    cl::Function::with_name_signature(UserFuncName::user(0, index), sig)
}

/// Imports the module function `id` into `fb`'s function.
fn import_callee(fb: &mut FunctionBuilder<'_>, env: &Env, id: u32, params: &[cl::Type], results: &[cl::Type]) -> cl::FuncRef {
    let mut sig = Signature::new(env.call_conv);
    sig.params.push(AbiParam::new(env.pointer));
    sig.params.extend(params.iter().map(|&t| AbiParam::new(t)));
    sig.returns.extend(results.iter().map(|&t| AbiParam::new(t)));
    let signature = fb.import_signature(sig);
    let name = fb.func.declare_imported_user_function(cl::UserExternalName::new(0, id));
    fb.import_function(cl::ExtFuncData { name: cl::ExternalName::user(name), signature, colocated: true, patchable: false })
}

/// `extern "C" fn(vmctx, args: *const u64, results: *mut u64)`: loads the arguments, calls the
/// export, stores the results. One fixed signature for the host, whatever the export's.
fn entry_function(env: &Env, e: &Export, index: u32, isa: &dyn TargetIsa) -> cl::Function {
    let p = env.pointer;
    let mut f = host_function(index, &[p, p, p], isa);
    let mut fctx = FunctionBuilderContext::new();
    let mut fb = FunctionBuilder::new(&mut f, &mut fctx);
    let block = fb.create_block();
    fb.append_block_params_for_function_params(block);
    fb.switch_to_block(block);
    let [vmctx, args, results] = fb.block_params(block) else { unreachable!("three parameters") };
    let (vmctx, args, results) = (*vmctx, *args, *results);
    let mut call_args = vec![vmctx];
    for (i, &t) in e.params.iter().enumerate() {
        call_args.push(fb.ins().load(t, trusted(), args, 8 * i as i32));
    }
    let callee = import_callee(&mut fb, env, e.func, &e.params, &e.results);
    let call = fb.ins().call(callee, &call_args);
    let rets = fb.inst_results(call).to_vec();
    for (i, r) in rets.into_iter().enumerate() {
        fb.ins().store(trusted(), r, results, 8 * i as i32);
    }
    fb.ins().return_(&[]);
    fb.seal_all_blocks();
    fb.finalize(isa.frontend_config());
    f
}

/// `extern "C" fn(vmctx)`: runs the start function, if any (after the embedder has set up the
/// memory, the globals and the data segments).
fn start_function(env: &Env, index: u32, start: Option<u32>, isa: &dyn TargetIsa) -> cl::Function {
    let mut f = host_function(index, &[env.pointer], isa);
    let mut fctx = FunctionBuilderContext::new();
    let mut fb = FunctionBuilder::new(&mut f, &mut fctx);
    let block = fb.create_block();
    fb.append_block_params_for_function_params(block);
    fb.switch_to_block(block);
    let vmctx = fb.block_params(block)[0];
    if let Some(id) = start {
        let callee = import_callee(&mut fb, env, id, &[], &[]);
        fb.ins().call(callee, &[vmctx]);
    }
    fb.ins().return_(&[]);
    fb.seal_all_blocks();
    fb.finalize(isa.frontend_config());
    f
}

/// The ids of a [`Program`]'s functions once declared and defined in a `cranelift_module`.
pub(crate) struct Defined {
    pub entries: Vec<cranelift_module::FuncId>,
    pub start: cranelift_module::FuncId,
}

/// Declares and defines every function of `program` in `m`: the module's functions local, as
/// `wasmir_func_<name>`, the entries and the start entry exported.
pub(crate) fn define<M: cranelift_module::Module>(m: &mut M, program: &Program) -> Result<Defined, String> {
    use cranelift_module::Linkage;
    let internal = |e: cranelift_module::ModuleError| format!("internal error: Cranelift: {e}");
    let mut ids = Vec::new();
    let mut declare = |m: &mut M, name: String, f: &cl::Function, linkage: Linkage| -> Result<cranelift_module::FuncId, String> {
        // Keep `FuncId` = CLIF user name, which calls between functions rely on; a name taken
        // twice (a generated `funcN` meeting a real `@funcN`) gets the index appended.
        let name = if m.get_name(&name).is_some() { format!("{name}.{}", ids.len()) } else { name };
        let id = m.declare_function(&name, linkage, &f.signature).map_err(internal)?;
        if id.as_u32() as usize != ids.len() {
            return Err("internal error: function ids out of step".into());
        }
        ids.push(id);
        Ok(id)
    };
    for (name, f) in &program.functions {
        declare(m, format!("{}{name}", wasmir_native::FUNC_PREFIX), f, Linkage::Local)?;
    }
    let mut entries = Vec::new();
    for (e, f) in &program.entries {
        entries.push(declare(m, format!("{}{}", wasmir_native::ENTRY_PREFIX, e.name), f, Linkage::Export)?);
    }
    let start = declare(m, wasmir_native::START.into(), &program.start, Linkage::Export)?;
    let all = program.functions.iter().map(|(n, f)| (n.as_str(), f)).chain(program.entries.iter().map(|(e, f)| (e.name.as_str(), f))).chain([(wasmir_native::START, &program.start)]);
    let mut ctx = m.make_context();
    for (id, (name, f)) in ids.iter().zip(all) {
        ctx.func = f.clone();
        m.define_function(*id, &mut ctx).map_err(|e| match e {
            cranelift_module::ModuleError::Compilation(c) => format!("internal error: compiling @{name}: {}", cranelift_codegen::print_errors::pretty_error(&ctx.func, c)),
            e => internal(e),
        })?;
        m.clear_context(&mut ctx);
    }
    Ok(Defined { entries, start })
}

/// The host ISA for native code: `opt_level=speed`, and position-independent code for objects.
pub(crate) fn host_isa(pic: bool) -> Result<std::sync::Arc<dyn TargetIsa>, String> {
    crate::isa_with(crate::OptLevel::Speed, &[("is_pic", if pic { "true" } else { "false" })])
}
