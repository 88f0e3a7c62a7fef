//! What every call into Java from Python shares: overload resolution, argument conversion and
//! the call itself, with the GIL released.

use std::mem::ManuallyDrop;
use std::sync::Arc;

use imglyb_core::bridge::overload::{self, Mode};
use imglyb_core::bridge::reflect::{ClassInfo, MethodGroup};
use imglyb_core::jni::sys::jvalue;
use imglyb_core::{Bridge, JObj, JRef};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::convert::{self, PyArgs, to_arg, to_py};
use crate::java::{bridge, without_gil};

/// Resolves an overload for `args`, converts them and calls it with the GIL released.
///
/// A group with one fixed-arity overload skips resolution: converting the arguments is the
/// check, and only when it fails is the group resolved, for an error that lists the candidates.
/// Other groups look the arguments' cache key up first and classify them fully only on a miss.
///
/// Arguments refused with a `TypeError` are tried once more with every JPype object among them
/// replaced by its imglyb proxy, and every object that carries a Java object of its own
/// (`__javaobject__`: a `PythonJavaClass` of `imglyb.util`) by that (`imglyb.interop`), so they
/// pass wherever Java objects do, at no cost to other calls.
pub(crate) fn call_group(
    py: Python<'_>,
    owner: &ClassInfo,
    group: &MethodGroup,
    mode: Mode,
    target: Option<&Arc<JRef>>,
    args: &[Bound<'_, PyAny>],
) -> PyResult<Py<PyAny>> {
    let bridge = bridge()?;
    let cached = match call_prims(py, bridge, group, mode, target, args) {
        Lean::Done(result) => return result,
        Lean::Cached(r) => Some(r),
        Lean::No => None,
    };
    // Declared before the arguments converted from it, which may point into its proxies.
    let converted;
    let mut out = CallArgs::new();
    // Only a refusal of the arguments is retried, before anything reached Java.
    let choice = Choice { owner, group, mode };
    let m = match prepare(py, bridge, choice, args, cached, &mut out) {
        Err(e) if e.is_instance_of::<PyTypeError>(py) => match java_args(py, args)? {
            Some(c) => {
                converted = c;
                out = CallArgs::new();
                prepare(py, bridge, choice, &converted, None, &mut out)?
            }
            None => return Err(e),
        },
        other => other?,
    };
    let target = target.map(|t| &**t);
    let jargs = out.args();
    // SAFETY: `prepare` converted each argument to its parameter's type (`to_arg` checks a
    // Java object's class with `is_assignable`), and `target` is an object of `owner`, whose
    // methods these are: its own (a JavaObject's class comes from core), or checked with
    // `instance_of` when passed first through the class (`JavaMethod::call`).
    let value = without_gil(py, || unsafe { bridge.invoke_unchecked(m, target, jargs) })?;
    drop(out);
    to_py(py, value)
}

/// Most arguments a call takes on the lean path ([`call_prims`]).
const LEAN_ARGS: usize = 8;

/// JNI values of primitive arguments: plain bits that refer to nothing, so the call may read
/// them with the GIL released.
struct PrimValues([jvalue; LEAN_ARGS]);

// SAFETY: the array holds zeros and `prim_value`'s primitive members only; no value is a
// reference or pointer, so reading them from the call's GIL-free section shares plain numbers.
unsafe impl Sync for PrimValues {}

/// What the lean path ([`call_prims`]) did.
enum Lean {
    /// It made the call.
    Done(PyResult<Py<PyAny>>),
    /// It did not, but found the cache's overload for these arguments, which the general path
    /// then uses instead of looking it up again.
    Cached(overload::Resolved),
    /// It did not, and found nothing.
    No,
}

/// The lean path of [`call_group`]: when every argument is an exact built-in `int`, `float` or
/// `bool`, the overload is known without classifying them (the group's sole one, or the cache's
/// entry for their kinds) and its parameters are all primitive, each argument goes straight
/// into its JNI value, and the call builds, converts and frees nothing else. When any of that
/// does not hold, the general path does the whole work, errors included.
fn call_prims(
    py: Python<'_>,
    bridge: &Bridge,
    group: &MethodGroup,
    mode: Mode,
    target: Option<&Arc<JRef>>,
    args: &[Bound<'_, PyAny>],
) -> Lean {
    if args.len() > LEAN_ARGS || !args.iter().all(convert::is_plain_number) {
        return Lean::No;
    }
    let (m, cached) = match overload::sole(group, mode, args.len()) {
        Some(m) => (m, None),
        None => match overload::cached_args(group, mode, &PyArgs(args)) {
            Ok(Some(r)) if !r.spread => (&group.overloads[r.index], Some(r)),
            Ok(Some(r)) => return Lean::Cached(r),
            _ => return Lean::No,
        },
    };
    let mut values = PrimValues([jvalue { j: 0 }; LEAN_ARGS]);
    for ((slot, a), p) in values.0.iter_mut().zip(args).zip(&m.params) {
        match p.prim.and_then(|p| convert::prim_value(a, p)) {
            Some(v) => *slot = v,
            None => return cached.map_or(Lean::No, Lean::Cached),
        }
    }
    let values = &values;
    let n = args.len();
    let target = target.map(|t| &**t);
    // SAFETY: every parameter of `m` is primitive and `prim_value` wrote each value through
    // its parameter's member; `target` is an object of the class whose method this is, as in
    // `call_group`.
    let value = without_gil(py, || unsafe {
        bridge.invoke_values_unchecked(m, target, &values.0[..n])
    });
    Lean::Done(value.and_then(|v| to_py(py, v)))
}

/// `args` with JPype objects and objects carrying a Java object replaced by imglyb proxies, or
/// None when there are none.
fn java_args<'py>(
    py: Python<'py>,
    args: &[Bound<'py, PyAny>],
) -> PyResult<Option<Vec<Bound<'py, PyAny>>>> {
    let Some(convert) = crate::hooks::convert_args(py) else {
        return Ok(None);
    };
    let converted = convert.call1((PyTuple::new(py, args)?,))?;
    if converted.is_none() {
        return Ok(None);
    }
    Ok(Some(converted.try_iter()?.collect::<PyResult<Vec<_>>>()?))
}

/// The overload to call, with the arguments converted to its parameter types in `out`; a
/// `TypeError` when no overload takes them. `cached` is the cache's overload for these
/// arguments when the lean path already looked it up. Nothing reaches Java here.
fn prepare<'g>(
    py: Python<'_>,
    bridge: &Bridge,
    choice: Choice<'g>,
    args: &[Bound<'_, PyAny>],
    cached: Option<overload::Resolved>,
    out: &mut CallArgs,
) -> PyResult<&'g imglyb_core::bridge::reflect::MethodInfo> {
    let Choice { group, mode, .. } = choice;
    match overload::sole(group, mode, args.len()) {
        Some(m) => match convert_args(py, bridge, args, m, false, out) {
            Ok(()) => Ok(m),
            Err(e) if e.is_instance_of::<PyTypeError>(py) => {
                resolve_args(bridge, choice, args)?;
                Err(e)
            }
            Err(e) => Err(e),
        },
        None => {
            let r = match cached {
                Some(r) => r,
                None => resolve_args(bridge, choice, args)?,
            };
            let m = &group.overloads[r.index];
            convert_args(py, bridge, args, m, r.spread, out)?;
            Ok(m)
        }
    }
}

