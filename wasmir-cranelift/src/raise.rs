//! Optimized CLIF back to WasmIR in CFG form, replacing a function's body.
//!
//! Blocks become blocks, block parameters block arguments, and each instruction the wasm ops of
//! the same semantics. CLIF's 8- and 16-bit integers (the mid-end's comparison results, mostly)
//! are held in i32 values, always zero-extended: an op that could set higher bits masks its
//! result, and a signed use sign-extends first. Opaque calls and memory accesses are turned back
//! into the WasmIR op they came from (see `lower`). An instruction with no wasm counterpart here
//! makes the whole raise fail, and the caller keeps the function as it was.
use crate::lower::{MemAccess, OPAQUE_NAMESPACE};
use cranelift_codegen::dominator_tree::DominatorTree;
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{self as cl, InstructionData, Opcode, types};
use rustc_hash::{FxHashMap, FxHashSet};
use wasmir::{AttrData, Block, BodyId, Builder, Context, InsertPoint, Module, Op, OpRef, SuccSpec, Type, Value};

/// Where the ops named by index in the CLIF live: the CFG-form copy the function was lowered from.
pub struct Originals<'a> {
    pub module: &'a Module,
    pub body: BodyId,
    pub ops: &'a [Op],
}

/// Replaces the body of `func` in `dst` by the WasmIR of `f`. On `Err` the function is left as
/// it was.
pub fn raise(ctx: &mut Context, dst: &mut Module, func: OpRef, f: &cl::Function, orig: &Originals<'_>) -> Result<(), String> {
    let inner = dst.body(func.body).inner_body(func.op).ok_or("the function has no body")?;
    let tmp = dst.new_body(Some(func));
    let region = dst.add_root_region(tmp);
    let result = Raise { ctx, m: dst, body: tmp, cur: None, vals: FxHashMap::default(), blocks: FxHashMap::default(), orig, terminated: false }.run(f, region);
    if result.is_ok() {
        dst.swap_bodies(inner, tmp);
    }
    // The slot stays (handles are never reused) but its storage is freed.
    *dst.body_mut(tmp) = wasmir::Body::new();
    result
}

struct Raise<'a, 'o> {
    ctx: &'a mut Context,
    m: &'a mut Module,
    body: BodyId,
    cur: Option<Block>,
    vals: FxHashMap<cl::Value, Value>,
    blocks: FxHashMap<cl::Block, Block>,
    orig: &'a Originals<'o>,
    /// The current block already ends in an opaque terminator (`wasm.throw`).
    terminated: bool,
}

/// The instructions worth raising: those with an effect (memory, calls, traps, branches) and
/// those computing what they use. A 32-bit address's zero-extension is not needed by its access,
/// which takes the address before the extension (see `Raise::address`).
fn needed(f: &cl::Function, order: &[cl::Block]) -> FxHashSet<cl::Inst> {
    let mut needed = FxHashSet::default();
    let mut work = Vec::new();
    for &blk in order {
        for inst in f.layout.block_insts(blk) {
            let op = f.dfg.insts[inst].opcode();
            if op.can_load() || op.can_store() || op.can_trap() || op.is_call() || op.is_terminator() || op.other_side_effects() {
                needed.insert(inst);
                work.push(inst);
            }
        }
    }
    while let Some(inst) = work.pop() {
        let data = &f.dfg.insts[inst];
        let is_access = matches!(data, InstructionData::Load { .. } | InstructionData::Store { .. });
        let args = f.dfg.inst_values(inst);
        let n = f.dfg.inst_args(inst).len();
        for (i, mut v) in args.enumerate() {
            if is_access && i + 1 == n
                && let cl::ValueDef::Result(def, _) = f.dfg.value_def(v)
                && f.dfg.insts[def].opcode() == Opcode::Uextend
                && f.dfg.value_type(f.dfg.inst_args(def)[0]) == types::I32
            {
                v = f.dfg.inst_args(def)[0];
            }
            if let cl::ValueDef::Result(def, _) = f.dfg.value_def(v)
                && needed.insert(def)
            {
                work.push(def);
            }
        }
    }
    needed
}

/// The wasm type prefix of a CLIF integer type held in a wasm value.
fn int_prefix(ty: cl::Type) -> &'static str {
    if ty == types::I64 { "i64" } else { "i32" }
}

/// For 8- and 16-bit types, the mask of their bits.
fn narrow_mask(ty: cl::Type) -> Option<i64> {
    match ty {
        types::I8 => Some(0xff),
        types::I16 => Some(0xffff),
        _ => None,
    }
}

