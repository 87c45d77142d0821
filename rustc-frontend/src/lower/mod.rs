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
pub mod wasm_crate;

use crate::index::{IndexedAlloc, IndexedBody, MirIndex};
use crate::mir::print::Printer;
use crate::mir::*;
use crate::resolve::{ImplText, Resolution, Resolver};
use cranelift_entity::EntityRef;
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
    /// The types associated types of concrete types name (`func::assoc`), once looked up.
    pub assoc: FxHashMap<Ty, Option<Ty>>,
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

/// A library crate's MIR: its resolver, built when the library is loaded, and its bodies and
/// allocations, each parsed from the text the first time the lowering asks for it. With an
/// index (`crate::index`, for the libraries of the compiler-keyed cache) loading reads only
/// the bodies' signatures; without one (`--extern` crates, or while the index is built) the
/// whole text is parsed at once.
pub struct LibMir {
    pub names: Mutex<Interner>,
    /// The crate's name and the MIR's path, for messages.
    crate_name: String,
    path: PathBuf,
    text: String,
    bodies: cranelift_entity::PrimaryMap<BodyId, LibBody>,
    allocs: FxHashMap<u32, LibAlloc>,
    pub resolver: Resolver,
    /// The library was loaded through its index (else parsed whole).
    pub indexed: bool,
}

/// A body of a library: its signature's kind and path, where it is in the text, and the body
/// once parsed.
struct LibBody {
    kind: BodyKind,
    name: PathId,
    range: (u32, u32),
    parsed: OnceLock<Result<Box<Body>, String>>,
}

/// An allocation of a library: where its first dump is, and the allocation once parsed.
struct LibAlloc {
    range: (u32, u32),
    parsed: OnceLock<Result<Allocation, String>>,
}

impl LibMir {
    /// Body `id`, parsed on first use.
    pub fn body(&self, id: BodyId) -> Result<&Body, String> {
        let b = &self.bodies[id];
        let parsed = b.parsed.get_or_init(|| {
            self.parse_item(b.range, |item| match item {
                Item::Body(body) if body.name == b.name => Some(Box::new(body)),
                _ => None,
            })
        });
        parsed.as_deref().map_err(Clone::clone)
    }

    /// Every body, in the text's order.
    pub fn body_ids(&self) -> impl Iterator<Item = BodyId> + '_ {
        self.bodies.keys()
    }

    /// Every allocation's id.
    pub fn alloc_ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.allocs.keys().copied()
    }

    /// The path of body `id` (in the library's interner), known without parsing the body.
    pub fn body_name(&self, id: BodyId) -> PathId {
        self.bodies[id].name
    }

    /// The promoted constant named `name` (`f::promoted[N]`).
    pub fn promoted(&self, name: PathId) -> Option<BodyId> {
        self.bodies
            .iter()
            .find(|(_, b)| matches!(b.kind, BodyKind::Promoted(_)) && b.name == name)
            .map(|(id, _)| id)
    }

    /// Allocation `id`, parsed on first use.
    pub fn alloc(&self, id: u32) -> Result<&Allocation, String> {
        let Some(a) = self.allocs.get(&id) else {
            return Err(format!("the allocation alloc{id} is not in the MIR"));
        };
        let parsed = a.parsed.get_or_init(|| {
            self.parse_item(a.range, |item| match item {
                Item::Alloc(alloc) if alloc.id == id => Some(alloc),
                _ => None,
            })
        });
        parsed.as_ref().map_err(Clone::clone)
    }

    /// The item at `range` of the text, parsed now; `expected` takes it if it is the one the
    /// index says is there.
    fn parse_item<T>(
        &self,
        range: (u32, u32),
        expected: impl FnOnce(Item) -> Option<T>,
    ) -> Result<T, String> {
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        let found = match crate::mir::parse_item_at(&self.text, range.0, &mut names) {
            Ok((item, end)) if end == range.1 => expected(item),
            Ok(_) => None,
            Err(e) => {
                return Err(format!(
                    "the MIR of `{}` does not read: {}:{e}",
                    self.crate_name,
                    self.path.display()
                ));
            }
        };
        found.ok_or_else(|| {
            format!(
                "the index of `{}`'s MIR does not match the text at byte {}: delete `{}` (it is rebuilt on next use)",
                self.crate_name,
                range.0,
                index_path(&self.path).display()
            )
        })
    }
}

/// Where the allocations of a body being lowered are: the crate's, or a library's.
#[derive(Clone, Copy)]
pub enum Allocs<'a> {
    Crate(&'a FxHashMap<u32, Allocation>),
    Lib(&'a LibMir),
}

impl<'a> Allocs<'a> {
    pub fn get(self, id: u32) -> Result<&'a Allocation, String> {
        match self {
            Allocs::Crate(m) => m
                .get(&id)
                .ok_or_else(|| format!("the allocation alloc{id} is not in the MIR")),
            Allocs::Lib(l) => l.alloc(id),
        }
    }
}

