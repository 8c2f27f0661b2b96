//! Blocking commands: sessions that wait for a key to receive data.
//!
//! A blocking command (BLPOP, BLMOVE, BZPOPMIN, ...) first runs like its
//! non-blocking twin. When every key it watches is empty it *blocks*: its
//! thread parks on a condition variable of its own (no polling) until a
//! push to one of its keys, its timeout, an interrupt, or [`Store::close`].
//! Handlers drive all of this through [`block_on`]; they only supply the
//! attempt (what to do with the keys locked) and the keys to watch.
//!
//! # The registry
//!
//! [`Blocking`] (one per store) maps each watched `(db, key)` to the queue
//! of waiters blocked on it, oldest first, and each blocked client id to
//! its waiter (CLIENT UNBLOCK, [`InterruptHandle`]). An atomic count of
//! blocked calls is read before anything else, so a push when nobody waits
//! costs one atomic load and takes no lock.
//!
//! # Protocol, and why no wakeup is lost
//!
//! Lock order: shard locks first, the registry mutex last (it is only ever
//! taken while holding shard locks or nothing, never the other way round);
//! a waiter's own state mutex is innermost of all.
//!
//! 1. The blocking handler locks the shards of all its keys (exclusively),
//!    tries, and finds nothing.
//! 2. Still holding those locks, it registers in the queue of every watched
//!    key (and bumps the count). Only then does it release the locks.
//! 3. It waits on its condition variable until its `ready` flag is set
//!    (or it is stopped, or the deadline passes); the flag is consumed
//!    when the wait returns.
//! 4. On `ready` it goes back to 1, still registered (it keeps its place
//!    in the queues), with a fresh command time.
//!
//! A pusher modifies a key only under that key's exclusive shard lock and
//! signals the key ([`Ctx::signal_ready`]) before releasing it: storing a
//! list or a sorted set ([`Ctx::insert`], so every command that creates or
//! replaces one: LPUSH, ZADD, LMOVE, ZUNIONSTORE, SORT STORE, RENAME,
//! MOVE, COPY, ...) signals its key, and so do in-place pushes; SWAPDB
//! signals every watched key that holds data after the swap. Either the
//! push happened before the waiter's step 1 (the attempt sees the data) or
//! after its step 2 (the waiter's registration happened before the lock
//! was handed over, so the pusher sees the count and the queue entry, and
//! sets the flag; a flag set before the waiter reaches its wait is seen by
//! it, as flag and condvar share the waiter's mutex). There is no third
//! case, because steps 1–2 run under the lock the pusher needs.
//!
//! # First come, first served
//!
//! A signal wakes only the *head* of the key's queue (the first waiter
//! that the signalled type serves: a new sorted set does not wake BLPOP,
//! as in Redis), and a registered waiter may take from a key only while
//! it is that key's head ([`Turn::may_take`]): waiters woken for other keys, or racing back from
//! a spurious wakeup, skip it. Whenever a waiter leaves a queue (served,
//! timed out, interrupted, failed), the new head is woken, so what the
//! first waiter left (RPUSH of three elements, or an element it did not
//! need because another of its keys served it) passes down the queue in
//! order. A woken head that finds the key emptied by a non-blocking
//! command just waits again, still first. A fresh blocking call that finds
//! data on its first attempt takes it like the non-blocking command
//! would: it is a client arriving, not a waiter.
//!
//! # Transactions, closing, interrupts
//!
//! In a context that already holds every lock (EXEC), a blocking command
//! never waits: its empty result is its non-blocking reply, as in Redis.
//! [`Store::close`] wakes every blocked call with `ERR store closed`, and
//! later calls that would block get that reply at once (calls that find
//! data still succeed). [`InterruptHandle::interrupt`] and CLIENT UNBLOCK
//! wake one session's call, with Redis's `UNBLOCKED` error or, for
//! CLIENT UNBLOCK ... TIMEOUT, the timeout reply.
//!
//! Timeouts are measured on the monotonic clock of the host, not on the
//! store's configured clock (which tests may freeze).
//!
//! [`Store::close`]: crate::Store::close

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use rustc_apfloat::ieee::X87DoubleExtended;
use rustc_apfloat::{Float, Round};

