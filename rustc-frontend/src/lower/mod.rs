//! The lowering from MIR to WasmIR: monomorphization from the exported functions, layouts for
//! wasm32 (`layout`), and the translation of each instance's body into a `func.func` in CFG form
//! (`func`). See `docs/architecture/rustc-frontend.md` for what is handled and what is refused.
//!
//! **Monomorphization.** The roots are the crate's exported functions (`#[no_mangle]` /
//! `#[export_name]`, read from the source). A worklist holds instances (a body and the
//! substitution of its type parameters); lowering an instance's calls resolves each callee
//! through `resolve.rs` and infers the callee's substitution by matching its signature against
//! the caller's (substituted) argument and destination types, queueing instances not seen yet.
//! Nothing recurses on the call graph.
pub mod func;
pub mod import;
pub mod layout;
pub mod slices;
pub mod statics;

use crate::mir::print::Printer;
use crate::mir::*;
use crate::resolve::{Resolution, Resolver};
use layout::Layouts;
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Mutex, OnceLock};
use wasmir::{Context, Module};

/// The linear memory: its symbol and size. The shadow stack grows down from its top.
pub const MEMORY: &str = "memory";
pub const MEMORY_PAGES: u64 = 4;
pub const STACK_POINTER: &str = "__stack_pointer";

/// An error of the lowering: what is not supported, and where.
#[derive(Clone, Debug)]
pub struct LowerError {
    pub span: Option<SrcSpan>,
    pub msg: String,
}

/// The crate a body is in: the user's, or one of the library crates the lowering links
/// (`Libs`: core first, then the crates given with `--extern`), whose MIR is read when a call
/// first needs it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Krate {
    User,
    Lib(LibId),
}

/// Index of a library crate in `Libs`.
pub type LibId = u32;

impl Krate {
    /// Core, always the first library.
    pub const CORE: Krate = Krate::Lib(0);
    /// alloc, always the second.
    pub const ALLOC: Krate = Krate::Lib(1);
}

/// A body with its type parameters bound (types of the user crate's interner).
#[derive(Clone, Debug)]
pub struct Instance {
    pub krate: Krate,
    pub body: BodyId,
    pub subst: Vec<(Sym, Ty)>,
    pub symbol: String,
    pub export: Option<String>,
    /// For a body of core: the call in the user's crate that first led to it (core's MIR has
    /// no spans), for errors.
    pub origin: Option<SrcSpan>,
}

/// The instances found so far, in discovery order; lowering walks the list as it grows.
#[derive(Default)]
pub struct Mono {
    pub instances: Vec<Instance>,
    index: FxHashMap<(Krate, BodyId, Vec<(Sym, Ty)>), usize>,
    symbols: FxHashSet<String>,
}

impl Mono {
    /// The instance of `body` of `krate` (named `name`) under `subst`, queued if new; returns
    /// its symbol.
    #[allow(clippy::too_many_arguments)]
    pub fn instance(
        &mut self,
        names: &Interner,
        krate: Krate,
        body: BodyId,
        name: &str,
        subst: Vec<(Sym, Ty)>,
        export: Option<String>,
        origin: Option<SrcSpan>,
    ) -> String {
        if let Some(&i) = self.index.get(&(krate, body, subst.clone())) {
            return self.instances[i].symbol.clone();
        }
        let symbol = match &export {
            Some(e) => e.clone(),
            None => {
                let p = Printer { names, body: None };
                let mut s = name.to_string();
                if !subst.is_empty() {
                    let args: Vec<String> = subst.iter().map(|(_, t)| p.ty(*t)).collect();
                    s.push_str(&format!("<{}>", args.join(",")));
                }
                sanitize(&s)
            }
        };
        let mut unique = symbol.clone();
        let mut n = 1;
        while !self.symbols.insert(unique.clone()) {
            n += 1;
            unique = format!("{symbol}.{n}");
        }
        self.index
            .insert((krate, body, subst.clone()), self.instances.len());
        self.instances.push(Instance {
            krate,
            body,
            subst,
            symbol: unique.clone(),
            export,
            origin,
        });
        unique
    }
}

/// A symbol name from a Rust path: letters, digits, `_`, `.` and `$` kept, `::` as `.`, anything
/// else as `_`.
fn sanitize(s: &str) -> String {
    let s = s.replace("::", ".");
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        format!("_{out}")
    } else {
        out
    }
}

/// Renders an error with its location (`FILE:LINE:COL: …`).
pub fn render_error(names: &Interner, e: &LowerError) -> String {
    match &e.span {
        Some(s) => format!(
            "{}:{}:{}: unsupported: {}",
            names.str(s.file),
            s.lo_line,
            s.lo_col,
            e.msg
        ),
        None => format!("unsupported: {}", e.msg),
    }
}

