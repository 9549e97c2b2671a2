//! Discord's rules for application commands, checked at compile time by `#[command]` and
//! `#[derive(Choice)]`: names, descriptions, locales and counts.

/// At most this many options per command, subcommands per command, and choices per option.
pub(crate) const MAX_CHILDREN: usize = 25;
/// Descriptions are 1–100 characters.
pub(crate) const MAX_DESCRIPTION: usize = 100;
/// Choice names and string values are 1–100 characters.
pub(crate) const MAX_CHOICE: usize = 100;
/// Names are 1–32 characters.
pub(crate) const MAX_NAME: usize = 32;
/// `min_length` is 0–6000 and `max_length` 1–6000.
pub(crate) const MAX_LENGTH: u16 = 6000;

/// The locales Discord accepts in `name_localizations` and `description_localizations`.
pub(crate) const LOCALES: &[&str] = &[
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
    "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th",
    "zh-CN", "ja", "zh-TW", "ko",
];

/// Why `name` is not a valid slash command, subcommand or option name (Discord's
/// `^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$`, lowercase where a letter has a case).
pub(crate) fn slash_name_error(name: &str) -> Option<String> {
    let length = name.chars().count();
    if length == 0 || length > MAX_NAME {
        return Some(format!(
            "`{name}` has {length} characters; names have 1 to {MAX_NAME}"
        ));
    }
    if let Some(c) = name.chars().find(|&c| !name_char(c)) {
        let c = if c == ' ' {
            "a space".to_owned()
        } else {
            format!("`{c}`")
        };
        return Some(format!(
            "`{name}` has {c}; names have only letters, digits, `-` and `_`"
        ));
    }
    if name
        .chars()
        .any(|c| c.to_lowercase().ne(std::iter::once(c)))
    {
        return Some(format!(
            "`{name}` has uppercase letters; names are lowercase: `{}`",
            name.to_lowercase()
        ));
    }
    None
}

/// Why `name` is not a valid user or message command name: 1–32 characters, any case, spaces
/// allowed.
pub(crate) fn menu_name_error(name: &str) -> Option<String> {
    let length = name.chars().count();
    if length == 0 || length > MAX_NAME {
        return Some(format!(
            "`{name}` has {length} characters; context menu names have 1 to {MAX_NAME}"
        ));
    }
    if name.trim() != name {
        return Some(format!(
            "`{name}` starts or ends with a space; Discord trims it"
        ));
    }
    None
}

/// Why `text` is not a valid description, if it is not: 1–100 characters.
pub(crate) fn description_error(text: &str) -> Option<String> {
    let length = text.chars().count();
    match length {
        0 => Some("the description is empty; Discord requires 1 to 100 characters".to_owned()),
        1..=MAX_DESCRIPTION => None,
        _ => Some(format!(
            "the description has {length} characters; Discord allows at most {MAX_DESCRIPTION}"
        )),
    }
}

/// Why `locale` is not one of Discord's locales, with the likely one when there is one.
pub(crate) fn locale_error(locale: &str) -> Option<String> {
    if LOCALES.contains(&locale) {
        return None;
    }
    let lower = locale.to_lowercase().replace('_', "-");
    let language = lower.split('-').next().unwrap_or_default();
    let close: Vec<&str> = LOCALES
        .iter()
        .copied()
        .filter(|known| {
            let known = known.to_lowercase();
            known == lower || known.split('-').next() == Some(language)
        })
        .collect();
    let hint = match close.as_slice() {
        [] => format!("Discord's locales are: {}", LOCALES.join(", ")),
        [one] => format!("did you mean `{one}`?"),
        several => format!("did you mean one of: {}?", several.join(", ")),
    };
    Some(format!("`{locale}` is not a Discord locale; {hint}"))
}

/// `-`, `_`, letters and digits of any script (Devanagari and Thai marks included).
fn name_char(c: char) -> bool {
    c == '-'
        || c == '_'
        || c.is_alphanumeric()
        || ('\u{0900}'..='\u{097F}').contains(&c)
        || ('\u{A8E0}'..='\u{A8FF}').contains(&c)
        || ('\u{0E00}'..='\u{0E7F}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_names() {
        for ok in [
            "warn",
            "set-nick",
            "a_b",
            "x",
            "über",
            "日本語",
            "नमस्ते",
            "สวัสดี",
            "v2",
        ] {
            assert_eq!(slash_name_error(ok), None, "{ok}");
        }
        for bad in ["", "Warn", "two words", "a.b", &"x".repeat(33)] {
            assert!(slash_name_error(bad).is_some(), "{bad}");
        }
        assert_eq!(slash_name_error(&"é".repeat(32)), None);
    }

    #[test]
    fn menu_names() {
        assert_eq!(menu_name_error("Report User"), None);
        assert!(menu_name_error("").is_some());
        assert!(menu_name_error(" Report").is_some());
        assert!(menu_name_error(&"x".repeat(33)).is_some());
    }

    #[test]
    fn descriptions() {
        assert_eq!(description_error("-"), None);
        assert!(description_error("").is_some());
        assert_eq!(description_error(&"x".repeat(100)), None);
        assert!(description_error(&"x".repeat(101)).is_some());
    }

    #[test]
    fn locales() {
        assert_eq!(locale_error("fr"), None);
        assert_eq!(locale_error("es-419"), None);
        assert!(
            locale_error("fr-FR")
                .unwrap()
                .contains("did you mean `fr`?")
        );
        assert!(locale_error("en").unwrap().contains("en-GB, en-US"));
        assert!(locale_error("pt_br").unwrap().contains("`pt-BR`"));
        assert!(
            locale_error("xx")
                .unwrap()
                .contains("Discord's locales are")
        );
    }
}
