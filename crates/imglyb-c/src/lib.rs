//! imglyb-c: the C ABI of imglyb, built as `libimglyb.so`, with the header
//! `include/imglyb.h` generated from this crate by cbindgen.
//!
//! # What this layer knows
//! C: result codes, out-parameters, NUL-terminated strings, per-thread error messages and the
//! panic boundary around every export. It converts at the boundary and calls `imglyb-core` for
//! everything else.
//!
//! # What it must not know
//! Python, and any logic that is not about crossing into C: the JVM lifecycle, the bridge and
//! image descriptors live in `imglyb-core`.
//!
//! # Conventions (those of every export)
//! - The return value is an `imglyb_result`; `imglyb_last_error_message` explains anything
//!   but `IMGLYB_RESULT_OK`.
//! - Out-parameters are written only on success.
//! - Every pointer argument is checked for NULL (`IMGLYB_RESULT_NULL_ARGUMENT`).
//! - A Rust panic becomes `IMGLYB_RESULT_PANIC`; it never unwinds into C or aborts.
//! - Structs from C are read field by field as plain integers, so an out-of-range enum value
//!   or `bool` byte is an error, never undefined behaviour.

#![deny(missing_docs)]

mod boundary;
mod describe;

use std::collections::HashMap;
use std::ffi::{CStr, c_char, c_void};
use std::path::PathBuf;
use std::ptr;
use std::sync::{Arc, LazyLock, Mutex};

use imglyb_core::jni::sys::{JavaVM, jobject, jobjectRefType};
use imglyb_core::{DType, Error, ImageDescriptor, JRef, Jvm, JvmConfig, PixelType, Pixels};

pub use crate::boundary::imglyb_last_error_message;
use crate::boundary::{Failure, boundary};

/// The largest `ndim` an image may have, as for NumPy arrays.
pub const IMGLYB_MAX_NDIM: usize = 32;

/// What an imglyb function reports. Values are stable and never reused; new ones may be added,
/// so treat any value you do not know as an error. `imglyb_last_error_message` explains any
/// value but `IMGLYB_RESULT_OK`.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum imglyb_result {
    /// Success.
    Ok = 0,
    /// A pointer argument that must not be NULL was NULL.
    NullArgument = 1,
    /// An argument was refused before reaching Java: an unknown dtype, a negative size, a
    /// stride that is not a multiple of the item size, more than `IMGLYB_MAX_NDIM` dimensions,
    /// zero dimensions, a string that is not UTF-8, or an array imglyb did not fill in.
    InvalidArgument = 2,
    /// No Java runtime was found; the message lists every place that was searched.
    JvmNotFound = 3,
    /// ImgLib2 is not on the JVM's classpath; the message says how to add it.
    Imglib2NotFound = 4,
    /// A JVM already runs in this process without the requested classpath entries or options.
    /// A process can hold one JVM, and it is never restarted.
    JvmAlreadyStarted = 5,
    /// `JNI_CreateJavaVM` failed, after the options passed the probe or needed none (see
    /// `imglyb_jvm_start`).
    JvmStartFailed = 6,
    /// No JVM runs yet, and this function does not start one.
    JvmNotStarted = 7,
    /// The JVM was started before this process forked; it cannot be used in the child.
    ForkedChild = 8,
    /// A Java method threw; the message holds the exception's class, message and stack trace.
    JavaException = 9,
    /// The image's pixels are not in memory that C can address (a heap `ArrayImg`, a
    /// `CellImg`, a computed view): only images over native memory can be described.
    NotNativeMemory = 10,
    /// imglyb panicked; the message says where. The process state is intact.
    Panic = 11,
    /// An internal error in imglyb or in the JNI layer.
    InternalError = 12,
}

