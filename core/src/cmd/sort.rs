//! SORT and SORT_RO, following Redis 7.2's `sortCommandGeneric` step by
//! step, quirks included:
//!
//! * Options are parsed first (a bad LIMIT number or an unknown word wins
//!   over WRONGTYPE); a later BY replaces an earlier one, but a BY without
//!   `*` switches sorting off for good ("dontsort").
//! * Without sorting, lists and sorted sets keep their order (DESC reverses
//!   it, LIMIT takes a range); a set is returned in its own order, except
//!   with STORE, where Redis sorts it ALPHA so replicas agree. A sorted set
//!   is converted to its big (skiplist) encoding first, as Redis does.
//! * Numeric sorting reads each weight with `strtod` rules (leading spaces,
//!   hex, `inf`; NaN, overflow, underflow or trailing bytes are errors; a
//!   missing weight counts 0) and breaks ties by comparing the elements as
//!   binary strings. ALPHA compares weights (or elements) as C strings
//!   (`strcoll` in the C/C.UTF-8 locales: bytes up to the first NUL) unless
//!   the result is STOREd, which compares the whole binary strings; missing
//!   BY weights sort first.
//! * The sort is stable (glibc's `qsort` is a merge sort), except with a BY
//!   pattern and a LIMIT that narrows the range, where Redis uses its
//!   partial quicksort (`pqsort.c`, ported below) whose order among ties
//!   differs.
//!
//! BY/GET patterns may name any key of the database, so both commands lock
//! every shard of the selected database themselves.

use std::cmp::Ordering;

use super::{cmd, flag::*, int_arg, is, reply, CommandSpec, KEY1};
use crate::errors;
use crate::keyspace::Ctx;
use crate::reply::Reply;
use crate::types::list::{lp_entry_size, End, List};
use crate::types::set::Member;
use crate::value::{Value, ValueRef};

pub static COMMANDS: &[CommandSpec] = &[
    cmd("sort", -2, WRITE | DENYOOM | SELF_LOCKING, KEY1, "generic", |c, a| reply(sort(c, a, false))),
    cmd("sort_ro", -2, READONLY | SELF_LOCKING, KEY1, "generic", |c, a| reply(sort(c, a, true))),
];

type R = Result<Reply, Reply>;

/// The parsed options of one call.
struct Opts<'a> {
    desc: bool,
    alpha: bool,
    /// LIMIT offset count (count -1: to the end).
    limit: (i64, i64),
    store: Option<&'a [u8]>,
    by: Option<&'a [u8]>,
    dontsort: bool,
    gets: Vec<&'a [u8]>,
}

fn parse<'a>(args: &[&'a [u8]], readonly: bool) -> Result<Opts<'a>, Reply> {
    let mut o =
        Opts { desc: false, alpha: false, limit: (0, -1), store: None, by: None, dontsort: false, gets: Vec::new() };
    let mut j = 2;
    while j < args.len() {
        let left = args.len() - j - 1;
        let a = args[j];
        if is(a, "asc") {
            o.desc = false;
        } else if is(a, "desc") {
            o.desc = true;
        } else if is(a, "alpha") {
            o.alpha = true;
        } else if is(a, "limit") && left >= 2 {
            o.limit = (int_arg(args[j + 1])?, int_arg(args[j + 2])?);
            j += 2;
        } else if !readonly && is(a, "store") && left >= 1 {
            o.store = Some(args[j + 1]);
            j += 1;
        } else if is(a, "by") && left >= 1 {
            o.by = Some(args[j + 1]);
            // A constant weight: nothing to sort (never switched back on).
            if star(args[j + 1]).is_none() {
                o.dontsort = true;
            }
            j += 1;
        } else if is(a, "get") && left >= 1 {
            o.gets.push(args[j + 1]);
            j += 1;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
        j += 1;
    }
    Ok(o)
}

/// The pattern as C sees it: up to its first NUL byte.
fn c_str(b: &[u8]) -> &[u8] {
    b.iter().position(|&c| c == 0).map_or(b, |i| &b[..i])
}

/// Position of the `*` Redis substitutes (`strchr`, so before any NUL).
fn star(pattern: &[u8]) -> Option<usize> {
    c_str(pattern).iter().position(|&c| c == b'*')
}

