//! Typed paths for the hot commands: `Session.get(name)` and friends call
//! the engine's typed fast paths (`kv_core::Session::get`, ...) with the
//! GIL held, skipping the command table, argument parsing and `Reply`.
//! Each returns exactly what redis-py's method of the same name returns
//! (its response callback applied: True for SET, bool for EXPIRE, float
//! for ZSCORE, ...). An argument of another type than the plain one (a str
//! TTL, a Decimal score) goes through `execute`, so it behaves exactly as
//! the command would.

use kv_core::ZAddFlags;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyFloat, PyList, PyString, PyTuple};

use crate::convert::{self, slices, Arg, Args};
use crate::error;
use crate::session::{Gil, Session};

/// The Python objects the methods below take and return.
type Obj<'py> = Bound<'py, PyAny>;
type Tuple<'py> = Bound<'py, PyTuple>;
type Dict<'py> = Bound<'py, PyDict>;

fn exact_int(obj: &Bound<'_, PyAny>) -> Option<i64> {
    convert::exact_int(obj.as_borrowed())
}

/// A score sent as redis-py sends it (`repr()`) that the engine would
/// parse to the same double: an exact float, or an exact int that a double
/// holds exactly.
fn exact_score(obj: &Bound<'_, PyAny>) -> Option<f64> {
    // SAFETY: type check of a live object.
    if unsafe { ffi::PyFloat_CheckExact(obj.as_ptr()) } != 0 {
        return obj.cast::<PyFloat>().ok().map(|f| f.value());
    }
    exact_int(obj).filter(|v| v.unsigned_abs() <= 1 << 53).map(|v| v as f64)
}

impl Session {
    /// One argument.
    fn key<'a, 'py>(&self, obj: &'a Obj<'py>) -> PyResult<Arg<'a, 'py>> {
        self.codec.arg(obj.as_borrowed())
    }

    /// Many arguments.
    fn keys<'a, 'py>(&self, objs: impl Iterator<Item = &'a Obj<'py>>) -> PyResult<Args<'a, 'py>>
    where
        'py: 'a,
    {
        objs.map(|o| self.key(o)).collect()
    }

    /// The items of a tuple (`*values`), read in place.
    fn tuple_args<'a, 'py>(&self, t: &'a Tuple<'py>) -> PyResult<Args<'a, 'py>> {
        t.iter_borrowed().map(|o| self.codec.arg(o)).collect()
    }

    /// The command through `execute`, for arguments the typed path does
    /// not take.
    fn generic<'py>(&self, py: Python<'py>, name: &str, args: Vec<Obj<'py>>) -> PyResult<Obj<'py>> {
        let mut all = vec![PyString::new(py, name).into_any()];
        all.extend(args);
        let tuple = PyTuple::new(py, all)?;
        let argv = self.codec.command(tuple.iter_borrowed())?;
        let argv = slices(&argv);
        let (reply, protocol) = self.run(py, Gil::of(&argv), |s| (s.execute_slices(&argv), s.protocol()))?;
        self.finish(py, reply, protocol)
    }

