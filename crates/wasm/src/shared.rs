//! Shared linear memory: [`SharedSlice`].
//!
//! WebAssembly threads share one linear memory and access it without locks; a racing
//! non-atomic access is defined in wasm but is undefined behaviour in Rust. A `SharedSlice`
//! therefore performs every element access as relaxed atomic loads and stores, in units of the
//! widest atomic that the element's size and alignment allow ([`access_unit`]). Two threads may
//! read and write the same element at the same time: a read then sees each unit either before or
//! after the write, so a value wider than its unit can tear — and because the element is
//! [`Pod`], a torn value is still a valid one.
//!
//! On wasm32 with the `atomics` target feature (a shared memory) the units become
//! `i32.atomic.load`/`store` and friends. Without it there is only one thread and no shared
//! memory, and LLVM lowers the same atomics to plain loads and stores: nothing is lost, because
//! nobody else can observe the memory. A target without 8-bit atomics has no `SharedSlice`.
use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::mem::{MaybeUninit, align_of, size_of};
use core::ops::Range;
use core::ptr::NonNull;
use core::sync::atomic::Ordering::Relaxed;

use crate::error::check_range;
use crate::{AccessError, Pod};

/// A view of `len` elements of memory that other threads may read and write at the same time.
///
/// It is `Copy`, `Send` and `Sync`: hand copies to as many threads as you like for the lifetime
/// `'a`. Every access is bounds-checked and returns an error instead of reaching outside; every
/// way of making one checks alignment. Element accesses are atomic per unit (see the module
/// documentation), so concurrent use is data-race free.
///
/// ```
/// use wasm::SharedSlice;
///
/// let mut data = [1.0f32, 2.0, 3.0, 4.0, 5.0];
/// let shared = SharedSlice::new(&mut data);
/// wasm::thread::scope(|s| {
///     for chunk in shared.chunks(2) {
///         s.spawn(move || {
///             for i in 0..chunk.len() {
///                 let v = chunk.get(i).unwrap();
///                 chunk.set(i, v * 10.0).unwrap();
///             }
///         });
///     }
/// });
/// assert_eq!(data, [10.0, 20.0, 30.0, 40.0, 50.0]);
/// ```
pub struct SharedSlice<'a, T: Pod> {
    start: NonNull<T>,
    len: usize,
    _memory: PhantomData<&'a [UnsafeCell<T>]>,
}

impl<T: Pod> Clone for SharedSlice<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Pod> Copy for SharedSlice<'_, T> {}

// SAFETY: every access through a `SharedSlice` is atomic (relaxed loads and stores of whole
// units, the same unit size for every view of the same memory, since all views of it have the
// element type `T`), so use from several threads has no data race; `T: Pod` makes any mix of
// units a valid `T`, and `Pod` types are `Send + Sync` themselves.
unsafe impl<T: Pod> Send for SharedSlice<'_, T> {}
// SAFETY: as for `Send`: `&SharedSlice` only allows the same atomic accesses.
unsafe impl<T: Pod> Sync for SharedSlice<'_, T> {}

/// The width of the atomic accesses that copy an element of a [`SharedSlice`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AccessUnit {
    /// `AtomicU8`.
    U8,
    /// `AtomicU16`.
    U16,
    /// `AtomicU32`.
    U32,
    /// `AtomicU64`.
    U64,
}

impl AccessUnit {
    /// The unit's size in bytes.
    pub const fn size(self) -> usize {
        match self {
            AccessUnit::U8 => 1,
            AccessUnit::U16 => 2,
            AccessUnit::U32 => 4,
            AccessUnit::U64 => 8,
        }
    }
}

/// The widest atomic unit that divides `T`'s size and whose alignment `T`'s alignment meets, on
/// this target. It depends on `T` alone, so every view of the same memory (all have the same
/// `T`) accesses it in the same unit, and atomics of different sizes never race.
pub const fn access_unit<T>() -> AccessUnit {
    let size = size_of::<T>();
    let align = align_of::<T>();
    #[cfg(target_has_atomic = "64")]
    if size.is_multiple_of(8) && align >= align_of::<core::sync::atomic::AtomicU64>() {
        return AccessUnit::U64;
    }
    #[cfg(target_has_atomic = "32")]
    if size.is_multiple_of(4) && align >= align_of::<core::sync::atomic::AtomicU32>() {
        return AccessUnit::U32;
    }
    #[cfg(target_has_atomic = "16")]
    if size.is_multiple_of(2) && align >= align_of::<core::sync::atomic::AtomicU16>() {
        return AccessUnit::U16;
    }
    let _ = (size, align);
    AccessUnit::U8
}

