//! The Rust frontend: drives a real rustc to get the MIR of the user's crate and of core,
//! compiler_builtins and alloc for wasm32, and reads that MIR (`mir`).
pub mod mir;
