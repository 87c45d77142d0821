//! Trait objects: `&dyn Trait` and `&mut dyn Trait` of the crate's traits.
//!
//! A pointer to a trait object is a fat pointer in memory: the data pointer at offset 0, the
//! vtable's address at 4 (rustc's scalar pair). A vtable is rustc's: the drop function, the size,
//! the alignment, then one entry per method of the trait in declaration order, each a function
//! pointer (an index into the function table, `closures.rs`). Unsizing `&T` to `&dyn Trait` makes
//! `T`'s vtable for the trait (once) and pairs it with the pointer; `<dyn Trait as Trait>::m(p,
//! …)` loads the entry of `m` from the vtable and calls it through the table with the data
//! pointer as `self`.
//!
//! **Static data.** A vtable is placed with the module's other static data (`statics.rs`: one
//! active segment below the shadow stack), once per type and trait.
//!
//! The MIR has no trait definitions: `scan_traits` reads the crate's source for each trait's
//! methods in order. Refused, naming the trait: supertraits, generic methods and methods with a
//! `where Self: Sized` bound (their vtable entries are not written), traits of core; and a trait
//! object of a type that needs dropping (its vtable's drop entry: owned trait objects such as
//! `Box<dyn Trait>` are the only users, and allocation is not lowered).
use super::*;
use std::sync::OnceLock;

/// The crate's traits and the vtables made so far.
#[derive(Default)]
pub struct Vtables {
    /// Each trait of the crate: its methods in declaration order, or why it is refused.
    traits: FxHashMap<String, Result<Vec<String>, String>>,
    /// The address of the vtable of a type for a trait.
    made: FxHashMap<(Ty, String), u32>,
    /// The drop function of each type that needs dropping with a vtable.
    drop_fns: FxHashMap<Ty, String>,
}

impl Vtables {
    pub fn new(source: &str) -> Self {
        Vtables {
            traits: scan_traits(source),
            made: FxHashMap::default(),
            drop_fns: FxHashMap::default(),
        }
    }
}

/// The body of a function made here rather than from MIR (a type's drop function): nothing to
/// read, no locals.
fn empty_body() -> &'static Body {
    static EMPTY: OnceLock<Body> = OnceLock::new();
    EMPTY.get_or_init(|| Body {
        kind: BodyKind::Fn,
        name: PathId::new(0),
        offset: 0,
        arg_count: 0,
        locals: PrimaryMap::new(),
        scopes: PrimaryMap::new(),
        debug: Vec::new(),
        blocks: PrimaryMap::new(),
        stmts: Vec::new(),
        projs: Vec::new(),
        consts: PrimaryMap::new(),
        ctfe: false,
        trivial: false,
    })
}

/// The traits of `source`: for each `trait NAME … { … }`, its methods' names in order. Comments,
/// strings and character literals are skipped; a trait with supertraits, a generic method or a
/// method bounded by `Self: Sized` is recorded as refused.
fn scan_traits(source: &str) -> FxHashMap<String, Result<Vec<String>, String>> {
    let text = strip_comments_and_literals(source);
    let words: Vec<&str> = tokens(&text);
    let mut out = FxHashMap::default();
    let mut i = 0;
    while i + 1 < words.len() {
        if words[i] != "trait" || !is_ident(words[i + 1]) {
            i += 1;
            continue;
        }
        let name = words[i + 1].to_string();
        let mut j = i + 2;
        let mut why: Option<String> = None;
        // The header up to the body's `{`: a `:` at angle depth 0 starts supertraits.
        let mut angle = 0i32;
        while j < words.len() && words[j] != "{" && words[j] != ";" {
            match words[j] {
                "<" => angle += 1,
                ">" => angle -= 1,
                ":" if angle == 0 => why = Some("a trait with supertraits".into()),
                _ => {}
            }
            j += 1;
        }
        if j >= words.len() || words[j] != "{" {
            i = j;
            continue;
        }
        let mut depth = 0i32;
        let mut methods = Vec::new();
        let mut in_sig = false;
        while j < words.len() {
            match words[j] {
                "{" => {
                    depth += 1;
                    in_sig = false;
                }
                "}" => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                ";" => in_sig = false,
                "fn" if depth == 1 && j + 1 < words.len() => {
                    methods.push(words[j + 1].to_string());
                    if words.get(j + 2) == Some(&"<") {
                        why = Some(format!(
                            "a trait with a generic method (`{}`)",
                            words[j + 1]
                        ));
                    }
                    in_sig = true;
                }
                "Self"
                    if in_sig
                        && words.get(j + 1) == Some(&":")
                        && words.get(j + 2) == Some(&"Sized") =>
                {
                    why = Some("a trait with a method bounded by `Self: Sized`".into());
                }
                _ => {}
            }
            j += 1;
        }
        out.insert(name, why.map_or(Ok(methods), Err));
        i = j;
    }
    out
}

