//! Python values to Java arguments and Java values back to Python.
//!
//! Going in, a value is first *classified* ([`classify`]) so core's overload resolution can rate
//! it, then *converted* ([`to_arg`]) to the chosen parameter type with range checks. Coming back,
//! strings and boxed primitives become Python values and every other object a proxy.

use std::sync::Arc;

use imglyb_core::bridge::overload::{self, ArgKind, HostArgs};
use imglyb_core::bridge::reflect::{ClassInfo, JType, flags};
use imglyb_core::jni::Prim;
use imglyb_core::jni::sys::jvalue;
use imglyb_core::{Arg, BorrowedBytes, Bridge, Bytes, DType, Value};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyString, PyTuple};
use pyo3::{ffi, intern};

use crate::handles::{JavaClass, JavaObject};

/// The hook for NumPy arrays passed where Java expects an ImgLib2 interface
/// (`RandomAccessibleInterval`, `Img`, ...): returns the array wrapped zero-copy as an ImgLib2
/// image, or `None` when it cannot be wrapped. This is the single place the shared-pixels layer
/// plugs in; [`ndarray_img_ok`] must agree with it.
pub(crate) fn ndarray_to_imglib(
    _py: Python<'_>,
    array: &Bound<'_, PyAny>,
) -> PyResult<Option<Arc<imglyb_core::JRef>>> {
    if !ndarray_img_ok(array) {
        return Ok(None);
    }
    crate::images::wrap(array, imglyb_core::PixelType::Dtype).map(|o| Some(o.obj.obj))
}

/// Whether [`ndarray_to_imglib`] can wrap this array: a dtype imglyb shares, and at least one
/// axis. Layout problems (strides that split pixels) are reported by the wrap itself.
fn ndarray_img_ok(array: &Bound<'_, PyAny>) -> bool {
    let typestr = array
        .getattr("dtype")
        .and_then(|d| d.getattr("str"))
        .and_then(|s| s.extract::<String>());
    let ndim = array.getattr("ndim").and_then(|n| n.extract::<usize>());
    matches!((typestr, ndim), (Ok(t), Ok(n)) if n > 0 && imglyb_core::DType::from_typestr(&t).is_ok())
}

static NDARRAY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `numpy.ndarray`, if NumPy can be imported.
fn ndarray_type(py: Python<'_>) -> Option<&Bound<'_, PyAny>> {
    NDARRAY
        .get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py.import("numpy")?.getattr("ndarray")?.unbind())
        })
        .ok()
        .map(|t| t.bind(py))
}

/// Whether `obj` is a NumPy array.
pub(crate) fn is_ndarray(obj: &Bound<'_, PyAny>) -> bool {
    ndarray_type(obj.py()).is_some_and(|t| obj.is_instance(t).unwrap_or(false))
}

/// The Java primitive of a NumPy dtype in native byte order, if there is one.
pub(crate) fn dtype_prim(array: &Bound<'_, PyAny>) -> PyResult<Option<Prim>> {
    let typestr: String = array
        .getattr(intern!(array.py(), "dtype"))?
        .getattr(intern!(array.py(), "str"))?
        .extract()?;
    Ok(DType::from_typestr(&typestr)
        .ok()
        .and_then(DType::java_array)
        // char[] holds text: a uint16 array is not passed as one.
        .filter(|p| *p != Prim::Char))
}

/// An integer value: Python `int` (not `bool`) or anything with `__index__` (NumPy integers).
fn as_int(obj: &Bound<'_, PyAny>) -> Option<Option<i64>> {
    if obj.is_instance_of::<PyBool>() {
        return None;
    }
    let index = if obj.is_instance_of::<PyInt>() {
        obj.clone()
    } else if obj.hasattr(intern!(obj.py(), "__index__")).unwrap_or(false) && !is_ndarray(obj) {
        // SAFETY: `obj` is a live object; PyNumber_Index returns a new reference or null with
        // an exception set.
        let r = unsafe { ffi::PyNumber_Index(obj.as_ptr()) };
        if r.is_null() {
            let _ = PyErr::take(obj.py());
            return None;
        }
        // SAFETY: `r` is a new, non-null reference that we own.
        unsafe { Bound::from_owned_ptr(obj.py(), r) }
    } else {
        return None;
    };
    Some(index.extract::<i64>().ok())
}

