// Generic linear types get the derive check too (a hand-written `Clone` of a generic type is
// not detected: see wasm::linear).
#[wasm::linear]
#[derive(Copy)]
struct Slot<T>(T);

fn main() {}