/// What a BY/GET pattern gives for element `elem` (Redis's
/// `lookupKeyByPattern`): `#` is the element itself; otherwise the first
/// `*` is replaced by the element to name a key, which must hold a string,
/// or a hash when the pattern ends in `->field` (a field after the `*`).
/// A pattern without `*` names nothing.
fn lookup(ctx: &Ctx<'_>, pattern: &[u8], elem: &[u8]) -> Option<Vec<u8>> {
    if c_str(pattern) == b"#" {
        return Some(elem.to_vec());
    }
    let p = star(pattern)?;
    let after = c_str(&pattern[p + 1..]);
    // `->` followed by at least one byte (before any NUL) selects a field;
    // the field itself runs to the end of the pattern.
    let arrow = after.windows(2).position(|w| w == b"->").filter(|&i| i + 2 < after.len());
    let (post, field) = match arrow {
        Some(i) => (&pattern[p + 1..p + 1 + i], Some(&pattern[p + 1 + i + 2..])),
        None => (&pattern[p + 1..], None),
    };
    let key = [&pattern[..p], elem, post].concat();
    let slot = ctx.read(&key)?;
    match (field, slot.value()) {
        (None, ValueRef::Str(s)) => Some(s.to_vec()),
        (Some(f), ValueRef::Other(Value::Hash(h))) => h.get(f, ctx.now()).map(<[u8]>::to_vec),
        _ => None,
    }
}

/// A weight as Redis reads it with `strtod`: leading white space, a sign,
/// decimal or hexadecimal digits, `inf`/`infinity`; the C string must end
/// right after the number (bytes after a NUL are not seen), and NaN,
/// overflow and underflow (`ERANGE`) are errors. An empty string is 0.
fn score(b: &[u8]) -> Option<f64> {
    let s = c_str(b);
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let neg = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let rest = &s[i..];
    let lower = |n: usize| rest.get(..n).map(<[u8]>::to_ascii_lowercase);
    let (v, used) = if lower(8).as_deref() == Some(b"infinity") {
        (f64::INFINITY, 8)
    } else if lower(3).as_deref() == Some(b"inf") {
        (f64::INFINITY, 3)
    } else if lower(3).as_deref() == Some(b"nan") {
        return None;
    } else if lower(2).as_deref() == Some(b"0x") && rest.get(2).is_some_and(|c| c.is_ascii_hexdigit() || *c == b'.') {
        hex(&rest[2..]).map(|(v, n)| (v, n + 2))?
    } else {
        decimal(rest)?
    };
    if used == 0 {
        // No number at all: strtod points back at the start.
        return s.is_empty().then_some(0.0);
    }
    if i + used != s.len() {
        return None;
    }
    let literal_inf = v.is_infinite() && lower(3).as_deref() == Some(b"inf");
    let overflow = v.is_infinite() && !literal_inf;
    let underflow = (v != 0.0 && v.abs() < f64::MIN_POSITIVE) || (v == 0.0 && nonzero_mantissa(rest, used));
    if overflow || underflow {
        return None;
    }
    Some(if neg { -v } else { v })
}

/// Whether the mantissa digits (before any exponent) are not all zero.
fn nonzero_mantissa(rest: &[u8], used: usize) -> bool {
    rest[..used].iter().take_while(|c| !matches!(c, b'e' | b'E')).any(|c| (b'1'..=b'9').contains(c))
}

