//! Calls into Java on the hot path: argument values in ([`Arg`]), results out ([`Value`]), method
//! and constructor calls, field access and Java arrays, through raw JNI with cached ids.
//!
//! Nothing here holds a lock of the binding layer: a binding calls these with its own lock (the
//! GIL) released. `Arg` owns or borrows plain memory only, so it can cross that boundary.

use std::sync::{Arc, OnceLock};

use jni::sys::{jobject, jsize, jvalue};

use super::Bridge;
use super::reflect::{ClassInfo, FieldInfo, JType, MethodInfo};
use crate::jni::error::{Error, Result};
use crate::jni::strings::read_string;
use crate::jni::{Frame, JRef, JavaValue, MethodId, Prim, RawEnv, jcall, with_prim};

/// A Java object with what imglyb knows about its runtime class.
#[derive(Debug, Clone)]
pub struct JObj {
    /// The object (a global reference, shared by clones).
    pub obj: Arc<JRef>,
    /// Its runtime class.
    pub class: Arc<ClassInfo>,
}

/// A value that came back from Java.
#[derive(Debug)]
pub enum Value {
    /// A `void` method returned.
    Void,
    /// `null`.
    Null,
    /// `boolean` or `Boolean`.
    Bool(bool),
    /// `byte` or `Byte`.
    Byte(i8),
    /// `char` or `Character` (one UTF-16 code unit).
    Char(u16),
    /// `short` or `Short`.
    Short(i16),
    /// `int` or `Integer`.
    Int(i32),
    /// `long` or `Long`.
    Long(i64),
    /// `float` or `Float`.
    Float(f32),
    /// `double` or `Double`.
    Double(f64),
    /// A `java.lang.String`, as UTF-16 (lone surrogates kept).
    Str(Vec<u16>),
    /// Any other object.
    Object(JObj),
}

/// Bytes of a primitive array argument.
#[derive(Debug)]
pub enum Bytes {
    /// Owned bytes in native order.
    Owned(Vec<u8>),
    /// Memory the caller keeps alive and unchanged in size for the duration of the call (a
    /// NumPy buffer it holds an export of).
    Borrowed(BorrowedBytes),
}

/// A borrowed byte range; see [`Bytes::Borrowed`].
#[derive(Debug)]
pub struct BorrowedBytes {
    ptr: *const u8,
    len: usize,
}

// SAFETY: the creator of a BorrowedBytes promises the memory stays valid while it lives
// (`BorrowedBytes::new`), whatever thread reads it.
unsafe impl Send for BorrowedBytes {}
// SAFETY: as above; it is only read.
unsafe impl Sync for BorrowedBytes {}

impl BorrowedBytes {
    /// Borrows `len` bytes at `ptr`.
    ///
    /// # Safety
    /// The memory must stay valid and readable for as long as the value lives.
    pub unsafe fn new(ptr: *const u8, len: usize) -> BorrowedBytes {
        BorrowedBytes { ptr, len }
    }
}

impl Arg {
    /// The variant's name, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Arg::Null => "null",
            Arg::Bool(_) => "boolean",
            Arg::Byte(_) => "byte",
            Arg::Char(_) => "char",
            Arg::Short(_) => "short",
            Arg::Int(_) => "int",
            Arg::Long(_) => "long",
            Arg::Float(_) => "float",
            Arg::Double(_) => "double",
            Arg::Object(_) => "an object",
            Arg::Str(_) => "a string",
            Arg::Boxed(_) => "a boxed primitive",
            Arg::PrimArray(..) => "a primitive array",
            Arg::ObjArray(..) => "an object array",
            Arg::List(_) => "a list",
        }
    }
}

impl Bytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Owned(v) => v,
            Bytes::Borrowed(b) if b.len == 0 => &[],
            // SAFETY: the creator promised `len` readable bytes at `ptr` while `b` lives.
            Bytes::Borrowed(b) => unsafe { std::slice::from_raw_parts(b.ptr, b.len) },
        }
    }
}

/// A value going into Java, already converted to the parameter's type.
#[derive(Debug)]
pub enum Arg {
    /// `null`.
    Null,
    /// `boolean`.
    Bool(bool),
    /// `byte`.
    Byte(i8),
    /// `char`.
    Char(u16),
    /// `short`.
    Short(i16),
    /// `int`.
    Int(i32),
    /// `long`.
    Long(i64),
    /// `float`.
    Float(f32),
    /// `double`.
    Double(f64),
    /// An existing Java object.
    Object(Arc<JRef>),
    /// A new `java.lang.String`, from UTF-16.
    Str(Vec<u16>),
    /// A boxed primitive (`Integer.valueOf(...)`); the inner value is the primitive.
    Boxed(Box<Arg>),
    /// A new primitive array.
    PrimArray(Prim, Bytes),
    /// A new object array of this element class.
    ObjArray(Arc<JType>, Vec<Arg>),
    /// A new `java.util.ArrayList`.
    List(Vec<Arg>),
}

/// Method ids of `java.lang` boxes and `ArrayList`, resolved once.
#[derive(Debug)]
pub(crate) struct CallIds {
    /// Per box, in the order of [`Prim::VALUES`]: class, `valueOf`, `xxxValue()`.
    boxes: Vec<(JRef, MethodId, MethodId)>,
    array_list: JRef,
    array_list_new: MethodId,
    array_list_add: MethodId,
}

