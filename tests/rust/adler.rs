// A real crate from crates.io: `adler2` 2.0.1 (Adler-32, `no_std` without its default `std`
// feature), vendored in the compiler's library source, built as a dependency with
// `rustc-wasmir --extern`. Its 4-byte-vector main loop, the chunk loop (chunks of 22,208 bytes),
// the remainders, incremental writes, `from_checksum` and its `Hasher` impl.
// extern: adler2=$RUST_SRC/vendor/adler2-2.0.1/src/lib.rs
// invoke: pattern 0 0
// invoke: pattern 1 256
// invoke: pattern 7 255
// invoke: pattern 200 3
// invoke: pattern 9 30000
// invoke: pattern 255 65000
// invoke: in_two 100 50
// invoke: in_two 30000 7
// invoke: resumed 1000 12345
// invoke: hashed 5 77
#![no_std]

use core::hash::Hasher;

const MAX: usize = 65000;

/// `len` bytes of a pattern seeded by `seed`.
fn fill(buf: &mut [u8; MAX], seed: u32, len: usize) -> usize {
    let len = if len > MAX { MAX } else { len };
    let mut i = 0;
    while i < len {
        buf[i] = (i as u32).wrapping_mul(7).wrapping_add(seed) as u8;
        i += 1;
    }
    len
}

/// The Adler-32 of `len` pattern bytes, in one call.
#[unsafe(no_mangle)]
pub extern "C" fn pattern(seed: u32, len: u32) -> u32 {
    let mut buf = [0u8; MAX];
    let n = fill(&mut buf, seed, len as usize);
    adler2::adler32_slice(&buf[..n])
}

/// The same bytes written in two pieces split at `at`.
#[unsafe(no_mangle)]
pub extern "C" fn in_two(len: u32, at: u32) -> u32 {
    let mut buf = [0u8; MAX];
    let n = fill(&mut buf, 3, len as usize);
    let at = if at as usize > n { n } else { at as usize };
    let mut a = adler2::Adler32::new();
    a.write_slice(&buf[..at]);
    a.write_slice(&buf[at..n]);
    a.checksum()
}

/// Resuming from a checksum: the same as one pass over both parts.
#[unsafe(no_mangle)]
pub extern "C" fn resumed(len: u32, start: u32) -> u32 {
    let mut buf = [0u8; MAX];
    let n = fill(&mut buf, 11, len as usize);
    let mut a = adler2::Adler32::from_checksum(start);
    a.write_slice(&buf[..n]);
    a.checksum()
}

/// Through `core::hash::Hasher`: `write` and `finish`.
#[unsafe(no_mangle)]
pub extern "C" fn hashed(seed: u32, len: u32) -> u64 {
    let mut buf = [0u8; MAX];
    let n = fill(&mut buf, seed, len as usize);
    let mut h = adler2::Adler32::new();
    h.write(&buf[..n]);
    h.finish()
}
