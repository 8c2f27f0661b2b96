//! The set type, with Redis 7.2's three encodings and its conversion rules
//! (`t_set.c`):
//!
//! - `intset`: every member a canonical 64-bit integer (string2ll), at most
//!   512 of them, sorted (so iteration is ascending) and packed at 2, 4 or
//!   8 bytes each ([`Intset`]);
//! - `listpack`: at most 128 members of at most 64 bytes each, packed in
//!   one buffer ([`Listpack`]), in insertion order (removal keeps the
//!   order of the others);
//! - `hashtable`: anything beyond ([`Table`], iterated in its slot order,
//!   the stand-in for Redis's dict order).
//!
//! Sets only grow out of an encoding (intset → listpack → hashtable, or
//! intset → hashtable); the exceptions are results that commands build
//! afresh (SINTERSTORE: [`Set::convert_to_intset_if_fits`]; SPOP with a
//! large count rebuilds the survivors), as Redis does.

use crate::num::{fmt_i64, parse_i64};

/// set-max-intset-entries
pub const MAX_INTSET_ENTRIES: usize = 512;
/// set-max-listpack-entries
pub const MAX_LISTPACK_ENTRIES: usize = 128;
/// set-max-listpack-value
pub const MAX_LISTPACK_VALUE: usize = 64;

mod intset;
mod listpack;
mod table;
pub use intset::Intset;
pub use listpack::Listpack;
pub use table::Table;

#[derive(Clone, Debug, PartialEq)]
pub enum Set {
    /// Sorted, distinct.
    Intset(Intset),
    /// Insertion order, distinct.
    Listpack(Listpack),
    Hashtable(Table),
}

/// One member as an encoding holds it.
#[derive(Clone, Copy, Debug)]
pub enum Member<'a> {
    Int(i64),
    Bytes(&'a [u8]),
}

impl Member<'_> {
    /// Runs `f` on the member's bytes (integers formatted on the stack).
    pub fn with_bytes<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Member::Int(v) => f(fmt_i64(v, &mut [0u8; 20])),
            Member::Bytes(b) => f(b),
        }
    }

    pub fn to_vec(self) -> Vec<u8> {
        self.with_bytes(<[u8]>::to_vec)
    }
}

impl Default for Set {
    fn default() -> Set {
        Set::Intset(Intset::default())
    }
}

impl Set {
    /// An empty set for a key about to receive `hint` members, the first
    /// being `first` (Redis's setTypeCreate).
    pub fn create(first: &[u8], hint: usize) -> Set {
        if parse_i64(first).is_some() && hint <= MAX_INTSET_ENTRIES {
            Set::Intset(Intset::default())
        } else if hint <= MAX_LISTPACK_ENTRIES {
            Set::Listpack(Listpack::default())
        } else {
            Set::Hashtable(Table::with_capacity(hint))
        }
    }

    /// Before adding `hint` members to an existing set: a compact set that
    /// the hint alone overflows becomes a hashtable (setTypeMaybeConvert).
    pub fn reserve_for(&mut self, hint: usize) {
        let over = match self {
            Set::Intset(_) => hint > MAX_INTSET_ENTRIES,
            Set::Listpack(_) => hint > MAX_LISTPACK_ENTRIES,
            Set::Hashtable(_) => false,
        };
        if over {
            self.convert_to_hashtable(hint);
        }
    }

    /// Approximate heap bytes used.
    pub fn mem_usage(&self) -> usize {
        match self {
            Set::Intset(s) => s.mem_usage(),
            Set::Listpack(s) => s.mem_usage(),
            Set::Hashtable(s) => s.mem_usage(),
        }
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            Set::Intset(_) => "intset",
            Set::Listpack(_) => "listpack",
            Set::Hashtable(_) => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Set::Intset(v) => v.len(),
            Set::Listpack(v) => v.len(),
            Set::Hashtable(h) => h.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        match self {
            Set::Intset(v) => parse_i64(m).is_some_and(|i| v.contains(i)),
            Set::Listpack(v) => v.contains(m),
            Set::Hashtable(h) => h.contains(m),
        }
    }

