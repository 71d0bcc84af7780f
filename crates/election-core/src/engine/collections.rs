//! Ordered map and set for protocol state, backed by sorted vectors ([`litemap`]).
//!
//! Protocol state holds dozens of small maps and sets keyed by node id, ballot, zxid or
//! offset. `std::collections::Map` gives each key/value type its own copy of the B-tree
//! code, which made up a sixth of the page's WebAssembly; a sorted vector costs a binary search
//! per type, is faster for the sizes here (at most a few thousand entries) and clones (for
//! checkpoints) with one allocation. Iteration is in key order, exactly like the B-tree, so
//! traces do not change.
//!
//! [`Map`] derefs to [`litemap::LiteMap`] for its API (`get`, `insert`, `remove`, `entry`,
//! `iter`, `keys`, `values`, `retain`, ...) and adds the few `Map` methods the protocols
//! use; [`Set`] is a map to `()` with a set API.

use std::fmt;
use std::ops::{Deref, DerefMut};

use litemap::LiteMap;

/// An ordered map (sorted vector).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Map<K, V>(LiteMap<K, V>);

impl<K, V> Map<K, V> {
    /// An empty map.
    pub const fn new() -> Self {
        Map(LiteMap::new_vec())
    }
}

impl<K: Ord, V> Map<K, V> {
    /// Mutable references to the values, in key order.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.0.iter_mut().map(|(_, v)| v)
    }

    /// The entries whose keys lie in `range`, in key order.
    pub fn range(&self, range: std::ops::Range<K>) -> impl DoubleEndedIterator<Item = (&K, &V)> {
        let start = self.0.find_index(&range.start).unwrap_or_else(|i| i);
        let end = self.0.find_index(&range.end).unwrap_or_else(|i| i).max(start);
        (start..end).filter_map(move |i| self.0.get_indexed(i))
    }
}

impl<K, V> Default for Map<K, V> {
    fn default() -> Self {
        Map::new()
    }
}

impl<K, V> Deref for Map<K, V> {
    type Target = LiteMap<K, V>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<K, V> DerefMut for Map<K, V> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Map<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter()).finish()
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for Map<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut m = Map::new();
        m.extend(iter);
        m
    }
}

impl<K: Ord, V> Extend<(K, V)> for Map<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        // Insert one by one: later duplicates replace earlier ones, as in `Map`.
        for (k, v) in iter {
            self.0.insert(k, v);
        }
    }
}

impl<K, V> IntoIterator for Map<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_tuple_vec().into_iter()
    }
}

impl<'a, K: 'a, V: 'a> IntoIterator for &'a Map<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Box<dyn Iterator<Item = (&'a K, &'a V)> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.0.iter())
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for Map<K, V> {
    fn from(items: [(K, V); N]) -> Self {
        items.into_iter().collect()
    }
}

/// An ordered set (sorted vector).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Set<T>(LiteMap<T, ()>);

impl<T> Set<T> {
    /// An empty set.
    pub const fn new() -> Self {
        Set(LiteMap::new_vec())
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The elements in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator + Clone {
        self.0.as_slice().iter().map(|(k, ())| k)
    }

    /// The smallest element.
    pub fn first(&self) -> Option<&T> {
        self.0.first().map(|(k, ())| k)
    }

    /// The largest element.
    pub fn last(&self) -> Option<&T> {
        self.0.last().map(|(k, ())| k)
    }

    /// Removes every element.
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

impl<T: Ord> Set<T> {
    /// Adds `x`; true if it was not there.
    pub fn insert(&mut self, x: T) -> bool {
        self.0.try_insert(x, ()).is_none()
    }

    /// True if `x` is in the set.
    pub fn contains(&self, x: &T) -> bool {
        self.0.contains_key(x)
    }

    /// Removes `x`; true if it was there.
    pub fn remove(&mut self, x: &T) -> bool {
        self.0.remove(x).is_some()
    }

    /// Keeps the elements for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.0.retain(|k, ()| keep(k));
    }

    /// The elements of `self` that are not in `other`, in order.
    pub fn difference<'a>(&'a self, other: &'a Set<T>) -> impl Iterator<Item = &'a T> + 'a {
        self.iter().filter(move |x| !other.contains(x))
    }