/// A library's MIR once read: kept for the rest of the process, as the lowering's bodies
/// borrow from it.
type Loaded = Result<&'static LibMir, String>;

/// The library crates read so far in this process. Those of the compiler-keyed cache (core)
/// are known by their path, whose content never changes; the others (`--extern` crates, built
/// anew for each compilation) by their path and a hash of their text.
static LIBS_READ: OnceLock<Mutex<FxHashMap<(PathBuf, u64), Loaded>>> = OnceLock::new();

/// The index beside a library's MIR (`core.mir.index`).
pub fn index_path(mir: &FsPath) -> PathBuf {
    let mut p = mir.as_os_str().to_owned();
    p.push(".index");
    PathBuf::from(p)
}

/// Loads a library's MIR. `indexed`: it is in the compiler-keyed cache, so it has (or gets) an
/// index beside it; a missing, stale or corrupt index is rebuilt from a full parse.
pub fn load_lib(name: &str, path: &FsPath, text: String, indexed: bool) -> Result<LibMir, String> {
    if indexed && let Some(lib) = indexed_lib(name, path, &text) {
        return Ok(LibMir { text, ..lib });
    }
    let parsed = crate::mir::parse(&text, Default::default());
    if let Some(e) = parsed.errors.first() {
        return Err(format!(
            "the MIR of `{name}` does not read: {}:{e}",
            path.display()
        ));
    }
    let mut file = parsed.file;
    let (resolver, read) = Resolver::new_recording(&mut file);
    if indexed {
        let index = build_index(&parsed.ranges, &read);
        // The index only saves time: a cache that cannot be written is read whole each time.
        let _ = crate::index::write_atomically(&index_path(path), &index.encode(&text));
    }
    let ranges = &parsed.ranges;
    let bodies = file
        .bodies
        .into_iter()
        .zip(&ranges.bodies)
        .map(|((_, body), &range)| LibBody {
            kind: body.kind,
            name: body.name,
            range,
            parsed: OnceLock::from(Ok(Box::new(body))),
        })
        .collect();
    let mut allocs: FxHashMap<u32, LibAlloc> = ranges
        .allocs
        .iter()
        .map(|&(id, start, end)| {
            let slot = LibAlloc {
                range: (start, end),
                parsed: OnceLock::new(),
            };
            (id, slot)
        })
        .collect();
    for (id, a) in file.allocs {
        if let Some(slot) = allocs.get_mut(&id) {
            let _ = slot.parsed.set(Ok(a));
        }
    }
    Ok(LibMir {
        names: Mutex::new(file.names),
        crate_name: name.to_string(),
        path: path.to_path_buf(),
        text,
        bodies,
        allocs,
        resolver,
        indexed: false,
    })
}

/// A library loaded through a valid index beside its MIR, without its text (which the caller
/// moves in); `None` when there is no such index.
fn indexed_lib(name: &str, path: &FsPath, text: &str) -> Option<LibMir> {
    let bytes = std::fs::read(index_path(path)).ok()?;
    let index = MirIndex::decode(&bytes, text).ok()?;
    from_index(name, path, text, &index).ok()
}

/// The index of a fully parsed library: its items' ranges and what its resolver read from the
/// source (texts shared by the bodies of one impl are stored once).
fn build_index(ranges: &ItemRanges, read: &[(BodyId, ImplText)]) -> MirIndex {
    let mut bodies: Vec<IndexedBody> = ranges
        .bodies
        .iter()
        .map(|&(start, end)| IndexedBody {
            start,
            end,
            impl_text: None,
            is_default: false,
        })
        .collect();
    let mut texts = Vec::new();
    let mut text_ids: FxHashMap<&str, u32> = FxHashMap::default();
    for (id, t) in read {
        let next = texts.len() as u32;
        let tid = *text_ids.entry(t.text.as_ref()).or_insert_with(|| {
            texts.push(t.text.to_string());
            next
        });
        let b = &mut bodies[id.index()];
        b.impl_text = Some(tid);
        b.is_default = t.is_default;
    }
    let allocs = ranges
        .allocs
        .iter()
        .map(|&(id, start, end)| IndexedAlloc { id, start, end })
        .collect();
    MirIndex {
        bodies,
        allocs,
        texts,
    }
}