/// Copies one element of `T` from `src` to `dst` in `T`'s access unit: relaxed atomic loads from
/// `src` (`load`) or relaxed atomic stores to `dst` (`store`); the other side is a plain buffer.
macro_rules! copy_element {
    ($direction:ident, $element:ty, $src:expr, $dst:expr) => {{
        let units = size_of::<$element>() / access_unit::<$element>().size();
        match access_unit::<$element>() {
            #[cfg(target_has_atomic = "64")]
            AccessUnit::U64 => copy_element!(@$direction, core::sync::atomic::AtomicU64, u64, $src, $dst, units),
            #[cfg(target_has_atomic = "32")]
            AccessUnit::U32 => copy_element!(@$direction, core::sync::atomic::AtomicU32, u32, $src, $dst, units),
            #[cfg(target_has_atomic = "16")]
            AccessUnit::U16 => copy_element!(@$direction, core::sync::atomic::AtomicU16, u16, $src, $dst, units),
            _ => copy_element!(@$direction, core::sync::atomic::AtomicU8, u8, $src, $dst, units),
        }
    }};
    (@load, $atomic:ty, $int:ty, $src:expr, $dst:expr, $units:expr) => {
        for k in 0..$units {
            // SAFETY (caller): `src` is valid, aligned for `$atomic` and only accessed atomically
            // in this unit size; `dst` is a plain buffer of `$units` units.
            let v = unsafe { (*$src.cast::<$atomic>().add(k)).load(Relaxed) };
            unsafe { $dst.cast::<$int>().add(k).write_unaligned(v) };
        }
    };
    (@store, $atomic:ty, $int:ty, $src:expr, $dst:expr, $units:expr) => {
        for k in 0..$units {
            // SAFETY (caller): as for loads, with the roles swapped.
            let v = unsafe { $src.cast::<$int>().add(k).read_unaligned() };
            unsafe { (*$dst.cast::<$atomic>().add(k)).store(v, Relaxed) };
        }
    };
}

/// Reads the element at `src` unit by unit.
///
/// # Safety
///
/// `src` is valid for reads of a `T`, aligned, and while the caller's `SharedSlice` lives it is
/// only accessed through views of element type `T`.
unsafe fn load_element<T: Pod>(src: *const T) -> T {
    let mut out = MaybeUninit::<T>::uninit();
    let dst = out.as_mut_ptr().cast::<u8>();
    copy_element!(load, T, src, dst);
    // SAFETY: all `size_of::<T>()` bytes were written above, and any bytes are a `T` (Pod).
    unsafe { out.assume_init() }
}

/// Writes `value` to `dst` unit by unit. Same contract as [`load_element`], for writes.
unsafe fn store_element<T: Pod>(dst: *mut T, value: T) {
    let src = (&value as *const T).cast::<u8>();
    copy_element!(store, T, src, dst);
}

impl<'a, T: Pod> SharedSlice<'a, T> {
    /// Shares `elements` for `'a`: the exclusive borrow guarantees that nothing else touches
    /// them meanwhile, except through this view and its copies.
    pub fn new(elements: &'a mut [T]) -> Self {
        let len = elements.len();
        SharedSlice {
            start: NonNull::from(elements).cast::<T>(),
            len,
            _memory: PhantomData,
        }
    }

