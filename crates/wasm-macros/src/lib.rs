//! The procedural macros of the `wasm` crate, which re-exports them: write `#[wasm::linear]`,
//! `#[wasm::export]`, `#[wasm::effect(...)]` and `#[derive(wasm::Pod)]`.
//!
//! Each expands to `::wasm::...` paths, so the crate using them must name its dependency `wasm`.
//! Errors are `syn::Error`s at the span of what is wrong; checks that only the type checker can
//! make (a field is `Pod`, a size has no padding, a parameter crosses the wasm ABI) are emitted
//! as code spanned at the user's field, type or parameter, so rustc reports them there.
use proc_macro::TokenStream;

mod effect;
mod export;
mod linear;
mod pod;

/// Makes a struct linear: move-only (no `Copy`/`Clone`), `#[must_use]`, its implicit drop
/// reported at run time, marked with `wasm::Linear` for the compiler. See `wasm::linear`.
#[proc_macro_attribute]
pub fn linear(attr: TokenStream, item: TokenStream) -> TokenStream {
    linear::expand(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Exports a free function from the wasm module under its name (or `name = "..."`), through an
/// `extern "C"` shim whose parameter and result types must be `wasm::abi::WasmAbi`.
#[proc_macro_attribute]
pub fn export(attr: TokenStream, item: TokenStream) -> TokenStream {
    export::expand(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Declares a function's effects in WasmIR's vocabulary (`reads(mem)`, `host_call`, `pure`, …)
/// and records them for the compiler. See `wasm::effect`.
#[proc_macro_attribute]
pub fn effect(attr: TokenStream, item: TokenStream) -> TokenStream {
    effect::expand(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements `wasm::Pod` for a `#[repr(C)]` or `#[repr(transparent)]` struct whose fields are
/// all `Pod` and whose size is the sum of its fields' sizes (no padding), all checked at
/// compile time.
#[proc_macro_derive(Pod)]
pub fn derive_pod(input: TokenStream) -> TokenStream {
    pod::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
