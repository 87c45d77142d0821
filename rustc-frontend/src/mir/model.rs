//! The typed model of rustc's textual MIR.
//!
//! Everything lives in arenas indexed by `u32` handles: strings, types and paths are interned once
//! per file in [`Interner`]; each [`Body`] owns its locals, blocks, statements, place projections
//! and constants in flat vectors. Nothing here is recursive through `Box`: a type refers to its
//! parts by [`Ty`] handle, a place to its projections by a range of the body's `projs`.
use cranelift_entity::{PrimaryMap, entity_impl};
use rustc_hash::FxHashMap;
use std::ops::Range;

/// An interned string.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(u32);
entity_impl!(Sym, "sym");

/// An interned type.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ty(u32);
entity_impl!(Ty, "ty");

/// An interned path (`core::option::Option::<T>::Some`, `<u32 as fmt::Display>::fmt`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PathId(u32);
entity_impl!(PathId, "path");

/// A local of a body: `_0` is the return place, `_1..=_n` the arguments.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Local(u32);
entity_impl!(Local, "_");

/// A basic block of a body.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Block(u32);
entity_impl!(Block, "bb");

/// A source scope of a body (`scope 3 { … }`); scope 0 is the outermost.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope(u32);
entity_impl!(Scope, "scope");

/// A constant operand of a body.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConstId(u32);
entity_impl!(ConstId, "const");

/// A body in a [`MirFile`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BodyId(u32);
entity_impl!(BodyId, "body");

/// How rustc names a closure: by its span (`{closure@FILE:L:C: L:C}`), or for a closure of
/// another crate by its path (`{closure@core::iter::Iterator::for_each::call<T, F>::{closure#0}}`,
/// kept as text).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ClosureRef {
    Span(SrcSpan),
    Path(Sym),
    /// Not printed by rustc: the closure of a generic body as one instance of the body builds
    /// it, with its captures' types (a tuple). The lowering makes it from the aggregate that
    /// builds the closure, as the span alone does not tell instances apart.
    Instance(SrcSpan, Ty),
}

/// A source range `file:line:col: line:col` (1-based, as rustc prints it).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct SrcSpan {
    pub file: Sym,
    pub lo_line: u32,
    pub lo_col: u32,
    pub hi_line: u32,
    pub hi_col: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum IntTy {
    I8,
    I16,
    I32,
    I64,
    I128,
    Isize,
    U8,
    U16,
    U32,
    U64,
    U128,
    Usize,
}

impl IntTy {
    pub fn from_name(s: &str) -> Option<IntTy> {
        Some(match s {
            "i8" => IntTy::I8,
            "i16" => IntTy::I16,
            "i32" => IntTy::I32,
            "i64" => IntTy::I64,
            "i128" => IntTy::I128,
            "isize" => IntTy::Isize,
            "u8" => IntTy::U8,
            "u16" => IntTy::U16,
            "u32" => IntTy::U32,
            "u64" => IntTy::U64,
            "u128" => IntTy::U128,
            "usize" => IntTy::Usize,
            _ => return None,
        })
    }
    pub fn is_signed(self) -> bool {
        matches!(
            self,
            IntTy::I8 | IntTy::I16 | IntTy::I32 | IntTy::I64 | IntTy::I128 | IntTy::Isize
        )
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum FloatTy {
    F16,
    F32,
    F64,
    F128,
}

impl FloatTy {
    pub fn from_name(s: &str) -> Option<FloatTy> {
        Some(match s {
            "f16" => FloatTy::F16,
            "f32" => FloatTy::F32,
            "f64" => FloatTy::F64,
            "f128" => FloatTy::F128,
            _ => return None,
        })
    }
}

/// A generic argument in a path or type.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum GenericArg {
    Ty(Ty),
    Lifetime(Sym),
    Const(ConstArg),
    /// `Item = T` in `Iterator<Item = T>`.
    Binding(Sym, Ty),
}

/// A constant in type position: an array length, a const generic argument.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ConstArg {
    /// A literal: the value as bits (negative values sign-extended to 128 bits).
    Int(u128),
    Bool(bool),
    Char(char),
    /// A const parameter (`N`) or a path to a constant (`core::::num::{impl#7}::f::{constant#0}`).
    Path(PathId),
    /// Source text rustc printed for an anonymous constant (`{ N + 1 }`), verbatim.
    Raw(Sym),
}

