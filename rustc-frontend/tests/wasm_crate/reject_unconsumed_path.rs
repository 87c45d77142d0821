//! A linear value consumed on one path only: on the other it goes out of scope, its implicit
//! drop (which `#[wasm::linear]`'s `Drop` impl would report only at run time, when that path
//! runs) is rejected by `--linearity-check` at the end of its scope.
// rejected: 43:1 linear value `%dropped.Permit`
#![no_std]

pub struct Permit {
    level: i32,
}

// SAFETY: `Permit` is neither `Copy` nor `Clone` and is consumed only through `into_fields`.
unsafe impl wasm::Linear for Permit {}

impl Drop for Permit {
    fn drop(&mut self) {
        wasm::linear::dropped_implicitly("Permit");
    }
}

impl Permit {
    fn into_fields(self) -> (i32,) {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: the field is read once and `this` is never dropped.
        unsafe { (core::ptr::read_unaligned(&raw const (*this).level),) }
    }

    fn grant(level: i32) -> Permit {
        Permit { level }
    }

    fn use_up(self) -> i32 {
        self.into_fields().0
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn enter(level: i32) -> i32 {
    let p = Permit::grant(level);
    if level > 3 {
        return p.use_up();
    }
    0
}