/// Pixel types: NumPy's dtypes, each stored as ImgLib2's matching type (`INT8` as `ByteType`,
/// `UINT8` as `UnsignedByteType`, ..., `COMPLEX128` as `ComplexDoubleType`; `BOOL`, one byte
/// holding 0 or 1, as `UnsignedByteType`). Values start at 1, so a zeroed `imglyb_array` is
/// refused rather than read as some type.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum imglyb_dtype {
    /// `int8_t`, as `ByteType`.
    Int8 = 1,
    /// `uint8_t`, as `UnsignedByteType`.
    Uint8 = 2,
    /// `int16_t`, as `ShortType`.
    Int16 = 3,
    /// `uint16_t`, as `UnsignedShortType`.
    Uint16 = 4,
    /// `int32_t`, as `IntType`.
    Int32 = 5,
    /// `uint32_t`, as `UnsignedIntType` (or `ARGBType` through `imglyb_wrap_argb`).
    Uint32 = 6,
    /// `int64_t`, as `LongType`.
    Int64 = 7,
    /// `uint64_t`, as `UnsignedLongType`.
    Uint64 = 8,
    /// `float`, as `FloatType`.
    Float32 = 9,
    /// `double`, as `DoubleType`.
    Float64 = 10,
    /// Two `float`s (real, imaginary), as `ComplexFloatType`.
    Complex64 = 11,
    /// Two `double`s (real, imaginary), as `ComplexDoubleType`.
    Complex128 = 12,
    /// One byte holding 0 or 1, as `UnsignedByteType`.
    Bool = 13,
}

const DTYPES: [(imglyb_dtype, DType); 13] = [
    (imglyb_dtype::Int8, DType::I8),
    (imglyb_dtype::Uint8, DType::U8),
    (imglyb_dtype::Int16, DType::I16),
    (imglyb_dtype::Uint16, DType::U16),
    (imglyb_dtype::Int32, DType::I32),
    (imglyb_dtype::Uint32, DType::U32),
    (imglyb_dtype::Int64, DType::I64),
    (imglyb_dtype::Uint64, DType::U64),
    (imglyb_dtype::Float32, DType::F32),
    (imglyb_dtype::Float64, DType::F64),
    (imglyb_dtype::Complex64, DType::C64),
    (imglyb_dtype::Complex128, DType::C128),
    (imglyb_dtype::Bool, DType::Bool),
];

/// Called once when Java can no longer reach wrapped memory; see `imglyb_array`.
#[allow(non_camel_case_types)]
pub type imglyb_release_fn = Option<unsafe extern "C" fn(ctx: *mut c_void)>;

/// Pixel memory as NumPy describes it: what `imglyb_wrap` shares with Java, and what
/// `imglyb_describe` reports about an image.
///
/// Axes are in C (NumPy) order: `shape[ndim - 1]` is the fastest-varying axis in a C-contiguous
/// array, and ImgLib2 sees axis `ndim - 1 - d` as its dimension `d` (so `arr[z][y][x]` is
/// ImgLib2 position `(x, y, z)`).
///
/// Filled in by you for `imglyb_wrap`; imglyb only reads it during the call, so it (and the
/// `shape` and `strides` arrays) may live on your stack. Filled in by `imglyb_describe`, it
/// owns its `shape` and `strides` until `imglyb_array_free`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug)]
pub struct imglyb_array {
    /// `sizeof(imglyb_array)` as the caller compiled it: set it before `imglyb_wrap` (0, a zeroed
    /// struct, is refused). Later versions may add fields after `release_ctx`; a caller built
    /// against this header keeps working with them, since imglyb reads only the fields that
    /// this size covers. `imglyb_describe` sets it.
    pub struct_size: usize,
    /// The address of element `[0][0]...[0]`: with negative strides, other elements lie below
    /// it. May be NULL only when some axis has length 0.
    pub data: *mut c_void,
    /// The pixel type, an `imglyb_dtype` value.
    pub dtype: imglyb_dtype,
    /// The number of axes, 1 to `IMGLYB_MAX_NDIM`.
    pub ndim: usize,
    /// `ndim` axis lengths, each 0 or more.
    pub shape: *const i64,
    /// `ndim` strides in bytes, each a multiple of the item size; negative and 0 are allowed.
    /// NULL when wrapping means C-contiguous.
    pub strides: *const i64,
    /// Java may read the memory but its writes throw (`UnsupportedOperationException`) and
    /// never reach it.
    pub readonly: bool,
    /// Called exactly once, with `release_ctx`, once Java can no longer reach `data`, on the
    /// thread that notices it (a Java cleaner thread); a failed `imglyb_wrap` never calls it.
    /// Until then the memory must stay valid and in place. May be NULL. It must not unwind,
    /// should be quick, and may free the memory.
    pub release: imglyb_release_fn,
    /// Passed to `release`; imglyb never reads it.
    pub release_ctx: *mut c_void,
}

