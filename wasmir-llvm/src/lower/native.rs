//! The parts of [`super`]'s lowering that differ in native mode (code for the host in the
//! vmctx ABI of [`wasmir_native`], the one Cranelift's native code follows): the prologue (call
//! depth, stack and the memory registers), traps as a store of their code and an early return,
//! calls with the trap check after them, bounds-checked memory, globals in `vmctx`, the memory
//! callbacks, and fuel at loop heads. Everything else (locals, branches, the numeric ops) is the
//! shared lowering.
//!
//! Anything the shared lowering does that is not known to be right natively is refused here, by
//! name, so that an op added to the wasm32 lowering never reaches native code unchecked.
use super::{Lower, MemAccess, bug, llvm_type};
use crate::Error;
use crate::items::ValType;
use inkwell::IntPredicate;
use inkwell::basic_block::BasicBlock;
use inkwell::types::BasicType;
use inkwell::values::{BasicMetadataValueEnum, BasicValueEnum, FunctionValue, InstructionOpcode, IntValue, PointerValue};
use rustc_hash::{FxHashMap, FxHashSet};
use wasmir::{AttrData, Op};
use wasmir_native::{OFFSET_DEPTH, OFFSET_DEPTH_LIMIT, OFFSET_FUEL, OFFSET_GLOBALS, OFFSET_MEMORY_BASE, OFFSET_MEMORY_COPY, OFFSET_MEMORY_FILL, OFFSET_MEMORY_GROW, OFFSET_MEMORY_SIZE, OFFSET_STACK_LIMIT, OFFSET_TRAP, Trap};

/// The end of every message refusing something outside the native subset.
pub const OUTSIDE: &str = "which the native subset does not cover";

/// What native lowering knows about the module: global symbol → (index in `vmctx.globals`,
/// type).
pub struct Env {
    pub globals: FxHashMap<String, (u32, ValType)>,
}

/// Native mode's state for one function.
pub(crate) struct State<'ll, 'a> {
    env: &'a Env,
    vmctx: PointerValue<'ll>,
    /// `vmctx.globals`, loaded once: the array never moves.
    globals: PointerValue<'ll>,
    /// Slots (promoted by mem2reg) for `vmctx.memory_base` and `memory_size`, reloaded after
    /// every call, since a callee may grow (and so move) the memory.
    mem_base: PointerValue<'ll>,
    mem_size: PointerValue<'ll>,
    /// Returns zeros: where the function leaves once a trap is recorded. Made on first use.
    exit: Option<BasicBlock<'ll>>,
    /// One block per trap code used, storing the code and branching to `exit`.
    traps: Vec<(Trap, BasicBlock<'ll>)>,
    /// Blocks entered by an edge from a block at the same or a later position: every cycle has
    /// one, so charging fuel there bounds every loop.
    loop_heads: FxHashSet<wasmir::Block>,
}

/// Lowers the body of `f` in native mode into its declared function (see `crate::native`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn lower_function<'ll>(ll: &'ll inkwell::context::Context, m: &inkwell::module::Module<'ll>, decls: &super::Decls<'ll>, ctx: &wasmir::Context, module: &wasmir::Module, items: &crate::items::Items, f: &crate::items::Function, env: &Env) -> Result<(), Error> {
    super::lower_in_mode(ll, m, decls, ctx, module, items, f, Some(env), false)?;
    hoist_allocas(decls.functions[&f.name], &ll.create_builder());
    Ok(())
}

/// After lowering in native mode: moves the allocas of `wasm.local`s into the entry block (the
/// prologue's), where `mem2reg` promotes them.
fn hoist_allocas(f: FunctionValue<'_>, builder: &inkwell::builder::Builder<'_>) {
    let blocks = f.get_basic_blocks();
    let Some((entry, rest)) = blocks.split_first() else { return };
    let Some(first) = entry.get_first_instruction() else { return };
    for bb in rest {
        let mut next = bb.get_first_instruction();
        while let Some(i) = next {
            next = i.get_next_instruction();
            if i.get_opcode() == InstructionOpcode::Alloca {
                i.remove_from_basic_block();
                builder.position_before(&first);
                builder.insert_instruction(&i, None);
            }
        }
    }
}

