//! What Discord would refuse in a command's definition, found when the bot is built: the bulk
//! overwrite is all or nothing, so one bad command would keep every command from registering.
//! `#[command]` checks the same at compile time.

use std::collections::HashSet;

use twilight_model::application::command::CommandType;

use super::AppCommand;

/// Whether `name` is a valid slash command, subcommand or option name: 1–32 characters,
/// letters, digits, `-` or `_`, lowercase where a letter has a case.
fn slash_name(name: &str) -> bool {
    let count = name.chars().count();
    (1..=32).contains(&count)
        && name
            .chars()
            .all(|c| (c.is_alphanumeric() || c == '-' || c == '_') && !c.is_uppercase())
}

/// Every problem of `command`, as sentences saying what to change.
pub(crate) fn validate(command: &AppCommand) -> Vec<String> {
    let mut problems = Vec::new();
    check(command, &command.name, 0, &mut problems);
    problems
}

fn check(command: &AppCommand, path: &str, depth: usize, problems: &mut Vec<String>) {
    let mut found = Vec::new();
    let mut problem = |text: String| found.push(format!("command `{path}`: {text}"));
    match command.kind {
        CommandType::ChatInput => {
            if !slash_name(&command.name) {
                problem(
                    "a slash command's name is 1–32 lowercase letters, digits, `-` or `_`"
                        .to_owned(),
                );
            }
            let length = command.description.chars().count();
            if !(1..=100).contains(&length) {
                problem(format!(
                    "its description has {length} characters; Discord takes 1–100"
                ));
            }
        }
        _ => {
            let length = command.name.chars().count();
            if !(1..=32).contains(&length) {
                problem(format!(
                    "a context-menu command's name has 1–32 characters, not {length}"
                ));
            }
            if !command.options.is_empty() || !command.subcommands.is_empty() {
                problem("context-menu commands take no options or subcommands".to_owned());
            }
        }
    }
    if command.options.len() > 25 || command.subcommands.len() > 25 {
        problem("at most 25 options or subcommands".to_owned());
    }
    if !command.options.is_empty() && !command.subcommands.is_empty() {
        problem(
            "a command has options or subcommands, not both: move the options to the \
             subcommands"
                .to_owned(),
        );
    }
    if command.subcommands.is_empty() && command.handler.is_none() {
        problem("it has no handler: give it one with `.handler(..)`".to_owned());
    }
    if depth >= 2 && !command.subcommands.is_empty() {
        problem("subcommands nest two levels deep at most (a group of subcommands)".to_owned());
    }
    let mut seen = HashSet::new();
    let mut optional = None;
    for option in &command.options {
        let o = &option.option;
        if !slash_name(&o.name) {
            problem(format!(
                "option `{}`: a name is 1–32 lowercase letters, digits, `-` or `_`",
                o.name
            ));
        }
        if !(1..=100).contains(&o.description.chars().count()) {
            problem(format!(
                "option `{}`: a description has 1–100 characters",
                o.name
            ));
        }
        if !seen.insert(o.name.as_str()) {
            problem(format!("two options are named `{}`", o.name));
        }
        if o.choices.as_ref().is_some_and(|c| c.len() > 25) {
            problem(format!("option `{}`: at most 25 choices", o.name));
        }
        if o.required == Some(true) {
            if let Some(before) = optional {
                problem(format!(
                    "required option `{}` comes after optional `{before}`: required options go \
                     first",
                    o.name
                ));
            }
        } else {
            optional.get_or_insert(o.name.as_str());
        }
    }
    let mut names = HashSet::new();
    let mut nested = Vec::new();
    for sub in &command.subcommands {
        if !names.insert(sub.name.as_str()) {
            problem(format!("two subcommands are named `{}`", sub.name));
        }
        if sub.kind != CommandType::ChatInput {
            problem(format!(
                "`{}` is a context-menu command: it cannot be a subcommand",
                sub.name
            ));
            continue;
        }
        nested.push(sub);
    }
    problems.append(&mut found);
    for sub in nested {
        check(sub, &format!("{path} {}", sub.name), depth + 1, problems);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::OptionSpec;

    #[test]
    fn discord_rules() {
        let ok = AppCommand::slash("warn", "Warns")
            .option(OptionSpec::new::<String>("reason", "Why"))
            .handler(|_, _| async {});
        assert!(validate(&ok).is_empty(), "{:?}", validate(&ok));

        let bad = AppCommand::slash("Warn", "")
            .option(OptionSpec::new::<Option<String>>("a", "A"))
            .option(OptionSpec::new::<String>("b", "B"))
            .handler(|_, _| async {});
        let problems = validate(&bad).join("\n");
        assert!(problems.contains("lowercase"), "{problems}");
        assert!(problems.contains("description has 0"), "{problems}");
        assert!(problems.contains("required option `b`"), "{problems}");

        let deep = AppCommand::slash("a", "A").subcommand(
            AppCommand::slash("b", "B")
                .subcommand(AppCommand::slash("c", "C").subcommand(AppCommand::slash("d", "D"))),
        );
        assert!(validate(&deep).join("\n").contains("two levels"));
    }
}