    /// True if every element of `self` is in `other`.
    pub fn is_subset(&self, other: &Set<T>) -> bool {
        self.iter().all(|x| other.contains(x))
    }
}

impl<T> Default for Set<T> {
    fn default() -> Self {
        Set::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for Set<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: Ord> FromIterator<T> for Set<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut s = Set::new();
        s.extend(iter);
        s
    }
}

impl<T: Ord> Extend<T> for Set<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for x in iter {
            self.insert(x);
        }
    }
}

impl<'a, T: Ord + Copy + 'a> Extend<&'a T> for Set<T> {
    fn extend<I: IntoIterator<Item = &'a T>>(&mut self, iter: I) {
        for x in iter {
            self.insert(*x);
        }
    }
}

impl<T> IntoIterator for Set<T> {
    type Item = T;
    type IntoIter = std::iter::Map<std::vec::IntoIter<(T, ())>, fn((T, ())) -> T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_tuple_vec().into_iter().map(|(k, ())| k)
    }
}

impl<'a, T: 'a> IntoIterator for &'a Set<T> {
    type Item = &'a T;
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (T, ())>, fn(&'a (T, ())) -> &'a T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.as_slice().iter().map(|(k, ())| k)
    }
}

impl<T: Ord, const N: usize> From<[T; N]> for Set<T> {
    fn from(items: [T; N]) -> Self {
        items.into_iter().collect()
    }
}

/// Sorts a short slice (a cluster's worth of ids or match indexes) in place, ascending. An
/// insertion sort: for the at most fifteen elements a cluster has it is as fast as the
/// standard sort, and each type the standard sort is used with adds about 3 KB of quicksort
/// to the page's WebAssembly.
pub fn sort_short<T: Ord>(v: &mut [T]) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && v[j - 1] > v[j] {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_sorts_agree_with_the_standard_sort() {
        for v in
            [vec![], vec![3u64], vec![5, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], vec![15, 14, 13, 12, 11, 10, 9, 8]]
        {
            let (mut a, mut b) = (v.clone(), v);
            sort_short(&mut a);
            b.sort();
            assert_eq!(a, b);
        }
    }

    #[test]
    fn map_behaves_like_an_ordered_map() {
        let mut m: Map<u64, &str> = Map::new();
        assert_eq!(m.insert(3, "c"), None);
        m.insert(1, "a");
        assert_eq!(m.insert(3, "C"), Some("c"));
        m.insert(2, "b");
        assert_eq!(m.iter().map(|(k, _)| *k).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(m.range(2..3).map(|(k, v)| (*k, *v)).collect::<Vec<_>>(), [(2, "b")]);
        assert_eq!(m.range(0..9).count(), 3);
        assert_eq!(m.range(5..9).count(), 0);
        assert_eq!(format!("{m:?}"), r#"{1: "a", 2: "b", 3: "C"}"#);
        let from: Map<u64, &str> = [(2, "x"), (1, "y"), (2, "z")].into_iter().collect();
        assert_eq!(format!("{from:?}"), r#"{1: "y", 2: "z"}"#);
    }

    #[test]
    fn set_behaves_like_an_ordered_set() {
        let mut s: Set<u8> = [5, 1, 3].into();
        assert!(!s.insert(3));
        assert!(s.insert(2));
        assert_eq!(format!("{s:?}"), "{1, 2, 3, 5}");
        assert!(s.remove(&5) && !s.remove(&5));
        let t: Set<u8> = [1, 2].into();
        assert_eq!(s.difference(&t).copied().collect::<Vec<_>>(), [3]);
        assert!(t.is_subset(&s));
        assert_eq!(s.first(), Some(&1));
    }
}
