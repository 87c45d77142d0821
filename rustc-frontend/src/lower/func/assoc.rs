//! Associated types of concrete types: `<Range<u32> as Iterator>::Item` is `u32`.
//!
//! Core's generic bodies type values through associated types (`Option<<Self as
//! Iterator>::Item>`). Once an instance substitutes its parameters the projection's self type is
//! concrete, but the type it names is written in the impl (`type Item = A;`), which the MIR does
//! not print. It is read instead from a method of the trait whose signature names it, in the
//! body of that method for the self type: `Iterator::next` returns `Option<Self::Item>`, so
//! `Item` is what the impl's `next` returns inside its `Option` (the body's MIR prints the type
//! even for impls a macro wrote). Associated types no such method names stay as they are, and
//! whatever needs their layout is refused.
use super::*;

/// Where a trait's method names an associated type in its result.
#[derive(Clone, Copy)]
enum Site {
    /// The result itself (`fn add(self, rhs) -> Self::Output`).
    Result,
    /// The result's `i`-th type argument (`fn next(&mut self) -> Option<Self::Item>`).
    ResultArg(usize),
    /// What the result points to (`fn deref(&self) -> &Self::Target`).
    ResultPointee,
}

/// (trait, associated type, method naming it, where).
const NAMED_BY: &[(&str, &str, &str, Site)] = &[
    ("Iterator", "Item", "next", Site::ResultArg(0)),
    ("IntoIterator", "IntoIter", "into_iter", Site::Result),
    ("Deref", "Target", "deref", Site::ResultPointee),
    ("Index", "Output", "index", Site::ResultPointee),
    // `fn branch(self) -> ControlFlow<Self::Residual, Self::Output>`.
    ("Try", "Output", "branch", Site::ResultArg(1)),
    ("Try", "Residual", "branch", Site::ResultArg(0)),
    ("FnOnce", "Output", "call_once", Site::Result),
    ("Add", "Output", "add", Site::Result),
    ("Sub", "Output", "sub", Site::Result),
    ("Mul", "Output", "mul", Site::Result),
    ("Div", "Output", "div", Site::Result),
    ("Rem", "Output", "rem", Site::Result),
    ("BitAnd", "Output", "bitand", Site::Result),
    ("BitOr", "Output", "bitor", Site::Result),
    ("BitXor", "Output", "bitxor", Site::Result),
    ("Shl", "Output", "shl", Site::Result),
    ("Shr", "Output", "shr", Site::Result),
    ("Neg", "Output", "neg", Site::Result),
    ("Not", "Output", "not", Site::Result),
];

/// How many rounds a type is normalized for: a projection's result may name another
/// (`<<I as IntoIterator>::IntoIter as Iterator>::Item`).
const ROUNDS: usize = 8;

/// The `Self` of a method's receiver type: `&self` and `&mut self` take a reference to it.
/// (A method taking `self` by value of an impl for a reference type is read as the referent's:
/// the associated types read here are the same either way.)
pub(super) fn self_of_receiver(names: &Interner, receiver: Ty) -> Ty {
    match names.ty_kind(receiver) {
        TyKind::Ref { pointee, .. } => *pointee,
        _ => receiver,
    }
}

impl Shared<'_, '_> {
    /// `t` with each associated type of a concrete type replaced by the type it names, where
    /// that is known (see the module's documentation).
    pub(super) fn normalize(&mut self, t: Ty) -> Ty {
        let mut t = t;
        for _ in 0..ROUNDS {
            if !mentions_projection(self.names, t) {
                break;
            }
            // The projections in `t`, innermost first.
            let mut found = Vec::new();
            let mut stack = vec![t];
            while let Some(u) = stack.pop() {
                let k = self.names.ty_kind(u);
                if let TyKind::Path(p) = k
                    && self.names.path_data(*p).qself.is_some()
                {
                    found.push(u);
                }
                stack.extend(closures::type_parts(self.names, k));
                if let TyKind::Path(p) = self.names.ty_kind(u)
                    && let Some(q) = &self.names.path_data(*p).qself
                {
                    stack.push(q.self_ty);
                }
            }
            let mut bindings = Vec::new();
            for proj in found.into_iter().rev() {
                if let Some(to) = self.projection(proj)
                    && let Some(key) = implicit_param(self.names, proj)
                {
                    bindings.push((key, to));
                }
            }
            if bindings.is_empty() {
                break;
            }
            t = subst(self.names, t, &bindings);
        }
        t
    }

