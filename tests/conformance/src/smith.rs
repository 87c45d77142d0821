//! Differential round trip: wasm-smith modules (deterministic per seed) go through the round trip
//! under test; the original and the round-tripped module are instantiated side by side and every
//! exported function is called with the same arguments. Results, traps and the exported state
//! (globals, memories) must agree. A disagreement is always a test failure, never ratcheted.
//!
//! Counts: *generated* (wasm-smith produced a module that wasmparser validates), *round-tripped*
//! (`roundtrip_wasm` succeeded and its output validates), *behaviour-equal* (both compile and
//! every comparison agreed; functions that ran out of fuel or stack in either are skipped).

use crate::sut::{self, first_line, truncate};
use arbitrary::Unstructured;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wasmtime::{
    Config, Engine, Extern, Instance, Module, OptLevel, Store, StoreLimits, StoreLimitsBuilder,
    Trap, Val, ValType,
};

/// Seeds checked by default (and recorded in the ratchet).
pub const DEFAULT_SEEDS: u64 = 300;
/// Fuel per instantiation and per call.
const FUEL: u64 = 1_000_000;
/// Bytes of entropy given to wasm-smith per seed.
const ENTROPY: usize = 8192;

/// `WASMIR_SMITH_SEEDS`: `N` (seeds `0..N`) or `A..B`; default `0..300`.
pub fn seeds_from_env() -> Result<Range<u64>, String> {
    let Ok(v) = std::env::var("WASMIR_SMITH_SEEDS") else {
        return Ok(0..DEFAULT_SEEDS);
    };
    let bad = || format!("WASMIR_SMITH_SEEDS=`{v}`: expected `N` or `A..B`");
    if let Some((a, b)) = v.split_once("..") {
        let (a, b) = (
            a.trim().parse().map_err(|_| bad())?,
            b.trim().parse().map_err(|_| bad())?,
        );
        if a > b {
            return Err(bad());
        }
        Ok(a..b)
    } else {
        Ok(0..v.trim().parse().map_err(|_| bad())?)
    }
}

/// The module shape: MVP + multi-value + bulk memory + reference types + sign extension +
/// saturating float-to-int, no imports, everything exported.
pub fn smith_config() -> wasm_smith::Config {
    wasm_smith::Config {
        export_everything: true,
        min_types: 2,
        min_funcs: 5,
        max_funcs: 30,
        min_imports: 0,
        max_imports: 0,
        max_memories: 1,
        max_tables: 2,
        max_memory32_bytes: 16 << 20,
        max_table_elements: 10_000,
        multi_value_enabled: true,
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        sign_extension_ops_enabled: true,
        saturating_float_to_int_enabled: true,
        simd_enabled: false,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        tail_call_enabled: false,
        gc_enabled: false,
        exceptions_enabled: false,
        memory64_enabled: false,
        extended_const_enabled: false,
        wide_arithmetic_enabled: false,
        custom_page_sizes_enabled: false,
        custom_descriptors_enabled: false,
        ..wasm_smith::Config::default()
    }
}

/// The module shape in llvm mode: what the LLVM backend can express (no tables or references,
/// single results, no bulk memory, no start function), so that most seeds go through it.
pub fn smith_config_llvm() -> wasm_smith::Config {
    wasm_smith::Config {
        max_tables: 0,
        multi_value_enabled: false,
        bulk_memory_enabled: false,
        reference_types_enabled: false,
        allow_start_export: false,
        ..smith_config()
    }
}

/// SplitMix64: the deterministic entropy behind a seed.
fn entropy(seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5eed_5eed_5eed_5eed;
    let mut out = Vec::with_capacity(ENTROPY);
    while out.len() < ENTROPY {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        out.extend_from_slice(&z.to_le_bytes());
    }
    out
}

/// The module for `seed`, validated by wasmparser.
pub fn generate(seed: u64) -> Result<Vec<u8>, String> {
    let data = entropy(seed);
    let mut u = Unstructured::new(&data);
    let config = if sut::llvm_mode() {
        smith_config_llvm()
    } else {
        smith_config()
    };
    let module = sut::guarded("wasm-smith", || wasm_smith::Module::new(config, &mut u))?
        .map_err(|e| format!("wasm-smith: {e}"))?;
    let bytes = module.to_bytes();
    wasmparser::Validator::new()
        .validate_all(&bytes)
        .map_err(|e| format!("wasm-smith output is invalid: {e}"))?;
    Ok(bytes)
}

