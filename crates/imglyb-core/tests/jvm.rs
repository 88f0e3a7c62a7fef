//! The JVM lifecycle against a real JVM and the real ImgLib2 jar.
//!
//! Every test in this binary shares one JVM, started once with `-Xcheck:jni`.

use std::path::PathBuf;

use imglyb_core::{Error, Jvm, JvmConfig};
use jni::objects::{JObject, JString, JValue};

mod common;
use common::{jvm, session_config};

#[test]
fn start_reports_versions_from_inside_the_jvm() {
    let info = jvm().info().unwrap();
    assert!(
        info.java_version.chars().next().unwrap().is_ascii_digit(),
        "{info:?}"
    );
    assert!(
        PathBuf::from(&info.java_home).join("lib").is_dir(),
        "{info:?}"
    );
    assert_eq!(info.bridge_version, imglyb_core::VERSION);
    assert!(jvm().settings().created_here);
    let debian = PathBuf::from(imglyb_core::SYSTEM_JARS[0]);
    assert!(
        info.classpath.contains(&debian.display().to_string()),
        "{info:?}"
    );
    if info.imglib2_location.as_deref() == Some(imglyb_core::SYSTEM_JARS[0]) {
        assert_eq!(info.imglib2_version.as_deref(), Some("4.5.0"));
    } else {
        assert!(info.imglib2_version.is_some(), "{info:?}");
    }
}

#[test]
fn imglib2_runs() {
    assert_eq!(jvm().imglib2_self_test().unwrap(), 66.0);
}

#[test]
fn same_settings_are_idempotent() {
    let again = Jvm::start(&session_config()).unwrap();
    assert!(std::ptr::eq(again, jvm()));
    // A subset of the settings in effect is accepted too.
    let subset = JvmConfig {
        options: vec!["-Xcheck:jni".into()],
        ..JvmConfig::default()
    };
    assert!(std::ptr::eq(Jvm::start(&subset).unwrap(), jvm()));
}

#[test]
fn restart_with_other_settings_is_refused() {
    jvm();
    let other = JvmConfig {
        options: vec!["-Xmx123m".into()],
        classpath: vec![PathBuf::from("/no/such.jar")],
        ..session_config()
    };
    match Jvm::start(&other) {
        Err(Error::JvmAlreadyStarted { missing }) => {
            assert_eq!(
                missing,
                vec![
                    "classpath entry /no/such.jar".to_owned(),
                    "option -Xmx123m".to_owned()
                ]
            );
        }
        other => panic!("expected JvmAlreadyStarted, got {other:?}"),
    }
    // The running JVM is unharmed.
    assert_eq!(jvm().imglib2_self_test().unwrap(), 66.0);
}

#[test]
fn bad_options_are_rejected_before_java() {
    let bad = JvmConfig {
        options: vec!["Xmx1g".into()],
        ..JvmConfig::default()
    };
    assert!(matches!(Jvm::start(&bad), Err(Error::InvalidArgument(_))));
}

#[test]
fn every_bridge_class_loads() {
    let names: Vec<&str> = imglyb_core::bridge_class_names().collect();
    assert!(names.contains(&"org.imglyb.bridge.Bridge"), "{names:?}");
    common::with_env(|env| {
        // NativeBooleanAccess implements ImgLib2 5.6's BooleanAccess: it links only where
        // NativeBoolType exists, and imglyb loads it only there.
        let has_native_bool =
            common::load_class(env, "net.imglib2.type.logic.NativeBoolType").is_ok();
        for name in &names {
            if *name == "org.imglyb.memory.NativeBooleanAccess" && !has_native_bool {
                assert!(
                    common::load_class(env, name).is_err(),
                    "{name} linked on ImgLib2 4.5"
                );
                continue;
            }
            // One local frame per class, so the references of one check are freed before the next.
            env.with_local_frame(8, |env| -> imglyb_core::Result<()> {
                let class = common::load_class(env, name)?;
                let r = env
                    .call_method(&class, "getName", "()Ljava/lang/String;", &[])
                    .and_then(|v| v.l());
                let loaded = JString::from(common::check(env, r)?);
                let loaded: String = env.get_string(&loaded)?.into();
                assert_eq!(&loaded, name);
                Ok(())
            })?;
        }
        Ok(())
    })
    .unwrap();
}

#[test]
fn classpath_classes_load_through_the_bridge_loader() {
    common::with_env(|env| {
        for name in [
            "net.imglib2.img.array.ArrayImgs",
            "java.util.ArrayList",
            "java.util.Map$Entry",
        ] {
            let class = common::load_class(env, name)?;
            assert!(!class.is_null());
        }
        match common::load_class(env, "no.such.Clazz") {
            Err(Error::Java(t)) => {
                assert_eq!(t.class_name, "java.lang.ClassNotFoundException");
                assert_eq!(t.message.as_deref(), Some("no.such.Clazz"));
            }
            other => panic!("expected a Java error, got {other:?}"),
        }
        Ok(())
    })
    .unwrap();
}

