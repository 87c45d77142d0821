//! Closures and function pointers.
//!
//! **Closures.** A closure's type is `{closure@SPAN}`; its value is the tuple of its captures
//! (by value, or references for captures by reference), laid out like a tuple's fields. The MIR
//! types no capture: `captures` reads them from the aggregates that build each closure
//! (`{closure@SPAN} { k: copy _3, a: copy _1 }`) and from the closure body's `debug` lines
//! (`debug k => ((*_1).0: u32)`). The body (`f::{closure#0}`) takes the closure by reference
//! (`Fn`, `FnMut`) or by value (`FnOnce`), then its arguments one by one; a call
//! `<C as Fn<(A, B)>>::call(&c, (a, b))` passes them as one tuple (the "rust-call" ABI), which
//! the call spreads.
//!
//! **Function pointers** are indices into one function table (`FUNCTION_TABLE`), filled by an
//! active element segment from index 1: 0 is no function, so the pointer keeps the niche of a
//! non-null pointer (`Option<fn()>` is 4 bytes). A function item made a pointer
//! (`ReifyFnPointer`) is an instance like a callee; a closure that captures nothing made a
//! pointer (`ClosureFnPointer`) gets a shim without the closure argument. A call through a
//! pointer is a `wasm.call_indirect` with the signature the pointer's type gives, which is the
//! signature of every function it can point to (both come from the same layouts).
use super::*;

/// The function table and its element segment.
pub const FUNCTION_TABLE: &str = "__indirect_function_table";
const FUNCTION_ELEMS: &str = "__function_pointers";

/// The functions whose addresses are taken, with their indices in the table (from 1).
#[derive(Default)]
pub struct FnTable {
    entries: Vec<String>,
    index: FxHashMap<String, u32>,
    /// The shim of each closure body made a function pointer.
    shims: FxHashMap<BodyId, String>,
}

impl FnTable {
    pub(super) fn index_of(&mut self, symbol: &str) -> u32 {
        if let Some(&i) = self.index.get(symbol) {
            return i;
        }
        self.entries.push(symbol.to_string());
        let i = self.entries.len() as u32;
        self.index.insert(symbol.to_string(), i);
        i
    }

    /// Declares the table and the segment that fills it, once every function is lowered.
    pub fn declare(&self, ctx: &mut Context, module: &mut Module) {
        if self.entries.is_empty() {
            return;
        }
        let funcref = ctx.ref_type(
            true,
            false,
            wasmir::ir::RefHeap::Abstract(wasmir::ir::HeapType::Func),
        );
        let i64t = ctx.i64();
        let mut b = Builder::at_module_end(ctx, module);
        let table = b.ctx.string_attr(FUNCTION_TABLE);
        let min = b.ctx.int_attr(self.entries.len() as i128 + 1, i64t);
        let ty = b.ctx.type_attr(funcref);
        b.create(
            "wasm.table",
            &[],
            &[],
            &[("sym_name", table), ("min", min), ("type", ty)],
            &[],
            &[],
        );
        let items = yield_region(&mut b, |b| {
            self.entries
                .iter()
                .map(|f| {
                    let id = b.ctx.ident(f);
                    let sym = b.ctx.symbol_attr(id);
                    let op = b.create(
                        "wasm.ref.func",
                        &[],
                        &[funcref],
                        &[("function", sym)],
                        &[],
                        &[],
                    );
                    b.module.bodies[b.body].result(op, 0)
                })
                .collect()
        });
        // The first entry is at 1: 0 is no function.
        let offset = yield_region(&mut b, |b| vec![b.i32_const(1)]);
        let name = b.ctx.string_attr(FUNCTION_ELEMS);
        let id = b.ctx.ident(FUNCTION_TABLE);
        let table = b.ctx.symbol_attr(id);
        let ty = b.ctx.type_attr(funcref);
        b.create(
            "wasm.elem",
            &[],
            &[],
            &[("sym_name", name), ("table", table), ("type", ty)],
            &[],
            &[items, offset],
        );
    }
}

