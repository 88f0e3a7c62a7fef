//! Python objects implementing Java interfaces (`imglyb.jproxy`).
//!
//! A proxy's handle is a boxed `Py<PyAny>` (the implementation). Java may call it from any thread:
//! core's native method hands the call to [`PythonHost`], which converts Java's arguments while
//! still outside Python, then takes the GIL, calls the implementation and converts the result.
//! A Python exception becomes a Java `RuntimeException` whose message carries the traceback.
//! When Java collects the proxy, the handle is released and the implementation with it.

use std::sync::Arc;

use imglyb_core::bridge::reflect::ClassInfo;
use imglyb_core::{Arg, Bridge, Error, Value};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::convert::{to_py, utf16};
use crate::handles::{JavaClass, JavaObject};
use crate::java::{bridge, without_gil};

/// The process's proxy host.
struct PythonHost;

static HOST: PythonHost = PythonHost;

fn target(handle: i64) -> &'static Py<PyAny> {
    // SAFETY: `handle` came from `Box::into_raw` in `jproxy` and is released only by
    // `release`, which Java calls once, after the last possible `invoke`.
    unsafe { &*(handle as usize as *const Py<PyAny>) }
}

impl imglyb_core::ProxyHost for PythonHost {
    fn invoke(
        &self,
        _jvm: &Bridge,
        handle: i64,
        method: &str,
        args: Vec<Value>,
    ) -> Result<Arg, Error> {
        let outcome = Python::try_attach(|py| -> Result<Arg, Error> {
            let call = || -> PyResult<Arg> {
                let implementation = target(handle).bind(py);
                let args = args
                    .into_iter()
                    .map(|v| to_py(py, v))
                    .collect::<PyResult<Vec<_>>>()?;
                let args = PyTuple::new(py, args)?;
                let result = match implementation.getattr(method) {
                    Ok(f) => f.call1(args)?,
                    Err(_) if implementation.is_callable() => implementation.call1(args)?,
                    Err(e) => return Err(e),
                };
                natural(&result)
            };
            call().map_err(|e| {
                if e.is_instance_of::<pyo3::exceptions::PyRecursionError>(py) {
                    // Python's or imglyb's recursion limit: Java's kind of error, so the chain
                    // of callers unwinds as the StackOverflowError it is.
                    return Error::TooDeep(callback_error_text(py, method, &e));
                }
                java_error(py, &e)
                    .unwrap_or_else(|| Error::Callback(callback_error_text(py, method, &e)))
            })
        });
        outcome.unwrap_or_else(|| {
            Err(Error::Callback(format!(
                "the Python interpreter is shutting down; {method} was not called"
            )))
        })
    }

    fn release(&self, handle: i64) {
        let ptr = handle as usize as *mut Py<PyAny>;
        // SAFETY: see `target`; this is the one release of the handle.
        let boxed = unsafe { Box::from_raw(ptr) };
        if Python::try_attach(|_py| drop(boxed)).is_none() {
            // Python is gone; there is nothing left to release into.
        }
    }
}

/// A `JavaException` escaping the implementation is thrown in Java as the original throwable, so a
/// Java caller can catch it by its own type.
fn java_error(py: Python<'_>, e: &PyErr) -> Option<Error> {
    if !e.is_instance_of::<crate::errors::JavaException>(py) {
        return None;
    }
    let throwable = e.value(py).getattr("throwable").ok()?;
    let obj = throwable.cast::<JavaObject>().ok()?;
    bridge().ok()?.rethrow(&obj.get().obj).ok()
}

/// "Python exception in Runnable.run: ValueError: boom" plus the traceback text.
fn callback_error_text(py: Python<'_>, method: &str, e: &PyErr) -> String {
    let text = (|| -> PyResult<String> {
        let tb = py.import("traceback")?;
        let lines = tb.call_method1(
            "format_exception",
            (e.get_type(py), e.value(py), e.traceback(py)),
        )?;
        let lines: Vec<String> = lines.extract()?;
        Ok(lines.concat())
    })()
    .unwrap_or_else(|_| e.to_string());
    format!("Python exception in {method}: {e}\n{text}")
}