/// A float value: Python `float` or a NumPy floating scalar.
fn as_float(obj: &Bound<'_, PyAny>) -> Option<f64> {
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Some(f.value());
    }
    let py = obj.py();
    let is_np_float = obj.hasattr(intern!(py, "dtype")).unwrap_or(false)
        && !is_ndarray(obj)
        && obj
            .getattr(intern!(py, "dtype"))
            .and_then(|d| d.getattr(intern!(py, "kind")))
            .and_then(|k| k.extract::<String>())
            .is_ok_and(|k| k == "f");
    if is_np_float {
        obj.extract::<f64>().ok()
    } else {
        None
    }
}

/// The class description of `java.lang.Class`, for class proxies passed as arguments.
fn class_class(py: Python<'_>, bridge: &Bridge) -> PyResult<Arc<ClassInfo>> {
    static CLASS: PyOnceLock<Arc<ClassInfo>> = PyOnceLock::new();
    CLASS
        .get_or_try_init(py, || {
            crate::java::without_gil(py, || bridge.class_info("java.lang.Class"))
        })
        .cloned()
}

/// The description of `java.lang.Object`, the element type of lists passed as `List`.
pub(crate) fn object_type(py: Python<'_>, bridge: &Bridge) -> PyResult<Arc<JType>> {
    static OBJECT: PyOnceLock<Arc<JType>> = PyOnceLock::new();
    OBJECT
        .get_or_try_init(py, || {
            crate::java::without_gil(py, || {
                bridge.class_info("java.lang.Object").map(|c| c.ty.clone())
            })
        })
        .cloned()
}

/// A call's Python arguments, as overload resolution in core sees them.
pub(crate) struct PyArgs<'a, 'py>(pub(crate) &'a [Bound<'py, PyAny>]);

impl HostArgs for PyArgs<'_, '_> {
    type Error = PyErr;

    fn error(&self, e: imglyb_core::Error) -> PyErr {
        crate::errors::to_py_err(e)
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    // Inlined into the cached call's key building, so the kind never goes through memory.
    #[inline(always)]
    fn plain_kind(&self, i: usize) -> PyResult<Option<ArgKind<'static>>> {
        let a = &self.0[i];
        // The exact built-in types first: each is one pointer comparison, and they are most
        // arguments of overloaded calls.
        Ok(Some(if a.is_exact_instance_of::<PyInt>() {
            ArgKind::Int(a.extract::<i64>().ok())
        } else if let Ok(f) = a.cast_exact::<PyFloat>() {
            ArgKind::Float(f.value())
        } else if a.is_none() {
            ArgKind::Null
        } else if a.is_exact_instance_of::<PyBool>() {
            ArgKind::Bool
        } else if let Ok(o) = a.cast::<JavaObject>() {
            ArgKind::Object(ClassInfo::forever(&o.get().obj.class))
        } else if let Ok(s) = a.cast_exact::<PyString>() {
            ArgKind::Str { len1: one_unit(s)? }
        } else if a.is_instance_of::<JavaClass>() {
            ArgKind::Object(ClassInfo::forever(&class_class(
                a.py(),
                crate::java::bridge()?,
            )?))
        } else {
            return Ok(None);
        }))
    }

    fn kind(&self, i: usize) -> PyResult<ArgKind<'static>> {
        classify(&self.0[i])
    }
}

/// Whether a string is one UTF-16 code unit long (so it can be a Java `char`).
fn one_unit(s: &Bound<'_, PyString>) -> PyResult<bool> {
    if s.len()? != 1 {
        return Ok(false);
    }
    let c: char = s.extract()?;
    Ok((c as u32) < 0x10000)
}

