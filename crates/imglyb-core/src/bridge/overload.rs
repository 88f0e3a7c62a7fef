//! Overload resolution, as javac would choose, for values that come from a dynamic language.
//!
//! A binding layer describes each argument as an [`ArgKind`]. Every overload is rated per
//! argument with a [`Level`]: exact, widening, boxing, and (for a spread varargs call) varargs.
//! The overloads whose worst level is lowest compete; among them the most specific wins:
//! - reference parameters: the subtype beats the supertype (`RandomAccessibleInterval` beats
//!   `RandomAccessible`);
//! - primitive parameters: the *widest* wins (`long` beats `int`, `double` beats `float`), since a
//!   Python `int` or `float` carries no Java width of its own;
//! - a primitive beats a reference at the same level.
//!
//! No winner is an ambiguity; no candidate is a mismatch. Both errors list the candidates.
//! Results are cached per argument key ([`CallKey`]), so a call site resolves once.

use std::fmt::Write as _;
use std::sync::RwLock;

use super::reflect::{ClassInfo, JType, MethodGroup, MethodInfo, box_flag, flags};
use crate::error::{Error, Result};
use crate::jni::{Prim, RawEnv};

/// How well an argument fits a parameter; lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The value's own Java type (a Python `int` for `long`, `int`, `short`, `byte` when in range).
    Exact,
    /// A widening conversion (`int` to `double`, a subclass to its superclass, a sequence to an
    /// array or `List`).
    Widening,
    /// Boxing (`int` to `Integer`, `Object`, `Number`).
    Boxing,
    /// The arguments are spread over a varargs parameter.
    Varargs,
}

/// What the binding layer knows about one argument value.
#[derive(Debug)]
pub enum ArgKind<'a> {
    /// `None` / null.
    Null,
    /// A boolean.
    Bool,
    /// An integer; `None` when it does not fit 64 bits.
    Int(Option<i64>),
    /// A floating-point number.
    Float(f64),
    /// A string; `len1` when it is one UTF-16 code unit long (so it can be a `char`).
    Str {
        /// One UTF-16 unit long.
        len1: bool,
    },
    /// A Java object of this runtime class.
    Object(&'a ClassInfo),
    /// A sequence of values (a Python list or tuple).
    Seq(Vec<ArgKind<'a>>),
    /// An N-d array of numbers (NumPy).
    NdArray {
        /// The Java primitive of its dtype when it is one-dimensional and has one, else `None`.
        prim: Option<Prim>,
        /// Whether it can be wrapped zero-copy as an ImgLib2 image.
        img: bool,
    },
}

impl ArgKind<'_> {
    /// A short description for error messages.
    pub fn describe(&self) -> String {
        match self {
            ArgKind::Null => "None".into(),
            ArgKind::Bool => "bool".into(),
            ArgKind::Int(Some(v)) => format!("int {v}"),
            ArgKind::Int(None) => "int beyond 64 bits".into(),
            ArgKind::Float(_) => "float".into(),
            ArgKind::Str { .. } => "str".into(),
            ArgKind::Object(c) => c.name().to_owned(),
            ArgKind::Seq(items) => {
                let inner: Vec<String> = items.iter().take(4).map(|a| a.describe()).collect();
                let more = if items.len() > 4 { ", ..." } else { "" };
                format!("list [{}{more}]", inner.join(", "))
            }
            ArgKind::NdArray { prim: Some(p), .. } => format!("1-d numpy array of {}", p.name()),
            ArgKind::NdArray { prim: None, .. } => "numpy array".into(),
        }
    }
}

fn fits(v: i64, p: Prim) -> bool {
    match p {
        Prim::Byte => i8::try_from(v).is_ok(),
        Prim::Short => i16::try_from(v).is_ok(),
        Prim::Int => i32::try_from(v).is_ok(),
        Prim::Long | Prim::Float | Prim::Double => true,
        Prim::Boolean | Prim::Char | Prim::Void => false,
    }
}

/// Whether a finite double is within float's range (infinities and NaN convert as such).
pub fn fits_f32(x: f64) -> bool {
    !x.is_finite() || x.abs() <= f64::from(f32::MAX)
}