    /// Shares `bytes` as elements of `T`: `bytes` must start at an address aligned for `T` and
    /// hold a whole number of elements. `T` must not be zero-sized.
    ///
    /// ```
    /// use wasm::{AccessError, SharedSlice};
    ///
    /// #[repr(align(8))]
    /// struct Buffer([u8; 16]);
    /// let mut buffer = Buffer([0; 16]);
    /// assert_eq!(SharedSlice::<u32>::from_bytes(&mut buffer.0).unwrap().len(), 4);
    /// assert!(matches!(
    ///     SharedSlice::<u32>::from_bytes(&mut buffer.0[1..5]),
    ///     Err(AccessError::Misaligned { align: 4, .. })
    /// ));
    /// assert_eq!(
    ///     SharedSlice::<u32>::from_bytes(&mut buffer.0[..6]).err(),
    ///     Some(AccessError::SizeMismatch { bytes: 6, element_size: 4 })
    /// );
    /// ```
    pub fn from_bytes(bytes: &'a mut [u8]) -> Result<Self, AccessError> {
        let size = size_of::<T>();
        if size == 0 || !bytes.len().is_multiple_of(size) {
            return Err(AccessError::SizeMismatch {
                bytes: bytes.len(),
                element_size: size,
            });
        }
        let address = bytes.as_ptr() as usize;
        if !address.is_multiple_of(align_of::<T>()) {
            return Err(AccessError::Misaligned {
                address,
                align: align_of::<T>(),
            });
        }
        let len = bytes.len() / size;
        Ok(SharedSlice {
            start: NonNull::from(bytes).cast::<T>(),
            len,
            _memory: PhantomData,
        })
    }

    /// Shares `len` elements starting at `start`, checking what can be checked: not null,
    /// aligned for `T`, and `len` elements fit in the address space.
    ///
    /// # Safety
    ///
    /// For all of `'a`, the `len * size_of::<T>()` bytes at `start` are allocated, readable and
    /// writable, and accessed by nothing but `SharedSlice<T>` views (of this element type `T`) —
    /// in particular by no Rust reference and no atomic of another size. Shared wasm memory that
    /// other threads access only through the same kind of view meets this.
    pub unsafe fn from_raw_parts(start: *mut T, len: usize) -> Result<Self, AccessError> {
        let Some(start) = NonNull::new(start) else {
            return Err(AccessError::Null);
        };
        let address = start.as_ptr() as usize;
        if !address.is_multiple_of(align_of::<T>()) {
            return Err(AccessError::Misaligned {
                address,
                align: align_of::<T>(),
            });
        }
        let fits = len
            .checked_mul(size_of::<T>())
            .is_some_and(|bytes| bytes <= isize::MAX as usize);
        if !fits {
            return Err(AccessError::OutOfBounds {
                end: len,
                len: isize::MAX as usize / size_of::<T>().max(1),
            });
        }
        Ok(SharedSlice {
            start,
            len,
            _memory: PhantomData,
        })
    }

