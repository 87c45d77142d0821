//! The types a `#[wasm::export]` function may take and return.
//!
//! An export is called by the host with wasm values (`i32`, `i64`, `f32`, `f64`), so its
//! parameters and result must be types the C ABI passes as one such value. `#[wasm::export]`
//! checks each of them against [`WasmAbi`], with the error at the offending type.

mod sealed {
    pub trait Sealed {}
}

/// A type passed to and from the host as a single wasm value. Sealed: the set is what
/// `rustc-wasmir` and the C ABI agree on, so it cannot be extended from outside.
///
/// | Rust | wasm value |
/// |---|---|
/// | `bool`, `i8`, `u8`, `i16`, `u16`, `i32`, `u32`, `isize`, `usize` (wasm32), [`Handle`](crate::Handle) | `i32` |
/// | `i64`, `u64` | `i64` |
/// | `f32` | `f32` |
/// | `f64` | `f64` |
///
/// [`ExternRef`](crate::ExternRef) and [`FuncRef`](crate::FuncRef) are not in the set: stock
/// rustc passes them as structs in memory or as table indices, which a host cannot call with a
/// reference. `rustc-wasmir` does lower an `ExternRef` parameter or result of a
/// `#[unsafe(no_mangle)]` function to an `externref` (a `FuncRef` stays a table index).
pub trait WasmAbi: sealed::Sealed {}

macro_rules! wasm_abi {
    ($($t:ty),*) => { $(
        impl sealed::Sealed for $t {}
        impl WasmAbi for $t {}
    )* };
}

wasm_abi!(
    bool,
    i8,
    u8,
    i16,
    u16,
    i32,
    u32,
    isize,
    usize,
    i64,
    u64,
    f32,
    f64,
    crate::Handle
);
