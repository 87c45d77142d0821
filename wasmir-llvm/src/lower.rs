//! WasmIR functions in CFG form to LLVM IR.
//!
//! WasmIR blocks become LLVM basic blocks and block arguments become phis; wasm locals become
//! allocas in the entry block, which `mem2reg` (always run, also at -O0) turns into SSA values,
//! so no local ever reaches linear memory. Every op keeps its wasm meaning, and where LLVM's
//! instruction would be undefined or poison for some inputs the lowering guards it first:
//! - integer division and remainder branch to a trap block on a zero divisor and on
//!   `INT_MIN / -1`; `rem_s` divides by 1 instead of -1, which gives wasm's 0 without the
//!   overflow;
//! - shifts mask their count to the width (LLVM's are poison past it); rotates are `fshl`/`fshr`,
//!   which take the count modulo the width;
//! - trapping float-to-integer conversions check for NaN and the range first and trap; the
//!   `_sat` ones are `llvm.fpto[su]i.sat`, which are exactly wasm's;
//! - `clz`/`ctz` say zero is not poison; min/max are `llvm.minimum`/`llvm.maximum` (NaN
//!   propagating, -0 < +0), nearest is `llvm.roundeven`.
//!
//! Linear memory is addressed through `inttoptr` of the wasm address; functions carry
//! `null_pointer_is_valid`, since wasm address 0 is an ordinary address. The wasm offset is added
//! with `add nuw`, which the wasm32 target folds into the instruction's `offset=`.
use crate::Error::{self, Unsupported};
use crate::items::{Const, Function, Items, OTHER_BACKENDS, START_EXPORT, ValType, data_drop_symbol, memory_init_symbol};
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::basic_block::BasicBlock;
use inkwell::builder::Builder;
use inkwell::context::Context as LlContext;
use inkwell::intrinsics::Intrinsic;
use inkwell::module::{Linkage, Module as LlModule};
use inkwell::types::{BasicMetadataTypeEnum, BasicType, BasicTypeEnum, FunctionType};
use inkwell::values::{BasicMetadataValueEnum, BasicValue, BasicValueEnum, FloatValue, FunctionValue, GlobalValue, IntValue, PointerValue};
use inkwell::{AddressSpace, FloatPredicate, IntPredicate};
use rustc_hash::FxHashMap;
use wasmir::{AttrData, Context, Ident, Module, Op, Value};
use wasmir_native::Trap;

pub(crate) mod native;

mod refs;
pub use refs::{SCRATCH_SIZE, finish_references, scratch_symbols};

/// LLVM's address space for wasm globals (`global.get`/`global.set`), as opposed to linear memory.
pub const WASM_GLOBAL_SPACE: u16 = 1;

/// The LLVM declarations of a module's items, made before any body is lowered.
pub struct Decls<'ll> {
    pub functions: FxHashMap<String, FunctionValue<'ll>>,
    pub globals: FxHashMap<String, (GlobalValue<'ll>, ValType)>,
}

pub fn llvm_type<'ll>(ll: &'ll LlContext, t: ValType) -> BasicTypeEnum<'ll> {
    match t {
        ValType::I32 => ll.i32_type().into(),
        ValType::I64 => ll.i64_type().into(),
        ValType::F32 => ll.f32_type().into(),
        ValType::F64 => ll.f64_type().into(),
        ValType::ExternRef => ll.ptr_type(AddressSpace::from(refs::EXTERNREF_SPACE)).into(),
        ValType::FuncRef => ll.ptr_type(AddressSpace::from(refs::FUNCREF_SPACE)).into(),
    }
}

/// The LLVM type of a function with these parameters and results: several results are returned
/// as one struct of them (see [`results_struct`]).
pub fn fn_type<'ll>(ll: &'ll LlContext, params: &[ValType], results: &[ValType]) -> FunctionType<'ll> {
    let params: Vec<BasicMetadataTypeEnum> = params.iter().map(|&p| llvm_type(ll, p).into()).collect();
    match results {
        [] => ll.void_type().fn_type(&params, false),
        [r] => llvm_type(ll, *r).fn_type(&params, false),
        rs => results_struct(ll, rs).fn_type(&params, false),
    }
}

/// The LLVM return type of a function with several results: a struct of them, which the
/// `experimental-mv` ABI returns as the wasm function's results (see [`crate::TARGET_ABI`]).
fn results_struct<'ll>(ll: &'ll LlContext, results: &[ValType]) -> inkwell::types::StructType<'ll> {
    let fields: Vec<BasicTypeEnum> = results.iter().map(|&r| llvm_type(ll, r)).collect();
    ll.struct_type(&fields, false)
}

/// Declares every function and global of `items` in `m`.
pub fn declare<'ll>(ll: &'ll LlContext, m: &LlModule<'ll>, items: &Items) -> Result<Decls<'ll>, Error> {
    let mut decls = Decls { functions: FxHashMap::default(), globals: FxHashMap::default() };
    let null_ok = ll.create_enum_attribute(Attribute::get_named_enum_kind_id("null_pointer_is_valid"), 0);
    // LLVM 22's SLP vectorizer crashes (`EVT::getExtendedVectorVT` on the reference type) when
    // it tries to bundle several `ptr addrspace(10/20)` values, e.g. externrefs rotated through
    // locals in a loop, and `PassBuilderOptions`' switch does not keep it out of `default<O2>`.
    // Both vectorizers skip a `noimplicitfloat` function; wasm32 is built without simd128 (SIMD
    // is refused before LLVM runs), so they had nothing to gain there anyway.
    let no_vectors = ll.create_enum_attribute(Attribute::get_named_enum_kind_id("noimplicitfloat"), 0);
    for f in &items.functions {
        let fty = fn_type(ll, &f.params, &f.results);
        // Only exports and imports are visible outside: everything else is internal, so LLVM
        // may inline it and wasm-ld drops it when unused.
        let linkage = if f.import.is_some() || f.export.is_some() { Linkage::External } else { Linkage::Internal };
        let fv = m.add_function(&f.symbol(), fty, Some(linkage));
        if let Some((module, name)) = &f.import {
            fv.add_attribute(AttributeLoc::Function, ll.create_string_attribute("wasm-import-module", module));
            fv.add_attribute(AttributeLoc::Function, ll.create_string_attribute("wasm-import-name", name));
        }
        if let Some(name) = &f.export {
            fv.add_attribute(AttributeLoc::Function, ll.create_string_attribute("wasm-export-name", &crate::items::export_symbol(name)));
        }
        fv.add_attribute(AttributeLoc::Function, null_ok);
        fv.add_attribute(AttributeLoc::Function, no_vectors);
        decls.functions.insert(f.name.clone(), fv);
    }
    for g in &items.globals {
        let ty = llvm_type(ll, g.ty);
        let gv = m.add_global(ty, Some(AddressSpace::from(WASM_GLOBAL_SPACE)), &g.symbol());
        decls.globals.insert(g.name.clone(), (gv, g.ty));
        if g.import.is_some() {
            // A declaration: wasm-ld imports it (`link::link`), and `link::finish` gives the
            // import its module, name and mutability.
            gv.set_linkage(Linkage::External);
            gv.set_constant(!g.mutable);
            continue;
        }
        // The value LLVM may rely on: a constant initializer. Any other initializer (reading an
        // imported global, extended-const) and a NaN, whose payload may not survive LLVM's float
        // constants, leave the global external for LLVM, which then assumes nothing about its
        // value. wasm-ld drops the initializers of wasm globals anyway: the linked module gets
        // the exact ones back (`link::finish`).
        let known = g.init.as_ref().and_then(|e| e.constant()).and_then(|c| known_value(ll, c));
        gv.set_initializer(&known.unwrap_or_else(|| ty.const_zero()));
        // Exported globals need a symbol wasm-ld can export; the others stay internal.
        let opaque = known.is_none() || !g.exports.is_empty();
        gv.set_linkage(if opaque { Linkage::External } else { Linkage::Internal });
        // Constant for LLVM (loads fold to the initializer) only when wasm says so.
        gv.set_constant(!g.mutable && !opaque);
    }
    keep_used(ll, m, items, &decls);
    Ok(decls)
}