/// A library crate's MIR, read when a call first needs it: its bodies, allocations and
/// resolver, and its interner (which resolution extends with the types it is asked about).
pub struct LibMir {
    pub names: Mutex<Interner>,
    pub bodies: cranelift_entity::PrimaryMap<BodyId, Body>,
    pub allocs: FxHashMap<u32, Allocation>,
    pub resolver: Resolver,
}

/// A library's MIR once read: kept for the rest of the process, as the lowering's bodies
/// borrow from it.
type Loaded = Result<&'static LibMir, String>;

/// The library crates read so far in this process. Those of the compiler-keyed cache (core)
/// are known by their path, whose content never changes; the others (`--extern` crates, built
/// anew for each compilation) by their path and a hash of their text.
static LIBS_READ: OnceLock<Mutex<FxHashMap<(PathBuf, u64), Loaded>>> = OnceLock::new();

fn read_lib(name: &str, path: &FsPath, text: &str) -> Result<LibMir, String> {
    let parsed = crate::mir::parse(text, Default::default());
    if let Some(e) = parsed.errors.first() {
        return Err(format!(
            "the MIR of `{name}` does not read: {}:{e}",
            path.display()
        ));
    }
    let mut file = parsed.file;
    let resolver = Resolver::new(&mut file);
    Ok(LibMir {
        names: Mutex::new(file.names),
        bodies: file.bodies,
        allocs: file.allocs,
        resolver,
    })
}

/// A library crate the lowering links: how the user's MIR names it, where its MIR is, and
/// how paths of its MIR name other crates.
#[derive(Clone, Debug)]
pub struct LibSpec {
    /// The crate's name (`core`, or the name given with `--extern NAME=…`).
    pub name: String,
    /// Its MIR text, `None` when it is not available (a `.mir` input without a toolchain).
    pub mir: Option<PathBuf>,
    /// The MIR is in the compiler-keyed cache, so it may be kept for the process.
    pub cached: bool,
    /// The first segments that name another crate in its paths (`core`, and its own
    /// dependencies); any other path of more than one segment is one of its own items.
    pub externs: Vec<String>,
    /// Its struct, enum and union definitions with their paths (`NAME.defs.rs` of the cache,
    /// from rustdoc's JSON), when there is such a file.
    pub defs: Option<PathBuf>,
}

/// One library of one lowering: its spec, its MIR once read, and the types translated so far
/// in each direction.
pub struct LibLink {
    pub spec: LibSpec,
    mir: Option<Loaded>,
    pub from_lib: import::Memo,
    pub into_lib: import::Memo,
}

impl LibLink {
    pub fn new(spec: LibSpec) -> LibLink {
        LibLink {
            spec,
            mir: None,
            from_lib: Default::default(),
            into_lib: Default::default(),
        }
    }

    /// The library's MIR, read on first use (a cached library's is kept for the process).
    pub fn get(&mut self) -> Loaded {
        if let Some(m) = &self.mir {
            return m.clone();
        }
        let Some(path) = &self.spec.mir else {
            return Err(format!("the MIR of `{}` is not available", self.spec.name));
        };
        let name = &self.spec.name;
        let read = || {
            std::fs::read_to_string(path).map_err(|e| {
                format!(
                    "cannot read the MIR of `{name}` (`{}`): {e}",
                    path.display()
                )
            })
        };
        let (text, hash) = if self.spec.cached {
            (None, 0)
        } else {
            let text = read()?;
            let hash = std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, &text);
            (Some(text), hash)
        };
        let all = LIBS_READ.get_or_init(Default::default);
        let mut all = all.lock().unwrap_or_else(|e| e.into_inner());
        let m = all
            .entry((path.clone(), hash))
            .or_insert_with(|| {
                let text = match text {
                    Some(t) => t,
                    None => read()?,
                };
                let lib = read_lib(name, path, &text)?;
                Ok(&*Box::leak(Box::new(lib)))
            })
            .clone();
        self.mir = Some(m.clone());
        m
    }
}

/// The library crates of one lowering, core first.
pub struct Libs {
    pub links: Vec<LibLink>,
}

impl Libs {
    pub fn new(specs: Vec<LibSpec>) -> Libs {
        Libs {
            links: specs.into_iter().map(LibLink::new).collect(),
        }
    }

    pub fn link(&mut self, id: LibId) -> &mut LibLink {
        &mut self.links[id as usize]
    }

    pub fn name(&self, id: LibId) -> &str {
        &self.links[id as usize].spec.name
    }

    /// The MIR of library `id`, which was read before one of its bodies was queued.
    pub fn mir(&mut self, id: LibId) -> &'static LibMir {
        self.link(id)
            .get()
            .expect("a library's MIR is read before its bodies are lowered")
    }
}

