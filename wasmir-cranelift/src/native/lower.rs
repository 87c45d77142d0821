//! The parts of [`crate::lower`] that differ in native mode: the prologue (call depth, stack and
//! the memory registers), traps as an early return, calls with the trap check after them,
//! bounds-checked memory, globals in `vmctx`, checked divisions and truncations, and fuel at
//! loop heads. Everything else (locals, branches, the numeric ops) is the shared lowering.
use super::{Env, Trap};
use crate::lower::{Lower, MemAccess, iconst, zero};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::immediates::{Ieee32, Ieee64};
use cranelift_codegen::ir::{self as cl, AbiParam, Endianness, InstBuilder, MemFlagsData, Signature, types};
use cranelift_frontend::Variable;
use rustc_hash::{FxHashMap, FxHashSet};
use wasmir::{AttrData, Op};

/// The native lowering's state for one function.
pub(crate) struct State<'a> {
    env: &'a Env,
    vmctx: cl::Value,
    /// `vmctx.globals`, loaded once: the array never moves.
    globals: cl::Value,
    /// `vmctx.memory_base` and `memory_size`, reloaded after every call, since a callee may
    /// grow (and so move) the memory.
    mem_base: Variable,
    mem_size: Variable,
    results: Vec<cl::Type>,
    /// Returns zeros: where a function leaves once a trap is recorded.
    exit: cl::Block,
    /// One block per trap code used, storing the code and jumping to `exit`.
    traps: Vec<(Trap, cl::Block)>,
    /// Blocks entered by an edge from a block at the same or a later position: every cycle has
    /// one, so charging fuel there bounds every loop.
    loop_heads: FxHashSet<wasmir::Block>,
    callees: FxHashMap<u32, cl::FuncRef>,
}

/// The message for an op outside the native subset.
pub(crate) fn unsupported(name: &str) -> String {
    format!("it uses `{name}`, which the native subset does not cover")
}

fn heap_flags() -> MemFlagsData {
    // Bounds are checked before the access, so it cannot fault; wasm memory is little-endian.
    MemFlagsData::new().with_notrap().with_endianness(Endianness::Little)
}

