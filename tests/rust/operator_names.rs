// Tuple structs named like MIR's operators (`Add`, `Mul`, `Not`), whose constructors print
// like operations, used as functions so that their constructor bodies are called.
// invoke: through_ctors 3 4
// invoke: mapped 5
#![no_std]

pub struct Add(pub u32);
pub struct Mul(pub u32, pub u32);
pub struct Not(pub u32);

#[inline(never)]
fn apply<A, B, T>(f: fn(A, B) -> T, a: A, b: B) -> T {
    f(a, b)
}

#[unsafe(no_mangle)]
pub fn through_ctors(a: u32, b: u32) -> u32 {
    let add: fn(u32) -> Add = Add;
    let not: fn(u32) -> Not = Not;
    let m = apply(Mul, a, b);
    add(a).0.wrapping_mul(10) + m.0 * m.1 + not(b).0
}

#[unsafe(no_mangle)]
pub fn mapped(n: u32) -> u32 {
    let mut total = 0;
    for x in (0..n).map(Add) {
        total += x.0 * 2;
    }
    total
}
