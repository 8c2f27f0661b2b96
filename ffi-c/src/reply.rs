//! `kv_reply`: a command's reply as hiredis's `redisReply` shows it, built
//! in one allocation (nodes, element arrays and string bytes together) so
//! that kv_reply_free() is one free.

use std::alloc::{alloc, dealloc, Layout};
use std::ffi::c_char;
use std::ptr::null_mut;

use kv_core::num::fmt_double;
use kv_core::Reply;

/// The kind of a kv_reply. The values are hiredis's `REDIS_REPLY_*` ones.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kv_reply_type {
    /// A bulk string: `str`/`len`.
    KV_REPLY_STRING = 1,
    /// An array: `element`/`elements`.
    KV_REPLY_ARRAY = 2,
    /// An integer: `integer`.
    KV_REPLY_INTEGER = 3,
    /// Nil (a missing key, a null array).
    KV_REPLY_NIL = 4,
    /// A status such as OK: `str`/`len`.
    KV_REPLY_STATUS = 5,
    /// A Redis error, its first word the prefix (`ERR`, `WRONGTYPE`, ...):
    /// `str`/`len`.
    KV_REPLY_ERROR = 6,
    /// RESP3 double: `dval`, and its text as Redis writes it in `str`/`len`.
    KV_REPLY_DOUBLE = 7,
    /// RESP3 boolean: `integer` is 1 or 0.
    KV_REPLY_BOOL = 8,
    /// RESP3 map: `elements` is twice the number of pairs, keys and values
    /// alternating.
    KV_REPLY_MAP = 9,
    /// RESP3 set: `element`/`elements`.
    KV_REPLY_SET = 10,
    /// RESP3 verbatim string: `vtype` (e.g. "txt"), `str`/`len`.
    KV_REPLY_VERB = 14,
}

/// A reply (hiredis's `redisReply`). Read it, never modify it; free the
/// reply kv_exec() returned with kv_reply_free() (never an element of it,
/// and never with free()).
#[repr(C)]
pub struct kv_reply {
    /// What the reply is; says which fields below are meaningful.
    pub r#type: kv_reply_type,
    /// KV_REPLY_INTEGER's value; KV_REPLY_BOOL's 1 or 0.
    pub integer: i64,
    /// KV_REPLY_DOUBLE's value.
    pub dval: f64,
    /// Number of bytes at `str` (not counting the NUL after them).
    pub len: usize,
    /// The bytes of a string, status, error, double or verbatim reply,
    /// followed by a NUL (they may contain NULs themselves: use `len`).
    /// NULL for other types.
    pub str: *mut c_char,
    /// KV_REPLY_VERB's format, three characters and a NUL ("txt").
    pub vtype: [c_char; 4],
    /// Number of entries in `element` (ARRAY, SET, MAP).
    pub elements: usize,
    /// The nested replies (ARRAY, SET, MAP); NULL for other types.
    pub element: *mut *mut kv_reply,
}

const ALIGN: usize = std::mem::align_of::<kv_reply>();
/// Room before the root node that holds the block's size.
const HEADER: usize = 16;

/// Sizes of the block a reply needs.
#[derive(Default)]
struct Sizes {
    nodes: usize,
    ptrs: usize,
    bytes: usize,
}

fn measure(r: &Reply, s: &mut Sizes) {
    s.nodes += 1;
    match r {
        Reply::Bulk(b) | Reply::Verbatim(_, b) => s.bytes += b.len() + 1,
        Reply::Status(t) | Reply::Error(t) => s.bytes += t.len() + 1,
        Reply::Double(d) => s.bytes += fmt_double(*d).len() + 1,
        Reply::Boolean(_) | Reply::Integer(_) | Reply::Nil | Reply::NilArray => {}
        Reply::Array(items) | Reply::Set(items) => {
            s.ptrs += items.len();
            items.iter().for_each(|r| measure(r, s));
        }
        Reply::Map(pairs) => {
            s.ptrs += 2 * pairs.len();
            pairs.iter().for_each(|(k, v)| {
                measure(k, s);
                measure(v, s);
            });
        }
    }
}

/// Lays nodes out in preorder (the root first) in a block sized by
/// [`measure`].
struct Builder {
    nodes: *mut kv_reply,
    ptrs: *mut *mut kv_reply,
    bytes: *mut u8,
    fold: bool,
}

