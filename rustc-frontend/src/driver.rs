//! Driving a real rustc: finding a compiler and a matching library source, building and caching
//! the MIR of core, compiler_builtins and alloc for wasm32-unknown-unknown, and compiling the
//! user's crate to MIR the same way.
//!
//! The MIR text is rustc's pretty printer, which changes between releases: only the versions in
//! [`SUPPORTED_RUSTC`], whose output was read in full (all of core, compiler_builtins and alloc)
//! by [`crate::mir`], are accepted.
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Releases (`major.minor`) whose MIR text format the reader was checked against.
pub const SUPPORTED_RUSTC: &[&str] = &["1.96"];

/// The target all MIR is built for: 32-bit `usize` and pointers, wasm's layouts.
pub const TARGET: &str = "wasm32-unknown-unknown";

/// Bumped when the flags or the layout of the cache change, so that old entries are not reused.
const CACHE_FORMAT: &str = "v3";

/// How to get the compiler and the library source on Debian.
pub const APT_HINT: &str = "apt-get install rustc-web rust-web-src";

/// Flags shared by every MIR build: optimized MIR for wasm32 with full paths and no unwinding.
const MIR_FLAGS: &[&str] = &[
    "--target",
    TARGET,
    "-O",
    "-Zinline-mir",
    "-Ztrim-diagnostic-paths=false",
    "-Cpanic=abort",
];

#[derive(Debug)]
pub struct DriverError(pub String);

impl fmt::Display for DriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, DriverError> {
    Err(DriverError(msg.into()))
}

/// A compiler and the library source it was built from.
#[derive(Clone, Debug)]
pub struct Toolchain {
    pub rustc: PathBuf,
    /// The `library` directory (holding `core/`, `alloc/`, `compiler-builtins/`).
    pub library: PathBuf,
    /// `1.96.0`.
    pub release: String,
    pub commit_hash: String,
}

