//! Diagnostics for machines: `--format json` (one JSON object per line, on stdout) and
//! `--format github` (GitHub Actions workflow commands, which show as annotations on the
//! lines of a pull request). `--format text` is [`Diagnostic`]'s own rustc-style display.

use crate::diagnostic::{Diagnostic, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// rustc-style text on stderr, for people.
    #[default]
    Text,
    /// One JSON object per problem and line on stdout: severity, message, file, line, column,
    /// label, help.
    Json,
    /// GitHub Actions annotations (`::error file=...,line=...::message`) on stdout.
    Github,
}

/// One line: the diagnostic as a JSON object. Positions are 1-based, in characters; absent
/// ones are `null`.
pub fn json(d: &Diagnostic) -> String {
    let file = d
        .file
        .as_ref()
        .map(|f| f.display().to_string().replace('\\', "/"));
    let value = serde_json::json!({
        "severity": d.severity.as_str(),
        "message": d.message,
        "file": file,
        "line": d.location.as_ref().map(|l| l.line),
        "column": d.location.as_ref().map(|l| l.column),
        "end_column": d.location.as_ref().map(|l| l.column + l.width),
        "label": d.label,
        "help": d.help,
    });
    value.to_string()
}

/// One line: the diagnostic as a GitHub Actions workflow command.
pub fn github(d: &Diagnostic) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut props = Vec::new();
    if let Some(file) = &d.file {
        props.push(format!(
            "file={}",
            property(&file.display().to_string().replace('\\', "/"))
        ));
    }
    if let Some(l) = &d.location {
        props.push(format!("line={}", l.line));
        props.push(format!("col={}", l.column));
        props.push(format!("endColumn={}", l.column + l.width));
    }
    props.push("title=factsheet".to_string());
    let mut message = d.message.clone();
    if let Some(label) = &d.label {
        message.push_str(&format!("\nnote: {label}"));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    format!("::{command} {}::{}", props.join(","), data(&message))
}

/// The escapes GitHub's runner undoes in a command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value also may not hold the `:` and `,` that delimit properties.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Diagnostic {
        let text = "+++\ntitel = \"Risks: 100%\"\n+++\n";
        Diagnostic::error("unknown front matter key `titel`")
            .in_file("content/a,b:c.md")
            .at_offset(text, 4, 5)
            .with_help("did you mean `title`?\nsecond line")
    }

    #[test]
    fn json_is_one_line_with_every_field() {
        insta::assert_snapshot!(json(&sample()), @r#"{"severity":"error","message":"unknown front matter key `titel`","file":"content/a,b:c.md","line":2,"column":1,"end_column":6,"label":null,"help":"did you mean `title`?\nsecond line"}"#);
        let bare = json(&Diagnostic::warning("no file"));
        insta::assert_snapshot!(bare, @r#"{"severity":"warning","message":"no file","file":null,"line":null,"column":null,"end_column":null,"label":null,"help":null}"#);
    }

    #[test]
    fn github_escapes_what_the_runner_reads_as_syntax() {
        insta::assert_snapshot!(github(&sample()), @"::error file=content/a%2Cb%3Ac.md,line=2,col=1,endColumn=6,title=factsheet::unknown front matter key `titel`%0Ahelp: did you mean `title`?%0Asecond line");
        let d = Diagnostic::info("50% done").with_label("x");
        insta::assert_snapshot!(github(&d), @"::notice title=factsheet::50%25 done%0Anote: x");
    }
}
