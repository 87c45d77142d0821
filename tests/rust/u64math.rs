// 64-bit arithmetic: multiplication, division, shifts, conversions to and from 32 bits, a
// hash (FNV-1a over the bytes of a number).
// invoke: mulhi 4294967295 4294967295
// invoke: divmod 1000000000000 7
// invoke: fnv 123456789
// invoke: signed -9000000000 4
// invoke: gcd 1071 462
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn mulhi(a: u64, b: u64) -> u64 {
    let lo = a.wrapping_mul(b);
    (lo >> 32) ^ (lo << 7)
}

#[unsafe(no_mangle)]
pub extern "C" fn divmod(a: u64, b: u64) -> u64 {
    (a / b) * 10 + a % b
}

#[unsafe(no_mangle)]
pub extern "C" fn fnv(x: u64) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    let mut v = x;
    let mut i = 0;
    while i < 8 {
        h ^= v & 0xff;
        h = h.wrapping_mul(0x100000001b3);
        v >>= 8;
        i += 1;
    }
    h
}

#[unsafe(no_mangle)]
pub extern "C" fn signed(a: i64, s: u32) -> i64 {
    (a >> s) + (a / 3) - ((a as i32) as i64)
}

#[inline(never)]
fn gcd_rec(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd_rec(b, a % b) }
}

#[unsafe(no_mangle)]
pub extern "C" fn gcd(a: u64, b: u64) -> u64 {
    gcd_rec(a, b)
}
