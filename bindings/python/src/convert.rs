//! Arguments in and replies out.
//!
//! Arguments are encoded as redis-py's `Encoder.encode` does
//! (`redis/_parsers/encoders.py`): bytes and memoryview as they are, str
//! encoded with the session's encoding and error handler, int and float as
//! `repr()` (any size), bool and anything else a `DataError`. bytes and
//! UTF-8 str are read in place, without a copy.
//!
//! Replies come out as redis-py with hiredis gives them: nil -> None,
//! integers -> int, bulk/status/verbatim strings -> bytes (str with
//! `decode_responses`), arrays -> list, and under RESP3 (HELLO 3) maps ->
//! dict, sets -> set, doubles -> float, booleans -> bool. An error reply is
//! raised at the top level and becomes an exception instance inside an
//! array.

use std::ffi::{c_char, CString};

use kv_core::Reply;
use pyo3::exceptions::PyValueError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyList, PySet};
use smallvec::SmallVec;

use crate::error::{self, Class};

// UTF-8 of a str, cached inside the str object (no copy at all for ASCII).
// In the stable ABI only from 3.10, but exported with this signature by
// every CPython since 3.3, so the abi3 (3.9) module can use it on the
// platforms that resolve symbols when loading (not Windows, whose
// python3.dll exports only the stable ABI of its version).
#[cfg(not(windows))]
extern "C" {
    fn PyUnicode_AsUTF8AndSize(unicode: *mut ffi::PyObject, size: *mut ffi::Py_ssize_t) -> *const c_char;
}

/// One encoded argument.
pub(crate) enum Arg<'a, 'py> {
    /// The bytes of a bytes object, or the UTF-8 of a str, in place.
    Borrowed(&'a [u8]),
    /// The decimal text of an int that fits i64.
    Int { buf: [u8; 20], len: u8 },
    /// A bytes object made for the call (encoded str, repr, memoryview copy).
    Held(Bound<'py, PyBytes>),
    /// Part of a held argument (the split command name).
    Owned(Vec<u8>),
}

impl Arg<'_, '_> {
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        match self {
            Arg::Borrowed(b) => b,
            Arg::Int { buf, len } => &buf[..*len as usize],
            Arg::Held(b) => b.as_bytes(),
            Arg::Owned(v) => v,
        }
    }

    fn int(v: i64) -> Self {
        let mut buf = [0u8; 20];
        let mut digits = [0u8; 20];
        let mut n = v.unsigned_abs();
        let mut i = 0;
        loop {
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            i += 1;
            if n == 0 {
                break;
            }
        }
        let mut len = 0;
        if v < 0 {
            buf[0] = b'-';
            len = 1;
        }
        for d in digits[..i].iter().rev() {
            buf[len] = *d;
            len += 1;
        }
        Arg::Int { buf, len: len as u8 }
    }
}

/// A command's encoded arguments.
/// (Most commands have at most four arguments; fewer inline slots keep the
/// vector cheap to move.)
pub(crate) type Args<'a, 'py> = SmallVec<[Arg<'a, 'py>; 4]>;

/// The arguments as the engine takes them.
pub(crate) fn slices<'s>(args: &'s [Arg<'_, '_>]) -> SmallVec<[&'s [u8]; 8]> {
    args.iter().map(Arg::bytes).collect()
}

/// A session's encoding settings (redis-py's `Encoder`).
pub(crate) struct Codec {
    pub decode: bool,
    /// The encoding is UTF-8 (under any of its names).
    utf8: bool,
    /// The error handler is "strict".
    strict: bool,
    pub encoding: String,
    pub errors: String,
    encoding_c: CString,
    errors_c: CString,
}

impl Codec {
    /// Checks the encoding exists (`LookupError` otherwise) and notes
    /// whether it is UTF-8, which has its own fast paths.
    pub fn new(py: Python<'_>, decode: bool, encoding: &str, errors: &str) -> PyResult<Codec> {
        let info = py.import("codecs")?.call_method1("lookup", (encoding,))?;
        let name: String = info.getattr("name")?.extract()?;
        let nul = |_| PyValueError::new_err("embedded null character");
        Ok(Codec {
            decode,
            utf8: name == "utf-8",
            strict: errors == "strict",
            encoding: encoding.to_owned(),
            errors: errors.to_owned(),
            encoding_c: CString::new(encoding).map_err(nul)?,
            errors_c: CString::new(errors).map_err(nul)?,
        })
    }

