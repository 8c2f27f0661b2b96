//! The list type: a deque of byte strings with O(1) push and pop at both
//! ends, stored as Redis 7.2 stores it so OBJECT ENCODING flips where
//! Redis's does.
//!
//! Elements live in nodes of packed bytes (`[varint len][bytes][varint len
//! reversed]`, so a node is walked from either end), which costs two bytes
//! per small element instead of a heap allocation each. The nodes are the
//! nodes Redis's quicklist would have: each one tracks the byte size its
//! listpack would have in Redis (`lp_bytes`, computed with listpack's own
//! entry encoding), and nodes are opened, split, merged and freed by the
//! quicklist's rules for `list-max-listpack-size -2` (8 KB nodes). So the
//! encoding follows from the same numbers as in Redis:
//!
//! * `listpack`: a single node. Before elements are added, if the listpack
//!   plus the raw length of the new elements would exceed 8 KB, the list
//!   becomes a quicklist (its node becomes the first quicklist node).
//! * `quicklist`: after elements are removed, a quicklist left with a single
//!   packed node of at most 4 KB (half the limit, to avoid flapping) becomes
//!   a listpack again.

use std::collections::VecDeque;

use crate::num::parse_i64;

/// `list-max-listpack-size -2`: a node's listpack stays within 8 KB.
const SIZE_LIMIT: usize = 8192;
/// quicklist's SIZE_ESTIMATE_OVERHEAD: the per-entry slack assumed when
/// checking whether one more element fits in a node.
const ESTIMATE_OVERHEAD: usize = 8;
/// Bytes of an empty listpack: 6 of header, 1 terminator.
const LP_EMPTY: usize = 7;

/// Which end of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Left,
    Right,
}

/// Size of an element inside a Redis listpack: its encoding (integers that
/// string2ll accepts are stored as integers of 1 to 9 bytes) plus the
/// back-length bytes.
pub fn lp_entry_size(v: &[u8]) -> usize {
    let enc = match parse_i64(v) {
        Some(0..=127) => 1,
        Some(-4096..=4095) => 2,
        Some(-32768..=32767) => 3,
        Some(-8388608..=8388607) => 4,
        Some(n) if i32::try_from(n).is_ok() => 5,
        Some(_) => 9,
        None if v.len() < 64 => 1 + v.len(),
        None if v.len() < 4096 => 2 + v.len(),
        None => 5 + v.len(),
    };
    let back = match enc {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2097150 => 3,
        2097151..=268435454 => 4,
        _ => 5,
    };
    enc + back
}

fn varint_len(mut n: usize) -> usize {
    let mut l = 1;
    while n >= 0x80 {
        n >>= 7;
        l += 1;
    }
    l
}

fn put_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Bytes an element takes in a node.
fn packed_size(len: usize) -> usize {
    2 * varint_len(len) + len
}

/// The varint of `n` with its bytes reversed (the back-length, read
/// from its last byte towards the front).
fn put_varint_rev(out: &mut Vec<u8>, n: usize) {
    let at = out.len();
    put_varint(out, n);
    out[at..].reverse();
}

/// Packs `v` into `out`, which is exactly `packed_size(v.len())` bytes.
fn write_packed(out: &mut [u8], v: &[u8]) {
    let n = varint_len(v.len());
    let (mut len, mut i) = (v.len(), 0);
    while len >= 0x80 {
        out[i] = (len as u8) | 0x80;
        out[out.len() - 1 - i] = (len as u8) | 0x80;
        len >>= 7;
        i += 1;
    }
    out[i] = len as u8;
    let last = out.len() - 1 - i;
    out[last] = len as u8;
    out[n..n + v.len()].copy_from_slice(v);
}

fn encode(v: &[u8]) -> Vec<u8> {
    let mut e = vec![0; packed_size(v.len())];
    write_packed(&mut e, v);
    e
}

/// One quicklist node (or the whole listpack).
#[derive(Clone, Debug, Default)]
struct Node {
    /// Packed entries in `buf[start..]`; the room before `start` makes
    /// pushes at the front amortised O(1).
    buf: Vec<u8>,
    start: usize,
    count: usize,
    /// What `lpBytes` of this node's listpack would be in Redis.
    lp_bytes: usize,
    /// A quicklist "plain" node: one element too big for any listpack.
    plain: bool,
}

