//! Slices and `str` behind fat pointers (`lower/slices.rs` has their layouts): places behind a
//! fat pointer carry their length, references and raw pointers to them are written as (data,
//! length) pairs, unsizing casts from arrays, `PtrMetadata`, subslices and constant indexes from
//! the end, core's pointer intrinsics, and the constants core's generic code asks about its
//! type parameters (`<T as SizedTypeProperties>::SIZE`).
use super::*;
use crate::lower::slices::{element, has_len, is_unsized};

const USIZE: Scalar = Scalar::PTR;

impl FnLower<'_, '_, '_> {
    /// The pointee type when `t` is a fat pointer (to a slice or `str`).
    fn fat_pointee(&self, t: Ty) -> Option<Ty> {
        match *self.sh.names.ty_kind(t) {
            TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. }
                if has_len(self.sh.names, pointee) =>
            {
                Some(pointee)
            }
            _ => None,
        }
    }

    /// The length a dereference of the pointer at `ptr_place` finds, when `pointee` is unsized.
    pub(super) fn fat_len(&mut self, ptr_place: PlaceRef, pointee: Ty) -> R<Option<Value>> {
        if !is_unsized(self.sh.names, pointee) {
            return Ok(None);
        }
        if !has_len(self.sh.names, pointee) {
            return self.err(format!(
                "a dereference of a pointer to `{}`",
                self.show(pointee)
            ));
        }
        match ptr_place {
            PlaceRef::Mem(a) => {
                let at = self.add_offset(a, 4);
                Ok(Some(self.load(USIZE, at)))
            }
            _ => self.err("a fat pointer held outside memory"),
        }
    }

    /// The size of `[T]`'s or `str`'s element.
    fn element_size(&mut self, unsized_ty: Ty) -> R<(Ty, u64)> {
        let Some(e) = element(self.sh.names, unsized_ty) else {
            return self.err(format!("elements of `{}`", self.show(unsized_ty)));
        };
        Ok((e, self.layout(e)?.size))
    }

    /// `(*s)[k of n]` and `(*s)[-k of n]` on a slice (a pattern's fixed positions).
    pub(super) fn slice_constant_index(
        &mut self,
        cur: PlaceRef,
        ty: Ty,
        meta: Option<Value>,
        offset: u64,
        from_end: bool,
    ) -> R<(PlaceRef, Ty)> {
        let (e, size) = self.element_size(ty)?;
        let PlaceRef::Mem(a) = cur else {
            return self.err("indexing a slice not in memory");
        };
        let addr = if from_end {
            let Some(len) = meta else {
                return self.err("an index from the end of a slice of unknown length");
            };
            let k = self.b().i32_const(offset as i32);
            let i = self.op2("wasm.i32.sub", len, k);
            let sz = self.b().i32_const(size as i32);
            let off = self.op2("wasm.i32.mul", i, sz);
            self.op2("wasm.i32.add", a, off)
        } else {
            self.add_offset(a, offset * size)
        };
        Ok((PlaceRef::Mem(addr), e))
    }

    /// `P[from:-to]` (`from_end`) or `P[from..to]` of an array or a slice: the address moves to
    /// element `from`; an array's subslice is an array of the elements left, a slice's keeps
    /// the length left.
    pub(super) fn subslice(
        &mut self,
        cur: PlaceRef,
        ty: Ty,
        meta: Option<Value>,
        from: u64,
        to: u64,
        from_end: bool,
    ) -> R<(PlaceRef, Ty, Option<Value>)> {
        let sub = self.subslice_ty(ty, from, to, from_end)?;
        match *self.sh.names.ty_kind(ty) {
            TyKind::Array(e, _) => {
                let size = self.layout(e)?.size;
                let cur = match cur {
                    PlaceRef::Mem(a) => PlaceRef::Mem(self.add_offset(a, from * size)),
                    _ => PlaceRef::Zst,
                };
                Ok((cur, sub, None))
            }
            TyKind::Slice(_) => {
                let (_, size) = self.element_size(ty)?;
                let (PlaceRef::Mem(a), Some(len)) = (cur, meta) else {
                    return self.err("a subslice of a slice not behind a pointer");
                };
                let addr = self.add_offset(a, from * size);
                let len = if from_end {
                    let k = self.b().i32_const((from + to) as i32);
                    self.op2("wasm.i32.sub", len, k)
                } else if let Some(n) = to.checked_sub(from) {
                    self.b().i32_const(n as i32)
                } else {
                    return self.err(format!("the subslice [{from}..{to}] of a slice"));
                };
                Ok((PlaceRef::Mem(addr), ty, Some(len)))
            }
            _ => self.err(format!("a subslice of `{}`", self.show(ty))),
        }
    }

    /// The type of subslice `[from:-to]` (`from_end`) or `[from..to]` of `ty`: an array of the
    /// elements left, or the same slice.
    pub(super) fn subslice_ty(&mut self, ty: Ty, from: u64, to: u64, from_end: bool) -> R<Ty> {
        match *self.sh.names.ty_kind(ty) {
            TyKind::Array(e, ref n) => {
                let Some(n) = array_len(n) else {
                    return self.err("a subslice of an array whose length is not a literal");
                };
                let count = if from_end {
                    n.checked_sub(from).and_then(|k| k.checked_sub(to))
                } else {
                    to.checked_sub(from)
                };
                let Some(count) = count else {
                    return self.err(format!(
                        "the subslice [{from}..{to}] of `{}`",
                        self.show(ty)
                    ));
                };
                Ok(self
                    .sh
                    .names
                    .ty(TyKind::Array(e, ConstArg::Int(u128::from(count)))))
            }
            TyKind::Slice(_) => Ok(ty),
            _ => self.err(format!("a subslice of `{}`", self.show(ty))),
        }
    }

    /// Writes a fat pointer (`data`, `len`) at `d`.
    pub(in crate::lower) fn write_fat(&mut self, d: Value, data: Value, len: Value) {
        self.store(Scalar::PTR, d, data);
        let at = self.add_offset(d, 4);
        self.store(USIZE, at, len);
    }

    /// Rvalues producing a fat pointer into `dest` (of type `dty`): references and raw
    /// pointers to unsized places, unsizing casts, casts between fat pointers, and
    /// `*const [T] from (data, len)`. False when `rv` is not one of these.
    pub(super) fn fat_rvalue(&mut self, dest: Place, dty: Ty, rv: &Rvalue) -> R<bool> {
        if self.fat_pointee(dty).is_none() {
            return Ok(false);
        }
        match rv {
            Rvalue::Ref(_, p) | Rvalue::RawPtr { place: p, .. } => {
                let (r, ty, meta) = self.place_meta(*p)?;
                let (PlaceRef::Mem(a), Some(len)) = (r, meta) else {
                    return self.err(format!(
                        "a fat pointer to a place of type `{}` not behind a pointer",
                        self.show(ty)
                    ));
                };
                let d = self.place_addr(dest)?;
                self.write_fat(d, a, len);
            }
            Rvalue::Cast(CastKind::PointerCoercion(k), op, _) => {
                let k = self.mir_sym(*k);
                if !self.sh.names.str(k).starts_with("Unsize") {
                    return Ok(false);
                }
                let (data, _, from) = self.scalar(op)?;
                let n = match self.sh.names.ty_kind(from) {
                    TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. } => {
                        match self.sh.names.ty_kind(*pointee) {
                            TyKind::Array(_, n) => array_len(n),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                let Some(n) = n else {
                    return self.err(format!(
                        "an unsizing cast from `{}` (only arrays to slices are)",
                        self.show(from)
                    ));
                };
                let len = self.b().i32_const(n as i32);
                let d = self.place_addr(dest)?;
                self.write_fat(d, data, len);
            }
            Rvalue::Cast(CastKind::PtrToPtr, op, _) => {
                let from = self.operand_ty(op)?;
                if self.fat_pointee(from).is_none() {
                    return self.err(format!(
                        "a cast from the thin pointer `{}` to the fat pointer `{}`",
                        self.show(from),
                        self.show(dty)
                    ));
                }
                let d = self.place_addr(dest)?;
                self.operand_to(d, op, from)?;
            }
            Rvalue::Aggregate(AggregateKind::RawPtr { .. }, ops) if ops.len() == 2 => {
                let (data, _, _) = self.scalar(&ops[0].1)?;
                let (len, _, _) = self.scalar(&ops[1].1)?;
                let d = self.place_addr(dest)?;
                self.write_fat(d, data, len);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// `PtrMetadata(p)`: a fat pointer's length.
    pub(super) fn ptr_metadata(&mut self, op: &Operand) -> R<Value> {
        match self.operand(op)? {
            (Val::Mem(a), t) if self.fat_pointee(t).is_some() => {
                let at = self.add_offset(a, 4);
                Ok(self.load(USIZE, at))
            }
            (_, t) => self.err(format!("the metadata of `{}`", self.show(t))),
        }
    }

    /// A cast of a fat pointer to a thin one: its data pointer.
    pub(super) fn fat_to_thin(&mut self, kind: CastKind, op: &Operand) -> R<Option<Value>> {
        if !matches!(kind, CastKind::PtrToPtr) {
            return Ok(None);
        }
        let t = self.operand_ty(op)?;
        // To a slice or `str`, or to a trait object (`*mut dyn Tr as *mut u8`).
        if !self
            .pointer_pointee(t)
            .is_some_and(|p| is_unsized(self.sh.names, p))
        {
            return Ok(None);
        }
        match self.operand(op)?.0 {
            Val::Mem(a) => Ok(Some(self.load(Scalar::PTR, a))),
            _ => self.err("a fat pointer held outside memory"),
        }
    }

    /// The pointee's size of the pointer operand `op`.
    fn pointee_size(&mut self, op: &Operand) -> R<u64> {
        let t = self.operand_ty(op)?;
        match *self.sh.names.ty_kind(t) {
            TyKind::RawPtr { pointee, .. } | TyKind::Ref { pointee, .. } => {
                Ok(self.layout(pointee)?.size)
            }
            _ => self.err(format!("pointer arithmetic on `{}`", self.show(t))),
        }
    }

    /// `base + n * size` in wasm32 address arithmetic.
    fn scaled_add(&mut self, base: Value, n: Value, ns: Scalar, size: u64) -> Value {
        let n = self.int_to_int(n, ns, Scalar::PTR);
        let sz = self.b().i32_const(size as i32);
        let off = self.op2("wasm.i32.mul", n, sz);
        self.op2("wasm.i32.add", base, off)
    }

    /// Core's intrinsics on pointers and memory (after the arithmetic ones of `intrinsic`).
    /// `r` is the evaluated destination.
    pub(super) fn pointer_intrinsic(
        &mut self,
        name: &str,
        r: PlaceRef,
        args: &[Operand],
    ) -> R<Option<bool>> {
        let arity = |f: &Self, n: usize| -> R<()> {
            if args.len() == n {
                Ok(())
            } else {
                f.err(format!(
                    "the intrinsic `{name}` with {} arguments",
                    args.len()
                ))
            }
        };
        match name {
            // `offset(p, n)` and `arith_offset(p, n)`: `p + n * size_of::<T>()`.
            "offset" | "arith_offset" => {
                arity(self, 2)?;
                let size = self.pointee_size(&args[0])?;
                let (p, _, _) = self.scalar(&args[0])?;
                let (n, ns, _) = self.scalar(&args[1])?;
                let v = self.scaled_add(p, n, ns, size);
                self.write_scalar(r, Scalar::PTR, v);
            }
            // `(a - b) / size_of::<T>()`; the callers guarantee an exact, ordered difference.
            "ptr_offset_from_unsigned" | "ptr_offset_from" => {
                arity(self, 2)?;
                let size = self.pointee_size(&args[0])?;
                if size == 0 {
                    return self.err(format!("`{name}` on pointers to zero-sized values"));
                }
                let (a, _, _) = self.scalar(&args[0])?;
                let (b, _, _) = self.scalar(&args[1])?;
                let d = self.op2("wasm.i32.sub", a, b);
                let sz = self.b().i32_const(size as i32);
                let div = if name == "ptr_offset_from" {
                    "wasm.i32.div_s"
                } else {
                    "wasm.i32.div_u"
                };
                let v = self.op2(div, d, sz);
                self.write_scalar(r, Scalar::PTR, v);
            }
            // Swaps the values behind two pointers through a slot.
            "typed_swap_nonoverlapping" => {
                arity(self, 2)?;
                let size = self.pointee_size(&args[0])?;
                let (x, _, _) = self.scalar(&args[0])?;
                let (y, _, _) = self.scalar(&args[1])?;
                let tmp = self.stack_slot(size, 16);
                self.copy(tmp, x, size);
                self.copy(x, y, size);
                self.copy(y, tmp, size);
            }
            // `copy(src, dst, count)` (may overlap) and `copy_nonoverlapping` called as a
            // function: `memory.copy` handles both. `write_bytes(dst, byte, count)`.
            "copy" | "copy_nonoverlapping" | "write_bytes" => {
                arity(self, 3)?;
                let size = self.pointee_size(&args[0])?;
                let (x, _, _) = self.scalar(&args[0])?;
                let (y, _, _) = self.scalar(&args[1])?;
                let (n, _, _) = self.scalar(&args[2])?;
                let sz = self.b().i32_const(size as i32);
                let len = self.op2("wasm.i32.mul", n, sz);
                if name == "write_bytes" {
                    let m = self.mem_attrs();
                    self.create0("wasm.memory.fill", &[x, y, len], &[("memory", m)]);
                } else {
                    self.copy_len(y, x, len);
                }
            }
            "compare_bytes" => {
                arity(self, 3)?;
                let (a, _, _) = self.scalar(&args[0])?;
                let (b, _, _) = self.scalar(&args[1])?;
                let (n, _, _) = self.scalar(&args[2])?;
                let v = self.compare_bytes(a, b, n);
                self.write_scalar(
                    r,
                    Scalar::Int {
                        bits: 32,
                        signed: true,
                    },
                    v,
                );
            }
            _ => return self.err(format!("the intrinsic `{name}`")),
        }
        Ok(Some(true))
    }

    fn br_args(&mut self, to: wasmir::Block, args: &[Value]) {
        self.b().create(
            "cf.br",
            &[],
            &[],
            &[],
            &[wasmir::SuccSpec { block: to, args }],
            &[],
        );
    }

    /// `memcmp`: the difference of the first differing bytes of `a[..n]` and `b[..n]`
    /// (unsigned), or 0. A loop over the bytes, its index and result carried as block
    /// arguments; the current block becomes the loop's exit, which receives the result.
    fn compare_bytes(&mut self, a: Value, b: Value, n: Value) -> Value {
        let i32t = self.ctx.i32();
        let head = self.new_block();
        let body = self.new_block();
        let differ = self.new_block();
        let exit = self.new_block();
        let i = self.module.bodies[self.fbody].add_block_arg(head, i32t);
        let bi = self.module.bodies[self.fbody].add_block_arg(body, i32t);
        let res = self.module.bodies[self.fbody].add_block_arg(exit, i32t);
        let zero = self.b().i32_const(0);
        self.br_args(head, &[zero]);

        self.cur = head;
        let more = self.op2("wasm.i32.lt_u", i, n);
        let zero = self.b().i32_const(0);
        self.b().create(
            "cf.cond_br",
            &[more],
            &[],
            &[],
            &[
                wasmir::SuccSpec {
                    block: body,
                    args: &[i],
                },
                wasmir::SuccSpec {
                    block: exit,
                    args: &[zero],
                },
            ],
            &[],
        );

        self.cur = body;
        let u8s = Scalar::Int {
            bits: 8,
            signed: false,
        };
        let pa = self.op2("wasm.i32.add", a, bi);
        let pb = self.op2("wasm.i32.add", b, bi);
        let x = self.load(u8s, pa);
        let y = self.load(u8s, pb);
        let diff = self.op2("wasm.i32.sub", x, y);
        let one = self.b().i32_const(1);
        let next = self.op2("wasm.i32.add", bi, one);
        self.b().create(
            "cf.cond_br",
            &[diff],
            &[],
            &[],
            &[
                wasmir::SuccSpec {
                    block: differ,
                    args: &[],
                },
                wasmir::SuccSpec {
                    block: head,
                    args: &[next],
                },
            ],
            &[],
        );

        self.cur = differ;
        self.br_args(exit, &[diff]);

        self.cur = exit;
        res
    }

    /// A `core::alloc::Layout { size, align }` value in a new stack slot.
    fn layout_value(&mut self, size: u64, align: u64) -> R<(Val, Ty)> {
        let Some(ty) = crate::mir::parse_type(self.sh.names, "core::alloc::Layout") else {
            return self.err("the type `core::alloc::Layout`");
        };
        let lay = self.layout(ty)?;
        let fields = self.adt_field_names(ty);
        let a = self.stack_slot(lay.size, lay.align);
        for (name, v) in [("size", size), ("align", align)] {
            let Some(i) = fields.iter().position(|f| self.sh.names.str(*f) == name) else {
                return self.err(format!("the field `{name}` of `core::alloc::Layout`"));
            };
            let at = self.add_offset(a, lay.offsets[i]);
            let c = self.iconst(USIZE, v as i128);
            self.store(USIZE, at, c);
        }
        Ok((Val::Mem(a), ty))
    }

    /// `<T as SizedTypeProperties>::SIZE`, `::ALIGN`, `::IS_ZST` (and `MAX_SLICE_LEN`) of the
    /// substituted `T`: what core's generic code asks of its type parameters.
    pub(super) fn type_property(&mut self, k: &ConstKind) -> R<Option<(Val, Ty)>> {
        let ConstKind::Path(p) = k else {
            return Ok(None);
        };
        let data = self.sh.names.path_data(*p).clone();
        let Some(q) = &data.qself else {
            return Ok(None);
        };
        let trait_is = |names: &Interner, want: &str| {
            q.trait_.is_some_and(|t| {
                matches!(names.path_data(t).segments.last().map(|s| &s.name),
                    Some(SegName::Ident(s)) if names.str(*s) == want)
            })
        };
        if !trait_is(self.sh.names, "SizedTypeProperties") {
            return Ok(None);
        }
        let Some(SegName::Ident(item)) = data.segments.last().map(|s| s.name.clone()) else {
            return Ok(None);
        };
        let item = self.sh.names.str(item).to_string();
        let t = self.subst(q.self_ty);
        let lay = self.layout(t)?;
        if item == "LAYOUT" {
            return self.layout_value(lay.size, lay.align).map(Some);
        }
        let (v, ty) = match item.as_str() {
            "SIZE" => (lay.size as i128, TyKind::Int(IntTy::Usize)),
            "ALIGN" => (lay.align as i128, TyKind::Int(IntTy::Usize)),
            "IS_ZST" => (i128::from(lay.is_zst()), TyKind::Bool),
            "MAX_SLICE_LEN" => (
                match lay.size {
                    0 => u32::MAX as i128,
                    n => (i32::MAX as u64 / n) as i128,
                },
                TyKind::Int(IntTy::Usize),
            ),
            _ => return self.err(format!("the constant `{item}` of `SizedTypeProperties`")),
        };
        let ty = self.sh.names.ty(ty);
        let s = if matches!(self.sh.names.ty_kind(ty), TyKind::Bool) {
            Scalar::Int {
                bits: 8,
                signed: false,
            }
        } else {
            USIZE
        };
        let c = self.iconst(s, v);
        Ok(Some((Val::Scalar(c, s), ty)))
    }
}
