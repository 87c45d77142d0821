// An offset into one named memory cannot be used with another.
wasm::memory!(Heap = "heap");
wasm::memory!(Pixels = "pixels");

fn main() {
    let mut buffer = wasm::memory::RegionBuffer::<16>::new();
    let pixels: wasm::memory::Region<Pixels> = wasm::memory::Region::new(buffer.bytes_mut());
    let in_heap: wasm::memory::Ptr<Heap, u32> = wasm::memory::Ptr::new(0);
    let _ = pixels.load(in_heap);
}