    /// Adds a member; false if it was there. Converts as Redis's
    /// setTypeAddAux does: an intset takes a non-integer by becoming a
    /// listpack if it has fewer than 128 members and the new one fits,
    /// else a hashtable; it becomes a hashtable past 512 integers; a
    /// listpack becomes a hashtable on its 129th member or a member longer
    /// than 64 bytes.
    pub fn add(&mut self, m: &[u8]) -> bool {
        match self {
            Set::Hashtable(h) => return h.insert(m),
            Set::Listpack(v) => {
                if v.contains(m) {
                    return false;
                }
                if v.len() < MAX_LISTPACK_ENTRIES && m.len() <= MAX_LISTPACK_VALUE {
                    v.push(m);
                } else {
                    self.convert_to_hashtable(self.len() + 1);
                    self.add(m);
                }
            }
            Set::Intset(v) => match parse_i64(m) {
                Some(i) => {
                    if !v.insert(i) {
                        return false;
                    }
                    if v.len() > MAX_INTSET_ENTRIES {
                        self.convert_to_hashtable(self.len());
                    }
                }
                None => {
                    if v.len() < MAX_LISTPACK_ENTRIES && m.len() <= MAX_LISTPACK_VALUE {
                        let mut lp = Listpack::with_capacity(v.len() + 1);
                        v.iter().for_each(|i| Member::Int(i).with_bytes(|b| lp.push(b)));
                        lp.push(m);
                        *self = Set::Listpack(lp);
                    } else {
                        let n = v.len() + 1;
                        self.convert_to_hashtable(n);
                        self.add(m);
                    }
                }
            },
        }
        true
    }

    /// Removes a member; false if it was not there. Never converts.
    pub fn remove(&mut self, m: &[u8]) -> bool {
        match self {
            Set::Intset(v) => parse_i64(m).is_some_and(|i| v.remove(i)),
            Set::Listpack(v) => v.remove(m),
            Set::Hashtable(h) => h.remove(m),
        }
    }

    /// The members in the encoding's order.
    pub fn iter(&self) -> Iter<'_> {
        match self {
            Set::Intset(v) => Iter::Int(v.iter()),
            Set::Listpack(v) => Iter::List(v.iter()),
            Set::Hashtable(h) => Iter::Hash(h.slots()),
        }
    }

    /// The members as owned byte strings, in the encoding's order.
    pub fn members(&self) -> Vec<Vec<u8>> {
        self.iter().map(Member::to_vec).collect()
    }

    /// A uniformly random member (None if empty); `rand` gives random bits.
    pub fn random_member(&self, mut rand: impl FnMut() -> u64) -> Option<Vec<u8>> {
        let pick = |n: usize, rand: &mut dyn FnMut() -> u64| (rand() % n as u64) as usize;
        match self {
            Set::Intset(v) if !v.is_empty() => Some(Member::Int(v.get(pick(v.len(), &mut rand))).to_vec()),
            Set::Listpack(v) if !v.is_empty() => v.get(pick(v.len(), &mut rand)).map(<[u8]>::to_vec),
            Set::Hashtable(h) => h.random(rand).map(<[u8]>::to_vec),
            _ => None,
        }
    }

    /// The members at the given positions of the iteration order (positions
    /// may repeat and come in any order), in one pass over the set.
    pub fn at_positions(&self, positions: &[usize]) -> Vec<Vec<u8>> {
        match self {
            Set::Intset(v) => positions.iter().map(|&p| Member::Int(v.get(p)).to_vec()).collect(),
            Set::Listpack(v) => {
                let all: Vec<&[u8]> = v.iter().collect();
                positions.iter().map(|&p| all[p].to_vec()).collect()
            }
            Set::Hashtable(h) => {
                let mut order: Vec<(usize, usize)> = positions.iter().copied().zip(0..).collect();
                order.sort_unstable();
                let mut out = vec![Vec::new(); positions.len()];
                let mut it = h.iter().enumerate();
                let mut cur = it.next();
                for (p, slot) in order {
                    while let Some((i, _)) = cur {
                        if i >= p {
                            break;
                        }
                        cur = it.next();
                    }
                    if let Some((_, m)) = cur {
                        out[slot] = m.to_vec();
                    }
                }
                out
            }
        }
    }

    /// Converts a set whose members are all integers to an intset if it
    /// can hold them (Redis's maybeConvertToIntset).
    pub fn convert_to_intset_if_fits(&mut self) {
        if matches!(self, Set::Intset(_)) || self.len() > MAX_INTSET_ENTRIES {
            return;
        }
        let mut ints: Vec<i64> = Vec::with_capacity(self.len());
        for m in self.iter() {
            match m {
                Member::Int(i) => ints.push(i),
                Member::Bytes(b) => match parse_i64(b) {
                    Some(i) => ints.push(i),
                    None => return,
                },
            }
        }
        ints.sort_unstable();
        *self = Set::Intset(Intset::from_sorted(&ints));
    }

    fn convert_to_hashtable(&mut self, capacity: usize) {
        if matches!(self, Set::Hashtable(_)) {
            return;
        }
        let mut h = Table::with_capacity(capacity.max(self.len()));
        for m in self.iter() {
            m.with_bytes(|b| h.insert(b));
        }
        *self = Set::Hashtable(h);
    }
}

