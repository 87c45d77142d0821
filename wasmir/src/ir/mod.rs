//! The IR: entities, the context that interns types and attributes, bodies (arenas) and modules.
pub mod body;
pub mod builder;
pub mod context;
pub mod entities;
pub mod module;

pub use body::{Body, SuccSpec, ValueDef};
pub use builder::{Builder, InsertPoint};
pub use context::{AttrData, CmPrim, CmType, Context, FloatKind, HeapType, Interner, LocData, OwnKind, RefHeap, TypeData};
pub use entities::*;
pub use module::{Module, OpRef};
