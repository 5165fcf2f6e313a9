//! libsvm's kernel-column cache: least-recently-used columns, bounded by a byte budget.
//!
//! Column `i` holds `Q[i][0..len)` for the current ordering of the rows; the solver asks for
//! columns of different lengths (the active set shrinks and grows), so a cached column may
//! be a prefix that gets extended. Memory in use never exceeds the budget, which is at least
//! two full columns (the solver needs two at once).

/// LRU cache of kernel columns (f64 entries).
#[derive(Debug)]
pub(crate) struct KernelCache {
    /// `columns[i]` is the cached prefix of column i (empty when not cached).
    columns: Vec<Vec<f64>>,
    /// Circular doubly linked LRU list over cached columns; index `l` is the sentinel,
    /// `next[l]` the least recently used column.
    prev: Vec<usize>,
    next: Vec<usize>,
    /// Entries (f64s) that may still be allocated.
    free: usize,
}

impl KernelCache {
    /// A cache for `l` columns within `bytes` bytes (but room for at least two columns).
    pub(crate) fn new(l: usize, bytes: usize) -> Self {
        let entry = std::mem::size_of::<f64>();
        let overhead = l * (std::mem::size_of::<Vec<f64>>() + 2 * std::mem::size_of::<usize>());
        let free = (bytes.saturating_sub(overhead) / entry).max(2 * l);
        KernelCache {
            columns: vec![Vec::new(); l],
            prev: vec![l; l + 1],
            next: vec![l; l + 1],
            free,
        }
    }

    fn sentinel(&self) -> usize {
        self.columns.len()
    }

    fn unlink(&mut self, i: usize) {
        let (p, n) = (self.prev[i], self.next[i]);
        self.next[p] = n;
        self.prev[n] = p;
    }

    fn link_last(&mut self, i: usize) {
        let s = self.sentinel();
        let last = self.prev[s];
        self.prev[i] = last;
        self.next[i] = s;
        self.next[last] = i;
        self.prev[s] = i;
    }

    fn evict(&mut self, i: usize) {
        self.unlink(i);
        self.free += self.columns[i].len();
        self.columns[i] = Vec::new();
    }

    /// Column `index` with room for `len` entries, marked most recently used, and the
    /// position from which entries must still be computed (`>= len`: nothing to compute).
    pub(crate) fn get(&mut self, index: usize, len: usize) -> (&mut [f64], usize) {
        let have = self.columns[index].len();
        if have > 0 {
            self.unlink(index);
        }
        let start = if len > have {
            let more = len - have;
            while self.free < more {
                let oldest = self.next[self.sentinel()];
                self.evict(oldest);
            }
            let column = &mut self.columns[index];
            column.reserve_exact(more);
            column.resize(len, 0.0);
            self.free -= more;
            have
        } else {
            len
        };
        self.link_last(index);
        (&mut self.columns[index][..], start)
    }

    /// The cached prefix of column `index` (empty if not cached).
    pub(crate) fn cached(&self, index: usize) -> &[f64] {
        &self.columns[index]
    }

    /// Follow the solver swapping rows `i` and `j`: swap the two columns and entries i, j of
    /// every cached column; a column long enough to hold i but not j is dropped.
    pub(crate) fn swap_index(&mut self, i: usize, j: usize) {
        if i == j {
            return;
        }
        let (i, j) = (i.min(j), i.max(j));
        let (had_i, had_j) = (!self.columns[i].is_empty(), !self.columns[j].is_empty());
        if had_i {
            self.unlink(i);
        }
        if had_j {
            self.unlink(j);
        }
        self.columns.swap(i, j);
        if had_j {
            self.link_last(i);
        }
        if had_i {
            self.link_last(j);
        }
        let s = self.sentinel();
        let mut h = self.next[s];
        while h != s {
            let following = self.next[h];
            let len = self.columns[h].len();
            if len > j {
                self.columns[h].swap(i, j);
            } else if len > i {
                self.evict(h);
            }
            h = following;
        }
    }

    /// Entries currently held (for tests of the budget).
    #[cfg(test)]
    fn held(&self) -> usize {
        self.columns.iter().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_least_recently_used_within_budget() {
        // room for exactly 2 columns of 4 entries
        let mut cache = KernelCache::new(4, 0);
        let (col, start) = cache.get(0, 4);
        assert_eq!(start, 0);
        col.fill(1.0);
        cache.get(1, 4).0.fill(2.0);
        assert_eq!(cache.get(0, 4).1, 4, "column 0 is cached");
        cache.get(2, 4).0.fill(3.0); // evicts column 1, the least recently used
        assert!(cache.cached(1).is_empty());
        assert_eq!(cache.cached(0), &[1.0; 4]);
        assert!(cache.held() <= 8);
    }

    #[test]
    fn extends_a_prefix() {
        let mut cache = KernelCache::new(5, 1 << 20);
        cache.get(3, 2).0.fill(7.0);
        let (col, start) = cache.get(3, 5);
        assert_eq!(start, 2);
        assert_eq!(col[..2], [7.0, 7.0]);
        assert_eq!(cache.get(3, 3).1, 3);
    }

    #[test]
    fn swap_follows_row_swaps() {
        let mut cache = KernelCache::new(4, 1 << 20);
        cache.get(0, 4).0.copy_from_slice(&[0.0, 1.0, 2.0, 3.0]);
        cache.get(1, 2).0.copy_from_slice(&[10.0, 11.0]);
        cache.get(3, 3).0.copy_from_slice(&[30.0, 31.0, 32.0]);
        cache.swap_index(3, 1);
        // column 0 (len 4 > 3): entries 1 and 3 swapped
        assert_eq!(cache.cached(0), &[0.0, 3.0, 2.0, 1.0]);
        // old column 3 is now column 1 (len 3 > 1 but not > 3): dropped
        assert!(cache.cached(1).is_empty());
        // old column 1 is now column 3 (len 2 > 1, not > 3): dropped
        assert!(cache.cached(3).is_empty());
    }
}
