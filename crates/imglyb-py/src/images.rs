//! Shared pixels from Python: `to_imglib`, `to_imglib_argb` and `to_numpy`.
//!
//! An array is read through the buffer protocol, and the export stays open for as long as Java
//! can reach the memory: the owner handed to core is an [`Export`], so NumPy refuses to resize
//! or free the array under Java, and a `bytearray` cannot be resized either. When Java lets go,
//! core drops the owner on a Java cleaner thread without the GIL; PyO3 defers that decrement
//! until the GIL is next taken, so the release can never deadlock.
//!
//! The other way, a view of Java-side memory is a NumPy array whose base is a [`JavaMemory`]:
//! it holds a global reference to the image, so the memory lives while any view of it does.

use std::ffi::CStr;

use imglyb_core::{DType, ImageDescriptor, JObj, PixelType, SharedImage};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};

use crate::objects::JObject;
use crate::{call_java, jvm};

/// An open buffer export of a Python object: the memory an image wraps. Releasing it (when
/// the last reference goes, always with the GIL held) ends the export.
#[pyclass(module = "imglyb", name = "_Export", frozen)]
pub(crate) struct Export {
    view: Box<BufferView>,
}

/// A `Py_buffer`; its pointers are only read, and it is released once, in `Drop`.
struct BufferView(ffi::Py_buffer);

// SAFETY: the buffer struct is plain data describing memory the exporter keeps alive while the
// export is open; it is released only in Export's drop, which runs with the GIL held.
unsafe impl Send for BufferView {}
// SAFETY: as above; shared access only reads it.
unsafe impl Sync for BufferView {}

impl std::fmt::Debug for Export {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Export")
            .field("buf", &self.view.0.buf)
            .finish()
    }
}

impl Drop for Export {
    fn drop(&mut self) {
        // SAFETY: a pyclass is dropped while its object is deallocated, with the GIL held; the
        // buffer was filled by a successful PyObject_GetBuffer and is released only here.
        unsafe { ffi::PyBuffer_Release(&mut self.view.0) };
    }
}

impl Export {
    /// Opens a strided export with a format string (read-only is allowed).
    fn open(obj: &Bound<'_, PyAny>) -> PyResult<Export> {
        // SAFETY: Py_buffer is a plain C struct; all-zero is its unfilled state.
        let mut view = Box::new(BufferView(unsafe { std::mem::zeroed() }));
        // SAFETY: `obj` is a live object, the GIL is held, and `view` is writable.
        let rc =
            unsafe { ffi::PyObject_GetBuffer(obj.as_ptr(), &mut view.0, ffi::PyBUF_RECORDS_RO) };
        if rc != 0 {
            return Err(PyErr::fetch(obj.py()));
        }
        Ok(Export { view })
    }

    fn buf(&self) -> &ffi::Py_buffer {
        &self.view.0
    }

    fn format(&self) -> &str {
        let f = self.buf().format;
        if f.is_null() {
            return "B";
        }
        // SAFETY: a non-null format is a NUL-terminated string owned by the export.
        unsafe { CStr::from_ptr(f) }.to_str().unwrap_or("?invalid")
    }

    /// The export's shape and byte strides. A NULL `shape` is one axis of `len / itemsize`
    /// items, and NULL `strides` mean C-contiguous, as the buffer protocol allows (ctypes arrays
    /// export NULL strides). A negative extent is refused.
    fn shape_strides(&self) -> PyResult<(Vec<usize>, Vec<isize>)> {
        let b = self.buf();
        let n = usize::try_from(b.ndim).unwrap_or(0);
        if n == 0 {
            return Ok((Vec::new(), Vec::new()));
        }
        let shape: Vec<isize> = if b.shape.is_null() {
            vec![if b.itemsize > 0 {
                b.len / b.itemsize
            } else {
                0
            }]
        } else {
            // SAFETY: a non-NULL shape holds `ndim` extents, filled by the exporter.
            unsafe { std::slice::from_raw_parts(b.shape, n) }.to_vec()
        };
        let shape = shape
            .iter()
            .map(|&s| {
                usize::try_from(s).map_err(|_| {
                    PyValueError::new_err(format!("the buffer has a negative extent {s}"))
                })
            })
            .collect::<PyResult<Vec<usize>>>()?;
        let strides = if b.strides.is_null() {
            let mut strides = vec![0isize; shape.len()];
            let mut step = b.itemsize;
            for (stride, &extent) in strides.iter_mut().zip(&shape).rev() {
                *stride = step;
                step = step.saturating_mul(isize::try_from(extent).unwrap_or(isize::MAX));
            }
            strides
        } else {
            // SAFETY: non-NULL strides hold `ndim` byte strides, filled by the exporter.
            unsafe { std::slice::from_raw_parts(b.strides, n) }.to_vec()
        };
        Ok((shape, strides))
    }
}

