// Enums with fields of the crate: tagged layouts (the tag enlarged to the first field's
// alignment or not), niches in `bool`, `char`, references and nested options, enums built in
// one function and matched in another (held in memory), `Ordering` in an `Option`.
// invoke: shape_area 0 3 4
// invoke: shape_area 1 5 0
// invoke: shape_area 2 6 7
// invoke: shape_area 3 1 1
// invoke: nested 0
// invoke: nested 1
// invoke: nested 2
// invoke: nested 3
// invoke: cmp_opt 1 2
// invoke: cmp_opt 2 2
// invoke: cmp_opt 3 2
// invoke: cmp_opt 0 2
// invoke: tokens 12345
// invoke: tokens 7
// invoke: wide 3000000000 5
// invoke: wide 1 0
#![no_std]

use core::cmp::Ordering;

#[derive(Clone, Copy)]
pub enum Shape {
    Square(u16),
    Rect { w: u32, h: u32 },
    Tri(u8, u8, bool),
    Empty,
}

#[inline(never)]
fn make(k: u32, a: u32, b: u32) -> Shape {
    match k {
        0 => Shape::Rect { w: a, h: b },
        1 => Shape::Square(a as u16),
        2 => Shape::Tri(a as u8, b as u8, a > b),
        _ => Shape::Empty,
    }
}

#[inline(never)]
fn area(s: &Shape) -> u32 {
    match *s {
        Shape::Square(x) => x as u32 * x as u32,
        Shape::Rect { w, h } => w * h,
        Shape::Tri(a, b, flip) => (a as u32 * b as u32) / 2 + flip as u32,
        Shape::Empty => 0,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn shape_area(k: u32, a: u32, b: u32) -> u32 {
    let s = make(k, a, b);
    area(&s) * 10 + k
}

#[inline(never)]
fn deep(x: u32) -> Option<Option<bool>> {
    match x {
        0 => None,
        1 => Some(None),
        2 => Some(Some(false)),
        _ => Some(Some(true)),
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn nested(x: u32) -> u32 {
    match deep(x) {
        None => 100,
        Some(None) => 200,
        Some(Some(b)) => 300 + b as u32,
    }
}

#[inline(never)]
fn compare(a: u32, b: u32) -> Option<Ordering> {
    if a == 0 { None } else { Some(a.cmp(&b)) }
}

#[unsafe(no_mangle)]
pub extern "C" fn cmp_opt(a: u32, b: u32) -> i32 {
    match compare(a, b) {
        Some(Ordering::Less) => -1,
        Some(Ordering::Equal) => 0,
        Some(Ordering::Greater) => 1,
        None => 9,
    }
}

#[derive(Clone, Copy)]
pub enum Token {
    Digit(char),
    Number(u64),
    End,
}

#[inline(never)]
fn next_token(n: u32, i: u32) -> Token {
    if i >= 4 {
        Token::End
    } else if i % 2 == 0 {
        Token::Digit(char::from_digit(n % 10, 10).unwrap_or('?'))
    } else {
        Token::Number(n as u64 * 1000)
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn tokens(n: u32) -> u32 {
    let mut acc = 0u32;
    let mut i = 0;
    loop {
        match next_token(n, i) {
            Token::Digit(c) => acc = acc.wrapping_mul(31).wrapping_add(c as u32),
            Token::Number(v) => acc = acc.wrapping_add((v >> 3) as u32),
            Token::End => break,
        }
        i += 1;
    }
    acc
}

pub enum Wide {
    Big(u64),
    Pair(u8, u32),
}

#[inline(never)]
fn wide_of(a: u32, b: u32) -> Wide {
    if b == 0 { Wide::Pair(a as u8, a + 1) } else { Wide::Big(a as u64 * b as u64) }
}

#[unsafe(no_mangle)]
pub extern "C" fn wide(a: u32, b: u32) -> u64 {
    match wide_of(a, b) {
        Wide::Big(v) => v,
        Wide::Pair(x, y) => x as u64 + y as u64 * 1000,
    }
}
