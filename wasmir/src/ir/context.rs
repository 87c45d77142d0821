//! The context: interned strings, types, attributes and locations, and the op registry.
//!
//! Interning makes equality a `u32` compare and keeps each distinct type or attribute stored
//! once, however many ops use it.
use super::entities::{Attr, Ident, Loc, OpCode, Type};
use crate::dialect::{Dialect, OpDef};
use cranelift_entity::{EntityRef, PrimaryMap};
use rustc_hash::FxHashMap;
use std::hash::Hash;

/// Scalar and reference types. Dialect types the core does not know are kept verbatim.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum TypeData {
    /// `iN`: an integer of N bits (wasm uses i32 and i64; Rust lowering uses the others).
    Int(u16),
    /// `f32` / `f64`.
    Float(FloatKind),
    /// `v128`.
    V128,
    /// A nullable reference to an abstract heap type (`funcref`, `externref`, …).
    Ref(HeapType),
    /// Any other reference type: non-nullable, exact or to a defined type (`wasm.type @t`):
    /// `!wasm.ref<null @t>`, `!wasm.ref<func>`, `!wasm.ref<exact @t>`. The nullable abstract
    /// ones are always [`TypeData::Ref`]; [`Context::ref_type`] normalizes.
    RefTo { nullable: bool, exact: bool, heap: RefHeap },
    /// `(T, …) -> (R, …)`.
    Function { params: Box<[Type]>, results: Box<[Type]> },
    /// `!own.linear<T>`, `!own.affine<T>`, `!own.borrow<T>`: a value of type `T` with an
    /// ownership discipline, checked by `--linearity-check` (see docs/architecture/ownership.md).
    /// `inner` is never itself an ownership type.
    Owned { kind: OwnKind, inner: Type },
    /// A Component Model value type of the `cm` dialect (`!cm.string`, `!cm.list<!cm.u8>`,
    /// `!cm.own<@key-pair>`); see `crate::dialect::cm` and docs/architecture/component-model.md.
    Cm(CmType),
    /// `!dialect.name<…>` of a dialect that has no type parser: the text after `!`, verbatim.
    Opaque(Ident),
    /// The type of a value referenced before its definition, until an op or the definition
    /// fixes it (parser-internal; never in a finished module).
    Unknown,
}

/// A Component Model value type (WIT's types). Nominal types (records, variants, enums, flags,
/// resources, aliases) are declared by `cm.*` ops and referred to by a symbol path, resolved from
/// the nearest enclosing symbol table (`@point` inside the declaring `cm.interface`,
/// `@"ns:pkg/iface"::@point` from a function of the module).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum CmType {
    Prim(CmPrim),
    List(Type),
    Option(Type),
    /// `result<ok, err>`; either side may be absent (`_`).
    Result { ok: Option<Type>, err: Option<Type> },
    Tuple(Box<[Type]>),
    /// `!cm.type<@name>`: a record, variant, enum, flags or alias declared by a `cm.*` op.
    Named(Box<[Ident]>),
    /// `!cm.own<@resource>`: an owning handle, a linear value for `--linearity-check`.
    Own(Box<[Ident]>),
    /// `!cm.borrow<@resource>`: a handle borrowed for the duration of a call.
    Borrow(Box<[Ident]>),
}

/// WIT's primitive types, spelled as in WIT (`!cm.bool`, `!cm.s8`, …, `!cm.string`).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum CmPrim {
    Bool,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    S64,
    U64,
    F32,
    F64,
    Char,
    String,
}

impl CmPrim {
    pub const ALL: [CmPrim; 13] = [
        CmPrim::Bool,
        CmPrim::S8,
        CmPrim::U8,
        CmPrim::S16,
        CmPrim::U16,
        CmPrim::S32,
        CmPrim::U32,
        CmPrim::S64,
        CmPrim::U64,
        CmPrim::F32,
        CmPrim::F64,
        CmPrim::Char,
        CmPrim::String,
    ];
    /// The WIT name, which is also the type's name in the `cm` dialect.
    pub fn name(self) -> &'static str {
        match self {
            CmPrim::Bool => "bool",
            CmPrim::S8 => "s8",
            CmPrim::U8 => "u8",
            CmPrim::S16 => "s16",
            CmPrim::U16 => "u16",
            CmPrim::S32 => "s32",
            CmPrim::U32 => "u32",
            CmPrim::S64 => "s64",
            CmPrim::U64 => "u64",
            CmPrim::F32 => "f32",
            CmPrim::F64 => "f64",
            CmPrim::Char => "char",
            CmPrim::String => "string",
        }
    }
}

