//! How much of the calling thread's native stack is left.
//!
//! Python → Java → Python → … recursion nests interpreter, JNI and Java frames on one native
//! stack. Hosts check [`left`] before each call into Java and refuse to go deeper when it is
//! short ([`Error::TooDeep`](crate::Error::TooDeep)), so the chain ends with a clear error
//! instead of a `StackOverflowError` that leaves no stack to describe itself.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Stack a call into Java should find free: room for one more level of interpreter, JNI and Java
/// frames (about 45 KiB were measured per Python → Java → Python level), describing an exception,
/// and HotSpot's own guard zones.
pub const MARGIN: usize = 256 * 1024;

/// HotSpot's default thread stack size on 64-bit Linux (`-Xss1m`).
const JAVA_DEFAULT_STACK: usize = 1024 * 1024;

/// The Java stack size in effect (`-Xss`), 0 until the JVM's options are known.
static JAVA_STACK: AtomicUsize = AtomicUsize::new(0);

/// Records the JVM's options: HotSpot treats the process's first thread as having only `-Xss`
/// of stack (1 MiB by default), however large its real stack is, and throws
/// `StackOverflowError` beyond that.
pub(crate) fn note_jvm_options<'a>(options: impl IntoIterator<Item = &'a str>) {
    let mut size = JAVA_DEFAULT_STACK;
    for option in options {
        let parsed = if let Some(v) = option.strip_prefix("-Xss") {
            parse_size(v, 1)
        } else if let Some(v) = option.strip_prefix("-XX:ThreadStackSize=") {
            parse_size(v, 1024)
        } else {
            continue;
        };
        if let Some(v) = parsed.filter(|&v| v > 0) {
            size = v;
        }
    }
    JAVA_STACK.store(size, Ordering::Relaxed);
}

/// `512k`, `2m`, `1g` or plain digits times `unit`, as HotSpot reads sizes.
fn parse_size(text: &str, unit: u64) -> Option<usize> {
    super::options::parse_size_in(text, unit).and_then(|v| usize::try_from(v).ok())
}

thread_local! {
    /// This thread's stack as (lowest address, size), or (0, 0) when unknown; found once.
    static BOUNDS: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
    static IS_FIRST: bool = super::platform::is_first_thread();
}

/// Whether the calling thread is the process's first thread (Python's main thread, usually).
pub(crate) fn on_first_thread() -> bool {
    IS_FIRST.with(|f| *f)
}

fn stack_low() -> usize {
    let (low, size) = bounds();
    let java = JAVA_STACK.load(Ordering::Relaxed);
    if low == 0 || java == 0 || java >= size || !on_first_thread() {
        return low;
    }
    low + (size - java)
}

fn bounds() -> (usize, usize) {
    BOUNDS.with(|bounds| {
        if let Some(v) = bounds.get() {
            return v;
        }
        let v = super::platform::stack_bounds().unwrap_or((0, 0));
        bounds.set(Some(v));
        v
    })
}

/// Bytes of native stack between the caller's frame and the end of the thread's stack, or
/// `None` when the thread's stack bounds are unknown.
pub fn left() -> Option<usize> {
    let low = stack_low();
    if low == 0 {
        return None;
    }
    let here = 0u8;
    (&here as *const u8 as usize).checked_sub(low)
}

/// Whether a call into Java from here should be refused for want of stack ([`MARGIN`]).
pub fn too_deep() -> bool {
    left().is_some_and(|n| n < MARGIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512k", 1), Some(512 * 1024));
        assert_eq!(parse_size("2M", 1), Some(2 * 1024 * 1024));
        assert_eq!(parse_size("1024", 1024), Some(1024 * 1024));
        assert_eq!(parse_size("x", 1), None);
        assert_eq!(parse_size("99999999999999999g", 1), None);
    }

    #[test]
    fn a_thread_knows_its_stack() {
        let left = std::thread::Builder::new()
            .stack_size(4 << 20)
            .spawn(|| left().unwrap())
            .unwrap()
            .join()
            .unwrap();
        assert!(left > (3 << 20) && left <= (4 << 20) + 65536, "{left}");
    }
}
