//! How often each canned reply was used in a period: its own small table in
//! the Analytics window and in both export formats (see docs/METRICS.md,
//! "Canned reply uses").

/// One canned reply's uses in a period.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CannedUse {
    /// The reply's id in the library.
    pub id: i64,
    /// Its title now, or the title it had when last used in the period if it
    /// was deleted since.
    pub title: String,
    /// Whether it is still in the library.
    pub in_library: bool,
    /// How many times it was used in the period: its trail entries there.
    pub uses: u64,
}

/// Orders the rows as every engine shows them: most used first, then by
/// title (ignoring case), then by id.
pub fn ordered(mut rows: Vec<CannedUse>) -> Vec<CannedUse> {
    rows.sort_by(|a, b| {
        b.uses
            .cmp(&a.uses)
            .then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase()))
            .then(a.id.cmp(&b.id))
    });
    rows
}