/// The running JVM, attached to or started with the environment's settings
/// (`IMGLYB_CLASSPATH`, `IMGLYB_JAVA_OPTIONS`, `JAVA_HOME`) when imglyb has none yet.
fn jvm_or_start() -> Result<&'static Jvm, Error> {
    match Jvm::get() {
        Some(jvm) => Ok(jvm),
        None => Jvm::start(&JvmConfig::from_env()),
    }
}

/// The running JVM (see `jvm_or_start`), if no Java exception is pending on the calling thread:
/// JNI allows almost no calls then, and the exception is the caller's to handle, so it is left
/// in place.
fn ready_jvm() -> Result<&'static Jvm, Failure> {
    let jvm = jvm_or_start()?;
    if jvm.raw_env()?.exception_pending() {
        return Err(Failure::new(
            imglyb_result::InvalidArgument,
            "a Java exception is pending on this thread: handle it (ExceptionOccurred, then \
             ExceptionClear) before calling imglyb; it was left pending",
        ));
    }
    Ok(jvm)
}

fn started_jvm() -> Result<&'static Jvm, Failure> {
    Jvm::get().ok_or_else(|| {
        Failure::new(
            imglyb_result::JvmNotStarted,
            "no JVM runs in this process yet: call imglyb_jvm_start first",
        )
    })
}

/// A UTF-8 string from C.
///
/// # Safety
/// `s` must be NULL or a NUL-terminated string.
unsafe fn utf8<'a>(s: *const c_char, what: &str) -> Result<&'a str, Failure> {
    if s.is_null() {
        return Err(Failure::null(what));
    }
    // SAFETY: non-null, and the caller promised a NUL-terminated string.
    unsafe { CStr::from_ptr(s) }.to_str().map_err(|_| {
        Failure::new(
            imglyb_result::InvalidArgument,
            format!("{what} is not UTF-8"),
        )
    })
}

/// Starts the JVM, or attaches to the one already running in this process (one created through
/// JNI by the host program, or by another library), and loads imglyb's Java classes into it.
///
/// - `classpath`: jars and class folders separated by `:` (an entry ending in `/` followed by `*` means every jar
///   in the folder), put before `IMGLYB_CLASSPATH` and Debian's `/usr/share/java/imglib2.jar`,
///   which are always added. NULL adds nothing.
/// - `options`, `n_options`: JVM options such as `"-Xmx4g"`, added to `IMGLYB_JAVA_OPTIONS`.
///   NULL and 0 add nothing. imglyb always adds `-Xrs` (the host program keeps its signals).
///
/// When an option could make HotSpot end the process, `java OPTIONS -version` runs first in a
/// short-lived subprocess (properties only the application reads, an `-Xmx` the machine can
/// reserve, `-Xrs`, `-Xcheck:jni` and `-ea` skip it), so options HotSpot would end the process
/// for (or reject) are `IMGLYB_RESULT_INVALID_ARGUMENT`,
/// with the JVM's own message, and a later call with good options can still start the JVM.
///
/// Idempotent: once a JVM runs, a call succeeds when every requested classpath entry and
/// option is in effect, and returns `IMGLYB_RESULT_JVM_ALREADY_STARTED` otherwise; a JVM is
/// never restarted. The strings are only read during the call. Safe to call from any thread;
/// the calling thread stays attached to the JVM as a daemon thread.
///
/// # Safety
/// `classpath` must be NULL or a NUL-terminated string; `options` must be NULL or point to
/// `n_options` pointers to NUL-terminated strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imglyb_jvm_start(
    classpath: *const c_char,
    options: *const *const c_char,
    n_options: usize,
) -> imglyb_result {
    boundary(|| {
        let mut config = JvmConfig::from_env();
        if !classpath.is_null() {
            // SAFETY: non-null, and the caller promised a NUL-terminated string.
            let cp = unsafe { utf8(classpath, "classpath") }?;
            let entries: Vec<PathBuf> = std::env::split_paths(cp)
                .filter(|p| !p.as_os_str().is_empty())
                .collect();
            config.classpath.splice(0..0, entries);
        }
        if n_options > 0 {
            if options.is_null() {
                return Err(Failure::null("options (with n_options > 0)"));
            }
            for i in 0..n_options {
                // SAFETY: the caller promised `n_options` readable pointers at `options`.
                let option = unsafe { options.add(i).read() };
                // SAFETY: each is NULL (refused) or a NUL-terminated string, as promised.
                let option = unsafe { utf8(option, &format!("options[{i}]")) }?;
                config.options.push(option.to_owned());
            }
        }
        Jvm::start(&config)?;
        Ok(())
    })
}

