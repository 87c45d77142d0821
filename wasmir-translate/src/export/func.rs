//! Encoding function bodies and constant expressions, stack-friendly.
//!
//! Ops are emitted in IR order, so side effects never move. A value used exactly once, by an op
//! of its own block, stays on the wasm operand stack when it is still on top (in operand order)
//! when its user runs; every other value lives in a local. Operands that come from locals get
//! their `local.get` inserted where their slot's operand tree begins, which may be earlier in the
//! instruction stream than the user (the `local.get` of `%p` in `i32.sub %p, (i32.const 1)` comes
//! before the constant). A value found buried under others when its user runs is spilled in
//! hindsight: a `local.set` is inserted right after its definition, which leaves every decision
//! taken above it valid. Scratch locals are reused once their value is dead; a value used inside
//! a loop it was defined outside of stays allocated until that loop ends.
use super::{err, val_type, Space, Types};
use crate::TranslateError;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use wasm_encoder as we;
use wasmir::{AttrData, Block, Body, BodyId, Context, Ident, Module, Op, OpCode, Region, Type, TypeData, Value, ValueDef};

pub(crate) type Ins = we::Instruction<'static>;
const NONE: u32 = u32::MAX;

/// Symbol → index, and what the bodies need to know of memories and tables.
#[derive(Default)]
pub(crate) struct Indices {
    pub symbols: FxHashMap<Ident, (Space, u32)>,
    /// Defined types (`wasm.type`) by symbol.
    pub types: super::TypeMap,
    /// How each op is encoded (built once per module).
    pub enc: FxHashMap<OpCode, Enc>,
    pub memory64: Vec<bool>,
    pub table64: Vec<bool>,
}

impl Indices {
    pub fn lookup(&self, name: Option<Ident>, space: Space) -> Result<(Space, u32), TranslateError> {
        let name = name.ok_or_else(|| err("an item without a symbol"))?;
        match self.symbols.get(&name) {
            Some(&(s, i)) if s == space => Ok((s, i)),
            Some(&(s, _)) => Err(err(format!("symbol is a {s:?}, expected a {space:?}"))),
            None => Err(err("unknown symbol")),
        }
    }
}