fn resolve_args(
    bridge: &Bridge,
    choice: Choice<'_>,
    args: &[Bound<'_, PyAny>],
) -> PyResult<overload::Resolved> {
    let classes = || bridge.raw_env().map_err(crate::errors::to_py_err);
    let Choice { owner, group, mode } = choice;
    overload::resolve_args(classes, owner.name(), group, mode, &PyArgs(args))
}

/// The overloads a call chooses from: a group of `owner`'s methods, in `mode`.
#[derive(Clone, Copy)]
struct Choice<'g> {
    owner: &'g ClassInfo,
    group: &'g MethodGroup,
    mode: Mode,
}

/// One call's arguments, converted, and what must live until the call returns (`keep`: the
/// conversions' Python-side owners). Up to [`INLINE_ARGS`] arguments are held in place, so a
/// call with few arguments allocates nothing for them.
struct CallArgs {
    /// The first `len` are arguments, the rest `Arg::Null`, which owns nothing: only the
    /// arguments are dropped ([`Drop`] below), not the whole array on every call.
    inline: ManuallyDrop<[imglyb_core::Arg; INLINE_ARGS]>,
    len: usize,
    heap: Vec<imglyb_core::Arg>,
    keep: Vec<Box<dyn Send>>,
}

const INLINE_ARGS: usize = 4;

impl CallArgs {
    fn new() -> CallArgs {
        CallArgs {
            inline: ManuallyDrop::new(std::array::from_fn(|_| imglyb_core::Arg::Null)),
            len: 0,
            heap: Vec::new(),
            keep: Vec::new(),
        }
    }

    /// Appends one argument; past [`INLINE_ARGS`], all of them move to the heap.
    fn push(&mut self, arg: imglyb_core::Arg) {
        if self.heap.is_empty() && self.len < INLINE_ARGS {
            // The slot holds `Arg::Null`: nothing to drop.
            std::mem::forget(std::mem::replace(&mut self.inline[self.len], arg));
            self.len += 1;
            return;
        }
        if self.heap.is_empty() {
            let inline = &mut self.inline[..self.len];
            self.heap.extend(
                inline
                    .iter_mut()
                    .map(|a| std::mem::replace(a, imglyb_core::Arg::Null)),
            );
        }
        self.heap.push(arg);
    }

    fn args(&self) -> &[imglyb_core::Arg] {
        if self.heap.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }
}

impl Drop for CallArgs {
    fn drop(&mut self) {
        for a in &mut self.inline[..self.len] {
            drop(std::mem::replace(a, imglyb_core::Arg::Null));
        }
    }
}

/// Converts `args` to `m`'s parameter types into `out`; with `spread`, the trailing arguments
/// fill the varargs array.
fn convert_args(
    py: Python<'_>,
    bridge: &Bridge,
    args: &[Bound<'_, PyAny>],
    m: &imglyb_core::bridge::reflect::MethodInfo,
    spread: bool,
    out: &mut CallArgs,
) -> PyResult<()> {
    let n = m.params.len();
    if spread {
        for (a, p) in args.iter().zip(&m.params[..n - 1]) {
            let arg = to_arg(py, bridge, a, p, &mut out.keep)?;
            out.push(arg);
        }
        let arg = convert::seq_arg(py, bridge, &args[n - 1..], &m.params[n - 1], &mut out.keep)?;
        out.push(arg);
    } else {
        for (a, p) in args.iter().zip(&m.params) {
            let arg = to_arg(py, bridge, a, p, &mut out.keep)?;
            out.push(arg);
        }
    }
    Ok(())
}

/// Calls the method `name` of `obj` with Python arguments.
pub(crate) fn call_named(
    py: Python<'_>,
    obj: &JObj,
    name: &str,
    args: &[Bound<'_, PyAny>],
) -> PyResult<Py<PyAny>> {
    let group = obj.class.methods.get(name).ok_or_else(|| {
        PyTypeError::new_err(format!("{} has no method {name}", obj.class.name()))
    })?;
    call_group(py, &obj.class, group, Mode::Any, Some(&obj.obj), args)
}
