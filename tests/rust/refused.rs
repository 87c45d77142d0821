// Constructs the lowering refuses, each named with its source location.
// refused: 128-bit division and remainder (compiler_builtins' `__udivti3`)
// refused: static data of more than 65520 bytes
// refused: a closure capturing several fields of one variable
// refused: trait objects of `Loud`: a trait with supertraits
// refused: a call that resolves to several bodies: `<u32 as alloc::vec::spec_from_elem::SpecFromElem>::from_elem
#![no_std]
extern crate alloc;

#[unsafe(no_mangle)]
pub extern "C" fn wide(a: u64, b: u64) -> u64 {
    let x = ((a as u128) << 64) / b as u128;
    x as u64
}

static BIG: [u8; 70000] = [1; 70000];

#[unsafe(no_mangle)]
pub extern "C" fn big(i: usize) -> u8 {
    BIG[i]
}

#[inline(never)]
fn call_it<F: FnOnce() -> u64>(f: F) -> u64 {
    f()
}

/// The closure captures `pair.0` and `pair.1` apart; rustc's MIR prints one operand for both.
#[unsafe(no_mangle)]
pub extern "C" fn split(a: u64, b: u32) -> u64 {
    let pair = (a, b);
    call_it(move || pair.0 ^ pair.1 as u64)
}

pub trait Named {
    fn id(&self) -> u32;
}

/// Its vtable would start with `Named`'s methods.
pub trait Loud: Named {
    fn level(&self) -> u32;
}

pub struct Horn(u32);

impl Named for Horn {
    fn id(&self) -> u32 {
        self.0
    }
}

impl Loud for Horn {
    fn level(&self) -> u32 {
        self.0 * 2
    }
}

#[inline(never)]
fn level_of(l: &dyn Loud) -> u32 {
    l.level()
}

#[unsafe(no_mangle)]
pub extern "C" fn loud(x: u32) -> u32 {
    level_of(&Horn(x))
}

/// `vec![x; n]` of other than bytes: alloc's `SpecFromElem` has a default and a specialized
/// impl for `u32` (`IsZero`), which the resolver does not tell apart.
#[unsafe(no_mangle)]
pub extern "C" fn repeated(n: u32) -> u32 {
    let v = alloc::vec![n; 3];
    v[2]
}
