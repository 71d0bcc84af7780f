//! [`SharedLog`]: an append-mostly sequence whose clones share everything but their newest
//! entries.
//!
//! A session keeps up to 512 checkpoints, each a clone of the whole simulation, so that
//! seeking is fast. Logs (Raft's entries, ZooKeeper's history, Paxos's slots, the lease
//! storage's writes) grow with every client write; as plain vectors each checkpoint copied
//! them, and a session's memory grew with the square of its length (5-node Raft, a write
//! every 10 s: 38 MB after one simulated hour, 50 MB after two, and rising). Here entries
//! are frozen in reference-counted chunks of [`CHUNK`] once full; a clone copies the chunk
//! pointers and the unfrozen tail only, so checkpoints share every frozen entry. Replacing a
//! suffix (Raft §5.3 truncation) unfreezes the chunk it starts in.
//!
//! `Arc` rather than `Rc` keeps simulations `Send`, so sweeps can run one per thread.

use std::fmt;
use std::ops::Index;
use std::sync::Arc;

/// Entries per frozen chunk.
pub const CHUNK: usize = 64;

/// A growable sequence with cheap clones (see the module doc).
#[derive(Clone)]
pub struct SharedLog<T> {
    chunks: Vec<Arc<[T]>>,
    tail: Vec<T>,
}

impl<T> SharedLog<T> {
    /// An empty log.
    pub const fn new() -> Self {
        SharedLog { chunks: Vec::new(), tail: Vec::new() }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.chunks.len() * CHUNK + self.tail.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty() && self.tail.is_empty()
    }

    /// The entry at `i` (0-based).
    pub fn get(&self, i: usize) -> Option<&T> {
        match self.chunks.get(i / CHUNK) {
            Some(chunk) => chunk.get(i % CHUNK),
            None => self.tail.get(i - self.chunks.len() * CHUNK),
        }
    }

    /// The last entry.
    pub fn last(&self) -> Option<&T> {
        self.tail.last().or_else(|| self.chunks.last().and_then(|c| c.last()))
    }

    /// The entries in order.
    pub fn iter(&self) -> Iter<'_, T> {
        self.iter_from(0)
    }

    /// The entries from `start` on, in order.
    pub fn iter_from(&self, start: usize) -> Iter<'_, T> {
        Iter { log: self, next: start, end: self.len() }
    }
}

impl<T: Clone> SharedLog<T> {
    /// Appends `entry`; a full tail is frozen into a shared chunk.
    pub fn push(&mut self, entry: T) {
        self.tail.push(entry);
        if self.tail.len() == CHUNK {
            let full = std::mem::replace(&mut self.tail, Vec::with_capacity(CHUNK));
            self.chunks.push(full.into());
        }
    }

    /// Replaces the entry at `i` (0-based); a shared chunk is copied first, so clones keep
    /// their value.
    pub fn set(&mut self, i: usize, entry: T) {
        let frozen = self.chunks.len() * CHUNK;
        if i >= frozen {
            self.tail[i - frozen] = entry;
        } else {
            Arc::make_mut(&mut self.chunks[i / CHUNK])[i % CHUNK] = entry;
        }
    }

    /// Keeps the first `len` entries.
    pub fn truncate(&mut self, len: usize) {
        let frozen = self.chunks.len() * CHUNK;
        if len >= frozen {
            self.tail.truncate(len - frozen);
            return;
        }
        // The cut falls in a frozen chunk: its kept part becomes the new tail.
        let keep = len / CHUNK;
        self.tail = self.chunks[keep][..len % CHUNK].to_vec();
        self.chunks.truncate(keep);
    }
}

/// An iterator over a [`SharedLog`] by index. (A chain of flattened chunk iterators did the
/// same, but as generic code for every entry type it made the page's WebAssembly larger.)
#[derive(Debug)]
pub struct Iter<'a, T> {
    log: &'a SharedLog<T>,
    next: usize,
    end: usize,
}

impl<T> Clone for Iter<'_, T> {
    fn clone(&self) -> Self {
        Iter { log: self.log, next: self.next, end: self.end }
    }
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;
    fn next(&mut self) -> Option<&'a T> {
        if self.next >= self.end {
            return None;
        }
        self.next += 1;
        self.log.get(self.next - 1)
    }
}

impl<T> DoubleEndedIterator for Iter<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        self.end -= 1;
        self.log.get(self.end)
    }
}

impl<T> Default for SharedLog<T> {
    fn default() -> Self {
        SharedLog::new()
    }
}

impl<T> Index<usize> for SharedLog<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        match self.get(i) {
            Some(entry) => entry,
            None => out_of_range(i, self.len()),
        }
    }
}

/// One copy of the panic for every entry type (indexing past the end is a bug, not input).
#[cold]
#[inline(never)]
fn out_of_range(i: usize, len: usize) -> ! {
    panic!("index {i} of a log of {len}")
}

impl<T: PartialEq> PartialEq for SharedLog<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: Eq> Eq for SharedLog<T> {}

impl<T: fmt::Debug> fmt::Debug for SharedLog<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Clone> FromIterator<T> for SharedLog<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut log = SharedLog::new();
        iter.into_iter().for_each(|e| log.push(e));
        log
    }
}

