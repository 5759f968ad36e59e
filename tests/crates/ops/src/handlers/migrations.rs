//! The functions behind the spec's `custom` migration ops: `query` (one
//! string) became `terms` (its words) in 2.0.0, and 3.0.0 results carry
//! `schema: "3"`.

use super::App;
use crate::generated::migrations::Migrations;
use mcpgen_runtime::serde_json::{Value, json};

impl Migrations for App {
    fn split_query(&self, value: &mut Value) -> Result<(), String> {
        let Some(object) = value.as_object_mut() else {
            return Ok(());
        };
        match object.remove("query") {
            None => {}
            Some(Value::String(query)) => {
                let terms: Vec<&str> = query.split_whitespace().collect();
                object.insert("terms".to_owned(), json!(terms));
            }
            Some(other) => return Err(format!("`query` is not a string: {other}")),
        }
        Ok(())
    }

    fn join_query(&self, value: &mut Value) -> Result<(), String> {
        let Some(object) = value.as_object_mut() else {
            return Ok(());
        };
        match object.remove("terms") {
            None => {}
            Some(Value::Array(terms)) => {
                let words: Option<Vec<&str>> = terms.iter().map(Value::as_str).collect();
                let words = words.ok_or("`terms` holds a non-string")?;
                object.insert("query".to_owned(), json!(words.join(" ")));
            }
            Some(other) => return Err(format!("`terms` is not an array: {other}")),
        }
        Ok(())
    }

    fn add_schema_tag(&self, value: &mut Value) -> Result<(), String> {
        if let Some(object) = value.as_object_mut() {
            object.insert("schema".to_owned(), json!("3"));
        }
        Ok(())
    }

    fn drop_schema_tag(&self, value: &mut Value) -> Result<(), String> {
        if let Some(object) = value.as_object_mut() {
            object.remove("schema");
        }
        Ok(())
    }
}
