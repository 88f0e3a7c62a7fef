//! Wraps an `ndarray::Array3<f32>` as an ImgLib2 image, lets ImgLib2 write into it from Java, and
//! reads the pixels back: once through `Pixels::describe` (the same memory, no copy) and once
//! through `Pixels::image_shape` and `Pixels::copy_out` (a copy into a new array).
//!
//! ```text
//! cargo run -p imglyb-core --example wrap_array
//! ```
//!
//! Needs a JDK and ImgLib2 (Debian: `default-jdk-headless`, `libimglib2-java`).
//! `IMGLYB_CLASSPATH` and `IMGLYB_JAVA_OPTIONS` are honoured, so
//! `IMGLYB_JAVA_OPTIONS=-Xcheck:jni` runs it under the JVM's JNI checks.
//!
//! The Java calls go through the `jni` crate (re-exported as `imglyb_core::jni`), one JNI call
//! per pixel, which is fine for 24 pixels; real work runs whole ImgLib2 algorithms in Java.

use imglyb_core::ndarray::{Array, Array3, ArrayView, IxDyn};
use imglyb_core::{Bridge, DType, Jvm, JvmConfig, Pixels, Result};
use jni::JNIEnv;
use jni::objects::{JClass, JObject, JValue, JValueOwned};

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

/// Calls `obj.name(args)` in Java; a Java exception is cleared and becomes `Error::Java`.
fn call<'l>(
    jvm: &Jvm,
    env: &mut JNIEnv<'l>,
    obj: &JObject,
    name: &str,
    sig: &str,
    args: &[JValue],
) -> Result<JValueOwned<'l>> {
    let r = env.call_method(obj, name, sig, args);
    check(jvm, r)
}

/// The value ImgLib2 writes at position (x, y, z): the position in decimal digits.
fn encoded(x: i64, y: i64, z: i64) -> f32 {
    (100 * z + 10 * y + x) as f32
}