/// The longest decimal number at the start of `s`: digits, an optional
/// fraction and an exponent (only if digits follow it); `(0, 0)` if none.
fn decimal(s: &[u8]) -> Option<(f64, usize)> {
    let digits = |from: usize| s[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int = digits(0);
    let mut n = int;
    let mut frac = 0;
    if s.get(n) == Some(&b'.') {
        frac = digits(n + 1);
        if int + frac > 0 {
            n += 1 + frac;
        }
    }
    if int + frac == 0 {
        return Some((0.0, 0));
    }
    if matches!(s.get(n), Some(b'e' | b'E')) {
        let mut e = n + 1;
        if matches!(s.get(e), Some(b'+' | b'-')) {
            e += 1;
        }
        let d = digits(e);
        if d > 0 {
            n = e + d;
        }
    }
    let text = std::str::from_utf8(&s[..n]).ok()?;
    Some((text.parse().ok()?, n))
}

/// A hexadecimal float after its `0x`: digits, fraction, `p` exponent.
fn hex(s: &[u8]) -> Option<(f64, usize)> {
    let mut v = 0f64;
    let mut n = 0;
    while let Some(d) = s.get(n).and_then(|c| (*c as char).to_digit(16)) {
        v = v * 16.0 + d as f64;
        n += 1;
    }
    let mut any = n > 0;
    if s.get(n) == Some(&b'.') {
        let mut scale = 1.0 / 16.0;
        let mut m = n + 1;
        while let Some(d) = s.get(m).and_then(|c| (*c as char).to_digit(16)) {
            v += d as f64 * scale;
            scale /= 16.0;
            m += 1;
        }
        if m > n + 1 || any {
            any = true;
            n = m;
        }
    }
    if !any {
        return None;
    }
    if matches!(s.get(n), Some(b'p' | b'P')) {
        let mut e = n + 1;
        let neg = s.get(e) == Some(&b'-');
        if matches!(s.get(e), Some(b'+' | b'-')) {
            e += 1;
        }
        let d = s[e..].iter().take_while(|c| c.is_ascii_digit()).count();
        if d > 0 {
            let exp: i32 = std::str::from_utf8(&s[e..e + d]).ok()?.parse().unwrap_or(i32::MAX);
            v *= 2f64.powi(if neg { -exp } else { exp });
            n = e + d;
        }
    }
    Some((v, n))
}

/// One element to sort, with its weight.
struct Item {
    elem: Vec<u8>,
    score: f64,
    /// ALPHA with BY: the weight (None: missing, sorts first).
    weight: Option<Vec<u8>>,
}

/// Redis's `sortCompare`.
fn compare(a: &Item, b: &Item, o: &Opts<'_>) -> Ordering {
    let coll = |x: &[u8], y: &[u8]| if o.store.is_some() { x.cmp(y) } else { c_str(x).cmp(c_str(y)) };
    let c = if !o.alpha {
        a.score.partial_cmp(&b.score).unwrap_or(Ordering::Equal).then_with(|| a.elem.cmp(&b.elem))
    } else if o.by.is_some() {
        match (&a.weight, &b.weight) {
            (Some(x), Some(y)) => coll(x, y),
            (x, y) => x.is_some().cmp(&y.is_some()),
        }
    } else {
        coll(&a.elem, &b.elem)
    };
    if o.desc {
        c.reverse()
    } else {
        c
    }
}

fn sort(ctx: &mut Ctx<'_>, args: &[&[u8]], readonly: bool) -> R {
    let mut o = parse(args, readonly)?;
    let db = ctx.db();
    ctx.lock_dbs(true, &[db]);
    let key = args[1];
    let (is_set, is_zset) = match ctx.read(key).map(|s| s.value()) {
        None | Some(ValueRef::Other(Value::List(_))) => (false, false),
        Some(ValueRef::Other(Value::Set(_))) => (true, false),
        Some(ValueRef::Other(Value::ZSet(_))) => (false, true),
        Some(_) => return Err(Reply::error(errors::WRONGTYPE)),
    };
    if o.dontsort && is_set && o.store.is_some() {
        // Replicas must store the same list: sort the set ALPHA.
        (o.dontsort, o.alpha, o.by) = (false, true, None);
    }
    if is_zset {
        // Redis converts a listpack sorted set for good before sorting it
        // (SORT_RO too): OBJECT ENCODING says skiplist afterwards.
        // The conversion changes no content: as in Redis it does not count
        // as a change for WATCH, so the slot's dirty mark is cleared.
        if let Some(slot) = ctx.write(key) {
            if let Some(Value::ZSet(z)) = slot.value_mut() {
                z.maybe_convert(usize::MAX);
            }
            slot.take_dirty();
        }
    }
    let value = ctx.peek(key).map(|s| s.value());
    let len = match value {
        Some(ValueRef::Other(Value::List(l))) => l.len(),
        Some(ValueRef::Other(Value::Set(s))) => s.len(),
        Some(ValueRef::Other(Value::ZSet(z))) => z.len(),
        _ => 0,
    } as i64;

    // LIMIT, clamped as Redis does.
    let mut start = o.limit.0.clamp(0, len);
    let count = o.limit.1.clamp(-1, len);
    let mut end = if count < 0 { len - 1 } else { start + count - 1 };
    if start >= len {
        start = len - 1;
        end = len - 2;
    }
    end = end.min(len - 1);

    // Load the elements; lists without sorting load just the range.
    let mut items: Vec<Item> = Vec::new();
    let item = |e: &[u8]| Item { elem: e.to_vec(), score: 0.0, weight: None };
    match value {
        Some(ValueRef::Other(Value::List(l))) if o.dontsort && end >= start => {
            let n = (end - start + 1) as usize;
            if o.desc {
                items.extend(l.rev_from((len - start - 1) as usize).take(n).map(item));
            } else {
                items.extend(l.iter_from(start as usize).take(n).map(item));
            }
            (start, end) = (0, end - start);
        }
        // An empty range of an unsorted list: nothing to load.
        Some(ValueRef::Other(Value::List(_))) if o.dontsort => {}
        Some(ValueRef::Other(Value::ZSet(z))) if o.dontsort => {
            // In score order (reversed for DESC), just the range.
            let n = (end - start + 1).max(0) as usize;
            if n > 0 {
                let from = if o.desc { (len - start) as usize - n } else { start as usize };
                z.for_range(from, from + n, |m, _| items.push(item(m)));
                if o.desc {
                    items.reverse();
                }
            }
            (start, end) = (0, end - start);
        }
        Some(ValueRef::Other(Value::ZSet(z))) => z.for_range(0, z.len(), |m, _| items.push(item(m))),
        Some(ValueRef::Other(Value::List(l))) => items.extend(l.iter().map(item)),
        Some(ValueRef::Other(Value::Set(s))) => items.extend(s.iter().map(|m: Member<'_>| m.with_bytes(item))),
        _ => {}
    }

    if !o.dontsort {
        let mut bad = false;
        for it in &mut items {
            let w = match o.by {
                Some(p) => match lookup(ctx, p, &it.elem) {
                    Some(w) => w,
                    None => continue,
                },
                None => it.elem.clone(),
            };
            if o.alpha {
                if o.by.is_some() {
                    it.weight = Some(w);
                }
            } else {
                match score(&w) {
                    Some(s) => it.score = s,
                    None => bad = true,
                }
            }
        }
        let n = items.len() as i64;
        if o.by.is_some() && (start != 0 || end != n - 1) {
            pqsort(&mut items, start, end, &mut |a, b| compare(a, b, &o));
        } else {
            items.sort_by(|a, b| compare(a, b, &o));
        }
        if bad {
            return Err(Reply::error(errors::SORT_SCORE));
        }
    }

    let range = || items.iter().take((end + 1).max(0) as usize).skip(start.max(0) as usize);
    let Some(dest) = o.store else {
        let mut out = Vec::new();
        for it in range() {
            if o.gets.is_empty() {
                out.push(Reply::Bulk(it.elem.clone()));
            }
            for p in &o.gets {
                out.push(lookup(ctx, p, &it.elem).map_or(Reply::Nil, Reply::Bulk));
            }
        }
        return Ok(Reply::Array(out));
    };
    let mut values: Vec<Vec<u8>> = Vec::new();
    for it in range() {
        if o.gets.is_empty() {
            values.push(it.elem.clone());
        }
        for p in &o.gets {
            values.push(lookup(ctx, p, &it.elem).unwrap_or_default());
        }
    }
    let n = values.len() as i64;
    if values.is_empty() {
        ctx.remove(dest);
    } else {
        ctx.insert(dest, Value::List(Box::new(stored_list(&values))), None);
    }
    Ok(Reply::Integer(n))
}

/// The STORE result as Redis 7.2 builds it: pushed into a quicklist, then
/// turned into a listpack if it fits in one node of at most 8 KB
/// (`listTypeTryConversion(.., LIST_CONV_AUTO)`).
fn stored_list(values: &[Vec<u8>]) -> List {
    let build = |quicklist: bool| {
        let mut l = List::new();
        if quicklist {
            l.grow_check(usize::MAX / 2);
        }
        for v in values {
            l.push(End::Right, v);
        }
        l
    };
    let l = build(true);
    let lp_bytes = LP_HEADER_AND_END + values.iter().map(|v| lp_entry_size(v)).sum::<usize>();
    if l.node_count() == 1 && lp_bytes <= NODE_SIZE {
        build(false)
    } else {
        l
    }
}

/// list-max-listpack-size -2, and the bytes of an empty listpack.
const NODE_SIZE: usize = 8192;
const LP_HEADER_AND_END: usize = 7;

/// Redis's `pqsort` (NetBSD's Bentley-McIlroy quicksort that skips the
/// partitions outside `lr..=rr`), ported index for index so that elements
/// comparing equal land where Redis puts them.
fn pqsort<T>(v: &mut [T], lr: i64, rr: i64, cmp: &mut impl FnMut(&T, &T) -> Ordering) {
    if !v.is_empty() {
        pq(v, 0, v.len(), lr, rr, cmp);
    }
}

fn pq<T>(v: &mut [T], mut lo: usize, mut n: usize, lr: i64, rr: i64, cmp: &mut impl FnMut(&T, &T) -> Ordering) {
    // Whether the partition lo..lo+len misses the wanted range entirely.
    let outside = |lo: usize, len: usize| {
        let (l, r) = (lo as i64, (lo + len) as i64);
        (lr < l && rr < l) || (lr >= r && rr >= r)
    };
    loop {
        if n < 7 {
            return insertion(v, lo, n, cmp);
        }
        let mut c = |i: usize, j: usize| cmp(&v[i], &v[j]);
        let mut pm = lo + n / 2;
        if n > 7 {
            let (mut pl, mut pn) = (lo, lo + n - 1);
            if n > 40 {
                let d = n / 8;
                pl = med3(pl, pl + d, pl + 2 * d, &mut c);
                pm = med3(pm - d, pm, pm + d, &mut c);
                pn = med3(pn - 2 * d, pn - d, pn, &mut c);
            }
            pm = med3(pl, pm, pn, &mut c);
        }
        v.swap(lo, pm);
        let (mut pa, mut pb) = (lo + 1, lo + 1);
        let (mut pc, mut pd) = (lo + n - 1, lo + n - 1);
        let mut swapped = false;
        loop {
            while pb <= pc {
                let r = cmp(&v[pb], &v[lo]);
                if r == Ordering::Greater {
                    break;
                }
                if r == Ordering::Equal {
                    swapped = true;
                    v.swap(pa, pb);
                    pa += 1;
                }
                pb += 1;
            }
            while pb <= pc {
                let r = cmp(&v[pc], &v[lo]);
                if r == Ordering::Less {
                    break;
                }
                if r == Ordering::Equal {
                    swapped = true;
                    v.swap(pc, pd);
                    pd -= 1;
                }
                pc -= 1;
            }
            if pb > pc {
                break;
            }
            v.swap(pb, pc);
            swapped = true;
            pb += 1;
            pc -= 1;
        }
        if !swapped {
            return insertion(v, lo, n, cmp);
        }
        let pn = lo + n;
        let r = (pa - lo).min(pb - pa);
        vecswap(v, lo, pb - r, r);
        let r = (pd - pc).min(pn - pd - 1);
        vecswap(v, pb, pn - r, r);
        let r = pb - pa;
        if r > 1 && !outside(lo, r) {
            pq(v, lo, r, lr, rr, cmp);
        }
        let r = pd - pc;
        if r <= 1 {
            return;
        }
        (lo, n) = (pn - r, r);
        if outside(lo, n) {
            return;
        }
    }
}

fn insertion<T>(v: &mut [T], lo: usize, n: usize, cmp: &mut impl FnMut(&T, &T) -> Ordering) {
    for m in lo + 1..lo + n {
        let mut l = m;
        while l > lo && cmp(&v[l - 1], &v[l]) == Ordering::Greater {
            v.swap(l, l - 1);
            l -= 1;
        }
    }
}

fn med3(a: usize, b: usize, c: usize, cmp: &mut impl FnMut(usize, usize) -> Ordering) -> usize {
    use Ordering::*;
    if cmp(a, b) == Less {
        if cmp(b, c) == Less {
            b
        } else if cmp(a, c) == Less {
            c
        } else {
            a
        }
    } else if cmp(b, c) == Greater {
        b
    } else if cmp(a, c) == Less {
        a
    } else {
        c
    }
}

fn vecswap<T>(v: &mut [T], a: usize, b: usize, n: usize) {
    for i in 0..n {
        v.swap(a + i, b + i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_follow_strtod() {
        for (s, v) in [
            (&b""[..], 0.0),
            (b" 5", 5.0),
            (b"\t-2.5", -2.5),
            (b"0x10", 16.0),
            (b"1e3", 1000.0),
            (b"1.", 1.0),
            (b".5", 0.5),
            (b"-inf", f64::NEG_INFINITY),
            (b"Infinity", f64::INFINITY),
            (b"5\x00x", 5.0),
            (b"007", 7.0),
            (b"2.2250738585072014e-308", 2.2250738585072014e-308),
            (b"0e-999", 0.0),
        ] {
            assert_eq!(score(s), Some(v), "{:?}", String::from_utf8_lossy(s));
        }
        for s in
            [&b"5 "[..], b" ", b"nan", b"-NaN", b"1e309", b"1e-310", b"1e-400", b"4.9e-324", b"a", b"0x", b"1e", b"."]
        {
            assert_eq!(score(s), None, "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn pqsort_sorts_the_wanted_range() {
        let mut seed = 12345u64;
        for n in [0usize, 1, 6, 7, 8, 40, 41, 200] {
            let mut v: Vec<u32> = (0..n)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    (seed >> 33) as u32 % 50
                })
                .collect();
            let mut sorted = v.clone();
            sorted.sort();
            let (lr, rr) = (n as i64 / 3, n as i64 / 2);
            pqsort(&mut v, lr, rr, &mut |a, b| a.cmp(b));
            for i in lr.max(0)..=rr.min(n as i64 - 1) {
                assert_eq!(v[i as usize], sorted[i as usize], "n={n} i={i}");
            }
        }
    }
}
