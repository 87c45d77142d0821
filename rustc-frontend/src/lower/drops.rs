//! Drop glue: what a `drop` terminator or `core::ptr::drop_in_place::<T>` runs for a value of
//! a type that needs dropping.
//!
//! A type needs dropping when it has a `Drop` impl of the crate or contains a value that does
//! (fields of structs, tuples and closures, elements of arrays, fields of enum variants). The
//! glue is written inline at the drop, as rustc's `drop_in_place` does it: the type's own
//! `Drop::drop(&mut value)` first, then its fields in declaration order (a tuple's and a
//! closure's in order, an array's elements from the first), an enum's fields those of the
//! variant its discriminant selects. A work stack replaces rustc's recursion; an enum branches
//! to a block per variant that needs dropping, which rejoin after it. Drop elaboration has
//! already happened in the MIR: flags for conditionally moved values are plain locals.
use super::*;

/// Arrays whose elements need dropping are dropped element by element, written out up to this
/// many elements.
const MAX_UNROLLED_ELEMENTS: u64 = 64;

/// A step of the glue.
enum Step {
    /// Drop the value of this type at this address.
    Drop(Value, Ty),
    /// Call the `Drop` impl of this type on the value at this address (after a `Box`'s
    /// contents: its impl only frees the memory).
    DropImpl(Value, Ty),
    /// Go on writing in this block.
    Enter(wasmir::Block),
    /// Branch to this block (the join after an enum's variants).
    Branch(wasmir::Block),
}

