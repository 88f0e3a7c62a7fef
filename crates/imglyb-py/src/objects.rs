//! Java class, object, method and array proxies, and the functions that make them:
//! `jimport`, `jinstance`, `jarray`.

use std::sync::Arc;

use imglyb_core::bridge::overload::{self, Mode};
use imglyb_core::bridge::reflect::{ClassInfo, MethodGroup, flags};
use imglyb_core::jni::Prim;
use imglyb_core::{Bridge, JObj, JRef, Value};
use pyo3::exceptions::{PyAttributeError, PyIndexError, PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PySlice, PyString, PyTuple};
use pyo3::{IntoPyObjectExt, ffi, intern};

use crate::convert::{self, PyArgs, to_arg, to_py};
pub use crate::handles::{JClass, JObject};
use crate::java::{bridge, call_java};

/// A Java method (all overloads of one name), bound to an object or a class.
#[pyclass(module = "imglyb", name = "JavaMethod", frozen)]
#[derive(Debug)]
pub struct JMethod {
    owner: Arc<ClassInfo>,
    group: Arc<MethodGroup>,
    target: Option<Arc<JRef>>,
    mode: Mode,
}

/// A Python iterator over a Java `Iterator` or array.
#[pyclass(module = "imglyb", name = "JavaIterator")]
#[derive(Debug)]
pub struct JIter {
    source: IterSource,
}

#[derive(Debug)]
enum IterSource {
    Iterator(JObj),
    Array {
        array: JObj,
        len: usize,
        next: usize,
    },
}

/// Strips one trailing `_` (for Java names that are Python keywords: `obj.import_`), if the
/// plain name is unknown.
fn java_name(name: &str, known: impl Fn(&str) -> bool) -> &str {
    if !known(name)
        && let Some(stripped) = name.strip_suffix('_')
        && known(stripped)
    {
        return stripped;
    }
    name
}

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
    // methods these are: its own (a JObject's class comes from core), or checked with
    // `instance_of` when passed first through the class (`JMethod::call`).
    let value = call_java(py, || unsafe { bridge.invoke_unchecked(m, target, &jargs) })?;
    drop(keep);
    to_py(py, value)
}

/// `args` with JPype objects and objects carrying a Java object replaced by imglyb proxies, or
/// None when there are none.
fn java_args<'py>(
    py: Python<'py>,
    args: &[Bound<'py, PyAny>],
) -> PyResult<Option<Vec<Bound<'py, PyAny>>>> {
    let tuple = PyTuple::new(py, args)?;
    let converted = py
        .import("imglyb.interop")?
        .getattr("_convert_args")?
        .call1((tuple,))?;
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

