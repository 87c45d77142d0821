//! WebAssembly-native types for Rust.
//!
//! This crate gives Rust programs the vocabulary of WebAssembly — host references, function
//! references, plain old data, shared linear memory, named memories, linear (use-once) values,
//! scoped threads and effects — as ordinary stable Rust. It is `no_std`, has no dependency but
//! its own macros (and none at all without the default `macros` feature), and works the same
//! natively and on wasm32, so programs using it can be tested on the host.
//!
//! | item | what it is | on wasm32 through `rustc-wasmir` |
//! |---|---|---|
//! | [`ExternRef<T>`] | a host reference, held in an [`ExternTable`] | an `externref` value (done); the table a wasm table (planned) |
//! | [`FuncRef<F>`] | a typed function reference | a function-table index called with `call_indirect` (done); a typed `funcref` called with `call_ref` (planned) |
//! | [`Pod`], [`derive(Pod)`](macro@Pod) | plain old data: no padding, every bit pattern valid | — (a layout fact) |
//! | [`SharedSlice<T>`] | a view of memory that other threads may access at the same time | atomic loads and stores of a shared memory (planned) |
//! | [`Handle`] | a move-only handle to a host resource | an `i32` |
//! | [`memory::Region`], [`memory!`] | a named linear memory with typed offsets | a memory of the module, multi-memory (planned) |
//! | [`thread::scope`] | scoped threads, joined automatically | threads where the host gives them, else sequential (planned) |
//! | [`linear`](macro@linear), [`Linear`] | move-only, must-consume types | each implicit drop or `mem::forget` an unconsumed `!own.linear` token, rejected by `--linearity-check` (done) |
//! | [`effect`](macro@effect), [`effect::Effect`] | the effects a function may have | `effects = [...]`, checked by `--effect-check` (done) |
//! | [`export`] | a function exported from the module | an exported `func.func` (for functions written `#[unsafe(no_mangle)]`) |
//!
//! The compiler's side (what it assumes of each type, and which check enforces it) is in
//! `docs/compiler-contract.md`; the unsafe invariants are in `docs/SAFETY.md`. `rustc-wasmir`
//! links the crate with `--extern wasm=crates/wasm/src/lib.rs`, without the `macros` feature
//! (programs write out what the macros expand to); what it does not recognise yet, and a wasm32
//! build by stock rustc, gets the portable representation described on each type (indices,
//! function pointers, one memory).
//!
//! # Features
//!
//! - `macros` (default): the attribute and derive macros, re-exported here.
//! - `std`: real threads in [`thread::scope`] on native targets, and a linear value dropped while
//!   its thread is already panicking is not reported a second time. Without it the crate is
//!   `no_std`.
#![no_std]
#![warn(missing_docs)]

#[cfg(any(test, feature = "std"))]
extern crate std;

// The macros expand to `::wasm::...` paths; this lets them work inside the crate's own tests.
extern crate self as wasm;

pub mod abi;
pub mod effect;
mod error;
pub mod externref;
pub mod funcref;
mod handle;
pub mod linear;
pub mod memory;
pub mod pod;
#[cfg(target_has_atomic = "8")]
pub mod shared;
pub mod thread;

pub use error::AccessError;
pub use externref::{ExternRef, ExternTable};
pub use funcref::FuncRef;
pub use handle::Handle;
pub use linear::Linear;
pub use pod::Pod;
#[cfg(target_has_atomic = "8")]
pub use shared::SharedSlice;

#[cfg(feature = "macros")]
pub use wasm_macros::{Pod, effect, export, linear};
