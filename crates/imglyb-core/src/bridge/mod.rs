//! The bridge layer: Java objects as a dynamic language sees them. Reflection ([`reflect`]:
//! what a class offers, read once per class), overload resolution ([`overload`]: which method a
//! call means), calls, fields and arrays ([`call`]), and Java objects implemented by the host
//! ([`ProxyHost`]).
//!
//! # What this layer knows
//! The JNI layer ([`crate::jni`]) for every Java operation, and the runtime layer
//! ([`crate::runtime`]) for the JVM and imglyb's class loader (`org.imglyb.bridge.Reflect` and
//! `org.imglyb.bridge.NativeProxy` are its Java side). Its entry point is [`Bridge`], made once per
//! process from the running [`Jvm`].
//!
//! # What it must not know
//! Images and shared pixels (the pixels layer, which never uses reflection), and any host
//! language: a host describes its values to overload resolution through [`overload::ArgKind`]
//! and implements [`ProxyHost`] for callbacks.
//!
//! # Safe and unchecked calls
//! Every safe method of [`Bridge`] is sound whatever its arguments: calls check each argument's
//! kind against its parameter type and the target against the declaring class, fields the
//! same; a [`BoundMethod`] checks its target once when it is made ([`Bridge::bind`]), and
//! arrays go through [`JArray`], whose element type is checked once when it is made.
//! A host that has already converted its arguments to the parameter types (as overload
//! resolution does) may skip the checks with [`Bridge::invoke_unchecked`].

mod cache;
pub mod call;
pub mod overload;
mod proxy;
pub mod reflect;

use std::sync::{Arc, OnceLock};

use crate::jni::error::Result;
use crate::jni::{JRef, RawEnv, jcall};
use crate::runtime::Jvm;

pub use call::{Arg, BorrowedBytes, BoundMethod, Bytes, JArray, JObj, Value};
pub use proxy::ProxyHost;
pub use reflect::{ClassInfo, FieldInfo, JType, MethodGroup, MethodInfo};

use call::CallIds;
use reflect::ClassCache;

/// The process's call bridge: the class cache and the ids calls need, over the running JVM.
#[derive(Debug)]
pub struct Bridge {
    jvm: &'static Jvm,
    pub(crate) classes: ClassCache,
    pub(crate) calls: CallIds,
}

static BRIDGE: OnceLock<Bridge> = OnceLock::new();

impl Bridge {
    /// The bridge over `jvm`, made on first use.
    pub fn get(jvm: &'static Jvm) -> Result<&'static Bridge> {
        if let Some(b) = BRIDGE.get() {
            return Ok(b);
        }
        let bridge = Bridge {
            jvm,
            classes: ClassCache::new(jvm.loader())?,
            calls: CallIds::new()?,
        };
        Ok(BRIDGE.get_or_init(|| bridge))
    }

    /// The bridge, if one was made.
    pub fn current() -> Option<&'static Bridge> {
        BRIDGE.get()
    }

    /// The JVM it runs on.
    pub fn jvm(&self) -> &'static Jvm {
        self.jvm
    }

    /// The calling thread's env (for overload resolution's class checks).
    pub fn raw_env(&self) -> Result<RawEnv> {
        crate::jni::vm::env()
    }

    /// What imglyb knows about the class of this binary name (`java.util.ArrayList`,
    /// `Outer$Inner`, `[J`), loaded and initialised through imglyb's class loader on first
    /// use and cached after.
    pub fn class_info(&self, name: &str) -> Result<Arc<ClassInfo>> {
        if let Some(info) = self.classes.by_name(name) {
            return Ok(info);
        }
        let env = self.raw_env()?;
        let class = self.jvm.loader().class(name, true)?;
        let info = self.classes.for_class(env, class.as_raw())?;
        self.classes.remember_name(name, &info);
        Ok(info)
    }

    /// What imglyb knows about the runtime class of `obj`.
    pub fn class_of(&self, obj: &JRef) -> Result<Arc<ClassInfo>> {
        let env = self.raw_env()?;
        // SAFETY: `obj` is a live global reference.
        let class = unsafe { jcall!(env, GetObjectClass, obj.as_raw()) };
        let info = self.classes.for_class(env, class);
        env.delete_local(class);
        info
    }

    /// The [`JObj`] of an object, with its runtime class.
    pub fn object(&self, obj: Arc<JRef>) -> Result<JObj> {
        let class = self.class_of(&obj)?;
        Ok(JObj { obj, class })
    }

    /// [`Bridge::object`] for a call site that sees mostly one class (a wrap, say): the class
    /// remembered in `hint` is checked with one `IsSameObject` before the class cache is asked,
    /// and an empty hint remembers the first class found.
    pub fn object_hinted(&self, obj: Arc<JRef>, hint: &OnceLock<Arc<ClassInfo>>) -> Result<JObj> {
        let env = self.raw_env()?;
        // SAFETY: `obj` is a live global reference.
        let class = unsafe { jcall!(env, GetObjectClass, obj.as_raw()) };
        let known = hint
            .get()
            .filter(|known| env.same(known.class().as_raw(), class))
            .cloned();
        let info = match known {
            Some(info) => Ok(info),
            None => self.classes.for_class(env, class).inspect(|info| {
                let _ = hint.set(info.clone());
            }),
        };
        env.delete_local(class);
        Ok(JObj { obj, class: info? })
    }
}
