//! The values a key can hold, and the per-type encodings Redis reports.

/// The Redis type of a key, as TYPE names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    String = 0,
    List = 1,
    Set = 2,
    ZSet = 3,
    Hash = 4,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::List => "list",
            Kind::Set => "set",
            Kind::ZSet => "zset",
            Kind::Hash => "hash",
        }
    }

    /// Parses a SCAN TYPE argument; `None` for names Redis does not know.
    pub fn parse(name: &[u8]) -> Option<Kind> {
        Some(match name.to_ascii_lowercase().as_slice() {
            b"string" => Kind::String,
            b"list" => Kind::List,
            b"set" => Kind::Set,
            b"zset" => Kind::ZSet,
            b"hash" => Kind::Hash,
            _ => return None,
        })
    }

    pub(crate) fn from_bits(b: u8) -> Kind {
        match b & 0x0f {
            0 => Kind::String,
            1 => Kind::List,
            2 => Kind::Set,
            3 => Kind::ZSet,
            _ => Kind::Hash,
        }
    }
}

/// How a string is stored, as OBJECT ENCODING reports it. Redis picks
/// `int` for canonical 64-bit integers, `embstr` up to 44 bytes and `raw`
/// beyond, and turns a string `raw` once it is modified in place
/// (APPEND, SETRANGE, SETBIT, BITFIELD).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum StrEnc {
    /// An integer; small ones (0..10000) are Redis's shared integer
    /// objects (OBJECT REFCOUNT 2147483647).
    Int = 0,
    Embstr = 1,
    Raw = 2,
    /// An integer in its own object, never shared (what COPY makes of one).
    IntUnshared = 3,
}

/// Longest string Redis stores as `embstr`.
pub const EMBSTR_LIMIT: usize = 44;

impl StrEnc {
    /// The encoding Redis's `tryObjectEncoding` gives a freshly stored value.
    pub fn for_value(v: &[u8]) -> StrEnc {
        if v.len() <= 20 && crate::num::parse_i64(v).is_some() {
            StrEnc::Int
        } else if v.len() <= EMBSTR_LIMIT {
            StrEnc::Embstr
        } else {
            StrEnc::Raw
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            StrEnc::Int | StrEnc::IntUnshared => "int",
            StrEnc::Embstr => "embstr",
            StrEnc::Raw => "raw",
        }
    }

    pub(crate) fn from_bits(b: u8) -> StrEnc {
        match b {
            0 => StrEnc::Int,
            1 => StrEnc::Embstr,
            3 => StrEnc::IntUnshared,
            _ => StrEnc::Raw,
        }
    }
}

/// An owned value, as stored, copied or moved between keys.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(Vec<u8>, StrEnc),
    /// Unboxed: a hash is three words, no more than a string's `Vec`.
    Hash(crate::types::hash::Hash),
    Set(crate::types::set::Set),
    /// Boxed: a list is bigger than a string's `Vec`, and every stored
    /// value pays for the largest variant.
    List(Box<crate::types::list::List>),
    /// Boxed, as lists are.
    ZSet(Box<crate::types::zset::ZSet>),
}

impl Value {
    /// A string value with the encoding Redis would give it on SET.
    pub fn string(v: impl Into<Vec<u8>>) -> Value {
        let v = v.into();
        let enc = StrEnc::for_value(&v);
        Value::Str(v, enc)
    }

    pub fn kind(&self) -> Kind {
        match self {
            Value::Str(..) => Kind::String,
            Value::Hash(_) => Kind::Hash,
            Value::Set(_) => Kind::Set,
            Value::List(_) => Kind::List,
            Value::ZSet(_) => Kind::ZSet,
        }
    }

    /// Approximate bytes the value uses beyond its `Value` (INFO memory).
    pub fn mem_usage(&self) -> usize {
        match self {
            Value::Str(s, _) => s.capacity(),
            Value::Hash(h) => h.mem_usage(),
            Value::Set(s) => s.mem_usage(),
            Value::List(l) => l.mem_usage(),
            Value::ZSet(z) => z.heap_bytes(),
        }
    }

    /// The encoding OBJECT ENCODING reports for this value.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Str(_, enc) => enc.name(),
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
            Value::List(l) => l.encoding(),
            Value::ZSet(z) => z.encoding(),
        }
    }

    /// Earliest expiry of an element inside the value (hash fields), so
    /// the store's active sweep can find values with expiring elements.
    pub fn next_sub_expiry(&self) -> Option<u64> {
        match self {
            Value::Hash(h) => h.next_expiry(),
            _ => None,
        }
    }

    /// Deletes up to `limit` elements that expired before `now`; returns
    /// how many went. The caller deletes the key if the value is left empty
    /// ([`Value::is_empty_at`]).
    pub fn expire_subs(&mut self, now: u64, limit: usize) -> usize {
        match self {
            Value::Hash(h) => h.expire_due(now, limit),
            _ => 0,
        }
    }

    /// Whether a collection has no live element at `now` (strings never).
    pub fn is_empty_at(&self, now: u64) -> bool {
        match self {
            Value::Hash(h) => h.is_empty(now),
            _ => false,
        }
    }

    /// A string's encoding (other kinds have none; `Raw` stands in).
    #[allow(unreachable_patterns)]
    pub fn str_enc(&self) -> StrEnc {
        match self {
            Value::Str(_, enc) => *enc,
            _ => StrEnc::Raw,
        }
    }
}

/// A borrowed view of a stored value.
#[derive(Clone, Copy, Debug)]
pub enum ValueRef<'a> {
    Str(&'a [u8]),
    Other(&'a Value),
}