impl CallIds {
    pub(crate) fn new() -> Result<CallIds> {
        let mut frame = Frame::attach()?;
        let mut boxes = Vec::new();
        for p in Prim::VALUES {
            let internal = p.box_name().replace('.', "/");
            let cstr =
                |s: String| std::ffi::CString::new(s).map_err(|e| Error::Internal(e.to_string()));
            let class = frame.find_class(&cstr(internal.clone())?)?;
            let d = p.code();
            let value_of =
                frame.static_method_id(&class, c"valueOf", &cstr(format!("({d})L{internal};"))?)?;
            let value = frame.method_id(
                &class,
                &cstr(format!("{}Value", p.name()))?,
                &cstr(format!("(){d}"))?,
            )?;
            boxes.push((class, value_of, value));
        }
        let array_list = frame.find_class(c"java/util/ArrayList")?;
        let array_list_new = frame.method_id(&array_list, c"<init>", c"(I)V")?;
        let array_list_add = frame.method_id(&array_list, c"add", c"(Ljava/lang/Object;)Z")?;
        Ok(CallIds {
            boxes,
            array_list,
            array_list_new,
            array_list_add,
        })
    }

    fn of_box(&self, p: Prim) -> &(JRef, MethodId, MethodId) {
        let i = Prim::VALUES.iter().position(|b| *b == p).unwrap_or(0);
        &self.boxes[i]
    }
}

/// The [`Value`] of each primitive's Rust type: one per type, so the call sites convert
/// generically.
trait IntoValue {
    fn into_value(self) -> Value;
}

macro_rules! into_value {
    ($($t:ty => $v:expr),* $(,)?) => {
        $(impl IntoValue for $t {
            fn into_value(self) -> Value {
                ($v)(self)
            }
        })*
    };
}

into_value! {
    u8 => |v: u8| Value::Bool(v != 0),
    i8 => Value::Byte,
    u16 => Value::Char,
    i16 => Value::Short,
    i32 => Value::Int,
    i64 => Value::Long,
    f32 => Value::Float,
    f64 => Value::Double,
}

/// Calls a static method (`on` a class) or an instance method (`on` an object) whose return type
/// is `ret`.
///
/// # Safety
/// `id` is a method of `on` (static when `statik`) returning `ret`, and `args` holds one value of
/// each parameter's type.
unsafe fn call_returning(
    env: RawEnv,
    ret: Option<Prim>,
    statik: bool,
    on: jobject,
    id: jni::sys::jmethodID,
    args: *const jvalue,
) -> Raw {
    // SAFETY: per the contract; the return type picks the function.
    unsafe {
        match (ret, statik) {
            (None, true) => Raw::Object(jcall!(env, CallStaticObjectMethodA, on, id, args)),
            (None, false) => Raw::Object(jcall!(env, CallObjectMethodA, on, id, args)),
            (Some(Prim::Void), true) => {
                jcall!(env, CallStaticVoidMethodA, on, id, args);
                Raw::Prim(Value::Void)
            }
            (Some(Prim::Void), false) => {
                jcall!(env, CallVoidMethodA, on, id, args);
                Raw::Prim(Value::Void)
            }
            (Some(p), true) => {
                Raw::Prim(with_prim!(p, T => T::call_static(env, on, id, args).into_value()))
            }
            (Some(p), false) => {
                Raw::Prim(with_prim!(p, T => T::call(env, on, id, args).into_value()))
            }
        }
    }
}

/// What a raw JNI call produced before conversion.
enum Raw {
    Prim(Value),
    Object(jobject),
}

impl Bridge {
    /// Calls a method (static, or virtual on `target`) or constructor (`target` ignored).
    ///
    /// Checked: each argument must be of its parameter's kind (the matching [`Arg`] variant for
    /// a primitive parameter; for a reference parameter an object, string, box, array or list
    /// that is an instance of the parameter's class, or null), and an instance method's target
    /// an instance of the declaring class. A mismatch is [`Error::TypeMismatch`], never a call.
    pub fn invoke(&self, m: &MethodInfo, target: Option<&JRef>, args: &[Arg]) -> Result<Value> {
        let env = self.raw_env()?;
        if !m.is_static && m.name != "<init>" {
            let Some(target) = target else {
                return Err(Error::InvalidArgument(format!(
                    "{} is an instance method and needs an object",
                    m.signature()
                )));
            };
            if target.as_raw().is_null()
                || !env.instance_of(target.as_raw(), m.declaring.raw_class())
            {
                return Err(Error::TypeMismatch(format!(
                    "the target of {} is not a {}",
                    m.signature(),
                    m.declaring.display()
                )));
            }
        }
        self.invoke_inner::<true>(env, m, target, args)
    }