impl<'ll> State<'ll, '_> {
    /// The function's `vmctx` parameter, which calls pass on.
    pub(super) fn vmctx(&self) -> PointerValue<'ll> {
        self.vmctx
    }
}

impl<'ll, 'a> Lower<'ll, 'a> {
    fn st(&self) -> &State<'ll, 'a> {
        self.native.as_ref().expect("native mode")
    }

    /// Builds the prologue in a new entry block before the WasmIR entry block: call depth and
    /// stack checks, the memory registers.
    pub(super) fn native_prologue(&mut self, env: &'a Env, region: wasmir::Region) -> Result<(), Error> {
        let b = self.b;
        let blocks: Vec<wasmir::Block> = b.region_blocks(region).collect();
        let position: FxHashMap<wasmir::Block, usize> = blocks.iter().enumerate().map(|(i, &blk)| (blk, i)).collect();
        let mut loop_heads = FxHashSet::default();
        for &blk in &blocks {
            for op in b.block_ops(blk) {
                for &s in b.successors(op) {
                    let target = b.succ_block(s);
                    if position.get(&target).is_some_and(|&t| t <= position[&blk]) {
                        loop_heads.insert(target);
                    }
                }
            }
        }
        let first = self.blocks[blocks.first().ok_or_else(|| bug("a function without blocks"))?];
        let entry = self.ll.prepend_basic_block(first, "prologue");
        self.builder.position_at_end(entry);
        let vmctx = self.f.get_nth_param(0).ok_or_else(|| bug("no vmctx"))?.into_pointer_value();
        let ptr = self.ll.ptr_type(Default::default());
        let i64t = self.ll.i64_type();
        let mem_base = self.builder.build_alloca(ptr, "mem_base").map_err(bug)?;
        let mem_size = self.builder.build_alloca(i64t, "mem_size").map_err(bug)?;
        // A placeholder until `vmctx.globals` is loaded below.
        self.native = Some(State { env, vmctx, globals: vmctx, mem_base, mem_size, exit: None, traps: Vec::new(), loop_heads });
        let globals = self.vm_load(ptr.into(), OFFSET_GLOBALS)?.into_pointer_value();
        self.native.as_mut().expect("native mode").globals = globals;
        let depth = self.vm_load(i64t.into(), OFFSET_DEPTH)?.into_int_value();
        let depth = self.builder.build_int_add(depth, i64t.const_int(1, false), "").map_err(bug)?;
        self.vm_store(depth.into(), OFFSET_DEPTH)?;
        let limit = self.vm_load(i64t.into(), OFFSET_DEPTH_LIMIT)?.into_int_value();
        let deep = self.builder.build_int_compare(IntPredicate::UGT, depth, limit, "").map_err(bug)?;
        let sp = self.call1("llvm.stacksave", &[ptr.into()], &[])?.into_pointer_value();
        let sp = self.builder.build_ptr_to_int(sp, i64t, "").map_err(bug)?;
        let low = self.vm_load(i64t.into(), OFFSET_STACK_LIMIT)?.into_int_value();
        let low = self.builder.build_int_compare(IntPredicate::ULT, sp, low, "").map_err(bug)?;
        let exhausted = self.builder.build_or(deep, low, "").map_err(bug)?;
        self.trap_if(exhausted, Trap::StackExhausted)?;
        self.reload_memory()?;
        self.builder.build_unconditional_branch(first).map_err(bug)?;
        Ok(())
    }

