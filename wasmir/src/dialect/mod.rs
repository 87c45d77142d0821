//! Op definitions. Each op is declared once, as an [`OpDef`] in its dialect's table; that one
//! declaration drives the parser (custom syntax), the printer, the verifier and the generated
//! reference in `docs/LangRef.md`.
//!
//! Third parties register a dialect of their own with [`Context::register_dialect`]: a `static`
//! [`Dialect`] whose ops pick one of the shared [`Syntax`] forms (or `GenericOnly`) and may add a
//! verifier hook.
//!
//! [`Context::register_dialect`]: crate::Context::register_dialect
pub mod builtin;
pub mod cf;
pub mod cm;
pub mod func;
pub mod own;
pub mod wasm;
pub mod wasm_atomic;
pub mod wasm_control;
pub mod wasm_gc;
pub mod wasm_memory;
pub mod wasm_module;
pub mod wasm_simd;
pub mod wasm_types;

use crate::verify::OpChecker;
// The op tables declare effects with these (`use super::*` brings them in).
pub(crate) use crate::effects::{Effects, decl as fx};

/// A named group of ops.
pub struct Dialect {
    pub name: &'static str,
    pub summary: &'static str,
    /// The op tables (a dialect may declare its ops in several files).
    pub ops: &'static [&'static [OpDef]],
    /// Parameterless types the dialect defines, written `!dialect.name`.
    pub types: &'static [TypeDef],
}

impl Dialect {
    /// Every op of the dialect.
    pub fn all_ops(&self) -> impl Iterator<Item = &'static OpDef> + use<> {
        self.ops.iter().flat_map(|t| t.iter())
    }
}

/// A type a dialect defines.
pub struct TypeDef {
    /// Full name without the `!`: `wasm.label`.
    pub name: &'static str,
    pub summary: &'static str,
}

/// The dialects every [`Context::new`](crate::Context::new) registers.
pub fn builtin_dialects() -> [&'static Dialect; 6] {
    [&builtin::DIALECT, &func::DIALECT, &cf::DIALECT, &wasm::DIALECT, &own::DIALECT, &cm::DIALECT]
}

/// What types an operand or result accepts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TypeConstraint {
    Any,
    I32,
    I64,
    F32,
    F64,
    V128,
    /// Any `iN`.
    AnyInt,
    /// `i32` or `i64`.
    WasmInt,
    /// `f32` or `f64`.
    AnyFloat,
    /// `!wasm.label`: a branch target, the first entry argument of a structured op's region.
    Label,
    /// `!wasm.local`: a mutable wasm local, made by `wasm.local`.
    Local,
    /// Any reference type.
    AnyRef,
    /// Any type a wasm value can have: i32, i64, f32, f64, v128 or a reference; or an ownership
    /// type wrapping one (`!own.linear<i32>`), so owned values flow through structured control.
    WasmValue,
    /// An owned value: `!own.linear<T>` or `!own.affine<T>`.
    Owned,
    /// A shared borrow, `!own.borrow<T>`.
    Borrow,
    /// The op's type variable: every `Var` operand and result of one op has the same type, which
    /// the custom syntax spells once (`wasm.select %c, %a, %b : i64`).
    Var,
}

impl TypeConstraint {
    pub fn describe(self) -> &'static str {
        match self {
            TypeConstraint::Any => "any type",
            TypeConstraint::I32 => "i32",
            TypeConstraint::I64 => "i64",
            TypeConstraint::F32 => "f32",
            TypeConstraint::F64 => "f64",
            TypeConstraint::V128 => "v128",
            TypeConstraint::AnyInt => "an integer type",
            TypeConstraint::WasmInt => "i32 or i64",
            TypeConstraint::AnyFloat => "f32 or f64",
            TypeConstraint::Label => "!wasm.label",
            TypeConstraint::Local => "!wasm.local",
            TypeConstraint::AnyRef => "a reference type",
            TypeConstraint::WasmValue => "a wasm value type",
            TypeConstraint::Owned => "!own.linear<T> or !own.affine<T>",
            TypeConstraint::Borrow => "!own.borrow<T>",
            TypeConstraint::Var => "T",
        }
    }
}

/// An operand or result slot.
#[derive(Clone, Copy, Debug)]
pub struct ValueDef {
    pub name: &'static str,
    pub ty: TypeConstraint,
    /// Takes zero or more values (only the last slot may be variadic).
    pub variadic: bool,
}

pub const fn arg(name: &'static str, ty: TypeConstraint) -> ValueDef {
    ValueDef { name, ty, variadic: false }
}
pub const fn variadic(name: &'static str, ty: TypeConstraint) -> ValueDef {
    ValueDef { name, ty, variadic: true }
}

/// The kind of value an attribute must hold.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AttrKind {
    Any,
    Unit,
    Bool,
    /// An integer attribute.
    Int,
    /// A float attribute.
    Float,
    String,
    SymbolRef,
    Type,
    FunctionType,
    Array,
    Dict,
}

