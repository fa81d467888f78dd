//! Reads remembered until the next write. Every write commits through [`crate::Tx::commit`],
//! which marks a commit under way before it and moves the Cell's write generation on after it.
//! A value is remembered under the generation read before it was read, and returned only while
//! that is still the generation and no commit is under way. So a read never sees less than what
//! a write answered 2xx for, whatever is cached.
//!
//! The generation is this process's: the caches are exact because one process serves a Cell's
//! database at a time ([`crate::CellLock`]). Reads inside a write transaction never use them.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sqlx::{AnyConnection, Connection};

/// The low bits count the commits under way; the high bits are the generation.
const UNDER_WAY: u64 = 1 << 20;

/// The Cell's write generation, shared by a [`crate::Db`] and its transactions.
#[derive(Debug, Clone, Default)]
pub struct Generation(Arc<AtomicU64>);

impl Generation {
    /// The generation now, or `None` while a commit is under way (then nothing is remembered
    /// or returned). Taken before the reads whose result is to be remembered.
    pub fn now(&self) -> Option<u64> {
        let state = self.0.load(Ordering::Acquire);
        state.is_multiple_of(UNDER_WAY).then_some(state / UNDER_WAY)
    }

    /// The generation a read on `conn` may remember under: none inside a write transaction
    /// (whose own uncommitted writes no cache holds) or while a commit is under way.
    pub fn for_read(&self, conn: &AnyConnection) -> Option<u64> {
        if conn.is_in_transaction() {
            return None;
        }
        self.now()
    }

    pub(crate) fn commit_starts(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }

    /// Moves the generation on and ends the commit (whether it succeeded or not).
    pub(crate) fn commit_ends(&self) {
        self.0.fetch_add(UNDER_WAY - 1, Ordering::AcqRel);
    }
}

/// Values read under one generation, forgotten all at once when it moves on, and when the map
/// reaches its capacity (so memory stays bounded whatever is asked).
#[derive(Debug)]
pub struct GenerationCache<K, V> {
    capacity: usize,
    entries: Mutex<(u64, HashMap<K, V>)>,
}

impl<K: Hash + Eq, V: Clone> GenerationCache<K, V> {
    pub fn new(capacity: usize) -> GenerationCache<K, V> {
        GenerationCache {
            capacity,
            entries: Mutex::new((0, HashMap::new())),
        }
    }

    /// The value read under `generation`, if it is still the one remembered.
    pub fn get(&self, generation: u64, key: &K) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.0 != generation {
            return None;
        }
        entries.1.get(key).cloned()
    }

    /// The values of `keys` read under `generation`, in their order, under one lock.
    pub fn get_many(&self, generation: u64, keys: &[K]) -> Vec<Option<V>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.0 != generation {
            return vec![None; keys.len()];
        }
        keys.iter().map(|key| entries.1.get(key).cloned()).collect()
    }

    /// Remembers a value read under `generation` (taken before the read). A value read under an
    /// older generation than the map's is dropped; a newer one starts the map afresh.
    pub fn insert(&self, generation: u64, key: K, value: V) {
        self.insert_many(generation, [(key, value)]);
    }

    /// Remembers values read under `generation`, under one lock, as [`Self::insert`] does.
    pub fn insert_many(&self, generation: u64, values: impl IntoIterator<Item = (K, V)>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if generation < entries.0 {
            return;
        }
        if generation > entries.0 {
            entries.1.clear();
            entries.0 = generation;
        }
        for (key, value) in values {
            if entries.1.len() >= self.capacity {
                entries.1.clear();
            }
            entries.1.insert(key, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_returned_only_under_the_generation_it_was_read_in() {
        let cache = GenerationCache::new(10);
        cache.insert(3, "a", 1);
        assert_eq!(cache.get(3, &"a"), Some(1));
        assert_eq!(cache.get(4, &"a"), None);
        // Read before a write that has since moved the generation on: not remembered.
        cache.insert(4, "b", 2);
        cache.insert(3, "a", 9);
        assert_eq!(cache.get(4, &"a"), None);
        assert_eq!(cache.get(4, &"b"), Some(2));
    }

    #[test]
    fn many_values_are_read_and_remembered_under_one_generation() {
        let cache = GenerationCache::new(10);
        cache.insert_many(2, [(1, "a"), (2, "b")]);
        assert_eq!(
            cache.get_many(2, &[2, 3, 1]),
            vec![Some("b"), None, Some("a")]
        );
        assert_eq!(cache.get_many(3, &[1]), vec![None]);
    }

    #[test]
    fn the_map_never_outgrows_its_capacity() {
        let cache = GenerationCache::new(2);
        for n in 0..5 {
            cache.insert(1, n, n);
        }
        assert_eq!(cache.get(1, &4), Some(4));
        assert!(cache.entries.lock().expect("lock").1.len() <= 2);
    }

    #[test]
    fn the_generation_moves_on_with_each_commit_and_is_unknown_during_one() {
        let generation = Generation::default();
        let before = generation.now().expect("no commit under way");
        generation.commit_starts();
        generation.commit_starts();
        assert_eq!(generation.now(), None);
        generation.commit_ends();
        assert_eq!(generation.now(), None, "one commit is still under way");
        generation.commit_ends();
        assert_eq!(generation.now(), Some(before + 2));
    }
}
