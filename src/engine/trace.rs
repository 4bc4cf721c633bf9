//! Trace files: a run's configuration, its input log and the events it
//! produced. Replaying the inputs must reproduce the events exactly.
//!
//! Layout: 8 bytes of magic, a little-endian u32 format version, then the
//! body encoded with bincode 2 (serde). The codec stays behind this module.

use super::input::Input;
use super::record::EventRec;
use super::sim::SimConfig;

pub const MAGIC: &[u8; 8] = b"DISTLAB\x00";
/// 2: the driver and logging are no longer recorded (the trace of a run is
/// the same bytes whichever driver ran it).
pub const VERSION: u32 = 2;
/// The largest body we are willing to decode (guards allocations on
/// corrupted length prefixes).
const LIMIT: usize = 1 << 30;
/// The largest trace file read.
pub const MAX_BYTES: u64 = LIMIT as u64 + 12;

/// Everything needed to rebuild a run.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunConfig {
    pub scenario: String,
    /// Algorithm parameters as `key=value` pairs, in the order given.
    pub params: Vec<(String, String)>,
    pub sim: SimConfig,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Trace {
    pub config: RunConfig,
    pub inputs: Vec<Input>,
    /// Message and timer kinds, indexed by the `kind` fields of events.
    pub kinds: Vec<String>,
    pub events: Vec<EventRec>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum TraceError {
    NotATrace,
    Version(u32),
    Corrupt(String),
}

impl std::fmt::Display for TraceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TraceError::NotATrace => write!(f, "not a distlab trace file (bad magic bytes)"),
            TraceError::Version(v) => {
                write!(f, "trace format version {v} is not supported (this distlab reads version {VERSION})")
            }
            TraceError::Corrupt(why) => write!(f, "trace file is truncated or corrupt: {why}"),
        }
    }
}

impl std::error::Error for TraceError {}

fn codec() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<LIMIT>()
}

impl Trace {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.events.len() * 12);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        // Encoding plain data into a Vec cannot fail.
        let body = bincode::serde::encode_to_vec(self, codec()).expect("trace encodes");
        out.extend_from_slice(&body);
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Trace, TraceError> {
        if bytes.len() < 12 || &bytes[..8] != MAGIC {
            return Err(TraceError::NotATrace);
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version != VERSION {
            return Err(TraceError::Version(version));
        }
        let (trace, used): (Trace, usize) =
            bincode::serde::decode_from_slice(&bytes[12..], codec()).map_err(|e| TraceError::Corrupt(e.to_string()))?;
        if used != bytes.len() - 12 {
            return Err(TraceError::Corrupt(format!("{} unexpected bytes after the end", bytes.len() - 12 - used)));
        }
        Ok(trace)
    }
}
