//! What the Python package gives the native module: Python behaviour that the proxies need,
//! registered once when `imglyb` is imported (`_register_hooks`), so that this module never
//! imports the package (the dependency runs one way, package to native module). Like JPype's
//! customizers: the behaviour is looked up here, not by importing a module per call.
//!
//! Without registration (`imglyb._imglyb` imported on its own), each hook has a plain default:
//! no lazy JVM start, no image protocols on proxies, no argument hand-over from other bridges.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static ENSURE_JVM: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static CONVERT_ARGS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static ARRAYLIKE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Registers the package's hooks (the first registration of each stays):
/// - `ensure_jvm()`: starts the JVM with the configured settings (`imglyb._jvm.ensure_jvm`);
/// - `convert_args(args)`: a tuple of arguments with other bridges' objects replaced by imglyb
///   proxies, or None when there are none (`imglyb.interop._convert_args`);
/// - `arraylike`: the object whose functions give image proxies their array protocols
///   (`imglyb.arraylike`: `is_image`, `shape`, `ndim`, `dtype`, `to_array`, `getitem`, ...).
#[pyfunction]
pub(crate) fn _register_hooks(
    py: Python<'_>,
    ensure_jvm: Py<PyAny>,
    convert_args: Py<PyAny>,
    arraylike: Py<PyAny>,
) {
    ENSURE_JVM.get_or_init(py, || ensure_jvm);
    CONVERT_ARGS.get_or_init(py, || convert_args);
    ARRAYLIKE.get_or_init(py, || arraylike);
}

/// Starts the JVM through the package's configuration; false when no package registered.
pub(crate) fn ensure_jvm(py: Python<'_>) -> PyResult<bool> {
    match ENSURE_JVM.get(py) {
        Some(f) => f.call0(py).map(|_| true),
        None => Ok(false),
    }
}

/// The package's argument hand-over, if registered.
pub(crate) fn convert_args(py: Python<'_>) -> Option<&Bound<'_, PyAny>> {
    CONVERT_ARGS.get(py).map(|f| f.bind(py))
}

/// A function of the package's array protocols for image proxies, if registered.
pub(crate) fn arraylike<'py>(py: Python<'py>, name: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    match ARRAYLIKE.get(py) {
        Some(module) => Ok(Some(module.bind(py).getattr(name)?)),
        None => Ok(None),
    }
}