    /// One argument, as redis-py's `Encoder.encode`.
    pub fn arg<'a, 'py>(&self, obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Arg<'a, 'py>> {
        let py = obj.py();
        let p = obj.as_ptr();
        // SAFETY: `p` is a live object for 'a (borrowed from the caller's
        // tuple or arguments); the type checks only read its type.
        unsafe {
            if ffi::PyBytes_Check(p) != 0 {
                return Ok(Arg::Borrowed(bytes_of(p)));
            }
            if ffi::PyUnicode_Check(p) != 0 {
                return self.encode_str(obj);
            }
            if ffi::PyBool_Check(p) != 0 {
                return Err(invalid_input(obj));
            }
            if let Some(v) = exact_int(obj) {
                return Ok(Arg::int(v));
            }
            if ffi::PyLong_Check(p) != 0 || ffi::PyFloat_Check(p) != 0 {
                // repr(value).encode(): Python's shortest float repr, the
                // decimal digits of a huge int, a subclass's own __repr__.
                let text = obj.repr()?;
                let b = Bound::from_owned_ptr_or_err(py, ffi::PyUnicode_AsUTF8String(text.as_ptr()))?;
                return Ok(Arg::Held(b.cast_into_unchecked()));
            }
            if ffi::PyMemoryView_Check(p) != 0 {
                let b = Bound::from_owned_ptr_or_err(py, ffi::PyBytes_FromObject(p))?;
                return Ok(Arg::Held(b.cast_into_unchecked()));
            }
        }
        Err(invalid_input(obj))
    }

    /// A str with the session's encoding and error handler.
    fn encode_str<'a, 'py>(&self, obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Arg<'a, 'py>> {
        if self.utf8 {
            match utf8_str(obj) {
                Ok(a) => return Ok(a),
                // Surrogates: only a handler other than "strict" can take them.
                Err(e) if self.strict => return Err(e),
                Err(_) => {}
            }
        }
        // SAFETY: `obj` is a str; the C strings live as long as `self`.
        unsafe {
            let b = ffi::PyUnicode_AsEncodedString(obj.as_ptr(), self.encoding_c.as_ptr(), self.errors_c.as_ptr());
            let b = Bound::from_owned_ptr_or_err(obj.py(), b)?;
            Ok(Arg::Held(b.cast_into::<PyBytes>()?))
        }
    }

    /// A command: its arguments encoded, the first split on whitespace if
    /// it is a str or holds a space, as redis-py's connection does
    /// (`execute_command("CONFIG GET", "x")` sends CONFIG, GET, x).
    pub fn command<'a, 'py>(
        &self,
        mut items: impl Iterator<Item = Borrowed<'a, 'py, PyAny>>,
    ) -> PyResult<Args<'a, 'py>> {
        let mut out = Args::new();
        let Some(first) = items.next() else { return Ok(out) };
        // SAFETY: type check of a live object.
        let is_str = unsafe { ffi::PyUnicode_Check(first.as_ptr()) != 0 };
        // redis-py: `args[0].encode()` (UTF-8 whatever the session's encoding).
        let name = if is_str { utf8_str(first)? } else { self.arg(first)? };
        let split = is_str || (matches!(name, Arg::Borrowed(_)) && name.bytes().contains(&b' '));
        if !split {
            out.push(name);
        } else {
            let ws = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
            match name {
                Arg::Borrowed(b) => out.extend(b.split(ws).filter(|p| !p.is_empty()).map(Arg::Borrowed)),
                other => {
                    let parts: Vec<Vec<u8>> =
                        other.bytes().split(ws).filter(|p| !p.is_empty()).map(<[u8]>::to_vec).collect();
                    out.extend(parts.into_iter().map(Arg::Owned));
                }
            }
        }
        for obj in items {
            out.push(self.arg(obj)?);
        }
        Ok(out)
    }

    /// A string reply: bytes, or str with `decode_responses`.
    #[inline]
    pub fn text<'py>(&self, py: Python<'py>, b: &[u8]) -> PyResult<Bound<'py, PyAny>> {
        if !self.decode {
            return Ok(PyBytes::new(py, b).into_any());
        }
        let (ptr, len) = (b.as_ptr() as *const c_char, b.len() as ffi::Py_ssize_t);
        // SAFETY: `ptr` points at `len` readable bytes; the C strings live
        // as long as `self`. A NULL result carries the decode error.
        unsafe {
            let s = if self.utf8 && self.strict {
                ffi::PyUnicode_DecodeUTF8(ptr, len, std::ptr::null())
            } else {
                ffi::PyUnicode_Decode(ptr, len, self.encoding_c.as_ptr(), self.errors_c.as_ptr())
            };
            Bound::from_owned_ptr_or_err(py, s)
        }
    }

