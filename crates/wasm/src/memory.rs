//! Named memories with a typed API.
//!
//! A wasm module may have several linear memories (multi-memory). Here each is a type declared
//! with [`memory!`](crate::memory!), whose name is the memory's symbol in WasmIR; a [`Region`]
//! gives access to one, and an offset into it is a [`Ptr<M, T>`], typed by both the memory and
//! the value. A `Ptr` into one memory cannot be used with another, and a `Ptr<M, u32>` loads a
//! `u32`.
//!
//! ```
//! wasm::memory!(
//!     /// Pixels, kept apart from the heap.
//!     pub Pixels = "pixels"
//! );
//! use wasm::memory::{Ptr, Region, RegionBuffer};
//!
//! let mut buffer = RegionBuffer::<64>::new();
//! let mut pixels: Region<Pixels> = Region::new(buffer.bytes_mut());
//! let p: Ptr<Pixels, u32> = Ptr::new(8);
//! pixels.store(p, 0xff00ff00).unwrap();
//! assert_eq!(pixels.load(p), Ok(0xff00ff00));
//! assert!(pixels.load(Ptr::<Pixels, u32>::new(62)).is_err()); // past the end
//! assert!(pixels.load(Ptr::<Pixels, u32>::new(2)).is_err());  // misaligned
//! assert_eq!(Region::<Pixels>::name(), "pixels");
//! ```
//!
//! Natively and on wasm32 built by stock rustc, a region is a byte buffer the program provides
//! (stock rustc knows one memory). `rustc-wasmir` is to lower a `Region<M>` to the memory
//! `@<M::NAME>` of the module and its loads and stores to `wasm.*.load @<name>`; the frontend
//! matches the path `wasm::memory::Region` and reads the name from the `Memory` impl (not
//! implemented yet, `docs/compiler-contract.md`).
use core::marker::PhantomData;
use core::mem::{align_of, size_of};

#[cfg(target_has_atomic = "8")]
use crate::SharedSlice;
use crate::{AccessError, Pod};

/// A named memory. Declare one with [`memory!`](crate::memory!).
pub trait Memory: 'static {
    /// The memory's symbol in WasmIR (`wasm.memory @NAME`) and its export name.
    const NAME: &'static str;
}

/// Declares a named memory: an uninhabited type implementing [`Memory`].
///
/// `wasm::memory!(pub Scratch = "scratch");`
#[macro_export]
macro_rules! memory {
    ($(#[$meta:meta])* $vis:vis $name:ident = $symbol:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug)]
        $vis enum $name {}
        impl $crate::memory::Memory for $name {
            const NAME: &'static str = $symbol;
        }
    };
}

/// An offset into the memory `M` where a `T` is (or will be) stored. In wasm memories are
/// indexed by `i32`, so the offset is a `u32`.
#[repr(transparent)]
pub struct Ptr<M: Memory, T: Pod> {
    offset: u32,
    _at: PhantomData<fn() -> (M, T)>,
}

impl<M: Memory, T: Pod> Clone for Ptr<M, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M: Memory, T: Pod> Copy for Ptr<M, T> {}

impl<M: Memory, T: Pod> PartialEq for Ptr<M, T> {
    fn eq(&self, other: &Self) -> bool {
        self.offset == other.offset
    }
}
impl<M: Memory, T: Pod> Eq for Ptr<M, T> {}

impl<M: Memory, T: Pod> core::fmt::Debug for Ptr<M, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "Ptr<{}, {}>({:#x})",
            M::NAME,
            core::any::type_name::<T>(),
            self.offset
        )
    }
}

impl<M: Memory, T: Pod> Ptr<M, T> {
    /// The value at byte `offset` of `M`.
    pub const fn new(offset: u32) -> Self {
        Ptr {
            offset,
            _at: PhantomData,
        }
    }

    /// The byte offset.
    pub const fn offset(self) -> u32 {
        self.offset
    }

    /// The `count`-th `T` after this one, or `None` when the offset leaves the 32-bit space.
    pub fn advance(self, count: u32) -> Option<Self> {
        let bytes = u32::try_from(size_of::<T>()).ok()?.checked_mul(count)?;
        Some(Ptr::new(self.offset.checked_add(bytes)?))
    }
}

/// A memory's bytes, aligned to 16 so that the host addresses of a [`Region`] over them have the
/// alignment their offsets have (wasm memories start at address 0).
#[repr(C, align(16))]
pub struct RegionBuffer<const N: usize> {
    bytes: [u8; N],
}

impl<const N: usize> Default for RegionBuffer<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> RegionBuffer<N> {
    /// `N` zero bytes, as a fresh wasm memory.
    pub const fn new() -> Self {
        RegionBuffer { bytes: [0; N] }
    }

    /// The bytes, to make a [`Region`] of.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
}

/// Access to the memory `M`, over the bytes that back it.
pub struct Region<'m, M: Memory> {
    bytes: &'m mut [u8],
    _memory: PhantomData<fn() -> M>,
}