fn no_member(class: &ClassInfo, name: &str, what: &str) -> PyErr {
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

#[pymethods]
impl JClass {
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
            let method = Py::new(
                py,
                JMethod {
                    owner: info.clone(),
                    group: group.clone(),
                    target: None,
                    mode,
                },
            )?;
            // Cache the method on the instance so later lookups skip __getattr__.
            if let Ok(dict) = slf.getattr(intern!(py, "__dict__")) {
                dict.set_item(name, &method)?;
            }
            return Ok(method.into_any());
        }
        if let Some(field) = info.fields.get(name).filter(|f| f.is_static) {
            let bridge = bridge()?;
            let v = call_java(py, || bridge.get_field(field, None))?;
            return to_py(py, v);
        }
        if name == "class_" {
            let bridge = bridge()?;
            let class = info.class().clone();
            let obj = call_java(py, || bridge.wrap_ref(&class))?;
            return Ok(Py::new(py, JObject { obj })?.into_any());
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
        call_java(py, || bridge.set_field(field, None, &arg))
    }

    fn __dir__(&self) -> Vec<String> {
        self.info.member_names(true)
    }

    fn __repr__(&self) -> String {
        format!("<java class '{}'>", self.info.name())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(other) = other.cast::<JClass>() else {
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

fn instance_of(py: Python<'_>, obj: &Bound<'_, PyAny>, class: &ClassInfo) -> PyResult<bool> {
    let Ok(o) = obj.cast::<JObject>() else {
        return Ok(false);
    };
    let bridge = bridge()?;
    let o = o.get().obj.obj.clone();
    call_java(py, || bridge.is_instance(&o, class))
}

impl JObject {
    /// A Java method (bound to this object) or public field of this name, if there is one.
    fn java_attr(&self, py: Python<'_>, name: &str) -> PyResult<Option<Py<PyAny>>> {
        let info = &self.obj.class;
        let name = java_name(name, |n| {
            info.methods.contains_key(n) || info.fields.contains_key(n)
        });
        if let Some(group) = info.methods.get(name) {
            let method = JMethod {
                owner: info.clone(),
                group: group.clone(),
                target: Some(self.obj.obj.clone()),
                mode: Mode::Any,
            };
            return Ok(Some(Py::new(py, method)?.into_any()));
        }
        if let Some(field) = info.fields.get(name) {
            let bridge = bridge()?;
            let v = call_java(py, || bridge.get_field(field, Some(&self.obj.obj)))?;
            return Ok(Some(to_py(py, v)?));
        }
        Ok(None)
    }

    fn is(&self, flag: u32) -> bool {
        self.obj.class.has(flag)
    }

    /// An iterator over an array, Iterator, Iterable or Map (its keys).
    fn java_iter(&self, py: Python<'_>) -> PyResult<Py<JIter>> {
        let source = if self.component().is_some() {
            IterSource::Array {
                array: self.obj.clone(),
                len: self.size(py)?,
                next: 0,
            }
        } else if self.is(flags::ITERATOR) {
            IterSource::Iterator(self.obj.clone())
        } else if self.is(flags::ITERABLE) || self.is(flags::MAP) {
            let iterable = if self.is(flags::MAP) {
                call_named(py, &self.obj, "keySet", &[])?
            } else {
                self.obj_py(py)?
            };
            let it = call_named(py, &as_jobj(py, &iterable)?, "iterator", &[])?;
            IterSource::Iterator(as_jobj(py, &it)?)
        } else {
            return Err(PyTypeError::new_err(format!(
                "Java {} is not iterable: it is not an array, Iterable, Iterator or Map",
                self.obj.class.name()
            )));
        };
        Py::new(py, JIter { source })
    }

    /// An element of an array, List or Map (their `__getitem__`).
    fn item(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        if let Ok(slice) = key.cast::<PySlice>() {
            let len = self.size(py)?;
            let idx = slice.indices(len as isize)?;
            let mut out = Vec::new();
            let mut i = idx.start;
            while (idx.step > 0 && i < idx.stop) || (idx.step < 0 && i > idx.stop) {
                out.push(self.item(py, &PyInt::new(py, i).into_any())?);
                i += idx.step;
            }
            return Ok(pyo3::types::PyList::new(py, out)?.into_any().unbind());
        }
        if self.component().is_some() {
            let i = self.index(py, key)?;
            let bridge = bridge()?;
            let v = call_java(py, || bridge.array_get(&bridge.array(&self.obj)?, i))?;
            return to_py(py, v);
        }
        if self.is(flags::LIST_CLASS) {
            let i = self.index(py, key)?;
            return call_named(py, &self.obj, "get", &[PyInt::new(py, i).into_any()]);
        }
        if self.is(flags::MAP) {
            let v = call_named(py, &self.obj, "get", std::slice::from_ref(key))?;
            if v.is_none(py) {
                let has = call_named(py, &self.obj, "containsKey", std::slice::from_ref(key))?;
                if !has.bind(py).is_truthy()? {
                    return Err(PyKeyError::new_err(key.clone().unbind()));
                }
            }
            return Ok(v);
        }
        Err(PyTypeError::new_err(format!(
            "Java {} is not subscriptable: it is not an array, List or Map",
            self.obj.class.name()
        )))
    }

    fn component(&self) -> Option<&Arc<imglyb_core::bridge::reflect::JType>> {
        self.obj.class.component()
    }

    fn size(&self, py: Python<'_>) -> PyResult<usize> {
        if self.component().is_some() {
            let bridge = bridge()?;
            return call_java(py, || bridge.array_len(&bridge.array(&self.obj)?));
        }
        if self.is(flags::COLLECTION) || self.is(flags::MAP) {
            return call_named(py, &self.obj, "size", &[])?.extract(py);
        }
        Err(PyTypeError::new_err(format!(
            "Java {} has no length: it is not an array, Collection or Map",
            self.obj.class.name()
        )))
    }

    fn index(&self, py: Python<'_>, index: &Bound<'_, PyAny>) -> PyResult<usize> {
        let len = self.size(py)?;
        let i: i64 = index.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "Java {} indices must be integers",
                self.obj.class.name()
            ))
        })?;
        let j = if i < 0 { i + len as i64 } else { i };
        if j < 0 || j >= len as i64 {
            return Err(PyIndexError::new_err(format!(
                "index {i} out of range for length {len}"
            )));
        }
        Ok(j as usize)
    }
}

