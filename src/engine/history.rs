//! A run's history: every event in order (`eN` is the N-th), what the
//! space-time diagram, `hb`, the ground-truth vector clocks and the
//! monitors that ask for it read.

use super::record::EventRec;

/// The events of a run. A state of the model checker's search whose
/// monitor reads no history counts its events without keeping them
/// ([`History::copy_from`]): copying the history into every state was a
/// tenth of a search's time and most of a state's memory.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// The events from `skipped` on.
    recs: Vec<EventRec>,
    /// Events counted and not kept (none in a run that keeps its history).
    skipped: usize,
    /// Count from now on, keep nothing.
    counting: bool,
}

impl History {
    /// Events so far (kept or not).
    pub fn len(&self) -> usize {
        self.skipped + self.recs.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Append an event; its index.
    pub fn push(&mut self, rec: EventRec) -> usize {
        let index = self.len();
        if self.counting {
            self.skipped += 1;
        } else {
            self.recs.push(rec);
        }
        index
    }
    /// Event `i`, if it is kept.
    pub fn get(&self, i: usize) -> Option<&EventRec> {
        i.checked_sub(self.skipped).and_then(|i| self.recs.get(i))
    }
    pub fn get_mut(&mut self, i: usize) -> Option<&mut EventRec> {
        i.checked_sub(self.skipped).and_then(|i| self.recs.get_mut(i))
    }
    /// Every event, `e0` first: the whole history of a run that keeps it,
    /// nothing of one that only counts.
    pub fn records(&self) -> &[EventRec] {
        if self.skipped == 0 { &self.recs } else { &[] }
    }
    /// Become a copy of `src` that keeps its events (`keep`) or only
    /// counts them from now on, reusing this history's buffer.
    pub fn copy_from(&mut self, src: &History, keep: bool) {
        self.recs.clear();
        if keep && !src.counting {
            // A buffer too small is replaced, not grown: growing would copy
            // the events it held, which are about to be overwritten. Room
            // for the next few events, so that their pushes move nothing.
            let need = src.recs.len() + 4;
            if self.recs.capacity() < need {
                self.recs = Vec::with_capacity(need + 16);
            }
            self.recs.extend_from_slice(&src.recs);
            self.skipped = src.skipped;
            self.counting = false;
        } else {
            self.skipped = src.len();
            self.counting = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::record::EvKind;

    fn rec(step: u64) -> EventRec {
        EventRec { step, time: step, node: 0, lamport: step, kind: EvKind::Start, sends: 0 }
    }

    #[test]
    fn a_counting_copy_numbers_events_as_the_original_and_keeps_none() {
        let mut full = History::default();
        for s in 0..3 {
            assert_eq!(full.push(rec(s)), s as usize);
        }
        let mut lean = History::default();
        lean.copy_from(&full, false);
        assert_eq!((lean.len(), lean.records().len()), (3, 0));
        assert_eq!(lean.push(rec(3)), 3);
        assert_eq!(full.push(rec(3)), 3);
        assert!(lean.get(3).is_none() && lean.get_mut(1).is_none());
        assert_eq!(full.get(3).map(|r| r.step), Some(3));
        // A copy of a counting history counts too, even when asked to keep.
        let mut again = History::default();
        again.copy_from(&lean, true);
        assert_eq!((again.len(), again.records().len()), (4, 0));
        // A keeping copy keeps everything, into a buffer that had other events.
        let mut kept = lean.clone();
        kept.copy_from(&full, true);
        assert_eq!(kept.records(), full.records());
        assert_eq!(kept.push(rec(4)), 4);
        assert_eq!(kept.get(4).map(|r| r.step), Some(4));
    }
}
