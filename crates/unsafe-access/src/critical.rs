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

use std::marker::PhantomData;
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
pub struct CriticalArray<'a, T: JavaPrimitive> {
    env: *mut JNIEnv,
    array: jarray,
    elements: NonNull<T>,
    len: usize,
    mode: jint,
    _borrow: PhantomData<&'a mut [T]>,
}

impl<'a, T: JavaPrimitive> CriticalArray<'a, T> {
    /// Enters a critical region over `array`, which has `len` elements of type `T`. Returns
    /// `None` when the JVM refuses (out of memory); a Java exception is then pending.
    ///
    /// # Safety
    /// - `env` is the `JNIEnv` of the calling thread and `array` a live reference to a Java
    ///   primitive array whose element type is `T` and whose length is `len`.
    /// - Until the guard is dropped, the thread makes no JNI call and no Python call (see the
    ///   module docs).
    pub unsafe fn new(env: *mut JNIEnv, array: jarray, len: usize) -> Option<Self> {
        // SAFETY: the caller guarantees `env` is this thread's valid JNIEnv.
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
            _borrow: PhantomData,
        })
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

impl<T: JavaPrimitive> Drop for CriticalArray<'_, T> {
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

/// Copies a Java primitive array of `dst.len()` elements into `dst` through a critical region.
/// Returns `false` (with a Java exception pending) when the JVM refuses the region.
///
/// # Safety
/// `env` is the calling thread's `JNIEnv`, and `array` a live Java array of element type `T` and
/// length `dst.len()`.
pub unsafe fn copy_from_java<T: JavaPrimitive>(
    env: *mut JNIEnv,
    array: jarray,
    dst: &mut [T],
) -> bool {
    // SAFETY: forwarded from the caller; the region only lasts for one copy.
    match unsafe { CriticalArray::<T>::new(env, array, dst.len()) } {
        Some(region) => {
            dst.copy_from_slice(region.as_slice());
            true
        }
        None => false,
    }
}

/// Copies `src` into a Java primitive array of `src.len()` elements through a critical region.
/// Returns `false` (with a Java exception pending) when the JVM refuses the region.
///
/// # Safety
/// `env` is the calling thread's `JNIEnv`, and `array` a live Java array of element type `T` and
/// length `src.len()`.
pub unsafe fn copy_to_java<T: JavaPrimitive>(env: *mut JNIEnv, array: jarray, src: &[T]) -> bool {
    // SAFETY: forwarded from the caller; the region only lasts for one copy.
    match unsafe { CriticalArray::<T>::new(env, array, src.len()) } {
        Some(mut region) => {
            region.as_mut_slice().copy_from_slice(src);
            true
        }
        None => false,
    }
}
