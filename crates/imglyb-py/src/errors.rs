//! The Python exception hierarchy and the one place that maps core errors onto it.
//!
//! ```text
//! ImglybError
//! ├── JavaException          a Java throwable (.java_class, .message, .stacktrace, .throwable)
//! ├── JVMNotFoundError       no Java installation found
//! ├── ImgLib2NotFoundError   ImgLib2 not on the classpath
//! ├── JVMAlreadyStartedError restart or reconfiguration refused
//! └── JVMForkedError         JVM used in a child forked after start
//! ```
//! Bad arguments raise `ValueError`; values Java cannot take, and calls no overload accepts,
//! raise `TypeError`, as Python users expect.

use imglyb_core::Error;
use pyo3::exceptions::{PyAttributeError, PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;

pyo3::create_exception!(
    imglyb,
    ImglybError,
    PyException,
    "Root of every imglyb error."
);
pyo3::create_exception!(
    imglyb,
    JavaException,
    ImglybError,
    "A Java exception: .java_class, .message, .stacktrace and .throwable (the Java object) describe it."
);
pyo3::create_exception!(
    imglyb,
    JVMNotFoundError,
    ImglybError,
    "No Java installation was found."
);
pyo3::create_exception!(
    imglyb,
    ImgLib2NotFoundError,
    ImglybError,
    "ImgLib2 is not on the Java classpath."
);
pyo3::create_exception!(
    imglyb,
    JVMAlreadyStartedError,
    ImglybError,
    "The JVM already runs and cannot be restarted or reconfigured."
);
pyo3::create_exception!(
    imglyb,
    JVMForkedError,
    ImglybError,
    "The JVM was used in a child process forked after it started."
);

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ImglybError", py.get_type::<ImglybError>())?;
    m.add("JavaException", py.get_type::<JavaException>())?;
    m.add("JVMNotFoundError", py.get_type::<JVMNotFoundError>())?;
    m.add(
        "ImgLib2NotFoundError",
        py.get_type::<ImgLib2NotFoundError>(),
    )?;
    m.add(
        "JVMAlreadyStartedError",
        py.get_type::<JVMAlreadyStartedError>(),
    )?;
    m.add("JVMForkedError", py.get_type::<JVMForkedError>())?;
    Ok(())
}

/// Maps a core error onto the Python exception hierarchy.
pub fn to_py_err(e: Error) -> PyErr {
    to_py_err_with(e, None)
}

/// [`to_py_err`], with the Java throwable's proxy for `JavaException.throwable`.
pub(crate) fn to_py_err_with(e: Error, throwable: Option<imglyb_core::JObj>) -> PyErr {
    let text = e.to_string();
    match e {
        Error::Java(t) => Python::attach(|py| {
            let throwable = match throwable {
                Some(obj) => match Py::new(py, crate::handles::JavaObject { obj }) {
                    Ok(o) => o.into_any(),
                    Err(e) => return e,
                },
                None => py.None(),
            };
            let err = JavaException::new_err(text);
            let value = err.value(py);
            let attrs = [
                (
                    "java_class",
                    t.class_name.into_pyobject(py).map(|o| o.into_any()),
                ),
                ("message", t.message.into_pyobject(py).map(|o| o.into_any())),
                (
                    "stacktrace",
                    t.stacktrace.into_pyobject(py).map(|o| o.into_any()),
                ),
                ("throwable", Ok(throwable.into_bound(py))),
            ];
            for (name, v) in attrs {
                if let Ok(v) = v
                    && let Err(e) = value.setattr(name, v)
                {
                    return e;
                }
            }
            err
        }),
        Error::JvmNotFound { .. } => JVMNotFoundError::new_err(text),
        Error::ImgLib2NotFound { .. } => ImgLib2NotFoundError::new_err(text),
        Error::JvmAlreadyStarted { .. } => JVMAlreadyStartedError::new_err(text),
        Error::ForkedChild => JVMForkedError::new_err(text),
        Error::InvalidArgument(_) => PyValueError::new_err(text),
        Error::TypeMismatch(_) => PyTypeError::new_err(text),
        Error::NoSuchMember(_) => PyAttributeError::new_err(text),
        Error::TooDeep(_) => pyo3::exceptions::PyRecursionError::new_err(text),
        _ => ImglybError::new_err(text),
    }
}