/// `c` as an LLVM constant, unless it is a NaN (or a reference, which globals never hold).
fn known_value<'ll>(ll: &'ll LlContext, c: Const) -> Option<BasicValueEnum<'ll>> {
    Some(match c.ty {
        ValType::I32 => ll.i32_type().const_int(c.bits, false).into(),
        ValType::I64 => ll.i64_type().const_int(c.bits, false).into(),
        ValType::F32 => {
            let x = f32::from_bits(c.bits as u32);
            if x.is_nan() {
                return None;
            }
            ll.f32_type().const_float(x as f64).into()
        }
        ValType::F64 => {
            let x = f64::from_bits(c.bits);
            if x.is_nan() {
                return None;
            }
            ll.f64_type().const_float(x).into()
        }
        ValType::ExternRef | ValType::FuncRef => return None,
    })
}

/// Fills `@llvm.used`, whose symbols wasm-ld keeps (`NO_STRIP` in the object) without exporting
/// them: the functions element segments name (see `refs::elem_functions`), the imported
/// globals, which wasm-ld would drop when no code reads them while an initializer may, and the
/// imported functions, called or not: an import is part of the module's interface
/// (instantiating without it fails), but LLVM writes no symbol for a function nothing calls, and
/// wasm-ld imports only what the object references. (Their addresses count as taken, so wasm-ld
/// makes a function table; `link::TablePlan` drops it when nothing uses it.)
fn keep_used<'ll>(ll: &'ll LlContext, m: &LlModule<'ll>, items: &Items, decls: &Decls<'ll>) {
    let ptr = ll.ptr_type(AddressSpace::default());
    let mut kept = refs::elem_functions(items, decls);
    kept.extend(items.globals.iter().filter(|g| g.import.is_some()).map(|g| decls.globals[&g.name].0.as_pointer_value().const_address_space_cast(ptr)));
    for f in items.functions.iter().filter(|f| f.import.is_some()) {
        let p = decls.functions[&f.name].as_global_value().as_pointer_value();
        if !kept.contains(&p) {
            kept.push(p);
        }
    }
    if kept.is_empty() {
        return;
    }
    let used = m.add_global(ptr.array_type(kept.len() as u32), None, "llvm.used");
    used.set_linkage(Linkage::Appending);
    used.set_section(Some("llvm.metadata"));
    used.set_initializer(&ptr.const_array(&kept));
}

/// The start function, seen through a function of the backend's own that calls it and is
/// exported as [`START_EXPORT`]: wasm-ld keeps exports, and `link::finish` makes that export the
/// start section. (Keeping the function itself in `@llvm.used` would take its address, and
/// wasm-ld would add a function table for it.) LLVM inlines the call when it can.
pub fn start_function<'ll>(ll: &'ll LlContext, m: &LlModule<'ll>, items: &Items, decls: &Decls<'ll>) -> Result<(), Error> {
    let Some(start) = &items.start else { return Ok(()) };
    let wrapper = m.add_function(START_EXPORT, ll.void_type().fn_type(&[], false), Some(Linkage::External));
    wrapper.add_attribute(AttributeLoc::Function, ll.create_string_attribute("wasm-export-name", START_EXPORT));
    wrapper.add_attribute(AttributeLoc::Function, ll.create_enum_attribute(Attribute::get_named_enum_kind_id("null_pointer_is_valid"), 0));
    let builder = ll.create_builder();
    builder.position_at_end(ll.append_basic_block(wrapper, ""));
    builder.build_call(decls.functions[start], &[], "").map_err(bug)?;
    builder.build_return(None).map_err(bug)?;
    Ok(())
}

/// Lowers the body of `f` (in the CFG-form copy of the module) into its declared LLVM function.
#[allow(clippy::too_many_arguments)]
pub fn lower_function<'ll>(ll: &'ll LlContext, m: &LlModule<'ll>, decls: &Decls<'ll>, ctx: &Context, module: &Module, items: &Items, f: &Function, opts: &crate::Options) -> Result<(), Error> {
    lower_in_mode(ll, m, decls, ctx, module, items, f, None, opts.strict_memory)
}

/// Lowers `f` for wasm32, or (`native`) for the host in the vmctx ABI (see [`native`]);
/// `strict_memory` is [`crate::Options::strict_memory`] (wasm32 only).
#[allow(clippy::too_many_arguments)]
fn lower_in_mode<'ll>(ll: &'ll LlContext, m: &LlModule<'ll>, decls: &Decls<'ll>, ctx: &Context, module: &Module, items: &Items, f: &Function, native: Option<&native::Env>, strict_memory: bool) -> Result<(), Error> {
    let fv = decls.functions[&f.name];
    let body_id = module.body(f.op.body).inner_body(f.op.op).ok_or_else(|| format!("@{}: it has no body", f.name))?;
    let b = module.body(body_id);
    let region = *b.roots().first().ok_or_else(|| format!("@{}: it has no body", f.name))?;
    let builder = ll.create_builder();
    let mut l = Lower {
        ll,
        m,
        ctx,
        b,
        decls,
        items,
        memory: items.memory_sym,
        strict_memory,
        f: fv,
        name: &f.name,
        builder,
        blocks: FxHashMap::default(),
        vals: FxHashMap::default(),
        locals: FxHashMap::default(),
        trap: None,
        native: None,
    };
    let wblocks: Vec<wasmir::Block> = b.region_blocks(region).collect();
    for (i, &blk) in wblocks.iter().enumerate() {
        let bb = ll.append_basic_block(fv, &format!("b{i}"));
        l.blocks.insert(blk, bb);
    }
    // The entry block's arguments are the parameters; the other blocks' become phis.
    for (i, &blk) in wblocks.iter().enumerate() {
        let bb = l.blocks[&blk];
        l.builder.position_at_end(bb);
        for (k, &a) in b.block_args(blk).iter().enumerate() {
            let v: BasicValueEnum = if i == 0 {
                // Native code takes `vmctx` first.
                fv.get_nth_param(k as u32 + native.is_some() as u32).ok_or_else(|| format!("@{}: the entry block has more arguments than the function has parameters", f.name))?
            } else {
                let t = l.ty(b.value_type(a))?;
                l.builder.build_phi(t, "").map_err(bug)?.as_basic_value()
            };
            l.vals.insert(a, v);
        }
    }
    if let Some(env) = native {
        l.native_prologue(env, region)?;
    }
    // Blocks are filled in reverse post-order, so a value is built before the blocks it
    // dominates use it (a block's layout place says nothing about that); unreachable blocks
    // follow in layout order.
    let dom = wasmir::verify::dominance::DomTree::compute(b, region);
    let mut order: Vec<wasmir::Block> = dom.reverse_postorder().collect();
    let reachable: rustc_hash::FxHashSet<wasmir::Block> = order.iter().copied().collect();
    order.extend(wblocks.iter().copied().filter(|blk| !reachable.contains(blk)));
    for &blk in &order {
        l.builder.position_at_end(l.blocks[&blk]);
        l.native_block_start(blk)?;
        for op in b.block_ops(blk) {
            l.op(op)?;
        }
    }
    Ok(())
}