use crate::errors;
use crate::keyspace::Ctx;
use crate::reply::Reply;
use crate::store::StoreInner;
use crate::value::Kind;

/// Why a blocked call was stopped from outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// CLIENT UNBLOCK id TIMEOUT: reply as if the timeout had passed.
    Timeout,
    /// CLIENT UNBLOCK id ERROR, or [`InterruptHandle::interrupt`].
    Error,
    /// [`crate::Store::close`].
    Closed,
}

impl Stop {
    fn reply(self) -> Reply {
        match self {
            Stop::Timeout => Reply::NilArray,
            Stop::Error => Reply::error(errors::UNBLOCKED),
            Stop::Closed => Reply::error(errors::STORE_CLOSED),
        }
    }
}

/// One blocked call: a flag set by pushers and a condvar to sleep on.
pub(crate) struct Waiter {
    client: u64,
    /// The type of value that serves it (a list for BLPOP, a sorted set
    /// for BZPOPMIN): only data of that type wakes it, as in Redis.
    kind: Kind,
    state: Mutex<WaitState>,
    cv: Condvar,
}

#[derive(Default)]
struct WaitState {
    ready: bool,
    stop: Option<Stop>,
}

enum Woken {
    Ready,
    TimedOut,
    Stopped(Stop),
}

impl Waiter {
    fn notify(&self) {
        self.state.lock().ready = true;
        self.cv.notify_one();
    }

    fn stop(&self, why: Stop) {
        self.state.lock().stop.get_or_insert(why);
        self.cv.notify_one();
    }

    /// Sleeps until notified, stopped or past `deadline` (None: forever);
    /// consumes the notification.
    fn wait(&self, deadline: Option<Instant>) -> Woken {
        let mut st = self.state.lock();
        loop {
            if let Some(why) = st.stop {
                return Woken::Stopped(why);
            }
            if std::mem::take(&mut st.ready) {
                return Woken::Ready;
            }
            match deadline {
                None => self.cv.wait(&mut st),
                Some(d) => {
                    if self.cv.wait_until(&mut st, d).timed_out() {
                        return match st.stop {
                            Some(why) => Woken::Stopped(why),
                            None => Woken::TimedOut,
                        };
                    }
                }
            }
        }
    }
}

/// The store's registry of blocked calls.
pub(crate) struct Blocking {
    /// Blocked calls; read before taking `reg` so pushes stay cheap.
    waiting: AtomicUsize,
    reg: Mutex<Registry>,
}

type Queue = VecDeque<Arc<Waiter>>;

/// The first waiter of `q` that `kind` serves, and its position.
fn first_of(q: &Queue, kind: Kind) -> Option<(usize, &Arc<Waiter>)> {
    q.iter().enumerate().find(|(_, w)| w.kind == kind)
}

struct Registry {
    /// Per database: key -> waiters blocked on it, oldest first.
    keys: Vec<HashMap<Vec<u8>, Queue>>,
    /// Blocked client id -> its waiter.
    clients: HashMap<u64, Arc<Waiter>>,
    closed: bool,
}

impl Blocking {
    pub fn new(databases: usize) -> Blocking {
        Blocking {
            waiting: AtomicUsize::new(0),
            reg: Mutex::new(Registry {
                keys: (0..databases).map(|_| HashMap::new()).collect(),
                clients: HashMap::new(),
                closed: false,
            }),
        }
    }

    /// Number of calls blocked right now (INFO's blocked_clients).
    pub fn blocked(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }

    /// `key` of `db` received data of type `kind`: wakes the first waiter
    /// blocked on it that such data serves. Called with the key's shard
    /// locked exclusively.
    #[inline]
    pub fn signal(&self, db: usize, key: &[u8], kind: Kind) {
        if self.waiting.load(Ordering::Acquire) != 0 {
            self.signal_slow(db, key, kind);
        }
    }

