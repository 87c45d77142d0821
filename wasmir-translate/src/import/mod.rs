//! wasm binary → WasmIR.
//!
//! The module is validated first (wasmparser's validator, every feature this build knows), so the
//! translation may assume well-typed input. Items become symbols named after the name section,
//! the import or export name, or their kind and index. Function bodies go through
//! [`body::FuncTranslator`]: the operand stack becomes SSA values, locals become `wasm.local`
//! ops (parameters that are never written stay plain entry arguments), and control
//! instructions become structured region ops with label arguments.
mod body;
mod names;
mod simd;

use crate::TranslateError;
use body::{prescan, Consts, FuncTranslator, Prescan};
use names::Symbols;
use std::cell::Cell;
use wasmir::{Attr, AttrData, BodyId, Context, HeapType, Ident, Module, RefHeap, Type, TypeData};
use wasmparser::{
    CompositeInnerType, ElementItems, ElementKind, ExternalKind, KnownCustom, Parser, Payload, TableInit, TypeRef,
    ValType, Validator, WasmFeatures,
};

/// The features the importer accepts: the current standard and the finished proposals.
/// Proposals still in flux (stack switching, shared-everything threads, custom descriptors) and
/// the legacy exception instructions are refused by the validator, naming the feature.
pub fn features() -> WasmFeatures {
    WasmFeatures::all()
        - WasmFeatures::STACK_SWITCHING
        - WasmFeatures::SHARED_EVERYTHING_THREADS
        - WasmFeatures::CUSTOM_DESCRIPTORS
        - WasmFeatures::LEGACY_EXCEPTIONS
}

pub(crate) fn err(message: impl Into<String>, offset: usize) -> TranslateError {
    TranslateError { message: message.into(), offset: Some(offset) }
}

fn parse_err(e: wasmparser::BinaryReaderError) -> TranslateError {
    TranslateError { message: e.message().to_string(), offset: Some(e.offset()) }
}

/// Maps a wasm value type to a WasmIR type.
pub(crate) fn val_type(ctx: &mut Context, info: &ModuleInfo, t: ValType, offset: usize) -> Result<Type, TranslateError> {
    Ok(match t {
        ValType::I32 => ctx.i32(),
        ValType::I64 => ctx.i64(),
        ValType::F32 => ctx.f32(),
        ValType::F64 => ctx.f64(),
        ValType::V128 => ctx.v128(),
        ValType::Ref(r) => ref_type(ctx, info, r, offset)?,
    })
}

pub(crate) fn ref_type(ctx: &mut Context, info: &ModuleInfo, r: wasmparser::RefType, offset: usize) -> Result<Type, TranslateError> {
    use wasmparser::AbstractHeapType as A;
    let unsupported = || {
        err(
            format!("the reference type `{r}` is not supported yet (shared references and continuation types are not)"),
            offset,
        )
    };
    let (exact, heap) = match r.heap_type() {
        wasmparser::HeapType::Abstract { shared: false, ty } => {
            let h = match ty {
                A::Func => HeapType::Func,
                A::Extern => HeapType::Extern,
                A::Any => HeapType::Any,
                A::Eq => HeapType::Eq,
                A::I31 => HeapType::I31,
                A::Struct => HeapType::Struct,
                A::Array => HeapType::Array,
                A::Exn => HeapType::Exn,
                A::None => HeapType::None,
                A::NoFunc => HeapType::NoFunc,
                A::NoExtern => HeapType::NoExtern,
                A::NoExn => HeapType::NoExn,
                _ => return Err(unsupported()),
            };
            (false, RefHeap::Abstract(h))
        }
        wasmparser::HeapType::Concrete(i) | wasmparser::HeapType::Exact(i) => {
            let exact = matches!(r.heap_type(), wasmparser::HeapType::Exact(_));
            let idx = i.as_module_index().ok_or_else(unsupported)?;
            let sym = *info.type_syms.get(idx as usize).ok_or_else(|| err("a reference to an unknown type", offset))?;
            info.gc_used.set(true);
            (exact, RefHeap::Defined(sym))
        }
        _ => return Err(unsupported()),
    };
    if !r.is_nullable() {
        info.typed_refs.set(true);
    }
    Ok(ctx.ref_type(r.is_nullable(), exact, heap))
}

