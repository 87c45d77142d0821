// A linear type cannot be copied or cloned: the derive is refused at its span.
#[wasm::linear]
#[derive(Debug, Clone, Copy)]
struct Token(u32);

fn main() {}
