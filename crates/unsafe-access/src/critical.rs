//! An RAII guard over a JNI critical region (`GetPrimitiveArrayCritical`).
//!
//! A critical region gives direct access to a Java primitive array's elements, usually without a
//! copy, by holding off the garbage collector. That makes it the fastest way to move a Java array
//! in or out, and also the most restricted one. While a [`CriticalArray`] is alive, the thread
//! must not:
//! - make any other JNI call (including a second critical region on another array, which JNI
//!   allows but this guard does not offer);
//! - call into Python or take the GIL, or block on anything another Java thread may hold;
//! - run for long: it is meant for one `memcpy`.
//!
//! The guard releases the region in `Drop`, so an early return or a panic cannot leave the
//! collector blocked.

use std::ptr::NonNull;

use jni_sys::{JNI_ABORT, JNIEnv, jarray, jint};

/// Java primitive element types, by their Rust equivalents.
///
/// # Safety
/// Implementors must have the size, alignment and bit validity of the Java primitive type
/// they stand for, so that any bit pattern Java stores is a valid value.
pub unsafe trait JavaPrimitive: Copy + 'static {}

// SAFETY: each type has the exact size and representation of its Java primitive, and every bit
// pattern is valid (`jboolean` is a `u8`, and Java stores only 0 or 1 in a boolean[]).
unsafe impl JavaPrimitive for u8 {}
// SAFETY: as above (byte).
unsafe impl JavaPrimitive for i8 {}
// SAFETY: as above (short).
unsafe impl JavaPrimitive for i16 {}
// SAFETY: as above (char is an unsigned 16-bit code unit).
unsafe impl JavaPrimitive for u16 {}
// SAFETY: as above (int).
unsafe impl JavaPrimitive for i32 {}
// SAFETY: as above (long).
unsafe impl JavaPrimitive for i64 {}
// SAFETY: as above (float).
unsafe impl JavaPrimitive for f32 {}
// SAFETY: as above (double).
unsafe impl JavaPrimitive for f64 {}

/// The elements of a Java primitive array inside a JNI critical region.
#[derive(Debug)]
pub struct CriticalArray<T: JavaPrimitive> {
    env: *mut JNIEnv,
    array: jarray,
    elements: NonNull<T>,
    len: usize,
    mode: jint,
}

/// Why a Java array copy did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArrayCopyError {
    /// The Rust slice and the Java array differ in length; nothing was copied.
    LengthMismatch {
        /// Elements in the Java array.
        java: usize,
        /// Elements in the Rust slice.
        rust: usize,
    },
    /// The JVM refused the critical region (out of memory); a Java exception is pending.
    Refused,
}

impl std::fmt::Display for ArrayCopyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArrayCopyError::LengthMismatch { java, rust } => {
                write!(
                    f,
                    "the Java array has {java} elements but the buffer has {rust}"
                )
            }
            ArrayCopyError::Refused => f.write_str("the JVM refused a critical region"),
        }
    }
}

impl std::error::Error for ArrayCopyError {}

impl<T: JavaPrimitive> CriticalArray<T> {
    /// Enters a critical region over `array`; its length is asked from the JVM first (outside the
    /// region). Returns `None` when the JVM refuses (out of memory); a Java exception is then
    /// pending.
    ///
    /// # Safety
    /// - `env` is the `JNIEnv` of the calling thread and `array` a live, non-null reference to a
    ///   Java primitive array whose element type is `T`.
    /// - Until the guard is dropped, the thread makes no JNI call and no Python call (see the
    ///   module docs).
    pub unsafe fn new(env: *mut JNIEnv, array: jarray) -> Option<Self> {
        // SAFETY: the caller guarantees `env` is this thread's valid JNIEnv.
        let get_length = unsafe { (**env).GetArrayLength }?;
        // SAFETY: `array` is a live array reference; no critical region is open yet.
        let len = usize::try_from(unsafe { get_length(env, array) }).ok()?;
        // SAFETY: as above.
        let get = unsafe { (**env).GetPrimitiveArrayCritical }?;
        // SAFETY: `array` is a live primitive array reference; a null copy-flag pointer is
        // allowed.
        let raw = unsafe { get(env, array, std::ptr::null_mut()) };
        let elements = NonNull::new(raw.cast::<T>())?;
        Some(CriticalArray {
            env,
            array,
            elements,
            len,
            mode: JNI_ABORT,
        })
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The elements, read-only.
    pub fn as_slice(&self) -> &[T] {
        // SAFETY: the region pins `len` initialised elements of type `T` until `Drop`.
        unsafe { std::slice::from_raw_parts(self.elements.as_ptr(), self.len) }
    }

    /// The elements, writable. Writes are kept when the guard is dropped.
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        self.mode = 0;
        // SAFETY: as in `as_slice`, and `&mut self` makes this the only borrow.
        unsafe { std::slice::from_raw_parts_mut(self.elements.as_ptr(), self.len) }
    }
}

