//! The table the bench prints: one row per figure, with its target where issue 6 sets one.

/// One line of the final table.
pub struct Row {
    section: &'static str,
    what: String,
    figure: String,
    target: String,
    /// None where the issue sets no target.
    met: Option<bool>,
}

pub struct Report {
    pub rows: Vec<Row>,
    /// What did not work at all (as opposed to missing a target): the bench then exits 1, so
    /// that CI notices.
    pub failures: Vec<String>,
}

impl Report {
    pub fn fail_if(&mut self, failed: bool, what: impl Into<String>) {
        if failed {
            self.failures.push(what.into());
        }
    }

    pub fn add(
        &mut self,
        section: &'static str,
        what: impl Into<String>,
        figure: impl Into<String>,
    ) {
        self.rows.push(Row {
            section,
            what: what.into(),
            figure: figure.into(),
            target: String::new(),
            met: None,
        });
    }

    pub fn target(
        &mut self,
        section: &'static str,
        what: impl Into<String>,
        figure: impl Into<String>,
        target: impl Into<String>,
        met: bool,
    ) {
        self.rows.push(Row {
            section,
            what: what.into(),
            figure: figure.into(),
            target: target.into(),
            met: Some(met),
        });
    }

    pub fn print(&self) {
        println!("| section | measure | figure | target | met |");
        println!("|---|---|---|---|---|");
        for row in &self.rows {
            let met = match row.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "",
            };
            println!(
                "| {} | {} | {} | {} | {} |",
                row.section, row.what, row.figure, row.target, met
            );
        }
    }
}

pub fn error_note(errors: u64) -> String {
    if errors == 0 {
        String::new()
    } else {
        format!(" ({errors} errors)")
    }
}

pub fn memory_row(report: &mut Report, section: &'static str, peak_kib: u64, measured: bool) {
    let mib = peak_kib as f64 / 1024.0;
    let how = if measured { "" } else { " (since start)" };
    report.target(
        section,
        format!("peak RSS during the run{how}"),
        format!("{mib:.1} MiB"),
        "≤ 64 MiB",
        mib <= 64.0,
    );
}
