//! Turns: one actor at a time per key (an Organization's move, a User's deletion) within this
//! process, the one that serves the Cell. A turn is given back when dropped.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// The keys whose turn is taken.
#[derive(Debug, Default, Clone)]
pub(crate) struct Turns(Arc<Mutex<HashSet<i64>>>);

/// A turn on one key, given back when dropped.
#[derive(Debug)]
pub(crate) struct Turn {
    turns: Turns,
    key: i64,
}

impl Turns {
    /// The turn on `key`, unless someone holds it.
    pub(crate) fn take(&self, key: i64) -> Option<Turn> {
        let taken = self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(key);
        taken.then(|| Turn {
            turns: self.clone(),
            key,
        })
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.turns
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.key);
    }
}
