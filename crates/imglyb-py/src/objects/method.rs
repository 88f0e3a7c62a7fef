//! `JavaMethod`: all overloads of one name, bound to an object or a class.

use std::sync::Arc;

use imglyb_core::JRef;
use imglyb_core::bridge::overload::Mode;
use imglyb_core::bridge::reflect::{ClassInfo, MethodGroup};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::call::call_group;
use super::class::instance_of;
use super::with_items;
use crate::handles::JavaObject;

/// A Java method (all overloads of one name), bound to an object or a class.
#[pyclass(module = "imglyb", name = "JavaMethod", frozen)]
#[derive(Debug)]
pub struct JavaMethod {
    pub(super) owner: Arc<ClassInfo>,
    pub(super) group: Arc<MethodGroup>,
    pub(super) target: Option<Arc<JRef>>,
    pub(super) mode: Mode,
}

impl JavaMethod {
    fn call(&self, py: Python<'_>, args: &[Bound<'_, PyAny>]) -> PyResult<Py<PyAny>> {
        if self.mode == Mode::Instance {
            // Called through the class: the first argument is the object.
            let Some((first, rest)) = args.split_first() else {
                return Err(PyTypeError::new_err(format!(
                    "{}.{} is an instance method: call it on an object, or pass the object first",
                    self.owner.name(),
                    self.group.name
                )));
            };
            let target = first
                .cast::<JavaObject>()
                .ok()
                .map(|o| o.get().obj.obj.clone())
                .filter(|_| instance_of(py, first, &self.owner).unwrap_or(false))
                .ok_or_else(|| {
                    PyTypeError::new_err(format!(
                        "{}.{} needs a {} as its first argument",
                        self.owner.name(),
                        self.group.name,
                        self.owner.name()
                    ))
                })?;
            return call_group(py, &self.owner, &self.group, self.mode, Some(&target), rest);
        }
        call_group(
            py,
            &self.owner,
            &self.group,
            self.mode,
            self.target.as_ref(),
            args,
        )
    }
}

#[pymethods]
impl JavaMethod {
    #[pyo3(signature = (*args))]
    fn __call__(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        with_items(args, |args| self.call(py, args))?
    }

    fn __repr__(&self) -> String {
        format!(
            "<java method {}.{} ({} overload{})>",
            self.owner.name(),
            self.group.name,
            self.group.overloads.len(),
            if self.group.overloads.len() == 1 {
                ""
            } else {
                "s"
            }
        )
    }

    /// The Java signatures of the overloads.
    #[getter]
    fn signatures(&self) -> Vec<String> {
        self.group.overloads.iter().map(|m| m.signature()).collect()
    }
}
