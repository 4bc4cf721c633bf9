//! The two structures every delivery goes through, shaped for a million
//! events in flight: the pending set indexed by id (ids are handed out in
//! order, so a deque of slots gives O(1) access and id-ordered iteration),
//! and the timed queue, a binary heap of `(due, id)` (measured against a
//! map of per-due buckets: 2.5x faster with a few hundred events in
//! flight, as fast with a million).

use super::input::EvId;
use super::protocol::Time;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Pending events by id, iterated in id order. Values live in a slab
/// (reused slots, no allocation per event); the id-ordered deque holds only
/// 4-byte slab indices, so the holes left by out-of-order deliveries stay
/// cheap with a million events in flight.
pub struct PendingSet<T> {
    base: EvId,
    /// Slab index of each id from `base` on, or `HOLE`.
    slots: VecDeque<u32>,
    slab: Vec<Option<T>>,
    free: Vec<u32>,
    len: usize,
}

const HOLE: u32 = u32::MAX;

clone_by_fields!([T: Clone] PendingSet<T> { base, slots, slab, free, len });

impl<T> Default for PendingSet<T> {
    fn default() -> Self {
        PendingSet { base: 1, slots: VecDeque::new(), slab: Vec::new(), free: Vec::new(), len: 0 }
    }
}