/// Writes the process's `JavaVM` to `*out`, for JNI calls of your own (`GetEnv`,
/// `AttachCurrentThread`). imglyb owns it; never destroy it. `IMGLYB_RESULT_JVM_NOT_STARTED`
/// until `imglyb_jvm_start` (or a wrap) started or attached one.
///
/// # Safety
/// `out` must be NULL or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imglyb_jvm_javavm(out: *mut *mut JavaVM) -> imglyb_result {
    boundary(|| {
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        let vm = started_jvm()?.raw_vm();
        // SAFETY: `out` is non-null and the caller promised it is writable.
        unsafe { out.write(vm) };
        Ok(())
    })
}

/// The pieces of an `imglyb_array` from C, read as plain integers.
struct ArrayParts {
    data: usize,
    dtype: u32,
    ndim: usize,
    shape: *const i64,
    strides: *const i64,
    readonly: u8,
    release: imglyb_release_fn,
    release_ctx: *mut c_void,
}

/// Refuses an `imglyb_array` whose `struct_size` is smaller than this header's struct (a zeroed
/// one, or one from a caller that did not set it).
///
/// # Safety
/// `array` must be non-null and point to readable memory of `imglyb_array`'s size.
unsafe fn check_struct_size(array: *const imglyb_array) -> Result<(), Failure> {
    // SAFETY: the caller promised a readable `imglyb_array`, whose first field is a size_t.
    let size = unsafe { ptr::addr_of!((*array).struct_size).read() };
    if size < std::mem::size_of::<imglyb_array>() {
        return Err(Failure::new(
            imglyb_result::InvalidArgument,
            format!(
                "array->struct_size is {size}; set it to sizeof(imglyb_array) ({}) so imglyb \
                 knows which fields your build of the header has",
                std::mem::size_of::<imglyb_array>()
            ),
        ));
    }
    Ok(())
}

/// Reads `array` field by field, without forming a reference to it.
///
/// # Safety
/// `array` must point to a readable `imglyb_array` whose `struct_size` was checked.
unsafe fn read_parts(array: *const imglyb_array) -> ArrayParts {
    // SAFETY: the caller promised a readable `imglyb_array`; the enum and bool
    // fields are read as the integers they are in C, so no value is invalid.
    unsafe {
        ArrayParts {
            data: ptr::addr_of!((*array).data).read() as usize,
            dtype: ptr::addr_of!((*array).dtype).cast::<u32>().read(),
            ndim: ptr::addr_of!((*array).ndim).read(),
            shape: ptr::addr_of!((*array).shape).read(),
            strides: ptr::addr_of!((*array).strides).read(),
            readonly: ptr::addr_of!((*array).readonly).cast::<u8>().read(),
            release: ptr::addr_of!((*array).release).read(),
            release_ctx: ptr::addr_of!((*array).release_ctx).read(),
        }
    }
}

fn dtype_of(raw: u32) -> Result<DType, Failure> {
    DTYPES
        .iter()
        .find(|(c, _)| *c as u32 == raw)
        .map(|&(_, d)| d)
        .ok_or_else(|| {
            Failure::new(
                imglyb_result::InvalidArgument,
                format!(
                    "dtype {raw} is not an imglyb_dtype; use one of IMGLYB_DTYPE_INT8 (1) to \
                     IMGLYB_DTYPE_BOOL (13)"
                ),
            )
        })
}

pub(crate) fn c_dtype(dtype: DType) -> imglyb_dtype {
    DTYPES
        .iter()
        .find(|(_, d)| *d == dtype)
        .map(|&(c, _)| c)
        .expect("every DType has an imglyb_dtype")
}

