//! The Analytics window's "Canned replies used" table: how often each
//! canned reply was used in the period (docs/METRICS.md), most used first.

use egui::{RichText, Ui};

use crate::analytics::CannedUse;

/// Draws the table, or why it could not be read, or that none was used.
pub fn canned_table(ui: &mut Ui, uses: Option<&Result<Vec<CannedUse>, String>>) {
    ui.heading("Canned replies used");
    match uses {
        None => {
            ui.spinner();
        }
        Some(Err(error)) => {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        Some(Ok(rows)) if rows.is_empty() => {
            ui.weak("No canned reply was used in this period.");
        }
        Some(Ok(rows)) => {
            egui::Grid::new("canned_uses")
                .num_columns(2)
                .striped(true)
                .spacing([24.0, 4.0])
                .show(ui, |ui| {
                    ui.label(RichText::new("Canned reply").strong());
                    ui.label(RichText::new("Uses").strong());
                    ui.end_row();
                    for row in rows {
                        if row.in_library {
                            ui.label(&row.title);
                        } else {
                            ui.label(format!("{} (deleted)", row.title));
                        }
                        ui.label(row.uses.to_string());
                        ui.end_row();
                    }
                });
        }
    }
}