/// One argument's [`ArgKind`], containers included.
pub(crate) fn classify(obj: &Bound<'_, PyAny>) -> PyResult<ArgKind<'static>> {
    if obj.is_none() {
        return Ok(ArgKind::Null);
    }
    if obj.is_instance_of::<PyBool>() {
        return Ok(ArgKind::Bool);
    }
    if let Ok(o) = obj.cast::<JavaObject>() {
        return Ok(ArgKind::Object(ClassInfo::forever(&o.get().obj.class)));
    }
    if obj.is_instance_of::<JavaClass>() {
        let cc = class_class(obj.py(), crate::java::bridge()?)?;
        return Ok(ArgKind::Object(ClassInfo::forever(&cc)));
    }
    if let Some(v) = as_int(obj) {
        return Ok(ArgKind::Int(v));
    }
    if let Some(x) = as_float(obj) {
        return Ok(ArgKind::Float(x));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(ArgKind::Str { len1: one_unit(s)? });
    }
    if is_ndarray(obj) {
        let ndim: usize = obj.getattr(intern!(obj.py(), "ndim"))?.extract()?;
        let prim = if ndim == 1 { dtype_prim(obj)? } else { None };
        return Ok(ArgKind::NdArray {
            prim,
            img: ndarray_img_ok(obj),
        });
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items = obj
            .try_iter()?
            .map(|item| classify(&item?))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(ArgKind::Seq(items));
    }
    Err(PyTypeError::new_err(format!(
        "cannot pass a {} to Java: use None, bool, int, float, str, a list or tuple, a NumPy \
         array, or a Java object",
        obj.get_type().name()?
    )))
}

pub(crate) fn utf16(s: &Bound<'_, PyString>) -> PyResult<Vec<u16>> {
    let bytes = s.call_method1(intern!(s.py(), "encode"), ("utf-16-le", "surrogatepass"))?;
    let bytes: &[u8] = bytes.extract()?;
    Ok(bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect())
}

/// A Python `str` from UTF-16 code units, lone surrogates kept.
pub(crate) fn py_str<'py>(py: Python<'py>, units: &[u16]) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(s) = String::from_utf16(units) {
        return Ok(PyString::new(py, &s).into_any());
    }
    let mut order: std::os::raw::c_int = -1; // little endian, as laid out below
    let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    // SAFETY: `bytes` holds `bytes.len()` readable bytes; the errors name is a static C string;
    // the call returns a new reference or null with an exception set.
    let r = unsafe {
        ffi::PyUnicode_DecodeUTF16(
            bytes.as_ptr().cast(),
            bytes.len() as ffi::Py_ssize_t,
            c"surrogatepass".as_ptr(),
            &mut order,
        )
    };
    // SAFETY: `r` is a new reference or null (then the pending error is returned).
    unsafe { Bound::from_owned_ptr_or_err(py, r) }
}

fn range_error(obj: &Bound<'_, PyAny>, ty: &JType) -> PyErr {
    PyTypeError::new_err(format!(
        "{} is out of range for Java {}; Java integers are never truncated",
        obj.repr().map(|r| r.to_string()).unwrap_or_default(),
        ty.display()
    ))
}

fn type_error(obj: &Bound<'_, PyAny>, ty: &JType) -> PyErr {
    PyTypeError::new_err(format!(
        "cannot convert {} ({}) to Java {}",
        obj.repr().map(|r| r.to_string()).unwrap_or_default(),
        obj.get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default(),
        ty.display()
    ))
}

