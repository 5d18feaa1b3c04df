//! `json-parse FILE [--value]`: the "serde_json alone" baseline. Reads a native publication
//! whole and parses it into typed structs (or, with `--value`, into `serde_json::Value`), then
//! prints the number of entries it holds (entries, or add + amend + remove).

use std::process::ExitCode;

use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[allow(dead_code)]
struct Publication {
    list: String,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    source: Option<String>,
    kind: String,
    #[serde(default)]
    entries: Vec<Entry>,
    #[serde(default)]
    add: Vec<Entry>,
    #[serde(default)]
    amend: Vec<Entry>,
    #[serde(default)]
    remove: Vec<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Entry {
    id: String,
    name: String,
    #[serde(rename = "type", default)]
    entry_type: Option<String>,
    #[serde(default)]
    countries: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    addresses: Vec<String>,
    #[serde(default)]
    programs: Vec<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    license_requirement: Option<String>,
    #[serde(default)]
    license_policy: Option<String>,
    #[serde(default)]
    citations: Vec<String>,
    #[serde(default)]
    listed_on: Option<String>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = args.iter().any(|a| a == "--value");
    let files: Vec<&String> = args.iter().filter(|a| *a != "--value").collect();
    let [file] = files.as_slice() else {
        eprintln!("usage: json-parse FILE [--value]");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("json-parse: {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let count = if value {
        serde_json::from_slice::<Value>(&bytes).map(|doc| {
            ["entries", "add", "amend", "remove"]
                .iter()
                .filter_map(|k| doc.get(k).and_then(Value::as_array))
                .map(Vec::len)
                .sum::<usize>()
        })
    } else {
        serde_json::from_slice::<Publication>(&bytes)
            .map(|p| p.entries.len() + p.add.len() + p.amend.len() + p.remove.len())
    };
    match count {
        Ok(n) => {
            println!("{n}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("json-parse: {file}: {e}");
            ExitCode::from(2)
        }
    }
}