/// What a path segment names.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum SegName {
    Ident(Sym),
    /// `<impl at FILE:L:C: L:C>`: an impl block, named by its span (body names).
    ImplAt(SrcSpan),
    /// `<impl u32>` or `<impl Trait for T>`: an impl block, named by its header (call sites).
    Impl {
        trait_: Option<PathId>,
        self_ty: Ty,
    },
    /// `{constant#0}`, `{closure#1}`, `{impl#7}`: a disambiguated anonymous item.
    Anon {
        kind: Sym,
        index: u32,
    },
    /// `promoted[0]`.
    Promoted(u32),
    /// An empty segment (`core::::num` in rustc's print of anonymous constants).
    Empty,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Segment {
    pub name: SegName,
    pub args: Box<[GenericArg]>,
    /// `Fn(A, B) -> C` sugar: the arguments and the output (as a tuple and a type).
    pub paren_sugar: Option<(Box<[Ty]>, Option<Ty>)>,
}

/// The qualified self of a path: `<T as Trait>::…` or `<[T]>::…`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct QSelf {
    pub self_ty: Ty,
    pub trait_: Option<PathId>,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Path {
    pub qself: Option<QSelf>,
    pub segments: Box<[Segment]>,
}

/// A trait bound of a `dyn` or `impl` type, with its modifiers as rustc printed them (`?`,
/// `[const]`, `for<'a>`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Bound {
    pub modifiers: Option<Sym>,
    pub path: PathId,
}

/// A function pointer signature (`for<'a> unsafe extern "C" fn(&'a u8, ...) -> u8`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct FnSig {
    pub binder: Box<[Sym]>,
    pub is_unsafe: bool,
    pub abi: Option<Sym>,
    pub inputs: Box<[Ty]>,
    pub c_variadic: bool,
    /// `None` when rustc printed no `->` (the unit type).
    pub output: Option<Ty>,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum TyKind {
    Bool,
    Char,
    Str,
    Never,
    Int(IntTy),
    Float(FloatTy),
    Ref {
        region: Option<Sym>,
        mutable: bool,
        pointee: Ty,
    },
    RawPtr {
        mutable: bool,
        pointee: Ty,
    },
    Slice(Ty),
    Array(Ty, ConstArg),
    Tuple(Box<[Ty]>),
    /// A named type: an ADT, a type parameter (`T`), a foreign type; `<T as Trait>::Assoc` is a
    /// path with a qualified self.
    Path(PathId),
    FnPtr(FnSig),
    /// A function item: its signature and the path rustc printed in braces.
    FnDef(FnSig, PathId),
    /// `dyn A + B + 'r`: the bounds in order.
    Dyn {
        bounds: Box<[Bound]>,
        region: Option<Sym>,
    },
    /// `impl Trait + Send + 'a`.
    Opaque {
        bounds: Box<[Bound]>,
        region: Option<Sym>,
    },
    /// `{closure@FILE:L:C: L:C}`.
    Closure(ClosureRef),
    /// `{coroutine@…}`, `{async fn body of …}`, `{coroutine-closure@…}`: kept as text.
    Coroutine(Sym),
    /// `(u32) is 1..`: a pattern type, the pattern kept as text.
    Pattern(Ty, Sym),
}

/// Interned strings, types and paths, shared by all bodies of a file.
#[derive(Default)]
pub struct Interner {
    syms: PrimaryMap<Sym, Box<str>>,
    sym_map: FxHashMap<Box<str>, Sym>,
    tys: wasmir::Interner<Ty, TyKind>,
    paths: wasmir::Interner<PathId, Path>,
}

