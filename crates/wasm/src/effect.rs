//! The effect vocabulary: what a function may do besides computing its result.
//!
//! These are WasmIR's 14 effects, with the names WasmIR writes them with
//! (`docs/architecture/effects.md`, `wasmir/src/effects.rs`), in the same order, so bit `i` of an
//! [`EffectSet`] is bit `i` of WasmIR's `Effects`. The names are identical on purpose: a
//! `#[wasm::effect(reads(mem), trap)]` function becomes a `func.func` with
//! `effects = ["reads(mem)", "trap"]`, which `--effect-check` verifies. A test compares this list
//! with wasmir's.
//!
//! | effect | meaning |
//! |---|---|
//! | `reads(mem)` | reads a linear memory, its size, or a data segment |
//! | `writes(mem)` | writes a linear memory, grows it, or drops a data segment |
//! | `reads(global)` | reads a global |
//! | `writes(global)` | writes a global |
//! | `reads(table)` | reads a table, its size, or an element segment |
//! | `writes(table)` | writes a table, grows it, or drops an element segment |
//! | `reads(heap)` | reads a field or element of a GC object |
//! | `writes(heap)` | writes a field or element of a GC object |
//! | `atomic` | orders memory between threads (atomic accesses, wait, notify, fences) |
//! | `trap` | may trap |
//! | `alloc` | allocates (GC objects, memory or table pages) |
//! | `throws` | may throw a wasm exception |
//! | `host_call` | calls an imported function (JavaScript, WASI, …) |
//! | `unknown` | may do anything (an indirect call); allows every other effect |
//!
//! `pure` (alone) is the empty set. Names from elsewhere are not effects here: a JavaScript call
//! is `host_call`, an atomic read is `atomic, reads(mem)`.
use core::fmt;

include!("effect/names.rs");

/// One effect.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(u8)]
pub enum Effect {
    /// `reads(mem)`
    ReadsMem,
    /// `writes(mem)`
    WritesMem,
    /// `reads(global)`
    ReadsGlobal,
    /// `writes(global)`
    WritesGlobal,
    /// `reads(table)`
    ReadsTable,
    /// `writes(table)`
    WritesTable,
    /// `reads(heap)`
    ReadsHeap,
    /// `writes(heap)`
    WritesHeap,
    /// `atomic`
    Atomic,
    /// `trap`
    Trap,
    /// `alloc`
    Alloc,
    /// `throws`
    Throws,
    /// `host_call`
    HostCall,
    /// `unknown`
    Unknown,
}

impl Effect {
    /// Every effect, in WasmIR's order (the order of its bits).
    pub const ALL: [Effect; 14] = [
        Effect::ReadsMem,
        Effect::WritesMem,
        Effect::ReadsGlobal,
        Effect::WritesGlobal,
        Effect::ReadsTable,
        Effect::WritesTable,
        Effect::ReadsHeap,
        Effect::WritesHeap,
        Effect::Atomic,
        Effect::Trap,
        Effect::Alloc,
        Effect::Throws,
        Effect::HostCall,
        Effect::Unknown,
    ];

    /// The name WasmIR writes it with: `"reads(mem)"`.
    pub const fn name(self) -> &'static str {
        EFFECT_NAMES[self as usize]
    }

    /// The effect called `name`, if it is one.
    pub fn from_name(name: &str) -> Option<Effect> {
        EFFECT_NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| Effect::ALL[i])
    }

    /// Its bit in an [`EffectSet`] (and in WasmIR's `Effects`).
    pub const fn bit(self) -> u16 {
        1 << self as u16
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of effects, as WasmIR stores it: bit `i` is [`Effect::ALL`]`[i]`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug)]
pub struct EffectSet(u16);

impl EffectSet {
    /// No effect (`pure`).
    pub const PURE: EffectSet = EffectSet(0);

