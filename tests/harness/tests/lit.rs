//! The lit test runner. Every file under `tests/lit/` with RUN lines is a case; each RUN line
//! is a pipeline of tools run in-process, and its output is compared with an insta snapshot in
//! `tests/lit/snapshots/`. See `tests/lit/README.md` for how to write and bless cases.
//!
//! All cases run even when some fail; the test then fails with a list of every failure.
//! Environment: `LIT_FILTER=substring` runs only the cases whose path contains it;
//! `LIT_JOBS=N` sets how many cases run at once (default: one per CPU); `INSTA_UPDATE` as usual
//! (`always` blesses, and also deletes snapshots that no RUN line produces any more).

use std::collections::BTreeSet;
use std::env;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use lit_harness::{
    Differential, FEATURES, Rendered, RunCommand, Substitutions, TOOLS, catch_panic,
    compare_backends, parse_pipeline, render, run_commands, run_pipeline, skip_reason,
};

/// Stack size of the thread each case runs on: that of a main thread, so that deep recursion
/// in a tool behaves (and overflows) as in the real binary, not as on libtest's 2 MiB threads.
/// A stack overflow aborts the whole test process; the abort message names the thread, which
/// is named after the case.
const CASE_STACK_SIZE: usize = 8 << 20;

/// A case file and its RUN commands (or why they could not be read).
struct Case {
    /// Path relative to `tests/lit/`, with `/` separators (stable across machines).
    rel: String,
    path: PathBuf,
    commands: Result<Vec<RunCommand>, String>,
    /// Why the case does not run in this build (`REQUIRES:`/`UNSUPPORTED:`).
    skip: Option<String>,
}

impl Case {
    /// Prefix of the case's snapshot names: its relative path with `/` turned into `__`.
    fn snapshot_prefix(&self) -> String {
        self.rel.replace('/', "__")
    }
}

/// The result of one RUN line.
struct RunOutcome {
    /// Snapshot name, e.g. `opt__roundtrip.wir@run1`.
    snapshot: String,
    /// Line of the RUN command in the case file.
    line: usize,
    command: String,
    /// The rendered output, or a harness error (bad RUN line, unknown tool).
    rendered: Result<Rendered, String>,
}

#[test]
fn lit() {
    let root = lit_root();
    let snapshot_dir = root.join("snapshots");
    let filter = env::var("LIT_FILTER")
        .ok()
        .filter(|filter| !filter.is_empty());

    let mut cases = discover(&root);
    assert!(
        !cases.is_empty(),
        "no lit cases (files with RUN lines) under {}",
        root.display()
    );
    if let Some(filter) = &filter {
        cases.retain(|case| case.rel.contains(filter.as_str()));
        assert!(
            !cases.is_empty(),
            "LIT_FILTER={filter:?} matches no lit case"
        );
    }

    // The leading newline moves past libtest's `test lit ... `.
    report(&format!(
        "\nlit: running {} cases from {}",
        cases.len(),
        root.display()
    ));

    // Cases that do not run in this build: their snapshots are kept, not checked.
    let mut unchecked_prefixes = Vec::new();
    cases.retain(|case| match &case.skip {
        Some(why) => {
            report(&format!("SKIP {}: {why}", case.rel));
            unchecked_prefixes.push(format!("{}@", case.snapshot_prefix()));
            false
        }
        None => true,
    });

    let temp_dir = env::temp_dir().join(format!("wasmir-lit-{}", std::process::id()));
    fs::create_dir_all(&temp_dir).expect("cannot create the temp directory for %t");
    let outcomes = run_all(&cases, &root, &temp_dir);
    let _ = fs::remove_dir_all(&temp_dir);

    // Snapshots are checked here, on the test's own thread and in case order, so that insta's
    // diffs come out in a deterministic order.
    let mut failures: Vec<String> = Vec::new();
    let mut passed = 0;
    let mut failed = 0;
    // Snapshot names produced by some RUN line, and name prefixes of cases whose RUN lines could
    // not be read: their snapshots are not orphans, just not checked this time.
    let mut produced = BTreeSet::new();
    let mut unreadable_prefixes = unchecked_prefixes;
    for (case, outcome) in cases.iter().zip(outcomes) {
        let mut case_failures = Vec::new();
        match outcome {
            Err(error) => {
                unreadable_prefixes.push(format!("{}@", case.snapshot_prefix()));
                case_failures.push(format!("{}: {error}", case.rel));
            }
            Ok(runs) => {
                for run in runs {
                    if !produced.insert(run.snapshot.clone()) {
                        case_failures.push(format!(
                            "{}: snapshot name `{}` is produced twice; rename a case",
                            case.rel, run.snapshot
                        ));
                    }
                    if let Err(why) = check_run(case, &run, &snapshot_dir) {
                        case_failures.push(format!(
                            "{}:{} (snapshots/{}.snap): {why}",
                            case.rel, run.line, run.snapshot
                        ));
                    }
                }
            }
        }
        if case_failures.is_empty() {
            passed += 1;
            report(&format!("PASS {}", case.rel));
        } else {
            failed += 1;
            report(&format!("FAIL {}", case.rel));
            failures.extend(case_failures);
        }
    }

    let blessing = is_blessing();
    for file in snapshot_files(&snapshot_dir) {
        let is_produced = produced.contains(&file.snapshot);
        // A filtered run does not know every snapshot that should exist, so it cannot tell
        // orphans.
        let is_orphan = filter.is_none()
            && !is_produced
            && !unreadable_prefixes
                .iter()
                .any(|prefix| file.snapshot.starts_with(prefix.as_str()));
        let name = &file.name;
        if blessing && (is_orphan || (file.pending && is_produced)) {
            // When blessing, an orphan goes, and so does a pending snapshot left by an earlier
            // run for a snapshot that has just been written in place.
            fs::remove_file(&file.path).expect("cannot delete a snapshot file");
            if is_orphan {
                report(&format!(
                    "DELETED snapshots/{name} (no RUN line produces it)"
                ));
            }
        } else if is_orphan && !file.pending {
            // Stray `.snap.new` files are git-ignored and harmless; only `.snap` files fail.
            failed += 1;
            report(&format!("FAIL snapshots/{name}"));
            failures.push(format!(
                "snapshots/{name}: no RUN line produces this snapshot; delete it (or run with \
                 INSTA_UPDATE=always, which deletes such files)"
            ));
        }
    }

    report(&format!("lit: {passed} passed, {failed} failed"));
    if !failures.is_empty() {
        panic!(
            "{} lit failure(s) (all cases were run, despite insta's \"stopped on the first \
             failure\" note):\n  {}\n\nTo accept changed output: INSTA_UPDATE=always cargo test \
             -p lit-harness --test lit (or cargo insta review); see tests/lit/README.md.",
            failures.len(),
            failures.join("\n  ")
        );
    }
}