impl Interner {
    pub fn sym(&mut self, s: &str) -> Sym {
        if let Some(&id) = self.sym_map.get(s) {
            return id;
        }
        let id = self.syms.push(s.into());
        self.sym_map.insert(s.into(), id);
        id
    }
    pub fn str(&self, s: Sym) -> &str {
        &self.syms[s]
    }
    pub fn ty(&mut self, kind: TyKind) -> Ty {
        self.tys.intern(kind)
    }
    /// The type of this kind if it was interned already.
    pub fn lookup_ty(&self, kind: &TyKind) -> Option<Ty> {
        self.tys.get(kind)
    }
    pub fn ty_kind(&self, t: Ty) -> &TyKind {
        self.tys.data(t)
    }
    pub fn path(&mut self, p: Path) -> PathId {
        self.paths.intern(p)
    }
    /// The path if it was interned already.
    pub fn lookup_path(&self, p: &Path) -> Option<PathId> {
        self.paths.get(p)
    }
    pub fn path_data(&self, p: PathId) -> &Path {
        self.paths.data(p)
    }
    pub fn num_types(&self) -> usize {
        self.tys.len()
    }
    pub fn num_paths(&self) -> usize {
        self.paths.len()
    }
    pub fn num_syms(&self) -> usize {
        self.syms.len()
    }
}

/// One projection of a place, outermost last.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Proj {
    Deref,
    /// `.N: T`: field N, of type T.
    Field(u32, Ty),
    /// `as Variant` (the variant's name) or `as variant#N`.
    Downcast(Option<Sym>, Option<u32>),
    /// `[_3]`.
    Index(Local),
    /// `[3 of 5]` or `[-3 of 5]`.
    ConstantIndex {
        offset: u64,
        min_length: u64,
        from_end: bool,
    },
    /// `[1:]`, `[:-2]`, `[1:-2]` (from_end) or `[1..3]`.
    Subslice {
        from: u64,
        to: u64,
        from_end: bool,
    },
    /// `as T` on a place whose type is opaque.
    OpaqueCast(Ty),
    /// `unwrap_binder!(place; T)`.
    UnwrapUnsafeBinder(Ty),
}

/// A place: a local and a run of the body's `projs`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Place {
    pub local: Local,
    pub proj_start: u32,
    pub proj_len: u32,
}

