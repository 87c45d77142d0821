//! Typed `u32` handles. Each names a slot in one arena: `Op`, `Value`, `Block`, `Region`, `Use`
//! and `Succ` are local to one [`Body`](super::Body); `BodyId` indexes the module's bodies; `Type`,
//! `Attr`, `Loc`, `Ident` and `OpCode` index the [`Context`](super::Context) interners.
use cranelift_entity::entity_impl;

/// An operation inside one body.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Op(u32);
entity_impl!(Op, "op");

/// An SSA value: an op result or a block argument.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Value(u32);
entity_impl!(Value, "v");

/// A basic block with typed arguments.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Block(u32);
entity_impl!(Block, "block");

/// A region: an ordered list of blocks owned by an op.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region(u32);
entity_impl!(Region, "region");

/// One operand slot of an op, linked into the use list of the value it reads.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Use(u32);
entity_impl!(Use, "use");

/// One successor slot of a terminator: a target block and the count of operands passed to it.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Succ(u32);
entity_impl!(Succ, "succ");

/// An arena of ops, values, blocks and regions. Every `IsolatedFromAbove` op owns one, so values
/// never cross a body boundary and bodies can be transformed independently.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BodyId(u32);
entity_impl!(BodyId, "body");

/// An interned type.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Type(u32);
entity_impl!(Type, "type");

/// An interned attribute.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Attr(u32);
entity_impl!(Attr, "attr");

/// An interned source location.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc(u32);
entity_impl!(Loc, "loc");

/// An interned string (names, symbols, attribute keys).
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ident(u32);
entity_impl!(Ident, "ident");

/// An operation name: registered (with an [`OpDef`](crate::dialect::OpDef)) or not.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OpCode(u32);
entity_impl!(OpCode, "opcode");