    /// The type the projection `proj` names, once known.
    fn projection(&mut self, proj: Ty) -> Option<Ty> {
        if let Some(&known) = self.mono.assoc.get(&proj) {
            return known;
        }
        let found = self.read_projection(proj);
        self.mono.assoc.insert(proj, found);
        found
    }

    fn read_projection(&mut self, proj: Ty) -> Option<Ty> {
        let TyKind::Path(p) = *self.names.ty_kind(proj) else {
            return None;
        };
        let data = self.names.path_data(p).clone();
        let q = data.qself.clone()?;
        let tr = q.trait_?;
        let SegName::Ident(assoc) = data.segments.last()?.name else {
            return None;
        };
        let self_ty = q.self_ty;
        if self.is_generic(self_ty) {
            return None;
        }
        let tname = match self.names.path_data(tr).segments.last()?.name {
            SegName::Ident(s) => self.names.str(s).to_string(),
            _ => return None,
        };
        let assoc = self.names.str(assoc).to_string();
        // A function pointer's or item's `FnOnce::Output`: its signature's.
        if assoc == "Output"
            && matches!(tname.as_str(), "FnOnce" | "FnMut" | "Fn")
            && let TyKind::FnPtr(sig) | TyKind::FnDef(sig, _) = self.names.ty_kind(self_ty)
        {
            let unit = TyKind::Tuple(Box::new([]));
            return Some(sig.output.unwrap_or_else(|| self.names.ty(unit)));
        }
        let &(_, _, method, site) = NAMED_BY
            .iter()
            .find(|(t, a, _, _)| *t == tname && *a == assoc)?;
        let method = self.names.sym(method);
        let call = self.names.path(Path {
            qself: Some(q),
            segments: Box::new([Segment {
                name: SegName::Ident(method),
                args: Box::new([]),
                paren_sugar: None,
            }]),
        });
        let (krate, _, body, _) = match self.resolve_path(call) {
            Ok(found) => found,
            Err(_) => self.by_signature(call, Signature::Receiver(self_ty))?,
        };
        if body.arg_count == 0 {
            return None;
        }
        // The impl's parameters, from the method's receiver against the self type.
        let receiver = self.import_ty(krate, body.locals[Local::new(1)].ty);
        let receiver = self_of_receiver(self.names, receiver);
        let mut s = Vec::new();
        if !unify(self.names, self.items, receiver, self_ty, &mut s) {
            return None;
        }
        let ret = self.import_ty(krate, body.return_ty());
        let ret = subst(self.names, ret, &s);
        let named = match (site, self.names.ty_kind(ret)) {
            (Site::Result, _) => ret,
            (Site::ResultPointee, TyKind::Ref { pointee, .. }) => *pointee,
            (Site::ResultArg(i), TyKind::Path(r)) => {
                let args: Vec<Ty> = (self.names.path_data(*r).segments.last()?.args.iter())
                    .filter_map(|g| match g {
                        GenericArg::Ty(t) => Some(*t),
                        _ => None,
                    })
                    .collect();
                *args.get(i)?
            }
            _ => return None,
        };
        (!self.is_generic(named)).then_some(named)
    }

    /// Whether `t` mentions a type parameter (its meaning is not known here).
    fn is_generic(&self, t: Ty) -> bool {
        closures::mentions(self.names, t, |u, _| {
            is_param(self.names, self.items, u).is_some()
        })
    }
}