/// What the translation needs to know of the module's index spaces.
#[derive(Default)]
pub(crate) struct ModuleInfo {
    /// Function types by type index (`None`: a struct or array type).
    pub types: Vec<Option<Type>>,
    /// The canonical symbol of each type index: equal types share one.
    pub type_syms: Vec<Ident>,
    /// Whether each type is a plain function type (final, no supertype, alone in its group),
    /// which is identified by its structure alone.
    pub plain: Vec<bool>,
    /// A reference to a defined type was made: the `wasm.type` ops are needed.
    pub gc_used: Cell<bool>,
    /// The module uses typed references: `ref.func` gives `(ref $t)` rather than `funcref`.
    pub typed: bool,
    /// A non-nullable reference type was met.
    pub typed_refs: Cell<bool>,
    /// Every function's type index, imports first.
    pub func_types: Vec<u32>,
    pub func_syms: Vec<Attr>,
    pub table_syms: Vec<Attr>,
    pub table_types: Vec<(Type, bool)>,
    pub memory_syms: Vec<Attr>,
    pub memory64: Vec<bool>,
    pub global_syms: Vec<Attr>,
    pub global_types: Vec<Type>,
    pub data_syms: Vec<Attr>,
    pub elem_syms: Vec<Attr>,
    pub tag_syms: Vec<Attr>,
    /// Each tag's type: a function type without results.
    pub tag_types: Vec<Type>,
    /// Per type index: a struct's field types as read and written (packed fields as i32).
    pub struct_fields: Vec<Vec<Type>>,
    /// Per type index: an array's element type as read and written.
    pub array_elems: Vec<Option<Type>>,
}

impl ModuleInfo {
    pub fn func_type(&self, idx: u32) -> Type {
        self.types[self.func_types[idx as usize] as usize].expect("validated: a function has a function type")
    }
}

/// Which known section a custom section follows, for `wasm.custom … after "…"`.
fn section_name(p: &Payload<'_>) -> Option<&'static str> {
    Some(match p {
        Payload::TypeSection(_) => "type",
        Payload::ImportSection(_) => "import",
        Payload::FunctionSection(_) => "function",
        Payload::TableSection(_) => "table",
        Payload::MemorySection(_) => "memory",
        Payload::TagSection(_) => "tag",
        Payload::GlobalSection(_) => "global",
        Payload::ExportSection(_) => "export",
        Payload::StartSection { .. } => "start",
        Payload::ElementSection(_) => "element",
        Payload::DataCountSection { .. } => "datacount",
        Payload::CodeSectionStart { .. } => "code",
        Payload::DataSection(_) => "data",
        _ => return None,
    })
}

pub fn import(ctx: &mut Context, bytes: &[u8]) -> Result<Module, TranslateError> {
    let bytes_owned;
    let bytes = if bytes.starts_with(b"\0asm") {
        bytes
    } else {
        bytes_owned = wat::parse_bytes(bytes).map_err(|e| TranslateError { message: e.to_string(), offset: None })?.into_owned();
        &bytes_owned[..]
    };
    let mut validator = Validator::new_with_features(features());
    let types = validator.validate_all(bytes).map_err(parse_err)?;
    // Equal types (iso-recursive equality) have one canonical id: name them by the first.
    let mut first: rustc_hash::FxHashMap<wasmparser::types::CoreTypeId, u32> = Default::default();
    let types = types.as_ref();
    let canon: Vec<u32> = (0..types.core_type_count_in_module())
        .map(|i| *first.entry(types.core_type_at_in_module(i)).or_insert(i))
        .collect();
    let mut imp = Importer::new(ctx);
    imp.canon = canon;
    imp.run(bytes)
}

struct Importer<'c> {
    ctx: &'c mut Context,
    module: Module,
    info: ModuleInfo,
    syms: Symbols,
    /// For each type index, the first index of an equal type.
    canon: Vec<u32>,
    /// Imported functions whose import asks for the exact type.
    exact_imports: Vec<u32>,
    /// Op lookups shared by every body of the module.
    consts: Consts,
}