/// The box a Python int becomes for a reference parameter: `Integer` when it fits and is
/// accepted, else `Long`, else `Short` or `Byte`.
pub fn int_box(v: i64, param_flags: u32) -> Option<Prim> {
    [Prim::Int, Prim::Long, Prim::Short, Prim::Byte]
        .into_iter()
        .find(|p| param_flags & box_flag(*p) != 0 && fits(v, *p))
}

/// The box a Python float becomes: `Double`, or `Float` when only that is accepted.
pub fn float_box(x: f64, param_flags: u32) -> Option<Prim> {
    if param_flags & flags::DOUBLE != 0 {
        Some(Prim::Double)
    } else if param_flags & flags::FLOAT != 0 && fits_f32(x) {
        Some(Prim::Float)
    } else {
        None
    }
}

/// How well `arg` fits a parameter of type `ty`, or `None` when it cannot be passed.
pub fn level(env: RawEnv, arg: &ArgKind, ty: &JType) -> Option<Level> {
    use Level::*;
    match (arg, ty.prim) {
        (ArgKind::Null, None) => Some(Exact),
        (ArgKind::Null, Some(_)) => None,
        (ArgKind::Bool, Some(Prim::Boolean)) => Some(Exact),
        (ArgKind::Bool, None) => (ty.flags & flags::BOOLEAN != 0).then_some(Boxing),
        (ArgKind::Int(Some(v)), Some(p)) => match p {
            Prim::Long | Prim::Int | Prim::Short | Prim::Byte => fits(*v, p).then_some(Exact),
            Prim::Float | Prim::Double => Some(Widening),
            _ => None,
        },
        (ArgKind::Int(Some(v)), None) => int_box(*v, ty.flags).map(|_| Boxing),
        (ArgKind::Float(_), Some(Prim::Double)) => Some(Exact),
        (ArgKind::Float(x), Some(Prim::Float)) => fits_f32(*x).then_some(Exact),
        (ArgKind::Float(x), None) => float_box(*x, ty.flags).map(|_| Boxing),
        (ArgKind::Str { len1 }, None) => {
            if ty.flags & flags::STRING != 0 {
                Some(if ty.name == "java.lang.String" {
                    Exact
                } else {
                    Widening
                })
            } else {
                (*len1 && ty.flags & flags::CHAR != 0).then_some(Boxing)
            }
        }
        (ArgKind::Str { len1: true }, Some(Prim::Char)) => Some(Widening),
        (ArgKind::Object(c), None) => {
            if c.ty.name == ty.name && env.same(c.class().as_raw(), ty.raw_class()) {
                Some(Exact)
            } else {
                env.assignable(c.class().as_raw(), ty.raw_class())
                    .then_some(Widening)
            }
        }
        (ArgKind::Object(c), Some(p)) => (c.unboxes_to == Some(p)).then_some(Boxing),
        (ArgKind::Seq(items), None) => {
            if let Some(component) = &ty.component {
                items
                    .iter()
                    .map(|item| level(env, item, component))
                    .try_fold(Widening, |worst, l| l.map(|l| worst.max(l)))
            } else if ty.flags & flags::LIST != 0 {
                let level = if ty.name == "java.lang.Object" {
                    Boxing
                } else {
                    Widening
                };
                items.iter().all(object_convertible).then_some(level)
            } else {
                None
            }
        }
        (ArgKind::NdArray { prim, img }, None) => {
            let array_match =
                matches!((prim, &ty.component), (Some(p), Some(c)) if c.prim == Some(*p));
            if array_match {
                Some(Exact)
            } else {
                (*img && ty.flags & flags::IMG != 0).then_some(Widening)
            }
        }
        _ => None,
    }
}

/// Whether a value can become a `java.lang.Object` (inside a `List`, say).
pub fn object_convertible(arg: &ArgKind) -> bool {
    match arg {
        ArgKind::Int(v) => v.is_some(),
        ArgKind::Seq(items) => items.iter().all(object_convertible),
        ArgKind::NdArray { .. } => false,
        _ => true,
    }
}