impl<T> PendingSet<T> {
    fn slot(&self, id: EvId) -> Option<usize> {
        id.checked_sub(self.base).map(|i| i as usize).filter(|&i| i < self.slots.len())
    }
    fn at(&self, i: usize) -> Option<&T> {
        match self.slots[i] {
            HOLE => None,
            s => self.slab[s as usize].as_ref(),
        }
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn contains(&self, id: EvId) -> bool {
        self.get(id).is_some()
    }
    pub fn get(&self, id: EvId) -> Option<&T> {
        self.slot(id).and_then(|i| self.at(i))
    }
    pub fn get_mut(&mut self, id: EvId) -> Option<&mut T> {
        let i = self.slot(id)?;
        match self.slots[i] {
            HOLE => None,
            s => self.slab[s as usize].as_mut(),
        }
    }
    /// Insert under `id`, which must be above every id inserted before.
    pub fn insert(&mut self, id: EvId, value: T) {
        if self.slots.is_empty() {
            self.base = id;
        }
        let end = self.base + self.slots.len() as EvId;
        assert!(id >= end, "pending ids are handed out in increasing order");
        if id > end {
            self.slots.extend((end..id).map(|_| HOLE));
        }
        let s = match self.free.pop() {
            Some(s) => {
                self.slab[s as usize] = Some(value);
                s
            }
            None => {
                assert!(self.slab.len() < HOLE as usize, "more than 4 billion events in flight");
                self.slab.push(Some(value));
                (self.slab.len() - 1) as u32
            }
        };
        self.slots.push_back(s);
        self.len += 1;
    }
    pub fn remove(&mut self, id: EvId) -> Option<T> {
        let i = self.slot(id)?;
        let s = std::mem::replace(&mut self.slots[i], HOLE);
        if s == HOLE {
            return None;
        }
        let v = self.slab[s as usize].take();
        self.free.push(s);
        self.len -= 1;
        while self.slots.front() == Some(&HOLE) {
            self.slots.pop_front();
            self.base += 1;
        }
        while self.slots.back() == Some(&HOLE) {
            self.slots.pop_back();
        }
        v
    }
    /// Ask the memory system for `id`'s slot index, ahead of [`Self::prefetch`].
    pub fn prefetch_slot(&self, id: EvId) {
        if let Some(i) = self.slot(id) {
            prefetch(&self.slots[i]);
        }
    }
    /// Ask the memory system for `id`'s value, ahead of its delivery. With a
    /// million events in flight they sit in a slab far bigger than the
    /// caches and are delivered in due order, not slab order: each delivery
    /// would wait on two misses in a row (slot index, then value).
    pub fn prefetch(&self, id: EvId) {
        if let Some(s) = self.slot(id).map(|i| self.slots[i]).filter(|&s| s != HOLE) {
            prefetch(&self.slab[s as usize]);
        }
    }
    /// Ask the memory system for every cache line of the set's buffers.
    pub fn prefetch_all(&self) {
        let (a, b) = self.slots.as_slices();
        prefetch_lines(a);
        prefetch_lines(b);
        prefetch_lines(self.slab.as_slice());
    }
    /// Every pending value in id order, with its id.
    pub fn iter(&self) -> impl Iterator<Item = (EvId, &T)> {
        self.after_index(0)
    }
    /// Pending values with ids below `id`, in id order.
    pub fn before(&self, id: EvId) -> impl Iterator<Item = (EvId, &T)> {
        self.iter().take_while(move |(k, _)| *k < id)
    }
    /// Pending values with ids above `id`, in id order.
    pub fn after(&self, id: EvId) -> impl Iterator<Item = (EvId, &T)> {
        let skip = if id < self.base { 0 } else { (id - self.base + 1) as usize };
        self.after_index(skip)
    }
    fn after_index(&self, skip: usize) -> impl Iterator<Item = (EvId, &T)> {
        let base = self.base;
        self.slots
            .iter()
            .enumerate()
            .skip(skip)
            .filter(|(_, s)| **s != HOLE)
            .filter_map(move |(i, &s)| self.slab[s as usize].as_ref().map(|v| (base + i as EvId, v)))
    }
}

/// A hint that every cache line of `x` is read soon.
pub fn prefetch_lines<T: ?Sized>(x: &T) {
    let start = (x as *const T).cast::<u8>();
    for at in (0..std::mem::size_of_val(x)).step_by(64) {
        // `wrapping_add`: the address is only a hint, never read here.
        prefetch_ptr(start.wrapping_add(at));
    }
}

/// A hint that `x` is read soon; does nothing where there is no such hint.
#[inline(always)]
pub fn prefetch<T>(x: &T) {
    prefetch_ptr((x as *const T).cast());
}

#[inline(always)]
fn prefetch_ptr(p: *const u8) {
    // SAFETY: a prefetch reads nothing and cannot fault, whatever the
    // address; this one comes from a live reference anyway.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Entries `(due, id)`, smallest due first and, within a due time, smallest
/// id first. Stale entries are the caller's to skip (lazy deletion).
///
/// Small queues live in a binary heap: with a few dozen entries it sits in
/// L1 and nothing beats it. Past `BIG` entries the queue moves into a radix
/// heap, which the engine's keys allow because it only ever pushes keys at
/// or after the last one it popped (time moves forward and new ids are
/// larger): pushes and pops then touch a few short vectors instead of
/// walking a binary heap's 20 levels of cache misses when a million events
/// are in flight (the 1,000-node opening storm: 1.7 µs → 1.25 µs per event).
/// A key that would break the order (none should; a trace could try) goes
/// to a side heap, so the queue is correct whatever is pushed.
#[derive(Default)]
pub struct TimeQueue {
    /// While the queue holds at most `TINY` entries: all of them, sorted
    /// from the last due to the first. Popping takes the end; pushing is a
    /// binary search and one short `memmove`.
    tiny: Vec<(Time, EvId)>,
    /// Entries past `TINY` (then `tiny` is empty) and up to `BIG`.
    small: BinaryHeap<Reverse<(Time, EvId)>>,
    /// `Some` while the queue is big (boxed: a small queue is most of them,
    /// and the model checker keeps one in every state).
    big: Option<Box<Big>>,
}

clone_by_fields!([] TimeQueue { tiny, small, big });

#[derive(Clone, Default)]
struct Big {
    /// Ids by due time. Many events share a due time (a million messages
    /// over ten thousand microseconds), so the key is the due time alone and
    /// ties are settled in `ready`: keying by `(due, id)` made every tie
    /// walk down another twenty buckets of id bits.
    radix: radix_heap::RadixHeapMap<Reverse<Time>, EvId>,
    /// Every id due at `ready_due`, largest first (popped from the end).
    ready: Vec<EvId>,
    ready_due: Time,
    /// Popped from the radix heap while filling `ready`: the next due time.
    next: Option<(Time, EvId)>,
    late: BinaryHeap<Reverse<(Time, EvId)>>,
}

/// Entries at which the queue turns into a radix heap, and back.
const BIG: usize = 16_384;
const SMALL: usize = 1_024;
/// Entries at which the sorted deque turns into a binary heap, and back.
const TINY: usize = 64;
const TINY_BACK: usize = 32;

impl Big {
    fn len(&self) -> usize {
        self.radix.len() + self.ready.len() + self.next.is_some() as usize + self.late.len()
    }
    /// The smallest key the radix heap may still take: the last key it
    /// gave out (filling `ready` pops the next due time too, so this is
    /// `next`'s time, not `ready_due`, while `next` is held).
    fn floor(&self) -> Option<Time> {
        self.radix.top().map(|r| r.0)
    }
    fn push(&mut self, key: (Time, EvId)) {
        let (due, id) = key;
        if !self.ready.is_empty() && due == self.ready_due {
            // Largest first: new ids are the largest, so this is the front.
            let at = self.ready.partition_point(|&x| x > id);
            self.ready.insert(at, id);
        } else if self.floor().is_some_and(|f| due < f) {
            self.late.push(Reverse(key));
        } else {
            self.radix.push(Reverse(due), id);
        }
    }
    fn fill(&mut self) {
        let Some((due, id)) = self.next.take().or_else(|| self.radix.pop().map(|(r, id)| (r.0, id))) else { return };
        self.ready_due = due;
        self.ready.push(id);
        while let Some((r, id)) = self.radix.pop() {
            if r.0 != due {
                self.next = Some((r.0, id));
                break;
            }
            self.ready.push(id);
        }
        self.ready.sort_unstable_by(|a, b| b.cmp(a));
    }
    fn peek(&mut self) -> Option<(Time, EvId)> {
        if self.ready.is_empty() {
            self.fill();
        }
        let head = self.ready.last().map(|&id| (self.ready_due, id));
        match (head, self.late.peek()) {
            (Some(h), Some(l)) => Some(h.min(l.0)),
            (h, l) => h.or(l.map(|r| r.0)),
        }
    }
    /// The id `k` places behind the head among those due at the head's
    /// time, if there is one (ignores `late`: a hint, not an order).
    fn upcoming(&self, k: usize) -> Option<EvId> {
        self.ready.len().checked_sub(k + 1).map(|i| self.ready[i])
    }
    fn pop(&mut self) -> Option<(Time, EvId)> {
        let next = self.peek()?;
        if self.ready.last().map(|&id| (self.ready_due, id)) == Some(next) {
            self.ready.pop();
        } else {
            self.late.pop();
        }
        Some(next)
    }
    fn drain(self) -> impl Iterator<Item = Reverse<(Time, EvId)>> {
        let due = self.ready_due;
        self.radix
            .into_iter()
            .map(|(r, id)| Reverse((r.0, id)))
            .chain(self.ready.into_iter().map(move |id| Reverse((due, id))))
            .chain(self.next.map(Reverse))
            .chain(self.late)
    }
}

impl TimeQueue {
    pub fn len(&self) -> usize {
        self.big.as_ref().map_or(self.tiny.len() + self.small.len(), |b| b.len())
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Empty, keeping the small buffers.
    pub fn clear(&mut self) {
        self.tiny.clear();
        self.small.clear();
        self.big = None;
    }
    pub fn push(&mut self, due: Time, id: EvId) {
        let key = (due, id);
        if let Some(big) = &mut self.big {
            return big.push(key);
        }
        if self.small.is_empty() {
            if self.tiny.len() < TINY {
                let at = self.tiny.partition_point(|&k| k > key);
                return self.tiny.insert(at, key);
            }
            self.small.extend(self.tiny.drain(..).map(Reverse));
        }
        self.small.push(Reverse(key));
        if self.small.len() >= BIG {
            let mut big = Big::default();
            for Reverse(k) in std::mem::take(&mut self.small) {
                big.push(k);
            }
            self.big = Some(Box::new(big));
        }
    }
    pub fn peek(&mut self) -> Option<(Time, EvId)> {
        match &mut self.big {
            Some(big) => big.peek(),
            None if self.small.is_empty() => self.tiny.last().copied(),
            None => self.small.peek().map(|r| r.0),
        }
    }
    /// A guess at the id delivered `k` events after the head, for
    /// prefetching; only a big queue guesses (a small one sits in cache).
    pub fn upcoming(&self, k: usize) -> Option<EvId> {
        self.big.as_ref().and_then(|b| b.upcoming(k))
    }
    pub fn pop(&mut self) -> Option<(Time, EvId)> {
        let Some(big) = &mut self.big else {
            if self.small.is_empty() {
                return self.tiny.pop();
            }
            let next = self.small.pop().map(|r| r.0);
            if self.small.len() < TINY_BACK {
                self.tiny = std::mem::take(&mut self.small).into_sorted_vec().into_iter().map(|r| r.0).collect();
            }
            return next;
        };
        let next = big.pop();
        if big.len() < SMALL
            && let Some(big) = self.big.take()
        {
            self.small = big.drain().collect();
        }
        next
    }
}

/// An ascending, lazy walk over one part of a [`TimeQueue`].
enum Walk<'a> {
    /// Entries already in order.
    Sorted(Box<dyn Iterator<Item = (Time, EvId)> + 'a>),
    /// A binary heap's array, walked best-first from its root.
    Heap(HeapWalk<'a>),
    /// A radix heap, walked bucket by bucket (each bucket sorted when reached).
    Radix(RadixWalk<'a>),
}

impl Iterator for Walk<'_> {
    type Item = (Time, EvId);
    fn next(&mut self) -> Option<(Time, EvId)> {
        match self {
            Walk::Sorted(it) => it.next(),
            Walk::Heap(h) => h.next(),
            Walk::Radix(r) => r.next(),
        }
    }
}

/// Best-first walk of a min-heap laid out in an array (`std`'s
/// `BinaryHeap` keeps its elements in one, the children of `i` at `2i+1`
/// and `2i+2`): each step pops the smallest of a frontier that holds at
/// most one more entry per step, so `k` entries cost O(k log k) however big
/// the heap is.
struct HeapWalk<'a> {
    heap: &'a [Reverse<(Time, EvId)>],
    frontier: BinaryHeap<Reverse<((Time, EvId), usize)>>,
}

impl<'a> HeapWalk<'a> {
    fn new(heap: &'a [Reverse<(Time, EvId)>]) -> Self {
        let mut frontier = BinaryHeap::new();
        if let Some(r) = heap.first() {
            frontier.push(Reverse((r.0, 0)));
        }
        HeapWalk { heap, frontier }
    }
}

impl Iterator for HeapWalk<'_> {
    type Item = (Time, EvId);
    fn next(&mut self) -> Option<(Time, EvId)> {
        let Reverse((key, i)) = self.frontier.pop()?;
        for c in [2 * i + 1, 2 * i + 2] {
            if let Some(r) = self.heap.get(c) {
                self.frontier.push(Reverse((r.0, c)));
            }
        }
        Some(key)
    }
}

/// Walk of a radix heap: its iterator goes through the buckets in order,
/// and every key of a bucket comes before every key of the next one (the
/// radix heap's invariant), so only the buckets reached are sorted. Before
/// its first pop a radix heap has no top and keeps everything in one
/// unsorted bucket: then that is sorted whole (once, right after a queue
/// turns big).
struct RadixWalk<'a> {
    iter: radix_heap::Iter<'a, Reverse<Time>, EvId>,
    top: Option<Reverse<Time>>,
    /// The current bucket, sorted largest first (popped from the end).
    bucket: Vec<(Time, EvId)>,
    /// The first entry of the next bucket, read while filling this one.
    ahead: Option<(Reverse<Time>, EvId)>,
}

impl Iterator for RadixWalk<'_> {
    type Item = (Time, EvId);
    fn next(&mut self) -> Option<(Time, EvId)> {
        use radix_heap::Radix;
        if self.bucket.is_empty() {
            let (key, id) = self.ahead.take().or_else(|| self.iter.next().copied())?;
            self.bucket.push((key.0, id));
            match self.top {
                None => self.bucket.extend(self.iter.by_ref().map(|&(k, id)| (k.0, id))),
                Some(top) => {
                    let d = key.radix_distance(&top);
                    for &(k, id) in self.iter.by_ref() {
                        if k.radix_distance(&top) != d {
                            self.ahead = Some((k, id));
                            break;
                        }
                        self.bucket.push((k.0, id));
                    }
                }
            }
            self.bucket.sort_unstable_by(|a, b| b.cmp(a));
        }
        self.bucket.pop()
    }
}