/// Converts `obj` to a value of Java type `ty`, checking ranges and types.
pub(crate) fn to_arg(
    py: Python<'_>,
    bridge: &Bridge,
    obj: &Bound<'_, PyAny>,
    ty: &JType,
    keep: &mut Vec<Box<dyn Send>>,
) -> PyResult<Arg> {
    if let Some(p) = ty.prim {
        return to_prim(obj, p, ty);
    }
    if obj.is_none() {
        return Ok(Arg::Null);
    }
    if let Ok(o) = obj.cast::<JavaObject>() {
        let o = &o.get().obj;
        // A VM query, not Java code: no need to release the GIL.
        let ok = bridge
            .is_assignable(&o.class, ty)
            .map_err(crate::errors::to_py_err)?;
        return if ok {
            Ok(Arg::Object(o.obj.clone()))
        } else {
            Err(type_error(obj, ty))
        };
    }
    if let Ok(c) = obj.cast::<JavaClass>() {
        let class = c.get().info.class().clone();
        let cc = class_class(py, bridge)?;
        if bridge
            .is_assignable(&cc, ty)
            .map_err(crate::errors::to_py_err)?
        {
            return Ok(Arg::Object(class));
        }
        return Err(type_error(obj, ty));
    }
    if obj.is_instance_of::<PyBool>() {
        return if ty.flags & flags::BOOLEAN != 0 {
            Ok(Arg::Boxed(Box::new(Arg::Bool(obj.is_truthy()?))))
        } else {
            Err(type_error(obj, ty))
        };
    }
    if let Some(v) = as_int(obj) {
        let Some(v) = v else {
            return Err(range_error(obj, ty));
        };
        return match overload::int_box(v, ty.flags) {
            Some(p) => Ok(Arg::Boxed(Box::new(to_prim(obj, p, ty)?))),
            None if ty.flags & (flags::INT | flags::LONG) != 0 => Err(range_error(obj, ty)),
            None => Err(type_error(obj, ty)),
        };
    }
    if let Some(x) = as_float(obj) {
        return match overload::float_box(x, ty.flags) {
            Some(Prim::Float) => Ok(Arg::Boxed(Box::new(Arg::Float(x as f32)))),
            Some(_) => Ok(Arg::Boxed(Box::new(Arg::Double(x)))),
            None => Err(type_error(obj, ty)),
        };
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let units = utf16(s)?;
        if ty.flags & flags::STRING != 0 {
            return Ok(Arg::Str(units));
        }
        if units.len() == 1 && ty.flags & flags::CHAR != 0 {
            return Ok(Arg::Boxed(Box::new(Arg::Char(units[0]))));
        }
        return Err(type_error(obj, ty));
    }
    if is_ndarray(obj) {
        if let Some(component) = &ty.component
            && let Some(p) = component.prim
        {
            return ndarray_arg(py, obj, p, ty, keep);
        }
        if ty.flags & flags::IMG != 0
            && let Some(img) = ndarray_to_imglib(py, obj)?
        {
            return Ok(Arg::Object(img));
        }
        return Err(type_error(obj, ty));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items: Vec<Bound<'_, PyAny>> = obj.try_iter()?.collect::<PyResult<_>>()?;
        return seq_arg(py, bridge, &items, ty, keep);
    }
    Err(type_error(obj, ty))
}

/// A Python sequence as a new Java array of type `ty`, or an `ArrayList` for a `List` parameter.
pub(crate) fn seq_arg(
    py: Python<'_>,
    bridge: &Bridge,
    items: &[Bound<'_, PyAny>],
    ty: &JType,
    keep: &mut Vec<Box<dyn Send>>,
) -> PyResult<Arg> {
    if let Some(component) = &ty.component {
        if let Some(p) = component.prim {
            let mut bytes = Vec::with_capacity(items.len() * p.size());
            for item in items {
                push_prim_bytes(&mut bytes, to_prim(item, p, component)?);
            }
            return Ok(Arg::PrimArray(p, Bytes::Owned(bytes)));
        }
        let converted = items
            .iter()
            .map(|item| to_arg(py, bridge, item, component, keep))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(Arg::ObjArray(component.clone(), converted));
    }
    if ty.flags & flags::LIST != 0 {
        let object = object_type(py, bridge)?;
        let converted = items
            .iter()
            .map(|item| natural_arg(py, bridge, item, &object, keep))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(Arg::List(converted));
    }
    Err(PyTypeError::new_err(format!(
        "cannot convert a Python sequence to Java {}",
        ty.display()
    )))
}

/// A value as a Java object of its natural type: lists become `ArrayList`s, numbers boxes.
pub(crate) fn natural_arg(
    py: Python<'_>,
    bridge: &Bridge,
    obj: &Bound<'_, PyAny>,
    object: &JType,
    keep: &mut Vec<Box<dyn Send>>,
) -> PyResult<Arg> {
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items: Vec<Bound<'_, PyAny>> = obj.try_iter()?.collect::<PyResult<_>>()?;
        let converted = items
            .iter()
            .map(|item| natural_arg(py, bridge, item, object, keep))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(Arg::List(converted));
    }
    to_arg(py, bridge, obj, object, keep)
}

