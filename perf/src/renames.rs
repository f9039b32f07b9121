//! Cases the bench renamed while measuring the same thing, so the history keeps one series per
//! measurement across the rename: a results file that still uses an old name is recorded
//! under the new one (`input`), and the committed history was rewritten once by the same
//! table when the rename was made.
//!
//! Only a rename of an unchanged measurement belongs here. A case whose load or setup changed
//! gets a new name and starts a new series (the `h2` scenario's `-c32 -m16` cases `h2-tls` and
//! `h2c`, replaced by its 100-stream cases, stay in the history under their own names).

/// One renamed case of one scenario.
pub struct CaseRename {
    pub scenario: &'static str,
    pub old: &'static str,
    pub new: &'static str,
}

pub const CASE_RENAMES: &[CaseRename] = &[
    // A new connection per request, resumed by session ticket: `handshake` until the full
    // handshake was measured beside it as `handshake-full`.
    CaseRename {
        scenario: "tls",
        old: "handshake",
        new: "handshake-resumed",
    },
];

/// The current name of `case` in `scenario`.
pub fn current_case<'a>(scenario: &str, case: &'a str) -> &'a str {
    CASE_RENAMES
        .iter()
        .find(|rename| rename.scenario == scenario && rename.old == case)
        .map_or(case, |rename| rename.new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_names_map_to_new_ones_within_their_scenario() {
        assert_eq!(current_case("tls", "handshake"), "handshake-resumed");
        assert_eq!(current_case("tls", "handshake-full"), "handshake-full");
        assert_eq!(current_case("tls", "keepalive"), "keepalive");
        assert_eq!(current_case("h2", "handshake"), "handshake");
        for rename in CASE_RENAMES {
            assert_ne!(rename.old, rename.new);
            // No chains: a new name is never renamed again without updating this entry.
            assert_eq!(current_case(rename.scenario, rename.new), rename.new);
        }
    }
}
