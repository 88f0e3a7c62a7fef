//! `JavaMethod`: all overloads of one name, bound to an object or a class.
//!
//! # Why a type made by hand
//! Calling a method is the bridge's hottest path, and a `#[pyclass]` can only be called through
//! `tp_call`: CPython packs the arguments into a tuple, and PyO3's trampoline unpacks them
//! again, about 45 ns per call. This type is built with `PyType_FromSpec` (stable ABI, CPython
//! 3.9 and newer) and is called through the vectorcall protocol instead: CPython hands over its
//! own argument array. `tp_call` stays, for callers that use it (`PyObject_Call`), and does the
//! same work. The object holds its [`JavaMethod`] inline, so making one is one allocation.

use std::ffi::{CStr, c_int, c_uint, c_ulong, c_void};
use std::mem::{ManuallyDrop, offset_of};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use imglyb_core::JRef;
use imglyb_core::bridge::overload::Mode;
use imglyb_core::bridge::reflect::{ClassInfo, MethodGroup};
use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::panic::PanicException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyTuple, PyType};

use super::call::call_group;
use super::class::instance_of;
use super::{with_gathered, with_items};
use crate::handles::JavaObject;

/// A Java method (all overloads of one name), bound to an object or a class: what an instance
/// of the Python type `imglyb.JavaMethod` holds.
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

    fn repr(&self) -> String {
        let n = self.group.overloads.len();
        format!(
            "<java method {}.{} ({n} overload{})>",
            self.owner.name(),
            self.group.name,
            if n == 1 { "" } else { "s" }
        )
    }

    /// This method as a Python `imglyb.JavaMethod`.
    pub(super) fn into_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let ty = method_type(py)?;
        // SAFETY: `ty` is the type `method_type` made, whose instances are `Raw` (its
        // basicsize); `PyType_GenericAlloc` returns a new zeroed instance or null with an
        // exception set.
        unsafe {
            let obj = ffi::PyType_GenericAlloc(ty.as_ptr().cast(), 0);
            if obj.is_null() {
                return Err(PyErr::fetch(py));
            }
            let raw = obj.cast::<Raw>();
            (*raw).vectorcall = Some(vectorcall);
            (&raw mut (*raw).method).write(ManuallyDrop::new(self));
            Ok(Bound::from_owned_ptr(py, obj).unbind())
        }
    }
}

/// The layout of an `imglyb.JavaMethod` instance.
#[repr(C)]
struct Raw {
    ob_base: ffi::PyObject,
    /// What CPython calls (`__vectorcalloffset__` points here).
    vectorcall: Option<ffi::vectorcallfunc>,
    /// Written once by [`JavaMethod::into_py`], dropped by [`dealloc`].
    method: ManuallyDrop<JavaMethod>,
}

/// The flag the stable ABI names only from 3.12 on; CPython honours it for types made with
/// `PyType_FromSpec` from 3.9 on, together with the `__vectorcalloffset__` member.
const HAVE_VECTORCALL: c_ulong = 1 << 11;
/// `Py_TPFLAGS_IMMUTABLETYPE` (3.10 and newer): `JavaMethod.__call__` cannot be replaced,
/// which would change `tp_call` but not the vectorcall entry. On 3.9 the type stays mutable, and
/// a replaced `__call__` would only be seen by callers that use `tp_call`.
const IMMUTABLE_TYPE: c_ulong = 1 << 8;
/// `PY_VECTORCALL_ARGUMENTS_OFFSET`: set in `nargsf` when the caller leaves a free slot before
/// the arguments.
const ARGUMENTS_OFFSET: usize = 1 << (usize::BITS - 1);

static METHOD_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The Python type `imglyb.JavaMethod`, made on first use.
pub(super) fn method_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    METHOD_TYPE
        .get_or_try_init(py, || make_type(py))
        .map(|t| t.bind(py))
}