/// Lowers the crate in `file` (its source text in `source`) to a WasmIR module holding the
/// exported functions and everything they reach. `overflow_checks`: the crate was compiled
/// with `-C overflow-checks=on` (operators reached through core's impls check too).
/// `libs`: the library crates (core first), whose MIR is read when a call stays unresolved in
/// the crate; `lib_sources`: the source text of the non-cached ones (their structs and enums).
/// Errors are rendered with their locations.
pub fn lower_crate(
    file: &mut MirFile,
    source: &str,
    overflow_checks: bool,
    libs: Vec<LibSpec>,
    lib_sources: &[String],
) -> Result<(Context, Module), Vec<String>> {
    let mut items = parse_source_items(&mut file.names, source);
    for src in lib_sources {
        let dep = parse_source_items(&mut file.names, src);
        items.adts.extend(dep.adts);
        items.drop_impls.extend(dep.drop_impls);
    }
    for spec in &libs {
        let Some(path) = &spec.defs else { continue };
        match std::fs::read_to_string(path) {
            Ok(text) => items.add_library(parse_source_items(&mut file.names, &text)),
            Err(e) => {
                return Err(vec![format!(
                    "cannot read the type definitions of `{}` (`{}`): {e}",
                    spec.name,
                    path.display()
                )]);
            }
        }
    }
    items.core_adts = core_adts(&mut file.names);
    // Defaulted type arguments of core's types are `()` (`SourceItems::core_adts`).
    file.names.ty(TyKind::Tuple(Box::new([])));
    let resolver = Resolver::new(file);
    let MirFile {
        names,
        bodies,
        allocs,
    } = file;
    let mut mono = Mono::default();
    let mut errors = Vec::new();
    if items.exports.is_empty() {
        errors.push(
            "the crate exports no function: nothing to lower (mark functions `#[unsafe(no_mangle)] pub extern \"C\" fn`)"
                .to_string(),
        );
    }
    for ex in &items.exports {
        let found: Vec<BodyId> = bodies
            .iter()
            .filter(|(_, b)| b.kind == BodyKind::Fn && !b.ctfe)
            .filter(|(_, b)| {
                let p = names.path_data(b.name);
                matches!(p.segments.last().map(|s| &s.name), Some(SegName::Ident(s)) if names.str(*s) == ex.fn_name)
                    && !p.segments.iter().any(|s| matches!(s.name, SegName::ImplAt(_)))
            })
            .map(|(id, _)| id)
            .collect();
        match found.as_slice() {
            [b] => {
                let name = Printer { names, body: None }.path(bodies[*b].name);
                mono.instance(
                    names,
                    Krate::User,
                    *b,
                    &name,
                    Vec::new(),
                    Some(ex.export_name.clone()),
                    None,
                );
            }
            [] => errors.push(format!(
                "the exported function `{}` has no MIR body",
                ex.fn_name
            )),
            _ => errors.push(format!(
                "the exported name `{}` matches several functions",
                ex.fn_name
            )),
        }
    }
    let mut ctx = Context::new();
    let mut module = Module::new(&mut ctx);
    func::module_items(&mut ctx, &mut module);
    let mut layouts = Layouts::new(&items);
    let mut libs = Libs::new(libs);
    let mut statics = statics::StaticData::default();
    layouts.closures = func::closures::captures(names, &items, bodies);
    let mut table = func::closures::FnTable::default();
    let mut vtables = func::dynamic::Vtables::new(source);
    let mut needs_drop = FxHashMap::default();
    let mut i = 0;
    while i < mono.instances.len() {
        let inst = mono.instances[i].clone();
        let mut cx = func::Shared {
            names,
            bodies,
            allocs,
            items: &items,
            layouts: &mut layouts,
            resolver: &resolver,
            mono: &mut mono,
            overflow_checks,
            libs: &mut libs,
            statics: &mut statics,
            table: &mut table,
            vtables: &mut vtables,
            needs_drop: &mut needs_drop,
        };
        if let Err(e) = func::lower_instance(&mut ctx, &mut module, &mut cx, &inst) {
            errors.push(render_error(names, &e));
        }
        i += 1;
    }
    statics.emit(&mut ctx, &mut module);
    table.declare(&mut ctx, &mut module);
    if errors.is_empty() {
        Ok((ctx, module))
    } else {
        Err(errors)
    }
}

/// Resolution of a callee path within the crate: a body, or why not.
pub fn resolve_callee(
    resolver: &Resolver,
    names: &mut Interner,
    path: PathId,
) -> Result<BodyId, String> {
    match resolver.resolve(names, path) {
        Resolution::Body(b) | Resolution::Default(b) => Ok(b),
        r => Err(resolution_error(r)),
    }
}

/// Why a resolution found no body.
pub fn resolution_error(r: Resolution) -> String {
    match r {
        Resolution::Body(_) | Resolution::Default(_) => "a call that resolves".into(),
        Resolution::Deferred => "a call through a trait on a type parameter".into(),
        Resolution::Virtual => "a call through a trait object".into(),
        Resolution::Ambiguous => "a call that resolves to several bodies".into(),
        Resolution::Unresolved => {
            "a call to a function whose body is in neither the crate nor the libraries it links (core, `--extern` crates)".into()
        }
    }
}
