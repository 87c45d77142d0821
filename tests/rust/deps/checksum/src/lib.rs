//! A dependency for `rustc-wasmir --extern`: a library crate (edition 2021, as its Cargo.toml
//! says) with a module, a struct with methods, a generic function and an enum.
#![no_std]

mod fold;

pub use fold::Fold;

/// A running Fletcher-16 sum.
#[derive(Clone, Copy)]
pub struct Fletcher {
    a: u16,
    b: u16,
}

impl Fletcher {
    pub fn new() -> Fletcher {
        Fletcher { a: 0, b: 0 }
    }

    pub fn push(&mut self, byte: u8) {
        self.a = ((self.a as u32 + byte as u32) % 255) as u16;
        self.b = ((self.b as u32 + self.a as u32) % 255) as u16;
    }

    pub fn value(&self) -> u16 {
        (self.b << 8) | self.a
    }
}

/// The larger of two values, through a trait bound (monomorphized in the user's crate).
#[inline(never)]
pub fn larger<T: PartialOrd + Copy>(a: T, b: T) -> T {
    if a < b { b } else { a }
}