/// The source with comments, strings and character literals blanked (lifetimes kept).
fn strip_comments_and_literals(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i += 2;
            while i < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i += 2;
            out.push(' ');
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push(' ');
        } else if b[i] == b'\'' && (b.get(i + 2) == Some(&b'\'') || b.get(i + 1) == Some(&b'\\')) {
            // A character literal (`'a'`, `'\n'`), not a lifetime.
            i += 1;
            while i < b.len() && b[i] != b'\'' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push(' ');
        } else {
            let c = src[i..].chars().next().expect("in bounds");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Identifiers (with `'` for lifetimes) and single punctuation characters.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let word = c.is_alphanumeric() || c == '_';
        match (start, word) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                out.push(&text[s..i]);
                start = None;
            }
            _ => {}
        }
        if !word && !c.is_whitespace() {
            out.push(&text[i..i + c.len_utf8()]);
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

fn is_ident(w: &str) -> bool {
    w.starts_with(|c: char| c.is_alphabetic() || c == '_')
}

impl FnLower<'_, '_, '_> {
    /// The trait a `dyn` type names (its first bound's last segment).
    fn dyn_trait(&self, t: Ty) -> Option<String> {
        let TyKind::Dyn { bounds, .. } = self.sh.names.ty_kind(t) else {
            return None;
        };
        let b = bounds.first()?;
        self.last_ident(b.path)
            .map(|s| self.sh.names.str(s).to_string())
    }

    /// The methods of the crate's trait `name`, in order.
    fn trait_methods(&self, name: &str) -> R<Vec<String>> {
        match self.sh.vtables.traits.get(name) {
            Some(Ok(ms)) => Ok(ms.clone()),
            Some(Err(why)) => self.err(format!("trait objects of `{name}`: {why}")),
            None => self.err(format!(
                "trait objects of `{name}` (a trait whose definition is not in the crate)"
            )),
        }
    }

    /// The type a pointer points to: references and raw pointers, and the library's pointers
    /// that hold one (`Box<T>`, `NonNull<T>`, `Unique<T>`: a fat pointer when `T` is unsized,
    /// in their first field).
    pub(super) fn pointer_pointee(&self, t: Ty) -> Option<Ty> {
        let names = &*self.sh.names;
        match *names.ty_kind(t) {
            TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. } => Some(pointee),
            TyKind::Path(p) => {
                let seg = names.path_data(p).segments.last()?;
                let SegName::Ident(n) = seg.name else {
                    return None;
                };
                if !matches!(names.str(n), "Box" | "NonNull" | "Unique")
                    || !matches!(names.str_of_first(p), Some("alloc" | "core"))
                {
                    return None;
                }
                match seg.args.first()? {
                    GenericArg::Ty(t) => Some(*t),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `&T as &dyn Trait` (`PointerCoercion(Unsize)`) into the fat pointer at `dst`; also
    /// `Box<T>` to `Box<dyn Trait>`, and `Box<[T; N]>` to `Box<[T]>`.
    pub(super) fn unsize_to(&mut self, dst: Value, op: &Operand, to: Ty) -> R<()> {
        let (data, _, from) = self.scalar(op)?;
        let Some(src) = self.pointer_pointee(from) else {
            return self.err(format!("unsizing `{}`", self.show(from)));
        };
        let Some(dst_t) = self.pointer_pointee(to) else {
            return self.err(format!("unsizing to `{}`", self.show(to)));
        };
        if let (TyKind::Slice(_), TyKind::Array(_, n)) =
            (self.sh.names.ty_kind(dst_t), self.sh.names.ty_kind(src))
            && let Some(n) = array_len(n)
        {
            let len = self.b().i32_const(n as i32);
            self.write_fat(dst, data, len);
            return Ok(());
        }
        let Some(tr) = self.dyn_trait(dst_t) else {
            return self.err(format!("unsizing to `{}`", self.show(to)));
        };
        if matches!(self.sh.names.ty_kind(src), TyKind::Dyn { .. }) {
            return self.err(format!(
                "a trait object made another (`{}` to `{}`)",
                self.show(from),
                self.show(to)
            ));
        }
        let vt = self.vtable(src, &tr)?;
        self.store(Scalar::PTR, dst, data);
        let a = self.add_offset(dst, 4);
        let v = self.b().i32_const(vt as i32);
        self.store(Scalar::PTR, a, v);
        Ok(())
    }

    /// The address of the fat pointer `p` of a trait object place `*p`; `what` names the use
    /// for the error when the place is not a dereference.
    pub(super) fn fat_pointer_of(&mut self, place: Place, what: &str) -> R<Value> {
        if self.mir.place_projs(place).last() != Some(&Proj::Deref) {
            return self.err(what.to_string());
        }
        let pointer = Place {
            proj_len: place.proj_len - 1,
            ..place
        };
        self.place_addr(pointer)
    }

    /// `&*p` or `&mut *p` of a pointer to a trait object `p` (a reborrow): a copy of `p`.
    pub(super) fn reborrow_to(&mut self, dst: Value, p: Place, to: Ty) -> R<()> {
        let what = format!("a reference of type `{}`", self.show(to));
        let src = self.fat_pointer_of(p, &what)?;
        self.copy(dst, src, 8);
        Ok(())
    }

    /// The address of `ty`'s vtable for the crate's trait `tr`, written on first use.
    fn vtable(&mut self, ty: Ty, tr: &str) -> R<u32> {
        if let Some(&a) = self.sh.vtables.made.get(&(ty, tr.to_string())) {
            return Ok(a);
        }
        let methods = self.trait_methods(tr)?;
        let lay = self.layout(ty)?;
        let drop = self.drop_entry(ty)?;
        let mut words: Vec<u32> = vec![drop, lay.size as u32, lay.align as u32];
        for m in &methods {
            let symbol = self.trait_method(ty, tr, m)?;
            words.push(self.sh.table.index_of(&symbol));
        }
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        // In the module's one static data segment, with the literals and statics.
        let at = match self.sh.statics.place(&bytes, 4) {
            Ok(at) => at,
            Err(e) => return self.err(e),
        };
        self.sh.vtables.made.insert((ty, tr.to_string()), at as u32);
        Ok(at as u32)
    }

    /// The vtable's drop entry for `ty`: 0 when dropping it runs no code (as rustc writes),
    /// else the table index of a function `drop_in_place.T(ptr)` running its glue.
    fn drop_entry(&mut self, ty: Ty) -> R<u32> {
        if !self.needs_drop(ty) {
            return Ok(0);
        }
        if let Some(f) = self.sh.vtables.drop_fns.get(&ty) {
            let f = f.clone();
            return Ok(self.sh.table.index_of(&f));
        }
        let symbol = format!(
            "drop_in_place.{}",
            self.show(ty)
                .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        );
        self.sh.vtables.drop_fns.insert(ty, symbol.clone());
        let i32t = self.ctx.i32();
        let (_, fbody, entry) =
            Builder::at_module_end(self.ctx, self.module).func(&symbol, &[i32t], &[], None);
        let ptr = self.module.bodies[fbody].block_args(entry)[0];
        let inst = Instance {
            krate: Krate::User,
            body: BodyId::new(0),
            subst: Vec::new(),
            symbol: symbol.clone(),
            export: None,
            origin: self.origin(),
        };
        let mut glue = FnLower {
            ctx: &mut *self.ctx,
            module: &mut *self.module,
            sh: &mut *self.sh,
            mir: empty_body(),
            allocs: self.allocs,
            inst: &inst,
            fbody,
            cur: entry,
            blocks: Vec::new(),
            trap: None,
            homes: Vec::new(),
            tys: Vec::new(),
            closure_env: Vec::new(),
            entry,
            span: self.span,
            scope: None,
            caller_param: None,
            externref_in_memory: false,
        };
        glue.drop_glue(ptr, ty)?;
        glue.b().create("func.return", &[], &[], &[], &[], &[]);
        Ok(self.sh.table.index_of(&symbol))
    }

    /// The instance of `<ty as tr>::method` (the impl's, or the trait's provided one).
    fn trait_method(&mut self, ty: Ty, tr: &str, method: &str) -> R<String> {
        let names = &mut *self.sh.names;
        let seg = |names: &mut Interner, s: &str| Segment {
            name: SegName::Ident(names.sym(s)),
            args: Box::new([]),
            paren_sugar: None,
        };
        let trait_segments = Box::new([seg(names, tr)]);
        let trait_ = names.path(Path {
            qself: None,
            segments: trait_segments,
        });
        let method_seg = seg(names, method);
        let path = names.path(Path {
            qself: Some(QSelf {
                self_ty: ty,
                trait_: Some(trait_),
            }),
            segments: Box::new([method_seg]),
        });
        let (krate, id, body, name) = match self.resolve(path) {
            Ok(found) => found,
            Err(m) => {
                return self.err(format!(
                    "{m}: `<{} as {tr}>::{method}` for a vtable",
                    self.show(ty)
                ));
            }
        };
        if body.arg_count == 0 {
            return self.err(format!("`{tr}::{method}` without `self` in a vtable"));
        }
        let self_param = self.sh.import_ty(krate, body.locals[Local::new(1)].ty);
        let mutable = match self.sh.names.ty_kind(self_param) {
            TyKind::Ref { mutable, .. } => *mutable,
            _ => {
                return self.err(format!(
                    "`{tr}::{method}` taking `self` other than by reference, in a vtable"
                ));
            }
        };
        let by_ref = self.sh.names.ty(TyKind::Ref {
            region: None,
            mutable,
            pointee: ty,
        });
        let mut s: Vec<(Sym, Ty)> = Vec::new();
        if !unify(self.sh.names, self.sh.items, self_param, by_ref, &mut s) {
            return self.err(format!(
                "the type parameters of `<{} as {tr}>::{method}` could not be inferred",
                self.show(ty)
            ));
        }
        s.sort_by_key(|(n, _)| self.sh.names.str(*n).to_string());
        signature(self.sh, krate, body, &s, self.span)?;
        let origin = self.origin();
        Ok(self
            .sh
            .mono
            .instance(self.sh.names, krate, id, &name, s, None, origin))
    }

    /// Dropping the trait object the fat pointer at `fat` points to: the vtable's drop entry
    /// called with the data pointer, when there is one.
    pub(super) fn drop_dyn(&mut self, fat: Value) -> R<()> {
        let data = self.load(Scalar::PTR, fat);
        let vt_at = self.add_offset(fat, 4);
        let vt = self.load(Scalar::PTR, vt_at);
        let index = self.load(Scalar::PTR, vt);
        let (call, after) = (self.new_block(), self.new_block());
        let zero = self.b().i32_const(0);
        let none = self.op2("wasm.i32.eq", index, zero);
        self.cond_br(none, after, call);
        self.cur = call;
        let unit = self.sh.names.ty(TyKind::Tuple(Box::new([])));
        let to_unit = self.sh.names.ty(TyKind::RawPtr {
            mutable: true,
            pointee: unit,
        });
        let csig = sig_of(self.sh, &[to_unit], unit, self.span)?;
        self.call_indirect_op(&[index, data], &csig, PlaceRef::Zst);
        self.branch(after);
        self.cur = after;
        Ok(())
    }

    /// `<dyn Trait as Trait>::method(p, args…)`: the method's entry of `p`'s vtable, called
    /// through the table with `p`'s data pointer. Whether the call was one.
    pub(super) fn virtual_call(
        &mut self,
        path: PathId,
        dest: Place,
        args: &[Operand],
        target: Option<Block>,
    ) -> R<bool> {
        let Some(q) = self.sh.names.path_data(path).qself.clone() else {
            return Ok(false);
        };
        let Some(tr) = self.dyn_trait(q.self_ty) else {
            return Ok(false);
        };
        let Some(method) = self
            .last_ident(path)
            .map(|s| self.sh.names.str(s).to_string())
        else {
            return self.err("a virtual call without a method name");
        };
        let methods = self.trait_methods(&tr)?;
        let Some(slot) = methods.iter().position(|m| *m == method) else {
            return self.err(format!(
                "`{tr}::{method}`: not a method of the trait's source"
            ));
        };
        let Some((receiver, rest)) = args.split_first() else {
            return self.err(format!("a virtual call of `{tr}::{method}` without `self`"));
        };
        let fat = match self.operand(receiver)? {
            (Val::Mem(a), _) => a,
            (_, t) => return self.err(format!("a virtual call through `{}`", self.show(t))),
        };
        let data = self.load(Scalar::PTR, fat);
        let vt_at = self.add_offset(fat, 4);
        let vt = self.load(Scalar::PTR, vt_at);
        let entry = self.add_offset(vt, 12 + 4 * slot as u64);
        let index = self.load(Scalar::PTR, entry);
        // The signature every implementation has: `self` by reference, then the arguments.
        let unit = self.sh.names.ty(TyKind::Tuple(Box::new([])));
        let self_ref = self.sh.names.ty(TyKind::Ref {
            region: None,
            mutable: false,
            pointee: unit,
        });
        let mut params = vec![self_ref];
        for a in rest {
            params.push(self.operand_ty(a)?);
        }
        let rt = self.operand_ty(&Operand::Copy(dest))?;
        let csig = sig_of(self.sh, &params, rt, self.span)?;
        let mut vals: Vec<Value> = vec![index];
        let dplace = self.place(dest)?.0;
        self.push_sret(&csig, dplace, &mut vals)?;
        vals.push(data);
        for a in rest {
            self.pass_arg(a, &mut vals)?;
        }
        self.call_indirect_op(&vals, &csig, dplace);
        self.continue_to(target);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::scan_traits;

    #[test]
    fn traits_and_their_methods_from_source() {
        let src = r#"
            // trait Commented { fn no(&self); }
            /* trait Block { fn no(&self); } */
            const S: &str = "trait InString { fn no(&self); }";
            const C: char = '{';
            pub trait Shape<'a> {
                fn area(&self) -> u32;
                /// Nested items and blocks are not methods.
                fn sides(&self) -> u32 { fn helper() {} { 4 } }
                fn scale(&mut self, k: u32);
            }
            trait Sup: Shape<'static> { fn x(&self); }
            trait Gen { fn g<T>(&self, t: T); }
            trait Sized2 { fn s(self) where Self: Sized; fn t(&self); }
        "#;
        let t = scan_traits(src);
        assert_eq!(t.len(), 4, "{t:?}");
        assert_eq!(
            t["Shape"],
            Ok(vec!["area".to_string(), "sides".into(), "scale".into()])
        );
        assert_eq!(t["Sup"], Err("a trait with supertraits".to_string()));
        assert!(
            t["Gen"]
                .as_ref()
                .is_err_and(|e| e.contains("generic method"))
        );
        assert!(
            t["Sized2"]
                .as_ref()
                .is_err_and(|e| e.contains("Self: Sized"))
        );
    }
}
