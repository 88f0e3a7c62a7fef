//! `jarray`: new Java arrays from a length or from Python values.

use imglyb_core::Value;
use imglyb_core::jni::Prim;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyInt;

use super::class::{class_arg, load};
use crate::convert::{self, to_arg};
use crate::handles::JavaObject;
use crate::java::{bridge, without_gil};

/// A new Java array: `jarray("long", [1, 2])`, `jarray("double", 10)`,
/// `jarray("java.lang.String", ["a", "b"])`.
#[pyfunction]
pub(crate) fn jarray(
    py: Python<'_>,
    kind: &Bound<'_, PyAny>,
    length_or_values: &Bound<'_, PyAny>,
) -> PyResult<JavaObject> {
    let bridge = bridge()?;
    let prim = kind
        .extract::<String>()
        .ok()
        .and_then(|k| Prim::from_name(&k));
    if let Ok(len) = length_or_values.cast::<PyInt>() {
        let len: i64 = len.extract()?;
        let len = usize::try_from(len)
            .ok()
            .filter(|l| *l <= i32::MAX as usize)
            .ok_or_else(|| {
                PyValueError::new_err(format!("array length must be 0..2^31-1, not {len}"))
            })?;
        let value = match prim {
            Some(p) => without_gil(py, || bridge.new_prim_array(p, len))?,
            None => {
                let element = class_arg(py, kind)?;
                without_gil(py, || bridge.new_object_array(&element, len))?
            }
        };
        return into_jobject(value);
    }
    let array_name = match prim {
        Some(p) => format!("[{}", p.code()),
        None => {
            let element = class_arg(py, kind)?;
            if element.ty.prim.is_none() && element.ty.component.is_some() {
                format!("[{}", element.name())
            } else {
                format!("[L{};", element.name())
            }
        }
    };
    let array_type = load(py, bridge, &array_name)?;
    let mut keep = Vec::new();
    let arg = if convert::is_ndarray(length_or_values) {
        to_arg(py, bridge, length_or_values, &array_type.ty, &mut keep)?
    } else {
        let items: Vec<Bound<'_, PyAny>> = length_or_values
            .try_iter()
            .map_err(|_| {
                PyTypeError::new_err("jarray takes a length (int) or an iterable of values")
            })?
            .collect::<PyResult<_>>()?;
        convert::seq_arg(py, bridge, &items, &array_type.ty, &mut keep)?
    };
    let value = without_gil(py, || bridge.make(&arg))?;
    drop(keep);
    into_jobject(value)
}

fn into_jobject(value: Value) -> PyResult<JavaObject> {
    match value {
        Value::Object(obj) => Ok(JavaObject { obj }),
        other => Err(PyTypeError::new_err(format!(
            "expected a Java array, got {other:?}"
        ))),
    }
}