/// A Python value as a Java object of its natural type: `int` → `Integer` (`Long` beyond 32 bits,
/// as for arguments passed where Java takes an `Object`), `float` → `Double`,
/// `bool` → `Boolean`, `str` → `String`, lists → `ArrayList`. Java narrows to the method's
/// return type with range checks.
fn natural(obj: &Bound<'_, PyAny>) -> PyResult<Arg> {
    if obj.is_none() {
        return Ok(Arg::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Arg::Boxed(Box::new(Arg::Bool(b.is_true()))));
    }
    if let Ok(o) = obj.cast::<JavaObject>() {
        return Ok(Arg::Object(o.get().obj.obj.clone()));
    }
    if let Ok(c) = obj.cast::<JavaClass>() {
        return Ok(Arg::Object(c.get().info.class().clone()));
    }
    if obj.is_instance_of::<PyInt>() || obj.hasattr("__index__").unwrap_or(false) {
        let v: i64 = obj.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "{} does not fit a Java long",
                obj.repr().map(|r| r.to_string()).unwrap_or_default()
            ))
        })?;
        let boxed = match i32::try_from(v) {
            Ok(i) => Arg::Int(i),
            Err(_) => Arg::Long(v),
        };
        return Ok(Arg::Boxed(Box::new(boxed)));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(Arg::Boxed(Box::new(Arg::Double(obj.extract()?))));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Arg::Str(utf16(s)?));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items = obj
            .try_iter()?
            .map(|item| natural(&item?))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(Arg::List(items));
    }
    Err(PyTypeError::new_err(format!(
        "a {} cannot be returned to Java",
        obj.get_type().name()?
    )))
}

/// A Java object implementing `interfaces` whose methods call `implementation`.
///
/// Each interface method `m` calls `implementation.m(*args)`; an implementation without such an
/// attribute that is itself callable is called directly (a function for a one-method interface).
#[pyfunction]
pub(crate) fn jproxy(
    py: Python<'_>,
    interfaces: &Bound<'_, PyAny>,
    implementation: &Bound<'_, PyAny>,
) -> PyResult<JavaObject> {
    let bridge = bridge()?;
    let interfaces: Vec<Bound<'_, PyAny>> =
        if interfaces.is_instance_of::<PyString>() || interfaces.is_instance_of::<JavaClass>() {
            vec![interfaces.clone()]
        } else {
            interfaces.try_iter()?.collect::<PyResult<_>>()?
        };
    if interfaces.is_empty() {
        return Err(PyTypeError::new_err("jproxy needs at least one interface"));
    }
    let mut infos: Vec<Arc<ClassInfo>> = Vec::new();
    for i in &interfaces {
        let info = if let Ok(c) = i.cast::<JavaClass>() {
            c.get().info.clone()
        } else {
            let name: String = i.extract()?;
            crate::objects::jimport(py, &name)?.info
        };
        if !info.has(imglyb_core::bridge::reflect::flags::INTERFACE) {
            return Err(PyTypeError::new_err(format!(
                "{} is not an interface; jproxy implements interfaces only",
                info.name()
            )));
        }
        infos.push(info);
    }
    // A callable implements a functional interface; anything else must have at least one of the
    // interfaces' methods, or every call from Java would fail later, far from the mistake.
    if !implementation.is_callable() {
        let names: Vec<String> = infos.iter().flat_map(|i| i.member_names(false)).collect();
        let has_one = names.iter().any(|n| {
            implementation
                .getattr(n.as_str())
                .is_ok_and(|a| a.is_callable())
        });
        if !has_one {
            return Err(PyTypeError::new_err(format!(
                "jproxy needs a callable (for a functional interface) or an object with methods \
                 of {}; got {}",
                infos
                    .iter()
                    .map(|i| i.name())
                    .collect::<Vec<_>>()
                    .join(", "),
                implementation.get_type().name()?
            )));
        }
    }
    without_gil(py, || bridge.set_proxy_host(&HOST))?;
    let description = format!(
        "PythonProxy[{}]",
        infos
            .iter()
            .map(|i| i.name())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let handle = Box::into_raw(Box::new(implementation.clone().unbind())) as usize as i64;
    let obj = without_gil(py, || bridge.new_proxy(handle, &infos, &description))?;
    Ok(JavaObject { obj })
}
