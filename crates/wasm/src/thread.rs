//! Scoped threads: [`scope`] spawns threads that may borrow from the caller and are all joined
//! before it returns.
//!
//! # What runs where
//!
//! | build | [`scope`] | spawned closures run |
//! |---|---|---|
//! | native, feature `std` | `std::thread::scope` | on new OS threads, in parallel |
//! | native, no `std` (`no_std`: there are no OS threads to call) | [`sequential::scope`] | at `spawn`, on the calling thread, one after another |
//! | wasm32 (any features) | [`sequential::scope`] | at `spawn`, on the calling thread |
//!
//! [`PARALLEL`] says which one this build got. On wasm, threads are made by the host (Web
//! Workers, wasi-threads) with a shared memory, which neither stock rustc's wasm32 target nor this
//! crate can set up, so wasm builds are sequential until the toolchain provides a spawn hook.
//!
//! The sequential fallback keeps the same signatures — closures must be `Send` and their results
//! `Send` — so a program that compiles against one compiles against the other, and the
//! compile-time checks (no `Rc` into a thread, no non-`Send` `ExternRef`) hold everywhere. What
//! differs is only timing: a closure runs to completion inside `spawn`. Fork-join work (each
//! closure computes on its own part of the data) gives the same results either way. Closures
//! that wait for each other (a spin on an atomic another closure sets, a barrier, a channel that
//! a later closure fills) deadlock under the fallback: the first never returns, so the second
//! never starts. A panic in a closure propagates from `spawn` under the fallback; with real
//! threads it is caught and returned by [`ScopedJoinHandle::join`] (`Err(Panicked)`), and if no
//! one joins the handle, `scope` panics after joining every thread.
//!
//! ```
//! let mut totals = [0u64; 4];
//! let data: Vec<u64> = (1..=100).collect();
//! wasm::thread::scope(|s| {
//!     for (chunk, total) in data.chunks(25).zip(totals.iter_mut()) {
//!         s.spawn(move || *total = chunk.iter().sum());
//!     }
//! });
//! assert_eq!(totals.iter().sum::<u64>(), 5050);
//! ```

/// Whether [`scope`] runs closures on threads of their own in this build (see the module
/// documentation).
pub const PARALLEL: bool = cfg!(all(feature = "std", not(target_family = "wasm")));

/// A closure spawned in a scope panicked (only reported with real threads: the sequential
/// fallback lets the panic propagate from `spawn`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Panicked;

impl core::fmt::Display for Panicked {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("a thread spawned in the scope panicked")
    }
}

#[cfg(all(feature = "std", not(target_family = "wasm")))]
pub use parallel::{Scope, ScopedJoinHandle, scope};
#[cfg(not(all(feature = "std", not(target_family = "wasm"))))]
pub use sequential::{Scope, ScopedJoinHandle, scope};

/// The sequential implementation: every spawned closure runs at `spawn`, on the calling thread.
/// It is what `wasm::thread::scope` is where there are no threads, and is available everywhere
/// (to test that a program does not depend on parallelism).
pub mod sequential {
    use core::marker::PhantomData;

    use super::Panicked;

    /// A scope to spawn closures in; see [`scope`].
    pub struct Scope<'scope, 'env: 'scope> {
        // Invariant in both lifetimes, like `std::thread::Scope`, so a closure cannot be
        // spawned with a shorter borrow than the scope promises.
        _scope: PhantomData<&'scope mut &'scope ()>,
        _env: PhantomData<&'env mut &'env ()>,
    }

    /// The result of a spawned closure, already computed.
    pub struct ScopedJoinHandle<'scope, T> {
        result: T,
        _scope: PhantomData<&'scope ()>,
    }

    /// Runs `f` with a scope; every closure spawned in it has finished when `scope` returns.
    pub fn scope<'env, F, R>(f: F) -> R
    where
        F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> R,
    {
        let scope = Scope {
            _scope: PhantomData,
            _env: PhantomData,
        };
        f(&scope)
    }

    impl<'scope, 'env> Scope<'scope, 'env> {
        /// Runs `f` now, to completion, and keeps its result for [`ScopedJoinHandle::join`].
        /// `f` and its result must be `Send`, as with real threads, so that code written
        /// against this fallback also compiles where closures run in parallel.
        pub fn spawn<F, T>(&'scope self, f: F) -> ScopedJoinHandle<'scope, T>
        where
            F: FnOnce() -> T + Send + 'scope,
            T: Send + 'scope,
        {
            ScopedJoinHandle {
                result: f(),
                _scope: PhantomData,
            }
        }
    }

    impl<T> ScopedJoinHandle<'_, T> {
        /// The closure's result. Never `Err` here: a panic propagated from `spawn`.
        pub fn join(self) -> Result<T, Panicked> {
            Ok(self.result)
        }

        /// Whether the closure has finished: always, here.
        pub fn is_finished(&self) -> bool {
            true
        }
    }
}