/// A module item whose op is created once the names are known.
enum Pending<'a> {
    Func { index: u32, import: Option<(&'a str, &'a str)>, body: Option<wasmparser::FunctionBody<'a>> },
    Table { index: u32, ty: wasmparser::TableType, import: Option<(&'a str, &'a str)>, init: Option<wasmparser::ConstExpr<'a>>, offset: usize },
    Memory { index: u32, ty: wasmparser::MemoryType, import: Option<(&'a str, &'a str)> },
    Global { index: u32, ty: wasmparser::GlobalType, import: Option<(&'a str, &'a str)>, init: Option<wasmparser::ConstExpr<'a>>, offset: usize },
    Data { index: u32, data: wasmparser::Data<'a> },
    Tag { index: u32, ty: wasmparser::TagType, import: Option<(&'a str, &'a str)> },
    Elem { index: u32, elem: wasmparser::Element<'a> },
    Export { export: wasmparser::Export<'a> },
    Start { func: u32 },
    Custom { name: &'a str, data: &'a [u8], after: Option<&'static str> },
}

impl<'c> Importer<'c> {
    fn new(ctx: &'c mut Context) -> Self {
        let module = Module::new(ctx);
        Importer { ctx, module, info: ModuleInfo::default(), syms: Symbols::default(), canon: Vec::new(), exact_imports: Vec::new(), consts: Consts::default() }
    }

    fn run(mut self, bytes: &[u8]) -> Result<Module, TranslateError> {
        let mut items: Vec<Pending<'_>> = Vec::new();
        let mut last_section: Option<&'static str> = None;
        let mut defined_funcs = 0u32;
        let mut code_index = 0u32;
        let mut imported_funcs = 0u32;
        let mut names: Option<wasmparser::NameSectionReader<'_>> = None;
        let mut first_export: Vec<Option<String>> = Vec::new();
        let mut counts = [0u32; 6]; // table, memory, global, tag, data, elem
        let mut raw_types: Vec<(wasmparser::SubType, Option<u32>, usize)> = Vec::new();
        let mut exact_imports: Vec<u32> = Vec::new();
        let mut had_data_count = false;
        let mut rec_groups = 0u32;
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload.map_err(parse_err)?;
            match &payload {
                Payload::TypeSection(r) => {
                    for rg in r.clone() {
                        let rg = rg.map_err(parse_err)?;
                        let group = rg.is_explicit_rec_group().then(|| {
                            rec_groups += 1;
                            rec_groups - 1
                        });
                        for (off, st) in rg.into_types_and_offsets() {
                            raw_types.push((st, group, off));
                        }
                    }
                }
                Payload::ImportSection(r) => {
                    for imp in r.clone().into_imports_with_offsets() {
                        let (off, imp) = imp.map_err(parse_err)?;
                        let import = Some((imp.module, imp.name));
                        match imp.ty {
                            TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                                self.info.func_types.push(t);
                                if matches!(imp.ty, TypeRef::FuncExact(_)) {
                                    exact_imports.push(imported_funcs);
                                }
                                items.push(Pending::Func { index: imported_funcs, import, body: None });
                                imported_funcs += 1;
                            }
                            TypeRef::Table(ty) => {
                                items.push(Pending::Table { index: counts[0], ty, import, init: None, offset: off });
                                counts[0] += 1;
                            }
                            TypeRef::Memory(ty) => {
                                items.push(Pending::Memory { index: counts[1], ty, import });
                                counts[1] += 1;
                            }
                            TypeRef::Global(ty) => {
                                items.push(Pending::Global { index: counts[2], ty, import, init: None, offset: off });
                                counts[2] += 1;
                            }
                            TypeRef::Tag(ty) => {
                                items.push(Pending::Tag { index: counts[3], ty, import });
                                counts[3] += 1;
                            }
                        }
                    }
                }
                Payload::FunctionSection(r) => {
                    for t in r.clone() {
                        let t = t.map_err(parse_err)?;
                        self.info.func_types.push(t);
                        defined_funcs += 1;
                    }
                }
                Payload::TableSection(r) => {
                    for t in r.clone().into_iter_with_offsets() {
                        let (off, t) = t.map_err(parse_err)?;
                        let init = match t.init {
                            TableInit::RefNull => None,
                            TableInit::Expr(e) => Some(e),
                        };
                        items.push(Pending::Table { index: counts[0], ty: t.ty, import: None, init, offset: off });
                        counts[0] += 1;
                    }
                }
                Payload::MemorySection(r) => {
                    for m in r.clone() {
                        let ty = m.map_err(parse_err)?;
                        items.push(Pending::Memory { index: counts[1], ty, import: None });
                        counts[1] += 1;
                    }
                }
                Payload::TagSection(r) => {
                    for t in r.clone() {
                        let ty = t.map_err(parse_err)?;
                        items.push(Pending::Tag { index: counts[3], ty, import: None });
                        counts[3] += 1;
                    }
                }
                Payload::GlobalSection(r) => {
                    for g in r.clone().into_iter_with_offsets() {
                        let (off, g) = g.map_err(parse_err)?;
                        items.push(Pending::Global { index: counts[2], ty: g.ty, import: None, init: Some(g.init_expr), offset: off });
                        counts[2] += 1;
                    }
                }
                Payload::ExportSection(r) => {
                    for e in r.clone() {
                        let e = e.map_err(parse_err)?;
                        items.push(Pending::Export { export: e });
                    }
                }
                Payload::StartSection { func, .. } => items.push(Pending::Start { func: *func }),
                Payload::ElementSection(r) => {
                    for e in r.clone() {
                        let e = e.map_err(parse_err)?;
                        items.push(Pending::Elem { index: counts[5], elem: e });
                        counts[5] += 1;
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    items.push(Pending::Func { index: imported_funcs + code_index, import: None, body: Some(body.clone()) });
                    code_index += 1;
                }
                Payload::DataSection(r) => {
                    for d in r.clone() {
                        let d = d.map_err(parse_err)?;
                        items.push(Pending::Data { index: counts[4], data: d });
                        counts[4] += 1;
                    }
                }
                Payload::DataCountSection { .. } => had_data_count = true,
                Payload::CustomSection(c) => match c.as_known() {
                    KnownCustom::Name(n) => names = Some(n),
                    _ => items.push(Pending::Custom { name: c.name(), data: c.data(), after: last_section }),
                },
                Payload::Version { encoding: wasmparser::Encoding::Component, range, .. } => {
                    return Err(err("this is a component, not a core module; components are not supported", range.start));
                }
                _ => {}
            }
            if let Some(s) = section_name(&payload) {
                last_section = Some(s);
            }
        }
        let _ = defined_funcs;
        self.exact_imports = exact_imports;
        // Symbols: names from the name section first, then import and export names, then kinds.
        let nfuncs = self.info.func_types.len();
        first_export.resize(nfuncs, None);
        let mut hints = names::Hints::new(nfuncs, counts);
        let had_names = names.is_some();
        if let Some(n) = names {
            hints.read_name_section(n);
        }
        for it in &items {
            match it {
                Pending::Func { index, import: Some((_, name)), .. } => hints.fallback(names::Kind::Func, *index, name),
                Pending::Table { index, import: Some((_, name)), .. } => hints.fallback(names::Kind::Table, *index, name),
                Pending::Memory { index, import: Some((_, name)), .. } => hints.fallback(names::Kind::Memory, *index, name),
                Pending::Global { index, import: Some((_, name)), .. } => hints.fallback(names::Kind::Global, *index, name),
                Pending::Tag { index, import: Some((_, name)), .. } => hints.fallback(names::Kind::Tag, *index, name),
                Pending::Export { export } => {
                    let kind = match export.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => names::Kind::Func,
                        ExternalKind::Table => names::Kind::Table,
                        ExternalKind::Memory => names::Kind::Memory,
                        ExternalKind::Global => names::Kind::Global,
                        ExternalKind::Tag => names::Kind::Tag,
                    };
                    hints.fallback(kind, export.index, export.name);
                }
                _ => {}
            }
        }
        let type_attrs: Vec<Attr> = (0..raw_types.len() as u32).map(|i| self.syms.make(self.ctx, hints.get(names::Kind::Type, i), "t", i)).collect();
        self.info.type_syms = (0..raw_types.len())
            .map(|i| match self.ctx.attr_data(type_attrs[self.canon[i] as usize]) {
                AttrData::SymbolRef(p) => p[0],
                _ => unreachable!("symbols are symbol references"),
            })
            .collect();
        for (st, group, off) in &raw_types {
            let plain = st.is_final && st.supertype_idx.is_none() && group.is_none() && !st.composite_type.shared
                && matches!(st.composite_type.inner, CompositeInnerType::Func(_));
            self.info.plain.push(plain);
            if st.composite_type.shared || st.composite_type.descriptor_idx.is_some() || st.composite_type.describes_idx.is_some() {
                return Err(err("shared types and custom descriptors are not supported yet", *off));
            }
            let t = match &st.composite_type.inner {
                CompositeInnerType::Func(f) => {
                    let mut ps = Vec::with_capacity(f.params().len());
                    for &p in f.params() {
                        ps.push(val_type(self.ctx, &self.info, p, *off)?);
                    }
                    let mut rs = Vec::with_capacity(f.results().len());
                    for &p in f.results() {
                        rs.push(val_type(self.ctx, &self.info, p, *off)?);
                    }
                    Some(self.ctx.function_type(&ps, &rs))
                }
                CompositeInnerType::Struct(_) | CompositeInnerType::Array(_) => None,
                _ => return Err(err("continuation types (stack switching) are not supported", *off)),
            };
            self.info.types.push(t);
            let unpack = |ctx: &mut Context, info: &ModuleInfo, st: wasmparser::StorageType| -> Result<Type, TranslateError> {
                match st {
                    wasmparser::StorageType::Val(v) => val_type(ctx, info, v, *off),
                    _ => Ok(ctx.i32()),
                }
            };
            let (fields, elem) = match &st.composite_type.inner {
                CompositeInnerType::Struct(s) => {
                    let mut f = Vec::with_capacity(s.fields.len());
                    for fd in s.fields.iter() {
                        f.push(unpack(self.ctx, &self.info, fd.element_type)?);
                    }
                    (f, None)
                }
                CompositeInnerType::Array(a) => (Vec::new(), Some(unpack(self.ctx, &self.info, a.0.element_type)?)),
                _ => (Vec::new(), None),
            };
            self.info.struct_fields.push(fields);
            self.info.array_elems.push(elem);
        }
        self.info.func_syms = (0..nfuncs as u32).map(|i| self.syms.make(self.ctx, hints.get(names::Kind::Func, i), "f", i)).collect();
        self.info.table_syms = (0..counts[0]).map(|i| self.syms.make(self.ctx, hints.get(names::Kind::Table, i), "table", i)).collect();
        self.info.memory_syms = (0..counts[1]).map(|i| self.syms.make(self.ctx, hints.get(names::Kind::Memory, i), "mem", i)).collect();
        self.info.global_syms = (0..counts[2]).map(|i| self.syms.make(self.ctx, hints.get(names::Kind::Global, i), "global", i)).collect();
        self.info.data_syms = (0..counts[4]).map(|i| self.syms.make(self.ctx, hints.get(names::Kind::Data, i), "data", i)).collect();
        self.info.tag_syms = (0..counts[3]).map(|i| self.syms.make(self.ctx, hints.get(names::Kind::Tag, i), "tag", i)).collect();
        self.info.elem_syms = (0..counts[5]).map(|i| self.syms.make(self.ctx, hints.get(names::Kind::Elem, i), "elem", i)).collect();
        // Types of tables, memories and globals, needed by the bodies.
        for it in &items {
            match it {
                Pending::Table { ty, offset, .. } => {
                    let t = ref_type(self.ctx, &self.info, ty.element_type, *offset)?;
                    self.info.table_types.push((t, ty.table64));
                }
                Pending::Memory { ty, .. } => self.info.memory64.push(ty.memory64),
                Pending::Tag { ty, .. } => {
                    let t = self.info.types[ty.func_type_idx as usize].expect("validated: a tag has a function type");
                    self.info.tag_types.push(t);
                }
                Pending::Global { ty, offset, .. } => {
                    if ty.shared {
                        return Err(err("shared globals are not supported yet", *offset));
                    }
                    let t = val_type(self.ctx, &self.info, ty.content_type, *offset)?;
                    self.info.global_types.push(t);
                }
                _ => {}
            }
        }
        // A function exported exactly once carries the name in its signature.
        let mut export_count = vec![0u32; nfuncs];
        for it in &items {
            if let Pending::Export { export } = it {
                if matches!(export.kind, ExternalKind::Func) {
                    export_count[export.index as usize] += 1;
                }
            }
        }
        for it in &items {
            if let Pending::Export { export } = it {
                if matches!(export.kind, ExternalKind::Func) && export_count[export.index as usize] == 1 && export.index >= imported_funcs {
                    first_export[export.index as usize] = Some(export.name.to_string());
                }
            }
        }
        // Typed references anywhere make `ref.func` precise; bodies are prescanned once.
        let mut prescans: Vec<Prescan> = Vec::new();
        for it in &items {
            if let Pending::Func { index, body: Some(fb), .. } = it {
                let nparams = match self.ctx.type_data(self.info.func_type(*index)) {
                    TypeData::Function { params, .. } => params.len(),
                    _ => 0,
                };
                let p = prescan(fb, nparams)?;
                self.info.typed |= p.typed;
                prescans.push(p);
            }
        }
        for it in &items {
            if let Pending::Elem { elem, .. } = it {
                if let ElementItems::Expressions(rt, _) = &elem.items {
                    self.info.typed |= !rt.is_nullable() || !matches!(rt.heap_type(), wasmparser::HeapType::Abstract { .. });
                }
            }
        }
        self.info.typed |= self.info.gc_used.get() || self.info.typed_refs.get() || self.info.plain.iter().any(|p| !p);
        let mut prescans = prescans.into_iter();
        let local_names = hints.take_local_names();
        for it in items {
            let pre = match &it {
                Pending::Func { body: Some(_), .. } => prescans.next(),
                _ => None,
            };
            self.item(it, &first_export, &local_names, pre)?;
        }
        if self.info.plain.iter().any(|p| !p) || self.info.gc_used.get() {
            self.type_defs(&raw_types, &type_attrs)?;
        }
        // What the binary had that the IR does not otherwise say: written back on export.
        let m = self.module.module_op();
        let mut attrs = self.module.body(m.body).op(m.op).attrs;
        if !had_names {
            let (k, v) = (self.ctx.ident("wasm.name_section"), self.ctx.attr(AttrData::Bool(false)));
            attrs = self.ctx.dict_with(attrs, k, Some(v));
        }
        if had_data_count {
            let (k, v) = (self.ctx.ident("wasm.data_count"), self.ctx.attr(AttrData::Bool(true)));
            attrs = self.ctx.dict_with(attrs, k, Some(v));
        }
        self.module.body_mut(m.body).op_mut(m.op).attrs = attrs;
        Ok(self.module)
    }

    /// The `wasm.type` ops, in index order, at the start of the module.
    fn type_defs(&mut self, raw: &[(wasmparser::SubType, Option<u32>, usize)], syms: &[Attr]) -> Result<(), TranslateError> {
        let (body, block) = self.top();
        let first = self.module.body(body).first_op(block);
        for (i, (st, group, off)) in raw.iter().enumerate() {
            let name = self.sym_name(syms[i]);
            let mut attrs: Vec<(&str, Attr)> = vec![("sym_name", self.ctx.string_attr(&name))];
            if let Some(g) = group {
                attrs.push(("rec", self.int(*g as u64)));
            }
            if !st.is_final {
                attrs.push(("open", self.ctx.unit_attr()));
            }
            if let Some(s) = st.supertype_idx.and_then(|s| s.as_module_index()) {
                let id = self.info.type_syms[s as usize];
                attrs.push(("super", self.ctx.symbol_attr(id)));
            }
            let i8t = self.ctx.int_type(8);
            let i16t = self.ctx.int_type(16);
            let storage = |ctx: &mut Context, info: &ModuleInfo, t: wasmparser::StorageType| -> Result<Type, TranslateError> {
                Ok(match t {
                    wasmparser::StorageType::I8 => i8t,
                    wasmparser::StorageType::I16 => i16t,
                    wasmparser::StorageType::Val(v) => val_type(ctx, info, v, *off)?,
                })
            };
            let mut fields: Vec<Attr> = Vec::new();
            let mut mutable: Vec<Attr> = Vec::new();
            let i64t = self.ctx.i64();
            match &st.composite_type.inner {
                CompositeInnerType::Func(_) => {
                    attrs.push(("func", self.ctx.unit_attr()));
                    let t = self.info.types[i].expect("function types are mapped");
                    fields.push(self.ctx.type_attr(t));
                }
                CompositeInnerType::Struct(s) => {
                    attrs.push(("struct", self.ctx.unit_attr()));
                    for (k, f) in s.fields.iter().enumerate() {
                        let t = storage(self.ctx, &self.info, f.element_type)?;
                        fields.push(self.ctx.type_attr(t));
                        if f.mutable {
                            mutable.push(self.ctx.int_attr(k as i128, i64t));
                        }
                    }
                }
                CompositeInnerType::Array(a) => {
                    attrs.push(("array", self.ctx.unit_attr()));
                    let t = storage(self.ctx, &self.info, a.0.element_type)?;
                    fields.push(self.ctx.type_attr(t));
                    if a.0.mutable {
                        mutable.push(self.ctx.int_attr(0, i64t));
                    }
                }
                _ => unreachable!("refused above"),
            }
            if !mutable.is_empty() {
                attrs.push(("mutable", self.ctx.attr(AttrData::Array(mutable.into_boxed_slice()))));
            }
            attrs.push(("fields", self.ctx.attr(AttrData::Array(fields.into_boxed_slice()))));
            let op = self.top_op("wasm.type", attrs, &[], &[]);
            if let Some(f) = first {
                let b = self.module.body_mut(body);
                b.detach_op(op);
                b.insert_op_before(op, f);
            }
        }
        Ok(())
    }

    /// The `typedef` of function `index` when its type is not identified by structure alone.
    fn typedef(&mut self, index: u32) -> Option<Attr> {
        let t = self.info.func_types[index as usize] as usize;
        (!self.info.plain[t]).then(|| self.ctx.symbol_attr(self.info.type_syms[t]))
    }

    fn top(&self) -> (BodyId, wasmir::Block) {
        self.module.module_block().expect("a new module has its block")
    }

    fn sym_name(&self, sym: Attr) -> String {
        match self.ctx.attr_data(sym) {
            AttrData::SymbolRef(p) => self.ctx.str(p[0]).to_string(),
            _ => unreachable!("symbols are symbol references"),
        }
    }

    fn import_attr(&mut self, import: Option<(&str, &str)>) -> Option<Attr> {
        let (m, n) = import?;
        let m = self.ctx.string_attr(m);
        let n = self.ctx.string_attr(n);
        Some(self.ctx.attr(AttrData::Array(Box::new([m, n]))))
    }

    /// Creates a module-level op at the end of the module.
    fn top_op(&mut self, name: &str, attrs: Vec<(&str, Attr)>, result_types: &[Type], regions: &[wasmir::Region]) -> wasmir::Op {
        let code = self.ctx.op_code(name);
        let entries: Vec<(wasmir::Ident, Attr)> = attrs.iter().map(|(k, v)| (self.ctx.ident(k), *v)).collect();
        let dict = self.ctx.dict_attr(entries);
        let loc = self.ctx.unknown_loc();
        let (body, block) = self.top();
        let b = self.module.body_mut(body);
        let op = b.create_op(code, &[], result_types, &[], regions, None, dict, loc);
        b.append_op(block, op);
        op
    }

    fn int(&mut self, v: u64) -> Attr {
        let t = self.ctx.i64();
        self.ctx.int_attr(v as i64 as i128, t)
    }

    /// Translates a constant expression into a new region of the module body ending in
    /// `wasm.yield`.
    fn const_region(&mut self, expr: &wasmparser::ConstExpr<'_>, result: Type) -> Result<wasmir::Region, TranslateError> {
        let (body, _) = self.top();
        let reader = expr.get_operators_reader();
        let mut t = FuncTranslator::new_const(self.ctx, &mut self.module, body, &self.info, &mut self.consts, result);
        t.translate(reader)?;
        Ok(t.finish_const())
    }

    fn item(&mut self, it: Pending<'_>, first_export: &[Option<String>], local_names: &names::LocalNames, pre: Option<Prescan>) -> Result<(), TranslateError> {
        match it {
            Pending::Func { index, import, body } => {
                let fty = self.info.func_type(index);
                let sym = self.info.func_syms[index as usize];
                let name = self.sym_name(sym);
                let TypeData::Function { params, results } = self.ctx.type_data(fty).clone() else { unreachable!() };
                let export = first_export[index as usize].clone();
                match body {
                    None => {
                        let mut extra = vec![];
                        if let Some(a) = self.import_attr(import) {
                            extra.push(("import", a));
                        }
                        if let Some(a) = self.typedef(index) {
                            extra.push(("typedef", a));
                        }
                        if self.exact_imports.contains(&index) {
                            extra.push(("exact", self.ctx.unit_attr()));
                        }
                        let mut b = wasmir::Builder::at_module_end(self.ctx, &mut self.module);
                        b.func_decl(&name, fty, &extra);
                    }
                    Some(fb) => {
                        let mut b = wasmir::Builder::at_module_end(self.ctx, &mut self.module);
                        let (fop, inner, entry) = b.func(&name, &params, &results, export.as_deref());
                        if let Some(a) = self.typedef(index) {
                            let k = self.ctx.ident("typedef");
                            let b = self.module.body_mut(fop.body);
                            let d = b.op(fop.op).attrs;
                            let d = self.ctx.dict_with(d, k, Some(a));
                            self.module.body_mut(fop.body).op_mut(fop.op).attrs = d;
                        }
                        let lnames = local_names.get(index);
                        let mut t = FuncTranslator::new_func(self.ctx, &mut self.module, inner, entry, &self.info, &mut self.consts, fty, lnames);
                        t.locals(&fb, &pre.unwrap_or_default())?;
                        let ops = fb.get_operators_reader().map_err(parse_err)?;
                        t.translate(ops)?;
                    }
                }
            }
            Pending::Table { index, ty, import, init, offset } => {
                let (t, _) = self.info.table_types[index as usize];
                let sym = self.info.table_syms[index as usize];
                let name = self.sym_name(sym);
                let mut attrs = vec![("sym_name", self.ctx.string_attr(&name)), ("min", self.int(ty.initial)), ("type", self.ctx.type_attr(t))];
                if let Some(m) = ty.maximum {
                    attrs.push(("max", self.int(m)));
                }
                if ty.table64 {
                    attrs.push(("i64", self.ctx.unit_attr()));
                }
                if ty.shared {
                    return Err(err("shared tables are not supported yet", offset));
                }
                if let Some(a) = self.import_attr(import) {
                    attrs.push(("import", a));
                }
                let regions = match init {
                    Some(e) => vec![self.const_region(&e, t)?],
                    None => vec![],
                };
                self.top_op("wasm.table", attrs, &[], &regions);
            }
            Pending::Memory { index, ty, import } => {
                let sym = self.info.memory_syms[index as usize];
                let name = self.sym_name(sym);
                let mut attrs = vec![("sym_name", self.ctx.string_attr(&name)), ("min", self.int(ty.initial))];
                if let Some(m) = ty.maximum {
                    attrs.push(("max", self.int(m)));
                }
                if ty.memory64 {
                    attrs.push(("i64", self.ctx.unit_attr()));
                }
                if ty.shared {
                    attrs.push(("shared", self.ctx.unit_attr()));
                }
                if let Some(l) = ty.page_size_log2 {
                    attrs.push(("page_size_log2", self.int(l as u64)));
                }
                if let Some(a) = self.import_attr(import) {
                    attrs.push(("import", a));
                }
                self.top_op("wasm.memory", attrs, &[], &[]);
            }
            Pending::Global { index, ty, import, init, .. } => {
                let t = self.info.global_types[index as usize];
                let sym = self.info.global_syms[index as usize];
                let name = self.sym_name(sym);
                let mut attrs = vec![("sym_name", self.ctx.string_attr(&name)), ("type", self.ctx.type_attr(t))];
                if ty.mutable {
                    attrs.push(("mutable", self.ctx.unit_attr()));
                }
                if let Some(a) = self.import_attr(import) {
                    attrs.push(("import", a));
                }
                let regions = match init {
                    Some(e) => vec![self.const_region(&e, t)?],
                    None => vec![],
                };
                self.top_op("wasm.global", attrs, &[], &regions);
            }
            Pending::Tag { index, import, ty } => {
                let t = self.info.tag_types[index as usize];
                let sym = self.info.tag_syms[index as usize];
                let name = self.sym_name(sym);
                let mut attrs = vec![("sym_name", self.ctx.string_attr(&name)), ("type", self.ctx.type_attr(t))];
                let ti = ty.func_type_idx as usize;
                if !self.info.plain[ti] {
                    attrs.push(("typedef", self.ctx.symbol_attr(self.info.type_syms[ti])));
                }
                if let Some(a) = self.import_attr(import) {
                    attrs.push(("import", a));
                }
                self.top_op("wasm.tag", attrs, &[], &[]);
            }
            Pending::Data { index, data } => {
                let sym = self.info.data_syms[index as usize];
                let name = self.sym_name(sym);
                let bytes = self.ctx.bytes_attr(data.data);
                let mut attrs = vec![("sym_name", self.ctx.string_attr(&name)), ("bytes", bytes)];
                let mut regions = vec![];
                if let wasmparser::DataKind::Active { memory_index, offset_expr } = &data.kind {
                    attrs.push(("memory", self.info.memory_syms[*memory_index as usize]));
                    let idx = if self.info.memory64[*memory_index as usize] { self.ctx.i64() } else { self.ctx.i32() };
                    regions.push(self.const_region(offset_expr, idx)?);
                }
                self.top_op("wasm.data", attrs, &[], &regions);
            }
            Pending::Elem { index, elem } => {
                let sym = self.info.elem_syms[index as usize];
                let name = self.sym_name(sym);
                let (ty, items) = match &elem.items {
                    ElementItems::Functions(_) => (self.ctx.ty(TypeData::Ref(HeapType::Func)), None),
                    ElementItems::Expressions(rt, exprs) => (ref_type(self.ctx, &self.info, *rt, elem.range.start)?, Some(exprs.clone())),
                };
                let mut attrs = vec![("sym_name", self.ctx.string_attr(&name)), ("type", self.ctx.type_attr(ty))];
                let (body, _) = self.top();
                // The items region: one value per item, all yielded at once.
                let mut t = FuncTranslator::new_const(self.ctx, &mut self.module, body, &self.info, &mut self.consts, ty);
                match (&elem.items, items) {
                    (ElementItems::Functions(funcs), _) => {
                        for f in funcs.clone() {
                            let f = f.map_err(parse_err)?;
                            t.push_ref_func(f);
                        }
                    }
                    (_, Some(exprs)) => {
                        for e in exprs {
                            let e = e.map_err(parse_err)?;
                            t.translate_item(e.get_operators_reader())?;
                        }
                    }
                    _ => unreachable!(),
                }
                let items_region = t.finish_items(ty);
                let mut regions = vec![items_region];
                match &elem.kind {
                    ElementKind::Active { table_index, offset_expr } => {
                        let ti = table_index.unwrap_or(0) as usize;
                        attrs.push(("table", self.info.table_syms[ti]));
                        let idx = if self.info.table_types[ti].1 { self.ctx.i64() } else { self.ctx.i32() };
                        regions.push(self.const_region(offset_expr, idx)?);
                    }
                    ElementKind::Declared => attrs.push(("declare", self.ctx.unit_attr())),
                    ElementKind::Passive => {}
                }
                self.top_op("wasm.elem", attrs, &[], &regions);
            }
            Pending::Export { export } => {
                let sym = match export.kind {
                    ExternalKind::Func | ExternalKind::FuncExact => {
                        if first_export[export.index as usize].as_deref() == Some(export.name) {
                            return Ok(()); // written in the function's signature
                        }
                        self.info.func_syms[export.index as usize]
                    }
                    ExternalKind::Table => self.info.table_syms[export.index as usize],
                    ExternalKind::Memory => self.info.memory_syms[export.index as usize],
                    ExternalKind::Global => self.info.global_syms[export.index as usize],
                    ExternalKind::Tag => self.info.tag_syms[export.index as usize],
                };
                let name = self.ctx.string_attr(export.name);
                self.top_op("wasm.export", vec![("name", name), ("target", sym)], &[], &[]);
            }
            Pending::Start { func } => {
                let sym = self.info.func_syms[func as usize];
                self.top_op("wasm.start", vec![("function", sym)], &[], &[]);
            }
            Pending::Custom { name, data, after } => {
                let n = self.ctx.string_attr(name);
                let d = self.ctx.bytes_attr(data);
                let mut attrs = vec![("name", n), ("bytes", d)];
                if let Some(a) = after {
                    attrs.push(("after", self.ctx.string_attr(a)));
                }
                self.top_op("wasm.custom", attrs, &[], &[]);
            }
        }
        Ok(())
    }
}
