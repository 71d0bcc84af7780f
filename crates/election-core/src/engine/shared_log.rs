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
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + Clone {
        self.chunks.iter().flat_map(|c| c.iter()).chain(self.tail.iter())
    }

    /// The entries from `start` on, in order.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = &T> + Clone {
        let first = (start / CHUNK).min(self.chunks.len());
        let skip = start - first * CHUNK;
        self.chunks[first..].iter().flat_map(|c| c.iter()).chain(self.tail.iter()).skip(skip)
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

impl<T> Default for SharedLog<T> {
    fn default() -> Self {
        SharedLog::new()
    }
}

impl<T> Index<usize> for SharedLog<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        self.get(i).unwrap_or_else(|| panic!("index {i} of a log of {}", self.len()))
    }
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
    fn clones_share_frozen_chunks() {
        let log: SharedLog<u64> = (0..1_000).collect();
        let copy = log.clone();
        assert!(Arc::ptr_eq(&log.chunks[3], &copy.chunks[3]));
        assert_eq!(copy.tail.len(), 1_000 % CHUNK);
    }
}
