//! Typed function references: [`FuncRef<F>`].
//!
//! A wasm `funcref` names a function that can be called indirectly. `FuncRef<F>` holds a Rust
//! function pointer of type `F` (`fn(i32, i32) -> i32`), so its signature is part of its type
//! and a call cannot mismatch it. A nullable reference is `Option<FuncRef<F>>`, which is as small
//! as `FuncRef<F>` (function pointers have a niche).
//!
//! Natively it is a function pointer; on wasm32 built by stock rustc a function pointer is an
//! index into the module's function table, called with `call_indirect`.
//!
//! # Hook for the compiler
//!
//! `rustc-wasmir` lowers a `FuncRef` as the Rust function pointer it holds: an index into the
//! module's function table, called with `wasm.call_indirect` of the pointer's signature
//! (`rustc-frontend/tests/wasm_crate/funcref_dispatch.rs`). The lowering to a typed function
//! reference called with `call_ref` — which an export could take from and give to the host — is
//! not done (`docs/compiler-contract.md`).

mod sealed {
    pub trait Sealed {}
}

/// Function pointer types a [`FuncRef`] can hold: `fn(A, ...) -> R` with up to six parameters.
pub trait FnPtr: Copy + sealed::Sealed {}

/// A typed reference to a function.
///
/// ```
/// use wasm::FuncRef;
///
/// fn add(a: i32, b: i32) -> i32 { a + b }
/// fn mul(a: i32, b: i32) -> i32 { a * b }
/// let table: [FuncRef<fn(i32, i32) -> i32>; 2] = [FuncRef::new(add), FuncRef::new(mul)];
/// assert_eq!(table[1].call(6, 7), 42);
/// assert_eq!(core::mem::size_of::<Option<FuncRef<fn()>>>(), core::mem::size_of::<fn()>());
/// ```
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct FuncRef<F: FnPtr> {
    function: F,
}

impl<F: FnPtr> FuncRef<F> {
    /// A reference to `function`.
    pub const fn new(function: F) -> Self {
        FuncRef { function }
    }

    /// The function pointer.
    pub const fn get(self) -> F {
        self.function
    }
}

impl<F: FnPtr> core::fmt::Debug for FuncRef<F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("FuncRef(")?;
        f.write_str(core::any::type_name::<F>())?;
        f.write_str(")")
    }
}

macro_rules! fn_ptr_arity {
    ($($arg:ident),*) => {
        impl<R, $($arg),*> sealed::Sealed for fn($($arg),*) -> R {}
        impl<R, $($arg),*> FnPtr for fn($($arg),*) -> R {}

        impl<R, $($arg),*> FuncRef<fn($($arg),*) -> R> {
            /// Calls the function.
            #[allow(non_snake_case, clippy::too_many_arguments)]
            pub fn call(&self, $($arg: $arg),*) -> R {
                (self.function)($($arg),*)
            }
        }
    };
}

fn_ptr_arity!();
fn_ptr_arity!(A);
fn_ptr_arity!(A, B);
fn_ptr_arity!(A, B, C);
fn_ptr_arity!(A, B, C, D);
fn_ptr_arity!(A, B, C, D, E);
fn_ptr_arity!(A, B, C, D, E, G);

#[cfg(test)]
mod tests {
    use super::*;

    fn answer() -> u32 {
        42
    }
    fn sum3(a: u8, b: u16, c: u32) -> u64 {
        u64::from(a) + u64::from(b) + u64::from(c)
    }

    #[test]
    fn calls_through_the_reference() {
        let f: FuncRef<fn() -> u32> = FuncRef::new(answer);
        assert_eq!(f.call(), 42);
        let g = FuncRef::<fn(u8, u16, u32) -> u64>::new(sum3);
        assert_eq!(g.call(1, 2, 3), 6);
        assert_eq!((g.get())(4, 5, 6), 15);
        let nullable: Option<FuncRef<fn() -> u32>> = None;
        assert!(nullable.is_none());
    }
}