/// How many RUN lines at least must give the same result through wasmtime and through native
/// code (`wasmir-run --backend=cranelift`); raise it as the native subset grows.
const NATIVE_DIFFERENTIAL_FLOOR: usize = 51;

/// How many RUN lines at least must give the same result on the direct backend's wasm and on
/// the cranelift wasm path's (`wasmir-run --backend=cranelift-wasm`).
const CRANELIFT_WASM_DIFFERENTIAL_FLOOR: usize = 200;

/// How many RUN lines at least must give the same result through wasmtime and through LLVM's
/// native code (`wasmir-run --backend=llvm-native`, in builds with the `llvm` feature).
#[cfg(feature = "llvm")]
const LLVM_NATIVE_DIFFERENTIAL_FLOOR: usize = 126;

/// How many RUN lines at least must give the same result on the direct backend's wasm and on
/// the LLVM backend's (`wasmir-run --backend=llvm`, -O2); the others are outside its subset.
#[cfg(feature = "llvm")]
const LLVM_DIFFERENTIAL_FLOOR: usize = 182;

/// The differential test of the other backends: every RUN line that ends in `wasmir-run …
/// --invoke …` (on the default backend) runs again with `--backend=cranelift` (native code),
/// with `--backend=cranelift-wasm` (the cranelift wasm path, run by wasmtime) and, in a build
/// with the `llvm` feature, with `--backend=llvm` (the LLVM backend's wasm, run by wasmtime)
/// and `--backend=llvm-native` (LLVM's native code, same ABI and runtime as Cranelift's);
/// stdout and the exit code must be the same, unless a native backend or the LLVM backend
/// refuses the module as outside its subset. Part of this test binary, as another binary would
/// link wasmtime again.
#[test]
fn backend_differential() {
    let root = lit_root();
    let cases = discover(&root);
    let temp_dir = env::temp_dir().join(format!("wasmir-lit-backends-{}", std::process::id()));
    fs::create_dir_all(&temp_dir).expect("cannot create the temp directory for %t");
    let mut differs = Vec::new();
    #[allow(unused_mut)]
    let mut backends = vec![("cranelift", NATIVE_DIFFERENTIAL_FLOOR), ("cranelift-wasm", CRANELIFT_WASM_DIFFERENTIAL_FLOOR)];
    #[cfg(feature = "llvm")]
    backends.push(("llvm", LLVM_DIFFERENTIAL_FLOOR));
    #[cfg(feature = "llvm")]
    backends.push(("llvm-native", LLVM_NATIVE_DIFFERENTIAL_FLOOR));
    for (backend, floor) in backends {
        let start = std::time::Instant::now();
        let (mut same, mut unsupported) = (0, 0);
        for case in &cases {
            if case.skip.is_some() {
                continue;
            }
            let Ok(commands) = &case.commands else { continue };
            for (index, command) in commands.iter().enumerate() {
                let temp = temp_dir.join(format!("{}@run{}.tmp", case.snapshot_prefix(), index + 1));
                let substitutions = Substitutions {
                    file: case.path.to_str().expect("non-UTF-8 path").to_string(),
                    dir: case.path.parent().unwrap().to_str().expect("non-UTF-8 path").to_string(),
                    temp: temp.to_str().expect("non-UTF-8 path").to_string(),
                };
                let Ok(stages) = parse_pipeline(&command.text, &substitutions, TOOLS) else { continue };
                // On a thread with a main thread's stack, as the lit cases run.
                let outcome = thread::scope(|s| {
                    thread::Builder::new()
                        .stack_size(CASE_STACK_SIZE)
                        .spawn_scoped(s, || compare_backends(&stages, backend))
                        .expect("cannot spawn a thread")
                        .join()
                        .expect("the comparison panicked")
                });
                match outcome {
                    None => {}
                    Some(Differential::Same) => same += 1,
                    Some(Differential::Unsupported) => unsupported += 1,
                    Some(Differential::Differs(why)) => differs.push(format!("{}:{}: `{}`\n    {why}", case.rel, command.line, command.text)),
                }
            }
        }
        report(&format!("\n--backend={backend} differential: {same} RUN lines compared (same output), {unsupported} skipped (outside the backend's subset), {:.1} s", start.elapsed().as_secs_f64()));
        assert!(same >= floor, "only {same} RUN lines compared with --backend={backend}, below the floor of {floor}");
    }
    let _ = fs::remove_dir_all(&temp_dir);
    assert!(differs.is_empty(), "the backends disagree:\n  {}", differs.join("\n  "));
}

