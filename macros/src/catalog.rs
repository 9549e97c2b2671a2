//! The names `#[event]` knows without being told: every event of herald's catalog, with the type
//! each takes (`catalog_table.rs`, generated from `herald::event::catalog()` by
//! `HERALD_BLESS=1 cargo test --test catalog`, which checks it too). `#[event]` also checks every
//! handler's parameter against its event's name at compile time, so this table and the runtime's
//! `Event::NAME`s cannot drift apart unnoticed.

use crate::catalog_table::CATALOG;

/// The parameter type of a known event.
pub(crate) fn lookup(name: &str) -> Option<&'static str> {
    CATALOG.iter().find(|(n, _)| *n == name).map(|(_, ty)| *ty)
}

/// The known event closest to a misspelt `name`, if one is close enough to be a typo.
pub(crate) fn closest(name: &str) -> Option<&'static str> {
    let (best, distance) = CATALOG
        .iter()
        .map(|(known, _)| (*known, edit_distance(name, known)))
        .min_by_key(|(_, d)| *d)?;
    let allowed = if name.len() <= 4 {
        1
    } else {
        2.max(name.len() / 5)
    };
    (distance > 0 && distance <= allowed).then_some(best)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_typos_only() {
        assert_eq!(closest("mesage"), Some("message"));
        assert_eq!(closest("member_jion"), Some("member_join"));
        assert_eq!(closest("raw_reaction_ad"), Some("raw_reaction_add"));
        assert_eq!(closest("level_up"), None);
        assert_eq!(closest("message"), None);
    }
}