impl TimeQueue {
    /// The first `k` entries that `live` accepts (the others are stale), in
    /// the order they will be popped, without changing the queue. A repeated
    /// entry counts once. The cost grows with `k` (and the stale entries
    /// passed), not with the queue: what a pane listing the next events
    /// to deliver needs every frame.
    pub fn first(&self, k: usize, mut live: impl FnMut(Time, EvId) -> bool) -> Vec<(Time, EvId)> {
        let mut walks: Vec<std::iter::Peekable<Walk>> = Vec::new();
        match &self.big {
            None => {
                walks.push(Walk::Sorted(Box::new(self.tiny.iter().rev().copied())).peekable());
                walks.push(Walk::Heap(HeapWalk::new(self.small.as_slice())).peekable());
            }
            Some(big) => {
                let due = big.ready_due;
                walks.push(Walk::Sorted(Box::new(big.ready.iter().rev().map(move |&id| (due, id)))).peekable());
                walks.push(Walk::Sorted(Box::new(big.next.into_iter())).peekable());
                walks.push(
                    Walk::Radix(RadixWalk {
                        iter: big.radix.iter(),
                        top: big.radix.top(),
                        bucket: Vec::new(),
                        ahead: None,
                    })
                    .peekable(),
                );
                walks.push(Walk::Heap(HeapWalk::new(big.late.as_slice())).peekable());
            }
        }
        let mut out: Vec<(Time, EvId)> = Vec::with_capacity(k.min(1024));
        while out.len() < k {
            let Some(w) = walks.iter_mut().filter_map(|w| w.peek().copied().map(|key| (key, w))).min_by_key(|x| x.0)
            else {
                break;
            };
            let (key, walk) = w;
            walk.next();
            if out.last() != Some(&key) && live(key.0, key.1) {
                out.push(key);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_set_keeps_id_order_and_compacts() {
        let mut s = PendingSet::default();
        for id in [3, 4, 7, 9] {
            s.insert(id, id * 10);
        }
        assert_eq!(s.len(), 4);
        assert_eq!(s.get(7), Some(&70));
        assert_eq!(s.get(5), None);
        assert_eq!(s.remove(3), Some(30));
        assert_eq!(s.remove(3), None);
        assert_eq!(s.iter().map(|(k, _)| k).collect::<Vec<_>>(), vec![4, 7, 9]);
        assert_eq!(s.before(9).map(|(k, _)| k).collect::<Vec<_>>(), vec![4, 7]);
        assert_eq!(s.after(4).map(|(k, _)| k).collect::<Vec<_>>(), vec![7, 9]);
        assert_eq!(s.after(1).map(|(k, _)| k).collect::<Vec<_>>(), vec![4, 7, 9]);
        s.remove(4);
        s.remove(7);
        s.remove(9);
        assert!(s.is_empty());
        s.insert(12, 1);
        assert_eq!(s.iter().map(|(k, _)| k).collect::<Vec<_>>(), vec![12]);
    }

    #[test]
    fn time_queue_orders_by_due_then_id() {
        let mut q = TimeQueue::default();
        q.push(5, 2);
        q.push(3, 9);
        q.push(5, 1);
        q.push(3, 4);
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![(3, 4), (3, 9), (5, 1), (5, 2)]);
    }

    #[test]
    fn time_queue_takes_keys_behind_its_floor() {
        let mut q = Big::default();
        q.push((10, 1));
        q.push((20, 2));
        assert_eq!(q.pop(), Some((10, 1)));
        // Behind the last pop: a radix heap alone would panic here.
        q.push((5, 3));
        q.push((10, 4));
        assert_eq!(q.peek(), Some((5, 3)));
        q.push((15, 5));
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![(5, 3), (10, 4), (15, 5), (20, 2)]);
    }

    #[test]
    fn a_big_queue_guesses_the_next_ids_due_at_the_head_time() {
        let mut q = TimeQueue::default();
        for id in 1..=BIG as u64 {
            q.push(10 + id % 3, id);
        }
        assert!(q.big.is_some(), "the test must reach the radix heap");
        assert_eq!(q.peek(), Some((10, 3)));
        assert_eq!((q.upcoming(1), q.upcoming(2)), (Some(6), Some(9)));
        q.pop();
        assert_eq!(q.upcoming(1), Some(9));
        // Nothing to guess for a small queue: it sits in cache anyway.
        let mut small = TimeQueue::default();
        small.push(1, 1);
        small.push(1, 2);
        assert_eq!(small.upcoming(1), None);
    }

    #[test]
    fn a_big_queue_takes_a_key_between_the_head_time_and_the_next() {
        // Sparse due times: filling `ready` (due 10) has already popped the
        // next due time (20) out of the radix heap, so a key due at 15 must
        // not go into it (the radix heap's order assertion panicked here).
        let mut q = TimeQueue::default();
        for id in 1..=BIG as u64 {
            q.push(if id % 2 == 0 { 10 } else { 20 }, id);
        }
        assert!(q.big.is_some(), "the test must reach the radix heap");
        assert_eq!(q.pop(), Some((10, 2)));
        q.push(15, BIG as u64 + 1);
        q.push(10, BIG as u64 + 2);
        q.push(20, BIG as u64 + 3);
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order.len(), BIG + 2);
        assert!(order.windows(2).all(|w| w[0] < w[1]), "keys come out in order");
        assert_eq!(order[BIG / 2 - 1..BIG / 2 + 2], [(10, BIG as u64 + 2), (15, BIG as u64 + 1), (20, 1)]);
    }