/// How a closure's body takes the closure.
#[derive(Clone, Copy, PartialEq, Debug)]
enum SelfMode {
    /// `&C` or `&mut C` (`Fn`, `FnMut`).
    ByRef,
    /// `C` (`FnOnce`).
    ByValue,
}

/// Whether `body` is a closure's body, and how it takes the closure.
fn closure_self(names: &Interner, body: &Body) -> Option<(SelfMode, SrcSpan)> {
    let is_closure = matches!(
        names.path_data(body.name).segments.last().map(|s| &s.name),
        Some(SegName::Anon { kind, .. }) if names.str(*kind) == "closure"
    );
    if !is_closure || body.arg_count == 0 {
        return None;
    }
    match names.ty_kind(body.locals[Local::new(1)].ty) {
        TyKind::Closure(ClosureRef::Span(s)) => Some((SelfMode::ByValue, *s)),
        TyKind::Ref { pointee, .. } => match names.ty_kind(*pointee) {
            TyKind::Closure(ClosureRef::Span(s)) => Some((SelfMode::ByRef, *s)),
            _ => None,
        },
        _ => None,
    }
}

/// The type of a place of `body`, from its local's type and its projections' (without
/// substitution: for the crate's bodies as written).
fn place_ty_in(names: &Interner, body: &Body, p: Place) -> Option<Ty> {
    let mut t = body.locals.get(p.local)?.ty;
    for pr in body.place_projs(p) {
        t = match (pr, names.ty_kind(t)) {
            (Proj::Deref, TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. }) => *pointee,
            (Proj::Field(_, ft), _) => *ft,
            (Proj::Downcast(..), _) => t,
            (Proj::Index(_) | Proj::ConstantIndex { .. }, TyKind::Array(e, _)) => *e,
            _ => return None,
        };
    }
    Some(t)
}

/// The type of a constant, for the kinds that carry one.
fn const_ty(names: &mut Interner, k: &ConstKind) -> Option<Ty> {
    Some(match k {
        ConstKind::Int(_, i) => names.ty(TyKind::Int(*i)),
        ConstKind::Float { ty, .. } => names.ty(TyKind::Float(*ty)),
        ConstKind::Bool(_) => names.ty(TyKind::Bool),
        ConstKind::Char(_) => names.ty(TyKind::Char),
        ConstKind::Unit => names.ty(TyKind::Tuple(Box::new([]))),
        ConstKind::ZeroSized(t)
        | ConstKind::Transmute { ty: t, .. }
        | ConstKind::Ptr(_, t)
        | ConstKind::IntPtr(_, t)
        | ConstKind::FnPtr(_, t)
        | ConstKind::Indirect { ty: t, .. } => *t,
        _ => return None,
    })
}

/// Whether `t` mentions a type parameter (a closure of a generic function capturing one has a
/// layout for each instance, which the closure's type does not tell apart).
fn mentions_param(names: &Interner, items: &SourceItems, t: Ty) -> bool {
    let mut stack = vec![t];
    while let Some(t) = stack.pop() {
        match names.ty_kind(t) {
            TyKind::Path(p) => {
                if is_param(names, items, t).is_some() || names.path_data(*p).qself.is_some() {
                    return true;
                }
                for seg in &names.path_data(*p).segments {
                    stack.extend(seg.args.iter().filter_map(|a| match a {
                        GenericArg::Ty(t) => Some(*t),
                        _ => None,
                    }));
                }
            }
            TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. } => stack.push(*pointee),
            TyKind::Array(e, _) | TyKind::Slice(e) => stack.push(*e),
            TyKind::Tuple(ts) => stack.extend(ts.iter().copied()),
            TyKind::FnPtr(sig) => {
                stack.extend(sig.inputs.iter().copied());
                stack.extend(sig.output);
            }
            _ => {}
        }
    }
    false
}