    /// The number of elements.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no elements.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn element(&self, index: usize) -> Result<*mut T, AccessError> {
        if index >= self.len {
            return Err(AccessError::OutOfBounds {
                end: index.saturating_add(1),
                len: self.len,
            });
        }
        // SAFETY: `index < len`, so the element is inside the view.
        Ok(unsafe { self.start.as_ptr().add(index) })
    }

    /// The element at `index`.
    pub fn get(&self, index: usize) -> Result<T, AccessError> {
        let element = self.element(index)?;
        // SAFETY: in bounds and aligned (checked when the view was made), accessed only through
        // views of `T` for `'a` (the constructors' contract).
        Ok(unsafe { load_element(element) })
    }

    /// Writes the element at `index`.
    pub fn set(&self, index: usize, value: T) -> Result<(), AccessError> {
        let element = self.element(index)?;
        // SAFETY: as in `get`.
        unsafe { store_element(element, value) };
        Ok(())
    }

    /// The elements `range` of this view, as a view of their own.
    pub fn slice(&self, range: Range<usize>) -> Result<Self, AccessError> {
        check_range(range.start, range.end, self.len)?;
        Ok(SharedSlice {
            // SAFETY: `range.start <= len`: at most one past the end.
            start: unsafe { self.start.add(range.start) },
            len: range.end - range.start,
            _memory: PhantomData,
        })
    }

    /// The elements before `mid` and those from `mid` on.
    pub fn split_at(&self, mid: usize) -> Result<(Self, Self), AccessError> {
        Ok((self.slice(0..mid)?, self.slice(mid..self.len)?))
    }

    /// Consecutive views of `chunk_len` elements (the last may be shorter).
    ///
    /// # Panics
    ///
    /// If `chunk_len` is 0, like `<[T]>::chunks`.
    pub fn chunks(&self, chunk_len: usize) -> Chunks<'a, T> {
        assert!(
            chunk_len != 0,
            "SharedSlice::chunks: the chunk length must not be zero"
        );
        Chunks {
            rest: *self,
            chunk_len,
        }
    }

    /// Every element, read one after another (each read is atomic per unit, the sequence is
    /// not a snapshot).
    pub fn iter(&self) -> impl Iterator<Item = T> + 'a {
        let view = *self;
        (0..view.len).map(move |i| {
            // SAFETY: `i < len`, as in `get`.
            unsafe { load_element(view.start.as_ptr().add(i)) }
        })
    }

    /// Copies the elements into `out`, which must have the same length.
    pub fn copy_to_slice(&self, out: &mut [T]) -> Result<(), AccessError> {
        if out.len() != self.len {
            return Err(AccessError::OutOfBounds {
                end: out.len(),
                len: self.len,
            });
        }
        for (slot, value) in out.iter_mut().zip(self.iter()) {
            *slot = value;
        }
        Ok(())
    }

    /// Writes the elements of `values`, which must have the same length.
    pub fn copy_from_slice(&self, values: &[T]) -> Result<(), AccessError> {
        if values.len() != self.len {
            return Err(AccessError::OutOfBounds {
                end: values.len(),
                len: self.len,
            });
        }
        for (i, value) in values.iter().enumerate() {
            // SAFETY: `i < len`, as in `set`.
            unsafe { store_element(self.start.as_ptr().add(i), *value) };
        }
        Ok(())
    }

    /// Writes `value` to every element.
    pub fn fill(&self, value: T) {
        for i in 0..self.len {
            // SAFETY: `i < len`, as in `set`.
            unsafe { store_element(self.start.as_ptr().add(i), value) };
        }
    }
}

impl<T: Pod> core::fmt::Debug for SharedSlice<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SharedSlice")
            .field("start", &self.start)
            .field("len", &self.len)
            .finish()
    }
}

/// The iterator of [`SharedSlice::chunks`].
pub struct Chunks<'a, T: Pod> {
    rest: SharedSlice<'a, T>,
    chunk_len: usize,
}

impl<'a, T: Pod> Iterator for Chunks<'a, T> {
    type Item = SharedSlice<'a, T>;

    fn next(&mut self) -> Option<SharedSlice<'a, T>> {
        if self.rest.is_empty() {
            return None;
        }
        let (chunk, rest) = self.rest.split_at(self.chunk_len.min(self.rest.len)).ok()?;
        self.rest = rest;
        Some(chunk)
    }
}

macro_rules! atomic_views {
    ($($width:literal: $($int:ty => $atomic:ident),*;)*) => { $($(
        #[cfg(target_has_atomic = $width)]
        impl<'a> SharedSlice<'a, $int> {
            #[doc = concat!("The element at `index` as an [`", stringify!($atomic), "`](core::sync::atomic::", stringify!($atomic), "), for read-modify-write operations and orderings stronger than relaxed.")]
            ///
            /// Refused with [`AccessError::AtomicUnavailable`] where the element type is accessed
            /// in smaller units on this target (its alignment is below the atomic's).
            pub fn atomic(&self, index: usize) -> Result<&'a core::sync::atomic::$atomic, AccessError> {
                if access_unit::<$int>().size() != size_of::<$int>() {
                    return Err(AccessError::AtomicUnavailable);
                }
                let element = self.element(index)?;
                // SAFETY: in bounds and aligned for the atomic (the unit is the whole element,
                // so `$int`'s alignment meets the atomic's); the memory is accessed only
                // atomically in this unit size for `'a` (the constructors' contract), so a
                // shared reference to the atomic is sound for `'a`.
                Ok(unsafe { core::sync::atomic::$atomic::from_ptr(element) })
            }
        }
    )*)* };
}

