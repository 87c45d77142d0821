//! Library behind the `wasmir-translate` binary (placeholder signature, filled in by the driver).
use std::io::{Read, Write};

/// Runs `wasmir-translate` with `args` (args[0] is the program name). Returns the exit code.
pub fn run(args: &[String], stdin: &mut dyn Read, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let _ = (args, stderr);
    let mut buf = Vec::new();
    if stdin.read_to_end(&mut buf).is_err() { return 1; }
    let _ = stdout.write_all(&buf);
    0
}
