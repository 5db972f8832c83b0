//! Tabular output (CSV and JSON Lines) for results that load straight into DuckDB,
//! DataFusion, Athena or Spark: one flat record per row, with a fixed column list.

use serde_json::Value;
use std::io::Write;

/// Columns and rows; each row is a JSON object with (at most) those columns.
pub struct Table {
    /// Column names, in order.
    pub columns: Vec<&'static str>,
    /// Rows (JSON objects).
    pub rows: Vec<Value>,
}

/// A cell as CSV text: strings as they are, lists joined by `"; "`, `null` empty.
fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
    }
}

/// Quote a CSV field when it needs it (RFC 4180).
fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl Table {
    /// Write as CSV with a header line.
    pub fn write_csv(&self, w: &mut dyn Write) -> std::io::Result<()> {
        writeln!(w, "{}", self.columns.join(","))?;
        for r in &self.rows {
            let line: Vec<String> = self
                .columns
                .iter()
                .map(|c| quote(&cell(r.get(*c))))
                .collect();
            writeln!(w, "{}", line.join(","))?;
        }
        Ok(())
    }

    /// The rows as CSV lines, without the header.
    pub fn csv_rows(&self) -> String {
        let mut out = String::new();
        for r in &self.rows {
            let line: Vec<String> = self
                .columns
                .iter()
                .map(|c| quote(&cell(r.get(*c))))
                .collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        out
    }

    /// Write as JSON Lines (one object per row, columns in order).
    pub fn write_jsonl(&self, w: &mut dyn Write) -> std::io::Result<()> {
        for r in &self.rows {
            let mut m = serde_json::Map::new();
            for c in &self.columns {
                m.insert((*c).to_string(), r.get(*c).cloned().unwrap_or(Value::Null));
            }
            writeln!(w, "{}", Value::Object(m))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn csv_quotes_fields_and_joins_lists() {
        let t = Table {
            columns: vec!["a", "b", "c"],
            rows: vec![serde_json::json!({"a": "x,y", "b": ["p", "q"], "c": "say \"hi\""})],
        };
        let mut out = Vec::new();
        t.write_csv(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a,b,c\n\"x,y\",p; q,\"say \"\"hi\"\"\"\n"
        );
    }
}
