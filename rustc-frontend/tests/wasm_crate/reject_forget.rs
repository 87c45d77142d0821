//! A linear value leaked through `core::mem::forget`: Rust accepts it (forget skips the
//! implicit-drop report), `--linearity-check` rejects it at the call.
// rejected: 29:5 linear value `%forgotten.Receipt`
#![no_std]

pub struct Receipt {
    amount: i32,
}

// SAFETY: `Receipt` is neither `Copy` nor `Clone` and is consumed only through `into_fields`.
unsafe impl wasm::Linear for Receipt {}

impl Drop for Receipt {
    fn drop(&mut self) {
        wasm::linear::dropped_implicitly("Receipt");
    }
}

impl Receipt {
    fn amount(&self) -> i32 {
        self.amount
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn pay(amount: i32) -> i32 {
    let r = Receipt { amount };
    let paid = r.amount();
    core::mem::forget(r);
    paid
}