impl Toolchain {
    /// Finds the compiler (`rustc`, default `/usr/bin/rustc`) and its library source (`rust_src`,
    /// default `$(rustc --print sysroot)/lib/rustlib/src/rust/library`), and checks that they
    /// match and that the compiler's MIR format is supported.
    pub fn find(rustc: Option<&Path>, rust_src: Option<&Path>) -> Result<Toolchain, DriverError> {
        let rustc = rustc.map_or_else(|| PathBuf::from("/usr/bin/rustc"), Path::to_path_buf);
        if !rustc.exists() {
            return err(format!(
                "no rustc at `{}`: the Rust frontend needs rustc 1.96 and its library source; on Debian: `{APT_HINT}` (or pass --rustc PATH --rust-src PATH)",
                rustc.display()
            ));
        }
        let info = RustcInfo::of(&rustc)?;
        let vv = &info.version;
        let field = |name: &str| {
            vv.lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().to_string())
        };
        let (Some(release), Some(commit_hash)) = (field("release:"), field("commit-hash:")) else {
            return err(format!(
                "`{} -vV` did not print a release and a commit hash:\n{vv}",
                rustc.display()
            ));
        };
        check_supported(&release)?;
        let library = match rust_src {
            Some(p) => p.to_path_buf(),
            None => Path::new(info.sysroot.trim()).join("lib/rustlib/src/rust/library"),
        };
        if !library.join("core/src/lib.rs").exists() {
            return err(format!(
                "no Rust library source at `{}` (expected core/src/lib.rs there): the frontend builds core and alloc from source; on Debian: `{APT_HINT}` (or pass --rust-src PATH to the `library` directory of rustc {release}'s source)",
                library.display()
            ));
        }
        check_source_version(&library, &release)?;
        Ok(Toolchain {
            rustc,
            library,
            release,
            commit_hash,
        })
    }

    /// The cache directory for this compiler's library MIR.
    pub fn cache_key(&self) -> String {
        let hash: String = self.commit_hash.chars().take(12).collect();
        format!("{}-{hash}-{TARGET}-{CACHE_FORMAT}", self.release)
    }

    /// The MIR of core, compiler_builtins and alloc, built once per compiler and cached.
    pub fn library_mir(&self, cache_root: &Path) -> Result<LibraryMir, DriverError> {
        let dir = cache_root.join("mir").join(self.cache_key());
        let lib = LibraryMir { dir: dir.clone() };
        if lib.is_complete() {
            return Ok(lib);
        }
        fs::create_dir_all(cache_root.join("mir")).or_else(|e| {
            err(format!(
                "cannot create the cache directory `{}`: {e}",
                cache_root.display()
            ))
        })?;
        // One builder at a time; others wait and then find the finished entry. The rename below
        // keeps the cache whole even where locks are not honoured.
        let lock_path = cache_root
            .join("mir")
            .join(format!("{}.lock", self.cache_key()));
        let lock = fs::File::create(&lock_path)
            .or_else(|e| err(format!("cannot create `{}`: {e}", lock_path.display())))?;
        let _ = lock.lock();
        if lib.is_complete() {
            return Ok(lib);
        }
        let tmp =
            cache_root
                .join("mir")
                .join(format!("tmp-{}-{}", self.cache_key(), std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp)
            .or_else(|e| err(format!("cannot create `{}`: {e}", tmp.display())))?;
        let built = self.build_library(&tmp);
        if let Err(e) = built {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
        fs::write(
            tmp.join("complete"),
            format!("{} {}\n", self.release, self.commit_hash),
        )
        .or_else(|e| err(format!("cannot write to `{}`: {e}", tmp.display())))?;
        if fs::rename(&tmp, &dir).is_err() {
            // Another process finished first: use its entry.
            let _ = fs::remove_dir_all(&tmp);
            if !lib.is_complete() {
                return err(format!(
                    "cannot move the built MIR into `{}`",
                    dir.display()
                ));
            }
        }
        drop(lock);
        Ok(lib)
    }

    fn build_library(&self, out: &Path) -> Result<(), DriverError> {
        let lib = &self.library;
        let rmeta =
            |name: &str| format!("{name}={}", out.join(format!("lib{name}.rmeta")).display());
        let crates: [(&str, PathBuf, Vec<String>); 3] = [
            ("core", lib.join("core/src/lib.rs"), vec![]),
            (
                "compiler_builtins",
                lib.join("compiler-builtins/compiler-builtins/src/lib.rs"),
                [
                    "--cfg",
                    "feature=\"compiler-builtins\"",
                    "--cfg",
                    "feature=\"mem\"",
                    "--cfg",
                    "feature=\"unstable-intrinsics\"",
                    "--cfg",
                    "f16_enabled",
                    "--cfg",
                    "f128_enabled",
                    "--cfg",
                    "intrinsics_enabled",
                    "--cfg",
                    "arch_enabled",
                    "--cfg",
                    "optimizations_enabled",
                    "--extern",
                ]
                .iter()
                .map(|s| s.to_string())
                .chain([rmeta("core")])
                .collect(),
            ),
            (
                "alloc",
                lib.join("alloc/src/lib.rs"),
                vec![
                    "--extern".into(),
                    rmeta("core"),
                    "--extern".into(),
                    rmeta("compiler_builtins"),
                ],
            ),
        ];
        for (name, src, extra) in crates {
            let mut cmd = Command::new(&self.rustc);
            cmd.env("RUSTC_BOOTSTRAP", "1")
                // compiler_builtins' build script would set these for libm.
                .env("CFG_CARGO_FEATURES", "[\"compiler-builtins\", \"mem\"]")
                .env("CFG_OPT_LEVEL", "3")
                .env("CFG_TARGET_FEATURES", "[]")
                .args(["--crate-type", "lib", "--crate-name", name])
                .args(MIR_FLAGS)
                .args(["--edition", "2024"])
                .args([
                    "-Zforce-unstable-if-unmarked",
                    "--emit=metadata,mir",
                    "--cap-lints",
                    "allow",
                    "--out-dir",
                ])
                .arg(out)
                .args(extra)
                .arg(src);
            run_checked(&mut cmd, &format!("building the MIR of `{name}`"))?;
        }
        self.library_definitions(out, "core", &lib.join("core/src/lib.rs"), &[])?;
        self.library_definitions(
            out,
            "alloc",
            &lib.join("alloc/src/lib.rs"),
            &[
                "--extern".into(),
                rmeta("core"),
                "--extern".into(),
                rmeta("compiler_builtins"),
            ],
        )
    }

    /// The struct, enum and union definitions of a library crate (`NAME.defs.rs`, read by the
    /// lowering for layouts), from rustdoc's JSON for the same target and cfgs as its MIR.
    fn library_definitions(
        &self,
        out: &Path,
        name: &str,
        src: &Path,
        extra: &[String],
    ) -> Result<(), DriverError> {
        let rustdoc = self.rustc.with_file_name("rustdoc");
        let doc_dir = out.join(format!("{name}-doc"));
        let mut cmd = Command::new(&rustdoc);
        cmd.env("RUSTC_BOOTSTRAP", "1")
            .args(["--crate-type", "lib", "--crate-name", name])
            .args(["--edition", "2024", "--target", TARGET])
            .args(["-Zunstable-options", "--output-format", "json"])
            .args(["--document-private-items", "--document-hidden-items"])
            .args(["-Zforce-unstable-if-unmarked", "--cap-lints", "allow", "-o"])
            .arg(&doc_dir)
            .args(extra)
            .arg(src);
        run_checked(
            &mut cmd,
            &format!(
                "documenting `{name}` with `{}` (rustdoc's JSON gives the library's type definitions)",
                rustdoc.display()
            ),
        )?;
        let json_path = doc_dir.join(format!("{name}.json"));
        let json = fs::read(&json_path)
            .or_else(|e| err(format!("cannot read `{}`: {e}", json_path.display())))?;
        let defs = crate::rustdoc::definitions(&json)
            .map_err(|e| DriverError(format!("`{}`: {e}", json_path.display())))?;
        let _ = fs::remove_dir_all(&doc_dir);
        let defs_path = out.join(format!("{name}.defs.rs"));
        fs::write(&defs_path, defs)
            .or_else(|e| err(format!("cannot write `{}`: {e}", defs_path.display())))
    }

    /// Compiles the user's crate to MIR (with source spans) against the cached library and the
    /// dependencies built by `dep_mir`; returns the MIR text. `extra`: more rustc flags
    /// (`-Coverflow-checks=on`).
    pub fn crate_mir(
        &self,
        lib: &LibraryMir,
        file: &Path,
        crate_name: &str,
        out_dir: &Path,
        extra: &[&str],
        deps: &[Dep],
    ) -> Result<String, DriverError> {
        let out = out_dir.join(format!("{crate_name}.mir"));
        let mut cmd = self.crate_command(lib, crate_name, extra);
        cmd.args(["--edition", "2024"]);
        add_deps(&mut cmd, deps);
        cmd.args(["-Zmir-include-spans", "--emit=mir", "-o"])
            .arg(&out)
            .arg(file);
        run_checked(&mut cmd, &format!("compiling `{}` to MIR", file.display()))?;
        fs::read_to_string(&out).or_else(|e| err(format!("cannot read `{}`: {e}", out.display())))
    }

    /// Compiles a dependency of the user's crate (`--extern NAME=FILE.rs`, a library with no
    /// features enabled, against the cached library and the dependencies before it) to its MIR
    /// and metadata in `out_dir`. Its edition is the one its package's `Cargo.toml` gives
    /// (`FILE`'s directory or the one above, as for `src/lib.rs`), else 2021.
    pub fn dep_mir(
        &self,
        lib: &LibraryMir,
        name: &str,
        file: &Path,
        out_dir: &Path,
        extra: &[&str],
        before: &[Dep],
    ) -> Result<Dep, DriverError> {
        let mir = out_dir.join(format!("{name}.mir"));
        let rmeta = out_dir.join(format!("lib{name}.rmeta"));
        let mut cmd = self.crate_command(lib, name, extra);
        cmd.args(["--edition", &package_edition(file)]);
        add_deps(&mut cmd, before);
        cmd.arg("-Zmir-include-spans")
            .arg(format!(
                "--emit=metadata={},mir={}",
                rmeta.display(),
                mir.display()
            ))
            // A crates.io crate's own warnings are not the user's.
            .args(["--cap-lints", "allow"])
            .arg(file);
        run_checked(
            &mut cmd,
            &format!(
                "compiling the dependency `{name}` (`{}`) to MIR",
                file.display()
            ),
        )?;
        Ok(Dep {
            name: name.to_string(),
            file: file.to_path_buf(),
            mir,
            rmeta,
        })
    }

    /// The layouts rustc computes for the types the user's crate's code generation touches, as
    /// `-Zprint-type-sizes` prints them (code generation runs: `--emit=obj`).
    pub fn type_sizes(
        &self,
        lib: &LibraryMir,
        file: &Path,
        out_dir: &Path,
    ) -> Result<String, DriverError> {
        let mut cmd = self.crate_command(lib, "layouts", &[]);
        cmd.args(["--edition", "2024"]);
        cmd.args(["-Zprint-type-sizes", "--emit=obj", "-o"])
            .arg(out_dir.join("layouts.o"))
            .arg(file);
        run_capture(&mut cmd)
    }

    /// rustc with the flags and library of `crate_mir` for a crate named `crate_name`.
    fn crate_command(&self, lib: &LibraryMir, crate_name: &str, extra: &[&str]) -> Command {
        let extern_ = |name: &str| {
            format!(
                "{name}={}",
                lib.dir.join(format!("lib{name}.rmeta")).display()
            )
        };
        let mut cmd = Command::new(&self.rustc);
        // MIR is emitted for every item whatever the crate type; a library needs no allocator or
        // panic handler at this stage (the lowering supplies defaults).
        cmd.env("RUSTC_BOOTSTRAP", "1")
            .args(["--crate-type", "lib", "--crate-name", crate_name])
            .args(MIR_FLAGS)
            .args(extra)
            .arg("-L")
            .arg(format!("dependency={}", lib.dir.display()))
            // `#![no_std]` brings in compiler_builtins by name.
            .args([
                "--extern",
                &extern_("core"),
                "--extern",
                &extern_("alloc"),
                "--extern",
                &extern_("compiler_builtins"),
            ]);
        cmd
    }
}

/// A dependency of the user's crate, built to MIR and metadata by `Toolchain::dep_mir`.
#[derive(Clone, Debug)]
pub struct Dep {
    pub name: String,
    /// Its crate root.
    pub file: PathBuf,
    pub mir: PathBuf,
    pub rmeta: PathBuf,
}

fn add_deps(cmd: &mut Command, deps: &[Dep]) {
    for d in deps {
        cmd.arg("--extern")
            .arg(format!("{}={}", d.name, d.rmeta.display()));
    }
}

/// The directory of the package whose crate root is `file` (the one holding its `Cargo.toml`:
/// `file`'s directory or the one above).
pub fn package_dir(file: &Path) -> Option<PathBuf> {
    let dir = file.parent()?;
    [Some(dir), dir.parent()]
        .into_iter()
        .flatten()
        .find(|d| d.join("Cargo.toml").exists())
        .map(Path::to_path_buf)
}

/// The edition of the package whose crate root is `file`: `edition = "…"` in the `Cargo.toml`
/// of its directory or the one above, or, for `edition.workspace = true`, the
/// `[workspace.package]` edition of the nearest `Cargo.toml` above that declares a workspace;
/// 2021 (what `cargo new` wrote before 2024) without a `Cargo.toml`, 2015 (cargo's default) with
/// one that says nothing.
pub fn package_edition(file: &Path) -> String {
    let Some(dir) = package_dir(file) else {
        return "2021".to_string();
    };
    let text = fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
    let inherited = text.lines().any(|l| {
        let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
        l == "edition.workspace=true" || l == "edition={workspace=true}"
    });
    if inherited {
        let workspace = dir.ancestors().skip(1).find_map(|d| {
            let text = fs::read_to_string(d.join("Cargo.toml")).ok()?;
            text.lines()
                .any(|l| l.trim().starts_with("[workspace"))
                .then_some(text)
        });
        if let Some(edition) = workspace.as_deref().and_then(edition_line) {
            return edition;
        }
    }
    edition_line(&text).unwrap_or_else(|| "2015".to_string())
}

/// The value of the first `edition = "…"` line of a manifest.
fn edition_line(manifest: &str) -> Option<String> {
    manifest.lines().find_map(|l| {
        let rest = l
            .trim()
            .strip_prefix("edition")?
            .trim_start()
            .strip_prefix('=')?;
        Some(rest.trim().trim_matches('"').to_string())
    })
}

/// What `rustc -vV` and `rustc --print sysroot` print. Starting rustc costs tens of
/// milliseconds (it loads the compiler's shared libraries), a large part of compiling a small
/// crate, so the answers are cached (`CACHE/rustc-info/HASH`, as cargo caches them) under the
/// compiler binary's canonical path, size and modification time: replacing the compiler
/// (a package upgrade) asks again. A rustup proxy (a link to `rustup`, whose answer depends on
/// the toolchain it selects, not on its own file) is asked every time.
#[derive(Clone, Debug, PartialEq, Eq)]
struct RustcInfo {
    version: String,
    sysroot: String,
}

impl RustcInfo {
    fn of(rustc: &Path) -> Result<RustcInfo, DriverError> {
        let cache = Self::cache_file(rustc);
        if let Some((file, stamp)) = &cache
            && let Ok(text) = fs::read_to_string(file)
            && let Some(info) = Self::parse(&text, stamp)
        {
            return Ok(info);
        }
        let info = RustcInfo {
            version: run_capture(Command::new(rustc).arg("-vV"))?,
            sysroot: run_capture(Command::new(rustc).args(["--print", "sysroot"]))?,
        };
        if let Some((file, stamp)) = &cache
            && let Some(dir) = file.parent()
            && fs::create_dir_all(dir).is_ok()
        {
            // Only saves time: a cache that cannot be written asks rustc each time.
            let _ = crate::index::write_atomically(file, info.render(stamp).as_bytes());
        }
        Ok(info)
    }

    /// Where the answers for `rustc` are cached, and the stamp they must carry; `None` for a
    /// rustup proxy or where there is no cache.
    fn cache_file(rustc: &Path) -> Option<(PathBuf, String)> {
        let real = fs::canonicalize(rustc).ok()?;
        if real
            .file_name()
            .and_then(|n| n.to_str())
            .is_none_or(|n| n.starts_with("rustup"))
        {
            return None;
        }
        let meta = fs::metadata(&real).ok()?;
        let mtime = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        let stamp = format!(
            "{}\n{} {}.{:09}",
            real.display(),
            meta.len(),
            mtime.as_secs(),
            mtime.subsec_nanos()
        );
        let key = std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, &stamp);
        let file = cache_root()
            .ok()?
            .join("rustc-info")
            .join(format!("{key:016x}"));
        Some((file, stamp))
    }

    const HEADER: &str = "wasmir rustc-info v1";

    /// The header names the length of what follows, so that a file cut short is not read.
    fn render(&self, stamp: &str) -> String {
        let rest = format!("{stamp}\n{}\n{}", self.sysroot.trim(), self.version);
        format!("{} {}\n{rest}", Self::HEADER, rest.len())
    }

    /// The cached answers, if `text` is a whole cache file for the compiler `stamp` describes.
    fn parse(text: &str, stamp: &str) -> Option<RustcInfo> {
        let (header, rest) = text.split_once('\n')?;
        let len: usize = header.strip_prefix(Self::HEADER)?.trim().parse().ok()?;
        if rest.len() != len {
            return None;
        }
        let rest = rest.strip_prefix(stamp)?.strip_prefix('\n')?;
        let (sysroot, version) = rest.split_once('\n')?;
        (!sysroot.is_empty() && version.contains("release:")).then(|| RustcInfo {
            version: version.to_string(),
            sysroot: sysroot.to_string(),
        })
    }
}