/// The engine both sides run on: fuel, and NaN canonicalization so NaN payloads cannot differ.
pub fn smith_engine() -> Result<Engine, String> {
    let mut c = Config::new();
    c.consume_fuel(true)
        .cranelift_nan_canonicalization(true)
        .cranelift_opt_level(OptLevel::None);
    Engine::new(&c).map_err(|e| format!("wasmtime engine: {e:?}"))
}

#[derive(Debug, Clone)]
pub enum SeedOutcome {
    NotGenerated(String),
    RoundTripFailed(String),
    /// Round-tripped, but the pair could not be compared (e.g. wasmtime rejects the output).
    NotCompared(String),
    Equal(Tally),
    Mismatch(String),
}

#[derive(Debug, Default)]
pub struct SmithStats {
    pub seeds: Range<u64>,
    pub generated: u64,
    pub roundtripped: u64,
    pub behaviour_equal: u64,
    /// Why seeds fell short (not generated excluded), grouped by reason in order of first
    /// appearance: `(reason, how many seeds, the first few seeds)`.
    pub failures: Vec<(String, u64, Vec<u64>)>,
    pub failures_total: u64,
    pub mismatches: Vec<String>,
    pub elapsed: Duration,
    /// Calls whose outcomes were compared, and functions skipped (out of fuel or stack).
    pub funcs: u64,
    pub calls_compared: u64,
    pub funcs_skipped: u64,
    /// In llvm mode: behaviour-equal seeds whose module the LLVM backend compiled, and among
    /// them those equal only up to its known deviation (the first few seeds listed).
    pub backend_equal: u64,
    pub known_deviations: (u64, Vec<u64>),
}

/// Checks all `seeds` on `jobs` threads; mismatching modules are written to `artifacts`.
pub fn run(seeds: Range<u64>, jobs: usize, artifacts: &Path) -> Result<SmithStats, String> {
    let start = Instant::now();
    let engine = smith_engine()?;
    let list: Vec<u64> = seeds.clone().collect();
    let order: Vec<usize> = (0..list.len()).collect();
    let outcomes = crate::parallel_map(list.len(), &order, jobs, |i| {
        sut::set_context(format!("smith seed {}", list[i]));
        check_seed(&engine, list[i], artifacts)
    });
    let mut st = SmithStats {
        seeds,
        ..Default::default()
    };
    for (seed, o) in list.iter().zip(outcomes) {
        let o = o.unwrap_or_else(|| SeedOutcome::NotCompared("worker died".into()));
        let shortfall = |st: &mut SmithStats, r: String| {
            st.failures_total += 1;
            // Offsets differ from module to module; the reason does not.
            let key = r.split(" (at offset").next().unwrap_or(&r).to_string();
            match st.failures.iter_mut().find(|f| f.0 == key) {
                Some(f) => {
                    f.1 += 1;
                    if f.2.len() < 5 {
                        f.2.push(*seed);
                    }
                }
                None => st.failures.push((key, 1, vec![*seed])),
            }
        };
        match o {
            SeedOutcome::NotGenerated(_) => {}
            SeedOutcome::RoundTripFailed(r) => {
                st.generated += 1;
                shortfall(&mut st, r);
            }
            SeedOutcome::NotCompared(r) => {
                st.generated += 1;
                st.roundtripped += 1;
                shortfall(&mut st, r);
            }
            SeedOutcome::Equal(t) => {
                st.funcs += t.funcs;
                st.calls_compared += t.compared;
                st.funcs_skipped += t.skipped;
                st.generated += 1;
                st.roundtripped += 1;
                st.behaviour_equal += 1;
                st.backend_equal += u64::from(t.backend);
                if t.known_deviation {
                    st.known_deviations.0 += 1;
                    if st.known_deviations.1.len() < 10 {
                        st.known_deviations.1.push(*seed);
                    }
                }
            }
            SeedOutcome::Mismatch(m) => {
                st.generated += 1;
                st.roundtripped += 1;
                shortfall(&mut st, "behaviour mismatch".into());
                st.mismatches.push(m);
            }
        }
    }
    st.elapsed = start.elapsed();
    Ok(st)
}