/// The descriptor of the memory `parts` names.
///
/// # Safety
/// `parts.shape` and (if non-null) `parts.strides` must be readable for `parts.ndim` values.
unsafe fn descriptor(parts: &ArrayParts) -> Result<ImageDescriptor, Failure> {
    let dtype = dtype_of(parts.dtype)?;
    if parts.ndim == 0 || parts.ndim > IMGLYB_MAX_NDIM {
        return Err(Failure::new(
            imglyb_result::InvalidArgument,
            format!(
                "ndim is {}: ImgLib2 images have 1 to {IMGLYB_MAX_NDIM} dimensions",
                parts.ndim
            ),
        ));
    }
    if parts.shape.is_null() {
        return Err(Failure::null("array->shape"));
    }
    // SAFETY: non-null, and the caller promised `ndim` readable values.
    let shape_raw = unsafe { std::slice::from_raw_parts(parts.shape, parts.ndim) };
    let mut shape = Vec::with_capacity(parts.ndim);
    for (axis, &n) in shape_raw.iter().enumerate() {
        shape.push(usize::try_from(n).map_err(|_| {
            Failure::new(
                imglyb_result::InvalidArgument,
                format!("shape[{axis}] is {n}: axis lengths are 0 or more"),
            )
        })?);
    }
    let readonly = parts.readonly != 0;
    if parts.strides.is_null() {
        return Ok(ImageDescriptor::c_contiguous(
            parts.data, dtype, &shape, readonly,
        )?);
    }
    // SAFETY: non-null, and the caller promised `ndim` readable values.
    let strides_raw = unsafe { std::slice::from_raw_parts(parts.strides, parts.ndim) };
    let mut strides = Vec::with_capacity(parts.ndim);
    for (axis, &s) in strides_raw.iter().enumerate() {
        strides.push(isize::try_from(s).map_err(|_| {
            Failure::new(
                imglyb_result::InvalidArgument,
                format!("strides[{axis}] is {s}, too large for this platform"),
            )
        })?);
    }
    Ok(ImageDescriptor::new(
        parts.data, dtype, &shape, &strides, readonly,
    )?)
}

/// The release callback of wrapped memory: it runs when the last holder drops it. The context
/// is kept as an address, since the C contract of `imglyb_array.release` lets it be passed to
/// `release` on any thread.
struct Release {
    callback: Mutex<Option<(unsafe extern "C" fn(*mut c_void), usize)>>,
}

