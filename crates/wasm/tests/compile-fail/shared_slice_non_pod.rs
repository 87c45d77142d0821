// Only plain old data may be shared: another thread could see a torn `char`.
fn main() {
    let mut letters = ['a', 'b'];
    let _shared = wasm::SharedSlice::new(&mut letters);
}