impl FnLower<'_, '_, '_> {
    /// Whether the type `ty` names has a `Drop` impl: one of the crate's (read from the
    /// source), or for alloc's types (`Box`, `Vec`, `RawVec`, …) one its MIR resolves.
    fn has_drop_impl(&mut self, ty: Ty) -> bool {
        let TyKind::Path(p) = *self.sh.names.ty_kind(ty) else {
            return false;
        };
        if self
            .last_ident(p)
            .is_some_and(|n| self.sh.items.drop_impls.contains(&n))
        {
            return true;
        }
        if self.sh.names.str_of_first(p) != Some("alloc") {
            return false;
        }
        let path = self.drop_path(ty);
        self.resolve(path).is_ok()
    }

    /// Whether `ty` is alloc's `Box<T>`: its glue drops the contents, then its `Drop` impl
    /// frees the memory. Returns `T`.
    fn box_contents(&self, ty: Ty) -> Option<Ty> {
        let TyKind::Path(p) = *self.sh.names.ty_kind(ty) else {
            return None;
        };
        let d = self.sh.names.path_data(p);
        let is_box = self.sh.names.str_of_first(p) == Some("alloc")
            && matches!(d.segments.last().map(|s| &s.name),
                Some(SegName::Ident(n)) if self.sh.names.str(*n) == "Box");
        if !is_box {
            return None;
        }
        self.pointer_pointee(ty)
    }

    /// Whether a path names core's `ManuallyDrop`, which drops nothing.
    fn is_manually_drop(&self, p: PathId) -> bool {
        self.is_core_mem_type(p, "ManuallyDrop", "manually_drop")
    }

    /// Whether a path names core's `mem::NAME` (re-exported from `mem::MODULE`).
    pub(super) fn is_core_mem_type(&self, p: PathId, name: &str, module: &str) -> bool {
        let segs = &self.sh.names.path_data(p).segments;
        let ident = |i: usize| match segs.get(i).map(|s| &s.name) {
            Some(SegName::Ident(s)) => self.sh.names.str(*s),
            _ => "",
        };
        let n = segs.len();
        n >= 2 && ident(n - 1) == name && [module, "mem"].contains(&ident(n - 2))
    }

    /// Whether dropping a value of `ty` runs code: a user type with a `Drop` impl, a value
    /// containing one, or a type whose definition is not known here (refused by the glue).
    pub(super) fn needs_drop(&mut self, ty: Ty) -> bool {
        if let Some(&known) = self.sh.needs_drop.get(&ty) {
            return known;
        }
        let found = self.walk_needs_drop(ty);
        self.sh.needs_drop.insert(ty, found);
        found
    }

    /// `needs_drop` by walking the type; the parts found not to need dropping are remembered
    /// when none does, so that the glue's queries on parts cost no second walk.
    fn walk_needs_drop(&mut self, ty: Ty) -> bool {
        let mut stack = vec![ty];
        let mut seen = Vec::new();
        while let Some(t) = stack.pop() {
            match self.sh.needs_drop.get(&t) {
                Some(true) => return true,
                Some(false) => continue,
                None => seen.push(t),
            }
            match self.sh.names.ty_kind(t).clone() {
                TyKind::Tuple(ts) => stack.extend(ts.iter().copied()),
                TyKind::Array(e, _) => stack.push(e),
                TyKind::Path(p) if self.is_manually_drop(p) => {}
                TyKind::Path(_) | TyKind::Closure(_) => {
                    let Ok(l) = self.layout(t) else { return true };
                    if self.has_drop_impl(t) {
                        return true;
                    }
                    stack.extend(l.fields.iter().copied());
                }
                _ => {}
            }
        }
        for t in seen {
            self.sh.needs_drop.insert(t, false);
        }
        false
    }

    /// A new block of the function, after the others.
    pub(super) fn new_block(&mut self) -> wasmir::Block {
        let body = &mut self.module.bodies[self.fbody];
        let region = body
            .region_of(self.cur)
            .expect("the current block is in a region");
        let b = body.create_block();
        body.append_block(region, b);
        b
    }

    /// Drops the value of type `ty` at `addr`.
    pub(super) fn drop_glue(&mut self, addr: Value, ty: Ty) -> R<()> {
        let mut steps = vec![Step::Drop(addr, ty)];
        while let Some(step) = steps.pop() {
            let (a, t) = match step {
                Step::Enter(b) => {
                    self.cur = b;
                    continue;
                }
                Step::Branch(b) => {
                    self.branch(b);
                    continue;
                }
                Step::DropImpl(a, t) => {
                    self.call_drop_impl(a, t)?;
                    continue;
                }
                Step::Drop(a, t) => (a, t),
            };
            if !self.needs_drop(t) {
                continue;
            }
            let lay = self.layout(t)?;
            if let Some(contents) = self.box_contents(t) {
                steps.push(Step::DropImpl(a, t));
                match self.sh.names.ty_kind(contents).clone() {
                    TyKind::Dyn { .. } => self.drop_dyn(a)?,
                    TyKind::Slice(e) | TyKind::Array(e, _) if !self.needs_drop(e) => {}
                    TyKind::Slice(_) | TyKind::Str => {
                        return self.err(format!(
                            "dropping a boxed slice of values that need dropping (`{}`)",
                            self.show(t)
                        ));
                    }
                    _ => {
                        let p = self.load(Scalar::PTR, a);
                        steps.push(Step::Drop(p, contents));
                    }
                }
                continue;
            }
            if self.has_drop_impl(t) {
                self.call_drop_impl(a, t)?;
            }
            // Later steps are pushed first: the stack gives them back in order.
            match self.sh.names.ty_kind(t).clone() {
                TyKind::Array(e, _) => {
                    if lay.count > MAX_UNROLLED_ELEMENTS {
                        return self.err(format!(
                            "dropping an array of more than {MAX_UNROLLED_ELEMENTS} elements that need dropping (`{}`)",
                            self.show(t)
                        ));
                    }
                    let size = self.layout(e)?.size;
                    for i in (0..lay.count).rev() {
                        let ea = self.add_offset(a, i * size);
                        steps.push(Step::Drop(ea, e));
                    }
                }
                _ if lay.variants.is_empty() => {
                    for i in (0..lay.fields.len()).rev() {
                        let fa = self.add_offset(a, lay.offsets[i]);
                        steps.push(Step::Drop(fa, lay.fields[i]));
                    }
                }
                _ => {
                    let join = self.new_block();
                    steps.push(Step::Enter(join));
                    let discr = Scalar::Int {
                        bits: 64,
                        signed: true,
                    };
                    let mut cases: Vec<(i128, wasmir::Block)> = Vec::new();
                    for v in lay.variants.iter().rev() {
                        let dropped: Vec<usize> = (0..v.fields.len())
                            .filter(|&i| self.needs_drop(v.fields[i]))
                            .collect();
                        if dropped.is_empty() || v.absent {
                            continue;
                        }
                        let block = self.new_block();
                        cases.push((v.discr, block));
                        steps.push(Step::Branch(join));
                        for &i in dropped.iter().rev() {
                            // Computed before the branch, which dominates the variant's block.
                            let fa = self.add_offset(a, v.offsets[i]);
                            steps.push(Step::Drop(fa, v.fields[i]));
                        }
                        steps.push(Step::Enter(block));
                    }
                    let d = self.read_discriminant(PlaceRef::Mem(a), &lay, discr)?;
                    self.switch_to(d, discr, &cases, join);
                }
            }
        }
        Ok(())
    }

    /// Branches on the value `v` of scalar `s` to each case's block, else to `default`.
    fn switch_to(
        &mut self,
        v: Value,
        s: Scalar,
        cases: &[(i128, wasmir::Block)],
        default: wasmir::Block,
    ) {
        let t = wasm_ty(self.ctx, s);
        let values: Vec<Attr> = cases
            .iter()
            .map(|&(x, _)| self.ctx.int_attr(x, t))
            .collect();
        let arr = self.ctx.attr(wasmir::ir::AttrData::Array(values.into()));
        let mut succs = vec![wasmir::SuccSpec {
            block: default,
            args: &[],
        }];
        succs.extend(cases.iter().map(|&(_, b)| wasmir::SuccSpec {
            block: b,
            args: &[],
        }));
        self.b()
            .create("cf.switch", &[v], &[], &[("case_values", arr)], &succs, &[]);
    }

    /// `<T as core::ops::Drop>::drop`.
    fn drop_path(&mut self, ty: Ty) -> PathId {
        let names = &mut *self.sh.names;
        let trait_segments: Box<[Segment]> = ["core", "ops", "Drop"]
            .iter()
            .map(|s| Segment {
                name: SegName::Ident(names.sym(s)),
                args: Box::new([]),
                paren_sugar: None,
            })
            .collect();
        let trait_ = names.path(Path {
            qself: None,
            segments: trait_segments,
        });
        let method = Segment {
            name: SegName::Ident(names.sym("drop")),
            args: Box::new([]),
            paren_sugar: None,
        };
        names.path(Path {
            qself: Some(QSelf {
                self_ty: ty,
                trait_: Some(trait_),
            }),
            segments: Box::new([method]),
        })
    }

    /// `<T as Drop>::drop(&mut *addr)`, with the crate's impl (or a library's).
    fn call_drop_impl(&mut self, addr: Value, ty: Ty) -> R<()> {
        let path = self.drop_path(ty);
        let by_ref = self.sh.names.ty(TyKind::Ref {
            region: None,
            mutable: true,
            pointee: ty,
        });
        let (krate, id, body, name) = match self.resolve(path) {
            Ok(found) => found,
            Err(m) => return self.err(format!("{m}: the `Drop` impl of `{}`", self.show(ty))),
        };
        let mut s: Vec<(Sym, Ty)> = Vec::new();
        if body.arg_count != 1 {
            return self.err(format!("the `Drop` impl of `{}`", self.show(ty)));
        }
        let pt = self.sh.import_ty(krate, body.locals[Local::new(1)].ty);
        if !unify(self.sh.names, self.sh.items, pt, by_ref, &mut s) {
            return self.err(format!(
                "the type parameters of the `Drop` impl of `{}` could not be inferred",
                self.show(ty)
            ));
        }
        s.sort_by_key(|(n, _)| self.sh.names.str(*n).to_string());
        let csig = signature(self.sh, krate, body, &s, self.span)?;
        let origin = self.origin();
        let symbol = self
            .sh
            .mono
            .instance(self.sh.names, krate, id, &name, s, None, origin);
        self.call_op(&symbol, &[addr], &csig);
        Ok(())
    }

    /// A `drop` terminator's place: its glue, or for a trait object behind a pointer
    /// (`drop((*p))`, from an inlined `drop_in_place::<dyn Trait>`) its vtable's drop entry.
    pub(super) fn drop_place(&mut self, place: Place) -> R<()> {
        let ty = self.place_ty(place)?;
        if let TyKind::Dyn { .. } = self.sh.names.ty_kind(ty) {
            let what = format!("dropping `{}` in place", self.show(ty));
            let fat = self.fat_pointer_of(place, &what)?;
            return self.drop_dyn(fat);
        }
        if self.needs_drop(ty) {
            let a = self.place_addr(place)?;
            self.drop_glue(a, ty)?;
        }
        Ok(())
    }

    /// `core::ptr::drop_in_place::<T>(ptr)`: the glue of `T` at the pointer. Whether the call
    /// was one.
    pub(super) fn drop_in_place(&mut self, bare: &str, args: &[Operand]) -> R<bool> {
        if bare != "core::ptr::drop_in_place" {
            return Ok(false);
        }
        let [ptr] = args else {
            return self.err("`drop_in_place` with other than one argument");
        };
        let pty = self.operand_ty(ptr)?;
        if let TyKind::RawPtr { pointee, .. } = *self.sh.names.ty_kind(pty)
            && let TyKind::Dyn { .. } = self.sh.names.ty_kind(pointee)
        {
            let fat = match self.operand(ptr)? {
                (Val::Mem(a), _) => a,
                (_, t) => return self.err(format!("`drop_in_place` of `{}`", self.show(t))),
            };
            self.drop_dyn(fat)?;
            return Ok(true);
        }
        // `*mut [T]` (`Vec`'s drop of its elements): nothing when `T` needs no dropping.
        if let TyKind::RawPtr { pointee, .. } = *self.sh.names.ty_kind(pty)
            && let TyKind::Slice(e) | TyKind::Array(e, _) = *self.sh.names.ty_kind(pointee)
            && matches!(self.sh.names.ty_kind(pointee), TyKind::Slice(_))
        {
            if self.needs_drop(e) {
                return self.err(format!(
                    "dropping a slice of values that need dropping (`{}`)",
                    self.show(pointee)
                ));
            }
            return Ok(true);
        }
        let (p, _, pty) = self.scalar(ptr)?;
        let TyKind::RawPtr { pointee, .. } = *self.sh.names.ty_kind(pty) else {
            return self.err(format!("`drop_in_place` of `{}`", self.show(pty)));
        };
        if self.needs_drop(pointee) {
            self.drop_glue(p, pointee)?;
        }
        Ok(true)
    }
}