/// Prints a progress line to the real stdout: libtest captures `println!`, but the progress
/// lines and the totals are wanted in the log even when the test passes.
fn report(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

/// `tests/lit/`, canonical so that the paths given to tools (and replaced in their output) are
/// clean.
fn lit_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../lit");
    root.canonicalize()
        .unwrap_or_else(|error| panic!("{}: {error}", root.display()))
}

/// Finds the cases under `root`, sorted by path.
fn discover(root: &Path) -> Vec<Case> {
    let mut files = Vec::new();
    collect_files(root, &mut files);
    let mut cases: Vec<Case> = files
        .into_iter()
        .filter_map(|path| {
            // A file that is not UTF-8 (say, a `.wasm` input of some case) is not a case.
            let source = String::from_utf8(fs::read(&path).ok()?).ok()?;
            let commands = run_commands(&source);
            if commands.as_ref().is_ok_and(|commands| commands.is_empty()) {
                return None;
            }
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_str()
                .expect("non-UTF-8 path");
            Some(Case {
                rel: rel.replace('\\', "/"),
                path,
                commands,
                skip: skip_reason(&source, FEATURES),
            })
        })
        .collect();
    cases.sort_by(|a, b| a.rel.cmp(&b.rel));
    cases
}

/// Collects the files under `dir` that may be cases: not hidden, not in a `snapshots/`
/// directory, not snapshots, not documentation.
fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            if name != "snapshots" {
                collect_files(&path, files);
            }
        } else if ![".snap", ".snap.new", ".pending-snap", ".md"]
            .iter()
            .any(|ext| name.ends_with(ext))
        {
            files.push(path);
        }
    }
}

/// Runs every case, `LIT_JOBS` at a time, and returns the outcomes in case order.
fn run_all(cases: &[Case], root: &Path, temp_dir: &Path) -> Vec<Result<Vec<RunOutcome>, String>> {
    let jobs = match env::var("LIT_JOBS") {
        Ok(jobs) => jobs.parse().expect("LIT_JOBS must be a number"),
        Err(_) => thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let next_case = AtomicUsize::new(0);
    let mut outcomes: Vec<_> = thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    while let Some(case) = cases.get(next_case.fetch_add(1, Ordering::Relaxed)) {
                        done.push((
                            case.rel.as_str(),
                            run_case_on_own_thread(case, root, temp_dir),
                        ));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap())
            .collect()
    });
    // Case paths are unique and `cases` is sorted by them.
    outcomes.sort_by(|a, b| a.0.cmp(b.0));
    outcomes.into_iter().map(|(_, outcome)| outcome).collect()
}

