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
//! - [`CriticalArray`]: the critical-region guard; [`copy_bytes_from_java`] and
//!   [`copy_bytes_to_java`], which check the Java array's length and refuse a mismatched buffer
//!   ([`ArrayCopyError`]); copies of 32 MiB and more are split across cores.
//!
//! Raw JNI handles come in as `jni-sys` pointers; this crate never finds, starts or attaches to
//! a JVM. The geometry and copies work on plain memory and need no JVM at all.
//!
//! # Example
//! A 2 × 3 block of `u16` in C order copied into Fortran (column-major) order, and a layout with
//! a negative stride checked against its allocation.
//!
//! ```
//! use unsafe_access::{StridedLayout, copy_strided};
//!
//! let src: [u16; 6] = [0, 1, 2, 10, 11, 12]; // src[r][c] = 10 r + c
//! let c_order = StridedLayout::c_contiguous(&[2, 3], 2)?;
//! assert_eq!(c_order.strides(), [6, 2]); // bytes
//! let fortran = StridedLayout::new(&[2, 3], &[2, 4], 2)?;
//! assert!(c_order.fits_in(0, 12) && fortran.fits_in(0, 12));
//!
//! let mut dst = [0u16; 6];
//! // SAFETY: both layouts fit their 12-byte arrays from byte 0 (checked above), and the two
//! // arrays are distinct.
//! unsafe { copy_strided(src.as_ptr().cast(), &c_order, dst.as_mut_ptr().cast(), &fortran)? };
//! assert_eq!(dst, [0, 10, 1, 11, 2, 12]);
//!
//! // The rows in reverse: element [0, 0] is the first pixel of the last row, 6 bytes in, and
//! // the layout reaches 6 bytes below it.
//! let flipped = StridedLayout::new(&[2, 3], &[-6, 2], 2)?;
//! assert_eq!(flipped.extent(), (-6, 6));
//! assert!(flipped.fits_in(6, 12));
//! assert!(!flipped.fits_in(0, 12)); // would start before the allocation
//! # Ok::<(), unsafe_access::LayoutError>(())
//! ```

#![deny(missing_docs)]

mod critical;
mod memcpy;
mod strided;

pub use critical::{
    ArrayCopyError, CriticalArray, JavaPrimitive, copy_bytes_from_java, copy_bytes_to_java,
};
use memcpy::copy_parallel;
pub use strided::{LayoutError, MAX_NDIM, StridedLayout, copy_strided};
