//! One function body (or constant expression) from wasm operators to ops.
//!
//! The operand stack holds SSA values. Each control frame knows the block its ops go to and,
//! once something branches to it, its label. Code after an unconditional transfer (`br`,
//! `return`, `unreachable`, …) until the end of its frame cannot run and is not translated.
use super::{err, parse_err, ref_type, val_type, ModuleInfo};
use crate::TranslateError;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use wasmir::{Attr, Block, BodyId, Context, HeapType, Module, Op, OpCode, Region, Type, TypeData, Value};
use wasmparser::{BlockType, Operator, OperatorsReader};

/// What the importer learns of a function body before translating it.
#[derive(Default)]
pub struct Prescan {
    /// Parameters written by `local.set`/`local.tee`.
    pub written: Vec<bool>,
    /// A conditional branch targets the function's own label (the body becomes a block).
    pub needs_func_label: bool,
    /// The body uses typed references (GC, typed function references, concrete `ref.null`).
    pub typed: bool,
    /// How many operators the body has (to size the IR arenas).
    pub operators: usize,
}

/// One pass over a body's locals and operators.
pub fn prescan(fb: &wasmparser::FunctionBody<'_>, nparams: usize) -> Result<Prescan, TranslateError> {
    let concrete = |t: wasmparser::ValType| matches!(t, wasmparser::ValType::Ref(r) if !r.is_nullable() || !matches!(r.heap_type(), wasmparser::HeapType::Abstract { .. }));
    let mut p = Prescan { written: vec![false; nparams], ..Prescan::default() };
    let mut locals = fb.get_locals_reader().map_err(parse_err)?;
    for _ in 0..locals.get_count() {
        let (_, t) = locals.read().map_err(parse_err)?;
        p.typed |= concrete(t);
    }
    let mut depth = 0u32;
    let mut ops = fb.get_operators_reader().map_err(parse_err)?;
    while !ops.eof() {
        let op = ops.read().map_err(parse_err)?;
        p.operators += 1;
        match &op {
            Operator::LocalSet { local_index } | Operator::LocalTee { local_index } => {
                if let Some(w) = p.written.get_mut(*local_index as usize) {
                    *w = true;
                }
            }
            Operator::Block { blockty } | Operator::Loop { blockty } | Operator::If { blockty } | Operator::Try { blockty } => {
                depth += 1;
                p.typed |= matches!(blockty, BlockType::Type(t) if concrete(*t));
            }
            Operator::TryTable { try_table } => {
                // Catch clauses name labels from outside the try_table.
                for c in &try_table.catches {
                    let label = match *c {
                        wasmparser::Catch::One { label, .. } | wasmparser::Catch::OneRef { label, .. } => label,
                        wasmparser::Catch::All { label } | wasmparser::Catch::AllRef { label } => label,
                    };
                    p.needs_func_label |= label == depth;
                }
                depth += 1;
                p.typed |= matches!(try_table.ty, BlockType::Type(t) if concrete(t));
            }
            Operator::End => depth = depth.saturating_sub(1),
            Operator::BrIf { relative_depth }
            | Operator::BrOnNull { relative_depth }
            | Operator::BrOnNonNull { relative_depth }
            | Operator::BrOnCast { relative_depth, .. }
            | Operator::BrOnCastFail { relative_depth, .. } => p.needs_func_label |= *relative_depth == depth,
            Operator::BrTable { targets } => {
                for t in targets.targets() {
                    p.needs_func_label |= t.map_err(parse_err)? == depth;
                }
                p.needs_func_label |= targets.default() == depth;
            }
            Operator::RefNull { hty } => p.typed |= !matches!(hty, wasmparser::HeapType::Abstract { .. }),
            Operator::TypedSelect { ty } => p.typed |= concrete(*ty),
            _ => {}
        }
        if !p.typed {
            let v = visit_name(&op);
            p.typed = ["visit_struct_", "visit_array_", "visit_ref_test", "visit_ref_cast", "visit_br_on_", "visit_call_ref", "visit_return_call_ref", "visit_ref_as_non_null", "visit_ref_i31", "visit_i31_", "visit_any_convert", "visit_extern_convert", "visit_ref_eq"]
                .iter()
                .any(|p| v.starts_with(p));
        }
    }
    Ok(p)
}

/// Op codes and result types of numeric ops, looked up once per distinct instruction.
#[derive(Default)]
pub struct Consts {
    // Keyed by the address of the static name: every name is a distinct literal, and hashing
    // an address is much cheaper than hashing the text once per instruction.
    numeric: FxHashMap<usize, Option<(OpCode, u8, SmallVec<[Type; 1]>)>>,
    codes: FxHashMap<usize, OpCode>,
}

/// The `VisitOperator` method name of an operator (`visit_i32_add`): for the numeric ops it
/// names the `wasm` op (`wasm.i32.add`).
fn visit_name(op: &Operator<'_>) -> &'static str {
    macro_rules! names {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            match op {
                $( Operator::$op { .. } => stringify!($visit), )*
                _ => "",
            }
        };
    }
    wasmparser::for_each_operator!(names)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// The function itself: a branch to it returns.
    Func,
    /// A constant expression; `end` yields the value(s).
    Const,
    Block,
    Loop,
    If,
    TryTable,
}

struct Frame {
    kind: Kind,
    op: Option<Op>,
    /// Where the ops of this frame go: the entry block of its current region.
    block: Block,
    label: Option<Value>,
    params: SmallVec<[Type; 2]>,
    results: SmallVec<[Type; 2]>,
    /// An `if`'s parameter values, seen again by its else arm.
    param_vals: SmallVec<[Value; 2]>,
    /// Stack height below the frame's values.
    height: usize,
    unreachable: bool,
    has_else: bool,
    /// The block that stands for the function's own label; its end ends the function.
    func_wrapper: bool,
}

#[derive(Clone, Copy)]
enum Slot {
    /// A parameter never written: its uses are the entry argument itself.
    Param(Value),
    Local(Value, Type),
}

pub struct FuncTranslator<'a> {
    ctx: &'a mut Context,
    module: &'a mut Module,
    body: BodyId,
    info: &'a ModuleInfo,
    consts: &'a mut Consts,
    stack: Vec<Value>,
    frames: Vec<Frame>,
    slots: Vec<Slot>,
    /// Nesting depth inside unreachable code being skipped.
    skip: u32,
    /// The function's type, or the constant's type.
    results: SmallVec<[Type; 2]>,
    entry: Block,
    region: Option<Region>,
    needs_func_label: bool,
    local_names: Option<&'a FxHashMap<u32, String>>,
    /// Translating one element-segment item: its `end` leaves the value on the stack.
    item_mode: bool,
    empty: Attr,
}