fn make_type(py: Python<'_>) -> PyResult<Py<PyType>> {
    const NAME: &CStr = c"imglyb.JavaMethod";
    const DOC: &CStr =
        c"A Java method group bound to its target; calling it resolves the overload.";
    // `tp_name` and `tp_getset` keep pointing into these, so they live as long as the process.
    let members: &'static mut [ffi::PyMemberDef; 2] = Box::leak(Box::new([
        ffi::PyMemberDef {
            name: c"__vectorcalloffset__".as_ptr(),
            type_code: ffi::Py_T_PYSSIZET,
            offset: offset_of!(Raw, vectorcall) as ffi::Py_ssize_t,
            flags: ffi::Py_READONLY,
            doc: std::ptr::null(),
        },
        ffi::PyMemberDef::default(),
    ]));
    let getset: &'static mut [ffi::PyGetSetDef; 2] = Box::leak(Box::new([
        ffi::PyGetSetDef {
            name: c"signatures".as_ptr(),
            get: Some(signatures),
            set: None,
            doc: c"The Java signatures of the overloads.".as_ptr(),
            closure: std::ptr::null_mut(),
        },
        ffi::PyGetSetDef::default(),
    ]));
    let slot = |slot: c_int, pfunc: *mut c_void| ffi::PyType_Slot { slot, pfunc };
    let mut slots = [
        slot(ffi::Py_tp_dealloc, dealloc as *mut c_void),
        slot(ffi::Py_tp_call, tp_call as *mut c_void),
        slot(ffi::Py_tp_repr, repr as *mut c_void),
        slot(ffi::Py_tp_new, refuse_new as *mut c_void),
        slot(ffi::Py_tp_doc, DOC.as_ptr() as *mut c_void),
        slot(ffi::Py_tp_members, members.as_mut_ptr().cast()),
        slot(ffi::Py_tp_getset, getset.as_mut_ptr().cast()),
        slot(0, std::ptr::null_mut()),
    ];
    let mut flags = ffi::Py_TPFLAGS_DEFAULT | HAVE_VECTORCALL;
    if py.version_info() >= (3, 10) {
        flags |= IMMUTABLE_TYPE;
    }
    let mut spec = ffi::PyType_Spec {
        name: NAME.as_ptr(),
        basicsize: size_of::<Raw>() as c_int,
        itemsize: 0,
        flags: flags as c_uint,
        slots: slots.as_mut_ptr(),
    };
    // SAFETY: the spec and its slots are valid for the call; what the new type keeps pointers
    // to (name, doc, members, getset) is static or leaked. The result is a new reference or
    // null with an exception set.
    unsafe {
        let ty = ffi::PyType_FromSpec(&mut spec);
        Ok(Bound::from_owned_ptr_or_err(py, ty)?
            .cast_into::<PyType>()?
            .unbind())
    }
}

/// Runs `f` as a CPython entry point: an error or a panic becomes the Python exception set,
/// and null is returned.
///
/// # Safety
/// The calling thread must be attached to the interpreter (CPython holds the GIL for every
/// slot it calls).
unsafe fn entry<F>(f: F) -> *mut ffi::PyObject
where
    F: FnOnce(Python<'_>) -> PyResult<Py<PyAny>>,
{
    // SAFETY: the caller guarantees the thread is attached.
    let py = unsafe { Python::assume_attached() };
    let result = catch_unwind(AssertUnwindSafe(|| f(py))).unwrap_or_else(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic in imglyb's JavaMethod".to_owned());
        Err(PanicException::new_err(msg))
    });
    match result {
        Ok(v) => v.into_ptr(),
        Err(e) => {
            e.restore(py);
            std::ptr::null_mut()
        }
    }
}

/// The method `obj` holds.
///
/// # Safety
/// `obj` must be an instance of the type [`method_type`] made, alive for `'a`.
unsafe fn method_of<'a>(obj: *mut ffi::PyObject) -> &'a JavaMethod {
    // SAFETY: the caller guarantees `obj` is a `Raw` whose `method` `into_py` wrote.
    unsafe { &(*obj.cast::<Raw>()).method }
}

fn no_keywords(method: &JavaMethod) -> PyErr {
    PyTypeError::new_err(format!(
        "{}.{} takes no keyword arguments: Java methods take their arguments by position",
        method.owner.name(),
        method.group.name
    ))
}