impl Raise<'_, '_> {
    fn b(&mut self) -> Builder<'_> {
        let ip = InsertPoint::End(self.cur.expect("a current block"));
        Builder::new(self.ctx, self.m, self.body, ip)
    }

    fn wasm_type(&self, ty: cl::Type) -> Result<Type, String> {
        Ok(match ty {
            types::I8 | types::I16 | types::I32 => self.ctx.i32(),
            types::I64 => self.ctx.i64(),
            types::F32 => self.ctx.f32(),
            types::F64 => self.ctx.f64(),
            types::I8X16 => self.ctx.v128(),
            _ => return Err(format!("the optimized CLIF holds a {ty} value, which has no wasm counterpart")),
        })
    }

    fn run(mut self, f: &cl::Function, region: wasmir::Region) -> Result<(), String> {
        let cfg = ControlFlowGraph::with_function(f);
        let domtree = DominatorTree::with_function(f, &cfg);
        // Blocks in layout order (the entry first); unreachable ones are dropped.
        for blk in f.layout.blocks() {
            if !domtree.is_reachable(blk) {
                continue;
            }
            let nb = self.m.body_mut(self.body).create_block();
            self.m.body_mut(self.body).append_block(region, nb);
            for &p in f.dfg.block_params(blk) {
                let ty = self.wasm_type(f.dfg.value_type(p))?;
                let v = self.m.body_mut(self.body).add_block_arg(nb, ty);
                self.vals.insert(p, v);
            }
            self.blocks.insert(blk, nb);
        }
        // Reverse post-order, so every value is defined before it is used.
        let order: Vec<cl::Block> = domtree.cfg_rpo().copied().collect();
        let needed = needed(f, &order);
        for blk in order {
            self.cur = Some(self.blocks[&blk]);
            self.terminated = false;
            for inst in f.layout.block_insts(blk) {
                if needed.contains(&inst) {
                    self.inst(f, inst)?;
                }
            }
        }
        Ok(())
    }

    fn val(&self, v: cl::Value) -> Result<Value, String> {
        self.vals.get(&v).copied().ok_or_else(|| format!("internal error: the CLIF value {v} is used before it is defined"))
    }

    fn define(&mut self, f: &cl::Function, inst: cl::Inst, v: Value) {
        self.vals.insert(f.dfg.first_result(inst), v);
    }

    fn op(&mut self, name: &str, operands: &[Value]) -> Value {
        self.b().fixed(name, operands)
    }

    fn iconst(&mut self, ty: cl::Type, v: i64) -> Value {
        if ty == types::I64 { self.b().i64_const(v) } else { self.b().i32_const(v as i32) }
    }

    /// Clears the bits above a narrow type's width.
    fn mask(&mut self, ty: cl::Type, v: Value) -> Value {
        match narrow_mask(ty) {
            Some(m) => {
                let c = self.iconst(types::I32, m);
                self.op("wasm.i32.and", &[v, c])
            }
            None => v,
        }
    }

    /// A narrow value sign-extended to i32 (other values unchanged).
    fn sext(&mut self, ty: cl::Type, v: Value) -> Value {
        match ty {
            types::I8 => self.op("wasm.i32.extend8_s", &[v]),
            types::I16 => self.op("wasm.i32.extend16_s", &[v]),
            _ => v,
        }
    }

    /// A condition as wasm's i32 truth value.
    fn truth(&mut self, ty: cl::Type, v: Value) -> Value {
        if ty == types::I64 {
            let z = self.iconst(types::I64, 0);
            self.op("wasm.i64.ne", &[v, z])
        } else {
            v
        }
    }

    fn float_const(&mut self, ty: cl::Type, bits: u64) -> Value {
        let (name, t) = if ty == types::F32 { ("wasm.f32.const", self.ctx.f32()) } else { ("wasm.f64.const", self.ctx.f64()) };
        let a = self.ctx.float_attr(bits, t);
        let mut b = self.b();
        let op = b.create(name, &[], &[t], &[("value", a)], &[], &[]);
        b.b().result(op, 0)
    }

    fn select(&mut self, cond: Value, a: Value, b: Value, ty: Type) -> Value {
        let mut bd = self.b();
        let op = bd.create("wasm.select", &[cond, a, b], &[ty], &[], &[], &[]);
        bd.b().result(op, 0)
    }

    fn icmp(&mut self, cc: IntCC, ty: cl::Type, a: Value, b: Value) -> Value {
        let signed = matches!(cc, IntCC::SignedLessThan | IntCC::SignedGreaterThan | IntCC::SignedLessThanOrEqual | IntCC::SignedGreaterThanOrEqual);
        let (a, b) = if signed { (self.sext(ty, a), self.sext(ty, b)) } else { (a, b) };
        let suffix = match cc {
            IntCC::Equal => "eq",
            IntCC::NotEqual => "ne",
            IntCC::SignedLessThan => "lt_s",
            IntCC::UnsignedLessThan => "lt_u",
            IntCC::SignedGreaterThan => "gt_s",
            IntCC::UnsignedGreaterThan => "gt_u",
            IntCC::SignedLessThanOrEqual => "le_s",
            IntCC::UnsignedLessThanOrEqual => "le_u",
            IntCC::SignedGreaterThanOrEqual => "ge_s",
            IntCC::UnsignedGreaterThanOrEqual => "ge_u",
        };
        self.op(&format!("wasm.{}.{suffix}", int_prefix(ty)), &[a, b])
    }

    fn fcmp(&mut self, cc: FloatCC, ty: cl::Type, a: Value, b: Value) -> Value {
        let p = if ty == types::F32 { "f32" } else { "f64" };
        let c = |s: &mut Self, op: &str, x: Value, y: Value| s.op(&format!("wasm.{p}.{op}"), &[x, y]);
        let not = |s: &mut Self, v: Value| s.op("wasm.i32.eqz", &[v]);
        match cc {
            FloatCC::Equal => c(self, "eq", a, b),
            FloatCC::NotEqual => c(self, "ne", a, b),
            FloatCC::LessThan => c(self, "lt", a, b),
            FloatCC::LessThanOrEqual => c(self, "le", a, b),
            FloatCC::GreaterThan => c(self, "gt", a, b),
            FloatCC::GreaterThanOrEqual => c(self, "ge", a, b),
            FloatCC::Ordered => {
                let (x, y) = (c(self, "eq", a, a), c(self, "eq", b, b));
                self.op("wasm.i32.and", &[x, y])
            }
            FloatCC::Unordered => {
                let (x, y) = (c(self, "ne", a, a), c(self, "ne", b, b));
                self.op("wasm.i32.or", &[x, y])
            }
            FloatCC::OrderedNotEqual => {
                let (x, y) = (c(self, "lt", a, b), c(self, "gt", a, b));
                self.op("wasm.i32.or", &[x, y])
            }
            FloatCC::UnorderedOrEqual => {
                let (x, y) = (c(self, "lt", a, b), c(self, "gt", a, b));
                let o = self.op("wasm.i32.or", &[x, y]);
                not(self, o)
            }
            FloatCC::UnorderedOrLessThan => {
                let v = c(self, "ge", a, b);
                not(self, v)
            }
            FloatCC::UnorderedOrLessThanOrEqual => {
                let v = c(self, "gt", a, b);
                not(self, v)
            }
            FloatCC::UnorderedOrGreaterThan => {
                let v = c(self, "le", a, b);
                not(self, v)
            }
            FloatCC::UnorderedOrGreaterThanOrEqual => {
                let v = c(self, "lt", a, b);
                not(self, v)
            }
        }
    }

    /// A shift count as a value of the shifted type, reduced modulo a narrow type's width.
    fn shift_count(&mut self, ty: cl::Type, amt_ty: cl::Type, amt: Value) -> Value {
        let amt = match (ty == types::I64, amt_ty == types::I64) {
            (true, false) => self.op("wasm.i64.extend_i32_u", &[amt]),
            (false, true) => self.op("wasm.i32.wrap_i64", &[amt]),
            _ => amt,
        };
        match narrow_mask(ty) {
            Some(_) => {
                let c = self.iconst(types::I32, ty.bits() as i64 - 1);
                self.op("wasm.i32.and", &[amt, c])
            }
            None => amt,
        }
    }

    /// A two-operand integer op of `ty`, masked back to a narrow type where it can overflow.
    fn binary(&mut self, opcode: Opcode, ty: cl::Type, a: Value, b: Value, amt_ty: cl::Type) -> Result<Value, String> {
        let p = int_prefix(ty);
        let narrow = narrow_mask(ty).is_some();
        let name = match opcode {
            Opcode::Iadd => "add",
            Opcode::Isub => "sub",
            Opcode::Imul => "mul",
            Opcode::Band => "and",
            Opcode::Bor => "or",
            Opcode::Bxor => "xor",
            Opcode::Udiv => "div_u",
            Opcode::Urem => "rem_u",
            Opcode::Sdiv if !narrow => "div_s",
            Opcode::Srem if !narrow => "rem_s",
            Opcode::Ishl | Opcode::Ushr | Opcode::Sshr | Opcode::Rotl | Opcode::Rotr => {
                if narrow && matches!(opcode, Opcode::Rotl | Opcode::Rotr) {
                    return Err(format!("the optimized CLIF rotates a {ty} value, which is not raised to wasm"));
                }
                let n = self.shift_count(ty, amt_ty, b);
                let (a, op) = match opcode {
                    Opcode::Ishl => (a, "shl"),
                    Opcode::Ushr => (a, "shr_u"),
                    Opcode::Sshr => (self.sext(ty, a), "shr_s"),
                    Opcode::Rotl => (a, "rotl"),
                    _ => (a, "rotr"),
                };
                let r = self.op(&format!("wasm.{p}.{op}"), &[a, n]);
                return Ok(self.mask(ty, r));
            }
            _ => return Err(format!("the optimized CLIF holds `{}` on {ty}, which is not raised to wasm", opcode)),
        };
        let r = self.op(&format!("wasm.{p}.{name}"), &[a, b]);
        Ok(if matches!(opcode, Opcode::Iadd | Opcode::Isub | Opcode::Imul) { self.mask(ty, r) } else { r })
    }

    /// The high half of the double-width product. i32: through one i64 product. i64: wasm has
    /// no 128-bit product, so the four 32×32-bit partial products are summed with their carries;
    /// the signed high half is the unsigned one minus each operand where the other is negative.
    fn mulhi(&mut self, ty: cl::Type, signed: bool, a: Value, b: Value) -> Value {
        if ty == types::I32 {
            let ext = if signed { "wasm.i64.extend_i32_s" } else { "wasm.i64.extend_i32_u" };
            let (x, y) = (self.op(ext, &[a]), self.op(ext, &[b]));
            let p = self.op("wasm.i64.mul", &[x, y]);
            let k = self.iconst(types::I64, 32);
            let h = self.op("wasm.i64.shr_u", &[p, k]);
            return self.op("wasm.i32.wrap_i64", &[h]);
        }
        let (k32, lo_mask) = (self.iconst(types::I64, 32), self.iconst(types::I64, 0xffff_ffff));
        let halves = |s: &mut Self, v: Value| (s.op("wasm.i64.and", &[v, lo_mask]), s.op("wasm.i64.shr_u", &[v, k32]));
        let ((al, ah), (bl, bh)) = (halves(self, a), halves(self, b));
        let ll = self.op("wasm.i64.mul", &[al, bl]);
        let lh = self.op("wasm.i64.mul", &[al, bh]);
        let hl = self.op("wasm.i64.mul", &[ah, bl]);
        let hh = self.op("wasm.i64.mul", &[ah, bh]);
        let ll_hi = self.op("wasm.i64.shr_u", &[ll, k32]);
        let (lh_lo, lh_hi) = halves(self, lh);
        let (hl_lo, hl_hi) = halves(self, hl);
        let mid = self.op("wasm.i64.add", &[ll_hi, lh_lo]);
        let mid = self.op("wasm.i64.add", &[mid, hl_lo]);
        let carry = self.op("wasm.i64.shr_u", &[mid, k32]);
        let hi = self.op("wasm.i64.add", &[hh, lh_hi]);
        let hi = self.op("wasm.i64.add", &[hi, hl_hi]);
        let hi = self.op("wasm.i64.add", &[hi, carry]);
        if !signed {
            return hi;
        }
        let k63 = self.iconst(types::I64, 63);
        let a_neg = self.op("wasm.i64.shr_s", &[a, k63]);
        let b_neg = self.op("wasm.i64.shr_s", &[b, k63]);
        let fix_a = self.op("wasm.i64.and", &[a_neg, b]);
        let fix_b = self.op("wasm.i64.and", &[b_neg, a]);
        let hi = self.op("wasm.i64.sub", &[hi, fix_a]);
        self.op("wasm.i64.sub", &[hi, fix_b])
    }

    /// The bytes in reverse order: swap neighbouring bytes, then neighbouring 16-bit halves (for
    /// i64), then rotate the halves into place.
    fn bswap(&mut self, ty: cl::Type, x: Value) -> Value {
        if ty == types::I16 {
            let (m, k) = (self.iconst(types::I32, 0xff), self.iconst(types::I32, 8));
            let lo = self.op("wasm.i32.and", &[x, m]);
            let lo = self.op("wasm.i32.shl", &[lo, k]);
            let hi = self.op("wasm.i32.shr_u", &[x, k]);
            return self.op("wasm.i32.or", &[lo, hi]);
        }
        let p = int_prefix(ty);
        let swap = |s: &mut Self, v: Value, mask: i64, bits: i64| {
            let (m, k) = (s.iconst(ty, mask), s.iconst(ty, bits));
            let lo = s.op(&format!("wasm.{p}.and"), &[v, m]);
            let lo = s.op(&format!("wasm.{p}.shl"), &[lo, k]);
            let hi = s.op(&format!("wasm.{p}.shr_u"), &[v, k]);
            let hi = s.op(&format!("wasm.{p}.and"), &[hi, m]);
            s.op(&format!("wasm.{p}.or"), &[lo, hi])
        };
        if ty == types::I32 {
            let v = swap(self, x, 0x00ff_00ff, 8);
            let k = self.iconst(types::I32, 16);
            return self.op("wasm.i32.rotl", &[v, k]);
        }
        let v = swap(self, x, 0x00ff_00ff_00ff_00ff, 8);
        let v = swap(self, v, 0x0000_ffff_0000_ffff, 16);
        let k = self.iconst(types::I64, 32);
        self.op("wasm.i64.rotl", &[v, k])
    }

    /// Turns an op named by index back into a copy of the original, with new operands.
    fn original(&mut self, k: u32, operands: &[Value]) -> Result<Op, String> {
        let o = *self.orig.ops.get(k as usize).ok_or("internal error: an opaque op index out of range")?;
        let src = self.orig.module.body(self.orig.body);
        let code = src.opcode(o);
        let data = src.op(o);
        let (attrs, loc) = (data.attrs, data.loc);
        let tys: Vec<Type> = src.results(o).map(|r| src.value_type(r)).collect();
        let blk = self.cur.expect("a current block");
        let b = self.m.body_mut(self.body);
        let op = b.create_op(code, operands, &tys, &[], &[], None, attrs, loc);
        b.append_op(blk, op);
        Ok(op)
    }

    /// The wasm address of a CLIF address: a 32-bit memory's address was zero-extended to 64
    /// bits by the lowering; the extension comes off here (or, where the mid-end folded it into
    /// something else, a wrap, exact because the value is below 2^32).
    fn address(&mut self, f: &cl::Function, addr: cl::Value, narrow: bool) -> Result<Value, String> {
        if !narrow {
            return self.val(addr);
        }
        if let cl::ValueDef::Result(def, 0) = f.dfg.value_def(addr)
            && f.dfg.insts[def].opcode() == Opcode::Uextend
        {
            let inner = f.dfg.inst_args(def)[0];
            if f.dfg.value_type(inner) == types::I32 {
                return self.val(inner);
            }
        }
        let v = self.val(addr)?;
        Ok(self.op("wasm.i32.wrap_i64", &[v]))
    }

    fn block_call(&mut self, f: &cl::Function, call: &cl::BlockCall) -> Result<(Block, Vec<Value>), String> {
        let blk = *self.blocks.get(&call.block(&f.dfg.value_lists)).ok_or("internal error: a branch to an unreachable block")?;
        let mut args = Vec::new();
        for a in call.args(&f.dfg.value_lists) {
            match a {
                cl::BlockArg::Value(v) => args.push(self.val(v)?),
                _ => return Err("the optimized CLIF passes an exception payload to a block".into()),
            }
        }
        Ok((blk, args))
    }

    fn terminator(&mut self, name: &str, operands: &[Value], succs: &[(Block, Vec<Value>)], attrs: &[(&str, wasmir::Attr)]) {
        let specs: Vec<SuccSpec<'_>> = succs.iter().map(|(b, a)| SuccSpec { block: *b, args: a }).collect();
        self.b().create(name, operands, &[], attrs, &specs, &[]);
    }

    fn inst(&mut self, f: &cl::Function, inst: cl::Inst) -> Result<(), String> {
        let dfg = &f.dfg;
        let data = dfg.insts[inst];
        let opcode = data.opcode();
        // A memory access's address is raised by `address` (it may skip an extension).
        let raw = dfg.inst_args(inst);
        let is_access = matches!(data, InstructionData::Load { .. } | InstructionData::Store { .. });
        let raw = if is_access { &raw[..raw.len() - 1] } else { raw };
        let args: Vec<Value> = raw.iter().map(|&v| self.val(v)).collect::<Result<_, _>>()?;
        let arg_ty = |i: usize| dfg.value_type(dfg.inst_args(inst)[i]);
        let ty = dfg.inst_results(inst).first().map(|&r| dfg.value_type(r)).unwrap_or(types::INVALID);
        let unsupported = || format!("the optimized CLIF holds `{}` ({}), which is not raised to wasm", opcode, f.dfg.display_inst(inst));
        let v = match (opcode, data) {
            (Opcode::Nop, _) => return Ok(()),
            (Opcode::Jump, InstructionData::Jump { destination, .. }) => {
                let t = self.block_call(f, &destination)?;
                self.terminator("cf.br", &[], &[t], &[]);
                return Ok(());
            }
            (Opcode::Brif, InstructionData::Brif { blocks, .. }) => {
                let c = self.truth(arg_ty(0), args[0]);
                let t = self.block_call(f, &blocks[0])?;
                let e = self.block_call(f, &blocks[1])?;
                self.terminator("cf.cond_br", &[c], &[t, e], &[]);
                return Ok(());
            }
            (Opcode::BrTable, InstructionData::BranchTable { table, .. }) => {
                let jt = &dfg.jump_tables[table];
                let mut succs = vec![self.block_call(f, &jt.default_block())?];
                for call in jt.as_slice() {
                    succs.push(self.block_call(f, call)?);
                }
                let i32t = self.ctx.i32();
                let cases: Vec<wasmir::Attr> = (0..succs.len() - 1).map(|i| self.ctx.int_attr(i as i128, i32t)).collect();
                let cases = self.ctx.attr(AttrData::Array(cases.into()));
                self.terminator("cf.switch", &args[..1], &succs, &[("case_values", cases)]);
                return Ok(());
            }
            (Opcode::Return, _) => {
                self.terminator("func.return", &args, &[], &[]);
                return Ok(());
            }
            (Opcode::Trap, _) if self.terminated => return Ok(()),
            (Opcode::Trap, _) => {
                self.b().create("wasm.unreachable", &[], &[], &[], &[], &[]);
                return Ok(());
            }
            (Opcode::Call | Opcode::ReturnCall, InstructionData::Call { func_ref, .. }) => {
                let cl::ExternalName::User(r) = dfg.ext_funcs[func_ref].name else { return Err(unsupported()) };
                let name = &f.params.user_named_funcs()[r];
                if name.namespace != OPAQUE_NAMESPACE {
                    return Err(unsupported());
                }
                let op = self.original(name.index, &args)?;
                let code = self.m.body(self.body).opcode(op);
                self.terminated = self.ctx.op_def(code).is_some_and(|d| d.traits.contains(wasmir::dialect::Traits::TERMINATOR));
                let results: Vec<Value> = self.m.body(self.body).results(op).collect();
                for (&r, v) in dfg.inst_results(inst).iter().zip(results) {
                    self.vals.insert(r, v);
                }
                return Ok(());
            }
            (_, InstructionData::Load { offset, .. }) | (_, InstructionData::Store { offset, .. }) => {
                let loc = f.srcloc(inst);
                if loc.is_default() {
                    return Err(unsupported());
                }
                let k = loc.bits();
                let o = *self.orig.ops.get(k as usize).ok_or("internal error: a memory access index out of range")?;
                let src = self.orig.module.body(self.orig.body);
                let name = self.ctx.op_name(src.opcode(o)).to_string();
                let want = match self.ctx.dict_get(src.op(o).attrs, "offset").map(|a| self.ctx.attr_data(a)) {
                    Some(AttrData::Int { value, .. }) => *value as i64,
                    _ => 0,
                };
                let is_store = matches!(data, InstructionData::Store { .. });
                let matches = match MemAccess::of(&name) {
                    Some(MemAccess::Store | MemAccess::Trunc(_)) => is_store,
                    Some(_) => !is_store,
                    None => false,
                };
                if !matches || i64::from(offset) != want {
                    return Err(format!("internal error: the memory access from `{name}` changed shape in the mid-end"));
                }
                let src = self.orig.module.body(self.orig.body);
                let addr_ty = src.value_type(src.operand(o, 0));
                let cl_addr = *dfg.inst_args(inst).last().expect("an address");
                let addr = self.address(f, cl_addr, addr_ty == self.ctx.i32())?;
                // CLIF's store takes (value, address); wasm's (address, value).
                let operands = if is_store { vec![addr, args[0]] } else { vec![addr] };
                let op = self.original(k, &operands)?;
                if !is_store {
                    let r = self.m.body(self.body).result(op, 0);
                    self.define(f, inst, r);
                }
                return Ok(());
            }
            (Opcode::Iconst, InstructionData::UnaryImm { imm, .. }) => {
                let v = imm.bits() & narrow_mask(ty).unwrap_or(-1);
                self.iconst(ty, v)
            }
            (Opcode::F32const, InstructionData::UnaryIeee32 { imm, .. }) => self.float_const(ty, imm.bits() as u64),
            (Opcode::F64const, InstructionData::UnaryIeee64 { imm, .. }) => self.float_const(ty, imm.bits()),
            (Opcode::Vconst, InstructionData::UnaryConst { constant_handle, .. }) => {
                let bytes = dfg.constants.get(constant_handle).as_slice().to_vec();
                if bytes.len() != 16 {
                    return Err(unsupported());
                }
                let i64t = self.ctx.i64();
                let items: Vec<wasmir::Attr> = bytes.iter().map(|&b| self.ctx.int_attr(i128::from(b), i64t)).collect();
                let value = self.ctx.attr(AttrData::Array(items.into()));
                let v128 = self.ctx.v128();
                let mut b = self.b();
                let op = b.create("wasm.v128.const", &[], &[v128], &[("value", value)], &[], &[]);
                b.b().result(op, 0)
            }
            (Opcode::Iadd | Opcode::Isub | Opcode::Imul | Opcode::Band | Opcode::Bor | Opcode::Bxor | Opcode::Udiv | Opcode::Urem | Opcode::Sdiv | Opcode::Srem, _)
            | (Opcode::Ishl | Opcode::Ushr | Opcode::Sshr | Opcode::Rotl | Opcode::Rotr, _) => self.binary(opcode, ty, args[0], args[1], arg_ty(1))?,
            (Opcode::Icmp, InstructionData::IntCompare { cond, .. }) => self.icmp(cond, arg_ty(0), args[0], args[1]),
            (Opcode::Fcmp, InstructionData::FloatCompare { cond, .. }) => self.fcmp(cond, arg_ty(0), args[0], args[1]),
            (Opcode::Select, _) => {
                let c = self.truth(arg_ty(0), args[0]);
                let t = self.wasm_type(ty)?;
                self.select(c, args[1], args[2], t)
            }
            (Opcode::Bnot, _) => {
                let m = self.iconst(ty, narrow_mask(ty).unwrap_or(-1));
                self.op(&format!("wasm.{}.xor", int_prefix(ty)), &[args[0], m])
            }
            (Opcode::Ineg, _) => {
                let z = self.iconst(ty, 0);
                self.binary(Opcode::Isub, ty, z, args[0], ty)?
            }
            (Opcode::Iabs, _) if narrow_mask(ty).is_none() => {
                let z = self.iconst(ty, 0);
                let neg = self.op(&format!("wasm.{}.sub", int_prefix(ty)), &[z, args[0]]);
                let is_neg = self.icmp(IntCC::SignedLessThan, ty, args[0], z);
                let t = self.wasm_type(ty)?;
                self.select(is_neg, neg, args[0], t)
            }
            (Opcode::Smin | Opcode::Smax | Opcode::Umin | Opcode::Umax, _) => {
                let cc = match opcode {
                    Opcode::Smin => IntCC::SignedLessThan,
                    Opcode::Smax => IntCC::SignedGreaterThan,
                    Opcode::Umin => IntCC::UnsignedLessThan,
                    _ => IntCC::UnsignedGreaterThan,
                };
                let c = self.icmp(cc, ty, args[0], args[1]);
                let t = self.wasm_type(ty)?;
                self.select(c, args[0], args[1], t)
            }
            (Opcode::Bmask, _) => {
                let from = arg_ty(0);
                let z = self.iconst(from, 0);
                let nz = self.icmp(IntCC::NotEqual, from, args[0], z);
                let nz = if ty == types::I64 { self.op("wasm.i64.extend_i32_u", &[nz]) } else { nz };
                let zero = self.iconst(ty, 0);
                self.binary(Opcode::Isub, ty, zero, nz, ty)?
            }
            (Opcode::Clz | Opcode::Ctz, _) if narrow_mask(ty).is_none() => {
                let op = if opcode == Opcode::Clz { "clz" } else { "ctz" };
                self.op(&format!("wasm.{}.{op}", int_prefix(ty)), &[args[0]])
            }
            (Opcode::Popcnt, _) => self.op(&format!("wasm.{}.popcnt", int_prefix(ty)), &[args[0]]),
            (Opcode::Umulhi | Opcode::Smulhi, _) if ty == types::I32 || ty == types::I64 => self.mulhi(ty, opcode == Opcode::Smulhi, args[0], args[1]),
            (Opcode::Bswap, _) if matches!(ty, types::I16 | types::I32 | types::I64) => self.bswap(ty, args[0]),
            (Opcode::Trapz | Opcode::Trapnz, _) => {
                // `brif` to a block that only traps, folded by the mid-end: the branch again. Every
                // trap code becomes wasm's `unreachable` (a trap is a trap; only its message differs).
                let c = self.truth(arg_ty(0), args[0]);
                let region = self.m.body(self.body).region_of(self.cur.expect("a current block")).expect("in the region");
                let (trap, cont) = (self.m.body_mut(self.body).create_block(), self.m.body_mut(self.body).create_block());
                self.m.body_mut(self.body).append_block(region, trap);
                self.m.body_mut(self.body).append_block(region, cont);
                let (yes, no) = if opcode == Opcode::Trapnz { (trap, cont) } else { (cont, trap) };
                self.terminator("cf.cond_br", &[c], &[(yes, Vec::new()), (no, Vec::new())], &[]);
                self.cur = Some(trap);
                self.b().create("wasm.unreachable", &[], &[], &[], &[], &[]);
                self.cur = Some(cont);
                return Ok(());
            }
            (Opcode::Uextend, _) => {
                if ty == types::I64 && arg_ty(0) != types::I64 {
                    self.op("wasm.i64.extend_i32_u", &[args[0]])
                } else {
                    args[0]
                }
            }
            (Opcode::Sextend, _) => {
                let from = arg_ty(0);
                match (from, ty) {
                    (types::I32, types::I64) => self.op("wasm.i64.extend_i32_s", &[args[0]]),
                    (types::I8 | types::I16, types::I64) => {
                        let w = self.op("wasm.i64.extend_i32_u", &[args[0]]);
                        self.op(if from == types::I8 { "wasm.i64.extend8_s" } else { "wasm.i64.extend16_s" }, &[w])
                    }
                    (types::I8 | types::I16, _) => {
                        let s = self.sext(from, args[0]);
                        self.mask(ty, s)
                    }
                    _ => return Err(unsupported()),
                }
            }
            (Opcode::Ireduce, _) => {
                let v = if arg_ty(0) == types::I64 { self.op("wasm.i32.wrap_i64", &[args[0]]) } else { args[0] };
                self.mask(ty, v)
            }
            (Opcode::Bitcast, _) => match (arg_ty(0), ty) {
                (types::F32, types::I32) => self.op("wasm.i32.reinterpret_f32", &[args[0]]),
                (types::F64, types::I64) => self.op("wasm.i64.reinterpret_f64", &[args[0]]),
                (types::I32, types::F32) => self.op("wasm.f32.reinterpret_i32", &[args[0]]),
                (types::I64, types::F64) => self.op("wasm.f64.reinterpret_i64", &[args[0]]),
                _ => return Err(unsupported()),
            },
            (
                Opcode::Fadd
                | Opcode::Fsub
                | Opcode::Fmul
                | Opcode::Fdiv
                | Opcode::Fmin
                | Opcode::Fmax
                | Opcode::Fcopysign
                | Opcode::Fneg
                | Opcode::Fabs
                | Opcode::Sqrt
                | Opcode::Ceil
                | Opcode::Floor
                | Opcode::Trunc
                | Opcode::Nearest,
                _,
            ) if ty == types::F32 || ty == types::F64 => {
                let op = match opcode {
                    Opcode::Fadd => "add",
                    Opcode::Fsub => "sub",
                    Opcode::Fmul => "mul",
                    Opcode::Fdiv => "div",
                    Opcode::Fmin => "min",
                    Opcode::Fmax => "max",
                    Opcode::Fcopysign => "copysign",
                    Opcode::Fneg => "neg",
                    Opcode::Fabs => "abs",
                    Opcode::Sqrt => "sqrt",
                    Opcode::Ceil => "ceil",
                    Opcode::Floor => "floor",
                    Opcode::Trunc => "trunc",
                    _ => "nearest",
                };
                let p = if ty == types::F32 { "f32" } else { "f64" };
                self.op(&format!("wasm.{p}.{op}"), &args)
            }
            (Opcode::FcvtToSint | Opcode::FcvtToUint | Opcode::FcvtToSintSat | Opcode::FcvtToUintSat, _) if ty == types::I32 || ty == types::I64 => {
                let from = if arg_ty(0) == types::F32 { "f32" } else { "f64" };
                let (sat, sign) = match opcode {
                    Opcode::FcvtToSint => ("", "s"),
                    Opcode::FcvtToUint => ("", "u"),
                    Opcode::FcvtToSintSat => ("_sat", "s"),
                    _ => ("_sat", "u"),
                };
                self.op(&format!("wasm.{}.trunc{sat}_{from}_{sign}", int_prefix(ty)), &[args[0]])
            }
            (Opcode::FcvtFromSint | Opcode::FcvtFromUint, _) => {
                let from = arg_ty(0);
                let x = if opcode == Opcode::FcvtFromSint { self.sext(from, args[0]) } else { args[0] };
                let sign = if opcode == Opcode::FcvtFromSint { "s" } else { "u" };
                let p = if ty == types::F32 { "f32" } else { "f64" };
                self.op(&format!("wasm.{p}.convert_{}_{sign}", int_prefix(from)), &[x])
            }
            (Opcode::Fpromote, _) => self.op("wasm.f64.promote_f32", &[args[0]]),
            (Opcode::Fdemote, _) => self.op("wasm.f32.demote_f64", &[args[0]]),
            _ => return Err(unsupported()),
        };
        self.define(f, inst, v);
        Ok(())
    }
}
