//! One instance's MIR body to a `func.func` in CFG form.
//!
//! Each MIR local has a home: nothing (zero-sized), a `wasm.local` (a scalar whose address is
//! never taken; `mem2reg` may promote it), a `wasm.stack_slot` of its own (aggregates and
//! address-taken scalars), or memory the caller owns (aggregate arguments and the return place
//! of a function returning an aggregate, passed by pointer). Temporaries in memory (aggregate
//! constants, copies for callees that own their argument) get slots of their own too. The slots
//! sit in the entry block; WasmIR's `scalarize-slots` turns those whose address does not escape
//! into locals, and `lower-stack-slots` (run by every backend) lays the rest out on the shadow
//! stack. Each MIR block becomes a block; a `wasm.unreachable` block takes failed asserts (panics
//! trap: `panic=abort` without a panic handler; with the crate's `#[panic_handler]` they call
//! core's panic functions, see `panics.rs`).
mod assoc;
mod contracts;
mod data;
mod fat;
mod imports;
mod reach;
mod wide;

use super::import::{Direction, Translator};
use super::layout::{
    Layout, Scalar, TagEncoding, adt_of, array_len, implicit_param, is_param, subst, subst_path,
    unify,
};
use super::{
    Allocs, Instance, Krate, LibMir, Libs, LowerError, MEMORY, MEMORY_PAGES, Mono, STACK_POINTER,
    resolution_error, resolve_callee,
};
use crate::mir::*;
use crate::resolve::{Resolution, Resolver};
use cranelift_entity::{EntityRef, PrimaryMap};
use rustc_hash::FxHashMap;
use wasmir::ir::InsertPoint;
use wasmir::{Attr, Builder, Context, Module, Type, Value};

#[path = "closures.rs"]
pub mod closures;
#[path = "drops.rs"]
mod drops;
#[path = "dynamic.rs"]
pub mod dynamic;
#[path = "panics.rs"]
pub mod panics;

/// What every instance's lowering shares.
pub struct Shared<'a, 's> {
    pub names: &'a mut Interner,
    pub bodies: &'a PrimaryMap<BodyId, Body>,
    pub allocs: &'a FxHashMap<u32, Allocation>,
    pub items: &'a SourceItems,
    pub layouts: &'a mut super::layout::Layouts<'s>,
    pub resolver: &'a Resolver,
    pub mono: &'a mut Mono,
    /// The crate was compiled with `-C overflow-checks=on`.
    pub overflow_checks: bool,
    /// The library crates (core first), for calls the crate does not resolve.
    pub libs: &'a mut Libs,
    /// The module's static data.
    pub statics: &'a mut super::statics::StaticData,
    /// The functions made pointers.
    pub table: &'a mut closures::FnTable,
    /// The crate's traits and their vtables.
    pub vtables: &'a mut dynamic::Vtables,
    /// Whether each type asked about needs dropping.
    pub needs_drop: &'a mut FxHashMap<Ty, bool>,
    /// The crate's panic handler and what calling it needs.
    pub panics: &'a mut panics::Panics,
}

impl<'a> Shared<'a, '_> {
    /// Runs `f` with a translator from library `lib`'s interner into the user's.
    fn translate_from<T>(&mut self, lib: super::LibId, f: impl FnOnce(&mut Translator) -> T) -> T {
        let mir = self.libs.mir(lib);
        let from = mir.names.lock().unwrap_or_else(|e| e.into_inner());
        let link = self.libs.link(lib);
        f(&mut Translator {
            from: &from,
            to: self.names,
            memo: &mut link.from_lib,
            dir: Direction::FromLib {
                name: &link.spec.name,
                externs: &link.spec.externs,
            },
        })
    }

    /// The body a call's path (in the user's interner, substituted) names: in the crate, else
    /// in a library (whose MIR is read now if it has not been) — first the one the path's
    /// first segment (or its `Self` type's) names, then the others in order; with the body and
    /// its printed name.
    pub(super) fn resolve_path(
        &mut self,
        path: PathId,
    ) -> Result<(Krate, BodyId, &'a Body, String), String> {
        let bodies: &'a PrimaryMap<BodyId, Body> = self.bodies;
        let user = self.resolver.resolve(self.names, path);
        if let Resolution::Body(b) | Resolution::Default(b) = user {
            let name = crate::mir::print::Printer {
                names: self.names,
                body: None,
            }
            .path(bodies[b].name);
            return Ok((Krate::User, b, &bodies[b], name));
        }
        let order = self.lib_order(path);
        // The most telling failure: a resolution that found something but not one body beats
        // one that found nothing.
        let mut failure: Option<String> = None;
        for lib in order {
            let mir: &'static LibMir = match self.libs.link(lib).get() {
                Ok(m) => m,
                Err(e) => {
                    failure.get_or_insert(format!(
                        "{} ({e})",
                        resolve_callee(self.resolver, self.names, path).unwrap_err()
                    ));
                    continue;
                }
            };
            let mut lnames = mir.names.lock().unwrap_or_else(|e| e.into_inner());
            let lpath = self.path_into_lib(lib, &mut lnames, path);
            let resolution = match mir.resolver.resolve(&mut lnames, lpath) {
                // A type of the crate, which the library takes for a parameter: the trait's
                // provided method, when the crate's impl leaves it out.
                Resolution::Deferred if user == Resolution::Unresolved => {
                    let d = self.names.path_data(path);
                    let last = |p: PathId| match self.names.path_data(p).segments.last()?.name {
                        SegName::Ident(s) => Some(s),
                        _ => None,
                    };
                    match (&d.qself, d.segments.last().map(|s| &s.name)) {
                        (
                            Some(QSelf {
                                trait_: Some(tr), ..
                            }),
                            Some(SegName::Ident(m)),
                        ) => last(*tr)
                            .and_then(|tr| {
                                mir.resolver
                                    .provided_method(self.names.str(tr), self.names.str(*m))
                            })
                            .map_or(Resolution::Deferred, Resolution::Default),
                        _ => Resolution::Deferred,
                    }
                }
                r => r,
            };
            match resolution {
                Resolution::Body(b) | Resolution::Default(b) => {
                    let name = crate::mir::print::Printer {
                        names: &lnames,
                        body: None,
                    }
                    .path(mir.body_name(b));
                    // Parsing the body interns into the library's names.
                    drop(lnames);
                    return Ok((Krate::Lib(lib), b, mir.body(b)?, name));
                }
                Resolution::Unresolved => {}
                r => failure = Some(resolution_error(r)),
            }
        }
        Err(failure.unwrap_or_else(|| resolution_error(Resolution::Unresolved)))
    }

    /// The libraries in the order a path is looked up in them: first the one its first segment
    /// (or its `Self` type's) names, then the others in link order.
    fn lib_order(&self, path: PathId) -> Vec<super::LibId> {
        let n = self.libs.links.len() as super::LibId;
        let names = &*self.names;
        let d = names.path_data(path);
        let first = match &d.qself {
            Some(q) => match names.ty_kind(q.self_ty) {
                TyKind::Path(p) => names.str_of_first(*p),
                _ => None,
            },
            None => names.str_of_first(path),
        };
        let hint = (0..n).find(|&l| Some(self.libs.name(l)) == first);
        hint.into_iter()
            .chain((0..n).filter(|&l| Some(l) != hint))
            .collect()
    }

    /// The body of the trait method `path` names (`<T as Tr<A>>::method`) whose signature is
    /// `sig`, when the resolver finds several impls alike (impls a macro generated, known only
    /// by their methods' signatures: `<u64 as From<u8>>::from`): of all the trait's bodies of
    /// that method in the first library (in [`Shared::lib_order`]) that has one whose types are
    /// those, that one if it is the only one. Types still naming an associated type are not
    /// compared.
    pub(super) fn by_signature(
        &mut self,
        path: PathId,
        sig: Signature,
    ) -> Option<(Krate, BodyId, &'a Body, String)> {
        for lib in self.lib_order(path) {
            let Ok(mir) = self.libs.link(lib).get() else {
                continue;
            };
            let mut found = None;
            let candidates = {
                let mut lnames = mir.names.lock().unwrap_or_else(|e| e.into_inner());
                let lpath = self.path_into_lib(lib, &mut lnames, path);
                mir.resolver.trait_method_bodies(&lnames, lpath)
            };
            for b in candidates {
                let Ok(body) = mir.body(b) else { continue };
                let krate = Krate::Lib(lib);
                let (pattern, tys): (Vec<Ty>, Vec<Ty>) = match sig {
                    Signature::Call(tys) => {
                        if body.arg_count as usize + 1 != tys.len() {
                            continue;
                        }
                        let mut pattern: Vec<Ty> = (1..=body.arg_count as usize)
                            .map(|i| self.import_ty(krate, body.locals[Local::new(i)].ty))
                            .collect();
                        pattern.push(self.import_ty(krate, body.return_ty()));
                        pattern
                            .into_iter()
                            .zip(tys)
                            .filter_map(|(p, t)| Some((p, (*t)?)))
                            .unzip()
                    }
                    Signature::Receiver(self_ty) => {
                        if body.arg_count == 0 {
                            continue;
                        }
                        let receiver = self.import_ty(krate, body.locals[Local::new(1)].ty);
                        (
                            vec![assoc::self_of_receiver(self.names, receiver)],
                            vec![self_ty],
                        )
                    }
                };
                let mut s = Vec::new();
                let mut ok = true;
                for (&p, &t) in pattern.iter().zip(&tys) {
                    ok &= unify(self.names, self.items, p, t, &mut s);
                }
                ok = ok
                    && pattern.iter().zip(&tys).all(|(&p, &t)| {
                        let p = subst(self.names, p, &s);
                        mentions_projection(self.names, t)
                            || same_type(self.names, self.items, p, t)
                    });
                if !ok {
                    continue;
                }
                if found.is_some() {
                    return None;
                }
                let printed = {
                    let lnames = mir.names.lock().unwrap_or_else(|e| e.into_inner());
                    crate::mir::print::Printer {
                        names: &lnames,
                        body: None,
                    }
                    .path(body.name)
                };
                found = Some((krate, b, body, printed));
            }
            // The first library (the one the path names first) with a body decides.
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// A path of the user's interner in library `lib`'s (`lnames`, locked by the caller).
    fn path_into_lib(&mut self, lib: super::LibId, lnames: &mut Interner, path: PathId) -> PathId {
        let link = self.libs.link(lib);
        Translator {
            from: self.names,
            to: lnames,
            memo: &mut link.into_lib,
            dir: Direction::IntoLib {
                name: &link.spec.name,
            },
        }
        .path(path)
    }

    /// A type of a body of `krate` in the user's interner.
    fn import_ty(&mut self, krate: Krate, t: Ty) -> Ty {
        match krate {
            Krate::User => t,
            Krate::Lib(l) => self.translate_from(l, |tr| tr.ty(t)),
        }
    }

    fn import_path(&mut self, krate: Krate, p: PathId) -> PathId {
        match krate {
            Krate::User => p,
            Krate::Lib(l) => self.translate_from(l, |tr| tr.path(p)),
        }
    }

    fn import_sym(&mut self, krate: Krate, s: Sym) -> Sym {
        match krate {
            Krate::User => s,
            Krate::Lib(l) => self.translate_from(l, |tr| tr.sym(s)),
        }
    }

    /// A constant of a body of `krate`, its types, paths and names in the user's interner.
    fn import_const(&mut self, krate: Krate, k: ConstKind) -> ConstKind {
        let Krate::Lib(lib) = krate else {
            return k;
        };
        self.translate_from(lib, |tr| match k {
            ConstKind::Float { text, ty } => ConstKind::Float {
                text: tr.sym(text),
                ty,
            },
            ConstKind::Str(s) => ConstKind::Str(tr.sym(s)),
            ConstKind::Adt {
                path,
                fields,
                braced,
                doubled,
            } => ConstKind::Adt {
                path: tr.path(path),
                fields: fields
                    .iter()
                    .map(|(n, c)| (n.map(|n| tr.sym(n)), *c))
                    .collect(),
                braced,
                doubled,
            },
            ConstKind::Path(p) => ConstKind::Path(tr.path(p)),
            ConstKind::FnItem(p) => ConstKind::FnItem(tr.path(p)),
            ConstKind::Ptr(a, t) => ConstKind::Ptr(a, tr.ty(t)),
            ConstKind::Transmute { bits, size, ty } => ConstKind::Transmute {
                bits,
                size,
                ty: tr.ty(ty),
            },
            ConstKind::IntPtr(v, t) => ConstKind::IntPtr(v, tr.ty(t)),
            ConstKind::FnPtr(p, t) => ConstKind::FnPtr(tr.path(p), tr.ty(t)),
            ConstKind::ZeroSized(t) => ConstKind::ZeroSized(tr.ty(t)),
            ConstKind::Indirect { alloc, offset, ty } => ConstKind::Indirect {
                alloc,
                offset,
                ty: tr.ty(ty),
            },
            ConstKind::Slice { alloc, meta, ty } => ConstKind::Slice {
                alloc,
                meta,
                ty: tr.ty(ty),
            },
            ConstKind::Pattern(c, s) => ConstKind::Pattern(c, tr.sym(s)),
            ConstKind::Placeholder(s) => ConstKind::Placeholder(tr.sym(s)),
            k @ (ConstKind::Int(..)
            | ConstKind::UntypedInt(_)
            | ConstKind::Bool(_)
            | ConstKind::Char(_)
            | ConstKind::Unit
            | ConstKind::Bytes { .. }
            | ConstKind::Tuple(_)
            | ConstKind::Array(_)
            | ConstKind::Ref(_)
            | ConstKind::Uninit) => k,
        })
    }
}

type R<T> = Result<T, LowerError>;

/// Declares the memory and the stack pointer.
pub fn module_items(ctx: &mut Context, module: &mut Module) {
    let i64t = ctx.i64();
    let i32t = ctx.i32();
    let mut b = Builder::at_module_end(ctx, module);
    let name = b.ctx.string_attr(MEMORY);
    let min = b.ctx.int_attr(MEMORY_PAGES as i128, i64t);
    b.create(
        "wasm.memory",
        &[],
        &[],
        &[("sym_name", name), ("min", min)],
        &[],
        &[],
    );
    let region = super::statics::i32_region(&mut b, (MEMORY_PAGES * 65536) as i32);
    let name = b.ctx.string_attr(STACK_POINTER);
    let ty = b.ctx.type_attr(i32t);
    let unit = b.ctx.unit_attr();
    b.create(
        "wasm.global",
        &[],
        &[],
        &[("sym_name", name), ("type", ty), ("mutable", unit)],
        &[],
        &[region],
    );
}

/// A region of the module body: one block ending in `wasm.yield` of what `yielded` builds there
/// (a global's initializer, a segment's items or offset).
pub(super) fn yield_region(
    b: &mut Builder,
    yielded: impl FnOnce(&mut Builder) -> Vec<Value>,
) -> wasmir::Region {
    let body = b.body;
    let region = b.module.bodies[body].create_region();
    let block = b.module.bodies[body].create_block();
    b.module.bodies[body].append_block(region, block);
    let outer = b.ip;
    b.ip = InsertPoint::End(block);
    let values = yielded(b);
    b.create("wasm.yield", &values, &[], &[], &[], &[]);
    b.ip = outer;
    region
}

/// Where a MIR local lives.
#[derive(Clone, Copy, Debug)]
enum Home {
    Zst,
    /// A `wasm.local` holding the scalar.
    Reg(Value, Scalar),
    /// In this `wasm.stack_slot` (the slot's address).
    Frame(Value),
    /// At the address this (entry block) value holds.
    Ptr(Value),
    /// A local whose type has no layout here: an error where it is used.
    Unknown,
}

/// A place, evaluated.
#[derive(Clone, Copy, Debug)]
enum PlaceRef {
    Zst,
    Reg(Value, Scalar),
    Mem(Value),
}

/// An operand, evaluated.
#[derive(Clone, Copy, Debug)]
enum Val {
    Zst,
    Scalar(Value, Scalar),
    /// An aggregate in memory at this address.
    Mem(Value),
}

/// The wasm signature of an instance: whether the first parameter is the return place's
/// address, the MIR arguments' passing (a scalar, an address, or nothing), the result.
struct Sig {
    sret: bool,
    params: Vec<Option<Scalar>>,
    result: Option<Scalar>,
}

fn wasm_ty(ctx: &mut Context, s: Scalar) -> Type {
    match s {
        Scalar::Int { bits: 64, .. } => ctx.i64(),
        Scalar::Int { .. } => ctx.i32(),
        Scalar::F32 => ctx.f32(),
        Scalar::F64 => ctx.f64(),
        Scalar::ExternRef => ctx.ref_type(
            true,
            false,
            wasmir::ir::RefHeap::Abstract(wasmir::ir::HeapType::Extern),
        ),
    }
}

/// Is the layout one held in a register: a primitive scalar (not a struct around one).
fn reg_scalar(l: &Layout) -> Option<Scalar> {
    if l.fields.is_empty() { l.scalar } else { None }
}

struct FnLower<'c, 'a, 's> {
    ctx: &'c mut Context,
    module: &'c mut Module,
    sh: &'c mut Shared<'a, 's>,
    mir: &'a Body,
    allocs: Allocs<'a>,
    inst: &'c Instance,
    fbody: wasmir::BodyId,
    cur: wasmir::Block,
    blocks: Vec<wasmir::Block>,
    trap: Option<wasmir::Block>,
    homes: Vec<Home>,
    tys: Vec<Ty>,
    /// The closures of a generic body that this instance builds, bound to their
    /// `ClosureRef::Instance` (see `closures::closure_env`).
    closure_env: Vec<(Sym, Ty)>,
    /// The entry block, which holds the slots.
    entry: wasmir::Block,
    span: Option<SrcSpan>,
    /// The scope of the terminator being lowered (spans of the crate's MIR name theirs).
    scope: Option<Scope>,
    /// The hidden `&Location` parameter of a `#[track_caller]` body (`panics.rs`).
    caller_param: Option<Value>,
    /// A load or store of an externref through an address, found by `load`/`store` (which
    /// many paths reach without returning errors): the statement that made it is refused.
    externref_in_memory: bool,
}