impl<T: JavaPrimitive> Drop for CriticalArray<T> {
    fn drop(&mut self) {
        // SAFETY: `env` and `array` were valid at `new` and the thread made no JNI call since
        // (the contract of `new`); mode 0 copies back writes, JNI_ABORT discards (read-only use).
        unsafe {
            if let Some(release) = (**self.env).ReleasePrimitiveArrayCritical {
                release(
                    self.env,
                    self.array,
                    self.elements.as_ptr().cast(),
                    self.mode,
                );
            }
        }
    }
}

/// Copies a Java primitive array of element type `T` into a byte buffer of any alignment (a
/// NumPy array's memory, say) through a critical region. Fails, copying nothing, when `dst`
/// does not hold exactly the array's elements or the JVM refuses the region.
///
/// # Safety
/// `env` is the calling thread's `JNIEnv`, and `array` a live, non-null Java array of element
/// type `T`.
pub unsafe fn copy_bytes_from_java<T: JavaPrimitive>(
    env: *mut JNIEnv,
    array: jarray,
    dst: &mut [u8],
) -> Result<(), ArrayCopyError> {
    // SAFETY: forwarded from the caller; the region only lasts for one copy.
    let region = unsafe { CriticalArray::<T>::new(env, array) }.ok_or(ArrayCopyError::Refused)?;
    check_byte_len::<T>(region.len(), dst.len())?;
    // SAFETY: the region pins `len` elements of `T`, which is exactly `dst.len()` bytes, until
    // it drops at the end of this function; Java memory never overlaps a Rust slice.
    let src =
        unsafe { std::slice::from_raw_parts(region.elements.as_ptr().cast::<u8>(), dst.len()) };
    // The helper threads only copy bytes: no JNI call is made while the region is held.
    crate::copy_parallel(dst, src);
    Ok(())
}

/// Copies a byte buffer of any alignment into a Java primitive array of element type `T`
/// through a critical region. Fails, copying nothing, when `src` does not hold exactly the
/// array's elements or the JVM refuses the region.
///
/// # Safety
/// As [`copy_bytes_from_java`].
pub unsafe fn copy_bytes_to_java<T: JavaPrimitive>(
    env: *mut JNIEnv,
    array: jarray,
    src: &[u8],
) -> Result<(), ArrayCopyError> {
    // SAFETY: forwarded from the caller; the region only lasts for one copy.
    let mut region =
        unsafe { CriticalArray::<T>::new(env, array) }.ok_or(ArrayCopyError::Refused)?;
    check_byte_len::<T>(region.len(), src.len())?;
    region.mode = 0;
    // SAFETY: as in `copy_bytes_from_java`, in the other direction; the region is writable.
    let dst =
        unsafe { std::slice::from_raw_parts_mut(region.elements.as_ptr().cast::<u8>(), src.len()) };
    crate::copy_parallel(dst, src);
    Ok(())
}

fn check_byte_len<T>(java: usize, bytes: usize) -> Result<(), ArrayCopyError> {
    let size = std::mem::size_of::<T>();
    if bytes % size == 0 {
        check_len(java, bytes / size)
    } else {
        Err(ArrayCopyError::LengthMismatch {
            java,
            rust: bytes / size,
        })
    }
}

fn check_len(java: usize, rust: usize) -> Result<(), ArrayCopyError> {
    if java == rust {
        Ok(())
    } else {
        Err(ArrayCopyError::LengthMismatch { java, rust })
    }
}