    /// At the start of each WasmIR block: fuel, at loop heads.
    pub(super) fn native_block_start(&mut self, blk: wasmir::Block) -> Result<(), Error> {
        if !self.native.as_ref().is_some_and(|st| st.loop_heads.contains(&blk)) {
            return Ok(());
        }
        let i64t = self.ll.i64_type();
        let fuel = self.vm_load(i64t.into(), OFFSET_FUEL)?.into_int_value();
        let empty = self.builder.build_int_compare(IntPredicate::EQ, fuel, i64t.const_zero(), "").map_err(bug)?;
        self.trap_if(empty, Trap::OutOfFuel)?;
        let fuel = self.builder.build_int_sub(fuel, i64t.const_int(1, false), "").map_err(bug)?;
        self.vm_store(fuel.into(), OFFSET_FUEL)
    }

    /// A pointer to the field of `vmctx` at `offset`.
    fn vm_field(&self, offset: i32) -> Result<PointerValue<'ll>, Error> {
        let i8t = self.ll.i8_type();
        let offset = self.ll.i64_type().const_int(offset as u64, false);
        // SAFETY (of the IR): the offsets are those of `VmCtx`'s fields.
        unsafe { self.builder.build_in_bounds_gep(i8t, self.st().vmctx, &[offset], "") }.map_err(bug)
    }

    fn vm_load(&self, ty: inkwell::types::BasicTypeEnum<'ll>, offset: i32) -> Result<BasicValueEnum<'ll>, Error> {
        let p = self.vm_field(offset)?;
        self.builder.build_load(ty, p, "").map_err(bug)
    }

    fn vm_store(&self, v: BasicValueEnum<'ll>, offset: i32) -> Result<(), Error> {
        let p = self.vm_field(offset)?;
        self.builder.build_store(p, v).map_err(bug).map(drop)
    }

    /// The block that returns zeros (a trap is recorded), made on first use.
    fn exit_block(&mut self) -> Result<BasicBlock<'ll>, Error> {
        if let Some(e) = self.st().exit {
            return Ok(e);
        }
        let here = self.builder.get_insert_block().ok_or_else(|| bug("no insert block"))?;
        let exit = self.ll.append_basic_block(self.f, "exit");
        self.builder.position_at_end(exit);
        match self.f.get_type().get_return_type() {
            Some(t) => self.builder.build_return(Some(&t.const_zero())),
            None => self.builder.build_return(None),
        }
        .map_err(bug)?;
        self.builder.position_at_end(here);
        self.native.as_mut().expect("native mode").exit = Some(exit);
        Ok(exit)
    }

    /// The block that records `why` and leaves, made on first use.
    pub(super) fn native_trap_block(&mut self, why: Trap) -> Result<BasicBlock<'ll>, Error> {
        if let Some(&(_, blk)) = self.st().traps.iter().find(|(t, _)| *t == why) {
            return Ok(blk);
        }
        let exit = self.exit_block()?;
        let here = self.builder.get_insert_block().ok_or_else(|| bug("no insert block"))?;
        let blk = self.ll.append_basic_block(self.f, "trap");
        self.builder.position_at_end(blk);
        self.vm_store(self.ll.i32_type().const_int(why as u64, false).into(), OFFSET_TRAP)?;
        self.builder.build_unconditional_branch(exit).map_err(bug)?;
        self.builder.position_at_end(here);
        self.native.as_mut().expect("native mode").traps.push((why, blk));
        Ok(blk)
    }

    fn reload_memory(&mut self) -> Result<(), Error> {
        let (base, size) = (self.st().mem_base, self.st().mem_size);
        let b = self.vm_load(self.ll.ptr_type(Default::default()).into(), OFFSET_MEMORY_BASE)?;
        let s = self.vm_load(self.ll.i64_type().into(), OFFSET_MEMORY_SIZE)?;
        self.builder.build_store(base, b).map_err(bug)?;
        self.builder.build_store(size, s).map_err(bug)?;
        Ok(())
    }

    /// After a call: leave if it trapped, and reload the memory registers.
    fn after_call(&mut self) -> Result<(), Error> {
        let trap = self.vm_load(self.ll.i32_type().into(), OFFSET_TRAP)?.into_int_value();
        let trapped = self.builder.build_int_compare(IntPredicate::NE, trap, self.ll.i32_type().const_zero(), "").map_err(bug)?;
        let exit = self.exit_block()?;
        let cont = self.ll.append_basic_block(self.f, "");
        self.builder.build_conditional_branch(trapped, exit, cont).map_err(bug)?;
        self.builder.position_at_end(cont);
        self.reload_memory()
    }

    /// Calls the callback at `offset` in `vmctx` with `vmctx` and `args`.
    fn callback(&mut self, offset: i32, args: &[BasicValueEnum<'ll>], ret: Option<inkwell::types::BasicTypeEnum<'ll>>) -> Result<Option<BasicValueEnum<'ll>>, Error> {
        let ptr = self.ll.ptr_type(Default::default());
        let mut params: Vec<inkwell::types::BasicMetadataTypeEnum> = vec![ptr.into()];
        params.extend(args.iter().map(|a| inkwell::types::BasicMetadataTypeEnum::from(a.get_type())));
        let fty = match ret {
            Some(r) => r.fn_type(&params, false),
            None => self.ll.void_type().fn_type(&params, false),
        };
        let f = self.vm_load(ptr.into(), offset)?.into_pointer_value();
        let mut all: Vec<BasicMetadataValueEnum> = vec![self.st().vmctx.into()];
        all.extend(args.iter().map(|&a| BasicMetadataValueEnum::from(a)));
        Ok(self.builder.build_indirect_call(fty, f, &all, "").map_err(bug)?.try_as_basic_value().basic())
    }

    fn widen(&self, v: IntValue<'ll>) -> Result<IntValue<'ll>, Error> {
        let i64t = self.ll.i64_type();
        if v.get_type() == i64t { Ok(v) } else { self.builder.build_int_z_extend(v, i64t, "").map_err(bug) }
    }

    /// `memory_base + zext(addr) + offset`, after checking that `size` bytes there lie inside
    /// the memory (in 64 bits, which cannot wrap).
    pub(super) fn native_address(&mut self, addr: IntValue<'ll>, offset: u64, size: u32) -> Result<PointerValue<'ll>, Error> {
        let i64t = self.ll.i64_type();
        let addr = self.widen(addr)?;
        let ea = if offset == 0 { addr } else { self.builder.build_int_nuw_add(addr, i64t.const_int(offset, false), "").map_err(bug)? };
        let end = self.builder.build_int_nuw_add(ea, i64t.const_int(size.into(), false), "").map_err(bug)?;
        let mem_size = self.builder.build_load(i64t, self.st().mem_size, "").map_err(bug)?.into_int_value();
        let oob = self.builder.build_int_compare(IntPredicate::UGT, end, mem_size, "").map_err(bug)?;
        self.trap_if(oob, Trap::OutOfBounds)?;
        let base = self.builder.build_load(self.ll.ptr_type(Default::default()), self.st().mem_base, "").map_err(bug)?.into_pointer_value();
        // In bounds: checked just above.
        unsafe { self.builder.build_in_bounds_gep(self.ll.i8_type(), base, &[ea], "") }.map_err(bug)
    }

    /// Lowers `op` if native mode does it its own way; `false` leaves it to the shared lowering
    /// (only ops known to be right natively); anything else is refused.
    pub(super) fn native_op(&mut self, op: Op, name: &str) -> Result<bool, Error> {
        let b = self.b;
        let i32t = self.ll.i32_type();
        match name {
            "wasm.local" | "wasm.local.get" | "wasm.local.set" | "wasm.local.tee" | "cf.br" | "cf.cond_br" | "cf.switch" | "wasm.select" | "wasm.nop" => return Ok(false),
            "func.return" | "wasm.return" => {
                let i64t = self.ll.i64_type();
                let depth = self.vm_load(i64t.into(), OFFSET_DEPTH)?.into_int_value();
                let depth = self.builder.build_int_sub(depth, i64t.const_int(1, false), "").map_err(bug)?;
                self.vm_store(depth.into(), OFFSET_DEPTH)?;
                return Ok(false);
            }
            "wasm.unreachable" => {
                let t = self.native_trap_block(Trap::Unreachable)?;
                self.builder.build_unconditional_branch(t).map_err(bug)?;
            }
            "func.call" => {
                self.direct_call(op)?;
                self.after_call()?;
            }
            "wasm.global.get" | "wasm.global.set" => {
                let g = match self.attr_of(op, "global") {
                    Some(AttrData::SymbolRef(p)) => self.ctx.str(p[0]).to_string(),
                    _ => return Err(format!("@{}: `{name}` without its global", self.name).into()),
                };
                let &(i, ty) = self.st().env.globals.get(&g).ok_or_else(|| format!("@{}: @{g} is not a global of the module", self.name))?;
                let offset = self.ll.i64_type().const_int(8 * u64::from(i), false);
                // SAFETY (of the IR): `vmctx.globals` holds every global, 8 bytes each.
                let p = unsafe { self.builder.build_in_bounds_gep(self.ll.i8_type(), self.st().globals, &[offset], "") }.map_err(bug)?;
                if name == "wasm.global.get" {
                    let v = self.builder.build_load(llvm_type(self.ll, ty), p, "").map_err(bug)?;
                    self.set(op, v);
                } else {
                    let v = self.get(b.operand(op, 0))?;
                    self.builder.build_store(p, v).map_err(bug)?;
                }
            }
            "wasm.memory.size" => {
                self.check_memory(op, name)?;
                let size = self.builder.build_load(self.ll.i64_type(), self.st().mem_size, "").map_err(bug)?.into_int_value();
                let pages = self.builder.build_right_shift(size, self.ll.i64_type().const_int(16, false), false, "").map_err(bug)?;
                let pages = self.builder.build_int_truncate(pages, i32t, "").map_err(bug)?;
                self.set(op, pages);
            }
            "wasm.memory.grow" => {
                self.check_memory(op, name)?;
                let delta = self.widen(self.int(b.operand(op, 0))?)?;
                let old = self.callback(OFFSET_MEMORY_GROW, &[delta.into()], Some(self.ll.i64_type().into()))?.ok_or_else(|| bug("memory.grow without its result"))?;
                // u64::MAX (failure) becomes -1.
                let old = self.builder.build_int_truncate(old.into_int_value(), i32t, "").map_err(bug)?;
                self.set(op, old);
                self.reload_memory()?;
            }
            "wasm.memory.fill" | "wasm.memory.copy" => {
                // `memory.fill @mem`, `memory.copy @dst @src`: all the module's one memory.
                for key in ["memory", "dst", "src"] {
                    match self.attr_of(op, key) {
                        None => {}
                        Some(AttrData::SymbolRef(p)) if Some(p[0]) == self.memory => {}
                        _ => return Err(Error::Unsupported(format!("`{name}` (in @{}) does not use the module's memory", self.name))),
                    }
                }
                let a = |l: &Self, i: usize| l.int(b.operand(op, i));
                let (dst, len) = (self.widen(a(self, 0)?)?, self.widen(a(self, 2)?)?);
                let (offset, middle) = if name == "wasm.memory.fill" { (OFFSET_MEMORY_FILL, a(self, 1)?) } else { (OFFSET_MEMORY_COPY, self.widen(a(self, 1)?)?) };
                self.callback(offset, &[dst.into(), middle.into(), len.into()], None)?;
                self.after_call()?;
            }
            _ if MemAccess::of(name).is_some() => return Ok(false),
            _ => {
                let numeric = matches!(name.split('.').nth(1), Some("i32" | "i64" | "f32" | "f64"));
                let v = if numeric { self.numeric(op, name)? } else { None };
                let v = v.ok_or_else(|| self.outside(&format!("`{name}`")))?;
                self.set(op, v);
            }
        }
        Ok(true)
    }

    /// The message for something of this function outside the native subset.
    fn outside(&self, what: &str) -> Error {
        Error::Unsupported(format!("`@{}` uses {what}, {OUTSIDE}", self.name))
    }
}