/// A map from slots `1, 2, 3, ...` to values, dense like a log, with [`SharedLog`]'s cheap
/// clones: Paxos's accepted and chosen values, which grow with every client write.
#[derive(Clone, PartialEq, Eq)]
pub struct SlotMap<V> {
    slots: SharedLog<Option<V>>,
    count: usize,
}

impl<V: Clone> SlotMap<V> {
    /// An empty map.
    pub const fn new() -> Self {
        SlotMap { slots: SharedLog::new(), count: 0 }
    }

    /// Number of slots with a value.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when no slot has a value.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The value in `slot`.
    pub fn get(&self, slot: u64) -> Option<&V> {
        let i = usize::try_from(slot.checked_sub(1)?).ok()?;
        self.slots.get(i)?.as_ref()
    }

    /// True when `slot` has a value.
    pub fn contains(&self, slot: u64) -> bool {
        self.get(slot).is_some()
    }

    /// Puts `value` in `slot` (1-based), replacing what was there.
    pub fn insert(&mut self, slot: u64, value: V) {
        let Some(i) = slot.checked_sub(1).and_then(|i| usize::try_from(i).ok()) else { return };
        while self.slots.len() < i {
            self.slots.push(None);
        }
        if i == self.slots.len() {
            self.slots.push(Some(value));
            self.count += 1;
        } else {
            self.count += usize::from(self.slots[i].is_none());
            self.slots.set(i, Some(value));
        }
    }

    /// The highest slot with a value.
    pub fn last_slot(&self) -> Option<u64> {
        let last = self.slots.iter().rev().position(Option::is_some)?;
        Some((self.slots.len() - last) as u64)
    }

    /// The slots with a value, in order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &V)> + Clone {
        self.slots.iter().zip(1u64..).filter_map(|(v, s)| Some((s, v.as_ref()?)))
    }

    /// The slots from `slot` on with a value, in order.
    pub fn iter_from(&self, slot: u64) -> impl Iterator<Item = (u64, &V)> + Clone {
        let start = usize::try_from(slot.saturating_sub(1)).unwrap_or(usize::MAX);
        self.slots.iter_from(start).zip(slot.max(1)..).filter_map(|(v, s)| Some((s, v.as_ref()?)))
    }
}

impl<V: Clone> Default for SlotMap<V> {
    fn default() -> Self {
        SlotMap::new()
    }
}

impl<V: fmt::Debug> fmt::Debug for SlotMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.slots.iter().zip(1u64..).filter_map(|(v, s)| Some((s, v.as_ref()?))))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_vector_across_chunks() {
        let mut log: SharedLog<u32> = SharedLog::new();
        let mut model: Vec<u32> = Vec::new();
        for i in 0..300 {
            log.push(i);
            model.push(i);
        }
        assert_eq!(log.len(), 300);
        assert_eq!(log.iter().copied().collect::<Vec<_>>(), model);
        assert_eq!(log.iter_from(130).copied().collect::<Vec<_>>(), model[130..]);
        assert_eq!(log.iter_from(300).count(), 0);
        assert_eq!((log.get(64), log.get(299), log.get(300)), (Some(&64), Some(&299), None));
        assert_eq!(log.last(), Some(&299));
        // A cut inside a frozen chunk, then appends past it again.
        for len in [299, 256, 200, 64, 63, 0] {
            let mut cut = log.clone();
            cut.truncate(len);
            let mut m = model.clone();
            m.truncate(len);
            assert_eq!(cut.iter().copied().collect::<Vec<_>>(), m, "truncate({len})");
            for i in 0..70 {
                cut.push(1_000 + i);
                m.push(1_000 + i);
            }
            assert_eq!(cut.iter().copied().collect::<Vec<_>>(), m, "truncate({len}) then push");
        }
        // The original is untouched by what its clones did.
        assert_eq!(log.iter().copied().collect::<Vec<_>>(), model);
    }

    #[test]
    fn slot_maps_are_sparse_maps_over_a_shared_log() {
        let mut m: SlotMap<char> = SlotMap::new();
        m.insert(3, 'c');
        m.insert(1, 'a');
        m.insert(200, 'z');
        m.insert(0, 'x'); // there is no slot 0
        assert_eq!(m.iter().collect::<Vec<_>>(), vec![(1, &'a'), (3, &'c'), (200, &'z')]);
        assert_eq!(m.iter_from(2).collect::<Vec<_>>(), vec![(3, &'c'), (200, &'z')]);
        assert_eq!((m.len(), m.last_slot(), m.get(2), m.get(0)), (3, Some(200), None, None));
        let before = m.clone();
        m.insert(3, 'C');
        assert_eq!((m.get(3), before.get(3), m.len()), (Some(&'C'), Some(&'c'), 3));
    }

    #[test]
    fn clones_share_frozen_chunks() {
        let log: SharedLog<u64> = (0..1_000).collect();
        let copy = log.clone();
        assert!(Arc::ptr_eq(&log.chunks[3], &copy.chunks[3]));
        assert_eq!(copy.tail.len(), 1_000 % CHUNK);
    }
}
