//! Encodings of SIMD, relaxed SIMD and atomic ops with immediates.
use super::func::Enc;
use rustc_hash::FxHashMap;
use wasmir::{Context, OpCode};

/// Adds the encodings of these ops to `m`.
pub(super) fn encodings(ctx: &Context, m: &mut FxHashMap<OpCode, Enc>) {
    let _ = (ctx, m);
}
