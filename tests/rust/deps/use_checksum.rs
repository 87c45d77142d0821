// A crate using another one: `rustc-wasmir --extern checksum=deps/checksum/src/lib.rs`.
#![no_std]
use checksum::{Fletcher, Fold};
#[unsafe(no_mangle)]
pub extern "C" fn fletcher(n: u32) -> u32 {
    let mut f = Fletcher::new();
    for i in 0..n {
        f.push((i * 31) as u8);
    }
    f.value() as u32
}
#[unsafe(no_mangle)]
pub extern "C" fn fold(k: u32, n: u32) -> u32 {
    let how = if k == 0 { Fold::Xor } else { Fold::Add(k) };
    let mut acc = 0;
    for i in 0..n {
        acc = how.apply(acc, i);
    }
    checksum::larger(acc, n)
}