/// The wasm signature of `body` (of `krate`) under `subst`.
fn signature(
    sh: &mut Shared,
    krate: Krate,
    body: &Body,
    s: &[(Sym, Ty)],
    span: Option<SrcSpan>,
) -> R<Sig> {
    let mut params = Vec::new();
    for i in 1..=body.arg_count as usize {
        let t = sh.import_ty(krate, body.locals[Local::new(i)].ty);
        let t = subst(sh.names, t, s);
        params.push(sh.normalize(t));
    }
    let rt = sh.import_ty(krate, body.return_ty());
    let rt = subst(sh.names, rt, s);
    let rt = sh.normalize(rt);
    sig_of(sh, &params, rt, span)
}

/// The wasm signature of a function taking `params` and returning `ret` (substituted types).
fn sig_of(sh: &mut Shared, params: &[Ty], ret: Ty, span: Option<SrcSpan>) -> R<Sig> {
    let params = params
        .iter()
        .map(|&t| {
            let l = layout(sh, t, span)?;
            Ok(if l.is_zst() {
                None
            } else {
                Some(reg_scalar(&l).unwrap_or(Scalar::PTR))
            })
        })
        .collect::<R<Vec<_>>>()?;
    let rl = layout(sh, ret, span)?;
    let result = reg_scalar(&rl);
    Ok(Sig {
        sret: result.is_none() && !rl.is_zst(),
        params,
        result,
    })
}

fn layout(sh: &mut Shared, t: Ty, span: Option<SrcSpan>) -> R<Layout> {
    sh.layouts
        .of(sh.names, t)
        .cloned()
        .map_err(|e| LowerError { span, msg: e.0 })
}

pub fn lower_instance(
    ctx: &mut Context,
    module: &mut Module,
    sh: &mut Shared,
    inst: &Instance,
) -> R<()> {
    let bodies: &PrimaryMap<BodyId, Body> = sh.bodies;
    let (mir, allocs): (&Body, Allocs) = match inst.krate {
        Krate::User => (&bodies[inst.body], Allocs::Crate(sh.allocs)),
        Krate::Lib(l) => {
            let err = |msg| LowerError {
                span: inst.origin,
                msg,
            };
            let lib: &LibMir = sh.libs.link(l).get().map_err(err)?;
            (lib.body(inst.body).map_err(err)?, Allocs::Lib(lib))
        }
    };
    // Core's MIR has no spans: its errors are placed at the call that led there.
    let fspan = mir
        .locals
        .values()
        .next()
        .and_then(|l| l.span)
        .or(inst.origin);
    let sig = signature(sh, inst.krate, mir, &inst.subst, fspan)?;
    if inst.export.is_some()
        && (sig.sret
            || mir
                .locals
                .iter()
                .skip(1)
                .take(mir.arg_count as usize)
                .any(|(l, _)| {
                    let t = sh.import_ty(inst.krate, mir.locals[l].ty);
                    let t = subst(sh.names, t, &inst.subst);
                    sh.layouts
                        .of(sh.names, t)
                        .is_ok_and(|l| reg_scalar(l).is_none() && !l.is_zst())
                }))
    {
        return Err(LowerError {
            span: fspan,
            msg: "an exported function passing or returning an aggregate by value (the C ABI for aggregates)".into(),
        });
    }
    let mut params: Vec<Type> = Vec::new();
    if sig.sret {
        params.push(ctx.i32());
    }
    params.extend(sig.params.iter().flatten().map(|&s| wasm_ty(ctx, s)));
    let track_caller = panics::is_track_caller(sh, inst);
    if track_caller {
        params.push(ctx.i32());
    }
    let results: Vec<Type> = sig.result.iter().map(|&s| wasm_ty(ctx, s)).collect();
    let loc = match fspan {
        Some(s) => ctx.file_loc(sh.names.str(s.file), s.lo_line, s.lo_col),
        None => ctx.unknown_loc(),
    };
    let (fop, fbody, entry) = {
        let mut b = Builder::at_module_end(ctx, module);
        b.loc = loc;
        b.func(&inst.symbol, &params, &results, inst.export.as_deref())
    };
    if inst.krate == Krate::User
        && let Some(effects) = contracts::declared_effects(ctx, sh, mir, fspan)?
    {
        let key = ctx.ident("effects");
        let op = module.bodies[fop.body].op_mut(fop.op);
        op.attrs = ctx.dict_with(op.attrs, key, Some(effects));
    }
    let entry_args: Vec<Value> = module.bodies[fbody].block_args(entry).to_vec();
    let region = module.bodies[fbody]
        .region_of(entry)
        .expect("entry block in a region");
    if sh.panics.is_stub(&inst.symbol) {
        let mut b = Builder::new(ctx, module, fbody, InsertPoint::End(entry));
        b.loc = loc;
        b.create("wasm.unreachable", &[], &[], &[], &[], &[]);
        return Ok(());
    }
    panics::note_formatters(sh, inst.krate, mir);
    let mut blocks = Vec::new();
    for _ in mir.blocks.keys() {
        let b = module.bodies[fbody].create_block();
        module.bodies[fbody].append_block(region, b);
        blocks.push(b);
    }
    let mut f = FnLower {
        ctx,
        module,
        sh,
        mir,
        allocs,
        inst,
        fbody,
        cur: entry,
        blocks,
        trap: None,
        homes: Vec::new(),
        tys: Vec::new(),
        closure_env: Vec::new(),
        entry,
        span: fspan,
        scope: None,
        caller_param: track_caller.then(|| *entry_args.last().expect("the location parameter")),
        externref_in_memory: false,
    };
    f.homes_and_entry(&sig, &entry_args)?;
    f.mark_linear_escapes();
    let live = f.live_blocks();
    // The entry block's end (argument stores and the branch to `bb0`) is written after the
    // body, whose slots go into the entry block as they are needed.
    for (bb, data) in mir.blocks.iter() {
        f.cur = f.blocks[bb.index()];
        let stmts = data.stmts.start as usize..data.stmts.end as usize;
        // A block ending in a panic traps: what it computes (the panic's message) is not needed.
        // Blocks behind runtime checks that are off never run.
        if !live[bb.index()] || (!f.handles_panics() && f.calls_panic(&data.term.kind)) {
            f.create0("wasm.unreachable", &[], &[]);
            continue;
        }
        for s in &mir.stmts[stmts] {
            f.span = f.mir_span(s.span);
            f.statement(&s.kind)?;
            f.check_externref_access()?;
        }
        f.span = f.mir_span(data.term.span);
        f.scope = data.term.scope;
        f.terminator(&data.term.kind, &sig)?;
        f.check_externref_access()?;
    }
    f.cur = entry;
    f.prologue_and_enter(sig.sret)
}

/// What [`Shared::by_signature`] compares a body's signature with.
#[derive(Clone, Copy)]
pub(super) enum Signature<'t> {
    /// A call's argument types then its result type (`None`: not compared).
    Call(&'t [Option<Ty>]),
    /// The self type, against the method's receiver (`&self`, `&mut self` or `self`).
    Receiver(Ty),
}

/// Whether `a` and `b` are one type: regions aside, paths compared by their last segment and
/// arguments (`core::option::Option<u8>` is core's `option::Option<u8>`). Without recursion.
fn same_type(names: &Interner, items: &SourceItems, a: Ty, b: Ty) -> bool {
    let mut stack = vec![(a, b)];
    while let Some((a, b)) = stack.pop() {
        if a == b {
            continue;
        }
        match (names.ty_kind(a), names.ty_kind(b)) {
            (
                TyKind::Ref {
                    mutable: m,
                    pointee: x,
                    ..
                },
                TyKind::Ref {
                    mutable: n,
                    pointee: y,
                    ..
                },
            )
            | (
                TyKind::RawPtr {
                    mutable: m,
                    pointee: x,
                },
                TyKind::RawPtr {
                    mutable: n,
                    pointee: y,
                },
            ) if m == n => stack.push((*x, *y)),
            (TyKind::Slice(x), TyKind::Slice(y)) => stack.push((*x, *y)),
            (TyKind::Array(x, m), TyKind::Array(y, n)) if m == n => stack.push((*x, *y)),
            (TyKind::Tuple(xs), TyKind::Tuple(ys)) if xs.len() == ys.len() => {
                stack.extend(xs.iter().copied().zip(ys.iter().copied()))
            }
            (TyKind::Path(pa), TyKind::Path(qa)) => {
                // Two paths of one definition (`core::slice::Iter` re-exports
                // `slice::iter::Iter`); two definitions are two types.
                if let (Some((x, _)), Some((y, _))) =
                    (adt_of(names, items, *pa), adt_of(names, items, *qa))
                    && !std::ptr::eq(x, y)
                {
                    return false;
                }
                let (p, q) = (names.path_data(*pa), names.path_data(*qa));
                let (Some(x), Some(y)) = (p.segments.last(), q.segments.last()) else {
                    return false;
                };
                if p.qself.is_some() || q.qself.is_some() || x.name != y.name {
                    return false;
                }
                let tys = |s: &Segment| -> Vec<Ty> {
                    s.args
                        .iter()
                        .filter_map(|g| match g {
                            GenericArg::Ty(t) => Some(*t),
                            _ => None,
                        })
                        .collect()
                };
                let (xs, ys) = (tys(x), tys(y));
                if xs.len() != ys.len() {
                    return false;
                }
                stack.extend(xs.into_iter().zip(ys));
            }
            _ => return false,
        }
    }
    true
}

/// Whether `t` mentions an associated type (`<T as Tr>::Assoc`).
fn mentions_projection(names: &Interner, t: Ty) -> bool {
    closures::mentions(
        names,
        t,
        |_, k| matches!(k, TyKind::Path(p) if names.path_data(*p).qself.is_some()),
    )
}

/// Core's panic functions: calls of them trap without a `#[panic_handler]` of the crate (what
/// `panic=abort` does with a handler that traps).
fn is_panic(bare: &str) -> bool {
    bare.starts_with("core::panicking::")
        || matches!(
            bare,
            "core::option::unwrap_failed"
                | "core::option::expect_failed"
                | "core::result::unwrap_failed"
        )
        || bare.starts_with("core::slice::index::slice_")
        || (bare.starts_with("core::slice::") && bare.ends_with("_fail"))
        || bare == "core::str::slice_error_fail"
}

/// A statement's or terminator's place is address-taken when a reference or raw pointer to it
/// (through no dereference) is made.
fn address_taken(mir: &Body) -> Vec<bool> {
    let mut taken = vec![false; mir.locals.len()];
    for s in &mir.stmts {
        if let StatementKind::Assign(_, Rvalue::Ref(_, p) | Rvalue::RawPtr { place: p, .. }) =
            &s.kind
            && !mir.place_projs(*p).contains(&Proj::Deref)
        {
            taken[p.local.index()] = true;
        }
    }
    taken
}

impl<'a> FnLower<'_, 'a, '_> {
    fn err<T>(&self, msg: impl Into<String>) -> R<T> {
        let mut msg = msg.into();
        if let Krate::Lib(l) = self.inst.krate {
            let lib = self.sh.libs.name(l);
            msg.push_str(&format!(" (in {lib}'s `{}`)", self.inst.symbol));
        }
        // A statement rustc's inliner brought in from a library is located in the library's
        // source: the crate's function it was inlined into is named too.
        let own = self.mir.locals.values().next().and_then(|l| l.span);
        if let (Krate::User, Some(at), Some(own)) = (self.inst.krate, self.span, own)
            && at.file != own.file
        {
            msg.push_str(&format!(
                " (inlined into `{}`, {}:{}:{})",
                self.inst.symbol,
                self.sh.names.str(own.file),
                own.lo_line,
                own.lo_col
            ));
        }
        Err(LowerError {
            span: self.span,
            msg,
        })
    }

    /// Whether the terminator calls a panic function.
    fn calls_panic(&mut self, t: &TerminatorKind) -> bool {
        let TerminatorKind::Call {
            func: Operand::Const(c),
            ..
        } = t
        else {
            return false;
        };
        let ConstKind::FnItem(p) = self.konst(*c) else {
            return false;
        };
        let printed = crate::mir::print::Printer {
            names: self.sh.names,
            body: None,
        }
        .path(p);
        is_panic(printed.split("::<").next().unwrap_or(&printed))
    }