/// Iterator over a set's members, in the encoding's order.
pub enum Iter<'a> {
    Int(intset::Iter<'a>),
    List(listpack::Iter<'a>),
    Hash(std::iter::Flatten<std::slice::Iter<'a, Option<crate::types::bytes::Bytes>>>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = Member<'a>;
    fn next(&mut self) -> Option<Member<'a>> {
        match self {
            Iter::Int(it) => it.next().map(Member::Int),
            Iter::List(it) => it.next().map(Member::Bytes),
            Iter::Hash(it) => it.next().map(|b| Member::Bytes(b)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_of(members: &[&str]) -> Set {
        let mut s = Set::create(members[0].as_bytes(), members.len());
        for m in members {
            s.add(m.as_bytes());
        }
        s
    }

    fn strs(s: &Set) -> Vec<String> {
        s.members().into_iter().map(|m| String::from_utf8(m).unwrap()).collect()
    }

    #[test]
    fn intset_is_sorted_and_turns_listpack_on_a_string() {
        let mut s = set_of(&["3", "1", "-5", "2"]);
        assert_eq!(s.encoding(), "intset");
        assert_eq!(strs(&s), ["-5", "1", "2", "3"]);
        assert!(!s.add(b"1"));
        assert!(s.add(b"a"));
        assert_eq!(s.encoding(), "listpack");
        assert_eq!(strs(&s), ["-5", "1", "2", "3", "a"]);
        assert!(s.remove(b"2"));
        assert_eq!(strs(&s), ["-5", "1", "3", "a"]);
        // Non-canonical integers are strings.
        let s = set_of(&["007", "1"]);
        assert_eq!(s.encoding(), "listpack");
        assert_eq!(strs(&s), ["007", "1"]);
        assert!(!s.contains(b"7"));
    }

    #[test]
    fn thresholds() {
        let mut s = Set::create(b"0", 1);
        for i in 0..512 {
            s.add(i.to_string().as_bytes());
        }
        assert_eq!(s.encoding(), "intset");
        s.add(b"512");
        assert_eq!(s.encoding(), "hashtable");

        let mut s = Set::create(b"0", 1);
        for i in 0..128 {
            s.add(i.to_string().as_bytes());
        }
        s.add(b"x");
        assert_eq!(s.encoding(), "hashtable", "an intset of 128 takes a string as a hashtable");

        let mut s = Set::create(b"a", 1);
        for i in 0..128 {
            s.add(format!("m{i}").as_bytes());
        }
        assert_eq!(s.encoding(), "listpack");
        s.add(b"one more");
        assert_eq!(s.encoding(), "hashtable");
        for i in 0..128 {
            s.remove(format!("m{i}").as_bytes());
        }
        assert_eq!(s.encoding(), "hashtable", "no conversion back");

        let mut s = set_of(&["a"]);
        s.add(&[b'x'; 64]);
        assert_eq!(s.encoding(), "listpack");
        s.add(&[b'x'; 65]);
        assert_eq!(s.encoding(), "hashtable");
        let mut s = set_of(&["1"]);
        s.add(&[b'x'; 65]);
        assert_eq!(s.encoding(), "hashtable");
    }

    #[test]
    fn create_and_reserve_follow_the_hint() {
        assert_eq!(Set::create(b"1", 512).encoding(), "intset");
        assert_eq!(Set::create(b"1", 513).encoding(), "hashtable");
        assert_eq!(Set::create(b"a", 128).encoding(), "listpack");
        assert_eq!(Set::create(b"a", 129).encoding(), "hashtable");
        let mut s = set_of(&["a"]);
        s.reserve_for(129);
        assert_eq!(s.encoding(), "hashtable");
        let mut s = set_of(&["1"]);
        s.reserve_for(512);
        assert_eq!(s.encoding(), "intset");
        s.reserve_for(513);
        assert_eq!(s.encoding(), "hashtable");
    }

    #[test]
    fn convert_to_intset_if_fits() {
        let mut s = set_of(&["a", "3", "1"]);
        s.remove(b"a");
        s.convert_to_intset_if_fits();
        assert_eq!(s.encoding(), "intset");
        assert_eq!(strs(&s), ["1", "3"]);
        let mut s = set_of(&["a", "3"]);
        s.convert_to_intset_if_fits();
        assert_eq!(s.encoding(), "listpack");
    }

    #[test]
    fn positions_and_scan() {
        let mut s = Set::create(b"a", 1000);
        for i in 0..1000 {
            s.add(format!("m{i}").as_bytes());
        }
        let all = s.members();
        assert_eq!(s.at_positions(&[5, 0, 5, 999]), [all[5].clone(), all[0].clone(), all[5].clone(), all[999].clone()]);
        let Set::Hashtable(h) = &s else { panic!() };
        let (mut cursor, mut seen) = (0, Vec::new());
        loop {
            cursor = h.scan(cursor, 7, |m| seen.push(m.to_vec()));
            if cursor == 0 {
                break;
            }
        }
        seen.sort();
        let mut want = all.clone();
        want.sort();
        assert_eq!(seen, want);
    }
}