/// Runs a case on a fresh thread with [`CASE_STACK_SIZE`] of stack, named after the case.
fn run_case_on_own_thread(
    case: &Case,
    root: &Path,
    temp_dir: &Path,
) -> Result<Vec<RunOutcome>, String> {
    thread::scope(|scope| {
        thread::Builder::new()
            .name(format!("lit {}", case.rel))
            .stack_size(CASE_STACK_SIZE)
            .spawn_scoped(scope, || run_case(case, root, temp_dir))
            .expect("cannot spawn a thread for a lit case")
            .join()
            // Tool panics are caught inside; this would be a bug in the harness itself.
            .unwrap_or_else(|_| Err("the lit harness panicked running this case".to_string()))
    })
}

/// Runs all RUN lines of a case.
fn run_case(case: &Case, root: &Path, temp_dir: &Path) -> Result<Vec<RunOutcome>, String> {
    let commands = case.commands.clone()?;
    let root = root.to_str().expect("non-UTF-8 path");
    let file = case.path.to_str().expect("non-UTF-8 path");
    let dir = case
        .path
        .parent()
        .unwrap()
        .to_str()
        .expect("non-UTF-8 path");
    let prefix = case.snapshot_prefix();
    let outcomes = commands
        .iter()
        .enumerate()
        .map(|(index, command)| {
            let snapshot = format!("{prefix}@run{}", index + 1);
            let temp = temp_dir.join(format!("{snapshot}.tmp"));
            let substitutions = Substitutions {
                file: file.to_string(),
                dir: dir.to_string(),
                temp: temp.to_str().expect("non-UTF-8 path").to_string(),
            };
            // Keep machine-specific paths out of snapshots: `%t` shows as `%t`, and paths under
            // `tests/lit/` (the case file, `%S`, ...) as relative to it.
            let replacements = [
                (substitutions.temp.clone(), "%t".to_string()),
                (format!("{root}/"), String::new()),
                (root.to_string(), ".".to_string()),
            ];
            let rendered = parse_pipeline(&command.text, &substitutions, TOOLS)
                .map(|stages| render(&command.text, &run_pipeline(&stages), &replacements));
            RunOutcome {
                snapshot,
                line: command.line,
                command: command.text.clone(),
                rendered,
            }
        })
        .collect();
    Ok(outcomes)
}

/// Checks one RUN line's output against its snapshot; `Err` says why it fails.
fn check_run(case: &Case, run: &RunOutcome, snapshot_dir: &Path) -> Result<(), String> {
    let rendered = run
        .rendered
        .as_ref()
        .map_err(|error| format!("harness error: {error}"))?;
    if rendered.panicked {
        return Err(format!(
            "a tool panicked (tools must never panic, whatever the input):\n    {}",
            rendered.text.trim_end().replace('\n', "\n    ")
        ));
    }
    let existed = snapshot_dir.join(format!("{}.snap", run.snapshot)).exists();
    // insta panics on a failed assertion; catch that so that every case gets checked. insta has
    // printed the diff by then.
    catch_panic(|| {
        insta::with_settings!({
            snapshot_path => snapshot_dir,
            prepend_module_to_snapshot => false,
            input_file => &case.path,
            description => run.command.as_str(),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(run.snapshot.as_str(), rendered.text);
        })
    })
    .map_err(|_| {
        if existed {
            "output differs from the snapshot (diff above)".to_string()
        } else {
            "new snapshot, not blessed yet".to_string()
        }
    })
}

/// Whether snapshots are being blessed (written in place) rather than checked.
fn is_blessing() -> bool {
    matches!(
        env::var("INSTA_UPDATE").as_deref(),
        Ok("always" | "1" | "force")
    )
}

/// A file in the snapshot directory: a snapshot, or one pending review.
struct SnapshotFile {
    path: PathBuf,
    /// File name.
    name: String,
    /// Snapshot name (the file name without `.snap` or `.snap.new`).
    snapshot: String,
    /// Whether this is insta's `.snap.new`, a snapshot pending review.
    pending: bool,
}

/// The snapshot files in `dir`, sorted by name.
fn snapshot_files(dir: &Path) -> Vec<SnapshotFile> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<SnapshotFile> = entries
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_str()?.to_string();
            let (snapshot, pending) = match name.strip_suffix(".snap") {
                Some(snapshot) => (snapshot.to_string(), false),
                None => (name.strip_suffix(".snap.new")?.to_string(), true),
            };
            Some(SnapshotFile {
                path,
                name,
                snapshot,
                pending,
            })
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}