// Also compiled for the crate's unit tests (which have `std`), so both implementations are
// tested whatever the features.
#[cfg(all(any(feature = "std", test), not(target_family = "wasm")))]
mod parallel {
    use super::Panicked;

    /// A scope to spawn threads in; see [`scope`]. The same object as `std::thread::Scope`.
    #[repr(transparent)]
    pub struct Scope<'scope, 'env: 'scope> {
        inner: std::thread::Scope<'scope, 'env>,
    }

    /// A spawned thread, to join.
    pub struct ScopedJoinHandle<'scope, T> {
        inner: std::thread::ScopedJoinHandle<'scope, T>,
    }

    /// Runs `f` with a scope; every thread spawned in it is joined before `scope` returns
    /// ([`std::thread::scope`]).
    pub fn scope<'env, F, R>(f: F) -> R
    where
        F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> R,
    {
        std::thread::scope(|inner| {
            let inner: *const std::thread::Scope<'_, 'env> = inner;
            // SAFETY: `Scope` is `repr(transparent)` over `std::thread::Scope`, so the pointer
            // casts to it; the reference keeps the lifetime `std::thread::scope` gave.
            f(unsafe { &*(inner as *const Scope<'_, 'env>) })
        })
    }

    impl<'scope, 'env> Scope<'scope, 'env> {
        /// Spawns `f` on a new thread.
        pub fn spawn<F, T>(&'scope self, f: F) -> ScopedJoinHandle<'scope, T>
        where
            F: FnOnce() -> T + Send + 'scope,
            T: Send + 'scope,
        {
            ScopedJoinHandle {
                inner: self.inner.spawn(f),
            }
        }
    }

    impl<T> ScopedJoinHandle<'_, T> {
        /// Waits for the thread; `Err` when it panicked.
        pub fn join(self) -> Result<T, Panicked> {
            self.inner.join().map_err(|_| Panicked)
        }

        /// Whether the thread has finished.
        pub fn is_finished(&self) -> bool {
            self.inner.is_finished()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn results_are_joined_and_borrows_end_with_the_scope() {
        let mut squares = [0u32; 8];
        let calls = AtomicUsize::new(0);
        let total = scope(|s| {
            let handles: std::vec::Vec<_> = squares
                .iter_mut()
                .enumerate()
                .map(|(i, slot)| {
                    let calls = &calls;
                    s.spawn(move || {
                        calls.fetch_add(1, Ordering::Relaxed);
                        *slot = (i * i) as u32;
                        i
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .sum::<usize>()
        });
        assert_eq!(total, 28);
        assert_eq!(calls.load(Ordering::Relaxed), 8);
        assert_eq!(squares, [0, 1, 4, 9, 16, 25, 36, 49]);
    }

    #[test]
    fn the_sequential_scope_runs_at_spawn() {
        let order = AtomicUsize::new(0);
        sequential::scope(|s| {
            let first = s.spawn(|| order.fetch_add(1, Ordering::SeqCst));
            assert!(first.is_finished());
            assert_eq!(order.load(Ordering::SeqCst), 1);
            assert_eq!(first.join(), Ok(0));
        });
    }

    #[cfg(not(target_family = "wasm"))]
    #[test]
    fn real_threads_run_in_parallel_and_report_panics_at_join() {
        // Two threads that wait for each other: this finishes only if they run at the same time
        // (under the sequential fallback it would deadlock, as the module documentation says).
        let flags = [AtomicUsize::new(0), AtomicUsize::new(0)];
        parallel::scope(|s| {
            for me in 0..2 {
                let flags = &flags;
                s.spawn(move || {
                    flags[me].store(1, Ordering::SeqCst);
                    while flags[1 - me].load(Ordering::SeqCst) == 0 {
                        std::thread::yield_now();
                    }
                });
            }
        });
        let outcome = parallel::scope(|s| {
            let failing = s.spawn(|| panic!("closure failed on purpose"));
            while !failing.is_finished() {
                std::thread::yield_now();
            }
            failing.join()
        });
        assert_eq!(outcome, Err(Panicked));
        assert_eq!(PARALLEL, cfg!(feature = "std"));
    }
}