fn push_prim_bytes(bytes: &mut Vec<u8>, arg: Arg) {
    match arg {
        Arg::Bool(b) => bytes.push(u8::from(b)),
        Arg::Byte(v) => bytes.extend_from_slice(&v.to_ne_bytes()),
        Arg::Char(v) => bytes.extend_from_slice(&v.to_ne_bytes()),
        Arg::Short(v) => bytes.extend_from_slice(&v.to_ne_bytes()),
        Arg::Int(v) => bytes.extend_from_slice(&v.to_ne_bytes()),
        Arg::Long(v) => bytes.extend_from_slice(&v.to_ne_bytes()),
        Arg::Float(v) => bytes.extend_from_slice(&v.to_ne_bytes()),
        Arg::Double(v) => bytes.extend_from_slice(&v.to_ne_bytes()),
        _ => {}
    }
}

/// A NumPy array as a new Java primitive array of element type `p`: its dtype must be exactly
/// that primitive (no silent casts), and it must be one-dimensional.
fn ndarray_arg(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    p: Prim,
    ty: &JType,
    keep: &mut Vec<Box<dyn Send>>,
) -> PyResult<Arg> {
    let ndim: usize = obj.getattr(intern!(py, "ndim"))?.extract()?;
    let dtype = dtype_prim(obj)?;
    if ndim != 1 || dtype != Some(p) {
        return Err(PyTypeError::new_err(format!(
            "a NumPy array passed as Java {} must be 1-d with dtype {} (got {}-d {}); convert it \
             with .ravel().astype(...)",
            ty.display(),
            numpy_name(p),
            ndim,
            obj.getattr(intern!(py, "dtype"))?.str()?
        )));
    }
    let contiguous =
        crate::images::numpy(py)?.call_method1(intern!(py, "ascontiguousarray"), (obj,))?;
    let memory = crate::images::ArrayMemory::of(&contiguous)?;
    // SAFETY: `contiguous` is a C-contiguous array of `contiguous_bytes()` bytes at `address`;
    // it is kept in `keep`, which outlives the call, so its memory stays valid and in place.
    let bytes =
        unsafe { BorrowedBytes::new(memory.address as *const u8, memory.contiguous_bytes()) };
    keep.push(Box::new(contiguous.unbind()));
    Ok(Arg::PrimArray(p, Bytes::Borrowed(bytes)))
}

/// The NumPy dtype name of a Java primitive.
pub(crate) fn numpy_name(p: Prim) -> &'static str {
    DType::of_java_array(p).map_or("float64", DType::numpy_name)
}

/// Converts `obj` to Java primitive `p`.
fn to_prim(obj: &Bound<'_, PyAny>, p: Prim, ty: &JType) -> PyResult<Arg> {
    match p {
        Prim::Boolean => {
            if obj.is_instance_of::<PyBool>() {
                Ok(Arg::Bool(obj.is_truthy()?))
            } else {
                Err(type_error(obj, ty))
            }
        }
        Prim::Char => match obj.cast::<PyString>() {
            Ok(s) => match utf16(s)?[..] {
                [c] => Ok(Arg::Char(c)),
                _ => Err(PyTypeError::new_err(format!(
                    "Java char takes a one-character str, not {}",
                    obj.repr()?
                ))),
            },
            Err(_) => Err(type_error(obj, ty)),
        },
        Prim::Float | Prim::Double => {
            let x = if let Some(x) = as_float(obj) {
                x
            } else if let Some(v) = as_int(obj) {
                match v {
                    Some(v) => v as f64,
                    None => obj.extract::<f64>().map_err(|_| range_error(obj, ty))?,
                }
            } else {
                return Err(type_error(obj, ty));
            };
            if p == Prim::Double {
                Ok(Arg::Double(x))
            } else if overload::fits_f32(x) {
                Ok(Arg::Float(x as f32))
            } else {
                Err(range_error(obj, ty))
            }
        }
        Prim::Byte | Prim::Short | Prim::Int | Prim::Long => {
            let Some(v) = as_int(obj) else {
                return Err(type_error(obj, ty));
            };
            let v = v.ok_or_else(|| range_error(obj, ty))?;
            let out = match p {
                Prim::Byte => i8::try_from(v).map(Arg::Byte).ok(),
                Prim::Short => i16::try_from(v).map(Arg::Short).ok(),
                Prim::Int => i32::try_from(v).map(Arg::Int).ok(),
                _ => Some(Arg::Long(v)),
            };
            out.ok_or_else(|| range_error(obj, ty))
        }
        Prim::Void => Err(PyValueError::new_err("void takes no value")),
    }
}

