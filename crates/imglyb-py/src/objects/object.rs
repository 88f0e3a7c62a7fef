//! `JavaObject`: a Java object's methods and fields, and the Python protocols of arrays, lists,
//! maps, iterables and ImgLib2 images.

use std::sync::Arc;

use imglyb_core::JObj;
use imglyb_core::bridge::overload::Mode;
use imglyb_core::bridge::reflect::flags;
use pyo3::exceptions::{PyAttributeError, PyIndexError, PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PySlice, PyString};
use pyo3::{IntoPyObjectExt, ffi, intern};

use super::call::call_named;
use super::iter::{IterSource, JavaIterator};
use super::method::JavaMethod;
use super::{java_name, no_member};
use crate::convert::{self, to_arg, to_py};
use crate::handles::{JavaClass, JavaObject};
use crate::java::{bridge, without_gil};

impl JavaObject {
    /// A Java method (bound to this object) or public field of this name, if there is one.
    fn java_attr(&self, py: Python<'_>, name: &str) -> PyResult<Option<Py<PyAny>>> {
        let info = &self.obj.class;
        let name = java_name(name, |n| {
            info.methods.contains_key(n) || info.fields.contains_key(n)
        });
        if let Some(group) = info.methods.get(name) {
            let method = JavaMethod {
                owner: info.clone(),
                group: group.clone(),
                target: Some(self.obj.obj.clone()),
                mode: Mode::Any,
            };
            return Ok(Some(method.into_py(py)?));
        }
        if let Some(field) = info.fields.get(name) {
            let bridge = bridge()?;
            let v = without_gil(py, || bridge.get_field(field, Some(&self.obj.obj)))?;
            return Ok(Some(to_py(py, v)?));
        }
        Ok(None)
    }

    fn is(&self, flag: u32) -> bool {
        self.obj.class.has(flag)
    }

    /// An iterator over an array, Iterator, Iterable or Map (its keys).
    fn java_iter(&self, py: Python<'_>) -> PyResult<Py<JavaIterator>> {
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
        Py::new(py, JavaIterator { source })
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
            let v = without_gil(py, || bridge.array_get(&bridge.array(&self.obj)?, i))?;
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
            return without_gil(py, || bridge.array_len(&bridge.array(&self.obj)?));
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
impl JavaObject {
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
        without_gil(py, || bridge.set_field(field, Some(&self.obj.obj), &arg))
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
        if let Ok(o) = other.cast::<JavaObject>() {
            let bridge = bridge()?;
            let b = o.get().obj.obj.clone();
            if without_gil(py, || bridge.same_object(&self.obj.obj, &b))? {
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
        if !is_image(py, slf)? {
            return Err(PyTypeError::new_err(
                "only ImgLib2 images (RandomAccessibleInterval) export DLPack",
            ));
        }
        crate::dlpack::dlpack(py, &slf.get().obj, stream, max_version, dl_device, copy)
    }

    fn __dlpack_device__(slf: &Bound<'_, Self>) -> PyResult<(i32, i32)> {
        if !is_image(slf.py(), slf)? {
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
                return without_gil(py, || {
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
            return without_gil(py, || bridge.array_set(&bridge.array(&self.obj)?, i, &arg));
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
        } else if this.component().is_none() && is_image(py, slf)? {
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
            && is_image(py, slf)?
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
        if this.component().is_none() && is_image(py, slf)? {
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
                without_gil(py, || {
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
    fn __javaclass__(&self) -> JavaClass {
        JavaClass {
            info: self.obj.class.clone(),
        }
    }
}

impl JavaObject {
    fn obj_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(Py::new(
            py,
            JavaObject {
                obj: self.obj.clone(),
            },
        )?
        .into_any())
    }
}

/// A function of the package's array protocols (`imglyb.arraylike`, registered through
/// [`crate::hooks`]): what an ImgLib2 image's proxy answers as an array.
fn arraylike<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    crate::hooks::arraylike(py, name)?.ok_or_else(|| {
        crate::errors::ImglybError::new_err(
            "image proxies answer as arrays once the imglyb package is imported (import imglyb)",
        )
    })
}

/// Whether the proxy is an ImgLib2 image with array protocols: false until the package
/// registered them.
fn is_image(py: Python<'_>, slf: &Bound<'_, JavaObject>) -> PyResult<bool> {
    match crate::hooks::arraylike(py, "is_image")? {
        Some(f) => f.call1((slf,))?.is_truthy(),
        None => Ok(false),
    }
}

pub(super) fn as_jobj(py: Python<'_>, v: &Py<PyAny>) -> PyResult<JObj> {
    v.bind(py)
        .cast::<JavaObject>()
        .map(|o| o.get().obj.clone())
        .map_err(|_| PyTypeError::new_err("expected a Java object"))
}
