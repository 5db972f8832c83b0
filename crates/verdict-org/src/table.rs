//! Tabular output (CSV, JSON Lines, Parquet) for results that load straight into
//! DuckDB, DataFusion, Athena or Spark: one flat record per row, with a fixed column
//! list. In Parquet, a column is `Int64` when its values are numbers, `List<Utf8>` when
//! they are lists, and `Utf8` otherwise (every column nullable); docs/snapshot.md lists
//! each command's columns.

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

/// The Arrow type of a column, from its first non-null value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    List,
    Text,
}

impl Table {
    fn kind(&self, col: &str) -> Kind {
        for r in &self.rows {
            match r.get(col) {
                Some(Value::Number(_)) => return Kind::Int,
                Some(Value::Array(_)) => return Kind::List,
                Some(Value::Null) | None => continue,
                Some(_) => return Kind::Text,
            }
        }
        Kind::Text
    }

    /// The Arrow schema of the Parquet output.
    pub fn arrow_schema(&self) -> arrow_schema::Schema {
        use arrow_schema::{DataType, Field};
        let fields: Vec<Field> = self
            .columns
            .iter()
            .map(|c| {
                let ty = match self.kind(c) {
                    Kind::Int => DataType::Int64,
                    Kind::List => DataType::List(std::sync::Arc::new(Field::new(
                        "item",
                        DataType::Utf8,
                        true,
                    ))),
                    Kind::Text => DataType::Utf8,
                };
                Field::new(*c, ty, true)
            })
            .collect();
        arrow_schema::Schema::new(fields)
    }

    /// The rows as an Arrow record batch of `schema` (columns by name).
    fn batch(
        &self,
        schema: &std::sync::Arc<arrow_schema::Schema>,
    ) -> Result<arrow_array::RecordBatch, String> {
        use arrow_array::builder::{ListBuilder, StringBuilder};
        use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
        use arrow_schema::DataType;
        let mut arrays: Vec<ArrayRef> = Vec::new();
        for f in schema.fields() {
            let col = self.rows.iter().map(|r| r.get(f.name()));
            let array: ArrayRef = match f.data_type() {
                DataType::Int64 => std::sync::Arc::new(
                    col.map(|v| v.and_then(Value::as_i64))
                        .collect::<Int64Array>(),
                ),
                DataType::List(_) => {
                    let mut b = ListBuilder::new(StringBuilder::new());
                    for v in col {
                        match v {
                            Some(Value::Array(items)) => {
                                for x in items {
                                    match x {
                                        Value::String(s) => b.values().append_value(s),
                                        other => b.values().append_value(other.to_string()),
                                    }
                                }
                                b.append(true);
                            }
                            None | Some(Value::Null) => b.append(false),
                            Some(other) => {
                                b.values().append_value(cell(Some(other)));
                                b.append(true);
                            }
                        }
                    }
                    std::sync::Arc::new(b.finish())
                }
                _ => std::sync::Arc::new(
                    col.map(|v| match v {
                        None | Some(Value::Null) => None,
                        Some(other) => Some(cell(Some(other))),
                    })
                    .collect::<StringArray>(),
                ),
            };
            arrays.push(array);
        }
        RecordBatch::try_new(schema.clone(), arrays).map_err(|e| e.to_string())
    }

    /// Write as one Parquet file.
    pub fn write_parquet<W: Write + Send>(&self, w: W) -> Result<(), String> {
        let mut out = ParquetOut::new(w);
        out.write(self)?;
        out.finish()
    }
}

/// A Parquet file written a table at a time (one row group each); the schema is that
/// of the first table.
pub struct ParquetOut<W: Write + Send> {
    sink: Option<W>,
    writer: Option<(
        std::sync::Arc<arrow_schema::Schema>,
        parquet::arrow::ArrowWriter<W>,
    )>,
}

impl<W: Write + Send> ParquetOut<W> {
    /// A writer into `w`.
    pub fn new(w: W) -> Self {
        ParquetOut {
            sink: Some(w),
            writer: None,
        }
    }

    /// Append the rows of `t`.
    pub fn write(&mut self, t: &Table) -> Result<(), String> {
        if self.writer.is_none() {
            let schema = std::sync::Arc::new(t.arrow_schema());
            let sink = self.sink.take().ok_or("the Parquet output is closed")?;
            let w = parquet::arrow::ArrowWriter::try_new(sink, schema.clone(), None)
                .map_err(|e| e.to_string())?;
            self.writer = Some((schema, w));
        }
        let (schema, w) = self.writer.as_mut().ok_or("the Parquet output is closed")?;
        let batch = t.batch(schema)?;
        w.write(&batch).map_err(|e| e.to_string())
    }

    /// Append a record batch built directly (its schema must be the same each time).
    pub fn write_batch(&mut self, batch: &arrow_array::RecordBatch) -> Result<(), String> {
        if self.writer.is_none() {
            let schema = batch.schema();
            let sink = self.sink.take().ok_or("the Parquet output is closed")?;
            let w = parquet::arrow::ArrowWriter::try_new(sink, schema.clone(), None)
                .map_err(|e| e.to_string())?;
            self.writer = Some((schema, w));
        }
        let (_, w) = self.writer.as_mut().ok_or("the Parquet output is closed")?;
        w.write(batch).map_err(|e| e.to_string())
    }

    /// Write the footer.
    pub fn finish(self) -> Result<(), String> {
        match self.writer {
            Some((_, w)) => w.close().map(|_| ()).map_err(|e| e.to_string()),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parquet_round_trips_with_typed_columns() {
        use arrow_array::Array;
        let t = Table {
            columns: vec!["principal", "count", "actions"],
            rows: vec![
                serde_json::json!({"principal": "arn:aws:iam::111122223333:user/a", "count": 2, "actions": ["s3:GetObject", "s3:PutObject"]}),
                serde_json::json!({"principal": "arn:aws:iam::111122223333:role/b", "count": 0, "actions": []}),
            ],
        };
        let path =
            std::env::temp_dir().join(format!("verdict-table-{}.parquet", std::process::id()));
        t.write_parquet(std::fs::File::create(&path).unwrap())
            .unwrap();
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
            std::fs::File::open(&path).unwrap(),
        )
        .unwrap()
        .build()
        .unwrap();
        let batches: Vec<_> = reader.map(|b| b.unwrap()).collect();
        assert_eq!(batches[0].num_rows(), 2);
        assert_eq!(
            batches[0].schema().field(1).data_type(),
            &arrow_schema::DataType::Int64
        );
        let list = batches[0]
            .column(2)
            .as_any()
            .downcast_ref::<arrow_array::ListArray>()
            .unwrap();
        assert_eq!(list.value_length(0), 2);
        let _ = std::fs::remove_file(&path);
    }

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
