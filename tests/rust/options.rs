// `Option` and `Result` through niches and tags: `checked_*` matched, options built and
// matched across calls (returned through memory), niches of references, `bool`, `char` and
// `NonZero`, and a `Result` with an error enum of the crate.
// invoke: checked_sum 5 7
// invoke: checked_sum 2147483647 1
// invoke: checked_sub_u 3 5
// invoke: checked_sub_u 9 5
// invoke: first_even 3 5 8
// invoke: first_even 3 5 7
// invoke: opt_bool 0
// invoke: opt_bool 1
// invoke: opt_bool 2
// invoke: opt_char 65
// invoke: opt_char 1114112
// invoke: opt_ref 0
// invoke: opt_ref 4
// invoke: nonzero 0
// invoke: nonzero 42
// invoke: parse 3
// invoke: parse 17
// invoke: parse 100
// invoke: result_chain 10 2
// invoke: result_chain 10 0
// invoke: result_chain 1000 1
#![no_std]

use core::num::NonZeroU32;

#[unsafe(no_mangle)]
pub extern "C" fn checked_sum(a: i32, b: i32) -> i32 {
    match a.checked_add(b) {
        Some(v) => v,
        None => -1,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn checked_sub_u(a: u32, b: u32) -> u32 {
    a.checked_sub(b).unwrap_or(1000)
}

#[inline(never)]
fn even(x: u32) -> Option<u32> {
    if x % 2 == 0 { Some(x) } else { None }
}

#[unsafe(no_mangle)]
pub extern "C" fn first_even(a: u32, b: u32, c: u32) -> u32 {
    let r = match even(a) {
        Some(v) => Some(v),
        None => match even(b) {
            Some(v) => Some(v),
            None => even(c),
        },
    };
    match r {
        Some(v) => v * 10,
        None => 1,
    }
}

#[inline(never)]
fn to_bool(x: u32) -> Option<bool> {
    match x {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn opt_bool(x: u32) -> u32 {
    match to_bool(x) {
        Some(true) => 11,
        Some(false) => 10,
        None => 99,
    }
}

#[inline(never)]
fn to_char(x: u32) -> Option<char> {
    char::from_u32(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn opt_char(x: u32) -> u32 {
    match to_char(x) {
        Some(c) => c as u32 + 1,
        None => 0,
    }
}

#[inline(never)]
fn pick<'a>(xs: &'a [u32; 4], i: u32) -> Option<&'a u32> {
    if i < 4 { Some(&xs[i as usize]) } else { None }
}

#[unsafe(no_mangle)]
pub extern "C" fn opt_ref(i: u32) -> u32 {
    let xs = [7, 8, 9, 10];
    match pick(&xs, i) {
        Some(r) => *r,
        None => 0,
    }
}

#[inline(never)]
fn nz(x: u32) -> Option<NonZeroU32> {
    NonZeroU32::new(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn nonzero(x: u32) -> u32 {
    match nz(x) {
        Some(n) => n.get() * 2,
        None => 7,
    }
}

#[derive(Clone, Copy, PartialEq)]
pub enum Error {
    TooSmall,
    TooBig(u32),
}

#[inline(never)]
fn check(x: u32) -> Result<u32, Error> {
    if x < 5 {
        Err(Error::TooSmall)
    } else if x > 50 {
        Err(Error::TooBig(x - 50))
    } else {
        Ok(x * 2)
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn parse(x: u32) -> u32 {
    match check(x) {
        Ok(v) => v,
        Err(Error::TooSmall) => 1,
        Err(Error::TooBig(n)) => 1000 + n,
    }
}

#[inline(never)]
fn divide(a: u32, b: u32) -> Result<u32, Error> {
    if b == 0 {
        return Err(Error::TooSmall);
    }
    Ok(a / b)
}

#[inline(never)]
fn chain(a: u32, b: u32) -> Result<u32, Error> {
    let q = divide(a, b)?;
    let r = check(q)?;
    Ok(r + 1)
}

#[unsafe(no_mangle)]
pub extern "C" fn result_chain(a: u32, b: u32) -> u32 {
    match chain(a, b) {
        Ok(v) => v,
        Err(Error::TooSmall) => 2,
        Err(Error::TooBig(n)) => 3000 + n,
    }
}