    /// `m` bound to `target`, checked once: an instance method needs an instance of its
    /// declaring class; a static method or constructor takes no target. Calls through the
    /// bound method then check only their arguments ([`Bridge::call`]).
    pub fn bind<'m>(
        &self,
        m: &'m MethodInfo,
        target: Option<Arc<JRef>>,
    ) -> Result<BoundMethod<'m>> {
        let env = self.raw_env()?;
        let instance = !m.is_static && m.name != "<init>";
        match (&target, instance) {
            (Some(t), true) if env.instance_of(t.as_raw(), m.declaring.raw_class()) => {}
            (None, false) => {}
            (Some(_), true) => {
                return Err(Error::TypeMismatch(format!(
                    "the target of {} is not a {}",
                    m.signature(),
                    m.declaring.display()
                )));
            }
            (None, true) => {
                return Err(Error::InvalidArgument(format!(
                    "{} is an instance method and needs an object",
                    m.signature()
                )));
            }
            (Some(_), false) => {
                return Err(Error::InvalidArgument(format!(
                    "{} is static or a constructor and takes no object",
                    m.signature()
                )));
            }
        }
        Ok(BoundMethod { method: m, target })
    }

    /// Calls a bound method; each argument is checked against its parameter as in
    /// [`Bridge::invoke`], the target was checked by [`Bridge::bind`].
    pub fn call(&self, bound: &BoundMethod<'_>, args: &[Arg]) -> Result<Value> {
        let env = self.raw_env()?;
        self.invoke_inner::<true>(env, bound.method, bound.target.as_deref(), args)
    }

    /// [`Bridge::invoke`] without its argument and target checks: the hot path of a host whose
    /// overload resolution has already converted every argument to its parameter's type.
    ///
    /// # Safety
    /// Each argument must match its parameter as [`Bridge::invoke`] checks: the [`Arg`] variant
    /// of a primitive parameter's type, and for a reference parameter a value whose Java object
    /// is an instance of the parameter's class (or null). For an instance method, `target` must
    /// be an instance of the declaring class.
    pub unsafe fn invoke_unchecked(
        &self,
        m: &MethodInfo,
        target: Option<&JRef>,
        args: &[Arg],
    ) -> Result<Value> {
        let env = self.raw_env()?;
        self.invoke_inner::<false>(env, m, target, args)
    }

    /// The call itself; `CHECKED` adds the argument checks (a separate instantiation, so the
    /// unchecked hot path carries none of their code).
    fn invoke_inner<const CHECKED: bool>(
        &self,
        env: RawEnv,
        m: &MethodInfo,
        target: Option<&JRef>,
        args: &[Arg],
    ) -> Result<Value> {
        check_arity(m, args.len())?;
        let mut locals = Frame::new(env);
        let mut values = [jvalue { j: 0 }; 8];
        let mut spill = Vec::new();
        let jargs: &mut [jvalue] = if args.len() <= values.len() {
            &mut values[..args.len()]
        } else {
            spill.resize(args.len(), jvalue { j: 0 });
            &mut spill
        };
        for ((slot, arg), param) in jargs.iter_mut().zip(args).zip(&m.params) {
            *slot = self.arg_value(env, arg, &mut locals)?;
            if CHECKED {
                check_arg(env, arg, param, slot)?;
            }
        }
        // SAFETY: `jargs` holds one value per parameter, each converted from its argument (and
        // checked when CHECKED); the target was checked by `bind` or promised to
        // `invoke_unchecked`.
        let value = unsafe { self.call_values(env, m, target, jargs) };
        drop(locals);
        value
    }

    /// [`Bridge::invoke_unchecked`] for arguments already in their JNI form: a host whose
    /// overload's parameters are all primitive writes each argument straight into its `jvalue`,
    /// with no [`Arg`] to build, convert or drop, and no local reference to free.
    ///
    /// # Safety
    /// `values` holds one value per parameter of `m`, each written through the `jvalue` member
    /// of its parameter's primitive type (a reference parameter needs a live reference to an
    /// instance of its class, or null). For an instance method, `target` must be an instance of
    /// the declaring class.
    pub unsafe fn invoke_values_unchecked(
        &self,
        m: &MethodInfo,
        target: Option<&JRef>,
        values: &[jvalue],
    ) -> Result<Value> {
        check_arity(m, values.len())?;
        let env = self.raw_env()?;
        // SAFETY: the caller guarantees the values and the target; the count is checked above.
        unsafe { self.call_values(env, m, target, values) }
    }

    /// Calls `m` with `values` (one per parameter) and turns the result into a [`Value`].
    ///
    /// # Safety
    /// As [`Bridge::invoke_values_unchecked`], with `values.len() == m.params.len()`.
    unsafe fn call_values(
        &self,
        env: RawEnv,
        m: &MethodInfo,
        target: Option<&JRef>,
        values: &[jvalue],
    ) -> Result<Value> {
        let ptr = values.as_ptr();
        let id = m.id.raw();
        let raw = if m.name == "<init>" {
            let class = m.declaring.raw_class();
            // SAFETY: `id` is a constructor of `class` and `ptr` holds one value per parameter,
            // each converted to the parameter's type.
            Raw::Object(unsafe { jcall!(env, NewObjectA, class, id, ptr) })
        } else if m.is_static {
            let class = m.declaring.raw_class();
            // SAFETY: `id` is a static method declared by `class`, returning `m.ret`, and `ptr`
            // holds one converted value per parameter.
            unsafe { call_returning(env, m.ret.prim, true, class, id, ptr) }
        } else {
            let Some(target) = target else {
                return Err(Error::InvalidArgument(format!(
                    "{} is an instance method and needs an object",
                    m.signature()
                )));
            };
            // SAFETY: `target` is a live object of a class that has the instance method `id`
            // (checked by the caller: `invoke` or `bind`, or promised to `invoke_unchecked`),
            // returning `m.ret`, and `ptr` holds one converted value per parameter.
            unsafe { call_returning(env, m.ret.prim, false, target.as_raw(), id, ptr) }
        };
        self.finish_raw_hinted(env, raw, Some(&m.returned))
    }

    /// Turns a raw result into a [`Value`], taking a pending exception first.
    fn finish_raw(&self, env: RawEnv, raw: Raw) -> Result<Value> {
        self.finish_raw_hinted(env, raw, None)
    }

    /// [`Jvm::finish_raw`], trying `hint`'s class before the class cache.
    fn finish_raw_hinted(
        &self,
        env: RawEnv,
        raw: Raw,
        hint: Option<&OnceLock<Arc<ClassInfo>>>,
    ) -> Result<Value> {
        let frame = Frame::new(env);
        match raw {
            Raw::Prim(v) => frame.check().map(|()| v),
            Raw::Object(o) => {
                let o = frame.checked_result(o)?;
                self.object_value_hinted(env, o, hint)
            }
        }
    }

    /// Converts a local reference (consumed) into a [`Value`]: strings and boxes become values.
    pub(crate) fn object_value(&self, env: RawEnv, local: jobject) -> Result<Value> {
        self.object_value_hinted(env, local, None)
    }

    /// [`Jvm::object_value`], trying `hint`'s class before the class cache and filling an empty
    /// hint with the class found.
    fn object_value_hinted(
        &self,
        env: RawEnv,
        local: jobject,
        hint: Option<&OnceLock<Arc<ClassInfo>>>,
    ) -> Result<Value> {
        if local.is_null() {
            return Ok(Value::Null);
        }
        let mut locals = Frame::new(env);
        locals.keep(local);
        // SAFETY: `local` is a live, non-null local reference.
        let class = locals.keep(unsafe { jcall!(env, GetObjectClass, local) });
        let info = match hint.and_then(OnceLock::get) {
            Some(known) if env.same(known.class().as_raw(), class) => known.clone(),
            _ => {
                let info = self.classes.for_class(env, class)?;
                if let Some(hint) = hint {
                    let _ = hint.set(info.clone());
                }
                info
            }
        };
        if info.is_string {
            return Ok(Value::Str(read_string(env, local)));
        }
        if let Some(p) = info.unboxes_to {
            let (_, _, value_id) = self.calls.of_box(p);
            let none = std::ptr::null();
            // SAFETY: `local` is an instance of the box class of `p`, whose `xxxValue()` is
            // `value_id` with no parameters.
            let raw = unsafe { call_returning(env, Some(p), false, local, value_id.raw(), none) };
            locals.check()?;
            if let Raw::Prim(v) = raw {
                return Ok(v);
            }
        }
        Ok(Value::Object(JObj {
            obj: Arc::new(env.global(local)?),
            class: info,
        }))
    }

    /// The [`JObj`] of a global reference (a caught throwable, say).
    pub fn wrap_ref(&self, obj: &JRef) -> Result<JObj> {
        let env = self.raw_env()?;
        // SAFETY: `obj` is a live global reference; NewLocalRef makes a local one of this frame.
        let local = unsafe { jcall!(env, NewLocalRef, obj.as_raw()) };
        let mut locals = Frame::new(env);
        locals.keep(local);
        // SAFETY: `local` is a live, non-null local reference.
        let class = locals.keep(unsafe { jcall!(env, GetObjectClass, local) });
        let info = self.classes.for_class(env, class)?;
        Ok(JObj {
            obj: Arc::new(env.global(local)?),
            class: info,
        })
    }

    /// The [`JObj`] of a caught Java throwable.
    pub fn wrap_throwable(&self, t: &crate::jni::error::JavaThrowable) -> Result<JObj> {
        let env = self.raw_env()?;
        let global = env.global(t.throwable.as_raw())?;
        self.wrap_ref(&global)
    }

    /// The [`Error::Java`] that throws `obj` again as itself, e.g. when a Java exception passes
    /// through host code called back from Java. `InvalidArgument` if `obj` is not a throwable.
    pub fn rethrow(&self, obj: &JObj) -> Result<Error> {
        if !self
            .verified_class(obj)?
            .has(super::reflect::flags::THROWABLE)
        {
            return Err(Error::InvalidArgument(format!(
                "{} is not a java.lang.Throwable",
                obj.class.name()
            )));
        }
        let env = self.raw_env()?;
        Ok(crate::jni::exception::throwable_error(
            env,
            obj.obj.as_raw(),
        ))
    }

    /// Makes a Java value from an [`Arg`]: a new string, box, array or list (as a [`Value`]).
    pub fn make(&self, arg: &Arg) -> Result<Value> {
        let env = self.raw_env()?;
        let mut locals = Frame::new(env);
        let v = self.arg_value(env, arg, &mut locals)?;
        let is_object = matches!(
            arg,
            Arg::Null
                | Arg::Object(_)
                | Arg::Str(_)
                | Arg::Boxed(_)
                | Arg::PrimArray(..)
                | Arg::ObjArray(..)
                | Arg::List(_)
        );
        if !is_object {
            return Err(Error::Internal("make() takes object values".into()));
        }
        // SAFETY: `v.l` is the object member, as the variant check above shows.
        let obj = unsafe { v.l };
        if obj.is_null() {
            return Ok(Value::Null);
        }
        // SAFETY: `obj` is a live reference; the new local is consumed by `object_value`.
        let local = unsafe { jcall!(env, NewLocalRef, obj) };
        drop(locals);
        self.object_value(env, local)
    }

    /// A new local reference holding `arg` as a Java object (boxing primitives), which survives
    /// the call: the return value of a native method.
    pub(crate) fn local_object(&self, env: RawEnv, arg: &Arg) -> Result<jobject> {
        let mut locals = Frame::new(env);
        let v = match arg {
            Arg::Bool(_)
            | Arg::Byte(_)
            | Arg::Char(_)
            | Arg::Short(_)
            | Arg::Int(_)
            | Arg::Long(_)
            | Arg::Float(_)
            | Arg::Double(_) => {
                return Err(Error::Internal(
                    "a primitive must be boxed to become an object".into(),
                ));
            }
            _ => self.arg_value(env, arg, &mut locals)?,
        };
        // SAFETY: every remaining variant produced an object reference (`l`), live until
        // `locals` drops; NewLocalRef of null is null.
        let obj = unsafe { jcall!(env, NewLocalRef, v.l) };
        drop(locals);
        Ok(obj)
    }

    /// A new primitive array of `len` zeros.
    pub fn new_prim_array(&self, prim: Prim, len: usize) -> Result<Value> {
        self.make(&Arg::PrimArray(
            prim,
            Bytes::Owned(vec![0; len.saturating_mul(prim.size())]),
        ))
    }

    /// A new object array of `len` nulls, of element class `element`.
    pub fn new_object_array(&self, element: &ClassInfo, len: usize) -> Result<Value> {
        let env = self.raw_env()?;
        let len = jsize::try_from(len)
            .map_err(|_| Error::InvalidArgument(format!("array length {len} exceeds 2^31-1")))?;
        // SAFETY: `element` is a live class reference and `len` is non-negative.
        let array = unsafe {
            jcall!(
                env,
                NewObjectArray,
                len,
                element.class().as_raw(),
                std::ptr::null_mut()
            )
        };
        self.finish_raw(env, Raw::Object(array))
    }

    /// The JNI value of one argument; new objects are registered in `locals`.
    fn arg_value(&self, env: RawEnv, arg: &Arg, locals: &mut Frame) -> Result<jvalue> {
        Ok(match arg {
            Arg::Null => jvalue {
                l: std::ptr::null_mut(),
            },
            Arg::Bool(b) => jvalue { z: u8::from(*b) },
            Arg::Byte(v) => jvalue { b: *v },
            Arg::Char(v) => jvalue { c: *v },
            Arg::Short(v) => jvalue { s: *v },
            Arg::Int(v) => jvalue { i: *v },
            Arg::Long(v) => jvalue { j: *v },
            Arg::Float(v) => jvalue { f: *v },
            Arg::Double(v) => jvalue { d: *v },
            Arg::Object(r) => jvalue { l: r.as_raw() },
            Arg::Str(units) => jvalue {
                l: crate::jni::strings::new_string(locals, units)?,
            },
            Arg::Boxed(inner) => {
                let Some(prim) = arg_prim(inner) else {
                    return Err(Error::TypeMismatch(format!(
                        "only primitives can be boxed, not {}",
                        inner.kind_name()
                    )));
                };
                let value = self.arg_value(env, inner, locals)?;
                let (class, value_of, _) = self.calls.of_box(prim);
                let args = [value];
                // SAFETY: `value_of` is the static `valueOf(prim)` of `class`, given one value of
                // that primitive.
                let boxed = unsafe {
                    jcall!(
                        env,
                        CallStaticObjectMethodA,
                        class.as_raw(),
                        value_of.raw(),
                        args.as_ptr()
                    )
                };
                self.created(locals, boxed)?
            }
            Arg::PrimArray(prim, bytes) => {
                let bytes = bytes.as_slice();
                let array = self.prim_array(env, *prim, bytes)?;
                jvalue {
                    l: locals.keep(array),
                }
            }
            Arg::ObjArray(element, items) => {
                if element.raw_class().is_null() {
                    return Err(Error::TypeMismatch(format!(
                        "an object array cannot have elements of type {}",
                        element.display()
                    )));
                }
                let len = jsize::try_from(items.len())
                    .map_err(|_| Error::InvalidArgument("array too long for Java".into()))?;
                // SAFETY: `element` is a reference type, so its class reference is live.
                let array = unsafe {
                    jcall!(
                        env,
                        NewObjectArray,
                        len,
                        element.raw_class(),
                        std::ptr::null_mut()
                    )
                };
                let array = self.created(locals, array)?;
                for (i, item) in items.iter().enumerate() {
                    let mut inner = Frame::new(env);
                    let v = self.object_arg_value(env, item, &mut inner)?;
                    // SAFETY: `array` is a live object array of `len` elements, `i < len`, and
                    // the item was converted to the element type (`l` is its member).
                    unsafe { jcall!(env, SetObjectArrayElement, array.l, i as jsize, v.l) };
                    inner.check()?;
                }
                array
            }
            Arg::List(items) => {
                let cap = [jvalue {
                    i: jsize::try_from(items.len()).unwrap_or(jsize::MAX),
                }];
                // SAFETY: `array_list_new` is ArrayList(int), given one int.
                let list = unsafe {
                    jcall!(
                        env,
                        NewObjectA,
                        self.calls.array_list.as_raw(),
                        self.calls.array_list_new.raw(),
                        cap.as_ptr()
                    )
                };
                let list = self.created(locals, list)?;
                for item in items {
                    let mut inner = Frame::new(env);
                    let v = [self.object_arg_value(env, item, &mut inner)?];
                    // SAFETY: `list` is a live ArrayList and `array_list_add` its add(Object),
                    // given one object reference.
                    unsafe {
                        jcall!(
                            env,
                            CallBooleanMethodA,
                            list.l,
                            self.calls.array_list_add.raw(),
                            v.as_ptr()
                        )
                    };
                    inner.check()?;
                }
                list
            }
        })
    }

    /// [`Bridge::arg_value`] for a place that holds objects only (an array element, a list
    /// item): a primitive is refused, since only its box could go there.
    fn object_arg_value(&self, env: RawEnv, arg: &Arg, locals: &mut Frame) -> Result<jvalue> {
        if arg_prim(arg).is_some() {
            return Err(Error::TypeMismatch(format!(
                "{} is a primitive; box it (Arg::Boxed) to store it as an object",
                arg.kind_name()
            )));
        }
        self.arg_value(env, arg, locals)
    }

    /// Registers a newly created local reference, or reports why creation failed.
    fn created(&self, locals: &mut Frame, obj: jobject) -> Result<jvalue> {
        Ok(jvalue {
            l: locals.created(obj, "a Java argument")?,
        })
    }

    /// A new Java primitive array holding `bytes` (native order), as a local reference.
    fn prim_array(&self, env: RawEnv, prim: Prim, bytes: &[u8]) -> Result<jobject> {
        let size = prim.size().max(1);
        if bytes.len() % size != 0 {
            return Err(Error::InvalidArgument(format!(
                "{} bytes are not a whole number of {} values",
                bytes.len(),
                prim.name()
            )));
        }
        let len = jsize::try_from(bytes.len() / size).map_err(|_| {
            Error::InvalidArgument("array too long for Java (2^31-1 elements at most)".into())
        })?;
        if prim == Prim::Void {
            return Err(Error::InvalidArgument("no arrays of void".into()));
        }
        // SAFETY: `len` is non-negative; New<Type>Array returns a local reference or null with
        // an exception pending.
        let array = with_prim!(prim, T => unsafe { T::new_array(env, len) });
        let frame = Frame::new(env);
        let array = frame.checked_result(array)?;
        if array.is_null() {
            return Err(Error::Internal(format!(
                "creating a {} array returned null with no exception",
                prim.name()
            )));
        }
        if !bytes.is_empty() {
            // SAFETY: `array` is a live primitive array of element type `prim`, made above with
            // exactly `bytes.len() / size` elements; no other JNI call happens during the copy.
            let copied = unsafe {
                with_prim!(prim, T => unsafe_access::copy_bytes_to_java::<T>(env.raw(), array, bytes))
            };
            if let Err(e) = copied {
                env.delete_local(array);
                return Err(self.copy_error(env, e));
            }
        }
        Ok(array)
    }

    fn copy_error(&self, env: RawEnv, e: unsafe_access::ArrayCopyError) -> Error {
        match Frame::new(env).check() {
            Err(pending) => pending,
            Ok(()) => Error::InvalidArgument(e.to_string()),
        }
    }

    /// Reads a field of `target` (ignored for static fields), which must be an instance of the
    /// field's declaring class.
    pub fn get_field(&self, f: &FieldInfo, target: Option<&JRef>) -> Result<Value> {
        let env = self.raw_env()?;
        check_field_target(env, f, target)?;
        let id = f.id.raw();
        let (on, statik) = match target {
            _ if f.is_static => (f.declaring.raw_class(), true),
            Some(target) => (target.as_raw(), false),
            None => unreachable!("check_field_target refuses an instance field without a target"),
        };
        // SAFETY: `id` is a field of `on` (static: the declaring class; else an instance of it,
        // checked above), of type `f.ty`, which picks the function.
        let raw = unsafe {
            match (f.ty.prim, statik) {
                (None, true) => Raw::Object(jcall!(env, GetStaticObjectField, on, id)),
                (None, false) => Raw::Object(jcall!(env, GetObjectField, on, id)),
                (Some(Prim::Void), _) => Raw::Prim(Value::Void),
                (Some(p), true) => {
                    Raw::Prim(with_prim!(p, T => T::get_static_field(env, on, id).into_value()))
                }
                (Some(p), false) => {
                    Raw::Prim(with_prim!(p, T => T::get_field(env, on, id).into_value()))
                }
            }
        };
        self.finish_raw(env, raw)
    }

    /// Writes a field of `target` (ignored for static fields), which must be an instance of the
    /// field's declaring class; `value` must be of the field's kind, as for
    /// [`Bridge::invoke`]'s arguments. Final fields are refused.
    pub fn set_field(&self, f: &FieldInfo, target: Option<&JRef>, value: &Arg) -> Result<()> {
        if f.is_final {
            return Err(Error::InvalidArgument(format!(
                "{} is final and cannot be assigned",
                f.name
            )));
        }
        let env = self.raw_env()?;
        check_field_target(env, f, target)?;
        let mut locals = Frame::new(env);
        let v = self.arg_value(env, value, &mut locals)?;
        check_arg(env, value, &f.ty, &v)?;
        let id = f.id.raw();
        let (on, statik) = match target {
            _ if f.is_static => (f.declaring.raw_class(), true),
            Some(target) => (target.as_raw(), false),
            None => unreachable!("check_field_target refuses an instance field without a target"),
        };
        // SAFETY: `id` is a non-final field of `on` (as in `get_field`), and `v` was checked to
        // be of the field's type, whose member of the union is read.
        unsafe {
            match (f.ty.prim, statik) {
                (None, true) => jcall!(env, SetStaticObjectField, on, id, v.l),
                (None, false) => jcall!(env, SetObjectField, on, id, v.l),
                (Some(Prim::Void), _) => {}
                (Some(p), true) => {
                    with_prim!(p, T => T::set_static_field(env, on, id, T::from_jvalue(v)))
                }
                (Some(p), false) => {
                    with_prim!(p, T => T::set_field(env, on, id, T::from_jvalue(v)))
                }
            }
        }
        locals.check()
    }

    /// `IsInstanceOf`.
    pub fn is_instance(&self, obj: &JRef, class: &ClassInfo) -> Result<bool> {
        Ok(self
            .raw_env()?
            .instance_of(obj.as_raw(), class.class().as_raw()))
    }

    /// `IsSameObject`.
    pub fn same_object(&self, a: &JRef, b: &JRef) -> Result<bool> {
        Ok(self.raw_env()?.same(a.as_raw(), b.as_raw()))
    }

    /// Whether a value of class `from` can be passed where a `to` is expected.
    pub fn is_assignable(&self, from: &ClassInfo, to: &JType) -> Result<bool> {
        if to.prim.is_none() && to.name == "java.lang.Object" {
            return Ok(true);
        }
        Ok(match &to.class {
            Some(c) if Arc::ptr_eq(c, from.class()) => true,
            Some(c) => self
                .raw_env()?
                .assignable(from.class().as_raw(), c.as_raw()),
            None => false,
        })
    }

    /// A checked view of `obj` as a Java array: `obj.obj` must be an instance of `obj.class`,
    /// and that class an array class. The element type is then known for every later access.
    pub fn array(&self, obj: &JObj) -> Result<JArray> {
        let Some(component) = obj.class.component() else {
            return Err(Error::TypeMismatch(format!(
                "{} is not an array class",
                obj.class.name()
            )));
        };
        let env = self.raw_env()?;
        if !env.instance_of(obj.obj.as_raw(), obj.class.class().as_raw()) {
            return Err(Error::TypeMismatch(format!(
                "the object is not a {}",
                obj.class.ty.display()
            )));
        }
        Ok(JArray {
            obj: obj.obj.clone(),
            component: component.clone(),
        })
    }

    /// The length of a Java array.
    pub fn array_len(&self, array: &JArray) -> Result<usize> {
        let env = self.raw_env()?;
        // SAFETY: a JArray's object is a live array (checked in `Bridge::array`).
        let n = unsafe { jcall!(env, GetArrayLength, array.obj.as_raw()) };
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Element `index` of a Java array; an index out of bounds is Java's
    /// `ArrayIndexOutOfBoundsException`.
    pub fn array_get(&self, array: &JArray, index: usize) -> Result<Value> {
        let env = self.raw_env()?;
        let i = jsize::try_from(index)
            .map_err(|_| Error::InvalidArgument(format!("index {index} out of range")))?;
        let a = array.obj.as_raw();
        let raw = match array.component.prim {
            None => {
                // SAFETY: `a` is a live object array (JArray); Java checks the bounds.
                Raw::Object(unsafe { jcall!(env, GetObjectArrayElement, a, i) })
            }
            Some(Prim::Void) => Raw::Prim(Value::Void),
            Some(p) => {
                // SAFETY: `a` is a live primitive array of element type `p` (JArray), and Java
                // checks the bounds (throwing instead of copying).
                Raw::Prim(with_prim!(p, T => unsafe { T::get_element(env, a, i) }.into_value()))
            }
        };
        self.finish_raw(env, raw)
    }

    /// Stores `value` at `index` of a Java array; `value` must be of the element type's kind,
    /// as for [`Bridge::invoke`]'s arguments.
    pub fn array_set(&self, array: &JArray, index: usize, value: &Arg) -> Result<()> {
        let env = self.raw_env()?;
        let i = jsize::try_from(index)
            .map_err(|_| Error::InvalidArgument(format!("index {index} out of range")))?;
        let mut locals = Frame::new(env);
        let v = self.arg_value(env, value, &mut locals)?;
        check_arg(env, value, &array.component, &v)?;
        let a = array.obj.as_raw();
        // SAFETY: `a` is a live array of element type `component` (JArray), `v` was checked to
        // be of that type (its matching union member is read), and Java checks the bounds.
        unsafe {
            match array.component.prim {
                None => jcall!(env, SetObjectArrayElement, a, i, v.l),
                Some(Prim::Void) => {}
                Some(p) => with_prim!(p, T => T::set_element(env, a, i, T::from_jvalue(v))),
            }
        }
        locals.check()
    }

    /// Copies a whole Java primitive array into `dst` (native order) through a JNI critical
    /// region: one `memcpy`, never element by element. `dst` must hold exactly the array's
    /// bytes, and the array must be of a primitive element type.
    pub fn array_copy_out(&self, array: &JArray, dst: &mut [u8]) -> Result<()> {
        let Some(prim) = array.component.prim.filter(|p| *p != Prim::Void) else {
            return Err(Error::TypeMismatch(format!(
                "{}[] is not a primitive array",
                array.component.display()
            )));
        };
        let env = self.raw_env()?;
        // SAFETY: `array` is a live primitive array of element type `prim` (JArray), and no
        // JNI or host call happens inside the copy's critical region; the copy checks that
        // `dst` holds exactly the array's bytes.
        let copied = unsafe {
            with_prim!(prim, T => unsafe_access::copy_bytes_from_java::<T>(env.raw(), array.obj.as_raw(), dst))
        };
        copied.map_err(|e| self.copy_error(env, e))
    }

    /// Checks that `obj.obj` is an instance of `obj.class` (a [`JObj`]'s fields are public, so
    /// a caller could pair an object with another class) and returns the class.
    pub(crate) fn verified_class<'o>(&self, obj: &'o JObj) -> Result<&'o ClassInfo> {
        let env = self.raw_env()?;
        if env.instance_of(obj.obj.as_raw(), obj.class.class().as_raw()) {
            Ok(&obj.class)
        } else {
            Err(Error::TypeMismatch(format!(
                "the object is not a {}",
                obj.class.name()
            )))
        }
    }
}

