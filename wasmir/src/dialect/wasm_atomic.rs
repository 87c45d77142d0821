//! The `wasm` dialect, threads: atomic loads, stores, read-modify-write, compare-exchange, wait, notify and fence.
use super::*;

pub static OPS: &[OpDef] = &[];