/// A library loaded through its index: the signatures of its bodies are parsed (what the
/// resolver needs), the bodies themselves when first asked for. The text is moved in by the
/// caller.
fn from_index(name: &str, path: &FsPath, text: &str, index: &MirIndex) -> Result<LibMir, String> {
    let mut names = Interner::default();
    let mut sigs = Vec::with_capacity(index.bodies.len());
    let mut bodies = cranelift_entity::PrimaryMap::with_capacity(index.bodies.len());
    for b in &index.bodies {
        let sig = crate::mir::parse_signature_at(text, b.start, &mut names)
            .map_err(|e| format!("{}:{e}", path.display()))?;
        let id = bodies.push(LibBody {
            kind: sig.kind,
            name: sig.name,
            range: (b.start, b.end),
            parsed: OnceLock::new(),
        });
        sigs.push((id, sig));
    }
    let resolver = Resolver::from_signatures(&mut names, &sigs, &mut |_, id, _, _| {
        let b = &index.bodies[id.index()];
        ImplText {
            text: b
                .impl_text
                .map_or("", |t| index.texts[t as usize].as_str())
                .into(),
            is_default: b.is_default,
        }
    });
    let allocs = index
        .allocs
        .iter()
        .map(|a| {
            let slot = LibAlloc {
                range: (a.start, a.end),
                parsed: OnceLock::new(),
            };
            (a.id, slot)
        })
        .collect();
    Ok(LibMir {
        names: Mutex::new(names),
        crate_name: name.to_string(),
        path: path.to_path_buf(),
        text: String::new(),
        bodies,
        allocs,
        resolver,
        indexed: true,
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
    /// Its source root (`library/core/src`), where `#[track_caller]` is looked up.
    pub src: Option<PathBuf>,
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
        let cached = self.spec.cached;
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
                let lib = load_lib(name, path, text, cached)?;
                Ok(&*Box::leak(Box::new(lib)))
            })
            .clone();
        self.mir = Some(m.clone());
        m
    }
}

/// Starts loading a library of the compiler-keyed cache through its index on a thread of its
/// own, so that it overlaps other work (rustc compiling the crate); `LibLink::get` then finds
/// it loaded, or waits for it. Without a valid index nothing is done here: the full parse and
/// the index's rebuild are left to the lowering, for when a call needs the library (a thread
/// still working when the process ends would leave its work unfinished).
pub fn preload(spec: LibSpec) {
    let (true, Some(path)) = (spec.cached, spec.mir) else {
        return;
    };
    let load = move || {
        let all = LIBS_READ.get_or_init(Default::default);
        let mut all = all.lock().unwrap_or_else(|e| e.into_inner());
        let key = (path, 0);
        if all.contains_key(&key) {
            return;
        }
        let Ok(text) = std::fs::read_to_string(&key.0) else {
            return;
        };
        if let Some(lib) = indexed_lib(&spec.name, &key.0, &text) {
            let lib = LibMir { text, ..lib };
            all.insert(key, Ok(&*Box::leak(Box::new(lib))));
        }
    };
    // Without a thread the lowering loads the library itself.
    let _ = std::thread::Builder::new().spawn(load);
}

/// The library crates of one lowering, core first.
pub struct Libs {
    pub links: Vec<LibLink>,
    /// The span of each library closure the crate's MIR names by path (see
    /// `func::closures::library_closure`), once looked up.
    pub closure_paths: FxHashMap<String, Option<SrcSpan>>,
}

impl Libs {
    pub fn new(specs: Vec<LibSpec>) -> Libs {
        Libs {
            links: specs.into_iter().map(LibLink::new).collect(),
            closure_paths: FxHashMap::default(),
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
        items.linear_impls.extend(dep.linear_impls);
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
    let mut panics =
        func::panics::Panics::new(libs.links.iter().map(|l| l.spec.src.clone()).collect());
    if let Some(h) = &items.panic_handler {
        match bodies.iter().find(|(_, b)| {
            let p = names.path_data(b.name);
            b.kind == BodyKind::Fn
                && !b.ctfe
                && matches!(&p.segments[..], [s] if matches!(s.name, SegName::Ident(n) if names.str(n) == h))
        }) {
            Some((id, _)) => panics.handler = Some(id),
            None => errors.push(format!("the `#[panic_handler]` `{h}` has no MIR body")),
        }
    }
    let mut i = 0;
    // Instances of formatting functions wait for the rest (`func::panics::Panics`).
    let mut postponed: Vec<Instance> = Vec::new();
    loop {
        let inst = if i < mono.instances.len() {
            i += 1;
            mono.instances[i - 1].clone()
        } else if let Some(p) = postponed.pop() {
            panics.stub_deferred = true;
            p
        } else {
            break;
        };
        if !panics.stub_deferred && panics.is_deferred(&inst.symbol) {
            postponed.push(inst);
            continue;
        }
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
            panics: &mut panics,
        };
        if let Err(e) = func::lower_instance(&mut ctx, &mut module, &mut cx, &inst) {
            errors.push(render_error(names, &e));
        }
    }
    if panics.formatter_made {
        errors.extend(panics.unresolved.iter().map(|e| render_error(names, e)));
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