/// A method with its target, checked once by [`Bridge::bind`]: calls through it check only
/// their arguments.
#[derive(Debug, Clone)]
pub struct BoundMethod<'m> {
    method: &'m MethodInfo,
    target: Option<Arc<JRef>>,
}

impl BoundMethod<'_> {
    /// The method.
    pub fn method(&self) -> &MethodInfo {
        self.method
    }
}

/// A Java array whose element type is known: made by [`Bridge::array`], which checks the
/// object's class once, so element access needs no check.
#[derive(Debug, Clone)]
pub struct JArray {
    obj: Arc<JRef>,
    component: Arc<JType>,
}

impl JArray {
    /// The array object.
    pub fn obj(&self) -> &Arc<JRef> {
        &self.obj
    }

    /// The element type.
    pub fn component(&self) -> &Arc<JType> {
        &self.component
    }
}

/// Checks that `target` can carry the field `f`: an instance of the declaring class for an
/// instance field (static fields ignore it).
fn check_field_target(env: RawEnv, f: &FieldInfo, target: Option<&JRef>) -> Result<()> {
    if f.is_static {
        return Ok(());
    }
    let Some(target) = target else {
        return Err(Error::InvalidArgument(format!(
            "{} is an instance field and needs an object",
            f.name
        )));
    };
    if env.instance_of(target.as_raw(), f.declaring.raw_class()) && !target.as_raw().is_null() {
        Ok(())
    } else {
        Err(Error::TypeMismatch(format!(
            "the object has no field {} of {}",
            f.name,
            f.declaring.display()
        )))
    }
}