    /// `first(k)` of `q` against the reference heap's `k` smallest, with
    /// and without a liveness filter (odd ids only).
    fn check_first(q: &TimeQueue, reference: &BinaryHeap<Reverse<(u64, u64)>>, k: usize) {
        let mut want: Vec<(u64, u64)> = reference.iter().map(|r| r.0).collect();
        want.sort_unstable();
        let odd: Vec<(u64, u64)> = want.iter().copied().filter(|x| x.1 % 2 == 1).take(k).collect();
        want.truncate(k);
        assert_eq!(q.first(k, |_, _| true), want);
        assert_eq!(q.first(k, |_, id| id % 2 == 1), odd);
    }

    #[test]
    fn first_lists_what_pop_gives_without_popping() {
        let mut q = TimeQueue::default();
        for (due, id) in [(5, 2), (3, 9), (5, 1), (3, 4), (3, 4)] {
            q.push(due, id);
        }
        // The repeated (3, 4) counts once; the queue is unchanged.
        assert_eq!(q.first(3, |_, _| true), vec![(3, 4), (3, 9), (5, 1)]);
        assert_eq!(q.first(9, |_, id| id != 9), vec![(3, 4), (5, 1), (5, 2)]);
        assert_eq!(q.len(), 5);
        assert_eq!(q.pop(), Some((3, 4)));
    }

