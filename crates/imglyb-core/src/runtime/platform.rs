//! The operating-system calls the runtime needs that differ between Linux and macOS, in one
//! place: which thread is the process's first, where a thread's stack lies, and a non-blocking
//! close-on-exec pipe. Everything else in the runtime uses POSIX calls both systems share.
//!
//! On any other Unix the answers are "unknown" (no stack bounds, not the first thread), which
//! the callers treat as their cautious case.

use std::os::raw::c_int;

/// Whether the calling thread is the process's first thread (Python's main thread, usually).
#[cfg(target_os = "linux")]
pub(crate) fn is_first_thread() -> bool {
    // SAFETY: getpid and the gettid syscall have no preconditions.
    unsafe { libc::syscall(libc::SYS_gettid) == libc::c_long::from(libc::getpid()) }
}

/// Whether the calling thread is the process's first thread (Python's main thread, usually).
#[cfg(target_os = "macos")]
pub(crate) fn is_first_thread() -> bool {
    // SAFETY: pthread_main_np has no preconditions.
    unsafe { libc::pthread_main_np() != 0 }
}

/// Whether the calling thread is the process's first thread: unknown here, so no.
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub(crate) fn is_first_thread() -> bool {
    false
}

/// The calling thread's stack as (lowest address, size in bytes), or `None` when unknown.
#[cfg(target_os = "linux")]
pub(crate) fn stack_bounds() -> Option<(usize, usize)> {
    // SAFETY: the attribute object is initialised by pthread_getattr_np before it is read, and
    // destroyed once; the out-pointers are live locals.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let ok = libc::pthread_attr_getstack(&attr, &mut addr, &mut size) == 0;
        libc::pthread_attr_destroy(&mut attr);
        ok.then_some((addr as usize, size))
    }
}

/// The calling thread's stack as (lowest address, size in bytes), or `None` when unknown.
#[cfg(target_os = "macos")]
pub(crate) fn stack_bounds() -> Option<(usize, usize)> {
    // SAFETY: both calls take the calling thread's own handle, which is valid while it runs.
    let (top, size) = unsafe {
        let me = libc::pthread_self();
        (
            libc::pthread_get_stackaddr_np(me) as usize,
            libc::pthread_get_stacksize_np(me),
        )
    };
    // macOS gives the stack's top (it grows down) and its size.
    (top != 0 && size != 0 && size <= top).then(|| (top - size, size))
}

/// The calling thread's stack: unknown here.
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub(crate) fn stack_bounds() -> Option<(usize, usize)> {
    None
}

/// A pipe whose two ends are non-blocking and closed on exec, as `[read, write]`.
pub(crate) fn nonblocking_pipe() -> Option<[c_int; 2]> {
    let mut fds: [c_int; 2] = [0; 2];
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `fds` has room for the two descriptors pipe2 writes.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0 {
            return None;
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        // No pipe2: the flags are set after pipe, before any other thread can fork with them
        // (the watcher, the only user, starts after this returns).
        // SAFETY: `fds` has room for the two descriptors pipe writes.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
            return None;
        }
        for fd in fds {
            // SAFETY: `fd` is a descriptor pipe just opened; fcntl with these commands only
            // changes its flags.
            let ok = unsafe {
                libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) == 0
                    && libc::fcntl(
                        fd,
                        libc::F_SETFL,
                        libc::fcntl(fd, libc::F_GETFL) | libc::O_NONBLOCK,
                    ) == 0
            };
            if !ok {
                // SAFETY: both descriptors are ours and closed once.
                unsafe {
                    libc::close(fds[0]);
                    libc::close(fds[1]);
                }
                return None;
            }
        }
    }
    Some(fds)
}

/// What bounds a heap reservation here: the machine's physical memory (`sysconf`) and whether
/// the process's address space is limited (`RLIMIT_AS`; unknown counts as limited).
pub(crate) fn memory_room() -> super::options::MemoryRoom {
    // SAFETY: sysconf has no preconditions; it returns -1 for a name it does not know.
    let (pages, page_size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    let physical = match (u64::try_from(pages), u64::try_from(page_size)) {
        (Ok(pages), Ok(size)) if pages > 0 && size > 0 => pages.checked_mul(size),
        _ => None,
    };
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: RLIMIT_AS is a valid resource and `limit` a live out-pointer.
    let read = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0;
    super::options::MemoryRoom {
        physical,
        address_space_limited: !read || limit.rlim_cur != libc::RLIM_INFINITY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_thread_is_not_the_first_and_its_stack_holds_its_frames() {
        let here = 0u8;
        let here = &here as *const u8 as usize;
        let (low, size) = stack_bounds().expect("stack bounds on Linux and macOS");
        assert!(
            low < here && here < low + size,
            "{low:#x} < {here:#x} < {:#x}",
            low + size
        );
        // cargo runs tests on spawned threads.
        assert!(!is_first_thread());
        let main = std::thread::spawn(is_first_thread).join().unwrap();
        assert!(!main);
    }

    #[test]
    fn the_memory_room_is_this_machines() {
        let room = memory_room();
        let physical = room.physical.expect("physical memory on Linux and macOS");
        assert!((256 << 20..1 << 50).contains(&physical), "{physical}");
        // cargo's test processes run without `ulimit -v` here; a limited shell would say so.
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: as in memory_room.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) }, 0);
        assert_eq!(
            room.address_space_limited,
            limit.rlim_cur != libc::RLIM_INFINITY
        );
    }

    #[test]
    fn the_pipe_is_non_blocking_and_closed_on_exec() {
        let [read, write] = nonblocking_pipe().expect("a pipe");
        for fd in [read, write] {
            // SAFETY: fcntl reads the flags of descriptors this test owns.
            unsafe {
                assert_ne!(libc::fcntl(fd, libc::F_GETFD) & libc::FD_CLOEXEC, 0);
                assert_ne!(libc::fcntl(fd, libc::F_GETFL) & libc::O_NONBLOCK, 0);
            }
        }
        let mut byte = 0u8;
        // SAFETY: reading one byte into a live local from a pipe this test owns.
        let n = unsafe { libc::read(read, (&mut byte as *mut u8).cast(), 1) };
        assert_eq!(n, -1, "an empty non-blocking pipe reads nothing at once");
        // SAFETY: both descriptors are the test's and closed once.
        unsafe {
            libc::close(read);
            libc::close(write);
        }
    }
}