impl Release {
    /// Forgets the callback, so dropping runs nothing.
    fn disarm(&self) {
        *self.callback.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

impl Drop for Release {
    fn drop(&mut self) {
        let callback = self
            .callback
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some((release, ctx)) = callback {
            // SAFETY: the C caller gave this function and context to imglyb_wrap and asked for
            // exactly one call, from any thread, once Java can no longer reach the memory: this
            // is the only call, made when the last holder (Java's owner) let go.
            unsafe { release(ctx as *mut c_void) }
        }
    }
}

/// A new global reference to `obj`, owned by the returned `JRef`; `None` for a null object.
///
/// # Safety
/// `obj` must be null or a valid reference on the calling thread.
pub(crate) unsafe fn new_global_ref(jvm: &Jvm, obj: jobject) -> Result<Option<JRef>, Failure> {
    // Attaches the thread first, as every entry point does.
    jvm.raw_env()?;
    // SAFETY: `obj` is null or valid on this thread, as promised.
    Ok(unsafe { JRef::new(obj) }?)
}

/// A global reference to `obj` that C owns.
fn global_ref_for_c(jvm: &Jvm, obj: &JRef) -> Result<jobject, Failure> {
    // SAFETY: `obj` is a live global reference, valid on every thread.
    let global = unsafe { new_global_ref(jvm, obj.as_raw()) }?
        .ok_or_else(|| Failure::new(imglyb_result::InternalError, "the image is null"))?;
    Ok(global.into_raw())
}

/// Shared by `imglyb_wrap` and `imglyb_wrap_argb`.
///
/// # Safety
/// As `imglyb_wrap`.
unsafe fn wrap(
    array: *const imglyb_array,
    out_image: *mut jobject,
    pixels: PixelType,
) -> imglyb_result {
    boundary(|| {
        if array.is_null() {
            return Err(Failure::null("array"));
        }
        if out_image.is_null() {
            return Err(Failure::null("out_image"));
        }
        // SAFETY: non-null, and the caller promised a readable imglyb_array.
        unsafe { check_struct_size(array) }?;
        // SAFETY: as above.
        let parts = unsafe { read_parts(array) };
        // SAFETY: the caller promised `shape` and `strides` hold `ndim` values.
        let image = unsafe { descriptor(&parts) }?;
        let jvm = ready_jvm()?;
        let pixels_layer = Pixels::get(jvm)?;
        let release = Arc::new(Release {
            callback: Mutex::new(parts.release.map(|f| (f, parts.release_ctx as usize))),
        });
        // Java holds this clone until it lets go of the memory.
        let owner = release.clone();
        // SAFETY: the caller promised the memory stays valid, in place and (unless read-only)
        // writable until `release` runs, which happens only when the owner and `release` are
        // both dropped: `release` below, the owner once Java can no longer reach the memory.
        let wrapped = unsafe { pixels_layer.wrap(&image, pixels, Box::new(owner)) };
        let wrapped = match wrapped.map_err(Failure::from).and_then(|obj| {
            let global = global_ref_for_c(jvm, &obj);
            drop(obj);
            global
        }) {
            Ok(global) => global,
            Err(e) => {
                // A failed wrap takes nothing: the caller keeps its memory, uncalled. (Java may
                // still hold the owner briefly if the image was made; it then runs nothing.)
                release.disarm();
                return Err(e);
            }
        };
        drop(release);
        // SAFETY: non-null, and the caller promised it is writable.
        unsafe { out_image.write(wrapped) };
        Ok(())
    })
}

/// Wraps the memory `array` describes as an ImgLib2 `Img` with no copy, as Python's
/// `imglyb.to_imglib` does: an `org.imglyb.img.StridedImg` over the same bytes, whatever the
/// layout. Java reads and writes the
/// memory directly, from any thread, at any time until it releases it; an out-of-range
/// position throws `IndexOutOfBoundsException` in Java, and a write to a `readonly` array
/// throws `UnsupportedOperationException` and never reaches the memory.
///
/// On success `*out_image` is a new JNI global reference to the `Img`, owned by you: pass it
/// to JNI calls from any thread, and delete it with `imglyb_image_free` (or JNI's
/// `DeleteGlobalRef`) when done. Once no Java object reaches the memory any more (the
/// reference deleted, every image and view over it unreachable, a garbage collection run),
/// `array->release(array->release_ctx)` is called, exactly once, on a Java thread; until then
/// the memory must stay valid and in place, and (unless `readonly`) writable. `array` itself,
/// `shape` and `strides` are only read during the call. On failure nothing is kept and
/// `release` is not called.
///
/// Starts the JVM with the environment's settings if none runs yet (see
/// `imglyb_jvm_start`).
///
/// # Safety
/// `array` must be NULL or point to a readable `imglyb_array` whose `shape` (and `strides`,
/// unless NULL) hold `ndim` values; the bytes it describes must stay valid, unmoved and
/// (unless `readonly`) writable by any thread until `release` is called. `out_image` must be
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imglyb_wrap(
    array: *const imglyb_array,
    out_image: *mut jobject,
) -> imglyb_result {
    // SAFETY: the caller's promises are those of `wrap`.
    unsafe { wrap(array, out_image, PixelType::Dtype) }
}

/// As `imglyb_wrap`, with pixels seen as `ARGBType` (each `uint32_t` holds `0xAARRGGBB`):
/// the dtype must be `IMGLYB_DTYPE_UINT32` or `IMGLYB_DTYPE_INT32`.
///
/// # Safety
/// As `imglyb_wrap`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imglyb_wrap_argb(
    array: *const imglyb_array,
    out_image: *mut jobject,
) -> imglyb_result {
    // SAFETY: the caller's promises are those of `wrap`.
    unsafe { wrap(array, out_image, PixelType::Argb) }
}

/// Deletes `image`, a JNI global reference (from `imglyb_wrap` or your own
/// `NewGlobalRef`); the image itself lives on while Java reaches it. Callable from any thread.
/// NULL is refused with `IMGLYB_RESULT_NULL_ARGUMENT`, and a local reference with
/// `IMGLYB_RESULT_INVALID_ARGUMENT`; neither deletes anything.
///
/// # Safety
/// `image` must be NULL or a global reference that nothing deletes afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imglyb_image_free(image: jobject) -> imglyb_result {
    boundary(|| {
        if image.is_null() {
            return Err(Failure::null("image"));
        }
        let env = started_jvm()?.raw_env()?.raw();
        // SAFETY: `env` is this thread's attached JNIEnv; GetObjectRefType only reads `image`,
        // a valid reference as the caller promised.
        let kind = unsafe {
            let ref_type = (**env).GetObjectRefType.ok_or_else(|| {
                Failure::new(imglyb_result::InternalError, "JNI has no GetObjectRefType")
            })?;
            ref_type(env, image)
        };
        let kind = match kind {
            jobjectRefType::JNIGlobalRefType => None,
            jobjectRefType::JNILocalRefType => Some("a local reference"),
            jobjectRefType::JNIWeakGlobalRefType => Some("a weak global reference"),
            jobjectRefType::JNIInvalidRefType => Some("an invalid reference"),
        };
        if let Some(kind) = kind {
            return Err(Failure::new(
                imglyb_result::InvalidArgument,
                format!(
                    "image is {kind}, not a global reference; imglyb_image_free deletes only \
                     global references (use JNI's DeleteLocalRef for local ones)"
                ),
            ));
        }
        // SAFETY: the caller hands over a global reference (checked above) that nothing else
        // deletes, and dropping the JRef deletes it exactly once.
        drop(unsafe { JRef::from_raw(image) });
        Ok(())
    })
}

