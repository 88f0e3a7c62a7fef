//! Java class, object, method and array proxies, and the functions that make them:
//! `jimport`, `jinstance`, `jarray`. One file per Python class, as the Python face shows them:
//!
//! - [`class`]: `JavaClass` (static members, constructors) and `jimport`, `jinstance`;
//! - [`object`]: `JavaObject` (members, and the protocols of arrays, lists, maps and images);
//! - [`method`]: `JavaMethod`, all overloads of one name, bound to an object or a class;
//! - [`iter`]: `JavaIterator`, over a Java `Iterator` or array;
//! - [`array`]: the function `jarray`;
//! - [`call`]: what every call shares: overload resolution, argument conversion, the call.

use pyo3::exceptions::PyAttributeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use imglyb_core::bridge::reflect::ClassInfo;

mod array;
mod call;
mod class;
mod iter;
mod method;
mod object;

pub use crate::handles::{JavaClass, JavaObject};
pub(crate) use class::jimport;
pub use iter::JavaIterator;

/// Strips one trailing `_` (for Java names that are Python keywords: `obj.import_`), if the
/// plain name is unknown.
pub(super) fn java_name(name: &str, known: impl Fn(&str) -> bool) -> &str {
    if !known(name)
        && let Some(stripped) = name.strip_suffix('_')
        && known(stripped)
    {
        return stripped;
    }
    name
}

pub(super) fn no_member(class: &ClassInfo, name: &str, what: &str) -> PyErr {
    PyAttributeError::new_err(format!(
        "Java {what} {} has no public {} named '{name}'",
        class.name(),
        if what == "class" {
            "static method, static field or constructor"
        } else {
            "method or field"
        }
    ))
}

/// Runs `f` on a tuple's items. The stable ABI has no borrowed view of a tuple's items, so they
/// are gathered first ([`with_gathered`]).
pub(super) fn with_items<R>(
    tuple: &Bound<'_, PyTuple>,
    f: impl FnOnce(&[Bound<'_, PyAny>]) -> R,
) -> PyResult<R> {
    with_gathered(tuple.len(), |i| tuple.get_item(i), f)
}

/// Runs `f` on the `n` values `item` gives: on the stack for up to four (most Java calls), in a
/// vector beyond. For a tuple's items and for a vectorcall's argument array alike.
pub(super) fn with_gathered<'py, R>(
    n: usize,
    item: impl Fn(usize) -> PyResult<Bound<'py, PyAny>>,
    f: impl FnOnce(&[Bound<'py, PyAny>]) -> R,
) -> PyResult<R> {
    Ok(match n {
        0 => f(&[]),
        1 => f(&[item(0)?]),
        2 => f(&[item(0)?, item(1)?]),
        3 => f(&[item(0)?, item(1)?, item(2)?]),
        4 => f(&[item(0)?, item(1)?, item(2)?, item(3)?]),
        _ => f(&(0..n).map(item).collect::<PyResult<Vec<_>>>()?),
    })
}

/// Registers the proxy classes in the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<JavaClass>()?;
    m.add_class::<JavaObject>()?;
    method::register(m)?;
    m.add_class::<JavaIterator>()?;
    m.add_function(wrap_pyfunction!(class::jimport, m)?)?;
    m.add_function(wrap_pyfunction!(class::jinstance, m)?)?;
    m.add_function(wrap_pyfunction!(array::jarray, m)?)?;
    Ok(())
}
