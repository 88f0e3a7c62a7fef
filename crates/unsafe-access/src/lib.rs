//! unsafe-access: raw strided memory for imglyb.
//!
//! # What this layer knows
//! Pointers, shapes, byte strides and item sizes: the geometry of a block of memory, whether a
//! strided view stays inside its allocation, and how to copy between strided blocks (collapsing
//! contiguous runs into `memcpy`). It also owns the RAII guard over JNI critical regions
//! (`GetPrimitiveArrayCritical`) used to copy Java primitive arrays in and out.
//!
//! # What it must not know
//! NumPy, ImgLib2, Python, C callers, and how a JVM is started. It takes raw geometry and raw JNI
//! handles from the layers above and never starts or finds a JVM.
//!
//! - [`StridedLayout`]: geometry, extent and bounds checks; [`copy_strided`].
//! - [`CriticalArray`]: the critical-region guard; [`copy_from_java`] and [`copy_to_java`], which
//!   check the Java array's length and refuse a mismatched buffer ([`ArrayCopyError`]).
//! - [`copy_parallel`]: large copies split across cores.
//!
//! Raw JNI handles come in as `jni-sys` pointers; this crate never finds, starts or attaches to
//! a JVM.

#![deny(missing_docs)]

mod critical;
mod memcpy;
mod strided;

pub use critical::{
    ArrayCopyError, CriticalArray, JavaPrimitive, copy_bytes_from_java, copy_bytes_to_java,
    copy_from_java, copy_to_java,
};
pub use memcpy::{PARALLEL_MIN_BYTES, copy_parallel};
pub use strided::{LayoutError, MAX_NDIM, StridedLayout, copy_strided};