/// The cached MIR of the library crates.
#[derive(Clone, Debug)]
pub struct LibraryMir {
    pub dir: PathBuf,
}

impl LibraryMir {
    pub const CRATES: [&'static str; 3] = ["core", "compiler_builtins", "alloc"];

    fn is_complete(&self) -> bool {
        self.dir.join("complete").exists()
    }

    pub fn mir_path(&self, krate: &str) -> PathBuf {
        self.dir.join(format!("{krate}.mir"))
    }

    /// The struct, enum and union definitions of a library crate, as Rust source
    /// (`crate::rustdoc`): for core and alloc.
    pub fn defs_path(&self, krate: &str) -> PathBuf {
        self.dir.join(format!("{krate}.defs.rs"))
    }
}

/// Refuses compilers whose MIR text has not been checked.
pub fn check_supported(release: &str) -> Result<(), DriverError> {
    let mm: String = release.split('.').take(2).collect::<Vec<_>>().join(".");
    if SUPPORTED_RUSTC.contains(&mm.as_str()) {
        return Ok(());
    }
    err(format!(
        "rustc {release} is not supported: the frontend reads rustc's textual MIR, which changes between releases, and has been checked only against rustc {} (Debian: `{APT_HINT}`; pass --rustc PATH --rust-src PATH to choose another installation)",
        SUPPORTED_RUSTC.join(", ")
    ))
}

/// Checks that the library source is that of `release`, when its path or a `version` file says
/// which release it is (Debian: `/usr/src/rustc-1.96.0/library`).
fn check_source_version(library: &Path, release: &str) -> Result<(), DriverError> {
    let real = fs::canonicalize(library).unwrap_or_else(|_| library.to_path_buf());
    let root = real.parent().unwrap_or(&real);
    let from_file = fs::read_to_string(root.join("version"))
        .ok()
        .and_then(|v| v.split_whitespace().next().map(str::to_string));
    let from_path = root
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix("rustc-"))
        .map(str::to_string);
    match from_file.or(from_path) {
        Some(v) if v == release || v.starts_with(&format!("{release}-")) => Ok(()),
        Some(v) => err(format!(
            "the library source at `{}` is for rustc {v} but the compiler is rustc {release}: install the matching pair (Debian: `{APT_HINT}`) or pass --rust-src PATH",
            library.display()
        )),
        // A source without a version marker (rustup's rust-src component lives in the compiler's
        // own sysroot) is taken as the compiler's.
        None => Ok(()),
    }
}