/// Whether `obj` is a value [`prim_value`] may take: an exact built-in `int`, `float` or `bool`.
/// One type comparison each, so a call whose arguments are not all such values leaves the lean
/// path at its first other argument.
pub(crate) fn is_plain_number(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_exact_instance_of::<PyInt>()
        || obj.is_exact_instance_of::<PyFloat>()
        || obj.is_exact_instance_of::<PyBool>()
}

/// `obj` as the JNI value of a Java `p`, for the exact built-in `int`, `float` and `bool` that
/// [`to_prim`] converts to the same value; `None` for anything else (another type, a value out
/// of range, `char`), which the general path converts or refuses with its error.
pub(crate) fn prim_value(obj: &Bound<'_, PyAny>, p: Prim) -> Option<jvalue> {
    let int = || {
        obj.is_exact_instance_of::<PyInt>()
            .then(|| obj.extract::<i64>().ok())
            .flatten()
    };
    Some(match p {
        Prim::Boolean if obj.is_exact_instance_of::<PyBool>() => jvalue {
            z: u8::from(obj.is_truthy().ok()?),
        },
        Prim::Byte => jvalue {
            b: i8::try_from(int()?).ok()?,
        },
        Prim::Short => jvalue {
            s: i16::try_from(int()?).ok()?,
        },
        Prim::Int => jvalue {
            i: i32::try_from(int()?).ok()?,
        },
        Prim::Long => jvalue { j: int()? },
        Prim::Float | Prim::Double => {
            let x = match obj.cast_exact::<PyFloat>() {
                Ok(f) => f.value(),
                Err(_) => int()? as f64,
            };
            if p == Prim::Double {
                jvalue { d: x }
            } else if overload::fits_f32(x) {
                jvalue { f: x as f32 }
            } else {
                return None;
            }
        }
        Prim::Boolean | Prim::Char | Prim::Void => return None,
    })
}

/// Converts a value that came from Java to Python.
pub(crate) fn to_py(py: Python<'_>, value: Value) -> PyResult<Py<PyAny>> {
    Ok(match value {
        Value::Void | Value::Null => py.None(),
        Value::Bool(b) => PyBool::new(py, b).to_owned().into_any().unbind(),
        Value::Byte(v) => v.into_pyobject(py)?.into_any().unbind(),
        Value::Short(v) => v.into_pyobject(py)?.into_any().unbind(),
        Value::Int(v) => v.into_pyobject(py)?.into_any().unbind(),
        Value::Long(v) => v.into_pyobject(py)?.into_any().unbind(),
        Value::Float(v) => f64::from(v).into_pyobject(py)?.into_any().unbind(),
        Value::Double(v) => v.into_pyobject(py)?.into_any().unbind(),
        Value::Char(c) => py_str(py, &[c])?.unbind(),
        Value::Str(units) => py_str(py, &units)?.unbind(),
        Value::Object(obj) => Py::new(py, JavaObject { obj })?.into_any(),
    })
}

/// Conversions that need Python but no JVM, tested against a real interpreter (the crate also
/// builds as an rlib for this; `cargo test -p imglyb-py` links the interpreter `PYO3_PYTHON`
/// names).
#[cfg(test)]
mod tests {
    use super::*;