impl AttrKind {
    pub fn describe(self) -> &'static str {
        match self {
            AttrKind::Any => "any attribute",
            AttrKind::Unit => "a unit attribute",
            AttrKind::Bool => "a boolean",
            AttrKind::Int => "an integer",
            AttrKind::Float => "a float",
            AttrKind::String => "a string",
            AttrKind::SymbolRef => "a symbol reference",
            AttrKind::Type => "a type",
            AttrKind::FunctionType => "a function type",
            AttrKind::Array => "an array",
            AttrKind::Dict => "a dictionary",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct AttrDef {
    pub name: &'static str,
    pub kind: AttrKind,
    pub optional: bool,
    pub doc: &'static str,
    /// In the keyword form: written as a bare value before the operands (`@mem`, `"name"`)
    /// rather than as `name value` after them.
    pub positional: bool,
}

/// A required attribute, `name value` in the keyword form.
pub const fn attr(name: &'static str, kind: AttrKind, doc: &'static str) -> AttrDef {
    AttrDef { name, kind, optional: false, doc, positional: false }
}
/// An optional attribute, `name value` in the keyword form (a bare `name` for a unit).
pub const fn opt_attr(name: &'static str, kind: AttrKind, doc: &'static str) -> AttrDef {
    AttrDef { name, kind, optional: true, doc, positional: false }
}
/// A required attribute written as a bare value before the operands.
pub const fn pos_attr(name: &'static str, kind: AttrKind, doc: &'static str) -> AttrDef {
    AttrDef { name, kind, optional: false, doc, positional: true }
}
/// An optional attribute written as a bare value before the operands when present.
pub const fn opt_pos_attr(name: &'static str, kind: AttrKind, doc: &'static str) -> AttrDef {
    AttrDef { name, kind, optional: true, doc, positional: true }
}

/// How many regions or successors an op has.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Count {
    Exact(u8),
    AtLeast(u8),
}

impl Count {
    pub fn accepts(self, n: usize) -> bool {
        match self {
            Count::Exact(k) => n == k as usize,
            Count::AtLeast(k) => n >= k as usize,
        }
    }
    pub fn describe(self) -> String {
        match self {
            Count::Exact(k) => format!("{k}"),
            Count::AtLeast(k) => format!("at least {k}"),
        }
    }
}

/// Op traits, as a bit set.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Traits(pub u32);

impl Traits {
    pub const NONE: Traits = Traits(0);
    /// Ends a block; must be its last op.
    pub const TERMINATOR: Traits = Traits(1 << 0);
    /// No side effects and cannot trap: removable when unused, freely movable.
    pub const PURE: Traits = Traits(1 << 1);
    /// May trap (wasm division, float-to-int truncation, a null reference). What else it does
    /// is in its declared `effects`: a `MayTrap` op is not for that reason free of side effects.
    pub const MAY_TRAP: Traits = Traits(1 << 2);
    /// Operands may be swapped.
    pub const COMMUTATIVE: Traits = Traits(1 << 3);
    /// Its regions see no value from outside; they live in a body of their own.
    pub const ISOLATED_FROM_ABOVE: Traits = Traits(1 << 4);
    /// Every operand and result has the same type.
    pub const SAME_OPERANDS_AND_RESULT_TYPE: Traits = Traits(1 << 5);
    /// Defines a symbol through its `sym_name` attribute.
    pub const SYMBOL: Traits = Traits(1 << 6);
    /// Its region holds symbols with unique names.
    pub const SYMBOL_TABLE: Traits = Traits(1 << 7);
    /// Its regions' blocks need no terminator.
    pub const NO_TERMINATOR: Traits = Traits(1 << 8);
    /// Each region has at most one block.
    pub const SINGLE_BLOCK: Traits = Traits(1 << 9);
    /// Returns control to the parent op (`func.return`).
    pub const RETURN_LIKE: Traits = Traits(1 << 10);
    /// Materializes the constant in its `value` attribute.
    pub const CONSTANT_LIKE: Traits = Traits(1 << 11);