    /// A typed path (GIL held, see [`Session::quick`]); its error raised.
    #[inline]
    fn fast<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut kv_core::Session) -> Result<R, kv_core::Error> + Send,
    ) -> PyResult<R> {
        self.quick(py, f)?.map_err(|e| error::fast(py, e))
    }

    /// A typed path on one key.
    #[inline]
    fn on_key<R: Send>(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        f: impl FnOnce(&mut kv_core::Session, &[u8]) -> Result<R, kv_core::Error> + Send,
    ) -> PyResult<R> {
        let key = self.key(name)?;
        let key = key.bytes();
        self.fast(py, |s| f(s, key))
    }

    /// A typed path on a key and one more argument (a value, field or member).
    #[inline]
    fn on_key_arg<R: Send>(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        arg: &Bound<'_, PyAny>,
        f: impl FnOnce(&mut kv_core::Session, &[u8], &[u8]) -> Result<R, kv_core::Error> + Send,
    ) -> PyResult<R> {
        let (key, arg) = (self.key(name)?, self.key(arg)?);
        let (key, arg) = (key.bytes(), arg.bytes());
        self.fast(py, |s| f(s, key, arg))
    }

    /// A typed path on `*names` that counts (DEL, EXISTS); none goes
    /// through the command, for its arity error.
    fn on_keys<'py>(
        &self,
        py: Python<'py>,
        cmd: &str,
        names: &Tuple<'py>,
        f: impl FnOnce(&mut kv_core::Session, &[&[u8]]) -> Result<usize, kv_core::Error> + Send,
    ) -> PyResult<Obj<'py>> {
        if names.is_empty() {
            return self.generic(py, cmd, vec![]);
        }
        let keys = self.tuple_args(names)?;
        let keys = slices(&keys);
        py_int(py, self.fast(py, |s| f(s, &keys))?)
    }

    /// A typed path on `name, *values` that counts (LPUSH, SADD, ...); no
    /// value goes through the command, for its arity error.
    fn on_key_values<'py>(
        &self,
        py: Python<'py>,
        cmd: &str,
        name: &Obj<'py>,
        values: &Tuple<'py>,
        f: impl FnOnce(&mut kv_core::Session, &[u8], &[&[u8]]) -> Result<usize, kv_core::Error> + Send,
    ) -> PyResult<Obj<'py>> {
        if values.is_empty() {
            return self.generic(py, cmd, vec![name.clone()]);
        }
        let key = self.key(name)?;
        let values = self.tuple_args(values)?;
        let values = slices(&values);
        let key = key.bytes();
        py_int(py, self.fast(py, |s| f(s, key, &values))?)
    }
}

fn to_float<'py>(py: Python<'py>, v: Obj<'py>) -> PyResult<Obj<'py>> {
    if v.is_none() {
        return Ok(v);
    }
    py.get_type::<PyFloat>().call1((v,))
}