fn bug(e: impl std::fmt::Display) -> Error {
    Error::Failed(format!("internal error: building LLVM IR: {e}"))
}

struct Lower<'ll, 'a> {
    ll: &'ll LlContext,
    m: &'a LlModule<'ll>,
    ctx: &'a Context,
    b: &'a wasmir::Body,
    decls: &'a Decls<'ll>,
    items: &'a Items,
    memory: Option<Ident>,
    /// [`crate::Options::strict_memory`].
    strict_memory: bool,
    f: FunctionValue<'ll>,
    name: &'a str,
    builder: Builder<'ll>,
    blocks: FxHashMap<wasmir::Block, BasicBlock<'ll>>,
    vals: FxHashMap<Value, BasicValueEnum<'ll>>,
    locals: FxHashMap<Value, (PointerValue<'ll>, BasicTypeEnum<'ll>)>,
    /// The function's one trap block (`llvm.trap`, `unreachable`), made on first use.
    trap: Option<BasicBlock<'ll>>,
    /// Native mode's state (see [`native`]); `None` for wasm32.
    native: Option<native::State<'ll, 'a>>,
}

/// How a float-to-integer conversion checks its input: `lo < x` (or `lo <= x` when
/// `lo_inclusive`) and `x < hi`, both false for NaN.
struct Range {
    lo: f64,
    lo_inclusive: bool,
    hi: f64,
}

fn trunc_range(float_bits: u32, int_bits: u32, signed: bool) -> Range {
    let hi = if signed { 2f64.powi(int_bits as i32 - 1) } else { 2f64.powi(int_bits as i32) };
    if !signed {
        return Range { lo: -1.0, lo_inclusive: false, hi };
    }
    // -2^(n-1) - 1 is representable (as the exclusive bound) only for f64 and n = 32; otherwise
    // -2^(n-1) itself is the inclusive bound, and nothing between the two is representable.
    if float_bits == 64 && int_bits == 32 { Range { lo: -hi - 1.0, lo_inclusive: false, hi } } else { Range { lo: -hi, lo_inclusive: true, hi } }
}

