//! WasmIR functions in CFG form to CLIF.
//!
//! WasmIR blocks and block arguments become CLIF blocks and block parameters, and wasm locals
//! become cranelift-frontend variables, so SSA construction comes for free. Three kinds of op
//! reach CLIF:
//! - ops with a CLIF counterpart of the same semantics (integer and float arithmetic,
//!   comparisons, conversions, `select`, branches) become that instruction;
//! - loads and stores of linear memory become CLIF `load`/`store` of an *explicit* address (the
//!   wasm i32 or i64 index, never a host pointer), in an alias region of their own per memory,
//!   with the wasm offset as the CLIF offset and the wasm op's index in [`Lowered::originals`]
//!   as the source location, so the raise can recreate the very op;
//! - every other op whose operands and results are numbers (calls, globals, `memory.size`,
//!   bulk memory, atomics, table ops on numbers…) becomes a call to an external function
//!   `u1:k`, `k` its index in `originals`. The mid-end treats a call as a barrier with unknown
//!   effects, so it never moves, merges or deletes one; the raise turns it back into the op.
//!
//! A function using a value CLIF cannot hold (references, v128), structured control flow left
//! after `lower-to-cfg`, or tail calls is refused with the reason.
//!
//! That is [`Mode::Wasm`]. [`Mode::Native`] (cargo feature `native`) lowers the same ops for
//! the host instead: no opaque calls, explicit bounds checks and trap checks, a `vmctx`
//! parameter; see [`crate::native`], which holds the parts of the lowering that differ.
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{self as cl, AbiParam, InstBuilder, MemFlagsData, Signature, SourceLoc, UserFuncName, types};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use rustc_hash::FxHashMap;
use wasmir::{AttrData, Context, Module, Op, OpRef, Type, TypeData, Value};

/// The calling convention of every CLIF function and opaque call: one that allows tail calls,
/// so `wasm.return_call` can stay a CLIF `return_call`.
const CALL_CONV: CallConv = CallConv::Tail;

/// The namespace of the external functions that stand for opaque ops.
pub(crate) const OPAQUE_NAMESPACE: u32 = 1;

/// One function in CLIF, with the WasmIR ops it refers to by index.
pub struct Lowered {
    pub func: cl::Function,
    /// The ops (in the CFG-form copy the function was lowered from) that CLIF names by index:
    /// opaque calls `u1:k` and memory accesses with source location `k`.
    pub originals: Vec<Op>,
}

/// The module's memories, as alias analysis may see them.
#[derive(Default)]
pub struct Memories {
    /// The memories whose accesses go in an alias region of their own, by symbol; the accesses
    /// to any other memory stay opaque calls.
    own: rustc_hash::FxHashSet<wasmir::Ident>,
}

impl Memories {
    /// Reads the `wasm.memory` ops of the module. A memory the module defines is distinct from
    /// every other. An imported one is distinct from those the module defines, but two imports
    /// may be one memory or two, and alias analysis can express neither (one region would
    /// forward a store to a load of the other memory, two would reorder accesses to the same
    /// memory): with several imports, their accesses stay opaque. So do those of a shared
    /// memory, which another thread may write between two accesses.
    pub fn of(ctx: &Context, module: &Module) -> Memories {
        let mut m = Memories::default();
        let Some((top, block)) = module.module_block() else { return m };
        let b = module.body(top);
        let mut imported = Vec::new();
        for op in b.block_ops(block) {
            if ctx.op_name(b.opcode(op)) != "wasm.memory" {
                continue;
            }
            let attrs = b.op(op).attrs;
            let Some(AttrData::String(name)) = ctx.dict_get(attrs, "sym_name").map(|a| ctx.attr_data(a)) else { continue };
            if ctx.dict_get(attrs, "shared").is_some() {
                continue;
            }
            if ctx.dict_get(attrs, "import").is_some() {
                imported.push(*name);
            } else {
                m.own.insert(*name);
            }
        }
        if let [only] = imported[..] {
            m.own.insert(only);
        }
        m
    }

