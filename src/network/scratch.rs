//! Per-thread scratch buffers, grown on demand and reused across chunks and calls (no
//! allocation per chunk once a thread's buffers are large enough).

use std::cell::RefCell;
use std::thread::LocalKey;

/// Grow `buffer` to at least `len` values; it never shrinks, so later chunks reuse it.
pub(crate) fn grow(buffer: &mut Vec<f64>, len: usize) {
    if buffer.len() < len {
        buffer.resize(len, 0.0);
    }
}

/// Run `f` with this thread's scratch held in `key`, or with a fresh one when it is already
/// in use on this thread (a nested call).
pub(crate) fn with_local<S: Default, T>(
    key: &'static LocalKey<RefCell<S>>,
    f: impl FnOnce(&mut S) -> T,
) -> T {
    key.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        Err(_) => f(&mut S::default()),
    })
}
