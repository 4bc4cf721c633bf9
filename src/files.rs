//! What the command line reads and writes: scripts and traces (untrusted,
//! size-bounded), output files (checked before a run), standard output
//! (a closed pipe is the reader's choice; a full disk is an error).

use crate::engine::trace::{self, Trace};
use std::io::{ErrorKind, Read, Write};

/// The largest script read (a lecture script is a few KB).
pub const MAX_SCRIPT: u64 = 16 << 20;

/// Read at most `limit` bytes of `path` (`-`: standard input); a larger
/// source is refused rather than read into memory.
fn read_bounded(path: &str, limit: u64, what: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    let read = if path == "-" {
        std::io::stdin().lock().take(limit + 1).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
    };
    let name = if path == "-" { "standard input" } else { path };
    read.map_err(|e| format!("cannot read {name}: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("{name}: a {what} is at most {} MiB", limit >> 20));
    }
    Ok(bytes)
}

/// The text of a script file (`-`: standard input).
pub fn read_script(path: &str) -> Result<String, String> {
    let bytes = read_bounded(path, MAX_SCRIPT, "script")?;
    String::from_utf8(bytes).map_err(|_| format!("{path}: a script is text (UTF-8)"))
}

/// A trace file, decoded (its configuration is checked when it is opened,
/// as the command line's is).
pub fn read_trace(path: &str) -> Result<Trace, String> {
    let bytes = read_bounded(path, trace::MAX_BYTES, "trace")?;
    Trace::decode(&bytes).map_err(|e| format!("{path}: {e}"))
}

/// Fail now, before a run, if `path` cannot be written: a missing folder
/// or no permission is reported before any work is done. Nothing existing
/// is changed; a file created to find out is removed again.
pub fn check_writable(path: &str) -> Result<(), String> {
    let existed = std::path::Path::new(path).exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| format!("cannot write {path}: {e}"))?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// Write a file; the error names it.
pub fn write_file(path: &str, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {path}: {e}"))
}

/// A message as one line of plain text: control characters (a newline or
/// an escape sequence in a hostile parameter, script or trace) are shown
/// escaped (`\n`, `\u{1b}`) instead of reaching the terminal.
pub fn one_line(message: &str) -> String {
    if !message.contains(char::is_control) {
        return message.to_string();
    }
    message.chars().map(|c| if c.is_control() { c.escape_debug().to_string() } else { c.to_string() }).collect()
}

/// Write all of `text` to standard output and flush it. A closed pipe
/// (`| head`) is the reader's choice and not an error; anything else
/// (a full disk) is.
pub fn print(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => Err(format!("cannot write to standard output: {e}")),
        _ => Ok(()),
    }
}
