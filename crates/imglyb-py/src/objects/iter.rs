//! `JavaIterator`: a Python iterator over a Java `Iterator` or array.

use imglyb_core::JObj;
use pyo3::prelude::*;

use super::call::call_named;
use crate::convert::to_py;
use crate::java::{bridge, without_gil};

/// A Python iterator over a Java `Iterator` or array.
#[pyclass(module = "imglyb", name = "JavaIterator")]
#[derive(Debug)]
pub struct JavaIterator {
    pub(super) source: IterSource,
}

#[derive(Debug)]
pub(super) enum IterSource {
    Iterator(JObj),
    Array {
        array: JObj,
        len: usize,
        next: usize,
    },
}

#[pymethods]
impl JavaIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        if let IterSource::Array { array, len, next } = &mut self.source {
            if *next >= *len {
                return Ok(None);
            }
            let i = *next;
            *next += 1;
            let bridge = bridge()?;
            let v = without_gil(py, || bridge.array_get(&bridge.array(array)?, i))?;
            return to_py(py, v).map(Some);
        }
        let IterSource::Iterator(it) = &self.source else {
            return Ok(None);
        };
        let more: bool = call_named(py, it, "hasNext", &[])?.extract(py)?;
        if more {
            Ok(Some(call_named(py, it, "next", &[])?))
        } else {
            Ok(None)
        }
    }
}