atomic_views! {
    "8": u8 => AtomicU8, i8 => AtomicI8;
    "16": u16 => AtomicU16, i16 => AtomicI16;
    "32": u32 => AtomicU32, i32 => AtomicI32;
    "64": u64 => AtomicU64, i64 => AtomicI64;
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::sync::atomic::Ordering::SeqCst;

    #[test]
    fn units_follow_size_and_alignment() {
        assert_eq!(access_unit::<u8>(), AccessUnit::U8);
        assert_eq!(access_unit::<[u8; 8]>(), AccessUnit::U8);
        assert_eq!(access_unit::<u16>(), AccessUnit::U16);
        assert_eq!(access_unit::<[u16; 3]>(), AccessUnit::U16);
        assert_eq!(access_unit::<f32>(), AccessUnit::U32);
        assert_eq!(access_unit::<[u32; 3]>(), AccessUnit::U32);
        #[cfg(target_has_atomic = "64")]
        if align_of::<u64>() >= align_of::<core::sync::atomic::AtomicU64>() {
            assert_eq!(access_unit::<f64>(), AccessUnit::U64);
            assert_eq!(access_unit::<[u64; 2]>(), AccessUnit::U64);
        }
    }

    #[test]
    fn get_set_and_bounds() {
        let mut data = [[1u16, 2, 3], [4, 5, 6]];
        let view = SharedSlice::new(&mut data);
        assert_eq!(view.get(1), Ok([4, 5, 6]));
        view.set(0, [7, 8, 9]).unwrap();
        assert_eq!(
            view.get(2),
            Err(AccessError::OutOfBounds { end: 3, len: 2 })
        );
        assert_eq!(
            view.set(usize::MAX, [0; 3]),
            Err(AccessError::OutOfBounds {
                end: usize::MAX,
                len: 2
            })
        );
        assert_eq!(data, [[7, 8, 9], [4, 5, 6]]);
    }

    #[test]
    fn atomic_views_share_the_memory() {
        let mut data = [0u32; 4];
        let view = SharedSlice::new(&mut data);
        let counter = view.atomic(2).unwrap();
        counter.fetch_add(5, SeqCst);
        assert_eq!(view.get(2), Ok(5));
        assert!(view.atomic(4).is_err());
        let mut wide = [0u64; 2];
        let wide = SharedSlice::new(&mut wide);
        match wide.atomic(1) {
            Ok(a) => {
                a.store(u64::MAX, SeqCst);
                assert_eq!(wide.get(1), Ok(u64::MAX));
            }
            Err(e) => assert_eq!(e, AccessError::AtomicUnavailable),
        }
    }

    #[test]
    fn raw_parts_are_checked() {
        let mut data = [0u32; 4];
        let start = data.as_mut_ptr();
        // SAFETY: `data` is only used through the view while it lives.
        unsafe {
            assert_eq!(
                SharedSlice::<u32>::from_raw_parts(core::ptr::null_mut(), 1).err(),
                Some(AccessError::Null)
            );
            let misaligned = start.cast::<u8>().add(2).cast::<u32>();
            assert!(matches!(
                SharedSlice::from_raw_parts(misaligned, 1),
                Err(AccessError::Misaligned { align: 4, .. })
            ));
            assert!(SharedSlice::from_raw_parts(start, usize::MAX / 2).is_err());
            let view = SharedSlice::from_raw_parts(start, 4).unwrap();
            view.fill(3);
            assert_eq!(view.iter().sum::<u32>(), 12);
        }
    }

    #[test]
    fn copies_need_equal_lengths() {
        let mut data = [0i64; 3];
        let view = SharedSlice::new(&mut data);
        view.copy_from_slice(&[1, 2, 3]).unwrap();
        let mut out = [0; 3];
        view.copy_to_slice(&mut out).unwrap();
        assert_eq!(out, [1, 2, 3]);
        assert_eq!(
            view.copy_from_slice(&[1]),
            Err(AccessError::OutOfBounds { end: 1, len: 3 })
        );
        assert!(view.copy_to_slice(&mut [0; 4]).is_err());
    }

    #[test]
    #[should_panic(expected = "chunk length must not be zero")]
    fn zero_chunks_panic() {
        let mut data = [0u8; 3];
        let _ = SharedSlice::new(&mut data).chunks(0);
    }
}