impl<'ll> Lower<'ll, '_> {
    fn unsupported(&self, op: &str) -> Error {
        Unsupported(format!("`{op}` (in @{}) is not supported by the llvm backend; {OTHER_BACKENDS}", self.name))
    }

    fn ty(&self, t: wasmir::Type) -> Result<BasicTypeEnum<'ll>, Error> {
        ValType::of(self.ctx, t).map(|v| llvm_type(self.ll, v)).map_err(|e| Unsupported(format!("@{}: {e}; {OTHER_BACKENDS}", self.name)))
    }

    fn get(&self, v: Value) -> Result<BasicValueEnum<'ll>, Error> {
        self.vals.get(&v).copied().ok_or_else(|| Error::Failed(format!("@{}: a value is used outside the blocks that define it", self.name)))
    }

    fn int(&self, v: Value) -> Result<IntValue<'ll>, Error> {
        match self.get(v)? {
            BasicValueEnum::IntValue(i) => Ok(i),
            _ => Err(format!("internal error: @{}: an integer was expected", self.name).into()),
        }
    }

    fn float(&self, v: Value) -> Result<FloatValue<'ll>, Error> {
        match self.get(v)? {
            BasicValueEnum::FloatValue(x) => Ok(x),
            _ => Err(format!("internal error: @{}: a float was expected", self.name).into()),
        }
    }

    fn attr_of(&self, op: Op, key: &str) -> Option<&AttrData> {
        self.ctx.dict_get(self.b.op(op).attrs, key).map(|a| self.ctx.attr_data(a))
    }

    fn set(&mut self, op: Op, v: impl BasicValue<'ll>) {
        self.vals.insert(self.b.result(op, 0), v.as_basic_value_enum());
    }

    fn intrinsic(&self, name: &str, tys: &[BasicTypeEnum<'ll>]) -> Result<FunctionValue<'ll>, Error> {
        Intrinsic::find(name).and_then(|i| i.get_declaration(self.m, tys)).ok_or_else(|| Error::Failed(format!("internal error: LLVM has no intrinsic `{name}` for these types")))
    }

    fn call(&self, f: FunctionValue<'ll>, args: &[BasicValueEnum<'ll>]) -> Result<Option<BasicValueEnum<'ll>>, Error> {
        let args: Vec<BasicMetadataValueEnum> = args.iter().map(|&a| a.into()).collect();
        Ok(self.builder.build_call(f, &args, "").map_err(bug)?.try_as_basic_value().basic())
    }

    fn call1(&self, name: &str, tys: &[BasicTypeEnum<'ll>], args: &[BasicValueEnum<'ll>]) -> Result<BasicValueEnum<'ll>, Error> {
        let f = self.intrinsic(name, tys)?;
        self.call(f, args)?.ok_or_else(|| Error::Failed(format!("internal error: `{name}` returned nothing")))
    }

    /// Branches to the trap block when `bad` holds, and continues in a new block otherwise.
    /// `why` is the trap's code in native mode.
    fn trap_if(&mut self, bad: IntValue<'ll>, why: Trap) -> Result<(), Error> {
        let trap = match self.trap {
            _ if self.native.is_some() => self.native_trap_block(why)?,
            Some(t) => t,
            None => {
                let here = self.builder.get_insert_block().ok_or_else(|| bug("no insert block"))?;
                let t = self.ll.append_basic_block(self.f, "trap");
                self.builder.position_at_end(t);
                let f = self.intrinsic("llvm.trap", &[])?;
                self.call(f, &[])?;
                self.builder.build_unreachable().map_err(bug)?;
                self.builder.position_at_end(here);
                self.trap = Some(t);
                t
            }
        };
        let cont = self.ll.append_basic_block(self.f, "");
        self.builder.build_conditional_branch(bad, trap, cont).map_err(bug)?;
        self.builder.position_at_end(cont);
        Ok(())
    }

    /// The LLVM block a WasmIR branch goes to, with its arguments added to the target's phis.
    /// A target with arguments is reached through a block of its own when `fresh`, so that two
    /// edges of one terminator to the same block can carry different values.
    fn edge(&mut self, s: wasmir::Succ, fresh: bool) -> Result<BasicBlock<'ll>, Error> {
        let target = self.blocks[&self.b.succ_block(s)];
        let args: Vec<BasicValueEnum> = self.b.succ_args(s).map(|v| self.get(v)).collect::<Result<_, _>>()?;
        if args.is_empty() {
            return Ok(target);
        }
        let (from, via) = if fresh {
            let here = self.builder.get_insert_block().ok_or_else(|| bug("no insert block"))?;
            let via = self.ll.append_basic_block(self.f, "");
            self.builder.position_at_end(via);
            self.builder.build_unconditional_branch(target).map_err(bug)?;
            self.builder.position_at_end(here);
            (via, via)
        } else {
            (self.builder.get_insert_block().ok_or_else(|| bug("no insert block"))?, target)
        };
        let mut phis = target.get_first_instruction();
        for a in args {
            let phi = phis.and_then(|i| inkwell::values::PhiValue::try_from(i).ok()).ok_or_else(|| bug("a block argument without its phi"))?;
            phi.add_incoming(&[(&a, from)]);
            phis = phis.and_then(|i| i.get_next_instruction());
        }
        Ok(via)
    }

    fn op(&mut self, op: Op) -> Result<(), Error> {
        let (ctx, b) = (self.ctx, self.b);
        let name = ctx.op_name(b.opcode(op));
        if !b.regions(op).is_empty() || b.inner_body(op).is_some() {
            return Err(Unsupported(format!("`{name}` (in @{}) keeps structured control flow that lower-to-cfg could not remove; {OTHER_BACKENDS}", self.name)));
        }
        if self.native.is_some() && self.native_op(op, name)? {
            return Ok(());
        }
        match name {
            "wasm.local" => {
                let Some(AttrData::Type(t)) = self.attr_of(op, "type") else { return Err(format!("@{}: a `wasm.local` without its type", self.name).into()) };
                let ty = self.ty(*t)?;
                let slot = self.builder.build_alloca(ty, "").map_err(bug)?;
                let init = match b.operands(op).next() {
                    Some(v) => self.get(v)?,
                    None => self.zero(ty)?,
                };
                self.builder.build_store(slot, init).map_err(bug)?;
                self.locals.insert(b.result(op, 0), (slot, ty));
            }
            "wasm.local.get" => {
                let (slot, ty) = self.local(b.operand(op, 0))?;
                let v = self.builder.build_load(ty, slot, "").map_err(bug)?;
                self.set(op, v);
            }
            "wasm.local.set" | "wasm.local.tee" => {
                let (slot, _) = self.local(b.operand(op, 0))?;
                let v = self.get(b.operand(op, 1))?;
                self.builder.build_store(slot, v).map_err(bug)?;
                if name == "wasm.local.tee" {
                    self.set(op, v);
                }
            }
            "cf.br" => {
                let to = self.edge(b.successors(op)[0], false)?;
                self.builder.build_unconditional_branch(to).map_err(bug)?;
            }
            "cf.cond_br" => {
                let c = self.int(b.operand(op, 0))?;
                let s = b.successors(op);
                let (t, e) = (self.edge(s[0], true)?, self.edge(s[1], true)?);
                let c = self.builder.build_int_compare(IntPredicate::NE, c, c.get_type().const_zero(), "").map_err(bug)?;
                self.builder.build_conditional_branch(c, t, e).map_err(bug)?;
            }
            "cf.switch" => self.switch(op)?,
            "func.return" | "wasm.return" => {
                let vs: Vec<BasicValueEnum> = b.operands(op).map(|v| self.get(v)).collect::<Result<_, _>>()?;
                match &vs[..] {
                    [] => self.builder.build_return(None),
                    [v] => self.builder.build_return(Some(v)),
                    // Several results: one struct, built by `insertvalue`s.
                    _ => self.builder.build_aggregate_return(&vs),
                }
                .map_err(bug)?;
            }
            "wasm.unreachable" => {
                let f = self.intrinsic("llvm.trap", &[])?;
                self.call(f, &[])?;
                self.builder.build_unreachable().map_err(bug)?;
            }
            "wasm.nop" => {}
            "wasm.select" => {
                let c = self.int(b.operand(op, 0))?;
                let (x, y) = (self.get(b.operand(op, 1))?, self.get(b.operand(op, 2))?);
                let c = self.builder.build_int_compare(IntPredicate::NE, c, c.get_type().const_zero(), "").map_err(bug)?;
                let v = self.builder.build_select(c, x, y, "").map_err(bug)?;
                self.set(op, v);
            }
            "func.call" => self.direct_call(op)?,
            "wasm.global.get" | "wasm.global.set" => {
                let g = match self.attr_of(op, "global") {
                    Some(AttrData::SymbolRef(p)) => ctx.str(p[0]).to_string(),
                    _ => return Err(format!("@{}: `{name}` without its global", self.name).into()),
                };
                let &(gv, ty) = self.decls.globals.get(&g).ok_or_else(|| self.unsupported(name))?;
                if name == "wasm.global.get" {
                    let v = self.builder.build_load(llvm_type(self.ll, ty), gv.as_pointer_value(), "").map_err(bug)?;
                    self.set(op, v);
                } else {
                    let v = self.get(b.operand(op, 0))?;
                    self.builder.build_store(gv.as_pointer_value(), v).map_err(bug)?;
                }
            }
            "wasm.memory.fill" | "wasm.memory.copy" => self.fill_or_copy(op, name)?,
            "wasm.memory.init" | "wasm.data.drop" => self.data_op(op, name)?,
            "wasm.memory.size" | "wasm.memory.grow" => {
                self.check_memory(op, name)?;
                // In pages, of the memory's address type (i64 for memory64).
                let at = self.ty(b.value_type(b.result(op, 0)))?;
                let zero = self.ll.i32_type().const_zero().into();
                let v = if name == "wasm.memory.size" {
                    self.call1("llvm.wasm.memory.size", &[at], &[zero])?
                } else {
                    let delta = self.get(b.operand(op, 0))?;
                    self.call1("llvm.wasm.memory.grow", &[at], &[zero, delta])?
                };
                self.set(op, v);
            }
            _ => {
                if self.memory_access(op, name)? || self.reference_op(op, name)? {
                    return Ok(());
                }
                let v = self.numeric(op, name)?.ok_or_else(|| self.unsupported(name))?;
                self.set(op, v);
            }
        }
        Ok(())
    }

    fn local(&self, v: Value) -> Result<(PointerValue<'ll>, BasicTypeEnum<'ll>), Error> {
        self.locals.get(&v).copied().ok_or_else(|| Error::Failed(format!("@{}: a local is used before its `wasm.local`", self.name)))
    }

    fn direct_call(&mut self, op: Op) -> Result<(), Error> {
        let b = self.b;
        let callee = match self.attr_of(op, "callee") {
            Some(AttrData::SymbolRef(p)) => self.ctx.str(p[0]).to_string(),
            _ => return Err(format!("@{}: a `func.call` without its callee", self.name).into()),
        };
        let f = *self.decls.functions.get(&callee).ok_or_else(|| format!("@{}: the callee @{callee} is not a function the llvm backend lowers", self.name))?;
        let mut args: Vec<BasicValueEnum> = b.operands(op).map(|v| self.get(v)).collect::<Result<_, _>>()?;
        if let Some(st) = &self.native {
            args.insert(0, st.vmctx().into());
        }
        let r = self.call(f, &args)?;
        self.set_results(op, r)
    }

    /// Gives `op` the results of a call: none, the one value, or the fields of the struct a
    /// function with several results returns.
    fn set_results(&mut self, op: Op, r: Option<BasicValueEnum<'ll>>) -> Result<(), Error> {
        let n = self.b.num_results(op);
        if n == 0 {
            return Ok(());
        }
        let r = r.ok_or_else(|| bug("a call without its result"))?;
        if n == 1 {
            self.set(op, r);
            return Ok(());
        }
        let BasicValueEnum::StructValue(s) = r else { return Err(bug("a call with several results that does not return a struct")) };
        for i in 0..n {
            let v = self.builder.build_extract_value(s, i as u32, "").map_err(bug)?;
            self.vals.insert(self.b.result(op, i), v);
        }
        Ok(())
    }

    fn switch(&mut self, op: Op) -> Result<(), Error> {
        let b = self.b;
        let flag = self.int(b.operand(op, 0))?;
        let cases: Vec<i128> = match self.attr_of(op, "case_values") {
            Some(AttrData::Array(items)) => items
                .iter()
                .map(|&a| match self.ctx.attr_data(a) {
                    AttrData::Int { value, .. } => Ok(*value),
                    _ => Err(format!("@{}: a `cf.switch` case that is not an integer", self.name)),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(format!("@{}: a `cf.switch` without case values", self.name).into()),
        };
        let succs = b.successors(op).to_vec();
        if succs.len() != cases.len() + 1 {
            return Err(format!("@{}: a `cf.switch` whose cases and successors do not match", self.name).into());
        }
        let default = self.edge(succs[0], true)?;
        let mut table = Vec::with_capacity(cases.len());
        let mut seen = rustc_hash::FxHashSet::default();
        for (i, &c) in cases.iter().enumerate() {
            // LLVM forbids repeated case values; the first one wins, as in a chain of compares.
            if !seen.insert(c) {
                continue;
            }
            let to = self.edge(succs[i + 1], true)?;
            table.push((flag.get_type().const_int(c as u64, false), to));
        }
        self.builder.build_switch(flag, default, &table).map_err(bug)?;
        Ok(())
    }

    /// `memory.fill` and `memory.copy`: wasm checks the whole range first and traps without
    /// writing anything, also for a length of 0 past the end. LLVM's `memset`/`memmove` may
    /// instead be split into stores (or deleted when the length is 0), so the range is checked
    /// here, explicitly, against the memory's size; then the operation cannot trap, and LLVM may
    /// lower it as it likes (with `bulk-memory-opt`, `memory.fill`/`memory.copy` when the length
    /// is not a small constant). `memmove`, since wasm's ranges may overlap.
    fn fill_or_copy(&mut self, op: Op, name: &str) -> Result<(), Error> {
        let b = self.b;
        let (dst, x, len) = (self.int(b.operand(op, 0))?, self.int(b.operand(op, 1))?, self.int(b.operand(op, 2))?);
        let ptr = |bl: &Builder<'ll>, a: IntValue<'ll>| bl.build_int_to_ptr(a, self.ll.ptr_type(AddressSpace::default()), "").map_err(bug);
        if name == "wasm.memory.fill" {
            self.check_memory(op, name)?;
            self.check_range(&[dst], len)?;
            let byte = self.builder.build_int_truncate(x, self.ll.i8_type(), "").map_err(bug)?;
            self.builder.build_memset(ptr(&self.builder, dst)?, 1, byte, len).map_err(bug)?;
        } else {
            self.check_memory_at(op, name, "dst")?;
            self.check_memory_at(op, name, "src")?;
            self.check_range(&[dst, x], len)?;
            self.builder.build_memmove(ptr(&self.builder, dst)?, 1, ptr(&self.builder, x)?, 1, len).map_err(bug)?;
        }
        Ok(())
    }

    /// `memory.init` and `data.drop`, for which LLVM 22 has no intrinsic (and its wasm32 target
    /// no notion of passive segments): a call to a function of the backend's own per segment
    /// and op (`__wasmir.memory.init.<segment>(dest, offset, len)`, `__wasmir.data.drop.<segment>()`),
    /// whose body `link::finish` replaces with the instruction. The function is `weak`, so LLVM
    /// neither inlines it nor infers anything from its empty body: the call stays, and LLVM
    /// assumes it may read, write or trap.
    fn data_op(&mut self, op: Op, name: &str) -> Result<(), Error> {
        let segment = match self.attr_of(op, "segment") {
            Some(AttrData::SymbolRef(p)) => self.ctx.str(p[0]).to_string(),
            _ => return Err(format!("@{}: `{name}` without its data segment", self.name).into()),
        };
        let symbol = if name == "wasm.memory.init" {
            self.check_memory(op, name)?;
            memory_init_symbol(&segment)
        } else {
            data_drop_symbol(&segment)
        };
        let f = match self.m.get_function(&symbol) {
            Some(f) => f,
            None => {
                // dest has the memory's address type; offset and len are i32.
                let params: Vec<BasicMetadataTypeEnum> = self.b.operands(op).map(|v| self.ty(self.b.value_type(v)).map(Into::into)).collect::<Result<_, _>>()?;
                let f = self.m.add_function(&symbol, self.ll.void_type().fn_type(&params, false), Some(Linkage::WeakAny));
                f.as_global_value().set_visibility(inkwell::GlobalVisibility::Hidden);
                f.add_attribute(AttributeLoc::Function, self.ll.create_enum_attribute(Attribute::get_named_enum_kind_id("noinline"), 0));
                let builder = self.ll.create_builder();
                builder.position_at_end(self.ll.append_basic_block(f, ""));
                builder.build_return(None).map_err(bug)?;
                f
            }
        };
        let args: Vec<BasicValueEnum> = self.b.operands(op).map(|v| self.get(v)).collect::<Result<_, _>>()?;
        self.call(f, &args)?;
        Ok(())
    }

    /// Traps unless `[start, start + len)` lies in memory 0 for each of `starts`. The size in
    /// bytes of a 32-bit memory needs 33 bits, so the check is in 64 bits: `start + len <= size`
    /// for a 32-bit memory (the sum cannot wrap), `len <= size && start <= size - len` for a
    /// 64-bit one (which never computes the sum, which could).
    fn check_range(&mut self, starts: &[IntValue<'ll>], len: IntValue<'ll>) -> Result<(), Error> {
        let at = len.get_type();
        let i64t = self.ll.i64_type();
        let pages = self.call1("llvm.wasm.memory.size", &[at.into()], &[self.ll.i32_type().const_zero().into()])?.into_int_value();
        let bl = &self.builder;
        let wide = |v: IntValue<'ll>| bl.build_int_z_extend_or_bit_cast(v, i64t, "").map_err(bug);
        let size = bl.build_left_shift(wide(pages)?, i64t.const_int(16, false), "").map_err(bug)?;
        let len = wide(len)?;
        let memory64 = at.get_bit_width() == 64;
        let mut bad = if memory64 { Some(bl.build_int_compare(IntPredicate::UGT, len, size, "").map_err(bug)?) } else { None };
        for &s in starts {
            let past = if memory64 {
                let room = bl.build_int_sub(size, len, "").map_err(bug)?;
                bl.build_int_compare(IntPredicate::UGT, s, room, "")
            } else {
                let end = bl.build_int_add(wide(s)?, len, "").map_err(bug)?;
                bl.build_int_compare(IntPredicate::UGT, end, size, "")
            }
            .map_err(bug)?;
            bad = Some(match bad {
                Some(b) => bl.build_or(b, past, "").map_err(bug)?,
                None => past,
            });
        }
        self.trap_if(bad.ok_or_else(|| bug("a range check without a range"))?, Trap::OutOfBounds)
    }

    fn check_memory(&self, op: Op, name: &str) -> Result<(), Error> {
        self.check_memory_at(op, name, "memory")
    }

    /// Checks that the memory the attribute `key` of `op` names is the module's.
    fn check_memory_at(&self, op: Op, name: &str, key: &str) -> Result<(), Error> {
        match self.attr_of(op, key) {
            Some(AttrData::SymbolRef(p)) if Some(p[0]) == self.memory => Ok(()),
            _ => Err(Unsupported(format!("`{name}` (in @{}) does not use the module's memory; {OTHER_BACKENDS}", self.name))),
        }
    }

    /// A load or store of linear memory; `false` when `name` is not one.
    fn memory_access(&mut self, op: Op, name: &str) -> Result<bool, Error> {
        let Some((access, ty)) = MemAccess::of(name) else { return Ok(false) };
        self.check_memory(op, name)?;
        let offset = match self.attr_of(op, "offset") {
            Some(AttrData::Int { value, .. }) => *value as u64,
            _ => 0,
        };
        // The address is i32, or i64 in a 64-bit memory (where LLVM's pointers are 64-bit too).
        let addr = self.int(self.b.operand(op, 0))?;
        let at = addr.get_type();
        if at.get_bit_width() == 32 && u32::try_from(offset).is_err() {
            return Err(self.unsupported(&format!("{name} with an offset beyond 32 bits")));
        }
        let natural = match access {
            MemAccess::Load { bytes, .. } | MemAccess::Store { bytes } if bytes > 0 => bytes,
            _ => llvm_width(ty) / 8,
        };
        let align = match self.attr_of(op, "align") {
            Some(AttrData::Int { value, .. }) => (*value as u32).clamp(1, natural),
            _ => natural,
        };
        // Native code: a bounds-checked host address, of unknown alignment.
        let (ptr, align) = if self.native.is_some() {
            (self.native_address(addr, offset, natural)?, 1)
        } else {
            if self.strict_memory && offset != 0 {
                // Past the address space: a trap, where `nuw` would make the address poison.
                let limit = if at.get_bit_width() == 32 { u32::MAX as u64 } else { u64::MAX };
                let past = self.builder.build_int_compare(IntPredicate::UGT, addr, at.const_int(limit - offset, false), "").map_err(bug)?;
                self.trap_if(past, Trap::OutOfBounds)?;
            }
            // `nuw`: wasm adds the offset without wrapping (an access past the address space
            // traps), and it lets the target fold the constant into the instruction's offset field.
            let ea = if offset == 0 { addr } else { self.builder.build_int_nuw_add(addr, at.const_int(offset, false), "").map_err(bug)? };
            (self.builder.build_int_to_ptr(ea, self.ll.ptr_type(AddressSpace::default()), "").map_err(bug)?, align)
        };
        let mem_ty = |bytes: u32| -> BasicTypeEnum<'ll> { int_type(self.ll, bytes * 8).into() };
        match access {
            MemAccess::Load { bytes, signed } => {
                let t = if bytes == 0 { llvm_type(self.ll, ty) } else { mem_ty(bytes) };
                let v = self.builder.build_load(t, ptr, "").map_err(bug)?;
                set_align(v.as_instruction_value(), align)?;
                if self.strict_memory {
                    v.as_instruction_value().ok_or_else(|| bug("a load that is not an instruction"))?.set_volatile(true).map_err(|e| bug(format!("{e:?}")))?;
                }
                let v = if bytes == 0 {
                    v
                } else {
                    let wide = llvm_type(self.ll, ty).into_int_type();
                    let n = v.into_int_value();
                    if signed { self.builder.build_int_s_extend(n, wide, "") } else { self.builder.build_int_z_extend(n, wide, "") }.map_err(bug)?.into()
                };
                self.set(op, v);
            }
            MemAccess::Store { bytes } => {
                let v = self.get(self.b.operand(op, 1))?;
                let v = if bytes == 0 {
                    v
                } else {
                    let t = mem_ty(bytes).into_int_type();
                    self.builder.build_int_truncate(v.into_int_value(), t, "").map_err(bug)?.into()
                };
                let st = self.builder.build_store(ptr, v).map_err(bug)?;
                set_align(Some(st), align)?;
                if self.strict_memory {
                    st.set_volatile(true).map_err(|e| bug(format!("{e:?}")))?;
                }
            }
        }
        Ok(true)
    }

    /// Constants and arithmetic; `None` when `name` is not one.
    fn numeric(&mut self, op: Op, name: &str) -> Result<Option<BasicValueEnum<'ll>>, Error> {
        let Some((ty, rest)) = name.strip_prefix("wasm.").and_then(|n| n.split_once('.')) else { return Ok(None) };
        match ty {
            "i32" | "i64" => self.int_op(op, if ty == "i32" { 32 } else { 64 }, rest),
            "f32" | "f64" => self.float_op(op, if ty == "f32" { 32 } else { 64 }, rest),
            _ => Ok(None),
        }
    }

    fn int_op(&mut self, op: Op, bits: u32, rest: &str) -> Result<Option<BasicValueEnum<'ll>>, Error> {
        let b = self.b;
        let it = int_type(self.ll, bits);
        let bl = &self.builder;
        let n = b.num_operands(op);
        let a = |i: usize| self.int(b.operand(op, i));
        let f = |i: usize| self.float(b.operand(op, i));
        let cmp = |p: IntPredicate| -> Result<BasicValueEnum<'ll>, Error> {
            let c = bl.build_int_compare(p, a(0)?, a(1)?, "").map_err(bug)?;
            Ok(bl.build_int_z_extend(c, self.ll.i32_type(), "").map_err(bug)?.into())
        };
        let v: BasicValueEnum = match rest {
            "const" => match self.attr_of(op, "value") {
                Some(AttrData::Int { value, .. }) => it.const_int(*value as u64, false).into(),
                _ => return Err(format!("@{}: an integer constant without its value", self.name).into()),
            },
            "add" => bl.build_int_add(a(0)?, a(1)?, "").map_err(bug)?.into(),
            "sub" => bl.build_int_sub(a(0)?, a(1)?, "").map_err(bug)?.into(),
            "mul" => bl.build_int_mul(a(0)?, a(1)?, "").map_err(bug)?.into(),
            "and" => bl.build_and(a(0)?, a(1)?, "").map_err(bug)?.into(),
            "or" => bl.build_or(a(0)?, a(1)?, "").map_err(bug)?.into(),
            "xor" => bl.build_xor(a(0)?, a(1)?, "").map_err(bug)?.into(),
            "shl" | "shr_s" | "shr_u" => {
                // wasm takes the count modulo the width; LLVM's shift is poison past it.
                let count = bl.build_and(a(1)?, it.const_int(bits as u64 - 1, false), "").map_err(bug)?;
                match rest {
                    "shl" => bl.build_left_shift(a(0)?, count, ""),
                    "shr_s" => bl.build_right_shift(a(0)?, count, true, ""),
                    _ => bl.build_right_shift(a(0)?, count, false, ""),
                }
                .map_err(bug)?
                .into()
            }
            "rotl" | "rotr" => {
                let name = if rest == "rotl" { "llvm.fshl" } else { "llvm.fshr" };
                let x = a(0)?.into();
                self.call1(name, &[it.into()], &[x, x, a(1)?.into()])?
            }
            "div_s" | "div_u" | "rem_s" | "rem_u" => return self.division(op, bits, rest).map(Some),
            "clz" | "ctz" => {
                let name = if rest == "clz" { "llvm.ctlz" } else { "llvm.cttz" };
                // is_zero_poison = false: wasm defines clz(0) = ctz(0) = the width.
                self.call1(name, &[it.into()], &[a(0)?.into(), self.ll.bool_type().const_zero().into()])?
            }
            "popcnt" => self.call1("llvm.ctpop", &[it.into()], &[a(0)?.into()])?,
            "eqz" => {
                let c = bl.build_int_compare(IntPredicate::EQ, a(0)?, it.const_zero(), "").map_err(bug)?;
                bl.build_int_z_extend(c, self.ll.i32_type(), "").map_err(bug)?.into()
            }
            "eq" if n == 2 => cmp(IntPredicate::EQ)?,
            "ne" => cmp(IntPredicate::NE)?,
            "lt_s" => cmp(IntPredicate::SLT)?,
            "lt_u" => cmp(IntPredicate::ULT)?,
            "gt_s" => cmp(IntPredicate::SGT)?,
            "gt_u" => cmp(IntPredicate::UGT)?,
            "le_s" => cmp(IntPredicate::SLE)?,
            "le_u" => cmp(IntPredicate::ULE)?,
            "ge_s" => cmp(IntPredicate::SGE)?,
            "ge_u" => cmp(IntPredicate::UGE)?,
            "wrap_i64" => bl.build_int_truncate(a(0)?, it, "").map_err(bug)?.into(),
            "extend_i32_s" => bl.build_int_s_extend(a(0)?, it, "").map_err(bug)?.into(),
            "extend_i32_u" => bl.build_int_z_extend(a(0)?, it, "").map_err(bug)?.into(),
            "extend8_s" | "extend16_s" | "extend32_s" => {
                let narrow = int_type(self.ll, rest[6..8].parse::<u32>().unwrap_or(8));
                let t = bl.build_int_truncate(a(0)?, narrow, "").map_err(bug)?;
                bl.build_int_s_extend(t, it, "").map_err(bug)?.into()
            }
            "reinterpret_f32" | "reinterpret_f64" => bl.build_bit_cast(f(0)?, it, "").map_err(bug)?,
            "trunc_f32_s" | "trunc_f32_u" | "trunc_f64_s" | "trunc_f64_u" => {
                let signed = rest.ends_with('s');
                let x = f(0)?;
                let fbits = if rest.contains("f32") { 32 } else { 64 };
                let r = trunc_range(fbits, bits, signed);
                let ft = x.get_type();
                let lo_p = if r.lo_inclusive { FloatPredicate::OGE } else { FloatPredicate::OGT };
                // Ordered comparisons: NaN fails both, so it traps with the out-of-range values.
                let above = bl.build_float_compare(lo_p, x, ft.const_float(r.lo), "").map_err(bug)?;
                let below = bl.build_float_compare(FloatPredicate::OLT, x, ft.const_float(r.hi), "").map_err(bug)?;
                let ok = bl.build_and(above, below, "").map_err(bug)?;
                let bad = bl.build_not(ok, "").map_err(bug)?;
                if self.native.is_some() {
                    // Native code tells NaN (an invalid conversion) from the rest (an overflow).
                    let nan = bl.build_float_compare(FloatPredicate::UNO, x, x, "").map_err(bug)?;
                    self.trap_if(nan, Trap::BadConversion)?;
                }
                self.trap_if(bad, Trap::IntegerOverflow)?;
                let bl = &self.builder;
                if signed { bl.build_float_to_signed_int(x, it, "") } else { bl.build_float_to_unsigned_int(x, it, "") }.map_err(bug)?.into()
            }
            "trunc_sat_f32_s" | "trunc_sat_f64_s" => self.call1("llvm.fptosi.sat", &[it.into(), f(0)?.get_type().into()], &[f(0)?.into()])?,
            "trunc_sat_f32_u" | "trunc_sat_f64_u" => self.call1("llvm.fptoui.sat", &[it.into(), f(0)?.get_type().into()], &[f(0)?.into()])?,
            _ => return Ok(None),
        };
        Ok(Some(v))
    }

    /// Division and remainder, trapping where wasm traps instead of LLVM's undefined behaviour.
    fn division(&mut self, op: Op, bits: u32, rest: &str) -> Result<BasicValueEnum<'ll>, Error> {
        let (x, y) = (self.int(self.b.operand(op, 0))?, self.int(self.b.operand(op, 1))?);
        let it = x.get_type();
        let zero = self.builder.build_int_compare(IntPredicate::EQ, y, it.const_zero(), "").map_err(bug)?;
        let minus_one = it.const_all_ones();
        let v = match rest {
            "div_s" => {
                let int_min = it.const_int(1u64 << (bits - 1), false);
                let bl = &self.builder;
                let is_min = bl.build_int_compare(IntPredicate::EQ, x, int_min, "").map_err(bug)?;
                let is_m1 = bl.build_int_compare(IntPredicate::EQ, y, minus_one, "").map_err(bug)?;
                let overflow = bl.build_and(is_min, is_m1, "").map_err(bug)?;
                self.trap_if(zero, Trap::DivideByZero)?;
                self.trap_if(overflow, Trap::IntegerOverflow)?;
                self.builder.build_int_signed_div(x, y, "")
            }
            "rem_s" => {
                self.trap_if(zero, Trap::DivideByZero)?;
                // x rem -1 is 0 in wasm; x srem 1 is 0 too, without srem's INT_MIN overflow.
                let bl = &self.builder;
                let is_m1 = bl.build_int_compare(IntPredicate::EQ, y, minus_one, "").map_err(bug)?;
                let y = bl.build_select(is_m1, it.const_int(1, false), y, "").map_err(bug)?.into_int_value();
                bl.build_int_signed_rem(x, y, "")
            }
            "div_u" => {
                self.trap_if(zero, Trap::DivideByZero)?;
                self.builder.build_int_unsigned_div(x, y, "")
            }
            _ => {
                self.trap_if(zero, Trap::DivideByZero)?;
                self.builder.build_int_unsigned_rem(x, y, "")
            }
        };
        Ok(v.map_err(bug)?.into())
    }

    fn float_op(&mut self, op: Op, bits: u32, rest: &str) -> Result<Option<BasicValueEnum<'ll>>, Error> {
        let b = self.b;
        let ft = if bits == 32 { self.ll.f32_type() } else { self.ll.f64_type() };
        let bl = &self.builder;
        let a = |i: usize| self.float(b.operand(op, i));
        let ai = |i: usize| self.int(b.operand(op, i));
        let cmp = |p: FloatPredicate| -> Result<BasicValueEnum<'ll>, Error> {
            let c = bl.build_float_compare(p, a(0)?, a(1)?, "").map_err(bug)?;
            Ok(bl.build_int_z_extend(c, self.ll.i32_type(), "").map_err(bug)?.into())
        };
        let unary = |name: &str| -> Result<BasicValueEnum<'ll>, Error> { self.call1(name, &[ft.into()], &[a(0)?.into()]) };
        let binary = |name: &str| -> Result<BasicValueEnum<'ll>, Error> { self.call1(name, &[ft.into()], &[a(0)?.into(), a(1)?.into()]) };
        let v: BasicValueEnum = match rest {
            "const" => match self.attr_of(op, "value") {
                // Built from the bits, so a NaN keeps its payload.
                Some(AttrData::Float { bits: raw, .. }) => {
                    let it = int_type(self.ll, bits);
                    let raw = if bits == 32 { *raw & 0xffff_ffff } else { *raw };
                    bl.build_bit_cast(it.const_int(raw, false), ft, "").map_err(bug)?
                }
                _ => return Err(format!("@{}: a float constant without its value", self.name).into()),
            },
            "add" => bl.build_float_add(a(0)?, a(1)?, "").map_err(bug)?.into(),
            "sub" => bl.build_float_sub(a(0)?, a(1)?, "").map_err(bug)?.into(),
            "mul" => bl.build_float_mul(a(0)?, a(1)?, "").map_err(bug)?.into(),
            "div" => bl.build_float_div(a(0)?, a(1)?, "").map_err(bug)?.into(),
            "min" => binary("llvm.minimum")?,
            "max" => binary("llvm.maximum")?,
            "copysign" => binary("llvm.copysign")?,
            "neg" => bl.build_float_neg(a(0)?, "").map_err(bug)?.into(),
            "abs" => unary("llvm.fabs")?,
            "sqrt" => unary("llvm.sqrt")?,
            "ceil" => unary("llvm.ceil")?,
            "floor" => unary("llvm.floor")?,
            "trunc" => unary("llvm.trunc")?,
            "nearest" => unary("llvm.roundeven")?,
            "eq" => cmp(FloatPredicate::OEQ)?,
            // `ne` is true for NaN operands, as in wasm: unordered-or-not-equal.
            "ne" => cmp(FloatPredicate::UNE)?,
            "lt" => cmp(FloatPredicate::OLT)?,
            "gt" => cmp(FloatPredicate::OGT)?,
            "le" => cmp(FloatPredicate::OLE)?,
            "ge" => cmp(FloatPredicate::OGE)?,
            "convert_i32_s" | "convert_i64_s" => bl.build_signed_int_to_float(ai(0)?, ft, "").map_err(bug)?.into(),
            "convert_i32_u" | "convert_i64_u" => bl.build_unsigned_int_to_float(ai(0)?, ft, "").map_err(bug)?.into(),
            "demote_f64" => bl.build_float_trunc(a(0)?, ft, "").map_err(bug)?.into(),
            "promote_f32" => bl.build_float_ext(a(0)?, ft, "").map_err(bug)?.into(),
            "reinterpret_i32" | "reinterpret_i64" => bl.build_bit_cast(ai(0)?, ft, "").map_err(bug)?,
            _ => return Ok(None),
        };
        Ok(Some(v))
    }
}