    #[cold]
    fn signal_slow(&self, db: usize, key: &[u8], kind: Kind) {
        let reg = self.reg.lock();
        if let Some((_, head)) = reg.keys.get(db).and_then(|m| m.get(key)).and_then(|q| first_of(q, kind)) {
            head.notify();
        }
    }

    /// Signals every key of `db` that a call waits on and that holds data
    /// now (`kind_of` tells its type, None if absent): what SWAPDB does,
    /// as Redis's scanDatabaseForReadyKeys. Called with `db` locked.
    fn signal_db(&self, db: usize, kind_of: impl Fn(&[u8]) -> Option<Kind>) {
        if self.waiting.load(Ordering::Acquire) == 0 {
            return;
        }
        let reg = self.reg.lock();
        for (key, q) in &reg.keys[db] {
            if let Some((_, head)) = kind_of(key).and_then(|k| first_of(q, k)) {
                head.notify();
            }
        }
    }

    /// Queues `w` on every key (called with the keys' shards locked).
    fn register(&self, w: &Arc<Waiter>, db: usize, keys: &[&[u8]]) -> Result<(), Stop> {
        let mut reg = self.reg.lock();
        if reg.closed {
            return Err(Stop::Closed);
        }
        for (i, key) in keys.iter().enumerate() {
            if !keys[..i].contains(key) {
                reg.keys[db].entry(key.to_vec()).or_default().push_back(w.clone());
            }
        }
        reg.clients.insert(w.client, w.clone());
        self.waiting.fetch_add(1, Ordering::Release);
        Ok(())
    }

    /// Takes `w` out of every queue, waking in each the next waiter of its
    /// kind if `w` was the first of its kind there (it may have left data
    /// behind for it).
    fn leave(&self, w: &Arc<Waiter>, db: usize, keys: &[&[u8]]) {
        let mut reg = self.reg.lock();
        for key in keys {
            let Some(q) = reg.keys[db].get_mut(*key) else { continue };
            let Some(pos) = q.iter().position(|x| Arc::ptr_eq(x, w)) else { continue };
            let was_first = first_of(q, w.kind).is_some_and(|(i, _)| i == pos);
            q.remove(pos);
            if q.is_empty() {
                reg.keys[db].remove(*key);
            } else if was_first {
                if let Some((_, next)) = first_of(q, w.kind) {
                    next.notify();
                }
            }
        }
        if reg.clients.get(&w.client).is_some_and(|x| Arc::ptr_eq(x, w)) {
            reg.clients.remove(&w.client);
        }
        self.waiting.fetch_sub(1, Ordering::Release);
    }

    /// Whether `w` is the first waiter of its kind on `key`.
    fn is_head(&self, w: &Arc<Waiter>, db: usize, key: &[u8]) -> bool {
        let reg = self.reg.lock();
        reg.keys[db].get(key).and_then(|q| first_of(q, w.kind)).is_some_and(|(_, h)| Arc::ptr_eq(h, w))
    }

    /// Stops the blocked call of a client; false if it is not blocked.
    pub fn unblock(&self, client: u64, why: Stop) -> bool {
        match self.reg.lock().clients.get(&client) {
            Some(w) => {
                w.stop(why);
                true
            }
            None => false,
        }
    }

    /// Wakes every blocked call with [`Stop::Closed`]; calls that would
    /// block from now on fail at once.
    pub fn close(&self) {
        let mut reg = self.reg.lock();
        reg.closed = true;
        for w in reg.clients.values() {
            w.stop(Stop::Closed);
        }
    }
}

/// Handed to an attempt: says which keys it may take from.
pub struct Turn<'w> {
    waiter: Option<&'w Arc<Waiter>>,
    blocking: &'w Blocking,
    db: usize,
}

impl Turn<'_> {
    /// Whether the attempt may take data from `key` of the selected
    /// database: always on a first attempt; once blocked, only while first
    /// of its kind in the key's queue (so waiters are served in order).
    pub fn may_take(&self, key: &[u8]) -> bool {
        match self.waiter {
            None => true,
            Some(w) => self.blocking.is_head(w, self.db, key),
        }
    }
}

