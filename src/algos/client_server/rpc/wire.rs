//! What travels on the wire between the client stub and the server
//! skeleton: a typed [`Call`] and [`Reply`], marshalled to bytes with
//! bincode 2 (serde) and back. The codec stays behind this module.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The result of a call: a number, or the server's error text.
pub type Outcome = Result<i64, String>;

/// A call as the stub marshals it: request id, function name, arguments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Hash)]
pub struct Call {
    /// Per client, 1, 2, 3…; a retry re-sends the same id.
    pub id: u64,
    pub function: String,
    pub args: Vec<i64>,
}

/// The skeleton's answer. `id` is `None` when the request could not be
/// unmarshalled (the server cannot know which call it was).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Hash)]
pub struct Reply {
    pub id: Option<u64>,
    pub outcome: Outcome,
}

/// The largest message we are willing to decode: a corrupted length prefix
/// must not make the decoder allocate gigabytes.
const LIMIT: usize = 4096;

fn codec() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<LIMIT>()
}

/// Marshal a call or a reply (bincode 2, standard configuration).
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Plain data into a Vec: cannot fail.
    bincode::serde::encode_to_vec(value, codec()).expect("a call or reply encodes")
}

/// Unmarshal a call or a reply; malformed bytes (truncated, garbage,
/// trailing bytes) give an error, never a panic.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let (value, used): (T, usize) = bincode::serde::decode_from_slice(bytes, codec()).map_err(|e| e.to_string())?;
    if used != bytes.len() {
        return Err(format!("{} unexpected bytes after the end", bytes.len() - used));
    }
    Ok(value)
}

/// The first `max` bytes in hex, then "… (N B)" when there are more.
pub fn hex(bytes: &[u8], max: usize) -> String {
    let mut s: Vec<String> = bytes.iter().take(max).map(|b| format!("{b:02x}")).collect();
    if bytes.len() > max {
        s.push(format!("… ({} B)", bytes.len()));
    }
    if s.is_empty() { "-".into() } else { s.join(" ") }
}

/// `call 2 add(3, 4)`: the stub's own request id, never an engine `#id`.
pub fn show_call(c: &Call) -> String {
    let args: Vec<String> = c.args.iter().map(|a| a.to_string()).collect();
    format!("call {} {}({})", c.id, c.function, args.join(", "))
}

/// `7` or `error: division by zero`.
pub fn show_outcome(o: &Outcome) -> String {
    match o {
        Ok(v) => v.to_string(),
        Err(e) => format!("error: {e}"),
    }
}