/// The captures of the crate's closures, by span: their types in order, or why the closure is
/// refused. From the aggregates that build them, checked against the `debug` lines of their
/// bodies: rustc's printer lists one operand per captured *variable*, so a closure capturing two
/// fields of one variable (`move || p.0 + p.1`) prints fewer operands than it has captures.
pub fn captures(
    names: &mut Interner,
    items: &SourceItems,
    bodies: &PrimaryMap<BodyId, Body>,
) -> FxHashMap<SrcSpan, Result<Vec<Ty>, String>> {
    // What each aggregate building a closure says: its operands' types.
    let mut built: FxHashMap<SrcSpan, Vec<Option<Ty>>> = FxHashMap::default();
    for (_, body) in bodies.iter().filter(|(_, b)| !b.ctfe) {
        for s in &body.stmts {
            let StatementKind::Assign(_, Rvalue::Aggregate(AggregateKind::Closure(c), ops)) =
                &s.kind
            else {
                continue;
            };
            let ClosureRef::Span(span) = *c else { continue };
            if built.contains_key(&span) {
                continue;
            }
            let tys = ops
                .iter()
                .map(|(_, op)| match op {
                    Operand::Copy(p) | Operand::Move(p) => place_ty_in(names, body, *p),
                    Operand::Const(k) => const_ty(names, &body.consts[*k]),
                    Operand::RuntimeChecks(_) => Some(names.ty(TyKind::Bool)),
                })
                .collect();
            built.insert(span, tys);
        }
    }
    // What each closure body says: `debug x => ((*_1).N: T)` or `(_1.N: T)` for each capture.
    let mut out: FxHashMap<SrcSpan, Result<Vec<Ty>, String>> = FxHashMap::default();
    for (_, cbody) in bodies.iter().filter(|(_, b)| !b.ctfe) {
        let Some((_, span)) = closure_self(names, cbody) else {
            continue;
        };
        let printed = built.get(&span);
        let mut tys: Vec<Option<Ty>> = printed.cloned().unwrap_or_default();
        for d in &cbody.debug {
            let DebugValue::Place(p) = d.value else {
                continue;
            };
            if p.local != Local::new(1) {
                continue;
            }
            let field = match cbody.place_projs(p) {
                [Proj::Deref, Proj::Field(i, t), ..] | [Proj::Field(i, t), ..] => {
                    Some((*i as usize, *t))
                }
                _ => None,
            };
            if let Some((i, t)) = field {
                if i >= tys.len() {
                    tys.resize(i + 1, None);
                }
                tys[i] = tys[i].or(Some(t));
            }
        }
        let r = if printed.is_some_and(|p| tys.len() > p.len()) {
            Err("a closure capturing several fields of one variable (rustc's MIR lists one capture per variable)".to_string())
        } else if tys.iter().any(Option::is_none) {
            Err("a closure whose captures' types are not known".to_string())
        } else {
            let tys: Vec<Ty> = tys.into_iter().flatten().collect();
            if tys.iter().any(|&t| mentions_param(names, items, t)) {
                Err("a closure capturing a value of a generic type".to_string())
            } else {
                Ok(tys)
            }
        };
        out.insert(span, r);
    }
    out
}

