//! The report's "Canned replies used" section, in both formats: one row per
//! reply used in the period (docs/METRICS.md), most used first.

use super::{SummaryRow, row};
use crate::analytics::CannedUse;

/// The section's rows: series "uses", the reply's title as the label (with
/// " (deleted)" for one deleted since), its uses as the value.
pub fn canned_rows(uses: &[CannedUse]) -> Vec<SummaryRow> {
    uses.iter()
        .map(|u| {
            let title = if u.in_library {
                u.title.clone()
            } else {
                format!("{} (deleted)", u.title)
            };
            row("canned_replies", "uses", &title, u.uses.to_string(), "uses")
        })
        .collect()
}