/// How an op is encoded.
#[derive(Clone)]
pub(crate) enum Enc {
    /// One instruction without immediates, operands in IR order.
    Plain(Ins),
    /// A load or store: the instruction for a memarg, and the natural alignment (log2).
    Mem(fn(we::MemArg) -> Ins, u32),
    Special(Sp),
    /// An instruction with immediates read from the op's attributes (lanes, shuffles, v128
    /// constants, memory arguments of SIMD and atomic ops); stack operands in IR order.
    Imm(fn(&FuncEmitter<'_>, Op) -> Result<Ins, TranslateError>),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Sp {
    FuncReturn,
    Yield,
    Block,
    Loop,
    If,
    Br,
    BrIf,
    BrTable,
    Return,
    Call,
    ReturnCall,
    CallIndirect,
    ReturnCallIndirect,
    Select,
    Local,
    LocalGet,
    LocalSet,
    LocalTee,
    GlobalGet,
    GlobalSet,
    I32Const,
    I64Const,
    F32Const,
    F64Const,
    MemorySize,
    MemoryGrow,
    MemoryFill,
    MemoryCopy,
    MemoryInit,
    DataDrop,
    TableGet,
    TableSet,
    TableSize,
    TableGrow,
    TableFill,
    TableCopy,
    TableInit,
    ElemDrop,
    RefNull,
    RefFunc,
    TryTable,
    Throw,
    ThrowRef,
    BrOnNull,
    BrOnNonNull,
    BrOnCast,
    BrOnCastFail,
}

/// The encoding of every op the backend knows, by op code.
pub(crate) fn encodings(ctx: &Context) -> FxHashMap<OpCode, Enc> {
    let mut m: FxHashMap<OpCode, Enc> = FxHashMap::default();
    let name_of = |visit: &str| -> String {
        let n = visit.strip_prefix("visit_").unwrap_or(visit);
        match n.split_once('_') {
            Some((ty, rest)) => format!("wasm.{ty}.{rest}"),
            None => format!("wasm.{n}"),
        }
    };
    let mut plain: Vec<(&'static str, Ins)> = Vec::new();
    let mut mem: Vec<(&'static str, fn(we::MemArg) -> Ins)> = Vec::new();
    macro_rules! collect {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            $( collect!(one @$proposal $op $({ $($arg: $argty),* })? => $visit); )*
        };
        (one @mvp $op:ident => $visit:ident) => { plain.push((stringify!($visit), we::Instruction::$op)); };
        (one @sign_extension $op:ident => $visit:ident) => { plain.push((stringify!($visit), we::Instruction::$op)); };
        (one @saturating_float_to_int $op:ident => $visit:ident) => { plain.push((stringify!($visit), we::Instruction::$op)); };
        (one @reference_types $op:ident => $visit:ident) => { plain.push((stringify!($visit), we::Instruction::$op)); };
        (one @simd $op:ident => $visit:ident) => { plain.push((stringify!($visit), we::Instruction::$op)); };
        (one @relaxed_simd $op:ident => $visit:ident) => { plain.push((stringify!($visit), we::Instruction::$op)); };
        (one @wide_arithmetic $op:ident => $visit:ident) => { plain.push((stringify!($visit), we::Instruction::$op)); };
        (one @mvp $op:ident { memarg: $t:ty } => $visit:ident) => { mem.push((stringify!($visit), |a| we::Instruction::$op(a))); };
        (one @$p:ident $op:ident $($rest:tt)*) => {};
    }
    wasmparser::for_each_operator!(collect);
    for (visit, ins) in plain {
        if let Some(c) = ctx.lookup_op(&name_of(visit)) {
            m.insert(c, Enc::Plain(ins));
        }
    }
    for (visit, f) in mem {
        let name = name_of(visit);
        if let Some(c) = ctx.lookup_op(&name) {
            let bytes = natural_align(&name);
            m.insert(c, Enc::Mem(f, bytes.trailing_zeros()));
        }
    }
    let specials: &[(&str, Sp)] = &[
        ("func.return", Sp::FuncReturn),
        ("wasm.yield", Sp::Yield),
        ("wasm.block", Sp::Block),
        ("wasm.loop", Sp::Loop),
        ("wasm.if", Sp::If),
        ("wasm.br", Sp::Br),
        ("wasm.br_if", Sp::BrIf),
        ("wasm.br_table", Sp::BrTable),
        ("wasm.return", Sp::Return),
        ("func.call", Sp::Call),
        ("wasm.return_call", Sp::ReturnCall),
        ("wasm.call_indirect", Sp::CallIndirect),
        ("wasm.return_call_indirect", Sp::ReturnCallIndirect),
        ("wasm.select", Sp::Select),
        ("wasm.local", Sp::Local),
        ("wasm.local.get", Sp::LocalGet),
        ("wasm.local.set", Sp::LocalSet),
        ("wasm.local.tee", Sp::LocalTee),
        ("wasm.global.get", Sp::GlobalGet),
        ("wasm.global.set", Sp::GlobalSet),
        ("wasm.i32.const", Sp::I32Const),
        ("wasm.i64.const", Sp::I64Const),
        ("wasm.f32.const", Sp::F32Const),
        ("wasm.f64.const", Sp::F64Const),
        ("wasm.memory.size", Sp::MemorySize),
        ("wasm.memory.grow", Sp::MemoryGrow),
        ("wasm.memory.fill", Sp::MemoryFill),
        ("wasm.memory.copy", Sp::MemoryCopy),
        ("wasm.memory.init", Sp::MemoryInit),
        ("wasm.data.drop", Sp::DataDrop),
        ("wasm.table.get", Sp::TableGet),
        ("wasm.table.set", Sp::TableSet),
        ("wasm.table.size", Sp::TableSize),
        ("wasm.table.grow", Sp::TableGrow),
        ("wasm.table.fill", Sp::TableFill),
        ("wasm.table.copy", Sp::TableCopy),
        ("wasm.table.init", Sp::TableInit),
        ("wasm.elem.drop", Sp::ElemDrop),
        ("wasm.ref.null", Sp::RefNull),
        ("wasm.ref.func", Sp::RefFunc),
        ("wasm.try_table", Sp::TryTable),
        ("wasm.throw", Sp::Throw),
        ("wasm.throw_ref", Sp::ThrowRef),
        ("wasm.br_on_null", Sp::BrOnNull),
        ("wasm.br_on_non_null", Sp::BrOnNonNull),
        ("wasm.br_on_cast", Sp::BrOnCast),
        ("wasm.br_on_cast_fail", Sp::BrOnCastFail),
    ];
    super::simd::encodings(ctx, &mut m);
    super::gc::encodings(ctx, &mut m);
    for &(n, s) in specials {
        if let Some(c) = ctx.lookup_op(n) {
            m.insert(c, Enc::Special(s));
        }
    }
    m
}

/// Natural alignment in bytes from a load or store name (`wasm.i64.load16_s` → 2).
pub(super) fn natural_align(name: &str) -> u32 {
    let base = name.trim_start_matches("wasm.");
    let (ty, rest) = base.split_once('.').unwrap_or((base, ""));
    let digits: String = rest.chars().filter(|c| c.is_ascii_digit()).collect();
    let bits: u32 = if digits.is_empty() { ty[1..].parse().unwrap_or(32) } else { digits.parse().unwrap_or(32) };
    bits / 8
}

struct Pend {
    v: Value,
    /// Where the value's operand tree begins in the instruction stream.
    start: u32,
    /// Just after its definition (where a hindsight spill goes).
    end: u32,
}

enum After {
    Func,
    Const,
    Structured { op: Op, region: usize, start: u32, is_loop: bool },
    /// The block that stands for the function's own label: no `block`/`end` of its own.
    Wrapper { op: Op, start: u32 },
}

struct Scope {
    next: Option<Op>,
    after: After,
}

pub(crate) struct FuncEmitter<'a> {
    ctx: &'a Context,
    body: &'a Body,
    idx: &'a Indices,
    types: &'a mut Types,
    out: Vec<Ins>,
    /// (position in `out`, group, order, instruction): `local.get`s and spills to insert.
    inserts: Vec<(u32, u32, u32, Ins)>,
    local_of: Vec<u32>,
    /// Integer constants written again at each use instead of living in a local.
    remat: Vec<Option<Ins>>,
    /// Per value in a local: the first position in `out` where a `local.get` of it is valid
    /// (just after its `local.set`; 0 for parameters).
    avail: Vec<u32>,
    scratch: Vec<bool>,
    local_types: Vec<we::ValType>,
    nparams: u32,
    /// Scratch locals free for reuse, by type, with the position in `out` where each was freed.
    free: Vec<(we::ValType, Vec<(u32, u32)>)>,
    remaining: Vec<u32>,
    in_pend: Vec<bool>,
    pends: Vec<Vec<Pend>>,
    labels: Vec<Option<Value>>,
    label_pos: FxHashMap<Value, u32>,
    def_loop: Vec<u32>,
    loops: Vec<Vec<Value>>,
    seq: u32,
    const_mode: bool,
    wrapper: Option<Op>,
    /// Where each stack operand of the last op began (`NONE`: from a local).
    last_starts: SmallVec<[u32; 4]>,
    /// Operands of the current op whose value died there: freed once it is emitted.
    dead: SmallVec<[Value; 4]>,
    pub uses_data_count: bool,
}

impl<'a> FuncEmitter<'a> {
    pub fn new(ctx: &'a Context, module: &'a Module, body: BodyId, idx: &'a Indices, types: &'a mut Types) -> Self {
        let body = module.body(body);
        let n = body.num_values();
        let remaining = (0..n).map(|i| body.uses(Value::from_u32(i as u32)).count() as u32).collect();
        FuncEmitter {
            ctx,
            body,
            idx,
            types,
            out: Vec::new(),
            inserts: Vec::new(),
            local_of: vec![NONE; n],
            avail: vec![0; n],
            remat: vec![None; n],
            scratch: Vec::new(),
            local_types: Vec::new(),
            nparams: 0,
            free: Vec::new(),
            remaining,
            in_pend: vec![false; n],
            pends: Vec::new(),
            labels: Vec::new(),
            label_pos: FxHashMap::default(),
            def_loop: vec![0; n],
            loops: Vec::new(),
            seq: 0,
            const_mode: false,
            wrapper: None,
            dead: SmallVec::new(),
            last_starts: SmallVec::new(),
            uses_data_count: false,
        }
    }

    pub(super) fn name(&self, op: Op) -> &str {
        self.ctx.op_name(self.body.opcode(op))
    }

    pub(super) fn ctx(&self) -> &'a Context {
        self.ctx
    }

    /// The type index of the `wasm.type` named by the symbol attribute `key`.
    pub(super) fn type_index(&self, op: Op, key: &str) -> Result<u32, TranslateError> {
        match self.attr(op, key) {
            Some(AttrData::SymbolRef(p)) => self.idx.types.get(&p[0]).copied().ok_or_else(|| err(format!("`{}`: unknown type @{}", self.name(op), self.ctx.str(p[0])))),
            _ => Err(err(format!("`{}` needs its `{key}` type symbol", self.name(op)))),
        }
    }

    /// The encoding of a reference type.
    pub(super) fn ref_type_of(&self, t: Type) -> Result<we::RefType, TranslateError> {
        super::ref_type(self.ctx, &self.idx.types, t)
    }

    /// How many operands an op has.
    pub(super) fn operand_count(&self, op: Op) -> usize {
        self.body.num_operands(op)
    }

    /// The type of an op's result.
    pub(super) fn result_type(&self, op: Op, i: usize) -> Type {
        self.body.value_type(self.body.result(op, i))
    }

    fn ty(&self, v: Value) -> Type {
        self.body.value_type(v)
    }

    /// Whether `v` is a wasm value (not a label or a local handle).
    fn is_stack_value(&self, v: Value) -> bool {
        let t = self.ty(v);
        t != self.ctx.label_type() && t != self.ctx.local_type()
    }

    pub(super) fn attr(&self, op: Op, key: &str) -> Option<&'a AttrData> {
        let ctx: &'a Context = self.ctx;
        ctx.dict_get(self.body.op(op).attrs, key).map(|a| ctx.attr_data(a))
    }