/// Runs a blocking command served by values of type `kind`. `attempt`
/// runs with `locked` (all the keys the command touches) locked
/// exclusively and returns `Some(reply)` when it is done (served, or
/// failed), `None` when every watched key is empty. While none is ready
/// the call blocks on `watched` until `deadline` (None: forever), then
/// replies the null array. Inside a context holding every lock it never
/// blocks and replies `empty` instead.
pub fn block_on(
    ctx: &mut Ctx<'_>,
    kind: Kind,
    watched: &[&[u8]],
    locked: &[&[u8]],
    deadline: Option<Instant>,
    empty: Reply,
    mut attempt: impl FnMut(&mut Ctx<'_>, &Turn<'_>) -> Option<Reply>,
) -> Reply {
    let db = ctx.db();
    let blocking = &ctx.store().blocking;
    let mut waiter: Option<Arc<Waiter>> = None;
    let reply = loop {
        ctx.lock_keys(true, locked.iter().map(|k| (db, *k)));
        if let Some(r) = attempt(ctx, &Turn { waiter: waiter.as_ref(), blocking, db }) {
            break r;
        }
        if ctx.holds_all() {
            break empty;
        }
        let w = match &waiter {
            Some(w) => w.clone(),
            None => {
                let w = Arc::new(Waiter { client: ctx.sess.id, kind, state: Default::default(), cv: Condvar::new() });
                if let Err(why) = blocking.register(&w, db, watched) {
                    ctx.unlock();
                    return why.reply();
                }
                waiter = Some(w.clone());
                w
            }
        };
        ctx.unlock();
        match w.wait(deadline) {
            Woken::Ready => ctx.restart_clock(),
            Woken::TimedOut => break Reply::NilArray,
            Woken::Stopped(why) => break why.reply(),
        }
    };
    if let Some(w) = waiter {
        blocking.leave(&w, db, watched);
    }
    reply
}

/// Parses a timeout in seconds as Redis 7.2's getTimeoutFromObjectOrReply
/// does (x87 `long double`, milliseconds rounded up, 0 = forever) and
/// turns it into a deadline on the monotonic clock.
pub fn timeout_arg(ctx: &Ctx<'_>, arg: &[u8]) -> Result<Option<Instant>, Reply> {
    let ms = timeout_ms(arg).ok_or(Reply::error(errors::TIMEOUT_NOT_FLOAT))?;
    let ms = match ms {
        Ms::OutOfRange => return Err(Reply::error(errors::TIMEOUT_OUT_OF_RANGE)),
        Ms::Negative => return Err(Reply::error(errors::TIMEOUT_NEGATIVE)),
        Ms::After(0) => return Ok(None),
        Ms::After(ms) => ms,
    };
    // Redis adds the current time and refuses a sum that would overflow.
    if ms > i64::MAX as u64 - ctx.now() {
        return Err(Reply::error(errors::TIMEOUT_OUT_OF_RANGE));
    }
    Ok(Instant::now().checked_add(Duration::from_millis(ms)))
}

#[derive(Debug, PartialEq)]
enum Ms {
    After(u64),
    Negative,
    OutOfRange,
}

/// `ceill(strtold(arg) * 1000)` checked against LLONG_MAX; None when the
/// argument is not a number string2ld accepts.
fn timeout_ms(arg: &[u8]) -> Option<Ms> {
    crate::longdouble::LongDouble::parse(arg)?;
    let text = std::str::from_utf8(arg).ok()?;
    let (neg, body) = match text.as_bytes()[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let decimal =
        !body.is_empty() && body.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'-' | b'+'));
    let parsed = if decimal { X87DoubleExtended::from_str_r(body, Round::NearestTiesToEven).ok() } else { None };
    let Some(secs) = parsed.map(|p| p.value) else {
        // inf, or a hexadecimal float: f64 holds those values exactly.
        let ms = crate::num::parse_f64(body.as_bytes())? * 1000.0;
        return Some(match ms {
            _ if neg && ms >= 1.0 => Ms::Negative,
            _ if neg => Ms::After(0),
            _ if ms > i64::MAX as f64 => Ms::OutOfRange,
            _ => Ms::After(ms.ceil() as u64),
        });
    };
    let thousand = X87DoubleExtended::from_u128(1000).value;
    let ms = (secs * thousand).value;
    let limit = X87DoubleExtended::from_i128(i64::MAX as i128).value;
    if !neg && ms > limit {
        return Some(Ms::OutOfRange);
    }
    let ms = ms.round_to_integral(if neg { Round::TowardZero } else { Round::TowardPositive }).value;
    if ms.is_zero() {
        return Some(Ms::After(0));
    }
    if neg {
        return Some(Ms::Negative);
    }
    Some(Ms::After(ms.to_u128(64).value as u64))
}

