//! The catalog as code: `#[event] async fn on_<name>` compiles for every event of herald's catalog,
//! with the type `docs/events.md` lists; `docs/events.md` is the catalog rendered.
//!
//! The catalog's table (`framework/src/event/catalog.rs`) is the one list of events; this test
//! checks what is generated from it, and `HERALD_BLESS=1 cargo test --test catalog` rewrites it:
//! `docs/events.md`, the names `#[event]` knows (`macros/src/catalog_table.rs`), and the handlers
//! below (`tests/catalog/handlers.rs`).

use std::collections::BTreeSet;

use herald::event::{CatalogEntry, catalog};
use herald::prelude::*;

/// One `#[event]` handler per catalog name, the names they cover, and their registration:
/// generated from the catalog (`HERALD_BLESS=1`). A name `#[event]` did not know, or a type whose
/// `Event::NAME` differs, fails to compile.
#[path = "catalog/handlers.rs"]
mod generated;
use generated::{HANDLED, register_all};

#[test]
fn every_catalog_event_has_an_event_handler_that_compiles() {
    let catalog: Vec<&str> = catalog().iter().map(|e| e.name).collect();
    assert_eq!(
        catalog, HANDLED,
        "tests/catalog.rs must have an `#[event] on_<name>` handler for every catalog entry, in order"
    );
    // Registering them all: one handler per name, no duplicates.
    let bot = register_all(Bot::builder())
        .intent_check(IntentCheck::Warn)
        .build()
        .expect("one handler per event");
    let listeners: BTreeSet<&str> = bot.context().listeners().iter().map(|l| l.event).collect();
    assert_eq!(listeners.len(), catalog.len());
}

#[test]
fn catalog_names_types_and_groups_are_consistent() {
    let mut names = BTreeSet::new();
    let mut types = BTreeSet::new();
    for entry in catalog() {
        assert!(names.insert(entry.name), "`{}` is listed twice", entry.name);
        assert!(
            types.insert(entry.type_id),
            "`{}` reuses a type",
            entry.name
        );
        assert!(
            entry.disnake.starts_with("on_") || entry.disnake.starts_with("— ("),
            "`{}`: the disnake column names a handler, or says `— (what disnake has instead)`",
            entry.name
        );
        assert!(
            !entry.gateway.is_empty() || !entry.origin.is_empty(),
            "`{}` needs a gateway source or an origin",
            entry.name
        );
    }
}

fn flag_names<T: bitflags_names::Named>(flags: T) -> String {
    flags.names()
}

/// The line of `docs/events.md` after which the tables are generated.
const MARKER: &str = "<!-- generated from herald::event::catalog() by tests/catalog.rs -->\n";

/// The tables of `docs/events.md`, rendered from the catalog.
fn render() -> String {
    let mut out = String::from(MARKER);
    let mut group = "";
    for entry in catalog() {
        if entry.group != group {
            group = entry.group;
            out.push_str(&format!(
                "\n## {group}\n\n| herald | type | disnake | carries | gateway source | intents (any) | cache |\n|---|---|---|---|---|---|---|\n"
            ));
        }
        out.push_str(&row(entry));
    }
    out
}

fn row(e: &CatalogEntry) -> String {
    let source = match (e.gateway.is_empty(), e.origin.is_empty()) {
        (true, _) => e.origin.to_owned(),
        (false, true) => flag_names(e.gateway),
        (false, false) => format!("{}: {}", flag_names(e.gateway), e.origin),
    };
    let intents = if e.intents.is_empty() {
        "none".to_owned()
    } else {
        flag_names(e.intents)
    };
    let params = if e.params.is_empty() {
        "—".to_owned()
    } else {
        format!("`{}`", e.params)
    };
    let cache = if e.cache.is_empty() {
        "—".to_owned()
    } else {
        flag_names(e.cache)
    };
    format!(
        "| `{}` | `{}` | `{}` | {} | {} | {} | {} |\n",
        e.name, e.type_name, e.disnake, params, source, intents, cache
    )
}

#[test]
fn docs_events_md_is_the_catalog() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/events.md");
    let on_disk = std::fs::read_to_string(path).expect("docs/events.md exists");
    let prose = on_disk.split(MARKER).next().unwrap_or_default();
    let rendered = format!("{prose}{}", render());
    if std::env::var_os("HERALD_BLESS").is_some() {
        std::fs::write(path, &rendered).unwrap();
        return;
    }
    assert!(
        on_disk == rendered,
        "docs/events.md differs from herald::event::catalog(); run `HERALD_BLESS=1 cargo test --test catalog` and commit the result"
    );
}

/// Names of set bits, `A, B`, for twilight's bitflags types.
mod bitflags_names {
    pub(crate) trait Named {
        fn names(self) -> String;
    }
    macro_rules! named {
        ($($ty:ty),*) => {$(
            impl Named for $ty {
                fn names(self) -> String {
                    self.iter_names().map(|(name, _)| name).collect::<Vec<_>>().join(", ")
                }
            }
        )*};
    }
    named!(
        herald::model::gateway::Intents,
        herald::cache::ResourceType,
        herald::gateway::EventTypeFlags
    );
}

/// Writes `content` to `path` (relative to the repository) when blessing; else checks that the
/// file holds it.
fn generated_file(path: &str, content: &str) {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("HERALD_BLESS").is_some() {
        std::fs::write(&full, content).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&full).unwrap_or_default();
    assert!(
        on_disk == content,
        "{path} differs from herald::event::catalog(); run `HERALD_BLESS=1 cargo test --test \
         catalog` and commit the result"
    );
}

const GENERATED: &str = "Generated from herald::event::catalog() by `HERALD_BLESS=1 cargo test --test catalog`: do not edit.";

#[test]
fn the_macros_know_the_catalog_names() {
    let mut table = format!(
        "//! {GENERATED}\n\n/// (event name, the parameter type its handler takes), in catalog order.\n#[rustfmt::skip]\npub(crate) const CATALOG: &[(&str, &str)] = &[\n"
    );
    for entry in catalog() {
        table.push_str(&format!(
            "    (\"{}\", \"&{}\"),\n",
            entry.name, entry.type_name
        ));
    }
    table.push_str("];\n");
    generated_file("macros/src/catalog_table.rs", &table);
}

#[test]
fn the_handlers_cover_the_catalog() {
    let mut handlers = format!(
        "//! {GENERATED}\n\n#![allow(unreachable_pub, dead_code)]\n\nuse herald::BotBuilder;\n\n/// One `#[event]` handler per catalog name.\npub mod handlers {{\n    use herald::event::gateway::*;\n    use herald::prelude::*;\n"
    );
    for entry in catalog() {
        handlers.push_str(&format!(
            "\n    #[event]\n    pub async fn on_{}(_event: &{}) {{}}\n",
            entry.name, entry.type_name
        ));
    }
    handlers.push_str("}\n\n/// The names the handlers cover, in catalog order.\npub const HANDLED: &[&str] = &[\n");
    for entry in catalog() {
        handlers.push_str(&format!("    \"{}\",\n", entry.name));
    }
    handlers.push_str(
        "];\n\n/// Registers every handler.\npub fn register_all(builder: BotBuilder) -> BotBuilder {\n    builder\n",
    );
    for entry in catalog() {
        handlers.push_str(&format!("        .event(handlers::on_{})\n", entry.name));
    }
    handlers.push_str("}\n");
    generated_file("tests/catalog/handlers.rs", &handlers);
}
