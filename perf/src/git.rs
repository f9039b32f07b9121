//! The one place that runs git: turning a revision the user typed into a commit id.

use std::process::Command;

use crate::error::Error;

/// `git rev-parse --verify REV^{commit}`: the full commit id, or an error naming the revision.
pub fn rev_parse(revision: &str) -> Result<String, Error> {
    let output = Command::new("git")
        .args(["rev-parse", "--verify", "--quiet"])
        .arg(format!("{revision}^{{commit}}"))
        .output()
        .map_err(|error| Error::data(format!("cannot run git to resolve {revision:?}: {error}")))?;
    let commit = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if !output.status.success() || commit.is_empty() {
        return Err(Error::data(format!(
            "{revision:?} is neither a recorded commit nor a git revision"
        )));
    }
    Ok(commit)
}