#[test]
fn java_exceptions_are_captured_with_their_stack() {
    let jvm = jvm();
    let err = common::with_env(|env| {
        let arg: JObject = env.new_string("x")?.into();
        let r = env
            .call_static_method(
                "java/lang/Integer",
                "parseInt",
                "(Ljava/lang/String;)I",
                &[JValue::Object(&arg)],
            )
            .and_then(|v| v.i());
        common::check(env, r)
    })
    .unwrap_err();
    let Error::Java(t) = err else {
        panic!("expected a Java error, got {err:?}")
    };
    assert_eq!(t.class_name, "java.lang.NumberFormatException");
    assert_eq!(t.message.as_deref(), Some("For input string: \"x\""));
    assert!(
        t.stacktrace
            .contains("at java.base/java.lang.Integer.parseInt"),
        "{}",
        t.stacktrace
    );
    // The thread is usable afterwards: nothing is left pending.
    assert_eq!(jvm.imglib2_self_test().unwrap(), 66.0);
}

#[test]
fn other_threads_attach() {
    let jvm = jvm();
    let handles: Vec<_> = (0..4)
        .map(|_| std::thread::spawn(move || jvm.imglib2_self_test().unwrap()))
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 66.0);
    }
    let env = jvm.raw_env().unwrap();
    assert!(!env.raw().is_null());
}

#[test]
fn local_references_do_not_pile_up() {
    // Far more calls than the local-reference table holds without frames.
    let jvm = jvm();
    for _ in 0..20_000 {
        jvm.info().unwrap();
    }
}

/// Native-order bytes of plain numbers.
fn to_bytes<const N: usize, T: NeBytes>(values: &[T; N]) -> Vec<u8> {
    values.iter().flat_map(|v| v.ne_bytes()).collect()
}

trait NeBytes {
    fn ne_bytes(&self) -> Vec<u8>;
}

impl NeBytes for f32 {
    fn ne_bytes(&self) -> Vec<u8> {
        self.to_ne_bytes().to_vec()
    }
}

impl NeBytes for i64 {
    fn ne_bytes(&self) -> Vec<u8> {
        self.to_ne_bytes().to_vec()
    }
}

#[test]
fn java_arrays_copy_through_critical_regions() {
    use unsafe_access::{
        copy_bytes_from_java as copy_from_java, copy_bytes_to_java as copy_to_java,
    };

    common::with_env(|env| {
        let floats = env.new_float_array(5)?;
        let src = [1.5f32, -2.0, 3.25, 0.0, 1e30];
        // SAFETY: `floats` is a live float[5] of this thread's env; no JNI call happens inside.
        unsafe { copy_to_java::<f32>(env.get_raw(), floats.as_raw(), &to_bytes(&src)) }.unwrap();
        // Read back through JNI's own region call, an independent path.
        let mut check = [0f32; 5];
        env.get_float_array_region(&floats, 0, &mut check)?;
        assert_eq!(check, src);

        env.set_float_array_region(&floats, 2, &[7.0])?;
        let mut out = [0u8; 20];
        // SAFETY: as above.
        unsafe { copy_from_java::<f32>(env.get_raw(), floats.as_raw(), &mut out) }.unwrap();
        let out: Vec<f32> = out
            .chunks(4)
            .map(|c| f32::from_ne_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(out, [1.5, -2.0, 7.0, 0.0, 1e30]);

        let longs = env.new_long_array(3)?;
        env.set_long_array_region(&longs, 0, &[i64::MIN, 0, i64::MAX])?;
        let mut out = [0u8; 24];
        // SAFETY: `longs` is a live long[3].
        unsafe { copy_from_java::<i64>(env.get_raw(), longs.as_raw(), &mut out) }.unwrap();
        assert_eq!(out[..], to_bytes(&[i64::MIN, 0, i64::MAX])[..]);

        // The guard itself: a read-only view, released on drop.
        // SAFETY: `longs` is a live long[3]; no JNI call while the guard lives.
        let region =
            unsafe { unsafe_access::CriticalArray::<i64>::new(env.get_raw(), longs.as_raw()) }
                .expect("critical region");
        assert_eq!(region.as_slice(), &[i64::MIN, 0, i64::MAX]);
        drop(region);

        // A buffer of the wrong length is refused and nothing is written on either side.
        let mut short = [9u8; 16];
        // SAFETY: `longs` is a live long[3].
        let err = unsafe { copy_from_java::<i64>(env.get_raw(), longs.as_raw(), &mut short) };
        assert_eq!(
            err,
            Err(unsafe_access::ArrayCopyError::LengthMismatch { java: 3, rust: 2 })
        );
        assert_eq!(short, [9; 16]);
        // SAFETY: as above.
        let err =
            unsafe { copy_to_java::<i64>(env.get_raw(), longs.as_raw(), &to_bytes(&[1i64; 4])) };
        assert_eq!(
            err,
            Err(unsafe_access::ArrayCopyError::LengthMismatch { java: 3, rust: 4 })
        );
        let mut after = [0i64; 3];
        env.get_long_array_region(&longs, 0, &mut after)?;
        assert_eq!(after, [i64::MIN, 0, i64::MAX]);
        Ok(())
    })
    .unwrap();
}