    /// The set of `effects`.
    pub const fn of(effects: &[Effect]) -> EffectSet {
        let mut bits = 0;
        let mut i = 0;
        while i < effects.len() {
            bits |= effects[i].bit();
            i += 1;
        }
        EffectSet(bits)
    }

    /// The set with WasmIR's bits `bits`; bits above the 14 effects are dropped.
    pub const fn from_bits(bits: u16) -> EffectSet {
        EffectSet(bits & ((1 << 14) - 1))
    }

    /// Its bits.
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// Whether `effect` is in the set.
    pub const fn contains(self, effect: Effect) -> bool {
        self.0 & effect.bit() != 0
    }

    /// The set with `effect` added.
    pub const fn with(self, effect: Effect) -> EffectSet {
        EffectSet(self.0 | effect.bit())
    }

    /// Both sets together.
    pub const fn union(self, other: EffectSet) -> EffectSet {
        EffectSet(self.0 | other.0)
    }

    /// Whether a function with the effects `self` may be called where `declared` is promised:
    /// every effect of `self` is declared, or `declared` has `unknown` (which allows all), as
    /// `--effect-check` decides it.
    pub const fn allowed_by(self, declared: EffectSet) -> bool {
        declared.contains(Effect::Unknown) || self.0 & !declared.0 == 0
    }

    /// The effects in the set, in WasmIR's order.
    pub fn iter(self) -> impl Iterator<Item = Effect> {
        Effect::ALL.into_iter().filter(move |e| self.contains(*e))
    }
}

/// As WasmIR writes an effect array: `["reads(mem)", "trap"]`.
impl fmt::Display for EffectSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, effect) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "\"{effect}\"")?;
        }
        f.write_str("]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;
    use std::vec::Vec;

    #[test]
    fn names_and_bits_agree() {
        for (i, effect) in Effect::ALL.into_iter().enumerate() {
            assert_eq!(effect as usize, i);
            assert_eq!(Effect::from_name(effect.name()), Some(effect));
        }
        assert_eq!(Effect::from_name("js_call"), None);
        assert_eq!(Effect::from_name("pure"), None);
    }

    /// The vocabulary is WasmIR's, name for name and in order: read the compiler's declaration.
    #[test]
    fn vocabulary_matches_wasmir() {
        let source = include_str!("../../../wasmir/src/effects.rs");
        let start = source
            .find("pub const NAMES")
            .expect("wasmir declares Effects::NAMES");
        let end = start + source[start..].find("];").expect("the NAMES array ends");
        let wasmir_names: Vec<&str> = source[start..end].split('"').skip(1).step_by(2).collect();
        assert_eq!(wasmir_names, EFFECT_NAMES);
        // Bit `i` of WasmIR's set is the `i`-th name: `(Effects::READS_MEM, "reads(mem)")` and
        // `pub const READS_MEM: Effects = Effects(1 << 0);`.
        for (i, entry) in source[start..end].split("(Effects::").skip(1).enumerate() {
            let constant = &entry[..entry.find(',').expect("an entry names its constant")];
            let declaration = std::format!("pub const {constant}: Effects = Effects(1 << {i});");
            assert!(
                source.contains(&declaration),
                "wasmir lacks `{declaration}`"
            );
        }
    }

    #[test]
    fn sets_print_and_check_like_wasmir() {
        let set = EffectSet::of(&[Effect::Trap, Effect::ReadsMem]);
        assert_eq!(set.to_string(), r#"["reads(mem)", "trap"]"#);
        assert_eq!(EffectSet::PURE.to_string(), "[]");
        assert!(set.allowed_by(set.with(Effect::Alloc)));
        assert!(!set.with(Effect::HostCall).allowed_by(set));
        assert!(
            set.with(Effect::HostCall)
                .allowed_by(EffectSet::of(&[Effect::Unknown]))
        );
        assert_eq!(EffectSet::from_bits(u16::MAX).iter().count(), 14);
        assert_eq!(set.bits(), 0b10_0000_0001);
    }
}