impl FnLower<'_, '_, '_> {
    /// Whether a call is `Fn::call`/`FnMut::call_mut`/`FnOnce::call_once` of one of the crate's
    /// closures (its body resolved); lowers it if so.
    pub(super) fn closure_call(
        &mut self,
        callee: (Krate, BodyId, &Body, String),
        dest: Place,
        args: &[Operand],
        target: Option<Block>,
    ) -> R<bool> {
        let (krate, id, cbody, name) = callee;
        // Core's closures are not known (`captures` reads the crate's): their calls are
        // refused with their layouts.
        if krate != Krate::User {
            return Ok(false);
        }
        let Some((mode, _)) = closure_self(self.sh.names, cbody) else {
            return Ok(false);
        };
        let [closure, tupled] = args else {
            return self.err("a call of a closure with arguments not tupled");
        };
        let csig = signature(self.sh, krate, cbody, &[], self.span)?;
        let origin = self.origin();
        let symbol =
            self.sh
                .mono
                .instance(self.sh.names, krate, id, &name, Vec::new(), None, origin);
        let mut vals: Vec<Value> = Vec::new();
        let dplace = self.place(dest)?.0;
        self.push_sret(&csig, dplace, &mut vals)?;
        let given_ty = self.operand_ty(closure)?;
        // The resolver takes `<&mut C as FnMut<A>>::call_mut` (a generic body called with
        // `&mut c`) for the closure's own: count the references around the closure.
        let mut closure_ty = given_ty;
        let mut depth = 0usize;
        while let TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. } =
            *self.sh.names.ty_kind(closure_ty)
        {
            closure_ty = pointee;
            depth += 1;
        }
        let mut consumed = None;
        match (mode, depth) {
            (SelfMode::ByValue, 0) => self.pass_arg(closure, &mut vals)?,
            (SelfMode::ByRef, 1..) => {
                let (mut p, _, _) = self.scalar(closure)?;
                for _ in 1..depth {
                    p = self.load(Scalar::PTR, p);
                }
                vals.push(p);
            }
            // `FnOnce::call_once` of an `Fn`/`FnMut` closure: the body borrows the value the
            // caller gave up, which is dropped after the call (as rustc's shim does).
            (SelfMode::ByRef, 0) => {
                let a = match closure {
                    Operand::Copy(p) | Operand::Move(p) => self.place_addr(*p)?,
                    Operand::Const(_) | Operand::RuntimeChecks(_) => self.b().i32_const(1),
                };
                vals.push(a);
                consumed = Some(a);
            }
            (SelfMode::ByValue, _) => {
                return self.err(format!(
                    "a call through `{}` of a closure that consumes itself",
                    self.show(given_ty)
                ));
            }
        }
        // The arguments' tuple, spread.
        let (tv, tty) = self.operand(tupled)?;
        let TyKind::Tuple(fields) = self.sh.names.ty_kind(tty).clone() else {
            return self.err(format!(
                "a closure call whose arguments are `{}`, not a tuple",
                self.show(tty)
            ));
        };
        let tl = self.layout(tty)?;
        for (i, &ft) in fields.iter().enumerate() {
            let fl = self.layout(ft)?;
            let Val::Mem(base) = tv else {
                continue; // a zero-sized tuple: zero-sized arguments, passed as nothing
            };
            if fl.is_zst() {
                continue;
            }
            let a = self.add_offset(base, tl.offsets[i]);
            match reg_scalar(&fl) {
                Some(s) => {
                    let v = self.load(s, a);
                    vals.push(v)
                }
                None => {
                    let v = self.owned_copy(a, &fl);
                    vals.push(v)
                }
            }
        }
        if let (Some(r), Some(rs)) = (self.call_op(&symbol, &vals, &csig), csig.result) {
            self.write_scalar(dplace, rs, r);
        }
        if let Some(a) = consumed
            && self.needs_drop(closure_ty)
        {
            self.drop_glue(a, closure_ty)?;
        }
        self.continue_to(target);
        Ok(true)
    }

    /// `PointerCoercion(ReifyFnPointer | ClosureFnPointer)` of `op` into the pointer type `to`:
    /// the callee's index in the table. `None` for other coercions.
    pub(super) fn fn_pointer(&mut self, coercion: &str, op: &Operand, to: Ty) -> R<Option<Value>> {
        let symbol = if coercion.starts_with("ReifyFnPointer") {
            let Operand::Const(c) = op else {
                return self
                    .err("a function pointer made from a value that is not a function item");
            };
            let ConstKind::FnItem(path) = self.konst(*c) else {
                return self
                    .err("a function pointer made from a value that is not a function item");
            };
            self.reified(path, to)?
        } else if coercion.starts_with("ClosureFnPointer") {
            let ct = self.operand_ty(op)?;
            self.closure_shim(ct)?
        } else {
            return Ok(None);
        };
        let i = self.sh.table.index_of(&symbol);
        Ok(Some(self.b().i32_const(i as i32)))
    }

    /// The instance a function item names, its type parameters inferred from the pointer type.
    fn reified(&mut self, path: PathId, to: Ty) -> R<String> {
        let path = subst_path(self.sh.names, path, &self.inst.subst);
        let printed = crate::mir::print::Printer {
            names: self.sh.names,
            body: None,
        }
        .path(path);
        let TyKind::FnPtr(sig) = self.sh.names.ty_kind(to).clone() else {
            return self.err(format!("a function pointer of type `{}`", self.show(to)));
        };
        let (krate, callee, cbody, name) = match self.resolve(path) {
            Ok(found) => found,
            Err(m) => return self.err(format!("{m}: `{printed}` made a function pointer")),
        };
        if cbody.arg_count as usize != sig.inputs.len() {
            return self.err(format!("`{printed}` made a pointer of another arity"));
        }
        let mut s: Vec<(Sym, Ty)> = Vec::new();
        let mut ok = true;
        for (i, &at) in sig.inputs.iter().enumerate() {
            let pt = self.sh.import_ty(krate, cbody.locals[Local::new(i + 1)].ty);
            ok &= unify(self.sh.names, self.sh.items, pt, at, &mut s);
        }
        let unit = self.sh.names.ty(TyKind::Tuple(Box::new([])));
        let rt = self.sh.import_ty(krate, cbody.return_ty());
        ok &= unify(
            self.sh.names,
            self.sh.items,
            rt,
            sig.output.unwrap_or(unit),
            &mut s,
        );
        if !ok {
            return self.err(format!(
                "the type parameters of `{printed}` made a function pointer could not be inferred"
            ));
        }
        s.sort_by_key(|(n, _)| self.sh.names.str(*n).to_string());
        let bare = printed.split("::<").next().unwrap_or(&printed).to_string();
        let name = if krate == Krate::User { name } else { bare };
        // The instance's signature must have a layout here, as the pointer's does.
        signature(self.sh, krate, cbody, &s, self.span)?;
        let origin = self.origin();
        Ok(self
            .sh
            .mono
            .instance(self.sh.names, krate, callee, &name, s, None, origin))
    }

    /// A function taking a capture-less closure's arguments and calling its body: what a
    /// pointer made from the closure points to.
    fn closure_shim(&mut self, closure: Ty) -> R<String> {
        let TyKind::Closure(ClosureRef::Span(span)) = *self.sh.names.ty_kind(closure) else {
            return self.err(format!(
                "a function pointer made from `{}`, a closure defined outside the crate",
                self.show(closure)
            ));
        };
        let Some(body_id) = self.sh.resolver.closure_body(span) else {
            return self.err(format!(
                "a function pointer made from `{}`, a closure defined outside the crate",
                self.show(closure)
            ));
        };
        if let Some(s) = self.sh.table.shims.get(&body_id) {
            return Ok(s.clone());
        }
        let bodies: &PrimaryMap<BodyId, Body> = self.sh.bodies;
        let cbody = &bodies[body_id];
        let Some((mode, _)) = closure_self(self.sh.names, cbody) else {
            return self.err(format!("the body of `{}`", self.show(closure)));
        };
        let name = crate::mir::print::Printer {
            names: self.sh.names,
            body: None,
        }
        .path(cbody.name);
        let csig = signature(self.sh, Krate::User, cbody, &[], self.span)?;
        let origin = self.origin();
        let body_sym = self.sh.mono.instance(
            self.sh.names,
            Krate::User,
            body_id,
            &name,
            Vec::new(),
            None,
            origin,
        );
        // The shim's parameters: the body's without the closure (zero-sized: nothing by
        // value, any non-null address by reference).
        let mut params: Vec<Type> = Vec::new();
        if csig.sret {
            params.push(self.ctx.i32());
        }
        params.extend(
            csig.params
                .iter()
                .skip(1)
                .flatten()
                .map(|&s| wasm_ty(self.ctx, s)),
        );
        let results: Vec<Type> = csig.result.iter().map(|&s| wasm_ty(self.ctx, s)).collect();
        let shim = format!("{body_sym}.fn_pointer");
        let (_, fbody, entry) = {
            let mut b = Builder::at_module_end(self.ctx, self.module);
            b.func(&shim, &params, &results, None)
        };
        let args: Vec<Value> = self.module.bodies[fbody].block_args(entry).to_vec();
        let mut b = Builder::new(self.ctx, self.module, fbody, InsertPoint::End(entry));
        let mut vals = Vec::new();
        let mut rest = args.iter().copied();
        if csig.sret {
            vals.extend(rest.next());
        }
        if mode == SelfMode::ByRef {
            vals.push(b.i32_const(1));
        }
        vals.extend(rest);
        let id = b.ctx.ident(&body_sym);
        let callee = b.ctx.symbol_attr(id);
        let op = b.create(
            "func.call",
            &vals,
            &results,
            &[("callee", callee)],
            &[],
            &[],
        );
        let rs: Vec<Value> = b.module.bodies[fbody].results(op).collect();
        b.create("func.return", &rs, &[], &[], &[], &[]);
        self.sh.table.shims.insert(body_id, shim.clone());
        Ok(shim)
    }

    /// A call through a function pointer: `wasm.call_indirect` through the table with the
    /// signature of the pointer's type.
    pub(super) fn indirect_call(
        &mut self,
        dest: Place,
        func: &Operand,
        args: &[Operand],
        target: Option<Block>,
    ) -> R<()> {
        let (index, _, fty) = self.scalar(func)?;
        let TyKind::FnPtr(sig) = self.sh.names.ty_kind(fty).clone() else {
            return self.err(format!(
                "a call through a value of type `{}`",
                self.show(fty)
            ));
        };
        if sig.c_variadic {
            return self.err("a call through a C-variadic function pointer");
        }
        let unit = self.sh.names.ty(TyKind::Tuple(Box::new([])));
        let csig = sig_of(self.sh, &sig.inputs, sig.output.unwrap_or(unit), self.span)?;
        let mut vals: Vec<Value> = vec![index];
        let dplace = self.place(dest)?.0;
        self.push_sret(&csig, dplace, &mut vals)?;
        for a in args {
            self.pass_arg(a, &mut vals)?;
        }
        self.call_indirect_op(&vals, &csig, dplace);
        self.continue_to(target);
        Ok(())
    }

    /// `wasm.call_indirect` through the table (`vals`: the index, then the arguments), its
    /// scalar result written to the destination.
    pub(super) fn call_indirect_op(&mut self, vals: &[Value], csig: &Sig, dplace: PlaceRef) {
        let mut params: Vec<Type> = Vec::new();
        if csig.sret {
            params.push(self.ctx.i32());
        }
        params.extend(csig.params.iter().flatten().map(|&s| wasm_ty(self.ctx, s)));
        let results: Vec<Type> = csig.result.iter().map(|&s| wasm_ty(self.ctx, s)).collect();
        let ft = self.ctx.function_type(&params, &results);
        let ft = self.ctx.type_attr(ft);
        let table = self.sym(FUNCTION_TABLE);
        let fbody = self.fbody;
        let op = self.b().create(
            "wasm.call_indirect",
            vals,
            &results,
            &[("table", table), ("type", ft)],
            &[],
            &[],
        );
        if let Some(rs) = csig.result {
            let r = self.module.bodies[fbody].result(op, 0);
            self.write_scalar(dplace, rs, r);
        }
    }
}
