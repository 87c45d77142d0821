//! The three together: a host reference chosen by a computation on linear leases inside
//! functions with declared effects. The effects include the frame: `into_fields` reads the
//! value through its address, so the lowering keeps it in a shadow-stack slot (`alloc`, memory
//! reads and writes, and the trap of an access out of bounds).
// wir: func.func @lend(%0: externref, %1: externref, %2: i32) -> externref export "lend" attributes {effects = ["reads(mem)", "writes(mem)", "trap", "alloc"]}
// invoke: lend ref.extern:100 ref.extern:200 3 => ref.extern:100
// invoke: lend ref.extern:100 ref.extern:200 12 => ref.extern:200
// invoke: lend null ref.extern:200 0 => null
#![no_std]
use wasm::ExternRef;

pub struct Document;

/// A lease on some budget: must be settled exactly once.
pub struct Lease {
    budget: i32,
}

// SAFETY: `Lease` is neither `Copy` nor `Clone` and is consumed only through `into_fields`.
unsafe impl wasm::Linear for Lease {}

impl Drop for Lease {
    fn drop(&mut self) {
        wasm::linear::dropped_implicitly("Lease");
    }
}

impl Lease {
    fn into_fields(self) -> (i32,) {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: the field is read once and `this` is never dropped.
        unsafe { (core::ptr::read_unaligned(&raw const (*this).budget),) }
    }

    fn spend(self, n: i32) -> Lease {
        let (b,) = self.into_fields();
        Lease { budget: b - n }
    }

    /// Settles the lease: whether it was overspent.
    fn settle(self) -> bool {
        self.into_fields().0 < 0
    }
}

#[inline(never)]
fn overspent(budget: i32, spent: i32) -> bool {
    #[allow(dead_code, non_upper_case_globals)]
    static __WASMIR_EFFECTS: [u8; 44] = *b"overspent\0reads(mem),writes(mem),trap,alloc\0";
    let mut lease = Lease { budget };
    let mut i = 0;
    while i < spent {
        lease = lease.spend(1);
        i += 1;
    }
    lease.settle()
}

/// The primary document, or the fallback when a budget of 10 does not cover `pages`.
#[unsafe(no_mangle)]
pub extern "C" fn lend(
    primary: ExternRef<Document>,
    fallback: ExternRef<Document>,
    pages: i32,
) -> ExternRef<Document> {
    #[allow(dead_code, non_upper_case_globals)]
    static __WASMIR_EFFECTS: [u8; 39] = *b"lend\0reads(mem),writes(mem),trap,alloc\0";
    if overspent(10, pages) { fallback } else { primary }
}