impl Builder {
    /// Copies `b` and a NUL into the string area.
    unsafe fn text(&mut self, b: &[u8]) -> *mut c_char {
        let p = self.bytes;
        unsafe {
            p.copy_from_nonoverlapping(b.as_ptr(), b.len());
            *p.add(b.len()) = 0;
            self.bytes = p.add(b.len() + 1);
        }
        p.cast()
    }

    unsafe fn place(&mut self, r: &Reply) -> *mut kv_reply {
        use kv_reply_type::*;
        let node = self.nodes;
        let fold = self.fold;
        unsafe {
            self.nodes = node.add(1);
            let mut n = kv_reply {
                r#type: KV_REPLY_NIL,
                integer: 0,
                dval: 0.0,
                len: 0,
                str: null_mut(),
                vtype: [0; 4],
                elements: 0,
                element: null_mut(),
            };
            let mut string = |n: &mut kv_reply, t, b: &[u8]| {
                n.r#type = t;
                n.len = b.len();
                n.str = self.text(b);
            };
            match r {
                Reply::Nil | Reply::NilArray => {}
                Reply::Integer(i) => {
                    n.r#type = KV_REPLY_INTEGER;
                    n.integer = *i;
                }
                Reply::Boolean(b) => {
                    n.r#type = if fold { KV_REPLY_INTEGER } else { KV_REPLY_BOOL };
                    n.integer = *b as i64;
                }
                Reply::Double(d) => {
                    string(&mut n, if fold { KV_REPLY_STRING } else { KV_REPLY_DOUBLE }, fmt_double(*d).as_bytes());
                    n.dval = *d;
                }
                Reply::Bulk(b) => string(&mut n, KV_REPLY_STRING, b),
                Reply::Status(t) => string(&mut n, KV_REPLY_STATUS, t.as_bytes()),
                Reply::Error(t) => string(&mut n, KV_REPLY_ERROR, t.as_bytes()),
                Reply::Verbatim(f, b) => {
                    string(&mut n, if fold { KV_REPLY_STRING } else { KV_REPLY_VERB }, b);
                    if !fold {
                        for (d, s) in n.vtype.iter_mut().zip(f.bytes().take(3)) {
                            *d = s as c_char;
                        }
                    }
                }
                Reply::Array(items) | Reply::Set(items) => {
                    let set = matches!(r, Reply::Set(_)) && !fold;
                    n.r#type = if set { KV_REPLY_SET } else { KV_REPLY_ARRAY };
                    self.children(&mut n, items.len(), items.iter());
                }
                Reply::Map(pairs) => {
                    n.r#type = if fold { KV_REPLY_ARRAY } else { KV_REPLY_MAP };
                    self.children(&mut n, 2 * pairs.len(), pairs.iter().flat_map(|(k, v)| [k, v]));
                }
            }
            node.write(n);
        }
        node
    }

    unsafe fn children<'r>(&mut self, n: &mut kv_reply, count: usize, items: impl Iterator<Item = &'r Reply>) {
        let slots = self.ptrs;
        unsafe {
            self.ptrs = slots.add(count);
            for (i, r) in items.enumerate() {
                slots.add(i).write(self.place(r));
            }
        }
        n.elements = count;
        n.element = if count == 0 { null_mut() } else { slots };
    }
}

/// Builds the C reply; `fold` gives it RESP2's shapes.
pub(crate) fn to_c(r: &Reply, fold: bool) -> *mut kv_reply {
    let mut s = Sizes::default();
    measure(r, &mut s);
    let node_bytes = s.nodes * std::mem::size_of::<kv_reply>();
    let ptr_bytes = s.ptrs * std::mem::size_of::<*mut kv_reply>();
    let total = HEADER + node_bytes + ptr_bytes + s.bytes;
    let Ok(layout) = Layout::from_size_align(total, ALIGN) else { return null_mut() };
    // SAFETY: `total` > 0; the block is carved exactly as measured: the
    // header, the nodes, the pointer arrays, then the string bytes.
    unsafe {
        let base = alloc(layout);
        if base.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        base.cast::<usize>().write(total);
        let nodes = base.add(HEADER).cast::<kv_reply>();
        let ptrs = base.add(HEADER + node_bytes).cast::<*mut kv_reply>();
        let bytes = base.add(HEADER + node_bytes + ptr_bytes);
        let mut b = Builder { nodes, ptrs, bytes, fold };
        b.place(r)
    }
}

