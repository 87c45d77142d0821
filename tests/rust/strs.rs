// `str` and static data: string literals and promoted arrays placed in the module's data
// segment, `len`, `as_bytes`, byte iteration, indexing the bytes with bounds checks, `==`.
// invoke: lit_len 0
// invoke: lit_len 1
// invoke: lit_len 2
// invoke: count_byte 108
// invoke: count_byte 122
// invoke: byte_at 0
// invoke: byte_at 4
// invoke: byte_at 5
// invoke: is_named 0
// invoke: is_named 1
// invoke: is_named 2
// invoke: table_sum 3
// invoke: table_at 2
// invoke: table_at 9
// invoke: first_word_len 0
// invoke: first_word_len 1
// invoke: bump 3
// invoke: counter 5
// invoke: char_count 1
// invoke: char_count 2
// invoke: promoted_at 3
// invoke: promoted_at 4
// invoke: lookup 1
// invoke: lookup 2
// invoke: square 255
// invoke: square 299
// invoke: square 300
#![no_std]

#[inline(never)]
fn pick(i: u32) -> &'static str {
    match i {
        0 => "",
        1 => "héllo",
        _ => "two words",
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn lit_len(i: u32) -> u32 {
    pick(i).len() as u32
}

#[inline(never)]
fn count(s: &str, b: u8) -> u32 {
    let mut n = 0u32;
    for c in s.bytes() {
        if c == b {
            n += 1;
        }
    }
    n
}

#[unsafe(no_mangle)]
pub extern "C" fn count_byte(b: u8) -> u32 {
    count("hello, world", b)
}

#[unsafe(no_mangle)]
pub extern "C" fn byte_at(i: usize) -> u8 {
    "hello".as_bytes()[i]
}

#[unsafe(no_mangle)]
pub extern "C" fn is_named(i: u32) -> u32 {
    (pick(i) == "héllo") as u32
}

static TABLE: [u32; 5] = [1, 10, 100, 1000, 10000];

#[unsafe(no_mangle)]
pub extern "C" fn table_sum(n: usize) -> u32 {
    let mut s = 0u32;
    for x in &TABLE[..n] {
        s += *x;
    }
    s
}

#[unsafe(no_mangle)]
pub extern "C" fn table_at(i: usize) -> u32 {
    let t: &[u32] = &[3, 1, 4, 1, 5, 9];
    t[i]
}

#[inline(never)]
fn first_word(s: &str) -> &str {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' {
            return &s[..i];
        }
        i += 1;
    }
    s
}

#[unsafe(no_mangle)]
pub extern "C" fn first_word_len(i: u32) -> u32 {
    first_word(if i == 0 { "alpha beta" } else { "gamma" }).len() as u32
}

static mut COUNTER: u32 = 7;

#[unsafe(no_mangle)]
pub extern "C" fn bump(n: u32) -> u32 {
    unsafe {
        COUNTER += n;
        COUNTER
    }
}

static NAMES: [&str; 3] = ["a", "bb", "ccc"];

#[unsafe(no_mangle)]
pub extern "C" fn counter(i: usize) -> u32 {
    let mut s = 0;
    for n in &NAMES {
        s += n.len() as u32;
    }
    s * 10 + NAMES[i % 3].len() as u32
}

#[unsafe(no_mangle)]
pub extern "C" fn char_count(i: u32) -> u32 {
    // Characters are the bytes that do not continue a UTF-8 sequence.
    let mut n = 0;
    for b in pick(i).bytes() {
        if b & 0xc0 != 0x80 {
            n += 1;
        }
    }
    n
}

#[inline(never)]
fn at_or_past(xs: &[u32], i: usize) -> u32 {
    if i < xs.len() { xs[i] } else { xs[xs.len() - 1] + 1000 }
}

#[unsafe(no_mangle)]
pub extern "C" fn promoted_at(i: usize) -> u32 {
    at_or_past(&[4, 5, 6, 7], i)
}

struct Entry {
    key: &'static str,
    value: u16,
}

static ENTRIES: [Entry; 3] = [
    Entry { key: "one", value: 1 },
    Entry { key: "three", value: 3 },
    Entry { key: "héllo", value: 7 },
];

#[unsafe(no_mangle)]
pub extern "C" fn lookup(i: u32) -> u32 {
    let k = pick(i);
    for e in &ENTRIES {
        if e.key == k {
            return e.value as u32;
        }
    }
    0
}

/// A static computed by a constant initializer: rustc evaluates it, the lowering places its bytes.
static SQUARES: [u16; 300] = {
    let mut a = [0u16; 300];
    let mut i = 0;
    while i < 300 {
        a[i] = (i * i) as u16;
        i += 1;
    }
    a
};

#[unsafe(no_mangle)]
pub extern "C" fn square(i: usize) -> u32 {
    SQUARES[i] as u32
}
