//! Adler-32 (the crates.io crate `adler2`) over 64 KB, `n` times: slices, chunked iteration,
//! a dependency crate.
// extern: adler2=$RUST_SRC/vendor/adler2-2.0.1/src/lib.rs
// (The differential test runs it at small sizes; the benchmark at large ones.)
// invoke: run 0
// invoke: run 1
// invoke: run 2
#![no_std]

const LEN: usize = 65_536;

#[unsafe(no_mangle)]
pub extern "C" fn run(n: u32) -> u32 {
    let mut buf = [0u8; LEN];
    let mut i = 0;
    while i < LEN {
        buf[i] = (i as u32).wrapping_mul(2_654_435_761) as u8;
        i += 1;
    }
    let mut sum = 1u32;
    for round in 0..n {
        buf[round as usize % LEN] = round as u8;
        let mut a = adler2::Adler32::from_checksum(sum);
        a.write_slice(&buf);
        sum = a.checksum();
    }
    sum
}