/// The dtype of a buffer format, for the formats NumPy exports for the dtypes imglyb shares.
fn dtype_of_format(format: &str, itemsize: usize) -> Option<DType> {
    let native = if cfg!(target_endian = "little") {
        format.trim_start_matches(['@', '=', '<'])
    } else {
        format.trim_start_matches(['@', '=', '>', '!'])
    };
    Some(match (native, itemsize) {
        ("?", 1) => DType::Bool,
        ("B", 1) => DType::U8,
        ("b", 1) => DType::I8,
        ("H", 2) => DType::U16,
        ("h", 2) => DType::I16,
        ("I" | "L", 4) => DType::U32,
        ("i" | "l", 4) => DType::I32,
        ("L" | "Q", 8) => DType::U64,
        ("l" | "q", 8) => DType::I64,
        ("f", 4) => DType::F32,
        ("d", 8) => DType::F64,
        ("Zf", 8) => DType::C64,
        ("Zd", 16) => DType::C128,
        _ => return None,
    })
}

static NUMPY: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn numpy(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    NUMPY
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("numpy")?.unbind()))
        .map(|m| m.bind(py))
}

/// The error for an array whose dtype imglyb cannot share, naming the dtype and the fix.
fn dtype_error(obj: &Bound<'_, PyAny>, format: Option<&str>) -> PyErr {
    let py = obj.py();
    let typestr = numpy(py)
        .and_then(|np| np.call_method1("asarray", (obj,)))
        .and_then(|a| a.getattr("dtype")?.getattr("str")?.extract::<String>());
    match typestr {
        Ok(t) => match DType::from_typestr(&t) {
            Err(e) => crate::to_py_err(e),
            Ok(d) => PyTypeError::new_err(format!(
                "cannot share {} memory exported with buffer format {:?}; copy it first with \
                 np.ascontiguousarray(arr)",
                d.numpy_name(),
                format.unwrap_or("?")
            )),
        },
        Err(_) => PyTypeError::new_err(format!(
            "cannot share memory with buffer format {:?} with ImgLib2; supported are bool, \
             (u)int8-64, float32/64 and complex64/128",
            format.unwrap_or("?")
        )),
    }
}

/// Opens an export of `obj`: any object with the buffer protocol (NumPy arrays and their
/// subclasses such as `np.memmap`, `memoryview`, `bytearray`), or with the array interface.
/// The export holds a reference to the exporting object, so it keeps the memory's owner alive.
fn export_of(obj: &Bound<'_, PyAny>) -> PyResult<Export> {
    if obj.is_instance_of::<JObject>() {
        return Err(PyTypeError::new_err(
            "to_imglib takes a NumPy array; this is already a Java object",
        ));
    }
    match Export::open(obj) {
        Ok(e) => Ok(e),
        Err(e) if obj.is_instance_of::<pyo3::types::PyMemoryView>() => {
            // A memoryview that cannot export says why (released, for one): keep its words.
            Err(PyValueError::new_err(format!(
                "cannot share this memoryview's memory: {}",
                e.value(obj.py())
            )))
        }
        Err(_) => {
            let py = obj.py();
            let np = numpy(py)?;
            if obj.is_instance(&np.getattr("ndarray")?)? {
                // NumPy refuses to export some dtypes (datetime, ...): name the dtype.
                return Err(dtype_error(obj, None));
            }
            if obj.hasattr("__array_interface__")? || obj.hasattr("__array_struct__")? {
                let array = np.call_method1("asarray", (obj,))?;
                return match Export::open(&array) {
                    Ok(e) => Ok(e),
                    Err(_) => Err(dtype_error(&array, None)),
                };
            }
            Err(PyTypeError::new_err(format!(
                "to_imglib needs an array sharing its memory: a NumPy array, or an object with \
                 the array interface or the buffer protocol; got {}. For other data, make an \
                 array first (numpy.asarray(x)), which may copy",
                obj.get_type().name()?
            )))
        }
    }
}

/// Reads the export's metadata into a descriptor, refusing what ImgLib2 cannot take.
fn descriptor(obj: &Bound<'_, PyAny>, export: &Export) -> PyResult<ImageDescriptor> {
    let b = export.buf();
    let itemsize = usize::try_from(b.itemsize).unwrap_or(0);
    let format = export.format();
    let dtype = dtype_of_format(format, itemsize).ok_or_else(|| dtype_error(obj, Some(format)))?;
    let (shape, strides) = export.shape_strides()?;
    if shape.is_empty() {
        return Err(PyValueError::new_err(
            "a 0-d array has no axes for an ImgLib2 image; use arr.reshape(1) for a \
             one-pixel image",
        ));
    }
    ImageDescriptor::new(b.buf as usize, dtype, &shape, &strides, b.readonly != 0)
        .map_err(crate::to_py_err)
}

/// The owner of a wrapped array's export, as core holds it. Java releases it on its cleaner
/// thread, without the GIL: the drop attaches to Python first, so the export ends there and
/// then. Left to PyO3's deferred pool instead, releases arriving by the thousand (8 threads
/// wrapping and dropping arrays) were dropped in nested batches, each deallocation draining the
/// pool again, until the recursion overflowed the stack (found by `ci/stress`).
struct ExportOwner(Option<Py<Export>>);