    fn region(&self, ctx: &Context, symbol: wasmir::Attr) -> Option<wasmir::Ident> {
        match ctx.attr_data(symbol) {
            AttrData::SymbolRef(path) if path.len() == 1 && self.own.contains(&path[0]) => Some(path[0]),
            _ => None,
        }
    }
}

/// The CLIF type of a wasm number type.
pub(crate) fn scalar_type(ctx: &Context, t: Type) -> Option<cl::Type> {
    match ctx.type_data(t) {
        TypeData::Int(32) => Some(types::I32),
        TypeData::Int(64) => Some(types::I64),
        TypeData::Float(wasmir::FloatKind::F32) => Some(types::F32),
        TypeData::Float(wasmir::FloatKind::F64) => Some(types::F64),
        _ => None,
    }
}

/// The CLIF type of a value in wasm mode: numbers, and v128 (SIMD ops stay opaque: CLIF only
/// carries the values between them).
pub(crate) fn clif_type(ctx: &Context, t: Type) -> Result<cl::Type, String> {
    match ctx.type_data(t) {
        TypeData::V128 => Ok(types::I8X16),
        _ => scalar_type(ctx, t).ok_or_else(|| {
            format!("it uses a value of type {}, which CLIF cannot hold (only i32, i64, f32, f64 and v128 are lowered)", wasmir::text::printer::type_to_string(ctx, t))
        }),
    }
}

/// The function's `(params, results)`, in CLIF types.
pub(crate) fn signature_types(ctx: &Context, module: &Module, func: OpRef) -> Result<(Vec<Type>, Vec<Type>), String> {
    let attrs = module.body(func.body).op(func.op).attrs;
    let Some(AttrData::Type(fty)) = ctx.dict_get(attrs, "function_type").map(|a| ctx.attr_data(a)) else {
        return Err("it has no function type".into());
    };
    let TypeData::Function { params, results } = ctx.type_data(*fty) else { return Err("its type is not a function type".into()) };
    Ok((params.to_vec(), results.to_vec()))
}

/// What the CLIF is for.
#[derive(Clone, Copy)]
pub enum Mode<'m> {
    /// The wasm path: CLIF that the mid-end optimizes and [`crate::raise`] turns back into WasmIR.
    Wasm(&'m Memories),
    /// Machine code for the host, with the module's functions, globals and memory in `Env`.
    #[cfg(feature = "native")]
    Native(&'m crate::native::Env),
    /// Keeps the lifetime used when the `native` feature is off; never constructed.
    #[cfg(not(feature = "native"))]
    #[doc(hidden)]
    _Unused(std::marker::PhantomData<&'m ()>),
}

impl Mode<'_> {
    /// The CLIF type of a value of type `t` in this mode; `Err` says it is outside the mode's
    /// subset.
    pub(crate) fn value_type(self, ctx: &Context, t: Type) -> Result<cl::Type, String> {
        match self {
            Mode::Wasm(_) => clif_type(ctx, t),
            #[allow(unreachable_patterns)]
            _ => scalar_type(ctx, t).ok_or_else(|| {
                format!("it uses a value of type {}, which the native subset does not cover (only i32, i64, f32 and f64)", wasmir::text::printer::type_to_string(ctx, t))
            }),
        }
    }
}

/// Lowers one function in CFG form. `index` names the CLIF function (`u0:index`); `Err` says
/// why the function is outside the supported subset.
pub fn lower_function<'a>(ctx: &'a Context, module: &'a Module, func: OpRef, index: u32, frontend: TargetFrontendConfig, mode: Mode<'a>) -> Result<Lowered, String> {
    let (params, results) = signature_types(ctx, module, func)?;
    let mut sig = Signature::new(CALL_CONV);
    #[cfg(feature = "native")]
    if let Mode::Native(env) = mode {
        sig = Signature::new(env.call_conv);
        sig.params.push(AbiParam::new(env.pointer));
    }
    for &p in &params {
        sig.params.push(AbiParam::new(mode.value_type(ctx, p)?));
    }
    for &r in &results {
        sig.returns.push(AbiParam::new(mode.value_type(ctx, r)?));
    }
    let mut f = cl::Function::with_name_signature(UserFuncName::user(0, index), sig);
    let mut fctx = FunctionBuilderContext::new();
    let body_id = module.body(func.body).inner_body(func.op).ok_or("it has no body")?;
    let b = module.body(body_id);
    let region = *b.roots().first().ok_or("it has no body")?;
    let mut l = Lower {
        ctx,
        b,
        fb: FunctionBuilder::new(&mut f, &mut fctx),
        blocks: FxHashMap::default(),
        vals: FxHashMap::default(),
        locals: FxHashMap::default(),
        regions: FxHashMap::default(),
        originals: Vec::new(),
        mode,
        #[cfg(feature = "native")]
        native: None,
    };
    #[cfg(feature = "native")]
    let prologue = match mode {
        Mode::Native(_) => Some(l.fb.create_block()),
        _ => None,
    };
    for blk in b.region_blocks(region) {
        let cb = l.fb.create_block();
        for &a in b.block_args(blk) {
            let v = l.fb.append_block_param(cb, mode.value_type(ctx, b.value_type(a))?);
            l.vals.insert(a, v);
        }
        l.blocks.insert(blk, cb);
    }
    #[cfg(feature = "native")]
    if let (Mode::Native(env), Some(entry)) = (mode, prologue) {
        let first = b.region_blocks(region).next().ok_or("it has no body")?;
        l.native_prologue(env, entry, l.blocks[&first], region, &results)?;
    }
    for blk in b.region_blocks(region) {
        l.fb.switch_to_block(l.blocks[&blk]);
        #[cfg(feature = "native")]
        l.native_block_start(blk)?;
        for op in b.block_ops(blk) {
            l.op(op)?;
        }
    }
    #[cfg(feature = "native")]
    l.native_epilogue()?;
    l.fb.seal_all_blocks();
    l.fb.finalize(frontend);
    let originals = l.originals;
    Ok(Lowered { func: f, originals })
}

