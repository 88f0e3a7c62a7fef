//! The Python handles of Java objects, `JavaClass` and `JavaObject`: what every other module
//! passes around. Their methods (attribute access, calls, sequences) live in `objects`, on top
//! of argument conversion (`convert`), so that no module here imports one above it.

use std::sync::Arc;

use imglyb_core::JObj;
use imglyb_core::bridge::reflect::ClassInfo;
use pyo3::prelude::*;

/// A Java class: call it to construct, read and write static fields, call static methods.
#[pyclass(module = "imglyb", name = "JavaClass", frozen, dict)]
#[derive(Debug)]
pub struct JavaClass {
    pub(crate) info: Arc<ClassInfo>,
}

/// A Java object: methods and public fields by name; Java arrays, lists, maps and iterables
/// also behave as Python sequences, mappings and iterables.
#[pyclass(module = "imglyb", name = "JavaObject", frozen, weakref)]
#[derive(Debug)]
pub struct JavaObject {
    pub(crate) obj: JObj,
}
