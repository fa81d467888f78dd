//! The Cells the router sends to, as the topology service last listed them. The table is
//! refreshed on a schedule and kept when the topology cannot be reached, so routing goes on.

use std::sync::{Arc, RwLock};

use orgcells_core::ids::CellId;
use orgcells_topology::CellEntry;

/// The known Cells, by id.
#[derive(Debug, Default)]
pub struct Cells {
    table: RwLock<Arc<Vec<CellEntry>>>,
}

impl Cells {
    /// Replaces the table with a fresh listing (sorted by id).
    pub fn replace(&self, mut cells: Vec<CellEntry>) {
        cells.sort_by_key(|cell| cell.id);
        let table = Arc::new(cells);
        match self.table.write() {
            Ok(mut current) => *current = table,
            Err(poisoned) => *poisoned.into_inner() = table,
        }
    }

    /// Every known Cell, by id.
    pub fn table(&self) -> Arc<Vec<CellEntry>> {
        match self.table.read() {
            Ok(table) => table.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Whether any Cell is known yet.
    pub fn known(&self) -> bool {
        !self.table().is_empty()
    }

    pub fn get(&self, id: CellId) -> Option<CellEntry> {
        self.table().iter().find(|cell| cell.id == id.0).cloned()
    }

    /// The Cell a new Organization goes to, by the placement policy, from the last listing's
    /// counts and the placements made since.
    pub fn placement(&self) -> Option<CellEntry> {
        least_loaded(&self.table()).cloned()
    }

    /// Counts one more Organization on Cell `id` (this router just placed one there), until
    /// the next listing gives the topology's count.
    pub fn placed(&self, id: u16) {
        let mut table = match self.table.write() {
            Ok(table) => table,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(cell) = Arc::make_mut(&mut table)
            .iter_mut()
            .find(|cell| cell.id == id)
        {
            cell.organizations_count = Some(cell.organizations_count.unwrap_or(0) + 1);
        }
    }

    /// The Cell with the lowest id: where requests that name no owner go.
    pub fn first(&self) -> Option<CellEntry> {
        self.table().first().cloned()
    }
}

/// The Cell a new Organization goes to: the one holding the fewest Organizations, the lowest
/// id among equals (the placement policy "least loaded").
pub fn least_loaded(cells: &[CellEntry]) -> Option<&CellEntry> {
    cells
        .iter()
        .min_by_key(|cell| (cell.organizations_count.unwrap_or(0), cell.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(id: u16, organizations: i64) -> CellEntry {
        CellEntry {
            id,
            name: format!("cell-{id}"),
            address: format!("http://127.0.0.1:{}", 8000 + id),
            session_prefix: format!("cell{id}"),
            organizations_count: Some(organizations),
        }
    }

    #[test]
    fn new_organizations_go_to_the_least_loaded_cell() {
        // (Organizations on each Cell by id, the Cell chosen); one line per case.
        type Counts = &'static [(u16, i64)];
        let cases: &[(Counts, Option<u16>)] = &[
            (&[], None),
            (&[(1, 0)], Some(1)),
            (&[(1, 5), (2, 3), (3, 4)], Some(2)),
            (&[(1, 2), (2, 2), (3, 2)], Some(1)),
            (&[(3, 0), (2, 0)], Some(2)),
            (&[(1, 1), (2, 0), (3, 0)], Some(2)),
        ];
        for (counts, expected) in cases {
            let cells: Vec<CellEntry> = counts.iter().map(|(id, n)| cell(*id, *n)).collect();
            assert_eq!(
                least_loaded(&cells).map(|cell| cell.id),
                *expected,
                "{counts:?}"
            );
        }
    }

    #[test]
    fn the_table_answers_by_id_and_first() {
        let cells = Cells::default();
        assert!(!cells.known());
        assert_eq!(cells.first(), None);
        cells.replace(vec![cell(3, 0), cell(1, 0), cell(2, 0)]);
        assert!(cells.known());
        assert_eq!(cells.first().map(|c| c.id), Some(1));
        assert_eq!(cells.get(CellId(2)).map(|c| c.id), Some(2));
        assert_eq!(cells.get(CellId(9)), None);
    }

    #[test]
    fn placements_count_until_the_next_listing() {
        let cells = Cells::default();
        assert_eq!(cells.placement(), None);
        cells.replace(vec![cell(1, 1), cell(2, 0), cell(3, 0)]);
        let mut placed = Vec::new();
        for _ in 0..5 {
            let cell = cells.placement().expect("a Cell").id;
            cells.placed(cell);
            placed.push(cell);
        }
        assert_eq!(placed, [2, 3, 1, 2, 3]);
        cells.placed(9);
        cells.replace(vec![cell(1, 0), cell(2, 7), cell(3, 7)]);
        assert_eq!(cells.placement().map(|c| c.id), Some(1));
    }
}
