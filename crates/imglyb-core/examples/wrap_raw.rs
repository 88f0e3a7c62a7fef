//! Wraps memory given as raw parts (address, dtype, NumPy-order shape, byte strides) as an
//! ImgLib2 image with the `unsafe` `Pixels::wrap`, the way a C caller or any other non-`ndarray`
//! owner of pixels would, and shows who keeps the memory alive.
//!
//! ```text
//! cargo run -p imglyb-core --example wrap_raw
//! ```
//!
//! The pixels live in a `Vec<u16>` in column-major (Fortran) order, so Java gets a strided image
//! rather than an `ArrayImg`. The `Vec` goes into the owner handed to `wrap`; Java drops the owner,
//! on its cleaner thread, once no Java object reaches the pixels any more. A second, read-only
//! image shows a Java write refused with a Java exception.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use imglyb_core::{Bridge, DType, Error, ImageDescriptor, JRef, Jvm, JvmConfig, PixelType, Result};
use jni::JNIEnv;
use jni::objects::{JObject, JValue};

/// The calling thread's env as the `jni` crate's `JNIEnv`, for JNI calls of our own.
fn jni_env(jvm: &Jvm) -> Result<JNIEnv<'static>> {
    let raw = jvm.raw_env()?;
    // SAFETY: `raw` is this thread's valid env (attached for good), used on this thread only.
    Ok(unsafe { JNIEnv::from_raw(raw.raw()) }?)
}

/// A `jni` result as imglyb's: a pending Java exception is cleared and becomes `Error::Java`.
fn check<T>(jvm: &Jvm, r: jni::errors::Result<T>) -> Result<T> {
    r.map_err(|e| {
        jvm.raw_env()
            .ok()
            .and_then(|env| env.take_exception())
            .unwrap_or_else(|| e.into())
    })
}

/// Owns the pixels of a wrapped image and reports when Java lets go of them.
struct Pixels {
    /// The memory Java reads and writes. Never touched from Rust while wrapped.
    _data: Vec<u16>,
    dropped: Arc<AtomicBool>,
}

impl Drop for Pixels {
    fn drop(&mut self) {
        // Runs on a Java cleaner thread (or right away if wrapping failed).
        println!("owner dropped: no Java object reaches the pixels any more");
        self.dropped.store(true, Ordering::SeqCst);
    }
}

/// The pixel of `img` at ImgLib2 `position` (x first), through a `RandomAccess`: `Some(v)` writes
/// `v` there, `None` only reads. Returns the pixel's value after the write.
fn pixel(jvm: &Jvm, img: &JRef, position: &[i64], write: Option<i64>) -> Result<i64> {
    let mut env = jni_env(jvm)?;
    env.with_local_frame(8, |env: &mut JNIEnv| -> Result<i64> {
        // SAFETY: `img` is a live global reference while `img` is borrowed, and a `JObject`
        // deletes nothing when dropped.
        let img = unsafe { JObject::from_raw(img.as_raw()) };
        let r = (|| {
            let access = env
                .call_method(&img, "randomAccess", "()Lnet/imglib2/RandomAccess;", &[])?
                .l()?;
            let pos = env.new_long_array(position.len() as i32)?;
            env.set_long_array_region(&pos, 0, position)?;
            env.call_method(&access, "setPosition", "([J)V", &[JValue::Object(&pos)])?;
            let pixel = env
                .call_method(&access, "get", "()Ljava/lang/Object;", &[])?
                .l()?;
            if let Some(v) = write {
                env.call_method(&pixel, "setInteger", "(J)V", &[JValue::Long(v)])?;
            }
            env.call_method(&pixel, "getIntegerLong", "()J", &[])?.j()
        })();
        // A Java exception is cleared here and becomes `Error::Java`.
        check(jvm, r)
    })
}

/// Runs Java's garbage collector until `done()` holds (or 30 s have passed); returns the rounds.
fn gc_until(jvm: &Jvm, done: impl Fn() -> bool) -> Result<usize> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut rounds = 0;
    while !done() && Instant::now() < deadline {
        jni_env(jvm)?.with_local_frame(4, |env| {
            let r = env.call_static_method("java/lang/System", "gc", "()V", &[]);
            check(jvm, r).map(drop)
        })?;
        rounds += 1;
        // The cleaner thread drops the owner shortly after the collection.
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(rounds)
}