    /// A span of the body, or for core's bodies (which have none) the call that led there.
    fn mir_span(&mut self, s: Option<SrcSpan>) -> Option<SrcSpan> {
        match (self.inst.krate, s) {
            (Krate::User, s) => s,
            (Krate::Lib(_), _) => self.inst.origin,
        }
    }

    /// A type of the body in the user's interner, its parameters bound.
    fn mir_ty(&mut self, t: Ty) -> Ty {
        let t = self.sh.import_ty(self.inst.krate, t);
        self.subst(t)
    }

    fn mir_path(&mut self, p: PathId) -> PathId {
        self.sh.import_path(self.inst.krate, p)
    }

    fn mir_sym(&mut self, s: Sym) -> Sym {
        self.sh.import_sym(self.inst.krate, s)
    }

    /// A constant of the body, in the user's interner.
    fn konst(&mut self, c: ConstId) -> ConstKind {
        let k = self.mir.consts[c].clone();
        self.sh.import_const(self.inst.krate, k)
    }

    /// A builder at the end of the current block, its ops located at the statement being
    /// lowered (for a library's body, which has no spans, the call in the crate that led there).
    fn b(&mut self) -> Builder<'_> {
        let loc = match self.span {
            Some(s) => self
                .ctx
                .file_loc(self.sh.names.str(s.file), s.lo_line, s.lo_col),
            None => self.ctx.unknown_loc(),
        };
        let mut b = Builder::new(
            self.ctx,
            self.module,
            self.fbody,
            InsertPoint::End(self.cur),
        );
        b.loc = loc;
        b
    }

    fn layout(&mut self, t: Ty) -> R<Layout> {
        layout(self.sh, t, self.span)
    }

    fn subst(&mut self, t: Ty) -> Ty {
        let t = subst(self.sh.names, t, &self.inst.subst);
        let t = subst(self.sh.names, t, &self.closure_env);
        self.sh.normalize(t)
    }

    fn show(&self, t: Ty) -> String {
        self.sh.layouts.show(self.sh.names, t)
    }

    /// A new slot of `size` bytes aligned to `align`, in the entry block. Alignments above the
    /// shadow stack's 16 bytes get 16 (as the frame did before slots).
    fn stack_slot(&mut self, size: u64, align: u64) -> Value {
        let align = align.clamp(1, wasmir::dialect::wasm_memory::MAX_SLOT_ALIGN);
        let i64t = self.ctx.i64();
        let (memory, stack) = (self.sym(MEMORY), self.sym(STACK_POINTER));
        let size = self.ctx.int_attr(size.max(1) as i128, i64t);
        let align = self.ctx.int_attr(align as i128, i64t);
        let i32t = self.ctx.i32();
        // First in the entry block: it needs no operand, and the entry may already have ended
        // (drop glue branches out of it).
        let ip = match self.module.bodies[self.fbody].first_op(self.entry) {
            Some(first) => InsertPoint::Before(first),
            None => InsertPoint::End(self.entry),
        };
        let mut b = self.b();
        b.ip = ip;
        let op = b.create(
            "wasm.stack_slot",
            &[],
            &[i32t],
            &[
                ("memory", memory),
                ("stack", stack),
                ("size", size),
                ("align", align),
            ],
            &[],
            &[],
        );
        b.module.bodies[b.body].result(op, 0)
    }

    fn homes_and_entry(&mut self, sig: &Sig, args: &[Value]) -> R<()> {
        self.closure_env()?;
        let taken = address_taken(self.mir);
        let mut next_arg = 0usize;
        let sret = if sig.sret {
            next_arg = 1;
            Some(args[0])
        } else {
            None
        };
        let decls: Vec<(Local, Ty, Option<SrcSpan>)> = self
            .mir
            .locals
            .iter()
            .map(|(l, d)| (l, d.ty, d.span))
            .collect();
        for (l, ty, span) in decls {
            self.span = self.mir_span(span).or(self.span);
            let ty = self.mir_ty(ty);
            self.tys.push(ty);
            let i = l.index();
            let is_arg = i >= 1 && i <= self.mir.arg_count as usize;
            let lay = match self.layout(ty) {
                Ok(l) => l,
                Err(_) if i > self.mir.arg_count as usize => {
                    self.homes.push(Home::Unknown);
                    continue;
                }
                Err(e) => return Err(e),
            };
            let arg_val = if is_arg && !lay.is_zst() {
                let v = args[next_arg];
                next_arg += 1;
                Some(v)
            } else {
                None
            };
            if taken[i] && lay.scalar == Some(Scalar::ExternRef) {
                return self.err(super::wasm_crate::ADDRESS_OF_EXTERNREF);
            }
            let home = if lay.is_zst() {
                Home::Zst
            } else if let (Some(s), false) = (reg_scalar(&lay), taken[i]) {
                let t = wasm_ty(self.ctx, s);
                let ta = self.ctx.type_attr(t);
                let lt = self.ctx.local_type();
                let init: Vec<Value> = arg_val.into_iter().collect();
                let fbody = self.fbody;
                let op = self
                    .b()
                    .create("wasm.local", &init, &[lt], &[("type", ta)], &[], &[]);
                Home::Reg(self.module.bodies[fbody].result(op, 0), s)
            } else if let (0, Some(p)) = (i, sret) {
                Home::Ptr(p)
            } else if let (Some(v), None) = (arg_val, reg_scalar(&lay)) {
                Home::Ptr(v)
            } else {
                Home::Frame(self.stack_slot(lay.size, lay.align))
            };
            self.homes.push(home);
        }
        Ok(())
    }

    /// Ends the entry block: address-taken scalar arguments stored into their slots, and a
    /// branch to `bb0`.
    fn prologue_and_enter(&mut self, sret: bool) -> R<()> {
        // Scalar arguments that live in the frame.
        let entry = self.cur;
        let args: Vec<Value> = self.module.bodies[self.fbody].block_args(entry).to_vec();
        let mut next = usize::from(sret);
        for i in 1..=self.mir.arg_count as usize {
            match self.homes[i] {
                Home::Zst => continue,
                Home::Frame(a) => {
                    let lay = self.layout(self.tys[i])?;
                    let s = reg_scalar(&lay).expect("an aggregate argument is passed by address");
                    self.store(s, a, args[next]);
                }
                _ => {}
            }
            next += 1;
        }
        self.br(Block::new(0));
        Ok(())
    }

    fn sym(&mut self, s: &str) -> Attr {
        let id = self.ctx.ident(s);
        self.ctx.symbol_attr(id)
    }

    // ---- small builders ----------------------------------------------------------------------

    fn iconst(&mut self, s: Scalar, v: i128) -> Value {
        if s.is_64() {
            self.b().i64_const(v as i64)
        } else {
            self.b().i32_const(v as i32)
        }
    }

    fn op1(&mut self, name: &str, a: Value) -> Value {
        self.b().fixed(name, &[a])
    }

    fn op2(&mut self, name: &str, a: Value, b: Value) -> Value {
        self.b().fixed(name, &[a, b])
    }

    /// `wasm.iNN.<op>` for the scalar's width.
    fn iop(&mut self, s: Scalar, op: &str, a: Value, b: Value) -> Value {
        let w = if s.is_64() { "i64" } else { "i32" };
        self.op2(&format!("wasm.{w}.{op}"), a, b)
    }

    fn add_offset(&mut self, base: Value, off: u64) -> Value {
        if off == 0 {
            return base;
        }
        let c = self.b().i32_const(off as i32);
        self.op2("wasm.i32.add", base, c)
    }

    fn mem_attrs(&mut self) -> Attr {
        self.sym(MEMORY)
    }

    fn load(&mut self, s: Scalar, addr: Value) -> Value {
        let name = match s {
            Scalar::Int {
                bits: 8,
                signed: true,
            } => "wasm.i32.load8_s",
            Scalar::Int {
                bits: 8,
                signed: false,
            } => "wasm.i32.load8_u",
            Scalar::Int {
                bits: 16,
                signed: true,
            } => "wasm.i32.load16_s",
            Scalar::Int {
                bits: 16,
                signed: false,
            } => "wasm.i32.load16_u",
            Scalar::Int { bits: 64, .. } => "wasm.i64.load",
            Scalar::Int { .. } => "wasm.i32.load",
            Scalar::F32 => "wasm.f32.load",
            Scalar::F64 => "wasm.f64.load",
            // Locals and aggregates never hold one in memory (the layouts and
            // `homes_and_entry` refuse that); a raw pointer read (`ptr::read(p as *const
            // ExternRef<T>)`) still gets here. The value stands in until the statement is refused.
            Scalar::ExternRef => {
                self.externref_in_memory = true;
                let t = wasm_ty(self.ctx, s);
                return self.create1("wasm.ref.null", &[], t, &[]);
            }
        };
        let m = self.mem_attrs();
        let t = wasm_ty(self.ctx, s);
        self.create1(name, &[addr], t, &[("memory", m)])
    }

    fn store(&mut self, s: Scalar, addr: Value, v: Value) {
        let name = match s {
            Scalar::Int { bits: 8, .. } => "wasm.i32.store8",
            Scalar::Int { bits: 16, .. } => "wasm.i32.store16",
            Scalar::Int { bits: 64, .. } => "wasm.i64.store",
            Scalar::Int { .. } => "wasm.i32.store",
            Scalar::F32 => "wasm.f32.store",
            Scalar::F64 => "wasm.f64.store",
            // As in `load`: a raw pointer write; the statement is refused.
            Scalar::ExternRef => {
                self.externref_in_memory = true;
                return;
            }
        };
        let m = self.mem_attrs();
        self.create0(name, &[addr, v], &[("memory", m)]);
    }

    /// Refuses the statement just lowered if it loaded or stored an externref through an address.
    fn check_externref_access(&mut self) -> R<()> {
        if std::mem::take(&mut self.externref_in_memory) {
            return self.err(super::wasm_crate::EXTERNREF_THROUGH_POINTER);
        }
        Ok(())
    }

    fn copy(&mut self, dst: Value, src: Value, size: u64) {
        if size == 0 {
            return;
        }
        let n = self.b().i32_const(size as i32);
        self.copy_len(dst, src, n);
    }

    /// `wasm.memory.copy` of `len` bytes.
    fn copy_len(&mut self, dst: Value, src: Value, len: Value) {
        let m = self.mem_attrs();
        self.create0(
            "wasm.memory.copy",
            &[dst, src, len],
            &[("dst", m), ("src", m)],
        );
    }

    /// Creates an op without results or successors.
    fn create0(&mut self, name: &str, operands: &[Value], attrs: &[(&str, Attr)]) {
        self.b().create(name, operands, &[], attrs, &[], &[]);
    }

    /// Keeps a small integer in its canonical form in an i32: sign- or zero-extended from its
    /// width.
    fn normalize(&mut self, s: Scalar, v: Value) -> Value {
        match s {
            Scalar::Int {
                bits: 8,
                signed: true,
            } => self.op1("wasm.i32.extend8_s", v),
            Scalar::Int {
                bits: 16,
                signed: true,
            } => self.op1("wasm.i32.extend16_s", v),
            Scalar::Int {
                bits: 8,
                signed: false,
            } => {
                let m = self.b().i32_const(0xff);
                self.op2("wasm.i32.and", v, m)
            }
            Scalar::Int {
                bits: 16,
                signed: false,
            } => {
                let m = self.b().i32_const(0xffff);
                self.op2("wasm.i32.and", v, m)
            }
            _ => v,
        }
    }

    /// Creates an op with one result of type `t`; returns the result.
    fn create1(
        &mut self,
        name: &str,
        operands: &[Value],
        t: Type,
        attrs: &[(&str, Attr)],
    ) -> Value {
        let mut b = self.b();
        let op = b.create(name, operands, &[t], attrs, &[], &[]);
        b.module.bodies[b.body].result(op, 0)
    }

    fn local_get(&mut self, l: Value, s: Scalar) -> Value {
        let t = wasm_ty(self.ctx, s);
        self.create1("wasm.local.get", &[l], t, &[])
    }

    fn local_set(&mut self, l: Value, v: Value) {
        self.create0("wasm.local.set", &[l, v], &[]);
    }

    fn trap_block(&mut self) -> wasmir::Block {
        if let Some(t) = self.trap {
            return t;
        }
        let region = self.module.bodies[self.fbody]
            .region_of(self.cur)
            .expect("in a region");
        let t = self.module.bodies[self.fbody].create_block();
        self.module.bodies[self.fbody].append_block(region, t);
        let saved = self.cur;
        self.cur = t;
        self.create0("wasm.unreachable", &[], &[]);
        self.cur = saved;
        self.trap = Some(t);
        t
    }

    fn br(&mut self, target: Block) {
        let t = self.blocks[target.index()];
        self.branch(t);
    }

    fn branch(&mut self, to: wasmir::Block) {
        self.b().create(
            "cf.br",
            &[],
            &[],
            &[],
            &[wasmir::SuccSpec {
                block: to,
                args: &[],
            }],
            &[],
        );
    }

    fn cond_br(&mut self, c: Value, then: wasmir::Block, els: wasmir::Block) {
        self.b().create(
            "cf.cond_br",
            &[c],
            &[],
            &[],
            &[
                wasmir::SuccSpec {
                    block: then,
                    args: &[],
                },
                wasmir::SuccSpec {
                    block: els,
                    args: &[],
                },
            ],
            &[],
        );
    }

    // ---- places and operands -----------------------------------------------------------------

    fn place(&mut self, p: Place) -> R<(PlaceRef, Ty)> {
        let (r, ty, _) = self.place_meta(p)?;
        Ok((r, ty))
    }

    /// A place, its type, and for a place of unsized type (behind a fat pointer) its length.
    fn place_meta(&mut self, p: Place) -> R<(PlaceRef, Ty, Option<Value>)> {
        let mut ty = self.tys[p.local.index()];
        let mut meta: Option<Value> = None;
        let projs: Vec<Proj> = self.mir.place_projs(p).to_vec();
        let mut cur = match self.homes[p.local.index()] {
            Home::Unknown => {
                self.layout(ty)?;
                return self.err(format!("a local of type `{}`", self.show(ty)));
            }
            Home::Zst => PlaceRef::Zst,
            Home::Reg(l, s) => PlaceRef::Reg(l, s),
            Home::Frame(a) => PlaceRef::Mem(a),
            Home::Ptr(v) => PlaceRef::Mem(v),
        };
        // The variant a downcast selected, for the field projection after it.
        let mut variant: Option<usize> = None;
        for proj in projs {
            match proj {
                Proj::Deref => {
                    let ptr = match cur {
                        PlaceRef::Reg(l, s) => self.local_get(l, s),
                        PlaceRef::Mem(a) => self.load(Scalar::PTR, a),
                        PlaceRef::Zst => return self.err("a dereference of a zero-sized value"),
                    };
                    ty = match self.sh.names.ty_kind(ty) {
                        TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. } => *pointee,
                        _ => return self.err(format!("a dereference of `{}`", self.show(ty))),
                    };
                    meta = self.fat_len(cur, ty)?;
                    cur = PlaceRef::Mem(ptr);
                }
                Proj::Field(i, fty) => {
                    let lay = self.layout(ty)?;
                    // `MaybeUninit` is a union (`uninit: ()`, `value`), laid out as its value:
                    // every field is at 0.
                    let union_field = matches!(*self.sh.names.ty_kind(ty),
                        TyKind::Path(p) if self.is_core_mem_type(p, "MaybeUninit", "maybe_uninit"));
                    let i = if union_field { 0 } else { i };
                    ty = self.mir_ty(fty);
                    let offsets = match (variant.take(), lay.variants.len()) {
                        (_, 0) => &lay.offsets,
                        (Some(v), _) => &lay.variants[v].offsets,
                        (None, 1) => &lay.variants[0].offsets,
                        (None, _) => return self.err("a field of an enum without a downcast"),
                    };
                    cur = match cur {
                        PlaceRef::Mem(a) => {
                            let off = *offsets.get(i as usize).ok_or_else(|| LowerError {
                                span: self.span,
                                msg: format!("field {i} of `{}`", self.show(ty)),
                            })?;
                            PlaceRef::Mem(self.add_offset(a, off))
                        }
                        PlaceRef::Zst => PlaceRef::Zst,
                        PlaceRef::Reg(_, Scalar::ExternRef) => {
                            return self.err(super::wasm_crate::FIELD_OF_EXTERNREF);
                        }
                        PlaceRef::Reg(..) => return self.err("a field of a scalar"),
                    };
                }
                Proj::Index(l) => {
                    let (e, zst) = match *self.sh.names.ty_kind(ty) {
                        TyKind::Array(e, _) => (e, self.layout(ty)?.is_zst()),
                        TyKind::Slice(e) => (e, false),
                        _ => return self.err(format!("indexing `{}`", self.show(ty))),
                    };
                    let el = self.layout(e)?;
                    let idx = self.read_local(l)?;
                    ty = e;
                    cur = match cur {
                        PlaceRef::Mem(a) => {
                            let size = self.b().i32_const(el.size as i32);
                            let off = self.op2("wasm.i32.mul", idx, size);
                            PlaceRef::Mem(self.op2("wasm.i32.add", a, off))
                        }
                        _ if zst => PlaceRef::Zst,
                        _ => return self.err("indexing a value not in memory"),
                    };
                }
                Proj::ConstantIndex {
                    offset, from_end, ..
                } if matches!(self.sh.names.ty_kind(ty), TyKind::Slice(_)) => {
                    (cur, ty) = self.slice_constant_index(cur, ty, meta, offset, from_end)?;
                    meta = None;
                }
                Proj::ConstantIndex {
                    offset, from_end, ..
                } => {
                    let lay = self.layout(ty)?;
                    let TyKind::Array(e, _) = *self.sh.names.ty_kind(ty) else {
                        return self.err(format!("indexing `{}`", self.show(ty)));
                    };
                    let el = self.layout(e)?;
                    let i = if from_end { lay.count - offset } else { offset };
                    ty = e;
                    cur = match cur {
                        PlaceRef::Mem(a) => PlaceRef::Mem(self.add_offset(a, i * el.size)),
                        _ => PlaceRef::Zst,
                    };
                }
                Proj::Downcast(name, index) => {
                    let lay = self.layout(ty)?;
                    let name = name.map(|n| self.mir_sym(n));
                    variant = Some(self.variant_index(&lay, ty, name, index)?);
                }
                Proj::Subslice { from, to, from_end } => {
                    (cur, ty, meta) = self.subslice(cur, ty, meta, from, to, from_end)?;
                }
                Proj::OpaqueCast(_) | Proj::UnwrapUnsafeBinder(_) => {
                    return self.err("opaque casts and unsafe binders in places");
                }
            }
        }
        if !super::slices::is_unsized(self.sh.names, ty) && self.layout(ty)?.is_zst() {
            cur = PlaceRef::Zst;
        }
        Ok((cur, ty, meta))
    }

    fn read_local(&mut self, l: Local) -> R<Value> {
        match self.homes[l.index()] {
            Home::Reg(v, s) => Ok(self.local_get(v, s)),
            Home::Frame(a) => {
                let lay = self.layout(self.tys[l.index()])?;
                let s = reg_scalar(&lay).expect("an index is a scalar");
                Ok(self.load(s, a))
            }
            _ => self.err("an index that is not a scalar"),
        }
    }

    fn read_place(&mut self, p: Place) -> R<(Val, Ty)> {
        let (r, ty) = self.place(p)?;
        let lay = self.layout(ty)?;
        Ok((
            match r {
                PlaceRef::Zst => Val::Zst,
                PlaceRef::Reg(l, s) => Val::Scalar(self.local_get(l, s), s),
                PlaceRef::Mem(a) => match reg_scalar(&lay) {
                    Some(s) => Val::Scalar(self.load(s, a), s),
                    None => Val::Mem(a),
                },
            },
            ty,
        ))
    }

    fn operand(&mut self, op: &Operand) -> R<(Val, Ty)> {
        match op {
            Operand::Copy(p) | Operand::Move(p) => self.read_place(*p),
            Operand::Const(c) => self.constant(*c),
            Operand::RuntimeChecks(s) => {
                // Debug assertions and contract checks are off in an optimized build; overflow
                // checks follow `-C overflow-checks`, which rustc already applied to the MIR.
                let s = self.mir_sym(*s);
                let name = self.sh.names.str(s).to_string();
                let on = name == "OverflowChecks" && self.sh.overflow_checks;
                let v = self.b().i32_const(i32::from(on));
                let bool_ty = self.sh.names.ty(TyKind::Bool);
                Ok((
                    Val::Scalar(
                        v,
                        Scalar::Int {
                            bits: 8,
                            signed: false,
                        },
                    ),
                    bool_ty,
                ))
            }
        }
    }

    /// A scalar operand.
    fn scalar(&mut self, op: &Operand) -> R<(Value, Scalar, Ty)> {
        match self.operand(op)? {
            (Val::Scalar(v, s), t) => Ok((v, s, t)),
            // A struct around one scalar (`NonNull<T>`) in memory.
            (Val::Mem(a), t) if let Some(s) = self.layout(t)?.scalar => Ok((self.load(s, a), s, t)),
            (_, t) => self.err(format!("`{}` used as a scalar", self.show(t))),
        }
    }

    fn constant(&mut self, c: ConstId) -> R<(Val, Ty)> {
        let k = self.konst(c);
        if let Some(v) = self.type_property(&k)? {
            return Ok(v);
        }
        if let Some(v) = self.static_const(c, &k)? {
            return Ok(v);
        }
        if let Some(v) = self.wide_const(&k)? {
            return Ok(v);
        }
        // `0_usize is 0..=2147483647`: the scalar's value (its valid range is the type's).
        if let ConstKind::Pattern(inner, _) = k {
            return self.constant(inner);
        }
        let unit_variant = matches!(k, ConstKind::FnItem(p) if self.names_variant(p));
        let names = &mut *self.sh.names;
        let (ty, v): (Ty, Option<i128>) = match &k {
            ConstKind::Int(bits, ity) => (names.ty(TyKind::Int(*ity)), Some(*bits as i128)),
            ConstKind::Bool(b) => (names.ty(TyKind::Bool), Some(i128::from(*b))),
            ConstKind::Char(ch) => (names.ty(TyKind::Char), Some(*ch as i128)),
            ConstKind::Transmute { bits, ty, .. } => (*ty, Some(*bits as i128)),
            // `{0x0 as *mut u8}`: an address as a pointer.
            ConstKind::IntPtr(v, ty) => (*ty, Some(*v as i128)),
            ConstKind::Unit => (names.ty(TyKind::Tuple(Box::new([]))), None),
            ConstKind::ZeroSized(t) => (*t, None),
            ConstKind::FnItem(_) if !unit_variant => (names.ty(TyKind::Tuple(Box::new([]))), None),
            ConstKind::Float { text, ty } => {
                let text = names.str(*text).to_string();
                let ty = *ty;
                let t = names.ty(TyKind::Float(ty));
                let v = match ty {
                    FloatTy::F32 => text.parse::<f32>().ok().map(|f| {
                        let bits = f.to_bits() as i128;
                        let ft = self.ctx.f32();
                        let a = self.ctx.float_attr(bits as u64, ft);
                        let mut b = self.b();
                        let op = b.create("wasm.f32.const", &[], &[ft], &[("value", a)], &[], &[]);
                        (b.module.bodies[b.body].result(op, 0), Scalar::F32)
                    }),
                    FloatTy::F64 => text.parse::<f64>().ok().map(|f| {
                        let ft = self.ctx.f64();
                        let a = self.ctx.float_attr(f.to_bits(), ft);
                        let mut b = self.b();
                        let op = b.create("wasm.f64.const", &[], &[ft], &[("value", a)], &[], &[]);
                        (b.module.bodies[b.body].result(op, 0), Scalar::F64)
                    }),
                    _ => None,
                };
                return match v {
                    Some((v, s)) => Ok((Val::Scalar(v, s), t)),
                    None => self.err(format!("the float constant `{text}`")),
                };
            }
            // rustc prints a unit variant of an enum with fields like a function item.
            ConstKind::FnItem(path) => {
                let (ty, variant) = self.const_adt(*path)?;
                let lay = self.layout(ty)?;
                match (variant, reg_scalar(&lay)) {
                    (Some(v), Some(_)) => (ty, Some(lay.variants[v].discr)),
                    _ => return self.const_in_frame(c, ty),
                }
            }
            ConstKind::Adt { path, .. } | ConstKind::Path(path) => {
                let (ty, variant) = self.const_adt(*path)?;
                let lay = self.layout(ty)?;
                match (variant, reg_scalar(&lay)) {
                    // A variant of a fieldless enum: its discriminant.
                    (Some(v), Some(_)) => (ty, Some(lay.variants[v].discr)),
                    _ => return self.const_in_frame(c, ty),
                }
            }
            ConstKind::Indirect { ty, .. } => {
                let ty = self.subst(*ty);
                return self.const_in_frame(c, ty);
            }
            ConstKind::Tuple(_) | ConstKind::Array(_) => {
                return self.err("tuple and array constants in operand position");
            }
            _ => {
                return self.err(
                    "constants of this kind (references to constant data, unevaluated constants)",
                );
            }
        };
        let ty = self.subst(ty);
        let lay = self.layout(ty)?;
        match (v, reg_scalar(&lay)) {
            (_, None) if lay.is_zst() => Ok((Val::Zst, ty)),
            (Some(v), Some(s)) => {
                let c = self.iconst(s, v);
                Ok((Val::Scalar(c, s), ty))
            }
            (Some(_), None) if matches!(k, ConstKind::Transmute { .. }) => {
                self.const_in_frame(c, ty)
            }
            _ => self.err(format!("a constant of type `{}`", self.show(ty))),
        }
    }

    /// An aggregate constant written into a slot of its own.
    fn const_in_frame(&mut self, c: ConstId, ty: Ty) -> R<(Val, Ty)> {
        let lay = self.layout(ty)?;
        if lay.is_zst() {
            return Ok((Val::Zst, ty));
        }
        let a = self.stack_slot(lay.size, lay.align);
        self.write_const(a, c, ty)?;
        Ok((Val::Mem(a), ty))
    }

    /// Whether `path` (of the user's interner) names a variant of an enum: `E::V`.
    fn names_variant(&self, path: PathId) -> bool {
        let data = self.sh.names.path_data(path);
        let n = data.segments.len();
        let (Some(SegName::Ident(v)), true) = (data.segments.last().map(|s| &s.name), n >= 2)
        else {
            return false;
        };
        let enum_path = Path {
            qself: None,
            segments: data.segments[..n - 1].into(),
        };
        let Some(ep) = self.sh.names.lookup_path(&enum_path) else {
            return false;
        };
        adt_of(self.sh.names, self.sh.items, ep)
            .and_then(|(d, _)| d.variants.as_ref())
            .is_some_and(|vs| vs.iter().any(|x| x.name == *v))
    }

    /// The type an ADT constant's path names, and the variant when it is an enum's: a struct
    /// (`S`), or a variant (`core::option::Option::<u32>::None`).
    fn const_adt(&mut self, path: PathId) -> R<(Ty, Option<usize>)> {
        if adt_of(self.sh.names, self.sh.items, path).is_some_and(|(d, _)| d.variants.is_none()) {
            let t = self.sh.names.ty(TyKind::Path(path));
            return Ok((self.subst(t), None));
        }
        let data = self.sh.names.path_data(path).clone();
        let n = data.segments.len();
        let ep = self.sh.names.path(Path {
            qself: None,
            segments: data.segments[..n.saturating_sub(1)].into(),
        });
        let t = self.sh.names.ty(TyKind::Path(ep));
        let ty = self.subst(t);
        let lay = self.layout(ty)?;
        let v = self.variant_index(&lay, ty, self.last_ident(path), None)?;
        Ok((ty, Some(v)))
    }

    /// Writes constant `c` of type `ty` at `dst`, walking aggregates with an explicit stack.
    fn write_const(&mut self, dst: Value, c: ConstId, ty: Ty) -> R<()> {
        let mut stack = vec![(c, ty, 0u64)];
        while let Some((c, ty, off)) = stack.pop() {
            let lay = self.layout(ty)?;
            let k = self.konst(c);
            match &k {
                ConstKind::Tuple(cs) | ConstKind::Array(cs) => {
                    for (i, &e) in cs.iter().enumerate() {
                        let (fo, ft) = if lay.count > 0 || matches!(k, ConstKind::Array(_)) {
                            let el = self.layout(lay.fields[0])?;
                            (i as u64 * el.size, lay.fields[0])
                        } else {
                            (lay.offsets[i], lay.fields[i])
                        };
                        stack.push((e, ft, off + fo));
                    }
                }
                ConstKind::Adt { path, fields, .. } if !lay.variants.is_empty() => {
                    let v = self.variant_index(&lay, ty, self.last_ident(*path), None)?;
                    let var = lay.variants[v].clone();
                    for (i, (name, e)) in fields.iter().enumerate() {
                        let idx = match name {
                            Some(n) => var.field_names.iter().position(|f| f == n).unwrap_or(i),
                            None => i,
                        };
                        stack.push((*e, var.fields[idx], off + var.offsets[idx]));
                    }
                    let a = self.add_offset(dst, off);
                    self.write_discriminant(PlaceRef::Mem(a), &lay, v);
                }
                ConstKind::Path(path) | ConstKind::FnItem(path) if !lay.variants.is_empty() => {
                    let v = self.variant_index(&lay, ty, self.last_ident(*path), None)?;
                    let a = self.add_offset(dst, off);
                    self.write_discriminant(PlaceRef::Mem(a), &lay, v);
                }
                ConstKind::Transmute { bits, size, .. } if reg_scalar(&lay).is_none() => {
                    if *size > 8 {
                        return self.err("a 128-bit constant");
                    }
                    let s = Scalar::Int {
                        bits: *size * 8,
                        signed: false,
                    };
                    let v = self.iconst(s, *bits as i128);
                    let a = self.add_offset(dst, off);
                    self.store(s, a, v);
                }
                ConstKind::Adt { fields, .. } => {
                    let def_fields = self.adt_field_names(ty);
                    for (i, (name, e)) in fields.iter().enumerate() {
                        let idx = match name {
                            Some(n) => def_fields.iter().position(|f| f == n).unwrap_or(i),
                            None => i,
                        };
                        if idx >= lay.offsets.len() {
                            return self.err(format!("a constant of `{}`", self.show(ty)));
                        }
                        stack.push((*e, lay.fields[idx], off + lay.offsets[idx]));
                    }
                }
                ConstKind::Indirect { alloc, offset, .. } => {
                    let a = match self.allocs.get(*alloc) {
                        Ok(a) => a,
                        Err(m) => return self.err(m),
                    };
                    if !a.relocs.is_empty() {
                        let a = self.add_offset(dst, off);
                        self.copy_indirect(a, *alloc, *offset, lay.size)?;
                        continue;
                    }
                    let bytes: Vec<u8> = a
                        .bytes
                        .iter()
                        .skip(*offset as usize)
                        .take(lay.size as usize)
                        .map(|b| b.unwrap_or(0))
                        .collect();
                    for (i, chunk) in bytes.chunks(4).enumerate() {
                        let a = self.add_offset(dst, off + i as u64 * 4);
                        let mut w = [0u8; 4];
                        w[..chunk.len()].copy_from_slice(chunk);
                        let v = self.b().i32_const(i32::from_le_bytes(w));
                        let s = match chunk.len() {
                            4 => Scalar::Int {
                                bits: 32,
                                signed: false,
                            },
                            2 => Scalar::Int {
                                bits: 16,
                                signed: false,
                            },
                            1 => Scalar::Int {
                                bits: 8,
                                signed: false,
                            },
                            _ => {
                                // Three bytes: a halfword and a byte.
                                let a2 = self.add_offset(a, 2);
                                let v2 = self.b().i32_const(i32::from(chunk[2]));
                                self.store(
                                    Scalar::Int {
                                        bits: 8,
                                        signed: false,
                                    },
                                    a2,
                                    v2,
                                );
                                Scalar::Int {
                                    bits: 16,
                                    signed: false,
                                }
                            }
                        };
                        self.store(s, a, v);
                    }
                }
                _ => {
                    let (v, t) = self.constant(c)?;
                    let a = self.add_offset(dst, off);
                    match v {
                        Val::Scalar(v, s) => self.store(s, a, v),
                        Val::Mem(src) => {
                            let size = self.layout(t)?.size;
                            self.copy(a, src, size);
                        }
                        Val::Zst => {}
                    }
                }
            }
        }
        Ok(())
    }

    /// Writes an operand's value at `dst` (an address), whatever its type.
    fn operand_to(&mut self, dst: Value, op: &Operand, ty: Ty) -> R<()> {
        if let Operand::Const(c) = op
            && matches!(
                self.mir.consts[*c],
                ConstKind::Tuple(_)
                    | ConstKind::Adt { .. }
                    | ConstKind::Array(_)
                    | ConstKind::Indirect { .. }
                    | ConstKind::Path(_)
                    | ConstKind::FnItem(_)
                    | ConstKind::Transmute { .. }
            )
            && reg_scalar(&self.layout(ty)?).is_none()
        {
            return self.write_const(dst, *c, ty);
        }
        match self.operand(op)? {
            (Val::Zst, _) => {}
            (Val::Scalar(v, s), _) => self.store(s, dst, v),
            (Val::Mem(a), t) => {
                let size = self.layout(t)?.size;
                self.copy(dst, a, size);
            }
        }
        Ok(())
    }

    fn write_scalar(&mut self, r: PlaceRef, s: Scalar, v: Value) {
        match r {
            PlaceRef::Mem(a) => self.store(s, a, v),
            PlaceRef::Reg(l, _) => self.local_set(l, v),
            PlaceRef::Zst => {}
        }
    }

    /// The address of a memory place (for `&`, `&raw`, aggregates).
    fn place_addr(&mut self, p: Place) -> R<Value> {
        match self.place(p)?.0 {
            PlaceRef::Mem(a) => Ok(a),
            // A reference to a zero-sized value: any aligned non-null address.
            PlaceRef::Zst => Ok(self.b().i32_const(1)),
            PlaceRef::Reg(..) => self.err("taking the address of a value held in a register"),
        }
    }

    // ---- statements --------------------------------------------------------------------------

    fn statement(&mut self, k: &StatementKind) -> R<()> {
        match k {
            StatementKind::Assign(dest, rv) => self.assign(*dest, rv),
            StatementKind::StorageLive(_)
            | StatementKind::StorageDead(_)
            | StatementKind::FakeRead(..)
            | StatementKind::Retag(..)
            | StatementKind::PlaceMention(_)
            | StatementKind::Assume(_)
            | StatementKind::ConstEvalCounter
            | StatementKind::Nop
            | StatementKind::BackwardIncompatibleDropHint(_)
            | StatementKind::Other(_) => Ok(()),
            StatementKind::SetDiscriminant(p, v) => {
                let (r, ty) = self.place(*p)?;
                let lay = self.layout(ty)?;
                if *v as usize >= lay.variants.len() {
                    return self.err(format!("variant {v} of `{}`", self.show(ty)));
                }
                self.write_discriminant(r, &lay, *v as usize);
                Ok(())
            }
            StatementKind::CopyNonOverlapping { src, dst, count } => {
                let (s, _, sty) = self.scalar(src)?;
                let (d, _, _) = self.scalar(dst)?;
                let (n, _, _) = self.scalar(count)?;
                let TyKind::RawPtr { pointee, .. } = *self.sh.names.ty_kind(sty) else {
                    return self.err("copy_nonoverlapping of a non-pointer");
                };
                let size = self.layout(pointee)?.size;
                let sz = self.b().i32_const(size as i32);
                let len = self.op2("wasm.i32.mul", n, sz);
                self.copy_len(d, s, len);
                Ok(())
            }
        }
    }

    fn assign(&mut self, dest: Place, rv: &Rvalue) -> R<()> {
        // `MaybeUninit::uninit()`: the place's bytes are left as they are.
        if let Rvalue::Use(Operand::Const(c)) = rv
            && matches!(self.konst(*c), ConstKind::Uninit)
        {
            return Ok(());
        }
        // The destination's type, without evaluating it yet.
        let dty = self.place_ty(dest)?;
        let dl = self.layout(dty)?;
        if let Some(s) = reg_scalar(&dl) {
            let v = self.scalar_rvalue(rv, s, dty)?;
            let (r, _) = self.place(dest)?;
            self.write_scalar(r, s, v);
            return Ok(());
        }
        if dl.is_zst() {
            // Evaluate for effects (none for a zero-sized value's operands).
            return Ok(());
        }
        if self.fat_rvalue(dest, dty, rv)? || self.wide_rvalue(dest, dty, rv)? {
            return Ok(());
        }
        match rv {
            Rvalue::Use(op) => {
                let d = self.place_addr(dest)?;
                self.operand_to(d, op, dty)
            }
            Rvalue::CopyForDeref(p) => {
                let d = self.place_addr(dest)?;
                self.operand_to(d, &Operand::Copy(*p), dty)
            }
            Rvalue::Aggregate(kind, ops) => {
                match kind {
                    AggregateKind::Tuple
                    | AggregateKind::Array
                    | AggregateKind::Adt { .. }
                    | AggregateKind::Closure(_) => {}
                    _ => return self.err("this aggregate kind"),
                }
                if let AggregateKind::Adt { path, .. } = kind
                    && !dl.variants.is_empty()
                {
                    let d = self.place_addr(dest)?;
                    let path = self.mir_path(*path);
                    let name = self.last_ident(path);
                    let v = self.variant_index(&dl, dty, name, None)?;
                    let var = dl.variants[v].clone();
                    for (i, (name, op)) in ops.iter().enumerate() {
                        let name = name.map(|n| self.mir_sym(n));
                        let idx = match name {
                            Some(n) => var.field_names.iter().position(|f| *f == n).unwrap_or(i),
                            None => i,
                        };
                        let a = self.add_offset(d, var.offsets[idx]);
                        self.operand_to(a, op, var.fields[idx])?;
                    }
                    self.write_discriminant(PlaceRef::Mem(d), &dl, v);
                    return Ok(());
                }
                let d = self.place_addr(dest)?;
                let def_fields = self.adt_field_names(dty);
                if let AggregateKind::Adt { .. } = kind
                    && def_fields.is_empty()
                    && !ops.is_empty()
                {
                    return self.err(format!(
                        "values of `{}` (an enum variant or a type whose definition is not known)",
                        self.show(dty)
                    ));
                }
                for (i, (name, op)) in ops.iter().enumerate() {
                    let name = name.map(|n| self.mir_sym(n));
                    let (off, fty) = if matches!(kind, AggregateKind::Array) {
                        let el = self.layout(dl.fields[0])?;
                        (i as u64 * el.size, dl.fields[0])
                    } else {
                        let idx = match name {
                            Some(n) => def_fields.iter().position(|f| *f == n).unwrap_or(i),
                            None => i,
                        };
                        (dl.offsets[idx], dl.fields[idx])
                    };
                    let a = self.add_offset(d, off);
                    self.operand_to(a, op, fty)?;
                }
                Ok(())
            }
            Rvalue::Repeat(op, n) => {
                let Some(n) = array_len(n) else {
                    return self.err("array repeat with a non-literal length");
                };
                let d = self.place_addr(dest)?;
                let el = self.layout(dl.fields[0])?;
                let zero = matches!(op, Operand::Const(c) if matches!(self.mir.consts[*c], ConstKind::Int(0, _) | ConstKind::Bool(false)));
                if zero || el.size == 1 {
                    let (v, _, _) = self.scalar(op)?;
                    let v = if el.size == 1 || !zero {
                        v
                    } else {
                        self.b().i32_const(0)
                    };
                    let len = self.b().i32_const((n * el.size) as i32);
                    let m = self.mem_attrs();
                    self.create0("wasm.memory.fill", &[d, v, len], &[("memory", m)]);
                    return Ok(());
                }
                if n > 64 {
                    return self.err("an array repeat of more than 64 non-zero elements");
                }
                for i in 0..n {
                    let a = self.add_offset(d, i * el.size);
                    self.operand_to(a, op, dl.fields[0])?;
                }
                Ok(())
            }
            Rvalue::BinaryOp(
                op @ (BinOp::AddWithOverflow | BinOp::SubWithOverflow | BinOp::MulWithOverflow),
                a,
                b,
            ) => {
                let (x, s, _) = self.scalar(a)?;
                let (y, _, _) = self.scalar(b)?;
                let (r, ov) = self.with_overflow(*op, s, x, y);
                let d = self.place_addr(dest)?;
                let a0 = self.add_offset(d, dl.offsets[0]);
                self.store(s, a0, r);
                let a1 = self.add_offset(d, dl.offsets[1]);
                self.store(
                    Scalar::Int {
                        bits: 8,
                        signed: false,
                    },
                    a1,
                    ov,
                );
                Ok(())
            }
            Rvalue::Cast(CastKind::Transmute | CastKind::Subtype, op, _) => {
                let d = self.place_addr(dest)?;
                let (v, t) = self.operand(op)?;
                match v {
                    Val::Mem(a) => {
                        let size = self.layout(t)?.size;
                        self.copy(d, a, size)
                    }
                    Val::Scalar(v, s) => self.store(s, d, v),
                    Val::Zst => {}
                }
                Ok(())
            }
            Rvalue::Cast(CastKind::PointerCoercion(_), op, _) => {
                let d = self.place_addr(dest)?;
                self.unsize_to(d, op, dty)
            }
            Rvalue::Ref(_, p) | Rvalue::RawPtr { place: p, .. } => {
                let d = self.place_addr(dest)?;
                self.reborrow_to(d, *p, dty)
            }
            _ => self.err(format!("this rvalue producing `{}`", self.show(dty))),
        }
    }

    /// `(result, overflowed)` of a checked operation on canonical values of scalar `s`.
    fn with_overflow(&mut self, op: BinOp, s: Scalar, x: Value, y: Value) -> (Value, Value) {
        let Scalar::Int { bits, signed } = s else {
            unreachable!("overflow checks are on integers")
        };
        let name = match op {
            BinOp::AddWithOverflow => "add",
            BinOp::SubWithOverflow => "sub",
            _ => "mul",
        };
        if bits < 32 {
            // Exact in i32: overflow when the canonical form differs.
            let r = self.iop(s, name, x, y);
            let n = self.normalize(s, r);
            let ov = self.op2("wasm.i32.ne", r, n);
            return (n, ov);
        }
        let w = if bits == 64 { "i64" } else { "i32" };
        let r = self.iop(s, name, x, y);
        let zero = self.iconst(s, 0);
        let ov = match (op, signed) {
            (BinOp::AddWithOverflow, false) => self.op2(&format!("wasm.{w}.lt_u"), r, x),
            (BinOp::SubWithOverflow, false) => self.op2(&format!("wasm.{w}.lt_u"), x, y),
            (BinOp::AddWithOverflow, true) => {
                // ((x ^ r) & (y ^ r)) < 0
                let a = self.iop(s, "xor", x, r);
                let b = self.iop(s, "xor", y, r);
                let c = self.iop(s, "and", a, b);
                self.op2(&format!("wasm.{w}.lt_s"), c, zero)
            }
            (BinOp::SubWithOverflow, true) => {
                // ((x ^ y) & (x ^ r)) < 0
                let a = self.iop(s, "xor", x, y);
                let b = self.iop(s, "xor", x, r);
                let c = self.iop(s, "and", a, b);
                self.op2(&format!("wasm.{w}.lt_s"), c, zero)
            }
            _ if bits == 32 => {
                // Exact in i64.
                let ext = if signed {
                    "wasm.i64.extend_i32_s"
                } else {
                    "wasm.i64.extend_i32_u"
                };
                let a = self.op1(ext, x);
                let b = self.op1(ext, y);
                let p = self.op2("wasm.i64.mul", a, b);
                let low = self.op1("wasm.i32.wrap_i64", p);
                let back = self.op1(ext, low);
                self.op2("wasm.i64.ne", p, back)
            }
            _ => {
                // 64-bit: x != 0 && r / x != y (signed: also x == -1 && y == MIN). The division
                // is guarded so that it cannot trap.
                let xz = self.op1("wasm.i64.eqz", x);
                let one = self.iconst(s, 1);
                let div_op = if signed { "div_s" } else { "div_u" };
                let (guard, bad_pair) = if signed {
                    let m1 = self.iconst(s, -1);
                    let xm1 = self.op2("wasm.i64.eq", x, m1);
                    let min = self.iconst(s, i64::MIN as i128);
                    let ymin = self.op2("wasm.i64.eq", y, min);
                    let both = self.op2("wasm.i32.and", xm1, ymin);
                    (self.op2("wasm.i32.or", xz, xm1), Some(both))
                } else {
                    (xz, None)
                };
                let i64t = self.ctx.i64();
                let divisor = self.create1("wasm.select", &[guard, one, x], i64t, &[]);
                let q = self.iop(s, div_op, r, divisor);
                let ne = self.op2("wasm.i64.ne", q, y);
                let nz = self.op1("wasm.i32.eqz", guard);
                let ov = self.op2("wasm.i32.and", ne, nz);
                match bad_pair {
                    Some(b) => self.op2("wasm.i32.or", ov, b),
                    None => ov,
                }
            }
        };
        (r, ov)
    }

    /// An rvalue whose result is the scalar `s` of type `dty`.
    fn scalar_rvalue(&mut self, rv: &Rvalue, s: Scalar, dty: Ty) -> R<Value> {
        Ok(match rv {
            Rvalue::Use(op) => self.scalar(op)?.0,
            Rvalue::CopyForDeref(p) => self.scalar(&Operand::Copy(*p))?.0,
            Rvalue::Ref(_, p) | Rvalue::RawPtr { place: p, .. } => self.place_addr(*p)?,
            Rvalue::Cast(kind, op, _) => self.cast(*kind, op, s, dty)?,
            Rvalue::UnaryOp(UnOp::Not, op) => {
                let (v, vs, t) = self.scalar(op)?;
                if matches!(self.sh.names.ty_kind(t), TyKind::Bool) {
                    self.op1("wasm.i32.eqz", v)
                } else {
                    let m1 = self.iconst(vs, -1);
                    let r = self.iop(vs, "xor", v, m1);
                    self.normalize(vs, r)
                }
            }
            Rvalue::UnaryOp(UnOp::Neg, op) => {
                let (v, vs, _) = self.scalar(op)?;
                match vs {
                    Scalar::F32 => self.op1("wasm.f32.neg", v),
                    Scalar::F64 => self.op1("wasm.f64.neg", v),
                    _ => {
                        let z = self.iconst(vs, 0);
                        let r = self.iop(vs, "sub", z, v);
                        self.normalize(vs, r)
                    }
                }
            }
            Rvalue::BinaryOp(op, a, b) => self.binary(*op, a, b, s)?,
            Rvalue::Aggregate(AggregateKind::Adt { path, .. }, ops) if ops.is_empty() => {
                // A fieldless enum's variant: its discriminant.
                let path = self.mir_path(*path);
                let variant = self.last_ident(path);
                let lay = self.layout(dty)?;
                let v = self.variant_index(&lay, dty, variant, None)?;
                self.iconst(s, lay.variants[v].discr)
            }
            Rvalue::Discriminant(p) => {
                let (r, ty) = self.place(*p)?;
                let lay = self.layout(ty)?;
                if lay.variants.is_empty() {
                    return self.err(format!("the discriminant of `{}`", self.show(ty)));
                }
                self.read_discriminant(r, &lay, s)?
            }
            // A thin raw pointer from its address and `()`.
            Rvalue::Aggregate(AggregateKind::RawPtr { .. }, ops) if !ops.is_empty() => {
                self.scalar(&ops[0].1)?.0
            }
            Rvalue::Repeat(..) | Rvalue::Aggregate(..) => {
                return self.err(format!(
                    "this aggregate of type `{}` held as a scalar",
                    self.show(dty)
                ));
            }
            Rvalue::ThreadLocalRef { .. } => return self.err("thread-local statics"),
            Rvalue::UnaryOp(UnOp::PtrMetadata, op) => self.ptr_metadata(op)?,
            Rvalue::WrapUnsafeBinder(..) => return self.err("unsafe binders"),
        })
    }

    fn cast(&mut self, kind: CastKind, op: &Operand, to: Scalar, dty: Ty) -> R<Value> {
        if let CastKind::PointerCoercion(k) = kind {
            let k = self.mir_sym(k);
            let k = self.sh.names.str(k).to_string();
            if let Some(f) = self.fn_pointer(&k, op, dty)? {
                return Ok(f);
            }
        }
        if let Some(data) = self.fat_to_thin(kind, op)? {
            return Ok(data);
        }
        if let Some(low) = self.wide_to_scalar(kind, op, to)? {
            return Ok(low);
        }
        let (v, from, _) = self.scalar(op)?;
        Ok(match kind {
            CastKind::IntToInt => self.int_to_int(v, from, to),
            CastKind::IntToFloat => {
                let Scalar::Int { bits, signed } = from else {
                    return self.err("a float cast of a non-integer");
                };
                let w = if bits == 64 { "i64" } else { "i32" };
                let f = if to == Scalar::F32 { "f32" } else { "f64" };
                let sgn = if signed { "s" } else { "u" };
                self.op1(&format!("wasm.{f}.convert_{w}_{sgn}"), v)
            }
            CastKind::FloatToInt => {
                let Scalar::Int { bits, signed } = to else {
                    return self.err("a float cast to a non-integer");
                };
                let f = if from == Scalar::F32 { "f32" } else { "f64" };
                if bits < 32 {
                    // Saturate through i32, then clamp to the narrow range.
                    let wide = self.op1(
                        &format!("wasm.i32.trunc_sat_{f}_{}", if signed { "s" } else { "u" }),
                        v,
                    );
                    let (lo, hi): (i64, i64) = if signed {
                        (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
                    } else {
                        (0, (1 << bits) - 1)
                    };
                    let cmp = if signed { "s" } else { "u" };
                    let hc = self.b().i32_const(hi as i32);
                    let gt = self.op2(&format!("wasm.i32.gt_{cmp}"), wide, hc);
                    let i32t = self.ctx.i32();
                    let c1 = self.create1("wasm.select", &[gt, hc, wide], i32t, &[]);
                    let lc = self.b().i32_const(lo as i32);
                    let lt = self.op2(&format!("wasm.i32.lt_{cmp}"), c1, lc);
                    self.create1("wasm.select", &[lt, lc, c1], i32t, &[])
                } else {
                    let w = if bits == 64 { "i64" } else { "i32" };
                    self.op1(
                        &format!("wasm.{w}.trunc_sat_{f}_{}", if signed { "s" } else { "u" }),
                        v,
                    )
                }
            }
            CastKind::FloatToFloat => match (from, to) {
                (Scalar::F32, Scalar::F64) => self.op1("wasm.f64.promote_f32", v),
                (Scalar::F64, Scalar::F32) => self.op1("wasm.f32.demote_f64", v),
                _ => v,
            },
            CastKind::Transmute => match (from, to) {
                (Scalar::F32, Scalar::Int { bits: 32, .. }) => {
                    self.op1("wasm.i32.reinterpret_f32", v)
                }
                (Scalar::F64, Scalar::Int { bits: 64, .. }) => {
                    self.op1("wasm.i64.reinterpret_f64", v)
                }
                (Scalar::Int { bits: 32, .. }, Scalar::F32) => {
                    self.op1("wasm.f32.reinterpret_i32", v)
                }
                (Scalar::Int { bits: 64, .. }, Scalar::F64) => {
                    self.op1("wasm.f64.reinterpret_i64", v)
                }
                (Scalar::Int { .. }, Scalar::Int { .. }) => self.int_to_int(v, from, to),
                _ => return self.err("a transmute between scalars of different sizes"),
            },
            CastKind::PtrToPtr
            | CastKind::Subtype
            | CastKind::PointerExposeProvenance
            | CastKind::PointerWithExposedProvenance => self.int_to_int(v, from, to),
            CastKind::PointerCoercion(k) => {
                let k = self.mir_sym(k);
                let k = self.sh.names.str(k).to_string();
                if k.starts_with("MutToConstPointer") || k.starts_with("ArrayToPointer") {
                    v
                } else {
                    return self.err(format!("the pointer coercion {k}"));
                }
            }
            CastKind::FnPtrToPtr => return self.err("function pointers"),
        })
    }

    fn int_to_int(&mut self, v: Value, from: Scalar, to: Scalar) -> Value {
        let (
            Scalar::Int {
                bits: fb,
                signed: fs,
            },
            Scalar::Int { bits: tb, .. },
        ) = (from, to)
        else {
            return v;
        };
        match (fb == 64, tb == 64) {
            (false, true) => self.op1(
                if fs {
                    "wasm.i64.extend_i32_s"
                } else {
                    "wasm.i64.extend_i32_u"
                },
                v,
            ),
            (true, false) => {
                let w = self.op1("wasm.i32.wrap_i64", v);
                self.normalize(to, w)
            }
            _ => self.normalize(to, v),
        }
    }

    fn binary(&mut self, op: BinOp, a: &Operand, b: &Operand, _rs: Scalar) -> R<Value> {
        if let Some(v) = self.wide_compare(op, a, b)? {
            return Ok(v);
        }
        let (x, s, _) = self.scalar(a)?;
        let (mut y, ys, _) = self.scalar(b)?;
        let float = matches!(s, Scalar::F32 | Scalar::F64);
        let fw = if s == Scalar::F32 { "f32" } else { "f64" };
        let signed = matches!(s, Scalar::Int { signed: true, .. });
        let su = if signed { "s" } else { "u" };
        Ok(match op {
            BinOp::Add
            | BinOp::AddUnchecked
            | BinOp::Sub
            | BinOp::SubUnchecked
            | BinOp::Mul
            | BinOp::MulUnchecked => {
                let n = match op {
                    BinOp::Add | BinOp::AddUnchecked => "add",
                    BinOp::Sub | BinOp::SubUnchecked => "sub",
                    _ => "mul",
                };
                if float {
                    self.op2(&format!("wasm.{fw}.{n}"), x, y)
                } else {
                    let r = self.iop(s, n, x, y);
                    self.normalize(s, r)
                }
            }
            BinOp::Div | BinOp::Rem => {
                if float {
                    if op == BinOp::Rem {
                        return self.err("float remainder (`fmod`)");
                    }
                    self.op2(&format!("wasm.{fw}.div"), x, y)
                } else {
                    // rustc asserts the divisor is non-zero and, if signed, that MIN / -1 does not
                    // happen; wasm's `rem_s` gives 0 for MIN % -1 as Rust does.
                    let n = if op == BinOp::Div {
                        format!("div_{su}")
                    } else {
                        format!("rem_{su}")
                    };
                    let r = self.iop(s, &n, x, y);
                    self.normalize(s, r)
                }
            }
            BinOp::BitAnd => self.iop(s, "and", x, y),
            BinOp::BitOr => self.iop(s, "or", x, y),
            BinOp::BitXor => self.iop(s, "xor", x, y),
            BinOp::Shl | BinOp::ShlUnchecked | BinOp::Shr | BinOp::ShrUnchecked => {
                let Scalar::Int { bits, .. } = s else {
                    return self.err("a shift of a float");
                };
                // The shift amount, in the shifted value's width, masked to it.
                y = self.int_to_int(
                    y,
                    ys,
                    if bits == 64 {
                        Scalar::Int {
                            bits: 64,
                            signed: false,
                        }
                    } else {
                        Scalar::Int {
                            bits: 32,
                            signed: false,
                        }
                    },
                );
                if bits < 32 {
                    let m = self.b().i32_const(i32::from(bits) - 1);
                    y = self.op2("wasm.i32.and", y, m);
                }
                let n = match op {
                    BinOp::Shl | BinOp::ShlUnchecked => "shl".to_string(),
                    _ => format!("shr_{su}"),
                };
                let r = self.iop(s, &n, x, y);
                self.normalize(s, r)
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Cmp => {
                self.compare(op, s, x, y)
            }
            BinOp::Offset => {
                let at = self.operand_ty(a)?;
                let (TyKind::RawPtr { pointee, .. } | TyKind::Ref { pointee, .. }) =
                    *self.sh.names.ty_kind(at)
                else {
                    return self.err("an offset of a non-pointer");
                };
                let size = self.layout(pointee)?.size;
                let y32 = self.int_to_int(y, ys, Scalar::PTR);
                let sz = self.b().i32_const(size as i32);
                let off = self.op2("wasm.i32.mul", y32, sz);
                self.op2("wasm.i32.add", x, off)
            }
            BinOp::AddWithOverflow | BinOp::SubWithOverflow | BinOp::MulWithOverflow => {
                return self.err("a checked operation held as a scalar");
            }
        })
    }

    /// A comparison of two values of scalar `s`: a `bool`, or for `Cmp` an `Ordering`.
    fn compare(&mut self, op: BinOp, s: Scalar, x: Value, y: Value) -> Value {
        let float = matches!(s, Scalar::F32 | Scalar::F64);
        let su = if matches!(s, Scalar::Int { signed: true, .. }) {
            "s"
        } else {
            "u"
        };
        let cmp = |f: &mut Self, name: &str| -> Value {
            if float {
                let fw = if s == Scalar::F32 { "f32" } else { "f64" };
                f.op2(&format!("wasm.{fw}.{name}"), x, y)
            } else if name == "eq" || name == "ne" {
                f.iop(s, name, x, y)
            } else {
                f.iop(s, &format!("{name}_{su}"), x, y)
            }
        };
        match op {
            BinOp::Eq => cmp(self, "eq"),
            BinOp::Ne => cmp(self, "ne"),
            BinOp::Lt => cmp(self, "lt"),
            BinOp::Le => cmp(self, "le"),
            BinOp::Gt => cmp(self, "gt"),
            BinOp::Ge => cmp(self, "ge"),
            _ => {
                // (x > y) - (x < y): -1, 0 or 1 as an `Ordering`.
                let gt = cmp(self, "gt");
                let lt = cmp(self, "lt");
                self.op2("wasm.i32.sub", gt, lt)
            }
        }
    }

    /// The type of a place, from its local's and its projections' types.
    fn place_ty(&mut self, p: Place) -> R<Ty> {
        let mut t = self.tys[p.local.index()];
        for pr in self.mir.place_projs(p).to_vec() {
            t = match pr {
                Proj::Deref => match self.sh.names.ty_kind(t) {
                    TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. } => *pointee,
                    _ => return self.err("a dereference of a non-pointer"),
                },
                Proj::Field(_, ft) => self.mir_ty(ft),
                Proj::Downcast(..) => t,
                Proj::Index(_) | Proj::ConstantIndex { .. } => match self.sh.names.ty_kind(t) {
                    TyKind::Array(e, _) | TyKind::Slice(e) => *e,
                    _ => return self.err("indexing a non-array"),
                },
                Proj::Subslice { from, to, from_end } => self.subslice_ty(t, from, to, from_end)?,
                _ => return self.err("opaque casts in places"),
            };
        }
        Ok(t)
    }

    fn operand_ty(&mut self, op: &Operand) -> R<Ty> {
        match op {
            Operand::Copy(p) | Operand::Move(p) => self.place_ty(*p),
            // Evaluated once more only for its type: constants have no effects.
            Operand::Const(_) | Operand::RuntimeChecks(_) => Ok(self.operand(op)?.1),
        }
    }

    /// The index of a variant of the enum `ty` (layout `lay`), by name or index.
    fn variant_index(
        &self,
        lay: &Layout,
        ty: Ty,
        name: Option<Sym>,
        index: Option<u32>,
    ) -> R<usize> {
        let found = match (name, index) {
            (Some(n), _) => lay.variants.iter().position(|v| v.name == n),
            (None, Some(i)) => Some(i as usize).filter(|&i| i < lay.variants.len()),
            (None, None) => None,
        };
        found.ok_or_else(|| LowerError {
            span: self.span,
            msg: format!(
                "a variant `{}` of `{}`",
                name.map_or("?", |n| self.sh.names.str(n)),
                self.show(ty)
            ),
        })
    }

    /// The tag's value of the enum at `r`, as scalar `ts`.
    fn read_tag(&mut self, r: PlaceRef, offset: u64, ts: Scalar) -> Value {
        match r {
            PlaceRef::Reg(l, s) => self.local_get(l, s),
            PlaceRef::Mem(a) => {
                let a = self.add_offset(a, offset);
                self.load(ts, a)
            }
            PlaceRef::Zst => self.iconst(ts, 0),
        }
    }

    /// The discriminant of the enum at `r`, as scalar `to`: the tag itself, or decoded from
    /// the niche (`rustc_codegen_ssa`'s `codegen_get_discr`).
    fn read_discriminant(&mut self, r: PlaceRef, lay: &Layout, to: Scalar) -> R<Value> {
        let Some(tag) = lay.tag else {
            // One variant can exist.
            let v = lay
                .variants
                .iter()
                .find(|v| !v.absent)
                .unwrap_or(&lay.variants[0]);
            return Ok(self.iconst(to, v.discr));
        };
        let v = self.read_tag(r, tag.offset, tag.scalar);
        let TagEncoding::Niche {
            untagged,
            first,
            last,
            niche_start,
        } = tag.encoding
        else {
            return Ok(self.int_to_int(v, tag.scalar, to));
        };
        if lay
            .variants
            .iter()
            .enumerate()
            .any(|(i, v)| v.discr != i as i128)
        {
            return self.err("a niche-encoded enum with explicit discriminants");
        }
        let ts = tag.scalar;
        let start = self.iconst(ts, niche_start as i128);
        let rel = self.iop(ts, "sub", v, start);
        let rel = self.normalize(ts, rel);
        let range = self.iconst(ts, i128::from(last - first));
        let is_niche = self.iop(ts, "le_u", rel, range);
        let rel = self.int_to_int(rel, ts, to);
        let first = self.iconst(to, i128::from(first));
        let index = self.iop(to, "add", rel, first);
        let other = self.iconst(to, i128::from(untagged));
        let t = wasm_ty(self.ctx, to);
        Ok(self.create1("wasm.select", &[is_niche, index, other], t, &[]))
    }

    /// Marks the enum at `r` as holding variant `v` (its fields already written).
    fn write_discriminant(&mut self, r: PlaceRef, lay: &Layout, v: usize) {
        let Some(tag) = lay.tag else { return };
        let value = match tag.encoding {
            TagEncoding::Direct => lay.variants[v].discr,
            TagEncoding::Niche {
                untagged,
                first,
                niche_start,
                ..
            } => {
                if v == untagged as usize {
                    return;
                }
                (v as u128 - u128::from(first)).wrapping_add(niche_start) as i128
            }
        };
        let c = self.iconst(tag.scalar, value);
        match r {
            PlaceRef::Reg(l, _) => self.local_set(l, c),
            PlaceRef::Mem(a) => {
                let a = self.add_offset(a, tag.offset);
                self.store(tag.scalar, a, c);
            }
            PlaceRef::Zst => {}
        }
    }

    /// The last identifier of a path.
    fn last_ident(&self, p: PathId) -> Option<Sym> {
        match self.sh.names.path_data(p).segments.last()?.name {
            SegName::Ident(s) => Some(s),
            _ => None,
        }
    }

    /// The field names of the crate's struct that `ty` names (empty for anything else).
    fn adt_field_names(&self, ty: Ty) -> Vec<Sym> {
        let TyKind::Path(p) = *self.sh.names.ty_kind(ty) else {
            return Vec::new();
        };
        adt_of(self.sh.names, self.sh.items, p)
            .map(|(d, _)| d.fields.iter().map(|f| f.0).collect())
            .unwrap_or_default()
    }

    // ---- terminators -------------------------------------------------------------------------

    fn terminator(&mut self, t: &TerminatorKind, sig: &Sig) -> R<()> {
        match t {
            TerminatorKind::Goto(b) => self.br(*b),
            TerminatorKind::FalseEdge { real, .. } | TerminatorKind::FalseUnwind { real, .. } => {
                self.br(*real)
            }
            TerminatorKind::SwitchInt {
                discr,
                values,
                targets,
                otherwise,
            } => {
                if self.wide_switch(discr, values, targets, *otherwise)? {
                    return Ok(());
                }
                let (v, s, _) = self.scalar(discr)?;
                let other = self.blocks[otherwise.index()];
                if values.len() == 1 {
                    let c = self.iconst(s, values[0] as i128);
                    let eq = self.iop(s, "eq", v, c);
                    let t = self.blocks[targets[0].index()];
                    self.cond_br(eq, t, other);
                } else {
                    let t = wasm_ty(self.ctx, s);
                    let cases: Vec<Attr> = values
                        .iter()
                        .map(|&x| {
                            // The case value in the canonical form of the discriminant's scalar.
                            let v = match s {
                                Scalar::Int { bits, signed: true } if bits < 128 => {
                                    let sh = 128 - u32::from(bits);
                                    ((x << sh) as i128) >> sh
                                }
                                _ => x as i128,
                            };
                            self.ctx.int_attr(v, t)
                        })
                        .collect();
                    let arr = self.ctx.attr(wasmir::ir::AttrData::Array(cases.into()));
                    let mut succs = vec![wasmir::SuccSpec {
                        block: other,
                        args: &[],
                    }];
                    let blocks: Vec<wasmir::Block> =
                        targets.iter().map(|b| self.blocks[b.index()]).collect();
                    succs.extend(blocks.iter().map(|&b| wasmir::SuccSpec {
                        block: b,
                        args: &[],
                    }));
                    self.b()
                        .create("cf.switch", &[v], &[], &[("case_values", arr)], &succs, &[]);
                }
            }
            TerminatorKind::Return => {
                let result = match (self.homes[0], sig.result) {
                    (Home::Reg(l, s), Some(_)) => Some(self.local_get(l, s)),
                    (Home::Frame(a), Some(s)) => Some(self.load(s, a)),
                    _ => None,
                };
                let rs: Vec<Value> = result.into_iter().collect();
                self.b().create("func.return", &rs, &[], &[], &[], &[]);
            }
            TerminatorKind::Unreachable
            | TerminatorKind::UnwindResume
            | TerminatorKind::UnwindTerminate(_) => {
                self.create0("wasm.unreachable", &[], &[]);
            }
            TerminatorKind::Assert {
                msg:
                    AssertMsg::OverflowNeg(_)
                    | AssertMsg::Overflow(
                        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Shl | BinOp::Shr,
                        ..,
                    ),
                target,
                ..
            } if !self.sh.overflow_checks => {
                // A check of a `#[rustc_inherit_overflow_checks]` body of core, which follows
                // the crate's `-C overflow-checks` (as rustc's code generation does).
                self.br(*target);
            }
            TerminatorKind::Assert {
                cond,
                expected,
                target,
                msg,
                ..
            } => {
                let (c, _, _) = self.scalar(cond)?;
                let ok = self.blocks[target.index()];
                // With a `#[panic_handler]` each assertion calls core's panic function for its
                // message; without one they share a trap.
                let fail = if self.handles_panics() {
                    self.new_block()
                } else {
                    self.trap_block()
                };
                if *expected {
                    self.cond_br(c, ok, fail);
                } else {
                    self.cond_br(c, fail, ok);
                }
                if self.handles_panics() {
                    self.cur = fail;
                    self.assert_panic(msg)?;
                }
            }
            TerminatorKind::Drop { place, target, .. } => {
                self.mark_linear_drop(*place)?;
                self.drop_place(*place)?;
                self.br(*target);
            }
            TerminatorKind::Call {
                dest,
                func,
                args,
                target,
                ..
            } => self.call(*dest, func, args, *target)?,
            TerminatorKind::TailCall { .. } => return self.err("tail calls (`become`)"),
        }
        Ok(())
    }

    fn call(
        &mut self,
        dest: Place,
        func: &Operand,
        args: &[Operand],
        target: Option<Block>,
    ) -> R<()> {
        let Operand::Const(c) = func else {
            return self.indirect_call(dest, func, args, target);
        };
        let path = match self.konst(*c) {
            ConstKind::FnItem(p) => p,
            _ => return self.indirect_call(dest, func, args, target),
        };
        let path = subst_path(self.sh.names, path, &self.inst.subst);
        let path = subst_path(self.sh.names, path, &self.closure_env);
        if self.primitive_operator(path, dest, args)? {
            match target {
                Some(t) => self.br(t),
                None => {
                    self.create0("wasm.unreachable", &[], &[]);
                }
            }
            return Ok(());
        }
        if self.virtual_call(path, dest, args, target)? {
            return Ok(());
        }
        let printed = crate::mir::print::Printer {
            names: self.sh.names,
            body: None,
        }
        .path(path);
        let bare = printed.split("::<").next().unwrap_or(&printed).to_string();
        if is_panic(&bare) && !self.handles_panics() {
            self.create0("wasm.unreachable", &[], &[]);
            return Ok(());
        }
        if bare == "core::intrinsics::caller_location" && self.handles_panics() {
            let v = self.caller_location(None)?;
            let (r, _) = self.place(dest)?;
            self.write_scalar(r, Scalar::PTR, v);
            self.continue_to(target);
            return Ok(());
        }
        if let Some(which) = bare.strip_prefix("core::core_arch::wasm32::memory::llvm_memory_") {
            return self.memory_size_or_grow(which, dest, args, target);
        }
        if self.drop_in_place(&bare, args)? {
            self.continue_to(target);
            return Ok(());
        }
        if let Some(done) = self.intrinsic(&bare, dest, args)? {
            if done {
                match target {
                    Some(t) => self.br(t),
                    None => {
                        self.create0("wasm.unreachable", &[], &[]);
                    }
                }
            }
            return Ok(());
        }
        if self.import_call(&bare, dest, args, target)? {
            return Ok(());
        }
        let shim = match bare.strip_prefix("alloc::alloc::") {
            // The `panic_impl` lang item core's `panic_fmt` calls: the crate's handler.
            _ if bare == "core::panicking::panic_fmt::panic_impl" => {
                match self.panic_handler_body() {
                    Some(found) => Some(found),
                    None => return self.err("a call of `panic_impl` without a `#[panic_handler]`"),
                }
            }
            Some(name) if name.starts_with("__rust_") => match name {
                // The check that the shim is linked the unstable way: nothing to do.
                "__rust_no_alloc_shim_is_unstable_v2" => {
                    self.continue_to(target);
                    return Ok(());
                }
                // An allocation failed: `panic=abort` without unwinding, so it traps.
                "__rust_alloc_error_handler" => {
                    self.create0("wasm.unreachable", &[], &[]);
                    return Ok(());
                }
                "__rust_alloc" | "__rust_dealloc" | "__rust_realloc" | "__rust_alloc_zeroed" => {
                    match self.allocator_shim(name) {
                        Some(found) => Some(found),
                        None => {
                            return self.err(format!(
                                "a call to `{printed}` without a global allocator (neither a `#[global_allocator]` of the crate nor the default one is linked)"
                            ));
                        }
                    }
                }
                _ => return self.err(format!("alloc's allocator shim `{name}`")),
            },
            _ => None,
        };
        let is_shim = shim.is_some();
        let resolved = match shim {
            Some(found) => Ok(found),
            None => self.resolve(path),
        };
        let (krate, callee, cbody, name) = match resolved {
            Ok(found) => found,
            Err(m) => match self.by_signature(path, args, dest)? {
                Some(found) => found,
                None => return self.err(format!("{m}: `{printed}`")),
            },
        };
        if self.closure_call((krate, callee, cbody, name.clone()), dest, args, target)? {
            return Ok(());
        }
        if cbody.arg_count as usize != args.len() {
            return self.err(format!(
                "a call to `{printed}` with {} arguments for {}",
                args.len(),
                cbody.arg_count
            ));
        }
        // The callee's substitution: its signature matched against the argument and
        // destination types.
        let mut s: Vec<(Sym, Ty)> = Vec::new();
        let mut ok = true;
        let mut projection = false;
        for (i, a) in args.iter().enumerate() {
            let at = self.operand_ty(a)?;
            projection |= mentions_projection(self.sh.names, at);
            let pt = self.sh.import_ty(krate, cbody.locals[Local::new(i + 1)].ty);
            ok &= unify(self.sh.names, self.sh.items, pt, at, &mut s);
        }
        let dt = self.operand_ty(&Operand::Copy(dest))?;
        projection |= mentions_projection(self.sh.names, dt);
        let rt = self.sh.import_ty(krate, cbody.return_ty());
        ok &= unify(self.sh.names, self.sh.items, rt, dt, &mut s);
        let params: Vec<Ty> = (1..=cbody.arg_count as usize)
            .map(|i| self.sh.import_ty(krate, cbody.locals[Local::new(i)].ty))
            .collect();
        ok &= self.bind_fn_bounds(&params, &mut s)?;
        if !ok {
            let why = if projection {
                " (an associated type such as `<I as Iterator>::Item` is not normalized to the type it names)"
            } else {
                ""
            };
            return self.err(format!(
                "the type parameters of `{printed}` could not be inferred consistently{why}"
            ));
        }
        s.sort_by_key(|(n, _)| self.sh.names.str(*n).to_string());
        // A library's bodies are named by the call's path (`core::num::<impl u32>::pow`), not
        // by their impl's span (library MIR has no spans).
        let name = if krate == Krate::User { name } else { bare };
        let csig = signature(self.sh, krate, cbody, &s, self.span)?;
        let origin = self.origin();
        let symbol = self
            .sh
            .mono
            .instance(self.sh.names, krate, callee, &name, s, None, origin);
        let mut vals: Vec<Value> = Vec::new();
        let dplace = self.place(dest)?.0;
        self.push_sret(&csig, dplace, &mut vals)?;
        for (i, (a, p)) in args.iter().zip(&csig.params).enumerate() {
            // alloc declares the shim's pointer parameters `NonNull<u8>`, rustc's expansion of
            // `#[global_allocator]` `*mut u8`: the pointer itself is passed.
            let raw = is_shim && {
                let pt = self.sh.import_ty(krate, cbody.locals[Local::new(i + 1)].ty);
                matches!(self.sh.names.ty_kind(pt), TyKind::RawPtr { .. })
            };
            if raw {
                let (v, _, _) = self.scalar(a)?;
                vals.push(v);
            } else if p.is_some() {
                self.pass_arg(a, &mut vals)?;
            }
        }
        if self.track_caller(krate, callee, &name) {
            let method = match self
                .sh
                .names
                .path_data(path)
                .segments
                .last()
                .map(|s| &s.name)
            {
                Some(SegName::Ident(m)) => Some(self.sh.names.str(*m).to_string()),
                _ => None,
            };
            let loc = self.caller_location(method.as_deref())?;
            vals.push(loc);
        }
        self.finish_call(&symbol, &vals, &csig, dplace, target);
        Ok(())
    }

    /// The user's call that led to what this body calls (core's bodies have no spans).
    fn origin(&self) -> Option<SrcSpan> {
        match self.inst.krate {
            Krate::User => self.span,
            Krate::Lib(_) => self.inst.origin,
        }
    }

    /// The return place's address, first of the arguments when the callee returns an aggregate.
    fn push_sret(&mut self, csig: &Sig, dplace: PlaceRef, vals: &mut Vec<Value>) -> R<()> {
        if csig.sret {
            match dplace {
                PlaceRef::Mem(a) => vals.push(a),
                _ => return self.err("an aggregate result into a register"),
            }
        }
        Ok(())
    }

    /// An argument as the callee takes it: a scalar, the address of a copy it owns, or nothing.
    fn pass_arg(&mut self, a: &Operand, vals: &mut Vec<Value>) -> R<()> {
        let (v, t) = self.operand(a)?;
        match v {
            Val::Scalar(v, _) => vals.push(v),
            Val::Mem(addr) => {
                let l = self.layout(t)?;
                let tmp = self.owned_copy(addr, &l);
                vals.push(tmp);
            }
            Val::Zst => {}
        }
        Ok(())
    }

    /// A copy of the value at `addr` in a slot of the caller, for a callee that owns its
    /// argument.
    fn owned_copy(&mut self, addr: Value, l: &Layout) -> Value {
        let tmp = self.stack_slot(l.size, l.align);
        self.copy(tmp, addr, l.size);
        tmp
    }

    /// The call itself, its scalar result written to the destination, and the edge to `target`.
    fn finish_call(
        &mut self,
        symbol: &str,
        vals: &[Value],
        csig: &Sig,
        dplace: PlaceRef,
        target: Option<Block>,
    ) {
        if let (Some(r), Some(rs)) = (self.call_op(symbol, vals, csig), csig.result) {
            self.write_scalar(dplace, rs, r);
        }
        self.continue_to(target);
    }

    /// A `func.call` of `symbol`; its scalar result, if any.
    fn call_op(&mut self, symbol: &str, vals: &[Value], csig: &Sig) -> Option<Value> {
        let rtys: Vec<Type> = csig.result.iter().map(|&s| wasm_ty(self.ctx, s)).collect();
        let callee_sym = self.sym(symbol);
        let fbody = self.fbody;
        let op = self.b().create(
            "func.call",
            vals,
            &rtys,
            &[("callee", callee_sym)],
            &[],
            &[],
        );
        csig.result.map(|_| self.module.bodies[fbody].result(op, 0))
    }

    /// The edge after a call: to its target, or a trap for a call that does not return.
    fn continue_to(&mut self, target: Option<Block>) {
        match target {
            Some(t) => self.br(t),
            None => {
                self.create0("wasm.unreachable", &[], &[]);
            }
        }
    }

    /// The body a call's path names ([`Shared::resolve_path`]).
    fn resolve(&mut self, path: PathId) -> Result<(Krate, BodyId, &'a Body, String), String> {
        self.sh.resolve_path(path)
    }

    /// A call that several impls of a library fit alike ([`Shared::by_signature`]).
    fn by_signature(
        &mut self,
        path: PathId,
        args: &[Operand],
        dest: Place,
    ) -> R<Option<(Krate, BodyId, &'a Body, String)>> {
        let mut tys = Vec::with_capacity(args.len() + 1);
        for a in args {
            tys.push(Some(self.operand_ty(a)?));
        }
        tys.push(Some(self.place_ty(dest)?));
        Ok(self.sh.by_signature(path, Signature::Call(&tys)))
    }

    /// `memory_size::<0>()` and `memory_grow::<0>(delta)` of `core::arch::wasm32`, as rustc's
    /// inliner leaves them: calls of the LLVM intrinsics `llvm.wasm.memory.size`/`.grow`, whose
    /// first argument is the memory (always 0: `static_assert!(MEM == 0)`).
    fn memory_size_or_grow(
        &mut self,
        which: &str,
        dest: Place,
        args: &[Operand],
        target: Option<Block>,
    ) -> R<()> {
        let (r, _) = self.place(dest)?;
        let m = self.mem_attrs();
        let i32t = self.ctx.i32();
        let v = match (which, args) {
            ("size", [_]) => self.create1("wasm.memory.size", &[], i32t, &[("memory", m)]),
            ("grow", [_, delta]) => {
                let (d, _, _) = self.scalar(delta)?;
                self.create1("wasm.memory.grow", &[d], i32t, &[("memory", m)])
            }
            _ => return self.err(format!("the wasm intrinsic `llvm_memory_{which}`")),
        };
        self.write_scalar(r, Scalar::PTR, v);
        self.continue_to(target);
        Ok(())
    }

    /// The body behind alloc's `__rust_alloc` (or `__rust_dealloc`, …): rustc expands
    /// `#[global_allocator]` into functions `_::__rust_alloc` and kin calling the static's
    /// `GlobalAlloc` methods, so they are in the MIR of the crate that declares the allocator —
    /// the user's, else a dependency's, else the default allocator the driver links (the
    /// crates after core and alloc).
    fn allocator_shim(&mut self, name: &str) -> Option<(Krate, BodyId, &'a Body, String)> {
        let bodies: &'a PrimaryMap<BodyId, Body> = self.sh.bodies;
        let named = |names: &Interner, p: PathId| {
            matches!(&names.path_data(p).segments[..], [a, f]
                if matches!(a.name, SegName::Ident(s) if names.str(s) == "_")
                && matches!(f.name, SegName::Ident(s) if names.str(s) == name))
        };
        let is_shim = |b: &Body| b.kind == BodyKind::Fn && !b.ctfe;
        let printed =
            |names: &Interner, p: PathId| crate::mir::print::Printer { names, body: None }.path(p);
        if let Some((id, b)) = bodies
            .iter()
            .find(|(_, b)| is_shim(b) && named(self.sh.names, b.name))
        {
            return Some((Krate::User, id, b, printed(self.sh.names, b.name)));
        }
        let n = self.sh.libs.links.len() as super::LibId;
        for lib in 2..n {
            let Ok(mir) = self.sh.libs.link(lib).get() else {
                continue;
            };
            let found = {
                let lnames = mir.names.lock().unwrap_or_else(|e| e.into_inner());
                mir.body_ids()
                    .find(|&id| named(&lnames, mir.body_name(id)))
                    .map(|id| (id, printed(&lnames, mir.body_name(id))))
            };
            // (Parsing the body interns into the library's names: unlocked.)
            if let Some((id, text)) = found
                && let Ok(b) = mir.body(id)
                && is_shim(b)
            {
                return Some((Krate::Lib(lib), id, b, text));
            }
        }
        None
    }

    /// `<u32 as Add>::add(a, b)` and the other operator traits on primitive numbers (reached
    /// once a generic body is instantiated): the operation itself, as core's impls do it —
    /// checked when the crate is compiled with overflow checks (core's impls inherit them).
    fn primitive_operator(&mut self, path: PathId, dest: Place, args: &[Operand]) -> R<bool> {
        let names = &*self.sh.names;
        let data = names.path_data(path);
        let Some(q) = &data.qself else {
            return Ok(false);
        };
        if !matches!(names.ty_kind(q.self_ty), TyKind::Int(_) | TyKind::Float(_)) {
            return Ok(false);
        }
        let Some(tr) = q.trait_ else { return Ok(false) };
        let tname = match names.path_data(tr).segments.last().map(|s| &s.name) {
            Some(SegName::Ident(s)) => names.str(*s).to_string(),
            _ => return Ok(false),
        };
        let method = match data.segments.last().map(|s| &s.name) {
            Some(SegName::Ident(s)) => names.str(*s).to_string(),
            _ => return Ok(false),
        };
        // `<u32 as Ord>::cmp(&a, &b)`, `<i8 as PartialOrd>::lt`, `<f64 as PartialEq>::eq`: the
        // comparison of the values behind the references.
        let compare = match (tname.as_str(), method.as_str()) {
            ("Ord", "cmp") => Some(BinOp::Cmp),
            ("PartialEq", "eq") => Some(BinOp::Eq),
            ("PartialEq", "ne") => Some(BinOp::Ne),
            ("PartialOrd", "lt") => Some(BinOp::Lt),
            ("PartialOrd", "le") => Some(BinOp::Le),
            ("PartialOrd", "gt") => Some(BinOp::Gt),
            ("PartialOrd", "ge") => Some(BinOp::Ge),
            _ => None,
        };
        if let Some(op) = compare {
            let self_ty = q.self_ty;
            if args.len() != 2 {
                return Ok(false);
            }
            let Some(s) = reg_scalar(&self.layout(self_ty)?) else {
                return Ok(false);
            };
            let (pa, _, _) = self.scalar(&args[0])?;
            let (pb, _, _) = self.scalar(&args[1])?;
            let x = self.load(s, pa);
            let y = self.load(s, pb);
            let v = self.compare(op, s, x, y);
            let (r, dty) = self.place(dest)?;
            let Some(rs) = reg_scalar(&self.layout(dty)?) else {
                return self.err("a comparison whose result is not a scalar");
            };
            self.write_scalar(r, rs, v);
            return Ok(true);
        }
        let (op, checked) = match tname.as_str() {
            "Add" => (BinOp::Add, Some(BinOp::AddWithOverflow)),
            "Sub" => (BinOp::Sub, Some(BinOp::SubWithOverflow)),
            "Mul" => (BinOp::Mul, Some(BinOp::MulWithOverflow)),
            "BitAnd" => (BinOp::BitAnd, None),
            "BitOr" => (BinOp::BitOr, None),
            "BitXor" => (BinOp::BitXor, None),
            _ => return Ok(false),
        };
        if args.len() != 2 {
            return Ok(false);
        }
        let (r, dty) = self.place(dest)?;
        let Some(s) = reg_scalar(&self.layout(dty)?) else {
            return Ok(false);
        };
        let v = match checked {
            Some(c) if self.sh.overflow_checks && !matches!(s, Scalar::F32 | Scalar::F64) => {
                let (x, _, _) = self.scalar(&args[0])?;
                let (y, _, _) = self.scalar(&args[1])?;
                let (v, ov) = self.with_overflow(c, s, x, y);
                let trap = self.trap_block();
                let region = self.module.bodies[self.fbody]
                    .region_of(self.cur)
                    .expect("in a region");
                let cont = self.module.bodies[self.fbody].create_block();
                self.module.bodies[self.fbody].append_block(region, cont);
                self.cond_br(ov, trap, cont);
                self.cur = cont;
                v
            }
            _ => self.binary(op, &args[0], &args[1], s)?,
        };
        self.write_scalar(r, s, v);
        Ok(true)
    }

    /// Intrinsics lowered in place. `Ok(Some(true))`: done, continue to the target.
    fn intrinsic(&mut self, bare: &str, dest: Place, args: &[Operand]) -> R<Option<bool>> {
        let Some(name) = bare.strip_prefix("core::intrinsics::") else {
            return Ok(None);
        };
        let (r, _) = self.place(dest)?;
        let unary = |f: &mut Self| -> R<(Value, Scalar)> {
            let (v, s, _) = f.scalar(&args[0])?;
            Ok((v, s))
        };
        match name {
            "cold_path" | "assume" => {}
            // Nothing is known at compile time here: the general path of the caller is taken.
            "is_val_statically_known" => {
                let f = self.b().i32_const(0);
                self.write_scalar(
                    r,
                    Scalar::Int {
                        bits: 8,
                        signed: false,
                    },
                    f,
                );
            }
            // `size_of_val(p)`/`align_of_val(p)`: the layout's for a sized pointee, the
            // vtable's size and alignment (words 1 and 2) for a trait object, the length times
            // the element's size (or its alignment) for a slice or `str`.
            "size_of_val" | "align_of_val" => {
                let size = name == "size_of_val";
                let (p, pty) = self.operand(&args[0])?;
                let Some(pointee) = self.pointer_pointee(pty) else {
                    return self.err(format!("`{name}` of `{}`", self.show(pty)));
                };
                let v = match (self.sh.names.ty_kind(pointee).clone(), p) {
                    (TyKind::Dyn { .. }, Val::Mem(fat)) => {
                        let vt_at = self.add_offset(fat, 4);
                        let vt = self.load(Scalar::PTR, vt_at);
                        let at = self.add_offset(vt, if size { 4 } else { 8 });
                        self.load(Scalar::PTR, at)
                    }
                    (TyKind::Slice(_) | TyKind::Str, Val::Mem(fat)) => {
                        let Some(e) = crate::lower::slices::element(self.sh.names, pointee) else {
                            return self.err(format!("`{name}` of `{}`", self.show(pty)));
                        };
                        let el = self.layout(e)?;
                        if size {
                            let len_at = self.add_offset(fat, 4);
                            let len = self.load(Scalar::PTR, len_at);
                            let sz = self.b().i32_const(el.size as i32);
                            self.op2("wasm.i32.mul", len, sz)
                        } else {
                            self.b().i32_const(el.align as i32)
                        }
                    }
                    (TyKind::Dyn { .. } | TyKind::Slice(_) | TyKind::Str, _) => {
                        return self.err(format!("`{name}` of `{}`", self.show(pty)));
                    }
                    _ => {
                        let l = self.layout(pointee)?;
                        self.b()
                            .i32_const(if size { l.size } else { l.align } as i32)
                    }
                };
                self.write_scalar(r, Scalar::PTR, v);
            }
            "black_box" => {
                let (v, s) = unary(self)?;
                self.write_scalar(r, s, v);
            }
            "ctpop" | "ctlz" | "cttz" => {
                let (v, s) = unary(self)?;
                let Scalar::Int { bits, .. } = s else {
                    return self.err("a bit count of a float");
                };
                let w = if bits == 64 { "i64" } else { "i32" };
                let op = match name {
                    "ctpop" => "popcnt",
                    "ctlz" => "clz",
                    _ => "ctz",
                };
                // Narrow integers: count in the zero-extended i32 and correct.
                let x = if bits < 32 {
                    let m = self.b().i32_const(((1u64 << bits) - 1) as i32);
                    let z = self.op2("wasm.i32.and", v, m);
                    if name == "cttz" {
                        let top = self.b().i32_const(1 << bits);
                        self.op2("wasm.i32.or", z, top)
                    } else {
                        z
                    }
                } else {
                    v
                };
                let mut c = self.op1(&format!("wasm.{w}.{op}"), x);
                if bits < 32 && name == "ctlz" {
                    let d = self.b().i32_const(32 - i32::from(bits));
                    c = self.op2("wasm.i32.sub", c, d);
                }
                if bits == 64 {
                    c = self.op1("wasm.i32.wrap_i64", c);
                }
                self.write_scalar(
                    r,
                    Scalar::Int {
                        bits: 32,
                        signed: false,
                    },
                    c,
                );
            }
            "rotate_left" | "rotate_right" => {
                let (v, s) = unary(self)?;
                let (n, ns, _) = self.scalar(&args[1])?;
                let Scalar::Int { bits, .. } = s else {
                    return self.err("a rotation of a float");
                };
                if bits < 32 {
                    return self.err("rotations of 8- and 16-bit integers");
                }
                let n = self.int_to_int(
                    n,
                    ns,
                    Scalar::Int {
                        bits,
                        signed: false,
                    },
                );
                let op = if name == "rotate_left" {
                    "rotl"
                } else {
                    "rotr"
                };
                let x = self.iop(s, op, v, n);
                self.write_scalar(r, s, x);
            }
            "unreachable" | "abort" => {
                self.create0("wasm.unreachable", &[], &[]);
                return Ok(Some(false));
            }
            _ => return self.pointer_intrinsic(name, r, args),
        }
        Ok(Some(true))
    }
}
