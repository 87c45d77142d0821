// Integer arithmetic of every width: wrapping ops, division, shifts, casts between widths.
// invoke: add 2 40
// invoke: add -7 3
// invoke: mixed 200 7
// invoke: mixed 3 250
// invoke: divs -17 5
// invoke: divs 17 -5
// invoke: shifts 1 35
// invoke: shifts -1000 3
// invoke: narrow 300 -2
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

#[unsafe(no_mangle)]
pub extern "C" fn mixed(a: u32, b: u32) -> u32 {
    let x = a as u8;
    let y = b as u8;
    let s = x.wrapping_add(y) as u32;
    let m = (x as u16).wrapping_mul(y as u16) as u32;
    s * 1000 + m
}

#[unsafe(no_mangle)]
pub extern "C" fn divs(a: i32, b: i32) -> i32 {
    (a / b) * 100 + (a % b)
}

#[unsafe(no_mangle)]
pub extern "C" fn shifts(a: i32, n: u32) -> i32 {
    let l = a.wrapping_shl(n);
    let r = a >> (n % 32);
    let u = (a as u32) >> (n % 32);
    l ^ r ^ (u as i32)
}

#[unsafe(no_mangle)]
pub extern "C" fn narrow(a: i32, b: i32) -> i32 {
    let x = a as i8;
    let y = b as i16;
    let z = (x as i16).wrapping_mul(y);
    (z as i32) + ((a as u16) as i32) - (!x as i32)
}
