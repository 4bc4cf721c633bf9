//! shared-memory: the monitor (`no-read-of-empty`, `reads-see-writes`,
//! `all-read`), the array's table pane and every process's log.

use super::{ALL_READ, EMPTY, NO_READ_OF_EMPTY, Node, READS_SEE_WRITES, SEGMENT, Sum, WRITER};
use crate::algos::kit::screens::Screens;
use crate::engine::invariant::{Change, Monitor, Table, Transcript, Violation, World};
use crate::engine::protocol::NodeId;
use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
#[derive(Clone)]
pub struct Check {
    /// Every value ever stored in each cell.
    written: Vec<BTreeSet<i64>>,
    /// Per reader, the values it took, in order.
    reads: Vec<Vec<i64>>,
    /// Per process, its log (the last `LOG_MAX` lines).
    logs: Screens,
    cells: Vec<i64>,
    touched: Vec<String>,
    /// The cell accessed last (the table highlights it).
    last: Option<usize>,
}

/// Log lines kept per process (the last ones) for the result and the pane.
pub const LOG_MAX: usize = 1000;

impl Check {
    pub fn new(n: usize, cells: usize) -> Self {
        Check {
            written: vec![BTreeSet::new(); cells],
            reads: vec![Vec::new(); n],
            logs: Screens::new(n, LOG_MAX),
            cells: vec![EMPTY; cells],
            touched: vec!["-".into(); cells],
            last: None,
        }
    }
}

impl Monitor<Node> for Check {
    fn reads_history(&self) -> bool {
        false
    }

    /// The values written and read, and the cells; the logs are left out.
    fn fingerprint(&self, _w: &World<Node>, mut h: &mut dyn Hasher) {
        (&self.written, &self.reads, &self.cells).hash(&mut h);
    }

    fn on_change(&mut self, w: &World<Node>, change: Change, _old: Option<&Sum>) -> Vec<Violation> {
        let Change::Summary(x) = change else { return Vec::new() };
        let s = &w.summaries[x];
        self.logs.print(x, &s.lines);
        let mut out = Vec::new();
        if x == SEGMENT {
            if let Some((cell, value)) = s.stored
                && let Some(set) = self.written.get_mut(cell as usize)
            {
                set.insert(value);
            }
            self.last = s.touched.iter().zip(&self.touched).position(|(now, was)| now != was).or(self.last);
            if let Some((cell, _)) = s.stored {
                self.last = Some(cell as usize);
            }
            self.cells = s.cells.clone();
            self.touched = s.touched.clone();
        } else if let Some((cell, value)) = s.took {
            self.reads[x].push(value);
            if value == EMPTY {
                out.push(w.violation(
                    NO_READ_OF_EMPTY.name,
                    format!("process{x} took −1 from shared[{cell}] for data: nothing was written there yet"),
                ));
            } else if !self.written.get(cell as usize).is_some_and(|set| set.contains(&value)) {
                out.push(w.violation(
                    READS_SEE_WRITES.name,
                    format!("process{x} read {value} from shared[{cell}], which was never stored there"),
                ));
            }
        }
        out
    }

    fn at_quiescence(&mut self, w: &World<Node>) -> Vec<Violation> {
        let cells = self.cells.len();
        w.live()
            .filter(|&x| x > WRITER && !w.summaries[x].finished)
            .map(|x| {
                w.violation(ALL_READ.name, format!("process{x} stopped before reading all {cells} cells")).about(&[x])
            })
            .collect()
    }

    /// The shared array, cell by cell (one column a cell), with who
    /// touched each cell last; the title names the cell accessed last.
    fn table(&self, _w: &World<Node>) -> Option<Table> {
        let title = match self.last {
            Some(c) => format!("shared array · last access [{c}]"),
            None => "shared array".to_string(),
        };
        let names: Vec<String> = (0..self.cells.len()).map(|i| i.to_string()).collect();
        let mut header = vec!["cell"];
        header.extend(names.iter().map(String::as_str));
        let mut t = Table::new(title, &header);
        t.row(std::iter::once("value".to_string()).chain(self.cells.iter().map(|v| v.to_string())).collect());
        t.row(std::iter::once("by".to_string()).chain(self.touched.iter().cloned()).collect());
        t.stretch = Some(0);
        Some(t)
    }

    /// Every process's log, as its console shows it (the segment has none).
    fn transcript(&self, w: &World<Node>, focus: NodeId, limit: usize, tail: usize) -> Option<Transcript> {
        let title = |i: NodeId| format!("process{i} · {}", if i == WRITER { "writer" } else { "reader" });
        // With the segment selected, the writer's log comes first.
        let focus = if focus == SEGMENT { WRITER } else { focus };
        Some(self.logs.transcript(focus, WRITER..w.n(), limit, tail, title))
    }

    fn result(&self, w: &World<Node>) -> serde_json::Value {
        let reads: serde_json::Map<String, serde_json::Value> =
            (WRITER + 1..w.n()).map(|x| (x.to_string(), self.reads[x].clone().into())).collect();
        let logs: serde_json::Map<String, serde_json::Value> =
            (WRITER..w.n()).map(|x| (x.to_string(), self.logs.lines(x).cloned().collect::<Vec<_>>().into())).collect();
        serde_json::json!({
            "array": self.cells,
            "touched": self.touched,
            "reads": reads,
            "logs": logs,
        })
    }
}