impl<'a> Lower<'a, '_> {
    /// Fills the CLIF entry block `entry`: call depth and stack checks, the memory registers,
    /// then a jump to the WasmIR entry block `first` with the wasm parameters.
    pub(crate) fn native_prologue(&mut self, env: &'a Env, entry: cl::Block, first: cl::Block, region: wasmir::Region, results: &[wasmir::Type]) -> Result<(), String> {
        let b = self.b;
        let mut position = FxHashMap::default();
        for (i, blk) in b.region_blocks(region).enumerate() {
            position.insert(blk, i);
        }
        let mut loop_heads = FxHashSet::default();
        for blk in b.region_blocks(region) {
            for op in b.block_ops(blk) {
                for &s in b.successors(op) {
                    let target = b.succ_block(s);
                    if position.get(&target).is_some_and(|&t| t <= position[&blk]) {
                        loop_heads.insert(target);
                    }
                }
            }
        }
        let results = results.iter().map(|&t| self.mode.value_type(self.ctx, t)).collect::<Result<Vec<_>, _>>()?;
        let fb = &mut self.fb;
        fb.append_block_params_for_function_params(entry);
        fb.switch_to_block(entry);
        let params = fb.block_params(entry).to_vec();
        let vmctx = params[0];
        let globals = fb.ins().load(env.pointer, MemFlagsData::trusted(), vmctx, super::OFFSET_GLOBALS);
        let mem_base = fb.declare_var(env.pointer);
        let mem_size = fb.declare_var(types::I64);
        let exit = fb.create_block();
        fb.set_cold_block(exit);
        self.native = Some(State { env, vmctx, globals, mem_base, mem_size, results, exit, traps: Vec::new(), loop_heads, callees: FxHashMap::default() });
        let depth = self.vm_load(types::I64, super::OFFSET_DEPTH);
        let depth = self.fb.ins().iadd_imm_s(depth, 1);
        self.vm_store(depth, super::OFFSET_DEPTH);
        let limit = self.vm_load(types::I64, super::OFFSET_DEPTH_LIMIT);
        let deep = self.fb.ins().icmp(IntCC::UnsignedGreaterThan, depth, limit);
        let sp = self.fb.ins().get_stack_pointer(env.pointer);
        let low = self.vm_load(types::I64, super::OFFSET_STACK_LIMIT);
        let low = self.fb.ins().icmp(IntCC::UnsignedLessThan, sp, low);
        let exhausted = self.fb.ins().bor(deep, low);
        self.trap_if(exhausted, Trap::StackExhausted);
        self.reload_memory();
        let args: Vec<cl::BlockArg> = params[1..].iter().map(|&v| cl::BlockArg::Value(v)).collect();
        self.fb.ins().jump(first, &args);
        Ok(())
    }

    /// At the start of each WasmIR block: fuel, at loop heads.
    pub(crate) fn native_block_start(&mut self, blk: wasmir::Block) -> Result<(), String> {
        let Some(st) = &self.native else { return Ok(()) };
        if !st.loop_heads.contains(&blk) {
            return Ok(());
        }
        let fuel = self.vm_load(types::I64, super::OFFSET_FUEL);
        let empty = self.fb.ins().icmp_imm_s(IntCC::Equal, fuel, 0);
        self.trap_if(empty, Trap::OutOfFuel);
        let fuel = self.fb.ins().iadd_imm_s(fuel, -1);
        self.vm_store(fuel, super::OFFSET_FUEL);
        Ok(())
    }

    /// After the last WasmIR block: the trap blocks and the exit.
    pub(crate) fn native_epilogue(&mut self) -> Result<(), String> {
        let Some(st) = self.native.take() else { return Ok(()) };
        for &(trap, blk) in &st.traps {
            self.fb.switch_to_block(blk);
            let code = self.fb.ins().iconst(types::I32, trap as i64);
            self.fb.ins().store(MemFlagsData::trusted(), code, st.vmctx, super::OFFSET_TRAP);
            self.fb.ins().jump(st.exit, &[]);
        }
        self.fb.switch_to_block(st.exit);
        let zeros: Vec<cl::Value> = st.results.iter().map(|&t| zero(&mut self.fb, t)).collect();
        self.fb.ins().return_(&zeros);
        Ok(())
    }

    fn st(&self) -> &State<'a> {
        self.native.as_ref().expect("native mode")
    }

    fn vm_load(&mut self, ty: cl::Type, offset: i32) -> cl::Value {
        let vmctx = self.st().vmctx;
        self.fb.ins().load(ty, MemFlagsData::trusted(), vmctx, offset)
    }

    fn vm_store(&mut self, v: cl::Value, offset: i32) {
        let vmctx = self.st().vmctx;
        self.fb.ins().store(MemFlagsData::trusted(), v, vmctx, offset);
    }

    fn trap_block(&mut self, trap: Trap) -> cl::Block {
        if let Some(&(_, blk)) = self.st().traps.iter().find(|(t, _)| *t == trap) {
            return blk;
        }
        let blk = self.fb.create_block();
        self.fb.set_cold_block(blk);
        self.native.as_mut().expect("native mode").traps.push((trap, blk));
        blk
    }

    /// Traps when `cond` is non-zero; the code that follows goes into a new block.
    fn trap_if(&mut self, cond: cl::Value, trap: Trap) {
        let t = self.trap_block(trap);
        let cont = self.fb.create_block();
        self.fb.ins().brif(cond, t, &[], cont, &[]);
        self.fb.switch_to_block(cont);
    }

    /// Traps when `cond` is zero.
    fn trap_unless(&mut self, cond: cl::Value, trap: Trap) {
        let t = self.trap_block(trap);
        let cont = self.fb.create_block();
        self.fb.ins().brif(cond, cont, &[], t, &[]);
        self.fb.switch_to_block(cont);
    }

    fn reload_memory(&mut self) {
        let (base, size, pointer) = (self.st().mem_base, self.st().mem_size, self.st().env.pointer);
        let b = self.vm_load(pointer, super::OFFSET_MEMORY_BASE);
        let s = self.vm_load(types::I64, super::OFFSET_MEMORY_SIZE);
        self.fb.def_var(base, b);
        self.fb.def_var(size, s);
    }

    /// After a call: leave if it trapped, and reload the memory registers.
    fn after_call(&mut self) {
        let trapped = self.vm_load(types::I32, super::OFFSET_TRAP);
        let exit = self.st().exit;
        let cont = self.fb.create_block();
        self.fb.ins().brif(trapped, exit, &[], cont, &[]);
        self.fb.switch_to_block(cont);
        self.reload_memory();
    }

    /// Calls the callback at `offset` in `vmctx` with `vmctx` and `args`.
    fn callback(&mut self, offset: i32, args: &[cl::Value], ret: Option<cl::Type>) -> Option<cl::Value> {
        let env = self.st().env;
        let mut sig = Signature::new(env.call_conv);
        sig.params.push(AbiParam::new(env.pointer));
        for &a in args {
            sig.params.push(AbiParam::new(self.fb.func.dfg.value_type(a)));
        }
        sig.returns.extend(ret.map(AbiParam::new));
        let sig = self.fb.import_signature(sig);
        let f = self.vm_load(env.pointer, offset);
        let mut all = vec![self.st().vmctx];
        all.extend_from_slice(args);
        let call = self.fb.ins().call_indirect(sig, f, &all);
        self.fb.inst_results(call).first().copied()
    }

    fn widen(&mut self, v: cl::Value) -> cl::Value {
        if self.fb.func.dfg.value_type(v) == types::I64 { v } else { self.fb.ins().uextend(types::I64, v) }
    }

    fn set_result(&mut self, op: Op, v: cl::Value) {
        self.vals.insert(self.b.result(op, 0), v);
    }

    /// Lowers `op` if native mode does it its own way; `false` leaves it to the shared lowering.
    pub(crate) fn native_op(&mut self, op: Op, name: &str, args: &[cl::Value]) -> Result<bool, String> {
        let symbol = |l: &Self, key: &str| match l.attr(op, key) {
            Some(AttrData::SymbolRef(p)) => Ok(p[0]),
            _ => Err(format!("`{name}` without its `{key}`")),
        };
        match name {
            "func.return" => {
                let depth = self.vm_load(types::I64, super::OFFSET_DEPTH);
                let depth = self.fb.ins().iadd_imm_s(depth, -1);
                self.vm_store(depth, super::OFFSET_DEPTH);
                self.fb.ins().return_(args);
            }
            "wasm.unreachable" => {
                let t = self.trap_block(Trap::Unreachable);
                self.fb.ins().jump(t, &[]);
            }
            "func.call" => {
                let callee = symbol(self, "callee")?;
                let env = self.st().env;
                let c = env.funcs.get(&callee).ok_or_else(|| format!("it calls @{}, which is not a function of the module", self.ctx.str(callee)))?;
                let fref = match self.st().callees.get(&c.id) {
                    Some(&f) => f,
                    None => {
                        let f = super::import_callee(&mut self.fb, env, c.id, &c.params, &c.results);
                        self.native.as_mut().expect("native mode").callees.insert(c.id, f);
                        f
                    }
                };
                let mut all = vec![self.st().vmctx];
                all.extend_from_slice(args);
                let call = self.fb.ins().call(fref, &all);
                let rets = self.fb.inst_results(call).to_vec();
                for (r, v) in self.b.results(op).zip(rets) {
                    self.vals.insert(r, v);
                }
                self.after_call();
            }
            "wasm.global.get" | "wasm.global.set" => {
                let g = symbol(self, "global")?;
                let &(i, ty) = self.st().env.globals.get(&g).ok_or_else(|| format!("it uses @{}, which is not a global of the module", self.ctx.str(g)))?;
                let globals = self.st().globals;
                if name == "wasm.global.get" {
                    let v = self.fb.ins().load(ty, MemFlagsData::trusted(), globals, 8 * i as i32);
                    self.set_result(op, v);
                } else {
                    self.fb.ins().store(MemFlagsData::trusted(), args[0], globals, 8 * i as i32);
                }
            }
            "wasm.memory.size" => {
                let size = self.fb.use_var(self.st().mem_size);
                let pages = self.fb.ins().ushr_imm_u(size, 16);
                let pages = self.fb.ins().ireduce(types::I32, pages);
                self.set_result(op, pages);
            }
            "wasm.memory.grow" => {
                let delta = self.widen(args[0]);
                let old = self.callback(super::OFFSET_MEMORY_GROW, &[delta], Some(types::I64)).expect("one result");
                // u64::MAX (failure) becomes -1.
                let old = self.fb.ins().ireduce(types::I32, old);
                self.set_result(op, old);
                self.reload_memory();
            }
            "wasm.memory.fill" => {
                let (dst, len) = (self.widen(args[0]), self.widen(args[2]));
                self.callback(super::OFFSET_MEMORY_FILL, &[dst, args[1], len], None);
                self.after_call();
            }
            "wasm.memory.copy" => {
                let (dst, src, len) = (self.widen(args[0]), self.widen(args[1]), self.widen(args[2]));
                self.callback(super::OFFSET_MEMORY_COPY, &[dst, src, len], None);
                self.after_call();
            }
            _ => {
                if let Some(access) = MemAccess::of(name) {
                    self.native_access(op, name, access, args)?;
                } else if let Some(v) = self.checked_arith(name, args) {
                    self.set_result(op, v);
                } else {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// A bounds-checked load or store.
    fn native_access(&mut self, op: Op, name: &str, access: MemAccess, args: &[cl::Value]) -> Result<(), String> {
        let offset = match self.attr(op, "offset") {
            Some(AttrData::Int { value, .. }) => *value,
            None => 0,
            _ => return Err(format!("`{name}` with an offset that is not an integer")),
        };
        let offset = u32::try_from(offset).map_err(|_| format!("`{name}` has an offset beyond 32 bits"))?;
        let size = match access {
            MemAccess::Load(ty) => ty.bytes(),
            MemAccess::Ext { bits, .. } | MemAccess::Trunc(bits) => u32::from(bits) / 8,
            MemAccess::Store => self.fb.func.dfg.value_type(args[1]).bytes(),
        };
        // 64-bit arithmetic: a 32-bit address plus a 32-bit offset plus the size cannot wrap.
        let addr = self.widen(args[0]);
        let ea = if offset == 0 { addr } else { self.fb.ins().iadd_imm_s(addr, i64::from(offset)) };
        let end = self.fb.ins().iadd_imm_s(ea, i64::from(size));
        let mem_size = self.fb.use_var(self.st().mem_size);
        let oob = self.fb.ins().icmp(IntCC::UnsignedGreaterThan, end, mem_size);
        self.trap_if(oob, Trap::OutOfBounds);
        let base = self.fb.use_var(self.st().mem_base);
        let p = self.fb.ins().iadd(base, ea);
        let flags = heap_flags();
        let ins = self.fb.ins();
        let loaded = match access {
            MemAccess::Load(ty) => Some(ins.load(ty, flags, p, 0)),
            MemAccess::Ext { ty, bits, signed } => Some(match (bits, signed) {
                (8, true) => ins.sload8(ty, flags, p, 0),
                (8, false) => ins.uload8(ty, flags, p, 0),
                (16, true) => ins.sload16(ty, flags, p, 0),
                (16, false) => ins.uload16(ty, flags, p, 0),
                (_, true) => ins.sload32(flags, p, 0),
                (_, false) => ins.uload32(flags, p, 0),
            }),
            MemAccess::Store => {
                ins.store(flags, args[1], p, 0);
                None
            }
            MemAccess::Trunc(bits) => {
                match bits {
                    8 => ins.istore8(flags, args[1], p, 0),
                    16 => ins.istore16(flags, args[1], p, 0),
                    _ => ins.istore32(flags, args[1], p, 0),
                };
                None
            }
        };
        if let Some(v) = loaded {
            self.set_result(op, v);
        }
        Ok(())
    }

    /// Integer division and remainder, and float-to-integer truncation, with their traps
    /// checked first; `None` for any other op.
    fn checked_arith(&mut self, name: &str, a: &[cl::Value]) -> Option<cl::Value> {
        let (ty, rest) = name.strip_prefix("wasm.")?.split_once('.')?;
        let it = match ty {
            "i32" => types::I32,
            "i64" => types::I64,
            _ => return None,
        };
        match rest {
            "div_s" | "div_u" | "rem_s" | "rem_u" => {
                let is_zero = self.fb.ins().icmp_imm_s(IntCC::Equal, a[1], 0);
                self.trap_if(is_zero, Trap::DivideByZero);
                let minus_one = iconst(&mut self.fb, it, -1);
                let is_minus_one = self.fb.ins().icmp(IntCC::Equal, a[1], minus_one);
                Some(match rest {
                    "div_s" => {
                        let min = iconst(&mut self.fb, it, if it == types::I32 { i64::from(i32::MIN) } else { i64::MIN });
                        let is_min = self.fb.ins().icmp(IntCC::Equal, a[0], min);
                        let overflow = self.fb.ins().band(is_min, is_minus_one);
                        self.trap_if(overflow, Trap::IntegerOverflow);
                        self.fb.ins().sdiv(a[0], a[1])
                    }
                    "div_u" => self.fb.ins().udiv(a[0], a[1]),
                    // x rem -1 is 0, as x rem 1; the host's instruction would fault on MIN rem -1.
                    "rem_s" => {
                        let one = self.fb.ins().iconst(it, 1);
                        let divisor = self.fb.ins().select(is_minus_one, one, a[1]);
                        self.fb.ins().srem(a[0], divisor)
                    }
                    _ => self.fb.ins().urem(a[0], a[1]),
                })
            }
            "trunc_f32_s" | "trunc_f64_s" | "trunc_f32_u" | "trunc_f64_u" => {
                let x = a[0];
                let signed = rest.ends_with('s');
                let f64_ = rest.contains("f64");
                let nan = self.fb.ins().fcmp(FloatCC::Unordered, x, x);
                self.trap_if(nan, Trap::BadConversion);
                let bits = it.bits() as i32;
                // In range: lo < x (or lo <= x when lo is exactly representable) and x < hi.
                let (lo_cc, lo, hi) = match (signed, f64_ && it == types::I32) {
                    (true, true) => (FloatCC::GreaterThan, -2f64.powi(bits - 1) - 1.0, 2f64.powi(bits - 1)),
                    (true, false) => (FloatCC::GreaterThanOrEqual, -2f64.powi(bits - 1), 2f64.powi(bits - 1)),
                    (false, _) => (FloatCC::GreaterThan, -1.0, 2f64.powi(bits)),
                };
                let konst = |fb: &mut cranelift_frontend::FunctionBuilder<'_>, v: f64| {
                    if f64_ { fb.ins().f64const(Ieee64::with_float(v)) } else { fb.ins().f32const(Ieee32::with_float(v as f32)) }
                };
                let (lo, hi) = (konst(&mut self.fb, lo), konst(&mut self.fb, hi));
                let above = self.fb.ins().fcmp(lo_cc, x, lo);
                let below = self.fb.ins().fcmp(FloatCC::LessThan, x, hi);
                let ok = self.fb.ins().band(above, below);
                self.trap_unless(ok, Trap::IntegerOverflow);
                Some(if signed { self.fb.ins().fcvt_to_sint_sat(it, x) } else { self.fb.ins().fcvt_to_uint_sat(it, x) })
            }
            _ => None,
        }
    }
}
