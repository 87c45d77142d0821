//! `wasmir-run`: executes a WasmIR, wasm or wat module with wasmtime. All the work is in the
//! library ([`wasmir_run::run`]), so that the lit tests can run it in-process.
use std::io::Write;

fn main() {
    // Lossy, so that a non-UTF-8 argument becomes an error message rather than a panic.
    let args: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = stdout.lock();
    let code = wasmir_run::run(&args, &mut stdin.lock(), &mut out, &mut stderr.lock());
    let _ = out.flush();
    std::process::exit(code);
}
