//! The `wasm` crate's contracts on a function: linear values left unconsumed, and declared
//! effects (`lower/wasm_crate.rs` has the overview).
//!
//! **Linear values.** Rust's moves already give "at most once" for a type that is neither
//! `Copy` nor `Clone`; what Rust cannot check is "at least once". In rustc's MIR (after drop
//! elaboration) a value of a `wasm::Linear` type escapes consumption in exactly two ways: a
//! `drop` of it (its implicit drop, on the paths where it is still live), or `core::mem::forget`
//! / `ManuallyDrop::new` of it — which rustc's inliner may have dissolved into nothing, leaving
//! only the inlined scope and its call site. Each such point becomes an `own.wrap` of a linear
//! token that nothing consumes, located at the Rust source: `--linearity-check` then reports a
//! linear value not consumed on the paths through that point, "made at FILE:LINE:COL". The one
//! sanctioned `ManuallyDrop` of a linear value is the consuming primitive `into_fields` that
//! `#[wasm::linear]` generates (a body called `into_fields`, or a scope inlined from one).
//!
//! Not covered: a linear value inside another value that is dropped or forgotten (a field, an
//! `Option<T>`, a `Vec<T>`), leaks through `Rc` cycles or `Box::leak`, and the library crates'
//! bodies (their MIR has no spans; only the user's crate is marked).
//!
//! **Effects.** `#[wasm::effect(...)]` puts a static `__WASMIR_EFFECTS` holding
//! `<name>\0<effect>,<effect>\0` in the function's body; rustc prints it as the static
//! `FN::__WASMIR_EFFECTS`. Its bytes become the `func.func`'s `effects = [...]` attribute.
use super::*;
use wasmir::effects::Effects;

/// The name of the static `#[wasm::effect]` puts in a function's body.
const EFFECTS_STATIC: &str = "__WASMIR_EFFECTS";

/// The consuming primitive of `#[wasm::linear]`: the one place a linear value may be put in a
/// `ManuallyDrop`.
const CONSUMING_PRIMITIVE: &str = "into_fields";

/// How a value of a linear type escaped consumption.
#[derive(Clone, Copy)]
enum Escape {
    Forget,
    ManuallyDrop,
}

/// The function a path printed by rustc calls that lets its argument escape, and the argument's
/// type as printed: `core::mem::forget::<T>`, `core::mem::ManuallyDrop::<T>::new`.
fn escaping_call(printed: &str) -> Option<(Escape, &str)> {
    if let Some(t) = printed.strip_prefix("core::mem::forget::<") {
        return Some((Escape::Forget, t.strip_suffix('>')?));
    }
    let t = printed.strip_prefix("core::mem::ManuallyDrop::<")?;
    Some((Escape::ManuallyDrop, t.strip_suffix(">::new")?))
}

/// The last name of a printed type (`a::Token<u8>` → `Token`).
fn last_type_name(printed: &str) -> &str {
    let base = printed.split('<').next().unwrap_or(printed);
    base.rsplit("::").next().unwrap_or(base)
}