pub(crate) struct Lower<'a, 'f> {
    pub(crate) ctx: &'a Context,
    pub(crate) b: &'a wasmir::Body,
    pub(crate) fb: FunctionBuilder<'f>,
    pub(crate) blocks: FxHashMap<wasmir::Block, cl::Block>,
    pub(crate) vals: FxHashMap<Value, cl::Value>,
    locals: FxHashMap<Value, Variable>,
    /// One alias region per memory (see [`Memories`]), so that accesses to different memories
    /// never alias.
    regions: FxHashMap<wasmir::Ident, cl::AliasRegion>,
    originals: Vec<Op>,
    pub(crate) mode: Mode<'a>,
    /// The state of [`Mode::Native`]; `None` in wasm mode.
    #[cfg(feature = "native")]
    pub(crate) native: Option<crate::native::lower::State<'a>>,
}

impl Lower<'_, '_> {
    pub(crate) fn get(&self, v: Value) -> Result<cl::Value, String> {
        self.vals.get(&v).copied().ok_or_else(|| "it uses a value from outside its blocks".to_string())
    }

    fn succ_args(&self, s: wasmir::Succ) -> Result<Vec<cl::BlockArg>, String> {
        self.b.succ_args(s).map(|v| self.get(v).map(cl::BlockArg::Value)).collect()
    }

    pub(crate) fn attr(&self, op: Op, key: &str) -> Option<&AttrData> {
        self.ctx.dict_get(self.b.op(op).attrs, key).map(|a| self.ctx.attr_data(a))
    }

