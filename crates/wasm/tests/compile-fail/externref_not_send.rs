// A reference to a host object that is not `Send` cannot go to another thread.
struct JsObject(std::rc::Rc<()>);

fn main() {
    let mut table: wasm::ExternTable<JsObject, 4> = wasm::ExternTable::new();
    let object = table.insert(JsObject(std::rc::Rc::new(()))).unwrap();
    wasm::thread::scope(|s| {
        s.spawn(move || object.slot());
    });
}
