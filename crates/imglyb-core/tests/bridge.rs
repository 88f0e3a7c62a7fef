//! The generic call machinery of core, used from Rust: class descriptions, overload resolution,
//! calls, results, exceptions and proxies, against a real JVM (`-Xcheck:jni`) and real ImgLib2.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use imglyb_core::bridge::overload::{self, ArgKind, Mode};
use imglyb_core::bridge::reflect::{ClassInfo, MethodGroup};
use imglyb_core::{Arg, Bridge, Error, ProxyHost, Value};

mod common;

/// The session's call bridge, with this file's proxy host registered.
fn jvm() -> &'static Bridge {
    static BRIDGE: OnceLock<&'static Bridge> = OnceLock::new();
    BRIDGE.get_or_init(|| {
        let bridge = common::bridge();
        bridge
            .set_proxy_host(&HOST)
            .expect("register the proxy host");
        bridge
    })
}

fn group<'c>(class: &'c ClassInfo, name: &str) -> &'c MethodGroup {
    class
        .methods
        .get(name)
        .unwrap_or_else(|| panic!("{} has no method {name}", class.name()))
}

fn utf16(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// Resolves `name` for `args` and calls it (statically when `target` is `None`).
fn call(
    class: &ClassInfo,
    name: &str,
    kinds: &[ArgKind<'_>],
    args: &[Arg],
) -> Result<Value, Error> {
    let jvm = jvm();
    let g = group(class, name);
    let env = jvm.raw_env()?;
    let r = overload::resolve(&env, class.name(), g, Mode::Static, kinds, None)?;
    assert!(!r.spread);
    jvm.invoke(&g.overloads[r.index], None, args)
}

#[test]
fn static_calls_return_values() {
    let integer = jvm().class_info("java.lang.Integer").unwrap();
    let v = call(
        &integer,
        "parseInt",
        &[ArgKind::Str { len1: false }],
        &[Arg::Str(utf16("42"))],
    )
    .unwrap();
    assert!(matches!(v, Value::Int(42)), "{v:?}");
    let s = call(
        &integer,
        "toHexString",
        &[ArgKind::Int(Some(255))],
        &[Arg::Int(255)],
    )
    .unwrap();
    let Value::Str(units) = s else {
        panic!("{s:?}")
    };
    assert_eq!(String::from_utf16(&units).unwrap(), "ff");
}

#[test]
fn java_exceptions_become_errors_and_can_be_thrown_again() {
    let integer = jvm().class_info("java.lang.Integer").unwrap();
    let err = call(
        &integer,
        "parseInt",
        &[ArgKind::Str { len1: true }],
        &[Arg::Str(utf16("x"))],
    )
    .unwrap_err();
    let Error::Java(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.class_name, "java.lang.NumberFormatException");
    let obj = jvm().wrap_throwable(t).unwrap();
    let again = jvm().rethrow(&obj).unwrap();
    let Error::Java(t2) = again else {
        panic!("{again:?}")
    };
    assert_eq!(t2.message, t.message);
    // Only throwables can be thrown.
    let list = jvm().class_info("java.util.ArrayList").unwrap();
    let ctor = &list.constructors.as_ref().unwrap().overloads;
    let empty = ctor.iter().find(|m| m.params.is_empty()).unwrap();
    let Value::Object(l) = jvm().invoke(empty, None, &[]).unwrap() else {
        panic!()
    };
    assert!(matches!(jvm().rethrow(&l), Err(Error::InvalidArgument(_))));
}

#[test]
fn overloads_prefer_exact_then_widest_and_list_candidates() {
    let jvm = jvm();
    let math = jvm.class_info("java.lang.Math").unwrap();
    let abs = group(&math, "abs");
    let env = jvm.raw_env().unwrap();
    let pick = |kinds: &[ArgKind<'_>]| {
        overload::resolve(&env, "java.lang.Math", abs, Mode::Static, kinds, None)
            .map(|r| abs.overloads[r.index].signature())
    };
    assert_eq!(
        pick(&[ArgKind::Int(Some(-5))]).unwrap(),
        "static long abs(long)"
    );
    assert_eq!(
        pick(&[ArgKind::Float(-2.5)]).unwrap(),
        "static double abs(double)"
    );
    let err = pick(&[ArgKind::Str { len1: false }]).unwrap_err();
    let Error::TypeMismatch(text) = err else {
        panic!("{err:?}")
    };
    for sig in ["abs(int)", "abs(long)", "abs(float)", "abs(double)"] {
        assert!(text.contains(sig), "{text}");
    }
    // An int beyond 64 bits fits no overload.
    assert!(pick(&[ArgKind::Int(None)]).is_err());
    let v = call(&math, "abs", &[ArgKind::Int(Some(-5))], &[Arg::Long(-5)]).unwrap();
    assert!(matches!(v, Value::Long(5)), "{v:?}");
}

#[test]
fn reference_overloads_pick_the_most_specific_type() {
    let jvm = jvm();
    let arrays = jvm.class_info("net.imglib2.img.array.ArrayImgs").unwrap();
    let floats = group(&arrays, "floats");
    let long_array = jvm.class_info("[J").unwrap();
    let env = jvm.raw_env().unwrap();
    // floats(long...) is the one overload taking a long[] alone.
    let r = overload::resolve(
        &env,
        arrays.name(),
        floats,
        Mode::Static,
        &[ArgKind::Object(&long_array)],
        None,
    )
    .unwrap();
    let m = &floats.overloads[r.index];
    assert!(m.varargs && !r.spread, "{}", m.signature());
    let bytes: Vec<u8> = [4i64, 3].iter().flat_map(|v| v.to_ne_bytes()).collect();
    let Value::Object(dims) = jvm
        .make(&Arg::PrimArray(
            imglyb_core::jni::Prim::Long,
            imglyb_core::Bytes::Owned(bytes),
        ))
        .unwrap()
    else {
        panic!()
    };
    let Value::Object(img) = jvm
        .invoke(m, None, &[Arg::Object(dims.obj.clone())])
        .unwrap()
    else {
        panic!()
    };
    // Views.rotate(Img, 0, 1): the RandomAccessibleInterval overload, not RandomAccessible.
    let views = jvm.class_info("net.imglib2.view.Views").unwrap();
    let rotate = group(&views, "rotate");
    let r = overload::resolve(
        &env,
        views.name(),
        rotate,
        Mode::Static,
        &[
            ArgKind::Object(&img.class),
            ArgKind::Int(Some(0)),
            ArgKind::Int(Some(1)),
        ],
        None,
    )
    .unwrap();
    assert_eq!(
        rotate.overloads[r.index].signature(),
        "static net.imglib2.view.IntervalView rotate(net.imglib2.RandomAccessibleInterval, int, int)"
    );
}

/// A host whose every proxy method counts its calls and returns the count.
struct Counter;

static CALLS: AtomicUsize = AtomicUsize::new(0);
static RELEASED: AtomicUsize = AtomicUsize::new(0);
static HOST: Counter = Counter;

impl ProxyHost for Counter {
    fn invoke(
        &self,
        _bridge: &Bridge,
        handle: i64,
        method: &str,
        args: Vec<Value>,
    ) -> imglyb_core::Result<Arg> {
        assert_eq!(handle, 7);
        match method {
            "run" => {
                assert!(args.is_empty());
                CALLS.fetch_add(1, Ordering::SeqCst);
                Ok(Arg::Null)
            }
            "applyAsInt" => {
                let [Value::Int(i)] = args.as_slice() else {
                    panic!("{args:?}")
                };
                Ok(Arg::Boxed(Box::new(Arg::Int(i * 2))))
            }
            _ => Err(Error::Callback(format!("no method {method}"))),
        }
    }

    fn release(&self, _handle: i64) {
        RELEASED.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn proxies_call_the_host_from_java_threads() {
    let jvm = jvm();
    let runnable = jvm.class_info("java.lang.Runnable").unwrap();
    let op = jvm
        .class_info("java.util.function.IntUnaryOperator")
        .unwrap();
    let proxy = jvm
        .new_proxy(7, &[runnable.clone(), op.clone()], "counter")
        .unwrap();
    // Java runs it on a thread of its own.
    let thread = jvm.class_info("java.lang.Thread").unwrap();
    let ctor = thread
        .constructors
        .as_ref()
        .unwrap()
        .overloads
        .iter()
        .find(|m| m.params.len() == 1 && m.params[0].name == "java.lang.Runnable")
        .unwrap();
    let Value::Object(t) = jvm
        .invoke(ctor, None, &[Arg::Object(proxy.obj.clone())])
        .unwrap()
    else {
        panic!()
    };
    let before = CALLS.load(Ordering::SeqCst);
    jvm.invoke(&group(&thread, "start").overloads[0], Some(&t.obj), &[])
        .unwrap();
    let join = group(&thread, "join")
        .overloads
        .iter()
        .find(|m| m.params.is_empty())
        .unwrap();
    jvm.invoke(join, Some(&t.obj), &[]).unwrap();
    assert_eq!(CALLS.load(Ordering::SeqCst), before + 1);
    // A value returned through the interface, converted to its primitive return type.
    let apply = &group(&op, "applyAsInt").overloads[0];
    let v = jvm
        .invoke(apply, Some(&proxy.obj), &[Arg::Int(21)])
        .unwrap();
    assert!(matches!(v, Value::Int(42)), "{v:?}");

    // Once Java no longer holds the proxy, its handle is released, once.
    let released = RELEASED.load(Ordering::SeqCst);
    drop((proxy, t));
    let system = jvm.class_info("java.lang.System").unwrap();
    let gc = &group(&system, "gc").overloads[0];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while RELEASED.load(Ordering::SeqCst) == released && std::time::Instant::now() < deadline {
        jvm.invoke(gc, None, &[]).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(RELEASED.load(Ordering::SeqCst), released + 1);
}

#[test]
fn every_dtype_names_an_imglib2_type_of_its_access() {
    let jvm = jvm();
    let native = jvm.class_info("net.imglib2.type.NativeType").unwrap();
    for d in imglyb_core::DType::ALL {
        let class = jvm.class_info(d.imglib2_type()).unwrap();
        assert!(
            jvm.is_assignable(&class, &native.ty).unwrap(),
            "{}",
            class.name()
        );
    }
}
