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
//! Built so far: [`StridedLayout`] (geometry, extent and bounds checks) and [`copy_strided`].
//! The JNI critical-region guard arrives with the Java-bridge work that first needs it.

#![deny(missing_docs)]

mod strided;

pub use strided::{LayoutError, MAX_NDIM, StridedLayout, copy_strided};
