//! DUMP and RESTORE payloads: one value in the snapshot's record encoding
//! (the bincode of [`Data`]), then a 2-byte format version, the bytes
//! `kv`, and a CRC32 of everything before it (docs/FORMAT.md).

use super::frame::u32_at;
use super::record::{self, Data, VecWriter};
use crate::value::{Value, ValueRef};

pub const VERSION: u16 = 1;
const TAG: [u8; 2] = *b"kv";
const FOOTER: usize = 2 + 2 + 4;

/// The payload of a value as of `now`; `None` if nothing is live in it.
pub fn dump(value: ValueRef<'_>, now: u64) -> Option<Vec<u8>> {
    let data = record::data_of(value, now)?;
    let mut out = Vec::new();
    bincode::serde::encode_into_writer(&data, VecWriter(&mut out), record::config()).ok()?;
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&TAG);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Some(out)
}

/// Why a payload was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Bad version, tag or checksum (Redis: "DUMP payload version or
    /// checksum are wrong").
    Checksum,
    /// Checksum fine but the contents do not decode ("Bad data format").
    Format,
}

/// Checks a payload's footer (Redis's verifyDumpPayload).
pub fn verify(payload: &[u8]) -> Result<&[u8], Refused> {
    if payload.len() < FOOTER {
        return Err(Refused::Checksum);
    }
    let body = payload.len() - 4;
    if crc32fast::hash(&payload[..body]) != u32_at(payload, body) {
        return Err(Refused::Checksum);
    }
    let at = payload.len() - FOOTER;
    if payload[at..at + 2] != VERSION.to_le_bytes() || payload[at + 2..at + 4] != TAG {
        return Err(Refused::Checksum);
    }
    Ok(&payload[..at])
}

/// The value a verified payload holds (hash fields expired at `now` left
/// out; `None` if none is left).
pub fn restore(payload: &[u8], now: u64) -> Result<Option<Value>, Refused> {
    let data = verify(payload)?;
    let (d, used): (Data<'_>, usize) =
        bincode::serde::borrow_decode_from_slice(data, record::config()).map_err(|_| Refused::Format)?;
    if used != data.len() {
        return Err(Refused::Format);
    }
    record::to_value(d, now).map_err(|_| Refused::Format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_every_flip_is_caught() {
        let p = dump(ValueRef::Str(b"hello"), 0).unwrap();
        assert_eq!(restore(&p, 0), Ok(Some(Value::string("hello"))));
        for i in 0..p.len() {
            for bit in 0..8 {
                let mut bad = p.clone();
                bad[i] ^= 1 << bit;
                assert_eq!(restore(&bad, 0), Err(Refused::Checksum), "byte {i} bit {bit}");
            }
        }
        assert_eq!(restore(b"", 0), Err(Refused::Checksum));
        // A valid footer around bytes that are no value.
        let mut junk = vec![9, 9, 9];
        junk.extend_from_slice(&VERSION.to_le_bytes());
        junk.extend_from_slice(&TAG);
        let crc = crc32fast::hash(&junk);
        junk.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(restore(&junk, 0), Err(Refused::Format));
    }
}