impl<'m, M: Memory> Region<'m, M> {
    /// The memory `M`, backed by `bytes` (its offset 0 is `bytes[0]`).
    pub fn new(bytes: &'m mut [u8]) -> Self {
        Region {
            bytes,
            _memory: PhantomData,
        }
    }

    /// The memory's name.
    pub fn name() -> &'static str {
        M::NAME
    }

    /// Its size in bytes.
    pub fn size(&self) -> usize {
        self.bytes.len()
    }

    /// The bytes `offset..offset + len * size_of::<T>()`, after the checks every access makes:
    /// inside the memory, and `offset` a multiple of `T`'s alignment (the alignment wasm's
    /// natural alignment hint states, and the one shared views need).
    fn checked<T: Pod>(
        &self,
        offset: u32,
        len: usize,
    ) -> Result<core::ops::Range<usize>, AccessError> {
        let start = offset as usize;
        if !start.is_multiple_of(align_of::<T>()) {
            return Err(AccessError::Misaligned {
                address: start,
                align: align_of::<T>(),
            });
        }
        let end = len
            .checked_mul(size_of::<T>())
            .and_then(|bytes| start.checked_add(bytes))
            .ok_or(AccessError::OutOfBounds {
                end: usize::MAX,
                len: self.bytes.len(),
            })?;
        if end > self.bytes.len() {
            return Err(AccessError::OutOfBounds {
                end,
                len: self.bytes.len(),
            });
        }
        Ok(start..end)
    }

    /// The value at `at`.
    pub fn load<T: Pod>(&self, at: Ptr<M, T>) -> Result<T, AccessError> {
        let range = self.checked::<T>(at.offset, 1)?;
        crate::pod::read_from_bytes(&self.bytes[range])
    }

    /// Stores `value` at `at`.
    pub fn store<T: Pod>(&mut self, at: Ptr<M, T>, value: T) -> Result<(), AccessError> {
        let range = self.checked::<T>(at.offset, 1)?;
        crate::pod::write_to_bytes(&mut self.bytes[range], value)
    }

    /// `len` values from `at` on, as a view that threads may share. The region is borrowed as
    /// long as the view lives, so no plain access races with it. Besides the checks of
    /// [`load`](Self::load), the backing bytes must be aligned for `T` at that offset (they are
    /// when they come from a [`RegionBuffer`] and `T`'s alignment is at most 16).
    #[cfg(target_has_atomic = "8")]
    pub fn shared<T: Pod>(
        &mut self,
        at: Ptr<M, T>,
        len: usize,
    ) -> Result<SharedSlice<'_, T>, AccessError> {
        let range = self.checked::<T>(at.offset, len)?;
        if size_of::<T>() == 0 {
            return Err(AccessError::SizeMismatch {
                bytes: 0,
                element_size: 0,
            });
        }
        SharedSlice::from_bytes(&mut self.bytes[range])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::memory!(Heap = "heap");
    crate::memory!(Scratch = "scratch");

    #[test]
    fn typed_offsets_and_checks() {
        let mut buffer = RegionBuffer::<32>::new();
        let mut heap: Region<Heap> = Region::new(buffer.bytes_mut());
        let at: Ptr<Heap, [u16; 2]> = Ptr::new(4);
        heap.store(at, [1, 2]).unwrap();
        assert_eq!(heap.load(at), Ok([1, 2]));
        assert_eq!(
            heap.load(Ptr::<Heap, u8>::new(5)),
            Ok(if cfg!(target_endian = "little") { 0 } else { 1 })
        );
        assert_eq!(at.advance(7).map(Ptr::offset), Some(32));
        assert_eq!(Ptr::<Heap, u64>::new(u32::MAX).advance(1), None);
        assert_eq!(
            heap.load(Ptr::<Heap, u64>::new(32)),
            Err(AccessError::OutOfBounds { end: 40, len: 32 })
        );
        assert_eq!(
            heap.store(Ptr::<Heap, u32>::new(6), 1),
            Err(AccessError::Misaligned {
                address: 6,
                align: 4
            })
        );
        assert_eq!(Region::<Scratch>::name(), "scratch");
    }

    #[test]
    fn shared_views_of_a_region() {
        let mut buffer = RegionBuffer::<32>::new();
        let mut heap: Region<Heap> = Region::new(buffer.bytes_mut());
        {
            let view = heap.shared(Ptr::<Heap, u32>::new(8), 4).unwrap();
            view.fill(9);
            assert_eq!(view.len(), 4);
        }
        assert_eq!(heap.load(Ptr::<Heap, u32>::new(20)), Ok(9));
        assert_eq!(heap.load(Ptr::<Heap, u32>::new(24)), Ok(0));
        assert!(heap.shared(Ptr::<Heap, u32>::new(8), 7).is_err());
        assert!(heap.shared(Ptr::<Heap, u32>::new(8), usize::MAX).is_err());
    }
}
