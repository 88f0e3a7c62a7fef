//! DLPack export of ImgLib2 images: `img.__dlpack__()` and `img.__dlpack_device__()`.
//!
//! The capsule is made here, from the image's memory as core describes it: no NumPy array sits
//! between Java's memory and the consumer (`torch.from_dlpack`, `jax.dlpack`,
//! `numpy.from_dlpack`). The tensor's manager context holds a global reference to the image, so
//! the memory lives as long as the consumer's tensor, whatever happens to the proxy.
//!
//! The protocol is the Python array API's (2023.12): `max_version` of (1, x) or more gets a
//! versioned tensor (`dltensor_versioned`, which can say "read-only"), anything else the legacy
//! one (`dltensor`). Images over memory imglyb shares are exported as they are; other images (heap
//! images, computed views) are copied once into memory the tensor owns, unless `copy=False`.
//! Read-only memory cannot be signalled to a legacy consumer, so such a consumer gets a copy
//! (and a `BufferError` with `copy=False`); NumPy 2 refuses its own read-only arrays to it
//! outright. Memory that is not aligned to the pixel size (a NumPy array made with
//! `np.frombuffer(..., offset=1)`, say) is copied too, since consumers assume aligned elements.

use std::ffi::{CStr, c_void};

use imglyb_core::{DType, JObj};
use pyo3::exceptions::{PyBufferError, PyMemoryError, PyTypeError};
use pyo3::prelude::*;

use crate::java::{pixels, without_gil};

const LEGACY_NAME: &CStr = c"dltensor";
const VERSIONED_NAME: &CStr = c"dltensor_versioned";

/// `kDLCPU`.
const DEVICE_CPU: i32 = 1;
/// The DLPack version of the versioned tensors made here.
const VERSION: (u32, u32) = (1, 0);
const FLAG_READ_ONLY: u64 = 1;
const FLAG_IS_COPIED: u64 = 1 << 1;

