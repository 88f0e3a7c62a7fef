//! Overload resolution's cache: the overload chosen for each kind of arguments, per method
//! group. Its own module so that the class descriptions ([`super::reflect`]), which hold one
//! cache per method group, and resolution ([`super::overload`]), which fills it, both use it and
//! neither uses the other for it.

use std::sync::OnceLock;

/// The chosen overload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    /// Index into [`MethodGroup::overloads`](super::reflect::MethodGroup::overloads).
    pub index: usize,
    /// The trailing arguments are spread over the varargs parameter.
    pub spread: bool,
}

/// Up to this many arguments take part in the resolution cache.
pub const KEY_ARGS: usize = 6;

/// A cache key describing the arguments' kinds as precisely as resolution depends on them.
/// The binding layer builds it (type identity, integer range class, Java class identity, ...).
#[derive(Debug, Clone, Copy, Eq)]
pub struct CallKey {
    /// One tag per argument.
    pub tags: [usize; KEY_ARGS],
    /// Number of arguments.
    pub len: u8,
    /// The [`Mode`](super::overload::Mode).
    pub mode: u8,
}

/// Compared field by field: the derived comparison of the tag array calls `bcmp`, about 6 ns of
/// every cached call (`perf`, `docs/performance.md`).
impl PartialEq for CallKey {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len
            && self.mode == other.mode
            && self.tags.iter().zip(&other.tags).all(|(a, b)| a == b)
    }
}

/// Resolution results of one method group, by [`CallKey`].
///
/// Every call of an overloaded method looks here, so a hit takes no lock: slots are filled once
/// and never change, and a reader only loads each filled slot's pointer. A writer that loses
/// the race for a slot tries the next one; when all are taken, results are simply not cached.
#[derive(Debug, Default)]
pub struct CallCache([OnceLock<(CallKey, Resolved)>; CACHE_SLOTS]);

const CACHE_SLOTS: usize = 32;

impl CallCache {
    pub(super) fn get(&self, key: &CallKey) -> Option<Resolved> {
        for slot in &self.0 {
            match slot.get() {
                Some((k, r)) if k == key => return Some(*r),
                Some(_) => {}
                // Slots fill in order, so the first empty one ends the filled ones.
                None => return None,
            }
        }
        None
    }

    pub(super) fn put(&self, key: CallKey, r: Resolved) {
        for slot in &self.0 {
            match slot.get() {
                Some((k, _)) if *k == key => return,
                Some(_) => {}
                None => {
                    if slot.set((key, r)).is_ok() {
                        return;
                    }
                    // Another thread filled it first; it may have cached this very key.
                    if slot.get().is_some_and(|(k, _)| *k == key) {
                        return;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn key(tag: usize) -> CallKey {
        CallKey {
            tags: [tag, 0, 0, 0, 0, 0],
            len: 1,
            mode: 0,
        }
    }

    #[test]
    fn the_call_cache_keeps_the_first_results_and_finds_each() {
        let cache = CallCache::default();
        for tag in 0..CACHE_SLOTS + 8 {
            let r = Resolved {
                index: tag,
                spread: tag % 2 == 1,
            };
            cache.put(key(tag), r);
            cache.put(key(tag), r);
        }
        for tag in 0..CACHE_SLOTS {
            let r = cache.get(&key(tag)).expect("cached");
            assert_eq!((r.index, r.spread), (tag, tag % 2 == 1));
        }
        // Full: later keys are resolved every time, never confused with cached ones.
        assert_eq!(cache.get(&key(CACHE_SLOTS)), None);
    }

    #[test]
    fn threads_filling_the_call_cache_lose_nothing_they_cached() {
        let cache = Arc::new(CallCache::default());
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let cache = cache.clone();
                std::thread::spawn(move || {
                    for tag in (0..CACHE_SLOTS / 2).map(|i| i * 2 + t % 2) {
                        cache.put(
                            key(tag),
                            Resolved {
                                index: tag,
                                spread: false,
                            },
                        );
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        for tag in 0..CACHE_SLOTS {
            assert_eq!(cache.get(&key(tag)).map(|r| r.index), Some(tag));
        }
    }
}