/// Which overloads a call may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Through an instance: every overload.
    Any = 0,
    /// Through the class: static methods.
    Static = 1,
    /// Through the class with the instance as first argument: instance methods.
    Instance = 2,
}

impl Mode {
    /// Whether a method of this kind may be called in this mode.
    pub fn admits(self, m: &MethodInfo) -> bool {
        match self {
            Mode::Any => true,
            Mode::Static => m.is_static,
            Mode::Instance => !m.is_static,
        }
    }
}

/// The chosen overload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    /// Index into [`MethodGroup::overloads`].
    pub index: usize,
    /// The trailing arguments are spread over the varargs parameter.
    pub spread: bool,
}

/// Up to this many arguments take part in the resolution cache.
pub const KEY_ARGS: usize = 6;

/// A cache key describing the arguments' kinds as precisely as resolution depends on them.
/// The binding layer builds it (type identity, integer range class, Java class identity, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallKey {
    /// One tag per argument.
    pub tags: [usize; KEY_ARGS],
    /// Number of arguments.
    pub len: u8,
    /// The [`Mode`].
    pub mode: u8,
}

/// Resolution results of one method group, by [`CallKey`].
#[derive(Debug, Default)]
pub struct CallCache(RwLock<Vec<(CallKey, Resolved)>>);

const CACHE_SLOTS: usize = 32;

impl CallCache {
    fn get(&self, key: &CallKey) -> Option<Resolved> {
        let entries = self.0.read().ok()?;
        entries.iter().find(|(k, _)| k == key).map(|(_, r)| *r)
    }

    fn put(&self, key: CallKey, r: Resolved) {
        if let Ok(mut entries) = self.0.write()
            && entries.len() < CACHE_SLOTS
            && !entries.iter().any(|(k, _)| *k == key)
        {
            entries.push((key, r));
        }
    }
}

struct Rated<'m> {
    index: usize,
    phase: Level,
    spread: bool,
    /// Per argument: its level and the parameter type it is passed as.
    args: Vec<(Level, &'m JType)>,
}

fn rate<'m>(env: RawEnv, index: usize, m: &'m MethodInfo, args: &[ArgKind]) -> Option<Rated<'m>> {
    let n = m.params.len();
    if args.len() == n {
        let rated: Option<Vec<_>> = args
            .iter()
            .zip(&m.params)
            .map(|(a, p)| level(env, a, p).map(|l| (l, &**p)))
            .collect();
        if let Some(rated) = rated {
            let phase = rated.iter().map(|r| r.0).max().unwrap_or(Level::Exact);
            return Some(Rated {
                index,
                phase,
                spread: false,
                args: rated,
            });
        }
    }
    if m.varargs && args.len() + 1 >= n {
        let component = m.params[n - 1].component.as_deref()?;
        let rated: Option<Vec<_>> = args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let p: &JType = if i + 1 < n { &m.params[i] } else { component };
                level(env, a, p).map(|l| (l, p))
            })
            .collect();
        return rated.map(|args| Rated {
            index,
            phase: Level::Varargs,
            spread: true,
            args,
        });
    }
    None
}

#[derive(PartialEq)]
enum Cmp {
    Better,
    Same,
    Worse,
    Unrelated,
}

fn compare_types(env: RawEnv, a: &JType, b: &JType) -> Cmp {
    if a.name == b.name {
        return Cmp::Same;
    }
    match (a.prim, b.prim) {
        (Some(pa), Some(pb)) => match pa.width_rank().cmp(&pb.width_rank()) {
            std::cmp::Ordering::Greater => Cmp::Better,
            std::cmp::Ordering::Less => Cmp::Worse,
            std::cmp::Ordering::Equal => Cmp::Unrelated,
        },
        (Some(_), None) => Cmp::Better,
        (None, Some(_)) => Cmp::Worse,
        (None, None) => {
            // Primitive arrays filled from a Python sequence: the wider element wins, as for
            // single values.
            if let (Some(ca), Some(cb)) = (&a.component, &b.component)
                && ca.prim.is_some()
                && cb.prim.is_some()
            {
                return compare_types(env, ca, cb);
            }
            if env.assignable(a.raw_class(), b.raw_class()) {
                Cmp::Better
            } else if env.assignable(b.raw_class(), a.raw_class()) {
                Cmp::Worse
            } else {
                Cmp::Unrelated
            }
        }
    }
}