/// The whole check for one seed.
pub fn check_seed(engine: &Engine, seed: u64, artifacts: &Path) -> SeedOutcome {
    let original = match generate(seed) {
        Ok(b) => b,
        Err(e) => return SeedOutcome::NotGenerated(e),
    };
    let (out, backend) = match sut::roundtrip_via(&original) {
        Ok(b) => b,
        Err(e) => {
            // Kept for reproducing (`wasmir-translate --import-wasm`), without a message: the
            // reason is what groups the failures.
            let _ = std::fs::create_dir_all(artifacts).and_then(|()| {
                std::fs::write(
                    artifacts.join(format!("smith-seed-{seed}.orig.wasm")),
                    &original,
                )
            });
            return SeedOutcome::RoundTripFailed(format!("round trip: {e}"));
        }
    };
    if let Err(e) = wasmparser::Validator::new().validate_all(&out) {
        return SeedOutcome::RoundTripFailed(format!(
            "round-tripped module is invalid: {}",
            first_line(&e.to_string())
        ));
    }
    let m1 = match Module::new(engine, &original) {
        Ok(m) => m,
        Err(e) => {
            return SeedOutcome::NotCompared(format!(
                "wasmtime rejects the original: {}",
                err_text(&e)
            ));
        }
    };
    let m2 = match Module::new(engine, &out) {
        Ok(m) => m,
        Err(e) => {
            return SeedOutcome::NotCompared(format!(
                "wasmtime rejects the round trip: {}",
                err_text(&e)
            ));
        }
    };
    match compare(engine, &m1, &m2) {
        Ok(t) => SeedOutcome::Equal(Tally { backend, ..t }),
        #[cfg(feature = "llvm")]
        Err(m) if backend && m.original_oob && llvm_strict_agrees(engine, &original, &m1) => {
            SeedOutcome::Equal(Tally {
                backend,
                known_deviation: true,
                ..Tally::default()
            })
        }
        Err(Mismatch { text: m, .. }) => {
            let saved = save_artifacts(artifacts, seed, &original, &out);
            let test = if sut::llvm_mode() {
                "--features llvm --test conformance smith_roundtrip_llvm"
            } else {
                "--test conformance smith_roundtrip"
            };
            SeedOutcome::Mismatch(format!(
                "smith seed {seed}: {m}\n  reproduce: WASMIR_SMITH_SEEDS={seed}..{} cargo test -p conformance {test} -- --nocapture\n  {saved}",
                seed + 1
            ))
        }
    }
}

fn save_artifacts(dir: &Path, seed: u64, original: &[u8], out: &[u8]) -> String {
    let base: PathBuf = dir.join(format!("smith-seed-{seed}"));
    let text = if sut::identity_mode() {
        None
    } else {
        sut::guarded("roundtrip_wasm", || {
            wasmir_translate::roundtrip_wasm(original)
        })
        .ok()
        .and_then(|r| r.ok())
        .map(|r| r.0)
    };
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(base.with_extension("orig.wasm"), original))
        .and_then(|()| std::fs::write(base.with_extension("out.wasm"), out))
        .and_then(|()| text.map_or(Ok(()), |t| std::fs::write(base.with_extension("wir"), t)));
    match written {
        Ok(()) => format!(
            "modules written to {}.{{orig.wasm,wir,out.wasm}}",
            base.display()
        ),
        Err(e) => format!("(could not write the modules to {}: {e})", dir.display()),
    }
}

fn err_text(e: &wasmtime::Error) -> String {
    let parts: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    truncate(&parts.join(": ").replace('\n', " "), 300)
}

struct Side {
    store: Store<StoreLimits>,
    instance: Option<Instance>,
}

fn new_side(engine: &Engine, module: &Module) -> (Side, Result<(), Event>) {
    let limits = StoreLimitsBuilder::new()
        .memory_size(64 << 20)
        .table_elements(100_000)
        .instances(10)
        .build();
    let mut store = Store::new(engine, limits);
    store.limiter(|l| l);
    let r = store
        .set_fuel(FUEL)
        .map_err(|e| Event::Error(err_text(&e)))
        .and_then(|()| Instance::new(&mut store, module, &[]).map_err(|e| Event::classify(&e)));
    match r {
        Ok(i) => (
            Side {
                store,
                instance: Some(i),
            },
            Ok(()),
        ),
        Err(e) => (
            Side {
                store,
                instance: None,
            },
            Err(e),
        ),
    }
}

/// How a call (or an instantiation) ended, other than normally.
#[derive(Debug, PartialEq)]
enum Event {
    /// Out of fuel or stack: not comparable.
    Resource(String),
    Trap(String),
    Error(String),
}

