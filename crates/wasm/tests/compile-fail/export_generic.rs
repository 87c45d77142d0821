#[wasm::export]
fn identity<T>(value: T) -> T {
    value
}

fn main() {}
