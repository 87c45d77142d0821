//! Imports from the host that take and give host references: `host.ref_new` makes a reference
//! and `host.ref_id` says which one it is (wasmir-run's `host` module). Functions calling them
//! declare `host_call` (and `trap`: a host function may fail), which `--effect-check` verifies.
// wir: func.func private @host.ref_id(externref) -> i32 import "host" "ref_id" attributes {effects = ["trap", "host_call"]}
// wir: func.func @describe(%0: externref) -> i32 export "describe" attributes {effects = ["trap", "host_call"]}
// invoke: describe ref.extern:42 => 42
// invoke: describe null => -1
// invoke: fresh 7 => ref.extern:7
// invoke: swap_ids ref.extern:3 ref.extern:4 => 43
// invoke: next ref.extern:9 => ref.extern:10
#![no_std]
use wasm::ExternRef;

pub struct Item;

#[link(wasm_import_module = "host")]
unsafe extern "C" {
    fn ref_id(r: ExternRef<Item>) -> i32;
    fn ref_new(id: i32) -> ExternRef<Item>;
}

#[unsafe(no_mangle)]
pub extern "C" fn describe(r: ExternRef<Item>) -> i32 {
    #[allow(dead_code, non_upper_case_globals)]
    static __WASMIR_EFFECTS: [u8; 24] = *b"describe\0trap,host_call\0";
    // SAFETY: the host's `ref_id` takes any reference, null included.
    unsafe { ref_id(r) }
}

#[unsafe(no_mangle)]
pub extern "C" fn fresh(id: i32) -> ExternRef<Item> {
    // SAFETY: the host's `ref_new` takes any number.
    unsafe { ref_new(id) }
}

/// The two references' ids as one number: `b`'s tens and `a`'s units, reversed.
#[unsafe(no_mangle)]
pub extern "C" fn swap_ids(a: ExternRef<Item>, b: ExternRef<Item>) -> i32 {
    describe(b) * 10 + describe(a)
}

/// A reference to the host object after `r`'s.
#[unsafe(no_mangle)]
pub extern "C" fn next(r: ExternRef<Item>) -> ExternRef<Item> {
    fresh(describe(r) + 1)
}