    pub(super) fn sym(&self, op: Op, key: &str, space: Space) -> Result<u32, TranslateError> {
        match self.attr(op, key) {
            Some(AttrData::SymbolRef(p)) => self.idx.lookup(Some(p[0]), space).map(|x| x.1).map_err(|e| {
                err(format!("`{}`: {} `@{}`", self.name(op), e.message, self.ctx.str(p[0])))
            }),
            _ => Err(err(format!("`{}` needs its `{key}` symbol", self.name(op)))),
        }
    }

    /// Encodes a function whose body is `region`.
    pub fn function(&mut self, region: Region, fty: Type) -> Result<we::Function, TranslateError> {
        let entry = self.body.first_block(region).ok_or_else(|| err("a function without a body"))?;
        if self.body.next_block(entry).is_some() {
            return Err(err(
                "internal error: this function is still in CFG form (several blocks); the exporter \
                 runs `structurize` on such functions before encoding",
            ));
        }
        let TypeData::Function { params, .. } = self.ctx.type_data(fty) else { return Err(err("not a function type")) };
        self.nparams = params.len() as u32;
        for (i, &a) in self.body.block_args(entry).iter().enumerate() {
            self.local_of[a.as_u32() as usize] = i as u32;
        }
        self.wrapper = self.find_wrapper(entry);
        self.pends.push(Vec::new());
        let mut scopes = vec![Scope { next: self.body.first_op(entry), after: After::Func }];
        self.run(&mut scopes)?;
        let mut f = we::Function::new_with_locals_types(self.local_types.iter().copied());
        for ins in self.finish() {
            f.instruction(&ins);
        }
        Ok(f)
    }

    /// `%r = wasm.block {…}; func.return %r` (after the locals) is the function's own label.
    fn find_wrapper(&self, entry: Block) -> Option<Op> {
        let mut it = self.body.block_ops(entry).skip_while(|&o| self.name(o) == "wasm.local");
        let w = it.next()?;
        let ret = it.next()?;
        if it.next().is_some() || self.name(w) != "wasm.block" || self.name(ret) != "func.return" {
            return None;
        }
        let results: SmallVec<[Value; 2]> = self.body.results(w).collect();
        let ops: SmallVec<[Value; 2]> = self.body.operands(ret).collect();
        (results == ops && results.iter().all(|&r| self.body.uses(r).count() == 1)).then_some(w)
    }

    /// The instruction stream with the insertions merged in, ending with `end`.
    fn finish(&mut self) -> Vec<Ins> {
        self.inserts.sort_by_key(|i| (i.0, i.1, i.2));
        let mut res = Vec::with_capacity(self.out.len() + self.inserts.len() + 1);
        let mut ins = std::mem::take(&mut self.inserts).into_iter().peekable();
        for (pos, i) in std::mem::take(&mut self.out).into_iter().enumerate() {
            while let Some(x) = ins.next_if(|x| x.0 as usize <= pos) {
                res.push(x.3);
            }
            res.push(i);
        }
        res.extend(ins.map(|x| x.3));
        res.push(we::Instruction::End);
        res
    }