/// An attribute name as Rust text. The stable ABI before Python 3.10 has no borrowed UTF-8 view
/// of a `str`, so each name is decoded once and kept by the identity of its (interned, usually)
/// string object, which the cache holds so that its address is never reused meanwhile.
fn attribute_name(name: &Bound<'_, PyString>) -> PyResult<Arc<str>> {
    type Names = std::collections::HashMap<usize, (Py<PyString>, Arc<str>)>;
    static NAMES: std::sync::OnceLock<std::sync::Mutex<Names>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(Default::default);
    let key = name.as_ptr() as usize;
    if let Some((_, text)) = names.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(text.clone());
    }
    let text: Arc<str> = name.to_cow()?.into();
    let mut names = names.lock().unwrap_or_else(|e| e.into_inner());
    if names.len() >= 4096 {
        // Names made at run time (getattr(obj, f"get{x}")) would otherwise pile up.
        names.clear();
    }
    names.insert(key, (name.clone().unbind(), text.clone()));
    Ok(text)
}

#[pymethods]
impl JObject {
    /// Java members first (dunder names aside), then Python's own attributes. Replacing the
    /// whole lookup spares every method call the AttributeError that a `__getattr__` fallback
    /// would first raise and discard.
    fn __getattribute__(slf: &Bound<'_, Self>, name: &Bound<'_, PyString>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let text = attribute_name(name)?;
        let text = &*text;
        let dunder = text.starts_with("__");
        if !dunder && let Some(v) = slf.get().java_attr(py, text)? {
            return Ok(v);
        }
        // SAFETY: `slf` and `name` are live objects; the generic lookup returns a new reference
        // or null with an exception set.
        let found = unsafe { ffi::PyObject_GenericGetAttr(slf.as_ptr(), name.as_ptr()) };
        if !found.is_null() {
            // SAFETY: a new, non-null reference that we now own.
            return Ok(unsafe { Bound::from_owned_ptr(py, found).unbind() });
        }
        let err = PyErr::fetch(py);
        if !dunder && err.is_instance_of::<PyAttributeError>(py) {
            return Err(no_member(&slf.get().obj.class, text, "object of class"));
        }
        Err(err)
    }

    fn __setattr__(&self, py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let bridge = bridge()?;
        let info = &self.obj.class;
        let name = java_name(name, |n| info.fields.contains_key(n));
        let Some(field) = info.fields.get(name) else {
            return Err(PyAttributeError::new_err(format!(
                "Java class {} has no public field named '{name}'",
                info.name()
            )));
        };
        let mut keep = Vec::new();
        let arg = to_arg(py, bridge, value, &field.ty, &mut keep)?;
        call_java(py, || bridge.set_field(field, Some(&self.obj.obj), &arg))
    }

    fn __dir__(&self) -> Vec<String> {
        self.obj.class.member_names(false)
    }

