//! What the C ABI costs per call: libkv's exports (kv_get, kv_set,
//! kv_exec GET/SET) against the kv-core calls they wrap, in one run.
//!
//! The exports are called through `extern "C"` function pointers hidden
//! from the optimiser, so each call is a real C-ABI call into the exported
//! code (guard, handle and pointer checks, closed-store check, hand-over of
//! the value or reply), as a C program linking libkv makes it.
//!
//! `cargo bench -p kv-ffi --bench c_overhead` writes bench/results/c.md
//! (`-- --out PATH` elsewhere, `-- --iters N` per measurement).

use std::ffi::c_char;
use std::hint::black_box;
use std::time::Instant;

use kv::buf::kv_buf_free;
use kv::collections::kv_hget;
use kv::exec::kv_exec;
use kv::reply::kv_reply_free;
use kv::strings::{kv_get, kv_get_into, kv_set};
use kv::{kv_buf, kv_reply, kv_session, kv_status};
use kv_core::Store;

const KEYS: usize = 10_000;
const ROUNDS: usize = 7;

type GetFn = unsafe extern "C" fn(*mut kv_session, *const c_char, usize, *mut kv_buf) -> kv_status;
type GetIntoFn =
    unsafe extern "C" fn(*mut kv_session, *const c_char, usize, *mut c_char, usize, *mut usize) -> kv_status;
type HGetFn =
    unsafe extern "C" fn(*mut kv_session, *const c_char, usize, *const c_char, usize, *mut kv_buf) -> kv_status;
type SetFn = unsafe extern "C" fn(*mut kv_session, *const c_char, usize, *const c_char, usize) -> kv_status;
type ExecFn = unsafe extern "C" fn(*mut kv_session, i32, *const *const c_char, *const usize) -> *mut kv_reply;

/// Median ns per call of `f` over `iters` calls, best of ROUNDS medians.
fn measure(iters: usize, mut f: impl FnMut(usize)) -> f64 {
    let mut runs: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            for i in 0..iters {
                f(i);
            }
            t.elapsed().as_nanos() as f64 / iters as f64
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[ROUNDS / 2]
}

/// The machine's load when the report is written: other work inflates the
/// figures and their noise alike (a negative overhead is that noise).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| {
            format!(
                " Load average when the report was written: {}.",
                l.split(' ').take(3).collect::<Vec<_>>().join(" ")
            )
        })
        .unwrap_or_default()
}

/// Runs a command through kv_exec, ignoring its reply.
fn c_exec(exec: ExecFn, c: *mut kv_session, args: &[&[u8]]) {
    let argv: Vec<*const c_char> = args.iter().map(|a| a.as_ptr().cast()).collect();
    let lens: Vec<usize> = args.iter().map(|a| a.len()).collect();
    // SAFETY: valid session and argument arrays.
    unsafe { kv_reply_free(exec(c, args.len() as i32, argv.as_ptr(), lens.as_ptr())) };
}

