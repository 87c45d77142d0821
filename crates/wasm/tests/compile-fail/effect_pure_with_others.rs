#[wasm::effect(pure, alloc)]
fn make() -> u32 {
    1
}

fn main() {}