/// The primitive an [`Arg`] variant carries, `None` for object values.
fn arg_prim(arg: &Arg) -> Option<Prim> {
    Some(match arg {
        Arg::Bool(_) => Prim::Boolean,
        Arg::Byte(_) => Prim::Byte,
        Arg::Char(_) => Prim::Char,
        Arg::Short(_) => Prim::Short,
        Arg::Int(_) => Prim::Int,
        Arg::Long(_) => Prim::Long,
        Arg::Float(_) => Prim::Float,
        Arg::Double(_) => Prim::Double,
        _ => return None,
    })
}

/// Checks a converted argument against its parameter type: the same primitive, or an object
/// (null included) that is an instance of the parameter's class. `v` is what `arg` became.
fn check_arg(env: RawEnv, arg: &Arg, param: &JType, v: &jvalue) -> Result<()> {
    let ok = match (arg_prim(arg), param.prim) {
        (Some(a), Some(p)) => a == p,
        (None, None) => {
            // SAFETY: every object variant of `Arg` converts to the object member `l`.
            let obj = unsafe { v.l };
            let class = param.raw_class();
            obj.is_null() || (!class.is_null() && env.instance_of(obj, class))
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::TypeMismatch(format!(
            "{} cannot be passed as {}",
            arg.kind_name(),
            param.display()
        )))
    }
}

/// A `TypeMismatch` unless `m` takes `given` arguments.
fn check_arity(m: &MethodInfo, given: usize) -> Result<()> {
    if given == m.params.len() {
        return Ok(());
    }
    Err(Error::TypeMismatch(format!(
        "{} takes {} arguments, {} were given",
        m.signature(),
        m.params.len(),
        given
    )))
}
