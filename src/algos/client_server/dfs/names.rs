//! dfs: file names (the check every name passes before anything moves)
//! and placement (which servers hold a name).

use crate::engine::protocol::NodeId;

/// Longest file name.
pub const NAME_MAX: usize = 64;

/// FNV-1a, 64 bits: the stable hash that places a name.
pub fn fnv1a(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The servers holding `name`, primary first.
pub fn replicas_of(name: &str, servers: usize, replicas: usize) -> Vec<NodeId> {
    let p = (fnv1a(name) % servers as u64) as usize;
    (0..replicas).map(|i| (p + i) % servers).collect()
}

/// Why `name` is not a valid file name, if it is not.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a file name cannot be empty".into());
    }
    if name.chars().count() > NAME_MAX {
        return Err(format!("file name {name:?} is longer than {NAME_MAX} characters"));
    }
    if name == "." || name.contains("..") {
        return Err(format!("file name {name:?} may not contain `..` (no way out of the storage directory)"));
    }
    if name.contains('/') || name.contains('\\') {
        return Err(format!("file name {name:?} may not contain `/` or `\\` (no directories)"));
    }
    if name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!("file name {name:?} may contain only printable characters without spaces"));
    }
    Ok(())
}

/// Server letter: A, B, C…
pub fn letter(s: NodeId) -> String {
    if s < 26 { ((b'A' + s as u8) as char).to_string() } else { format!("S{s}") }
}