    /// The Python value `code` converted to a Java `p`: the argument's debug form, or the error.
    fn convert_prim(py: Python<'_>, code: &str, p: Prim) -> Result<String, String> {
        let v = py
            .eval(&std::ffi::CString::new(code).unwrap(), None, None)
            .unwrap();
        to_prim(&v, p, &JType::primitive(p))
            .map(|a| format!("{a:?}"))
            .map_err(|e| e.to_string())
    }

    fn with_python(f: impl FnOnce(Python<'_>)) {
        Python::initialize();
        Python::attach(f);
    }

    #[test]
    fn python_values_are_classified_as_resolution_needs() {
        with_python(|py| {
            let kind = |code: &str| {
                let v = py
                    .eval(&std::ffi::CString::new(code).unwrap(), None, None)
                    .unwrap();
                format!("{:?}", classify(&v).unwrap())
            };
            assert_eq!(kind("None"), "Null");
            assert_eq!(kind("True"), "Bool");
            assert_eq!(kind("-5"), "Int(Some(-5))");
            assert_eq!(kind("2**70"), "Int(None)");
            assert_eq!(kind("1.5"), "Float(1.5)");
            assert_eq!(kind("'a'"), "Str { len1: true }");
            assert_eq!(kind("'ab'"), "Str { len1: false }");
            assert_eq!(kind("[1, 'x']"), "Seq([Int(Some(1)), Str { len1: true }])");
            let err = classify(&py.eval(c"object()", None, None).unwrap()).unwrap_err();
            assert!(err.is_instance_of::<PyTypeError>(py));
            assert!(
                err.to_string().contains("cannot pass a object to Java"),
                "{err}"
            );
        });
    }

    #[test]
    fn integers_are_range_checked_never_truncated() {
        with_python(|py| {
            let convert = |code: &str, p: Prim| convert_prim(py, code, p);
            assert_eq!(convert("127", Prim::Byte).unwrap(), "Byte(127)");
            assert!(
                convert("128", Prim::Byte)
                    .unwrap_err()
                    .contains("out of range for Java byte")
            );
            assert!(
                convert("-32769", Prim::Short)
                    .unwrap_err()
                    .contains("out of range")
            );
            assert_eq!(convert("2**31 - 1", Prim::Int).unwrap(), "Int(2147483647)");
            assert!(
                convert("2**31", Prim::Int)
                    .unwrap_err()
                    .contains("never truncated")
            );
            assert!(
                convert("2**63", Prim::Long)
                    .unwrap_err()
                    .contains("out of range")
            );
            assert!(
                convert("True", Prim::Int)
                    .unwrap_err()
                    .contains("cannot convert True")
            );
            assert!(
                convert("1.0", Prim::Int)
                    .unwrap_err()
                    .contains("cannot convert 1.0")
            );
        });
    }

    #[test]
    fn floats_chars_and_booleans_convert_exactly() {
        with_python(|py| {
            let convert = |code: &str, p: Prim| convert_prim(py, code, p);
            assert_eq!(convert("0.5", Prim::Float).unwrap(), "Float(0.5)");
            assert!(
                convert("1e300", Prim::Float)
                    .unwrap_err()
                    .contains("out of range for Java float")
            );
            assert_eq!(convert("3", Prim::Double).unwrap(), "Double(3.0)");
            assert_eq!(convert("'é'", Prim::Char).unwrap(), "Char(233)");
            assert!(
                convert("'ab'", Prim::Char)
                    .unwrap_err()
                    .contains("one-character str")
            );
            assert_eq!(convert("False", Prim::Boolean).unwrap(), "Bool(false)");
            assert!(
                convert("0", Prim::Boolean)
                    .unwrap_err()
                    .contains("cannot convert 0")
            );
        });
    }

    #[test]
    fn strings_keep_lone_surrogates_both_ways() {
        with_python(|py| {
            let units = [0x61, 0xD800, 0x62];
            let s = py_str(py, &units).unwrap();
            assert_eq!(utf16(s.cast::<PyString>().unwrap()).unwrap(), units);
            let plain = py_str(py, &[0x68, 0x69]).unwrap();
            assert_eq!(plain.extract::<String>().unwrap(), "hi");
        });
    }
}
