//! `JavaClass`: a Java class's static methods, static fields and constructors; `jimport` and
//! `jinstance`.

use std::sync::Arc;

use imglyb_core::Bridge;
use imglyb_core::bridge::overload::Mode;
use imglyb_core::bridge::reflect::ClassInfo;
use pyo3::exceptions::{PyAttributeError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::call::call_group;
use super::method::JavaMethod;
use super::{java_name, no_member, with_items};
use crate::convert::{to_arg, to_py};
use crate::handles::{JavaClass, JavaObject};
use crate::java::{bridge, without_gil};

#[pymethods]
impl JavaClass {
    /// Constructs a new object.
    #[pyo3(signature = (*args))]
    fn __call__(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let Some(ctors) = &self.info.constructors else {
            return Err(PyTypeError::new_err(format!(
                "{} cannot be instantiated: it is an interface, an abstract class or has no \
                 public constructor",
                self.info.name()
            )));
        };
        with_items(args, |args| {
            call_group(py, &self.info, ctors, Mode::Any, None, args)
        })?
    }

    fn __getattr__(slf: &Bound<'_, Self>, name: &str) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let this = slf.get();
        let info = &this.info;
        let name = java_name(name, |n| {
            info.methods.contains_key(n) || info.fields.contains_key(n)
        });
        if let Some(group) = info.methods.get(name) {
            let mode = if group.has_static() {
                Mode::Static
            } else {
                Mode::Instance
            };
            let method = JavaMethod {
                owner: info.clone(),
                group: group.clone(),
                target: None,
                mode,
            }
            .into_py(py)?;
            // Cache the method on the instance so later lookups skip __getattr__.
            if let Ok(dict) = slf.getattr(intern!(py, "__dict__")) {
                dict.set_item(name, &method)?;
            }
            return Ok(method);
        }
        if let Some(field) = info.fields.get(name).filter(|f| f.is_static) {
            let bridge = bridge()?;
            let v = without_gil(py, || bridge.get_field(field, None))?;
            return to_py(py, v);
        }
        if name == "class_" {
            let bridge = bridge()?;
            let class = info.class().clone();
            let obj = without_gil(py, || bridge.wrap_ref(&class))?;
            return Ok(Py::new(py, JavaObject { obj })?.into_any());
        }
        Err(no_member(info, name, "class"))
    }

    fn __setattr__(&self, py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let bridge = bridge()?;
        let info = &self.info;
        let name = java_name(name, |n| info.fields.contains_key(n));
        let Some(field) = info.fields.get(name).filter(|f| f.is_static) else {
            return Err(PyAttributeError::new_err(format!(
                "Java class {} has no public static field named '{name}'",
                info.name()
            )));
        };
        let mut keep = Vec::new();
        let arg = to_arg(py, bridge, value, &field.ty, &mut keep)?;
        without_gil(py, || bridge.set_field(field, None, &arg))
    }

    fn __dir__(&self) -> Vec<String> {
        self.info.member_names(true)
    }

    fn __repr__(&self) -> String {
        format!("<java class '{}'>", self.info.name())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(other) = other.cast::<JavaClass>() else {
            return Ok(false);
        };
        Ok(Arc::ptr_eq(&self.info, &other.get().info))
    }

    fn __hash__(&self) -> isize {
        Arc::as_ptr(&self.info) as isize
    }

    fn __instancecheck__(&self, py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<bool> {
        instance_of(py, obj, &self.info)
    }

    /// The Java binary name, e.g. `java.util.ArrayList`.
    #[getter]
    fn __javaname__(&self) -> String {
        self.info.name().to_owned()
    }
}

pub(super) fn instance_of(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    class: &ClassInfo,
) -> PyResult<bool> {
    let Ok(o) = obj.cast::<JavaObject>() else {
        return Ok(false);
    };
    let bridge = bridge()?;
    let o = o.get().obj.obj.clone();
    without_gil(py, || bridge.is_instance(&o, class))
}

/// Loads a class by name through the bridge's class loader.
pub(super) fn load(
    py: Python<'_>,
    bridge: &'static Bridge,
    name: &str,
) -> PyResult<Arc<ClassInfo>> {
    match without_gil(py, || bridge.class_info(name)) {
        Ok(info) => Ok(info),
        Err(e) => {
            // `java.util.Map.Entry` means `java.util.Map$Entry`.
            let mut candidate = name.to_owned();
            while let Some(dot) = candidate.rfind('.') {
                candidate.replace_range(dot..=dot, "$");
                if let Ok(info) = without_gil(py, || bridge.class_info(&candidate)) {
                    return Ok(info);
                }
            }
            Err(e)
        }
    }
}

/// A Java class proxy by binary name, e.g. `jimport("java.util.ArrayList")`.
#[pyfunction]
pub(crate) fn jimport(py: Python<'_>, name: &str) -> PyResult<JavaClass> {
    let bridge = bridge()?;
    if name.is_empty() || name.contains('/') {
        return Err(PyValueError::new_err(format!(
            "jimport takes a binary class name like 'java.util.ArrayList' or 'Outer$Inner', not {name:?}"
        )));
    }
    Ok(JavaClass {
        info: load(py, bridge, name)?,
    })
}

/// The class named by a string or a class proxy.
pub(super) fn class_arg(py: Python<'_>, class: &Bound<'_, PyAny>) -> PyResult<Arc<ClassInfo>> {
    if let Ok(c) = class.cast::<JavaClass>() {
        return Ok(c.get().info.clone());
    }
    let name: String = class.extract().map_err(|_| {
        PyTypeError::new_err("expected a Java class name (str) or a class from imglyb.jimport")
    })?;
    load(py, bridge()?, &name)
}

/// Whether `obj` is a Java object that is an instance of `class` (a name or a class proxy).
#[pyfunction]
pub(crate) fn jinstance(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    class_: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    let info = class_arg(py, class_)?;
    instance_of(py, obj, &info)
}