    fn op(&mut self, op: Op) -> Result<(), String> {
        let (ctx, b) = (self.ctx, self.b);
        let name = ctx.op_name(b.opcode(op));
        if !b.regions(op).is_empty() || b.inner_body(op).is_some() {
            return Err(format!("`{name}` keeps structured control flow (not lowered to CFG form)"));
        }
        match name {
            "wasm.local" => {
                let Some(AttrData::Type(ty)) = self.attr(op, "type") else { return Err("a `wasm.local` without its type".into()) };
                let ct = self.mode.value_type(ctx, *ty)?;
                let var = self.fb.declare_var(ct);
                let init = match b.operands(op).next() {
                    Some(v) => self.get(v)?,
                    None => zero(&mut self.fb, ct),
                };
                self.fb.def_var(var, init);
                self.locals.insert(b.result(op, 0), var);
                return Ok(());
            }
            "wasm.local.get" => {
                let var = self.local(b.operand(op, 0))?;
                let v = self.fb.use_var(var);
                self.vals.insert(b.result(op, 0), v);
                return Ok(());
            }
            "wasm.local.set" | "wasm.local.tee" => {
                let var = self.local(b.operand(op, 0))?;
                let v = self.get(b.operand(op, 1))?;
                self.fb.def_var(var, v);
                if name == "wasm.local.tee" {
                    self.vals.insert(b.result(op, 0), v);
                }
                return Ok(());
            }
            _ => {}
        }
        let args: Vec<cl::Value> = b.operands(op).map(|v| self.get(v)).collect::<Result<_, _>>()?;
        // Native mode lowers calls, traps, memory and globals its own way; the rest is shared.
        #[cfg(feature = "native")]
        if self.native.is_some() && self.native_op(op, name, &args)? {
            return Ok(());
        }
        match name {
            "cf.br" => {
                let s = b.successors(op)[0];
                let a = self.succ_args(s)?;
                self.fb.ins().jump(self.blocks[&b.succ_block(s)], &a);
                return Ok(());
            }
            "cf.cond_br" => {
                let s = b.successors(op);
                let (t, e) = (self.succ_args(s[0])?, self.succ_args(s[1])?);
                self.fb.ins().brif(args[0], self.blocks[&b.succ_block(s[0])], &t, self.blocks[&b.succ_block(s[1])], &e);
                return Ok(());
            }
            "cf.switch" => return self.switch(op, args[0]),
            "func.return" => {
                self.fb.ins().return_(&args);
                return Ok(());
            }
            "wasm.unreachable" => {
                self.fb.ins().trap(cl::TrapCode::user(1).ok_or("a trap code")?);
                return Ok(());
            }
            "wasm.select" => {
                let v = self.fb.ins().select(args[0], args[1], args[2]);
                self.vals.insert(b.result(op, 0), v);
                return Ok(());
            }
            "wasm.nop" => return Ok(()),
            _ => {}
        }
        if let Some(done) = self.memory_access(op, name, &args)? {
            return Ok(done);
        }
        if let Some(v) = lower_pure(ctx, &mut self.fb, b, op, name, &args) {
            self.vals.insert(b.result(op, 0), v?);
            return Ok(());
        }
        #[cfg(feature = "native")]
        if self.native.is_some() {
            return Err(crate::native::lower::unsupported(name));
        }
        self.opaque(op, name, &args)
    }

    fn local(&self, v: Value) -> Result<Variable, String> {
        self.locals.get(&v).copied().ok_or_else(|| "it reads a local declared outside its entry block".to_string())
    }