fn py_int(py: Python<'_>, n: usize) -> PyResult<Bound<'_, PyAny>> {
    Ok(n.into_pyobject(py)?.into_any())
}

#[pymethods]
impl Session {
    /// GET name
    fn get<'py>(&self, py: Python<'py>, name: &Obj<'py>) -> PyResult<Obj<'py>> {
        let key = self.key(name)?;
        let key = key.bytes();
        // Bytes are made from the stored value, not from a copy of it. Not
        // a decoded str: a decode error allocates an exception, which may
        // run the garbage collector and finalizers while the engine's lock
        // is held.
        if !self.codec.decode {
            if let Some(r) = self.under_gil(py, |s| s.get_with(key, |v| PyBytes::new(py, v).into_any()))? {
                return Ok(r.map_err(|e| error::fast(py, e))?.unwrap_or_else(|| py.None().into_bound(py)));
            }
        }
        let v = self.fast(py, |s| s.get(key))?;
        self.codec.opt_text(py, v.as_deref())
    }

    /// SET name value: True.
    fn set<'py>(&self, py: Python<'py>, name: &Obj<'py>, value: &Obj<'py>) -> PyResult<bool> {
        self.on_key_arg(py, name, value, |s, k, v| s.set(k, v))?;
        Ok(true)
    }

    /// SETEX name seconds value: True.
    fn setex<'py>(&self, py: Python<'py>, name: &Obj<'py>, time: &Obj<'py>, value: &Obj<'py>) -> PyResult<bool> {
        // Outside 1..=i64::MAX/1000 the command itself gives Redis's errors.
        match exact_int(time).filter(|&t| t > 0 && t <= i64::MAX / 1000) {
            Some(secs) => {
                self.on_key_arg(py, name, value, |s, k, v| s.set_ex(k, v, secs as u64 * 1000))?;
            }
            None => {
                self.generic(py, "SETEX", vec![name.clone(), time.clone(), value.clone()])?;
            }
        }
        Ok(true)
    }

    /// INCRBY name amount: the new value.
    #[pyo3(signature = (name, amount=None))]
    fn incrby<'py>(&self, py: Python<'py>, name: &Obj<'py>, amount: Option<&Obj<'py>>) -> PyResult<Obj<'py>> {
        let n = match amount {
            None => 1,
            Some(a) => match exact_int(a) {
                Some(n) => n,
                None => return self.generic(py, "INCRBY", vec![name.clone(), a.clone()]),
            },
        };
        Ok(self.on_key(py, name, |s, k| s.incr_by(k, n))?.into_pyobject(py)?.into_any())
    }

    /// DEL name [name ...]: how many were removed.
    #[pyo3(signature = (*names))]
    fn delete<'py>(&self, py: Python<'py>, names: &Tuple<'py>) -> PyResult<Obj<'py>> {
        self.on_keys(py, "DEL", names, |s, keys| s.del(keys))
    }

    /// EXISTS name [name ...]: how many exist.
    #[pyo3(signature = (*names))]
    fn exists<'py>(&self, py: Python<'py>, names: &Tuple<'py>) -> PyResult<Obj<'py>> {
        self.on_keys(py, "EXISTS", names, |s, keys| Ok(s.exists(keys)))
    }

    /// EXPIRE name seconds: whether the key exists.
    fn expire<'py>(&self, py: Python<'py>, name: &Obj<'py>, time: &Obj<'py>) -> PyResult<bool> {
        // Within ±2^40 s, seconds * 1000 + now cannot overflow: the same
        // result as EXPIRE's; beyond, the command gives Redis's error.
        match exact_int(time).filter(|t| t.unsigned_abs() <= 1 << 40) {
            Some(secs) => self.on_key(py, name, |s, k| s.expire(k, secs * 1000)),
            None => self.generic(py, "EXPIRE", vec![name.clone(), time.clone()])?.is_truthy(),
        }
    }

    /// MGET keys: a list of values (None for missing keys).
    fn mget<'py>(&self, py: Python<'py>, keys: &Obj<'py>) -> PyResult<Obj<'py>> {
        // redis-py's list_or_args: one key may be given alone.
        let items: Vec<Obj<'py>> = if keys.is_instance_of::<pyo3::types::PyBytes>() || keys.is_instance_of::<PyString>()
        {
            vec![keys.clone()]
        } else {
            keys.try_iter()?.collect::<PyResult<_>>()?
        };
        if items.is_empty() {
            return self.generic(py, "MGET", vec![]);
        }
        let encoded = self.keys(items.iter())?;
        let encoded = slices(&encoded);
        let values = self.fast(py, |s| s.mget(&encoded))?;
        let values = values.into_iter().map(|v| self.codec.opt_text(py, v.as_deref())).collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, values)?.into_any())
    }

    /// HGET name key
    fn hget<'py>(&self, py: Python<'py>, name: &Obj<'py>, key: &Obj<'py>) -> PyResult<Obj<'py>> {
        let v = self.on_key_arg(py, name, key, |s, k, f| s.hget(k, f))?;
        self.codec.opt_text(py, v.as_deref())
    }

    /// HSET name key value: how many fields were added.
    fn hset<'py>(&self, py: Python<'py>, name: &Obj<'py>, key: &Obj<'py>, value: &Obj<'py>) -> PyResult<usize> {
        let (name, field, value) = (self.key(name)?, self.key(key)?, self.key(value)?);
        let (name, field, value) = (name.bytes(), field.bytes(), value.bytes());
        self.fast(py, |s| s.hset(name, &[(field, value)]))
    }

    /// HSET name with every pair of a mapping: how many fields were added.
    fn hmset_dict<'py>(&self, py: Python<'py>, name: &Obj<'py>, mapping: &Dict<'py>) -> PyResult<Obj<'py>> {
        let pairs: Vec<(Obj<'py>, Obj<'py>)> = mapping.iter().collect();
        if pairs.is_empty() {
            return self.generic(py, "HSET", vec![name.clone()]);
        }
        let key = self.key(name)?;
        let encoded = pairs.iter().map(|(f, v)| Ok((self.key(f)?, self.key(v)?))).collect::<PyResult<Vec<_>>>()?;
        let refs: Vec<(&[u8], &[u8])> = encoded.iter().map(|(f, v)| (f.bytes(), v.bytes())).collect();
        let key = key.bytes();
        py_int(py, self.fast(py, |s| s.hset(key, &refs))?)
    }

    /// LPOP name
    fn lpop<'py>(&self, py: Python<'py>, name: &Obj<'py>) -> PyResult<Obj<'py>> {
        let v = self.on_key(py, name, |s, k| s.lpop(k))?;
        self.codec.opt_text(py, v.as_deref())
    }

    /// RPOP name
    fn rpop<'py>(&self, py: Python<'py>, name: &Obj<'py>) -> PyResult<Obj<'py>> {
        let v = self.on_key(py, name, |s, k| s.rpop(k))?;
        self.codec.opt_text(py, v.as_deref())
    }

    /// LLEN name
    fn llen<'py>(&self, py: Python<'py>, name: &Obj<'py>) -> PyResult<usize> {
        self.on_key(py, name, |s, k| s.llen(k))
    }

    /// SISMEMBER name value: 1 or 0 (an int, as redis-py returns).
    fn sismember<'py>(&self, py: Python<'py>, name: &Obj<'py>, value: &Obj<'py>) -> PyResult<i64> {
        Ok(self.on_key_arg(py, name, value, |s, k, m| s.sismember(k, m))? as i64)
    }

    /// SCARD name
    fn scard<'py>(&self, py: Python<'py>, name: &Obj<'py>) -> PyResult<usize> {
        self.on_key(py, name, |s, k| s.scard(k))
    }

    /// ZADD name score member [score member ...] from a {member: score}
    /// mapping: how many members were added.
    fn zadd<'py>(&self, py: Python<'py>, name: &Obj<'py>, mapping: &Dict<'py>) -> PyResult<Obj<'py>> {
        let pairs: Vec<(Obj<'py>, Obj<'py>)> = mapping.iter().collect();
        let scores: Option<Vec<f64>> = pairs.iter().map(|(_, s)| exact_score(s)).collect();
        let Some(scores) = scores.filter(|s| !s.is_empty()) else {
            let args = std::iter::once(name.clone()).chain(pairs.into_iter().flat_map(|(m, s)| [s, m])).collect();
            return self.generic(py, "ZADD", args);
        };
        let key = self.key(name)?;
        let members = self.keys(pairs.iter().map(|(m, _)| m))?;
        let refs: Vec<(f64, &[u8])> = scores.into_iter().zip(members.iter().map(Arg::bytes)).collect();
        let key = key.bytes();
        py_int(py, self.fast(py, |s| s.zadd_with(key, ZAddFlags::default(), &refs))?)
    }

    /// ZSCORE name value: the score as a float, None if absent.
    fn zscore<'py>(&self, py: Python<'py>, name: &Obj<'py>, value: &Obj<'py>) -> PyResult<Option<f64>> {
        self.on_key_arg(py, name, value, |s, k, m| s.zscore(k, m))
    }

    /// ZINCRBY name amount value: the new score.
    fn zincrby<'py>(
        &self,
        py: Python<'py>,
        name: &Obj<'py>,
        amount: &Obj<'py>,
        value: &Obj<'py>,
    ) -> PyResult<Obj<'py>> {
        match exact_score(amount) {
            Some(by) => {
                Ok(PyFloat::new(py, self.on_key_arg(py, name, value, |s, k, m| s.zincrby(k, by, m))?).into_any())
            }
            None => to_float(py, self.generic(py, "ZINCRBY", vec![name.clone(), amount.clone(), value.clone()])?),
        }
    }
}

/// The typed paths taking `name, *values` that reply a count, each the
/// core's method of the same name; `#[pymethods]` cannot hold a macro call
/// that expands to methods, so the macro makes the whole block (pyo3's
/// multiple-pymethods).
macro_rules! key_values_methods {
    ($($(#[doc = $doc:literal])* fn $method:ident => $cmd:literal;)*) => {
        #[pymethods]
        impl Session {
            $(
                $(#[doc = $doc])*
                #[pyo3(signature = (name, *values))]
                fn $method<'py>(&self, py: Python<'py>, name: &Obj<'py>, values: &Tuple<'py>) -> PyResult<Obj<'py>> {
                    self.on_key_values(py, $cmd, name, values, |s, k, v| s.$method(k, v))
                }
            )*
        }
    };
}

key_values_methods! {
    /// LPUSH name value [value ...]: the list's length.
    fn lpush => "LPUSH";
    /// RPUSH name value [value ...]: the list's length.
    fn rpush => "RPUSH";
    /// SADD name value [value ...]: how many were added.
    fn sadd => "SADD";
    /// SREM name value [value ...]: how many were removed.
    fn srem => "SREM";
}
