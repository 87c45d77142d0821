//! Linear values used correctly: made, passed on, returned and consumed on every path, in
//! branches and loops. `--linearity-check` accepts the module and the functions run.
//!
//! `#[wasm::linear]` is written out as it expands (the frontend compiles `wasm` without its
//! `macros` feature): the `Linear` impl, the reporting `Drop` impl, and `into_fields`.
// invoke: redeem_once 41 => 42
// invoke: redeem_either 1 10 => 11
// invoke: redeem_either 0 10 => 20
// invoke: chain 5 => 15
// invoke: tally 4 => 10
#![no_std]

pub struct Ticket {
    value: i32,
}

// SAFETY: `Ticket` is neither `Copy` nor `Clone` and is consumed only through `into_fields`.
unsafe impl wasm::Linear for Ticket {}

impl Drop for Ticket {
    fn drop(&mut self) {
        wasm::linear::dropped_implicitly("Ticket");
    }
}

impl Ticket {
    fn into_fields(self) -> (i32,) {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: the field is read once and `this` is never dropped.
        unsafe { (core::ptr::read_unaligned(&raw const (*this).value),) }
    }

    fn issue(value: i32) -> Ticket {
        Ticket { value }
    }

    /// Consumes the ticket.
    fn redeem(self) -> i32 {
        self.into_fields().0
    }

    /// Consumes the ticket and issues a new one.
    fn bump(self, by: i32) -> Ticket {
        let (v,) = self.into_fields();
        Ticket::issue(v + by)
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn redeem_once(v: i32) -> i32 {
    Ticket::issue(v).bump(1).redeem()
}

#[unsafe(no_mangle)]
pub extern "C" fn redeem_either(first: i32, v: i32) -> i32 {
    let t = Ticket::issue(v);
    if first != 0 { t.bump(1).redeem() } else { t.bump(10).redeem() }
}

#[inline(never)]
fn pass_on(t: Ticket, by: i32) -> Ticket {
    t.bump(by)
}

#[unsafe(no_mangle)]
pub extern "C" fn chain(v: i32) -> i32 {
    let t = pass_on(Ticket::issue(v), 4);
    let t = pass_on(t, 6);
    t.redeem()
}

/// A ticket carried around a loop: consumed and reissued on each iteration.
#[unsafe(no_mangle)]
pub extern "C" fn tally(n: i32) -> i32 {
    let mut t = Ticket::issue(0);
    let mut i = 1;
    while i <= n {
        t = t.bump(i);
        i += 1;
    }
    t.redeem()
}