    /// `cf.switch` on an i32 flag with cases 0..n (what `br_table` becomes) is a CLIF
    /// `br_table`; any other switch a chain of comparisons.
    fn switch(&mut self, op: Op, flag: cl::Value) -> Result<(), String> {
        let b = self.b;
        let succs = b.successors(op);
        let cases: Vec<i128> = match self.attr(op, "case_values") {
            Some(AttrData::Array(items)) => items
                .iter()
                .map(|&a| match self.ctx.attr_data(a) {
                    AttrData::Int { value, .. } => Ok(*value),
                    _ => Err("a `cf.switch` case that is not an integer".to_string()),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err("a `cf.switch` without case values".into()),
        };
        let mut calls = Vec::with_capacity(succs.len());
        for &s in succs {
            let a = self.succ_args(s)?;
            calls.push((self.blocks[&b.succ_block(s)], a));
        }
        let dense = self.fb.func.dfg.value_type(flag) == types::I32 && cases.iter().enumerate().all(|(i, &c)| c == i as i128);
        if dense {
            let pool = &mut self.fb.func.dfg.value_lists;
            let default = cl::BlockCall::new(calls[0].0, calls[0].1.iter().copied(), pool);
            let table: Vec<cl::BlockCall> = calls[1..].iter().map(|(blk, a)| cl::BlockCall::new(*blk, a.iter().copied(), pool)).collect();
            let jt = self.fb.create_jump_table(cl::JumpTableData::new(default, &table));
            self.fb.ins().br_table(flag, jt);
            return Ok(());
        }
        for (i, &case) in cases.iter().enumerate() {
            let ty = self.fb.func.dfg.value_type(flag);
            let c = iconst(&mut self.fb, ty, case as i64);
            let hit = self.fb.ins().icmp(IntCC::Equal, flag, c);
            let next = self.fb.create_block();
            let (blk, a) = &calls[i + 1];
            self.fb.ins().brif(hit, *blk, a, next, &[]);
            self.fb.switch_to_block(next);
        }
        self.fb.ins().jump(calls[0].0, &calls[0].1);
        Ok(())
    }

    /// A load or store of linear memory: `Some` when it became a CLIF memory access, `None` when
    /// it is not one (or its offset does not fit CLIF's signed 32-bit offset: then it stays opaque).
    fn memory_access(&mut self, op: Op, name: &str, args: &[cl::Value]) -> Result<Option<()>, String> {
        let Some(access) = MemAccess::of(name) else { return Ok(None) };
        let offset = match self.attr(op, "offset") {
            Some(AttrData::Int { value, .. }) => *value,
            None => 0,
            _ => return Err(format!("`{name}` with an offset that is not an integer")),
        };
        let Ok(offset) = i32::try_from(offset) else { return Ok(None) };
        let Some(mem) = self.ctx.dict_get(self.b.op(op).attrs, "memory") else { return Ok(None) };
        let Mode::Wasm(memories) = self.mode else { return Ok(None) };
        let Some(key) = memories.region(self.ctx, mem) else { return Ok(None) };
        let next = self.regions.len() as u32;
        let region = *self.regions.entry(key).or_insert_with(|| {
            self.fb.func.dfg.alias_regions.insert(cl::AliasRegionData { user_id: next, description: "a wasm linear memory".into() })
        });
        // Loads and stores can trap (out of bounds), so the mid-end keeps each one where it is;
        // alias analysis may still forward a stored value or reuse an earlier load.
        let flags = MemFlagsData::new().with_alias_region(Some(region));
        // CLIF addresses have the host's pointer width (64 bits on the hosts Cranelift supports
        // here): a 32-bit wasm address is zero-extended, and the raise takes the extension off.
        let addr = if self.fb.func.dfg.value_type(args[0]) == types::I64 { args[0] } else { self.fb.ins().uextend(types::I64, args[0]) };
        self.fb.set_srcloc(SourceLoc::new(self.originals.len() as u32));
        self.originals.push(op);
        let ins = self.fb.ins();
        let loaded = match access {
            MemAccess::Load(ty) => Some(ins.load(ty, flags, addr, offset)),
            MemAccess::Ext { ty, bits, signed } => Some(match (bits, signed) {
                (8, true) => ins.sload8(ty, flags, addr, offset),
                (8, false) => ins.uload8(ty, flags, addr, offset),
                (16, true) => ins.sload16(ty, flags, addr, offset),
                (16, false) => ins.uload16(ty, flags, addr, offset),
                (_, true) => ins.sload32(flags, addr, offset),
                (_, false) => ins.uload32(flags, addr, offset),
            }),
            MemAccess::Store => {
                ins.store(flags, args[1], addr, offset);
                None
            }
            MemAccess::Trunc(bits) => {
                match bits {
                    8 => ins.istore8(flags, args[1], addr, offset),
                    16 => ins.istore16(flags, args[1], addr, offset),
                    _ => ins.istore32(flags, args[1], addr, offset),
                };
                None
            }
        };
        self.fb.set_srcloc(SourceLoc::default());
        if let Some(v) = loaded {
            self.vals.insert(self.b.result(op, 0), v);
        }
        Ok(Some(()))
    }

    /// Any other op on numbers: a call to `u1:k` with the op's operands and results.
    fn opaque(&mut self, op: Op, name: &str, args: &[cl::Value]) -> Result<(), String> {
        let (ctx, b) = (self.ctx, self.b);
        if !b.successors(op).is_empty() {
            return Err(format!("`{name}` branches, and has no CLIF lowering"));
        }
        let Some(def) = ctx.op_def(b.opcode(op)) else { return Err(format!("`{name}` is not a registered op")) };
        let terminator = def.traits.contains(wasmir::dialect::Traits::TERMINATOR);
        // A tail call stays one: a CLIF `return_call`, whose callee returns what the caller does.
        let tail = matches!(name, "wasm.return_call" | "wasm.return_call_indirect" | "wasm.return_call_ref");
        let mut sig = Signature::new(CALL_CONV);
        for v in b.operands(op) {
            sig.params.push(AbiParam::new(clif_type(ctx, b.value_type(v)).map_err(|e| format!("`{name}`: {e}"))?));
        }
        for v in b.results(op) {
            sig.returns.push(AbiParam::new(clif_type(ctx, b.value_type(v)).map_err(|e| format!("`{name}`: {e}"))?));
        }
        let sigref = self.fb.import_signature(sig);
        let k = self.originals.len() as u32;
        self.originals.push(op);
        let name_ref = self.fb.func.declare_imported_user_function(cl::UserExternalName::new(OPAQUE_NAMESPACE, k));
        let fref = self.fb.import_function(cl::ExtFuncData {
            name: cl::ExternalName::user(name_ref),
            signature: sigref,
            colocated: true,
            patchable: false,
        });
        if tail {
            sig_returns(&mut self.fb, sigref);
            self.fb.ins().return_call(fref, args);
            return Ok(());
        }
        let call = self.fb.ins().call(fref, args);
        if terminator {
            // An op that never falls through (`wasm.throw`): the trap after it is never reached,
            // and the raise drops it again.
            self.fb.ins().trap(cl::TrapCode::user(1).ok_or("a trap code")?);
            return Ok(());
        }
        let rets = self.fb.inst_results(call).to_vec();
        for (r, v) in b.results(op).zip(rets) {
            self.vals.insert(r, v);
        }
        Ok(())
    }
}

/// Gives an opaque tail call's signature the caller's results.
fn sig_returns(fb: &mut FunctionBuilder<'_>, sigref: cl::SigRef) {
    let returns = fb.func.signature.returns.clone();
    fb.func.dfg.signatures[sigref].returns = returns;
}

/// An integer constant of `ty`: CLIF wants the immediate zero-extended from the type's width.
pub(crate) fn iconst(fb: &mut FunctionBuilder<'_>, ty: cl::Type, v: i64) -> cl::Value {
    let v = if ty.bits() < 64 { v & ((1i64 << ty.bits()) - 1) } else { v };
    fb.ins().iconst(ty, v)
}

/// The zero of a CLIF type: the initial value of a wasm local.
pub(crate) fn zero(fb: &mut FunctionBuilder<'_>, ty: cl::Type) -> cl::Value {
    match ty {
        types::F32 => fb.ins().f32const(0.0),
        types::F64 => fb.ins().f64const(0.0),
        types::I8X16 => {
            let zeros = fb.func.dfg.constants.insert(vec![0u8; 16].into());
            fb.ins().vconst(types::I8X16, zeros)
        }
        _ => fb.ins().iconst(ty, 0),
    }
}

/// What a wasm memory op does, read off its name.
#[derive(Clone, Copy)]
pub(crate) enum MemAccess {
    Load(cl::Type),
    Ext { ty: cl::Type, bits: u8, signed: bool },
    Store,
    Trunc(u8),
}

impl MemAccess {
    pub(crate) fn of(name: &str) -> Option<MemAccess> {
        let (ty, rest) = name.strip_prefix("wasm.")?.split_once('.')?;
        let ty = match ty {
            "i32" => types::I32,
            "i64" => types::I64,
            "f32" => types::F32,
            "f64" => types::F64,
            _ => return None,
        };
        Some(match rest {
            "load" => MemAccess::Load(ty),
            "store" => MemAccess::Store,
            "load8_s" | "load8_u" | "load16_s" | "load16_u" | "load32_s" | "load32_u" => {
                let bits = rest[4..6].trim_end_matches('_').parse().ok()?;
                MemAccess::Ext { ty, bits, signed: rest.ends_with('s') }
            }
            "store8" => MemAccess::Trunc(8),
            "store16" => MemAccess::Trunc(16),
            "store32" => MemAccess::Trunc(32),
            _ => return None,
        })
    }
}

/// A value-producing op with a CLIF counterpart of the same semantics; `None` when there is none.
pub(crate) fn lower_pure(ctx: &Context, fb: &mut FunctionBuilder<'_>, b: &wasmir::Body, op: Op, name: &str, a: &[cl::Value]) -> Option<Result<cl::Value, String>> {
    let (ty, rest) = name.strip_prefix("wasm.").and_then(|n| n.split_once('.'))?;
    let it = match ty {
        "i32" => types::I32,
        "i64" => types::I64,
        "f32" | "f64" => return lower_float(ctx, fb, b, op, if ty == "f32" { types::F32 } else { types::F64 }, rest, a),
        _ => return None,
    };
    let bool_ = |fb: &mut FunctionBuilder<'_>, cc: IntCC| {
        let c = fb.ins().icmp(cc, a[0], a[1]);
        fb.ins().uextend(types::I32, c)
    };
    let sext = |fb: &mut FunctionBuilder<'_>, narrow: cl::Type| {
        let n = fb.ins().ireduce(narrow, a[0]);
        fb.ins().sextend(it, n)
    };
    let ins = fb.ins();
    Some(Ok(match rest {
        "const" => match ctx.dict_get(b.op(op).attrs, "value").map(|x| ctx.attr_data(x)) {
            Some(AttrData::Int { value, .. }) => iconst(fb, it, *value as i64),
            _ => return Some(Err("an integer constant without its value".into())),
        },
        "add" => ins.iadd(a[0], a[1]),
        "sub" => ins.isub(a[0], a[1]),
        "mul" => ins.imul(a[0], a[1]),
        "and" => ins.band(a[0], a[1]),
        "or" => ins.bor(a[0], a[1]),
        "xor" => ins.bxor(a[0], a[1]),
        // CLIF shifts and rotates take the count modulo the width, as wasm's do.
        "shl" => ins.ishl(a[0], a[1]),
        "shr_s" => ins.sshr(a[0], a[1]),
        "shr_u" => ins.ushr(a[0], a[1]),
        "rotl" => ins.rotl(a[0], a[1]),
        "rotr" => ins.rotr(a[0], a[1]),
        // CLIF's divisions trap as wasm's do: on zero, and `sdiv` on INT_MIN / -1.
        "div_s" => ins.sdiv(a[0], a[1]),
        "div_u" => ins.udiv(a[0], a[1]),
        "rem_s" => ins.srem(a[0], a[1]),
        "rem_u" => ins.urem(a[0], a[1]),
        "clz" => ins.clz(a[0]),
        "ctz" => ins.ctz(a[0]),
        "popcnt" => ins.popcnt(a[0]),
        "eqz" => {
            let c = ins.icmp_imm_u(IntCC::Equal, a[0], 0);
            fb.ins().uextend(types::I32, c)
        }
        "eq" => bool_(fb, IntCC::Equal),
        "ne" => bool_(fb, IntCC::NotEqual),
        "lt_s" => bool_(fb, IntCC::SignedLessThan),
        "lt_u" => bool_(fb, IntCC::UnsignedLessThan),
        "gt_s" => bool_(fb, IntCC::SignedGreaterThan),
        "gt_u" => bool_(fb, IntCC::UnsignedGreaterThan),
        "le_s" => bool_(fb, IntCC::SignedLessThanOrEqual),
        "le_u" => bool_(fb, IntCC::UnsignedLessThanOrEqual),
        "ge_s" => bool_(fb, IntCC::SignedGreaterThanOrEqual),
        "ge_u" => bool_(fb, IntCC::UnsignedGreaterThanOrEqual),
        "wrap_i64" => ins.ireduce(types::I32, a[0]),
        "extend_i32_s" => ins.sextend(types::I64, a[0]),
        "extend_i32_u" => ins.uextend(types::I64, a[0]),
        "extend8_s" => sext(fb, types::I8),
        "extend16_s" => sext(fb, types::I16),
        "extend32_s" => sext(fb, types::I32),
        "reinterpret_f32" | "reinterpret_f64" => ins.bitcast(it, MemFlagsData::new(), a[0]),
        // Float to integer: CLIF's conversions trap on NaN and out-of-range values, as wasm's.
        "trunc_f32_s" | "trunc_f64_s" => ins.fcvt_to_sint(it, a[0]),
        "trunc_f32_u" | "trunc_f64_u" => ins.fcvt_to_uint(it, a[0]),
        "trunc_sat_f32_s" | "trunc_sat_f64_s" => ins.fcvt_to_sint_sat(it, a[0]),
        "trunc_sat_f32_u" | "trunc_sat_f64_u" => ins.fcvt_to_uint_sat(it, a[0]),
        _ => return None,
    }))
}

