//! Shared pixels from Python: `to_imglib`, `to_imglib_argb` and `to_numpy`.
//!
//! An array is read as NumPy sees it: a `memoryview` of the object keeps its buffer export open
//! for as long as Java can reach the memory, and a NumPy array over that memoryview gives the
//! address and layout (`__array_interface__`). The owner handed to core is that array, so NumPy
//! refuses to resize or free the memory under Java, and a `bytearray` cannot be resized either.
//! Only the stable ABI is used (the wheel is `abi3`, one build for every CPython from 3.9): the
//! buffer protocol's C structures are not part of it before 3.11. When Java lets go, core drops
//! the owner on a Java cleaner thread, which attaches to Python first ([`ExportOwner`]).
//!
//! The other way, a view of Java-side memory is a NumPy array whose base is a [`JavaMemory`]:
//! it holds a global reference to the image, so the memory lives while any view of it does.

use std::sync::{Arc, OnceLock};

use imglyb_core::bridge::reflect::ClassInfo;

use imglyb_core::{DType, ImageDescriptor, JObj, PixelType, SharedImage};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyMemoryView, PyTuple};

use crate::handles::JavaObject;
use crate::java::{pixels, without_gil};

/// What NumPy's array interface says about an array's memory.
pub(crate) struct ArrayMemory {
    /// Address of element `[0, …, 0]`.
    pub(crate) address: usize,
    pub(crate) read_only: bool,
    pub(crate) shape: Vec<usize>,
    /// Byte strides; C-contiguous when the interface gives none (as for ctypes arrays).
    pub(crate) strides: Vec<isize>,
    pub(crate) typestr: String,
    pub(crate) itemsize: usize,
}

impl ArrayMemory {
    /// Reads `array.__array_interface__` (NumPy arrays always have one).
    pub(crate) fn of(array: &Bound<'_, PyAny>) -> PyResult<ArrayMemory> {
        let py = array.py();
        let iface = array.getattr(intern!(py, "__array_interface__"))?;
        let (address, read_only): (usize, bool) = iface.get_item(intern!(py, "data"))?.extract()?;
        let shape: Vec<isize> = iface.get_item(intern!(py, "shape"))?.extract()?;
        let shape = shape
            .iter()
            .map(|&s| {
                usize::try_from(s).map_err(|_| {
                    PyValueError::new_err(format!("the array has a negative extent {s}"))
                })
            })
            .collect::<PyResult<Vec<usize>>>()?;
        let typestr: String = iface.get_item(intern!(py, "typestr"))?.extract()?;
        let strides: Option<Vec<isize>> = iface.get_item(intern!(py, "strides"))?.extract()?;
        let itemsize: usize = array.getattr(intern!(py, "itemsize"))?.extract()?;
        let strides = match strides {
            Some(s) => s,
            None => {
                let mut strides = vec![0isize; shape.len()];
                let mut step = isize::try_from(itemsize).unwrap_or(isize::MAX);
                for (stride, &extent) in strides.iter_mut().zip(&shape).rev() {
                    *stride = step;
                    step = step.saturating_mul(isize::try_from(extent).unwrap_or(isize::MAX));
                }
                strides
            }
        };
        Ok(ArrayMemory {
            address,
            read_only,
            shape,
            strides,
            typestr,
            itemsize,
        })
    }

    /// Bytes of a C-contiguous array of this shape (the caller made it contiguous).
    pub(crate) fn contiguous_bytes(&self) -> usize {
        self.shape.iter().product::<usize>() * self.itemsize
    }
}

static NUMPY: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

pub(crate) fn numpy(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    NUMPY
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("numpy")?.unbind()))
        .map(|m| m.bind(py))
}

/// The error for an array whose dtype imglyb cannot share, naming the dtype and the fix.
fn dtype_error(obj: &Bound<'_, PyAny>) -> PyErr {
    let py = obj.py();
    let typestr = numpy(py)
        .and_then(|np| np.call_method1("asarray", (obj,)))
        .and_then(|a| a.getattr("dtype")?.getattr("str")?.extract::<String>());
    match typestr {
        Ok(t) => match DType::from_typestr(&t) {
            Err(e) => crate::errors::to_py_err(e),
            Ok(d) => PyTypeError::new_err(format!(
                "cannot share this {} memory; copy it first with np.ascontiguousarray(arr)",
                d.numpy_name(),
            )),
        },
        Err(_) => PyTypeError::new_err(
            "cannot share this memory with ImgLib2; supported are bool, (u)int8-64, \
             float32/64 and complex64/128",
        ),
    }
}