impl<'a> FuncTranslator<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new_func(
        ctx: &'a mut Context,
        module: &'a mut Module,
        body: BodyId,
        entry: Block,
        info: &'a ModuleInfo,
        consts: &'a mut Consts,
        fty: Type,
        local_names: Option<&'a FxHashMap<u32, String>>,
    ) -> Self {
        let TypeData::Function { results, .. } = ctx.type_data(fty).clone() else { unreachable!("a function type") };
        let empty = ctx.empty_dict();
        FuncTranslator {
            ctx,
            module,
            body,
            info,
            consts,
            stack: Vec::new(),
            frames: Vec::new(),
            slots: Vec::new(),
            skip: 0,
            results: results.iter().copied().collect(),
            entry,
            region: None,
            needs_func_label: false,
            local_names,
            item_mode: false,
            empty,
        }
    }

    /// A translator for constant expressions into a new region of `body` (the module's).
    pub fn new_const(ctx: &'a mut Context, module: &'a mut Module, body: BodyId, info: &'a ModuleInfo, consts: &'a mut Consts, ty: Type) -> Self {
        let b = module.body_mut(body);
        let region = b.create_region();
        let entry = b.create_block();
        b.append_block(region, entry);
        let empty = ctx.empty_dict();
        let mut t = FuncTranslator {
            ctx,
            module,
            body,
            info,
            consts,
            stack: Vec::new(),
            frames: Vec::new(),
            slots: Vec::new(),
            skip: 0,
            results: smallvec::smallvec![ty],
            entry,
            region: Some(region),
            needs_func_label: false,
            local_names: None,
            item_mode: false,
            empty,
        };
        t.frames.push(t.frame(Kind::Const, None, entry, &[], &[ty], 0));
        t
    }

    fn frame(&self, kind: Kind, op: Option<Op>, block: Block, params: &[Type], results: &[Type], height: usize) -> Frame {
        Frame {
            kind,
            op,
            block,
            label: None,
            params: params.iter().copied().collect(),
            results: results.iter().copied().collect(),
            param_vals: SmallVec::new(),
            height,
            unreachable: false,
            has_else: false,
            func_wrapper: false,
        }
    }

    pub(super) fn ctx(&mut self) -> &mut Context {
        self.ctx
    }

    pub(super) fn b(&mut self) -> &mut wasmir::Body {
        self.module.body_mut(self.body)
    }

    /// Declares the locals: a written parameter and every declared local become `wasm.local`
    /// ops; a parameter never written stays the entry argument.
    pub fn locals(&mut self, fb: &wasmparser::FunctionBody<'_>, pre: &Prescan) -> Result<(), TranslateError> {
        let params: Vec<Value> = self.module.body(self.body).block_args(self.entry).to_vec();
        let mut declared: Vec<Type> = Vec::new();
        let mut reader = fb.get_locals_reader().map_err(parse_err)?;
        for _ in 0..reader.get_count() {
            let off = reader.original_position();
            let (n, t) = reader.read().map_err(parse_err)?;
            let t = val_type(self.ctx, self.info, t, off)?;
            declared.extend(std::iter::repeat_n(t, n as usize));
        }
        let written = &pre.written;
        self.needs_func_label = pre.needs_func_label;
        self.b().reserve(pre.operators + declared.len());
        let local_ty = self.ctx.local_type();
        let code = self.code("wasm.local");
        let type_key = self.ctx.ident("type");
        let loc = self.ctx.unknown_loc();
        let make = |t: &mut Self, ty: Type, init: Option<Value>, index: u32| -> Value {
            let ta = t.ctx.type_attr(ty);
            let dict = t.ctx.dict_attr(vec![(type_key, ta)]);
            let operands: SmallVec<[Value; 1]> = init.into_iter().collect();
            let entry = t.entry;
            let b = t.module.body_mut(t.body);
            let op = b.create_op(code, &operands, &[local_ty], &[], &[], None, dict, loc);
            b.append_op(entry, op);
            let v = b.result(op, 0);
            t.name_local(v, index);
            v
        };
        for (i, &p) in params.iter().enumerate() {
            if written.get(i).copied().unwrap_or(false) {
                let ty = self.module.body(self.body).value_type(p);
                let l = make(self, ty, Some(p), i as u32);
                self.slots.push(Slot::Local(l, ty));
            } else {
                self.name_local(p, i as u32);
                self.slots.push(Slot::Param(p));
            }
        }
        for (i, &ty) in declared.iter().enumerate() {
            let l = make(self, ty, None, (params.len() + i) as u32);
            self.slots.push(Slot::Local(l, ty));
        }
        let entry = self.entry;
        let results = self.results.clone();
        self.frames.push(self.frame(Kind::Func, None, entry, &[], &results, 0));
        if self.needs_func_label {
            self.open(Kind::Block, &[], &results, 0)?;
            self.frames.last_mut().expect("just pushed").func_wrapper = true;
        }
        Ok(())
    }

    /// Names a local's value after the name section, when the name reads as a value name.
    fn name_local(&mut self, v: Value, index: u32) {
        let Some(name) = self.local_names.and_then(|m| m.get(&index)) else { return };
        let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.'));
        if ok {
            let id = self.ctx.ident(name);
            self.b().set_value_name(v, Some(id));
        }
    }

    pub(super) fn code(&mut self, name: &'static str) -> OpCode {
        if let Some(&c) = self.consts.codes.get(&(name.as_ptr() as usize)) {
            return c;
        }
        let c = self.ctx.lookup_op(name).expect("the wasm dialect defines every op the importer makes");
        self.consts.codes.insert(name.as_ptr() as usize, c);
        c
    }

    fn cur_block(&self) -> Block {
        self.frames.last().expect("a frame is open").block
    }

    /// Creates an op at the end of the current block.
    pub(super) fn emit(&mut self, name: &'static str, operands: &[Value], results: &[Type], attrs: Attr, regions: &[Region]) -> Op {
        let code = self.code(name);
        self.emit_code(code, operands, results, attrs, regions)
    }

    pub(super) fn emit_code(&mut self, code: OpCode, operands: &[Value], results: &[Type], attrs: Attr, regions: &[Region]) -> Op {
        let loc = self.ctx.unknown_loc();
        let block = self.cur_block();
        let b = self.b();
        let op = b.create_op(code, operands, results, &[], regions, None, attrs, loc);
        b.append_op(block, op);
        op
    }

    pub(super) fn emit1(&mut self, name: &'static str, operands: &[Value], result: Type, attrs: Attr) -> Value {
        let op = self.emit(name, operands, &[result], attrs, &[]);
        self.b().result(op, 0)
    }

    pub(super) fn attrs(&mut self, entries: &[(&str, Attr)]) -> Attr {
        let e: Vec<(wasmir::Ident, Attr)> = entries.iter().map(|(k, v)| (self.ctx.ident(k), *v)).collect();
        self.ctx.dict_attr(e)
    }

    pub(super) fn pop(&mut self) -> Value {
        self.stack.pop().expect("validated: the operand stack has the value")
    }

    pub(super) fn pop_n(&mut self, n: usize) -> SmallVec<[Value; 4]> {
        let at = self.stack.len() - n;
        self.stack.drain(at..).collect()
    }

    pub(super) fn top_n(&self, n: usize) -> SmallVec<[Value; 4]> {
        self.stack[self.stack.len() - n..].iter().copied().collect()
    }

    pub(super) fn push_results(&mut self, op: Op) {
        let b = self.module.body(self.body);
        let n = b.num_results(op);
        for i in 0..n {
            let v = b.result(op, i);
            self.stack.push(v);
        }
    }

    fn block_type(&mut self, bt: BlockType, offset: usize) -> Result<(SmallVec<[Type; 2]>, SmallVec<[Type; 2]>), TranslateError> {
        Ok(match bt {
            BlockType::Empty => (SmallVec::new(), SmallVec::new()),
            BlockType::Type(t) => (SmallVec::new(), smallvec::smallvec![val_type(self.ctx, self.info, t, offset)?]),
            BlockType::FuncType(i) => {
                let fty = self.info.types[i as usize].ok_or_else(|| err("a block type must be a function type", offset))?;
                let TypeData::Function { params, results } = self.ctx.type_data(fty) else { unreachable!() };
                (params.iter().copied().collect(), results.iter().copied().collect())
            }
        })
    }

    fn new_region(&mut self) -> (Region, Block) {
        let b = self.b();
        let r = b.create_region();
        let e = b.create_block();
        b.append_block(r, e);
        (r, e)
    }

    fn open(&mut self, kind: Kind, params: &[Type], results: &[Type], _offset: usize) -> Result<(), TranslateError> {
        let (region, entry) = self.new_region();
        let empty = self.empty;
        match kind {
            Kind::Block => {
                let height = self.stack.len() - params.len();
                let op = self.emit("wasm.block", &[], results, empty, &[region]);
                self.frames.push(self.frame(kind, Some(op), entry, params, results, height));
            }
            Kind::Loop => {
                let inits = self.pop_n(params.len());
                let label_ty = self.ctx.label_type();
                let mut label = None;
                if !params.is_empty() {
                    label = Some(self.b().add_block_arg(entry, label_ty));
                }
                let op = self.emit("wasm.loop", &inits, results, empty, &[region]);
                let height = self.stack.len();
                let mut f = self.frame(kind, Some(op), entry, params, results, height);
                f.label = label;
                self.frames.push(f);
                for &p in params {
                    let a = self.b().add_block_arg(entry, p);
                    self.stack.push(a);
                }
            }
            Kind::If => {
                let cond = self.pop();
                let height = self.stack.len() - params.len();
                let op = self.emit("wasm.if", &[cond], results, empty, &[region]);
                let mut f = self.frame(kind, Some(op), entry, params, results, height);
                f.param_vals = self.stack[height..].iter().copied().collect();
                self.frames.push(f);
            }
            Kind::TryTable => unreachable!("opened by `try_table`"),
            Kind::Func | Kind::Const => unreachable!("not opened by an instruction"),
        }
        Ok(())
    }

    /// Ends the current region with `wasm.yield` of the frame's results, unless unreachable.
    fn yield_results(&mut self) {
        let f = self.frames.last().expect("frame");
        if f.unreachable {
            return;
        }
        let n = f.results.len();
        let vals = self.top_n(n);
        let empty = self.empty;
        self.emit("wasm.yield", &vals, &[], empty, &[]);
    }

    /// The label of frame `idx`, made on first use.
    fn label(&mut self, idx: usize) -> Value {
        if let Some(l) = self.frames[idx].label {
            return l;
        }
        let block = self.frames[idx].block;
        let t = self.ctx.label_type();
        let l = self.b().add_block_arg(block, t);
        self.frames[idx].label = Some(l);
        l
    }

    /// Frame index of a relative depth, and how many values a branch there carries.
    fn target(&self, depth: u32) -> (usize, usize) {
        let idx = self.frames.len() - 1 - depth as usize;
        let f = &self.frames[idx];
        let arity = if f.kind == Kind::Loop { f.params.len() } else { f.results.len() };
        (idx, arity)
    }

    pub(super) fn set_unreachable(&mut self) {
        let f = self.frames.last_mut().expect("frame");
        f.unreachable = true;
        let h = f.height;
        self.stack.truncate(h);
    }

    pub(super) fn memarg(&mut self, m: &wasmparser::MemArg) -> Attr {
        let mem = self.info.memory_syms[m.memory as usize];
        let mut entries: SmallVec<[(&str, Attr); 3]> = smallvec::smallvec![("memory", mem)];
        let i64t = self.ctx.i64();
        if m.offset != 0 {
            entries.push(("offset", self.ctx.int_attr(m.offset as i64 as i128, i64t)));
        }
        if m.align != m.max_align {
            entries.push(("align", self.ctx.int_attr(1i128 << m.align, i64t)));
        }
        self.attrs(&entries)
    }

    pub(super) fn mem_index_type(&self, mem: u32) -> Type {
        if self.info.memory64[mem as usize] { self.ctx.i64() } else { self.ctx.i32() }
    }

    pub(super) fn table_index_type(&self, t: u32) -> Type {
        if self.info.table_types[t as usize].1 { self.ctx.i64() } else { self.ctx.i32() }
    }

    /// Translates operators up to and including the end of the outermost frame.
    pub fn translate(&mut self, mut ops: OperatorsReader<'_>) -> Result<(), TranslateError> {
        while !ops.eof() {
            let (op, offset) = ops.read_with_offset().map_err(parse_err)?;
            if self.frames.is_empty() {
                return Err(err("operators after the end of the function", offset));
            }
            self.operator(op, offset)?;
        }
        Ok(())
    }

    /// Translates one element-segment item expression, leaving its value on the stack.
    pub fn translate_item(&mut self, ops: OperatorsReader<'_>) -> Result<(), TranslateError> {
        self.item_mode = true;
        self.translate(ops)?;
        self.item_mode = false;
        Ok(())
    }

    pub fn push_ref_func(&mut self, f: u32) {
        let sym = self.info.func_syms[f as usize];
        let a = self.attrs(&[("function", sym)]);
        // With typed references, `ref.func` is precise: a non-null reference to its type.
        let t = if self.info.typed {
            let ty = self.info.type_syms[self.info.func_types[f as usize] as usize];
            self.info.gc_used.set(true);
            self.ctx.ref_type(false, false, wasmir::RefHeap::Defined(ty))
        } else {
            self.ctx.ty(TypeData::Ref(HeapType::Func))
        };
        let v = self.emit1("wasm.ref.func", &[], t, a);
        self.stack.push(v);
    }

    /// The region of a constant expression.
    pub fn finish_const(self) -> Region {
        self.region.expect("a constant translator has its region")
    }

    /// Ends an element segment's items region, yielding every item.
    pub fn finish_items(mut self, _ty: Type) -> Region {
        let vals: SmallVec<[Value; 4]> = self.stack.drain(..).collect();
        let empty = self.empty;
        self.emit("wasm.yield", &vals, &[], empty, &[]);
        self.region.expect("a constant translator has its region")
    }

    fn operator(&mut self, op: Operator<'_>, offset: usize) -> Result<(), TranslateError> {
        // Unreachable code: track nesting only.
        if self.frames.last().is_some_and(|f| f.unreachable) {
            match op {
                Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } | Operator::TryTable { .. } | Operator::Try { .. } => {
                    self.skip += 1;
                    return Ok(());
                }
                Operator::End if self.skip > 0 => {
                    self.skip -= 1;
                    return Ok(());
                }
                Operator::Else if self.skip > 0 => return Ok(()),
                Operator::End | Operator::Else => {}
                _ => return Ok(()),
            }
        }
        let empty = self.empty;
        match op {
            Operator::Nop => {
                self.emit("wasm.nop", &[], &[], empty, &[]);
            }
            Operator::Unreachable => {
                self.emit("wasm.unreachable", &[], &[], empty, &[]);
                self.set_unreachable();
            }
            Operator::Block { blockty } => {
                let (p, r) = self.block_type(blockty, offset)?;
                self.open(Kind::Block, &p, &r, offset)?;
            }
            Operator::Loop { blockty } => {
                let (p, r) = self.block_type(blockty, offset)?;
                self.open(Kind::Loop, &p, &r, offset)?;
            }
            Operator::If { blockty } => {
                let (p, r) = self.block_type(blockty, offset)?;
                self.open(Kind::If, &p, &r, offset)?;
            }
            Operator::TryTable { try_table } => {
                let (p, r) = self.block_type(try_table.ty, offset)?;
                // Clause labels are resolved outside the try_table's own label.
                let mut labels: SmallVec<[Value; 4]> = SmallVec::new();
                let mut clauses: Vec<Attr> = Vec::new();
                let mut tags: Vec<Attr> = Vec::new();
                for c in &try_table.catches {
                    let (kind, tag, depth) = match *c {
                        wasmparser::Catch::One { tag, label } => ("catch", Some(tag), label),
                        wasmparser::Catch::OneRef { tag, label } => ("catch_ref", Some(tag), label),
                        wasmparser::Catch::All { label } => ("catch_all", None, label),
                        wasmparser::Catch::AllRef { label } => ("catch_all_ref", None, label),
                    };
                    let (idx, _) = self.target(depth);
                    if self.frames[idx].kind == Kind::Func {
                        return Err(err("a catch clause branching to the function's own label is not supported yet", offset));
                    }
                    labels.push(self.label(idx));
                    clauses.push(self.ctx.string_attr(kind));
                    if let Some(t) = tag {
                        tags.push(self.info.tag_syms[t as usize]);
                    }
                }
                let (region, entry) = self.new_region();
                let height = self.stack.len() - p.len();
                let ca = self.ctx.attr(wasmir::AttrData::Array(clauses.into_boxed_slice()));
                let mut entries: SmallVec<[(&str, Attr); 2]> = smallvec::smallvec![("clauses", ca)];
                if !tags.is_empty() {
                    entries.push(("tags", self.ctx.attr(wasmir::AttrData::Array(tags.into_boxed_slice()))));
                }
                let a = self.attrs(&entries);
                let op = self.emit("wasm.try_table", &labels, &r, a, &[region]);
                let f = self.frame(Kind::TryTable, Some(op), entry, &p, &r, height);
                self.frames.push(f);
            }
            Operator::Throw { tag_index } => {
                let t = self.info.tag_types[tag_index as usize];
                let TypeData::Function { params, .. } = self.ctx.type_data(t).clone() else { unreachable!() };
                let args = self.pop_n(params.len());
                let a = self.attrs(&[("tag", self.info.tag_syms[tag_index as usize])]);
                self.emit("wasm.throw", &args, &[], a, &[]);
                self.set_unreachable();
            }
            Operator::ThrowRef => {
                let e = self.pop();
                self.emit("wasm.throw_ref", &[e], &[], empty, &[]);
                self.set_unreachable();
            }
            Operator::Else => {
                self.yield_results();
                let (region, entry) = self.new_region();
                let f = self.frames.last_mut().expect("frame");
                let op = f.op.expect("an if has its op");
                f.block = entry;
                f.label = None;
                f.unreachable = false;
                f.has_else = true;
                let h = f.height;
                let vals = f.param_vals.clone();
                self.b().add_region(op, region);
                self.stack.truncate(h);
                self.stack.extend(vals);
            }
            Operator::End => self.end(offset)?,
            Operator::Br { relative_depth } => {
                let (idx, arity) = self.target(relative_depth);
                let vals = self.top_n(arity);
                if self.frames[idx].kind == Kind::Func {
                    self.emit("wasm.return", &vals, &[], empty, &[]);
                } else {
                    let l = self.label(idx);
                    let mut ops: SmallVec<[Value; 4]> = smallvec::smallvec![l];
                    ops.extend(vals);
                    self.emit("wasm.br", &ops, &[], empty, &[]);
                }
                self.set_unreachable();
            }
            Operator::BrIf { relative_depth } => {
                let cond = self.pop();
                let (idx, arity) = self.target(relative_depth);
                let vals = self.top_n(arity);
                debug_assert!(self.frames[idx].kind != Kind::Func, "the function's label is a block when br_if targets it");
                let l = self.label(idx);
                let mut ops: SmallVec<[Value; 4]> = smallvec::smallvec![l, cond];
                ops.extend(vals);
                self.emit("wasm.br_if", &ops, &[], empty, &[]);
            }
            Operator::BrTable { targets } => {
                let index = self.pop();
                let (_, arity) = self.target(targets.default());
                let vals = self.top_n(arity);
                let mut ops: SmallVec<[Value; 4]> = smallvec::smallvec![index];
                for t in targets.targets() {
                    let t = t.map_err(parse_err)?;
                    let (idx, _) = self.target(t);
                    ops.push(self.label(idx));
                }
                let (idx, _) = self.target(targets.default());
                ops.push(self.label(idx));
                ops.extend(vals);
                self.emit("wasm.br_table", &ops, &[], empty, &[]);
                self.set_unreachable();
            }
            Operator::Return => {
                let n = self.results.len();
                let vals = self.top_n(n);
                self.emit("wasm.return", &vals, &[], empty, &[]);
                self.set_unreachable();
            }
            Operator::Call { function_index } => {
                let fty = self.info.func_type(function_index);
                let TypeData::Function { params, results } = self.ctx.type_data(fty).clone() else { unreachable!() };
                let args = self.pop_n(params.len());
                let sym = self.info.func_syms[function_index as usize];
                let a = self.attrs(&[("callee", sym)]);
                let op = self.emit("func.call", &args, &results, a, &[]);
                self.push_results(op);
            }
            Operator::ReturnCall { function_index } => {
                let fty = self.info.func_type(function_index);
                let TypeData::Function { params, .. } = self.ctx.type_data(fty).clone() else { unreachable!() };
                let args = self.pop_n(params.len());
                let sym = self.info.func_syms[function_index as usize];
                let a = self.attrs(&[("callee", sym)]);
                self.emit("wasm.return_call", &args, &[], a, &[]);
                self.set_unreachable();
            }
            Operator::CallIndirect { type_index, table_index } | Operator::ReturnCallIndirect { type_index, table_index } => {
                let tail = matches!(op, Operator::ReturnCallIndirect { .. });
                let fty = self.info.types[type_index as usize].ok_or_else(|| err("call_indirect needs a function type", offset))?;
                let TypeData::Function { params, results } = self.ctx.type_data(fty).clone() else { unreachable!() };
                let index = self.pop();
                let args = self.pop_n(params.len());
                let mut ops: SmallVec<[Value; 4]> = smallvec::smallvec![index];
                ops.extend(args);
                let table = self.info.table_syms[table_index as usize];
                let ta = self.ctx.type_attr(fty);
                let a = if self.info.plain[type_index as usize] {
                    self.attrs(&[("table", table), ("type", ta)])
                } else {
                    let td = self.ctx.symbol_attr(self.info.type_syms[type_index as usize]);
                    self.attrs(&[("table", table), ("type", ta), ("typedef", td)])
                };
                if tail {
                    self.emit("wasm.return_call_indirect", &ops, &[], a, &[]);
                    self.set_unreachable();
                } else {
                    let op = self.emit("wasm.call_indirect", &ops, &results, a, &[]);
                    self.push_results(op);
                }
            }
            Operator::Drop => {
                self.pop();
            }
            Operator::Select | Operator::TypedSelect { .. } => {
                let c = self.pop();
                let b = self.pop();
                let a = self.pop();
                // A typed select has the type it names (its alternatives may be subtypes).
                let t = match op {
                    Operator::TypedSelect { ty } => val_type(self.ctx, self.info, ty, offset)?,
                    _ => self.module.body(self.body).value_type(a),
                };
                let v = self.emit1("wasm.select", &[c, a, b], t, empty);
                self.stack.push(v);
            }
            Operator::LocalGet { local_index } => match self.slots[local_index as usize] {
                Slot::Param(v) => self.stack.push(v),
                Slot::Local(l, t) => {
                    let v = self.emit1("wasm.local.get", &[l], t, empty);
                    self.stack.push(v);
                }
            },
            Operator::LocalSet { local_index } => {
                let v = self.pop();
                let Slot::Local(l, _) = self.slots[local_index as usize] else { unreachable!("written parameters are locals") };
                self.emit("wasm.local.set", &[l, v], &[], empty, &[]);
            }
            Operator::LocalTee { local_index } => {
                let v = self.pop();
                let Slot::Local(l, t) = self.slots[local_index as usize] else { unreachable!("written parameters are locals") };
                let r = self.emit1("wasm.local.tee", &[l, v], t, empty);
                self.stack.push(r);
            }
            Operator::GlobalGet { global_index } => {
                let t = self.info.global_types[global_index as usize];
                let a = self.attrs(&[("global", self.info.global_syms[global_index as usize])]);
                let v = self.emit1("wasm.global.get", &[], t, a);
                self.stack.push(v);
            }
            Operator::GlobalSet { global_index } => {
                let v = self.pop();
                let a = self.attrs(&[("global", self.info.global_syms[global_index as usize])]);
                self.emit("wasm.global.set", &[v], &[], a, &[]);
            }
            Operator::I32Const { value } => {
                let t = self.ctx.i32();
                let a = self.ctx.int_attr(value as i128, t);
                let a = self.attrs(&[("value", a)]);
                let v = self.emit1("wasm.i32.const", &[], t, a);
                self.stack.push(v);
            }
            Operator::I64Const { value } => {
                let t = self.ctx.i64();
                let a = self.ctx.int_attr(value as i128, t);
                let a = self.attrs(&[("value", a)]);
                let v = self.emit1("wasm.i64.const", &[], t, a);
                self.stack.push(v);
            }
            Operator::F32Const { value } => {
                let t = self.ctx.f32();
                let a = self.ctx.float_attr(value.bits() as u64, t);
                let a = self.attrs(&[("value", a)]);
                let v = self.emit1("wasm.f32.const", &[], t, a);
                self.stack.push(v);
            }
            Operator::F64Const { value } => {
                let t = self.ctx.f64();
                let a = self.ctx.float_attr(value.bits(), t);
                let a = self.attrs(&[("value", a)]);
                let v = self.emit1("wasm.f64.const", &[], t, a);
                self.stack.push(v);
            }
            Operator::I32Load { memarg }
            | Operator::I64Load { memarg }
            | Operator::F32Load { memarg }
            | Operator::F64Load { memarg }
            | Operator::I32Load8S { memarg }
            | Operator::I32Load8U { memarg }
            | Operator::I32Load16S { memarg }
            | Operator::I32Load16U { memarg }
            | Operator::I64Load8S { memarg }
            | Operator::I64Load8U { memarg }
            | Operator::I64Load16S { memarg }
            | Operator::I64Load16U { memarg }
            | Operator::I64Load32S { memarg }
            | Operator::I64Load32U { memarg } => {
                let a = self.memarg(&memarg);
                let (code, _, results) = self.numeric(&op, offset)?;
                let addr = self.pop();
                let op = self.emit_code(code, &[addr], &results, a, &[]);
                self.push_results(op);
            }
            Operator::I32Store { memarg }
            | Operator::I64Store { memarg }
            | Operator::F32Store { memarg }
            | Operator::F64Store { memarg }
            | Operator::I32Store8 { memarg }
            | Operator::I32Store16 { memarg }
            | Operator::I64Store8 { memarg }
            | Operator::I64Store16 { memarg }
            | Operator::I64Store32 { memarg } => {
                let a = self.memarg(&memarg);
                let (code, _, _) = self.numeric(&op, offset)?;
                let v = self.pop();
                let addr = self.pop();
                self.emit_code(code, &[addr, v], &[], a, &[]);
            }
            Operator::MemorySize { mem } => {
                let t = self.mem_index_type(mem);
                self.sym_op("wasm.memory.size", 0, &[("memory", self.info.memory_syms[mem as usize])], Some(t));
            }
            Operator::MemoryGrow { mem } => {
                let t = self.mem_index_type(mem);
                self.sym_op("wasm.memory.grow", 1, &[("memory", self.info.memory_syms[mem as usize])], Some(t));
            }
            Operator::MemoryFill { mem } => self.sym_op("wasm.memory.fill", 3, &[("memory", self.info.memory_syms[mem as usize])], None),
            Operator::MemoryCopy { dst_mem, src_mem } => {
                let a = [("dst", self.info.memory_syms[dst_mem as usize]), ("src", self.info.memory_syms[src_mem as usize])];
                self.sym_op("wasm.memory.copy", 3, &a, None);
            }
            Operator::MemoryInit { data_index, mem } => {
                let a = [("memory", self.info.memory_syms[mem as usize]), ("segment", self.info.data_syms[data_index as usize])];
                self.sym_op("wasm.memory.init", 3, &a, None);
            }
            Operator::DataDrop { data_index } => self.sym_op("wasm.data.drop", 0, &[("segment", self.info.data_syms[data_index as usize])], None),
            Operator::TableGet { table } => {
                let t = self.info.table_types[table as usize].0;
                self.sym_op("wasm.table.get", 1, &[("table", self.info.table_syms[table as usize])], Some(t));
            }
            Operator::TableSet { table } => self.sym_op("wasm.table.set", 2, &[("table", self.info.table_syms[table as usize])], None),
            Operator::TableSize { table } => {
                let t = self.table_index_type(table);
                self.sym_op("wasm.table.size", 0, &[("table", self.info.table_syms[table as usize])], Some(t));
            }
            Operator::TableGrow { table } => {
                let t = self.table_index_type(table);
                self.sym_op("wasm.table.grow", 2, &[("table", self.info.table_syms[table as usize])], Some(t));
            }
            Operator::TableFill { table } => self.sym_op("wasm.table.fill", 3, &[("table", self.info.table_syms[table as usize])], None),
            Operator::TableCopy { dst_table, src_table } => {
                let a = [("dst", self.info.table_syms[dst_table as usize]), ("src", self.info.table_syms[src_table as usize])];
                self.sym_op("wasm.table.copy", 3, &a, None);
            }
            Operator::TableInit { elem_index, table } => {
                let a = [("table", self.info.table_syms[table as usize]), ("segment", self.info.elem_syms[elem_index as usize])];
                self.sym_op("wasm.table.init", 3, &a, None);
            }
            Operator::ElemDrop { elem_index } => self.sym_op("wasm.elem.drop", 0, &[("segment", self.info.elem_syms[elem_index as usize])], None),
            Operator::RefNull { hty } => {
                let rt = wasmparser::RefType::new(true, hty).ok_or_else(|| err("this reference type cannot be encoded", offset))?;
                let t = ref_type(self.ctx, self.info, rt, offset)?;
                let v = self.emit1("wasm.ref.null", &[], t, empty);
                self.stack.push(v);
            }
            Operator::RefIsNull => {
                let r = self.pop();
                let t = self.ctx.i32();
                let v = self.emit1("wasm.ref.is_null", &[r], t, empty);
                self.stack.push(v);
            }
            Operator::RefFunc { function_index } => self.push_ref_func(function_index),
            _ if self.gc_operator(&op, offset)? => {}
            _ if super::simd::operator(self, &op, offset)? => {}
            _ => {
                let (code, arity, results) = self.numeric(&op, offset)?;
                let args = self.pop_n(arity as usize);
                let op = self.emit_code(code, &args, &results, empty, &[]);
                self.push_results(op);
            }
        }
        Ok(())
    }

    /// An op taking `n` operands from the stack and naming items by symbol, with one result or
    /// none (the memory, table and segment instructions).
    fn sym_op(&mut self, name: &'static str, n: usize, syms: &[(&str, Attr)], result: Option<Type>) {
        let ops = self.pop_n(n);
        let a = self.attrs(syms);
        let results: SmallVec<[Type; 1]> = result.into_iter().collect();
        let op = self.emit(name, &ops, &results, a, &[]);
        self.push_results(op);
    }

    /// A non-null reference to defined type `t`.
    fn ref_to(&mut self, t: u32) -> Type {
        self.info.gc_used.set(true);
        let sym = self.info.type_syms[t as usize];
        self.ctx.ref_type(false, false, wasmir::RefHeap::Defined(sym))
    }

    fn type_sym(&mut self, t: u32) -> Attr {
        self.info.gc_used.set(true);
        let sym = self.info.type_syms[t as usize];
        self.ctx.symbol_attr(sym)
    }

    fn value_type(&self, v: Value) -> Type {
        self.module.body(self.body).value_type(v)
    }

    /// The same reference type with the given nullability.
    fn with_null(&mut self, t: Type, nullable: bool) -> Type {
        match self.ctx.ref_parts(t) {
            Some((_, exact, heap)) => self.ctx.ref_type(nullable, exact, heap),
            None => t,
        }
    }

    /// Typed-reference and GC instructions; `Ok(false)` when `op` is not one.
    fn gc_operator(&mut self, op: &Operator<'_>, offset: usize) -> Result<bool, TranslateError> {
        let empty = self.empty;
        let i32t = self.ctx.i32();
        match *op {
            Operator::StructNew { struct_type_index: t } | Operator::StructNewDefault { struct_type_index: t } => {
                let default = matches!(op, Operator::StructNewDefault { .. });
                let n = if default { 0 } else { self.info.struct_fields[t as usize].len() };
                let args = self.pop_n(n);
                let r = self.ref_to(t);
                let a = self.type_sym(t);
                let a = self.attrs(&[("type", a)]);
                let v = self.emit1(if default { "wasm.struct.new_default" } else { "wasm.struct.new" }, &args, r, a);
                self.stack.push(v);
            }
            Operator::StructGet { struct_type_index: t, field_index: f }
            | Operator::StructGetS { struct_type_index: t, field_index: f }
            | Operator::StructGetU { struct_type_index: t, field_index: f } => {
                let name = match op {
                    Operator::StructGet { .. } => "wasm.struct.get",
                    Operator::StructGetS { .. } => "wasm.struct.get_s",
                    _ => "wasm.struct.get_u",
                };
                let s = self.pop();
                let ty = self.info.struct_fields[t as usize][f as usize];
                let ts = self.type_sym(t);
                let fi = self.ctx.int_attr(f as i128, self.ctx.i64());
                let a = self.attrs(&[("type", ts), ("field", fi)]);
                let v = self.emit1(name, &[s], ty, a);
                self.stack.push(v);
            }
            Operator::StructSet { struct_type_index: t, field_index: f } => {
                let ops = self.pop_n(2);
                let ts = self.type_sym(t);
                let fi = self.ctx.int_attr(f as i128, self.ctx.i64());
                let a = self.attrs(&[("type", ts), ("field", fi)]);
                self.emit("wasm.struct.set", &ops, &[], a, &[]);
            }
            Operator::ArrayNew { array_type_index: t }
            | Operator::ArrayNewDefault { array_type_index: t }
            | Operator::ArrayNewFixed { array_type_index: t, .. }
            | Operator::ArrayNewData { array_type_index: t, .. }
            | Operator::ArrayNewElem { array_type_index: t, .. } => {
                let (name, n, seg) = match *op {
                    Operator::ArrayNew { .. } => ("wasm.array.new", 2, None),
                    Operator::ArrayNewDefault { .. } => ("wasm.array.new_default", 1, None),
                    Operator::ArrayNewFixed { array_size, .. } => ("wasm.array.new_fixed", array_size as usize, None),
                    Operator::ArrayNewData { array_data_index, .. } => ("wasm.array.new_data", 2, Some(self.info.data_syms[array_data_index as usize])),
                    Operator::ArrayNewElem { array_elem_index, .. } => ("wasm.array.new_elem", 2, Some(self.info.elem_syms[array_elem_index as usize])),
                    _ => unreachable!(),
                };
                let args = self.pop_n(n);
                let r = self.ref_to(t);
                let ts = self.type_sym(t);
                let a = match seg {
                    Some(sg) => self.attrs(&[("type", ts), ("segment", sg)]),
                    None => self.attrs(&[("type", ts)]),
                };
                let v = self.emit1(name, &args, r, a);
                self.stack.push(v);
            }
            Operator::ArrayGet { array_type_index: t } | Operator::ArrayGetS { array_type_index: t } | Operator::ArrayGetU { array_type_index: t } => {
                let name = match op {
                    Operator::ArrayGet { .. } => "wasm.array.get",
                    Operator::ArrayGetS { .. } => "wasm.array.get_s",
                    _ => "wasm.array.get_u",
                };
                let args = self.pop_n(2);
                let ty = self.info.array_elems[t as usize].unwrap_or(i32t);
                let ts = self.type_sym(t);
                let a = self.attrs(&[("type", ts)]);
                let v = self.emit1(name, &args, ty, a);
                self.stack.push(v);
            }
            Operator::ArraySet { array_type_index: t } | Operator::ArrayFill { array_type_index: t } => {
                let (name, n) = if matches!(op, Operator::ArraySet { .. }) { ("wasm.array.set", 3) } else { ("wasm.array.fill", 4) };
                let args = self.pop_n(n);
                let ts = self.type_sym(t);
                let a = self.attrs(&[("type", ts)]);
                self.emit(name, &args, &[], a, &[]);
            }
            Operator::ArrayLen => {
                let a = self.pop();
                let v = self.emit1("wasm.array.len", &[a], i32t, empty);
                self.stack.push(v);
            }
            Operator::ArrayCopy { array_type_index_dst: d, array_type_index_src: s } => {
                let args = self.pop_n(5);
                let (ds, ss) = (self.type_sym(d), self.type_sym(s));
                let a = self.attrs(&[("dst", ds), ("src", ss)]);
                self.emit("wasm.array.copy", &args, &[], a, &[]);
            }
            Operator::ArrayInitData { array_type_index: t, array_data_index: d } => {
                let args = self.pop_n(4);
                let ts = self.type_sym(t);
                let a = self.attrs(&[("type", ts), ("segment", self.info.data_syms[d as usize])]);
                self.emit("wasm.array.init_data", &args, &[], a, &[]);
            }
            Operator::ArrayInitElem { array_type_index: t, array_elem_index: e } => {
                let args = self.pop_n(4);
                let ts = self.type_sym(t);
                let a = self.attrs(&[("type", ts), ("segment", self.info.elem_syms[e as usize])]);
                self.emit("wasm.array.init_elem", &args, &[], a, &[]);
            }
            Operator::RefI31 => {
                let x = self.pop();
                let t = self.ctx.ref_type(false, false, wasmir::RefHeap::Abstract(HeapType::I31));
                let v = self.emit1("wasm.ref.i31", &[x], t, empty);
                self.stack.push(v);
            }
            Operator::I31GetS | Operator::I31GetU => {
                let x = self.pop();
                let name = if matches!(op, Operator::I31GetS) { "wasm.i31.get_s" } else { "wasm.i31.get_u" };
                let v = self.emit1(name, &[x], i32t, empty);
                self.stack.push(v);
            }
            Operator::RefEq => {
                let ops = self.pop_n(2);
                let v = self.emit1("wasm.ref.eq", &ops, i32t, empty);
                self.stack.push(v);
            }
            Operator::RefAsNonNull => {
                let x = self.pop();
                let t = self.value_type(x);
                let t = self.with_null(t, false);
                let v = self.emit1("wasm.ref.as_non_null", &[x], t, empty);
                self.stack.push(v);
            }
            Operator::AnyConvertExtern | Operator::ExternConvertAny => {
                let x = self.pop();
                let nullable = self.ctx.ref_parts(self.value_type(x)).is_none_or(|p| p.0);
                let (name, h) = if matches!(op, Operator::AnyConvertExtern) {
                    ("wasm.any.convert_extern", HeapType::Any)
                } else {
                    ("wasm.extern.convert_any", HeapType::Extern)
                };
                let t = self.ctx.ref_type(nullable, false, wasmir::RefHeap::Abstract(h));
                let v = self.emit1(name, &[x], t, empty);
                self.stack.push(v);
            }
            Operator::RefTestNonNull { hty } | Operator::RefTestNullable { hty } | Operator::RefCastNonNull { hty } | Operator::RefCastNullable { hty } => {
                let nullable = matches!(op, Operator::RefTestNullable { .. } | Operator::RefCastNullable { .. });
                let rt = wasmparser::RefType::new(nullable, hty).ok_or_else(|| err("this reference type cannot be encoded", offset))?;
                let t = ref_type(self.ctx, self.info, rt, offset)?;
                let x = self.pop();
                if matches!(op, Operator::RefTestNonNull { .. } | Operator::RefTestNullable { .. }) {
                    let ta = self.ctx.type_attr(t);
                    let a = self.attrs(&[("to", ta)]);
                    let v = self.emit1("wasm.ref.test", &[x], i32t, a);
                    self.stack.push(v);
                } else {
                    let v = self.emit1("wasm.ref.cast", &[x], t, empty);
                    self.stack.push(v);
                }
            }
            Operator::BrOnNull { relative_depth } | Operator::BrOnNonNull { relative_depth } => {
                let null = matches!(op, Operator::BrOnNull { .. });
                let r = self.pop();
                let (idx, arity) = self.target(relative_depth);
                let nargs = if null { arity } else { arity.saturating_sub(1) };
                let args = self.top_n(nargs);
                let l = self.label(idx);
                let mut ops: SmallVec<[Value; 4]> = smallvec::smallvec![l, r];
                ops.extend(args);
                if null {
                    let t = self.value_type(r);
                    let t = self.with_null(t, false);
                    let v = self.emit1("wasm.br_on_null", &ops, t, empty);
                    self.stack.push(v);
                } else {
                    self.emit("wasm.br_on_non_null", &ops, &[], empty, &[]);
                }
            }
            Operator::BrOnCast { relative_depth, from_ref_type, to_ref_type } | Operator::BrOnCastFail { relative_depth, from_ref_type, to_ref_type } => {
                let fail = matches!(op, Operator::BrOnCastFail { .. });
                let from = ref_type(self.ctx, self.info, from_ref_type, offset)?;
                let to = ref_type(self.ctx, self.info, to_ref_type, offset)?;
                let r = self.pop();
                let (idx, arity) = self.target(relative_depth);
                let args = self.top_n(arity.saturating_sub(1));
                let l = self.label(idx);
                let mut ops: SmallVec<[Value; 4]> = smallvec::smallvec![l, r];
                ops.extend(args);
                // What goes on: the cast type when the branch is on failure, else what is left.
                let rest = self.with_null(from, from_ref_type.is_nullable() && !to_ref_type.is_nullable());
                let result = if fail { to } else { rest };
                let (fa, ta) = (self.ctx.type_attr(from), self.ctx.type_attr(to));
                let a = self.attrs(&[("from", fa), ("to", ta)]);
                let v = self.emit1(if fail { "wasm.br_on_cast_fail" } else { "wasm.br_on_cast" }, &ops, result, a);
                self.stack.push(v);
            }
            Operator::CallRef { type_index } | Operator::ReturnCallRef { type_index } => {
                let tail = matches!(op, Operator::ReturnCallRef { .. });
                let fty = self.info.types[type_index as usize].ok_or_else(|| err("call_ref needs a function type", offset))?;
                let TypeData::Function { params, results } = self.ctx.type_data(fty).clone() else { unreachable!() };
                let callee = self.pop();
                let mut args = self.pop_n(params.len());
                args.push(callee);
                let ts = self.type_sym(type_index);
                let a = self.attrs(&[("type", ts)]);
                if tail {
                    self.emit("wasm.return_call_ref", &args, &[], a, &[]);
                    self.set_unreachable();
                } else {
                    let op = self.emit("wasm.call_ref", &args, &results, a, &[]);
                    self.push_results(op);
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The `wasm` op of a numeric (or memory) instruction, its arity and its result types.
    pub(super) fn numeric(&mut self, op: &Operator<'_>, offset: usize) -> Result<(OpCode, u8, SmallVec<[Type; 1]>), TranslateError> {
        let visit = visit_name(op);
        if let Some(hit) = self.consts.numeric.get(&(visit.as_ptr() as usize)) {
            return hit.clone().ok_or_else(|| unsupported(op, offset));
        }
        let name = visit.strip_prefix("visit_").unwrap_or(visit);
        let full = match name.split_once('_') {
            Some((ty, rest)) => format!("wasm.{ty}.{rest}"),
            None => format!("wasm.{name}"),
        };
        let found = self.ctx.lookup_op(&full).and_then(|c| {
            let def = self.ctx.op_def(c)?;
            let results: Option<SmallVec<[Type; 1]>> = def.results.iter().map(|r| fixed_type(self.ctx, r.ty)).collect();
            Some((c, def.operands.len() as u8, results?))
        });
        self.consts.numeric.insert(visit.as_ptr() as usize, found.clone());
        found.ok_or_else(|| unsupported(op, offset))
    }

    fn end(&mut self, _offset: usize) -> Result<(), TranslateError> {
        let kind = self.frames.last().expect("frame").kind;
        match kind {
            Kind::Func => {
                let f = self.frames.last().expect("frame");
                if !f.unreachable {
                    let n = self.results.len();
                    let vals = self.top_n(n);
                    let empty = self.empty;
                    self.emit("func.return", &vals, &[], empty, &[]);
                }
                self.frames.pop();
            }
            Kind::Const => {
                if self.item_mode {
                    // The value stays on the stack; the items region yields them all.
                    return Ok(());
                }
                self.yield_results();
                self.frames.pop();
            }
            Kind::Block | Kind::Loop | Kind::If | Kind::TryTable => {
                self.yield_results();
                let needs_else = {
                    let f = self.frames.last().expect("frame");
                    f.kind == Kind::If && !f.has_else && !f.results.is_empty()
                };
                if needs_else {
                    // `if` without `else` passes its parameters through when false.
                    let (region, entry) = self.new_region();
                    let f = self.frames.last_mut().expect("frame");
                    let op = f.op.expect("op");
                    f.block = entry;
                    f.unreachable = false;
                    let vals = f.param_vals.clone();
                    self.b().add_region(op, region);
                    let empty = self.empty;
                    self.emit("wasm.yield", &vals, &[], empty, &[]);
                }
                let f = self.frames.pop().expect("frame");
                self.stack.truncate(f.height);
                let op = f.op.expect("structured frames have an op");
                self.push_results(op);
                if f.func_wrapper {
                    self.end(_offset)?;
                }
            }
        }
        Ok(())
    }
}

fn fixed_type(ctx: &Context, c: wasmir::dialect::TypeConstraint) -> Option<Type> {
    wasmir::ir::builder::fixed_type(ctx, c)
}

fn unsupported(op: &Operator<'_>, offset: usize) -> TranslateError {
    let name = visit_name(op);
    let name = name.strip_prefix("visit_").unwrap_or(name);
    err(
        format!(
            "the instruction `{name}` has no op in the wasm dialect yet (the importer covers \
             WebAssembly 3.0 and the finished proposals)"
        ),
        offset,
    )
}
