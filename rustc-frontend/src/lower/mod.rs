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

/// The crate a body is in: the user's, or core (whose MIR is loaded when a call needs it).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Krate {
    User,
    Core,
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

/// Core's MIR, read once per process when a call first needs it: its bodies, allocations and
/// resolver, and its interner (which resolution extends with the types it is asked about).
pub struct CoreMir {
    pub names: Mutex<Interner>,
    pub bodies: cranelift_entity::PrimaryMap<BodyId, Body>,
    pub allocs: FxHashMap<u32, Allocation>,
    pub resolver: Resolver,
}

static CORE_MIR: OnceLock<Result<CoreMir, String>> = OnceLock::new();

fn read_core(path: &FsPath) -> Result<CoreMir, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read core's MIR `{}`: {e}", path.display()))?;
    let mut file = crate::mir::parse(&text, Default::default()).file;
    let resolver = Resolver::new(&mut file);
    Ok(CoreMir {
        names: Mutex::new(file.names),
        bodies: file.bodies,
        allocs: file.allocs,
        resolver,
    })
}

/// The link to core's MIR of one lowering: where it is, and the types translated so far in
/// each direction.
pub struct CoreLink {
    path: Option<PathBuf>,
    pub from_core: import::Memo,
    pub into_core: import::Memo,
}

impl CoreLink {
    /// Core's MIR, read on first use (and kept for the process).
    pub fn get(&self) -> Result<&'static CoreMir, String> {
        let Some(path) = &self.path else {
            return Err("core's MIR is not available".into());
        };
        CORE_MIR
            .get_or_init(|| read_core(path))
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// Lowers the crate in `file` (its source text in `source`) to a WasmIR module holding the
/// exported functions and everything they reach. `overflow_checks`: the crate was compiled
/// with `-C overflow-checks=on` (operators reached through core's impls check too).
/// `core_mir`: the cached `core.mir`, read when a call stays unresolved in the crate. Errors are
/// rendered with their locations.
pub fn lower_crate(
    file: &mut MirFile,
    source: &str,
    overflow_checks: bool,
    core_mir: Option<PathBuf>,
) -> Result<(Context, Module), Vec<String>> {
    let mut items = parse_source_items(&mut file.names, source);
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
    layouts.closures = func::closures::captures(names, &items, bodies);
    let mut table = func::closures::FnTable::default();
    let mut vtables = func::dynamic::Vtables::new(source);
    let mut needs_drop = FxHashMap::default();
    let mut core = CoreLink {
        path: core_mir,
        from_core: Default::default(),
        into_core: Default::default(),
    };
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
            core: &mut core,
            table: &mut table,
            vtables: &mut vtables,
            needs_drop: &mut needs_drop,
        };
        if let Err(e) = func::lower_instance(&mut ctx, &mut module, &mut cx, &inst) {
            errors.push(render_error(names, &e));
        }
        i += 1;
    }
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
            "a call to a function whose body is in neither the crate nor core".into()
        }
    }
}