impl Drop for ExportOwner {
    fn drop(&mut self) {
        let mut export = self.0.take();
        // While Python shuts down it cannot be attached to: the reference is then left to PyO3.
        let _ = Python::try_attach(|_py| drop(export.take()));
    }
}

/// Wraps `obj` as an ImgLib2 image (the body of `to_imglib` and of the bridge's hook).
pub(crate) fn wrap(obj: &Bound<'_, PyAny>, pixels: PixelType) -> PyResult<JObject> {
    let py = obj.py();
    let export = export_of(obj)?;
    let desc = descriptor(obj, &export)?;
    let owner = Py::new(py, export)?;
    let jvm = jvm()?;
    let obj = call_java(py, move || {
        // SAFETY: the owner holds the buffer export open: the exporter keeps the memory valid
        // and in place (NumPy refuses resize while an export is open) until core drops the
        // owner, which happens only after Java can no longer reach the memory. Writes reach it
        // only when the export is writable, since the descriptor carries its read-only flag.
        unsafe { jvm.wrap(&desc, pixels, Box::new(ExportOwner(Some(owner)))) }
    })?;
    Ok(JObject { obj })
}

/// `to_imglib(arr)`: the array as an ImgLib2 `Img` over the same memory.
#[pyfunction]
pub(crate) fn to_imglib(arr: &Bound<'_, PyAny>) -> PyResult<JObject> {
    wrap(arr, PixelType::Dtype)
}

/// `to_imglib_argb(arr)`: a uint32 or int32 array as an `ARGBType` image over the same memory.
#[pyfunction]
pub(crate) fn to_imglib_argb(arr: &Bound<'_, PyAny>) -> PyResult<JObject> {
    wrap(arr, PixelType::Argb)
}

/// The base of a NumPy view of Java-side memory: holds the image, so the memory stays alive
/// while any array derived from the view is alive.
#[pyclass(module = "imglyb", name = "JavaMemory", frozen)]
#[derive(Debug)]
pub(crate) struct JavaMemory {
    image: JObj,
    shared: SharedImage,
}

#[pymethods]
impl JavaMemory {
    /// The Java image whose memory this is.
    #[getter]
    fn image(&self) -> JObject {
        JObject {
            obj: self.image.clone(),
        }
    }

    /// NumPy's array interface (version 3) for the memory.
    #[getter]
    fn __array_interface__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = &self.shared;
        let d = PyDict::new(py);
        d.set_item("version", 3)?;
        d.set_item("shape", PyTuple::new(py, &s.shape)?)?;
        d.set_item("strides", PyTuple::new(py, &s.strides)?)?;
        d.set_item("typestr", s.dtype.typestr())?;
        d.set_item("data", (s.address, s.read_only))?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "<imglyb.JavaMemory {} {:?} at {:#x}{}>",
            self.shared.dtype.numpy_name(),
            self.shared.shape,
            self.shared.address,
            if self.shared.read_only {
                " read-only"
            } else {
                ""
            }
        )
    }
}

/// `to_numpy(img, copy=None)`.
#[pyfunction]
#[pyo3(signature = (img, copy = None))]
pub(crate) fn to_numpy<'py>(
    img: &Bound<'py, PyAny>,
    copy: Option<bool>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = img.py();
    let Ok(jobj) = img.cast::<JObject>() else {
        return Err(PyTypeError::new_err(format!(
            "to_numpy takes an ImgLib2 image (a Java object), got {}",
            img.get_type().name()?
        )));
    };
    let jimage = jobj.get().obj.clone();
    let image = jimage.obj.clone();
    let jvm = jvm()?;
    let np = numpy(py)?;
    let img2 = image.clone();
    if let Some(shared) = call_java(py, move || jvm.describe(&img2))? {
        let memory = Py::new(
            py,
            JavaMemory {
                image: jimage,
                shared,
            },
        )?;
        let view = np.call_method1("asarray", (memory,))?;
        // A copy of a view is NumPy's own strided copy, at memcpy speed.
        return if copy == Some(true) {
            view.call_method0("copy")
        } else {
            Ok(view)
        };
    }
    if copy == Some(false) {
        return Err(PyValueError::new_err(
            "this image is not over memory NumPy can view (it is a heap image, or a view that is \
             not plain strides over imglyb memory); use copy=True (or None) to copy it",
        ));
    }
    let img2 = image.clone();
    let shape = call_java(py, move || jvm.image_shape(&img2))?;
    let typestr = shape.dtype.typestr();
    let out = np.call_method1("empty", (PyTuple::new(py, &shape.shape)?, typestr))?;
    let export = Export::open(&out)?;
    let dst = export.buf().buf as usize;
    call_java(py, move || {
        // SAFETY: `out` is a new C-contiguous array of exactly the shape's bytes, and its
        // export stays open (so the memory stays put) until after this call returns.
        unsafe { jvm.copy_out(&image, &shape, dst as *mut u8) }
    })?;
    drop(export);
    Ok(out)
}
