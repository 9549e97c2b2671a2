//! Fatal close codes: the closes after which twilight gives up, turned into errors that say
//! what to do.

use twilight_model::gateway::Intents;

/// Why the gateway refused the bot for good.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FatalClose {
    /// 4004: the token was rejected.
    #[error(
        "Discord rejected the bot token (close code 4004). Use the token from the Developer Portal \
         (your application → Bot → Reset Token), without a `Bot ` prefix; a token that leaked is \
         revoked by Discord and must be reset"
    )]
    AuthenticationFailed,
    /// 4010: the shard id or count is invalid.
    #[error(
        "Discord rejected the shard id or count (close code 4010): every shard id must be below \
         the shard count. Check `.shards(..)`: `Shards::Auto`, a count, or a range within its \
         total"
    )]
    InvalidShard,
    /// 4011: the bot is in too many guilds for its shard count.
    #[error(
        "Discord requires more shards (close code 4011): the bot is in too many guilds for its \
         shard count; use `.shards(Shards::Auto)` or a larger count"
    )]
    ShardingRequired,
    /// 4012: the gateway API version is invalid.
    #[error(
        "Discord rejected the gateway API version (close code 4012): upgrade herald (`cargo update \
         -p herald`), whose twilight speaks the current version"
    )]
    InvalidApiVersion,
    /// 4013: the intents are not valid bits.
    #[error(
        "Discord rejected the intents as invalid (close code 4013): the bot requested {}. Build \
         them from `Intents`' named flags (not `from_bits_retain` with unknown bits), or drop \
         `.intents(..)` to let herald request what the listeners need",
        .0.names()
    )]
    InvalidIntents(Intents),
    /// 4014: privileged intents the application is not approved for. It holds the intents the
    /// bot requested; the privileged ones among them are what Discord refused.
    #[error("{}", disallowed(*.0))]
    DisallowedIntents(Intents),
}

use crate::intents::{IntentsExt as _, portal_names};

/// The message of a 4014: the privileged intents refused and the switches that allow them.
fn disallowed(requested: Intents) -> String {
    let privileged = requested.privileged();
    if privileged.is_empty() {
        return format!(
            "Discord closed the connection as using disallowed intents (close code 4014), but the \
             bot requested no privileged intent (it requested {}). Check in the Developer Portal \
             that the bot's application is the token's, and that it is not restricted",
            requested.names()
        );
    }
    format!(
        "Discord refused the privileged intents {} (close code 4014). Enable them in the \
         Developer Portal: your application → Bot → Privileged Gateway Intents → {}; or stop \
         requesting them (`.intents(..)`, or remove the listeners that need them). Bots in 100 or \
         more servers need Discord's approval for each",
        privileged.names(),
        portal_names(privileged).join(", ")
    )
}

impl FatalClose {
    /// The error for a close code twilight treats as fatal, given the intents the bot asked for.
    pub(crate) fn from_code(code: u16, intents: Intents) -> Option<Self> {
        Some(match code {
            4004 => FatalClose::AuthenticationFailed,
            4010 => FatalClose::InvalidShard,
            4011 => FatalClose::ShardingRequired,
            4012 => FatalClose::InvalidApiVersion,
            4013 => FatalClose::InvalidIntents(intents),
            4014 => FatalClose::DisallowedIntents(intents),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fatal_close_says_what_to_do_next() {
        let intents = Intents::GUILDS | Intents::GUILD_MEMBERS;
        for code in [4004, 4010, 4011, 4012, 4013, 4014] {
            let text = FatalClose::from_code(code, intents).unwrap().to_string();
            assert!(text.contains(&format!("close code {code}")), "{text}");
            let next_step = [
                "Use the token",
                "Check `.shards",
                "use `.shards",
                "upgrade herald",
                "drop `.intents",
                "Enable them",
            ];
            assert!(
                next_step.iter().any(|step| text.contains(step)),
                "{code}: {text}"
            );
        }
        assert_eq!(FatalClose::from_code(4000, intents), None);
    }
}