impl Event {
    fn is_oob(&self) -> bool {
        matches!(self, Event::Trap(t) if *t == Trap::MemoryOutOfBounds.to_string())
    }

    fn classify(e: &wasmtime::Error) -> Event {
        match e.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel | Trap::StackOverflow) => Event::Resource(e.to_string()),
            Some(t) => Event::Trap(t.to_string()),
            None => Event::Error(err_text(e)),
        }
    }
}

/// Fixed arguments: zeros, ones, and a set of awkward values.
fn args_for(params: &[ValType], set: usize) -> Vec<Val> {
    params
        .iter()
        .map(|t| match (t, set) {
            (ValType::I32, 0) => Val::I32(0),
            (ValType::I32, 1) => Val::I32(1),
            (ValType::I32, _) => Val::I32(-7),
            (ValType::I64, 0) => Val::I64(0),
            (ValType::I64, 1) => Val::I64(1),
            (ValType::I64, _) => Val::I64(0x1234_5678_9abc_def0),
            (ValType::F32, 0) => Val::F32(0f32.to_bits()),
            (ValType::F32, 1) => Val::F32(1f32.to_bits()),
            (ValType::F32, _) => Val::F32((-0.5f32).to_bits()),
            (ValType::F64, 0) => Val::F64(0f64.to_bits()),
            (ValType::F64, 1) => Val::F64(1f64.to_bits()),
            (ValType::F64, _) => Val::F64(1e10f64.to_bits()),
            (ValType::V128, s) => {
                Val::V128((s as u128 * 0x0101_0101_0101_0101_0101_0101_0101_0101).into())
            }
            (ValType::Ref(r), _) => Val::null_ref(r.heap_type()),
        })
        .collect()
}

/// Whether both are the bits of a NaN (`bits`-wide float), in llvm mode. There integers that
/// are NaN bits agree, as the NaNs themselves do: LLVM folds float operations at compile time,
/// where the engine's NaN canonicalization does not reach, with its own payloads, and may pass a
/// signaling NaN through unquieted (its documented deviation), so reinterpreted results may
/// differ in the NaN's bits alone.
fn both_nans(x: u64, y: u64, bits: u32) -> bool {
    let (exp, mantissa) = if bits == 32 {
        (0x7f80_0000, 0x007f_ffff)
    } else {
        (0x7ff0_0000_0000_0000, 0x000f_ffff_ffff_ffff)
    };
    let nan = |v: u64| v & exp == exp && v & mantissa != 0;
    sut::llvm_mode() && nan(x) && nan(y)
}

fn same(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::I32(x), Val::I32(y)) => x == y || both_nans(*x as u32 as u64, *y as u32 as u64, 32),
        (Val::I64(x), Val::I64(y)) => x == y || both_nans(*x as u64, *y as u64, 64),
        (Val::F32(x), Val::F32(y)) => {
            x == y || (f32::from_bits(*x).is_nan() && f32::from_bits(*y).is_nan())
        }
        (Val::F64(x), Val::F64(y)) => {
            x == y || (f64::from_bits(*x).is_nan() && f64::from_bits(*y).is_nan())
        }
        (Val::V128(x), Val::V128(y)) => x.as_u128() == y.as_u128(),
        (Val::FuncRef(x), Val::FuncRef(y)) => x.is_some() == y.is_some(),
        (Val::ExternRef(x), Val::ExternRef(y)) => x.is_some() == y.is_some(),
        (Val::AnyRef(x), Val::AnyRef(y)) => x.is_some() == y.is_some(),
        (Val::ExnRef(x), Val::ExnRef(y)) => x.is_some() == y.is_some(),
        _ => false,
    }
}