/// Frees a reply returned by kv_exec() or kv_command(), with everything it
/// holds. NULL is ignored.
///
/// # Safety
/// `reply` is NULL or a reply from kv_exec()/kv_command() not freed yet;
/// never one of its elements. No pointer into it is used afterwards.
#[no_mangle]
pub unsafe extern "C" fn kv_reply_free(reply: *mut kv_reply) {
    if reply.is_null() {
        return;
    }
    // SAFETY: a root node sits HEADER bytes into a block whose first word
    // is the block's size (see `to_c`).
    unsafe {
        let base = reply.cast::<u8>().sub(HEADER);
        let total = base.cast::<usize>().read();
        dealloc(base, Layout::from_size_align_unchecked(total, ALIGN));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a C reply back into a `Reply` (RESP3 shapes only).
    unsafe fn back(p: *const kv_reply) -> Reply {
        let r = unsafe { &*p };
        let bytes = || unsafe { std::slice::from_raw_parts(r.str.cast::<u8>(), r.len) }.to_vec();
        let kids = || (0..r.elements).map(|i| unsafe { back(*r.element.add(i)) }).collect::<Vec<_>>();
        match r.r#type {
            kv_reply_type::KV_REPLY_NIL => Reply::Nil,
            kv_reply_type::KV_REPLY_INTEGER => Reply::Integer(r.integer),
            kv_reply_type::KV_REPLY_BOOL => Reply::Boolean(r.integer != 0),
            kv_reply_type::KV_REPLY_DOUBLE => Reply::Double(r.dval),
            kv_reply_type::KV_REPLY_STRING => Reply::Bulk(bytes()),
            kv_reply_type::KV_REPLY_STATUS => Reply::Status(String::from_utf8(bytes()).unwrap().into()),
            kv_reply_type::KV_REPLY_ERROR => Reply::Error(String::from_utf8(bytes()).unwrap().into()),
            kv_reply_type::KV_REPLY_VERB => {
                assert_eq!(&r.vtype, &[b't' as c_char, b'x' as c_char, b't' as c_char, 0]);
                Reply::Verbatim("txt", bytes())
            }
            kv_reply_type::KV_REPLY_ARRAY => Reply::Array(kids()),
            kv_reply_type::KV_REPLY_SET => Reply::Set(kids()),
            kv_reply_type::KV_REPLY_MAP => {
                let k = kids();
                Reply::Map(k.chunks(2).map(|c| (c[0].clone(), c[1].clone())).collect())
            }
        }
    }

    fn sample() -> Reply {
        Reply::Array(vec![
            Reply::bulk(&b"a\0\xff"[..]),
            Reply::Map(vec![(Reply::bulk("k"), Reply::Double(1.5)), (Reply::Integer(-3), Reply::Boolean(true))]),
            Reply::Set(vec![Reply::Status("OK".into()), Reply::error("ERR x")]),
            Reply::Array(vec![]),
            Reply::Verbatim("txt", b"hi".to_vec()),
            Reply::NilArray,
        ])
    }

    #[test]
    fn resp3_shapes_round_trip() {
        let r = sample();
        let c = to_c(&r, false);
        let mut expect = r.clone();
        if let Reply::Array(items) = &mut expect {
            items[5] = Reply::Nil;
        }
        assert_eq!(unsafe { back(c) }, expect);
        // Strings are NUL-terminated after their bytes.
        assert_eq!(unsafe { *(**(*c).element).str.add(3) }, 0);
        unsafe { kv_reply_free(c) };
    }

    #[test]
    fn folding_gives_resp2_shapes() {
        let r = sample();
        let c = to_c(&r, true);
        let Reply::Array(mut expect) = r.into_protocol(2) else { unreachable!() };
        expect[5] = Reply::Nil;
        assert_eq!(unsafe { back(c) }, Reply::Array(expect));
        unsafe { kv_reply_free(c) };
    }

    #[test]
    fn scalars_are_one_small_block() {
        for r in [Reply::Nil, Reply::Integer(7), Reply::bulk(""), Reply::Double(f64::NAN)] {
            let c = to_c(&r, false);
            let back = unsafe { back(c) };
            match (&r, &back) {
                (Reply::Double(a), Reply::Double(b)) => assert!(a.is_nan() && b.is_nan()),
                _ => assert_eq!(back, r),
            }
            unsafe { kv_reply_free(c) };
        }
    }
}
