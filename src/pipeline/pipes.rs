//! Larger pipe buffers for standard input and output.
//!
//! A Linux pipe holds 64 KiB by default, so a fast producer and consumer wake each other every
//! 64 KiB; at hundreds of megabytes per second those context switches cost as much as the work.
//! Raising the capacity to 1 MiB (the unprivileged maximum by default) lets each side move
//! larger blocks per wake-up. Nothing changes for latency: data is still written at once.

/// Capacity asked for.
const PIPE_SIZE: libc::c_int = 1 << 20;

/// Enlarges the buffers of standard input and output where they are pipes. Failure (an older
/// kernel, a lower `/proc/sys/fs/pipe-max-size`) only leaves the default in place.
pub fn enlarge_std_pipes() {
    #[cfg(target_os = "linux")]
    for fd in [libc::STDIN_FILENO, libc::STDOUT_FILENO] {
        // SAFETY: fstat and fcntl on a file descriptor number have no memory-safety
        // preconditions; an invalid or closed descriptor makes them fail with EBADF.
        unsafe {
            let mut stat: libc::stat = std::mem::zeroed();
            if libc::fstat(fd, &mut stat) == 0 && stat.st_mode & libc::S_IFMT == libc::S_IFIFO {
                libc::fcntl(fd, libc::F_SETPIPE_SZ, PIPE_SIZE);
            }
        }
    }
}
