// While a shared view of a region lives, the region cannot be accessed another way: a plain
// store would race with the view's atomic accesses.
wasm::memory!(Heap = "heap");
use wasm::memory::{Ptr, Region, RegionBuffer};

fn main() {
    let mut buffer = RegionBuffer::<16>::new();
    let mut heap: Region<Heap> = Region::new(buffer.bytes_mut());
    let view = heap.shared(Ptr::<Heap, u32>::new(0), 4).unwrap();
    heap.store(Ptr::<Heap, u32>::new(0), 1).unwrap();
    view.set(0, 2).unwrap();
}