/// The ownership discipline of an [`TypeData::Owned`] value.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum OwnKind {
    /// Used exactly once on every path.
    Linear,
    /// Used at most once; may be left unused.
    Affine,
    /// A shared borrow of an owned value: freely copied, valid while its owner is not consumed.
    Borrow,
}

impl OwnKind {
    /// The type's name in the `own` dialect (`linear`, `affine`, `borrow`).
    pub fn name(self) -> &'static str {
        match self {
            OwnKind::Linear => "linear",
            OwnKind::Affine => "affine",
            OwnKind::Borrow => "borrow",
        }
    }
}

#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum FloatKind {
    F32,
    F64,
}

/// What a reference points to: an abstract heap type or a defined type, by symbol.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum RefHeap {
    Abstract(HeapType),
    Defined(Ident),
}

/// The abstract heap types of WebAssembly 3.0.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum HeapType {
    Func,
    Extern,
    Any,
    Eq,
    I31,
    Struct,
    Array,
    Exn,
    None,
    NoFunc,
    NoExtern,
    NoExn,
}

impl HeapType {
    pub const ALL: [HeapType; 12] = [
        HeapType::Func,
        HeapType::Extern,
        HeapType::Any,
        HeapType::Eq,
        HeapType::I31,
        HeapType::Struct,
        HeapType::Array,
        HeapType::Exn,
        HeapType::None,
        HeapType::NoFunc,
        HeapType::NoExtern,
        HeapType::NoExn,
    ];
    /// The heap type's own name (`func`, `extern`, `none`, …).
    pub fn heap_name(self) -> &'static str {
        match self {
            HeapType::Func => "func",
            HeapType::Extern => "extern",
            HeapType::Any => "any",
            HeapType::Eq => "eq",
            HeapType::I31 => "i31",
            HeapType::Struct => "struct",
            HeapType::Array => "array",
            HeapType::Exn => "exn",
            HeapType::None => "none",
            HeapType::NoFunc => "nofunc",
            HeapType::NoExtern => "noextern",
            HeapType::NoExn => "noexn",
        }
    }
    /// The shorthand name of the nullable reference type (`funcref`, …).
    pub fn ref_name(self) -> &'static str {
        match self {
            HeapType::Func => "funcref",
            HeapType::Extern => "externref",
            HeapType::Any => "anyref",
            HeapType::Eq => "eqref",
            HeapType::I31 => "i31ref",
            HeapType::Struct => "structref",
            HeapType::Array => "arrayref",
            HeapType::Exn => "exnref",
            HeapType::None => "nullref",
            HeapType::NoFunc => "nullfuncref",
            HeapType::NoExtern => "nullexternref",
            HeapType::NoExn => "nullexnref",
        }
    }
}

/// Attribute values: compile-time constants attached to ops.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum AttrData {
    /// A present-but-valueless attribute: `{inline}`.
    Unit,
    Bool(bool),
    /// An integer with its type; the value is kept sign-extended from the type's width, so every
    /// bit pattern has one representation.
    Int { value: i128, ty: Type },
    /// A float with its type; `bits` are the IEEE bits of that width (NaN payloads survive).
    Float { bits: u64, ty: Type },
    String(Ident),
    /// A byte string that is not UTF-8 (wasm data segments, custom sections); written as a
    /// string literal with `\XX` escapes, and read back as this when the bytes are not UTF-8.
    Bytes(Box<[u8]>),
    Type(Type),
    /// `@a` or a nested reference `@a::@b`.
    SymbolRef(Box<[Ident]>),
    Array(Box<[Attr]>),
    /// Sorted by key, keys unique.
    Dict(Box<[(Ident, Attr)]>),
    /// `#dialect.name<…>` of a dialect that has no attribute parser: the text after `#`.
    Opaque(Ident),
}

