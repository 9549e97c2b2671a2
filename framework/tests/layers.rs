//! The framework's layers hold: code in a layer names (`crate::module`) only modules of its own
//! layer or of layers below it, as the table in `src/lib.rs` says. `.ci/run` runs this check; it
//! fails naming each upward import, with its file and line.

use std::fs;
use std::path::{Path, PathBuf};

/// The layers, bottom first: each module may use those of its own layer and the layers below.
const LAYERS: &[&[&str]] = &[
    &["intents"],
    &["error"],
    &["event"],
    &["cache", "isolate", "report", "metrics"],
    &["router"],
    &["context", "listener", "command"],
    &["gateway"],
    &["bot", "testing"],
];

/// Items the crate root re-exports, by the module that defines them.
const ROOT_ITEMS: &[(&str, &str)] = &[
    ("Error", "error"),
    ("BoxError", "error"),
    ("Result", "error"),
    ("Event", "event"),
    ("Key", "event"),
    ("Keys", "event"),
    ("ListenerError", "event"),
    ("IntentCheck", "intents"),
    ("IntentsExt", "intents"),
    ("Listener", "listener"),
    ("IntoListener", "listener"),
    ("ListenerId", "listener"),
    ("Context", "context"),
    ("Bot", "bot"),
    ("BotBuilder", "bot"),
    ("RunningBot", "bot"),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn source_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The modules a line of code names through `crate::`.
fn crate_paths(line: &str) -> Vec<&str> {
    line.match_indices("crate::")
        .filter(|(at, _)| {
            // `$crate::` in macros is the same crate; `herald_crate::` and the like are not paths.
            let before = line[..*at].chars().next_back();
            before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '$'))
        })
        .map(|(at, _)| {
            let rest = &line[at + "crate::".len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

#[test]
fn imports_go_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    files.sort();
    let mut upward = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let module = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap()
            .trim_end_matches(".rs");
        if module == "lib" {
            continue;
        }
        let layer = layer_of(module).unwrap_or_else(|| {
            panic!(
                "module `{module}` is in no layer: add it to LAYERS and to the table in src/lib.rs"
            )
        });
        let text = fs::read_to_string(file).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for name in crate_paths(code) {
                let target = ROOT_ITEMS
                    .iter()
                    .find(|(item, _)| *item == name)
                    .map_or(name, |(_, module)| module);
                match layer_of(target) {
                    Some(target_layer) if target_layer > layer => upward.push(format!(
                        "src/{}:{}: `{module}` (layer {}) uses `crate::{name}` (`{target}`, layer {})",
                        relative.display(),
                        number + 1,
                        layer + 1,
                        target_layer + 1
                    )),
                    Some(_) => {}
                    None => assert!(
                        ["sandbox", "cache", "http", "model", "util", "prelude", "__private"]
                            .contains(&target),
                        "src/{}:{}: `crate::{name}` is no known module or root item",
                        relative.display(),
                        number + 1
                    ),
                }
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that go up the layers:\n{}",
        upward.join("\n")
    );
}

/// The table of layers in `src/lib.rs`'s documentation lists the same layers, in order.
#[test]
fn the_documented_layers_are_the_checked_ones() {
    let lib = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let documented: Vec<Vec<String>> = lib
        .lines()
        .filter_map(|line| line.strip_prefix("//! | "))
        .filter(|row| row.starts_with(|c: char| c.is_ascii_digit()))
        .map(|row| {
            let modules = row.split('|').nth(1).unwrap_or_default();
            modules
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect()
        })
        .collect();
    let checked: Vec<Vec<String>> = LAYERS
        .iter()
        .map(|layer| layer.iter().map(|m| (*m).to_owned()).collect())
        .collect();
    assert_eq!(documented, checked, "src/lib.rs's table of layers");
}