    /// An optional string reply (None for nil).
    #[inline]
    pub fn opt_text<'py>(&self, py: Python<'py>, b: Option<&[u8]>) -> PyResult<Bound<'py, PyAny>> {
        match b {
            Some(b) => self.text(py, b),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// A command's reply for a session speaking `protocol`: an error reply
    /// is raised.
    pub fn reply<'py>(&self, py: Python<'py>, r: Reply, protocol: u8) -> PyResult<Bound<'py, PyAny>> {
        match r.into_protocol(protocol) {
            Reply::Error(e) => Err(error::reply_error(py, &e)),
            r => self.value(py, r),
        }
    }

    /// A reply as a value; an error reply becomes an exception instance.
    pub fn value<'py>(&self, py: Python<'py>, r: Reply) -> PyResult<Bound<'py, PyAny>> {
        Ok(match r {
            Reply::Nil | Reply::NilArray => py.None().into_bound(py),
            Reply::Integer(i) => i.into_pyobject(py)?.into_any(),
            Reply::Double(d) => PyFloat::new(py, d).into_any(),
            Reply::Boolean(b) => PyBool::new(py, b).to_owned().into_any(),
            Reply::Bulk(v) | Reply::Verbatim(_, v) => self.text(py, &v)?,
            Reply::Status(s) => self.text(py, s.as_bytes())?,
            Reply::Error(e) => error::instance(py, &e)?,
            Reply::Array(items) => self.list(py, items)?,
            // RESP3 only (a RESP2 reply was folded into an array). Elements
            // that cannot be hashed (never from Redis's commands) keep the
            // RESP2 shape rather than fail.
            Reply::Set(items) => {
                let items = self.values(py, items)?;
                match PySet::new(py, &items) {
                    Ok(s) => s.into_any(),
                    Err(_) => PyList::new(py, items)?.into_any(),
                }
            }
            Reply::Map(pairs) => {
                let dict = PyDict::new(py);
                let mut flat = Vec::new();
                for (k, v) in pairs {
                    let (k, v) = (self.value(py, k)?, self.value(py, v)?);
                    if !flat.is_empty() || dict.set_item(&k, &v).is_err() {
                        flat.extend([k, v]);
                    }
                }
                if flat.is_empty() {
                    dict.into_any()
                } else {
                    let mut all: Vec<Bound<'py, PyAny>> = Vec::new();
                    for (k, v) in dict.iter() {
                        all.extend([k, v]);
                    }
                    all.extend(flat);
                    PyList::new(py, all)?.into_any()
                }
            }
        })
    }

    pub fn list<'py>(&self, py: Python<'py>, items: Vec<Reply>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyList::new(py, self.values(py, items)?)?.into_any())
    }

    fn values<'py>(&self, py: Python<'py>, items: Vec<Reply>) -> PyResult<Vec<Bound<'py, PyAny>>> {
        items.into_iter().map(|r| self.value(py, r)).collect()
    }
}

/// An int that is exactly `int` (not bool, not a subclass) and fits i64.
pub(crate) fn exact_int(obj: Borrowed<'_, '_, PyAny>) -> Option<i64> {
    let p = obj.as_ptr();
    // SAFETY: `p` is a live object; the error of an overflow is cleared.
    unsafe {
        if ffi::PyLong_CheckExact(p) == 0 {
            return None;
        }
        let mut overflow = 0;
        let v = ffi::PyLong_AsLongLongAndOverflow(p, &mut overflow);
        if overflow != 0 || (v == -1 && !ffi::PyErr_Occurred().is_null()) {
            ffi::PyErr_Clear();
            return None;
        }
        Some(v)
    }
}

/// The bytes of a bytes object, valid while the object lives.
///
/// # Safety
/// `p` is a live bytes object that outlives 'a.
#[inline]
unsafe fn bytes_of<'a>(p: *mut ffi::PyObject) -> &'a [u8] {
    // SAFETY: as the caller vouches; bytes objects are immutable.
    unsafe {
        let data = ffi::PyBytes_AsString(p) as *const u8;
        std::slice::from_raw_parts(data, ffi::PyBytes_Size(p) as usize)
    }
}

/// A str's UTF-8 (strict: surrogates raise UnicodeEncodeError, with the
/// message `str.encode` gives).
fn utf8_str<'a, 'py>(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Arg<'a, 'py>> {
    #[cfg(not(windows))]
    // SAFETY: `obj` is a str alive for 'a; the UTF-8 buffer the call
    // returns belongs to it (cached inside it) and lives as long.
    unsafe {
        let mut len: ffi::Py_ssize_t = 0;
        let data = PyUnicode_AsUTF8AndSize(obj.as_ptr(), &mut len);
        if data.is_null() {
            return Err(PyErr::fetch(obj.py()));
        }
        Ok(Arg::Borrowed(std::slice::from_raw_parts(data as *const u8, len as usize)))
    }
    #[cfg(windows)]
    // SAFETY: `obj` is a str.
    unsafe {
        let b = Bound::from_owned_ptr_or_err(obj.py(), ffi::PyUnicode_AsUTF8String(obj.as_ptr()))?;
        Ok(Arg::Held(b.cast_into_unchecked()))
    }
}

/// redis-py's DataError for a value it cannot encode.
fn invalid_input(obj: Borrowed<'_, '_, PyAny>) -> PyErr {
    let py = obj.py();
    let name = match obj.get_type().name() {
        Ok(n) => n.to_string(),
        Err(e) => return e,
    };
    error::new_err(
        py,
        Class::Data,
        format!("Invalid input of type: '{name}'. Convert to a bytes, string, int or float first."),
    )
}
