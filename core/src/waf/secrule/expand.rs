//! Macros: `%{tx.anomaly_score}`, `%{MATCHED_VAR}`, `%{request_headers.host}` in messages,
//! `setvar` values and operator arguments, parsed once when the rule is loaded and expanded
//! per transaction.

/// Text with macros, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    /// `%{VARIABLE}` or `%{VARIABLE.key}`: the variable upper case, the key lower case.
    Macro {
        variable: String,
        key: Option<String>,
    },
}

/// What a template is expanded against: the transaction.
pub trait Lookup {
    /// Appends the value of `variable` (upper case), or of its member `key` (lower case), to
    /// `out`; nothing when there is none.
    fn lookup(&self, variable: &str, key: Option<&str>, out: &mut Vec<u8>);
}

impl Template {
    pub fn parse(text: &str) -> Template {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("%{") {
            let Some(length) = rest[start + 2..].find('}') else {
                break;
            };
            if start > 0 {
                parts.push(Part::Literal(rest[..start].to_owned()));
            }
            let inner = &rest[start + 2..start + 2 + length];
            let (variable, key) = match inner.split_once('.') {
                Some((variable, key)) => (variable, Some(key.to_ascii_lowercase())),
                None => (inner, None),
            };
            parts.push(Part::Macro {
                variable: variable.to_ascii_uppercase(),
                key,
            });
            rest = &rest[start + 2 + length + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        Template { parts }
    }

    /// The text when it has no macros.
    pub fn literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [Part::Literal(text)] => Some(text),
            _ => None,
        }
    }

    /// The literal text before the first macro (all of it when there is none).
    pub fn literal_prefix(&self) -> &str {
        match self.parts.first() {
            Some(Part::Literal(text)) => text,
            _ => "",
        }
    }

    /// The macros, as (upper-case variable, lower-case key): what an expansion reads.
    pub fn macros(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.parts.iter().filter_map(|part| match part {
            Part::Literal(_) => None,
            Part::Macro { variable, key } => Some((variable.as_str(), key.as_deref())),
        })
    }

    /// Appends the expansion to `out`.
    pub fn expand(&self, lookup: &dyn Lookup, out: &mut Vec<u8>) {
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.extend_from_slice(text.as_bytes()),
                Part::Macro { variable, key } => lookup.lookup(variable, key.as_deref(), out),
            }
        }
    }

    /// The expansion as a new buffer.
    pub fn expand_to_vec(&self, lookup: &dyn Lookup) -> Vec<u8> {
        let mut out = Vec::new();
        self.expand(lookup, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;

    impl Lookup for Fixed {
        fn lookup(&self, variable: &str, key: Option<&str>, out: &mut Vec<u8>) {
            out.extend_from_slice(format!("<{variable}|{}>", key.unwrap_or("-")).as_bytes());
        }
    }

    #[test]
    fn macros_expand() {
        let check = |text: &str, expect: &str| {
            assert_eq!(
                Template::parse(text).expand_to_vec(&Fixed),
                expect.as_bytes(),
                "{text}"
            );
        };
        check(
            "+%{tx.critical_anomaly_score}",
            "+<TX|critical_anomaly_score>",
        );
        check(
            "%{MATCHED_VAR_NAME}: %{matched_var}",
            "<MATCHED_VAR_NAME|->: <MATCHED_VAR|->",
        );
        check("tx.%{rule.id}-x", "tx.<RULE|id>-x");
        check("no macro", "no macro");
        check("open %{tx.a", "open %{tx.a");
        assert_eq!(Template::parse("5").literal(), Some("5"));
        assert_eq!(Template::parse("%{tx.a}").literal(), None);
    }
}
