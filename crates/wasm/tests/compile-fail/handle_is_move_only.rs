// A host handle is owned: it cannot be copied, so two owners cannot both release it.
fn release(handle: wasm::Handle) -> u32 {
    handle.into_raw()
}

fn main() {
    let handle = wasm::Handle::from_raw(3);
    release(handle);
    release(handle);
}