    /// A tiny deterministic generator for the randomised queue tests.
    fn xorshift(mut x: u64) -> impl FnMut() -> u64 {
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    #[test]
    fn time_queue_matches_a_binary_heap_on_monotone_pushes() {
        let mut q = TimeQueue::default();
        let mut reference = BinaryHeap::new();
        let mut rand = xorshift(88172645463325252u64);
        let (mut now, mut id) = (0u64, 0u64);
        let (mut was_big, mut checked_big) = (false, false);
        for i in 0..200_000 {
            // Grow past BIG, shrink below SMALL, grow again.
            let grow =
                if (50_000..120_000).contains(&i) { rand().is_multiple_of(3) } else { !rand().is_multiple_of(3) };
            was_big |= q.big.is_some();
            if grow || reference.is_empty() {
                id += 1;
                let due = now + rand() % 50;
                q.push(due, id);
                reference.push(Reverse((due, id)));
            } else {
                let want = reference.pop().map(|r: Reverse<(u64, u64)>| r.0);
                assert_eq!(q.pop(), want);
                now = want.unwrap().0;
            }
            assert_eq!(q.len(), reference.len());
            if i % 4_999 == 0 {
                check_first(&q, &reference, 40);
                checked_big |= q.big.as_ref().is_some_and(|b| b.radix.top().is_some());
            }
        }
        assert!(was_big, "the test must reach the radix heap");
        assert!(checked_big, "first() must be checked on a radix heap with a top");
    }

    #[test]
    fn time_queue_moves_between_the_sorted_vec_and_the_heap() {
        let mut q = TimeQueue::default();
        let mut reference = BinaryHeap::new();
        let mut rand = xorshift(0x9E3779B97F4A7C15u64);
        let (mut id, mut tiers) = (0u64, [false; 2]);
        for i in 0..50_000 {
            // Waves between empty and a few hundred entries; any key at all.
            let grow = (i / 500) % 2 == 0;
            if (grow && !rand().is_multiple_of(4)) || reference.is_empty() {
                id += 1;
                let due = rand() % 1_000;
                q.push(due, id);
                reference.push(Reverse((due, id)));
            } else {
                let want = reference.pop().map(|r: Reverse<(u64, u64)>| r.0);
                assert_eq!(q.peek(), want);
                assert_eq!(q.pop(), want);
            }
            tiers[q.small.is_empty() as usize] = true;
            assert_eq!(q.len(), reference.len());
            if i % 97 == 0 {
                check_first(&q, &reference, 25);
            }
        }
        assert_eq!(tiers, [true, true], "the test must use both the heap and the sorted deque");
    }
}
