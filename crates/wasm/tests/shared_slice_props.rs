//! Property tests of `SharedSlice` bounds and alignment: every access inside the view succeeds
//! and touches exactly its element, every access outside is refused with the right error.
use proptest::prelude::*;
use wasm::{AccessError, SharedSlice};

proptest! {
    #[test]
    fn get_and_set_succeed_exactly_in_bounds(len in 0usize..64, index in 0usize..80, value: u32) {
        let mut data: Vec<u32> = (0..len as u32).collect();
        let view = SharedSlice::new(&mut data);
        let expected = if index < len { Ok(()) } else { Err(AccessError::OutOfBounds { end: index + 1, len }) };
        prop_assert_eq!(view.set(index, value), expected);
        prop_assert_eq!(view.get(index).map(|_| ()), expected);
        if index < len {
            prop_assert_eq!(view.get(index), Ok(value));
        }
        for (i, v) in data.iter().enumerate() {
            let want = if i == index { value } else { i as u32 };
            prop_assert_eq!(*v, want);
        }
    }

    #[test]
    fn slices_are_windows_of_their_parent(len in 0usize..64, start in 0usize..80, end in 0usize..80) {
        let mut data: Vec<u16> = (0..len as u16).collect();
        let view = SharedSlice::new(&mut data);
        match view.slice(start..end) {
            Ok(window) => {
                prop_assert!(start <= end && end <= len);
                prop_assert_eq!(window.len(), end - start);
                for i in 0..window.len() {
                    prop_assert_eq!(window.get(i), Ok((start + i) as u16));
                }
                let past = window.len();
                prop_assert_eq!(window.get(past), Err(AccessError::OutOfBounds { end: past + 1, len: past }));
            }
            Err(error) => {
                prop_assert!(start > end || end > len);
                let out_of_bounds = matches!(error, AccessError::OutOfBounds { .. });
                prop_assert!(out_of_bounds);
            }
        }
    }

    #[test]
    fn chunks_cover_the_view_once(len in 0usize..100, chunk in 1usize..20) {
        let mut data: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let view = SharedSlice::new(&mut data);
        let mut seen = Vec::new();
        for (n, part) in view.chunks(chunk).enumerate() {
            prop_assert!(part.len() == chunk || (part.len() < chunk && (n + 1) * chunk >= len));
            seen.extend(part.iter());
        }
        prop_assert_eq!(seen, (0..len).map(|i| i as u8).collect::<Vec<_>>());
        let (left, right) = view.split_at(len / 2).unwrap();
        prop_assert_eq!(left.len() + right.len(), len);
        prop_assert!(view.split_at(len + 1).is_err());
    }

    #[test]
    fn byte_views_need_alignment_and_whole_elements(offset in 0usize..16, bytes in 0usize..48) {
        #[repr(align(16))]
        struct Buffer([u8; 64]);
        let mut buffer = Buffer([0; 64]);
        let base = buffer.0.as_ptr() as usize;
        let result = SharedSlice::<u64>::from_bytes(&mut buffer.0[offset..offset + bytes]);
        let aligned = (base + offset).is_multiple_of(core::mem::align_of::<u64>());
        match result {
            Ok(view) => {
                prop_assert!(aligned && bytes % 8 == 0);
                prop_assert_eq!(view.len(), bytes / 8);
            }
            Err(AccessError::SizeMismatch { bytes: b, element_size: 8 }) => {
                prop_assert_eq!(b, bytes);
                prop_assert!(bytes % 8 != 0);
            }
            Err(AccessError::Misaligned { address, align }) => {
                prop_assert_eq!(address, base + offset);
                prop_assert_eq!(align, core::mem::align_of::<u64>());
                prop_assert!(!aligned && bytes % 8 == 0);
            }
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }
}

/// Threads writing disjoint chunks of one view (a fork-join over shared memory), in whatever
/// mode `thread::scope` runs in this build.
#[test]
fn threads_fill_their_chunks() {
    let mut data = vec![0u32; 1000];
    let view = SharedSlice::new(&mut data);
    wasm::thread::scope(|s| {
        for (n, chunk) in view.chunks(128).enumerate() {
            s.spawn(move || {
                for i in 0..chunk.len() {
                    chunk.set(i, (n * 128 + i) as u32).unwrap();
                }
            });
        }
    });
    assert!(data.iter().enumerate().all(|(i, v)| *v == i as u32));
}

/// Atomic read-modify-writes from several threads through one shared view.
#[test]
fn atomic_views_count_across_threads() {
    let mut counters = [0u32; 2];
    let view = SharedSlice::new(&mut counters);
    wasm::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(move || {
                for _ in 0..1000 {
                    view.atomic(1)
                        .unwrap()
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    assert_eq!(counters, [0, 4000]);
}