impl Node {
    fn new() -> Node {
        Node { lp_bytes: LP_EMPTY, ..Node::default() }
    }

    fn plain(v: &[u8]) -> Node {
        let mut n = Node::new();
        n.push(End::Right, v);
        n.plain = true;
        n.lp_bytes = v.len();
        n
    }

    fn data(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// The element starting at byte `pos` of `data()` and the next position.
    fn entry_at(data: &[u8], pos: usize) -> (&[u8], usize) {
        let (mut len, mut shift, mut i) = (0usize, 0, pos);
        loop {
            let b = data[i];
            i += 1;
            len |= ((b & 0x7f) as usize) << shift;
            if b < 0x80 {
                break;
            }
            shift += 7;
        }
        (&data[i..i + len], i + len + (i - pos))
    }

    /// The element ending at byte `end` of `data()` and its start position.
    fn entry_before(data: &[u8], end: usize) -> (&[u8], usize) {
        let (mut len, mut shift, mut i) = (0usize, 0, end);
        loop {
            i -= 1;
            let b = data[i];
            len |= ((b & 0x7f) as usize) << shift;
            if b < 0x80 {
                break;
            }
            shift += 7;
        }
        let hdr = end - i;
        let from = i - len;
        (&data[from..i], from - hdr)
    }

    /// Byte position (in `data()`) of element `i` (`count` gives the end).
    fn offset_of(&self, i: usize) -> usize {
        let data = self.data();
        if i >= self.count {
            return data.len();
        }
        if i <= self.count / 2 {
            let mut pos = 0;
            for _ in 0..i {
                pos = Node::entry_at(data, pos).1;
            }
            pos
        } else {
            let mut end = data.len();
            for _ in i..self.count {
                end = Node::entry_before(data, end).1;
            }
            end
        }
    }

    fn get(&self, i: usize) -> &[u8] {
        Node::entry_at(self.data(), self.offset_of(i)).0
    }

    fn push(&mut self, end: End, v: &[u8]) {
        // Packed in place: no temporary buffer per element.
        let len = packed_size(v.len());
        match end {
            End::Right => {
                self.buf.reserve(len);
                put_varint(&mut self.buf, v.len());
                self.buf.extend_from_slice(v);
                put_varint_rev(&mut self.buf, v.len());
            }
            End::Left => {
                if self.start < len {
                    // Reserve room at the front in proportion to the node,
                    // as a deque grows.
                    let live = self.buf.len() - self.start;
                    let room = len + (live / 2).max(16);
                    let mut nb = Vec::with_capacity(room + live);
                    nb.resize(room, 0);
                    nb.extend_from_slice(&self.buf[self.start..]);
                    self.buf = nb;
                    self.start = room;
                }
                self.start -= len;
                write_packed(&mut self.buf[self.start..self.start + len], v);
            }
        }
        self.count += 1;
        self.lp_bytes += lp_entry_size(v);
    }

    /// Removes the element at `end`, handing it to `take` first (so the
    /// caller copies it straight where it goes).
    #[inline(always)]
    fn pop_with<R>(&mut self, end: End, take: impl FnOnce(&[u8]) -> R) -> R {
        let data = self.data();
        let (v, from, to) = match end {
            End::Left => {
                let (v, next) = Node::entry_at(data, 0);
                (v, 0, next)
            }
            End::Right => {
                let (v, from) = Node::entry_before(data, data.len());
                (v, from, data.len())
            }
        };
        let size = if self.plain { 0 } else { lp_entry_size(v) };
        let r = take(v);
        self.cut(from, to);
        self.count -= 1;
        self.lp_bytes = if self.plain { 0 } else { self.lp_bytes - size };
        r
    }

    /// Removes bytes `from..to` of `data()`.
    fn cut(&mut self, from: usize, to: usize) {
        if from == 0 {
            self.start += to;
            if self.start == self.buf.len() {
                self.buf.clear();
                self.start = 0;
            }
        } else {
            self.buf.drain(self.start + from..self.start + to);
        }
    }

    /// Inserts `v` so it becomes element `i`.
    fn insert(&mut self, i: usize, v: &[u8]) {
        if i == 0 {
            return self.push(End::Left, v);
        }
        let at = self.start + self.offset_of(i);
        self.buf.splice(at..at, encode(v));
        self.count += 1;
        self.lp_bytes += lp_entry_size(v);
    }

    fn replace(&mut self, i: usize, v: &[u8]) {
        let from = self.offset_of(i);
        let (old, to) = Node::entry_at(self.data(), from);
        self.lp_bytes = self.lp_bytes - lp_entry_size(old) + lp_entry_size(v);
        let (a, b) = (self.start + from, self.start + to);
        self.buf.splice(a..b, encode(v));
    }

    /// Removes `n` elements starting at element `i`.
    fn delete(&mut self, i: usize, n: usize) {
        let from = self.offset_of(i);
        let mut to = from;
        let data = self.data();
        let mut freed = 0;
        for _ in 0..n {
            let (v, next) = Node::entry_at(data, to);
            freed += lp_entry_size(v);
            to = next;
        }
        self.cut(from, to);
        self.count -= n;
        self.lp_bytes = if self.plain { 0 } else { self.lp_bytes - freed };
    }

    /// Keeps elements `..i` and returns a node with `i..`.
    fn split_off(&mut self, i: usize) -> Node {
        let mut tail = Node::new();
        let at = self.offset_of(i);
        tail.buf = self.data()[at..].to_vec();
        tail.count = self.count - i;
        tail.lp_bytes = LP_EMPTY + tail.iter().map(lp_entry_size).sum::<usize>();
        self.buf.truncate(self.start + at);
        self.count = i;
        self.lp_bytes -= tail.lp_bytes - LP_EMPTY;
        tail
    }

    /// Appends `other`'s elements.
    fn append(&mut self, other: Node) {
        self.buf.extend_from_slice(other.data());
        self.count += other.count;
        self.lp_bytes += other.lp_bytes - LP_EMPTY;
    }

    fn iter(&self) -> NodeIter<'_> {
        NodeIter { data: self.data(), front: 0, back: self.data().len() }
    }