/// Arrays `imglyb_describe` filled in: the address of their `shape` block and its length.
static DESCRIBED: LazyLock<Mutex<HashMap<usize, usize>>> = LazyLock::new(Default::default);

/// Frees the `shape` and `strides` of an array `imglyb_describe` filled in, and sets them to
/// NULL. An array imglyb did not fill in (or already freed) is refused with
/// `IMGLYB_RESULT_INVALID_ARGUMENT` and left alone. The pixels are not touched: they belong to
/// the image.
///
/// # Safety
/// `array` must be NULL or point to a readable and writable `imglyb_array`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imglyb_array_free(array: *mut imglyb_array) -> imglyb_result {
    boundary(|| {
        if array.is_null() {
            return Err(Failure::null("array"));
        }
        // SAFETY: non-null and readable, as promised; read as a plain pointer.
        let shape = unsafe { ptr::addr_of!((*array).shape).read() };
        let len = DESCRIBED
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&(shape as usize))
            .ok_or_else(|| {
                Failure::new(
                    imglyb_result::InvalidArgument,
                    "this imglyb_array was not filled in by imglyb_describe, or was freed \
                     already; arrays you fill in yourself are yours to free",
                )
            })?;
        // SAFETY: `shape` is the start of a boxed slice of `len` values that imglyb_describe
        // leaked and registered; it was just unregistered, so this is its only reclaim.
        drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(shape as *mut i64, len)) });
        // SAFETY: writable, as promised.
        unsafe {
            ptr::addr_of_mut!((*array).shape).write(ptr::null());
            ptr::addr_of_mut!((*array).strides).write(ptr::null());
        }
        Ok(())
    })
}

/// Describes `image` (any local or global reference to an ImgLib2 image) as memory C can
/// address, with no copy: an image from `imglyb_wrap` (or Python's `to_imglib`), one that
/// Java allocated through imglyb's `org.imglyb.img.SharedImgFactory`, or a view over one whose
/// transform is plain strides (`Views.interval`, `zeroMin`, `offset`, `permute`,
/// `invertAxis`, `rotate`, `subsample`, `hyperSlice`). Anything else (a heap `ArrayImg`, a
/// `CellImg`, a computed view) is `IMGLYB_RESULT_NOT_NATIVE_MEMORY`.
///
/// On success `*out` holds the address of the pixel at the image's min, its dtype (ARGB
/// images as `UINT32`), shape and byte strides in C order (ImgLib2 dimension `d` is axis
/// `ndim - 1 - d`), whether Java refuses writes, and NULL `release` and `release_ctx`. The
/// pixels stay valid while a reference to `image` (or to anything else reaching the memory)
/// lives; `shape` and `strides` belong to you until `imglyb_array_free`.
///
/// # Safety
/// `image` must be NULL or a valid JNI reference on the calling thread; `out` must be NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imglyb_describe(image: jobject, out: *mut imglyb_array) -> imglyb_result {
    boundary(|| {
        if image.is_null() {
            return Err(Failure::null("image"));
        }
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        let jvm = ready_jvm()?;
        // SAFETY: the caller promised a valid reference on this thread.
        let described = unsafe { describe::describe(jvm, image) }?;
        // SAFETY: non-null, and the caller promised it is writable.
        unsafe { out.write(described) };
        Ok(())
    })
}