/// The cache root: `$WASMIR_CACHE_DIR`, `$XDG_CACHE_HOME/wasmir` or `~/.cache/wasmir`.
pub fn cache_root() -> Result<PathBuf, DriverError> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(d) = var("WASMIR_CACHE_DIR") {
        return Ok(d);
    }
    if let Some(d) = var("XDG_CACHE_HOME") {
        return Ok(d.join("wasmir"));
    }
    match var("HOME") {
        Some(h) => Ok(h.join(".cache/wasmir")),
        None => err("no cache directory: set WASMIR_CACHE_DIR (or XDG_CACHE_HOME or HOME)"),
    }
}

fn run_capture(cmd: &mut Command) -> Result<String, DriverError> {
    let what = format!("{cmd:?}");
    match cmd.output() {
        Ok(o) if o.status.success() => Ok(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) => err(format!(
            "`{what}` failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => err(format!("cannot run `{what}`: {e}")),
    }
}

fn run_checked(cmd: &mut Command, what: &str) -> Result<(), DriverError> {
    match cmd.output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => err(format!(
            "rustc failed {what}:\n{}",
            String::from_utf8_lossy(&o.stderr).trim_end()
        )),
        Err(e) => err(format!("cannot run rustc for {what}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_versions_are_refused() {
        assert!(check_supported("1.96.0").is_ok());
        assert!(check_supported("1.96.1").is_ok());
        let e = check_supported("1.95.0").unwrap_err().0;
        assert!(
            e.contains("rustc 1.95.0 is not supported") && e.contains("1.96"),
            "{e}"
        );
    }

    /// The cached answers of a compiler are used only whole and only for that very binary.
    #[test]
    fn rustc_info_cache_is_keyed_and_checked() {
        let info = RustcInfo {
            version: "rustc 1.96.0\nrelease: 1.96.0\ncommit-hash: abc\nLLVM version: 22.1\n".into(),
            sysroot: "/usr\n".into(),
        };
        let stamp = "/usr/bin/rustc\n14424 1786957845.000000000";
        let text = info.render(stamp);
        let read = RustcInfo::parse(&text, stamp).unwrap();
        assert_eq!(
            (read.version.as_str(), read.sysroot.trim()),
            (info.version.as_str(), "/usr")
        );
        assert!(RustcInfo::parse(&text, "/usr/bin/rustc\n14424 1786957846.000000000").is_none());
        for len in 0..text.len() {
            assert!(
                RustcInfo::parse(&text[..len], stamp).is_none(),
                "cut at {len}"
            );
        }
    }

    #[test]
    fn missing_compiler_names_the_apt_packages() {
        let e = Toolchain::find(Some(Path::new("/nonexistent/rustc")), None)
            .unwrap_err()
            .0;
        assert!(e.contains(APT_HINT), "{e}");
    }

    /// A member package's `edition.workspace = true` is the workspace's edition; a package
    /// saying nothing is 2015, a file without a package 2021.
    #[test]
    fn editions_follow_workspace_inheritance() {
        let dir = std::env::temp_dir().join(format!("wasmir-edition-{}", std::process::id()));
        let member = dir.join("crates/member/src");
        let plain = dir.join("plain/src");
        fs::create_dir_all(&member).unwrap();
        fs::create_dir_all(&plain).unwrap();
        fs::write(
            dir.join("Cargo.toml"),
            "[workspace]\nmembers = [\"crates/member\"]\n\n[workspace.package]\nedition = \"2024\"\n",
        )
        .unwrap();
        fs::write(
            dir.join("crates/member/Cargo.toml"),
            "[package]\nname = \"member\"\nedition.workspace = true\n",
        )
        .unwrap();
        fs::write(
            dir.join("plain/Cargo.toml"),
            "[package]\nname = \"plain\"\n",
        )
        .unwrap();
        assert_eq!(package_edition(&member.join("lib.rs")), "2024");
        assert_eq!(package_edition(&plain.join("lib.rs")), "2015");
        assert_eq!(package_edition(&dir.join("loose/deeper/lib.rs")), "2021");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn mismatched_source_is_refused() {
        let dir = std::env::temp_dir().join(format!("wasmir-src-{}", std::process::id()));
        let lib = dir.join("rustc-1.95.0/library");
        fs::create_dir_all(&lib).unwrap();
        let e = check_source_version(&lib, "1.96.0").unwrap_err().0;
        assert!(
            e.contains("rustc 1.95.0") && e.contains("rustc 1.96.0"),
            "{e}"
        );
        assert!(check_source_version(&lib, "1.95.0").is_ok());
        let _ = fs::remove_dir_all(&dir);
    }
}