    /// quicklist's `_quicklistNodeAllowInsert`.
    fn allows_insert(&self, len: usize) -> bool {
        !self.plain && !is_large(len) && self.lp_bytes + len + ESTIMATE_OVERHEAD <= SIZE_LIMIT
    }

    fn shrink(&mut self) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.shrink_to_fit();
    }
}

/// quicklist's `isLargeElement`: an element above the node size limit gets
/// a plain node of its own.
fn is_large(len: usize) -> bool {
    len > SIZE_LIMIT
}

/// quicklist's `_quicklistNodeAllowMerge` (7 bytes: one listpack's header
/// and terminator disappear).
fn allows_merge(a: &Node, b: &Node) -> bool {
    !a.plain && !b.plain && a.lp_bytes + b.lp_bytes - LP_EMPTY <= SIZE_LIMIT
}

struct NodeIter<'a> {
    data: &'a [u8],
    front: usize,
    back: usize,
}

impl<'a> Iterator for NodeIter<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.front >= self.back {
            return None;
        }
        let (v, next) = Node::entry_at(self.data, self.front);
        self.front = next;
        Some(v)
    }
}

impl DoubleEndedIterator for NodeIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front >= self.back {
            return None;
        }
        let (v, from) = Node::entry_before(self.data, self.back);
        self.back = from;
        Some(v)
    }
}

/// A Redis list.
#[derive(Clone, Debug, Default)]
pub struct List {
    nodes: VecDeque<Node>,
    len: usize,
    quicklist: bool,
}

impl PartialEq for List {
    fn eq(&self, other: &List) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl List {
    pub fn new() -> List {
        List::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// What OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        if self.quicklist {
            "quicklist"
        } else {
            "listpack"
        }
    }

    /// Number of quicklist nodes (1 for a listpack).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Redis's `listTypeTryConversionAppend`: called before adding elements
    /// whose raw lengths sum to `add_bytes`; a listpack that would exceed the
    /// node size becomes a quicklist.
    pub fn grow_check(&mut self, add_bytes: usize) {
        if self.quicklist {
            return;
        }
        let lp = self.nodes.front().map_or(LP_EMPTY, |n| n.lp_bytes);
        if lp + add_bytes > SIZE_LIMIT {
            self.quicklist = true;
            if self.len == 0 {
                self.nodes.clear();
            }
        }
    }