/// The vectorcall entry: CPython's argument array, with no tuple.
///
/// # Safety
/// For CPython only, as the type's vectorcall: the GIL held, `callable` an instance of this
/// type, `args` holding `nargsf`'s count of live references.
unsafe extern "C" fn vectorcall(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls vectorcall entries with the GIL held, with `callable` an instance
    // of this type and `args` holding `nargs` borrowed references (plus the keyword values
    // after them when `kwnames` is not null).
    unsafe {
        entry(|py| {
            let method = method_of(callable);
            if !kwnames.is_null() && ffi::PyTuple_Size(kwnames) != 0 {
                return Err(no_keywords(method));
            }
            let n = nargsf & !ARGUMENTS_OFFSET;
            let item = |i: usize| Ok(Bound::from_borrowed_ptr(py, *args.add(i)));
            with_gathered(n, item, |args| method.call(py, args))?
        })
    }
}

/// `tp_call`: the same call, for callers that pass a tuple.
///
/// # Safety
/// For CPython only, as the type's `tp_call`: the GIL held, `callable` an instance of this
/// type, `args` a tuple, `kwargs` a dict or null.
unsafe extern "C" fn tp_call(
    callable: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls `tp_call` with the GIL held, `callable` an instance of this type,
    // `args` a tuple and `kwargs` a dict or null.
    unsafe {
        entry(|py| {
            let method = method_of(callable);
            if !kwargs.is_null() && ffi::PyDict_Size(kwargs) != 0 {
                return Err(no_keywords(method));
            }
            let args = Bound::from_borrowed_ptr(py, args).cast_into::<PyTuple>()?;
            with_items(&args, |args| method.call(py, args))?
        })
    }
}

/// `tp_repr`.
///
/// # Safety
/// For CPython only: the GIL held, `obj` an instance of this type.
unsafe extern "C" fn repr(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: CPython calls `tp_repr` with the GIL held and `obj` an instance of this type.
    unsafe {
        entry(|py| {
            let text = method_of(obj).repr();
            Ok(pyo3::types::PyString::new(py, &text).into_any().unbind())
        })
    }
}

/// The `signatures` getter.
///
/// # Safety
/// For CPython only: the GIL held, `obj` an instance of this type.
unsafe extern "C" fn signatures(
    obj: *mut ffi::PyObject,
    _closure: *mut c_void,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls a getter with the GIL held and `obj` an instance of this type.
    unsafe {
        entry(|py| {
            let method = method_of(obj);
            let list: Vec<String> = method
                .group
                .overloads
                .iter()
                .map(|m| m.signature())
                .collect();
            Ok(list.into_pyobject(py)?.into_any().unbind())
        })
    }
}

/// `tp_new`: instances come from [`JavaMethod::into_py`] only.
///
/// # Safety
/// For CPython only: the GIL held.
unsafe extern "C" fn refuse_new(
    _ty: *mut ffi::PyTypeObject,
    _args: *mut ffi::PyObject,
    _kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls `tp_new` with the GIL held.
    unsafe {
        entry(|_| {
            Err(PyTypeError::new_err(
                "imglyb.JavaMethod cannot be made directly: it is what a Java class's or object's \
                 method attribute gives",
            ))
        })
    }
}

/// `tp_dealloc`.
///
/// # Safety
/// For CPython only: once per instance of this type, when its last reference goes, with the
/// GIL held.
unsafe extern "C" fn dealloc(obj: *mut ffi::PyObject) {
    // SAFETY: CPython calls `tp_dealloc` once, with the GIL held, when the last reference to an
    // instance of this type goes; `into_py` wrote its `method` before the instance was seen.
    // The type has no GC flag, so its `tp_free` is `PyObject_Free`, and an instance of a heap
    // type holds a reference to its type (taken by `PyType_GenericAlloc`).
    unsafe {
        let ty = ffi::Py_TYPE(obj);
        let raw = obj.cast::<Raw>();
        ManuallyDrop::drop(&mut (*raw).method);
        ffi::PyObject_Free(obj.cast());
        ffi::Py_DECREF(ty.cast());
    }
}

/// Adds `JavaMethod` to the module.
pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("JavaMethod", method_type(m.py())?)
}
