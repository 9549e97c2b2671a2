//! Application command sync: at start, the commands Discord has are fetched and compared with
//! the declared ones; only a difference writes them (one bulk overwrite), so a restart with the
//! same commands costs one GET.

use serde_json::Value;
use twilight_model::application::command::Command;
use twilight_model::id::Id;
use twilight_model::id::marker::GuildMarker;

use crate::Error;

/// The commands a bot declares, and where: one guild (development: changes show at once) or
/// global (release).
#[derive(Debug, Clone, Default)]
pub(crate) struct Declared {
    /// Given as twilight definitions (`BotBuilder::commands`).
    pub(crate) commands: Vec<Command>,
    /// Declared commands' definitions (`BotBuilder::command`).
    pub(crate) app: Vec<Command>,
    pub(crate) guild: Option<Id<GuildMarker>>,
}

/// What a command sync found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommandSync {
    /// Declared, not registered before: created.
    pub created: Vec<String>,
    /// Registered differently: overwritten.
    pub changed: Vec<String>,
    /// Registered, no longer declared: removed.
    pub removed: Vec<String>,
    /// Whether the commands were written (a bulk overwrite); `false` when they were up to date.
    pub written: bool,
}

impl std::fmt::Display for CommandSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.written {
            return f.write_str("application commands up to date (nothing written)");
        }
        let mut parts = Vec::new();
        for (what, names) in [
            ("created", &self.created),
            ("changed", &self.changed),
            ("removed", &self.removed),
        ] {
            if !names.is_empty() {
                let names: Vec<String> = names.iter().map(|n| format!("/{n}")).collect();
                parts.push(format!("{what} {}", names.join(", ")));
            }
        }
        write!(f, "application commands written: {}", parts.join("; "))
    }
}

/// A command as JSON without what Discord adds (ids, version) and without empty or default
/// values, so that a declared command and the one Discord sends back compare equal.
fn comparable(command: &Command) -> Value {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (_, inner) in map.iter_mut() {
                    strip(inner);
                }
                map.retain(|_, v| {
                    !matches!(v, Value::Null | Value::Bool(false))
                        && !matches!(v, Value::Array(a) if a.is_empty())
                        && !matches!(v, Value::Object(o) if o.is_empty())
                });
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(command).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        for key in [
            "id",
            "application_id",
            "guild_id",
            "version",
            "dm_permission",
        ] {
            map.remove(key);
        }
    }
    strip(&mut value);
    value
}

/// Whether the registered command differs from the declared one. Where a command declares no
/// `contexts` or `integration_types`, Discord fills in its defaults: those are not a difference.
fn differs(registered: &Command, declared: &Command) -> bool {
    let (mut old, new) = (comparable(registered), comparable(declared));
    if let (Value::Object(old), Value::Object(new)) = (&mut old, &new) {
        for key in ["contexts", "integration_types"] {
            if !new.contains_key(key) {
                old.remove(key);
            }
        }
    }
    old != new
}

/// Compares `declared` with what Discord has and writes them when they differ.
pub(crate) async fn sync(
    http: &twilight_http::Client,
    declared: &Declared,
) -> Result<CommandSync, Error> {
    let failed = |what: &str, error: twilight_http::Error| {
        Error::http(&format!("application command sync: {what}"), &error)
    };
    let application = http
        .current_user_application()
        .await
        .map_err(|e| failed("GET /applications/@me", e))?
        .model()
        .await
        .map_err(|e| Error::Internal(format!("reading the application: {e}")))?
        .id;
    let client = http.interaction(application);
    let registered: Vec<Command> = match declared.guild {
        Some(guild) => client.guild_commands(guild).await,
        None => client.global_commands().await,
    }
    .map_err(|e| failed("fetching the registered commands", e))?
    .models()
    .await
    .map_err(|e| Error::Internal(format!("reading the registered commands: {e}")))?;

    let declared_all: Vec<Command> = declared
        .commands
        .iter()
        .chain(&declared.app)
        .cloned()
        .collect();
    let mut report = CommandSync::default();
    for command in &declared_all {
        match registered
            .iter()
            .find(|r| r.name == command.name && r.kind == command.kind)
        {
            None => report.created.push(command.name.clone()),
            Some(old) if differs(old, command) => {
                report.changed.push(command.name.clone());
            }
            Some(_) => {}
        }
    }
    for old in &registered {
        if !declared_all
            .iter()
            .any(|c| c.name == old.name && c.kind == old.kind)
        {
            report.removed.push(old.name.clone());
        }
    }
    if report.created.is_empty() && report.changed.is_empty() && report.removed.is_empty() {
        return Ok(report);
    }
    match declared.guild {
        Some(guild) => client.set_guild_commands(guild, &declared_all).await,
        None => client.set_global_commands(&declared_all).await,
    }
    .map_err(|e| failed("writing the commands", e))?;
    report.written = true;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(json: Value) -> Command {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn what_discord_fills_in_is_no_difference() {
        let declared = command(serde_json::json!({
            "type": 1, "name": "warn", "description": "Warns", "version": "1",
            "options": [{ "type": 3, "name": "reason", "description": "Why", "required": true }]
        }));
        let registered = command(serde_json::json!({
            "id": "10", "application_id": "20", "version": "30", "type": 1,
            "name": "warn", "description": "Warns", "dm_permission": true, "nsfw": false,
            "contexts": [0, 1, 2], "integration_types": [0],
            "options": [{ "type": 3, "name": "reason", "description": "Why", "required": true }]
        }));
        assert!(!differs(&registered, &declared));

        let optional = command(serde_json::json!({
            "type": 1, "name": "warn", "description": "Warns", "version": "1",
            "options": [{ "type": 3, "name": "reason", "description": "Why" }]
        }));
        assert!(
            differs(&registered, &optional),
            "an option no longer required"
        );
    }
}
