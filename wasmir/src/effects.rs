//! The effect model: what an op or a function may do besides computing its results.
//!
//! An [`Effects`] value is a small bit set. Each op declares its own effects in its [`OpDef`]
//! (`effects`), or leaves them to be derived from its traits (`Pure`: none; `MayTrap`: `trap`;
//! anything else: `unknown`, so an op declared without thought is never taken to be harmless).
//! A function's effects are those of its ops and of the functions it calls; the analysis and the
//! passes that compute and check them live in `pass/effects.rs`.
//!
//! Effects are written as an array of names: `effects = ["reads(mem)", "trap"]`; `[]` (or
//! `["pure"]`) is the empty set.
//!
//! Function-local state (`wasm.local`) is not an effect: nobody outside the function can see it.
//! Neither is running forever; passes that remove calls check termination on their own.
use crate::dialect::{OpDef, Traits};
use crate::ir::{AttrData, Attr, Context};

/// A set of effects.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug)]
pub struct Effects(pub u16);

impl Effects {
    /// No effect: the op or function only computes its results.
    pub const NONE: Effects = Effects(0);
    /// Reads a linear memory (or its size, or a data segment).
    pub const READS_MEM: Effects = Effects(1 << 0);
    /// Writes a linear memory (or grows it, or drops a data segment).
    pub const WRITES_MEM: Effects = Effects(1 << 1);
    pub const READS_GLOBAL: Effects = Effects(1 << 2);
    pub const WRITES_GLOBAL: Effects = Effects(1 << 3);
    /// Reads a table (or its size, or an element segment).
    pub const READS_TABLE: Effects = Effects(1 << 4);
    /// Writes a table (or grows it, or drops an element segment).
    pub const WRITES_TABLE: Effects = Effects(1 << 5);
    /// Reads a mutable field of a GC object.
    pub const READS_HEAP: Effects = Effects(1 << 6);
    /// Writes a field of a GC object.
    pub const WRITES_HEAP: Effects = Effects(1 << 7);
    /// An atomic access, wait, notify or fence: orders memory between threads.
    pub const ATOMIC: Effects = Effects(1 << 8);
    /// May trap.
    pub const TRAP: Effects = Effects(1 << 9);
    /// Allocates: a GC object, or memory or table pages (`memory.grow`, `table.grow`).
    pub const ALLOC: Effects = Effects(1 << 10);
    /// May throw a wasm exception.
    pub const THROWS: Effects = Effects(1 << 11);
    /// Calls an imported function (the host: JavaScript, WASI, …).
    pub const HOST_CALL: Effects = Effects(1 << 12);
    /// May do anything: an indirect call whose target is not known, or an op whose effects are
    /// not declared. It exceeds every declaration that does not list it.
    pub const UNKNOWN: Effects = Effects(1 << 13);

    /// The names, in the order sets are printed.
    pub const NAMES: [(Effects, &'static str); 14] = [
        (Effects::READS_MEM, "reads(mem)"),
        (Effects::WRITES_MEM, "writes(mem)"),
        (Effects::READS_GLOBAL, "reads(global)"),
        (Effects::WRITES_GLOBAL, "writes(global)"),
        (Effects::READS_TABLE, "reads(table)"),
        (Effects::WRITES_TABLE, "writes(table)"),
        (Effects::READS_HEAP, "reads(heap)"),
        (Effects::WRITES_HEAP, "writes(heap)"),
        (Effects::ATOMIC, "atomic"),
        (Effects::TRAP, "trap"),
        (Effects::ALLOC, "alloc"),
        (Effects::THROWS, "throws"),
        (Effects::HOST_CALL, "host_call"),
        (Effects::UNKNOWN, "unknown"),
    ];

    pub const fn union(self, o: Effects) -> Effects {
        Effects(self.0 | o.0)
    }
    pub const fn contains(self, o: Effects) -> bool {
        self.0 & o.0 == o.0
    }
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The effects of `self` that `declared` does not allow (`unknown` in `declared` allows all).
    pub const fn exceeding(self, declared: Effects) -> Effects {
        if declared.contains(Effects::UNKNOWN) { Effects::NONE } else { Effects(self.0 & !declared.0) }
    }
    /// Each effect in the set, as a one-bit set.
    pub fn iter(self) -> impl Iterator<Item = Effects> {
        Self::NAMES.into_iter().map(|(e, _)| e).filter(move |e| self.contains(*e))
    }
    /// The name of a one-bit set.
    pub fn name(self) -> &'static str {
        Self::NAMES.iter().find(|(e, _)| *e == self).map_or("?", |(_, n)| n)
    }
    /// The set as it is written: `["reads(mem)", "trap"]`.
    pub fn to_text(self) -> String {
        let names: Vec<String> = self.iter().map(|e| format!("\"{}\"", e.name())).collect();
        format!("[{}]", names.join(", "))
    }
    /// What the effect means, for messages: "writes a linear memory".
    pub fn describe(self) -> &'static str {
        match self {
            Effects::READS_MEM => "reads a linear memory",
            Effects::WRITES_MEM => "writes a linear memory",
            Effects::READS_GLOBAL => "reads a global",
            Effects::WRITES_GLOBAL => "writes a global",
            Effects::READS_TABLE => "reads a table",
            Effects::WRITES_TABLE => "writes a table",
            Effects::READS_HEAP => "reads a GC object",
            Effects::WRITES_HEAP => "writes a GC object",
            Effects::ATOMIC => "is an atomic access",
            Effects::TRAP => "may trap",
            Effects::ALLOC => "allocates",
            Effects::THROWS => "may throw",
            Effects::HOST_CALL => "calls the host",
            Effects::UNKNOWN => "may have any effect",
            _ => "has effects",
        }
    }
    /// The effect named `name`; `pure` is the empty set.
    pub fn from_name(name: &str) -> Option<Effects> {
        if name == "pure" {
            return Some(Effects::NONE);
        }
        Self::NAMES.iter().find(|(_, n)| *n == name).map(|(e, _)| *e)
    }
    /// The set an attribute spells: an array of effect names. `Err` says what is wrong.
    pub fn from_attr(ctx: &Context, a: Attr) -> Result<Effects, String> {
        let AttrData::Array(items) = ctx.attr_data(a) else {
            return Err("effects are written as an array of effect names, like `[\"reads(mem)\", \"trap\"]`".into());
        };
        let mut set = Effects::NONE;
        let mut pure = false;
        for &item in items.iter() {
            let Some(name) = ctx.attr_bytes(item).and_then(|b| std::str::from_utf8(b).ok()) else {
                return Err("each effect is a string, like \"reads(mem)\"".into());
            };
            match Effects::from_name(name) {
                Some(e) => {
                    pure |= name == "pure";
                    set = set.union(e);
                }
                None => return Err(format!("unknown effect \"{name}\"")),
            }
        }
        if pure && items.len() > 1 {
            return Err("\"pure\" means no effect and cannot be combined with other effects".into());
        }
        Ok(set)
    }
    /// The array attribute that spells the set.
    pub fn to_attr(self, ctx: &mut Context) -> Attr {
        let items: Vec<Attr> = self.iter().map(|e| ctx.string_attr(e.name())).collect();
        ctx.attr(AttrData::Array(items.into_boxed_slice()))
    }
    /// Every effect name, for help texts.
    pub fn all_names() -> String {
        Self::NAMES.iter().map(|(_, n)| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
    }
}

