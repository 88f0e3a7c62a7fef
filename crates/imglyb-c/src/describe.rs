//! `imglyb_describe`'s work: an image's memory as an `imglyb_array`.

use std::ptr;
use std::sync::Arc;

use imglyb_core::jni::sys::jobject;
use imglyb_core::{Error, JRef, Jvm, Pixels};

use crate::boundary::Failure;
use crate::{c_dtype, imglyb_array, imglyb_result, new_global_ref, register_described};

/// A global reference of our own to `image`, which must be an ImgLib2 image
/// (`RandomAccessibleInterval`); anything else is refused, naming its class.
///
/// # Safety
/// `image` must be a valid, non-null JNI reference on the calling thread.
pub(crate) unsafe fn image_ref(jvm: &Jvm, image: jobject) -> Result<Arc<JRef>, Failure> {
    // SAFETY: valid on this thread, as promised.
    let image = unsafe { new_global_ref(jvm, image) }?.ok_or_else(|| {
        Failure::new(
            imglyb_result::InvalidArgument,
            "image refers to no object (a cleared weak reference?)",
        )
    })?;
    let image = Arc::new(image);
    match Pixels::get(jvm)?.check_image(&image) {
        Ok(()) => Ok(image),
        Err(Error::TypeMismatch(why)) => Err(Failure::new(
            imglyb_result::InvalidArgument,
            why.replacen("the object", "image", 1),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The memory `image` shows, with `shape` and `strides` in a block registered for
/// `imglyb_array_free`.
///
/// # Safety
/// `image` must be a valid, non-null JNI reference on the calling thread.
pub(crate) unsafe fn describe(jvm: &Jvm, image: jobject) -> Result<imglyb_array, Failure> {
    // SAFETY: valid on this thread, as promised.
    let image = unsafe { image_ref(jvm, image) }?;
    let shared = Pixels::get(jvm)?.describe(&image)?.ok_or_else(|| {
        Failure::new(
            imglyb_result::NotNativeMemory,
            "this image's pixels are not in native memory imglyb knows (a heap ArrayImg, a \
             CellImg or a computed view): only images from imglyb_wrap, imglyb's \
             SharedImgFactory, and stride-only views of them can be described",
        )
    })?;
    let n = shared.shape.len();
    // One block: shape, then strides; never empty, so every block has its own address.
    let mut block = Vec::with_capacity((2 * n).max(1));
    block.extend(shared.shape.iter().map(|&d| d as i64));
    block.extend(shared.strides.iter().map(|&s| s as i64));
    if block.is_empty() {
        block.push(0);
    }
    let shape = register_described(block.into_boxed_slice());
    Ok(imglyb_array {
        struct_size: std::mem::size_of::<imglyb_array>(),
        data: shared.address as *mut _,
        dtype: c_dtype(shared.dtype),
        ndim: n,
        shape,
        // SAFETY: the block holds 2n values (or one when n is 0), so `shape + n` is in it or
        // one past its end.
        strides: unsafe { shape.add(n) },
        readonly: shared.read_only,
        release: None,
        release_ctx: ptr::null_mut(),
    })
}