impl FnLower<'_, '_, '_> {
    /// Whether `ty` is a type with an `unsafe impl Linear for NAME` (by its last name, as
    /// `Drop` impls are found).
    fn is_linear(&self, ty: Ty) -> bool {
        let TyKind::Path(p) = *self.sh.names.ty_kind(ty) else {
            return false;
        };
        self.last_ident(p)
            .is_some_and(|n| self.sh.items.linear_impls.contains(&n))
    }

    /// Whether the printed name of a type is a linear type's.
    fn is_linear_name(&self, printed: &str) -> bool {
        let name = last_type_name(printed);
        self.sh
            .items
            .linear_impls
            .iter()
            .any(|&s| self.sh.names.str(s) == name)
    }

    /// An `own.wrap` of a linear token that nothing consumes, at the current block's end and
    /// source location: `--linearity-check` reports it on every path through here.
    /// The token is named after what happened to which type (`%forgotten.Token`), which the
    /// checker's message quotes.
    fn unconsumed_token(&mut self, what: &str, ty: &str) {
        let i32t = self.ctx.i32();
        let linear = self.ctx.owned_type(wasmir::ir::OwnKind::Linear, i32t);
        let zero = self.b().i32_const(0);
        let token = self.create1("own.wrap", &[zero], linear, &[]);
        let name = self.ctx.ident(&format!("{what}.{}", last_type_name(ty)));
        self.module.bodies[self.fbody].set_value_name(token, Some(name));
    }

    /// A `drop` terminator of a linear value: its implicit drop.
    pub(super) fn mark_linear_drop(&mut self, place: Place) -> R<()> {
        if self.inst.krate != Krate::User {
            return Ok(());
        }
        let ty = self.place_ty(place)?;
        if self.is_linear(ty) {
            let printed = self.sh.layouts.show(self.sh.names, ty);
            self.unconsumed_token("dropped", &printed);
        }
        Ok(())
    }

    /// Every `mem::forget` / `ManuallyDrop::new` of a linear value in the body, called or
    /// inlined: marked in the entry block (the inliner may have left nothing else of it), each
    /// at its call site.
    pub(super) fn mark_linear_escapes(&mut self) {
        if self.inst.krate != Krate::User {
            return;
        }
        let own_name = crate::mir::print::Printer {
            names: self.sh.names,
            body: None,
        }
        .path(self.mir.name);
        if own_name.ends_with(&format!("::{CONSUMING_PRIMITIVE}")) {
            return;
        }
        let mut sites: Vec<(Option<SrcSpan>, String)> = Vec::new();
        for (scope, data) in self.mir.scopes.iter() {
            let Some((callee, _)) = data.inlined else {
                continue;
            };
            let Some((escape, ty)) = escaping_call(self.sh.names.str(callee)) else {
                continue;
            };
            if !self.is_linear_name(ty) || self.inside_sanctioned_scope(scope, escape) {
                continue;
            }
            sites.push((data.span, ty.to_string()));
        }
        for data in self.mir.blocks.values() {
            let TerminatorKind::Call {
                func: Operand::Const(c),
                ..
            } = &data.term.kind
            else {
                continue;
            };
            let ConstKind::FnItem(p) = self.konst(*c) else {
                continue;
            };
            let printed = crate::mir::print::Printer {
                names: self.sh.names,
                body: None,
            }
            .path(p);
            if let Some((_, ty)) = escaping_call(&printed)
                && self.is_linear_name(ty)
            {
                sites.push((data.term.span, ty.to_string()));
            }
        }
        let (cur, span) = (self.cur, self.span);
        self.cur = self.entry;
        for (site, ty) in sites {
            self.span = site.or(span);
            self.unconsumed_token("forgotten", &ty);
        }
        (self.cur, self.span) = (cur, span);
    }

    /// Whether an inlined scope lies within `into_fields` (the sanctioned dissolution), or —
    /// for `ManuallyDrop::new` — within a `mem::forget`, which is reported itself.
    fn inside_sanctioned_scope(&self, scope: Scope, escape: Escape) -> bool {
        let mut at = self.mir.scopes[scope].parent;
        while let Some(s) = at {
            if let Some((callee, _)) = self.mir.scopes[s].inlined {
                let name = self.sh.names.str(callee);
                let base = name.split("::<").next().unwrap_or(name);
                if base.ends_with(&format!("::{CONSUMING_PRIMITIVE}")) {
                    return true;
                }
                if matches!(escape, Escape::ManuallyDrop)
                    && matches!(escaping_call(name), Some((Escape::Forget, _)))
                {
                    return true;
                }
            }
            at = self.mir.scopes[s].parent;
        }
        false
    }
}

/// The effects `#[wasm::effect(...)]` declared on the user's function `body`: the `effects`
/// attribute for its `func.func`, or `None` when it declares none. A record that does not read
/// is an error at the function.
pub(super) fn declared_effects(
    ctx: &mut Context,
    sh: &Shared,
    body: &Body,
    span: Option<SrcSpan>,
) -> R<Option<Attr>> {
    let printer = crate::mir::print::Printer {
        names: sh.names,
        body: None,
    };
    let fn_name = printer.path(body.name);
    let static_name = format!("{fn_name}::{EFFECTS_STATIC}");
    // Statics named `__WASMIR_EFFECTS` first: printing every body's path for every instance
    // would cost the square of the crate's size.
    let is_record = |b: &&Body| {
        matches!(b.kind, BodyKind::Static { .. })
            && matches!(sh.names.path_data(b.name).segments.last().map(|s| &s.name),
                Some(SegName::Ident(n)) if sh.names.str(*n) == EFFECTS_STATIC)
    };
    let Some(record) = sh
        .bodies
        .values()
        .filter(is_record)
        .find(|b| printer.path(b.name) == static_name)
    else {
        return Ok(None);
    };
    let err = |msg: String| LowerError {
        span,
        msg: format!("the effect declaration of `{fn_name}` ({static_name}): {msg}"),
    };
    let bytes = record
        .consts
        .values()
        .find_map(|k| match k {
            ConstKind::Bytes { bytes, .. } => Some(bytes),
            _ => None,
        })
        .ok_or_else(|| err("its value is not a byte string literal".into()))?;
    let text = std::str::from_utf8(bytes).map_err(|_| err("not UTF-8".into()))?;
    let mut parts = text.split('\0');
    let (Some(name), Some(list), Some(""), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(err(
            "not `<function name>\\0<effect>,<effect>\\0` (what `#[wasm::effect]` writes)".into(),
        ));
    };
    let own = fn_name.rsplit("::").next().unwrap_or(&fn_name);
    if name != own {
        return Err(err(format!("it names the function `{name}`, not `{own}`")));
    }
    let mut set = Effects::NONE;
    for effect in list.split(',').filter(|e| !e.is_empty()) {
        match Effects::from_name(effect) {
            Some(e) if effect != "pure" => set = set.union(e),
            _ => {
                return Err(err(format!(
                    "unknown effect `{effect}`; the effects are: {}",
                    Effects::all_names()
                )));
            }
        }
    }
    Ok(Some(set.to_attr(ctx)))
}