/// A NumPy array over `obj`'s memory that keeps it alive and in place: any object with the
/// buffer protocol (NumPy arrays and their subclasses such as `np.memmap`, `memoryview`,
/// `bytearray`, `array.array`, ctypes arrays) through a `memoryview`, whose export stays open
/// while the array lives; or an object with the array interface.
fn export_of<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = obj.py();
    if obj.is_instance_of::<JavaObject>() {
        return Err(PyTypeError::new_err(
            "to_imglib takes a NumPy array; this is already a Java object",
        ));
    }
    let np = numpy(py)?;
    match PyMemoryView::from(obj) {
        Ok(view) => np
            .call_method1(intern!(py, "asarray"), (&view,))
            .map_err(|_| dtype_error(obj)),
        Err(e) if obj.is_instance_of::<PyMemoryView>() => {
            // A memoryview that cannot export says why (released, for one): keep its words.
            Err(PyValueError::new_err(format!(
                "cannot share this memoryview's memory: {}",
                e.value(py)
            )))
        }
        Err(_) => {
            if obj.is_instance(&np.getattr("ndarray")?)? {
                // NumPy refuses to export some dtypes (datetime, ...): name the dtype.
                return Err(dtype_error(obj));
            }
            if obj.hasattr("__array_interface__")? || obj.hasattr("__array_struct__")? {
                return np.call_method1(intern!(py, "asarray"), (obj,));
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

/// Reads the array's metadata into a descriptor, refusing what ImgLib2 cannot take.
fn descriptor(array: &Bound<'_, PyAny>) -> PyResult<ImageDescriptor> {
    let memory = ArrayMemory::of(array)?;
    let dtype = DType::from_typestr(&memory.typestr).map_err(crate::errors::to_py_err)?;
    if memory.shape.is_empty() {
        return Err(PyValueError::new_err(
            "a 0-d array has no axes for an ImgLib2 image; use arr.reshape(1) for a \
             one-pixel image",
        ));
    }
    ImageDescriptor::new(
        memory.address,
        dtype,
        &memory.shape,
        &memory.strides,
        memory.read_only,
    )
    .map_err(crate::errors::to_py_err)
}

/// The owner of a wrapped array's export, as core holds it. Java releases it on its cleaner
/// thread, without the GIL: the drop attaches to Python first, so the export ends there and
/// then. Left to PyO3's deferred pool instead, releases arriving by the thousand (8 threads
/// wrapping and dropping arrays) were dropped in nested batches, each deallocation draining the
/// pool again, until the recursion overflowed the stack (found by `ci/stress`).
struct ExportOwner(Option<Py<PyAny>>);

impl Drop for ExportOwner {
    fn drop(&mut self) {
        let mut export = self.0.take();
        // While Python shuts down it cannot be attached to: the reference is then left to PyO3.
        let _ = Python::try_attach(|_py| drop(export.take()));
    }
}

/// Wraps `obj` as an ImgLib2 image (the body of `to_imglib` and of the bridge's hook).
pub(crate) fn wrap(obj: &Bound<'_, PyAny>, pixels: PixelType) -> PyResult<JavaObject> {
    let py = obj.py();
    let array = export_of(obj)?;
    let desc = descriptor(&array)?;
    let owner = array.unbind();
    let layer = crate::java::pixels()?;
    let calls = crate::java::bridge()?;
    let obj = without_gil(py, move || {
        // SAFETY: the owner (a NumPy array over a memoryview of the object) holds the buffer
        // export open: the exporter keeps the memory valid and in place (NumPy refuses resize
        // while an export is open) until core drops the owner, which happens only after Java
        // can no longer reach the memory. Writes reach it
        // only when the export is writable, since the descriptor carries its read-only flag.
        let img = unsafe { layer.wrap(&desc, pixels, Box::new(ExportOwner(Some(owner)))) }?;
        // Every wrap makes a StridedImg: its class is found once.
        static WRAPPED: OnceLock<Arc<ClassInfo>> = OnceLock::new();
        calls.object_hinted(Arc::new(img), &WRAPPED)
    })?;
    Ok(JavaObject { obj })
}

/// `to_imglib(arr)`: the array as an ImgLib2 `Img` over the same memory.
#[pyfunction]
pub(crate) fn to_imglib(arr: &Bound<'_, PyAny>) -> PyResult<JavaObject> {
    wrap(arr, PixelType::Dtype)
}

/// `to_imglib_argb(arr)`: a uint32 or int32 array as an `ARGBType` image over the same memory.
#[pyfunction]
pub(crate) fn to_imglib_argb(arr: &Bound<'_, PyAny>) -> PyResult<JavaObject> {
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
    fn image(&self) -> JavaObject {
        JavaObject {
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
    let Ok(jobj) = img.cast::<JavaObject>() else {
        return Err(PyTypeError::new_err(format!(
            "to_numpy takes an ImgLib2 image (a Java object), got {}",
            img.get_type().name()?
        )));
    };
    let jimage = jobj.get().obj.clone();
    let image = jimage.obj.clone();
    let jvm = pixels()?;
    let np = numpy(py)?;
    let img2 = image.clone();
    if let Some(shared) = without_gil(py, move || jvm.describe(&img2))? {
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
    let shape = without_gil(py, move || jvm.image_shape(&img2))?;
    let typestr = shape.dtype.typestr();
    let out = np.call_method1("empty", (PyTuple::new(py, &shape.shape)?, typestr))?;
    let dst = ArrayMemory::of(&out)?.address;
    without_gil(py, move || {
        // SAFETY: `out` is a new C-contiguous array of exactly the shape's bytes that no other
        // code knows of; it is held (so its memory stays put) until after this call returns.
        unsafe { jvm.copy_out(&image, &shape, dst as *mut u8) }
    })?;
    Ok(out)
}
