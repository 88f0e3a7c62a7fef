//! What every call into Java from Python shares: overload resolution, argument conversion and
//! the call itself, with the GIL released.

use std::sync::Arc;

use imglyb_core::bridge::overload::{self, Mode};
use imglyb_core::bridge::reflect::{ClassInfo, MethodGroup};
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
    let mut keep: Vec<Box<dyn Send>> = Vec::new();
    // Declared before the arguments converted from it, which may point into its proxies.
    let converted;
    // Only a refusal of the arguments is retried, before anything reached Java.
    let (m, jargs) = match prepare(py, bridge, owner, group, mode, args, &mut keep) {
        Err(e) if e.is_instance_of::<PyTypeError>(py) => match java_args(py, args)? {
            Some(c) => {
                converted = c;
                keep.clear();
                prepare(py, bridge, owner, group, mode, &converted, &mut keep)?
            }
            None => return Err(e),
        },
        other => other?,
    };
    let target = target.map(|t| &**t);
    // SAFETY: `prepare` converted each argument to its parameter's type (`to_arg` checks a
    // Java object's class with `is_assignable`), and `target` is an object of `owner`, whose
    // methods these are: its own (a JavaObject's class comes from core), or checked with
    // `instance_of` when passed first through the class (`JavaMethod::call`).
    let value = without_gil(py, || unsafe { bridge.invoke_unchecked(m, target, &jargs) })?;
    drop(keep);
    to_py(py, value)
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

/// The overload to call and the arguments converted to its parameter types; a `TypeError`
/// when no overload takes them. Nothing reaches Java here.
fn prepare<'g>(
    py: Python<'_>,
    bridge: &Bridge,
    owner: &ClassInfo,
    group: &'g MethodGroup,
    mode: Mode,
    args: &[Bound<'_, PyAny>],
    keep: &mut Vec<Box<dyn Send>>,
) -> PyResult<(
    &'g imglyb_core::bridge::reflect::MethodInfo,
    Vec<imglyb_core::Arg>,
)> {
    match overload::sole(group, mode, args.len()) {
        Some(m) => match convert_args(py, bridge, args, m, false, keep) {
            Ok(jargs) => Ok((m, jargs)),
            Err(e) if e.is_instance_of::<PyTypeError>(py) => {
                resolve_args(bridge, owner, group, mode, args)?;
                Err(e)
            }
            Err(e) => Err(e),
        },
        None => {
            let r = resolve_args(bridge, owner, group, mode, args)?;
            let m = &group.overloads[r.index];
            Ok((m, convert_args(py, bridge, args, m, r.spread, keep)?))
        }
    }
}

fn resolve_args(
    bridge: &Bridge,
    owner: &ClassInfo,
    group: &MethodGroup,
    mode: Mode,
    args: &[Bound<'_, PyAny>],
) -> PyResult<overload::Resolved> {
    let classes = || bridge.raw_env().map_err(crate::errors::to_py_err);
    overload::resolve_args(classes, owner.name(), group, mode, &PyArgs(args))
}

/// Converts `args` to `m`'s parameter types; with `spread`, the trailing arguments fill the
/// varargs array.
fn convert_args(
    py: Python<'_>,
    bridge: &Bridge,
    args: &[Bound<'_, PyAny>],
    m: &imglyb_core::bridge::reflect::MethodInfo,
    spread: bool,
    keep: &mut Vec<Box<dyn Send>>,
) -> PyResult<Vec<imglyb_core::Arg>> {
    let n = m.params.len();
    let mut jargs = Vec::with_capacity(n);
    if spread {
        for (a, p) in args.iter().zip(&m.params[..n - 1]) {
            jargs.push(to_arg(py, bridge, a, p, keep)?);
        }
        jargs.push(convert::seq_arg(
            py,
            bridge,
            &args[n - 1..],
            &m.params[n - 1],
            keep,
        )?);
    } else {
        for (a, p) in args.iter().zip(&m.params) {
            jargs.push(to_arg(py, bridge, a, p, keep)?);
        }
    }
    Ok(jargs)
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