/// The dtype and C-order shape a copy of `image` has: any ImgLib2 image
/// (`RandomAccessibleInterval`) whose pixel type has a dtype, heap and cell images and
/// computed views included. `ARGBType` images are `IMGLYB_DTYPE_UINT32`. Writes the number of
/// axes to `*out_ndim` and the lengths to `out_shape[0 .. ndim)`; `out_shape` must hold
/// `IMGLYB_MAX_NDIM` values. Other pixel types are `IMGLYB_RESULT_INVALID_ARGUMENT`, naming them.
///
/// # Safety
/// `image` must be NULL or a valid JNI reference on the calling thread; the out-parameters
/// must be NULL or writable (`out_shape` for `IMGLYB_MAX_NDIM` values).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imglyb_image_shape(
    image: jobject,
    out_dtype: *mut imglyb_dtype,
    out_ndim: *mut usize,
    out_shape: *mut i64,
) -> imglyb_result {
    boundary(|| {
        if image.is_null() {
            return Err(Failure::null("image"));
        }
        if out_dtype.is_null() || out_ndim.is_null() || out_shape.is_null() {
            return Err(Failure::null("out_dtype, out_ndim and out_shape"));
        }
        let jvm = ready_jvm()?;
        // SAFETY: the caller promised a valid reference on this thread.
        let image = unsafe { describe::image_ref(jvm, image) }?;
        let shape = Pixels::get(jvm)?.image_shape(&image)?;
        if shape.shape.len() > IMGLYB_MAX_NDIM {
            return Err(Failure::new(
                imglyb_result::InvalidArgument,
                format!(
                    "the image has {} dimensions, more than IMGLYB_MAX_NDIM",
                    shape.shape.len()
                ),
            ));
        }
        // SAFETY: all three are non-null and writable as promised, `out_shape` for
        // IMGLYB_MAX_NDIM values, of which this writes at most that many.
        unsafe {
            out_dtype.write(c_dtype(shape.dtype));
            out_ndim.write(shape.shape.len());
            for (i, &n) in shape.shape.iter().enumerate() {
                out_shape.add(i).write(n as i64);
            }
        }
        Ok(())
    })
}

/// Copies `image`'s pixels into `dst` in C order (C-contiguous, of the dtype and shape
/// `imglyb_image_shape` reports), for images that cannot be described (heap `ArrayImg`,
/// `CellImg`, `PlanarImg`, computed views) or when a copy is wanted anyway. A heap `ArrayImg`
/// is one `memcpy` out of its Java array; anything else is copied by ImgLib2 cursors in Java,
/// straight into `dst`. `dst_bytes` must be exactly the copy's size (the product of the shape
/// times the item size), or the call is `IMGLYB_RESULT_INVALID_ARGUMENT` and writes nothing.
/// The copy is yours; imglyb keeps no reference to `dst`.
///
/// # Safety
/// `image` must be NULL or a valid JNI reference on the calling thread; `dst` must be NULL or
/// writable for `dst_bytes` bytes, and not read or written by anyone else during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imglyb_copy_out(
    image: jobject,
    dst: *mut c_void,
    dst_bytes: usize,
) -> imglyb_result {
    boundary(|| {
        if image.is_null() {
            return Err(Failure::null("image"));
        }
        if dst.is_null() {
            return Err(Failure::null("dst"));
        }
        let jvm = ready_jvm()?;
        // SAFETY: the caller promised a valid reference on this thread.
        let image = unsafe { describe::image_ref(jvm, image) }?;
        let shape = Pixels::get(jvm)?.image_shape(&image)?;
        if shape.bytes() != dst_bytes {
            return Err(Failure::new(
                imglyb_result::InvalidArgument,
                format!(
                    "dst_bytes is {dst_bytes}, but a copy of this {} image of shape {:?} takes {} \
                     bytes",
                    shape.dtype.numpy_name(),
                    shape.shape,
                    shape.bytes()
                ),
            ));
        }
        // SAFETY: `dst` is writable for `dst_bytes` bytes, which is `shape.bytes()`, as
        // promised, and nobody else touches it during the call.
        unsafe { Pixels::get(jvm)?.copy_out(&image, &shape, dst.cast()) }?;
        Ok(())
    })
}

/// The library version as a static NUL-terminated string, owned by the library; never free it.
#[unsafe(no_mangle)]
pub extern "C" fn imglyb_version() -> *const c_char {
    static VERSION: &CStr = {
        const BYTES: &[u8] = concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes();
        match CStr::from_bytes_with_nul(BYTES) {
            Ok(s) => s,
            Err(_) => panic!("version contains NUL"),
        }
    };
    debug_assert_eq!(VERSION.to_str().ok(), Some(imglyb_core::VERSION));
    VERSION.as_ptr()
}

pub(crate) fn register_described(block: Box<[i64]>) -> *const i64 {
    let len = block.len();
    let ptr = Box::into_raw(block) as *mut i64 as *const i64;
    DESCRIBED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(ptr as usize, len);
    ptr
}