/// The LLVM integer type of a width wasm uses (8, 16, 32 or 64 bits).
fn int_type(ll: &LlContext, bits: u32) -> inkwell::types::IntType<'_> {
    match bits {
        8 => ll.i8_type(),
        16 => ll.i16_type(),
        32 => ll.i32_type(),
        _ => ll.i64_type(),
    }
}

fn llvm_width(t: ValType) -> u32 {
    match t {
        ValType::I32 | ValType::F32 | ValType::ExternRef | ValType::FuncRef => 32,
        ValType::I64 | ValType::F64 => 64,
    }
}

fn set_align(i: Option<inkwell::values::InstructionValue<'_>>, align: u32) -> Result<(), Error> {
    i.ok_or_else(|| bug("a memory access that is not an instruction"))?.set_alignment(align).map_err(|e| bug(format!("{e:?}")))
}

/// A wasm load or store, read off its name.
#[derive(Clone, Copy)]
enum MemAccess {
    /// `bytes` = 0: a full-width load; otherwise a narrow integer load, extended.
    Load { bytes: u32, signed: bool },
    /// `bytes` = 0: a full-width store; otherwise the value is truncated to `bytes`.
    Store { bytes: u32 },
}

impl MemAccess {
    fn of(name: &str) -> Option<(MemAccess, ValType)> {
        let (ty, rest) = name.strip_prefix("wasm.")?.split_once('.')?;
        let ty = match ty {
            "i32" => ValType::I32,
            "i64" => ValType::I64,
            "f32" => ValType::F32,
            "f64" => ValType::F64,
            _ => return None,
        };
        let access = match rest {
            "load" => MemAccess::Load { bytes: 0, signed: false },
            "store" => MemAccess::Store { bytes: 0 },
            "load8_s" | "load8_u" | "load16_s" | "load16_u" | "load32_s" | "load32_u" => {
                let bits: u32 = rest[4..6].trim_end_matches('_').parse().ok()?;
                MemAccess::Load { bytes: bits / 8, signed: rest.ends_with('s') }
            }
            "store8" => MemAccess::Store { bytes: 1 },
            "store16" => MemAccess::Store { bytes: 2 },
            "store32" => MemAccess::Store { bytes: 4 },
            _ => return None,
        };
        Some((access, ty))
    }
}