/// A cheap, cloneable handle that interrupts a session's blocked call from
/// another thread (Redis's CLIENT UNBLOCK id ERROR).
#[derive(Clone)]
pub struct InterruptHandle {
    pub(crate) store: Weak<StoreInner>,
    pub(crate) client: u64,
}

impl InterruptHandle {
    /// Wakes the session's blocked call, if it is in one, which then
    /// replies `UNBLOCKED client unblocked via CLIENT UNBLOCK`. Returns
    /// whether a blocked call was woken; a session that is not blocked is
    /// not affected (as with CLIENT UNBLOCK), so a caller cancelling a call
    /// that may not have blocked yet retries until it returns true or the
    /// call has returned.
    pub fn interrupt(&self) -> bool {
        self.store.upgrade().is_some_and(|s| s.blocking.unblock(self.client, Stop::Error))
    }

    /// The client id (CLIENT ID) of the session.
    pub fn client_id(&self) -> u64 {
        self.client
    }
}

impl Ctx<'_> {
    /// Tells blocked callers that `key` of the selected database received
    /// data of type `kind`. [`Ctx::insert`] calls it for every list and
    /// sorted set it stores; paths that grow a value in place (LPUSH on an
    /// existing list, ZADD of a new member) call it themselves, with the
    /// key locked, after the change. One atomic load when nobody waits.
    #[inline]
    pub fn signal_ready(&self, key: &[u8], kind: Kind) {
        self.store().blocking.signal(self.db(), key, kind)
    }

    /// After SWAPDB: signals the keys of `db` that calls wait on and that
    /// now hold a list or a sorted set.
    pub(crate) fn signal_db(&self, db: usize) {
        self.store().blocking.signal_db(db, |key| self.peek_in(db, key).map(|s| s.kind()))
    }
}

#[cfg(test)]
mod tests {
    use super::{timeout_ms, Ms};

    #[test]
    fn timeouts_parse_as_redis_7_2() {
        let t = |s: &str| timeout_ms(s.as_bytes());
        assert_eq!(t("0"), Some(Ms::After(0)));
        assert_eq!(t("1"), Some(Ms::After(1000)));
        assert_eq!(t("0.01"), Some(Ms::After(10)));
        assert_eq!(t("0.0001"), Some(Ms::After(1)));
        assert_eq!(t("1e-400"), Some(Ms::After(1)));
        assert_eq!(t("-0"), Some(Ms::After(0)));
        // x87: 0.001 * 1000 is just below 1, so -0.001 rounds up to -0.
        assert_eq!(t("-0.001"), Some(Ms::After(0)));
        assert_eq!(t("-1e-400"), Some(Ms::After(0)));
        assert_eq!(t("-1"), Some(Ms::Negative));
        assert_eq!(t("-inf"), Some(Ms::Negative));
        assert_eq!(t("0x10"), Some(Ms::After(16000)));
        assert_eq!(t("inf"), Some(Ms::OutOfRange));
        assert_eq!(t("1e400"), Some(Ms::OutOfRange));
        assert_eq!(t("9223372036854775.808"), Some(Ms::OutOfRange));
        for bad in ["", "abc", " 1", "1 ", "nan", "1x", "--1"] {
            assert_eq!(t(bad), None, "{bad}");
        }
    }
}