/// A float op: `None` when it has no lowering. Results are IEEE 754 as in wasm; NaN payloads are
/// whatever the host produces, which wasm allows (non-deterministic NaNs).
fn lower_float(ctx: &Context, fb: &mut FunctionBuilder<'_>, b: &wasmir::Body, op: Op, ft: cl::Type, rest: &str, a: &[cl::Value]) -> Option<Result<cl::Value, String>> {
    let cmp = |fb: &mut FunctionBuilder<'_>, cc: FloatCC| {
        let c = fb.ins().fcmp(cc, a[0], a[1]);
        fb.ins().uextend(types::I32, c)
    };
    let ins = fb.ins();
    Some(Ok(match rest {
        "const" => match ctx.dict_get(b.op(op).attrs, "value").map(|x| ctx.attr_data(x)) {
            Some(AttrData::Float { bits, .. }) if ft == types::F32 => ins.f32const(cl::immediates::Ieee32::with_bits(*bits as u32)),
            Some(AttrData::Float { bits, .. }) => ins.f64const(cl::immediates::Ieee64::with_bits(*bits)),
            _ => return Some(Err("a float constant without its value".into())),
        },
        "add" => ins.fadd(a[0], a[1]),
        "sub" => ins.fsub(a[0], a[1]),
        "mul" => ins.fmul(a[0], a[1]),
        "div" => ins.fdiv(a[0], a[1]),
        // CLIF's fmin/fmax propagate NaN and order -0 below +0, as wasm's min/max.
        "min" => ins.fmin(a[0], a[1]),
        "max" => ins.fmax(a[0], a[1]),
        "copysign" => ins.fcopysign(a[0], a[1]),
        "neg" => ins.fneg(a[0]),
        "abs" => ins.fabs(a[0]),
        "sqrt" => ins.sqrt(a[0]),
        "ceil" => ins.ceil(a[0]),
        "floor" => ins.floor(a[0]),
        "trunc" => ins.trunc(a[0]),
        "nearest" => ins.nearest(a[0]),
        "eq" => cmp(fb, FloatCC::Equal),
        "ne" => cmp(fb, FloatCC::NotEqual),
        "lt" => cmp(fb, FloatCC::LessThan),
        "gt" => cmp(fb, FloatCC::GreaterThan),
        "le" => cmp(fb, FloatCC::LessThanOrEqual),
        "ge" => cmp(fb, FloatCC::GreaterThanOrEqual),
        "convert_i32_s" | "convert_i64_s" => ins.fcvt_from_sint(ft, a[0]),
        "convert_i32_u" | "convert_i64_u" => ins.fcvt_from_uint(ft, a[0]),
        "demote_f64" => ins.fdemote(ft, a[0]),
        "promote_f32" => ins.fpromote(ft, a[0]),
        "reinterpret_i32" | "reinterpret_i64" => ins.bitcast(ft, MemFlagsData::new(), a[0]),
        _ => return None,
    }))
}