impl std::ops::BitOr for Effects {
    type Output = Effects;
    fn bitor(self, o: Effects) -> Effects {
        self.union(o)
    }
}

impl std::ops::BitOrAssign for Effects {
    fn bitor_assign(&mut self, o: Effects) {
        *self = self.union(o);
    }
}

/// The effects of the op `def` declares, not counting the ops in its regions or what a callee
/// does (the function analysis adds those).
pub fn op_effects(def: &OpDef) -> Effects {
    match def.effects {
        Some(e) => e,
        None if def.has(Traits::PURE) => Effects::NONE,
        None if def.has(Traits::MAY_TRAP) => Effects::TRAP,
        None => Effects::UNKNOWN,
    }
}

/// Shorthands for the op declarations.
pub mod decl {
    use super::Effects as E;
    pub const NONE: Option<E> = Some(E::NONE);
    pub const TRAP: Option<E> = Some(E::TRAP);
    /// A call whose target is not known: anything, and it traps on a null or mistyped target.
    pub const INDIRECT: Option<E> = Some(E::UNKNOWN.union(E::TRAP));
    pub const LOAD: Option<E> = Some(E::READS_MEM.union(E::TRAP));
    pub const STORE: Option<E> = Some(E::WRITES_MEM.union(E::TRAP));
    /// Reads and writes memory, may trap: `memory.copy`, `memory.init`.
    pub const MEM_COPY: Option<E> = Some(E::READS_MEM.union(E::WRITES_MEM).union(E::TRAP));
    pub const ATOMIC_LOAD: Option<E> = Some(E::READS_MEM.union(E::ATOMIC).union(E::TRAP));
    pub const ATOMIC_STORE: Option<E> = Some(E::WRITES_MEM.union(E::ATOMIC).union(E::TRAP));
    pub const ATOMIC_RMW: Option<E> = Some(E::READS_MEM.union(E::WRITES_MEM).union(E::ATOMIC).union(E::TRAP));
    pub const TABLE_READ: Option<E> = Some(E::READS_TABLE.union(E::TRAP));
    pub const TABLE_WRITE: Option<E> = Some(E::WRITES_TABLE.union(E::TRAP));
    pub const TABLE_COPY: Option<E> = Some(E::READS_TABLE.union(E::WRITES_TABLE).union(E::TRAP));
    pub const HEAP_READ: Option<E> = Some(E::READS_HEAP.union(E::TRAP));
    pub const HEAP_WRITE: Option<E> = Some(E::WRITES_HEAP.union(E::TRAP));
    pub const ALLOC: Option<E> = Some(E::ALLOC);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (e, n) in Effects::NAMES {
            assert_eq!(Effects::from_name(n), Some(e));
            assert_eq!(e.name(), n);
        }
        let s = Effects::READS_MEM | Effects::TRAP;
        assert_eq!(s.to_text(), "[\"reads(mem)\", \"trap\"]");
        assert_eq!(s.exceeding(Effects::READS_MEM), Effects::TRAP);
        assert!(s.exceeding(Effects::UNKNOWN).is_empty());
    }

    /// Every op of the built-in dialects has known effects, except the calls whose target is not
    /// known; `Pure` ops have none and `MayTrap` ops list `trap`.
    #[test]
    fn declared_effects_agree_with_traits() {
        let indirect = ["wasm.call_indirect", "wasm.return_call_indirect", "wasm.call_ref", "wasm.return_call_ref"];
        for d in crate::dialect::builtin_dialects() {
            for op in d.all_ops() {
                let e = op_effects(op);
                assert_eq!(e.contains(Effects::UNKNOWN), indirect.contains(&op.name), "{}", op.name);
                if op.has(Traits::PURE) {
                    assert!(e.is_empty(), "{} is Pure but declares {}", op.name, e.to_text());
                }
                if op.has(Traits::MAY_TRAP) {
                    assert!(e.contains(Effects::TRAP), "{} is MayTrap but its effects lack trap", op.name);
                }
            }
        }
    }
}
