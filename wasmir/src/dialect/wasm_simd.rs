//! The `wasm` dialect, SIMD: v128 and every SIMD and relaxed-SIMD instruction.
use super::*;

pub static OPS: &[OpDef] = &[];