fn main() -> Result<()> {
    let jvm = Jvm::start(&JvmConfig::from_env())?;

    // A 3 × 4 image (rows × columns, NumPy shape [3, 4]) of uint16, pixel [r, c] = 10 r + c,
    // stored column by column: element [r, c] is at index r + 3 c.
    let (rows, cols) = (3usize, 4usize);
    let mut data: Vec<u16> = vec![0; rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            data[r + rows * c] = (10 * r + c) as u16;
        }
    }
    // Byte strides in NumPy order: one row down is one u16, one column right is 3 of them.
    let image = ImageDescriptor::new(
        data.as_mut_ptr() as usize,
        DType::U16,
        &[rows, cols],
        &[2, 2 * rows as isize],
        false,
    )?;
    println!(
        "descriptor: shape {:?}, byte strides {:?} -> ImgLib2 dimensions {:?}, strides {:?} pixels",
        image.layout().shape(),
        image.layout().strides(),
        image.imglib2_dimensions(),
        image.imglib2_strides(),
    );

    let dropped = Arc::new(AtomicBool::new(false));
    let owner = Pixels {
        // Moving the Vec moves its pointer, not the heap buffer the descriptor points to.
        _data: data,
        dropped: dropped.clone(),
    };
    // SAFETY: `image` reaches only the 12 pixels of the Vec's heap buffer. The Vec is in the
    // owner, so the buffer stays where it is until Java drops the owner, and nothing in Rust
    // reads or writes it meanwhile: the only way to it is through the owner, whose `Drop` does
    // not touch the pixels.
    let img =
        unsafe { imglyb_core::Pixels::get(jvm)?.wrap(&image, PixelType::Dtype, Box::new(owner)) }?;
    println!("wrapped as {}", Bridge::get(jvm)?.class_of(&img)?.name());

    // ImgLib2 position (x, y) = (2, 1) is pixel [1, 2]: 12.
    let v = pixel(jvm, &img, &[2, 1], None)?;
    println!("Java reads (x=2, y=1): {v}");
    assert_eq!(v, 12);
    // Java writes 999 at (x, y) = (3, 0), pixel [0, 3].
    pixel(jvm, &img, &[3, 0], Some(999))?;

    // Copy the image out in C order; Java's write is there.
    let shape = imglyb_core::Pixels::get(jvm)?.image_shape(&img)?;
    let mut copy = vec![0u16; shape.bytes() / 2];
    // SAFETY: `copy` holds `shape.bytes()` writable bytes (uint16 pixels of `shape.shape`).
    unsafe { imglyb_core::Pixels::get(jvm)?.copy_out(&img, &shape, copy.as_mut_ptr().cast())? };
    for row in copy.chunks(cols) {
        println!("  {row:?}");
    }
    assert_eq!(copy, [0, 1, 2, 999, 10, 11, 12, 13, 20, 21, 22, 23]);

    // A read-only image: Java's write throws and the memory is untouched.
    static CONSTANTS: [u8; 6] = [1, 2, 3, 4, 5, 6];
    let read_only =
        ImageDescriptor::c_contiguous(CONSTANTS.as_ptr() as usize, DType::U8, &[2, 3], true)?;
    // SAFETY: a `static` lives for the whole program and is never moved; Java only reads it,
    // since the descriptor is read-only. The owner has nothing to keep alive.
    let constants =
        unsafe { imglyb_core::Pixels::get(jvm)?.wrap(&read_only, PixelType::Dtype, Box::new(())) }?;
    match pixel(jvm, &constants, &[0, 0], Some(7)) {
        Err(Error::Java(t)) => println!("write to a read-only image: {t}"),
        other => panic!("expected a Java exception, got {other:?}"),
    }
    assert_eq!(CONSTANTS[0], 1);

    // Dropping the last Java reference lets the collector find the image unreachable.
    drop(img);
    let rounds = gc_until(jvm, || dropped.load(Ordering::SeqCst))?;
    assert!(dropped.load(Ordering::SeqCst), "the owner was not dropped");
    println!("after {rounds} garbage collection(s)");
    drop(constants);
    println!("ok");
    Ok(())
}
