// 128-bit integers: in memory as two i64 halves; arithmetic with carries, products of 64-bit
// halves, shifts across the halves, comparisons, casts, and values passed between functions.
// invoke: mul_hi 18446744073709551615 18446744073709551615
// invoke: mul_hi 4294967296 4294967296
// invoke: mul_hi 123456789123 987654321987
// invoke: mul_lo 123456789123 987654321987
// invoke: add_carry 18446744073709551615 1
// invoke: add_carry 5 7
// invoke: sub_borrow 0 1
// invoke: shifts 1 0
// invoke: shifts 1 63
// invoke: shifts 1 64
// invoke: shifts 3 100
// invoke: shifts 12345 127
// invoke: sar -5 1
// invoke: sar -5 70
// invoke: sar 9223372036854775807 64
// invoke: compare 1 2
// invoke: compare 2 1
// invoke: compare 7 7
// invoke: signed_cmp -1 1
// invoke: signed_cmp 3 -4
// invoke: bits 6148914691236517205 3
// invoke: neg_low 5
// invoke: sum_squares 1000000
// invoke: checked 18446744073709551615
// invoke: checked 3
// invoke: enum_wide 3
// invoke: enum_wide 4
// invoke: enum_wide 5
// invoke: classify 0
// invoke: classify 1
// invoke: classify 2
// invoke: classify 9
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn mul_hi(a: u64, b: u64) -> u64 {
    ((a as u128 * b as u128) >> 64) as u64
}

#[unsafe(no_mangle)]
pub extern "C" fn mul_lo(a: u64, b: u64) -> u64 {
    (a as u128 * b as u128) as u64
}

#[inline(never)]
fn add(a: u128, b: u128) -> u128 {
    a.wrapping_add(b)
}

#[unsafe(no_mangle)]
pub extern "C" fn add_carry(a: u64, b: u64) -> u64 {
    let s = add(a as u128, b as u128);
    (s >> 64) as u64 * 1000 + (s as u64 % 1000)
}

#[unsafe(no_mangle)]
pub extern "C" fn sub_borrow(a: u64, b: u64) -> u64 {
    let d = (a as u128).wrapping_sub(b as u128);
    (d >> 100) as u64
}

#[unsafe(no_mangle)]
pub extern "C" fn shifts(x: u64, n: u32) -> u64 {
    let v = (x as u128) << n;
    (v >> 64) as u64 ^ (v as u64).rotate_left(7)
}

#[unsafe(no_mangle)]
pub extern "C" fn sar(x: i64, n: u32) -> i64 {
    let v = ((x as i128) << 64) >> n;
    (v >> 32) as i64
}

#[unsafe(no_mangle)]
pub extern "C" fn compare(a: u64, b: u64) -> i32 {
    let x = (a as u128) << 70;
    let y = (b as u128) << 70;
    (x < y) as i32 * 100 + (x == y) as i32 * 10 + (x >= y) as i32
}

#[unsafe(no_mangle)]
pub extern "C" fn signed_cmp(a: i64, b: i64) -> i32 {
    let x = (a as i128) * (1i128 << 80);
    let y = (b as i128) * (1i128 << 80);
    match x.cmp(&y) {
        core::cmp::Ordering::Less => -1,
        core::cmp::Ordering::Equal => 0,
        core::cmp::Ordering::Greater => 1,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn bits(a: u64, k: u32) -> u64 {
    let x = ((a as u128) << 64) | a as u128;
    let y = !x & (x >> k) ^ (x << 1);
    (y >> 64) as u64 ^ y as u64
}

#[unsafe(no_mangle)]
pub extern "C" fn neg_low(a: i64) -> i64 {
    let x = -(a as i128);
    (x >> 64) as i64 + x as i64
}

#[unsafe(no_mangle)]
pub extern "C" fn sum_squares(n: u64) -> u64 {
    let mut s: u128 = 0;
    let mut i: u64 = 0;
    while i < n {
        s += i as u128 * i as u128 * i as u128;
        i += 1;
    }
    (s >> 40) as u64
}

#[unsafe(no_mangle)]
pub extern "C" fn checked(a: u64) -> u64 {
    let x = (a as u128) << 64 | a as u128;
    match x.checked_add(1) {
        Some(v) => v as u64,
        None => 77,
    }
}

/// An enum whose first field is 16-aligned: rustc enlarges its tag to 16 bytes.
enum Amount {
    Small(u8),
    Big(u128),
    None,
}

#[inline(never)]
fn amount(k: u64) -> Amount {
    match k % 3 {
        0 => Amount::Small(k as u8),
        1 => Amount::Big((k as u128) << 90),
        _ => Amount::None,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn enum_wide(k: u64) -> u64 {
    match amount(k) {
        Amount::Small(v) => v as u64,
        Amount::Big(v) => (v >> 80) as u64,
        Amount::None => 99,
    }
}

/// A `match` on a 128-bit value: one comparison of both halves per arm.
#[unsafe(no_mangle)]
pub extern "C" fn classify(k: u64) -> u32 {
    let x = (k as u128) << 64 | 7;
    match x {
        7 => 10,
        0x1_0000_0000_0000_0007 => 20,
        0x2_0000_0000_0000_0007 => 30,
        _ => 40,
    }
}
