//! The last few values decoded on a thread. A batch from one issuer meets the same header (one per
//! signing key) and the same certificate again and again; decoding is deterministic, so a value
//! remembered for the same bytes is the value decoding would give. Bounded: memory stays flat.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::thread::LocalKey;

/// A thread's remembered values, oldest first.
pub(crate) type Recent<T> = RefCell<VecDeque<T>>;

/// What `found` makes of the first remembered value it accepts (a copy of the part wanted).
pub(crate) fn recall<T, R>(
    recent: &'static LocalKey<Recent<T>>,
    found: impl Fn(&T) -> Option<R>,
) -> Option<R> {
    recent.with(|cell| cell.try_borrow().ok()?.iter().find_map(found))
}

/// Remembers `value`; beyond `keep` values the oldest is forgotten.
pub(crate) fn remember<T>(recent: &'static LocalKey<Recent<T>>, value: T, keep: usize) {
    recent.with(|cell| {
        if let Ok(mut values) = cell.try_borrow_mut() {
            if values.len() >= keep {
                values.pop_front();
            }
            values.push_back(value);
        }
    });
}
