/// The effect vocabulary of WasmIR, in the order of `Effects::NAMES` in `wasmir/src/effects.rs`
/// (bit `i` of a set is `EFFECT_NAMES[i]`). `wasm::effect` builds its `Effect` enum on this list and
/// `wasm-macros` includes this file to validate `#[wasm::effect(...)]`, so the crate, the macro and
/// the compiler spell every effect the same way; a test of `wasm` compares it with wasmir's list.
pub const EFFECT_NAMES: [&str; 14] = [
    "reads(mem)",
    "writes(mem)",
    "reads(global)",
    "writes(global)",
    "reads(table)",
    "writes(table)",
    "reads(heap)",
    "writes(heap)",
    "atomic",
    "trap",
    "alloc",
    "throws",
    "host_call",
    "unknown",
];
