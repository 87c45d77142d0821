// Inclusive ranges: `RangeInclusive::next` goes through core's specialized
// `RangeInclusiveIteratorImpl` (the `TrustedStep` impl over the `default fn`), for integers of
// several widths and `char`, including a range ending at the type's maximum.
// invoke: sum_incl 1 10
// invoke: sum_incl 5 4
// invoke: sum_incl 0 0
// invoke: sum_incl 4294967294 4294967295
// invoke: fold_incl 5
// invoke: fold_incl -1
// invoke: fold_incl 0
// invoke: letters 0
// invoke: letters 2
// invoke: bytes_to_max 250
// invoke: bytes_to_max 0
#![no_std]
#[unsafe(no_mangle)]
pub extern "C" fn sum_incl(a: u32, b: u32) -> u32 {
    let mut s = 0u32;
    for i in a..=b { s = s.wrapping_add(i * i); }
    s
}
#[unsafe(no_mangle)]
pub extern "C" fn fold_incl(n: i64) -> i64 {
    let mut c = 0;
    for i in 0..=n { c = c * 3 + i; }
    c
}
#[unsafe(no_mangle)]
pub extern "C" fn letters(a: u32) -> u32 {
    let mut c = 0;
    for ch in 'a'..='z' { if (ch as u32) % 3 == a { c += 1; } }
    c
}

#[unsafe(no_mangle)]
pub extern "C" fn bytes_to_max(from: u32) -> u32 {
    let mut n = 0;
    for b in (from as u8)..=u8::MAX {
        n += b as u32 & 1;
    }
    n
}