/// Whether `a` is at least as good as `b` for every argument.
fn dominates(env: RawEnv, a: &Rated, b: &Rated) -> bool {
    a.args.iter().zip(&b.args).all(|((la, ta), (lb, tb))| {
        la < lb || (la == lb && matches!(compare_types(env, ta, tb), Cmp::Better | Cmp::Same))
    })
}

/// The cached resolution for `key`, without classifying the arguments.
pub fn cached(group: &MethodGroup, key: &CallKey) -> Option<Resolved> {
    group.cache.get(key)
}

/// The one overload a call with `arity` arguments in `mode` can reach without resolution: the
/// group has exactly one method, it is not varargs, it takes `arity` parameters and the mode
/// admits it. Converting the arguments to its parameter types is then the whole check.
pub fn sole(group: &MethodGroup, mode: Mode, arity: usize) -> Option<&MethodInfo> {
    match group.overloads.as_slice() {
        [m] if !m.varargs && m.params.len() == arity && mode.admits(m) => Some(m),
        _ => None,
    }
}

/// Chooses the overload of `group` for `args`, through the cache when a key is given.
pub fn resolve(
    env: RawEnv,
    owner: &str,
    group: &MethodGroup,
    mode: Mode,
    args: &[ArgKind],
    key: Option<CallKey>,
) -> Result<Resolved> {
    if let Some(key) = key
        && let Some(r) = group.cache.get(&key)
    {
        return Ok(r);
    }
    let rated: Vec<Rated> = group
        .overloads
        .iter()
        .enumerate()
        .filter(|(_, m)| mode.admits(m))
        .filter_map(|(index, m)| rate(env, index, m, args))
        .collect();
    let Some(best_phase) = rated.iter().map(|r| r.phase).min() else {
        return Err(mismatch(owner, group, mode, args, "no overload accepts"));
    };
    let contenders: Vec<&Rated> = rated.iter().filter(|r| r.phase == best_phase).collect();
    let winner = contenders.iter().find(|a| {
        contenders
            .iter()
            .all(|b| a.index == b.index || dominates(env, a, b))
    });
    let Some(winner) = winner else {
        let mut text = format!(
            "ambiguous call {owner}.{}({}); these overloads fit equally well:",
            display_name(group),
            arg_list(args)
        );
        for r in &contenders {
            let _ = write!(text, "\n  {}", group.overloads[r.index].signature());
        }
        return Err(Error::TypeMismatch(text));
    };
    let r = Resolved {
        index: winner.index,
        spread: winner.spread,
    };
    if let Some(key) = key {
        group.cache.put(key, r);
    }
    Ok(r)
}

fn display_name(group: &MethodGroup) -> &str {
    if group.name == "<init>" {
        "<constructor>"
    } else {
        &group.name
    }
}

fn arg_list(args: &[ArgKind]) -> String {
    args.iter()
        .map(ArgKind::describe)
        .collect::<Vec<_>>()
        .join(", ")
}

fn mismatch(owner: &str, group: &MethodGroup, mode: Mode, args: &[ArgKind], why: &str) -> Error {
    let mut text = format!(
        "{why} {owner}.{}({}); the candidates are:",
        display_name(group),
        arg_list(args)
    );
    for m in &group.overloads {
        let note = if mode.admits(m) {
            ""
        } else if m.is_static {
            "  (static: call it on the class)"
        } else {
            "  (instance method: call it on an object, or on the class with the object first)"
        };
        let _ = write!(text, "\n  {}{note}", m.signature());
    }
    if args.iter().any(|a| {
        matches!(a, ArgKind::Int(None))
            || matches!(a, ArgKind::Int(Some(v)) if i32::try_from(*v).is_err())
    }) {
        text.push_str("\n(an int argument is out of range for some of these parameter types; Java integers are never truncated)");
    }
    Error::TypeMismatch(text)
}