    fn __str__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if self.component().is_some() {
            return Ok(
                PyString::new(py, &format!("<java array {}>", self.obj.class.ty.display()))
                    .into_any()
                    .unbind(),
            );
        }
        call_named(py, &self.obj, "toString", &[])
    }

    fn __repr__(&self) -> String {
        format!("<java object '{}'>", self.obj.class.ty.display())
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        if let Ok(o) = other.cast::<JObject>() {
            let bridge = bridge()?;
            let b = o.get().obj.obj.clone();
            if call_java(py, || bridge.same_object(&self.obj.obj, &b))? {
                return true.into_py_any(py);
            }
        }
        if self.component().is_some() {
            return false.into_py_any(py);
        }
        match call_named(py, &self.obj, "equals", std::slice::from_ref(other)) {
            Ok(r) => Ok(r),
            // Values Java cannot take (a Python dict, say) are simply not equal.
            Err(e) if e.is_instance_of::<PyTypeError>(py) => false.into_py_any(py),
            Err(e) => Err(e),
        }
    }

    fn __ne__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(!self.__eq__(py, other)?.bind(py).is_truthy()?)
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        call_named(py, &self.obj, "hashCode", &[])?.extract(py)
    }

    fn __bool__(&self, py: Python<'_>) -> PyResult<bool> {
        if self.component().is_some() || self.is(flags::COLLECTION) || self.is(flags::MAP) {
            return Ok(self.size(py)? > 0);
        }
        Ok(true)
    }

    /// The length of an array, Collection or Map; of an ImgLib2 image, its first NumPy axis.
    fn __len__(slf: &Bound<'_, Self>) -> PyResult<usize> {
        let this = slf.get();
        if this.component().is_some() || this.is(flags::COLLECTION) || this.is(flags::MAP) {
            return this.size(slf.py());
        }
        arraylike(slf.py(), "length")?.call1((slf,))?.extract()
    }

    /// An element of an array, List or Map; of an ImgLib2 image, a view (`imglyb.arraylike`).
    fn __getitem__(slf: &Bound<'_, Self>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let this = slf.get();
        if this.component().is_none() && !this.is(flags::LIST_CLASS) && !this.is(flags::MAP) {
            return Ok(arraylike(slf.py(), "getitem")?.call1((slf, key))?.unbind());
        }
        this.item(slf.py(), key)
    }

    /// The shape of an ImgLib2 image, in NumPy's axis order (`imglyb.arraylike`).
    #[getter]
    fn shape(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        Ok(arraylike(slf.py(), "shape")?.call1((slf,))?.unbind())
    }

    /// The number of dimensions of an ImgLib2 image.
    #[getter]
    fn ndim(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        Ok(arraylike(slf.py(), "ndim")?.call1((slf,))?.unbind())
    }

    /// The NumPy dtype of an ImgLib2 image's pixels.
    #[getter]
    fn dtype(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        Ok(arraylike(slf.py(), "dtype")?.call1((slf,))?.unbind())
    }

    /// A DLPack capsule of an ImgLib2 image: its memory when imglyb shares it, otherwise a copy
    /// (unless `copy=False`). See `imglyb.arraylike` and docs/pyimagej.md.
    #[pyo3(signature = (*, stream = None, max_version = None, dl_device = None, copy = None))]
    fn __dlpack__(
        slf: &Bound<'_, Self>,
        stream: Option<&Bound<'_, PyAny>>,
        max_version: Option<(u32, u32)>,
        dl_device: Option<(i32, i32)>,
        copy: Option<bool>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if !arraylike(py, "is_image")?.call1((slf,))?.is_truthy()? {
            return Err(PyTypeError::new_err(
                "only ImgLib2 images (RandomAccessibleInterval) export DLPack",
            ));
        }
        crate::dlpack::dlpack(py, &slf.get().obj, stream, max_version, dl_device, copy)
    }

    fn __dlpack_device__(slf: &Bound<'_, Self>) -> PyResult<(i32, i32)> {
        if !arraylike(slf.py(), "is_image")?
            .call1((slf,))?
            .is_truthy()?
        {
            return Err(PyTypeError::new_err(
                "only ImgLib2 images (RandomAccessibleInterval) export DLPack",
            ));
        }
        Ok(crate::dlpack::dlpack_device())
    }

    fn __setitem__(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        if let Some(component) = self.component() {
            let bridge = bridge()?;
            let mut keep = Vec::new();
            if let Ok(slice) = key.cast::<PySlice>() {
                // Java arrays cannot change length: every value is converted (and the lengths
                // compared) before the first element is written, so a bad value changes nothing.
                let idx = slice.indices(self.size(py)? as isize)?;
                let values: Vec<Bound<'_, PyAny>> = match value.try_iter() {
                    Ok(iter) if !value.is_instance_of::<PyString>() => {
                        iter.collect::<PyResult<_>>()?
                    }
                    _ => {
                        return Err(PyTypeError::new_err(format!(
                            "can only assign an iterable to a slice of a Java array, not {}",
                            value.get_type().name()?
                        )));
                    }
                };
                if values.len() != idx.slicelength {
                    return Err(PyValueError::new_err(format!(
                        "cannot assign {} values to a slice of {} elements: a Java array's \
                         length is fixed",
                        values.len(),
                        idx.slicelength
                    )));
                }
                let mut args = Vec::with_capacity(values.len());
                for v in &values {
                    args.push(to_arg(py, bridge, v, component, &mut keep)?);
                }
                return call_java(py, || {
                    let array = bridge.array(&self.obj)?;
                    let mut i = idx.start;
                    for arg in &args {
                        bridge.array_set(&array, i as usize, arg)?;
                        i += idx.step;
                    }
                    Ok(())
                });
            }
            let i = self.index(py, key)?;
            let arg = to_arg(py, bridge, value, component, &mut keep)?;
            return call_java(py, || bridge.array_set(&bridge.array(&self.obj)?, i, &arg));
        }
        if self.is(flags::LIST_CLASS) {
            let i = self.index(py, key)?;
            call_named(
                py,
                &self.obj,
                "set",
                &[PyInt::new(py, i).into_any(), value.clone()],
            )?;
            return Ok(());
        }
        if self.is(flags::MAP) {
            call_named(py, &self.obj, "put", &[key.clone(), value.clone()])?;
            return Ok(());
        }
        Err(PyTypeError::new_err(format!(
            "Java {} does not support item assignment: it is not an array, List or Map",
            self.obj.class.name()
        )))
    }

    /// `containsKey` of a Map, `contains` of a Collection; for an ImgLib2 image, NumPy's meaning
    /// (any pixel equal, `imglyb.arraylike`); otherwise a search of what `iter` gives.
    fn __contains__(slf: &Bound<'_, Self>, item: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = slf.py();
        let this = slf.get();
        let method = if this.is(flags::MAP) {
            "containsKey"
        } else if this.is(flags::COLLECTION) {
            "contains"
        } else if this.component().is_none()
            && arraylike(py, "is_image")?.call1((slf,))?.is_truthy()?
        {
            return arraylike(py, "contains")?.call1((slf, item))?.extract();
        } else {
            for v in this.java_iter(py)?.bind(py).try_iter()? {
                if v?.eq(item)? {
                    return Ok(true);
                }
            }
            return Ok(false);
        };
        call_named(py, &this.obj, method, std::slice::from_ref(item))?.extract(py)
    }

    /// Iterates an array, Iterator, Iterable or Map (its keys); an ImgLib2 image, over the views
    /// along its first NumPy axis (`imglyb.arraylike`), rather than over its pixels.
    fn __iter__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let this = slf.get();
        if this.component().is_none()
            && !this.is(flags::ITERATOR)
            && !this.is(flags::MAP)
            && arraylike(py, "is_image")?.call1((slf,))?.is_truthy()?
        {
            return Ok(arraylike(py, "iterate")?.call1((slf,))?.unbind());
        }
        Ok(this.java_iter(py)?.into_any())
    }

    /// A NumPy copy of a Java array: primitive arrays are copied in one `memcpy` through a JNI
    /// critical region; other arrays and collections become object arrays.
    #[pyo3(signature = (dtype=None, copy=None))]
    fn __array__(
        slf: &Bound<'_, Self>,
        dtype: Option<&Bound<'_, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let this = slf.get();
        if this.component().is_none() && arraylike(py, "is_image")?.call1((slf,))?.is_truthy()? {
            return Ok(arraylike(py, "to_array")?
                .call1((slf, dtype, copy))?
                .unbind());
        }
        if copy == Some(false) {
            return Err(PyValueError::new_err(
                "a Java array cannot be viewed without a copy; use numpy.asarray(a) or copy=True",
            ));
        }
        let np = py.import("numpy")?;
        let out = match this.component().and_then(|c| c.prim) {
            Some(prim) => {
                let len = this.size(py)?;
                let out =
                    np.call_method1(intern!(py, "empty"), (len, convert::numpy_name(prim)))?;
                let memory = crate::images::ArrayMemory::of(&out)?;
                let bridge = bridge()?;
                let ptr = memory.address;
                let n = memory.contiguous_bytes();
                call_java(py, || {
                    // SAFETY: `out` is a new C-contiguous array that only this function knows
                    // of, `n` bytes long, kept alive (with its buffer export) across the call.
                    let dst = unsafe { std::slice::from_raw_parts_mut(ptr as *mut u8, n) };
                    bridge.array_copy_out(&bridge.array(&this.obj)?, dst)
                })?;
                out
            }
            None => {
                let items: Vec<Py<PyAny>> = this
                    .java_iter(py)?
                    .bind(py)
                    .try_iter()?
                    .map(|i| i.map(Bound::unbind))
                    .collect::<PyResult<_>>()?;
                let list = pyo3::types::PyList::new(py, items)?;
                np.call_method1(intern!(py, "array"), (list,))?
            }
        };
        match dtype {
            Some(d) if !d.is_none() => Ok(out.call_method1(intern!(py, "astype"), (d,))?.unbind()),
            _ => Ok(out.unbind()),
        }
    }

    /// The Java class of this object, as a class proxy.
    #[getter]
    fn __javaclass__(&self) -> JClass {
        JClass {
            info: self.obj.class.clone(),
        }
    }
}