    /// Redis's `listTypeTryConversion(.., LIST_CONV_SHRINKING)`: called after
    /// removing elements; a quicklist of one packed node within half the
    /// size limit becomes a listpack.
    pub fn shrink_check(&mut self) {
        if self.quicklist && self.nodes.len() == 1 && !self.nodes[0].plain && self.nodes[0].lp_bytes <= SIZE_LIMIT / 2 {
            self.quicklist = false;
        }
    }

    pub fn push(&mut self, end: End, v: &[u8]) {
        self.len += 1;
        if !self.quicklist {
            if self.nodes.is_empty() {
                self.nodes.push_back(Node::new());
            }
            return self.nodes[0].push(end, v);
        }
        if is_large(v.len()) {
            match end {
                End::Left => self.nodes.push_front(Node::plain(v)),
                End::Right => self.nodes.push_back(Node::plain(v)),
            }
            return;
        }
        let edge = match end {
            End::Left => self.nodes.front_mut(),
            End::Right => self.nodes.back_mut(),
        };
        match edge {
            Some(n) if n.allows_insert(v.len()) => n.push(end, v),
            edge => {
                // The old edge node is complete: give back its slack.
                if let Some(n) = edge {
                    n.shrink();
                }
                let mut n = Node::new();
                n.push(end, v);
                match end {
                    End::Left => self.nodes.push_front(n),
                    End::Right => self.nodes.push_back(n),
                }
            }
        }
    }

    /// Removes an element from one end (no conversion: callers run
    /// [`List::shrink_check`] once they are done, as Redis does).
    #[inline]
    pub fn pop(&mut self, end: End) -> Option<Vec<u8>> {
        self.pop_with(end, <[u8]>::to_vec)
    }

    /// [`List::pop`], handing the element to `take` before it is removed.
    #[inline(always)]
    pub fn pop_with<R>(&mut self, end: End, take: impl FnOnce(&[u8]) -> R) -> Option<R> {
        let n = match end {
            End::Left => self.nodes.front_mut()?,
            End::Right => self.nodes.back_mut()?,
        };
        let r = n.pop_with(end, take);
        if n.count == 0 {
            match end {
                End::Left => self.nodes.pop_front(),
                End::Right => self.nodes.pop_back(),
            };
        }
        self.len -= 1;
        Some(r)
    }

    /// Resolves a Redis index (negative from the end) to a position.
    pub fn index(&self, i: i64) -> Option<usize> {
        let i = if i < 0 { self.len as i64 + i } else { i };
        (0..self.len as i64).contains(&i).then_some(i as usize)
    }

    /// (node, offset in node) of element `i < len`, walking from the nearer end.
    fn locate(&self, i: usize) -> (usize, usize) {
        if i < self.len / 2 {
            let mut i = i;
            for (n, node) in self.nodes.iter().enumerate() {
                if i < node.count {
                    return (n, i);
                }
                i -= node.count;
            }
        } else {
            let mut back = self.len - i;
            for (n, node) in self.nodes.iter().enumerate().rev() {
                if back <= node.count {
                    return (n, node.count - back);
                }
                back -= node.count;
            }
        }
        unreachable!("index below the length")
    }

    pub fn get(&self, i: usize) -> Option<&[u8]> {
        if i >= self.len {
            return None;
        }
        let (n, off) = self.locate(i);
        Some(self.nodes[n].get(off))
    }