    fn run(&mut self, scopes: &mut Vec<Scope>) -> Result<(), TranslateError> {
        while let Some(s) = scopes.last_mut() {
            match s.next {
                Some(op) => {
                    s.next = self.body.next_op(op);
                    self.op(op, scopes)?;
                }
                None => {
                    let s = scopes.pop().expect("non-empty");
                    let left = self.pends.pop().unwrap_or_default();
                    for p in left {
                        self.spill(p);
                    }
                    match s.after {
                        After::Func | After::Const => {}
                        After::Structured { op, region, start, is_loop } => {
                            self.labels.pop();
                            let regions = self.body.regions(op);
                            if region + 1 < regions.len() {
                                self.out.push(we::Instruction::Else);
                                self.enter_region(op, region + 1, start, is_loop, scopes)?;
                                continue;
                            }
                            if is_loop {
                                self.loops.pop().into_iter().flatten().for_each(|v| self.free_local(v));
                            }
                            // An `if` with results but no else region cannot be encoded; the
                            // verifier does not allow it either, but the IR may be unverified.
                            self.out.push(we::Instruction::End);
                            self.results(op, start);
                        }
                        After::Wrapper { op, start } => {
                            self.labels.pop();
                            self.results(op, start);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn enter_region(&mut self, op: Op, idx: usize, start: u32, is_loop: bool, scopes: &mut Vec<Scope>) -> Result<(), TranslateError> {
        let r = self.body.regions(op)[idx];
        let entry = match self.body.first_block(r) {
            Some(e) => e,
            None => {
                // An empty else region: nothing to emit.
                scopes.push(Scope { next: None, after: After::Structured { op, region: idx, start, is_loop } });
                self.pends.push(Vec::new());
                self.labels.push(None);
                return Ok(());
            }
        };
        if self.body.next_block(entry).is_some() {
            return Err(err(format!("a region of `{}` has several blocks; structured regions have one", self.name(op))));
        }
        let args: SmallVec<[Value; 4]> = self.body.block_args(entry).iter().copied().collect();
        let label = args.first().copied().filter(|&a| self.ty(a) == self.ctx.label_type());
        self.labels.push(label);
        if let Some(l) = label {
            self.label_pos.insert(l, self.labels.len() as u32 - 1);
        }
        self.pends.push(Vec::new());
        if is_loop {
            self.loops.push(Vec::new());
            // The loop's parameters are on the stack at its top.
            let params: SmallVec<[Value; 4]> = args.iter().copied().filter(|&a| self.is_stack_value(a)).collect();
            let pos = self.out.len() as u32;
            self.define(&params, pos, entry);
        }
        let after = if Some(op) == self.wrapper { After::Wrapper { op, start } } else { After::Structured { op, region: idx, start, is_loop } };
        scopes.push(Scope { next: self.body.first_op(entry), after });
        Ok(())
    }

    fn val_type(&self, v: Value) -> Result<we::ValType, TranslateError> {
        val_type(self.ctx, &self.idx.types, self.ty(v))
    }

    /// A local for `v`, whose value is set at position `since` in `out` (a hindsight spill) or
    /// from now on (`None`). A freed scratch local is reused only if its last reader comes before
    /// `since`: a spill's live range starts in the past.
    fn alloc(&mut self, v: Value, since: Option<u32>) -> Result<u32, TranslateError> {
        if self.const_mode {
            return Err(err("a constant expression must compute its values in stack order, without locals"));
        }
        let t = self.val_type(v)?;
        let reusable = self.free.iter_mut().find(|(ft, _)| *ft == t).and_then(|(_, list)| {
            let i = list.iter().rposition(|&(_, freed)| since.is_none_or(|s| freed < s))?;
            Some(list.remove(i).0)
        });
        let l = match reusable {
            Some(l) => l,
            None => {
                let l = self.nparams + self.local_types.len() as u32;
                self.local_types.push(t);
                self.scratch.push(true);
                l
            }
        };
        self.local_of[v.as_u32() as usize] = l;
        // A spill's `local.set` is inserted at `since`; otherwise the caller pushes it next.
        self.avail[v.as_u32() as usize] = since.unwrap_or(self.out.len() as u32 + 1);
        Ok(l)
    }

    /// A local of its own that is never reused (a `wasm.local`).
    fn dedicated(&mut self, t: we::ValType) -> u32 {
        let l = self.nparams + self.local_types.len() as u32;
        self.local_types.push(t);
        self.scratch.push(false);
        l
    }

    fn free_local(&mut self, v: Value) {
        let l = self.local_of[v.as_u32() as usize];
        if l == NONE || l < self.nparams || !self.scratch[(l - self.nparams) as usize] {
            return;
        }
        let t = self.local_types[(l - self.nparams) as usize];
        let at = self.out.len() as u32;
        match self.free.iter_mut().find(|(ft, _)| *ft == t) {
            Some((_, list)) => list.push((l, at)),
            None => self.free.push((t, vec![(l, at)])),
        }
    }

    fn local(&mut self, v: Value) -> Result<u32, TranslateError> {
        match self.local_of[v.as_u32() as usize] {
            NONE => Err(err("internal error: a value is used before it has a place")),
            l => Ok(l),
        }
    }

    /// Moves a value found buried on the stack into a local, right after its definition.
    fn spill(&mut self, p: Pend) {
        self.in_pend[p.v.as_u32() as usize] = false;
        match self.alloc(p.v, Some(p.end)) {
            Ok(l) => self.inserts.push((p.end, 0, 0, we::Instruction::LocalSet(l))),
            Err(_) => {
                // Constant mode: reported by the caller when the value is read.
            }
        }
    }

    /// Lays out the stack operands of the op with sequence number `seq` (in wasm stack order);
    /// returns where its operand tree begins.
    fn operands(&mut self, ops: &[Value]) -> Result<u32, TranslateError> {
        let seq = self.seq;
        let n = ops.len();
        let mut matched: SmallVec<[Option<Pend>; 4]> = (0..n).map(|_| None).collect();
        {
            let mut i = n;
            while i > 0 {
                i -= 1;
                let v = ops[i];
                let pend = self.pends.last_mut().expect("a scope is open");
                if pend.last().is_some_and(|p| p.v == v) {
                    let p = pend.pop().expect("checked");
                    self.in_pend[v.as_u32() as usize] = false;
                    matched[i] = Some(p);
                } else if self.in_pend[v.as_u32() as usize] {
                    let k = pend.iter().rposition(|p| p.v == v).expect("flagged as pending");
                    let p = pend.remove(k);
                    self.spill(p);
                }
            }
        }
        // An operand in a local is read where the tree of the next stack operand above it
        // begins. If its value is set only after that point (it is defined inside or after that
        // tree), the stack operands above it go to locals as well, and everything is read here.
        loop {
            let mut next = self.out.len() as u32;
            let mut cut = None;
            for i in (0..n).rev() {
                match &matched[i] {
                    Some(p) => next = p.start,
                    None => {
                        let v = ops[i].as_u32() as usize;
                        if self.local_of[v] != NONE && self.avail[v] > next {
                            cut = Some(i);
                        }
                    }
                }
            }
            let Some(cut) = cut else { break };
            for j in cut + 1..n {
                if let Some(p) = matched[j].take() {
                    self.spill(p);
                }
            }
        }
        let mut next = self.out.len() as u32;
        let mut starts: SmallVec<[u32; 4]> = smallvec::smallvec![NONE; n];
        for i in (0..n).rev() {
            if let Some(p) = &matched[i] {
                next = p.start;
                starts[i] = p.start;
            } else if let Some(ins) = &self.remat[ops[i].as_u32() as usize] {
                self.inserts.push((next, NONE - seq, i as u32, ins.clone()));
            } else {
                let l = self.local(ops[i])?;
                self.inserts.push((next, NONE - seq, i as u32, we::Instruction::LocalGet(l)));
            }
        }
        for &v in ops {
            self.use_done(v);
        }
        self.last_starts = starts;
        Ok(next)
    }


    /// One use of `v` is emitted; at its last use its local may be reused.
    fn use_done(&mut self, v: Value) {
        let i = v.as_u32() as usize;
        self.remaining[i] = self.remaining[i].saturating_sub(1);
        if self.remaining[i] == 0 {
            let d = self.def_loop[i] as usize;
            if d < self.loops.len() {
                self.loops[d].push(v);
            } else {
                self.dead.push(v);
            }
        }
    }

    /// Places freshly defined values (results, loop parameters) now on the stack, in order.
    fn define(&mut self, vals: &[Value], start: u32, block: Block) {
        let depth = self.loops.len() as u32;
        for &v in vals {
            self.def_loop[v.as_u32() as usize] = depth;
        }
        let single = vals.len() == 1;
        if single {
            let v = vals[0];
            let uses = self.remaining[v.as_u32() as usize];
            if uses == 0 {
                self.out.push(we::Instruction::Drop);
                return;
            }
            let user = self.body.uses(v).next().map(|u| self.body.use_data(u).user);
            let same_block = user.and_then(|u| self.body.block_of(u)) == Some(block);
            if uses == 1 && same_block {
                let end = self.out.len() as u32;
                self.pends.last_mut().expect("scope").push(Pend { v, start, end });
                self.in_pend[v.as_u32() as usize] = true;
                return;
            }
        }
        for &v in vals.iter().rev() {
            if self.remaining[v.as_u32() as usize] == 0 {
                self.out.push(we::Instruction::Drop);
            } else {
                match self.alloc(v, None) {
                    Ok(l) => self.out.push(we::Instruction::LocalSet(l)),
                    Err(_) => self.out.push(we::Instruction::Drop),
                }
            }
        }
    }

    fn results(&mut self, op: Op, start: u32) {
        let res: SmallVec<[Value; 4]> = self.body.results(op).filter(|&v| self.is_stack_value(v)).collect();
        if res.is_empty() {
            return;
        }
        let block = self.body.block_of(op).expect("an emitted op is in a block");
        self.define(&res, start, block);
    }

    /// The catch clauses of a `wasm.try_table`, with depths seen from outside it.
    fn catches(&self, op: Op, labels: &[Value]) -> Result<Vec<we::Catch>, TranslateError> {
        let clauses = match self.attr(op, "clauses") {
            Some(AttrData::Array(v)) => v.clone(),
            _ => Box::new([]),
        };
        let tags = match self.attr(op, "tags") {
            Some(AttrData::Array(v)) => v.clone(),
            _ => Box::new([]),
        };
        let mut tag_iter = tags.iter();
        let mut next_tag = || -> Result<u32, TranslateError> {
            match tag_iter.next().map(|&a| self.ctx.attr_data(a)) {
                Some(AttrData::SymbolRef(p)) => self.idx.lookup(Some(p[0]), Space::Tag).map(|x| x.1),
                _ => Err(err("a catch clause without its tag")),
            }
        };
        let mut out = Vec::with_capacity(clauses.len());
        for (&c, &l) in clauses.iter().zip(labels) {
            let label = self.depth(l)?;
            let kind = self.ctx.attr_bytes(c).unwrap_or(b"");
            out.push(match kind {
                b"catch" => we::Catch::One { tag: next_tag()?, label },
                b"catch_ref" => we::Catch::OneRef { tag: next_tag()?, label },
                b"catch_all" => we::Catch::All { label },
                b"catch_all_ref" => we::Catch::AllRef { label },
                _ => return Err(err("an unknown catch clause")),
            });
        }
        Ok(out)
    }

    fn depth(&self, label: Value) -> Result<u32, TranslateError> {
        let pos = self.label_pos.get(&label).copied().ok_or_else(|| err("a branch to a label that is not of an enclosing structured op"))?;
        if self.labels.get(pos as usize) != Some(&Some(label)) {
            return Err(err("a branch to a label that is not of an enclosing structured op"));
        }
        Ok(self.labels.len() as u32 - 1 - pos)
    }

    fn block_type(&mut self, params: &[Type], results: &[Type]) -> Result<we::BlockType, TranslateError> {
        Ok(match (params, results) {
            ([], []) => we::BlockType::Empty,
            ([], [r]) => we::BlockType::Result(val_type(self.ctx, &self.idx.types, *r)?),
            _ => {
                we::BlockType::FunctionType(self.types.index_sig(params, results))
            }
        })
    }

    pub(super) fn memarg(&self, op: Op, align_log2: u32) -> Result<we::MemArg, TranslateError> {
        let memory_index = self.sym(op, "memory", Space::Memory)?;
        let offset = match self.attr(op, "offset") {
            Some(AttrData::Int { value, .. }) => *value as u64,
            _ => 0,
        };
        let align = match self.attr(op, "align") {
            Some(AttrData::Int { value, .. }) => (*value as u64).trailing_zeros(),
            _ => align_log2,
        };
        Ok(we::MemArg { offset, align, memory_index })
    }

    /// An integer constant whose value would not stay on the stack for its only user: instead
    /// of a local (`local.set` once, `local.get` per use, a declaration), the constant is
    /// written again at each use when that is no larger. Nothing is emitted here, and an unused
    /// constant is not emitted at all.
    fn rematerialize(&mut self, op: Op) -> bool {
        if self.const_mode || self.body.num_results(op) != 1 {
            return false;
        }
        let v = self.body.result(op, 0);
        let uses = self.remaining[v.as_u32() as usize];
        let Some(block) = self.body.block_of(op) else { return false };
        let user = self.body.uses(v).next().map(|u| self.body.use_data(u).user);
        if uses == 0 {
            // An unused constant does nothing: it is not written at all.
            return true;
        }
        if uses == 1 && user.and_then(|u| self.body.block_of(u)) == Some(block) {
            return false;
        }
        let (ins, value) = match self.attr(op, "value") {
            Some(AttrData::Int { value, .. }) if self.name(op) == "wasm.i32.const" => (we::Instruction::I32Const(*value as i32), *value),
            Some(AttrData::Int { value, .. }) => (we::Instruction::I64Const(*value as i64), *value),
            _ => return false,
        };
        // Bytes: the opcode and the signed LEB128 immediate.
        let mut n = 2u32;
        let mut x = value >> 6;
        while x != 0 && x != -1 {
            n += 1;
            x >>= 7;
        }
        let u = uses;
        if n * u > n + 4 + 2 * u {
            return false;
        }
        self.remat[v.as_u32() as usize] = Some(ins);
        true
    }

    /// A `local.get` whose every use follows it in the same block with no write to the local in
    /// between: instead of keeping the value (on the stack out of order, or in a second local),
    /// the local is read again at each use, which is never larger. The read may land before the
    /// code of a later operand, which can start earlier in the block than the `local.get` itself,
    /// so the block must not write the local before it either. Both scans are bounded, so the
    /// exporter stays linear.
    fn reread_local(&mut self, op: Op) -> Result<bool, TranslateError> {
        const SCAN: usize = 64;
        if self.const_mode || self.body.num_results(op) != 1 {
            return Ok(false);
        }
        let v = self.body.result(op, 0);
        let mut pending = self.remaining[v.as_u32() as usize];
        if pending == 0 {
            return Ok(false);
        }
        let local = self.body.operand(op, 0);
        let writes = |o: Op| matches!(self.name(o), "wasm.local.set" | "wasm.local.tee") && self.body.operand(o, 0) == local;
        let mut cur = self.body.prev_op(op);
        for step in 0..=SCAN {
            let Some(o) = cur else { break };
            if step == SCAN || writes(o) || !self.body.regions(o).is_empty() {
                return Ok(false);
            }
            cur = self.body.prev_op(o);
        }
        let mut cur = self.body.next_op(op);
        for _ in 0..SCAN {
            let Some(o) = cur else { return Ok(false) };
            // A use in the writing op itself reads before it writes.
            pending = pending.saturating_sub(self.body.operands(o).filter(|&x| x == v).count() as u32);
            if pending == 0 {
                let l = self.local(local)?;
                self.remat[v.as_u32() as usize] = Some(we::Instruction::LocalGet(l));
                return Ok(true);
            }
            if writes(o) || !self.body.regions(o).is_empty() {
                return Ok(false);
            }
            cur = self.body.next_op(o);
        }
        Ok(false)
    }

    fn op(&mut self, op: Op, scopes: &mut Vec<Scope>) -> Result<(), TranslateError> {
        self.seq += 1;
        let code = self.body.opcode(op);
        let Some(enc) = self.idx.enc.get(&code).cloned() else {
            return Err(err(format!(
                "the direct backend cannot encode `{}` (not a wasm instruction; lower it first)",
                self.name(op)
            )));
        };
        let all: SmallVec<[Value; 4]> = self.body.operands(op).collect();
        if matches!(enc, Enc::Special(Sp::I32Const | Sp::I64Const)) && self.rematerialize(op) {
            return Ok(());
        }
        if matches!(enc, Enc::Special(Sp::LocalGet)) && self.reread_local(op)? {
            return Ok(());
        }
        match enc {
            Enc::Plain(i) => {
                let start = self.operands(&all)?;
                self.out.push(i);
                self.after(op, start);
                Ok(())
            }
            Enc::Mem(f, align) => {
                let start = self.operands(&all)?;
                let m = self.memarg(op, align)?;
                self.out.push(f(m));
                self.after(op, start);
                Ok(())
            }
            Enc::Special(s) => self.special(op, s, &all, scopes),
            Enc::Imm(f) => {
                // `array.new_data` and `array.init_data` read data segments from code.
                self.uses_data_count |= self.name(op).ends_with("_data");
                let start = self.operands(&all)?;
                let i = f(self, op)?;
                self.out.push(i);
                self.after(op, start);
                Ok(())
            }
        }
    }

    /// After an op's instruction: free dead operands' locals, place the results.
    fn after(&mut self, op: Op, start: u32) {
        for v in std::mem::take(&mut self.dead) {
            self.free_local(v);
        }
        self.results(op, start);
    }

    fn special(&mut self, op: Op, s: Sp, all: &[Value], scopes: &mut Vec<Scope>) -> Result<(), TranslateError> {
        use we::Instruction as I;
        let stack: SmallVec<[Value; 4]> = match s {
            Sp::BrIf => all[2..].iter().chain(std::iter::once(&all[1])).copied().collect(),
            Sp::BrTable => {
                let mut v: SmallVec<[Value; 4]> = all[1..].iter().copied().filter(|&x| self.is_stack_value(x)).collect();
                v.push(all[0]);
                v
            }
            Sp::CallIndirect | Sp::ReturnCallIndirect => all[1..].iter().chain(std::iter::once(&all[0])).copied().collect(),
            Sp::Select => smallvec::smallvec![all[1], all[2], all[0]],
            Sp::BrOnNull | Sp::BrOnNonNull | Sp::BrOnCast | Sp::BrOnCastFail => all[2..].iter().chain(std::iter::once(&all[1])).copied().collect(),
            Sp::Local => {
                // A parameter used only to initialize this local is that local.
                if let Some(&init) = all.first() {
                    if let ValueDef::Arg(b, i) = self.body.value_def(init) {
                        let is_param = self.body.region_of(b).is_some_and(|r| self.body.region_parent(r).is_none());
                        if is_param && self.remaining[init.as_u32() as usize] == 1 {
                            self.remaining[init.as_u32() as usize] = 0;
                            let handle = self.body.result(op, 0);
                            self.local_of[handle.as_u32() as usize] = i;
                            return Ok(());
                        }
                    }
                }
                all.iter().copied().collect()
            }
            _ => all.iter().copied().filter(|&x| self.is_stack_value(x)).collect(),
        };
        let start = self.operands(&stack)?;
        let ins: Option<Ins> = match s {
            Sp::FuncReturn | Sp::Yield => None,
            Sp::Block | Sp::Loop | Sp::If | Sp::TryTable => {
                let results: SmallVec<[Type; 2]> = self.body.results(op).map(|v| self.ty(v)).collect();
                let params: SmallVec<[Type; 2]> = if s == Sp::Loop { all.iter().map(|&v| self.ty(v)).collect() } else { SmallVec::new() };
                let bt = self.block_type(&params, &results)?;
                for v in std::mem::take(&mut self.dead) {
                    self.free_local(v);
                }
                if Some(op) != self.wrapper {
                    let i = match s {
                        Sp::Block => I::Block(bt),
                        Sp::Loop => I::Loop(bt),
                        Sp::TryTable => I::TryTable(bt, self.catches(op, all)?.into()),
                        _ => I::If(bt),
                    };
                    self.out.push(i);
                }
                if s == Sp::If && self.body.regions(op).len() < 2 && !results.is_empty() {
                    return Err(err("a `wasm.if` with results needs an else region"));
                }
                self.enter_region(op, 0, start, s == Sp::Loop, scopes)?;
                return Ok(());
            }
            Sp::Br => Some(I::Br(self.depth(all[0])?)),
            Sp::BrIf => {
                let d = self.depth(all[0])?;
                self.out.push(I::BrIf(d));
                // The values stay on the stack when the branch is not taken.
                for _ in 2..all.len() {
                    self.out.push(I::Drop);
                }
                None
            }
            Sp::BrTable => {
                let labels: SmallVec<[Value; 8]> = all[1..].iter().copied().filter(|&x| self.ty(x) == self.ctx.label_type()).collect();
                let (default, targets) = labels.split_last().ok_or_else(|| err("`wasm.br_table` without targets"))?;
                let t: Vec<u32> = targets.iter().map(|&l| self.depth(l)).collect::<Result<_, _>>()?;
                Some(I::BrTable(t.into(), self.depth(*default)?))
            }
            Sp::Return => Some(I::Return),
            Sp::Call => Some(I::Call(self.sym(op, "callee", Space::Func)?)),
            Sp::ReturnCall => Some(I::ReturnCall(self.sym(op, "callee", Space::Func)?)),
            Sp::CallIndirect | Sp::ReturnCallIndirect => {
                let table_index = self.sym(op, "table", Space::Table)?;
                let fty = match self.attr(op, "type") {
                    Some(AttrData::Type(t)) => *t,
                    _ => return Err(err("`wasm.call_indirect` needs its `type`")),
                };
                let type_index = match self.attr(op, "typedef") {
                    Some(AttrData::SymbolRef(p)) => *self.idx.types.get(&p[0]).ok_or_else(|| err(format!("unknown type @{}", self.ctx.str(p[0]))))?,
                    _ => self.types.index(self.ctx, fty),
                };
                Some(if s == Sp::CallIndirect { I::CallIndirect { type_index, table_index } } else { I::ReturnCallIndirect { type_index, table_index } })
            }
            Sp::Select => {
                let t = self.result_type(op, 0);
                if self.ctx.is_ref(t) { Some(I::TypedSelect(val_type(self.ctx, &self.idx.types, t)?)) } else { Some(I::Select) }
            }
            Sp::Local => {
                let t = match self.attr(op, "type") {
                    Some(AttrData::Type(t)) => *t,
                    _ => return Err(err("`wasm.local` needs its `type`")),
                };
                let l = self.dedicated(val_type(self.ctx, &self.idx.types, t)?);
                let handle = self.body.result(op, 0);
                self.local_of[handle.as_u32() as usize] = l;
                if all.is_empty() { None } else { Some(I::LocalSet(l)) }
            }
            Sp::LocalGet => Some(I::LocalGet(self.local(all[0])?)),
            Sp::LocalSet => Some(I::LocalSet(self.local(all[0])?)),
            Sp::LocalTee => Some(I::LocalTee(self.local(all[0])?)),
            Sp::GlobalGet => Some(I::GlobalGet(self.sym(op, "global", Space::Global)?)),
            Sp::GlobalSet => Some(I::GlobalSet(self.sym(op, "global", Space::Global)?)),
            Sp::I32Const | Sp::I64Const => match self.attr(op, "value") {
                Some(AttrData::Int { value, .. }) => Some(if s == Sp::I32Const { I::I32Const(*value as i32) } else { I::I64Const(*value as i64) }),
                _ => return Err(err("an integer constant without an integer `value`")),
            },
            Sp::F32Const | Sp::F64Const => match self.attr(op, "value") {
                Some(AttrData::Float { bits, .. }) => Some(if s == Sp::F32Const {
                    I::F32Const(we::Ieee32::new(*bits as u32))
                } else {
                    I::F64Const(we::Ieee64::new(*bits))
                }),
                _ => return Err(err("a float constant without a float `value`")),
            },
            Sp::MemorySize => Some(I::MemorySize(self.sym(op, "memory", Space::Memory)?)),
            Sp::MemoryGrow => Some(I::MemoryGrow(self.sym(op, "memory", Space::Memory)?)),
            Sp::MemoryFill => Some(I::MemoryFill(self.sym(op, "memory", Space::Memory)?)),
            Sp::MemoryCopy => Some(I::MemoryCopy { dst_mem: self.sym(op, "dst", Space::Memory)?, src_mem: self.sym(op, "src", Space::Memory)? }),
            Sp::MemoryInit => {
                self.uses_data_count = true;
                Some(I::MemoryInit { mem: self.sym(op, "memory", Space::Memory)?, data_index: self.sym(op, "segment", Space::Data)? })
            }
            Sp::DataDrop => {
                self.uses_data_count = true;
                Some(I::DataDrop(self.sym(op, "segment", Space::Data)?))
            }
            Sp::TableGet => Some(I::TableGet(self.sym(op, "table", Space::Table)?)),
            Sp::TableSet => Some(I::TableSet(self.sym(op, "table", Space::Table)?)),
            Sp::TableSize => Some(I::TableSize(self.sym(op, "table", Space::Table)?)),
            Sp::TableGrow => Some(I::TableGrow(self.sym(op, "table", Space::Table)?)),
            Sp::TableFill => Some(I::TableFill(self.sym(op, "table", Space::Table)?)),
            Sp::TableCopy => Some(I::TableCopy { dst_table: self.sym(op, "dst", Space::Table)?, src_table: self.sym(op, "src", Space::Table)? }),
            Sp::TableInit => Some(I::TableInit { table: self.sym(op, "table", Space::Table)?, elem_index: self.sym(op, "segment", Space::Elem)? }),
            Sp::ElemDrop => Some(I::ElemDrop(self.sym(op, "segment", Space::Elem)?)),
            Sp::RefNull => {
                let t = self.ty(self.body.result(op, 0));
                Some(I::RefNull(super::ref_type(self.ctx, &self.idx.types, t)?.heap_type))
            }
            Sp::RefFunc => Some(I::RefFunc(self.sym(op, "function", Space::Func)?)),
            Sp::BrOnNull | Sp::BrOnNonNull | Sp::BrOnCast | Sp::BrOnCastFail => {
                let d = self.depth(all[0])?;
                let i = match s {
                    Sp::BrOnNull => I::BrOnNull(d),
                    Sp::BrOnNonNull => I::BrOnNonNull(d),
                    _ => {
                        let from = match self.attr(op, "from") {
                            Some(AttrData::Type(t)) => self.ref_type_of(*t)?,
                            _ => return Err(err("`br_on_cast` needs `from`")),
                        };
                        let to = match self.attr(op, "to") {
                            Some(AttrData::Type(t)) => self.ref_type_of(*t)?,
                            _ => return Err(err("`br_on_cast` needs `to`")),
                        };
                        if s == Sp::BrOnCast {
                            I::BrOnCast { relative_depth: d, from_ref_type: from, to_ref_type: to }
                        } else {
                            I::BrOnCastFail { relative_depth: d, from_ref_type: from, to_ref_type: to }
                        }
                    }
                };
                self.out.push(i);
                // The arguments stay on the stack, under the result when there is one.
                let nargs = all.len() - 2;
                if nargs > 0 {
                    if s == Sp::BrOnNonNull {
                        for _ in 0..nargs {
                            self.out.push(I::Drop);
                        }
                    } else {
                        let t = val_type(self.ctx, &self.idx.types, self.result_type(op, 0))?;
                        let tmp = self.dedicated(t);
                        self.out.push(I::LocalSet(tmp));
                        for _ in 0..nargs {
                            self.out.push(I::Drop);
                        }
                        self.out.push(I::LocalGet(tmp));
                    }
                }
                None
            }
            Sp::Throw => Some(I::Throw(self.sym(op, "tag", Space::Tag)?)),
            Sp::ThrowRef => Some(I::ThrowRef),
        };
        if let Some(i) = ins {
            self.out.push(i);
        }
        self.after(op, start);
        Ok(())
    }
}


/// Constant expressions (initializers, offsets, element items): the same encoding without
/// locals.
pub(crate) struct ConstEmitter<'a> {
    e: FuncEmitter<'a>,
}

impl<'a> ConstEmitter<'a> {
    pub fn new(ctx: &'a Context, module: &'a Module, body: BodyId, idx: &'a Indices, types: &'a mut Types) -> Self {
        let mut e = FuncEmitter::new(ctx, module, body, idx, types);
        e.const_mode = true;
        ConstEmitter { e }
    }

    fn run(&mut self, region: Region) -> Result<(), TranslateError> {
        // One emitter serves every constant expression of the module: reset what one leaves.
        self.e.out.clear();
        self.e.inserts.clear();
        self.e.pends.clear();
        let entry = self.e.body.first_block(region).ok_or_else(|| err("an empty constant expression region"))?;
        self.e.pends.push(Vec::new());
        let mut scopes = vec![Scope { next: self.e.body.first_op(entry), after: After::Const }];
        self.e.run(&mut scopes)?;
        if !self.e.inserts.is_empty() {
            return Err(err("a constant expression must compute its values in stack order, without locals"));
        }
        Ok(())
    }

    pub fn expr(&mut self, region: Region) -> Result<we::ConstExpr, TranslateError> {
        self.run(region)?;
        Ok(we::ConstExpr::extended(std::mem::take(&mut self.e.out)))
    }

    /// One expression per yielded item, with the function index when the item is `ref.func`.
    pub fn items(&mut self, region: Region) -> Result<Vec<(we::ConstExpr, Option<u32>)>, TranslateError> {
        self.run(region)?;
        // The yield is the last op: its operands' trees are the items, in order.
        let starts = std::mem::take(&mut self.e.last_starts);
        let out = std::mem::take(&mut self.e.out);
        if starts.contains(&NONE) {
            return Err(err("element items must each be one constant expression, in order"));
        }
        let mut bounds: Vec<usize> = starts.iter().map(|&s| s as usize).collect();
        bounds.push(out.len());
        Ok(bounds
            .windows(2)
            .map(|w| {
                let insns = &out[w[0]..w[1]];
                let f = match insns {
                    [we::Instruction::RefFunc(f)] => Some(*f),
                    _ => None,
                };
                (we::ConstExpr::extended(insns.iter().cloned()), f)
            })
            .collect())
    }
}