impl JObject {
    fn obj_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(Py::new(
            py,
            JObject {
                obj: self.obj.clone(),
            },
        )?
        .into_any())
    }
}

/// A function of `imglyb.arraylike`: what an ImgLib2 image's proxy answers as an array.
fn arraylike<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("imglyb.arraylike")?.getattr(name)
}

fn as_jobj(py: Python<'_>, v: &Py<PyAny>) -> PyResult<JObj> {
    v.bind(py)
        .cast::<JObject>()
        .map(|o| o.get().obj.clone())
        .map_err(|_| PyTypeError::new_err("expected a Java object"))
}

#[pymethods]
impl JIter {
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
            let v = call_java(py, || bridge.array_get(&bridge.array(array)?, i))?;
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

impl JMethod {
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
                .cast::<JObject>()
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

/// Runs `f` on a tuple's items. The stable ABI has no borrowed view of a tuple's items, so they
/// are gathered first: on the stack for up to four (most Java calls), in a vector beyond.
fn with_items<R>(
    tuple: &Bound<'_, PyTuple>,
    f: impl FnOnce(&[Bound<'_, PyAny>]) -> R,
) -> PyResult<R> {
    let item = |i: usize| tuple.get_item(i);
    Ok(match tuple.len() {
        0 => f(&[]),
        1 => f(&[item(0)?]),
        2 => f(&[item(0)?, item(1)?]),
        3 => f(&[item(0)?, item(1)?, item(2)?]),
        4 => f(&[item(0)?, item(1)?, item(2)?, item(3)?]),
        _ => f(&tuple.iter().collect::<Vec<_>>()),
    })
}

#[pymethods]
impl JMethod {
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

/// Loads a class by name through the bridge's class loader.
fn load(py: Python<'_>, bridge: &'static Bridge, name: &str) -> PyResult<Arc<ClassInfo>> {
    match call_java(py, || bridge.class_info(name)) {
        Ok(info) => Ok(info),
        Err(e) => {
            // `java.util.Map.Entry` means `java.util.Map$Entry`.
            let mut candidate = name.to_owned();
            while let Some(dot) = candidate.rfind('.') {
                candidate.replace_range(dot..=dot, "$");
                if let Ok(info) = call_java(py, || bridge.class_info(&candidate)) {
                    return Ok(info);
                }
            }
            Err(e)
        }
    }
}

/// A Java class proxy by binary name, e.g. `jimport("java.util.ArrayList")`.
#[pyfunction]
pub(crate) fn jimport(py: Python<'_>, name: &str) -> PyResult<JClass> {
    let bridge = bridge()?;
    if name.is_empty() || name.contains('/') {
        return Err(PyValueError::new_err(format!(
            "jimport takes a binary class name like 'java.util.ArrayList' or 'Outer$Inner', not {name:?}"
        )));
    }
    Ok(JClass {
        info: load(py, bridge, name)?,
    })
}

/// The class named by a string or a class proxy.
fn class_arg(py: Python<'_>, class: &Bound<'_, PyAny>) -> PyResult<Arc<ClassInfo>> {
    if let Ok(c) = class.cast::<JClass>() {
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

/// A new Java array: `jarray("long", [1, 2])`, `jarray("double", 10)`,
/// `jarray("java.lang.String", ["a", "b"])`.
#[pyfunction]
pub(crate) fn jarray(
    py: Python<'_>,
    kind: &Bound<'_, PyAny>,
    length_or_values: &Bound<'_, PyAny>,
) -> PyResult<JObject> {
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
            Some(p) => call_java(py, || bridge.new_prim_array(p, len))?,
            None => {
                let element = class_arg(py, kind)?;
                call_java(py, || bridge.new_object_array(&element, len))?
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
    let value = call_java(py, || bridge.make(&arg))?;
    drop(keep);
    into_jobject(value)
}

fn into_jobject(value: Value) -> PyResult<JObject> {
    match value {
        Value::Object(obj) => Ok(JObject { obj }),
        other => Err(PyTypeError::new_err(format!(
            "expected a Java array, got {other:?}"
        ))),
    }
}

/// Registers the proxy classes in the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<JClass>()?;
    m.add_class::<JObject>()?;
    m.add_class::<JMethod>()?;
    m.add_class::<JIter>()?;
    m.add_function(wrap_pyfunction!(jimport, m)?)?;
    m.add_function(wrap_pyfunction!(jinstance, m)?)?;
    m.add_function(wrap_pyfunction!(jarray, m)?)?;
    Ok(())
}