fn show(vals: &[Val]) -> String {
    let parts: Vec<String> = vals
        .iter()
        .map(|v| match v {
            Val::I32(x) => format!("i32:{x}"),
            Val::I64(x) => format!("i64:{x}"),
            Val::F32(x) => format!("f32:{}({x:#x})", f32::from_bits(*x)),
            Val::F64(x) => format!("f64:{}({x:#x})", f64::from_bits(*x)),
            Val::V128(x) => format!("v128:{:#x}", x.as_u128()),
            Val::FuncRef(r) => format!("funcref:{}", if r.is_some() { "non-null" } else { "null" }),
            Val::ExternRef(r) => format!(
                "externref:{}",
                if r.is_some() { "non-null" } else { "null" }
            ),
            other => format!("{other:?}"),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// The documented deviation of the LLVM backend (docs/architecture/llvm.md, "Known
/// deviations"): LLVM may remove a load whose result is dead, forward a stored value to a load,
/// or turn a store loop into `memory.fill`, so an out-of-bounds access that traps in wasm may
/// not trap (or trap before the loop's stores). Recognized exactly: the original trapped on an
/// out-of-bounds access where the LLVM module did not behave the same, and the module compiled
/// again with strict memory accesses (volatile, with the address checked for wrapping past
/// 4 GiB: `Options::strict_memory`, which forbids exactly those changes) behaves like the
/// original in every comparison. The address check covers the other documented deviation: an
/// address plus offset past 4 GiB is poison for LLVM (`add nuw`), and a constant one folds away.
#[cfg(feature = "llvm")]
fn llvm_strict_agrees(engine: &Engine, original: &[u8], m1: &Module) -> bool {
    let opts = sut::with_llvm_strict_memory(sut::llvm_options);
    let Ok(Ok(out)) = sut::guarded("llvm_wasm", || {
        wasmir_translate::llvm_wasm_with(original, &opts)
    }) else {
        return false;
    };
    Module::new(engine, &out).is_ok_and(|m2| compare(engine, m1, &m2).is_ok())
}

/// Compiles two modules (binary or text) and runs them side by side (for the self-check).
pub fn compare_modules(engine: &Engine, a: &[u8], b: &[u8]) -> Result<Tally, String> {
    let m1 = Module::new(engine, a).map_err(|e| err_text(&e))?;
    let m2 = Module::new(engine, b).map_err(|e| err_text(&e))?;
    compare(engine, &m1, &m2).map_err(|m| m.text)
}

/// The first disagreement of a comparison.
struct Mismatch {
    text: String,
    /// The original trapped on an out-of-bounds memory access in the call that disagreed (or
    /// before the state that disagreed).
    #[cfg_attr(not(feature = "llvm"), allow(dead_code))]
    original_oob: bool,
}

impl From<String> for Mismatch {
    fn from(text: String) -> Mismatch {
        Mismatch {
            text,
            original_oob: false,
        }
    }
}

/// What a comparison covered.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    /// Exported functions.
    pub funcs: u64,
    /// Calls whose outcomes (results or traps) were compared.
    pub compared: u64,
    /// Functions (or the instantiation) skipped because either side ran out of fuel or stack.
    pub skipped: u64,
    /// The module compared was compiled by the LLVM backend (llvm mode).
    pub backend: bool,
    /// It differed from the original only by the LLVM backend's known deviations (see
    /// `llvm_strict_agrees`), and was compared again compiled with strict memory accesses.
    pub known_deviation: bool,
}

/// Runs both modules side by side. `Err` describes the first disagreement.
fn compare(engine: &Engine, m1: &Module, m2: &Module) -> Result<Tally, Mismatch> {
    let funcs: Vec<String> = m1
        .exports()
        .filter(|e| matches!(e.ty(), wasmtime::ExternType::Func(_)))
        .map(|e| e.name().to_string())
        .collect();
    let mut tally = Tally {
        funcs: funcs.len() as u64,
        ..Tally::default()
    };
    // Instantiation alone (start function, segments), then each function on fresh instances.
    let mut checks: Vec<Option<&str>> = vec![None];
    checks.extend(funcs.iter().map(|f| Some(f.as_str())));
    for func in checks {
        let (mut a, ra) = new_side(engine, m1);
        let (mut b, rb) = new_side(engine, m2);
        match (&ra, &rb) {
            (Ok(()), Ok(())) => {}
            (Err(Event::Resource(_)), _) | (_, Err(Event::Resource(_))) => {
                tally.skipped += 1;
                return Ok(tally);
            }
            (Err(Event::Trap(_)), Err(Event::Trap(_)))
            | (Err(Event::Error(_)), Err(Event::Error(_))) => return Ok(tally),
            _ => {
                return Err(Mismatch {
                    text: format!("instantiation differs: original {ra:?}, round trip {rb:?}"),
                    original_oob: ra.as_ref().is_err_and(Event::is_oob),
                });
            }
        }
        let mut comparable_state = true;
        let mut oob = false;
        if let Some(name) = func {
            'sets: for set in 0..3 {
                let (fa, fb) = match (get_func(&mut a, name), get_func(&mut b, name)) {
                    (Some(fa), Some(fb)) => (fa, fb),
                    _ => {
                        return Err(
                            format!("export `{name}` is not a function on both sides").into()
                        );
                    }
                };
                let params: Vec<ValType> = fa.ty(&a.store).params().collect();
                let args = args_for(&params, set);
                let ra = call(&mut a, fa, &args);
                let rb = call(&mut b, fb, &args);
                let what = || format!("`{name}`{}", show(&args));
                oob |= ra.as_ref().is_err_and(Event::is_oob);
                match (&ra, &rb) {
                    (Err(Event::Resource(_)), _) | (_, Err(Event::Resource(_))) => {
                        comparable_state = false;
                        tally.skipped += 1;
                        break 'sets;
                    }
                    (Ok(x), Ok(y)) => {
                        tally.compared += 1;
                        if x.len() != y.len() || !x.iter().zip(y).all(|(p, q)| same(p, q)) {
                            return Err(format!(
                                "{}: original returned {}, round trip {}",
                                what(),
                                show(x),
                                show(y)
                            )
                            .into());
                        }
                    }
                    (Err(Event::Trap(_)), Err(Event::Trap(_))) => tally.compared += 1,
                    (x, y) => {
                        let d = |r: &Result<Vec<Val>, Event>| match r {
                            Ok(v) => format!("returned {}", show(v)),
                            Err(e) => format!("{e:?}"),
                        };
                        return Err(Mismatch {
                            text: format!("{}: original {}, round trip {}", what(), d(x), d(y)),
                            original_oob: oob,
                        });
                    }
                }
            }
        }
        if comparable_state {
            compare_state(&mut a, &mut b).map_err(|m| Mismatch {
                text: match func {
                    Some(f) => format!("after calling `{f}`: {m}"),
                    None => format!("after instantiation: {m}"),
                },
                original_oob: oob,
            })?;
        }
    }
    Ok(tally)
}

fn get_func(side: &mut Side, name: &str) -> Option<wasmtime::Func> {
    side.instance?.get_func(&mut side.store, name)
}

fn call(side: &mut Side, f: wasmtime::Func, args: &[Val]) -> Result<Vec<Val>, Event> {
    let n = f.ty(&side.store).results().len();
    let mut results = vec![Val::I32(0); n];
    side.store
        .set_fuel(FUEL)
        .map_err(|e| Event::Error(err_text(&e)))?;
    f.call(&mut side.store, args, &mut results)
        .map_err(|e| Event::classify(&e))?;
    Ok(results)
}

/// Exported globals and memories must agree.
fn compare_state(a: &mut Side, b: &mut Side) -> Result<(), String> {
    let (Some(ia), Some(ib)) = (a.instance, b.instance) else {
        return Ok(());
    };
    let exports: Vec<(String, Extern)> = ia
        .exports(&mut a.store)
        .map(|e| (e.name().to_string(), e.into_extern()))
        .collect();
    for (name, ea) in exports {
        let eb = ib.get_export(&mut b.store, &name);
        match (ea, eb) {
            (Extern::Global(ga), Some(Extern::Global(gb))) => {
                let (va, vb) = (ga.get(&mut a.store), gb.get(&mut b.store));
                if !same(&va, &vb) {
                    return Err(format!(
                        "global `{name}`: original {}, round trip {}",
                        show(std::slice::from_ref(&va)),
                        show(std::slice::from_ref(&vb))
                    ));
                }
            }
            (Extern::Memory(ma), Some(Extern::Memory(mb))) => {
                let (da, db) = (ma.data(&a.store), mb.data(&b.store));
                if da.len() != db.len() {
                    return Err(format!(
                        "memory `{name}`: {} bytes vs {} bytes",
                        da.len(),
                        db.len()
                    ));
                }
                if da != db {
                    let i = da.iter().zip(db).position(|(x, y)| x != y).unwrap_or(0);
                    return Err(format!(
                        "memory `{name}` differs at byte {i}: {:#04x} vs {:#04x}",
                        da[i], db[i]
                    ));
                }
            }
            (Extern::Table(ta), Some(Extern::Table(tb))) => {
                let (sa, sb) = (ta.size(&a.store), tb.size(&b.store));
                if sa != sb {
                    return Err(format!("table `{name}`: size {sa} vs {sb}"));
                }
            }
            (_, None) => return Err(format!("export `{name}` missing from the round trip")),
            _ => {}
        }
    }
    Ok(())
}