fn main() {
    let mut out = concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/results/c.md").to_string();
    let mut iters = 1_000_000usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = args.next().expect("--out PATH"),
            "--iters" => iters = args.next().and_then(|n| n.parse().ok()).expect("--iters N"),
            _ => {} // cargo bench passes --bench
        }
    }
    let keys: Vec<Vec<u8>> = (0..KEYS).map(|i| format!("key:{i:012}").into_bytes()).collect();
    let value = vec![b'v'; 32];

    let store = Store::new();
    let mut direct = store.session();
    for k in &keys {
        direct.set(k, &value).unwrap();
        direct.hset(b"hash", &[(k, &value)]).unwrap();
    }
    let mut opened: *mut kv_session = std::ptr::null_mut();
    // SAFETY: the session is made and used here only, on this thread.
    let c = unsafe {
        let mut store_h = std::ptr::null_mut();
        assert_eq!(kv::store::kv_store_open(std::ptr::null_mut(), &mut store_h), kv_status::KV_OK);
        assert_eq!(kv::session::kv_session_open(store_h, &mut opened), kv_status::KV_OK);
        kv::store::kv_store_free(store_h);
        opened
    };
    let get: GetFn = black_box(kv_get);
    let get_into: GetIntoFn = black_box(kv_get_into);
    let hget: HGetFn = black_box(kv_hget);
    let set: SetFn = black_box(kv_set);
    let exec: ExecFn = black_box(kv_exec);
    for k in &keys {
        // SAFETY: valid session and buffers.
        unsafe { set(c, k.as_ptr().cast(), k.len(), value.as_ptr().cast(), value.len()) };
    }
    let mut fields = Vec::new();
    for k in &keys {
        fields.extend_from_slice(&[b"HSET".as_slice(), b"hash", k, &value]);
    }
    for f in fields.chunks(4) {
        c_exec(exec, c, f);
    }
    let mut dst = [0u8; 64];
    let key = |i: usize| &keys[(i.wrapping_mul(7919)) % KEYS];

    let rows: Vec<(&str, f64, f64)> = vec![
        (
            "GET (fast path: kv_get + kv_buf_free vs Session::get)",
            measure(iters, |i| {
                black_box(direct.get(black_box(key(i))).unwrap());
            }),
            measure(iters, |i| {
                let k = key(i);
                let mut b = kv_buf { data: std::ptr::null_mut(), len: 0 };
                // SAFETY: valid session, key and out buffer.
                unsafe {
                    black_box(get(c, k.as_ptr().cast(), k.len(), &mut b));
                    kv_buf_free(&mut b);
                }
            }),
        ),
        (
            "GET into a buffer (kv_get_into vs Session::get_with copying into one)",
            measure(iters, |i| {
                let mut d = [0u8; 64];
                black_box(direct.get_with(black_box(key(i)), |v| d[..v.len()].copy_from_slice(v)).unwrap());
                black_box(&d);
            }),
            measure(iters, |i| {
                let k = key(i);
                let mut n = 0usize;
                // SAFETY: valid session, key, buffer and out-param.
                unsafe {
                    black_box(get_into(c, k.as_ptr().cast(), k.len(), dst.as_mut_ptr().cast(), dst.len(), &mut n));
                }
                black_box(&dst);
            }),
        ),
        (
            "HGET (fast path: kv_hget + kv_buf_free vs Session::hget)",
            measure(iters, |i| {
                black_box(direct.hget(b"hash", black_box(key(i))).unwrap());
            }),
            measure(iters, |i| {
                let k = key(i);
                let mut b = kv_buf { data: std::ptr::null_mut(), len: 0 };
                // SAFETY: valid session, key, field and out buffer.
                unsafe {
                    black_box(hget(c, b"hash".as_ptr().cast(), 4, k.as_ptr().cast(), k.len(), &mut b));
                    kv_buf_free(&mut b);
                }
            }),
        ),
        (
            "SET (fast path: kv_set vs Session::set)",
            measure(iters, |i| {
                direct.set(black_box(key(i)), &value).unwrap();
            }),
            measure(iters, |i| {
                let k = key(i);
                // SAFETY: valid session and buffers.
                unsafe { black_box(set(c, k.as_ptr().cast(), k.len(), value.as_ptr().cast(), value.len())) };
            }),
        ),
        (
            "GET (kv_exec + kv_reply_free vs Session::execute)",
            measure(iters, |i| {
                black_box(direct.execute(&[&b"GET"[..], key(i)]));
            }),
            measure(iters, |i| {
                let k = key(i);
                let argv = [b"GET".as_ptr().cast::<c_char>(), k.as_ptr().cast()];
                let lens = [3, k.len()];
                // SAFETY: valid session and argument arrays.
                unsafe { kv_reply_free(black_box(exec(c, 2, argv.as_ptr(), lens.as_ptr()))) };
            }),
        ),
        (
            "SET (kv_exec + kv_reply_free vs Session::execute)",
            measure(iters, |i| {
                black_box(direct.execute(&[&b"SET"[..], key(i), &value]));
            }),
            measure(iters, |i| {
                let k = key(i);
                let argv = [b"SET".as_ptr().cast::<c_char>(), k.as_ptr().cast(), value.as_ptr().cast()];
                let lens = [3, k.len(), value.len()];
                // SAFETY: valid session and argument arrays.
                unsafe { kv_reply_free(black_box(exec(c, 3, argv.as_ptr(), lens.as_ptr()))) };
            }),
        ),
    ];
    // SAFETY: the session is not used afterwards.
    unsafe { kv::session::kv_session_free(c) };

    let mut md = String::from(
        "# C ABI overhead\n\n\
         libkv's exports against the kv-core calls they wrap, same store size and keys, one run \
         (`cargo bench -p kv-ffi --bench c_overhead`, release build, ",
    );
    md += &format!(
        "{KEYS} keys of 16 bytes, 32-byte values, {iters} calls per measurement, median of {ROUNDS}). \
         The exports are called through C function pointers, as a C program calls libkv. \
         Target: at most 25 ns of overhead per fast-path call.{}\n\n\
         | call | kv-core direct (ns) | C ABI (ns) | overhead (ns) |\n|---|---:|---:|---:|\n",
        load_average()
    );
    for (name, d, cabi) in &rows {
        md += &format!("| {name} | {d:.1} | {cabi:.1} | {:.1} |\n", cabi - d);
    }
    md += "\nThe fast paths cost the guard (catch_unwind, zero-cost unless a panic), the NULL checks, \
           the closed-store check (one atomic load) and the hand-over of the value (the copy kv-core \
           makes anyway becomes the kv_buf; kv_get_into copies straight into the caller's buffer). kv_exec also builds the C reply: one allocation holding \
           the nodes, element arrays and string bytes.\n";
    print!("{md}");
    std::fs::write(&out, md).unwrap_or_else(|e| panic!("{out}: {e}"));
    eprintln!("wrote {out}");
}