impl Place {
    pub fn projs(self) -> Range<usize> {
        self.proj_start as usize..(self.proj_start + self.proj_len) as usize
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Operand {
    Copy(Place),
    Move(Place),
    Const(ConstId),
    /// `UbChecks`, `ContractChecks`, `OverflowChecks`: a flag known at code generation.
    RuntimeChecks(Sym),
}

/// A pointer into an allocation, as constants and allocation dumps print it: `alloc7+0x4<imm>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct AllocPtr {
    pub alloc: u32,
    pub offset: u64,
    pub immutable: bool,
}

/// A constant value: what follows `const` (or a bare function item in operand position).
#[derive(Clone, PartialEq, Debug)]
pub enum ConstKind {
    /// An integer with its type (`5_u32`, `-3_i8`): the bits, sign-extended to 128.
    Int(u128, IntTy),
    /// An integer without a suffix (array lengths, `Repeat` counts, some ADT fields).
    UntypedInt(u128),
    Float {
        text: Sym,
        ty: FloatTy,
    },
    Bool(bool),
    Char(char),
    Unit,
    Str(Sym),
    /// `b"…"` (a reference to bytes) or `*b"…"` (the array itself, `deref` true).
    Bytes {
        bytes: Box<[u8]>,
        deref: bool,
    },
    Tuple(Box<[ConstId]>),
    Array(Box<[ConstId]>),
    /// An ADT value: the variant's path, its fields (named for braced variants). `doubled`:
    /// rustc 1.96 prints the braces of some struct constants twice (`S {{ a: 1_u8 }}`).
    Adt {
        path: PathId,
        fields: Box<[(Option<Sym>, ConstId)]>,
        braced: bool,
        doubled: bool,
    },
    /// `&value` (a valtree reference).
    Ref(ConstId),
    /// An unevaluated constant (`const <T as Tr>::C`, `const f::promoted[0]`) or a const
    /// parameter (`const N`), by path.
    Path(PathId),
    /// A function item (printed without `const`: `core::mem::drop::<T>`).
    FnItem(PathId),
    /// `{alloc12: &T}`: a pointer into an allocation.
    Ptr(AllocPtr, Ty),
    /// `{transmute(0x…): T}`: raw bits of a non-trivial scalar type, and the scalar's size in
    /// bytes (from the digits printed).
    Transmute {
        bits: u128,
        size: u8,
        ty: Ty,
    },
    /// `{0x4 as *const u8}`: an integer-valued pointer.
    IntPtr(u128, Ty),
    /// `{path as fn(…)}`: a function pointer.
    FnPtr(PathId, Ty),
    /// `ZeroSized: T`.
    ZeroSized(Ty),
    /// `Indirect { alloc_id: allocN, offset: Size(N bytes) }: T`: the value is in the allocation.
    Indirect {
        alloc: u32,
        offset: u64,
        ty: Ty,
    },
    /// `Slice { alloc_id: allocN, meta: N }: T`.
    Slice {
        alloc: u32,
        meta: u64,
        ty: Ty,
    },
    /// `0_usize is 0..=2147483647`: a scalar of a pattern type, the pattern kept as text.
    Pattern(ConstId, Sym),
    /// `<uninit>`.
    Uninit,
    /// `<ZST>`, `<function>`, `<vtable>` and other placeholders rustc prints: kept as text.
    Placeholder(Sym),
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum BorrowKind {
    Shared,
    Mut,
    Fake,
    FakeShallow,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum BinOp {
    Add,
    AddUnchecked,
    AddWithOverflow,
    Sub,
    SubUnchecked,
    SubWithOverflow,
    Mul,
    MulUnchecked,
    MulWithOverflow,
    Div,
    Rem,
    BitXor,
    BitAnd,
    BitOr,
    Shl,
    ShlUnchecked,
    Shr,
    ShrUnchecked,
    Eq,
    Lt,
    Le,
    Ne,
    Ge,
    Gt,
    Cmp,
    Offset,
}

impl BinOp {
    pub fn from_name(s: &str) -> Option<BinOp> {
        use BinOp::*;
        Some(match s {
            "Add" => Add,
            "AddUnchecked" => AddUnchecked,
            "AddWithOverflow" => AddWithOverflow,
            "Sub" => Sub,
            "SubUnchecked" => SubUnchecked,
            "SubWithOverflow" => SubWithOverflow,
            "Mul" => Mul,
            "MulUnchecked" => MulUnchecked,
            "MulWithOverflow" => MulWithOverflow,
            "Div" => Div,
            "Rem" => Rem,
            "BitXor" => BitXor,
            "BitAnd" => BitAnd,
            "BitOr" => BitOr,
            "Shl" => Shl,
            "ShlUnchecked" => ShlUnchecked,
            "Shr" => Shr,
            "ShrUnchecked" => ShrUnchecked,
            "Eq" => Eq,
            "Lt" => Lt,
            "Le" => Le,
            "Ne" => Ne,
            "Ge" => Ge,
            "Gt" => Gt,
            "Cmp" => Cmp,
            "Offset" => Offset,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum UnOp {
    Not,
    Neg,
    PtrMetadata,
}

/// A cast's kind, as printed in parentheses after the target type.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum CastKind {
    IntToInt,
    IntToFloat,
    FloatToInt,
    FloatToFloat,
    PtrToPtr,
    FnPtrToPtr,
    Transmute,
    Subtype,
    PointerExposeProvenance,
    PointerWithExposedProvenance,
    /// `PointerCoercion(KIND, SOURCE)`: `Unsize`, `ReifyFnPointer(Safe)`, `ClosureFnPointer(…)`,
    /// `UnsafeFnPointer`, `MutToConstPointer`, `ArrayToPointer`, `DynStar`; the text inside the
    /// parentheses is kept.
    PointerCoercion(Sym),
}

#[derive(Clone, PartialEq, Debug)]
pub enum AggregateKind {
    Array,
    Tuple,
    /// An ADT variant: the path rustc printed (`option::Option::<T>::Some`), braced when the
    /// variant has named fields (the names are kept with the operands).
    Adt {
        path: PathId,
        braced: bool,
    },
    Closure(ClosureRef),
    /// `{coroutine@…}`, `{async block@…}`: read, so that a file with coroutines parses, but not
    /// supported by the lowering.
    Coroutine(Sym),
    /// `*const T from (ptr, meta)`.
    RawPtr {
        pointee: Ty,
        mutable: bool,
    },
}

#[derive(Clone, PartialEq, Debug)]
pub enum Rvalue {
    Use(Operand),
    /// `[op; N]`.
    Repeat(Operand, ConstArg),
    Ref(BorrowKind, Place),
    /// `&raw const P` / `&raw mut P`; `fake`: `&raw const (fake) P`, made only to read the
    /// place's pointer metadata.
    RawPtr {
        mutable: bool,
        fake: bool,
        place: Place,
    },
    /// `&/*tls*/ path`: a thread-local static.
    ThreadLocalRef {
        mutable: bool,
        path: PathId,
    },
    Cast(CastKind, Operand, Ty),
    BinaryOp(BinOp, Operand, Operand),
    UnaryOp(UnOp, Operand),
    Discriminant(Place),
    Aggregate(AggregateKind, Box<[(Option<Sym>, Operand)]>),
    /// `deref_copy P`.
    CopyForDeref(Place),
    /// `wrap_binder!(op; T)`.
    WrapUnsafeBinder(Operand, Ty),
}

#[derive(Clone, PartialEq, Debug)]
pub enum StatementKind {
    Assign(Place, Rvalue),
    StorageLive(Local),
    StorageDead(Local),
    /// `discriminant(P) = N`.
    SetDiscriminant(Place, u32),
    FakeRead(Sym, Place),
    /// `Retag([fn entry] P)`: the kind text (may be empty) and the place.
    Retag(Sym, Place),
    PlaceMention(Place),
    Assume(Operand),
    CopyNonOverlapping {
        src: Operand,
        dst: Operand,
        count: Operand,
    },
    ConstEvalCounter,
    Nop,
    BackwardIncompatibleDropHint(Place),
    /// `AscribeUserType(…)` and `Coverage::…`: only in unoptimized MIR; kept as text.
    Other(Sym),
}

#[derive(Clone, PartialEq, Debug)]
pub struct Statement {
    pub kind: StatementKind,
    pub span: Option<SrcSpan>,
}

/// Where an unwinding call goes on unwind.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Unwind {
    Continue,
    Unreachable,
    Terminate(bool),
    Cleanup(Block),
}

/// The message of an `assert` terminator.
#[derive(Clone, PartialEq, Debug)]
pub enum AssertMsg {
    BoundsCheck {
        len: Operand,
        index: Operand,
    },
    Overflow(BinOp, Option<Operand>, Operand),
    OverflowNeg(Operand),
    DivisionByZero(Operand),
    RemainderByZero(Operand),
    MisalignedPointerDereference {
        required: Operand,
        found: Operand,
    },
    NullPointerDereference,
    InvalidEnumConstruction(Operand),
    /// Coroutine states and anything else: the message text and its operands.
    Other(Sym, Box<[Operand]>),
}

#[derive(Clone, PartialEq, Debug)]
pub enum TerminatorKind {
    Goto(Block),
    SwitchInt {
        discr: Operand,
        values: Box<[u128]>,
        targets: Box<[Block]>,
        otherwise: Block,
    },
    Return,
    Unreachable,
    /// `resume`: continue unwinding.
    UnwindResume,
    /// `terminate(abi)` / `terminate(cleanup)`: abort while unwinding.
    UnwindTerminate(bool),
    Drop {
        place: Place,
        target: Block,
        unwind: Unwind,
    },
    Call {
        dest: Place,
        func: Operand,
        args: Box<[Operand]>,
        target: Option<Block>,
        unwind: Unwind,
    },
    TailCall {
        func: Operand,
        args: Box<[Operand]>,
    },
    Assert {
        cond: Operand,
        expected: bool,
        msg: AssertMsg,
        target: Block,
        unwind: Unwind,
    },
    FalseEdge {
        real: Block,
        imaginary: Block,
    },
    FalseUnwind {
        real: Block,
        unwind: Unwind,
    },
}

#[derive(Clone, PartialEq, Debug)]
pub struct Terminator {
    pub kind: TerminatorKind,
    pub span: Option<SrcSpan>,
    /// The scope its span comment names (`-Zmir-include-spans`): where a call inlined from a
    /// `#[track_caller]` function is (its caller's location).
    pub scope: Option<Scope>,
}

#[derive(Clone, Debug)]
pub struct BlockData {
    pub cleanup: bool,
    /// The block's statements, a run of the body's `stmts`.
    pub stmts: Range<u32>,
    pub term: Terminator,
}

#[derive(Clone, Debug)]
pub struct LocalDecl {
    pub ty: Ty,
    pub mutable: bool,
    pub scope: Scope,
    pub span: Option<SrcSpan>,
}

#[derive(Clone, Debug)]
pub enum DebugValue {
    Place(Place),
    Const(ConstId),
}

/// `debug name => value;`
#[derive(Clone, Debug)]
pub struct VarDebug {
    pub name: Sym,
    /// A composite (`(x: (u32, u32)).0`) keeps rustc's text of the left side here.
    pub composite: Option<Sym>,
    pub value: DebugValue,
    pub scope: Scope,
}

#[derive(Clone, Debug)]
pub struct ScopeData {
    pub parent: Option<Scope>,
    /// `(inlined PATH)`: the callee instance as rustc printed it, and `#[track_caller]`.
    pub inlined: Option<(Sym, bool)>,
    /// The call site of an inlined scope.
    pub span: Option<SrcSpan>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BodyKind {
    Fn,
    Const,
    Static {
        mutable: bool,
    },
    /// An anonymous constant (`…::{constant#0}: usize = {`).
    AnonConst,
    /// `const path::promoted[N]`.
    Promoted(u32),
}

/// One MIR body.
#[derive(Debug)]
pub struct Body {
    pub kind: BodyKind,
    /// The path rustc printed (impl blocks as `<impl at FILE:L:C: L:C>`).
    pub name: PathId,
    /// Byte offset of the header in the file.
    pub offset: u32,
    /// How many arguments (`_1..=_n`).
    pub arg_count: u32,
    pub locals: PrimaryMap<Local, LocalDecl>,
    pub scopes: PrimaryMap<Scope, ScopeData>,
    pub debug: Vec<VarDebug>,
    pub blocks: PrimaryMap<Block, BlockData>,
    pub stmts: Vec<Statement>,
    pub projs: Vec<Proj>,
    pub consts: PrimaryMap<ConstId, ConstKind>,
    /// A body of `MIR FOR CTFE` (kept only on request).
    pub ctfe: bool,
    /// A constant rustc printed as one line (`const PATH: T = const VALUE;`), given the body
    /// `_0 = const VALUE; return` here.
    pub trivial: bool,
}

/// What a body's first line says: its kind, path, arguments and return type. Name resolution
/// reads only this of a library's bodies (`mir::parse_signature_at`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    pub kind: BodyKind,
    pub name: PathId,
    pub arg_count: u32,
    /// The type of `_1`, when there are arguments.
    pub first_arg: Option<Ty>,
    pub ret: Ty,
}

impl Body {
    pub fn signature(&self) -> Signature {
        Signature {
            kind: self.kind,
            name: self.name,
            arg_count: self.arg_count,
            first_arg: (self.arg_count > 0).then(|| self.locals[Local::from_u32(1)].ty),
            ret: self.return_ty(),
        }
    }

    pub fn return_ty(&self) -> Ty {
        self.locals[Local::from_u32(0)].ty
    }
    pub fn block_stmts(&self, b: Block) -> &[Statement] {
        let r = &self.blocks[b].stmts;
        &self.stmts[r.start as usize..r.end as usize]
    }
    pub fn place_projs(&self, p: Place) -> &[Proj] {
        &self.projs[p.projs()]
    }
}

/// What an allocation is, from its header.
#[derive(Clone, Debug)]
pub enum AllocKind {
    /// Memory: bytes (`None` where uninitialized) and pointers at offsets.
    Memory,
    /// `(static: path, …)`: a static's initializer (bytes present unless printed bare).
    Static(PathId),
    ExternStatic(PathId),
    /// `(fn: instance)`: kept as text.
    Function(Sym),
    /// `(vtable: impl dyn Trait for T)`: kept as text.
    VTable(Sym),
    /// `(typeid for T)`.
    TypeId(Ty),
    Deallocated,
}

#[derive(Clone, Debug)]
pub struct Allocation {
    pub id: u32,
    pub kind: AllocKind,
    pub size: u64,
    pub align: u64,
    /// `None` where the byte is uninitialized (`__`).
    pub bytes: Vec<Option<u8>>,
    /// Pointers stored in the allocation: (offset, target).
    pub relocs: Vec<(u64, AllocPtr)>,
    /// Bytes printed as `{ .. }` (elided by `-Zdump-mir-exclude-alloc-bytes`).
    pub elided: bool,
}

/// A whole `.mir` file.
#[derive(Default)]
pub struct MirFile {
    pub names: Interner,
    pub bodies: PrimaryMap<BodyId, Body>,
    /// Allocations by id (each printed once however many bodies mention it).
    pub allocs: FxHashMap<u32, Allocation>,
}