/// Source locations, as in MLIR.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum LocData {
    Unknown,
    /// `"file":line:col`
    FileLineCol { file: Ident, line: u32, col: u32 },
    /// `"name"(child)` — a named location, e.g. a variable name.
    Name { name: Ident, child: Loc },
    /// `callsite(callee at caller)`
    CallSite { callee: Loc, caller: Loc },
    /// `fused[a, b]` or `fused<#meta>[a, b]`
    Fused { locs: Box<[Loc]>, metadata: Option<Attr> },
}

/// A hash-consing table: each distinct value stored once, addressed by a typed handle.
#[derive(Clone)]
pub struct Interner<K: EntityRef, V: Clone + Eq + Hash> {
    items: PrimaryMap<K, V>,
    map: FxHashMap<V, K>,
}

impl<K: EntityRef, V: Clone + Eq + Hash> Default for Interner<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: EntityRef, V: Clone + Eq + Hash> Interner<K, V> {
    pub fn new() -> Self {
        Interner { items: PrimaryMap::new(), map: FxHashMap::default() }
    }
    pub fn intern(&mut self, v: V) -> K {
        if let Some(&k) = self.map.get(&v) {
            return k;
        }
        let k = self.items.push(v.clone());
        self.map.insert(v, k);
        k
    }
    pub fn get(&self, v: &V) -> Option<K> {
        self.map.get(v).copied()
    }
    /// The value behind a handle.
    pub fn data(&self, k: K) -> &V {
        &self.items[k]
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// What the context knows about an op name.
#[derive(Clone)]
pub struct OpInfo {
    pub name: Box<str>,
    /// `None` for ops of unregistered dialects (kept only in generic form).
    pub def: Option<&'static OpDef>,
}

/// Owns every interned entity and the dialect registry. One context serves many modules.
#[derive(Clone)]
pub struct Context {
    strings: PrimaryMap<Ident, Box<str>>,
    string_map: FxHashMap<Box<str>, Ident>,
    types: Interner<Type, TypeData>,
    attrs: Interner<Attr, AttrData>,
    locs: Interner<Loc, LocData>,
    ops: PrimaryMap<OpCode, OpInfo>,
    op_map: FxHashMap<Box<str>, OpCode>,
    /// Short custom-form names (`module` for `builtin.module`).
    custom_names: FxHashMap<&'static str, OpCode>,
    dialects: Vec<&'static Dialect>,
    pub(crate) common: Common,
}

/// Handles created once so hot paths need no hashing.
#[derive(Clone, Copy)]
pub struct Common {
    pub i1: Type,
    pub i32: Type,
    pub i64: Type,
    pub f32: Type,
    pub f64: Type,
    pub v128: Type,
    pub label: Type,
    pub local: Type,
    pub empty_dict: Attr,
    pub unknown_loc: Loc,
    pub unit: Attr,
}

impl Default for Context {
    fn default() -> Self {
        Self::new()
    }
}

impl Context {
    /// A context with the built-in dialects (`builtin`, `func`, `cf`, `wasm`) registered.
    pub fn new() -> Self {
        let mut ctx = Self::empty();
        for d in crate::dialect::builtin_dialects() {
            ctx.register_dialect(d);
        }
        ctx
    }

    /// A context with no dialect registered at all.
    pub fn empty() -> Self {
        let mut types = Interner::new();
        let mut attrs = Interner::new();
        let mut locs = Interner::new();
        let mut strings: PrimaryMap<Ident, Box<str>> = PrimaryMap::new();
        let mut string_map: FxHashMap<Box<str>, Ident> = FxHashMap::default();
        let mut pre = |s: &str| {
            let id = strings.push(s.into());
            string_map.insert(s.into(), id);
            id
        };
        let (label, local) = (pre("wasm.label"), pre("wasm.local"));
        let common = Common {
            label: types.intern(TypeData::Opaque(label)),
            local: types.intern(TypeData::Opaque(local)),
            i1: types.intern(TypeData::Int(1)),
            i32: types.intern(TypeData::Int(32)),
            i64: types.intern(TypeData::Int(64)),
            f32: types.intern(TypeData::Float(FloatKind::F32)),
            f64: types.intern(TypeData::Float(FloatKind::F64)),
            v128: types.intern(TypeData::V128),
            empty_dict: attrs.intern(AttrData::Dict(Box::new([]))),
            unit: attrs.intern(AttrData::Unit),
            unknown_loc: locs.intern(LocData::Unknown),
        };
        Context {
            strings,
            string_map,
            types,
            attrs,
            locs,
            ops: PrimaryMap::new(),
            op_map: FxHashMap::default(),
            custom_names: FxHashMap::default(),
            dialects: Vec::new(),
            common,
        }
    }

    /// Registers a dialect and all its ops. A dialect registered twice is ignored the second
    /// time; an op name already taken by another dialect is an error.
    pub fn register_dialect(&mut self, dialect: &'static Dialect) {
        if self.dialects.iter().any(|d| std::ptr::eq(*d, dialect) || d.name == dialect.name) {
            return;
        }
        self.dialects.push(dialect);
        for def in dialect.all_ops() {
            debug_assert!(
                def.name.starts_with(dialect.name) && def.name[dialect.name.len()..].starts_with('.'),
                "op {} does not belong to dialect {}",
                def.name,
                dialect.name
            );
            let code = match self.op_map.get(def.name) {
                Some(&code) => {
                    self.ops[code].def = Some(def);
                    code
                }
                None => {
                    let code = self.ops.push(OpInfo { name: def.name.into(), def: Some(def) });
                    self.op_map.insert(def.name.into(), code);
                    code
                }
            };
            if let Some(short) = def.custom_name {
                self.custom_names.insert(short, code);
            }
        }
    }

    pub fn dialects(&self) -> &[&'static Dialect] {
        &self.dialects
    }

    pub fn is_dialect_registered(&self, name: &str) -> bool {
        self.dialects.iter().any(|d| d.name == name)
    }

    /// The op code for `name`, registered or not (unregistered names get a code with no def).
    pub fn op_code(&mut self, name: &str) -> OpCode {
        if let Some(&c) = self.op_map.get(name) {
            return c;
        }
        let c = self.ops.push(OpInfo { name: name.into(), def: None });
        self.op_map.insert(name.into(), c);
        c
    }

    pub fn lookup_op(&self, name: &str) -> Option<OpCode> {
        self.op_map.get(name).copied()
    }

    /// The op written as `name` in custom form: its full name or its short custom name.
    pub fn lookup_custom_op(&self, name: &str) -> Option<OpCode> {
        self.custom_names.get(name).or_else(|| self.op_map.get(name)).copied()
    }

    pub fn op_info(&self, code: OpCode) -> &OpInfo {
        &self.ops[code]
    }

    pub fn op_name(&self, code: OpCode) -> &str {
        &self.ops[code].name
    }

    pub fn op_def(&self, code: OpCode) -> Option<&'static OpDef> {
        self.ops[code].def
    }

    // ---- strings ----
    pub fn ident(&mut self, s: &str) -> Ident {
        if let Some(&i) = self.string_map.get(s) {
            return i;
        }
        let i = self.strings.push(s.into());
        self.string_map.insert(s.into(), i);
        i
    }
    pub fn lookup_ident(&self, s: &str) -> Option<Ident> {
        self.string_map.get(s).copied()
    }
    pub fn str(&self, i: Ident) -> &str {
        &self.strings[i]
    }

    // ---- types ----
    pub fn ty(&mut self, data: TypeData) -> Type {
        self.types.intern(data)
    }
    pub fn type_data(&self, t: Type) -> &TypeData {
        &self.types.items[t]
    }
    pub fn int_type(&mut self, bits: u16) -> Type {
        self.ty(TypeData::Int(bits))
    }
    pub fn function_type(&mut self, params: &[Type], results: &[Type]) -> Type {
        self.ty(TypeData::Function { params: params.into(), results: results.into() })
    }
    pub fn i32(&self) -> Type {
        self.common.i32
    }
    pub fn i64(&self) -> Type {
        self.common.i64
    }
    pub fn f32(&self) -> Type {
        self.common.f32
    }
    pub fn f64(&self) -> Type {
        self.common.f64
    }
    pub fn i1(&self) -> Type {
        self.common.i1
    }
    pub fn v128(&self) -> Type {
        self.common.v128
    }
    /// `!wasm.label`.
    pub fn label_type(&self) -> Type {
        self.common.label
    }
    /// `!wasm.local`.
    pub fn local_type(&self) -> Type {
        self.common.local
    }
    /// Whether `t` is a reference type.
    pub fn is_ref(&self, t: Type) -> bool {
        matches!(self.type_data(t), TypeData::Ref(_) | TypeData::RefTo { .. })
    }
    /// A reference type, in its canonical form (`funcref` rather than `!wasm.ref<null func>`).
    pub fn ref_type(&mut self, nullable: bool, exact: bool, heap: RefHeap) -> Type {
        match heap {
            RefHeap::Abstract(h) if nullable && !exact => self.ty(TypeData::Ref(h)),
            _ => self.ty(TypeData::RefTo { nullable, exact, heap }),
        }
    }
    /// The parts of a reference type: nullable, exact, heap.
    pub fn ref_parts(&self, t: Type) -> Option<(bool, bool, RefHeap)> {
        match self.type_data(t) {
            TypeData::Ref(h) => Some((true, false, RefHeap::Abstract(*h))),
            TypeData::RefTo { nullable, exact, heap } => Some((*nullable, *exact, *heap)),
            _ => None,
        }
    }
    /// An ownership type `!own.KIND<inner>`.
    pub fn owned_type(&mut self, kind: OwnKind, inner: Type) -> Type {
        self.ty(TypeData::Owned { kind, inner })
    }
    /// The parts of an ownership type: its kind and the type it wraps.
    pub fn owned_parts(&self, t: Type) -> Option<(OwnKind, Type)> {
        match self.type_data(t) {
            TypeData::Owned { kind, inner } => Some((*kind, *inner)),
            _ => None,
        }
    }
    /// A Component Model type of the `cm` dialect.
    pub fn cm_type(&mut self, t: CmType) -> Type {
        self.ty(TypeData::Cm(t))
    }
    /// The Component Model type `t` is, if it is one.
    pub fn cm_parts(&self, t: Type) -> Option<&CmType> {
        match self.type_data(t) {
            TypeData::Cm(c) => Some(c),
            _ => None,
        }
    }
    /// How `--linearity-check` treats values of type `t`: the `own` dialect's kinds, and
    /// Component Model handles (`!cm.own<@r>` linear, `!cm.borrow<@r>` a borrow).
    pub fn linearity(&self, t: Type) -> Option<OwnKind> {
        match self.type_data(t) {
            TypeData::Owned { kind, .. } => Some(*kind),
            TypeData::Cm(CmType::Own(_)) => Some(OwnKind::Linear),
            TypeData::Cm(CmType::Borrow(_)) => Some(OwnKind::Borrow),
            _ => None,
        }
    }
    /// A string attribute for UTF-8 bytes, a byte-string attribute otherwise.
    pub fn bytes_attr(&mut self, bytes: &[u8]) -> Attr {
        match std::str::from_utf8(bytes) {
            Ok(s) => self.string_attr(s),
            Err(_) => self.attr(AttrData::Bytes(bytes.into())),
        }
    }
    /// The bytes of a string or byte-string attribute.
    pub fn attr_bytes(&self, a: Attr) -> Option<&[u8]> {
        match self.attr_data(a) {
            AttrData::String(s) => Some(self.str(*s).as_bytes()),
            AttrData::Bytes(b) => Some(b),
            _ => None,
        }
    }
    /// The width of an integer type, if `t` is one.
    pub fn int_width(&self, t: Type) -> Option<u16> {
        match self.type_data(t) {
            TypeData::Int(w) => Some(*w),
            _ => None,
        }
    }
    pub fn float_kind(&self, t: Type) -> Option<FloatKind> {
        match self.type_data(t) {
            TypeData::Float(k) => Some(*k),
            _ => None,
        }
    }

    // ---- attributes ----
    pub fn attr(&mut self, data: AttrData) -> Attr {
        self.attrs.intern(data)
    }
    pub fn attr_data(&self, a: Attr) -> &AttrData {
        &self.attrs.items[a]
    }
    pub fn empty_dict(&self) -> Attr {
        self.common.empty_dict
    }
    pub fn unit_attr(&self) -> Attr {
        self.common.unit
    }
    pub fn string_attr(&mut self, s: &str) -> Attr {
        let i = self.ident(s);
        self.attr(AttrData::String(i))
    }
    pub fn type_attr(&mut self, t: Type) -> Attr {
        self.attr(AttrData::Type(t))
    }
    pub fn symbol_attr(&mut self, s: Ident) -> Attr {
        self.attr(AttrData::SymbolRef(Box::new([s])))
    }
    /// An integer attribute of type `ty`; `value` is wrapped to the type's width and sign-extended.
    pub fn int_attr(&mut self, value: i128, ty: Type) -> Attr {
        let value = match self.int_width(ty) {
            Some(w) if w < 128 => {
                let shift = 128 - u32::from(w);
                (value << shift) >> shift
            }
            _ => value,
        };
        self.attr(AttrData::Int { value, ty })
    }
    pub fn float_attr(&mut self, bits: u64, ty: Type) -> Attr {
        self.attr(AttrData::Float { bits, ty })
    }
    /// A dictionary attribute; entries are sorted by key name and must have unique keys.
    pub fn dict_attr(&mut self, mut entries: Vec<(Ident, Attr)>) -> Attr {
        if entries.is_empty() {
            return self.common.empty_dict;
        }
        entries.sort_by(|a, b| self.strings[a.0].cmp(&self.strings[b.0]));
        self.attr(AttrData::Dict(entries.into_boxed_slice()))
    }
    /// Entries of a dictionary attribute (empty for any other attribute).
    pub fn dict_entries(&self, a: Attr) -> &[(Ident, Attr)] {
        match self.attr_data(a) {
            AttrData::Dict(e) => e,
            _ => &[],
        }
    }
    /// Looks `key` up in dictionary `dict`.
    pub fn dict_get(&self, dict: Attr, key: &str) -> Option<Attr> {
        let entries = self.dict_entries(dict);
        // Op dictionaries hold a few entries: comparing their keys is cheaper than hashing `key`.
        if entries.len() <= 8 {
            return entries.iter().find(|(n, _)| &*self.strings[*n] == key).map(|(_, a)| *a);
        }
        let k = self.lookup_ident(key)?;
        entries.iter().find(|(n, _)| *n == k).map(|(_, a)| *a)
    }
    /// `dict` with `key` set to `value` (or removed when `value` is `None`).
    pub fn dict_with(&mut self, dict: Attr, key: Ident, value: Option<Attr>) -> Attr {
        let mut entries: Vec<(Ident, Attr)> =
            self.dict_entries(dict).iter().copied().filter(|(k, _)| *k != key).collect();
        if let Some(v) = value {
            entries.push((key, v));
        }
        self.dict_attr(entries)
    }

    // ---- locations ----
    pub fn loc(&mut self, data: LocData) -> Loc {
        self.locs.intern(data)
    }
    pub fn loc_data(&self, l: Loc) -> &LocData {
        &self.locs.items[l]
    }
    pub fn unknown_loc(&self) -> Loc {
        self.common.unknown_loc
    }
    pub fn file_loc(&mut self, file: &str, line: u32, col: u32) -> Loc {
        let file = self.ident(file);
        self.loc(LocData::FileLineCol { file, line, col })
    }
    /// The source position a location names, as `file:line:col`: its own, a named location's,
    /// a call site's caller (where the code the diagnostic is about was written, inlined or not),
    /// or a fused location's first one that has a position. Without recursion.
    pub fn source_position(&self, l: Loc) -> Option<String> {
        let mut todo = vec![l];
        while let Some(l) = todo.pop() {
            match self.loc_data(l) {
                LocData::Unknown => {}
                LocData::FileLineCol { file, line, col } => return Some(format!("{}:{line}:{col}", self.str(*file))),
                LocData::Name { child, .. } => todo.push(*child),
                LocData::CallSite { caller, .. } => todo.push(*caller),
                LocData::Fused { locs, .. } => todo.extend(locs.iter().rev()),
            }
        }
        None
    }

    /// Looks a type up without interning it (for read-only callers).
    pub fn find_type(&self, data: &TypeData) -> Option<Type> {
        self.types.get(data)
    }
}