    pub const fn union(self, o: Traits) -> Traits {
        Traits(self.0 | o.0)
    }
    pub const fn contains(self, o: Traits) -> bool {
        self.0 & o.0 == o.0
    }
    pub const NAMES: [(Traits, &'static str); 12] = [
        (Traits::TERMINATOR, "Terminator"),
        (Traits::PURE, "Pure"),
        (Traits::MAY_TRAP, "MayTrap"),
        (Traits::COMMUTATIVE, "Commutative"),
        (Traits::ISOLATED_FROM_ABOVE, "IsolatedFromAbove"),
        (Traits::SAME_OPERANDS_AND_RESULT_TYPE, "SameOperandsAndResultType"),
        (Traits::SYMBOL, "Symbol"),
        (Traits::SYMBOL_TABLE, "SymbolTable"),
        (Traits::NO_TERMINATOR, "NoTerminator"),
        (Traits::SINGLE_BLOCK, "SingleBlock"),
        (Traits::RETURN_LIKE, "ReturnLike"),
        (Traits::CONSTANT_LIKE, "ConstantLike"),
    ];
    /// Names of the traits in the set, for docs.
    pub fn names(self) -> Vec<&'static str> {
        Self::NAMES.iter().filter(|(t, _)| self.contains(*t)).map(|(_, n)| *n).collect()
    }
}

impl std::ops::BitOr for Traits {
    type Output = Traits;
    fn bitor(self, o: Traits) -> Traits {
        self.union(o)
    }
}

/// The custom (pretty) forms. Every form is a way of reading the one uniform custom grammar
/// (`name items… [: types] [regions]`), so any custom text re-parses; the generic form is always
/// available too.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Syntax {
    /// Printed and parsed only in generic form.
    GenericOnly,
    /// `name %a, %b`: every operand and result type is fixed by the definition.
    FixedOperands,
    /// `name %a, %b : T`: one type binds the definition's type variable.
    TypeVarOperands,
    /// `name 42`: a `value` attribute typed by the single result.
    Constant,
    /// `name %a, %b : T1, T2`: variadic operands with their types.
    VariadicOperands,
    /// `name @callee(%a, %b) : (T1, T2) -> R`
    Call,
    /// `name ^bb(%a, %b)`
    Branch,
    /// `name %c, ^then(%a), ^else`
    CondBranch,
    /// `name %flag, [default: ^d(%a), 0: ^b0, 7: ^b7] : T`
    Switch,
    /// `name [private|nested] @sym(%a: T, …) [-> R | -> (R, …)] [export "name"] [attributes {…}] [{…}]`
    Function,
    /// `name [@sym] [attributes {…}] {…}`
    SymbolRegion,
    /// The keyword form, read off the definition: positional attributes (`@sym`, `"str"`,
    /// integers), then the operands, then `keyword [value]` for each other attribute present,
    /// then `: types` as the definition's [`Sig`] says, then the regions, each after the first
    /// introduced by its keyword from `region_keywords` (`} else {`).
    Keyword,
}

/// What the types after `:` give in the keyword form.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Sig {
    /// No `: …`; every type is fixed by the definition.
    None,
    /// One type, binding the type variable `T`.
    Var,
    /// One type: the `type` attribute (`wasm.local : i32`).
    TypeAttr,
    /// The types of the variadic operands (`wasm.br %l, %a : i32`).
    Variadic,
    /// The result types (`wasm.block : i32 {…}`); none when there are no results.
    Results,
    /// A function type `(P…) -> (R…)`: the variadic operands take P, the results R, and the
    /// `type` attribute holds it (`wasm.call_indirect`).
    FuncType,
    /// Any number of types, kept in the `fields` attribute as an array of types (`wasm.type`).
    Fields,
}

/// The declaration of one op.
pub struct OpDef {
    /// Full name, `dialect.op`.
    pub name: &'static str,
    /// A shorter name accepted and printed in custom form (`module` for `builtin.module`).
    pub custom_name: Option<&'static str>,
    /// One line for `--help`-style listings and the reference.
    pub summary: &'static str,
    /// Longer description (Markdown) for the reference; may be empty.
    pub description: &'static str,
    pub operands: &'static [ValueDef],
    pub results: &'static [ValueDef],
    pub attrs: &'static [AttrDef],
    pub regions: Count,
    pub successors: Count,
    pub traits: Traits,
    /// The op must sit directly inside an op of this name.
    pub parent: Option<&'static str>,
    pub syntax: Syntax,
    /// Op-specific rules beyond what the fields above express.
    pub verify: Option<fn(&mut OpChecker<'_>)>,
    /// A custom-form example for the reference (checked to parse by the test suite).
    pub example: &'static str,
    /// Keyword form: what the types after `:` give.
    pub sig: Sig,
    /// Keyword form: the keyword before each region after the first (`else`).
    pub region_keywords: &'static [&'static str],
    /// What the op does besides computing its results, not counting the ops in its regions or
    /// what a callee does. `None` derives them from the traits: none for `Pure`, `trap` for
    /// `MayTrap`, and `unknown` otherwise (see [`crate::effects::op_effects`]).
    pub effects: Option<Effects>,
}

impl OpDef {
    pub const fn has(&self, t: Traits) -> bool {
        self.traits.contains(t)
    }
    /// The name this op is written with in custom form.
    pub fn printed_name(&self) -> &'static str {
        self.custom_name.unwrap_or(self.name)
    }
    pub fn attr(&self, name: &str) -> Option<&AttrDef> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

/// A template for the many ops that differ only in name, types and traits.
pub const BASE: OpDef = OpDef {
    name: "",
    custom_name: None,
    summary: "",
    description: "",
    operands: &[],
    results: &[],
    attrs: &[],
    regions: Count::Exact(0),
    successors: Count::Exact(0),
    traits: Traits::NONE,
    parent: None,
    syntax: Syntax::GenericOnly,
    verify: None,
    example: "",
    sig: Sig::None,
    region_keywords: &[],
    effects: None,
};