fn main() -> Result<()> {
    let jvm = Jvm::start(&JvmConfig::from_env())?;
    let info = jvm.info()?;
    println!(
        "Java {} with ImgLib2 {}",
        info.java_version,
        info.imglib2_version
            .as_deref()
            .unwrap_or("(version unknown)")
    );

    // arr[z, y, x]: 2 planes of 3 rows of 4 pixels. ImgLib2 sees dimensions (4, 3, 2).
    let arr = Array3::<f32>::zeros((2, 3, 4));
    let address = arr.as_ptr() as usize;
    // Java owns the array from here on, and drops it once no Java object reaches its pixels.
    let img = Pixels::get(jvm)?.wrap_array(arr)?;
    println!("wrapped as {}", Bridge::get(jvm)?.class_of(&img)?.name());

    let mut env = jni_env(jvm)?;
    // A local frame frees the local references made inside it; without one they would live as
    // long as this (attached, native) thread and keep their Java objects reachable.
    env.with_local_frame(16, |env| -> Result<()> {
        // SAFETY: `img` is a live global reference while `img` lives, which is longer than
        // this frame, and a `JObject` deletes nothing when dropped.
        let img = unsafe { JObject::from_raw(img.as_raw()) };

        // 1. A localizing cursor visits every pixel; each gets its position as digits z y x.
        let cursor = call(
            jvm,
            env,
            &img,
            "localizingCursor",
            "()Lnet/imglib2/Cursor;",
            &[],
        )?
        .l()?;
        while call(jvm, env, &cursor, "hasNext", "()Z", &[])?.z()? {
            call(jvm, env, &cursor, "fwd", "()V", &[])?;
            let mut position = [0i64; 3];
            for (d, p) in position.iter_mut().enumerate() {
                let d = JValue::Int(d as i32);
                *p = call(jvm, env, &cursor, "getLongPosition", "(I)J", &[d])?.j()?;
            }
            let [x, y, z] = position;
            let pixel = call(jvm, env, &cursor, "get", "()Ljava/lang/Object;", &[])?.l()?;
            let value = JValue::Double(f64::from(encoded(x, y, z)));
            call(jvm, env, &pixel, "setReal", "(D)V", &[value])?;
            env.delete_local_ref(pixel)?;
        }

        // 2. Views.hyperSlice(img, 2, 1) is the plane z = 1; a RandomAccess on it writes
        //    -1 at (x, y) = (3, 2), which is arr[1, 2, 3].
        let views = jvm.load_class("net.imglib2.view.Views")?;
        // SAFETY: `views` is a live global reference; the JObject wrapper deletes nothing.
        let views = env.new_local_ref(unsafe { JObject::from_raw(views.as_raw()) })?;
        let views = JClass::from(views);
        let r = env.call_static_method(
            &views,
            "hyperSlice",
            "(Lnet/imglib2/RandomAccessibleInterval;IJ)Lnet/imglib2/view/IntervalView;",
            &[JValue::Object(&img), JValue::Int(2), JValue::Long(1)],
        );
        let plane = check(jvm, r)?.l()?;
        let access = call(
            jvm,
            env,
            &plane,
            "randomAccess",
            "()Lnet/imglib2/RandomAccess;",
            &[],
        )?
        .l()?;
        let position = env.new_long_array(2)?;
        env.set_long_array_region(&position, 0, &[3, 2])?;
        call(
            jvm,
            env,
            &access,
            "setPosition",
            "([J)V",
            &[JValue::Object(&position)],
        )?;
        let pixel = call(jvm, env, &access, "get", "()Ljava/lang/Object;", &[])?.l()?;
        call(jvm, env, &pixel, "setReal", "(D)V", &[JValue::Double(-1.0)])?;
        Ok(())
    })?;

    // The pixels as Rust expects them: what ImgLib2 wrote.
    let mut expected =
        Array::from_shape_fn((2, 3, 4), |(z, y, x)| encoded(x as i64, y as i64, z as i64));
    expected[[1, 2, 3]] = -1.0;

    // Read back without a copy: `describe` says where the image's pixels are.
    let shared = Pixels::get(jvm)?
        .describe(&img)?
        .expect("imglyb made this image");
    println!(
        "describe: {} pixels, shape {:?}, strides {:?} bytes, read-only {}, \
         same memory as the array: {}",
        shared.dtype.numpy_name(),
        shared.shape,
        shared.strides,
        shared.read_only,
        shared.address == address
    );
    assert_eq!((shared.dtype, shared.argb), (DType::F32, false));
    assert_eq!(shared.strides, [48, 16, 4], "C order, as the array was");
    // SAFETY: `img` keeps the memory alive for as long as `view` is used (it is dropped at the
    // end of `main`, after `view`). The address is the array's own, so it is aligned for `f32`,
    // and the shape with C-order strides stays inside the array's 24 pixels. Every Java write
    // above returned before this, and no other Java thread writes to the image.
    let view =
        unsafe { ArrayView::from_shape_ptr(IxDyn(&shared.shape), shared.address as *const f32) };
    assert_eq!(view, expected.view().into_dyn());

    // Read back as a copy: any ImgLib2 image of a NumPy dtype can be copied out.
    let shape = Pixels::get(jvm)?.image_shape(&img)?;
    let &[nz, ny, nx] = shape.shape.as_slice() else {
        panic!("expected 3 axes, got {:?}", shape.shape);
    };
    let mut copy = Array3::<f32>::zeros((nz, ny, nx));
    assert_eq!((shape.dtype, shape.bytes()), (DType::F32, copy.len() * 4));
    // SAFETY: `copy` is a new C-contiguous array of `shape.shape` `f32` pixels, so it holds
    // exactly `shape.bytes()` writable bytes, and nothing else uses it during the call.
    unsafe { Pixels::get(jvm)?.copy_out(&img, &shape, copy.as_mut_ptr().cast())? };
    assert_eq!(copy, expected);
    println!("copy_out into a new Array3<f32> (arr[z, y, x]):\n{copy}");

    drop(view);
    drop(img);
    println!("ok");
    Ok(())
}