    /// Elements from the head.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &[u8]> + '_ {
        self.nodes.iter().flat_map(Node::iter)
    }

    /// Elements from position `i` towards the tail.
    pub fn iter_from(&self, i: usize) -> impl Iterator<Item = &[u8]> + '_ {
        let (mut skip, mut first) = (i, 0);
        for node in &self.nodes {
            if skip < node.count {
                break;
            }
            skip -= node.count;
            first += 1;
        }
        self.nodes.range(first..).flat_map(Node::iter).skip(skip)
    }

    /// Elements from position `i` towards the head.
    pub fn rev_from(&self, i: usize) -> impl Iterator<Item = &[u8]> + '_ {
        let mut skip = self.len.saturating_sub(i + 1);
        let mut last = self.nodes.len();
        for node in self.nodes.iter().rev() {
            if skip < node.count {
                break;
            }
            skip -= node.count;
            last -= 1;
        }
        self.nodes.range(..last).rev().flat_map(|n| n.iter().rev()).skip(skip)
    }

    /// LSET: replaces element `i < len` (quicklist's replace: in place unless
    /// the new element is too big for a listpack, which then gets a plain
    /// node of its own).
    pub fn set(&mut self, i: usize, v: &[u8]) {
        let (n, off) = self.locate(i);
        if self.quicklist && (self.nodes[n].plain || is_large(v.len())) {
            self.insert_at(n, off, v, true);
            let (n, off) = self.locate(i);
            self.remove_at(n, off);
        } else {
            self.nodes[n].replace(off, v);
        }
    }

    /// LINSERT: inserts `v` before or after the first element equal to
    /// `pivot`; false if there is none.
    pub fn insert(&mut self, pivot: &[u8], v: &[u8], after: bool) -> bool {
        let Some(i) = self.iter().position(|e| e == pivot) else { return false };
        let (n, off) = self.locate(i);
        self.insert_at(n, off, v, after);
        true
    }

    /// quicklist's `_quicklistInsert` (a listpack is one node that takes
    /// anything).
    fn insert_at(&mut self, n: usize, off: usize, v: &[u8], after: bool) {
        self.len += 1;
        let pos = if after { off + 1 } else { off };
        if !self.quicklist {
            return self.nodes[n].insert(pos, v);
        }
        let node = &self.nodes[n];
        let full = !node.allows_insert(v.len());
        let at_tail = after && off + 1 == node.count;
        let at_head = !after && off == 0;
        let avail_next = at_tail && self.nodes.get(n + 1).is_some_and(|x| x.allows_insert(v.len()));
        let avail_prev = at_head && n > 0 && self.nodes[n - 1].allows_insert(v.len());
        if is_large(v.len()) {
            if node.plain || at_tail || at_head {
                self.nodes.insert(if after { n + 1 } else { n }, Node::plain(v));
            } else {
                let tail = self.nodes[n].split_off(pos);
                self.nodes.insert(n + 1, tail);
                self.nodes.insert(n + 1, Node::plain(v));
            }
            return;
        }
        if !full {
            self.nodes[n].insert(pos, v);
        } else if avail_next {
            self.nodes[n + 1].push(End::Left, v);
        } else if avail_prev {
            self.nodes[n - 1].push(End::Right, v);
        } else if at_tail || at_head {
            let mut fresh = Node::new();
            fresh.push(End::Left, v);
            self.nodes.insert(if after { n + 1 } else { n }, fresh);
        } else {
            // Split the full node around the insertion point; the element
            // joins the split-off part, then neighbours merge where they fit.
            let mut tail = self.nodes[n].split_off(pos);
            if after {
                tail.push(End::Left, v);
            } else {
                self.nodes[n].push(End::Right, v);
            }
            self.nodes.insert(n + 1, tail);
            self.merge_around(if after { n } else { n + 1 });
        }
    }

    /// quicklist's `_quicklistMergeNodes` around node `c`.
    fn merge_around(&mut self, mut c: usize) {
        let try_merge = |l: &mut List, a: usize| -> bool {
            if a + 1 < l.nodes.len() && allows_merge(&l.nodes[a], &l.nodes[a + 1]) {
                let b = l.nodes.remove(a + 1).expect("node exists");
                l.nodes[a].append(b);
                true
            } else {
                false
            }
        };
        if c >= 2 && try_merge(self, c - 2) {
            c -= 1;
        }
        if c + 2 < self.nodes.len() {
            try_merge(self, c + 1);
        }
        if c >= 1 && try_merge(self, c - 1) {
            c -= 1;
        }
        try_merge(self, c);
    }

    fn remove_at(&mut self, n: usize, off: usize) {
        self.nodes[n].delete(off, 1);
        if self.nodes[n].count == 0 {
            self.nodes.remove(n);
        }
        self.len -= 1;
    }

    /// LREM: removes up to `count` elements equal to `v` (all if 0), from
    /// the tail if `from_tail`. Returns how many went.
    pub fn remove(&mut self, v: &[u8], count: usize, from_tail: bool) -> usize {
        let mut removed = 0;
        let mut n = if from_tail { self.nodes.len() } else { 0 };
        loop {
            if from_tail {
                if n == 0 {
                    break;
                }
                n -= 1;
            } else if n >= self.nodes.len() {
                break;
            }
            let node = &self.nodes[n];
            let hits: Vec<usize> = if from_tail {
                let c = node.count;
                node.iter().rev().enumerate().filter(|(_, e)| *e == v).map(|(i, _)| c - 1 - i).collect()
            } else {
                node.iter().enumerate().filter(|(_, e)| *e == v).map(|(i, _)| i).collect()
            };
            let take = if count == 0 { hits.len() } else { hits.len().min(count - removed) };
            let mut hits = hits[..take].to_vec();
            // Delete from the highest offset so the others stay valid.
            hits.sort_unstable_by(|a, b| b.cmp(a));
            for off in &hits {
                self.nodes[n].delete(*off, 1);
            }
            self.len -= take;
            removed += take;
            if self.nodes[n].count == 0 {
                self.nodes.remove(n);
            } else if !from_tail {
                n += 1;
            }
            if count != 0 && removed == count {
                break;
            }
        }
        removed
    }

    /// Removes `count` elements from position `start` (quicklistDelRange:
    /// emptied nodes are freed, nothing is merged).
    pub fn delete_range(&mut self, start: usize, count: usize) {
        let mut left = count.min(self.len.saturating_sub(start));
        if left == 0 {
            return;
        }
        let (mut n, mut off) = self.locate(start);
        self.len -= left;
        while left > 0 {
            let node = &mut self.nodes[n];
            let del = left.min(node.count - off);
            if off == 0 && del == node.count {
                self.nodes.remove(n);
            } else {
                node.delete(off, del);
                n += 1;
            }
            left -= del;
            off = 0;
        }
    }

    /// Approximate heap bytes used.
    pub fn mem_usage(&self) -> usize {
        std::mem::size_of::<List>()
            + self.nodes.iter().map(|n| n.buf.capacity() + std::mem::size_of::<Node>()).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(l: &List) -> Vec<Vec<u8>> {
        l.iter().map(|v| v.to_vec()).collect()
    }

    #[test]
    fn listpack_entry_sizes_match_redis() {
        assert_eq!(lp_entry_size(b"0"), 2);
        assert_eq!(lp_entry_size(b"127"), 2);
        assert_eq!(lp_entry_size(b"128"), 3);
        assert_eq!(lp_entry_size(b"-4096"), 3);
        assert_eq!(lp_entry_size(b"-4097"), 4);
        assert_eq!(lp_entry_size(b"40000"), 5);
        assert_eq!(lp_entry_size(b"2147483647"), 6);
        assert_eq!(lp_entry_size(b"2147483648"), 10);
        assert_eq!(lp_entry_size(b"007"), 5);
        assert_eq!(lp_entry_size(b""), 2);
        assert_eq!(lp_entry_size(&[b'a'; 63]), 65);
        assert_eq!(lp_entry_size(&[b'a'; 64]), 67);
        assert_eq!(lp_entry_size(&[b'a'; 125]), 128);
        assert_eq!(lp_entry_size(&[b'a'; 126]), 130);
        assert_eq!(lp_entry_size(&[b'a'; 4096]), 4103);
    }

    #[test]
    fn push_pop_both_ends_across_nodes() {
        let mut l = List::new();
        l.grow_check(100_000);
        for i in 0..3000 {
            l.push(if i % 2 == 0 { End::Left } else { End::Right }, format!("v{i}").as_bytes());
        }
        assert_eq!(l.len(), 3000);
        assert!(l.node_count() > 1);
        let all = items(&l);
        assert_eq!(all[0], b"v2998");
        assert_eq!(all[2999], b"v2999");
        for (i, v) in all.iter().enumerate() {
            assert_eq!(l.get(i), Some(&v[..]));
            assert_eq!(l.iter_from(i).next(), Some(&v[..]));
            assert_eq!(l.rev_from(i).next(), Some(&v[..]));
        }
        let rev: Vec<_> = l.rev_from(2999).map(|v| v.to_vec()).collect();
        assert_eq!(rev, all.iter().rev().cloned().collect::<Vec<_>>());
        while l.len() > 1 {
            l.pop(End::Left);
            l.pop(End::Right);
        }
        assert_eq!(l.len(), 0);
        assert_eq!(l.node_count(), 0);
    }

    #[test]
    fn insert_remove_set_and_ranges_in_quicklist() {
        let mut l = List::new();
        l.grow_check(100_000);
        let mut model: Vec<Vec<u8>> = Vec::new();
        for i in 0..2000 {
            let v = format!("{}", i % 7).repeat(1 + i % 30).into_bytes();
            l.push(End::Right, &v);
            model.push(v);
        }
        for i in (0..2000).step_by(97) {
            let pivot = model[i].clone();
            let at = model.iter().position(|e| *e == pivot).unwrap();
            assert!(l.insert(&pivot, b"new", i % 2 == 0));
            model.insert(if i % 2 == 0 { at + 1 } else { at }, b"new".to_vec());
        }
        assert_eq!(items(&l), model);
        l.set(5, &[b'x'; 9000]);
        model[5] = vec![b'x'; 9000];
        l.set(6, b"y");
        model[6] = b"y".to_vec();
        assert_eq!(items(&l), model);
        assert_eq!(l.remove(b"new", 3, true), 3);
        for _ in 0..3 {
            let p = model.iter().rposition(|e| e == b"new").unwrap();
            model.remove(p);
        }
        assert_eq!(l.remove(b"new", 0, false), model.iter().filter(|e| *e == b"new").count());
        model.retain(|e| e != b"new");
        assert_eq!(items(&l), model);
        l.delete_range(10, 500);
        model.drain(10..510);
        l.delete_range(0, 3);
        model.drain(0..3);
        assert_eq!(items(&l), model);
        assert_eq!(l.len(), model.len());
    }

    fn node_counts(l: &List) -> Vec<usize> {
        l.nodes.iter().map(|n| n.count).collect()
    }

    #[test]
    fn inserting_into_a_full_node_splits_and_merges_as_quicklist() {
        // 100-byte elements: a node takes pushes while 7 + 103 * k + 108
        // stays within 8192, so it fills at 79.
        let v = [b'v'; 100];
        let mut l = List::new();
        l.grow_check(usize::MAX / 2);
        for _ in 0..158 {
            l.push(End::Right, &v);
        }
        assert_eq!(node_counts(&l), [79, 79]);
        for _ in 0..74 {
            l.pop(End::Left);
        }
        assert_eq!(node_counts(&l), [5, 79]);
        // After offset 3 of the full second node: it keeps 4, the split-off
        // part takes the other 75 plus the new element; then the 4 merge
        // into the 5 before them, and the 9 are too many to join the 76.
        let (n, off) = l.locate(5 + 3);
        l.insert_at(n, off, &v, true);
        assert_eq!(node_counts(&l), [9, 76]);
        // Before the head of a full node whose previous node has room: the
        // element joins the previous node's tail.
        let (n, off) = l.locate(9);
        assert_eq!((n, off), (1, 0));
        for _ in 0..3 {
            l.push(End::Right, &v);
        }
        assert_eq!(node_counts(&l), [9, 79]);
        let w = [b'w'; 100];
        l.insert_at(1, 0, &w, false);
        assert_eq!(node_counts(&l), [10, 79]);
        assert_eq!(l.get(9), Some(&w[..]));
        // A short element still fits the full node (8144 + 1 + 8 <= 8192).
        l.insert_at(1, 0, b"x", false);
        assert_eq!(node_counts(&l), [10, 80]);
        // A large element in the middle of a node gets a plain node of its
        // own between the two halves.
        l.insert_at(1, 40, &[b'L'; 9000], false);
        assert_eq!(node_counts(&l), [10, 40, 1, 40]);
        assert_eq!(l.get(50).map(<[u8]>::len), Some(9000));
        assert_eq!(l.len(), 91);
    }

    #[test]
    fn conversions_follow_redis_limits() {
        let mut l = List::new();
        // 100-byte strings: 103 bytes each in a listpack.
        let v = [b'a'; 100];
        let mut n = 0;
        loop {
            l.grow_check(v.len());
            if l.encoding() == "quicklist" {
                break;
            }
            l.push(End::Right, &v);
            n += 1;
        }
        // 7 + 103 * 79 = 8144, and 8144 + 100 > 8192.
        assert_eq!(n, 79);
        // The quicklist's tail node is full: a second node opens, and while
        // there are two nodes the list stays a quicklist.
        l.push(End::Right, &v);
        assert_eq!(l.node_count(), 2);
        while l.len() > 40 {
            l.pop(End::Right);
            l.shrink_check();
            assert_eq!(l.encoding(), "quicklist", "len {}", l.len());
        }
        // 7 + 103 * 40 = 4127 > 4096, 7 + 103 * 39 = 4024
        l.pop(End::Right);
        l.shrink_check();
        assert_eq!(l.encoding(), "listpack");
    }
}
