//! Java objects implemented by the host: `java.lang.reflect.Proxy` instances whose interface calls
//! run native code, through `org.imglyb.bridge.NativeProxy`.
//!
//! The binding layer registers one [`ProxyHost`] per process. A proxy names a host object by a
//! `long` handle; any Java thread may call it (the JVM hands that thread's `JNIEnv` to the native
//! method), and a `Cleaner` releases the handle once the proxy is unreachable.

use std::ffi::c_void;
use std::sync::{Arc, OnceLock};

use jni::sys::{JNIEnv, JNINativeMethod, jclass, jlong, jobject, jobjectArray, jstring};

use super::Bridge;
use super::call::{Arg, JObj, Value};
use super::reflect::ClassInfo;
use crate::jni::error::{Error, Result};
use crate::jni::{Frame, RawEnv, jcall, natives};

const PROXY_CLASS: &str = "org.imglyb.bridge.NativeProxy";

/// The host side of proxies: runs a host object's method and releases host objects.
pub trait ProxyHost: Send + Sync + 'static {
    /// Runs `method` of the host object `handle` with Java's arguments (strings and boxes already
    /// converted to values) and returns the result as a Java value: `Arg::Boxed` for primitives,
    /// which Java converts to the method's return type with range checks. An
    /// [`Error::Callback`] becomes a Java `RuntimeException` with its text.
    fn invoke(&self, bridge: &Bridge, handle: i64, method: &str, args: Vec<Value>) -> Result<Arg>;

    /// The proxy holding `handle` is gone (or was never made): drop the host object.
    fn release(&self, handle: i64);
}

static HOST: OnceLock<&'static dyn ProxyHost> = OnceLock::new();

impl Bridge {
    /// Registers the process's proxy host and binds `NativeProxy`'s native methods to it. Later
    /// calls keep the first host.
    pub fn set_proxy_host(&self, host: &'static dyn ProxyHost) -> Result<()> {
        if HOST.get().is_some() {
            return Ok(());
        }
        let class = self.class_info(PROXY_CLASS)?;
        let env = self.raw_env()?;
        let methods = [
            JNINativeMethod {
                name: c"invoke0".as_ptr().cast_mut(),
                signature: c"(JLjava/lang/String;[Ljava/lang/Object;)Ljava/lang/Object;"
                    .as_ptr()
                    .cast_mut(),
                fnPtr: invoke0 as *mut c_void,
            },
            JNINativeMethod {
                name: c"release0".as_ptr().cast_mut(),
                signature: c"(J)V".as_ptr().cast_mut(),
                fnPtr: release0 as *mut c_void,
            },
        ];
        let frame = Frame::new(env);
        // SAFETY: the class is NativeProxy, and each entry names a native method it declares
        // with a function of the matching JNI signature; the strings are static.
        unsafe { natives::register(&frame, class.class(), &methods) }?;
        let _ = HOST.set(host);
        Ok(())
    }

    /// A Java object implementing `interfaces`, whose calls go to the host object `handle`.
    /// The handle is released (through the host) when the proxy is collected, or right away if
    /// making the proxy fails.
    pub fn new_proxy(
        &self,
        handle: i64,
        interfaces: &[Arc<ClassInfo>],
        description: &str,
    ) -> Result<JObj> {
        let made = (|| {
            if HOST.get().is_none() {
                return Err(Error::Internal("no proxy host registered".into()));
            }
            let class = self.class_info(PROXY_CLASS)?;
            let create = class
                .methods
                .get("create")
                .and_then(|g| g.overloads.first())
                .ok_or_else(|| Error::Internal("NativeProxy.create is missing".into()))?;
            let class_type = create.params[1]
                .component
                .clone()
                .ok_or_else(|| Error::Internal("NativeProxy.create takes Class[]".into()))?;
            let args = [
                Arg::Long(handle),
                Arg::ObjArray(
                    class_type,
                    interfaces
                        .iter()
                        .map(|i| {
                            i.ty.class
                                .clone()
                                .map(Arg::Object)
                                .ok_or_else(|| Error::Internal("interface without class".into()))
                        })
                        .collect::<Result<Vec<_>>>()?,
                ),
                Arg::Str(description.encode_utf16().collect()),
            ];
            Ok(self.invoke(create, None, &args))
        })();
        match made {
            // NativeProxy.create released the handle itself if it threw.
            Ok(r) => match r? {
                Value::Object(o) => Ok(o),
                other => Err(Error::Internal(format!(
                    "NativeProxy.create returned {other:?}"
                ))),
            },
            Err(e) => {
                if let Some(host) = HOST.get() {
                    host.release(handle);
                }
                Err(e)
            }
        }
    }
}

extern "system" fn invoke0(
    env: *mut JNIEnv,
    _class: jclass,
    handle: jlong,
    method: jstring,
    args: jobjectArray,
) -> jobject {
    // SAFETY: the JVM passes this thread's env to a native method.
    unsafe {
        natives::boundary(env, std::ptr::null_mut(), |env| {
            invoke_host(env, handle, method, args)
        })
    }
}

fn invoke_host(env: RawEnv, handle: i64, method: jstring, args: jobjectArray) -> Result<jobject> {
    let bridge = Bridge::current()
        .ok_or_else(|| Error::Internal("imglyb's call bridge is not set up".into()))?;
    let host = HOST
        .get()
        .ok_or_else(|| Error::Internal("no proxy host registered".into()))?;
    let name = String::from_utf16_lossy(&crate::jni::strings::read_string(env, method));
    // SAFETY: `args` is the live Object[] NativeProxy passed (never null).
    let n = unsafe { jcall!(env, GetArrayLength, args) };
    let mut values = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
    for i in 0..n {
        // SAFETY: `args` is a live object array and `0 <= i < n`.
        let element = unsafe { jcall!(env, GetObjectArrayElement, args, i) };
        values.push(bridge.object_value(env, element)?);
    }
    let result = host.invoke(bridge, handle, &name, values)?;
    bridge.local_object(env, &result)
}

extern "system" fn release0(env: *mut JNIEnv, _class: jclass, handle: jlong) {
    // SAFETY: the JVM passes this thread's env to a native method.
    unsafe {
        natives::boundary(env, (), |_| {
            if let Some(host) = HOST.get() {
                host.release(handle);
            }
            Ok(())
        })
    }
}
