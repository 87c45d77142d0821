//! Constants that live in static data (`lower/statics.rs`): string and byte-string literals,
//! pointers into allocations (statics, `static mut`, constants holding pointers), slices of
//! allocations, and promoted constants (`const f::promoted[N]`), evaluated here from their
//! bodies' straight-line assignments.
use super::*;

impl FnLower<'_, '_, '_> {
    fn static_err<T>(&self, r: Result<T, String>) -> R<T> {
        r.or_else(|m| self.err(m))
    }

    fn place_string(&mut self, bytes: &[u8]) -> R<u64> {
        let r = self.sh.statics.string(bytes);
        self.static_err(r)
    }

    fn place_data(&mut self, bytes: &[u8], align: u64) -> R<u64> {
        let r = self.sh.statics.place(bytes, align);
        self.static_err(r)
    }

    fn alloc_addr(&mut self, id: u32) -> R<u64> {
        let r = self.sh.statics.alloc(self.inst.krate, self.allocs, id);
        self.static_err(r)
    }

    /// A fat pointer (`addr`, `len`) of type `ty`, in a slot of its own.
    fn fat_const(&mut self, addr: u64, len: u64, ty: Ty) -> (Val, Ty) {
        let d = self.stack_slot(8, 4);
        let a = self.b().i32_const(addr as i32);
        self.store(Scalar::PTR, d, a);
        let at = self.add_offset(d, 4);
        let n = self.b().i32_const(len as i32);
        self.store(Scalar::PTR, at, n);
        (Val::Mem(d), ty)
    }

    fn str_ref_ty(&mut self) -> Ty {
        let s = self.sh.names.ty(TyKind::Str);
        self.sh.names.ty(TyKind::Ref {
            region: None,
            mutable: false,
            pointee: s,
        })
    }

    /// Constant `c` (of this body, `k` in the user's interner) when its value is in static
    /// data; `None` for the others.
    pub(super) fn static_const(&mut self, c: ConstId, k: &ConstKind) -> R<Option<(Val, Ty)>> {
        Ok(Some(match k {
            ConstKind::Str(s) => {
                let bytes = self.sh.names.str(*s).as_bytes().to_vec();
                let a = self.place_string(&bytes)?;
                let t = self.str_ref_ty();
                self.fat_const(a, bytes.len() as u64, t)
            }
            ConstKind::Bytes { bytes, deref } => {
                let a = self.place_string(bytes)?;
                let u8t = self.sh.names.ty(TyKind::Int(IntTy::U8));
                let arr = self
                    .sh
                    .names
                    .ty(TyKind::Array(u8t, ConstArg::Int(bytes.len() as u128)));
                let v = self.b().i32_const(a as i32);
                if *deref {
                    (Val::Mem(v), arr)
                } else {
                    let t = self.sh.names.ty(TyKind::Ref {
                        region: None,
                        mutable: false,
                        pointee: arr,
                    });
                    (Val::Scalar(v, Scalar::PTR), t)
                }
            }
            ConstKind::Ptr(p, ty) => {
                let ty = self.subst(*ty);
                if self.layout(ty)?.scalar != Some(Scalar::PTR) {
                    return self.err(format!("a pointer constant of type `{}`", self.show(ty)));
                }
                let a = self.alloc_addr(p.alloc)? + p.offset;
                let v = self.b().i32_const(a as i32);
                (Val::Scalar(v, Scalar::PTR), ty)
            }
            ConstKind::Slice { alloc, meta, ty } => {
                let ty = self.subst(*ty);
                let a = self.alloc_addr(*alloc)?;
                self.fat_const(a, *meta, ty)
            }
            ConstKind::Indirect { alloc, offset, ty }
                if self.allocs.get(*alloc).is_ok_and(|a| !a.relocs.is_empty()) =>
            {
                let ty = self.subst(*ty);
                let a = self.alloc_addr(*alloc)? + offset;
                let v = self.b().i32_const(a as i32);
                match reg_scalar(&self.layout(ty)?) {
                    Some(s) => (Val::Scalar(self.load(s, v), s), ty),
                    None => (Val::Mem(v), ty),
                }
            }
            // `<static(DefId(0:4 ~ krate[hash]::PATH))>`: a reference to a static, printed
            // by its definition.
            ConstKind::Placeholder(text) if self.sh.names.str(*text).contains("static(DefId(") => {
                let text = self.sh.names.str(*text).to_string();
                return self.static_by_def_id(&text).map(Some);
            }
            ConstKind::Path(_) => {
                let ConstKind::Path(own) = self.mir.consts[c] else {
                    return Ok(None);
                };
                return self.promoted(own);
            }
            _ => return Ok(None),
        }))
    }

    /// A reference to the static that `<static(DefId(… ~ krate[hash]::PATH))>` names: its
    /// allocation's address, typed `&T` (`*mut T` for a `static mut`).
    fn static_by_def_id(&mut self, text: &str) -> R<(Val, Ty)> {
        let path = text
            .split_once(" ~ ")
            .and_then(|(_, p)| p.split_once("::"))
            .map(|(_, p)| p.trim_end_matches(['>', ')']))
            .unwrap_or("");
        let printer = crate::mir::print::Printer {
            names: self.sh.names,
            body: None,
        };
        // Only the crate's own statics are looked up.
        let found = match self.inst.krate {
            Krate::User => self.sh.bodies.values().find(|b| {
                matches!(b.kind, BodyKind::Static { .. }) && printer.path(b.name) == path
            }),
            Krate::Lib(_) => None,
        };
        let Some(body) = found else {
            return self.err(format!(
                "the static `{path}` (not found among the crate's statics)"
            ));
        };
        let alloc = match self.allocs {
            Allocs::Crate(allocs) => allocs.iter().find_map(|(id, a)| match a.kind {
                AllocKind::Static(p) if p == body.name => Some(*id),
                _ => None,
            }),
            Allocs::Lib(_) => None,
        };
        let Some(alloc) = alloc else {
            return self.err(format!("the static `{path}` without its allocation"));
        };
        let pointee = self.mir_ty(body.return_ty());
        let kind = match body.kind {
            BodyKind::Static { mutable: true } => TyKind::RawPtr {
                mutable: true,
                pointee,
            },
            _ => TyKind::Ref {
                region: None,
                mutable: false,
                pointee,
            },
        };
        let ty = self.sh.names.ty(kind);
        let a = self.alloc_addr(alloc)?;
        let v = self.b().i32_const(a as i32);
        Ok((Val::Scalar(v, Scalar::PTR), ty))
    }

    /// Copies the bytes of an allocation holding pointers (placed in static data) to `dst`.
    pub(super) fn copy_indirect(
        &mut self,
        dst: Value,
        alloc: u32,
        offset: u64,
        size: u64,
    ) -> R<()> {
        let a = self.alloc_addr(alloc)? + offset;
        let src = self.b().i32_const(a as i32);
        self.copy(dst, src, size);
        Ok(())
    }

    /// `const f::promoted[N]` (`path` of this body's interner): the promoted body's value,
    /// evaluated once per instance into static data. `None` when `path` names no promoted body.
    fn promoted(&mut self, path: PathId) -> R<Option<(Val, Ty)>> {
        let (id, body) = match self.inst.krate {
            Krate::User => {
                let found = self.sh.bodies.iter().find(|(_, b)| {
                    matches!(b.kind, BodyKind::Promoted(_)) && b.name == path && !b.ctfe
                });
                let Some(found) = found else { return Ok(None) };
                found
            }
            Krate::Lib(l) => {
                let lib = match self.sh.libs.link(l).get() {
                    Ok(lib) => lib,
                    Err(m) => return self.err(m),
                };
                let Some(id) = lib.promoted(path) else {
                    return Ok(None);
                };
                match lib.body(id) {
                    Ok(body) => (id, body),
                    Err(m) => return self.err(m),
                }
            }
        };
        let ty = self.mir_ty(body.return_ty());
        let key = (self.inst.krate, id.index() as u32, self.inst.subst.clone());
        let addr = match self.sh.statics.promoted.get(&key) {
            Some(&a) => a,
            None => {
                let bytes = self.eval_promoted(body)?;
                let align = self.layout(ty)?.align;
                let a = self.place_data(&bytes, align)?;
                self.sh.statics.promoted.insert(key, a);
                a
            }
        };
        let v = self.b().i32_const(addr as i32);
        Ok(Some(match reg_scalar(&self.layout(ty)?) {
            Some(s) => (Val::Scalar(self.load(s, v), s), ty),
            None => (Val::Mem(v), ty),
        }))
    }

    /// The bytes of a promoted body's return value: its one block's assignments of constants,
    /// aggregates of constants and locals, references to locals (placed in static data) and
    /// unsizing casts, evaluated in order.
    fn eval_promoted(&mut self, body: &Body) -> R<Vec<u8>> {
        let refuse = |f: &Self| f.err("a promoted constant computed by more than assignments");
        if body.blocks.len() != 1 {
            return refuse(self);
        }
        let mut vals: Vec<Option<Vec<u8>>> = vec![None; body.locals.len()];
        let tys: Vec<Ty> = body.locals.values().map(|d| d.ty).collect();
        let tys: Vec<Ty> = tys.into_iter().map(|t| self.mir_ty(t)).collect();
        let local_of = |p: &Place| (p.proj_len == 0).then_some(p.local.index());
        for s in body.block_stmts(Block::new(0)) {
            let StatementKind::Assign(dest, rv) = &s.kind else {
                continue;
            };
            let Some(d) = local_of(dest) else {
                return refuse(self);
            };
            let dl = self.layout(tys[d])?;
            let operand = |f: &mut Self, op: &Operand, ty: Ty, vals: &[Option<Vec<u8>>]| match op {
                Operand::Const(c) => f.const_bytes(body, *c, ty),
                Operand::Copy(p) | Operand::Move(p) => {
                    match local_of(p).and_then(|l| vals[l].clone()) {
                        Some(v) => Ok(v),
                        None => refuse(f),
                    }
                }
                _ => refuse(f),
            };
            let bytes = match rv {
                Rvalue::Use(op) => operand(self, op, tys[d], &vals)?,
                Rvalue::Aggregate(kind, ops) => {
                    let mut buf = vec![0u8; dl.size as usize];
                    let def_fields = self.adt_field_names(tys[d]);
                    for (i, (name, op)) in ops.iter().enumerate() {
                        let (off, fty) = match kind {
                            AggregateKind::Array => self.slot(&dl, true, i)?,
                            AggregateKind::Tuple => self.slot(&dl, false, i)?,
                            AggregateKind::Adt { .. } if dl.variants.is_empty() => {
                                let name = name.map(|n| self.mir_sym(n));
                                let idx = name
                                    .and_then(|n| def_fields.iter().position(|f| *f == n))
                                    .unwrap_or(i);
                                self.slot(&dl, false, idx)?
                            }
                            _ => return refuse(self),
                        };
                        let v = operand(self, op, fty, &vals)?;
                        if !write_at(&mut buf, off, &v) {
                            return self.err(format!("a promoted `{}`", self.show(tys[d])));
                        }
                    }
                    buf
                }
                Rvalue::Ref(_, p) | Rvalue::RawPtr { place: p, .. } => {
                    let Some(l) = local_of(p) else {
                        return refuse(self);
                    };
                    let Some(v) = vals[l].clone() else {
                        return refuse(self);
                    };
                    let align = self.layout(tys[l])?.align;
                    let a = self.place_data(&v, align)?;
                    let mut out = (a as u32).to_le_bytes().to_vec();
                    if super::super::slices::is_unsized(self.sh.names, tys[l]) {
                        return refuse(self);
                    }
                    out.truncate(dl.size as usize);
                    out
                }
                Rvalue::Cast(CastKind::PointerCoercion(_), op, _) if dl.size == 8 => {
                    let from = match op {
                        Operand::Copy(p) | Operand::Move(p) => match local_of(p) {
                            Some(l) => tys[l],
                            None => return refuse(self),
                        },
                        _ => return refuse(self),
                    };
                    let n = match self.sh.names.ty_kind(from) {
                        TyKind::Ref { pointee, .. } => match self.sh.names.ty_kind(*pointee) {
                            TyKind::Array(_, n) => array_len(n),
                            _ => None,
                        },
                        _ => None,
                    };
                    let Some(n) = n else {
                        return refuse(self);
                    };
                    let mut v = operand(self, op, from, &vals)?;
                    v.extend((n as u32).to_le_bytes());
                    v
                }
                _ => return refuse(self),
            };
            vals[d] = Some(bytes);
        }
        match vals[0].take() {
            Some(v) => Ok(v),
            None => refuse(self),
        }
    }

    /// The bytes of constant `c` of `body` (of this instance's crate) as a value of `ty`, from
    /// an explicit stack; the data its pointers reach is placed in static data.
    fn const_bytes(&mut self, body: &Body, c: ConstId, ty: Ty) -> R<Vec<u8>> {
        let size = self.layout(ty)?.size;
        let mut buf = vec![0u8; size as usize];
        let mut stack = vec![(c, ty, 0u64)];
        while let Some((c, ty, off)) = stack.pop() {
            let lay = self.layout(ty)?;
            let k = self
                .sh
                .import_const(self.inst.krate, body.consts[c].clone());
            // A constant that does not fit its type's layout: an error after the match.
            let mut misfit = false;
            let mut put = |bytes: &[u8], at: u64| misfit |= !write_at(&mut buf, off + at, bytes);
            match &k {
                ConstKind::Int(bits, _) | ConstKind::Transmute { bits, .. } => {
                    match bits.to_le_bytes().get(..lay.size as usize) {
                        Some(b) => put(b, 0),
                        None => misfit = true,
                    }
                }
                ConstKind::Bool(b) => put(&[u8::from(*b)], 0),
                ConstKind::Char(ch) => put(&(*ch as u32).to_le_bytes(), 0),
                ConstKind::Float { text, ty: fty } => {
                    let text = self.sh.names.str(*text);
                    match fty {
                        FloatTy::F32 => match text.parse::<f32>() {
                            Ok(f) => put(&f.to_le_bytes(), 0),
                            Err(_) => return self.err(format!("the float constant `{text}`")),
                        },
                        FloatTy::F64 => match text.parse::<f64>() {
                            Ok(f) => put(&f.to_le_bytes(), 0),
                            Err(_) => return self.err(format!("the float constant `{text}`")),
                        },
                        _ => return self.err("f16 and f128 constants"),
                    }
                }
                ConstKind::Unit | ConstKind::ZeroSized(_) => {}
                ConstKind::Tuple(cs) | ConstKind::Array(cs) => {
                    for (i, &e) in cs.iter().enumerate() {
                        let (fo, ft) = self.slot(&lay, matches!(k, ConstKind::Array(_)), i)?;
                        stack.push((e, ft, off + fo));
                    }
                }
                ConstKind::Adt { fields, .. } if lay.variants.is_empty() => {
                    let def_fields = self.adt_field_names(ty);
                    for (i, (name, e)) in fields.iter().enumerate() {
                        let idx = name
                            .and_then(|n| def_fields.iter().position(|f| *f == n))
                            .unwrap_or(i);
                        let (fo, ft) = self.slot(&lay, false, idx)?;
                        stack.push((*e, ft, off + fo));
                    }
                }
                ConstKind::Str(s) => {
                    let bytes = self.sh.names.str(*s).as_bytes().to_vec();
                    let a = self.place_string(&bytes)?;
                    put(&(a as u32).to_le_bytes(), 0);
                    put(&(bytes.len() as u32).to_le_bytes(), 4);
                }
                ConstKind::Bytes { bytes, deref: true } => put(bytes, 0),
                ConstKind::Bytes {
                    bytes,
                    deref: false,
                } => {
                    let a = self.place_string(bytes)?;
                    put(&(a as u32).to_le_bytes(), 0);
                }
                ConstKind::Ptr(p, _) => {
                    let a = self.alloc_addr(p.alloc)? + p.offset;
                    put(&(a as u32).to_le_bytes(), 0);
                }
                ConstKind::Slice { alloc, meta, .. } => {
                    let a = self.alloc_addr(*alloc)?;
                    put(&(a as u32).to_le_bytes(), 0);
                    put(&(*meta as u32).to_le_bytes(), 4);
                }
                _ => {
                    return self.err(format!(
                        "this constant of type `{}` in a promoted constant",
                        self.show(ty)
                    ));
                }
            }
            if misfit {
                return self.err(format!("a constant that does not fit `{}`", self.show(ty)));
            }
        }
        Ok(buf)
    }

    /// Where field `i` of an aggregate of layout `lay` is, and its type (element `i` of an
    /// array).
    fn slot(&mut self, lay: &Layout, array: bool, i: usize) -> R<(u64, Ty)> {
        if array {
            if let Some(&e) = lay.fields.first()
                && (i as u64) < lay.count
            {
                return Ok((i as u64 * self.layout(e)?.size, e));
            }
        } else if let (Some(&o), Some(&t)) = (lay.offsets.get(i), lay.fields.get(i)) {
            return Ok((o, t));
        }
        self.err(format!(
            "element {i} of a constant aggregate that has no such element"
        ))
    }
}

/// Copies `bytes` into `buf` at `at`; false when they do not fit.
fn write_at(buf: &mut [u8], at: u64, bytes: &[u8]) -> bool {
    let Some(dst) = usize::try_from(at)
        .ok()
        .and_then(|a| buf.get_mut(a..a.checked_add(bytes.len())?))
    else {
        return false;
    };
    dst.copy_from_slice(bytes);
    true
}
