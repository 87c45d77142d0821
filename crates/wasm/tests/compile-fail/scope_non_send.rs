// A scope thread may not capture data that is not `Send`, in every build mode (the sequential
// fallback keeps the bound so programs stay portable to real threads).
use std::rc::Rc;

fn main() {
    let shared = Rc::new(5);
    wasm::thread::scope(|s| {
        s.spawn(|| *shared + 1);
    });
}