#[repr(C)]
#[derive(Clone, Copy)]
struct DLDevice {
    device_type: i32,
    device_id: i32,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct DLDataType {
    code: u8,
    bits: u8,
    lanes: u16,
}

#[repr(C)]
struct DLTensor {
    data: *mut c_void,
    device: DLDevice,
    ndim: i32,
    dtype: DLDataType,
    shape: *mut i64,
    strides: *mut i64,
    byte_offset: u64,
}

#[repr(C)]
struct DLManagedTensor {
    dl_tensor: DLTensor,
    manager_ctx: *mut c_void,
    deleter: Option<unsafe extern "C" fn(*mut DLManagedTensor)>,
}

#[repr(C)]
struct DLPackVersion {
    major: u32,
    minor: u32,
}

#[repr(C)]
struct DLManagedTensorVersioned {
    version: DLPackVersion,
    manager_ctx: *mut c_void,
    deleter: Option<unsafe extern "C" fn(*mut DLManagedTensorVersioned)>,
    flags: u64,
    dl_tensor: DLTensor,
}

/// What a tensor owns: the image (so its memory stays), or the copy; and the shape and strides
/// its `DLTensor` points into. Boxed, and freed by the tensor's deleter.
struct Context {
    _image: Option<JObj>,
    _copy: Option<Vec<u64>>,
    shape: Vec<i64>,
    strides: Vec<i64>,
}

/// The DLPack type of a NumPy dtype.
fn dl_dtype(dtype: DType) -> DLDataType {
    let (code, bits) = match dtype {
        DType::Bool => (6, 8),
        DType::U8 => (1, 8),
        DType::I8 => (0, 8),
        DType::U16 => (1, 16),
        DType::I16 => (0, 16),
        DType::U32 => (1, 32),
        DType::I32 => (0, 32),
        DType::U64 => (1, 64),
        DType::I64 => (0, 64),
        DType::F32 => (2, 32),
        DType::F64 => (2, 64),
        DType::C64 => (5, 64),
        DType::C128 => (5, 128),
    };
    DLDataType {
        code,
        bits,
        lanes: 1,
    }
}

/// The memory a tensor shows: where it starts, its layout in elements, and whether it is shared.
struct Export {
    address: *mut c_void,
    dtype: DType,
    shape: Vec<i64>,
    strides: Vec<i64>,
    read_only: bool,
    image: Option<JObj>,
    copy: Option<Vec<u64>>,
}

/// Element strides of `byte_strides`, or `None` when one is not a whole number of elements.
fn element_strides(byte_strides: &[isize], itemsize: usize) -> Option<Vec<i64>> {
    let itemsize = isize::try_from(itemsize).ok()?;
    byte_strides
        .iter()
        .map(|&s| (s % itemsize == 0).then(|| (s / itemsize) as i64))
        .collect()
}

fn to_i64(values: &[usize]) -> PyResult<Vec<i64>> {
    values
        .iter()
        .map(|&v| {
            i64::try_from(v).map_err(|_| PyBufferError::new_err("an extent does not fit DLPack"))
        })
        .collect()
}

/// The image's memory when imglyb shares it and `copy` is not `Some(true)`; otherwise a copy,
/// unless `copy` is `Some(false)`.
fn export(py: Python<'_>, image: &JObj, copy: Option<bool>, legacy: bool) -> PyResult<Export> {
    let layer = pixels()?;
    if copy != Some(true) {
        let img = image.obj.clone();
        if let Some(shared) = without_gil(py, move || layer.describe(&img))? {
            let strides = element_strides(&shared.strides, shared.dtype.itemsize());
            let legacy_read_only = legacy && shared.read_only;
            let aligned = shared.address % shared.dtype.itemsize() == 0;
            if let (Some(strides), false, true) = (strides, legacy_read_only, aligned) {
                return Ok(Export {
                    address: shared.address as *mut c_void,
                    dtype: shared.dtype,
                    shape: to_i64(&shared.shape)?,
                    strides,
                    read_only: shared.read_only,
                    image: Some(image.clone()),
                    copy: None,
                });
            }
            if copy == Some(false) {
                return Err(PyBufferError::new_err(if legacy_read_only {
                    "the image's memory is read-only, which a DLPack consumer that asks for no \
                     version (max_version below 1.0) cannot be told; pass copy=None or True, or \
                     ask for DLPack 1.0"
                } else if !aligned {
                    "the image's memory is not aligned to its pixel size, which DLPack consumers \
                     assume; pass copy=None or True for a copy"
                } else {
                    "the image's strides are not whole pixels, which DLPack cannot describe; pass \
                     copy=None or True for a copy"
                }));
            }
        } else if copy == Some(false) {
            return Err(PyBufferError::new_err(
                "this image is not over memory imglyb shares (a heap image or a computed view), \
                 so DLPack cannot show it without a copy; pass copy=None or True for one",
            ));
        }
    }
    let img = image.obj.clone();
    let shape = without_gil(py, move || layer.image_shape(&img)).map_err(|e| {
        if e.is_instance_of::<PyTypeError>(py) {
            PyBufferError::new_err(format!("no DLPack export: {}", e.value(py)))
        } else {
            e
        }
    })?;
    let bytes = shape.checked_bytes().ok_or_else(|| {
        PyBufferError::new_err(format!(
            "no DLPack export: a copy of shape {:?} would not fit in memory",
            shape.shape
        ))
    })?;
    let words = bytes.div_ceil(8).max(1);
    let mut buffer = zeroed_words(words).ok_or_else(|| {
        PyMemoryError::new_err(format!("no memory for a DLPack copy of {bytes} bytes"))
    })?;
    let dst = buffer.as_mut_ptr() as usize;
    let img = image.obj.clone();
    let dims = shape.clone();
    without_gil(py, move || {
        // SAFETY: `buffer` holds at least `shape.bytes()` bytes, is owned here and known to no
        // other code, and lives (unmoved: a Vec's heap block stays put) past this call.
        unsafe { layer.copy_out(&img, &dims, dst as *mut u8) }
    })?;
    let mut strides = vec![1i64; shape.shape.len()];
    for d in (0..shape.shape.len().saturating_sub(1)).rev() {
        // Saturating: only an empty copy (a zero extent) can have strides beyond its bytes.
        strides[d] = strides[d + 1].saturating_mul(shape.shape[d + 1] as i64);
    }
    Ok(Export {
        address: buffer.as_mut_ptr().cast(),
        dtype: shape.dtype,
        shape: to_i64(&shape.shape)?,
        strides,
        read_only: false,
        image: None,
        copy: Some(buffer),
    })
}

/// `words` zeroed words, or None when memory cannot be had. Like `vec![0u64; words]`, the
/// allocation is zeroed by the allocator (fresh pages from the kernel are not written again,
/// unlike `resize`), but failure is an error instead of an abort.
fn zeroed_words(words: usize) -> Option<Vec<u64>> {
    let layout = std::alloc::Layout::array::<u64>(words).ok()?;
    if layout.size() == 0 {
        return Some(Vec::new());
    }
    // SAFETY: the layout's size is not zero (checked above).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) }.cast::<u64>();
    if ptr.is_null() {
        return None;
    }
    // SAFETY: `ptr` was allocated by the global allocator with the layout of `words` u64s (so
    // its alignment and capacity are those of a `Vec<u64>` of that capacity), and all `words`
    // elements are initialised (zero bytes are a valid u64).
    Some(unsafe { Vec::from_raw_parts(ptr, words, words) })
}

/// Frees a legacy tensor made by [`dlpack`].
///
/// # Safety
/// `tensor` is a tensor made by [`dlpack`] whose deleter has not run yet.
unsafe extern "C" fn delete_legacy(tensor: *mut DLManagedTensor) {
    if tensor.is_null() {
        return;
    }
    // SAFETY: the caller passes a tensor `dlpack` boxed, once; its context is a boxed Context.
    let tensor = unsafe { Box::from_raw(tensor) };
    // SAFETY: as above: the context was boxed by `dlpack` and is freed only here.
    drop(unsafe { Box::from_raw(tensor.manager_ctx.cast::<Context>()) });
}

/// Frees a versioned tensor made by [`dlpack`].
///
/// # Safety
/// `tensor` is a tensor made by [`dlpack`] whose deleter has not run yet.
unsafe extern "C" fn delete_versioned(tensor: *mut DLManagedTensorVersioned) {
    if tensor.is_null() {
        return;
    }
    // SAFETY: as in `delete_legacy`.
    let tensor = unsafe { Box::from_raw(tensor) };
    // SAFETY: as in `delete_legacy`.
    drop(unsafe { Box::from_raw(tensor.manager_ctx.cast::<Context>()) });
}

/// The capsule's destructor: frees the tensor unless a consumer took it (and renamed the
/// capsule to `used_dltensor…`, making the tensor its own to free).
///
/// # Safety
/// Called by Python, with the GIL, on a capsule made by [`dlpack`].
unsafe extern "C" fn capsule_destructor(capsule: *mut pyo3::ffi::PyObject) {
    // SAFETY: `capsule` is a live capsule; IsValid only compares names and sets no exception.
    let legacy = unsafe { pyo3::ffi::PyCapsule_IsValid(capsule, LEGACY_NAME.as_ptr()) } == 1;
    // SAFETY: as above.
    let versioned = unsafe { pyo3::ffi::PyCapsule_IsValid(capsule, VERSIONED_NAME.as_ptr()) } == 1;
    if legacy {
        // SAFETY: the capsule is valid under this name, so GetPointer succeeds.
        let tensor = unsafe { pyo3::ffi::PyCapsule_GetPointer(capsule, LEGACY_NAME.as_ptr()) };
        // SAFETY: an unconsumed capsule's pointer is the tensor `dlpack` made, not yet freed.
        unsafe { delete_legacy(tensor.cast()) };
    } else if versioned {
        // SAFETY: as above, under the versioned name.
        let tensor = unsafe { pyo3::ffi::PyCapsule_GetPointer(capsule, VERSIONED_NAME.as_ptr()) };
        // SAFETY: as above.
        unsafe { delete_versioned(tensor.cast()) };
    }
}

/// `img.__dlpack__(*, stream=None, max_version=None, dl_device=None, copy=None)`.
pub(crate) fn dlpack(
    py: Python<'_>,
    image: &JObj,
    stream: Option<&Bound<'_, PyAny>>,
    max_version: Option<(u32, u32)>,
    dl_device: Option<(i32, i32)>,
    copy: Option<bool>,
) -> PyResult<Py<PyAny>> {
    if let Some(stream) = stream {
        if !stream.is_none() {
            return Err(PyBufferError::new_err(
                "ImgLib2 images are in CPU memory: DLPack's stream must be None",
            ));
        }
    }
    if let Some(device) = dl_device {
        if device != (DEVICE_CPU, 0) {
            return Err(PyBufferError::new_err(format!(
                "ImgLib2 images are in CPU memory (DLPack device (1, 0)); cannot export to {device:?}"
            )));
        }
    }
    let versioned = matches!(max_version, Some((major, _)) if major >= VERSION.0);
    let e = export(py, image, copy, !versioned)?;
    let copied = e.copy.is_some();
    let mut ctx = Box::new(Context {
        _image: e.image,
        _copy: e.copy,
        shape: e.shape,
        strides: e.strides,
    });
    let dl_tensor = DLTensor {
        data: e.address,
        device: DLDevice {
            device_type: DEVICE_CPU,
            device_id: 0,
        },
        ndim: i32::try_from(ctx.shape.len())
            .map_err(|_| PyBufferError::new_err("too many dimensions for DLPack"))?,
        dtype: dl_dtype(e.dtype),
        shape: ctx.shape.as_mut_ptr(),
        strides: ctx.strides.as_mut_ptr(),
        byte_offset: 0,
    };
    let ctx = Box::into_raw(ctx).cast::<c_void>();
    let (pointer, name): (*mut c_void, &CStr) = if versioned {
        let flags = (if e.read_only { FLAG_READ_ONLY } else { 0 })
            | (if copied { FLAG_IS_COPIED } else { 0 });
        let tensor = Box::new(DLManagedTensorVersioned {
            version: DLPackVersion {
                major: VERSION.0,
                minor: VERSION.1,
            },
            manager_ctx: ctx,
            deleter: Some(delete_versioned),
            flags,
            dl_tensor,
        });
        (Box::into_raw(tensor).cast(), VERSIONED_NAME)
    } else {
        let tensor = Box::new(DLManagedTensor {
            dl_tensor,
            manager_ctx: ctx,
            deleter: Some(delete_legacy),
        });
        (Box::into_raw(tensor).cast(), LEGACY_NAME)
    };
    // SAFETY: `pointer` is a boxed tensor and `name` a static C string; the destructor frees
    // the tensor unless a consumer renamed the capsule (and so owns it).
    let capsule =
        unsafe { pyo3::ffi::PyCapsule_New(pointer, name.as_ptr(), Some(capsule_destructor)) };
    if capsule.is_null() {
        // SAFETY: the capsule was not made, so the tensor is still ours alone to free.
        unsafe {
            if versioned {
                delete_versioned(pointer.cast());
            } else {
                delete_legacy(pointer.cast());
            }
        }
        return Err(PyErr::fetch(py));
    }
    // SAFETY: `capsule` is a new, owned reference.
    Ok(unsafe { Bound::from_owned_ptr(py, capsule) }.unbind())
}

/// `img.__dlpack_device__()`: ImgLib2 images live in CPU memory.
pub(crate) fn dlpack_device() -> (i32, i32) {
    (DEVICE_CPU, 0)
}
