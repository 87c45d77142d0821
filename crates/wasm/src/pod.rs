//! Plain old data: types whose values are just their bytes.
//!
//! A [`Pod`] type can be copied bit for bit, read from any bytes of the right length, and shared
//! with other threads through racy memory ([`SharedSlice`](crate::SharedSlice)): a read that
//! races with a write may see a mix of old and new bytes, and that mix is still a valid value.
use core::mem::size_of;

use crate::AccessError;

/// Plain old data.
///
/// # Safety
///
/// A type may implement `Pod` only if all of these hold (`docs/SAFETY.md`, "Pod"):
///
/// 1. **Every bit pattern of `size_of::<Self>()` bytes is a valid value.** (No `bool`, `char`,
///    enums, references, `NonZero*`, or types with such fields.)
/// 2. **No padding:** every byte of a value is part of a field, so reading all its bytes never
///    reads uninitialized memory.
/// 3. **No pointers or ownership:** a value owns nothing and borrows nothing, so duplicating its
///    bytes duplicates nothing else (it is `Copy` and `'static`).
/// 4. **No interior mutability** (`UnsafeCell`).
///
/// `#[derive(Pod)]` checks 1–4 for a struct at compile time: `#[repr(C)]` or
/// `#[repr(transparent)]`, every field `Pod`, and a size equal to the sum of the field sizes.
pub unsafe trait Pod: Copy + Send + Sync + 'static {}

macro_rules! impl_pod {
    ($($t:ty),*) => { $(
        // SAFETY: a primitive number: every bit pattern is a value, no padding, no pointer.
        unsafe impl Pod for $t {}
    )* };
}

impl_pod!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64
);

// SAFETY: an array has no padding between elements (its stride is the element size) and no
// bytes besides them; each element satisfies the invariants, so the whole does.
unsafe impl<T: Pod, const N: usize> Pod for [T; N] {}

/// A value whose bytes are all zero.
pub fn zeroed<T: Pod>() -> T {
    // SAFETY: every bit pattern, the all-zero one included, is a valid `T` (Pod invariant 1).
    unsafe { core::mem::zeroed() }
}

/// The bytes of a value.
pub fn bytes_of<T: Pod>(value: &T) -> &[u8] {
    // SAFETY: `T` has no padding (Pod invariant 2), so all `size_of::<T>()` bytes behind the
    // reference are initialized; the slice borrows `value` and has its lifetime.
    unsafe { core::slice::from_raw_parts((value as *const T).cast::<u8>(), size_of::<T>()) }
}

/// The bytes of a value, writable: any bytes written leave a valid `T`.
pub fn bytes_of_mut<T: Pod>(value: &mut T) -> &mut [u8] {
    // SAFETY: as in `bytes_of`; writing any bytes leaves a valid `T` (Pod invariant 1).
    unsafe { core::slice::from_raw_parts_mut((value as *mut T).cast::<u8>(), size_of::<T>()) }
}

/// The value the first `size_of::<T>()` bytes of `bytes` spell. `bytes` needs no alignment.
///
/// ```
/// let bytes = [1u8, 0, 0, 0, 9];
/// assert_eq!(wasm::pod::read_from_bytes::<u32>(&bytes), Ok(u32::from_le_bytes([1, 0, 0, 0])));
/// assert!(wasm::pod::read_from_bytes::<u64>(&bytes).is_err());
/// ```
pub fn read_from_bytes<T: Pod>(bytes: &[u8]) -> Result<T, AccessError> {
    let size = size_of::<T>();
    if bytes.len() < size {
        return Err(AccessError::OutOfBounds {
            end: size,
            len: bytes.len(),
        });
    }
    // SAFETY: `size` bytes are readable (checked above), `read_unaligned` needs no alignment,
    // and any bytes are a valid `T` (Pod invariant 1).
    Ok(unsafe { bytes.as_ptr().cast::<T>().read_unaligned() })
}

/// Writes the bytes of `value` to the start of `bytes`.
pub fn write_to_bytes<T: Pod>(bytes: &mut [u8], value: T) -> Result<(), AccessError> {
    let size = size_of::<T>();
    if bytes.len() < size {
        return Err(AccessError::OutOfBounds {
            end: size,
            len: bytes.len(),
        });
    }
    bytes[..size].copy_from_slice(bytes_of(&value));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip() {
        let value: [u16; 3] = [0x0102, 0x0304, 0xffff];
        let bytes = bytes_of(&value);
        assert_eq!(bytes.len(), 6);
        assert_eq!(read_from_bytes::<[u16; 3]>(bytes), Ok(value));
        let mut buffer = [0u8; 7];
        write_to_bytes(&mut buffer[1..], 0x1122_3344u32).unwrap();
        assert_eq!(read_from_bytes::<u32>(&buffer[1..]), Ok(0x1122_3344));
        assert_eq!(
            write_to_bytes(&mut buffer[5..], 1u32),
            Err(AccessError::OutOfBounds { end: 4, len: 2 })
        );
    }

    #[test]
    fn zeroed_and_mutable_bytes() {
        let mut value: f64 = zeroed();
        assert_eq!(value, 0.0);
        bytes_of_mut(&mut value).copy_from_slice(&1.5f64.to_ne_bytes());
        assert_eq!(value, 1.5);
    }
}
