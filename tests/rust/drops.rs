// Drop glue: a `Drop` impl of the crate, and structs, tuples, arrays, enums, `Option`s and
// closures holding values that have one (fields in declaration order, array elements from the
// first, an enum's fields by its variant); `drop` at the end of a scope, `core::mem::drop`,
// `core::ptr::drop_in_place`, values moved away (not dropped) and moved conditionally (drop
// flags). Each drop appends its weight to a counter (`count * 10 + weight`), so the order shows.
// invoke: scope_end 7
// invoke: explicit 3
// invoke: struct_order 1
// invoke: tuple_order 2
// invoke: array_order 3
// invoke: enum_variants 0
// invoke: enum_variants 1
// invoke: enum_variants 2
// invoke: option_drop 0
// invoke: option_drop 1
// invoke: moved_away 4
// invoke: maybe_moved 0
// invoke: maybe_moved 1
// invoke: in_place 5
// invoke: closure_owns 6
// invoke: fn_closure_once 6
// invoke: generic_wrap 9
// invoke: unit_guard 3
#![no_std]

pub struct Noisy<'a> {
    count: &'a mut u32,
    weight: u32,
}

impl Drop for Noisy<'_> {
    fn drop(&mut self) {
        *self.count = *self.count * 10 + self.weight;
    }
}

/// Fields in declaration order, not in memory order (`tag` goes last in memory).
pub struct Holder<'a> {
    tag: u8,
    first: Noisy<'a>,
    second: Noisy<'a>,
}

/// Its own `Drop` runs before its fields'.
pub struct Outer<'a> {
    inner: Noisy<'a>,
    marker: u32,
}

impl Drop for Outer<'_> {
    fn drop(&mut self) {
        *self.inner.count = *self.inner.count * 10 + self.marker;
    }
}

pub enum Maybe<'a> {
    Nothing,
    One(Noisy<'a>),
    Two(u32, Noisy<'a>, Noisy<'a>),
}

pub struct Wrap<T: Copy> {
    value: T,
    sink: *mut T,
}

impl<T: Copy> Drop for Wrap<T> {
    fn drop(&mut self) {
        unsafe { *self.sink = self.value };
    }
}

/// Zero-sized, with a `Drop` impl: its glue gets a dangling, aligned address.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        core::hint::black_box(self);
    }
}

#[inline(never)]
fn make(count: &mut u32, w: u32) -> Noisy<'_> {
    Noisy { count, weight: w }
}

#[inline(never)]
fn consume(n: Noisy<'_>) -> u32 {
    n.weight
}

#[unsafe(no_mangle)]
pub extern "C" fn scope_end(w: u32) -> u32 {
    let mut c = 0u32;
    {
        let _a = Noisy { count: &mut c, weight: w };
    }
    c
}

#[unsafe(no_mangle)]
pub extern "C" fn explicit(w: u32) -> u32 {
    let mut c = 0u32;
    let a = make(&mut c, w);
    core::mem::drop(a);
    c
}

#[unsafe(no_mangle)]
pub extern "C" fn struct_order(w: u32) -> u32 {
    let mut c = 0u32;
    {
        let p: *mut u32 = &mut c;
        let h = Holder {
            tag: 9,
            first: Noisy { count: unsafe { &mut *p }, weight: w },
            second: Noisy { count: unsafe { &mut *p }, weight: w + 1 },
        };
        let o = Outer {
            inner: Noisy { count: unsafe { &mut *p }, weight: 8 },
            marker: 5,
        };
        let _ = (h.tag, &o);
    }
    c
}

#[unsafe(no_mangle)]
pub extern "C" fn tuple_order(w: u32) -> u32 {
    let mut c = 0u32;
    {
        let p: *mut u32 = &mut c;
        let t = (
            7u16,
            Noisy { count: unsafe { &mut *p }, weight: w },
            Noisy { count: unsafe { &mut *p }, weight: w + 3 },
        );
        let _ = &t;
    }
    c
}

#[unsafe(no_mangle)]
pub extern "C" fn array_order(w: u32) -> u32 {
    let mut c = 0u32;
    {
        let p: *mut u32 = &mut c;
        let a = [
            Noisy { count: unsafe { &mut *p }, weight: w },
            Noisy { count: unsafe { &mut *p }, weight: w + 1 },
            Noisy { count: unsafe { &mut *p }, weight: w + 2 },
        ];
        let _ = &a;
    }
    c
}

#[unsafe(no_mangle)]
pub extern "C" fn enum_variants(which: u32) -> u32 {
    let mut c = 1u32;
    let mut d = 2u32;
    let mut e = 3u32;
    {
        let m = match which {
            0 => Maybe::Nothing,
            1 => Maybe::One(Noisy { count: &mut c, weight: 4 }),
            _ => Maybe::Two(7, Noisy { count: &mut d, weight: 5 }, Noisy { count: &mut e, weight: 6 }),
        };
        let _ = &m;
    }
    c * 10000 + d * 100 + e
}

#[unsafe(no_mangle)]
pub extern "C" fn option_drop(some: u32) -> u32 {
    let mut c = 4u32;
    {
        let o = if some == 1 { Some(Noisy { count: &mut c, weight: 2 }) } else { None };
        let _ = &o;
    }
    c
}

/// A value moved into a callee is dropped there, once.
#[unsafe(no_mangle)]
pub extern "C" fn moved_away(w: u32) -> u32 {
    let mut c = 0u32;
    let r = {
        let n = make(&mut c, w);
        consume(n)
    };
    c * 100 + r
}

/// Dropped at the end of the scope unless moved on one path: a drop flag.
#[unsafe(no_mangle)]
pub extern "C" fn maybe_moved(mv: u32) -> u32 {
    let mut c = 0u32;
    let mut r = 0;
    {
        let n = make(&mut c, 6);
        if core::hint::black_box(mv) == 1 {
            r = consume(n);
        }
    }
    c * 100 + r
}

#[unsafe(no_mangle)]
pub extern "C" fn in_place(w: u32) -> u32 {
    let mut c = 0u32;
    let mut slot = core::mem::ManuallyDrop::new(Noisy { count: &mut c, weight: w });
    unsafe { core::ptr::drop_in_place(&mut *slot as *mut Noisy<'_>) };
    c
}

#[inline(never)]
fn run_once<F: FnOnce() -> u32>(f: F) -> u32 {
    f()
}

/// A closure owning a droppable capture drops it when it is consumed.
#[unsafe(no_mangle)]
pub extern "C" fn closure_owns(w: u32) -> u32 {
    let mut c = 0u32;
    let k = 2u32;
    let got = {
        let n = make(&mut c, w);
        run_once(move || n.weight * k)
    };
    c * 100 + got
}

/// An `Fn` closure consumed through `FnOnce`: its captures are dropped after the call.
#[unsafe(no_mangle)]
pub extern "C" fn fn_closure_once(w: u32) -> u32 {
    let mut c = 0u32;
    let got = {
        let n = make(&mut c, w);
        let f = move || n.weight + 1;
        run_once(f)
    };
    c * 100 + got
}

#[unsafe(no_mangle)]
pub extern "C" fn generic_wrap(v: u64) -> u64 {
    let mut out = 0u64;
    let mut out8 = 0u8;
    {
        let _a = Wrap { value: v * 3, sink: &mut out };
        let _b = Wrap { value: v as u8, sink: &mut out8 };
    }
    out + out8 as u64
}

#[unsafe(no_mangle)]
pub extern "C" fn unit_guard(n: u32) -> u32 {
    let _g = Guard;
    n + 1
}
